//! System txs (type `0x7d`): what the node itself puts first in a block, never accepted over
//! RPC. From the bootloader (`0x…8001`), gas limit 72,000,000, no fee, no nonce, as
//! zksync-os-server's system txs. Two kinds:
//! - importing interop roots (its `InteropRootsEnvelope`): to `L2InteropRootStorage`
//!   (`0x…10008`), calldata `addInteropRootsInBatch(InteropRoot[])`; encoded `0x7d ‖ calldata`;
//! - setting the interop fee (its `SetInteropFee`): to `InteropCenter` (`0x…1000b`), calldata
//!   `setInteropFee(uint256)`, with a salt (the number of the block it is made for) so that
//!   setting a fee again is another tx; encoded `0x7d ‖ calldata ‖ salt (8 bytes, big-endian)`.
//!
//! Its hash is the keccak of its encoding.

use alloy_primitives::{Address, B256, Bytes, Keccak256, U256, keccak256};
use alloy_sol_types::SolCall as _;

use crate::abi::{
    IInteropCenterFee::setInteropFeeCall, IL2InteropRootStorage::addInteropRootsInBatchCall,
    InteropRoot,
};

/// Type byte of a system tx.
pub(crate) const SYSTEM_TX_TYPE: u8 = 0x7d;
/// The gas a system tx may use (zksync-os-server's `DEFAULT_GAS_LIMIT`).
pub(crate) const SYSTEM_TX_GAS_LIMIT: u64 = 72_000_000;

/// A system tx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemTx {
    /// keccak256 of its encoding.
    pub hash: B256,
    /// The calldata the bootloader sends.
    pub input: Bytes,
    /// What it does.
    pub kind: SystemTxKind,
}

/// What a system tx does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemTxKind {
    /// Imports these interop roots, in order.
    ImportRoots(Vec<InteropRoot>),
    /// Sets the interop protocol fee (wei per call); `salt` keeps each such tx apart.
    SetInteropFee {
        /// The new fee.
        fee: U256,
        /// The number of the block it was made for.
        salt: u64,
    },
}

impl SystemTx {
    /// The tx importing `roots`.
    pub fn import_roots(roots: Vec<InteropRoot>) -> Self {
        let input: Bytes = addInteropRootsInBatchCall {
            interopRootsInput: roots.clone(),
        }
        .abi_encode()
        .into();
        Self::with(input, SystemTxKind::ImportRoots(roots))
    }

    /// The tx setting the interop fee to `fee`, made for block `salt`.
    pub fn set_interop_fee(fee: U256, salt: u64) -> Self {
        let input: Bytes = setInteropFeeCall { _fee: fee }.abi_encode().into();
        Self::with(input, SystemTxKind::SetInteropFee { fee, salt })
    }

    /// The tx whose encoding after the type byte is `body` (read back from a block).
    pub fn decode(body: &[u8]) -> anyhow::Result<Self> {
        let selector = body.get(..4).unwrap_or_default();
        if selector == setInteropFeeCall::SELECTOR {
            let (input, salt) = body
                .split_at_checked(body.len().saturating_sub(8))
                .filter(|(input, _)| input.len() == 36)
                .ok_or_else(|| {
                    anyhow::anyhow!("a setInteropFee system tx of {} bytes", body.len())
                })?;
            let call = setInteropFeeCall::abi_decode(input).map_err(|e| {
                anyhow::anyhow!("a setInteropFee system tx that does not decode: {e}")
            })?;
            let salt = u64::from_be_bytes(salt.try_into()?);
            return Ok(Self::set_interop_fee(call._fee, salt));
        }
        let call = addInteropRootsInBatchCall::abi_decode(body)
            .map_err(|e| anyhow::anyhow!("a system tx that does not decode: {e}"))?;
        Ok(Self::import_roots(call.interopRootsInput))
    }

    /// The contract it calls.
    pub fn to(&self) -> Address {
        match self.kind {
            SystemTxKind::ImportRoots(_) => super::INTEROP_ROOT_STORAGE,
            SystemTxKind::SetInteropFee { .. } => super::INTEROP_CENTER,
        }
    }

    /// The interop roots it imports (none for another kind).
    pub fn roots(&self) -> &[InteropRoot] {
        match &self.kind {
            SystemTxKind::ImportRoots(roots) => roots,
            SystemTxKind::SetInteropFee { .. } => &[],
        }
    }

    /// Its encoding after the type byte.
    pub fn body(&self) -> Vec<u8> {
        let mut body = self.input.to_vec();
        if let SystemTxKind::SetInteropFee { salt, .. } = self.kind {
            body.extend_from_slice(&salt.to_be_bytes());
        }
        body
    }

    fn with(input: Bytes, kind: SystemTxKind) -> Self {
        let mut tx = Self {
            hash: B256::ZERO,
            input,
            kind,
        };
        let mut encoded = vec![SYSTEM_TX_TYPE];
        encoded.extend_from_slice(&tx.body());
        tx.hash = keccak256(&encoded);
        tx
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
        let back = SystemTx::decode(&tx.body()).unwrap();
        assert_eq!(back, tx);
        assert_eq!(back.roots(), &roots[..]);
        assert_eq!(back.to(), super::super::INTEROP_ROOT_STORAGE);
        assert_eq!(&tx.input[..4], &addInteropRootsInBatchCall::SELECTOR);
    }

    #[test]
    fn a_fee_system_tx_reads_back_and_its_salt_makes_another_tx() {
        let fee = U256::from(10u64).pow(U256::from(15u64));
        let tx = SystemTx::set_interop_fee(fee, 5);
        let back = SystemTx::decode(&tx.body()).unwrap();
        assert_eq!(back, tx);
        assert_eq!(back.to(), super::super::INTEROP_CENTER);
        assert!(back.roots().is_empty());
        assert_eq!(
            tx.input.len(),
            36,
            "the calldata is setInteropFee(fee) alone"
        );
        assert_ne!(SystemTx::set_interop_fee(fee, 6).hash, tx.hash);
        assert!(
            SystemTx::decode(&tx.input).is_err(),
            "the salt is part of the tx"
        );
    }
}
