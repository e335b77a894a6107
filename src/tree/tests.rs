use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256, address, b256, keccak256};
use proptest::prelude::*;

use super::hash::empty_subtree_hash;
use super::*;

/// Naive reference: hash every level of the dense tree from the leaves, in insertion order.
fn naive_root(entries: &[(B256, B256)]) -> B256 {
    let mut keys: Vec<(B256, u64)> = vec![(MIN_GUARD_KEY, 0), (MAX_GUARD_KEY, 1)];
    keys.extend(
        entries
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (*key, i as u64 + 2)),
    );
    keys.sort();
    let mut next = vec![1u64; keys.len()];
    for pair in keys.windows(2) {
        next[pair[0].1 as usize] = pair[1].1;
    }
    let values = [B256::ZERO, B256::ZERO]
        .into_iter()
        .chain(entries.iter().map(|(_, v)| *v));
    let mut hashes: Vec<B256> = [MIN_GUARD_KEY, MAX_GUARD_KEY]
        .into_iter()
        .chain(entries.iter().map(|(k, _)| *k))
        .zip(values)
        .enumerate()
        .map(|(i, (key, value))| {
            Leaf {
                key,
                value,
                next_index: next[i],
            }
            .hash()
        })
        .collect();
    for level in 0..TREE_DEPTH {
        if hashes.len() % 2 == 1 {
            hashes.push(empty_subtree_hash(level));
        }
        hashes = hashes
            .chunks(2)
            .map(|pair| blake2s256(&[pair[0].as_slice(), pair[1].as_slice()]))
            .collect();
    }
    hashes[0]
}

#[test]
fn genesis_matches_zksync_os() {
    // Vectors from ZKsync OS `simple_growable_storage` tests (`test_create`) and
    // zksync-os-server `empty_tree_hash_is_correct`.
    assert_eq!(
        Leaf::default().hash(),
        b256!("0xe3cdc93b3c2beb30f6a7c7cc45a32da012df9ae1be880e2c074885cb3f4e1e53")
    );
    let tree = StateTree::new();
    assert_eq!(
        tree.prove_index(0).leaf.hash(),
        b256!("0x9903897e51baa96a5ea51b4c194d3e0c6bcf20947cce9fd646dfb4bf754c8d28")
    );
    assert_eq!(
        tree.prove_index(1).leaf.hash(),
        b256!("0xb35299e7564e05e335094c02064bccf83d58745b417874b1fee3f523ec2007a9")
    );
    assert_eq!(
        empty_subtree_hash(1),
        b256!("0xc45bfaf4bb5d0fee27d3178b8475155a07a1fa8ada9a15133a9016f7d0435f0f")
    );
    assert_eq!(
        empty_subtree_hash(63),
        b256!("0xb720fe53e6bd4e997d967b8649e10036802a4fd3aca6d7dcc43ed9671f41cb31")
    );
    assert_eq!(
        tree.root(),
        b256!("0x90a83ead2ba2194fbbb0f7cd2a017e36cfb4891513546d943a7282c2844d4b6b")
    );
    assert_eq!(tree.leaf_count(), 2);
    assert_eq!(tree.root(), naive_root(&[]));
}

#[test]
fn inserts_and_updates_match_zksync_os() {
    // ZKsync OS `test_insert` and `test_insert_many_and_update`.
    let (k1, v1) = (B256::repeat_byte(0x01), B256::repeat_byte(0x10));
    let (k2, v2) = (B256::repeat_byte(0x02), B256::repeat_byte(0x20));
    let mut tree = StateTree::new();
    assert_eq!(
        tree.apply(&[(k1, v1)]),
        b256!("0x08da20879eebed16fbd14e50b427bb97c8737aa860e6519877757e238df83a15")
    );
    assert_eq!(
        tree.apply(&[(k2, v2)]),
        b256!("0xf227612db17b44a5c9a2ebd0e4ff2dbe91aa05f3198d09f0bcfd6ef16c1d28c8")
    );
    assert_eq!(
        tree.apply(&[(k1, B256::repeat_byte(0x33))]),
        b256!("0x81a600569c2cda27c7ae4773255acc70ac318a49404fa1035a7734a3aaa82589")
    );
    assert_eq!(tree.leaf_count(), 4);
    assert_eq!(tree.get(&k1), Some(B256::repeat_byte(0x33)));
}

