//! Execution rules: the L2 runs as ZKsync OS does by default (Cancun, its precompile set,
//! `PREVRANDAO` 1, fees paid to the fee account, no EIP-7702 / EIP-712 / L1 tx types over RPC),
//! and as Ethereum does (as anvil) with `--evm-rules ethereum`.

use alloy::{
    consensus::TxEip7702,
    eips::eip7702::Authorization,
    primitives::{Address, B256, Bytes, U256, address, hex},
    signers::SignerSync,
};
use serde_json::json;
use zkos_dev::executor::EvmRules;

use crate::support::{BASE_FEE, CHAIN_ID, MAX_FEE, TestNode, qty, qty256, sign, transfer};

const RICH: Address = address!("0x36615Cf349d7F6344891B1e7CA7C72883F5dc049");

async fn zksync_os() -> TestNode {
    TestNode::start().await
}

async fn ethereum() -> TestNode {
    TestNode::start_with(|c| {
        c.chain.rules = EvmRules::Ethereum;
        c.chain.fee_account = Address::ZERO;
        c.chain.allow_eip7702 = true;
    })
    .await
}

/// Init code that runs `ops` (leaving one word on the stack) and returns that word.
fn returning(ops: &[u8]) -> Bytes {
    [ops, &[0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]].concat().into()
}

/// `eth_call` of init code (a create): the returned word, or the error message.
async fn run(node: &TestNode, code: Bytes) -> Result<U256, String> {
    let answer = node
        .rpc
        .call(
            "eth_call",
            json!([{"from": node.account(0), "input": code}]),
        )
        .await;
    match answer {
        Ok(v) => Ok(U256::from_be_slice(
            &hex::decode(v.as_str().unwrap()).unwrap(),
        )),
        Err(e) => Err(e.message),
    }
}

/// `eth_call` to `to` with `input`: the output bytes, or the error message.
async fn call(node: &TestNode, to: Address, input: &str) -> Result<String, String> {
    node.rpc
        .call("eth_call", json!([{"to": to, "input": input}]))
        .await
        .map(|v| v.as_str().unwrap().to_string())
        .map_err(|e| e.message)
}

async fn estimate(node: &TestNode, to: Address, input: &str) -> Result<u64, String> {
    node.rpc
        .call(
            "eth_estimateGas",
            json!([{"from": node.account(0), "to": to, "input": input}]),
        )
        .await
        .map(|v| qty(&v))
        .map_err(|e| e.message)
}

/// 16 gas per non-zero calldata byte, 4 per zero byte.
fn calldata_gas(input: &str) -> u64 {
    hex::decode(input)
        .unwrap()
        .iter()
        .map(|b| if *b == 0 { 4 } else { 16 })
        .sum()
}

fn precompile(n: u64) -> Address {
    Address::left_padding_from(&n.to_be_bytes())
}

/// A valid RIP-7212 vector (hash, r, s, x, y): P256VERIFY answers 1.
const P256_OK: &str = "0x4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4da73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d604aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff37618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e";
/// A valid blake2f input (EIP-152's 5th vector: 12 rounds over "abc"): rounds (4 bytes) ‖ h (64)
/// ‖ m (128) ‖ t (16) ‖ f (1) = 213 bytes.
fn blake2f_input() -> String {
    let h = "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b";
    let m = format!("616263{}", "00".repeat(125));
    let t = format!("03{}", "00".repeat(15));
    let input = format!("0x0000000c{h}{m}{t}01");
    assert_eq!(input.len(), 2 + 2 * 213);
    input
}

