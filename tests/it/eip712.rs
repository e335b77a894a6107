//! EIP-712 (`0x71`) txs: refused naming `--eip712` without it; with it, decoded and their sender
//! recovered as zksync-os-server's `eip712-tx` feature does (PR #439 at 803cca28: ZKsync Era's
//! RLP list, signed over the server's own hash of the struct), run, answered with type `0x71`,
//! kept across a restart, a dump and a proof. The txs here are built and signed by the test
//! itself, from the server's decoder, not from zkos-dev's code.

use std::path::Path;

use alloy::{
    primitives::{Address, B256, Bytes, Signature, TxKind, U256, keccak256},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::SolStruct,
};
use alloy_rlp::{Encodable, Header};
use serde_json::{Value, json};
use zkos_dev::config::{ProverMode, Storage};

use crate::{
    settlement::wait_finalized,
    support::{CHAIN_ID, MAX_FEE, PATIENCE, TestNode, call_tx, qty, sign},
};

/// An EIP-712 tx's fields, ZKsync's included.
#[derive(Clone)]
struct Zk712 {
    chain_id: u64,
    nonce: u64,
    max_priority_fee_per_gas: u128,
    max_fee_per_gas: u128,
    gas_limit: u64,
    to: Address,
    value: U256,
    input: Bytes,
    from: Address,
    gas_per_pubdata: u64,
    factory_deps: Vec<Bytes>,
    /// zksync-ethers always writes one (`0x` when it signs in v, r, s).
    custom_signature: Option<Bytes>,
    /// zksync-ethers writes `[]` without one.
    paymaster: Option<(Address, Bytes)>,
}

impl Zk712 {
    fn new(from: Address, nonce: u64, to: Address, value: u64, input: &[u8], gas: u64) -> Self {
        Self {
            chain_id: CHAIN_ID,
            nonce,
            max_priority_fee_per_gas: 0,
            max_fee_per_gas: MAX_FEE,
            gas_limit: gas,
            to,
            value: U256::from(value),
            input: Bytes::copy_from_slice(input),
            from,
            gas_per_pubdata: 50_000,
            factory_deps: vec![],
            custom_signature: Some(Bytes::new()),
            paymaster: None,
        }
    }

    /// zksync-os-server's `signature_hash`: EIP-712's layout, but each field hashed at its own
    /// width (the type byte 1 byte, addresses 20, u64s 8, u128s 16); the paymaster always zero.
    fn server_signature_hash(&self) -> B256 {
        let domain = keccak256(
            [
                keccak256("EIP712Domain(string name,string version,uint256 chainId)").as_slice(),
                keccak256("zkSync").as_slice(),
                keccak256("2").as_slice(),
                &U256::from(self.chain_id).to_be_bytes::<32>(),
            ]
            .concat(),
        );
        let type_hash = keccak256(
            "Transaction(uint256 txType,uint256 from,uint256 to,uint256 gasLimit,\
             uint256 gasPerPubdataByteLimit,uint256 maxFeePerGas,uint256 maxPriorityFeePerGas,\
             uint256 paymaster,uint256 nonce,uint256 value,bytes data,bytes32[] factoryDeps,\
             bytes paymasterInput)",
        );
        let paymaster_input = self
            .paymaster
            .as_ref()
            .map(|p| p.1.clone())
            .unwrap_or_default();
        let hash_struct = keccak256(
            [
                type_hash.as_slice(),
                &[0x71],
                self.from.as_slice(),
                self.to.as_slice(),
                &self.gas_limit.to_be_bytes(),
                &self.gas_per_pubdata.to_be_bytes(),
                &self.max_fee_per_gas.to_be_bytes(),
                &self.max_priority_fee_per_gas.to_be_bytes(),
                Address::ZERO.as_slice(),
                &self.nonce.to_be_bytes(),
                &self.value.to_be_bytes::<32>(),
                keccak256(&self.input).as_slice(),
                keccak256([]).as_slice(),
                keccak256(&paymaster_input).as_slice(),
            ]
            .concat(),
        );
        keccak256([&[0x19, 0x01], domain.as_slice(), hash_struct.as_slice()].concat())
    }

    /// EIP-712's own digest of the same tx (every word 32 bytes): what zksync-ethers and
    /// alloy-zksync sign.
    fn standard_signature_hash(&self) -> B256 {
        let word = |a: Address| U256::from_be_slice(a.as_slice());
        abi::Transaction {
            txType: U256::from(0x71),
            from: word(self.from),
            to: word(self.to),
            gasLimit: U256::from(self.gas_limit),
            gasPerPubdataByteLimit: U256::from(self.gas_per_pubdata),
            maxFeePerGas: U256::from(self.max_fee_per_gas),
            maxPriorityFeePerGas: U256::from(self.max_priority_fee_per_gas),
            paymaster: U256::ZERO,
            nonce: U256::from(self.nonce),
            value: self.value,
            data: self.input.clone(),
            factoryDeps: vec![],
            paymasterInput: Bytes::new(),
        }
        .eip712_signing_hash(&alloy::sol_types::eip712_domain! {
            name: "zkSync",
            version: "2",
            chain_id: CHAIN_ID,
        })
    }