#[test]
fn key_ordering_matches_zksync_os_server() {
    // zksync-os-server `key_ordering`: both keys in one extend.
    let k1 = B256::from(U256::from(0xc0ffeefe_u32));
    let k2 = B256::from(U256::from(0xdeadbeef_u32));
    let mut tree = StateTree::new();
    let root = tree.apply(&[(k1, B256::repeat_byte(0x10)), (k2, B256::repeat_byte(0x20))]);
    assert_eq!(
        root,
        b256!("0xc90465eddad7cc858a2fbf61013d7051c143887a887e5a7a19344ac32151b207")
    );
    let TreeProof::Existing(first) = tree.prove(&k1) else {
        panic!("k1 is present")
    };
    let TreeProof::Existing(second) = tree.prove(&k2) else {
        panic!("k2 is present")
    };
    assert_eq!((first.index, first.leaf.next_index), (2, 3));
    assert_eq!((second.index, second.leaf.next_index), (3, 1));
}

#[test]
fn proofs_verify_and_tampering_fails() {
    let mut tree = StateTree::new();
    let keys: Vec<B256> = (1..=20u8).map(|i| keccak256([i])).collect();
    let writes: Vec<_> = keys
        .iter()
        .map(|k| (*k, B256::repeat_byte(k[0] | 1)))
        .collect();
    let root = tree.apply(&writes);

    for (key, value) in &writes {
        assert_eq!(tree.prove(key).verify(root, key), Ok(Some(*value)));
    }
    for guard in [MIN_GUARD_KEY, MAX_GUARD_KEY] {
        assert_eq!(
            tree.prove(&guard).verify(root, &guard),
            Ok(Some(B256::ZERO))
        );
    }
    let absent = keccak256(b"absent");
    let absent_proof = tree.prove(&absent);
    assert_eq!(absent_proof.verify(root, &absent), Ok(None));
    assert!(
        tree.prove(&keys[0]).verify(root, &absent).is_err(),
        "proof of another key"
    );
    assert!(
        absent_proof.verify(root, &keys[0]).is_err(),
        "absence proof for a present key"
    );
    assert!(
        absent_proof.verify(B256::repeat_byte(7), &absent).is_err(),
        "wrong root"
    );

    let TreeProof::Existing(good) = tree.prove(&keys[3]) else {
        panic!("present")
    };
    let existing = |p: LeafProof| TreeProof::Existing(p).verify(root, &keys[3]);
    let mut bad = good.clone();
    bad.leaf.value = B256::repeat_byte(0xee);
    assert!(matches!(
        existing(bad),
        Err(ProofError::RootMismatch { .. })
    ));
    let mut bad = good.clone();
    bad.siblings[40] = B256::repeat_byte(1);
    assert!(matches!(
        existing(bad),
        Err(ProofError::RootMismatch { .. })
    ));
    let mut bad = good.clone();
    bad.index ^= 1;
    assert!(matches!(
        existing(bad),
        Err(ProofError::RootMismatch { .. })
    ));
    let mut bad = good.clone();
    bad.leaf.next_index += 1;
    assert!(matches!(
        existing(bad),
        Err(ProofError::RootMismatch { .. })
    ));
    let mut bad = good.clone();
    bad.siblings.pop();
    assert_eq!(existing(bad), Err(ProofError::SiblingCount(63)));
    assert_eq!(existing(good), Ok(Some(writes[3].1)));

    // An absence proof built from two leaves that are not neighbours.
    let TreeProof::Absent { left, .. } = absent_proof else {
        panic!("absent")
    };
    let forged = TreeProof::Absent {
        left,
        right: tree.prove_index(1),
    };
    assert_eq!(forged.verify(root, &absent), Err(ProofError::NotNeighbours));
}

#[test]
fn proof_round_trips_through_json() {
    let mut tree = StateTree::new();
    tree.apply(&[(B256::repeat_byte(5), B256::repeat_byte(6))]);
    let proof = tree.prove(&B256::repeat_byte(9));
    let json = serde_json::to_string(&proof).unwrap();
    assert_eq!(serde_json::from_str::<TreeProof>(&json).unwrap(), proof);
}

#[test]
fn empty_slot_proof_opens_the_next_index() {
    let tree = StateTree::new();
    let proof = tree.prove_index(tree.leaf_count());
    assert_eq!(proof.leaf, Leaf::default());
    assert_eq!(proof.root_from(), tree.root());
}

#[test]
fn zero_writes() {
    let key = B256::repeat_byte(0x42);
    let mut tree = StateTree::new();
    let genesis = tree.root();
    assert_eq!(
        tree.apply(&[(key, B256::ZERO)]),
        genesis,
        "zero into an absent slot is a read"
    );
    assert_eq!(tree.get(&key), None);

    tree.apply(&[(key, B256::repeat_byte(1))]);
    tree.apply(&[(key, B256::ZERO)]);
    assert_eq!(
        tree.get(&key),
        Some(B256::ZERO),
        "the leaf stays with value 0"
    );
    assert_eq!(tree.leaf_count(), 3);
    assert_eq!(tree.root(), naive_root(&[(key, B256::ZERO)]));
}

