//! Hostile input: what a buggy script or a malicious page on the same machine can throw at the
//! node. Every request gets a JSON-RPC answer with the right code (or the right HTTP status),
//! the node never panics or drops a connection, and honest users keep being served.
//!
//! Property tests (proptest) fuzz raw tx decoding, request parsing and the params of every
//! registered method; the inputs they found that once broke the node are kept below as
//! regression cases. `abuse_run_keeps_serving_honest_users` is the load test.

use std::time::{Duration, Instant};

use alloy::{
    consensus::{TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy},
    eips::{Encodable2718, eip7702::Authorization},
    primitives::{Address, Bytes, TxKind, U256},
    signers::{SignerSync, local::PrivateKeySigner},
};
use clap::Parser as _;
use proptest::{
    collection::{hash_map, vec},
    prelude::*,
    test_runner::{Config as PropConfig, TestCaseError, TestRunner},
};
use serde_json::{Value, json};
use zkos_dev::{Config, Node, NodeHandle, cli::Cli, rpc::middleware::PANIC_MESSAGE};

use crate::support::{CHAIN_ID, MAX_FEE, RawRpc, TestNode, sign, transfer};

// ---------------------------------------------------------------------------------------------
// Limits are flags with sane defaults.

#[test]
fn start_flags_default_to_the_config_defaults() {
    let Cli {
        command: zkos_dev::cli::Command::Start(args),
    } = Cli::parse_from(["zkos-dev", "start"])
    else {
        panic!("`zkos-dev start` parses as Start");
    };
    let from_flags = args.into_config().unwrap();
    let default = Config::default();
    let (a, b) = (&from_flags.rpc, &default.rpc);
    assert_eq!(a.host, b.host, "loopback unless --host");
    assert!(a.host.is_loopback());
    assert_eq!(a.max_request_body_size, b.max_request_body_size);
    assert_eq!(a.max_response_body_size, b.max_response_body_size);
    assert_eq!(a.max_batch_len, b.max_batch_len);
    assert_eq!(a.max_connections, b.max_connections);
    assert_eq!(a.gas_cap, b.gas_cap);
    assert_eq!(a.call_timeout, b.call_timeout);
    assert_eq!(a.max_logs_block_range, b.max_logs_block_range);
    assert_eq!(a.max_logs, b.max_logs);
    assert_eq!(
        a.max_subscriptions_per_connection,
        b.max_subscriptions_per_connection
    );
    assert_eq!(a.max_filters, b.max_filters);
    assert_eq!(a.cors, zkos_dev::config::Cors::Any);
    assert_eq!(from_flags.pool.max_txs, default.pool.max_txs);
    assert_eq!(
        from_flags.pool.max_txs_per_sender,
        default.pool.max_txs_per_sender
    );
    assert_eq!(from_flags.pool.max_tx_size, 128 * 1024);

    let parse = |extra: &[&str]| {
        let args = [&["zkos-dev", "start"], extra].concat();
        match Cli::try_parse_from(args) {
            Ok(Cli {
                command: zkos_dev::cli::Command::Start(args),
            }) => args.into_config(),
            Ok(_) => unreachable!(),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        }
    };
    let origins = parse(&[
        "--allow-origin",
        "http://a.test",
        "--allow-origin",
        "http://b.test",
    ]);
    assert_eq!(
        origins.unwrap().rpc.cors,
        zkos_dev::config::Cors::Origins(vec!["http://a.test".into(), "http://b.test".into()])
    );
    assert_eq!(
        parse(&["--no-cors"]).unwrap().rpc.cors,
        zkos_dev::config::Cors::Disabled
    );
    assert!(parse(&["--no-cors", "--allow-origin", "http://a.test"]).is_err());
    assert!(parse(&["--call-timeout", "0"]).is_err());
    assert!(parse(&["--call-timeout", "1e300"]).is_err());
    assert_eq!(
        parse(&["--call-timeout", "0.5"]).unwrap().rpc.call_timeout,
        Duration::from_millis(500)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_follows_allow_origin_and_no_cors() {
    async fn allow_origin(tweak: impl FnOnce(&mut Config), origin: &str) -> Option<String> {
        let node = TestNode::start_with(tweak).await;
        let response = node
            .rpc
            .http
            .post(&node.rpc.url)
            .header("content-type", "application/json")
            .header("origin", origin)
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    }
    use zkos_dev::config::Cors;
    assert_eq!(
        allow_origin(|_| {}, "http://evil.test").await.as_deref(),
        Some("*")
    );
    let only_app = |c: &mut Config| c.rpc.cors = Cors::Origins(vec!["http://app.test".into()]);
    assert_eq!(
        allow_origin(only_app, "http://app.test").await.as_deref(),
        Some("http://app.test")
    );
    assert_eq!(allow_origin(only_app, "http://evil.test").await, None);
    assert_eq!(
        allow_origin(|c| c.rpc.cors = Cors::Disabled, "http://app.test").await,
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests.

/// A runtime and a node for the synchronous proptest runner.
struct FuzzNode {
    rt: tokio::runtime::Runtime,
    node: NodeHandle,
    rpc: RawRpc,
}

impl FuzzNode {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let node = rt
            .block_on(Node::spawn(Config::test()))
            .expect("node starts");
        let rpc = RawRpc::new(node.rpc_url());
        Self { rt, node, rpc }
    }

    /// POSTs `body`; the node must answer 200 with one well-formed JSON-RPC response (or a
    /// batch of them) within a generous time, and never the panic answer.
    fn answer(&self, body: Vec<u8>) -> Result<Value, TestCaseError> {
        let shown = String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned();
        let sent = self.rt.block_on(async {
            let request = self
                .rpc
                .http
                .post(&self.rpc.url)
                .header("content-type", "application/json")
                .timeout(Duration::from_secs(30))
                .body(body)
                .send();
            let response = request.await?;
            let status = response.status().as_u16();
            Ok::<_, reqwest::Error>((status, response.text().await?))
        });
        let (status, text) =
            sent.map_err(|e| TestCaseError::fail(format!("{shown}: no answer: {e}")))?;
        // jsonrpsee answers a body it cannot parse as a request with HTTP 400 and the
        // JSON-RPC error; everything else is 200.
        prop_assert!(
            status == 200 || status == 400,
            "{}: HTTP {} {}",
            shown,
            status,
            text
        );
        // A notification gets no answer (jsonrpsee sends an empty body or `null`).
        if status == 200 && (text.is_empty() || text == "null") {
            return Ok(Value::Null);
        }
        let answer: Value = serde_json::from_str(&text).map_err(|e| {
            TestCaseError::fail(format!("{shown}: answer is not JSON ({e}): {text}"))
        })?;
        let answers = match &answer {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        if status == 400 {
            let code = answer["error"]["code"].as_i64();
            prop_assert!(
                matches!(code, Some(-32700 | -32600)),
                "{}: HTTP 400 {}",
                shown,
                text
            );
        }
        for a in &answers {
            prop_assert_eq!(&a["jsonrpc"], "2.0", "{}: {}", shown, text);
            let is_result = a.get("result").is_some();
            let error = a.get("error");
            prop_assert!(
                is_result != error.is_some(),
                "{}: neither result nor error: {}",
                shown,
                text
            );
            if let Some(error) = error {
                prop_assert!(error["code"].is_i64(), "{}: {}", shown, text);
                prop_assert!(error["message"].is_string(), "{}: {}", shown, text);
                prop_assert_ne!(
                    &error["message"],
                    PANIC_MESSAGE,
                    "{}: handler panicked",
                    shown
                );
                prop_assert_ne!(error["code"].as_i64(), Some(-32603), "{}: {}", shown, text);
            }
        }
        Ok(answer)
    }

    fn call(&self, method: &str, params: &Value) -> Result<Value, TestCaseError> {
        let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
        let answer = self.answer(serde_json::to_vec(&body).unwrap())?;
        prop_assert_eq!(&answer["id"], 7, "{}({}): {}", method, params, answer);
        Ok(answer)
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    })
}

/// JSON leaves biased towards what the node's decoders look at: hex quantities of every
/// length, addresses, hashes, block tags, huge and negative numbers.
fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "[a-zA-Z_]{0,12}".prop_map(Value::from),
        "0x[0-9a-fA-F]{0,80}".prop_map(Value::from),
        "0x[0-9a-f]{40}".prop_map(Value::from),
        "0x[0-9a-f]{64}".prop_map(Value::from),
        "0xf{1,80}".prop_map(Value::from),
        "-?[0-9]{1,40}".prop_map(Value::from),
        prop_oneof![
            Just("latest"),
            Just("pending"),
            Just("earliest"),
            Just("safe"),
            Just("finalized"),
            Just("0x"),
            Just("-0x1"),
            Just("0x0"),
            Just("callTracer"),
            Just("prestateTracer"),
            Just("newHeads"),
            Just("logs"),
        ]
        .prop_map(Value::from),
    ]
}

/// Object keys the params decoders know, plus noise.
fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "from",
            "to",
            "gas",
            "gasPrice",
            "value",
            "data",
            "input",
            "nonce",
            "fromBlock",
            "toBlock",
            "address",
            "topics",
            "blockHash",
            "tracer",
            "tracerConfig",
            "timestamp",
            "blocks",
            "maxFeePerGas",
            "maxPriorityFeePerGas",
            "accessList",
            "chainId",
            "type",
            "balance",
            "code",
            "state",
            "stateDiff",
            "onlyTopCall",
            "withLog",
            "diffMode",
            "disableStorage",
            "enableMemory",
            "types",
            "primaryType",
            "domain",
            "message",
            "authorizationList",
            "blockNumber",
            "requireCanonical",
            "interval",
            "forking",
        ])
        .prop_map(String::from),
        "[a-z]{1,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            hash_map(json_key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Params: usually a positional array, sometimes anything at all.
