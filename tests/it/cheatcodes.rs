//! anvil's cheatcodes as a test suite or a script uses them: edit accounts, impersonate,
//! travel in time, change the next block, snapshot and revert, roll back, reorg, reset, deal
//! ERC-20s. Each story checks the method's answer and what the user then sees.

use std::time::{SystemTime, UNIX_EPOCH};

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    sol_types::SolCall,
};
use serde_json::{Value, json};

use crate::{
    contracts::{Counter, Token},
    support::{TestNode, fresh_address, hex_u64, qty, sign, transfer},
};

fn eth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
}

fn wall_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn head(t: &TestNode) -> Value {
    t.rpc
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await
}

async fn call_u256(t: &TestNode, to: Address, call: impl SolCall) -> U256 {
    let out = t
        .rpc
        .ok(
            "eth_call",
            json!([{ "to": to, "data": Bytes::from(call.abi_encode()) }]),
        )
        .await;
    let bytes: Bytes = serde_json::from_value(out).unwrap();
    U256::from_be_slice(&bytes)
}

/// Sends with `eth_sendTransaction` and waits for the receipt (as raw JSON).
async fn send_tx(t: &TestNode, tx: Value) -> Value {
    let hash: B256 =
        serde_json::from_value(t.rpc.ok("eth_sendTransaction", json!([tx])).await).unwrap();
    t.receipt_json(hash).await
}

#[tokio::test]
async fn account_edits_are_what_reads_and_calls_see() {
    let t = TestNode::start().await;
    let who = fresh_address(1);

    assert_eq!(
        t.rpc.ok("anvil_setBalance", json!([who, "0x64"])).await,
        Value::Null
    );
    assert_eq!(t.balance(who).await, U256::from(100));
    t.rpc.ok("hardhat_setBalance", json!([who, "0x3e8"])).await;
    assert_eq!(t.balance(who).await, U256::from(1000));
    assert_eq!(
        t.rpc.ok("anvil_addBalance", json!([who, "0x5"])).await,
        Value::Null
    );
    t.rpc.ok("hardhat_addBalance", json!([who, 5])).await;
    assert_eq!(t.balance(who).await, U256::from(1010));

    assert_eq!(
        t.rpc.ok("anvil_setNonce", json!([who, "0x7"])).await,
        Value::Null
    );
    assert_eq!(t.nonce(who).await, 7);
    t.rpc.ok("evm_setAccountNonce", json!([who, 9])).await;
    t.rpc.ok("hardhat_setNonce", json!([who, "0xa"])).await;
    assert_eq!(t.nonce(who).await, 10);

    // Give a fresh address Counter's code and set its `number` slot: calls see both.
    let counter = t.deploy_counter(0).await;
    let code = t.rpc.ok("eth_getCode", json!([counter, "latest"])).await;
    let clone = fresh_address(2);
    assert_eq!(
        t.rpc.ok("anvil_setCode", json!([clone, code])).await,
        Value::Null
    );
    assert_eq!(
        t.rpc.ok("eth_getCode", json!([clone, "latest"])).await,
        code
    );
    let slot0 = B256::ZERO;
    let value = B256::from(U256::from(42));
    assert_eq!(
        t.rpc
            .ok("anvil_setStorageAt", json!([clone, "0x0", value]))
            .await,
        json!(true)
    );
    assert_eq!(
        t.rpc
            .ok("eth_getStorageAt", json!([clone, slot0, "latest"]))
            .await,
        json!(value)
    );
    assert_eq!(
        call_u256(&t, clone, Counter::numberCall {}).await,
        U256::from(42)
    );
    t.rpc
        .ok(
            "hardhat_setStorageAt",
            json!([clone, "0x0", B256::from(U256::from(7))]),
        )
        .await;
    assert_eq!(
        call_u256(&t, clone, Counter::numberCall {}).await,
        U256::from(7)
    );
    t.rpc.ok("hardhat_setCode", json!([clone, "0x"])).await;
    assert_eq!(
        t.rpc.ok("eth_getCode", json!([clone, "latest"])).await,
        json!("0x")
    );

    // A dev account whose nonce moved on can send at the new nonce.
    t.rpc
        .ok("anvil_setNonce", json!([t.account(1), "0x5"]))
        .await;
    let receipt = t
        .send_and_wait(&sign(t.signer(1), transfer(5, who, U256::from(1))))
        .await;
    assert!(receipt.status());
    assert_eq!(t.nonce(t.account(1)).await, 6);
}

