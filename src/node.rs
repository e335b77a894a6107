//! Node: opens storage and wires the stages in pipeline order:
//! RPC -> mempool -> sequencer -> storage -> events. `Node::spawn` is the one entry point
//! used by `main`, the tests and the examples; dropping the handle stops the node.

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use jsonrpsee::server::ServerHandle;
use tokio::{
    sync::{broadcast, mpsc},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

pub use crate::accounts::DevAccount;
use crate::{
    Config,
    accounts::dev_accounts,
    banner,
    events::{EVENT_CAPACITY, NodeEvent},
    executor::Executor,
    mempool::{Mempool, PoolRules},
    rpc::{self, RpcContext},
    sequencer::{ChainSettings, Sequencer, SettingsWriter, genesis_block, now},
    storage::{Chain, StateSnapshot, StateStore},
};

/// Starts nodes.
pub struct Node;

/// A running node. Dropping it stops the node.
pub struct NodeHandle {
    rpc_addr: SocketAddr,
    accounts: Vec<DevAccount>,
    /// Every JSON-RPC method name the server answers (sorted).
    rpc_methods: Vec<&'static str>,
    /// Fired on shutdown; the sequencer (the source of blocks) watches it.
    cancel: CancellationToken,
    server: ServerHandle,
    sequencer: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Node {
    /// Opens storage, wires the stages, binds the RPC port and starts everything.
    pub async fn spawn(config: Config) -> anyhow::Result<NodeHandle> {
        let accounts = dev_accounts(&config.accounts)?;
        let mut genesis = StateSnapshot::default();
        for account in &accounts {
            genesis.account_mut(account.address).info.balance = config.accounts.balance;
        }
        let chain = Arc::new(Chain::new(genesis_block(&config.chain, now())));
        let state = Arc::new(StateStore::new(genesis));
        let mempool = Arc::new(Mempool::new(PoolRules::from(&config.pool)));
        let settings = SettingsWriter::new(ChainSettings::from(&config.chain));
        let executor = Executor {
            chain_id: config.chain.chain_id,
            output: (!config.silent).then_some(config.output),
        };
        let (events, _) = broadcast::channel::<NodeEvent>(EVENT_CAPACITY);
        let (commands, command_rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();

        let settings_reader = settings.reader();
        let sequencer = Sequencer {
            executor: executor.clone(),
            state: state.clone(),
            chain: chain.clone(),
            mempool: mempool.clone(),
            events: events.clone(),
            config: config.chain.clone(),
            settings,
            mining: config.mining,
            log_txs: !config.silent,
        };
        let sequencer = tokio::spawn(sequencer.run(command_rx, cancel.clone()));

        let ctx = Arc::new(RpcContext {
            chain,
            state,
            mempool,
            executor,
            chain_config: config.chain.clone(),
            settings: settings_reader,
            impersonation: rpc::anvil::Impersonation::new(config.accounts.auto_impersonate),
            rpc_config: config.rpc.clone(),
            signers: accounts
                .iter()
                .map(|a| (a.address, a.signer()))
                .collect::<HashMap<_, _>>(),
            accounts: accounts.clone(),
            sequencer: commands,
            events: events.clone(),
            filters: Default::default(),
        });
        tokio::spawn(feed_filters(
            ctx.clone(),
            events.subscribe(),
            cancel.clone(),
        ));
        let (rpc_addr, server, rpc_methods) = rpc::serve(ctx, &config.rpc).await?;

        let info = banner::BannerInfo {
            config: &config,
            accounts: &accounts,
            rpc_addr,
        };
        if !config.silent {
            println!("{}", banner::banner(&info));
        }
        if let Some(path) = &config.config_out {
            let json = serde_json::to_string_pretty(&banner::banner_json(&info))?;
            std::fs::write(path, json)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(NodeHandle {
            rpc_addr,
            accounts,
            rpc_methods,
            cancel,
            server,
            sequencer: Some(sequencer),
        })
    }
}

/// Keeps pending-tx filters fed until shutdown.
async fn feed_filters(
    ctx: Arc<RpcContext>,
    mut events: broadcast::Receiver<NodeEvent>,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            event = events.recv() => match event {
                Ok(event) => ctx.filters.on_event(&event),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

impl NodeHandle {
    /// `http://HOST:PORT` of the L2 JSON-RPC.
    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.rpc_addr)
    }

    /// `ws://HOST:PORT` of the L2 JSON-RPC.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.rpc_addr)
    }

    /// The bound RPC address.
    pub fn rpc_addr(&self) -> SocketAddr {
        self.rpc_addr
    }

    /// The dev accounts (mnemonic ones first, then the rich account).
    pub fn accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// Every JSON-RPC method name the node answers, aliases included (sorted).
    pub fn rpc_methods(&self) -> &[&'static str] {
        &self.rpc_methods
    }

    /// Waits until the node stops by itself (a stage failed) or `shutdown` is called
    /// elsewhere. Returns the failure, if any.
    pub async fn stopped(&mut self) -> anyhow::Result<()> {
        match self.sequencer.as_mut() {
            Some(task) => {
                let result = task.await;
                self.sequencer = None;
                result.context("sequencer panicked")?
            }
            None => Ok(()),
        }
    }

    /// Stops the node and waits for it to finish in-flight work.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        let _ = self.server.stop();
        if let Some(task) = self.sequencer.take() {
            let _ = task.await;
        }
        self.server.clone().stopped().await;
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
        let _ = self.server.stop();
    }
}
