//! Startup text, printed after the ports are bound, and its JSON twin for `--config-out`.
//! Pure functions of what was configured and bound.

use std::{fmt::Write as _, net::SocketAddr};

use alloy_primitives::utils::format_ether;
use serde_json::{Value, json};

use crate::{Config, L1Config, MiningMode, accounts::DevAccount, l1::L1Genesis};

mod chains;

pub(crate) use chains::ChainInfo;
use chains::{chains_json, chains_section, gateway_json};

/// What the banner shows.
pub(crate) struct BannerInfo<'a> {
    /// The node's config.
    pub config: &'a Config,
    /// Funded accounts (on both chains).
    pub accounts: &'a [DevAccount],
    /// Where the first L2's RPC listens.
    pub rpc_addr: SocketAddr,
    /// Every L2, the first one first (`--chains`; one without it).
    pub chains: Vec<ChainInfo<'a>>,
    /// The embedded L1, if it runs.
    pub l1: Option<L1Info<'a>>,
    /// The external L1 (`--l1-rpc`) and the rollup contracts there, if settling on one.
    pub external_l1: Option<(&'a str, crate::l1::L1Contracts)>,
    /// The data dir (`None`: in memory) and whether it held a devnet already; the path is
    /// `None` for an `--ephemeral` one.
    pub data_dir: Option<(Option<&'a std::path::Path>, bool)>,
    /// The L2's head block now (more than 0 on a resumed devnet).
    pub head: u64,
    /// Each account's L2 balance now, in `accounts` order.
    pub balances: Vec<alloy_primitives::U256>,
    /// Where the L2 was forked from (`--fork-url`).
    pub fork: Option<crate::fork::ForkPoint>,
    /// Where the embedded L1 was forked from (`--l1-fork-url`).
    pub l1_fork: Option<crate::fork::ForkPoint>,
}

/// anvil's "Fork" section, for the L2 or the L1.
fn fork_section(out: &mut String, title: &str, point: &crate::fork::ForkPoint) {
    let _ = writeln!(
        out,
        "{title}\n==================\nEndpoint:       {}\nBlock number:   {}\nBlock hash:     {}\nChain ID:       {}\n",
        point.url, point.block_number, point.block_hash, point.chain_id
    );
}

fn fork_json(point: Option<&crate::fork::ForkPoint>) -> Value {
    point.map_or(Value::Null, |p| {
        json!({
            "url": p.url,
            "block_number": p.block_number,
            "block_hash": p.block_hash,
            "chain_id": p.chain_id,
        })
    })
}

/// The first line after the title: a new devnet or a resumed one, and where it is kept.
fn state_line(info: &BannerInfo<'_>) -> String {
    // In full: a relative path means another devnet when started from another directory.
    let absolute =
        |path: &std::path::Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match info.data_dir {
        Some((Some(path), true)) => format!(
            "Resumed at L2 block {} from the data dir {} (`zkos-dev reset` starts over)",
            info.head,
            absolute(path).display()
        ),
        Some((Some(path), false)) => format!(
            "New devnet, kept in the data dir {} (restarts resume it; `zkos-dev reset` starts over)",
            absolute(path).display()
        ),
        Some((None, _)) => "New devnet in memory (--ephemeral): forgotten on exit".to_string(),
        None => "New devnet in memory".to_string(),
    }
}

/// What the banner shows of the embedded L1.
pub(crate) struct L1Info<'a> {
    /// Its config.
    pub config: &'a L1Config,
    /// Where its RPC listens.
    pub rpc_addr: SocketAddr,
    /// Its genesis: contract addresses, operator.
    pub genesis: &'a L1Genesis,
}

/// The prover mode's name (`mock`, `reexec`, `external`).
fn prover_name(c: &Config) -> &'static str {
    match c.settlement.prover.mode {
        crate::config::ProverMode::Mock => "mock",
        crate::config::ProverMode::Reexec => "reexec",
        crate::config::ProverMode::External => "external",
    }
}