#[tokio::test]
async fn impersonated_account_sends_without_a_key() {
    let t = TestNode::start().await;
    let whale = fresh_address(3);
    let to = fresh_address(4);
    t.rpc
        .ok(
            "anvil_setBalance",
            json!([whale, format!("{:#x}", eth(10))]),
        )
        .await;
    let tx = json!({ "from": whale, "to": to, "value": "0x1" });

    let err = t.rpc.err("eth_sendTransaction", json!([tx])).await;
    assert!(err.message.to_lowercase().contains("no signer"), "{err:?}");

    assert_eq!(
        t.rpc.ok("anvil_impersonateAccount", json!([whale])).await,
        Value::Null
    );
    let first = send_tx(&t, tx.clone()).await;
    let second = send_tx(&t, tx.clone()).await;
    for receipt in [&first, &second] {
        assert_eq!(receipt["status"], "0x1");
        assert_eq!(
            receipt["from"]
                .as_str()
                .unwrap()
                .parse::<Address>()
                .unwrap(),
            whale
        );
    }
    assert_ne!(
        first["transactionHash"], second["transactionHash"],
        "hashes are unique per tx"
    );
    let mined = t
        .rpc
        .ok(
            "eth_getTransactionByHash",
            json!([first["transactionHash"]]),
        )
        .await;
    assert_eq!(
        mined["from"].as_str().unwrap().parse::<Address>().unwrap(),
        whale
    );
    assert_eq!(t.balance(to).await, U256::from(2));
    assert_eq!(t.nonce(whale).await, 2);

    assert_eq!(
        t.rpc
            .ok("anvil_stopImpersonatingAccount", json!([whale]))
            .await,
        Value::Null
    );
    t.rpc.err("eth_sendTransaction", json!([tx])).await;
    t.rpc.ok("hardhat_impersonateAccount", json!([whale])).await;
    send_tx(&t, tx.clone()).await;
    t.rpc
        .ok("hardhat_stopImpersonatingAccount", json!([whale]))
        .await;

    assert_eq!(
        t.rpc
            .ok("anvil_autoImpersonateAccount", json!([true]))
            .await,
        Value::Null
    );
    send_tx(&t, tx.clone()).await;
    t.rpc
        .ok("hardhat_autoImpersonateAccount", json!([false]))
        .await;
    t.rpc.err("eth_sendTransaction", json!([tx])).await;

    // eth_sendUnsignedTransaction needs no impersonation at all.
    let hash: B256 =
        serde_json::from_value(t.rpc.ok("eth_sendUnsignedTransaction", json!([tx])).await).unwrap();
    assert_eq!(t.receipt_json(hash).await["status"], "0x1");
    assert_eq!(t.balance(to).await, U256::from(5));
}

#[tokio::test]
async fn auto_impersonate_flag_lets_any_account_send() {
    let t = TestNode::start_with(|c| c.accounts.auto_impersonate = true).await;
    let whale = fresh_address(5);
    t.rpc
        .ok("anvil_setBalance", json!([whale, format!("{:#x}", eth(1))]))
        .await;
    let receipt = send_tx(
        &t,
        json!({ "from": whale, "to": fresh_address(6), "value": "0x9" }),
    )
    .await;
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(t.balance(fresh_address(6)).await, U256::from(9));
}

