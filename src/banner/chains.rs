//! The banner's chains (several L2s, the Gateway): the "L2 Chains" section and the `chains`
//! and `gateway` entries of its JSON twin.

use std::{fmt::Write as _, net::SocketAddr};

use serde_json::{Value, json};

/// What the banner shows of one L2.
pub(crate) struct ChainInfo<'a> {
    pub chain_id: u64,
    /// Where its RPC listens.
    pub rpc_addr: SocketAddr,
    /// Its contract and operator on the L1 (`None` without an L1).
    pub on_l1: Option<&'a crate::l1::ChainOnL1>,
    /// Whether it is the Gateway (`--gateway`).
    pub gateway: bool,
    /// Its contract and operator on the Gateway, where it settles (`None`: it settles on L1).
    pub on_gateway: Option<&'a crate::l1::ChainOnL1>,
}

/// The "Chains" section of a devnet with several L2s: each one's URL, contract and operator.
pub(super) fn chains_section(out: &mut String, chains: &[ChainInfo<'_>]) {
    if chains.len() < 2 {
        return;
    }
    let _ = writeln!(out, "\nL2 Chains\n==================");
    for chain in chains {
        let name = match chain.gateway {
            true => format!("{} (Gateway)", chain.chain_id),
            false => chain.chain_id.to_string(),
        };
        let _ = write!(out, "Chain {name:<8} http://{}", chain.rpc_addr);
        if let Some(there) = chain.on_gateway {
            let _ = write!(
                out,
                "  Gateway contract {}  operator {}",
                there.contracts.zk_chain,
                there.operator.address()
            );
        } else if let Some(on_l1) = chain.on_l1 {
            let _ = write!(
                out,
                "  L1 contract {}  operator {}",
                on_l1.contracts.zk_chain,
                on_l1.operator.address()
            );
        }
        let _ = writeln!(out);
    }
}

/// The chains as JSON: `[{chain_id, rpc_url, ws_url, port, l1_contracts, operator, gateway,
/// settles_on, gateway_contracts, gateway_operator}]`.
pub(super) fn chains_json(chains: &[ChainInfo<'_>]) -> Value {
    chains
        .iter()
        .map(|chain| {
            json!({
                "chain_id": chain.chain_id,
                "rpc_url": format!("http://{}", chain.rpc_addr),
                "ws_url": format!("ws://{}", chain.rpc_addr),
                "port": chain.rpc_addr.port(),
                "l1_contracts": chain.on_l1.map(|c| c.contracts),
                "operator": chain.on_l1.map(|c| c.operator.address()),
                "gateway": chain.gateway,
                "settles_on": match (chain.on_gateway, chain.on_l1) {
                    (Some(_), _) => Some("gateway"),
                    (None, Some(_)) => Some("l1"),
                    (None, None) => None,
                },
                "gateway_contracts": chain.on_gateway.map(|c| c.contracts),
                "gateway_operator": chain.on_gateway.map(|c| c.operator.address()),
            })
        })
        .collect()
}

/// The Gateway as JSON: `{chain_id, rpc_url, ws_url, port, contracts}` (`null` without one);
/// `contracts` are the rollup contracts on it (each L2's own chain contract is in `chains`).
pub(super) fn gateway_json(chains: &[ChainInfo<'_>]) -> Value {
    let Some(gateway) = chains.iter().find(|c| c.gateway) else {
        return Value::Null;
    };
    json!({
        "chain_id": gateway.chain_id,
        "rpc_url": format!("http://{}", gateway.rpc_addr),
        "ws_url": format!("ws://{}", gateway.rpc_addr),
        "port": gateway.rpc_addr.port(),
        "contracts": chains.iter().find_map(|c| c.on_gateway).map(|c| c.contracts),
    })
}
