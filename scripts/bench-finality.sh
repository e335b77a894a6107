#!/usr/bin/env bash
# Tx -> finalized on L1 (mock prover): send one transfer from dev account #0 (unlocked, so
# eth_sendTransaction), then poll the `finalized` block until it reaches the tx's block.
# Prints p50 / p90 / max over N txs, sent one after another against a running devnet.
#
#   zkos-dev start --silent &  scripts/bench-finality.sh [N] [URL]    # default 20, :3050
set -euo pipefail
N="${1:-20}"
URL="${2:-http://127.0.0.1:3050}"
case "$URL" in http://127.*|http://localhost*) ;; *) echo "error: loopback nodes only" >&2; exit 1 ;; esac

rpc() {
  curl -s -m 5 -X POST -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$URL"
}
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

for _ in $(seq "$N"); do
  start=$(date +%s%N)
  hash=$(rpc eth_sendTransaction '[{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x70997970C51812dC3A010C7d01b50e0d17dc79C8","value":"0x1"}]' | field result)
  [ -n "$hash" ] || { echo "error: eth_sendTransaction failed" >&2; exit 1; }
  block=""
  until [ -n "$block" ]; do block=$(rpc eth_getTransactionReceipt "[\"$hash\"]" | field blockNumber); done
  tries=0
  while :; do
    fin=$(rpc eth_getBlockByNumber '["finalized",false]' | field number)
    [ -n "$fin" ] && [ $((fin)) -ge $((block)) ] && break
    tries=$((tries + 1))
    [ "$tries" -lt 10000 ] || { echo "error: block $block never finalized" >&2; exit 1; }
  done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
done | sort -n | awk '{ a[NR] = $1 } END {
  printf "tx -> finalized: p50 %d ms, p90 %d ms, max %d ms (%d txs)\n", a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR], NR }'
