//! Mempool: validation, per-sender nonce ordering, pending vs queued, replacement.
//! `add(ReadyTx)` -> `best()` ordered txs for the next block -> `on_block()` prunes.

use std::collections::{BTreeMap, BinaryHeap, hash_map::Entry};

use alloy_consensus::Transaction as _;
use alloy_eips::eip2718::Typed2718 as _;
use alloy_primitives::{Address, B256, U256, map::HashMap};
use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::{chain_settings::ChainSettings, tx::Envelope, tx::ReadyTx};

/// Why a tx was not admitted. Messages follow geth/reth/anvil.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)] // the messages say it
pub enum PoolError {
    #[error("nonce too low: next nonce {next}, tx nonce {tx}")]
    NonceTooLow { next: u64, tx: u64 },
    #[error("insufficient funds for gas * price + value: have {have} want {want}")]
    InsufficientFunds { have: U256, want: U256 },
    #[error("intrinsic gas too low")]
    IntrinsicGasTooLow,
    #[error("exceeds block gas limit")]
    ExceedsBlockGasLimit,
    #[error("already known")]
    AlreadyKnown,
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
    #[error("invalid chain id")]
    InvalidChainId,
    #[error("max fee per gas less than block base fee")]
    FeeCapTooLow,
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    #[error("transaction type not supported")]
    TxTypeNotSupported,
    /// An EIP-7702 tx on a chain with ZKsync OS rules (zksync-os-server's mempool is reth's with
    /// Prague off, which refuses them with the first half of this message).
    #[error(
        "EIP-7702 transactions are disabled: ZKsync OS does not accept them (start zkos-dev with \
         --allow-eip7702 or --evm-rules ethereum to accept them anyway)"
    )]
    Eip7702Disabled,
    #[error("txpool is full")]
    PoolFull,
    #[error("account limit exceeded")]
    AccountLimit,
    #[error("oversized data")]
    OversizedData,
}

/// A tx waiting in the pool.
#[derive(Debug, Clone)]
pub(crate) struct PoolTx {
    /// The tx.
    pub tx: ReadyTx,
    /// Arrival order, to break fee ties first come first served.
    pub arrival: u64,
}

impl PoolTx {
    fn tip(&self, base_fee: u64) -> u128 {
        self.tx
            .envelope
            .effective_tip_per_gas(base_fee)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default)]
struct SenderQueue {
    /// The sender's nonce on chain (after the latest block).
    chain_nonce: u64,
    txs: BTreeMap<u64, PoolTx>,
}

impl SenderQueue {
    /// Number of txs with consecutive nonces from the chain nonce.
    fn ready_len(&self) -> usize {
        self.txs
            .keys()
            .zip(self.chain_nonce..)
            .take_while(|(n, want)| **n == *want)
            .count()
    }
}

#[derive(Debug, Clone, Default)]
struct Inner {
    senders: HashMap<Address, SenderQueue>,
    by_hash: HashMap<B256, Address>,
    next_arrival: u64,
}

/// What admission checks against.
#[derive(Debug, Clone, Copy)]
pub struct AccountView {
    /// Nonce on chain.
    pub nonce: u64,
    /// Balance on chain.
    pub balance: U256,
}

/// Rules of admission that never change at runtime (the chain id, gas limit and base fee
/// come from the current `ChainSettings` at each `add`).
#[derive(Debug, Clone)]
pub struct PoolRules {
    /// Most txs held at once.
    pub max_txs: usize,
    /// Most txs of one sender held at once (replacements do not count).
    pub max_txs_per_sender: usize,
    /// Largest 2718 encoding of a tx, in bytes.
    pub max_tx_size: usize,
}

impl From<&crate::config::PoolConfig> for PoolRules {
    fn from(c: &crate::config::PoolConfig) -> Self {
        Self {
            max_txs: c.max_txs,
            max_txs_per_sender: c.max_txs_per_sender,
            max_tx_size: c.max_tx_size,
        }
    }
}

/// The pool's content at one moment, for `evm_snapshot`.
#[derive(Debug, Clone, Default)]
pub struct PoolSnapshot(Inner);

/// Pending (ready) and queued (nonce gap) txs.
#[derive(Debug)]
pub struct Mempool {
    rules: PoolRules,
    /// Short critical sections only (no `.await`, no execution while held).
    inner: Mutex<Inner>,
    /// Woken when a ready tx arrives; the sequencer waits on it in instant mining.
    pub ready: Notify,
}

/// Snapshot of the pool for `txpool_*`.
#[derive(Debug, Default)]
pub struct PoolContent {
    /// Ready txs by sender, by nonce.
    pub pending: BTreeMap<Address, BTreeMap<u64, ReadyTx>>,
    /// Txs behind a nonce gap.
    pub queued: BTreeMap<Address, BTreeMap<u64, ReadyTx>>,
}

