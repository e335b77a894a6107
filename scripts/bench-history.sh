#!/usr/bin/env bash
# Memory and restart time against the length of the history, with the data dir (the default):
# sends ETH transfers with `zkos-dev bench` in 100,000-tx steps up to TOTAL txs, printing the
# node's resident memory after each step; then stops the node cleanly and restarts it RESTARTS
# times, printing the time from exec until both JSON-RPCs (L2 and embedded L1) answer, then the
# same after a kill -9.
#
#   scripts/bench-history.sh [TOTAL] [RESTARTS]     # default 1000000 txs, 3 restarts
#   ZKOS_DEV_BIN=path/to/zkos-dev scripts/bench-history.sh 2000000
#
# Uses the release build and ports 23150 / 28645; the data dir is a temporary dir.
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL="${1:-1000000}"
RESTARTS="${2:-3}"
BIN="${ZKOS_DEV_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}/release/zkos-dev}"
[ -x "$BIN" ] || { echo "error: $BIN missing (cargo build --release)" >&2; exit 1; }
DIR=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; cp "$DIR/log" "${TMPDIR:-/tmp}/bench-history-node.log" 2>/dev/null; rm -rf "$DIR"' EXIT
L2=http://127.0.0.1:23150
L1=http://127.0.0.1:28645
ARGS=(start --data-dir "$DIR/dd" --port 23150 --l1-port 28645 --no-metrics --silent)

now_ns() { date +%s%N; }
answers() {
  for url in "$@"; do
    curl -s -m 1 -X POST -H 'content-type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$url" 2>/dev/null |
      grep -q result || return 1
  done
}
# Starts the node and waits for both RPCs; leaves the pid in $PID and the ms it took in $MS.
start() {
  local begin tries=0
  if answers "$L2" || answers "$L1"; then
    echo "error: something already answers on $L2 or $L1" >&2
    exit 1
  fi
  begin=$(now_ns)
  "$BIN" "${ARGS[@]}" >>"$DIR/log" 2>&1 &
  PID=$!
  until answers "$L2" "$L1"; do
    tries=$((tries + 1))
    [ "$tries" -lt 200000 ] || { echo "error: the node never answered (see $DIR/log)" >&2; exit 1; }
  done
  MS=$(( ($(now_ns) - begin) / 1000000 ))
}
rss() { awk '/VmRSS/ { printf "%d MiB", $2 / 1024 }' "/proc/$PID/status"; }
head_number() {
  curl -s -X POST -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$L2" |
    sed -E 's/.*"result":"(0x[0-9a-f]+)".*/\1/'
}

start
echo "start: $(rss)"
sent=0
while [ "$sent" -lt "$TOTAL" ]; do
  "$BIN" bench --rpc "$L2" --txs 50000 --accounts 500 --rounds 2 --kind eth --json >/dev/null
  sent=$((sent + 100000))
  echo "after $sent txs ($(( $(head_number) )) blocks): $(rss)"
done
echo "data dir: $(du -sh "$DIR/dd" | cut -f1)"
for i in $(seq "$RESTARTS"); do
  kill -INT "$PID"; wait "$PID" 2>/dev/null || true
  start
  echo "restart $i after a clean stop: $MS ms until both RPCs answer, then $(rss)"
done
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
start
echo "restart after kill -9: $MS ms until both RPCs answer"
kill -INT "$PID"; wait "$PID" 2>/dev/null || true
