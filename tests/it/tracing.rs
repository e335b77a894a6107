//! Tracing and node output: `debug_trace*` (callTracer, prestateTracer, struct logs),
//! `trace_*` (Parity), and what the real binary prints per tx (console.log, revert reasons,
//! call traces). The test contract is tests/it/contracts/Tracer.sol (Tracer calls Callee).

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256, Bytes, TxKind, U256},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent},
};
use serde_json::{Value, json};

use crate::support::{Killed, PATIENCE, RawRpc, TestNode, call_tx, sign};

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    Tracer,
    "tests/it/contracts/Tracer.json"
);

const GAS: u64 = 3_000_000;
/// Where console.sol sends its calls.
const CONSOLE: Address = alloy::primitives::address!("0x000000000000000000636F6e736F6c652e6c6f67");

/// Sends `input` to `to` (or creates, with `TxKind::Create`) from dev account `from`;
/// returns the tx hash once it is mined (whatever its status).
pub(crate) async fn send(node: &TestNode, from: usize, to: TxKind, input: Vec<u8>) -> B256 {
    let nonce = node.pending_nonce(node.account(from)).await;
    let tx = sign(node.signer(from), call_tx(nonce, to, input, GAS));
    node.send_and_wait(&tx).await.transaction_hash
}

/// Deploys Tracer (which deploys its Callee); returns (tracer, callee).
pub(crate) async fn deploy(node: &TestNode) -> (Address, Address) {
    let hash = send(node, 0, TxKind::Create, Tracer::BYTECODE.to_vec()).await;
    let receipt = node.receipt(hash).await;
    assert!(receipt.status(), "Tracer deploys");
    let tracer = receipt.contract_address.expect("contractAddress");
    let out = node
        .rpc
        .ok("eth_call", json!([{"to": tracer, "data": Bytes::from(Tracer::calleeCall {}.abi_encode())}, "latest"]))
        .await;
    let out: Bytes = serde_json::from_value(out).unwrap();
    (tracer, Address::from_slice(&out[12..32]))
}

fn addr(v: &Value) -> Address {
    v.as_str()
        .unwrap_or_else(|| panic!("expected an address, got {v}"))
        .parse()
        .unwrap()
}

/// The entry of `account` in a prestate-style map keyed by address.
fn entry(map: &Value, account: Address) -> &Value {
    let object = map
        .as_object()
        .unwrap_or_else(|| panic!("expected an object, got {map}"));
    object
        .iter()
        .find(|(k, _)| k.parse::<Address>().ok() == Some(account))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("{account} missing in {map}"))
}

fn word(n: u64) -> String {
    format!("0x{:064x}", n)
}

#[tokio::test]
async fn call_tracer_shows_nested_calls_console_and_logs() {
    let node = TestNode::start().await;
    let (tracer, callee) = deploy(&node).await;
    let input = Tracer::runCall { v: U256::from(21) }.abi_encode();
    let hash = send(&node, 0, TxKind::Call(tracer), input.clone()).await;

    let opts = json!({"tracer": "callTracer", "tracerConfig": {"withLog": true}});
    let root = node
        .rpc
        .ok("debug_traceTransaction", json!([hash, opts]))
        .await;
    assert_eq!(root["type"], "CALL");
    assert_eq!(addr(&root["from"]), node.account(0));
    assert_eq!(addr(&root["to"]), tracer);
    assert_eq!(root["input"], json!(Bytes::from(input)));
    assert_eq!(root["output"], word(42), "run(21) returns 42");
    assert!(root.get("error").is_none(), "{root}");
    let stored = format!("{}", Tracer::Stored::SIGNATURE_HASH);
    assert_eq!(
        root["logs"][0]["topics"][0], stored,
        "withLog puts the event on the frame: {root}"
    );

    let calls = root["calls"].as_array().expect("nested calls");
    let console: Vec<&Value> = calls.iter().filter(|c| addr(&c["to"]) == CONSOLE).collect();
    assert_eq!(
        console.len(),
        5,
        "five console.log calls from Tracer.run: {calls:?}"
    );
    assert!(console.iter().all(|c| c["type"] == "STATICCALL"));
    let store = calls
        .iter()
        .find(|c| addr(&c["to"]) == callee)
        .expect("the call to Callee");
    assert_eq!(store["type"], "CALL");
    assert_eq!(addr(&store["from"]), tracer);
    assert_eq!(store["output"], word(42));
    assert_eq!(
        addr(&store["calls"][0]["to"]),
        CONSOLE,
        "Callee.store logs too: {store}"
    );

    let top = json!({"tracer": "callTracer", "tracerConfig": {"onlyTopCall": true}});
    let root = node
        .rpc
        .ok("debug_traceTransaction", json!([hash, top]))
        .await;
    assert!(
        root.get("calls")
            .is_none_or(|c| c.as_array().is_some_and(|c| c.is_empty())),
        "{root}"
    );
    assert!(
        root.get("logs").is_none(),
        "no logs without withLog: {root}"
    );
}