fn json_params() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => vec(json_value(), 0..5).prop_map(Value::Array),
        1 => json_value(),
    ]
}

/// Params that once broke a handler, and the classic hostile shapes; every method gets each.
fn regression_params() -> Vec<Value> {
    let huge = format!("0x{}", "f".repeat(70));
    vec![
        json!([]),
        json!(null),
        json!({}),
        json!("0x"),
        json!([null]),
        json!([null, null, null, null]),
        json!([-1]),
        json!([1e308]),
        json!([huge]),
        json!(["0xffffffffffffffff"]),
        json!(["0x10000000000000000"]),
        json!([u64::MAX]),
        json!(["-0x1"]),
        json!([{}]),
        json!([{}, "latest"]),
        json!([{}, "0xffffffffffffffff"]),
        json!([[[[[[[[[[]]]]]]]]]]),
        json!([{"fromBlock": "0x0", "toBlock": "0xffffffffffffffff"}]),
        json!([{"fromBlock": "0xffffffffffffffff", "toBlock": "0x0"}]),
        json!([{"blockHash": format!("0x{}", "00".repeat(32))}]),
        json!([
            "0x0000000000000000000000000000000000000000",
            "0xffffffffffffffff"
        ]),
        json!(["0xffffffffffffffff", "0xffffffffffffffff"]),
        json!(["0xffffffffffffffff", "latest"]),
        json!(["0x0", "0xffffffffffffffff"]),
        json!([{"gas": "0xffffffffffffffff", "gasPrice": huge}]),
        json!([{"value": huge, "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"}]),
        json!([{"blocks": "0xffffffffffffffff"}]),
        json!([{"timestamp": "0xffffffffffffffff"}]),
        json!([{"timestamp": u64::MAX, "blocks": 1}]),
        json!([
            "0xffffffffffffffff",
            "0xffffffffffffffff",
            "0xffffffffffffffff"
        ]),
        json!([u64::MAX, u64::MAX]),
        json!(["0x7fffffffffffffff"]),
        json!([9.999e15]),
    ]
}

