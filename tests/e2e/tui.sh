#!/usr/bin/env bash
# End-to-end test of the terminal dashboard: runs `zkos-dev start` inside tmux (a real
# terminal, 120x40), sends a tx with curl, reads the screen with `tmux capture-pane`, and checks
# that the header has the full URLs, that the tx and its block appear, that `m` mines a block,
# that a batch gets executed on L1, that `a` shows the keys, `?` the endpoints, that a search by
# the digits a table shows finds the account, that `zkos-dev reset` leaves a log line, that `q`
# asks first and `d` detaches (the node runs on, Enter comes back), that the layout fits 80x24,
# that `q` `y` stops the node and gives the terminal back, that a chain resumed from its
# data dir shows its head at once, and that `c` switches between two L2s (`--chains`).
#
#   ZKOS_DEV_BIN=$HOME/.cache/zkos-dev-target/debug/zkos-dev tests/e2e/tui.sh
#
# Needs tmux and curl (apt-get install tmux curl). Prints `N passed, N failed` last.
set -uo pipefail

BIN="${ZKOS_DEV_BIN:?set ZKOS_DEV_BIN to the zkos-dev binary}"
[ -x "$BIN" ] || { echo "tui.sh: $BIN is not executable" >&2; exit 1; }
for tool in tmux curl node; do
  command -v "$tool" >/dev/null || { echo "tui.sh: $tool not found (apt-get install $tool)" >&2; exit 1; }
