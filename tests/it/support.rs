//! Test harness: a node started in-process with `Config::test()`, an alloy provider for what a
//! Rust user would write, and a raw JSON-RPC client for what alloy hides (error codes, exact
//! JSON fields, batches, HTTP status codes).

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use alloy::{
    consensus::{SignableTransaction, Signed, TxEip1559, TxEnvelope},
    eips::Encodable2718,
    network::{EthereumWallet, TxSignerSync},
    primitives::{Address, B256, Bytes, Signature, TxKind, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};
use zkos_dev::{Config, MiningMode, Node, NodeHandle};

/// Chain id of every node the tests start.
pub(crate) const CHAIN_ID: u64 = 270;
/// The constant base fee of the devnet, in wei.
pub(crate) const BASE_FEE: u128 = 1_000;
/// A max fee comfortably above the base fee, so txs never wait on the fee market.
pub(crate) const MAX_FEE: u128 = 2_000;
/// Balance of every dev account at genesis: 10,000 ETH.
pub(crate) fn dev_balance() -> U256 {
    U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64))
}

/// How long a test waits for something the node should do "soon" before failing.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// A JSON-RPC error as the user receives it.
#[derive(Debug, Clone)]
pub(crate) struct RpcError {
    pub(crate) code: i64,
    pub(crate) message: String,
    pub(crate) data: Option<Value>,
}

/// A plain JSON-RPC 2.0 client over HTTP: every request and answer is visible.
#[derive(Clone)]
pub(crate) struct RawRpc {
    pub(crate) http: reqwest::Client,
    pub(crate) url: String,
}

impl RawRpc {
    pub(crate) fn new(url: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .expect("reqwest client");
        Self { http, url }
    }

    /// Sends one call; `Ok(result)` or the error object.
    pub(crate) async fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let answer = self.post_json(&body).await;
        parse_answer(&answer).unwrap_or_else(|| panic!("{method}: not a JSON-RPC answer: {answer}"))
    }

    /// Sends one call that must succeed.
    pub(crate) async fn ok(&self, method: &str, params: Value) -> Value {
        match self.call(method, params.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{method}({params}) failed: {e:?}"),
        }
    }

    /// Sends one call that must fail.
    pub(crate) async fn err(&self, method: &str, params: Value) -> RpcError {
        match self.call(method, params.clone()).await {
            Ok(v) => panic!("{method}({params}) succeeded with {v}, expected an error"),
            Err(e) => e,
        }
    }

    /// POSTs a JSON body and parses the JSON answer (HTTP status must be 200).
    pub(crate) async fn post_json(&self, body: &Value) -> Value {
        let (status, text) = self.post_raw(serde_json::to_vec(body).expect("json")).await;
        assert_eq!(status, 200, "HTTP status for {body}: body {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("answer is not JSON ({e}): {text}"))
    }

    /// POSTs raw bytes as `application/json`; returns the HTTP status and body text.
    pub(crate) async fn post_raw(&self, body: impl Into<reqwest::Body>) -> (u16, String) {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("HTTP request to the node");
        let status = response.status().as_u16();
        (status, response.text().await.expect("HTTP body"))
    }

    /// Sends a signed tx with `eth_sendRawTransaction`.
    pub(crate) async fn send_raw(&self, tx: &TxEnvelope) -> Result<B256, RpcError> {
        self.call("eth_sendRawTransaction", json!([raw_hex(tx)]))
            .await
            .map(|v| serde_json::from_value(v).expect("eth_sendRawTransaction answers a hash"))
    }
}

/// Splits a JSON-RPC answer into result or error (`None` if it is neither).
pub(crate) fn parse_answer(answer: &Value) -> Option<Result<Value, RpcError>> {
    if let Some(err) = answer.get("error") {
        return Some(Err(RpcError {
            code: err["code"].as_i64().expect("error code is an integer"),
            message: err["message"]
                .as_str()
                .expect("error message is a string")
                .to_string(),
            data: err.get("data").cloned(),
        }));
    }
    answer.get("result").map(|r| Ok(r.clone()))
}

/// A quantity (`"0x1a"`) as u64.
pub(crate) fn qty(v: &Value) -> u64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected a hex quantity, got {v}"));
    assert!(s.starts_with("0x"), "quantity without 0x: {s}");
    u64::from_str_radix(&s[2..], 16).unwrap_or_else(|e| panic!("bad quantity {s}: {e}"))
}

/// A quantity (`"0x1a"`) as U256.
pub(crate) fn qty256(v: &Value) -> U256 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected a hex quantity, got {v}"));
    s.parse()
        .unwrap_or_else(|e| panic!("bad quantity {s}: {e}"))
}

/// `0x`-prefixed hex of a number, as JSON-RPC wants block numbers and nonces.
pub(crate) fn hex_u64(n: u64) -> String {
    format!("{n:#x}")
}