/// Methods that only work over WebSocket (over HTTP jsonrpsee answers them -32603).
const STATEFUL_SKIPS: &[&str] = &["eth_subscribe", "eth_unsubscribe"];

#[test]
fn every_method_answers_hostile_params() {
    let fuzz = FuzzNode::start();
    let methods: Vec<&'static str> = fuzz.node.rpc_methods().to_vec();
    assert!(
        methods.len() > 100,
        "the node registers its methods: {methods:?}"
    );
    // The fixed sweep: every method, every classic hostile shape.
    for method in &methods {
        if STATEFUL_SKIPS.contains(method) {
            continue;
        }
        for params in regression_params() {
            if let Err(e) = fuzz.call(method, &params) {
                panic!("{method}({params}): {e}");
            }
        }
    }
    // Then random params for random methods.
    let cases = std::env::var("ZKOS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let strategy = (prop::sample::select(methods.clone()), json_params());
    runner(cases)
        .run(&strategy, |(method, params)| {
            if STATEFUL_SKIPS.contains(&method) {
                return Ok(());
            }
            fuzz.call(method, &params).map(|_| ())
        })
        .unwrap();
    // Still alive, and the sequencer still mines (a panic in it would stop the node).
    let rpc = fuzz.rpc.clone();
    fuzz.rt.block_on(async move {
        let before = crate::support::qty(&rpc.ok("eth_blockNumber", json!([])).await);
        rpc.ok("evm_mine", json!([])).await;
        assert!(crate::support::qty(&rpc.ok("eth_blockNumber", json!([])).await) > before);
    });
}

#[test]
fn arbitrary_request_bodies_get_json_rpc_answers() {
    let fuzz = FuzzNode::start();
    // Arbitrary bytes: a parse error, never a dropped connection.
    runner(500)
        .run(&vec(any::<u8>(), 0..512), |bytes| {
            let shown = String::from_utf8_lossy(&bytes).into_owned();
            if serde_json::from_slice::<Value>(&bytes).is_ok() {
                return Ok(());
            }
            let answer = fuzz.answer(bytes)?;
            prop_assert_eq!(&answer["error"]["code"], -32700, "{}: {}", shown, answer);
            Ok(())
        })
        .unwrap();
    // Arbitrary JSON as the request object (and as batch items).
    let envelope = (
        prop_oneof![Just(json!("2.0")), json_leaf()],
        prop_oneof![Just(json!(1)), json_leaf()],
        prop_oneof![
            Just(json!("eth_blockNumber")),
            Just(json!("eth_getBalance")),
            json_leaf()
        ],
        json_params(),
    );
    let request = prop_oneof![
        envelope
            .prop_map(|(v, id, m, p)| json!({"jsonrpc": v, "id": id, "method": m, "params": p})),
        json_value(),
    ];
    runner(1_500)
        .run(&vec(request, 1..4), |requests| {
            let single = requests.len() == 1;
            let body = if single {
                requests[0].clone()
            } else {
                Value::Array(requests)
            };
            let answer = fuzz.answer(serde_json::to_vec(&body).unwrap())?;
            // jsonrpsee takes a call whose id is not a valid id (a float, a negative number)
            // for a notification and answers nothing; a call with a valid id is answered.
            if single && expects_answer(&body) {
                prop_assert!(!answer.is_null(), "{} got no answer", body);
            }
            Ok(())
        })
        .unwrap();
}

/// Whether a request object is a call jsonrpsee must answer.
fn expects_answer(request: &Value) -> bool {
    let valid_id = |id: &Value| id.is_null() || id.is_string() || id.is_u64();
    request["jsonrpc"] == "2.0"
        && request["method"].is_string()
        && request.get("id").is_some_and(valid_id)
}

/// Valid signed txs of each type, from an account with no funds (so none is ever mined and
/// every mutation of them is rejected).
fn valid_txs() -> Vec<Vec<u8>> {
    let broke = PrivateKeySigner::from_bytes(&[0x42; 32].into()).unwrap();
    let to = TxKind::Call(Address::repeat_byte(0x11));
    let input = Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef]);
    let legacy = TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce: 3,
        gas_price: MAX_FEE,
        gas_limit: 50_000,
        to,
        value: U256::from(5),
        input: input.clone(),
    };
    let eip2930 = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_price: MAX_FEE,
        gas_limit: 50_000,
        to,
        value: U256::from(1),
        access_list: Default::default(),
        input: input.clone(),
    };
    let eip1559 = TxEip1559 {
        input: input.clone(),
        ..transfer(0, Address::repeat_byte(0x22), U256::from(7))
    };
    let auth = Authorization {
        chain_id: U256::from(CHAIN_ID),
        address: Address::repeat_byte(0x33),
        nonce: 0,
    };
    let signature = broke.sign_hash_sync(&auth.signature_hash()).unwrap();
    let eip7702 = TxEip7702 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 100_000,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: 1,
        to: Address::repeat_byte(0x44),
        value: U256::ZERO,
        access_list: Default::default(),
        authorization_list: vec![auth.into_signed(signature)],
        input,
    };
    [
        sign(&broke, legacy),
        sign(&broke, eip2930),
        sign(&broke, eip1559),
        sign(&broke, eip7702),
    ]
    .iter()
    .map(TxEnvelope::encoded_2718)
    .collect()
}

