//! The methods zksync-os-server defines itself, in its shapes: `zks_getProof` checked end to end
//! by the algorithm of the server's `docs/src/design/zks_getProof.md` against the batch hash
//! the chain contract keeps on L1, and the other server methods against what the chain shows.

use alloy::{
    primitives::{Address, B256, U256, address, keccak256},
    providers::{Provider, ProviderBuilder},
    sol_types::{SolCall, SolValue},
};
use blake2::{Blake2s256, Digest};
use serde_json::{Value, json};

use crate::{
    settlement::wait_finalized,
    support::{TestNode, dev_balance, qty},
};

alloy::sol! {
    struct StoredBatchInfo {
        uint64 batchNumber;
        bytes32 batchHash;
        uint64 indexRepeatedStorageChanges;
        uint256 numberOfLayer1Txs;
        bytes32 priorityOperationsHash;
        bytes32 dependencyRootsRollingHash;
        bytes32 l2LogsTreeRoot;
        uint256 timestamp;
        bytes32 commitment;
    }
    function storedBatchHash(uint256 batchNumber) external view returns (bytes32);
}

const ACCOUNT_PROPERTIES: Address = address!("0x0000000000000000000000000000000000008003");

fn blake(parts: &[&[u8]]) -> B256 {
    let mut hasher = Blake2s256::new();
    for part in parts {
        hasher.update(part);
    }
    B256::from_slice(&hasher.finalize())
}

fn b256(v: &Value) -> B256 {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v} is not 32 bytes: {e}"))
}

/// `emptyHash(i)` of the document: an empty leaf is 72 zero bytes.
fn empty_hash(level: usize) -> B256 {
    let mut hash = blake(&[&[0u8; 72]]);
    for _ in 0..level {
        hash = blake(&[hash.as_slice(), hash.as_slice()]);
    }
    hash
}

/// `walkMerklePath(hashLeaf(key, value, nextIndex), index, siblings)`.
fn walk(key: B256, entry: &Value) -> B256 {
    let value = b256(&entry["value"]);
    let next = entry["nextIndex"].as_u64().expect("nextIndex is a number");
    let mut index = entry["index"].as_u64().expect("index is a number");
    let siblings: Vec<B256> = serde_json::from_value(entry["siblings"].clone()).unwrap();
    assert!(siblings.len() < 64, "the path is cut above the used leaves");
    let mut hash = blake(&[key.as_slice(), value.as_slice(), &next.to_le_bytes()]);
    for level in 0..64 {
        let sibling = siblings
            .get(level)
            .copied()
            .unwrap_or_else(|| empty_hash(level));
        hash = if index.is_multiple_of(2) {
            blake(&[hash.as_slice(), sibling.as_slice()])
        } else {
            blake(&[sibling.as_slice(), hash.as_slice()])
        };
        index /= 2;
    }
    assert_eq!(index, 0);
    hash
}

/// Verifies every storage proof of a `zks_getProof` answer as the server's document says and
/// returns (the `StoredBatchInfo` hash it leads to, the proven values).
fn verify(answer: &Value) -> (B256, Vec<Option<B256>>) {
    let address: Address = serde_json::from_value(answer["address"].clone()).unwrap();
    let mut roots = vec![];
    let mut values = vec![];
    for proof in answer["storageProofs"].as_array().unwrap() {
        let flat = blake(&[
            address.into_word().as_slice(),
            b256(&proof["key"]).as_slice(),
        ]);
        let p = &proof["proof"];
        match p["type"].as_str() {
            Some("existing") => {
                roots.push(walk(flat, p));
                values.push(Some(b256(&p["value"])));
            }
            Some("nonExisting") => {
                let (left, right) = (&p["leftNeighbor"], &p["rightNeighbor"]);
                let left_root = walk(b256(&left["leafKey"]), left);
                assert_eq!(left_root, walk(b256(&right["leafKey"]), right));
                assert!(b256(&left["leafKey"]) < flat && flat < b256(&right["leafKey"]));
                assert_eq!(left["nextIndex"], right["index"]);
                roots.push(left_root);
                values.push(None);
            }
            other => panic!("unknown proof type {other:?}"),
        }
    }
    assert!(roots.windows(2).all(|w| w[0] == w[1]), "one tree root");
    let pre = &answer["stateCommitmentPreimage"];
    let commitment = blake(&[
        roots[0].as_slice(),
        &qty(&pre["nextFreeSlot"]).to_be_bytes(),
        &qty(&pre["blockNumber"]).to_be_bytes(),
        b256(&pre["last256BlockHashesBlake"]).as_slice(),
        &qty(&pre["lastBlockTimestamp"]).to_be_bytes(),
    ]);
    let l1 = &answer["l1VerificationData"];
    let info = StoredBatchInfo {
        batchNumber: l1["batchNumber"].as_u64().unwrap(),
        batchHash: commitment,
        indexRepeatedStorageChanges: 0,
        numberOfLayer1Txs: U256::from(l1["numberOfLayer1Txs"].as_u64().unwrap()),
        priorityOperationsHash: b256(&l1["priorityOperationsHash"]),
        dependencyRootsRollingHash: b256(&l1["dependencyRootsRollingHash"]),
        l2LogsTreeRoot: b256(&l1["l2ToL1LogsRootHash"]),
        timestamp: U256::ZERO,
        commitment: b256(&l1["commitment"]),
    };
    (keccak256(info.abi_encode()), values)
}

