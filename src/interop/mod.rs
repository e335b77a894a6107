//! Interop between the L2s that settle on the Gateway (`--gateway`), as ZKsync OS does it
//! (era-contracts v31 shapes, the ones zksync-js's interop flows call; ERC-20s, bridged from L1
//! or native to an L2, travel as indirect calls through the L2 asset router):
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

pub use crate::abi::IL2InteropRootStorage;

pub use crate::tx::{
    INTEROP_CENTER, INTEROP_HANDLER, INTEROP_ROOT_STORAGE, MESSAGE_ROOT, MESSAGE_VERIFICATION,
};

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