/// One way of damaging a valid encoding.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bits: u8 },
    Truncate { at: usize },
    Insert { at: usize, byte: u8 },
    Remove { at: usize },
    Append(Vec<u8>),
}

fn mutate(mut raw: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = raw.len().max(1);
        match m {
            Mutation::Flip { at, bits } => {
                if !raw.is_empty() {
                    raw[at % len] ^= bits.max(&1);
                }
            }
            Mutation::Truncate { at } => raw.truncate(at % len),
            Mutation::Insert { at, byte } => raw.insert(at % (raw.len() + 1), *byte),
            Mutation::Remove { at } => {
                if !raw.is_empty() {
                    raw.remove(at % len);
                }
            }
            Mutation::Append(tail) => raw.extend_from_slice(tail),
        }
    }
    raw
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(at, bits)| Mutation::Flip { at, bits }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        1 => any::<usize>().prop_map(|at| Mutation::Remove { at }),
        1 => vec(any::<u8>(), 1..8).prop_map(Mutation::Append),
    ]
}

/// `eth_sendRawTransaction(raw)` must answer -32602 `failed to decode transaction` or a
/// -32003 rejection.
fn assert_rejected(fuzz: &FuzzNode, raw: &[u8]) -> Result<(), TestCaseError> {
    let hex = alloy::hex::encode_prefixed(raw);
    let answer = fuzz.call("eth_sendRawTransaction", &json!([hex]))?;
    let error = &answer["error"];
    match error["code"].as_i64() {
        Some(-32602) => {
            let message = error["message"].as_str().unwrap_or_default();
            prop_assert!(
                message.starts_with("failed to decode transaction"),
                "{}: {}",
                hex,
                message
            )
        }
        Some(-32003) => {}
        _ => prop_assert!(false, "{hex}: {answer}"),
    }
    Ok(())
}