async fn stored_batch_hash(node: &TestNode, batch: u64) -> B256 {
    let l1 = ProviderBuilder::new().connect_http(node.node.l1_rpc_url().unwrap().parse().unwrap());
    let out = l1
        .call(
            alloy::rpc::types::TransactionRequest::default()
                .to(node.node.l1_contracts().unwrap().zk_chain)
                .input(
                    storedBatchHashCall {
                        batchNumber: U256::from(batch),
                    }
                    .abi_encode()
                    .into(),
                ),
        )
        .await
        .unwrap();
    B256::from_slice(&out)
}

/// A counter incremented once, its batch executed on L1: (node, counter, block, batch).
async fn counter_in_a_final_batch() -> (TestNode, Address, u64, u64) {
    let node = TestNode::start().await;
    let counter = node.deploy_counter(0).await;
    let receipt = node
        .call_and_wait(0, counter, crate::contracts::Counter::incrementCall {})
        .await;
    assert!(receipt.status());
    let block = receipt.block_number.unwrap();
    wait_finalized(&node, block).await;
    let raw = node.receipt_json(receipt.transaction_hash).await;
    let batch = qty(&raw["l1BatchNumber"]);
    (node, counter, block, batch)
}

#[tokio::test]
async fn zks_get_proof_verifies_against_the_batch_hash_on_l1() {
    let (node, counter, _, batch) = counter_in_a_final_batch().await;
    let on_l1 = stored_batch_hash(&node, batch).await;

    let slot = B256::ZERO;
    let absent = B256::repeat_byte(0x55);
    let answer = node
        .rpc
        .ok("zks_getProof", json!([counter, [slot, absent], batch]))
        .await;
    assert_eq!(answer["address"], json!(counter));
    assert_eq!(answer["storageProofs"][0]["key"], json!(slot));
    assert_eq!(answer["storageProofs"][0]["proof"]["type"], "existing");
    assert_eq!(answer["storageProofs"][1]["proof"]["type"], "nonExisting");
    let (hash, values) = verify(&answer);
    assert_eq!(hash, on_l1, "the proof leads to the batch hash L1 stores");
    assert_eq!(
        values,
        vec![Some(B256::from(U256::from(1))), None],
        "count = 1"
    );

    // A forged value leads elsewhere.
    let mut forged = answer.clone();
    forged["storageProofs"] = json!([answer["storageProofs"][0]]);
    forged["storageProofs"][0]["proof"]["value"] = json!(B256::from(U256::from(2)));
    assert_ne!(verify(&forged).0, on_l1);

    // The account: its properties under 0x…8003, and their preimage hashes to the proven value.
    let account = node
        .rpc
        .ok(
            "zks_getProof",
            json!([ACCOUNT_PROPERTIES, [counter.into_word()], batch]),
        )
        .await;
    let (hash, values) = verify(&account);
    assert_eq!(hash, on_l1);
    let preimage: alloy::primitives::Bytes = serde_json::from_value(
        node.rpc
            .ok("zks_getAccountPreimage", json!([counter, batch]))
            .await,
    )
    .unwrap();
    assert_eq!(preimage.len(), 124);
    assert_eq!(Some(blake(&[&preimage])), values[0]);
    // nonce (bytes 8..16) 1, balance (16..48) 0, observable code length (120..124) = the code's.
    assert_eq!(u64::from_be_bytes(preimage[8..16].try_into().unwrap()), 1);
    assert_eq!(U256::from_be_slice(&preimage[16..48]), U256::ZERO);
    let code = node.provider.get_code_at(counter).await.unwrap();
    assert_eq!(
        u32::from_be_bytes(preimage[120..124].try_into().unwrap()) as usize,
        code.len()
    );
    assert_eq!(&preimage[88..120], keccak256(&code).as_slice());
    // Never-touched accounts have no preimage; unknown batches no proof.
    assert_eq!(
        node.rpc
            .ok(
                "zks_getAccountPreimage",
                json!([Address::repeat_byte(0x77), batch])
            )
            .await,
        Value::Null
    );
    assert_eq!(
        node.rpc
            .ok("zks_getProof", json!([counter, [slot], 1_000_000]))
            .await,
        Value::Null
    );
}

