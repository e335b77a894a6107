//! The Gateway step of a message proof (`zks_getL2ToL1LogProof(hash, index, "messageRoot")`),
//! the layout zksync-os-server builds (`lib/rpc/src/log_proof_utils.rs`) and era-contracts'
//! `MessageHashing` reads:
//!
//! ```text
//! [metadata(1, 15, batch path length, not final), log path (15),
//!  batch leaf index, batch path…,                       batch root -> the chain's tree root
//!  gatewayBlock << 128 | chain index, Gateway chain id,
//!  metadata(1, shared path length, 0, final), shared path…]   chain leaf -> the Gateway's root
//! ```
//!
//! The Gateway block is the one whose execution of the batch appended its root
//! (`AppendedChainBatchRoot`); the proof ends at `MessageRoot.historicalRoot(block)`, the
//! interop root an L2 imports as `(gatewayChainId, block)`.
//!
//! A proof to L1 (the default target, a withdrawal) goes on instead to the logs root of the
//! Gateway batch that holds that block, which L1 keeps for the Gateway's chain:
//!
//! ```text
//!  ..., gatewayBatch << 128 | (chain index + 2^shared path length), Gateway chain id,
//!  metadata(1, shared path length + 1, 0, final), shared path…, Gateway batch's local root]
//! ```

use alloy_eips::BlockId;
use alloy_primitives::{B256, U64, U256, keccak256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_sol_types::{SolCall, SolEvent as _};
use anyhow::Context as _;

use super::{IMessageRoot, MESSAGE_ROOT};

/// The empty leaf of the MessageRoot's trees: keccak256(new bytes(96)).
const EMPTY_ENTRY: B256 =
    alloy_primitives::b256!("0x46700b4d40ac5c35af2c22dda2787a91eb567b06c924a8fb8ae9a05b20c08c21");

/// What the Gateway adds to a batch-level proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatewayStep {
    /// The Gateway block that executed the batch (to L1: the Gateway batch holding it).
    pub(crate) block: u64,
    /// The Gateway's interop root at the end of that block (to L1: that batch's logs root).
    pub(crate) root: B256,
    /// The proof items after the log path (batch leaf index onwards).
    pub(crate) tail: Vec<B256>,
    /// Length of the batch path (the metadata's third byte).
    pub(crate) batch_path_len: usize,
    /// A proof to L1 (through a Gateway batch), not to an interop root.
    pub(crate) to_l1: bool,
}

/// The Gateway step for batch `batch` of chain `chain_id` (whose logs root is `batch_root`),
/// or `None` while the Gateway has not executed it.
pub(crate) async fn gateway_step<P: Provider>(
    gateway: &P,
    chain_id: u64,
    batch: u64,
    batch_root: B256,
) -> anyhow::Result<Option<GatewayStep>> {
    let Some(appended) = appended(gateway, chain_id, batch).await? else {
        return Ok(None);
    };
    let block = appended.block;
    let at = BlockId::number(block);
    let root: B256 = view(
        gateway,
        at,
        IMessageRoot::historicalRootCall {
            blockNumber: U256::from(block),
        },
    )
    .await?;
    let place = appended
        .place(gateway, chain_id, batch, batch_root, block)
        .await?;
    anyhow::ensure!(
        place.shared_root == root,
        "the Gateway's root at block {block} does not hold chain {chain_id}'s tree"
    );
    Ok(Some(assemble(
        block,
        root,
        place,
        gateway.get_chain_id().await?,
        false,
    )))
}

/// The Gateway step of a proof to L1 (`zks_getL2ToL1LogProof`'s default target for a chain on
/// the Gateway, zksync-os-server's `LogProofTarget::L1BatchRoot`): from batch `batch` of chain
/// `chain_id` (logs root `batch_root`) through the Gateway's trees at the end of the Gateway
/// batch that executed it, whose logs root is `keccak256(localRoot ‖ aggregated root)`: the
/// chain's place in the shared tree gets one more sibling on the left, the Gateway batch's
/// local root, and the packed word names the Gateway batch. `None` until that Gateway batch
/// is committed on L1.
pub(crate) async fn l1_step<P: Provider>(
    gateway: &P,
    chain_id: u64,
    batch: u64,
    batch_root: B256,
) -> anyhow::Result<Option<GatewayStep>> {
    let Some(appended) = appended(gateway, chain_id, batch).await? else {
        return Ok(None);
    };
    let Some(settled) = gateway_batch(gateway, appended.block).await? else {
        return Ok(None);
    };
    let mut place = appended
        .place(gateway, chain_id, batch, batch_root, settled.last_block)
        .await?;
    let local_root: B256 = gateway
        .raw_request("unstable_getLocalRoot".into(), (U64::from(settled.number),))
        .await
        .context("unstable_getLocalRoot on the Gateway")?;
    anyhow::ensure!(
        keccak256([local_root.0, place.shared_root.0].concat()) == settled.logs_root,
        "the Gateway's batch {} does not commit to its MessageRoot",
        settled.number
    );
    place.chain_index |= 1 << place.shared_path.len();
    place.shared_path.push(local_root);
    Ok(Some(assemble(
        settled.number,
        settled.logs_root,
        place,
        gateway.get_chain_id().await?,
        true,
    )))
}