#[tokio::test]
async fn snapshot_and_revert_bring_back_head_balances_and_pool() {
    let t = TestNode::start().await;
    let to = fresh_address(7);
    let start = t.block_number().await;
    let start_head = head(&t).await;

    assert_eq!(t.rpc.ok("evm_snapshot", json!([])).await, json!("0x0"));
    t.transfer_and_wait(0, to).await;
    t.transfer_and_wait(0, to).await;
    assert_eq!(t.rpc.ok("anvil_snapshot", json!([])).await, json!("0x1"));
    t.rpc.ok("anvil_setBalance", json!([to, "0x1000"])).await;
    t.rpc.ok("evm_increaseTime", json!([1000])).await;
    // A tx left waiting in the pool (manual mining) is gone after the revert too.
    t.rpc.ok("evm_setAutomine", json!([false])).await;
    t.send(&sign(t.signer(1), transfer(0, to, U256::from(1))))
        .await;
    assert_eq!(t.txpool_status().await, (1, 0));

    let meta = t.rpc.ok("anvil_metadata", json!([])).await;
    assert_eq!(meta["snapshots"]["0x0"][0], json!(start));
    assert_eq!(meta["snapshots"]["0x1"][0], json!(start + 2));

    assert_eq!(t.rpc.ok("evm_revert", json!(["0x0"])).await, json!(true));
    assert_eq!(t.block_number().await, start);
    assert_eq!(head(&t).await["hash"], start_head["hash"]);
    assert_eq!(t.balance(to).await, U256::ZERO);
    assert_eq!(t.nonce(t.account(0)).await, 0);
    assert_eq!(t.txpool_status().await, (0, 0));
    // Later snapshots and the reverted one are gone.
    assert_eq!(t.rpc.ok("anvil_revert", json!(["0x1"])).await, json!(false));
    assert_eq!(t.rpc.ok("evm_revert", json!(["0x0"])).await, json!(false));
    assert_eq!(
        t.rpc.ok("anvil_metadata", json!([])).await["snapshots"],
        json!({})
    );

    // The chain goes on from there; ids keep counting.
    t.rpc.ok("evm_setAutomine", json!([true])).await;
    let receipt = t.transfer_and_wait(0, to).await;
    assert_eq!(receipt.block_number, Some(start + 1));
    let block = head(&t).await;
    assert!(
        qty(&block["timestamp"]) < wall_clock() + 100,
        "the clock offset was reverted"
    );
    assert_eq!(t.rpc.ok("evm_snapshot", json!([])).await, json!("0x2"));
}

#[tokio::test]
async fn time_travel_moves_block_timestamps() {
    let t = TestNode::manual().await;
    let offset = t.rpc.ok("evm_increaseTime", json!(["0xe10"])).await;
    assert!(
        offset.as_i64().unwrap() >= 3600,
        "returns the total offset: {offset}"
    );
    t.mine().await;
    let ts = qty(&head(&t).await["timestamp"]);
    assert!(
        ts >= wall_clock() + 3600 - 2 && ts <= wall_clock() + 3600 + 2,
        "{ts}"
    );
    t.rpc.ok("anvil_increaseTime", json!([60])).await;
    t.mine().await;
    assert!(qty(&head(&t).await["timestamp"]) >= ts + 60);

    let next = wall_clock() + 100_000;
    assert_eq!(
        t.rpc.ok("evm_setNextBlockTimestamp", json!([next])).await,
        Value::Null
    );
    t.mine().await;
    assert_eq!(qty(&head(&t).await["timestamp"]), next);
    let err = t
        .rpc
        .err("anvil_setNextBlockTimestamp", json!([next - 10]))
        .await;
    assert_eq!(err.code, -32602);
    assert!(err.message.starts_with("Timestamp error"), "{err:?}");

    // evm_mine with a timestamp and several blocks: the first at it, the rest after it.
    assert_eq!(
        t.rpc
            .ok("evm_mine", json!([{ "timestamp": next + 50, "blocks": 3 }]))
            .await,
        json!("0x0")
    );
    let number = t.block_number().await;
    let first = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number - 2), false]))
        .await;
    assert_eq!(qty(&first["timestamp"]), next + 50);
    assert!(qty(&head(&t).await["timestamp"]) >= next + 50);

    assert_eq!(
        t.rpc
            .ok("anvil_setBlockTimestampInterval", json!([100]))
            .await,
        Value::Null
    );
    let before = qty(&head(&t).await["timestamp"]);
    t.rpc.ok("anvil_mine", json!(["0x2"])).await;
    assert_eq!(qty(&head(&t).await["timestamp"]), before + 200);
    assert_eq!(
        t.rpc
            .ok("anvil_removeBlockTimestampInterval", json!([]))
            .await,
        json!(true)
    );
    assert_eq!(
        t.rpc
            .ok("anvil_removeBlockTimestampInterval", json!([]))
            .await,
        json!(false)
    );

    // evm_setTime: back to the wall clock; blocks never go back in time.
    let stamped = qty(&head(&t).await["timestamp"]);
    t.rpc.ok("evm_setTime", json!([wall_clock()])).await;
    t.mine().await;
    assert_eq!(
        qty(&head(&t).await["timestamp"]),
        stamped,
        "never earlier than the parent"
    );
    let later = stamped + 10;
    t.rpc.ok("anvil_setTime", json!([later])).await;
    t.mine().await;
    let ts = qty(&head(&t).await["timestamp"]);
    assert!(ts >= later && ts <= later + 2, "{ts}");
}