impl Mempool {
    /// An empty pool.
    pub fn new(rules: PoolRules) -> Self {
        Self {
            rules,
            inner: Mutex::new(Inner::default()),
            ready: Notify::new(),
        }
    }

    /// Validates and inserts a tx. `account` is the sender's state at the head, `next` the
    /// next block's settings (chain id, gas limit, base fee), `intrinsic_gas` the least gas
    /// the tx can run with.
    pub fn add(
        &self,
        tx: ReadyTx,
        account: impl FnOnce() -> AccountView,
        next: &ChainSettings,
        intrinsic_gas: u64,
    ) -> Result<(), PoolError> {
        let base_fee = next.base_fee;
        let envelope = &tx.envelope;
        if envelope.is_eip4844() {
            return Err(PoolError::TxTypeNotSupported);
        }
        if alloy_eips::eip2718::Encodable2718::encode_2718_len(envelope) > self.rules.max_tx_size {
            return Err(PoolError::OversizedData);
        }
        if envelope.chain_id().is_some_and(|id| id != next.chain_id) {
            return Err(PoolError::InvalidChainId);
        }
        if envelope.gas_limit() > next.gas_limit {
            return Err(PoolError::ExceedsBlockGasLimit);
        }
        if envelope.gas_limit() < intrinsic_gas {
            return Err(PoolError::IntrinsicGasTooLow);
        }
        if envelope
            .max_priority_fee_per_gas()
            .is_some_and(|tip| tip > envelope.max_fee_per_gas())
        {
            return Err(PoolError::TipAboveFeeCap);
        }
        if envelope.max_fee_per_gas() < u128::from(base_fee) {
            return Err(PoolError::FeeCapTooLow);
        }
        // The sender's account is read under the pool lock: the sequencer updates state
        // before it prunes the pool, so a nonce read here can never be older than what
        // `on_block` last recorded (a stale read would leave a ready tx queued forever).
        let mut inner = self.inner.lock();
        let account = account();
        let nonce = envelope.nonce();
        if nonce < account.nonce {
            return Err(PoolError::NonceTooLow {
                next: account.nonce,
                tx: nonce,
            });
        }
        let want = U256::from(envelope.gas_limit()) * U256::from(envelope.max_fee_per_gas())
            + envelope.value();
        if want > account.balance {
            return Err(PoolError::InsufficientFunds {
                have: account.balance,
                want,
            });
        }
        if inner.by_hash.contains_key(&tx.hash) {
            return Err(PoolError::AlreadyKnown);
        }
        if inner.by_hash.len() >= self.rules.max_txs {
            return Err(PoolError::PoolFull);
        }
        let arrival = inner.next_arrival;
        inner.next_arrival += 1;
        let (hash, sender) = (tx.hash, tx.sender);
        let queue = inner.senders.entry(sender).or_default();
        queue.chain_nonce = queue.chain_nonce.max(account.nonce);
        if !queue.txs.contains_key(&nonce) && queue.txs.len() >= self.rules.max_txs_per_sender {
            return Err(PoolError::AccountLimit);
        }
        let replaced = match queue.txs.entry(nonce) {
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                let old = &slot.get().tx.envelope;
                if !is_bump(old, envelope) {
                    return Err(PoolError::ReplacementUnderpriced);
                }
                let old_hash = slot.get().tx.hash;
                slot.insert(PoolTx { tx, arrival });
                Some(old_hash)
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(PoolTx { tx, arrival });
                None
            }
        };
        let is_ready = nonce < queue.chain_nonce + queue.ready_len() as u64;
        if let Some(old) = replaced {
            inner.by_hash.remove(&old);
        }
        inner.by_hash.insert(hash, sender);
        drop(inner);
        if is_ready {
            self.ready.notify_one();
        }
        Ok(())
    }

    /// Ready txs for the next block, best first: highest tip, then arrival; each sender's
    /// txs in nonce order. At most `max` txs.
    pub fn best(&self, base_fee: u64, max: usize) -> Vec<ReadyTx> {
        let inner = self.inner.lock();
        // Heap of each sender's next ready tx: (tip, earliest arrival first).
        let mut heap = BinaryHeap::new();
        let mut cursors: HashMap<Address, std::collections::btree_map::Range<'_, u64, PoolTx>> =
            HashMap::default();
        for (sender, queue) in &inner.senders {
            let mut range = queue.txs.range(queue.chain_nonce..);
            if let Some((&nonce, tx)) = range.next()
                && nonce == queue.chain_nonce
            {
                heap.push((
                    tx.tip(base_fee),
                    std::cmp::Reverse(tx.arrival),
                    *sender,
                    nonce,
                ));
                cursors.insert(*sender, range);
            }
        }
        let mut out = Vec::new();
        while out.len() < max {
            let Some((_, _, sender, nonce)) = heap.pop() else {
                break;
            };
            let queue = &inner.senders[&sender];
            out.push(queue.txs[&nonce].tx.clone());
            let cursor = cursors.get_mut(&sender).expect("cursor per sender in heap");
            if let Some((&next, tx)) = cursor.next()
                && next == nonce + 1
            {
                heap.push((
                    tx.tip(base_fee),
                    std::cmp::Reverse(tx.arrival),
                    sender,
                    next,
                ));
            }
        }
        out
    }

    /// After a block: records the senders' new nonces and drops txs that are now mined or
    /// stale, and `invalid` ones. Returns whether ready txs remain.
    pub fn on_block(
        &self,
        nonces: impl IntoIterator<Item = (Address, u64)>,
        invalid: &[B256],
    ) -> bool {
        let mut inner = self.inner.lock();
        let Inner {
            senders, by_hash, ..
        } = &mut *inner;
        for hash in invalid {
            if let Some(sender) = by_hash.remove(hash)
                && let Some(queue) = senders.get_mut(&sender)
            {
                queue.txs.retain(|_, tx| tx.tx.hash != *hash);
            }
        }
        for (sender, nonce) in nonces {
            if let Entry::Occupied(mut entry) = senders.entry(sender) {
                let queue = entry.get_mut();
                queue.chain_nonce = nonce;
                let keep = queue.txs.split_off(&nonce);
                for tx in std::mem::replace(&mut queue.txs, keep).into_values() {
                    by_hash.remove(&tx.tx.hash);
                }
                if queue.txs.is_empty() {
                    entry.remove();
                }
            }
        }
        senders.values().any(|q| q.ready_len() > 0)
    }

    /// Whether any tx is ready.
    pub fn has_ready(&self) -> bool {
        self.inner
            .lock()
            .senders
            .values()
            .any(|q| q.ready_len() > 0)
    }

    /// A pooled tx by hash.
    pub fn get(&self, hash: &B256) -> Option<ReadyTx> {
        let inner = self.inner.lock();
        let sender = inner.by_hash.get(hash)?;
        inner
            .senders
            .get(sender)?
            .txs
            .values()
            .find(|t| t.tx.hash == *hash)
            .map(|t| t.tx.clone())
    }

    /// The nonce after the sender's last ready pooled tx (for `pending` nonce queries).
    pub fn pending_nonce(&self, sender: &Address, chain_nonce: u64) -> u64 {
        let inner = self.inner.lock();
        match inner.senders.get(sender) {
            Some(queue) => chain_nonce.max(queue.chain_nonce) + queue.ready_len() as u64,
            None => chain_nonce,
        }
    }

    /// (pending, queued) counts.
    pub fn counts(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        let pending: usize = inner.senders.values().map(SenderQueue::ready_len).sum();
        (pending, inner.by_hash.len() - pending)
    }

    /// Everything in the pool, split into pending and queued.
    pub fn content(&self) -> PoolContent {
        let inner = self.inner.lock();
        let mut content = PoolContent::default();
        for (sender, queue) in &inner.senders {
            let ready = queue.ready_len();
            for (i, (nonce, tx)) in queue.txs.iter().enumerate() {
                let side = if i < ready {
                    &mut content.pending
                } else {
                    &mut content.queued
                };
                side.entry(*sender)
                    .or_default()
                    .insert(*nonce, tx.tx.clone());
            }
        }
        content
    }

    /// Removes one tx; returns whether it was there.
    pub fn remove(&self, hash: &B256) -> bool {
        let mut inner = self.inner.lock();
        let Some(sender) = inner.by_hash.remove(hash) else {
            return false;
        };
        if let Some(queue) = inner.senders.get_mut(&sender) {
            queue.txs.retain(|_, tx| tx.tx.hash != *hash);
        }
        true
    }

    /// Removes every tx.
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.senders.clear();
        inner.by_hash.clear();
    }

    /// Removes one tx and the same sender's later ones, which could never be mined without
    /// it (`anvil_dropTransaction`, like anvil's pool). Returns whether it was there.
    pub fn remove_with_dependents(&self, hash: &B256) -> bool {
        let mut inner = self.inner.lock();
        let Inner {
            senders, by_hash, ..
        } = &mut *inner;
        let Some(sender) = by_hash.get(hash).copied() else {
            return false;
        };
        if let Entry::Occupied(mut entry) = senders.entry(sender) {
            let queue = entry.get_mut();
            if let Some(nonce) = queue
                .txs
                .iter()
                .find(|(_, t)| t.tx.hash == *hash)
                .map(|(n, _)| *n)
            {
                for tx in queue.txs.split_off(&nonce).into_values() {
                    by_hash.remove(&tx.tx.hash);
                }
            }
            if queue.txs.is_empty() {
                entry.remove();
            }
        }
        by_hash.remove(hash);
        true
    }

    /// Removes every tx sent by `sender` (`anvil_removePoolTransactions`).
    pub fn remove_sender(&self, sender: &Address) {
        let mut inner = self.inner.lock();
        if let Some(queue) = inner.senders.remove(sender) {
            for tx in queue.txs.values() {
                inner.by_hash.remove(&tx.tx.hash);
            }
        }
    }

    /// Re-reads every sender's on-chain nonce after the head state changed other than by a
    /// new block (`anvil_setNonce`, rollback): drops txs now below it, and txs at it become
    /// ready. Returns whether ready txs remain.
    pub fn resync_nonces(&self, nonce_of: impl Fn(&Address) -> u64) -> bool {
        let mut inner = self.inner.lock();
        let Inner {
            senders, by_hash, ..
        } = &mut *inner;
        senders.retain(|sender, queue| {
            queue.chain_nonce = nonce_of(sender);
            let keep = queue.txs.split_off(&queue.chain_nonce);
            for tx in std::mem::replace(&mut queue.txs, keep).into_values() {
                by_hash.remove(&tx.tx.hash);
            }
            !queue.txs.is_empty()
        });
        senders.values().any(|q| q.ready_len() > 0)
    }

    /// The pool as it is now.
    pub fn snapshot(&self) -> PoolSnapshot {
        PoolSnapshot(self.inner.lock().clone())
    }

    /// Puts back a pool taken with `snapshot`.
    pub fn restore(&self, snapshot: PoolSnapshot) {
        *self.inner.lock() = snapshot.0;
    }
}