/// Where a batch root went on the Gateway: the block that appended it, and every root the
/// chain appended (batch number, root).
struct Appended {
    block: u64,
    roots: Vec<(U256, B256)>,
}

/// A batch root's place in the Gateway's trees at the end of a block.
struct Place {
    index: usize,
    batch_path: Vec<B256>,
    chain_index: u64,
    shared_path: Vec<B256>,
    /// The shared tree's root the chain's leaf climbs to.
    shared_root: B256,
}

/// The `AppendedChainBatchRoot` events of `chain_id`, if batch `batch` is among them.
async fn appended<P: Provider>(
    gateway: &P,
    chain_id: u64,
    batch: u64,
) -> anyhow::Result<Option<Appended>> {
    let logs = gateway
        .get_logs(
            &Filter::new()
                .address(MESSAGE_ROOT)
                .event_signature(IMessageRoot::AppendedChainBatchRoot::SIGNATURE_HASH)
                .topic1(U256::from(chain_id))
                .from_block(0)
                .to_block(alloy_eips::BlockNumberOrTag::Latest),
        )
        .await
        .context("eth_getLogs on the Gateway")?;
    let mut roots = vec![];
    let mut block = None;
    for log in &logs {
        let event = IMessageRoot::AppendedChainBatchRoot::decode_log(&log.inner)?;
        roots.push((event.batchNumber, event.batchRoot));
        if event.batchNumber == U256::from(batch) {
            block = log.block_number;
        }
    }
    Ok(block.map(|block| Appended { block, roots }))
}

impl Appended {
    /// Batch `batch`'s place at the end of Gateway block `at`.
    async fn place<P: Provider>(
        &self,
        gateway: &P,
        chain_id: u64,
        batch: u64,
        batch_root: B256,
        at: u64,
    ) -> anyhow::Result<Place> {
        let chain = U256::from(chain_id);
        let at = BlockId::number(at);
        let count: U256 = view(
            gateway,
            at,
            IMessageRoot::currentChainBatchNumberCall { chainId: chain },
        )
        .await?;
        let chain_index: U256 =
            view(gateway, at, IMessageRoot::chainIndexCall { chainId: chain }).await?;
        let shared_path: Vec<B256> = view(
            gateway,
            at,
            IMessageRoot::getMerklePathForChainCall { chainId: chain },
        )
        .await?;
        // The chain's tree at the end of that block: its batches 1..=count, in order.
        let count: u64 = count.saturating_to();
        let leaves: Vec<B256> = self
            .roots
            .iter()
            .filter(|(n, _)| *n >= U256::from(1) && *n <= U256::from(count))
            .map(|(n, r)| batch_leaf_hash(*r, *n))
            .collect();
        anyhow::ensure!(
            leaves.len() as u64 == count && batch >= 1 && batch <= count,
            "the Gateway's chain tree of {chain_id} does not match its logs"
        );
        let index = (batch - 1) as usize;
        anyhow::ensure!(
            leaves[index] == batch_leaf_hash(batch_root, U256::from(batch)),
            "batch {batch}'s root on the Gateway is not its logs root"
        );
        let (chain_root, batch_path) = padded_path(&leaves, index);
        let chain_index: u64 = chain_index.saturating_to();
        let shared_root = climb(
            chain_id_leaf_hash(chain_root, chain),
            chain_index,
            &shared_path,
        );
        Ok(Place {
            index,
            batch_path,
            chain_index,
            shared_path,
            shared_root,
        })
    }
}

/// The Gateway batch holding block `block`, once committed on L1.
struct GatewayBatch {
    number: u64,
    last_block: u64,
    logs_root: B256,
}

async fn gateway_batch<P: Provider>(
    gateway: &P,
    block: u64,
) -> anyhow::Result<Option<GatewayBatch>> {
    let batch: serde_json::Value = match gateway
        .raw_request("unstable_getBatchByBlockNumber".into(), (U64::from(block),))
        .await
    {
        Ok(batch) => batch,
        // Not committed on L1 yet.
        Err(e) if e.as_error_resp().is_some() => return Ok(None),
        Err(e) => return Err(e).context("unstable_getBatchByBlockNumber on the Gateway"),
    };
    let info = &batch["batch_info"];
    Ok(Some(GatewayBatch {
        number: serde_json::from_value(info["batch_number"].clone())?,
        last_block: serde_json::from_value(batch["block_range"]["end"].clone())?,
        logs_root: serde_json::from_value(info["l2_to_l1_logs_root_hash"].clone())?,
    }))
}

