//! Node output: anvil-style lines for each tx of a sealed block (printed unless `--silent`).

use crate::storage::StoredBlock;

/// Anvil-style lines for each tx of a block.
pub fn log_block(block: &StoredBlock) {
    for tx in &block.txs {
        let mut line = format!(
            "\n    Transaction: {}\n    Gas used: {}\n",
            tx.tx.hash, tx.gas_used
        );
        if let Some(address) = tx.contract_address {
            line.push_str(&format!("    Contract created: {address}\n"));
        }
        if !tx.receipt.status() {
            let reason = tx.revert.as_ref().map(|d| crate::rpc::error::revert_message(d));
            line.push_str(&format!(
                "    Error: {}\n",
                reason.unwrap_or_else(|| "transaction failed".into())
            ));
        }
        line.push_str(&format!(
            "\n    Block Number: {}\n    Block Hash: {}\n    Block Time: \"{}\"\n",
            block.header.number, block.hash, block.header.timestamp
        ));
        println!("{line}");
    }
}

