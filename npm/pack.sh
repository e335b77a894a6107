#!/usr/bin/env bash
# Packs the npm packages from a built zkos-dev binary (nothing is published):
#
#   npm/pack.sh OUT_DIR [BINARY]      # BINARY defaults to $ZKOS_DEV_BIN
#   npm install OUT_DIR/*.tgz         # then `npx zkos-dev start`, or createZkosDev() in tests
#
# Writes two tarballs into OUT_DIR and prints their paths, one a line:
#   zkos-dev-zkos-dev-linux-x64-<version>.tgz   the platform package (the binary under bin/)
#   zkos-dev-<version>.tgz                      the launcher (`zkos-dev` command + JS API), which
#                                               has the platform package as an exact optionalDependency
# <version> is Cargo.toml's; the binary must report the same (`zkos-dev --version`), so a stale
# build is not shipped under a new number. The packages are staged in a temporary folder: the
# tree under npm/ is never written to.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "pack.sh: error: $*" >&2; exit 1; }

[ "$#" -ge 1 ] && [ "$#" -le 2 ] || die "usage: npm/pack.sh OUT_DIR [BINARY]   (BINARY defaults to \$ZKOS_DEV_BIN)"
out="$1"
bin="${2:-${ZKOS_DEV_BIN:-}}"
[ -n "$bin" ] || die "no binary: pass it as the second argument or set ZKOS_DEV_BIN"
[ -x "$bin" ] || die "$bin is not an executable file"
command -v npm >/dev/null || die "npm not found on PATH"

# Only Linux x64 has a platform package so far; a binary for anything else would install and then fail.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  *) die "only linux-x64 is packaged, and this is $(uname -s)-$(uname -m)" ;;
esac

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$HERE/../Cargo.toml" | head -1)"
[ -n "$version" ] || die "no version in $HERE/../Cargo.toml"
reported="$("$bin" --version)" || die "$bin --version failed"
[ "$reported" = "zkos-dev $version" ] || die "$bin reports '$reported', Cargo.toml says $version: rebuild it"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d "$out/.stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

platform_dir="$stage/zkos-dev-$platform"
launcher_dir="$stage/zkos-dev"
cp -r "$HERE/zkos-dev-$platform" "$platform_dir"
cp -r "$HERE/zkos-dev" "$launcher_dir"
mkdir -p "$platform_dir/bin"
cp "$bin" "$platform_dir/bin/zkos-dev"
chmod 755 "$platform_dir/bin/zkos-dev" "$launcher_dir/bin/zkos-dev.js"

# The version in both manifests, and the launcher's pin on this exact platform package.
VERSION="$version" PLATFORM_PKG="@zkos-dev/zkos-dev-$platform" node -e '
  const fs = require("node:fs");
  for (const file of process.argv.slice(1)) {
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    pkg.version = process.env.VERSION;
    if (pkg.optionalDependencies) pkg.optionalDependencies[process.env.PLATFORM_PKG] = process.env.VERSION;
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  }' "$platform_dir/package.json" "$launcher_dir/package.json"

for dir in "$platform_dir" "$launcher_dir"; do
  name="$(cd "$dir" && npm pack --ignore-scripts --silent --pack-destination "$out")" || die "npm pack failed in $dir"
  echo "$out/$name"
done