/// A replacement must raise both the fee cap and the tip by at least 10%.
fn is_bump(old: &Envelope, new: &Envelope) -> bool {
    let bumped = |old: u128, new: u128| new >= old + old / 10 && new > old;
    let old_tip = old
        .max_priority_fee_per_gas()
        .unwrap_or(old.max_fee_per_gas());
    let new_tip = new
        .max_priority_fee_per_gas()
        .unwrap_or(new.max_fee_per_gas());
    bumped(old.max_fee_per_gas(), new.max_fee_per_gas())
        && (old_tip == 0 && new_tip == 0 || bumped(old_tip, new_tip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{chain_settings::ChainSettings, config::Config};
    use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
    use alloy_primitives::TxKind;
    use alloy_signer::SignerSync;

    fn transfer(nonce: u64) -> ReadyTx {
        let signer =
            crate::accounts::dev_accounts(&Config::default().accounts).unwrap()[0].signer();
        let tx = TxEip1559 {
            chain_id: 270,
            nonce,
            gas_limit: 21_000,
            max_fee_per_gas: 2_000,
            max_priority_fee_per_gas: 0,
            to: TxKind::Call(Address::repeat_byte(1)),
            value: U256::from(1),
            ..Default::default()
        };
        let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        let envelope = TxEnvelope::from(tx.into_signed(sig));
        ReadyTx {
            hash: *envelope.tx_hash(),
            sender: signer.address(),
            envelope: envelope.into(),
        }
    }

    fn pool() -> Mempool {
        Mempool::new(PoolRules {
            max_txs: 100,
            max_txs_per_sender: 100,
            max_tx_size: 128 * 1024,
        })
    }

    fn rich(nonce: u64) -> impl FnOnce() -> AccountView {
        move || AccountView {
            nonce,
            balance: U256::MAX,
        }
    }

    #[test]
    fn next_nonce_after_the_sender_queue_emptied_is_ready() {
        let settings = ChainSettings::from(&Config::default().chain);
        let pool = pool();
        pool.add(transfer(0), rich(0), &settings, 21_000).unwrap();
        let sender = transfer(0).sender;
        // Block 1 mines nonce 0; the sender's queue empties and is dropped.
        assert!(!pool.on_block([(sender, 1)], &[]));
        // The next tx is admitted against the state after that block: it is ready at once.
        pool.add(transfer(1), rich(1), &settings, 21_000).unwrap();
        assert!(pool.has_ready());
        assert_eq!(pool.counts(), (1, 0));
    }

    #[test]
    fn gap_is_queued_until_filled_and_replacement_needs_a_bump() {
        let settings = ChainSettings::from(&Config::default().chain);
        let pool = pool();
        pool.add(transfer(1), rich(0), &settings, 21_000).unwrap();
        assert_eq!(pool.counts(), (0, 1));
        pool.add(transfer(0), rich(0), &settings, 21_000).unwrap();
        assert_eq!(pool.counts(), (2, 0));
        assert_eq!(
            pool.add(transfer(0), rich(0), &settings, 21_000),
            Err(PoolError::AlreadyKnown)
        );
        let best = pool.best(1_000, 10);
        assert_eq!(
            best.iter().map(|t| t.envelope.nonce()).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }
}
