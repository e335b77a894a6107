//! RPC: the Ethereum JSON-RPC over HTTP and WebSocket on one port, plus `GET /health`.
//! Reads storage handles and events; asks the sequencer through its command channel.

#[macro_use]
mod macros;

pub mod anvil;
mod batch_fields;
pub mod batches;
pub mod call_many;
pub mod chain_config;
pub mod debug;
pub mod dev;
mod eip712;
pub mod error;
pub mod eth;
pub mod filters;
mod fork;
pub mod limits;
mod log_proof;
pub mod middleware;
pub mod ots;
pub mod raw;
pub mod send;
pub mod simulate;
pub mod types;
pub mod zks;
pub mod zks_os;

use crate::batcher::L1Stage;
use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use alloy_consensus::{TxEnvelope, transaction::SignerRecoverable};
use alloy_eips::{BlockId, BlockNumberOrTag, Decodable2718};
use alloy_primitives::{Address, B256, Bytes};
use alloy_signer_local::PrivateKeySigner;
use jsonrpsee::{
    RpcModule,
    server::{
        BatchRequestConfig, Server, ServerConfig, ServerHandle,
        middleware::{http::ProxyGetRequestLayer, rpc::RpcServiceBuilder},
    },
    types::ErrorObjectOwned,
};
use tokio::sync::{broadcast, mpsc};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::{
    accounts::DevAccount,
    chain_settings::{ChainSettings, Settings},
    config::{ChainConfig, Cors, RpcConfig},
    events::NodeEvent,
    executor::{BlockContext, Executor},
    mempool::{AccountView, Mempool},
    sequencer::{SequencerCommand, now},
    storage::{ChainStore, StateSnapshot, StateStore, StoredBlock, state::BlockHashes},
    tx::ReadyTx,
};
use error::{RpcError, RpcResult};

/// What every RPC method can reach. Cheap to share: all handles.
pub struct RpcContext {
    /// Blocks, txs, receipts.
    pub chain: Arc<ChainStore>,
    /// State per block.
    pub state: Arc<StateStore>,
    /// Pending txs.
    pub mempool: Arc<Mempool>,
    /// For calls and estimates.
    pub executor: Executor,
    /// Chain parameters at start (see `settings` for the current ones).
    pub chain_config: ChainConfig,
    /// The next block's settings (chain id, gas limit, base fee, coinbase, clock), which
    /// dev methods change at runtime.
    pub settings: Settings,
    /// Accounts `eth_sendTransaction` may send from without a key.
    pub impersonation: anvil::Impersonation,
    /// RPC limits.
    pub rpc_config: RpcConfig,
    /// Dev accounts, in banner order.
    pub accounts: Vec<DevAccount>,
    /// Signers of the unlocked accounts.
    pub signers: HashMap<Address, PrivateKeySigner>,
    /// Commands to the sequencer.
    pub sequencer: mpsc::Sender<SequencerCommand>,
    /// Node events (subscriptions, filters, sync sends).
    pub events: broadcast::Sender<NodeEvent>,
    /// Polling filters.
    pub filters: filters::Filters,
    /// The L1 as the `zks_` methods report it: set on the L2 (with an L1) only, and the
    /// `zks_` methods are registered only then.
    pub zks: Option<zks::ZksInfo>,
    /// Batches and manual settlement (the L2 with an L1 only).
    pub settlement: Option<Settlement>,
    /// Both chains saved, restored and reset together (`None` without an L1: this chain alone).
    pub devnet: Option<Arc<crate::devnet::Devnet>>,
    /// Whether this is the L2 (for the devnet's per-chain views).
    pub is_l2: bool,
    /// The data dir's named snapshots (`None`: in memory).
    pub saved: Option<crate::persistence::named::NamedSnapshots>,
    /// How the L2's genesis is built (`anvil_reset` with `forking` builds another).
    pub(crate) genesis: Option<crate::genesis::GenesisRecipe>,
}