#[test]
fn clone_keeps_the_old_version() {
    let mut tree = StateTree::new();
    tree.apply(&[(B256::repeat_byte(1), B256::repeat_byte(1))]);
    let before = tree.clone();
    let old_root = before.root();
    tree.apply(&[
        (B256::repeat_byte(1), B256::repeat_byte(2)),
        (B256::repeat_byte(3), B256::repeat_byte(3)),
    ]);
    assert_eq!(before.root(), old_root);
    assert_eq!(
        before.get(&B256::repeat_byte(1)),
        Some(B256::repeat_byte(1))
    );
    assert_ne!(tree.root(), old_root);
}

#[test]
fn block_with_20k_writes() {
    let mut tree = StateTree::new();
    let mut writes: Vec<_> = (0..20_000u32)
        .map(|i| (keccak256(i.to_be_bytes()), B256::from(U256::from(i + 1))))
        .collect();
    writes.sort();
    tree.apply(&writes);
    assert_eq!(tree.leaf_count(), 20_002);
    // A second block: half updates, half new keys.
    let mut block: Vec<_> = (10_000..30_000u32)
        .map(|i| (keccak256(i.to_be_bytes()), B256::from(U256::from(i + 7))))
        .collect();
    block.sort();
    let root = tree.apply(&block);
    assert_eq!(tree.leaf_count(), 30_002);
    let key = keccak256(15_000u32.to_be_bytes());
    assert_eq!(
        tree.prove(&key).verify(root, &key),
        Ok(Some(B256::from(U256::from(15_007))))
    );
}

#[test]
fn keys_follow_zksync_os() {
    let user = address!("0x36615Cf349d7F6344891B1e7CA7C72883F5dc049");
    // Flat key: blake2s(address padded to 32 bytes ‖ slot).
    let slot = B256::from(U256::from(3));
    let mut preimage = [0u8; 64];
    preimage[12..32].copy_from_slice(user.as_slice());
    preimage[32..].copy_from_slice(slot.as_slice());
    assert_eq!(storage_key(user, slot), blake2s256(&[&preimage]));
    assert_eq!(
        account_key(user),
        storage_key(ACCOUNT_PROPERTIES_ADDRESS, user.into_word())
    );
    assert_eq!(
        ACCOUNT_PROPERTIES_ADDRESS,
        Address::with_last_byte(0x03) | Address::left_padding_from(&[0x80, 0x03])
    );
}

#[test]
fn account_properties_encoding() {
    let balance = U256::from(10).pow(U256::from(22));
    let eoa = AccountProperties::for_code(5, balance, &[]);
    let bytes = eoa.encode();
    assert_eq!(&bytes[0..8], &[0; 8], "an EOA is not deployed");
    assert_eq!(&bytes[8..16], &5u64.to_be_bytes());
    assert_eq!(&bytes[16..48], &balance.to_be_bytes::<32>());
    assert!(bytes[48..].iter().all(|b| *b == 0));
    assert_eq!(
        account_value(5, balance, KECCAK256_EMPTY, 0),
        blake2s256(&[&bytes])
    );
    assert_eq!(account_value_for_code(5, balance, &[]), eoa.hash());

    // PUSH1 0x5b (push data, not a jumpdest), JUMPDEST at 2, then 62 STOPs and a JUMPDEST at 65.
    let mut code = vec![0x60, 0x5b, 0x5b];
    code.resize(65, 0);
    code.push(0x5b);
    let contract = AccountProperties::for_code(1, U256::ZERO, &code);
    assert_eq!(
        contract.versioning_data, 0x0101_0100_0000_0000,
        "deployed, EVM, artifacts cached"
    );
    assert_eq!(contract.unpadded_code_len, 66);
    assert_eq!(contract.observable_bytecode_len, 66);
    assert_eq!(contract.artifacts_len, 16, "two u64 bitmap words");
    assert_eq!(contract.observable_bytecode_hash, keccak256(&code));
    let mut preimage = code.clone();
    preimage.resize(72, 0);
    let mut bitmap = [0u8; 16];
    bitmap[0] = 1 << 2;
    bitmap[8] = 1 << 1;
    preimage.extend_from_slice(&bitmap);
    assert_eq!(contract.bytecode_hash, blake2s256(&[&preimage]));

    let mut delegation = vec![0xef, 0x01, 0x00];
    delegation.extend_from_slice(address!("0x00000000000000000000000000000000000000aa").as_slice());
    let delegated = AccountProperties::for_code(0, U256::ZERO, &delegation);
    assert_eq!(delegated.versioning_data, 0x0201_0000_0000_0000);
    assert_eq!(delegated.artifacts_len, 0);
    let mut padded = delegation.clone();
    padded.resize(24, 0);
    assert_eq!(delegated.bytecode_hash, blake2s256(&[&padded]));
}