#[tokio::test]
async fn the_servers_batch_and_block_methods_agree_with_l1_and_the_chain() {
    let (node, _, block, batch) = counter_in_a_final_batch().await;
    let rpc = &node.rpc;

    let persisted = rpc
        .ok("unstable_getBatchByBlockNumber", json!([block]))
        .await;
    let info = &persisted["batch_info"];
    assert_eq!(info["batch_number"], json!(batch));
    let range = &persisted["block_range"];
    assert!(range["start"].as_u64().unwrap() <= block && block <= range["end"].as_u64().unwrap());
    let stored = StoredBatchInfo {
        batchNumber: batch,
        batchHash: b256(&info["state_commitment"]),
        indexRepeatedStorageChanges: 0,
        numberOfLayer1Txs: U256::from(info["number_of_layer1_txs"].as_u64().unwrap()),
        priorityOperationsHash: b256(&info["priority_operations_hash"]),
        dependencyRootsRollingHash: b256(&info["dependency_roots_rolling_hash"]),
        l2LogsTreeRoot: b256(&info["l2_to_l1_logs_root_hash"]),
        timestamp: U256::ZERO,
        commitment: b256(&info["commitment"]),
    };
    assert_eq!(
        keccak256(stored.abi_encode()),
        stored_batch_hash(&node, batch).await
    );
    let last = node
        .provider
        .get_block_by_number(range["end"].as_u64().unwrap().into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info["last_block_timestamp"], json!(last.header.timestamp));
    let far = rpc
        .err("unstable_getBatchByBlockNumber", json!([1_000_000]))
        .await;
    assert_eq!(far.code, -32001, "{far:?}");

    // The logs tree root L1 stores is keccak(localRoot ‖ 32 zero bytes).
    let local = b256(&rpc.ok("unstable_getLocalRoot", json!([batch])).await);
    assert_eq!(
        keccak256([local.as_slice(), &[0u8; 32]].concat()),
        stored.l2LogsTreeRoot
    );

    let metadata = rpc.ok("zks_getBlockMetadataByNumber", json!([block])).await;
    assert_eq!(
        metadata,
        json!({
            // The default prices: 10 wei per native unit, 1,000 wei per pubdata byte.
            "pubdata_price_per_byte": "0x3e8",
            "native_price": "0xa",
            "execution_version": 5,
        })
    );
    assert_eq!(
        rpc.ok("zks_getBlockMetadataByNumber", json!([block + 1_000]))
            .await,
        Value::Null
    );

    // Genesis: the root is batch 0's commitment; the dev accounts are raw tree entries whose
    // value is their account properties (no code, nonce 0, the dev balance); contract code and
    // slots are what the chain shows at block 0.
    let genesis = rpc.ok("zks_getGenesis", json!([])).await;
    let batch0 = rpc.ok("zks_getL1BatchDetails", json!([0])).await;
    assert_eq!(genesis["genesis_root"], batch0["rootHash"]);
    assert_eq!(genesis["execution_version"], 5);
    let raw = genesis["additional_storage_raw"].as_array().unwrap();
    let dev = node.account(1);
    let key = blake(&[
        ACCOUNT_PROPERTIES.into_word().as_slice(),
        dev.into_word().as_slice(),
    ]);
    let value = zkos_dev::tree::account_value_for_code(0, dev_balance(), &[]);
    assert!(raw.contains(&json!([key, value])), "{genesis}");
    for entry in genesis["initial_contracts"].as_array().unwrap() {
        let address: Address = serde_json::from_value(entry[0].clone()).unwrap();
        let code = node
            .provider
            .get_code_at(address)
            .block_id(0.into())
            .await
            .unwrap();
        assert_eq!(entry[1], json!(code));
    }
    for (address, slots) in genesis["additional_storage"].as_object().unwrap() {
        let address: Address = address.parse().unwrap();
        for (slot, value) in slots.as_object().unwrap() {
            let slot: U256 = slot.parse().unwrap();
            let at = node
                .provider
                .get_storage_at(address, slot)
                .block_id(0.into())
                .await
                .unwrap();
            assert_eq!(json!(B256::from(at)), *value);
        }
    }
}