/// What the RPC reads of the settlement pipeline and how it asks for manual steps.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// Sealed batches and their L1 progress.
    pub batches: std::sync::Arc<crate::batcher::BatchStore>,
    /// Manual commit / prove / execute.
    pub settle: mpsc::Sender<crate::l1::sender::SettleCommand>,
    /// The Gateway's JSON-RPC URL, once it runs, for a chain that settles on it (proofs
    /// through the Gateway).
    pub gateway_url: Option<Arc<std::sync::OnceLock<String>>>,
}

impl From<ErrorObjectOwned> for RpcError {
    fn from(err: ErrorObjectOwned) -> Self {
        match err.data() {
            Some(data) => RpcError::InvalidParams(format!("{}: {}", err.message(), data.get())),
            None => RpcError::InvalidParams(err.message().to_string()),
        }
    }
}

impl RpcContext {
    /// Last L2 block of the last batch that reached `stage` on L1 (`None` without an L1).
    pub fn settled(&self, stage: L1Stage) -> Option<u64> {
        self.settlement
            .as_ref()
            .map(|s| s.batches.last_block_at(stage))
    }

    /// Block number a tag or number refers to (`None` if beyond the head).
    pub fn resolve_number(&self, tag: BlockNumberOrTag) -> Option<u64> {
        let latest = self.chain.latest_number();
        match tag {
            BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Some(latest),
            // Without an L1 nothing settles: like anvil, every block counts as final.
            // On a fork, nothing before the fork block is this chain's to settle.
            BlockNumberOrTag::Safe => Some(
                self.settled(L1Stage::Commit)
                    .unwrap_or(latest)
                    .clamp(self.chain.first_number(), latest),
            ),
            BlockNumberOrTag::Finalized => Some(
                self.settled(L1Stage::Execute)
                    .unwrap_or(latest)
                    .clamp(self.chain.first_number(), latest),
            ),
            BlockNumberOrTag::Earliest => Some(0),
            BlockNumberOrTag::Number(n) => (n <= latest).then_some(n),
        }
    }

    /// The block a block id refers to.
    pub fn block(&self, id: BlockId) -> Option<Arc<StoredBlock>> {
        match id {
            BlockId::Hash(hash) => self.chain.block_by_hash(&hash.block_hash),
            BlockId::Number(tag) => self.chain.block(self.resolve_number(tag)?),
        }
    }

    /// On a fork, whether `id` names a block the remote has and this chain does not: one before
    /// the fork block (`through_fork`: or the fork block itself, whose txs are the remote's),
    /// or a hash this chain does not know.
    pub fn is_remote(&self, id: Option<BlockId>, through_fork: bool) -> bool {
        let Some(_) = self.chain.fork() else {
            return false;
        };
        let first = self.chain.first_number();
        match id {
            Some(BlockId::Number(BlockNumberOrTag::Number(n))) => {
                n < first || (through_fork && n == first)
            }
            Some(BlockId::Number(BlockNumberOrTag::Earliest)) => true,
            Some(BlockId::Hash(hash)) => self.chain.block_by_hash(&hash.block_hash).is_none(),
            _ => false,
        }
    }

    /// Asks the fork's remote the same question (the history up to the fork block is its).
    pub fn ask_remote(
        &self,
        method: &'static str,
        params: &jsonrpsee::types::Params<'_>,
    ) -> RpcResult<serde_json::Value> {
        let fork = self
            .chain
            .fork()
            .ok_or_else(|| RpcError::internal("not a fork"))?;
        let params: serde_json::Value = params.parse().unwrap_or_default();
        fork.request_blocking(method, params)
            .map_err(|e| RpcError::internal(e.to_string()))
    }

    /// The state after the block a block id refers to.
    pub fn state_at(&self, id: Option<BlockId>) -> RpcResult<StateSnapshot> {
        let id = id.unwrap_or(BlockId::latest());
        if matches!(
            id,
            BlockId::Number(BlockNumberOrTag::Latest | BlockNumberOrTag::Pending)
        ) {
            return Ok(self.state.latest());
        }
        let block = self
            .block(id)
            .ok_or_else(|| RpcError::NotFound("header not found".into()))?;
        if block.header.number == self.chain.latest_number() {
            return Ok(self.state.latest());
        }
        self.state
            .at(block.header.number)
            .ok_or_else(|| RpcError::NotFound(self.state.not_kept(block.header.number)))
    }