#[tokio::test]
async fn mining_many_blocks_and_mining_detailed() {
    let t = TestNode::manual().await;
    let start = t.block_number().await;
    assert_eq!(t.rpc.ok("anvil_mine", json!([0])).await, Value::Null);
    assert_eq!(t.block_number().await, start);
    let before = qty(&head(&t).await["timestamp"]);
    t.rpc.ok("hardhat_mine", json!(["0x3", "0x3c"])).await;
    assert_eq!(t.block_number().await, start + 3);
    let ts = qty(&head(&t).await["timestamp"]);
    assert!(
        ts >= before + 180,
        "each block moves the clock 60 s: {before} -> {ts}"
    );

    let tx = sign(t.signer(0), transfer(0, fresh_address(8), U256::from(3)));
    t.send(&tx).await;
    let blocks = t.rpc.ok("evm_mine_detailed", json!([])).await;
    let blocks = blocks.as_array().unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(qty(&blocks[0]["number"]), start + 4);
    assert_eq!(blocks[0]["transactions"][0]["hash"], json!(tx.tx_hash()));
    let two = t
        .rpc
        .ok("anvil_mine_detailed", json!([{ "blocks": 2 }]))
        .await;
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert_eq!(t.block_number().await, start + 6);

    assert_eq!(t.rpc.ok("anvil_getAutomine", json!([])).await, json!(false));
    assert_eq!(
        t.rpc.ok("anvil_getIntervalMining", json!([])).await,
        Value::Null
    );
    t.rpc.ok("anvil_setIntervalMining", json!([3600])).await;
    assert_eq!(
        t.rpc.ok("anvil_getIntervalMining", json!([])).await,
        json!(3600)
    );
    t.rpc.ok("evm_setIntervalMining", json!([0])).await;
    t.rpc.ok("anvil_setAutomine", json!([true])).await;
    assert_eq!(
        t.rpc.ok("hardhat_getAutomine", json!([])).await,
        json!(true)
    );
}

#[tokio::test]
async fn dropping_txs_from_the_pool() {
    let t = TestNode::manual().await;
    let to = fresh_address(9);
    let txs: Vec<_> = (0..3)
        .map(|n| sign(t.signer(0), transfer(n, to, U256::from(1))))
        .collect();
    for tx in &txs {
        t.send(tx).await;
    }
    t.send(&sign(t.signer(1), transfer(0, to, U256::from(1))))
        .await;
    t.send(&sign(t.signer(2), transfer(0, to, U256::from(1))))
        .await;
    assert_eq!(t.txpool_status().await, (5, 0));

    let dropped = t
        .rpc
        .ok("anvil_dropTransaction", json!([txs[1].tx_hash()]))
        .await;
    assert_eq!(dropped, json!(txs[1].tx_hash()));
    assert_eq!(
        t.txpool_status().await,
        (3, 0),
        "the sender's later tx goes with it"
    );
    assert_eq!(
        t.rpc
            .ok("hardhat_dropTransaction", json!([txs[1].tx_hash()]))
            .await,
        Value::Null
    );

    assert_eq!(
        t.rpc
            .ok("anvil_removePoolTransactions", json!([t.account(1)]))
            .await,
        Value::Null
    );
    assert_eq!(t.txpool_status().await, (2, 0));
    t.mine().await;
    assert_eq!(t.nonce(t.account(0)).await, 1);
    assert_eq!(t.nonce(t.account(1)).await, 0);

    t.send(&sign(t.signer(3), transfer(0, to, U256::from(1))))
        .await;
    assert_eq!(
        t.rpc.ok("anvil_dropAllTransactions", json!([])).await,
        Value::Null
    );
    t.rpc.ok("hardhat_dropAllTransactions", json!([])).await;
    assert_eq!(t.txpool_status().await, (0, 0));
}