/// Human name of a mining mode.
pub(crate) fn mining_name(mode: MiningMode) -> String {
    match mode {
        MiningMode::Instant => "instant (a block as soon as txs are ready)".into(),
        MiningMode::Interval(d) => format!("interval ({} s)", d.as_secs_f64()),
        MiningMode::Manual => "manual (evm_mine / anvil_mine)".into(),
        MiningMode::Mixed(d) => format!("mixed (instant + every {} s)", d.as_secs_f64()),
    }
}

/// The banner text.
pub(crate) fn banner(info: &BannerInfo<'_>) -> String {
    let c = info.config;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nzkos-dev v{} - a ZKsync OS rollup on your machine",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out, "{}\n", state_line(info));
    if let Some(point) = &info.fork {
        fork_section(&mut out, "Fork", point);
    }
    if let Some(point) = &info.l1_fork {
        fork_section(&mut out, "L1 fork", point);
    }
    let _ = writeln!(
        out,
        "Available Accounts (L2 balances now)\n=================="
    );
    for (i, a) in info.accounts.iter().enumerate() {
        let balance = info.balances.get(i).copied().unwrap_or(c.accounts.balance);
        let _ = writeln!(out, "({i}) {} ({} ETH)", a.address, format_ether(balance));
    }
    let _ = writeln!(out, "\nPrivate Keys\n==================");
    for (i, a) in info.accounts.iter().enumerate() {
        let _ = writeln!(out, "({i}) {}", a.private_key);
    }
    let _ = writeln!(out, "\nWallet\n==================");
    let _ = writeln!(out, "Mnemonic:          {}", c.accounts.mnemonic);
    let _ = writeln!(
        out,
        "Derivation path:   {}<index>",
        c.accounts.derivation_path
    );
    let _ = writeln!(
        out,
        "(the last account is the ZKsync rich account; all keys are public)"
    );
    let ids: Vec<String> = match info.chains.len() {
        0 | 1 => vec![c.chain.chain_id.to_string()],
        _ => info
            .chains
            .iter()
            .map(|c| match c.gateway {
                true => format!("{} (Gateway)", c.chain_id),
                false => c.chain_id.to_string(),
            })
            .collect(),
    };
    let _ = writeln!(out, "\nL2 Chain ID\n==================\n{}", ids.join(", "));
    let _ = writeln!(
        out,
        "\nEVM Rules\n==================\n{}",
        rules_line(&c.chain)
    );
    if c.chain.eip712 {
        let _ = writeln!(
            out,
            "EIP-712 (type 0x71) txs accepted (--eip712), as zksync-os-server's eip712-tx feature \
             takes them: signed over its hash, no paymaster, factory deps or custom signature"
        );
    }
    let _ = writeln!(
        out,
        "\nBase Fee\n==================\n{} wei",
        c.chain.base_fee
    );
    let _ = writeln!(
        out,
        "\nGas Limit\n==================\n{}",
        c.chain.gas_limit
    );
    let _ = writeln!(
        out,
        "\nMining\n==================\n{}",
        mining_name(c.mining)
    );
    chains_section(&mut out, &info.chains);
    let _ = writeln!(out, "\nEndpoints\n==================");
    let _ = writeln!(
        out,
        "L2 JSON-RPC:  http://{0}  ws://{0}  (GET /health)",
        info.rpc_addr
    );
    for chain in info.chains.iter().skip(1) {
        let what = match chain.gateway {
            true => "Gateway:     ",
            false => "L2 JSON-RPC: ",
        };
        let _ = writeln!(
            out,
            "{what} http://{0}  ws://{0}  (chain {1})",
            chain.rpc_addr, chain.chain_id
        );
    }
    if let Some(l1) = &info.l1 {
        let _ = writeln!(
            out,
            "L1 JSON-RPC:  http://{0}  ws://{0}  (embedded L1, chain id {1})",
            l1.rpc_addr, l1.config.chain.chain_id
        );
        let g = l1.genesis;
        let k = g.contracts;
        let _ = writeln!(out, "\nL1 (embedded)\n==================");
        let chain_rows: Vec<(String, String)> = match info.chains.iter().any(|c| c.on_l1.is_some())
        {
            true => info
                .chains
                .iter()
                .filter_map(|c| c.on_l1)
                .map(|c| {
                    (
                        format!("Chain {}", c.chain_id),
                        c.contracts.zk_chain.to_string(),
                    )
                })
                .collect(),
            false => vec![(format!("Chain {}", g.l2_chain_id), k.zk_chain.to_string())],
        };
        let head = [
            ("Chain ID", l1.config.chain.chain_id.to_string()),
            ("Mining", mining_name(l1.config.mining)),
            ("Bridgehub", k.bridgehub.to_string()),
        ];
        let rows = [
            ("L1 Nullifier", k.l1_nullifier.to_string()),
            ("L1 Asset Router", k.l1_asset_router.to_string()),
            ("L1 Token Vault", k.l1_native_token_vault.to_string()),
            ("Verifier", format!("{} (fake proofs accepted)", k.verifier)),
            ("Validator Timelock", k.validator_timelock.to_string()),
            (
                "Operator",
                match info.chains.first().and_then(|c| c.on_l1) {
                    Some(first) if first.operator.address() != g.operator => {
                        first.operator.address().to_string()
                    }
                    _ => format!("{} (dev account #9)", g.operator),
                },
            ),
        ];
        let rows = head
            .into_iter()
            .map(|(label, value)| (label.to_string(), value))
            .chain(chain_rows)
            .chain(
                rows.into_iter()
                    .map(|(label, value)| (label.to_string(), value)),
            );
        for (label, value) in rows {
            let _ = writeln!(out, "{:<20}{value}", format!("{label}:"));
        }
        if info.chains.len() > 1 {
            let _ = writeln!(
                out,
                "(each chain's own operator settles it; dev account #9 settles chain {})",
                g.l2_chain_id
            );
        }
    }
    if let Some((url, k)) = &info.external_l1 {
        let _ = writeln!(out, "L1 JSON-RPC:  {url}  (external L1)");
        let _ = writeln!(out, "\nL1 (external)\n==================");
        let rows = [
            ("Bridgehub", k.bridgehub.to_string()),
            (
                &format!("Chain {}", c.chain.chain_id) as &str,
                k.zk_chain.to_string(),
            ),
            ("L1 Nullifier", k.l1_nullifier.to_string()),
            ("Validator Timelock", k.validator_timelock.to_string()),
        ];
        for (label, value) in rows {
            let _ = writeln!(out, "{:<20}{value}", format!("{label}:"));
        }
    }
    if c.l1.is_some() {
        let seal = &c.settlement.seal;
        let _ = writeln!(
            out,
            "\nSettlement: a batch every {} ms (or {} blocks), {} prover{}, {}",
            seal.timeout.as_millis(),
            seal.max_blocks,
            prover_name(c),
            if c.settlement.prover_delay.is_zero() {
                String::new()
            } else {
                format!(" ({} ms)", c.settlement.prover_delay.as_millis())
            },
            if c.settlement.auto && c.gateway.is_some() {
                "commit -> prove -> execute as soon as proven, the L2s' on the Gateway, the \
                 Gateway's on L1"
            } else if c.settlement.auto {
                "commit -> prove -> execute on L1 as soon as proven"
            } else {
                "settled by hand (anvil_zks_commitBatch / proveBatch / executeBatch)"
            }
        );
    }
    if !info.rpc_addr.ip().is_loopback() {
        let _ = writeln!(
            out,
            "\nWARNING: listening on a non-loopback address while the public dev keys are funded."
        );
    }
    let l2s: Vec<String> = match info.chains.len() {
        0 | 1 => vec![info.rpc_addr.to_string()],
        _ => info.chains.iter().map(|c| c.rpc_addr.to_string()).collect(),
    };
    let l2s = l2s.join(", ");
    match &info.l1 {
        Some(l1) => {
            let _ = write!(out, "\nListening on {l2s} (L2) and {} (L1)", l1.rpc_addr);
        }
        None => {
            let _ = write!(out, "\nListening on {l2s}");
        }
    }
    out
}