#[tokio::test]
async fn call_tracer_shows_revert_reasons_of_failed_txs() {
    let node = TestNode::start().await;
    let (tracer, callee) = deploy(&node).await;
    let input = Tracer::failNestedCall { why: "nope".into() }.abi_encode();
    let hash = send(&node, 0, TxKind::Call(tracer), input).await;
    assert!(!node.receipt(hash).await.status());

    let root = node
        .rpc
        .ok(
            "debug_traceTransaction",
            json!([hash, {"tracer": "callTracer"}]),
        )
        .await;
    assert_eq!(root["error"], "execution reverted", "{root}");
    assert_eq!(root["revertReason"], "nope");
    let inner = root["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| addr(&c["to"]) == callee)
        .expect("the failing call to Callee");
    assert_eq!(inner["error"], "execution reverted");
    assert_eq!(inner["revertReason"], "nope");

    // A panic deep in the tx: the struct logger marks the tx failed.
    let hash = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::divideCall { a: U256::ZERO }.abi_encode(),
    )
    .await;
    let frame = node
        .rpc
        .ok("debug_traceTransaction", json!([hash, {}]))
        .await;
    assert_eq!(frame["failed"], true);
}

#[tokio::test]
async fn prestate_tracer_shows_touched_accounts_and_diffs() {
    let node = TestNode::start().await;
    let (tracer, callee) = deploy(&node).await;
    let sender = node.account(0);
    let hash = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::runCall { v: U256::from(5) }.abi_encode(),
    )
    .await;

    let pre = node
        .rpc
        .ok(
            "debug_traceTransaction",
            json!([hash, {"tracer": "prestateTracer"}]),
        )
        .await;
    let accounts: Vec<Address> = pre
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    for a in [sender, tracer, callee] {
        assert!(accounts.contains(&a), "{a} is in the prestate: {pre}");
    }
    let tracer_pre = entry(&pre, tracer);
    assert!(
        tracer_pre["code"].as_str().is_some_and(|c| c.len() > 2),
        "{tracer_pre}"
    );
    assert_eq!(
        entry(&pre, sender)["nonce"],
        1,
        "the sender's nonce before the tx"
    );

    let diff_opts = json!({"tracer": "prestateTracer", "tracerConfig": {"diffMode": true}});
    let diff = node
        .rpc
        .ok("debug_traceTransaction", json!([hash, diff_opts]))
        .await;
    let slot0 = format!("0x{:064x}", 0);
    let slot1 = format!("0x{:064x}", 1);
    assert_eq!(
        entry(&diff["post"], callee)["storage"][&slot0],
        word(5),
        "Callee.value: {diff}"
    );
    assert_eq!(
        entry(&diff["post"], tracer)["storage"][&slot1],
        word(10),
        "Tracer.total: {diff}"
    );
    assert_eq!(entry(&diff["post"], sender)["nonce"], 2, "{diff}");
}

#[tokio::test]
async fn struct_logger_lists_the_opcodes() {
    let node = TestNode::start().await;
    let (tracer, _) = deploy(&node).await;
    let hash = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::runCall { v: U256::from(1) }.abi_encode(),
    )
    .await;

    let frame = node.rpc.ok("debug_traceTransaction", json!([hash])).await;
    assert_eq!(frame["failed"], false);
    assert_eq!(
        frame["returnValue"]
            .as_str()
            .map(|s| s.trim_start_matches("0x")),
        Some(&word(2)[2..])
    );
    let logs = frame["structLogs"].as_array().expect("structLogs");
    let ops: Vec<&str> = logs.iter().map(|l| l["op"].as_str().unwrap()).collect();
    for op in ["PUSH1", "SSTORE", "CALL", "STATICCALL", "LOG1", "RETURN"] {
        assert!(ops.contains(&op), "{op} in the struct logs");
    }
    assert!(
        logs.iter().any(|l| l["depth"] == 2),
        "the nested calls have depth 2"
    );
    assert!(logs[0].get("stack").is_some(), "stack by default");
    assert!(logs[0].get("memory").is_none(), "no memory by default");

    let opts = json!({"disableStack": true, "enableMemory": true, "disableStorage": true});
    let frame = node
        .rpc
        .ok("debug_traceTransaction", json!([hash, opts]))
        .await;
    let logs = frame["structLogs"].as_array().unwrap();
    assert!(
        logs.iter().all(|l| l.get("stack").is_none()),
        "disableStack"
    );
    assert!(
        logs.iter().any(|l| l.get("memory").is_some()),
        "enableMemory"
    );
    assert!(
        logs.iter().all(|l| l.get("storage").is_none()),
        "disableStorage"
    );
}

