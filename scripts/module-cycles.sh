#!/usr/bin/env bash
# The dependency graph of the crate's top-level modules (src/X.rs, src/X/), read from
# `crate::X` paths (grouped `use crate::{a, b::c}` too) outside test code, and its strongly
# connected components: every group of modules that reach each other (an import cycle).
#
#   scripts/module-cycles.sh          # prints the cycles (none: an order, leaves first); exit 1 on one
#   scripts/module-cycles.sh --edges  # also prints every edge, and the files behind it
#
# Test code does not count: files named tests.rs and everything from a `#[cfg(test)]` module
# to the end of its file. Paths out of a module are written `crate::...` in this crate (no
# `super::` reaches the root), so `crate::` paths are all the edges.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import os, re, sys

SRC = "src"
# Root re-exports in src/lib.rs: `crate::Config` is config's.
REEXPORTS = {"Config": "config", "L1Config": "config", "MiningMode": "config",
             "Node": "node", "NodeHandle": "node"}
show_edges = "--edges" in sys.argv[1:]

def top_module(path):
    rel = os.path.relpath(path, SRC)
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first

def strip(text):
    # Test code out, then comments (doc comments mention modules they do not use).
    m = re.search(r"^\s*#\[cfg\(test\)\]\s*\n\s*(pub(\([a-z]+\))?\s+)?mod\s", text, re.M)
    if m:
        text = text[: m.start()]
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)

def group_heads(text, start):
    """Top-level names of the `{...}` group opening at text[start]."""
    depth, item, heads = 0, "", []
    for ch in text[start:]:
        if ch == "{":
            depth += 1
            if depth == 1:
                continue
        elif ch == "}":
            depth -= 1
            if depth == 0:
                heads.append(item)
                break
        if depth == 1 and ch == ",":
            heads.append(item)
            item = ""
        else:
            item += ch
    return [re.match(r"\s*(\w*)", h).group(1) for h in heads if h.strip()]

modules = set()
edges = {}  # (from, to) -> files
for root, _, files in os.walk(SRC):
    for name in files:
        if not name.endswith(".rs") or name == "tests.rs":
            continue
        path = os.path.join(root, name)
        if os.path.dirname(path) == SRC and name in ("lib.rs", "main.rs"):
            continue
        here = top_module(path)
        modules.add(here)
        text = strip(open(path, encoding="utf-8").read())
        for m in re.finditer(r"(?<![\w$])crate::(\{|\w+)", text):
            heads = group_heads(text, m.start(1)) if m.group(1) == "{" else [m.group(1)]
            for head in heads:
                there = REEXPORTS.get(head, head)
                if there and there != "self" and there != here:
                    edges.setdefault((here, there), set()).add(path)

graph = {m: sorted({b for (a, b) in edges if a == m}) for m in sorted(modules)}

# Tarjan's strongly connected components.
index, low, on_stack, stack, sccs, counter = {}, {}, set(), [], [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on_stack.add(v)
    for w in graph.get(v, []):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        scc = []
        while True:
            w = stack.pop(); on_stack.discard(w); scc.append(w)
            if w == v:
                break
        sccs.append(sorted(scc))
sys.setrecursionlimit(10000)
for v in graph:
    if v not in index:
        visit(v)

if show_edges:
    for (a, b), files in sorted(edges.items()):
        print(f"{a} -> {b}   ({', '.join(sorted(files))})")
    print()
cycles = [s for s in sccs if len(s) > 1]
print(f"{len(graph)} top-level modules, {len(edges)} edges, {len(cycles)} cycle(s)")
for scc in cycles:
    inner = [f"{a}->{b}" for (a, b) in sorted(edges) if a in scc and b in scc]
    print(f"  cycle of {len(scc)}: {' '.join(scc)}")
    print(f"    edges inside: {' '.join(inner)}")
if not cycles:
    # Tarjan emits components callees first: that is an order from the leaves up.
    print("  leaves first: " + " ".join(s[0] for s in sccs))
sys.exit(1 if cycles else 0)
PY