/// The proof items after the log path: the batch's place in its chain's tree, then the chain's
/// in the shared tree, named by `sl_number` (a Gateway block, or with `to_l1` a Gateway batch).
fn assemble(
    sl_number: u64,
    root: B256,
    place: Place,
    sl_chain_id: u64,
    to_l1: bool,
) -> GatewayStep {
    let batch_path_len = place.batch_path.len();
    let mut tail = vec![B256::from(U256::from(place.index))];
    tail.extend(place.batch_path);
    tail.push(B256::from(
        (U256::from(sl_number) << 128) | U256::from(place.chain_index),
    ));
    tail.push(B256::from(U256::from(sl_chain_id)));
    let mut metadata = [0u8; 32];
    metadata[0] = 1;
    metadata[1] = place.shared_path.len() as u8;
    metadata[3] = 1;
    tail.push(B256::from(metadata));
    tail.extend(place.shared_path);
    GatewayStep {
        block: sl_number,
        root,
        tail,
        batch_path_len,
        to_l1,
    }
}

async fn view<P: Provider, C: SolCall>(
    gateway: &P,
    at: BlockId,
    call: C,
) -> anyhow::Result<C::Return> {
    let request = TransactionRequest::default()
        .to(MESSAGE_ROOT)
        .input(call.abi_encode().into());
    let out = gateway.call(request).block(at).await?;
    Ok(C::abi_decode_returns(&out)?)
}

/// era-contracts `MessageHashing.batchLeafHash`.
pub(crate) fn batch_leaf_hash(batch_root: B256, batch: U256) -> B256 {
    let padding = keccak256(b"zkSync:BatchLeaf");
    keccak256([padding.0, batch_root.0, batch.to_be_bytes::<32>()].concat())
}

/// era-contracts `MessageHashing.chainIdLeafHash`.
pub(crate) fn chain_id_leaf_hash(chain_root: B256, chain_id: U256) -> B256 {
    let padding = keccak256(b"zkSync:ChainIdLeaf");
    keccak256([padding.0, chain_root.0, chain_id.to_be_bytes::<32>()].concat())
}

/// The root of `leaves` padded with empty leaves to the next power of two, and the siblings of
/// leaf `index` bottom up: a `DynamicIncrementalMerkle` tree of that many pushes (a one-leaf
/// tree is its leaf, with an empty path).
pub(crate) fn padded_path(leaves: &[B256], index: usize) -> (B256, Vec<B256>) {
    let mut level = leaves.to_vec();
    let mut zero = EMPTY_ENTRY;
    let mut path = vec![];
    let mut i = index;
    while level.len() > 1 {
        path.push(level.get(i ^ 1).copied().unwrap_or(zero));
        level = level
            .chunks(2)
            .map(|pair| keccak256([pair[0].0, pair.get(1).copied().unwrap_or(zero).0].concat()))
            .collect();
        zero = keccak256([zero.0, zero.0].concat());
        i >>= 1;
    }
    (level.first().copied().unwrap_or_default(), path)
}

/// Hashes `leaf` at `index` up `path`.
fn climb(mut node: B256, mut index: u64, path: &[B256]) -> B256 {
    for sibling in path {
        node = match index % 2 {
            0 => keccak256([node.0, sibling.0].concat()),
            _ => keccak256([sibling.0, node.0].concat()),
        };
        index /= 2;
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_padded_path_climbs_to_its_root_for_every_leaf_and_size() {
        for n in 1..9usize {
            let leaves: Vec<B256> = (0..n).map(|i| keccak256([i as u8])).collect();
            for index in 0..n {
                let (root, path) = padded_path(&leaves, index);
                assert_eq!(
                    climb(leaves[index], index as u64, &path),
                    root,
                    "{n} {index}"
                );
                let height = if n == 1 {
                    0
                } else {
                    (n - 1).ilog2() as usize + 1
                };
                assert_eq!(path.len(), height);
            }
        }
    }

    #[test]
    fn the_tail_packs_the_gateway_block_and_ends_with_a_final_chain_proof() {
        let place = Place {
            index: 1,
            batch_path: vec![B256::repeat_byte(1)],
            chain_index: 2,
            shared_path: vec![B256::repeat_byte(2), B256::repeat_byte(3)],
            shared_root: B256::ZERO,
        };
        let step = assemble(9, B256::ZERO, place, 506, false);
        assert_eq!(step.tail[0], B256::from(U256::from(1)));
        assert_eq!(
            step.tail[2],
            B256::from((U256::from(9) << 128) | U256::from(2))
        );
        assert_eq!(step.tail[3], B256::from(U256::from(506)));
        assert_eq!(&step.tail[4][..4], &[1, 2, 0, 1]);
        assert_eq!(step.tail.len(), 7);
    }
}
