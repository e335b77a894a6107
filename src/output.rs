//! Node output: anvil-style lines for each tx of a sealed block (printed unless `--silent`).
//! `tx_lines` produces them as data (a later TUI routes them to a pane); `log_block` prints.
//! The embedded L1's lines carry a `[L1]` label, so a tool that reached the L1 by default
//! (cast and forge without `--rpc-url`, Hardhat's `localhost`) is seen doing so; its settlement
//! txs get one line each.
//!
//! Verbosity (`-v` count on `zkos-dev start`): 0 = hash, from → to, contract created, gas used,
//! status, decoded revert reason and `console.log` output; 1 adds value, nonce, gas limit and
//! price; 2 adds the emitted events; 3 adds the call trace of failed txs; 4 (or
//! `--print-traces`) the call trace of every tx.

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, Bytes, hex};
use alloy_sol_types::{Panic, Revert, SolCall as _, SolError};

use crate::storage::{StoredBlock, StoredTx};

/// What the node output shows besides the default lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputConfig {
    /// `-v` count (see the module docs).
    pub verbosity: u8,
    /// `--print-traces`: the decoded call trace after every tx.
    pub print_traces: bool,
    /// Put before every line (`[L1]` for the embedded L1, `[271]` for an L2 after the first).
    pub label: Option<LineLabel>,
    /// Txs from these accounts (the L1 operator's settlement txs, the governor's set-up) get
    /// one summary line each.
    pub internal_senders: [Option<Address>; 2],
    /// Txs to this contract (the validator timelock: every L2's settlement calls, whichever
    /// operator sends them), and any chain's genesis batch, get one summary line each too.
    pub settlement_target: Option<Address>,
}

/// Which chain a line is from, when the output mixes chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineLabel {
    /// The embedded L1: `[L1]`.
    L1,
    /// An L2 after the first (`--chains`): `[<chain id>]`.
    Chain(u64),
}

impl std::fmt::Display for LineLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::L1 => f.write_str("[L1]"),
            Self::Chain(id) => write!(f, "[{id}]"),
        }
    }
}

impl OutputConfig {
    /// Whether some tx may get a call trace (blocks then run under a call tracer).
    pub fn any_traces(&self) -> bool {
        self.print_traces || self.verbosity >= 3
    }

    /// Whether a tx that succeeded (or not) gets its call trace printed.
    pub fn trace_of(&self, success: bool) -> bool {
        self.print_traces || self.verbosity >= 4 || (self.verbosity >= 3 && !success)
    }
}

/// Prints the lines of every tx of a block.
pub(crate) fn log_block(block: &StoredBlock, config: &OutputConfig) {
    for tx in &block.txs {
        let internal = config.internal_senders.contains(&Some(tx.tx.sender))
            || (config.settlement_target.is_some()
                && (tx.tx.envelope.to() == config.settlement_target
                    || tx.tx.envelope.input().get(..4)
                        == Some(crate::abi::ZKChain::setGenesisBatchCall::SELECTOR.as_slice())));
        let lines = match internal {
            true => vec![settlement_line(block, tx)],
            false => tx_lines(block, tx, config),
        };
        match config.label {
            Some(label) => {
                let labelled: Vec<String> = lines
                    .iter()
                    .map(|line| match line.is_empty() {
                        true => String::new(),
                        false => format!("{label}{line}"),
                    })
                    .collect();
                println!("{}", labelled.join("\n"));
            }
            None => println!("{}", lines.join("\n")),
        }
    }
}

/// One line for a settlement tx: which step, in which block.
fn settlement_line(block: &StoredBlock, tx: &StoredTx) -> String {
    let input = tx.tx.envelope.input();
    let step = match input.get(..4) {
        Some(selector)
            if selector
                == crate::abi::IValidatorTimelock::commitBatchesSharedBridgeCall::SELECTOR =>
        {
            "commit"
        }
        Some(selector)
            if selector
                == crate::abi::IValidatorTimelock::proveBatchesSharedBridgeCall::SELECTOR =>
        {
            "prove"
        }
        Some(selector)
            if selector
                == crate::abi::IValidatorTimelock::executeBatchesSharedBridgeCall::SELECTOR =>
        {
            "execute"
        }
        Some(selector) if selector == crate::abi::ZKChain::setGenesisBatchCall::SELECTOR => {
            "genesis batch"
        }
        _ => "rollup set-up",
    };
    let status = if tx.receipt.status() { "" } else { " (failed)" };
    format!(
        "    settlement: {step} {}, block {}{status}",
        tx.tx.hash, block.header.number
    )
}