#[tokio::test]
async fn zksync_os_rules_cancun_opcodes_and_block_values() {
    let node = zksync_os().await;
    // CLZ (0x1e, Osaka) is an invalid opcode on Cancun.
    let clz = run(&node, returning(&[0x60, 0x01, 0x1e])).await;
    assert!(
        clz.as_ref()
            .is_err_and(|e| e.contains("invalid") || e.contains("opcode")),
        "{clz:?}"
    );
    // PREVRANDAO (0x44) is 1, BLOBBASEFEE (0x4a) 1, BLOBHASH(0) (0x49) 0, COINBASE the fee account.
    assert_eq!(run(&node, returning(&[0x44])).await, Ok(U256::from(1)));
    assert_eq!(run(&node, returning(&[0x4a])).await, Ok(U256::from(1)));
    assert_eq!(run(&node, returning(&[0x5f, 0x49])).await, Ok(U256::ZERO));
    assert_eq!(
        run(&node, returning(&[0x41])).await,
        Ok(U256::from_be_slice(RICH.as_slice()))
    );
    assert_eq!(node.rpc.ok("eth_coinbase", json!([])).await, json!(RICH));

    // Mined blocks show the same values.
    let receipt = node
        .send_and_wait(&sign(
            node.signer(1),
            transfer(0, node.account(2), U256::from(1)),
        ))
        .await;
    let block = node
        .rpc
        .ok(
            "eth_getBlockByNumber",
            json!([format!("{:#x}", receipt.block_number.unwrap()), false]),
        )
        .await;
    assert_eq!(block["mixHash"], json!(B256::with_last_byte(1)));
    assert_eq!(block["miner"], json!(RICH));
    assert_eq!(block["difficulty"], json!("0x0"));
}

#[tokio::test]
async fn ethereum_rules_run_osaka_as_anvil() {
    let node = ethereum().await;
    assert_eq!(
        run(&node, returning(&[0x60, 0x01, 0x1e])).await,
        Ok(U256::from(255)),
        "CLZ(1)"
    );
    let prevrandao = run(&node, returning(&[0x44])).await.unwrap();
    assert!(
        prevrandao > U256::from(1),
        "keccak of the parent hash: {prevrandao}"
    );
    assert_eq!(
        node.rpc.ok("eth_coinbase", json!([])).await,
        json!(Address::ZERO)
    );
}

