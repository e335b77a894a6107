//! anvil's `start` flags that zkos-dev lacks: refused with what to use instead, where clap
//! alone would say a bare "unexpected argument". Truly unknown flags keep clap's error and its
//! "a similar argument exists" tip.
//!
//! `clap "unexpected argument" error -> "anvil's --FLAG is not supported yet: use ..."`

/// Why zkos-dev lacks an anvil flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lack {
    /// Not there yet; `instead` is the closest thing zkos-dev has.
    Later,
    /// What the flag switches is already so, or does not apply: `instead` says why.
    NotNeeded,
}

/// anvil 1.7.1's flags (and a few of older anvils) that `zkos-dev start` lacks, aliases and
/// short forms included, with the closest alternative.
const FLAGS: &[(&[&str], Lack, &str)] = &[
    // Execution rules and networks.
    (
        &["--hardfork"],
        Lack::Later,
        "the L2 runs ZKsync OS's rules (Cancun); --evm-rules ethereum runs Ethereum's latest \
         rules, as anvil does",
    ),
    (
        &[
            "--network",
            "-n",
            "--optimism",
            "--celo",
            "--odyssey",
            "--alphanet",
        ],
        Lack::Later,
        "the L2 is a ZKsync OS chain; --evm-rules ethereum runs Ethereum's rules",
    ),
    (
        &["--code-size-limit", "--disable-code-size-limit"],
        Lack::Later,
        "contract code is limited to 24,576 bytes (EIP-170)",
    ),
    (
        &["--enable-tx-gas-limit", "--tx-gas-limit"],
        Lack::Later,
        "a tx may use up to the block gas limit (--gas-limit GAS)",
    ),
    (
        &["--memory-limit"],
        Lack::Later,
        "--call-timeout SECONDS bounds eth_call and eth_estimateGas",
    ),
    // Fees and gas.
    (
        &["--block-base-fee-per-gas"],
        Lack::Later,
        "use --base-fee WEI (anvil's alias of this flag)",
    ),
    (
        &["--gas-price"],
        Lack::Later,
        "the L2's base fee is constant: set it with --base-fee WEI",
    ),
    (
        &["--disable-block-gas-limit"],
        Lack::Later,
        "raise the block gas limit with --gas-limit GAS, and eth_call's with --gas-cap GAS",
    ),
    (
        &["--disable-min-priority-fee", "--no-priority-fee"],
        Lack::NotNeeded,
        "no minimum priority fee is enforced (eth_maxPriorityFeePerGas answers 0)",
    ),
    (
        &["--disable-pool-balance-checks"],
        Lack::Later,
        "fund the sender first (anvil_setBalance), or impersonate it with --auto-impersonate",
    ),
    // Genesis and accounts.
    (
        &["--init"],
        Lack::Later,
        "no genesis.json; --load-state FILE loads a state file (--dump-state's or \
         anvil_dumpState's), and --accounts, --balance and --mnemonic set the dev accounts",
    ),
    (
        &["--mnemonic-random", "--mnemonic-seed-unsafe"],
        Lack::Later,
        "pass the phrase with --mnemonic PHRASE",
    ),
    (
        &["--number"],
        Lack::Later,
        "the chain starts at block 0; anvil_mine N moves it ahead once started",
    ),
    (
        &["--timestamp"],
        Lack::Later,
        "set the next block's time with evm_setNextBlockTimestamp once started",
    ),
    (
        &["--slots-in-an-epoch"],
        Lack::NotNeeded,
        "`safe` and `finalized` follow the batches settled on L1, not epochs",
    ),
    (
        &["--disable-default-create2-deployer", "--no-create2"],
        Lack::NotNeeded,
        "the L2 has no CREATE2 deployer at genesis (only the embedded L1 has anvil's)",
    ),
    // History and state.
    (
        &[
            "--prune-history",
            "--max-persisted-states",
            "--transaction-block-keeper",
            "--preserve-historical-states",
        ],
        Lack::Later,
        "zkos-dev keeps the whole history, in --data-dir DIR (or in memory with --ephemeral)",
    ),
    (&["--cache-path"], Lack::Later, "use --data-dir DIR"),
    // Mining and the mempool.
    (
        &["--order"],
        Lack::Later,
        "txs are ordered by tip, then arrival (anvil's default, --order fees)",
    ),
    (
        &["--max-transactions"],
        Lack::Later,
        "blocks are bounded by gas (--gas-limit GAS); --block-time SECONDS or --no-mining \
         gather txs into fewer blocks",
    ),
    (&["--no-mine"], Lack::Later, "use --no-mining"),
    (
        &["--blockTime"],
        Lack::Later,
        "use --block-time SECONDS (or -b)",
    ),
    // Server and output.
    (
        &["--ipc", "--ipcpath"],
        Lack::Later,
        "use the JSON-RPC over HTTP or WebSocket on --port PORT",
    ),
    (
        &["--no-request-size-limit"],
        Lack::Later,
        "raise the limit with --max-request-size BYTES",
    ),
    (
        &["--threads", "-j", "--jobs"],
        Lack::NotNeeded,
        "zkos-dev uses every core",
    ),
    (&["--quiet", "-q"], Lack::Later, "use --silent"),
    (
        &["--color"],
        Lack::NotNeeded,
        "logs are coloured only on a terminal (NO_COLOR=1 turns colours off there too)",
    ),
    (
        &["--json"],
        Lack::Later,
        "--config-out FILE writes the banner as JSON; the log lines are text",
    ),
    (&["--md"], Lack::Later, "the log lines are text"),
    (
        &["--steps-tracing", "--tracing"],
        Lack::NotNeeded,
        "debug_traceTransaction and debug_traceCall return opcode steps (structLogs) without it",
    ),
    (
        &["--enable-trace-printing"],
        Lack::Later,
        "use --print-traces (or -vvvv)",
    ),
    (
        &["--disable-console-log", "--no-console-log"],
        Lack::Later,
        "--silent prints nothing, console.log lines included",
    ),
    (&["--auto-unlock"], Lack::Later, "use --auto-impersonate"),
    (
        &["-s"],
        Lack::Later,
        "use --state-interval SECONDS (anvil's -s)",
    ),
];

/// The refusal for `flag` (as typed, maybe with `=VALUE`) if it is an anvil flag zkos-dev lacks.
pub(super) fn refusal(flag: &str) -> Option<String> {
    let name = flag.split_once('=').map_or(flag, |(name, _)| name);
    let (_, lack, instead) = FLAGS.iter().find(|(names, ..)| names.contains(&name))?;
    Some(match lack {
        Lack::Later => format!("anvil's {name} is not supported yet: {instead}"),
        Lack::NotNeeded => format!("anvil's {name} is not needed here: {instead}"),
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn no_refusal_hides_a_flag_start_has() {
        let cli = crate::cli::Cli::command();
        let start = cli.find_subcommand("start").unwrap();
        let mut taken = vec![];
        for arg in start.get_arguments() {
            taken.extend(
                arg.get_long_and_visible_aliases()
                    .into_iter()
                    .flatten()
                    .map(|l| format!("--{l}")),
            );
            taken.extend(
                arg.get_short_and_visible_aliases()
                    .into_iter()
                    .flatten()
                    .map(|s| format!("-{s}")),
            );
        }
        for (names, ..) in super::FLAGS {
            for name in *names {
                assert!(
                    !taken.contains(&name.to_string()),
                    "{name} is a flag of start"
                );
                assert!(
                    super::refusal(name).is_some_and(|r| r.contains(name)),
                    "{name}"
                );
            }
        }
    }
}