#[test]
fn state_commitment_layout() {
    let root = B256::repeat_byte(0xaa);
    let genesis_hash = B256::repeat_byte(0xbb);
    let mut padded = vec![0u8; 255 * 32];
    padded.extend_from_slice(genesis_hash.as_slice());
    let blocks = blake2s256(&[&padded]);
    let expected = blake2s256(&[
        root.as_slice(),
        &7u64.to_be_bytes(),
        &0u64.to_be_bytes(),
        blocks.as_slice(),
        &0u64.to_be_bytes(),
    ]);
    assert_eq!(state_commitment(root, 7, 0, &[genesis_hash], 0), expected);
    // More than 256 hashes: only the last 256 count.
    let many: Vec<B256> = (0..300u32).map(|i| B256::from(U256::from(i))).collect();
    assert_eq!(
        state_commitment(root, 7, 299, &many, 9),
        state_commitment(root, 7, 299, &many[44..], 9)
    );
}

/// A block as the pipeline builds it: last value per key, keys in order of first write.
fn block_writes(ops: &[(u8, B256)]) -> Vec<(B256, B256)> {
    let mut out: Vec<(B256, B256)> = Vec::new();
    for &(id, value) in ops {
        let key = keccak256([id]);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => out.push((key, value)),
        }
    }
    out
}

fn nonzero_value() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(|mut bytes| {
        bytes[31] |= 1;
        B256::from(bytes)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn splitting_blocks_keeps_the_root(
        ops in prop::collection::vec((0u8..40, nonzero_value()), 1..120),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let mut one_block = StateTree::new();
        let single = block_writes(&ops);
        one_block.apply(&single);

        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(ops.len() + 1)).collect();
        cuts.extend([0, ops.len()]);
        cuts.sort_unstable();
        let mut split = StateTree::new();
        for pair in cuts.windows(2) {
            split.apply(&block_writes(&ops[pair[0]..pair[1]]));
        }
        prop_assert_eq!(split.root(), one_block.root());
        prop_assert_eq!(split.leaf_count(), one_block.leaf_count());
        prop_assert_eq!(one_block.root(), naive_root(&single));
    }

    #[test]
    fn proofs_hold_for_any_key(
        ops in prop::collection::vec((0u8..40, nonzero_value()), 0..60),
        probe in 0u8..60,
    ) {
        let mut tree = StateTree::new();
        let root = tree.apply(&block_writes(&ops));
        let key = keccak256([probe]);
        let proof = tree.prove(&key);
        prop_assert_eq!(proof.verify(root, &key), Ok(tree.get(&key)));
        match proof {
            TreeProof::Existing(p) => prop_assert_eq!(p.root_from(), root),
            TreeProof::Absent { left, right } => {
                prop_assert!(left.leaf.key < key && key < right.leaf.key);
            }
        }
    }
}

#[test]
fn a_tree_read_back_from_its_leaves_is_the_same_tree() {
    let mut tree = StateTree::new();
    tree.apply(&block_writes(&[
        (3, B256::repeat_byte(1)),
        (1, B256::repeat_byte(2)),
    ]));
    tree.apply(&block_writes(&[(2, B256::repeat_byte(3)), (3, B256::ZERO)]));
    let again = StateTree::from_leaves(tree.leaves()).expect("valid leaves");
    assert_eq!(again.root(), tree.root());
    assert_eq!(again.leaf_count(), tree.leaf_count());
    // New keys go on after it the same way.
    let next = block_writes(&[(9, B256::repeat_byte(4)), (0, B256::repeat_byte(5))]);
    let (mut a, mut b) = (tree.clone(), again);
    assert_eq!(a.apply(&next), b.apply(&next));
    // Leaves without the guards first, or with a key twice, are not a tree.
    let mut leaves: Vec<_> = tree.leaves().collect();
    leaves.swap(0, 1);
    assert!(StateTree::from_leaves(leaves.clone()).is_none());
    leaves.swap(0, 1);
    leaves.push(leaves[2]);
    assert!(StateTree::from_leaves(leaves).is_none());
}
