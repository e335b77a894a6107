//! `zkos-dev start`'s multi-chain flags (`--chains`, `--chain-ports`, `--gateway`) and what they
//! make of the config: the first chain id and port for the first L2, the others as
//! `Config::more_chains`, the Gateway as `Config::gateway`.
//!
//! `--chains 270,271 [--chain-ports 3050,3051] [--gateway [--interop-fee WEI]]` -> `Config {
//! chain.chain_id, rpc.port, more_chains, gateway, interop }`

use clap::Args;

use crate::{
    Config,
    config::{GATEWAY_CHAIN_ID, GATEWAY_PORT, MoreChain},
};

/// Several L2s in one devnet.
#[derive(Debug, Args)]
pub struct ChainsArgs {
    /// Run several L2s, each with its own sequencer, state and settlement, all settling on the
    /// same L1 (e.g. `--chains 270,271`): the first on --port, the next ones on the following
    /// ports.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        conflicts_with_all = ["chain_id", "fork_url"],
        help_heading = "Chain"
    )]
    pub chains: Vec<u64>,
    /// The ports of the --chains L2s, in the same order [default: --port, --port + 1, ...].
    #[arg(
        long,
        value_name = "PORTS",
        value_delimiter = ',',
        requires = "chains",
        help_heading = "Chain"
    )]
    pub chain_ports: Vec<u16>,
    /// Run the Gateway: one more ZKsync OS chain, settling on the L1, on which the L2s settle
    /// (commit, prove, execute on their contracts there); deposits still come from the L1.
    #[arg(long, conflicts_with_all = ["no_l1", "l1_rpc"], help_heading = "Chain")]
    pub gateway: bool,
    /// The Gateway's JSON-RPC port.
    #[arg(
        long,
        value_name = "PORT",
        default_value_t = GATEWAY_PORT,
        requires = "gateway",
        help_heading = "Chain"
    )]
    pub gateway_port: u16,
    /// The Gateway's chain id (zksync-os-server's local multi-chain setup uses 506).
    #[arg(
        long,
        value_name = "ID",
        default_value_t = GATEWAY_CHAIN_ID,
        requires = "gateway",
        help_heading = "Chain"
    )]
    pub gateway_chain_id: u64,
    /// The fee per interop call the L2s on the Gateway charge, in wei of their base token
    /// (`InteropCenter.interopProtocolFee`, paid in `msg.value` of `sendBundle`): the node sets
    /// it with a system tx, as zksync-os-server's interop fee updater does (0: interop is free,
    /// as on a chain whose Gateway charges no settlement fee).
    #[arg(
        long,
        value_name = "WEI",
        default_value_t = 0,
        requires = "gateway",
        help_heading = "Chain"
    )]
    pub interop_fee: u128,
}

impl ChainsArgs {
    /// Sets the first L2's chain id and port and adds the other L2s and the Gateway; no
    /// `--chains` and no `--gateway`: nothing.
    pub fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        self.apply_chains(config)?;
        if !self.gateway {
            return Ok(());
        }
        let id = self.gateway_chain_id;
        let port = self.gateway_port;
        anyhow::ensure!(id > 0, "--gateway-chain-id must be more than 0");
        let l2s = config.l2_chains();
        if let Some((chain, _)) = l2s.iter().find(|(c, _)| c.chain_id == id) {
            anyhow::bail!(
                "--gateway-chain-id {id} is L2 chain {}'s: give the Gateway another one",
                chain.chain_id
            );
        }
        if let Some((chain, _)) = l2s.iter().find(|(_, p)| port != 0 && *p == port) {
            anyhow::bail!(
                "the Gateway would listen on port {port}, chain {}'s: pass --gateway-port",
                chain.chain_id
            );
        }
        if let Some(l1) = &config.l1 {
            anyhow::ensure!(
                id != l1.chain.chain_id,
                "--gateway-chain-id {id} is the L1's chain id: give the Gateway another one"
            );
            anyhow::ensure!(
                port == 0 || port != l1.port,
                "the Gateway would listen on port {port}, the L1's (--l1-port): pass --gateway-port"
            );
        }
        config.gateway = Some(MoreChain { chain_id: id, port });
        config.interop.fee = alloy_primitives::U256::from(self.interop_fee);
        Ok(())
    }

    fn apply_chains(&self, config: &mut Config) -> anyhow::Result<()> {
        let Some((&first, more)) = self.chains.split_first() else {
            return Ok(());
        };
        for (i, id) in self.chains.iter().enumerate() {
            anyhow::ensure!(*id > 0, "--chains: a chain id must be more than 0");
            anyhow::ensure!(
                !self.chains[..i].contains(id),
                "--chains names chain {id} twice"
            );
            if let Some(l1) = &config.l1 {
                anyhow::ensure!(
                    *id != l1.chain.chain_id,
                    "--chains: {id} is the L1's chain id: give the L2s other ones"
                );
            }
        }
        let ports = match self.chain_ports.is_empty() {
            false => {
                anyhow::ensure!(
                    self.chain_ports.len() == self.chains.len(),
                    "--chain-ports names {} ports for {} chains: give one per chain",
                    self.chain_ports.len(),
                    self.chains.len()
                );
                self.chain_ports.clone()
            }
            // Port 0 (any free port) stays 0 for every chain.
            true if config.rpc.port == 0 => vec![0; self.chains.len()],
            true => (0..self.chains.len())
                .map(|i| {
                    u16::try_from(usize::from(config.rpc.port) + i).map_err(|_| {
                        anyhow::anyhow!(
                            "--chains: --port {} leaves no room for {} chains: pass --chain-ports",
                            config.rpc.port,
                            self.chains.len()
                        )
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        };
        for (i, port) in ports.iter().enumerate() {
            anyhow::ensure!(
                *port == 0 || !ports[..i].contains(port),
                "--chain-ports: port {port} is given twice"
            );
            if let Some(l1) = config.l1.as_ref().filter(|l1| l1.external.is_none()) {
                anyhow::ensure!(
                    *port == 0 || *port != l1.port,
                    "chain {} would listen on port {port}, the L1's (--l1-port): pass --chain-ports",
                    self.chains[i]
                );
            }
        }
        config.chain.chain_id = first;
        config.rpc.port = ports[0];
        config.more_chains = more
            .iter()
            .zip(&ports[1..])
            .map(|(&chain_id, &port)| MoreChain { chain_id, port })
            .collect();
        Ok(())
    }
}