#[tokio::test]
async fn trace_call_runs_an_unmined_call_and_block_tracers_list_every_tx() {
    let node = TestNode::start().await;
    let (tracer, callee) = deploy(&node).await;
    let data = Bytes::from(Tracer::runCall { v: U256::from(7) }.abi_encode());
    let call = json!({"from": node.account(1), "to": tracer, "data": data, "gas": "0x2dc6c0"});
    let root = node
        .rpc
        .ok(
            "debug_traceCall",
            json!([call, "latest", {"tracer": "callTracer"}]),
        )
        .await;
    assert_eq!(root["output"], word(14));
    assert_eq!(addr(&root["from"]), node.account(1));
    assert!(
        root["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| addr(&c["to"]) == callee)
    );
    let total = node
        .rpc
        .ok(
            "eth_call",
            json!([{"to": tracer, "data": Bytes::from(Tracer::totalCall {}.abi_encode())}]),
        )
        .await;
    assert_eq!(total, word(0), "debug_traceCall commits nothing");

    let hash = send(&node, 0, TxKind::Call(tracer), data.to_vec()).await;
    let receipt = node.receipt(hash).await;
    let number = format!("{:#x}", receipt.block_number.unwrap());
    let block_hash = receipt.block_hash.unwrap();
    let by_number = node
        .rpc
        .ok(
            "debug_traceBlockByNumber",
            json!([number, {"tracer": "callTracer"}]),
        )
        .await;
    let by_hash = node
        .rpc
        .ok(
            "debug_traceBlockByHash",
            json!([block_hash, {"tracer": "callTracer"}]),
        )
        .await;
    assert_eq!(by_number, by_hash);
    let list = by_number.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["txHash"], json!(hash));
    assert_eq!(list[0]["result"]["output"], word(14));

    let err = node
        .rpc
        .err("debug_traceTransaction", json!([B256::repeat_byte(7)]))
        .await;
    assert_eq!(err.code, -32001, "{err:?}");
}

#[tokio::test]
async fn parity_traces_have_trace_addresses() {
    let node = TestNode::start().await;
    let (tracer, callee) = deploy(&node).await;
    let hash = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::runCall { v: U256::from(3) }.abi_encode(),
    )
    .await;

    let traces = node.rpc.ok("trace_transaction", json!([hash])).await;
    let traces = traces.as_array().expect("a list of traces");
    let root = &traces[0];
    assert_eq!(root["type"], "call");
    assert_eq!(root["action"]["callType"], "call");
    assert_eq!(addr(&root["action"]["from"]), node.account(0));
    assert_eq!(addr(&root["action"]["to"]), tracer);
    assert_eq!(root["result"]["output"], word(6));
    assert_eq!(root["traceAddress"], json!([]));
    assert_eq!(root["transactionHash"], json!(hash));
    assert_eq!(root["subtraces"], 6, "five console calls and Callee.store");
    let store = traces
        .iter()
        .find(|t| addr(&t["action"]["to"]) == callee)
        .expect("Callee.store");
    assert_eq!(store["traceAddress"], json!([5]));

    let receipt = node.receipt(hash).await;
    let block = node
        .rpc
        .ok(
            "trace_block",
            json!([format!("{:#x}", receipt.block_number.unwrap())]),
        )
        .await;
    assert_eq!(block.as_array().unwrap().len(), traces.len());
    assert_eq!(
        node.rpc
            .ok("trace_transaction", json!([B256::repeat_byte(9)]))
            .await,
        Value::Null
    );
}

/// The real binary, its stdout collected line by line.
struct Binary {
    /// Held: killed when the `Binary` goes.
    _process: Killed,
    stdout: Arc<Mutex<String>>,
    rpc: RawRpc,
}