    /// The current settings of the next block.
    pub fn next_block(&self) -> ChainSettings {
        self.settings.get()
    }

    /// The executor, with the current chain id.
    pub fn executor(&self) -> Executor {
        let mut executor = self.executor.clone();
        executor.chain_id = self.next_block().chain_id;
        executor
    }

    /// Context of a hypothetical block on top of `parent`, for calls and estimates.
    pub fn call_block(&self, parent: &StoredBlock) -> BlockContext {
        let next = self.next_block();
        BlockContext {
            number: parent.header.number + 1,
            timestamp: next.clock.peek(now(), parent.header.timestamp),
            coinbase: next.coinbase,
            gas_limit: next.gas_limit,
            base_fee: next.base_fee,
            prevrandao: self.executor.rules.prevrandao(parent.hash),
        }
    }

    /// `BLOCKHASH` lookups for the executor.
    pub fn block_hashes(&self) -> BlockHashes {
        let chain = self.chain.clone();
        Arc::new(move |n| chain.block_hash(n))
    }

    /// Decodes a raw tx and recovers its sender.
    pub fn decode_raw(&self, raw: &Bytes) -> RpcResult<ReadyTx> {
        if raw.first() == Some(&crate::tx::EIP712_TX_TYPE) && self.chain_config.eip712 {
            return eip712::decode_raw(raw);
        }
        if let Some(refusal) = raw.first().and_then(|ty| refused_type(*ty)) {
            return Err(RpcError::TxType(refusal.to_string()));
        }
        let mut buf = raw.as_ref();
        let envelope = TxEnvelope::decode_2718(&mut buf).map_err(|_| RpcError::DecodeTx)?;
        if !buf.is_empty() {
            return Err(RpcError::DecodeTx);
        }
        let sender = envelope.recover_signer().map_err(|_| RpcError::DecodeTx)?;
        Ok(ReadyTx {
            hash: *envelope.tx_hash(),
            sender,
            envelope: envelope.into(),
        })
    }

    /// Validates a tx and puts it in the mempool.
    pub fn submit(&self, tx: ReadyTx) -> RpcResult<B256> {
        let sender = tx.sender;
        let account = || {
            let state = self.state.latest();
            AccountView {
                nonce: state.nonce(&sender),
                balance: state.balance(&sender),
            }
        };
        let env = crate::executor::tx_env(&tx.envelope, tx.sender);
        let next = self.next_block();
        // Priced at the base fee at least: a fee below it gets the base fee's error, not this one.
        let price =
            alloy_consensus::Transaction::effective_gas_price(&tx.envelope, Some(next.base_fee))
                .max(u128::from(next.base_fee));
        let intrinsic = self.executor.intrinsic_gas(&env, price);
        let hash = tx.hash;
        if alloy_eips::Typed2718::is_eip7702(&tx.envelope) && !self.chain_config.allow_eip7702 {
            return Err(crate::mempool::PoolError::Eip7702Disabled.into());
        }
        self.mempool.add(tx, account, &next, intrinsic)?;
        let _ = self.events.send(NodeEvent::TxPending(hash));
        Ok(hash)
    }

    /// The unlocked signer of `address`.
    pub fn signer(&self, address: &Address) -> RpcResult<&PrivateKeySigner> {
        self.signers
            .get(address)
            .ok_or_else(|| RpcError::params(format!("No Signer available for {address}")))
    }
}