#[tokio::test]
async fn zksync_os_has_its_production_precompiles_only() {
    let node = zksync_os().await;
    // P256VERIFY at 0x100: present, 3,450 gas (RIP-7212).
    let one = format!("0x{}", "00".repeat(31) + "01");
    assert_eq!(
        call(&node, precompile(0x100), P256_OK).await,
        Ok(one.clone())
    );
    let wrong = format!("0x5{}", &P256_OK[3..]);
    assert_eq!(
        call(&node, precompile(0x100), &wrong).await,
        Ok("0x".into()),
        "a bad signature: empty output"
    );
    let plain = estimate(&node, precompile(0x0bad), P256_OK).await.unwrap();
    assert_eq!(
        estimate(&node, precompile(0x100), P256_OK).await.unwrap(),
        plain + 3_450
    );
    // The Ethereum precompiles ZKsync OS does not have: calls to empty accounts.
    assert_eq!(
        call(&node, precompile(9), &blake2f_input()).await,
        Ok("0x".into()),
        "blake2f"
    );
    assert_eq!(
        estimate(&node, precompile(9), &blake2f_input())
            .await
            .unwrap(),
        estimate(&node, precompile(0x0bad), &blake2f_input())
            .await
            .unwrap()
    );
    for absent in [0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11] {
        assert_eq!(
            call(&node, precompile(absent), "0x1234").await,
            Ok("0x".into()),
            "{absent:#x}"
        );
    }
    // Those it has still answer: sha256("") and identity.
    assert_eq!(
        call(&node, precompile(2), "0x").await,
        Ok("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into())
    );
    assert_eq!(
        call(&node, precompile(4), "0xabcdef").await,
        Ok("0xabcdef".into())
    );
}

#[tokio::test]
async fn ethereum_rules_have_every_precompile() {
    let node = ethereum().await;
    let out = call(&node, precompile(9), &blake2f_input()).await.unwrap();
    assert_eq!(out.len(), 2 + 128, "blake2f answers 64 bytes: {out}");
    // Osaka prices P256VERIFY at 6,900; a plain call to an empty account pays the EIP-7623
    // calldata floor (10 gas per token), which Ethereum's rules have and ZKsync OS's do not.
    assert_eq!(
        estimate(&node, precompile(0x100), P256_OK).await.unwrap(),
        21_000 + calldata_gas(P256_OK) + 6_900
    );
    let tokens = calldata_gas(P256_OK) / 4;
    assert_eq!(
        estimate(&node, precompile(0x0bad), P256_OK).await.unwrap(),
        21_000 + 10 * tokens
    );
}

#[tokio::test]
async fn fees_go_to_the_fee_account_not_burned() {
    let node = zksync_os().await;
    let before = qty256(&node.rpc.ok("eth_getBalance", json!([RICH, "latest"])).await);
    let receipt = node
        .send_and_wait(&sign(
            node.signer(1),
            transfer(0, node.account(2), U256::from(1)),
        ))
        .await;
    let after = qty256(&node.rpc.ok("eth_getBalance", json!([RICH, "latest"])).await);
    assert_eq!(
        after - before,
        U256::from(receipt.gas_used) * U256::from(BASE_FEE)
    );

    // A chosen fee account gets them instead.
    let fee_account = Address::repeat_byte(0xfe);
    let other = TestNode::start_with(|c| c.chain.fee_account = fee_account).await;
    let receipt = other
        .send_and_wait(&sign(
            other.signer(1),
            transfer(0, other.account(2), U256::from(1)),
        ))
        .await;
    let paid = qty256(
        &other
            .rpc
            .ok("eth_getBalance", json!([fee_account, "latest"]))
            .await,
    );
    assert_eq!(paid, U256::from(receipt.gas_used) * U256::from(BASE_FEE));

    // Ethereum rules burn the base fee: the zero coinbase gets nothing from a tip-less tx.
    let eth = ethereum().await;
    eth.send_and_wait(&sign(
        eth.signer(1),
        transfer(0, eth.account(2), U256::from(1)),
    ))
    .await;
    let zero = qty256(
        &eth.rpc
            .ok("eth_getBalance", json!([Address::ZERO, "latest"]))
            .await,
    );
    assert_eq!(zero, U256::ZERO);
}

fn eip7702(node: &TestNode, from: usize) -> alloy::consensus::TxEnvelope {
    let signer = node.signer(from);
    let auth = Authorization {
        chain_id: U256::from(CHAIN_ID),
        address: Address::repeat_byte(0x33),
        nonce: 1,
    };
    let signature = signer.sign_hash_sync(&auth.signature_hash()).unwrap();
    sign(
        signer,
        TxEip7702 {
            chain_id: CHAIN_ID,
            nonce: 0,
            gas_limit: 100_000,
            max_fee_per_gas: MAX_FEE,
            max_priority_fee_per_gas: 0,
            to: Address::repeat_byte(0x44),
            value: U256::ZERO,
            access_list: Default::default(),
            authorization_list: vec![auth.into_signed(signature)],
            input: Bytes::new(),
        },
    )
}

#[tokio::test]
async fn tx_types_follow_zksync_os_server() {
    let node = zksync_os().await;
    let err = node.rpc.send_raw(&eip7702(&node, 3)).await.unwrap_err();
    assert_eq!(err.code, -32003);
    assert!(
        err.message
            .starts_with("EIP-7702 transactions are disabled"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("--allow-eip7702"),
        "the refusal names the flag: {}",
        err.message
    );

    for (raw, name) in [
        ("0x71c0", "0x71"),
        ("0x7fc0", "0x7f"),
        ("0x7ec0", "0x7e"),
        ("0x7dc0", "0x7d"),
    ] {
        let err = node.rpc.err("eth_sendRawTransaction", json!([raw])).await;
        assert_eq!(err.code, -32602, "{raw}");
        assert!(
            err.message.starts_with("failed to decode transaction: "),
            "{}",
            err.message
        );
        assert!(
            err.message.contains(name),
            "the refusal names the type: {}",
            err.message
        );
    }

    // With --allow-eip7702 (or Ethereum rules) the delegation is set.
    let allowed = TestNode::start_with(|c| c.chain.allow_eip7702 = true).await;
    let receipt = allowed.send_and_wait(&eip7702(&allowed, 3)).await;
    assert!(receipt.status());
    let code = allowed
        .rpc
        .ok("eth_getCode", json!([allowed.account(3), "latest"]))
        .await;
    assert_eq!(code, json!(format!("0xef0100{}", "33".repeat(20))));
}