#[tokio::test]
async fn next_block_settings_show_in_rpc_validation_and_blocks() {
    let t = TestNode::start().await;
    let coinbase = fresh_address(10);
    assert_eq!(
        t.rpc.ok("anvil_setCoinbase", json!([coinbase])).await,
        Value::Null
    );
    assert_eq!(t.rpc.ok("eth_coinbase", json!([])).await, json!(coinbase));
    assert_eq!(
        t.rpc
            .ok("anvil_setNextBlockBaseFeePerGas", json!(["0x7d0"]))
            .await,
        Value::Null
    );
    assert_eq!(qty(&t.rpc.ok("eth_gasPrice", json!([])).await), 2000);
    assert_eq!(
        t.rpc.ok("evm_setBlockGasLimit", json!(["0x1c9c380"])).await,
        json!(true)
    );

    // 2000 wei is now the base fee: a max fee of 2000 still fits, 1999 no longer does.
    let mut cheap = transfer(0, fresh_address(11), U256::from(1));
    cheap.max_fee_per_gas = 1999;
    let err = t.rpc.send_raw(&sign(t.signer(0), cheap)).await.unwrap_err();
    assert_eq!(err.message, "max fee per gas less than block base fee");
    let receipt = t.transfer_and_wait(0, fresh_address(11)).await;
    let block = t
        .rpc
        .ok(
            "eth_getBlockByNumber",
            json!([hex_u64(receipt.block_number.unwrap()), false]),
        )
        .await;
    assert_eq!(block["miner"], json!(coinbase));
    assert_eq!(qty(&block["baseFeePerGas"]), 2000);
    assert_eq!(qty(&block["gasLimit"]), 30_000_000);
    let mut big = transfer(1, fresh_address(11), U256::from(1));
    big.gas_limit = 30_000_001;
    let err = t.rpc.send_raw(&sign(t.signer(0), big)).await.unwrap_err();
    assert_eq!(err.message, "exceeds block gas limit");

    assert_eq!(
        t.rpc.ok("anvil_setChainId", json!([31337])).await,
        Value::Null
    );
    assert_eq!(qty(&t.rpc.ok("eth_chainId", json!([])).await), 31337);
    let info = t.rpc.ok("anvil_nodeInfo", json!([])).await;
    assert_eq!(info["environment"]["chainId"], json!(31337));
    let err = t
        .rpc
        .send_raw(&sign(t.signer(0), transfer(1, coinbase, U256::from(1))))
        .await
        .unwrap_err();
    assert_eq!(err.message, "invalid chain id");
    let mut tx = transfer(1, coinbase, U256::from(1));
    tx.chain_id = 31337;
    assert!(t.send_and_wait(&sign(t.signer(0), tx)).await.status());

    let err = t.rpc.err("anvil_setMinGasPrice", json!(["0x1"])).await;
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            -32602,
            "anvil_setMinGasPrice is not supported when EIP-1559 is active"
        )
    );
    assert_eq!(
        t.rpc.ok("anvil_setLoggingEnabled", json!([false])).await,
        Value::Null
    );
    t.rpc.ok("hardhat_setLoggingEnabled", json!([false])).await;
}

#[tokio::test]
async fn rollback_drops_the_last_blocks_and_their_txs() {
    let t = TestNode::start().await;
    let to = fresh_address(12);
    let start = t.block_number().await;
    t.transfer_and_wait(0, to).await;
    let second = t.transfer_and_wait(0, to).await;
    let third = t.transfer_and_wait(0, to).await;

    assert_eq!(t.rpc.ok("anvil_rollback", json!([2])).await, Value::Null);
    assert_eq!(t.block_number().await, start + 1);
    assert_eq!(t.balance(to).await, U256::from(1));
    assert_eq!(t.nonce(t.account(0)).await, 1);
    for gone in [second.transaction_hash, third.transaction_hash] {
        assert_eq!(
            t.rpc.ok("eth_getTransactionReceipt", json!([gone])).await,
            Value::Null
        );
    }
    t.rpc.ok("anvil_rollback", json!([])).await;
    assert_eq!(t.block_number().await, start);
    let err = t.rpc.err("anvil_rollback", json!([start + 1])).await;
    assert_eq!(err.code, -32602);
    assert!(
        err.message
            .starts_with("Rollback depth must not exceed current chain height"),
        "{err:?}"
    );

    // The chain grows again from there, with the nonces as they were.
    let receipt = t.transfer_and_wait(0, to).await;
    assert_eq!(receipt.block_number, Some(start + 1));
    assert_eq!(t.balance(to).await, U256::from(1));
}

