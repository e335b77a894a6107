//! What a user who typed something wrong sees, running the real binary: an anvil flag
//! zkos-dev lacks names the closest alternative; a bad `--l1-rpc` leads with its cause and
//! `host:port` works as in cast; a taken port names the flag to change; log lines carry no
//! colour codes into a pipe; a failed start leaves the data dir path as it found it.

use std::{
    collections::BTreeMap,
    hash::{Hash as _, Hasher as _},
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Instant,
};

use zkos_dev::{cli::Cli, config::Storage};

use crate::support::{Anvil, Killed, PATIENCE, TestNode};

/// Runs `zkos-dev ARGS` to its end, with no `ZKOS_DEV_*` variables leaking into defaults.
fn zkos_dev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
        .args(args)
        .env_clear()
        .output()
        .expect("run zkos-dev")
}

/// Its stderr, after checking it failed with `code`.
fn failed(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    stderr
}

/// `start` with everything on free ports, no metrics and nothing kept, then `args`.
fn start(args: &[&str]) -> Output {
    let mut all = vec!["start", "--no-tui", "--port", "0", "--l1-port", "0"];
    all.extend(["--no-metrics", "--ephemeral"]);
    all.extend(args);
    zkos_dev(&all)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every file under `dir` with its length and a hash of its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, (usize, u64)> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(contents(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut hasher);
            files.insert(path, (bytes.len(), hasher.finish()));
        }
    }
    files
}