/// The lines printed for one tx of a block (the first is empty: a separator).
pub(crate) fn tx_lines(block: &StoredBlock, tx: &StoredTx, config: &OutputConfig) -> Vec<String> {
    let envelope = &tx.tx.envelope;
    let mut lines = vec![String::new(), format!("    Transaction: {}", tx.tx.hash)];
    let to = match envelope.to() {
        Some(to) => to.to_string(),
        None => "contract creation".to_string(),
    };
    lines.push(format!("    From: {} → To: {to}", tx.tx.sender));
    if let Some(address) = tx.contract_address {
        lines.push(format!("    Contract created: {address}"));
    }
    lines.push(format!("    Gas used: {}", tx.gas_used));
    if config.verbosity >= 1 {
        lines.push(format!("    Value: {} wei", envelope.value()));
        lines.push(format!("    Nonce: {}", envelope.nonce()));
        lines.push(format!("    Gas limit: {}", envelope.gas_limit()));
        lines.push(format!("    Gas price: {} wei", tx.effective_gas_price));
    }
    if tx.receipt.status() {
        lines.push("    Status: success".to_string());
    } else {
        lines.push("    Status: failed".to_string());
        let reason = match &tx.revert {
            Some(data) => format!("reverted with: {}", revert_reason(data)),
            None => "halted (out of gas or invalid opcode)".to_string(),
        };
        lines.push(format!("    Error: {reason}"));
    }
    if config.verbosity >= 2 && !tx.receipt.logs().is_empty() {
        lines.push("    Logs:".to_string());
        for log in tx.receipt.logs() {
            lines.push(format!("      {}", log.address));
            for (i, topic) in log.data.topics().iter().enumerate() {
                lines.push(format!("        topic {i}: {topic}"));
            }
            lines.push(format!("        data: {}", log.data.data));
        }
    }
    if !tx.console.is_empty() {
        lines.push("    console.log:".to_string());
        lines.extend(tx.console.iter().map(|line| format!("      {line}")));
    }
    if let Some(trace) = &tx.trace {
        lines.push("    Traces:".to_string());
        lines.extend(trace.lines().map(|line| format!("    {line}")));
    }
    lines.push(String::new());
    lines.push(format!("    Block Number: {}", block.header.number));
    lines.push(format!("    Block Hash: {}", block.hash));
    lines.push(format!(
        "    Block Time: \"{}\"",
        block_time(block.header.timestamp)
    ));
    lines
}

/// A block timestamp as anvil prints it (RFC 2822, UTC).
fn block_time(timestamp: u64) -> String {
    i64::try_from(timestamp)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.to_rfc2822())
        .unwrap_or_else(|| timestamp.to_string())
}

/// Why a call reverted, from its revert data: the `Error(string)` message, the `Panic(uint)`
/// kind, the selector of a custom error, or the raw bytes.
pub(crate) fn revert_reason(data: &Bytes) -> String {
    if let Ok(revert) = Revert::abi_decode(data) {
        return revert.reason;
    }
    if let Ok(panic) = Panic::abi_decode(data) {
        let kind = panic.kind().map(|k| k.as_str().to_string());
        return format!(
            "panic: {} ({:#x})",
            kind.unwrap_or_else(|| "unknown panic".into()),
            panic.code
        );
    }
    if data.is_empty() {
        return "no reason".to_string();
    }
    if data.len() > 4 {
        let (selector, args) = data.split_at(4);
        return format!(
            "custom error {}: {}",
            hex::encode_prefixed(selector),
            hex::encode_prefixed(args)
        );
    }
    if data.len() == 4 {
        return format!("custom error {data}");
    }
    format!("{data}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_reasons_are_decoded() {
        let data: Bytes = Revert::from("counter: failure").abi_encode().into();
        assert_eq!(revert_reason(&data), "counter: failure");
        let data: Bytes = Panic::from(0x11).abi_encode().into();
        assert_eq!(
            revert_reason(&data),
            "panic: arithmetic underflow or overflow (0x11)"
        );
        let data = Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(revert_reason(&data), "custom error 0xdeadbeef");
    }

    #[test]
    fn traces_follow_verbosity() {
        let quiet = OutputConfig::default();
        assert!(!quiet.any_traces());
        let failed = OutputConfig {
            verbosity: 3,
            ..OutputConfig::default()
        };
        assert!(failed.trace_of(false) && !failed.trace_of(true));
        let all = OutputConfig {
            print_traces: true,
            ..OutputConfig::default()
        };
        assert!(all.trace_of(true));
    }

    #[test]
    fn block_time_is_rfc_2822_as_anvil_prints_it() {
        assert_eq!(block_time(1_796_418_243), "Fri, 4 Dec 2026 21:04:03 +0000");
    }
}
