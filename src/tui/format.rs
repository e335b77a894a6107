//! TUI formats: hashes, addresses, amounts, gas and durations in the few columns a pane has.
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

/// An amount of wei as ETH, in at most 9 characters.
pub fn fmt_eth(wei: U256) -> String {
    if wei.is_zero() {
        return "0".to_string();
    }
    let eth = u128::try_from(wei).map_or(f64::MAX, |w| w as f64) / 1e18;
    let text = if eth < 0.0001 {
        return "<0.0001".to_string();
    } else if eth < 1000.0 {
        format!("{eth:.4}")
    } else if eth < 1e6 {
        format!("{eth:.2}")
    } else if eth < 1e9 {
        return format!("{:.2}M", eth / 1e6);
    } else {
        return format!("{:.1e}", eth);
    };
    text.trim_end_matches('0').trim_end_matches('.').to_string()
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
