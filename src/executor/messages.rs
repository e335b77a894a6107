//! The node's wording for what revm refuses or halts on: geth/reth/anvil messages where they
//! exist.

use revm::context::result::{EVMError, InvalidTransaction};

/// The node's wording for an invalid tx (geth/reth/anvil messages where they exist).
pub fn error_message<E: std::fmt::Debug + std::fmt::Display>(err: &EVMError<E>) -> String {
    match err {
        EVMError::Transaction(tx) => invalid_tx_message(tx),
        EVMError::Database(e) => e.to_string(),
        other => format!("{other:?}"),
    }
}

/// geth/reth wording for revm's validation errors.
pub fn invalid_tx_message(err: &InvalidTransaction) -> String {
    match err {
        InvalidTransaction::NonceTooLow { tx, state } => {
            format!("nonce too low: next nonce {state}, tx nonce {tx}")
        }
        InvalidTransaction::NonceTooHigh { tx, state } => {
            format!("nonce too high: next nonce {state}, tx nonce {tx}")
        }
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            format!("insufficient funds for gas * price + value: have {balance} want {fee}")
        }
        InvalidTransaction::CallGasCostMoreThanGasLimit { .. }
        | InvalidTransaction::GasFloorMoreThanGasLimit { .. } => "intrinsic gas too low".into(),
        InvalidTransaction::CallerGasLimitMoreThanBlock => "exceeds block gas limit".into(),
        InvalidTransaction::GasPriceLessThanBasefee => {
            "max fee per gas less than block base fee".into()
        }
        InvalidTransaction::PriorityFeeGreaterThanMaxFee => {
            "max priority fee per gas higher than max fee per gas".into()
        }
        InvalidTransaction::InvalidChainId | InvalidTransaction::MissingChainId => {
            "invalid chain id".into()
        }
        InvalidTransaction::RejectCallerWithCode => "sender not an eoa".into(),
        InvalidTransaction::CreateInitCodeSizeLimit => "max initcode size exceeded".into(),
        other => other.to_string(),
    }
}

/// Readable reason for an exceptional halt.
pub fn halt_message(reason: &revm::context::result::HaltReason) -> String {
    use revm::context::result::{HaltReason, OutOfGasError};
    match reason {
        HaltReason::OutOfGas(OutOfGasError::Basic | OutOfGasError::Precompile) => {
            "out of gas".into()
        }
        HaltReason::OutOfGas(_) => "out of gas".into(),
        // An opcode of a later hardfork (CLZ on ZKsync OS's Cancun) is as invalid as an unknown one.
        HaltReason::OpcodeNotFound | HaltReason::InvalidFEOpcode | HaltReason::NotActivated => {
            "invalid opcode".into()
        }
        other => format!("execution halted: {other:?}"),
    }
}