    /// `0x71 ‖ rlp(list)`: Era's fields, the signature in v (a y-parity), r, s, then the
    /// optional customSignature and paymasterParams when `optional`.
    fn encode(&self, sig: &Signature, optional: bool) -> Vec<u8> {
        let mut payload = vec![];
        self.nonce.encode(&mut payload);
        self.max_priority_fee_per_gas.encode(&mut payload);
        self.max_fee_per_gas.encode(&mut payload);
        self.gas_limit.encode(&mut payload);
        self.to.encode(&mut payload);
        self.value.encode(&mut payload);
        self.input.encode(&mut payload);
        sig.v().encode(&mut payload);
        sig.r().encode(&mut payload);
        sig.s().encode(&mut payload);
        self.chain_id.encode(&mut payload);
        self.from.encode(&mut payload);
        self.gas_per_pubdata.encode(&mut payload);
        self.factory_deps.encode(&mut payload);
        if optional {
            if let Some(custom) = &self.custom_signature {
                custom.encode(&mut payload);
            }
            match &self.paymaster {
                Some((paymaster, input)) => {
                    let mut pair = vec![];
                    paymaster.encode(&mut pair);
                    input.encode(&mut pair);
                    Header {
                        list: true,
                        payload_length: pair.len(),
                    }
                    .encode(&mut payload);
                    payload.extend(pair);
                }
                None => Header {
                    list: true,
                    payload_length: 0,
                }
                .encode(&mut payload),
            }
        }
        let mut raw = vec![0x71];
        Header {
            list: true,
            payload_length: payload.len(),
        }
        .encode(&mut raw);
        raw.extend(payload);
        raw
    }

    /// Signed over `digest`: the raw tx as sent, and the hash the server gives it (of the list
    /// it re-encodes, without the optional fields).
    fn signed_with(&self, signer: &PrivateKeySigner, digest: B256) -> (String, B256) {
        let sig = signer.sign_hash_sync(&digest).unwrap();
        let raw = alloy::hex::encode_prefixed(self.encode(&sig, true));
        (raw, keccak256(self.encode(&sig, false)))
    }

    /// Signed as zksync-os-server's decoder expects.
    fn signed(&self, signer: &PrivateKeySigner) -> (String, B256) {
        self.signed_with(signer, self.server_signature_hash())
    }
}

mod abi {
    alloy::sol! {
        struct Transaction {
            uint256 txType;
            uint256 from;
            uint256 to;
            uint256 gasLimit;
            uint256 gasPerPubdataByteLimit;
            uint256 maxFeePerGas;
            uint256 maxPriorityFeePerGas;
            uint256 paymaster;
            uint256 nonce;
            uint256 value;
            bytes data;
            bytes32[] factoryDeps;
            bytes paymasterInput;
        }
    }
}

async fn with_eip712() -> TestNode {
    TestNode::start_with(|c| c.chain.eip712 = true).await
}

/// A transfer of `value` wei from dev account `from` to `to`, as a 0x71 tx.
fn transfer712(node: &TestNode, from: usize, nonce: u64, to: Address, value: u64) -> Zk712 {
    Zk712::new(node.account(from), nonce, to, value, &[], 21_000)
}

