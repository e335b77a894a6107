//! Prover input: one batch's witness. `build`: (chain, states, batches, batch) -> `ProverInput`;
//! `encode` / `decode`: `ProverInput` <-> bytes (what the prover API hands out, base64).
//!
//! Format, version 3 (2 had no `prices` / `protocol`, 1 no `rules` / `allow_eip7702`): one version byte `0x03`, then the UTF-8
//! JSON of [`ProverInput`]
//! (field names as below; numbers and hashes as alloy serialises them: hex strings for
//! `U256`/`B256`/`Bytes`/`Address`, JSON numbers for `u64`). A reader refuses any other
//! version byte. What it holds:
//! - `prev`: what the batch starts from — the previous root, leaf count, last block number
//!   and timestamp and its last (up to) 256 block hashes, oldest first, all of which the
//!   previous state commitment (L1's `batchHash` of batch n-1) commits to;
//! - `blocks`: per block its context and its txs (EIP-2718 bytes + sender; an L1 tx is
//!   `0x7f ‖ abi.encode(L2CanonicalTransaction)`, an EIP-712 tx (`--eip712`) `0x71 ‖` its RLP
//!   list up to `factoryDeps`, as `crate::tx::eip712` encodes it), plus `overrides`: dev-method edits made
//!   before it (`anvil_setBalance` & co.; empty unless someone used them);
//! - `accounts` / `slots`: every account and slot the batch reads or writes, with its value
//!   before the batch and its tree proof (present, or absent by its two neighbours) against
//!   `prev.root`; an account edited by a dev method before the first block has no value
//!   (`overridden`), its override gives it;
//! - `bytecodes`: the code of every such account that has code;
//! - `first_unused`: the path of slot `prev.leaf_count` (where new keys go);
//! - `claim`: the new state commitment and batch commitment the node will put on L1.
//!
//! It is built by re-running the batch's blocks on the node's state before the batch with
//! the state recording every read, then proving each key in the previous batch's tree.
//!
//! The format's description above, the types it names, the builder that fills them and the
//! encoder/decoder change together (a new field is a new version byte), so they stay side by
//! side; applying a witness to a state (the re-executor's side) is `witness_state.rs`.

use std::{collections::BTreeSet, sync::Arc};

use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256};
use anyhow::{Context as _, bail, ensure};
use serde::{Deserialize, Serialize};

use super::witness_state::{apply_overrides, code_map};
use crate::{
    batcher::{Batch, BatchStore, keyed},
    executor::{BlockContext, Executor},
    storage::{
        ChainStore,
        state::{BlockHashes, BlockWrites, ReadKey, StateSnapshot, StateStore},
    },
    tree::{LeafProof, StateTree, TreeProof, account_key, storage_key},
};

/// Version byte of the encoding.
pub const PROVER_INPUT_VERSION: u8 = 3;

/// One batch's witness: everything needed to re-execute it without the node's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProverInput {
    /// L2 chain id.
    pub chain_id: u64,
    /// The execution rules the chain follows.
    pub rules: crate::executor::EvmRules,
    /// Whether it runs EIP-7702 txs (`--allow-eip7702`).
    pub allow_eip7702: bool,
    /// ZKsync OS's native and pubdata prices (`--native-price`, `--pubdata-price`).
    pub prices: crate::executor::ResourcePrices,
    /// The protocol version imitated (`--protocol-version`).
    pub protocol: crate::executor::ProtocolVersion,
    /// The batch.
    pub batch_number: u64,
    /// The state before it.
    pub prev: PrevState,
    /// Its blocks in order.
    pub blocks: Vec<BlockInput>,
    /// Accounts read or written, with their values before the batch and proofs.
    pub accounts: Vec<AccountRead>,
    /// Slots read or written, with their values before the batch and proofs.
    pub slots: Vec<SlotRead>,
    /// Code of the accounts above that have code.
    pub bytecodes: Vec<Bytes>,
    /// Path of the first unused leaf slot (`prev.leaf_count`).
    pub first_unused: LeafProof,
    /// What the node claims the batch leads to.
    pub claim: Claim,
}

