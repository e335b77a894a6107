//! `zkos-dev`: parse the command line, run, print the error chain, set the exit code.

use std::io::IsTerminal as _;

use anyhow::Context as _;
use zkos_dev::{
    Config, Node,
    accounts::dev_accounts,
    cli::{Cli, Command},
    config::Storage,
    persistence::data_dir::NewDataDir,
};

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async_main())
}

/// glibc's malloc gives each thread that allocates its own arena (up to 8 per core), and memory
/// freed in one stays there: over a long history the node's resident memory grew to twice what
/// it held. Two arenas keep it at what it holds (measured in `scripts/bench-history.sh`: 329
/// MiB after 1,000,000 txs against 499 MiB). Set before any thread starts; glibc's own
/// `MALLOC_ARENA_MAX`, when set, wins.
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter; it is called before any other thread runs.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

async fn async_main() -> std::process::ExitCode {
    let cli = Cli::parse_args();
    // Colours only on a terminal (and not with NO_COLOR): a log file or a CI log gets plain
    // text. The dashboard's pane drops them either way.
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        // stderr, or the dashboard's log pane while it is up.
        .with_writer(zkos_dev::tui::LogWriter)
        .with_ansi(colour)
        .init();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Start(args) => {
            let mut shutdown = Shutdown::listen();
            // The dashboard only on a terminal: piped or in CI, the anvil-style lines.
            let tui = !args.no_tui && !args.silent && std::io::stdout().is_terminal();
            let files = args.dump_files()?;
            let mut config = args.into_config()?;
            // The dashboard shows the banner's facts; per-tx lines would scribble over it.
            config.silent |= tui;
            // Before the data dir is opened: a taken port leaves it untouched.
            zkos_dev::ports::check_free(&config)?;
            // A start that fails takes away the data dir it created.
            let created = match &config.storage {
                Storage::Dir(path) => NewDataDir::before_start(path),
                _ => None,
            };
            // The data dirs of the L2s after the first (`--chains`) go with a new one too.
            let created_chains = match (&config.storage, &created) {
                (Storage::Dir(path), Some(_)) => {
                    Some(path.join(zkos_dev::CHAINS_DIR)).filter(|dir| !dir.exists())
                }
                _ => None,
            };
            let started = async {
                let node = Node::spawn(config).await?;
                match files.load_into(&node.dumps()).await {
                    Ok(()) => Ok(node),
                    Err(err) => {
                        node.shutdown().await;
                        Err(err)
                    }
                }
            };
            let mut node = match started.await {
                Ok(node) => node,
                Err(err) => {
                    if let Some(created) = created {
                        let _ = tokio::task::spawn_blocking(move || created.remove()).await;
                    }
                    if let Some(chains) = created_chains {
                        let _ = std::fs::remove_dir_all(chains);
                    }
                    return Err(err);
                }
            };
            let dumps = node.dumps();
            let ended = if tui {
                let dashboard = zkos_dev::tui::Dashboard::in_process(&node)?;
                tokio::select! {
                    result = dashboard.run() => result,
                    result = node.stopped() => result,
                    _ = files.dump_periodically(&dumps) => Ok(()),
                    _ = shutdown.received() => Ok(()),
                }
            } else {
                tokio::select! {
                    result = node.stopped() => result,
                    _ = files.dump_periodically(&dumps) => Ok(()),
                    _ = shutdown.received() => Ok(()),
                }
            };
            // The dump file is written while the node still runs, before it stops.
            let dumped = match ended {
                Ok(()) => files.dump_from(&dumps).await,
                Err(_) => Ok(()),
            };
            // It reaches the data dir, which closes as soon as the node lets go of it.
            drop(dumps);
            node.shutdown().await;
            ended?;
            dumped.context("--dump-state")
        }
        Command::Snapshot(args) => {
            let target =
                zkos_dev::cli::snapshot_cmd::target(args.target.rpc, args.target.data_dir).await?;
            println!(
                "{}",
                zkos_dev::cli::snapshot_cmd::snapshot(&target, args.action.into()).await?
            );
            Ok(())
        }
        Command::Reset(args) => {
            let target = zkos_dev::cli::snapshot_cmd::target(args.rpc, args.data_dir).await?;
            println!("{}", zkos_dev::cli::snapshot_cmd::reset(&target).await?);
            Ok(())
        }
        Command::Tui(args) => {
            let mut shutdown = Shutdown::listen();
            anyhow::ensure!(
                std::io::stdout().is_terminal(),
                "zkos-dev tui draws on a terminal: stdout is not one"
            );
            let l1 = (!args.no_l1).then_some(args.l1_rpc.as_str());
            let dashboard = zkos_dev::tui::Dashboard::attach(&args.rpc, l1)?;
            tokio::select! {
                result = dashboard.run() => result,
                _ = shutdown.received() => Ok(()),
            }
        }
        Command::Accounts(args) => {
            let mut config = Config::default();
            args.apply(&mut config);
            for (i, account) in dev_accounts(&config.accounts)?.iter().enumerate() {
                println!("({i}) {} {}", account.address, account.private_key);
            }
            Ok(())
        }
        Command::Init(args) => {
            if args.template == zkos_dev::init::Template::Hardhat && !args.skip_node_check {
                zkos_dev::init::check_node_for_hardhat()?;
            }
            zkos_dev::init::run(args.template, &args.dir, args.force)
        }
        Command::Prover(args) => zkos_dev::prover::worker::run(args.into_worker_config()).await,
        Command::Bench(args) => {
            let json = args.json;
            let report = zkos_dev::bench::run(args.into_config()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.text());
            }
            Ok(())
        }
    }
}

/// SIGINT / SIGTERM (Ctrl-C elsewhere), listened for from the moment it is made: a signal
/// that arrives while the node is still starting (rebuilding a long history, say) stops it
/// once it is up instead of being lost.
struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                signals: signal(SignalKind::interrupt())
                    .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                    .ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Waits for a signal.
    async fn received(&mut self) {
        #[cfg(unix)]
        if let Some((int, term)) = &mut self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