/// The receipt as raw JSON, once there is one (alloy's receipt type has no `0x71`).
async fn receipt_of(node: &TestNode, hash: B256) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let receipt = node
            .rpc
            .ok("eth_getTransactionReceipt", json!([hash]))
            .await;
        if !receipt.is_null() {
            return receipt;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no receipt for {hash}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn send(node: &TestNode, raw: &str) -> Result<Value, crate::support::RpcError> {
    node.rpc.call("eth_sendRawTransaction", json!([raw])).await
}

#[tokio::test]
async fn eip712_txs_are_refused_naming_the_flag_without_eip712() {
    let node = TestNode::start().await;
    let tx = transfer712(&node, 1, 0, Address::repeat_byte(0x71), 1);
    let (raw, _) = tx.signed(node.signer(1));
    let err = send(&node, &raw).await.unwrap_err();
    assert_eq!(err.code, -32602);
    assert!(
        err.message
            .starts_with("failed to decode transaction: EIP-712 (type 0x71)"),
        "{}",
        err.message
    );
    assert!(err.message.contains("--eip712"), "{}", err.message);
}

/// Init code of a contract that stores its caller in slot 0: runtime `CALLER PUSH0 SSTORE STOP`.
const STORE_CALLER_INIT: &str = "6004600a5f3960045ff3335f5500";

#[tokio::test]
async fn with_eip712_a_tx_signed_over_the_servers_hash_runs_as_a_call_from_its_signer() {
    let node = with_eip712().await;
    let deploy = sign(
        node.signer(0),
        call_tx(
            node.nonce(node.account(0)).await,
            TxKind::Create,
            alloy::hex::decode(STORE_CALLER_INIT).unwrap(),
            200_000,
        ),
    );
    let contract = node.send_and_wait(&deploy).await.contract_address.unwrap();

    // A transfer sent as zksync-ethers lays the list out (an empty customSignature, `[]` for
    // the paymaster): the hash is the server's, of the list without them.
    let sender = node.account(1);
    let to = Address::repeat_byte(0x72);
    let transfer = transfer712(&node, 1, 0, to, 1_234);
    let (raw, hash) = transfer.signed(node.signer(1));
    assert_ne!(hash, keccak256(alloy::hex::decode(&raw).unwrap()));
    assert_eq!(send(&node, &raw).await.unwrap(), json!(hash));
    let receipt = receipt_of(&node, hash).await;
    assert_eq!(receipt["status"], json!("0x1"));
    assert_eq!(receipt["type"], json!("0x71"));
    assert_eq!(receipt["from"], json!(sender));
    assert_eq!(receipt["to"], json!(to));
    assert_eq!(node.balance(to).await, U256::from(1_234));

    let tx = node.rpc.ok("eth_getTransactionByHash", json!([hash])).await;
    for (key, want) in [
        ("type", json!("0x71")),
        ("hash", json!(hash)),
        ("from", json!(sender)),
        ("to", json!(to)),
        ("value", json!("0x4d2")),
        ("nonce", json!("0x0")),
        ("chainId", json!(format!("{CHAIN_ID:#x}"))),
        ("gas", json!("0x5208")),
        ("gasPerPubdata", json!("0xc350")),
        ("maxFeePerGas", json!(format!("{MAX_FEE:#x}"))),
        ("blockHash", receipt["blockHash"].clone()),
    ] {
        assert_eq!(tx[key], want, "{key}: {tx}");
    }
    assert!(tx.get("accessList").is_none(), "{tx}");
    let block = node
        .rpc
        .ok("eth_getBlockByHash", json!([receipt["blockHash"], true]))
        .await;
    assert_eq!(block["transactions"][0], tx);
    let stored = node
        .rpc
        .ok("eth_getRawTransactionByHash", json!([hash]))
        .await;
    assert_eq!(
        keccak256(alloy::hex::decode(stored.as_str().unwrap()).unwrap()),
        hash
    );

    // Block receipts and traces re-run it as the block did.
    let receipts = node
        .rpc
        .ok("eth_getBlockReceipts", json!([receipt["blockNumber"]]))
        .await;
    assert_eq!(receipts[0], receipt);
    let trace = node
        .rpc
        .ok(
            "debug_traceTransaction",
            json!([hash, {"tracer": "callTracer"}]),
        )
        .await;
    assert_eq!(trace["from"], json!(sender));
    assert_eq!(trace["value"], json!("0x4d2"));

    // A call: the contract sees the signer as msg.sender.
    let call = Zk712::new(sender, 1, contract, 0, &[], 100_000);
    let (raw, hash) = call.signed(node.signer(1));
    send(&node, &raw).await.unwrap();
    assert_eq!(receipt_of(&node, hash).await["status"], json!("0x1"));
    let slot = node
        .rpc
        .ok("eth_getStorageAt", json!([contract, "0x0", "latest"]))
        .await;
    assert_eq!(slot, json!(B256::left_padding_from(sender.as_slice())));
    assert_eq!(node.nonce(sender).await, 2);
}

#[tokio::test]
async fn eip712_txs_with_zksync_only_fields_are_refused_by_name() {
    let node = with_eip712().await;
    let base = transfer712(&node, 2, 0, Address::repeat_byte(0x73), 1);
    let cases = [
        (
            Zk712 {
                paymaster: Some((Address::repeat_byte(0x99), Bytes::new())),
                ..base.clone()
            },
            "a paymaster",
        ),
        (
            Zk712 {
                paymaster: Some((Address::ZERO, Bytes::from_static(&[1, 2]))),
                ..base.clone()
            },
            "paymasterInput",
        ),
        (
            Zk712 {
                factory_deps: vec![Bytes::from(vec![0u8; 32])],
                ..base.clone()
            },
            "factoryDeps",
        ),
        (
            Zk712 {
                custom_signature: Some(Bytes::from(vec![1u8; 65])),
                ..base.clone()
            },
            "customSignature",
        ),
    ];
    for (tx, field) in cases {
        let (raw, _) = tx.signed(node.signer(2));
        let err = send(&node, &raw).await.unwrap_err();
        assert_eq!(err.code, -32602, "{field}");
        assert!(err.message.contains(field), "{field}: {}", err.message);
        assert!(err.message.contains("type 0x71"), "{}", err.message);
    }
    // A zero paymaster with no input is no paymaster.
    let none = Zk712 {
        paymaster: Some((Address::ZERO, Bytes::new())),
        ..base.clone()
    };
    let (raw, hash) = none.signed(node.signer(2));
    assert_eq!(send(&node, &raw).await.unwrap(), json!(hash));
    // Another chain's tx: the chain id check every tx gets.
    let foreign = Zk712 {
        chain_id: 324,
        nonce: 1,
        ..base
    };
    let (raw, _) = foreign.signed(node.signer(2));
    let err = send(&node, &raw).await.unwrap_err();
    assert_eq!(err.message, "invalid chain id");
}

#[tokio::test]
async fn an_eip712_signature_over_the_standard_digest_recovers_someone_else() {
    // What a wallet signs (EIP-712's padded words) is not what zksync-os-server hashes: the
    // signature recovers a stranger without funds, so the pool refuses the tx as the server's
    // would, and the signer's nonce does not move.
    let node = with_eip712().await;
    let tx = transfer712(&node, 3, 0, Address::repeat_byte(0x74), 1);
    let (raw, _) = tx.signed_with(node.signer(3), tx.standard_signature_hash());
    let err = send(&node, &raw).await.unwrap_err();
    assert_eq!(err.code, -32003);
    assert!(
        err.message
            .starts_with("insufficient funds for gas * price + value: have 0 want "),
        "{}",
        err.message
    );
    assert_eq!(node.nonce(node.account(3)).await, 0);
}

async fn on_dir(dir: &Path) -> TestNode {
    let dir = dir.to_path_buf();
    TestNode::start_with(move |c| {
        c.storage = Storage::Dir(dir);
        c.chain.eip712 = true;
        c.settlement.prover.mode = ProverMode::Reexec;
    })
    .await
}

/// What a client reads of a tx: itself, its receipt, its block with full txs.
async fn view(node: &TestNode, hash: B256) -> Value {
    let receipt = receipt_of(node, hash).await;
    json!({
        "tx": node.rpc.ok("eth_getTransactionByHash", json!([hash])).await,
        "receipt": receipt,
        "block": node.rpc.ok("eth_getBlockByHash", json!([receipt["blockHash"], true])).await,
        "raw": node.rpc.ok("eth_getRawTransactionByHash", json!([hash])).await,
    })
}

#[tokio::test]
async fn eip712_txs_are_proven_and_kept_across_a_restart_and_a_dump() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let node = on_dir(&dir).await;
    let to = Address::repeat_byte(0x75);
    let (raw, mined) = transfer712(&node, 4, 0, to, 5).signed(node.signer(4));
    send(&node, &raw).await.unwrap();
    let block = qty(&receipt_of(&node, mined).await["blockNumber"]);
    // The re-executing prover proves the batch from its witness, the 0x71 tx in it.
    wait_finalized(&node, block).await;
    // One more with a nonce gap waits in the pool.
    let (raw, queued) = transfer712(&node, 4, 2, to, 7).signed(node.signer(4));
    send(&node, &raw).await.unwrap();
    assert_eq!(node.txpool_status().await, (0, 1));
    let before = view(&node, mined).await;
    let pending = node
        .rpc
        .ok("eth_getTransactionByHash", json!([queued]))
        .await;
    let dump = node.rpc.ok("anvil_dumpState", json!([])).await;
    node.node.shutdown().await;

    let node = on_dir(&dir).await;
    assert_eq!(view(&node, mined).await, before);
    assert_eq!(
        node.rpc
            .ok("eth_getTransactionByHash", json!([queued]))
            .await,
        pending
    );
    assert_eq!(pending["type"], json!("0x71"));
    // Filling the gap mines both, and their batch is proven too.
    let (raw, fill) = transfer712(&node, 4, 1, to, 6).signed(node.signer(4));
    send(&node, &raw).await.unwrap();
    receipt_of(&node, fill).await;
    let last = qty(&receipt_of(&node, queued).await["blockNumber"]);
    wait_finalized(&node, last).await;
    assert_eq!(node.balance(to).await, U256::from(18));
    node.node.shutdown().await;

    // The dump taken before the restart loads into another node (its pool is not loaded: a
    // loaded devnet starts with an empty one, whatever the txs' types).
    let other = with_eip712().await;
    assert_eq!(
        other.rpc.ok("anvil_loadState", json!([dump])).await,
        json!(true)
    );
    assert_eq!(view(&other, mined).await, before);
}