#[test]
fn an_anvil_flag_zkos_dev_lacks_says_not_supported_yet_and_what_to_use() {
    for (args, says) in [
        (
            &["--hardfork", "prague"][..],
            &[
                "anvil's --hardfork is not supported yet",
                "--evm-rules ethereum",
            ][..],
        ),
        (
            &["--block-base-fee-per-gas", "7"],
            &["not supported yet: use --base-fee WEI"],
        ),
        (
            &["--steps-tracing"],
            &["anvil's --steps-tracing is not needed here", "structLogs"],
        ),
    ] {
        let out = zkos_dev(&[&["start"], args].concat());
        let stderr = failed(&out, 2);
        for said in says {
            assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
            assert!(
                stderr.contains(said),
                "{args:?} should say {said:?}: {stderr}"
            );
        }
        assert!(
            !stderr.contains("unexpected argument"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("Usage: zkos-dev start"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn forking_flags_need_a_fork_url_and_a_url_that_is_a_chain() {
    let out = zkos_dev(&["start", "--fork-block-number", "5"]);
    let stderr = failed(&out, 2);
    assert!(stderr.contains("--fork-url <URL>"), "{stderr}");
    let port = closed_port();
    let out = start(&["--fork-url", &format!("http://127.0.0.1:{port}")]);
    let stderr = failed(&out, 1);
    assert!(
        stderr.contains(&format!(
            "--fork-url http://127.0.0.1:{port}: not a reachable JSON-RPC chain"
        )),
        "{stderr}"
    );
    let out = zkos_dev(&["start", "--fork-url", "x", "--fork-header", "no colon"]);
    let stderr = failed(&out, 1);
    assert!(stderr.contains("expected \"Name: value\""), "{stderr}");
}

#[test]
fn every_anvil_flag_zkos_dev_lacks_names_an_alternative() {
    // anvil 1.7.1's flags (and older anvils' --optimism) that `zkos-dev start` does not have.
    let lacking = [
        "--hardfork",
        "--network",
        "--optimism",
        "--celo",
        "--code-size-limit",
        "--disable-code-size-limit",
        "--enable-tx-gas-limit",
        "--memory-limit",
        "--block-base-fee-per-gas",
        "--gas-price",
        "--disable-block-gas-limit",
        "--disable-min-priority-fee",
        "--disable-pool-balance-checks",
        "--init",
        "--mnemonic-random",
        "--mnemonic-seed-unsafe",
        "--number",
        "--timestamp",
        "--slots-in-an-epoch",
        "--disable-default-create2-deployer",
        "--prune-history",
        "--max-persisted-states",
        "--transaction-block-keeper",
        "--preserve-historical-states",
        "--cache-path",
        "--order",
        "--max-transactions",
        "--no-mine",
        "--ipc",
        "--threads",
        "-j",
        "--no-request-size-limit",
        "--quiet",
        "--color",
        "--json",
        "--md",
        "--steps-tracing",
        "--enable-trace-printing",
        "--disable-console-log",
        "--auto-unlock",
        "-s",
    ];
    for flag in lacking {
        let err = Cli::try_parse_args(["zkos-dev", "start", flag, "1"])
            .err()
            .unwrap_or_else(|| panic!("{flag} was accepted"));
        let said = err.to_string();
        assert!(
            said.contains(&format!("anvil's {flag} is not"))
                && !said.contains("unexpected argument"),
            "{flag}: {said}"
        );
    }
    // Where zkos-dev has the flag under another name, the refusal names it.
    for (flag, instead) in [
        ("--block-base-fee-per-gas", "--base-fee"),
        ("--hardfork", "--evm-rules"),
        ("--quiet", "--silent"),
        ("--no-mine", "--no-mining"),
        ("--auto-unlock", "--auto-impersonate"),
        ("--enable-trace-printing", "--print-traces"),
        ("--cache-path", "--data-dir"),
        ("-s", "--state-interval"),
    ] {
        let said = Cli::try_parse_args(["zkos-dev", "start", flag])
            .err()
            .unwrap()
            .to_string();
        assert!(
            said.contains(instead),
            "{flag} should name {instead}: {said}"
        );
    }
}

#[test]
fn a_truly_unknown_flag_keeps_clap_error_and_its_suggestion() {
    let stderr = failed(&zkos_dev(&["start", "--prot", "3051"]), 2);
    assert!(
        stderr.contains("unexpected argument '--prot' found"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a similar argument exists: '--port'"),
        "{stderr}"
    );
    // Another subcommand's missing flag is not taken for anvil's.
    let stderr = failed(&zkos_dev(&["prover", "--fork-url", "x"]), 2);
    assert!(
        stderr.contains("unexpected argument '--fork-url' found"),
        "{stderr}"
    );
}

#[test]
fn an_l1_rpc_nothing_listens_on_leads_with_connection_refused() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let stderr = failed(&start(&["--l1-rpc", &url]), 1);
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(
        error.contains(&format!("cannot reach the L1 at {url}: connection refused")),
        "{stderr}"
    );
    assert!(!error.contains("no rollup contracts"), "{stderr}");
}

#[test]
fn an_l1_rpc_that_is_not_json_rpc_or_not_http_is_named_so() {
    // A web server that answers every request with a 404 page.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let page = "<html>not found</html>";
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    let url = format!("http://127.0.0.1:{port}");
    let stderr = failed(&start(&["--l1-rpc", &url]), 1);
    assert!(
        stderr.contains(&format!(
            "cannot reach the L1 at {url}: not a JSON-RPC endpoint"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 404"), "{stderr}");

    let stderr = failed(&start(&["--l1-rpc", "ws://127.0.0.1:8545"]), 1);
    assert!(
        stderr.contains("--l1-rpc ws://127.0.0.1:8545: ws:// is not supported"),
        "{stderr}"
    );
    let stderr = failed(&start(&["--l1-rpc", "https://rpc.example"]), 1);
    assert!(
        stderr
            .contains("--l1-rpc https://rpc.example: this build of zkos-dev speaks plain http://"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_l1_rpc_that_is_an_l2_is_named_the_wrong_chain() {
    // An L2 with chain id 270, as the devnet's own: someone's zkos-dev on :3050, say.
    let l2 = TestNode::start_with(|c| c.l1 = None).await;
    let url = l2.node.rpc_url();
    let out = tokio::task::spawn_blocking(move || start(&["--l1-rpc", &url]))
        .await
        .unwrap();
    let stderr = failed(&out, 1);
    assert!(
        stderr.contains("has chain id 270, the L2's own: point --l1-rpc at the L1"),
        "{stderr}"
    );
}

#[test]
fn l1_rpc_takes_host_and_port_without_a_scheme_as_cast_does() {
    let anvil = Anvil::start().unwrap();
    let port = anvil.url.rsplit(':').next().unwrap();
    let given = format!("localhost:{port}");
    let mut running = Killed::spawn(
        Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args([
                "start",
                "--no-tui",
                "--port",
                "0",
                "--no-metrics",
                "--ephemeral",
            ])
            .args(["--l1-rpc", &given, "--l1-deploy"])
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    // The banner comes once the node runs; it names the L1 by the URL it uses.
    let stdout = BufReader::new(running.child.stdout.take().unwrap());
    let banner_line = stdout
        .lines()
        .map_while(Result::ok)
        .find(|line| line.starts_with("L1 JSON-RPC:"));
    let Some(line) = banner_line else {
        let _ = running.child.kill();
        let mut stderr = String::new();
        running
            .child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        panic!("the node did not start on --l1-rpc {given}: {stderr}");
    };
    assert!(line.contains(&format!("http://{given}")), "{line}");
}

#[test]
fn a_taken_port_names_the_flag_that_moves_it() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let addr = format!("127.0.0.1:{port}");
    for (flag, others) in [
        ("--port", &["--l1-port", "0"][..]),
        ("--l1-port", &["--port", "0"][..]),
        (
            "--prover-port",
            &["--port", "0", "--l1-port", "0", "--prover", "external"][..],
        ),
    ] {
        let mut args = vec!["start", "--no-tui", "--no-metrics", "--ephemeral"];
        args.extend(others);
        args.extend([flag, &port]);
        let stderr = failed(&zkos_dev(&args), 1);
        assert!(
            stderr.contains(&format!("cannot listen on {addr}"))
                && stderr.contains("address already in use")
                && stderr.contains(&format!("pass another {flag} PORT")),
            "{flag}: {stderr}"
        );
    }
}

#[test]
fn a_taken_metrics_port_warns_naming_the_flag_in_plain_text() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut running = Killed::spawn(
        Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args([
                "start",
                "--no-tui",
                "--port",
                "0",
                "--l1-port",
                "0",
                "--ephemeral",
            ])
            .args(["--metrics-port", &port])
            .env_clear()
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let stderr = BufReader::new(running.child.stderr.take().unwrap());
    let (lines, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let deadline = Instant::now() + PATIENCE;
    let warning = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match seen.recv_timeout(left) {
            Ok(line) if line.contains("metrics off") => break line,
            Ok(_) => continue,
            Err(_) => panic!("no warning about metrics in {PATIENCE:?}"),
        }
    };
    assert!(
        warning.contains("WARN")
            && warning.contains("address already in use")
            && warning.contains("pass another --metrics-port PORT"),
        "{warning}"
    );
    // Into a pipe, as into a log file: no colour codes.
    assert!(!warning.contains('\u{1b}'), "{warning:?}");
}

#[test]
fn a_failed_start_leaves_a_new_data_dir_path_as_it_found_it() {
    let tmp = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}", closed_port());
    // A path that did not exist: gone again, parents it created included.
    let new = tmp.path().join("new").join("data");
    let dir = new.to_str().unwrap();
    let out = zkos_dev(&[
        "start",
        "--no-tui",
        "--port",
        "0",
        "--no-metrics",
        "--data-dir",
        dir,
        "--l1-rpc",
        &closed,
    ]);
    let stderr = failed(&out, 1);
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(!tmp.path().join("new").exists(), "{stderr}");

    // An empty dir that was there: still there, still empty.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let dir = empty.to_str().unwrap();
    let out = zkos_dev(&[
        "start",
        "--no-tui",
        "--port",
        "0",
        "--no-metrics",
        "--data-dir",
        dir,
        "--l1-rpc",
        &closed,
    ]);
    failed(&out, 1);
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
}

#[tokio::test]
async fn a_start_refused_for_a_taken_port_leaves_an_existing_data_dir_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("devnet");
    // A devnet this start would resume (both chains, the default chain ids).
    let node = TestNode::start_with({
        let dir = dir.clone();
        move |c| c.storage = Storage::Dir(dir)
    })
    .await;
    node.node.shutdown().await;
    let before = contents(&dir);

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let data_dir = dir.to_str().unwrap().to_string();
    let out = tokio::task::spawn_blocking(move || {
        zkos_dev(&[
            "start",
            "--no-tui",
            "--no-metrics",
            "--data-dir",
            &data_dir,
            "--port",
            "0",
            "--l1-port",
            &port,
        ])
    })
    .await
    .unwrap();
    let stderr = failed(&out, 1);
    assert!(stderr.contains("pass another --l1-port PORT"), "{stderr}");
    assert_eq!(contents(&dir), before, "the data dir changed");
    drop(taken);
}