/// The 2718 encoding of a signed tx, `0x`-prefixed.
pub(crate) fn raw_hex(tx: &TxEnvelope) -> String {
    alloy::hex::encode_prefixed(tx.encoded_2718())
}

/// Signs any consensus tx with a local key.
pub(crate) fn sign<T>(signer: &PrivateKeySigner, mut tx: T) -> TxEnvelope
where
    T: SignableTransaction<Signature>,
    Signed<T>: Into<TxEnvelope>,
{
    let sig = signer
        .sign_transaction_sync(&mut tx)
        .expect("local signing");
    tx.into_signed(sig).into()
}

/// An EIP-1559 ETH transfer at the default fees.
pub(crate) fn transfer(nonce: u64, to: Address, value: U256) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(to),
        value,
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

/// An EIP-1559 contract call (or create, with `TxKind::Create`) with an explicit gas limit.
pub(crate) fn call_tx(
    nonce: u64,
    to: TxKind,
    input: impl Into<Bytes>,
    gas_limit: u64,
) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: 0,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    }
}

/// An alloy provider on the test node's embedded L1 that signs as dev account `i`.
pub(crate) fn l1_wallet(node: &TestNode, i: usize) -> DynProvider {
    let url = node.node.l1_rpc_url().expect("the test node runs an L1");
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(node.signer(i).clone()))
        .connect_http(url.parse().expect("L1 rpc url"))
        .erased()
}

/// A fresh address nobody has touched.
pub(crate) fn fresh_address(tag: u8) -> Address {
    let mut bytes = [0x5au8; 20];
    bytes[19] = tag;
    bytes[0] = 0xee;
    Address::from(bytes)
}

/// A running node plus the clients a test talks to it with.
pub(crate) struct TestNode {
    /// Dropped last: stops the node.
    pub(crate) node: NodeHandle,
    /// Raw JSON-RPC over HTTP.
    pub(crate) rpc: RawRpc,
    /// An alloy HTTP provider without a wallet (recommended fillers on).
    pub(crate) provider: DynProvider,
    /// Signers of the dev accounts, in `node.accounts()` order.
    pub(crate) signers: Vec<PrivateKeySigner>,
    /// Manual mining: helpers that wait for a receipt mine a block first.
    pub(crate) manual: bool,
}

impl TestNode {
    /// A node with `Config::test()`: instant mining.
    pub(crate) async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A node that mines only on `evm_mine` / `anvil_mine`.
    pub(crate) async fn manual() -> Self {
        Self::start_with(|c| c.mining = MiningMode::Manual).await
    }