/// Which rules the L2 follows, in one line.
fn rules_line(chain: &crate::config::ChainConfig) -> String {
    match chain.rules {
        crate::executor::EvmRules::ZksyncOs => format!(
            "zksync-os {} ({}): Cancun, precompiles 0x01-0x08 and P256VERIFY 0x100, PREVRANDAO 1, \
             {}, fees paid to {}{} (--evm-rules ethereum for anvil's)",
            chain.protocol,
            chain.protocol.spec_name(),
            match chain.prices.on() {
                true => format!(
                    "native {} wei and pubdata {} wei on top of EVM gas",
                    chain.prices.native_price, chain.prices.pubdata_price
                ),
                false => "EVM gas only".to_string(),
            },
            chain.fee_account,
            if chain.allow_eip7702 {
                ", EIP-7702 allowed"
            } else {
                ", no EIP-7702"
            }
        ),
        crate::executor::EvmRules::Ethereum => {
            "ethereum: the latest hardfork, all precompiles, base fee burned (as anvil)".to_string()
        }
    }
}

/// The banner as JSON (`--config-out`).
pub(crate) fn banner_json(info: &BannerInfo<'_>) -> Value {
    let c = info.config;
    let l1 = info.l1.as_ref().map(|l1| {
        json!({
            "chain_id": l1.config.chain.chain_id,
            "rpc_url": format!("http://{}", l1.rpc_addr),
            "ws_url": format!("ws://{}", l1.rpc_addr),
            "host": l1.rpc_addr.ip().to_string(),
            "port": l1.rpc_addr.port(),
            "mining": mining_name(l1.config.mining),
            "l2_chain_id": l1.genesis.l2_chain_id,
            "operator": l1.genesis.operator,
            "contracts": l1.genesis.contracts,
        })
    });
    let l1 = l1.or_else(|| {
        info.external_l1.as_ref().map(
            |(url, contracts)| json!({"rpc_url": url, "external": true, "contracts": contracts}),
        )
    });
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "l1": l1,
        "chains": chains_json(&info.chains),
        "gateway": gateway_json(&info.chains),
        "settlement": c.l1.as_ref().map(|_| json!({
            "batch_timeout_ms": c.settlement.seal.timeout.as_millis() as u64,
            "batch_max_blocks": c.settlement.seal.max_blocks,
            "prover": prover_name(c),
            "auto": c.settlement.auto,
        })),
        "l2": {
            "chain_id": c.chain.chain_id,
            "rpc_url": format!("http://{}", info.rpc_addr),
            "ws_url": format!("ws://{}", info.rpc_addr),
            "host": info.rpc_addr.ip().to_string(),
            "port": info.rpc_addr.port(),
            "evm_rules": c.chain.rules.name(),
            "fee_account": c.chain.fee_account,
            "allow_eip7702": c.chain.allow_eip7702,
            "eip712": c.chain.eip712,
            "protocol_version": c.chain.protocol.minor(),
            "native_price": c.chain.prices.native_price,
            "pubdata_price": c.chain.prices.pubdata_price,
        },
        "data_dir": info.data_dir.and_then(|(path, _)| path.map(|p| p.display().to_string())),
        "resumed": matches!(info.data_dir, Some((Some(_), true))),
        "head": info.head,
        "fork": fork_json(info.fork.as_ref()),
        "l1_fork": fork_json(info.l1_fork.as_ref()),
        "ephemeral": matches!(info.data_dir, Some((None, _))),
        "base_fee": c.chain.base_fee,
        "gas_limit": c.chain.gas_limit,
        "mining": mining_name(c.mining),
        "wallet": {
            "mnemonic": c.accounts.mnemonic,
            "derivation_path": c.accounts.derivation_path,
        },
        "accounts": info.accounts.iter().enumerate().map(|(i, a)| json!({
            "address": a.address,
            "private_key": a.private_key,
            "balance": info.balances.get(i).copied().unwrap_or(c.accounts.balance).to_string(),
        })).collect::<Vec<_>>(),
    })
}
