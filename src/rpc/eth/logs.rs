//! `eth_getLogs` and the filters' logs: scanned from the chain's blocks within the range and
//! result limits; on a fork, the logs up to the fork block are asked of the remote and merged.

use super::*;

/// The logs matching `filter`, optionally only in blocks after `after`.
pub fn logs(c: &RpcContext, filter: &Filter, after: Option<u64>) -> RpcResult<Vec<Value>> {
    let mut remote_logs = vec![];
    let blocks = match filter.get_block_hash() {
        Some(hash) => vec![
            c.chain
                .block_by_hash(&hash)
                .ok_or_else(|| RpcError::NotFound("unknown block".into()))?,
        ],
        None => {
            let resolve = |tag: Option<BlockNumberOrTag>, default: u64| -> u64 {
                match tag {
                    None => default,
                    Some(BlockNumberOrTag::Number(n)) => n,
                    Some(tag) => c.resolve_number(tag).unwrap_or(default),
                }
            };
            let latest = c.chain.latest_number();
            let from = resolve(filter.block_option.get_from_block().copied(), latest);
            let from = after.map_or(from, |a| from.max(a + 1));
            let to = resolve(filter.block_option.get_to_block().copied(), latest).min(latest);
            if from > to {
                return Ok(vec![]);
            }
            let max_range = c.rpc_config.max_logs_block_range;
            if to - from >= max_range {
                return Err(RpcError::params(format!(
                    "query exceeds max block range {max_range}"
                )));
            }
            // On a fork, the logs up to the fork block are the remote's: asked, then merged.
            let first = c.chain.first_number();
            if let Some(fork) = c.chain.fork().filter(|_| from <= first) {
                let mut remote_filter = filter.clone();
                remote_filter.block_option = alloy_rpc_types_eth::FilterBlockOption::Range {
                    from_block: Some(BlockNumberOrTag::Number(from)),
                    to_block: Some(BlockNumberOrTag::Number(to.min(first))),
                };
                let params = serde_json::json!([remote_filter]);
                let remote: Vec<Value> = serde_json::from_value(
                    fork.request_blocking("eth_getLogs", params)
                        .map_err(fork_error)?,
                )
                .map_err(RpcError::internal)?;
                remote_logs = remote;
            }
            c.chain.blocks(from.max(first + 1), to)
        }
    };
    let mut out = remote_logs;
    for block in blocks {
        if !filter.matches_bloom(block.header.logs_bloom) {
            continue;
        }
        for tx in &block.txs {
            for (i, log) in tx_logs(tx).iter().enumerate() {
                if filter.matches(&log.inner) {
                    out.push(c.log_json(log, i as u64));
                    if out.len() > c.rpc_config.max_logs {
                        let max = c.rpc_config.max_logs;
                        return Err(RpcError::params(format!("query exceeds max results {max}")));
                    }
                }
            }
        }
    }
    Ok(out)
}