impl Binary {
    fn spawn(args: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Killed::spawn(
            Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
                .args([
                    "start",
                    "--ephemeral",
                    "--port",
                    &port.to_string(),
                    "--no-l1",
                ])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit()),
        );
        let stdout = Arc::new(Mutex::new(String::new()));
        let pipe = child.child.stdout.take().unwrap();
        let sink = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut out = sink.lock().unwrap();
                out.push_str(&line);
                out.push('\n');
            }
        });
        Self {
            _process: child,
            stdout,
            rpc: RawRpc::new(format!("http://127.0.0.1:{port}")),
        }
    }

    async fn ready(&self) {
        let deadline = Instant::now() + PATIENCE;
        while self
            .rpc
            .http
            .post(&self.rpc.url)
            .json(&json!({"jsonrpc":"2.0","id":1,"method":"eth_chainId"}))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the binary never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until stdout contains every one of `needles`; returns it.
    async fn wait_for(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let out = self.stdout.lock().unwrap().clone();
            if needles.iter().all(|n| out.contains(n)) {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "stdout lacks one of {needles:?}:\n{out}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs with dev account 0, sends and waits for the receipt; returns the tx hash.
    async fn send(&self, nonce: u64, to: TxKind, input: Vec<u8>) -> B256 {
        let key: PrivateKeySigner =
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
                .parse()
                .unwrap();
        let tx = sign(&key, call_tx(nonce, to, input, GAS));
        let hash = self.rpc.send_raw(&tx).await.expect("tx accepted");
        let deadline = Instant::now() + PATIENCE;
        while self
            .rpc
            .ok("eth_getTransactionReceipt", json!([hash]))
            .await
            .is_null()
        {
            assert!(Instant::now() < deadline, "{hash} never mined");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        hash
    }
}

#[tokio::test]
async fn node_output_shows_console_logs_revert_reasons_and_traces() {
    let node = Binary::spawn(&["--print-traces"]);
    node.ready().await;
    let deploy = node
        .send(0, TxKind::Create, Tracer::BYTECODE.to_vec())
        .await;
    let receipt = node
        .rpc
        .ok("eth_getTransactionReceipt", json!([deploy]))
        .await;
    let tracer = addr(&receipt["contractAddress"]);
    let run = node
        .send(
            1,
            TxKind::Call(tracer),
            Tracer::runCall { v: U256::from(21) }.abi_encode(),
        )
        .await;
    let fail = node
        .send(
            2,
            TxKind::Call(tracer),
            Tracer::failNestedCall { why: "nope".into() }.abi_encode(),
        )
        .await;
    let panic = node
        .send(
            3,
            TxKind::Call(tracer),
            Tracer::divideCall { a: U256::ZERO }.abi_encode(),
        )
        .await;

    let out = node
        .wait_for(&[
            &format!("Transaction: {panic}"),
            "Error: reverted with: panic: division or modulo by zero (0x12)",
        ])
        .await;
    let block = |hash: B256| -> String {
        let start = out
            .find(&format!("Transaction: {hash}"))
            .expect("the tx's block of lines");
        let end = out[start..]
            .find("Block Hash:")
            .map_or(out.len(), |e| start + e);
        out[start..end].to_string()
    };
    let deployed = block(deploy);
    assert!(
        deployed.contains(&format!("Contract created: {tracer}")),
        "{deployed}"
    );
    assert!(
        deployed.contains("Tracer deployed by 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        "{deployed}"
    );
    let ran = block(run);
    for line in [
        "run with 21",
        "      21\n",
        "      true\n",
        "two strings",
        "Callee.store 21",
        "Status: success",
    ] {
        assert!(ran.contains(line), "{line:?} in\n{ran}");
    }
    assert!(ran.contains(&format!("→ To: {tracer}")), "{ran}");
    assert!(
        ran.contains("Traces:") && ran.contains("console::log("),
        "decoded trace:\n{ran}"
    );
    let failed = block(fail);
    assert!(failed.contains("Status: failed"), "{failed}");
    assert!(failed.contains("Error: reverted with: nope"), "{failed}");
    assert!(
        failed.contains("about to fail"),
        "console.log of a failed tx:\n{failed}"
    );
}

#[tokio::test]
async fn silent_binary_prints_nothing_per_tx() {
    let node = Binary::spawn(&["--silent"]);
    node.ready().await;
    let deploy = node
        .send(0, TxKind::Create, Tracer::BYTECODE.to_vec())
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let out = node.stdout.lock().unwrap().clone();
    assert!(
        !out.contains(&deploy.to_string()) && !out.contains("console"),
        "{out}"
    );
}
