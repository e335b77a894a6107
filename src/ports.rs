//! Ports: which flag sets each port the node listens on, the refusal that names that flag when
//! the port cannot be had, and a check of them all before a start touches the data dir.
//!
//! `(Port, address, io::Error) -> "cannot listen on ...: pass another --FLAG"`

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener},
};

use crate::{Config, config::ProverMode};

/// A port the node listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// The L2 JSON-RPC (`--port`).
    L2Rpc,
    /// The JSON-RPC of an L2 after the first (`--chains`, `--chain-ports`).
    MoreL2Rpc,
    /// The Gateway's JSON-RPC (`--gateway`, `--gateway-port`).
    GatewayRpc,
    /// The embedded L1's JSON-RPC (`--l1-port`).
    L1Rpc,
    /// The Prometheus endpoint (`--metrics-port`).
    Metrics,
    /// The prover API of `--prover external` (`--prover-port`).
    ProverApi,
}

impl Port {
    /// The flag that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Self::L2Rpc => "--port",
            Self::MoreL2Rpc => "--chain-ports",
            Self::GatewayRpc => "--gateway-port",
            Self::L1Rpc => "--l1-port",
            Self::Metrics => "--metrics-port",
            Self::ProverApi => "--prover-port",
        }
    }

    /// What listens there.
    fn serves(self) -> &'static str {
        match self {
            Self::L2Rpc => "the L2 JSON-RPC",
            Self::MoreL2Rpc => "an L2's JSON-RPC (--chains)",
            Self::GatewayRpc => "the Gateway's JSON-RPC",
            Self::L1Rpc => "the embedded L1's JSON-RPC",
            Self::Metrics => "metrics",
            Self::ProverApi => "the prover API",
        }
    }

    /// The other way out: doing without it.
    fn or_without(self) -> &'static str {
        match self {
            Self::L1Rpc => ", or --no-l1",
            Self::Metrics => ", or --no-metrics",
            Self::L2Rpc | Self::MoreL2Rpc | Self::GatewayRpc | Self::ProverApi => "",
        }
    }

    /// Why `addr` cannot be listened on, the cause first, then the flag to change.
    pub fn bind_error(self, addr: SocketAddr, err: &io::Error) -> anyhow::Error {
        let (flag, serves, or_without) = (self.flag(), self.serves(), self.or_without());
        let cause = match err.kind() {
            io::ErrorKind::AddrInUse => {
                "address already in use (another zkos-dev or anvil?)".to_string()
            }
            io::ErrorKind::AddrNotAvailable => {
                return anyhow::anyhow!(
                    "cannot listen on {addr} for {serves}: {} is not an address of this machine: pass another --host",
                    addr.ip()
                );
            }
            _ => err.to_string(),
        };
        anyhow::anyhow!(
            "cannot listen on {addr} for {serves}: {cause}: pass another {flag} PORT (0: any free port){or_without}"
        )
    }

    /// Binds `addr` for this port.
    fn bind(self, addr: SocketAddr) -> anyhow::Result<TcpListener> {
        TcpListener::bind(addr).map_err(|err| self.bind_error(addr, &err))
    }
}

/// Binds every fixed port a start of `config` must have (the L2s', the embedded L1's, the
/// prover API's), all at once so that two flags given the same port clash too, then lets them
/// go. Run before the data dir is opened, a taken port refuses the start without touching it.
/// The metrics port is not checked: a taken one only turns metrics off, with a warning.
pub fn check_free(config: &Config) -> anyhow::Result<()> {
    let mut wanted = vec![(
        Port::L2Rpc,
        SocketAddr::new(config.rpc.host, config.rpc.port),
    )];
    for more in &config.more_chains {
        wanted.push((Port::MoreL2Rpc, SocketAddr::new(config.rpc.host, more.port)));
    }
    if let Some(gateway) = &config.gateway {
        wanted.push((
            Port::GatewayRpc,
            SocketAddr::new(config.rpc.host, gateway.port),
        ));
    }
    if let Some(l1) = &config.l1 {
        if l1.external.is_none() {
            wanted.push((Port::L1Rpc, SocketAddr::new(config.rpc.host, l1.port)));
        }
        let prover = &config.settlement.prover;
        if prover.mode == ProverMode::External {
            let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
            // One API per chain (the Gateway's last): the first on --prover-port, the others
            // on the following ports.
            for index in 0..config.l2_chains().len() {
                let port = prover.port_of(index).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--prover-port {} leaves no port for the prover API of every chain: pass a lower one",
                        prover.port
                    )
                })?;
                wanted.push((Port::ProverApi, SocketAddr::new(loopback, port)));
            }
        }
    }
    wanted.retain(|(_, addr)| addr.port() != 0);
    for (i, (port, addr)) in wanted.iter().enumerate() {
        if let Some((other, _)) = wanted[..i].iter().find(|(_, a)| a.port() == addr.port()) {
            anyhow::bail!(
                "{} and {} are both {}: give each its own port (0: any free port)",
                port.flag(),
                other.flag(),
                addr.port()
            );
        }
    }
    let mut held = Vec::with_capacity(wanted.len());
    for (port, addr) in wanted {
        held.push(port.bind(addr)?);
    }
    Ok(())
}
