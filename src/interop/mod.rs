//! Interop between the L2s that settle on the Gateway (`--gateway`), as ZKsync OS does it
//! (era-contracts v31 shapes, the ones zksync-js's interop flows call; tokens bridged from L1
//! travel as indirect calls through the L2 asset router):
//!
//! ```text
//! L2 A: InteropCenter.sendBundle ──L2->L1 message──> A's batch ──execute on the Gateway──>
//!   Gateway: MessageRoot (0x…10005) appends the batch root ──NewInteropRoot(506, block, root)──>
//!   root watcher of B ──system tx 0x7d (first in a block)──> B: L2InteropRootStorage.addInteropRootsInBatch
//! L2 B: InteropHandler.executeBundle(bundle, proof through the Gateway) ──> the calls, once
//! ```
//!
//! `watcher`: Gateway `NewInteropRoot` events -> the L2's sequencer (`sequencer::interop_roots`,
//! `tx::SystemTx`); `proof`: the Gateway step of a message proof (`zks_getL2ToL1LogProof`). The
//! contracts are in `state/contracts/interop` and `state/contracts/bridgehub/MessageRoot.sol`.

pub(crate) mod proof;
pub(crate) mod watcher;

use alloy_primitives::{Address, B256, U256, address};

pub use crate::abi::IL2InteropRootStorage;

/// The Gateway's MessageRoot (era-contracts `L2_MESSAGE_ROOT_ADDR`).
pub const MESSAGE_ROOT: Address = address!("0x0000000000000000000000000000000000010005");
/// Where the MessageRoot keeps its aggregated root (`state/contracts/bridgehub/MessageRoot.sol`).
pub(crate) const MULTICHAIN_ROOT_SLOT: U256 = U256::from_limbs([10, 0, 0, 0]);

/// The multichain root of a batch: the MessageRoot's aggregated root at its end (zero on a
/// chain without one, every chain but the Gateway), read with `slot_of_message_root`. A
/// batch's `l2LogsTreeRoot` is `keccak256(localRoot ‖ it)`, as zksync-os commits to the root of
/// its `L2MessageRoot`, so settling a Gateway batch on L1 settles the batch roots it holds.
pub(crate) fn multichain_root(slot_of_message_root: impl FnOnce(U256) -> B256) -> B256 {
    slot_of_message_root(MULTICHAIN_ROOT_SLOT)
}
pub use crate::tx::{INTEROP_CENTER, INTEROP_HANDLER, INTEROP_ROOT_STORAGE, MESSAGE_VERIFICATION};

alloy_sol_types::sol! {
    /// The Gateway's MessageRoot (`state/contracts/bridgehub/MessageRoot.sol`).
    #[derive(Debug)]
    interface IMessageRoot {
        event NewInteropRoot(uint256 indexed chainId, uint256 indexed blockNumber, uint256 indexed logId, bytes32[] sides);
        event AppendedChainBatchRoot(uint256 indexed chainId, uint256 indexed batchNumber, bytes32 batchRoot);
        function initialize(address bridgehub);
        function addNewChain(uint256 chainId);
        function chainIndex(uint256 chainId) view returns (uint256);
        function currentChainBatchNumber(uint256 chainId) view returns (uint256);
        function getMerklePathForChain(uint256 chainId) view returns (bytes32[]);
        function historicalRoot(uint256 blockNumber) view returns (bytes32);
    }

    /// The Gateway's Bridgehub, as its owner wires the MessageRoot.
    interface IBridgehubMessageRoot {
        function setMessageRoot(address messageRoot);
    }

}
