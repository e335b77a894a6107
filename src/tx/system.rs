//! System txs (type `0x7d`): what the node itself puts first in a block, never accepted over
//! RPC. The one kind built here imports interop roots, as zksync-os-server's
//! `InteropRootsEnvelope`: from the bootloader (`0x…8001`) to `L2InteropRootStorage`
//! (`0x…10008`), calldata `addInteropRootsInBatch(InteropRoot[])`, gas limit 72,000,000, no
//! fee, no nonce. Encoded as `0x7d ‖ calldata`; its hash is the keccak of that.

use alloy_primitives::{B256, Bytes, Keccak256, keccak256};
use alloy_sol_types::SolCall as _;

use crate::abi::{IL2InteropRootStorage::addInteropRootsInBatchCall, InteropRoot};

/// Type byte of a system tx.
pub(crate) const SYSTEM_TX_TYPE: u8 = 0x7d;
/// The gas a system tx may use (zksync-os-server's `DEFAULT_GAS_LIMIT`).
pub(crate) const SYSTEM_TX_GAS_LIMIT: u64 = 72_000_000;

/// A system tx importing interop roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemTx {
    /// keccak256(0x7d ‖ input).
    pub hash: B256,
    /// `addInteropRootsInBatch(roots)`.
    pub input: Bytes,
    /// The roots it imports, in order.
    pub roots: Vec<InteropRoot>,
}

impl SystemTx {
    /// The tx importing `roots`.
    pub fn import_roots(roots: Vec<InteropRoot>) -> Self {
        let input: Bytes = addInteropRootsInBatchCall {
            interopRootsInput: roots.clone(),
        }
        .abi_encode()
        .into();
        Self::with_input(input, roots)
    }

    /// The tx whose calldata is `input` (read back from a block).
    pub fn decode(input: &[u8]) -> anyhow::Result<Self> {
        let call = addInteropRootsInBatchCall::abi_decode(input)
            .map_err(|e| anyhow::anyhow!("a system tx that does not decode: {e}"))?;
        Ok(Self::with_input(
            Bytes::copy_from_slice(input),
            call.interopRootsInput,
        ))
    }

    fn with_input(input: Bytes, roots: Vec<InteropRoot>) -> Self {
        let mut encoded = Vec::with_capacity(1 + input.len());
        encoded.push(SYSTEM_TX_TYPE);
        encoded.extend_from_slice(&input);
        Self {
            hash: keccak256(&encoded),
            input,
            roots,
        }
    }
}

/// What a batch commits to as `dependencyRootsRollingHash` (ZKsync OS and era-contracts
/// `Executor`): `h = keccak(h ‖ chainId ‖ blockOrBatchNumber ‖ sides…)` over the roots it
/// imported, from 0, so a batch that imported none commits to 0.
pub(crate) fn rolling_hash(mut h: B256, roots: &[InteropRoot]) -> B256 {
    for root in roots {
        let mut hasher = Keccak256::new();
        hasher.update(h);
        hasher.update(root.chainId.to_be_bytes::<32>());
        hasher.update(root.blockOrBatchNumber.to_be_bytes::<32>());
        for side in &root.sides {
            hasher.update(side);
        }
        h = hasher.finalize();
    }
    h
}

#[cfg(test)]
mod tests {
    use alloy_primitives::U256;

    use super::*;

    #[test]
    fn no_roots_keep_the_hash_and_each_root_moves_it() {
        assert_eq!(rolling_hash(B256::ZERO, &[]), B256::ZERO);
        let root = InteropRoot {
            chainId: U256::from(506),
            blockOrBatchNumber: U256::from(3),
            sides: vec![B256::repeat_byte(7)],
        };
        let mut packed = vec![0u8; 32];
        packed.extend_from_slice(&U256::from(506).to_be_bytes::<32>());
        packed.extend_from_slice(&U256::from(3).to_be_bytes::<32>());
        packed.extend_from_slice(&[7u8; 32]);
        assert_eq!(rolling_hash(B256::ZERO, &[root]), keccak256(packed));
    }

    #[test]
    fn a_system_tx_reads_back_the_roots_it_imports() {
        let roots = vec![InteropRoot {
            chainId: U256::from(506),
            blockOrBatchNumber: U256::from(7),
            sides: vec![B256::repeat_byte(1)],
        }];
        let tx = SystemTx::import_roots(roots.clone());
        let back = SystemTx::decode(&tx.input).unwrap();
        assert_eq!(back, tx);
        assert_eq!(back.roots, roots);
        assert_eq!(&tx.input[..4], &addInteropRootsInBatchCall::SELECTOR);
    }
}
