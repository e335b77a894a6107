//! TUI formats: hashes, addresses, amounts, gas, durations and URLs in the few columns a pane
//! has.
//! `value -> short String`, pure.

use std::time::Duration;

use alloy_primitives::{Address, B256, U256};

/// `0x1234…abcd`.
pub fn short_hash(hash: &B256) -> String {
    let s = hash.to_string();
    format!("{}…{}", &s[..6], &s[s.len() - 4..])
}

/// `0xf39F…2266` (checksummed).
pub fn short_address(address: &Address) -> String {
    let s = address.to_checksum(None);
    format!("{}…{}", &s[..6], &s[s.len() - 4..])
}

/// The port of a URL (`http://127.0.0.1:3050` -> `3050`).
pub fn port(url: &str) -> &str {
    url.trim_end_matches('/').rsplit(':').next().unwrap_or(url)
}

/// A URL without its scheme (`http://127.0.0.1:3050` -> `127.0.0.1:3050`).
pub fn host_port(url: &str) -> &str {
    let url = url.trim_end_matches('/');
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// The WebSocket twin of an HTTP JSON-RPC URL on the same port (`ws://127.0.0.1:3050`).
pub fn ws_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    match url.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => format!("ws://{url}"),
    }
}

/// An amount of wei as ETH in at most `width` characters (8 or more): exact digits, as many
/// decimals as fit, cut rather than rounded (9998.99997 shows as 9998.999, never 9999), trailing
/// zeros dropped.
pub fn fmt_eth(wei: U256, width: usize) -> String {
    let unit = U256::from(10u64).pow(U256::from(18u64));
    let whole = (wei / unit).to_string();
    if whole.len() > width {
        // Beyond any dev balance: a float is enough.
        let eth = u128::try_from(wei / unit).map_or(f64::MAX, |w| w as f64);
        return format!("{eth:.1e}");
    }
    let frac = (wei % unit).to_string();
    let frac = format!("{}{frac}", "0".repeat(18 - frac.len()));
    let decimals = width.saturating_sub(whole.len() + 1).min(18);
    let shown = frac[..decimals].trim_end_matches('0');
    match (shown.is_empty(), whole.as_str()) {
        // Dust: less than the last decimal that fits.
        (true, "0") if !wei.is_zero() => format!("<0.{}1", "0".repeat(width.saturating_sub(4))),
        (true, _) => whole,
        (false, _) => format!("{whole}.{shown}"),
    }
}

/// Gas in short form: `21000` -> `21.0k`.
pub fn fmt_gas(gas: u64) -> String {
    match gas {
        0..1_000 => gas.to_string(),
        1_000..1_000_000 => format!("{:.1}k", gas as f64 / 1e3),
        _ => format!("{:.2}M", gas as f64 / 1e6),
    }
}

/// Age in short form: `3s`, `5m`, `2h`, `4d`.
pub fn fmt_age(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3_600 => format!("{}m", secs / 60),
        3_600..86_400 => format!("{}h", secs / 3_600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// A duration in short form: `412ms`, `1.3s`, `2m05s`.
pub fn fmt_took(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        0..1_000 => format!("{ms}ms"),
        1_000..60_000 => format!("{:.1}s", d.as_secs_f64()),
        _ => format!("{}m{:02}s", ms / 60_000, (ms / 1_000) % 60),
    }
}

/// Uptime: `2m05s`, `1h02m03s`.
pub fn fmt_uptime(secs: u64) -> String {
    if secs >= 3_600 {
        format!("{}h{:02}m{:02}s", secs / 3_600, (secs / 60) % 60, secs % 60)
    } else {
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wei(eth: &str) -> U256 {
        alloy_primitives::utils::parse_ether(eth).unwrap()
    }

    #[test]
    fn balances_are_cut_not_rounded() {
        assert_eq!(fmt_eth(wei("9998.999979"), 8), "9998.999");
        assert_eq!(fmt_eth(wei("9998.999979"), 14), "9998.999979");
        assert_eq!(fmt_eth(wei("9999.999999999"), 7), "9999.99");
        assert_eq!(fmt_eth(wei("10000"), 8), "10000");
        assert_eq!(fmt_eth(wei("1.5"), 7), "1.5");
        assert_eq!(fmt_eth(wei("0.000021"), 8), "0.000021");
        assert_eq!(fmt_eth(U256::from(1u64), 8), "<0.00001");
        assert_eq!(fmt_eth(U256::ZERO, 8), "0");
        assert_eq!(fmt_eth(wei("123456789"), 8), "1.2e8");
        assert_eq!(fmt_eth(U256::from(1u64), 40), "0.000000000000000001");
    }

    #[test]
    fn urls_in_their_shorter_forms() {
        assert_eq!(port("http://127.0.0.1:3050/"), "3050");
        assert_eq!(host_port("http://127.0.0.1:3050"), "127.0.0.1:3050");
        assert_eq!(ws_url("http://127.0.0.1:8545"), "ws://127.0.0.1:8545");
        assert_eq!(ws_url("https://rpc.example:443/"), "wss://rpc.example:443");
    }
}
