// Fork read latency: how long an eth_getBalance takes on a fork the first time (the fork asks
// its remote) and once cached, for zkos-dev and for anvil forking the same remote, in one run.
//
//   node scripts/bench-fork.mjs --fork http://127.0.0.1:23060 [--anvil http://127.0.0.1:23061] [--reads 1000]
//
// Both forks must fork the same remote; each read is a fresh random address (first pass) and
// then the same addresses again (second pass). One request at a time over a kept-alive
// connection; prints p50 / p99 / mean in ms per node and pass.
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const reads = Number(args.reads ?? 1000);
const nodes = [["zkos-dev", args.fork], ["anvil", args.anvil]].filter(([, url]) => url);
if (nodes.length === 0) {
  console.error("usage: node scripts/bench-fork.mjs --fork URL [--anvil URL] [--reads N]");
  process.exit(2);
}

async function call(url, method, params) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

function stats(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return `p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms, mean ${mean.toFixed(3)} ms`;
}

const addresses = Array.from({ length: reads }, () => {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return "0x" + Buffer.from(bytes).toString("hex");
});
for (const [name, url] of nodes) {
  await call(url, "eth_chainId", []);
  for (const pass of ["first read (remote)", "cached read"]) {
    const ms = [];
    for (const address of addresses) {
      const start = performance.now();
      await call(url, "eth_getBalance", [address, "latest"]);
      ms.push(performance.now() - start);
    }
    console.log(`${name.padEnd(9)} ${pass.padEnd(20)} ${stats(ms)} (${reads} reads)`);
  }
}