#[test]
fn raw_tx_decoding_never_panics() {
    let fuzz = FuzzNode::start();
    let valid = valid_txs();
    for raw in &valid {
        assert_rejected(&fuzz, raw).unwrap(); // insufficient funds: -32003
    }
    // Inputs that once mattered, kept as regressions.
    let mut seeds: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x00],
        vec![0x01],
        vec![0x02],
        vec![0x03],
        vec![0x04],
        vec![0x05],
        vec![0x7f],
        vec![0x80],
        vec![0xc0],
        vec![0xff],
        vec![0xf8, 0xff],
        vec![0x02, 0xc0],
        vec![0x04, 0xc0],
        vec![0xb9, 0xff, 0xff],
    ];
    seeds.extend(valid.iter().map(|v| [v.as_slice(), &[0x00]].concat()));
    seeds.extend(valid.iter().map(|v| v[..v.len() - 1].to_vec()));
    for seed in &seeds {
        assert_rejected(&fuzz, seed).unwrap();
    }
    runner(1_000)
        .run(&vec(any::<u8>(), 0..300), |raw| {
            assert_rejected(&fuzz, &raw)
        })
        .unwrap();
    runner(500)
        .run(&(0u8..6, vec(any::<u8>(), 0..300)), |(ty, rest)| {
            assert_rejected(&fuzz, &[&[ty][..], &rest].concat())
        })
        .unwrap();
    let mutated = (prop::sample::select(valid.clone()), vec(mutation(), 1..4));
    runner(2_000)
        .run(&mutated, |(raw, mutations)| {
            let damaged = mutate(raw.clone(), &mutations);
            if damaged == raw {
                return Ok(());
            }
            assert_rejected(&fuzz, &damaged)
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Each limit, one at a time: the answer a client sees when it is exceeded.

/// Init code of a contract whose code is `JUMPDEST PUSH1 0 JUMP`: every call loops until its
/// gas runs out.
const LOOP_INIT_CODE: [u8; 13] = [
    0x63, 0x5b, 0x60, 0x00, 0x56, 0x60, 0x00, 0x52, 0x60, 0x04, 0x60, 0x1c, 0xf3,
];

async fn deploy_loop(node: &TestNode, from: usize) -> Address {
    let nonce = node.nonce(node.account(from)).await;
    let tx = sign(
        node.signer(from),
        crate::support::call_tx(nonce, TxKind::Create, LOOP_INIT_CODE.to_vec(), 100_000),
    );
    let receipt = node.send_and_wait(&tx).await;
    assert!(receipt.status());
    receipt.contract_address.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_past_the_deadline_is_aborted_and_loops_stop_at_the_gas_cap() {
    let node = TestNode::start_with(|c| c.rpc.call_timeout = Duration::from_millis(1)).await;
    let looping = deploy_loop(&node, 1).await;
    let call = json!([{"to": looping, "gas": "0x2faf080"}, "latest"]);
    let e = node.rpc.err("eth_call", call.clone()).await;
    assert_eq!(
        (e.code, e.message.as_str()),
        (-32000, "execution aborted (timeout = 1ms)")
    );
    let e = node.rpc.err("eth_estimateGas", call).await;
    assert_eq!(e.code, -32000, "{e:?}");

    let node = TestNode::start().await;
    let looping = deploy_loop(&node, 1).await;
    let e = node.rpc.err("eth_call", json!([{"to": looping}])).await;
    assert_eq!(e.code, -32000, "out of gas at the gas cap: {e:?}");
    assert!(
        e.message.contains("OutOfGas") || e.message.contains("out of gas"),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_limits_answer_txpool_is_full_account_limit_and_oversized_data() {
    let node = TestNode::start_with(|c| {
        c.mining = zkos_dev::MiningMode::Manual;
        c.pool.max_txs = 3;
        c.pool.max_txs_per_sender = 2;
        c.pool.max_tx_size = 1024;
    })
    .await;
    let to = Address::repeat_byte(0x77);
    for nonce in 0..2 {
        node.send(&sign(node.signer(0), transfer(nonce, to, U256::from(1))))
            .await;
    }
    let third = sign(node.signer(0), transfer(2, to, U256::from(1)));
    let e = node.rpc.send_raw(&third).await.unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (-32003, "account limit exceeded")
    );
    // A replacement is not a new tx: still fine at the limit.
    let bump = TxEip1559 {
        max_fee_per_gas: MAX_FEE * 2,
        max_priority_fee_per_gas: 10,
        ..transfer(1, to, U256::from(1))
    };
    node.send(&sign(node.signer(0), bump)).await;
    node.send(&sign(node.signer(1), transfer(0, to, U256::from(1))))
        .await;
    let e = node
        .rpc
        .send_raw(&sign(node.signer(2), transfer(0, to, U256::from(1))))
        .await
        .unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (-32003, "txpool is full"));

    let big = crate::support::call_tx(0, TxKind::Call(to), vec![1u8; 2048], 1_000_000);
    let e = node
        .rpc
        .send_raw(&sign(node.signer(3), big))
        .await
        .unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (-32003, "oversized data"));
    node.mine().await;
    assert_eq!(node.txpool_status().await, (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_and_log_limits_answer_with_their_codes() {
    let node = TestNode::start_with(|c| {
        c.rpc.max_filters = 2;
        c.rpc.max_logs_block_range = 3;
    })
    .await;
    let a = node.rpc.ok("eth_newBlockFilter", json!([])).await;
    node.rpc
        .ok("eth_newPendingTransactionFilter", json!([]))
        .await;
    let e = node.rpc.err("eth_newFilter", json!([{}])).await;
    assert_eq!(e.code, -32005, "{e:?}");
    assert!(e.message.starts_with("too many filters (2)"), "{e:?}");
    assert_eq!(
        node.rpc.ok("eth_uninstallFilter", json!([a])).await,
        json!(true)
    );
    node.rpc.ok("eth_newFilter", json!([{}])).await;

    for _ in 0..4 {
        node.mine().await;
    }
    let e = node
        .rpc
        .err(
            "eth_getLogs",
            json!([{"fromBlock": "0x0", "toBlock": "latest"}]),
        )
        .await;
    assert_eq!(
        (e.code, e.message.as_str()),
        (-32602, "query exceeds max block range 3")
    );
    node.rpc
        .ok(
            "eth_getLogs",
            json!([{"fromBlock": "0x2", "toBlock": "0x4"}]),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_and_websocket_size_limits() {
    use futures::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    let node = TestNode::start_with(|c| {
        c.rpc.max_request_body_size = 4096;
        c.rpc.max_response_body_size = 1000;
        c.rpc.max_batch_len = 5;
        c.rpc.max_subscriptions_per_connection = 2;
    })
    .await;
    let call = |id: usize| json!({"jsonrpc": "2.0", "id": id, "method": "eth_chainId"});
    // HTTP: body, batch, response.
    let (status, _) = node.rpc.post_raw(vec![b' '; 5000]).await;
    assert_eq!(status, 413);
    let batch: Vec<Value> = (0..6).map(call).collect();
    let answer = node.rpc.post_json(&json!(batch)).await;
    assert_eq!(answer["error"]["code"], -32010, "{answer}");
    let block = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": ["latest", true]});
    let answer = node.rpc.post_json(&block).await;
    assert_eq!(
        answer["error"]["code"], -32008,
        "a block is over 1000 bytes: {answer}"
    );
    let batch: Vec<Value> = (0..5)
        .map(|_| json!({"jsonrpc": "2.0", "id": 1, "method": "eth_accounts"}))
        .collect();
    let answer = node.rpc.post_json(&json!(batch)).await;
    assert_eq!(answer["error"]["code"], -32011, "{answer}");

    // WebSocket: a message over --max-request-size is answered -32007 and the connection
    // stays usable; subscriptions per connection are bounded.
    let (mut ws, _) = tokio_tungstenite::connect_async(node.node.ws_url())
        .await
        .unwrap();
    let next_text = async |ws: &mut tokio_tungstenite::WebSocketStream<_>| -> Value {
        loop {
            match ws.next().await.unwrap().unwrap() {
                Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                _ => continue,
            }
        }
    };
    let oversized = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x{}"]}}"#,
        "00".repeat(4096)
    );
    ws.send(Message::text(oversized)).await.unwrap();
    let answer = next_text(&mut ws).await;
    assert_eq!(answer["error"]["code"], -32007, "{answer}");
    ws.send(Message::text(call(2).to_string())).await.unwrap();
    assert_eq!(next_text(&mut ws).await["result"], "0x10e");
    for id in 0..3 {
        let sub = json!({"jsonrpc": "2.0", "id": 10 + id, "method": "eth_subscribe", "params": ["newHeads"]});
        ws.send(Message::text(sub.to_string())).await.unwrap();
        let answer = next_text(&mut ws).await;
        if id < 2 {
            assert!(answer["result"].is_string(), "{answer}");
        } else {
            assert_eq!(answer["error"]["code"], -32006, "{answer}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The abuse run. 20,000 hostile requests by default (~40 s in a debug build);
// `ZKOS_ABUSE_REQUESTS=100000` for the full run (~2 min in a debug build on 2 cores).

/// What a hostile request must get.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This JSON-RPC error code.
    Code(i64),
    /// This code and message.
    Message(i64, &'static str),
    /// One of two codes (a damaged signature may or may not recover to some address).
    Either(i64, i64),
    /// A `null` result.
    Null,
    /// This HTTP status.
    Http(u16),
}

fn check(expect: Expect, answer: &Value) -> Result<(), String> {
    let code = answer["error"]["code"].as_i64();
    let ok = match expect {
        Expect::Code(c) => code == Some(c),
        Expect::Message(c, m) => code == Some(c) && answer["error"]["message"] == m,
        Expect::Either(a, b) => code == Some(a) || code == Some(b),
        Expect::Null => answer.get("result") == Some(&Value::Null),
        Expect::Http(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {expect:?}, got {answer}"))
    }
}

/// Pre-signed hostile txs, hex.
struct Hostile {
    undecodable: String,
    wrong_chain: String,
    missigned: String,
    fee_too_low: String,
    nonce_too_low: String,
    intrinsic_too_low: String,
    over_block_gas: String,
    broke: String,
    tip_above_cap: String,
    oversized: String,
    deep: String,
    oversized_body: Vec<u8>,
    big_batch: String,
}

impl Hostile {
    fn new(node: &TestNode, used: usize, max_body: usize) -> Self {
        let hex = |tx: &TxEnvelope| alloy::hex::encode_prefixed(tx.encoded_2718());
        let to = Address::repeat_byte(0x99);
        let one = U256::from(1);
        let key = node.signer(used);
        let broke = PrivateKeySigner::from_bytes(&[0x43; 32].into()).unwrap();
        let valid = hex(&sign(key, transfer(1_000, to, one)));
        // Flip a byte of `s`: a different (or no) sender.
        let mut missigned = alloy::hex::decode(&valid).unwrap();
        let n = missigned.len();
        missigned[n - 5] ^= 0x5a;
        Self {
            undecodable: "0x02f8deadbeef".into(),
            wrong_chain: hex(&sign(
                key,
                TxEip1559 {
                    chain_id: CHAIN_ID + 1,
                    ..transfer(1, to, one)
                },
            )),
            missigned: alloy::hex::encode_prefixed(missigned),
            fee_too_low: hex(&sign(
                key,
                TxEip1559 {
                    max_fee_per_gas: 1,
                    ..transfer(1, to, one)
                },
            )),
            nonce_too_low: hex(&sign(key, transfer(0, to, one))),
            intrinsic_too_low: hex(&sign(
                key,
                TxEip1559 {
                    gas_limit: 20_000,
                    ..transfer(1, to, one)
                },
            )),
            over_block_gas: hex(&sign(
                key,
                TxEip1559 {
                    gas_limit: 200_000_000,
                    ..transfer(1, to, one)
                },
            )),
            broke: hex(&sign(&broke, transfer(0, to, one))),
            tip_above_cap: hex(&sign(
                key,
                TxEip1559 {
                    max_priority_fee_per_gas: MAX_FEE + 1,
                    ..transfer(1, to, one)
                },
            )),
            oversized: hex(&sign(
                key,
                crate::support::call_tx(1, TxKind::Call(to), vec![7u8; 10 * 1024], 1_000_000),
            )),
            deep: "[".repeat(10_000),
            oversized_body: vec![b' '; max_body + 1],
            big_batch: serde_json::to_string(
                &(0..1001)
                    .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "eth_chainId"}))
                    .collect::<Vec<_>>(),
            )
            .unwrap(),
        }
    }

    /// Hostile call number `i` inside a batch.
    fn batch_item(&self, i: usize) -> (&'static str, Value, Expect) {
        let call = |method: &str, params: Value| json!({"jsonrpc": "2.0", "id": i, "method": method, "params": params});
        let send = |raw: &str| call("eth_sendRawTransaction", json!([raw]));
        let addr = "0x0000000000000000000000000000000000000001";
        match i % 20 {
            0 => (
                "unknown method",
                call(&format!("eth_nope{i}"), json!([])),
                Expect::Code(-32601),
            ),
            1 => (
                "method not a string",
                json!({"jsonrpc": "2.0", "id": i, "method": 12}),
                Expect::Code(-32600),
            ),
            2 => (
                "wrong jsonrpc version",
                json!({"jsonrpc": "1.0", "id": i, "method": "eth_chainId"}),
                Expect::Code(-32600),
            ),
            3 => (
                "wrong param type",
                call("eth_getBalance", json!([123, "latest"])),
                Expect::Code(-32602),
            ),
            4 => (
                "huge block number",
                call(
                    "eth_getBlockByNumber",
                    json!(["0x1ffffffffffffffffffff", false]),
                ),
                Expect::Code(-32602),
            ),
            5 => (
                "negative block number",
                call("eth_getBlockByNumber", json!(["-0x1", false])),
                Expect::Code(-32602),
            ),
            6 => (
                "block out of range",
                call("eth_getBalance", json!([addr, "0xffffffffff"])),
                Expect::Code(-32001),
            ),
            7 => (
                "logs range too large",
                call(
                    "eth_getLogs",
                    json!([{"fromBlock": "0x0", "toBlock": "latest"}]),
                ),
                Expect::Code(-32602),
            ),
            8 => (
                "undecodable tx",
                send(&self.undecodable),
                Expect::Message(-32602, "failed to decode transaction"),
            ),
            9 => (
                "wrong chain id",
                send(&self.wrong_chain),
                Expect::Message(-32003, "invalid chain id"),
            ),
            10 => (
                "mis-signed tx",
                send(&self.missigned),
                Expect::Either(-32602, -32003),
            ),
            11 => (
                "fee below base fee",
                send(&self.fee_too_low),
                Expect::Message(-32003, "max fee per gas less than block base fee"),
            ),
            12 => (
                "nonce too low",
                send(&self.nonce_too_low),
                Expect::Code(-32003),
            ),
            13 => (
                "intrinsic gas too low",
                send(&self.intrinsic_too_low),
                Expect::Message(-32003, "intrinsic gas too low"),
            ),
            14 => (
                "over block gas limit",
                send(&self.over_block_gas),
                Expect::Message(-32003, "exceeds block gas limit"),
            ),
            15 => (
                "insufficient funds",
                send(&self.broke),
                Expect::Code(-32003),
            ),
            16 => (
                "tip above fee cap",
                send(&self.tip_above_cap),
                Expect::Code(-32003),
            ),
            17 => (
                "index out of range",
                call(
                    "eth_getTransactionByBlockNumberAndIndex",
                    json!(["latest", "0xffffffffffffffff"]),
                ),
                Expect::Null,
            ),
            18 => (
                "slot over 256 bits",
                call(
                    "eth_getStorageAt",
                    json!([addr, format!("0x1{}", "0".repeat(64))]),
                ),
                Expect::Code(-32602),
            ),
            _ => (
                "params not a list",
                call("eth_getBalance", json!({"address": addr})),
                Expect::Code(-32602),
            ),
        }
    }

    /// Hostile request number `i` that needs its own HTTP request.
    fn single(&self, i: usize) -> (&'static str, Vec<u8>, Expect) {
        match i % 6 {
            0 => (
                "malformed JSON",
                br#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber""#.to_vec(),
                Expect::Code(-32700),
            ),
            1 => (
                "deeply nested JSON",
                self.deep.clone().into_bytes(),
                Expect::Code(-32700),
            ),
            2 => (
                "oversized body",
                self.oversized_body.clone(),
                Expect::Http(413),
            ),
            3 => (
                "batch over the limit",
                self.big_batch.clone().into_bytes(),
                Expect::Code(-32010),
            ),
            4 => ("empty batch", b"[]".to_vec(), Expect::Code(-32600)),
            _ => {
                let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [self.oversized]});
                (
                    "oversized tx",
                    serde_json::to_vec(&body).unwrap(),
                    Expect::Message(-32003, "oversized data"),
                )
            }
        }
    }
}

/// POSTs a body of `len` bytes over a raw socket: the node answers 413 from the
/// Content-Length alone and closes the connection, so the body is only sent if it has not.
/// (A pooled HTTP client would see a broken pipe, or reuse the closed connection.)
async fn post_oversized(addr: std::net::SocketAddr, len: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    socket
        .write_all(head.as_bytes())
        .await
        .expect("write the header");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    if read.is_err() || answer.is_empty() {
        let _ = socket.write_all(&vec![b' '; len]).await;
        let _ =
            tokio::time::timeout(Duration::from_secs(30), socket.read_to_end(&mut answer)).await;
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Resident memory of this process (the node runs in it), in KiB.
fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Slowloris: sockets that send a request header one byte at a time until `stop`.
async fn slowloris(
    addr: std::net::SocketAddr,
    sockets: usize,
    stop: tokio_util_stop::Stop,
) -> usize {
    use tokio::io::AsyncWriteExt as _;
    let header =
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ";
    let mut tasks = Vec::new();
    for _ in 0..sockets {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let Ok(mut socket) = tokio::net::TcpStream::connect(addr).await else {
                return 0;
            };
            let mut sent = 0;
            for byte in header.iter().chain(std::iter::repeat(&b'a')) {
                if stop.is_stopped() || socket.write_all(&[*byte]).await.is_err() {
                    break;
                }
                sent += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            sent
        }));
    }
    let mut bytes = 0;
    for t in tasks {
        bytes += t.await.unwrap_or(0);
    }
    bytes
}

/// A stop flag for the slow sockets.
mod tokio_util_stop {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    #[derive(Clone, Default)]
    pub(super) struct Stop(Arc<AtomicBool>);
    impl Stop {
        pub(super) fn stop(&self) {
            self.0.store(true, Ordering::Relaxed);
        }
        pub(super) fn is_stopped(&self) -> bool {
            self.0.load(Ordering::Relaxed)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abuse_run_keeps_serving_honest_users() {
    use std::{
        collections::BTreeMap,
        sync::{
            Arc,
            atomic::{AtomicUsize, Ordering},
        },
    };
    // Small limits, so the oversized bodies fit in the socket buffers (a client still writing
    // when the node answers 413 and closes would see a broken pipe instead of the status).
    const MAX_BODY: u32 = 64 * 1024;
    const WORKERS: usize = 8;
    const BATCH: usize = 250;
    const HONEST_TXS: u64 = 200;
    let total: usize = std::env::var("ZKOS_ABUSE_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let rss_before = vm_rss_kib();
    let node = TestNode::start_with(|c| {
        c.rpc.max_request_body_size = MAX_BODY;
        c.rpc.max_logs_block_range = 5;
        c.pool.max_tx_size = 8 * 1024;
    })
    .await;
    for _ in 0..8 {
        node.mine().await;
    }
    let looping = deploy_loop(&node, 1).await;
    node.transfer_and_wait(2, Address::repeat_byte(0x98)).await; // account 2's nonce is now 1
    let hostile = Arc::new(Hostile::new(&node, 2, MAX_BODY as usize));
    let started = Instant::now();

    // The honest user: transfers from account 0, one request each, all through the run.
    let honest = {
        let rpc = node.rpc.clone();
        let signer = node.signer(0).clone();
        tokio::spawn(async move {
            let mut hashes = Vec::new();
            for nonce in 0..HONEST_TXS {
                let tx = sign(
                    &signer,
                    transfer(nonce, Address::repeat_byte(0x97), U256::from(1)),
                );
                hashes.push(
                    rpc.send_raw(&tx)
                        .await
                        .unwrap_or_else(|e| panic!("honest tx {nonce}: {e:?}")),
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            hashes
        })
    };
    let stop = tokio_util_stop::Stop::default();
    let slow = tokio::spawn(slowloris(node.node.rpc_addr(), 32, stop.clone()));
    // Calls that loop until the gas cap (50M gas each).
    let loops = {
        let rpc = node.rpc.clone();
        let count = (total / 1_000).max(5);
        tokio::spawn(async move {
            for i in 0..count {
                let method = if i % 2 == 0 {
                    "eth_call"
                } else {
                    "eth_estimateGas"
                };
                let e = rpc.err(method, json!([{"to": looping}])).await;
                assert_eq!(e.code, -32000, "{method} of an endless loop: {e:?}");
            }
            count
        })
    };

    // The hostile clients: several connections, batches plus requests of their own.
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    let addr = node.node.rpc_addr();
    for _ in 0..WORKERS {
        let (next, hostile, rpc) = (
            next.clone(),
            hostile.clone(),
            RawRpc::new(node.node.rpc_url()),
        );
        workers.push(tokio::spawn(async move {
            let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
            let mut failures: Vec<String> = Vec::new();
            loop {
                let start = next.fetch_add(BATCH, Ordering::Relaxed);
                if start >= total {
                    break;
                }
                let end = (start + BATCH).min(total);
                // Every 50th request goes alone (bodies a batch cannot carry).
                let mut batch = Vec::new();
                for i in start..end {
                    if i % 50 == 0 {
                        let (name, body, expect) = hostile.single(i / 50);
                        let (status, text) = match expect {
                            Expect::Http(_) => post_oversized(addr, body.len()).await,
                            _ => rpc.post_raw(body).await,
                        };
                        *counts.entry(name).or_default() += 1;
                        let result = match expect {
                            Expect::Http(want) if status == want => Ok(()),
                            Expect::Http(want) => {
                                Err(format!("expected HTTP {want}, got {status} {text}"))
                            }
                            _ if status != 200 && status != 400 => {
                                Err(format!("HTTP {status} {text}"))
                            }
                            _ => serde_json::from_str(&text)
                                .map_err(|e| e.to_string())
                                .and_then(|a| check(expect, &a)),
                        };
                        if let Err(e) = result {
                            failures.push(format!("{name}: {e}"));
                        }
                    } else {
                        batch.push(hostile.batch_item(i));
                    }
                }
                let body: Vec<&Value> = batch.iter().map(|(_, request, _)| request).collect();
                let (status, text) = rpc.post_raw(serde_json::to_vec(&body).unwrap()).await;
                assert_eq!(status, 200, "batch: {text}");
                let answers: Vec<Value> = serde_json::from_str(&text).unwrap();
                assert_eq!(answers.len(), batch.len(), "one answer per call");
                for ((name, _, expect), answer) in batch.iter().zip(&answers) {
                    *counts.entry(name).or_default() += 1;
                    if let Err(e) = check(*expect, answer) {
                        failures.push(format!("{name}: {e}"));
                    }
                }
            }
            (counts, failures)
        }));
    }
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for w in workers {
        let (c, f) = w.await.expect("hostile worker");
        for (name, n) in c {
            *counts.entry(name).or_default() += n;
        }
        failures.extend(f);
    }
    let loop_calls = loops.await.expect("endless-loop calls");
    let hashes = honest.await.expect("honest client");
    stop.stop();
    let slow_bytes = slow.await.unwrap();
    let hostile_elapsed = started.elapsed();

    let sent: usize = counts.values().sum();
    assert_eq!(sent, total);
    assert!(
        failures.is_empty(),
        "{} wrong answers, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    for hash in &hashes {
        assert!(
            node.receipt(*hash).await.status(),
            "honest tx {hash} mined and succeeded"
        );
    }
    assert_eq!(node.nonce(node.account(0)).await, HONEST_TXS);
    node.block_number().await;
    let rss_after = vm_rss_kib();
    let growth_mib = rss_after.saturating_sub(rss_before) / 1024;
    eprintln!(
        "abuse run: {sent} hostile requests + {loop_calls} endless-loop calls + 32 slowloris sockets \
         ({slow_bytes} bytes) + {HONEST_TXS} honest txs in {hostile_elapsed:.1?}; RSS {} -> {} MiB\n{counts:#?}",
        rss_before / 1024,
        rss_after / 1024,
    );
    assert!(growth_mib < 1024, "memory grew by {growth_mib} MiB");
}