/// The state before the batch, as the previous state commitment commits to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrevState {
    /// The previous batch's state commitment (its `batchHash` on L1).
    pub state_commitment: B256,
    /// Tree root.
    pub root: B256,
    /// Leaves in the tree.
    pub leaf_count: u64,
    /// Last block of the previous batch.
    pub last_block: u64,
    /// Its timestamp.
    pub last_timestamp: u64,
    /// Hashes of the last (up to) 256 blocks, oldest first, ending with `last_block`'s.
    pub block_hashes: Vec<B256>,
}

/// One block: its context, txs and the dev-method edits made before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInput {
    /// Block number.
    pub number: u64,
    /// Unix timestamp, seconds.
    pub timestamp: u64,
    /// Base fee per gas.
    pub base_fee: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee recipient.
    pub coinbase: Address,
    /// PREVRANDAO.
    pub prevrandao: B256,
    /// Its txs in order.
    pub txs: Vec<TxInput>,
    /// Dev-method edits applied before its txs.
    pub overrides: Overrides,
}

impl BlockInput {
    /// The executor's block context.
    pub fn context(&self) -> BlockContext {
        BlockContext {
            number: self.number,
            timestamp: self.timestamp,
            coinbase: self.coinbase,
            gas_limit: self.gas_limit,
            base_fee: self.base_fee,
            prevrandao: self.prevrandao,
        }
    }
}

/// One tx: its EIP-2718 bytes and its sender (the re-executor recovers and compares it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxInput {
    /// EIP-2718 encoding (`0x7f ‖ abi.encode(L2CanonicalTransaction)` for an L1 tx).
    pub raw: Bytes,
    /// Sender.
    pub sender: Address,
    /// Sent for an impersonated account (`anvil_impersonateAccount`): the signature does not
    /// give the sender, which is taken as stated (a devnet feature, like `overrides`).
    #[serde(default)]
    pub impersonated: bool,
}

/// Balance, nonce and code hash of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFields {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// keccak256 of its code (`KECCAK256_EMPTY` for none); the code is in `bytecodes`.
    pub code_hash: B256,
}

/// Dev-method edits between two blocks, with final values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    /// Accounts set.
    pub accounts: Vec<(Address, AccountFields)>,
    /// Slots set.
    pub slots: Vec<(Address, U256, U256)>,
}

impl Overrides {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.slots.is_empty()
    }
}

/// An account before the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRead {
    /// Its address.
    pub address: Address,
    /// Its fields (`None`: it does not exist).
    pub account: Option<AccountFields>,
    /// Edited by a dev method before the first block: no value, the override gives it.
    pub overridden: bool,
    /// Proof of its tree leaf (key `account_key(address)`) against `prev.root`.
    pub proof: TreeProof,
}

/// A storage slot before the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotRead {
    /// The account.
    pub address: Address,
    /// The slot.
    pub slot: U256,
    /// Its value.
    pub value: U256,
    /// Proof of its tree leaf (key `storage_key(address, slot)`) against `prev.root`.
    pub proof: TreeProof,
}

/// The transition the node claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// State commitment after the batch (its `batchHash`).
    pub new_state_commitment: B256,
    /// Its batch commitment (`StoredBatchInfo.commitment`).
    pub batch_commitment: B256,
}

/// `0x01 ‖ JSON`.
pub fn encode(input: &ProverInput) -> Vec<u8> {
    let mut out = vec![PROVER_INPUT_VERSION];
    // Serialising plain data into a Vec cannot fail.
    serde_json::to_writer(&mut out, input).unwrap_or_default();
    out
}

/// Reads what [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> anyhow::Result<ProverInput> {
    match bytes.split_first() {
        Some((&PROVER_INPUT_VERSION, json)) => {
            serde_json::from_slice(json).context("prover input does not parse")
        }
        Some((version, _)) => {
            bail!("prover input version {version}, expected {PROVER_INPUT_VERSION}")
        }
        None => bail!("empty prover input"),
    }
}