    /// A node with `Config::test()` adjusted by `tweak`.
    pub(crate) async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::test();
        tweak(&mut config);
        let manual = config.mining == MiningMode::Manual;
        let node = Node::spawn(config).await.expect("node starts");
        let mut node = Self::wrap(node);
        node.manual = manual;
        node
    }

    /// A node the test started itself (instant mining).
    pub(crate) fn wrap(node: NodeHandle) -> Self {
        let url = node.rpc_url();
        let provider = ProviderBuilder::new()
            .connect_http(url.parse().expect("rpc url"))
            .erased();
        let signers = node
            .accounts()
            .iter()
            .map(|a| PrivateKeySigner::from_bytes(&a.private_key).expect("dev key"))
            .collect();
        Self {
            rpc: RawRpc::new(url),
            provider,
            signers,
            manual: false,
            node,
        }
    }

    /// Dev account `i` (mnemonic order; the last one is the rich account).
    pub(crate) fn account(&self, i: usize) -> Address {
        self.node.accounts()[i].address
    }

    pub(crate) fn signer(&self, i: usize) -> &PrivateKeySigner {
        &self.signers[i]
    }

    /// An alloy provider that signs locally as dev account `i` (what `cast send` / forge do).
    pub(crate) fn wallet_provider(&self, i: usize) -> DynProvider {
        let wallet = EthereumWallet::from(self.signers[i].clone());
        ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(self.node.rpc_url().parse().expect("rpc url"))
            .erased()
    }

    /// Sends a signed tx; it must be accepted, and the node must answer its hash.
    pub(crate) async fn send(&self, tx: &TxEnvelope) -> B256 {
        let hash = self
            .rpc
            .send_raw(tx)
            .await
            .unwrap_or_else(|e| panic!("tx {} rejected: {e:?}", tx.tx_hash()));
        assert_eq!(
            hash,
            *tx.tx_hash(),
            "eth_sendRawTransaction answers the tx hash"
        );
        hash
    }

    /// Sends a signed tx and waits for its receipt (in Manual mode: mines a block first).
    pub(crate) async fn send_and_wait(&self, tx: &TxEnvelope) -> TransactionReceipt {
        let hash = self.send(tx).await;
        if self.manual {
            self.mine().await;
        }
        self.receipt(hash).await
    }

    /// Waits until the tx has a receipt.
    pub(crate) async fn receipt(&self, hash: B256) -> TransactionReceipt {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(r) = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .expect("eth_getTransactionReceipt")
            {
                return r;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no receipt for {hash} after {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The receipt as raw JSON (waits for it).
    pub(crate) async fn receipt_json(&self, hash: B256) -> Value {
        self.receipt(hash).await;
        self.rpc
            .ok("eth_getTransactionReceipt", json!([hash]))
            .await
    }

    /// `eth_blockNumber`.
    pub(crate) async fn block_number(&self) -> u64 {
        self.provider
            .get_block_number()
            .await
            .expect("eth_blockNumber")
    }

    /// `eth_getTransactionCount(addr, "latest")`.
    pub(crate) async fn nonce(&self, addr: Address) -> u64 {
        self.provider
            .get_transaction_count(addr)
            .latest()
            .await
            .expect("eth_getTransactionCount")
    }

    /// `eth_getBalance(addr, "latest")`.
    pub(crate) async fn balance(&self, addr: Address) -> U256 {
        self.provider
            .get_balance(addr)
            .latest()
            .await
            .expect("eth_getBalance")
    }

    /// `evm_mine`: one block in Manual mode.
    pub(crate) async fn mine(&self) {
        self.rpc.ok("evm_mine", json!([])).await;
    }

    /// Sends a 1 wei transfer from account `from` with its next nonce and waits for the receipt.
    pub(crate) async fn transfer_and_wait(&self, from: usize, to: Address) -> TransactionReceipt {
        let nonce = self
            .provider
            .get_transaction_count(self.account(from))
            .pending()
            .await
            .expect("eth_getTransactionCount pending");
        let tx = sign(self.signer(from), transfer(nonce, to, U256::from(1)));
        self.send_and_wait(&tx).await
    }

    /// `txpool_status` as (pending, queued).
    pub(crate) async fn txpool_status(&self) -> (u64, u64) {
        let status = self.rpc.ok("txpool_status", json!([])).await;
        (qty(&status["pending"]), qty(&status["queued"]))
    }
}

/// A real anvil on a free port, killed on drop (a failing test included).
pub(crate) struct Anvil {
    child: Child,
    /// Its JSON-RPC URL.
    pub(crate) url: String,
}

impl Anvil {
    /// Starts the pinned npm anvil (`state/` or `tests/e2e/` `node_modules`), `$ZKOS_ANVIL`, or
    /// `anvil` from PATH. No anvil is a failure, not a skip: `./test.sh` installs it first.
    pub(crate) fn start() -> Option<Self> {
        let binary = anvil_binary().expect(
            "no anvil binary: run `cd state && npm ci` (./test.sh does), or set ZKOS_ANVIL=/path/to/anvil",
        );
        let mut child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut url = None;
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap() > 0 {
            if let Some(address) = line.trim().strip_prefix("Listening on ") {
                url = Some(format!("http://{address}"));
                break;
            }
            line.clear();
        }
        // anvil logs every request to stdout: keep draining it so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout.into_inner(), &mut std::io::sink()));
        let anvil = Self {
            child,
            url: url.unwrap_or_default(),
        };
        assert!(!anvil.url.is_empty(), "anvil exited without listening");
        Some(anvil)
    }

    pub(crate) fn provider(&self) -> DynProvider {
        ProviderBuilder::new()
            .connect_http(self.url.parse().unwrap())
            .erased()
    }
}

impl Anvil {
    /// Freezes the process (`SIGSTOP`): the L1 stops answering, as in an outage.
    pub(crate) fn pause(&self) {
        signal(self.child.id(), "-STOP");
    }

    /// Lets a paused anvil go on (`SIGCONT`).
    pub(crate) fn resume(&self) {
        signal(self.child.id(), "-CONT");
    }
}

fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill {sig} {pid}");
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `zkos-dev` process, killed (SIGKILL) and waited for when dropped. A killed node cannot
/// remove the temporary dir `--ephemeral` makes for named snapshots, so the process gets a
/// `TMPDIR` of its own, removed here after it.
pub(crate) struct Killed {
    pub(crate) child: Child,
    _tmp: tempfile::TempDir,
}

impl Killed {
    /// Spawns `command` (after any `env_clear`).
    pub(crate) fn spawn(command: &mut Command) -> Self {
        let tmp = tempfile::tempdir().expect("a temporary dir");
        let child = command
            .env("TMPDIR", tmp.path())
            .spawn()
            .expect("zkos-dev starts");
        Self { child, _tmp: tmp }
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn anvil_binary() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let npm = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
    std::env::var_os("ZKOS_ANVIL")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("state").join(npm),
            root.join("tests/e2e").join(npm),
        ])
        .find(|path| path.is_file())
        .or_else(|| {
            let found = Command::new("anvil").arg("--version").output();
            found
                .is_ok_and(|o| o.status.success())
                .then(|| "anvil".into())
        })
}