done

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
L2_PORT="$(free_port)"
L1_PORT="$(free_port)"
while [ "$L1_PORT" = "$L2_PORT" ]; do L1_PORT="$(free_port)"; done
RPC="http://127.0.0.1:$L2_PORT"
# A tmux server of our own: nothing else's sessions are touched.
TMUX_SOCKET="zkos-tui-$$"
tm() { tmux -L "$TMUX_SOCKET" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; }
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; echo "--- screen:"; screen; echo "---"; }
screen() { tm capture-pane -p -t tui; }
# press KEY...: one key at a time (an Escape straight before another key would read as Alt).
press() { for key in "$@"; do tm send-keys -t tui "$key"; sleep 0.2; done; }
# wait_for SECONDS PATTERN: until the screen matches the extended regex.
wait_for() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    screen | grep -Eq -- "$2" && return 0
    sleep 0.3
  done
  return 1
}
rpc() {
  curl -s -m 5 -X POST -H 'content-type: application/json' \
    --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$RPC"
}
block_number() { rpc eth_blockNumber '[]' | sed -E 's/.*"result":"0x([0-9a-fA-F]+)".*/\1/' | { read -r hex; echo $((16#$hex)); }; }

# After the node exits, the pane's shell reports the exit code and the tty mode (icanon on = the
# terminal is back in cooked mode), then waits so the screen can still be read.
tm new-session -d -s tui -x 120 -y 40 \
  "'$BIN' start --ephemeral --port $L2_PORT --l1-port $L1_PORT 2>/tmp/zkos-tui-$$.err; echo ZKOS_EXITED rc=\$?; stty -a | tr ' ' '\n' | grep -x -- '-\\?icanon'; sleep 600"

if wait_for 60 "L2 270 http://127.0.0.1:$L2_PORT │ L1 31337 http://127.0.0.1:$L1_PORT" && wait_for 10 '\? help a keys .* q quit'; then
  ok "the dashboard opens: header with chain ids and full URLs, keys in the footer"
else
  not_ok "the dashboard opens"
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
fi

TX="$(rpc eth_sendTransaction '[{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x70997970C51812dC3A010C7d01b50e0d17dc79C8","value":"0xde0b6b3a7640000"}]' |
  sed -E 's/.*"result":"(0x[0-9a-f]{64})".*/\1/')"
SHORT="${TX:0:6}…${TX: -4}"
if [[ "$TX" =~ ^0x[0-9a-f]{64}$ ]] && wait_for 20 "$SHORT" && wait_for 5 'Transactions \(1 seen\)'; then
  ok "a tx sent with curl shows in the txs pane ($SHORT)"
else
  not_ok "a tx sent with curl shows in the txs pane (tx: $TX)"
fi
if wait_for 10 '│#1 +1tx'; then ok "its block #1 shows in the blocks pane"; else not_ok "block #1 shows in the blocks pane"; fi

BEFORE="$(block_number)"
tm send-keys -t tui m
AFTER=$((BEFORE + 1))
if wait_for 10 "mined block #$AFTER" && [ "$(block_number)" -ge "$AFTER" ] && wait_for 5 "│#$AFTER +0tx"; then
  ok "m mines a block (#$BEFORE -> #$AFTER)"
else
  not_ok "m mines a block (was #$BEFORE, now #$(block_number))"
fi

if wait_for 90 'SPCVE executed'; then
  ok "a batch is sealed, proven, committed, verified and executed on L1 (batches pane)"
else
  not_ok "a batch reaches executed in the batches pane"
fi

tm send-keys -t tui a
if wait_for 5 '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' &&
  wait_for 5 '0x36615Cf349d7F6344891B1e7CA7C72883F5dc049 rich'; then
  ok "a shows the dev accounts with their private keys, the rich account labelled"
else
  not_ok "a shows the keys"
fi
press Escape '?'
if wait_for 5 "L1  http://127.0.0.1:$L1_PORT  ws://127.0.0.1:$L1_PORT  chain 31337" &&
  wait_for 5 "L2  http://127.0.0.1:$L2_PORT  ws://127.0.0.1:$L2_PORT  chain 270"; then
  ok "? shows both endpoints in full"
else
  not_ok "? shows the endpoints"
fi
press Escape / 0 x 7 0 9 9 Enter
if wait_for 5 'Transactions of 0x7099…79C8'; then
  ok "/ 0x7099 (the digits the tables show) finds the account's txs"
else
  not_ok "/ 0x7099 finds the account"
fi
press Escape

HEAD="$(block_number)"
if "$BIN" reset --rpc "$RPC" >/dev/null && wait_for 10 "went back from #[0-9]+ to #0 \(genesis\)"; then
  ok "zkos-dev reset from another terminal leaves a line on the dashboard (was #$HEAD)"
else
  not_ok "zkos-dev reset leaves a line on the dashboard"
fi

tm send-keys -t tui q
if wait_for 5 'Stop the node and quit\?'; then ok "q asks before it stops the node"; else not_ok "q asks first"; fi
tm send-keys -t tui Escape
sleep 0.5
if screen | grep -q 'Stop the node and quit' || ! curl -s -m 2 "$RPC" >/dev/null; then
  not_ok "any other key stays"
else
  ok "any other key stays: the node runs on"
fi
tm send-keys -t tui d
if wait_for 10 'zkos-dev keeps running: the dashboard is closed' && [ "$(tm display -p -t tui '#{alternate_on}')" = 0 ] &&
  curl -s -m 2 "$RPC" >/dev/null && wait_for 5 '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'; then
  ok "d detaches: the terminal is back with the endpoints and keys, the node answers"
else
  not_ok "d detaches"
fi
tm send-keys -t tui Enter
if wait_for 10 '\? help a keys .* q quit' && [ "$(tm display -p -t tui '#{alternate_on}')" = 1 ]; then
  ok "Enter brings the dashboard back"
else
  not_ok "Enter brings the dashboard back"
fi

tm resize-window -t tui -x 80 -y 24
if wait_for 10 '\? help a keys m mine p pause s snap r revert R reset / search d detach q quit' && wait_for 5 'Proofs·L1·Accounts·Logs'; then
  ok "80x24: the footer keys and the shared side pane fit"
else
  not_ok "80x24 layout"
fi

press q y
if wait_for 20 'ZKOS_EXITED rc=0'; then ok "q y stops the node (exit code 0)"; else not_ok "q y stops the node"; fi
if [ "$(tm display -p -t tui '#{alternate_on}')" = 0 ] && [ "$(tm display -p -t tui '#{cursor_flag}')" = 1 ] &&
  screen | grep -qx 'icanon'; then
  ok "the terminal is restored: main screen, cursor shown, cooked mode"
else
  not_ok "the terminal is restored (alternate_on=$(tm display -p -t tui '#{alternate_on}') cursor_flag=$(tm display -p -t tui '#{cursor_flag}'))"
fi
if ! curl -s -m 2 "$RPC" >/dev/null; then ok "the node's port is closed after q"; else not_ok "the node's port is closed after q"; fi
if [ -s "/tmp/zkos-tui-$$.err" ]; then
  echo "# stderr of the node:"; sed 's/^/# /' "/tmp/zkos-tui-$$.err"
fi
rm -f "/tmp/zkos-tui-$$.err"

# A chain resumed from its data dir: its head shows at once, with no new block.
DATA="$(mktemp -d)"
start_in() {
  tm kill-session -t tui 2>/dev/null
  tm new-session -d -s tui -x 120 -y 40 \
    "'$BIN' start --data-dir '$DATA' --port $L2_PORT --l1-port $L1_PORT 2>>/tmp/zkos-tui-$$.err; echo ZKOS_EXITED rc=\$?; sleep 600"
}
start_in
if wait_for 60 '\? help' && for _ in 1 2 3; do rpc evm_mine '[]' >/dev/null; done && wait_for 10 '│#3 +0tx'; then
  tm send-keys -t tui C-c
  if wait_for 20 'ZKOS_EXITED rc=0'; then ok "Ctrl-C stops the node at once"; else not_ok "Ctrl-C stops the node"; fi
else
  not_ok "a node with a data dir mines 3 blocks"
fi
start_in
if wait_for 60 '\? help' && wait_for 5 'L2 #3 │' && wait_for 1 '│#3 +0tx' && [ "$(block_number)" = 3 ]; then
  ok "a resumed chain shows its head #3 at once"
else
  not_ok "a resumed chain shows its head at once (head #$(block_number))"
fi
tm send-keys -t tui C-c
wait_for 20 'ZKOS_EXITED' || true
if [ -s "/tmp/zkos-tui-$$.err" ]; then
  echo "# stderr of the resumed node:"; sed 's/^/# /' "/tmp/zkos-tui-$$.err"
fi
rm -rf "$DATA" "/tmp/zkos-tui-$$.err"

# Two L2s (`--chains`): `c` follows the other one, whose block shows; `c` again goes back.
L2B_PORT="$(free_port)"
while [ "$L2B_PORT" = "$L2_PORT" ] || [ "$L2B_PORT" = "$L1_PORT" ]; do L2B_PORT="$(free_port)"; done
tm kill-session -t tui 2>/dev/null
tm new-session -d -s tui -x 120 -y 40 \
  "'$BIN' start --ephemeral --chains 270,271 --chain-ports $L2_PORT,$L2B_PORT --l1-port $L1_PORT 2>/dev/null; echo ZKOS_EXITED rc=\$?; sleep 600"
if wait_for 60 "L2 270 \[1/2, c\]"; then
  RPC="http://127.0.0.1:$L2B_PORT"
  rpc evm_mine '[]' >/dev/null
  RPC="http://127.0.0.1:$L2_PORT"
  press c
  if wait_for 10 "L2 271 \[2/2, c\] http://127.0.0.1:$L2B_PORT" && wait_for 10 '│#1 +0tx'; then
    ok "c follows the second L2: its header and its block #1"
  else
    not_ok "c follows the second L2"
  fi
  press c
  if wait_for 10 "L2 270 \[1/2, c\] http://127.0.0.1:$L2_PORT"; then ok "c again goes back to the first L2"; else not_ok "c goes back to the first L2"; fi
else
  not_ok "a devnet of two L2s opens with the chain selector in the header"
fi
tm send-keys -t tui C-c
wait_for 20 'ZKOS_EXITED' || true

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