/// What the input is built from: the node's storage read handles.
#[derive(Clone)]
pub struct InputSource {
    /// Blocks.
    pub chain: Arc<ChainStore>,
    /// States of recent blocks.
    pub states: Arc<StateStore>,
    /// Batches (for the previous batch's tree).
    pub batches: Arc<BatchStore>,
    /// L2 chain id.
    pub chain_id: u64,
    /// The execution rules the chain follows.
    pub rules: crate::executor::EvmRules,
    /// Whether it runs EIP-7702 txs (`--allow-eip7702`).
    pub allow_eip7702: bool,
    /// ZKsync OS's native and pubdata prices.
    pub prices: crate::executor::ResourcePrices,
    /// The protocol version imitated.
    pub protocol: crate::executor::ProtocolVersion,
}

impl InputSource {
    /// The tree before `batch`: the previous batch's, or genesis (block 0's writes).
    fn prev_tree(&self, batch: &Batch) -> anyhow::Result<StateTree> {
        if batch.number <= 1 {
            let genesis = self.chain.genesis();
            let mut tree = StateTree::new();
            tree.apply(&keyed(&genesis.writes));
            return Ok(tree);
        }
        // The previous batch's, or the tree checkpoint's the batcher started from.
        self.batches.tree(batch.number - 1).with_context(|| {
            format!(
                "the state tree of batch {} is no longer kept",
                batch.number - 1
            )
        })
    }

