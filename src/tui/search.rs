//! TUI search: what `/` finds. A block number (`42`, `#42`), a tx or block hash, an address,
//! or any of them as a table shows it: its first hex digits (`0x7099`) or both of its ends
//! (`0x7099…79C8`, `0x7099...79c8`).
//! `find(&App, query) -> Found`, pure; the model acts on the answer.

use alloy_primitives::{Address, B256, hex};

use super::{
    app::{App, MAX_BLOCKS, MAX_TXS},
    feed::TxInfo,
};

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A recent block.
    Block(u64),
    /// A recent tx.
    Tx(B256),
    /// An address.
    Address {
        /// The first match: a dev account before any other.
        address: Address,
        /// How many other known addresses match as well.
        others: usize,
    },
    /// Nothing; why, for the user.
    Nothing(String),
}

/// Finds `query` among the dashboard's recent blocks, txs and known addresses. Hashes are
/// looked at first: four hex digits name a tx more often than an account.
pub fn find(app: &App, query: &str) -> Found {
    let query = query.trim();
    if let Ok(number) = query.trim_start_matches('#').parse::<u64>() {
        return if app.blocks.iter().any(|b| b.number == number) {
            Found::Block(number)
        } else {
            Found::Nothing(format!("block #{number} is not in the last {MAX_BLOCKS}"))
        };
    }
    let Some(digits) = Digits::parse(query) else {
        return Found::Nothing(
            "search for a block number, a tx or block hash, an address, or their first hex \
             digits as shown (0x7099, 0x7099…79C8)"
                .into(),
        );
    };
    if let Some(tx) = recent_txs(app).find(|t| digits.match_bytes(t.hash.as_slice())) {
        return Found::Tx(tx.hash);
    }
    if let Some(block) = app
        .blocks
        .iter()
        .find(|b| digits.match_bytes(b.hash.as_slice()))
    {
        return Found::Block(block.number);
    }
    let named = recent_txs(app).flat_map(|t| [Some(t.from), t.to, t.created].into_iter().flatten());
    let mut matches: Vec<Address> = vec![];
    for address in app.accounts().iter().map(|a| a.address).chain(named) {
        if digits.match_bytes(address.as_slice()) && !matches.contains(&address) {
            matches.push(address);
        }
    }
    match (matches.first(), query.parse::<Address>()) {
        (Some(&address), _) => Found::Address {
            address,
            others: matches.len() - 1,
        },
        // A whole address is worth filtering on even when nothing recent names it yet.
        (None, Ok(address)) => Found::Address { address, others: 0 },
        (None, Err(_)) => Found::Nothing(format!(
            "nothing matches {query} in the accounts or the last {MAX_TXS} txs"
        )),
    }
}

fn recent_txs(app: &App) -> impl Iterator<Item = &TxInfo> {
    app.txs
        .iter()
        .chain(app.blocks.iter().flat_map(|b| b.txs.iter()))
}

/// The hex digits typed: the start of a hash or address and, after `…` or `...`, its end.
#[derive(Debug, PartialEq, Eq)]
struct Digits {
    start: String,
    end: String,
}

impl Digits {
    /// At least four hex digits, `0x` optional, any case.
    fn parse(query: &str) -> Option<Self> {
        let lower = query.to_ascii_lowercase();
        let hex = lower.strip_prefix("0x").unwrap_or(&lower);
        let (start, end) = hex
            .split_once('…')
            .or_else(|| hex.split_once("..."))
            .unwrap_or((hex, ""));
        let digits = start.len() + end.len();
        let is_hex = start
            .bytes()
            .chain(end.bytes())
            .all(|b| b.is_ascii_hexdigit());
        (digits >= 4 && is_hex).then(|| Self {
            start: start.to_string(),
            end: end.to_string(),
        })
    }

    fn match_bytes(&self, bytes: &[u8]) -> bool {
        let hex = hex::encode(bytes);
        hex.len() >= self.start.len() + self.end.len()
            && hex.starts_with(&self.start)
            && hex.ends_with(&self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_as_tables_show_them() {
        let bob = alloy_primitives::address!("0x70997970C51812dC3A010C7d01b50e0d17dc79C8");
        for query in ["0x7099", "7099", "0x7099…79C8", "0x7099...79c8", "0X7099"] {
            let digits = Digits::parse(query).unwrap();
            assert!(digits.match_bytes(bob.as_slice()), "{query}");
        }
        assert!(
            !Digits::parse("0x7099…0000")
                .unwrap()
                .match_bytes(bob.as_slice())
        );
        assert_eq!(Digits::parse("0x70"), None, "too short to mean anything");
        assert_eq!(Digits::parse("0x70zz"), None);
    }
}