#[tokio::test]
async fn reorg_replaces_the_last_blocks_with_the_given_txs() {
    let t = TestNode::start().await;
    let (a, b) = (fresh_address(13), fresh_address(14));
    for _ in 0..3 {
        t.transfer_and_wait(0, a).await;
    }
    let height = t.block_number().await;
    let old_head = head(&t).await["hash"].clone();
    let raw = sign(t.signer(1), transfer(0, b, U256::from(7)));
    let options = json!({
        "depth": 2,
        "txBlockPairs": [
            [{ "from": t.account(0), "to": b, "value": "0x5" }, 0],
            [crate::support::raw_hex(&raw), 1],
            [{ "from": t.account(0), "to": b, "value": "0x6" }, 1],
        ],
    });
    assert_eq!(t.rpc.ok("anvil_reorg", options).await, Value::Null);
    assert_eq!(t.block_number().await, height, "same height, new blocks");
    assert_ne!(head(&t).await["hash"], old_head);
    assert_eq!(t.balance(a).await, U256::from(1));
    assert_eq!(t.balance(b).await, U256::from(18));
    assert_eq!(t.nonce(t.account(0)).await, 3);
    let last = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(height), false]))
        .await;
    assert_eq!(last["transactions"].as_array().unwrap().len(), 2);

    let err = t.rpc.err("anvil_reorg", json!([height + 1, []])).await;
    assert!(
        err.message.starts_with("Reorg depth must not exceed"),
        "{err:?}"
    );
    let err = t
        .rpc
        .err(
            "anvil_reorg",
            json!({ "depth": 1, "txBlockPairs": [[raw_json(&t), 1]] }),
        )
        .await;
    assert!(
        err.message
            .starts_with("Block number for reorg tx will exceed"),
        "{err:?}"
    );
}

fn raw_json(t: &TestNode) -> Value {
    json!({ "from": t.account(0), "to": fresh_address(15), "value": "0x1" })
}

#[tokio::test]
async fn reset_goes_back_to_genesis() {
    let t = TestNode::start().await;
    let genesis = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["0x0", false]))
        .await;
    t.transfer_and_wait(0, fresh_address(16)).await;
    t.rpc.ok("anvil_setChainId", json!([5])).await;
    t.rpc.ok("evm_snapshot", json!([])).await;
    std::thread::sleep(std::time::Duration::from_millis(1100));

    assert_eq!(t.rpc.ok("anvil_reset", json!([])).await, Value::Null);
    assert_eq!(t.block_number().await, 0);
    assert_eq!(t.balance(fresh_address(16)).await, U256::ZERO);
    assert_eq!(t.balance(t.account(0)).await, crate::support::dev_balance());
    assert_eq!(qty(&t.rpc.ok("eth_chainId", json!([])).await), 270);
    let meta = t.rpc.ok("hardhat_metadata", json!([])).await;
    assert_eq!(meta["snapshots"], json!({}));
    assert_ne!(meta["instanceId"], genesis["hash"], "a new instance");
    t.rpc.ok("hardhat_reset", json!([{}])).await;
    let err = t
        .rpc
        .err(
            "anvil_reset",
            json!([{ "forking": { "jsonRpcUrl": "http://x" } }]),
        )
        .await;
    assert_eq!(err.code, -32602);
    assert!(t.transfer_and_wait(0, fresh_address(16)).await.status());
}

#[tokio::test]
async fn deal_erc20_balance_and_allowance() {
    let t = TestNode::start().await;
    let token = t.deploy_token(0, eth(1000)).await;
    let holder = t.account(1);
    let amount = U256::from(123_456u64);

    let answer = t
        .rpc
        .ok("anvil_dealERC20", json!([holder, token, amount]))
        .await;
    assert_eq!(answer, Value::Null);
    assert_eq!(
        call_u256(&t, token, Token::balanceOfCall(holder)).await,
        amount
    );
    t.rpc
        .ok("anvil_setERC20Balance", json!([holder, token, "0x10"]))
        .await;
    assert_eq!(
        call_u256(&t, token, Token::balanceOfCall(holder)).await,
        U256::from(16)
    );
    t.rpc
        .ok("hardhat_dealERC20", json!([holder, token, amount]))
        .await;

    let spender = t.account(2);
    let answer = t
        .rpc
        .ok(
            "anvil_setERC20Allowance",
            json!([holder, spender, token, "0x64"]),
        )
        .await;
    assert_eq!(answer, Value::Null);
    let allowance = Token::allowanceCall {
        _0: holder,
        _1: spender,
    };
    assert_eq!(call_u256(&t, token, allowance).await, U256::from(100));
    // The spender can use it.
    let to = fresh_address(17);
    let pull = Token::transferFromCall {
        from: holder,
        to,
        value: U256::from(60),
    };
    assert!(t.call_and_wait(2, token, pull).await.status());
    assert_eq!(
        call_u256(&t, token, Token::balanceOfCall(to)).await,
        U256::from(60)
    );
    assert_eq!(
        call_u256(&t, token, Token::balanceOfCall(holder)).await,
        amount - U256::from(60)
    );

    let err = t
        .rpc
        .err("anvil_dealERC20", json!([holder, fresh_address(18), "0x1"]))
        .await;
    assert_eq!(err.message, "Unable to set ERC20 balance, no slot found");
}