    /// Builds the witness of `batch` by re-running its blocks with reads recorded.
    pub fn build(&self, batch: &Batch) -> anyhow::Result<ProverInput> {
        let tree = self.prev_tree(batch)?;
        let prev_last = batch.first_block - 1;
        let prev_block = self
            .chain
            .block(prev_last)
            .context("block before the batch is gone")?;
        let base = self.states.at(prev_last).with_context(|| {
            format!("the state after block {prev_last} is no longer kept (too far behind)")
        })?;
        let hashes: Vec<B256> = self
            .chain
            .blocks(prev_last.saturating_sub(255), prev_last)
            .iter()
            .map(|b| b.hash)
            .collect();
        let chain = self.chain.clone();
        let block_hashes: BlockHashes = Arc::new(move |n| chain.block_hash(n));
        let executor = Executor {
            chain_id: self.chain_id,
            output: None,
            rules: self.rules,
            allow_eip7702: self.allow_eip7702,
            prices: self.prices,
            protocol: self.protocol,
        };

        let mut state = base.clone();
        let log = state.record_reads();
        let mut written: BTreeSet<ReadKey> = BTreeSet::new();
        let mut first_overridden: BTreeSet<Address> = BTreeSet::new();
        let mut code_hashes: BTreeSet<B256> = BTreeSet::new();
        let mut codes: Vec<Bytes> = vec![];
        let mut blocks = vec![];
        for number in batch.first_block..=batch.last_block {
            let block = self
                .chain
                .block(number)
                .context("a block of the batch is gone")?;
            // Dev edits since block `number - 1` was sealed: the state before `number` holds
            // them (not yet taken as writes).
            let before = if number == batch.first_block {
                base.clone()
            } else {
                self.states
                    .at(number - 1)
                    .with_context(|| format!("the state after block {} is gone", number - 1))?
            };
            let edits = before.clone().take_writes();
            let overrides = overrides_of(&edits, &before, &mut codes, &mut code_hashes)?;
            if number == batch.first_block {
                first_overridden.extend(overrides.accounts.iter().map(|(a, _)| *a));
            } else {
                apply_overrides(&mut state, &overrides, &code_map(&codes))?;
            }
            let txs: Vec<crate::tx::ReadyTx> = block.txs.iter().map(|t| t.tx.clone()).collect();
            let input = BlockInput {
                number,
                timestamp: block.header.timestamp,
                base_fee: block.header.base_fee_per_gas.unwrap_or_default(),
                gas_limit: block.header.gas_limit,
                coinbase: block.header.beneficiary,
                prevrandao: block.header.mix_hash,
                txs: txs
                    .iter()
                    .map(|tx| TxInput {
                        raw: tx.envelope.encoded_2718().into(),
                        sender: tx.sender,
                        impersonated: tx.envelope.as_l1().is_none()
                            && tx.envelope.as_system().is_none()
                            && tx.envelope.recover_signer() != Some(tx.sender),
                    })
                    .collect(),
                overrides,
            };
            let outcome =
                executor.execute_block(state, block_hashes.clone(), &input.context(), txs);
            ensure!(
                outcome.invalid.is_empty() && outcome.executed.len() == block.txs.len(),
                "block {number} does not re-execute as it was sealed"
            );
            state = outcome.state;
            let writes = state.take_writes();
            ensure!(
                writes == *block.writes,
                "block {number} re-executes to other writes than it sealed"
            );
            written.extend(writes.accounts.iter().map(|(a, _)| ReadKey::Account(*a)));
            written.extend(writes.slots.iter().map(|(a, s, _)| ReadKey::Slot(*a, *s)));
            blocks.push(input);
        }

        let mut keys: BTreeSet<ReadKey> = log.keys().into_iter().collect();
        keys.extend(written);
        // Read at the end of the batch for its logs root (`crate::batcher::commitment::multichain_root`).
        keys.insert(ReadKey::Slot(
            crate::tx::MESSAGE_ROOT,
            crate::batcher::commitment::MULTICHAIN_ROOT_SLOT,
        ));
        let mut accounts = vec![];
        let mut slots = vec![];
        for key in keys {
            match key {
                ReadKey::Account(address) => {
                    let tree_key = account_key(address);
                    let proof = tree.prove(&tree_key);
                    if first_overridden.contains(&address) {
                        accounts.push(AccountRead {
                            address,
                            account: None,
                            overridden: true,
                            proof,
                        });
                        continue;
                    }
                    let account = base.account(&address).map(|a| AccountFields {
                        nonce: a.info.nonce,
                        balance: a.info.balance,
                        code_hash: a.info.code_hash,
                    });
                    if let Some(fields) = &account
                        && fields.code_hash != KECCAK256_EMPTY
                        && code_hashes.insert(fields.code_hash)
                    {
                        let code = base
                            .code_by_hash(&fields.code_hash)
                            .with_context(|| format!("no code for {address}"))?;
                        codes.push(code.original_bytes());
                    }
                    accounts.push(AccountRead {
                        address,
                        account,
                        overridden: false,
                        proof,
                    });
                }
                ReadKey::Slot(address, slot) => {
                    let tree_key = storage_key(address, B256::from(slot));
                    // The tree's value, not the state's: a dev edit before the first block is
                    // in the state already but reaches the tree only with that block.
                    let value = tree
                        .get(&tree_key)
                        .map(|v| U256::from_be_bytes(v.0))
                        .unwrap_or_default();
                    slots.push(SlotRead {
                        address,
                        slot,
                        value,
                        proof: tree.prove(&tree_key),
                    });
                }
            }
        }
        Ok(ProverInput {
            chain_id: self.chain_id,
            rules: self.rules,
            allow_eip7702: self.allow_eip7702,
            prices: self.prices,
            protocol: self.protocol,
            batch_number: batch.number,
            prev: PrevState {
                state_commitment: batch.prev.batchHash,
                root: tree.root(),
                leaf_count: tree.leaf_count(),
                last_block: prev_last,
                last_timestamp: prev_block.header.timestamp,
                block_hashes: hashes,
            },
            blocks,
            accounts,
            slots,
            bytecodes: codes,
            first_unused: tree.prove_index(tree.leaf_count()),
            claim: Claim {
                new_state_commitment: batch.stored.batchHash,
                batch_commitment: batch.stored.commitment,
            },
        })
    }
}

/// The dev edits in `edits` (taken from `state`) as overrides; their code goes to `codes`.
fn overrides_of(
    edits: &BlockWrites,
    state: &StateSnapshot,
    codes: &mut Vec<Bytes>,
    code_hashes: &mut BTreeSet<B256>,
) -> anyhow::Result<Overrides> {
    let mut overrides = Overrides::default();
    for (address, leaf) in &edits.accounts {
        let Some(leaf) = leaf else {
            bail!("a dev method deleted account {address}: not provable");
        };
        if leaf.code_hash != KECCAK256_EMPTY && code_hashes.insert(leaf.code_hash) {
            let code = state
                .code_by_hash(&leaf.code_hash)
                .with_context(|| format!("no code for {address}"))?;
            codes.push(code.original_bytes());
        }
        overrides.accounts.push((
            *address,
            AccountFields {
                nonce: leaf.nonce,
                balance: leaf.balance,
                code_hash: leaf.code_hash,
            },
        ));
    }
    overrides.slots = edits.slots.clone();
    Ok(overrides)
}