/// All methods on one module.
pub fn module(ctx: Arc<RpcContext>) -> anyhow::Result<RpcModule<RpcContext>> {
    let with_zks = ctx.zks.is_some();
    let mut module = RpcModule::from_arc(ctx);
    eth::register(&mut module)?;
    send::register(&mut module)?;
    filters::register(&mut module)?;
    dev::register(&mut module)?;
    anvil::register(&mut module)?;
    debug::register(&mut module)?;
    call_many::register(&mut module)?;
    simulate::register(&mut module)?;
    raw::register(&mut module)?;
    chain_config::register(&mut module)?;
    ots::register(&mut module)?;
    if with_zks {
        zks::register(&mut module)?;
        batches::register(&mut module)?;
        zks_os::register(&mut module)?;
    }
    Ok(module)
}

/// Binds and starts the server. Returns the bound address, the handle that stops it and the
/// registered method names (sorted).
pub async fn serve(
    ctx: Arc<RpcContext>,
    config: &RpcConfig,
) -> anyhow::Result<(SocketAddr, ServerHandle, Vec<&'static str>)> {
    let chain_id = ctx.chain_config.chain_id;
    let port = match ctx.is_l2 {
        true => crate::ports::Port::L2Rpc,
        false => crate::ports::Port::L1Rpc,
    };
    let module = module(ctx)?;
    let mut names: Vec<&'static str> = module.method_names().collect();
    names.sort_unstable();
    let methods: Arc<std::collections::HashSet<&'static str>> =
        Arc::new(names.iter().copied().collect());
    let http = tower::ServiceBuilder::new()
        .option_layer(cors_layer(&config.cors)?)
        .layer(ProxyGetRequestLayer::new([("/health", "zkos_health")])?);
    let max_response = config.max_response_body_size;
    let rpc = RpcServiceBuilder::new().layer_fn(move |service| {
        middleware::KnownMethods::new(service, methods.clone(), max_response)
            .with_chain_id(chain_id)
    });
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_body_size)
        .max_response_body_size(config.max_response_body_size)
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_batch_request_config(BatchRequestConfig::Limit(config.max_batch_len))
        .set_id_provider(filters::HexIdProvider::default())
        .build();
    let addr = SocketAddr::new(config.host, config.port);
    let server = Server::builder()
        .set_config(server_config)
        .set_http_middleware(http)
        .set_rpc_middleware(rpc)
        .build(addr)
        .await
        .map_err(|e| port.bind_error(addr, &e))?;
    let addr = server.local_addr()?;
    Ok((addr, server.start(module), names))
}

/// The CORS layer for `--allow-origin` / `--no-cors` (`None`: no CORS headers at all).
fn cors_layer(cors: &Cors) -> anyhow::Result<Option<CorsLayer>> {
    let origins = match cors {
        Cors::Disabled => return Ok(None),
        Cors::Any => AllowOrigin::any(),
        Cors::Origins(list) if list.iter().any(|o| o == "*") => AllowOrigin::any(),
        Cors::Origins(list) => AllowOrigin::list(
            list.iter()
                .map(|o| {
                    o.parse()
                        .map_err(|_| anyhow::anyhow!("--allow-origin {o:?} is not a valid origin"))
                })
                .collect::<anyhow::Result<Vec<http::HeaderValue>>>()?,
        ),
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_headers(Any)
            .allow_methods(Any),
    ))
}

/// Why a raw tx of type byte `ty` is refused before decoding: the ZKsync types that never come
/// over JSON-RPC, and EIP-712 txs without `--eip712` (zksync-os-server decodes them only with its
/// optional `eip712-tx` feature, off by default).
fn refused_type(ty: u8) -> Option<&'static str> {
    match ty {
        0x71 => Some(
            "EIP-712 (type 0x71) transactions are not accepted: zksync-os-server only decodes them \
             with its optional eip712-tx feature (start zkos-dev with --eip712 for that); or send \
             a type 0, 1 or 2 transaction (zksync-ethers: overrides {type: 2})",
        ),
        0x7f => {
            Some("type 0x7f (L1 -> L2) transactions come from L1 (the Bridgehub), never over RPC")
        }
        0x7e => Some("type 0x7e (protocol upgrade) transactions come from L1, never over RPC"),
        0x7d => {
            Some("type 0x7d (system) transactions are made by the sequencer, never sent over RPC")
        }
        _ => None,
    }
}
