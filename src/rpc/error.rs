//! The one place that maps node errors to JSON-RPC codes and messages
//! (geth/reth/anvil wording, so clients classify them as they do there).

use alloy_primitives::{Bytes, hex};
use alloy_sol_types::{Panic, Revert, SolError};
use jsonrpsee::types::ErrorObjectOwned;

use crate::{executor::CallError, mempool::PoolError};

/// Invalid params.
pub const INVALID_PARAMS: i32 = -32602;
/// Tx rejected by validation (reth, anvil).
pub const TX_REJECTED: i32 = -32003;
/// Revert in call, estimate or send.
pub const EXECUTION_REVERTED: i32 = 3;
/// Generic server error.
pub const SERVER_ERROR: i32 = -32000;
/// Resource not found.
pub const NOT_FOUND: i32 = -32001;
/// Method not found.
pub const METHOD_NOT_FOUND: i32 = -32601;
/// Internal error (a handler panicked).
pub const INTERNAL_ERROR: i32 = -32603;
/// A limit of the node was exceeded (EIP-1474 "limit exceeded").
pub const LIMIT_EXCEEDED: i32 = -32005;

/// Everything an RPC method can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Bad params (a message saying which).
    #[error("{0}")]
    InvalidParams(String),
    /// Undecodable raw tx.
    #[error("failed to decode transaction")]
    DecodeTx,
    /// A raw tx of a type this chain never takes over RPC (the message names it).
    #[error("failed to decode transaction: {0}")]
    TxType(String),
    /// Mempool admission failed.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// Call or estimate failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// Unknown block, tx, filter, account.
    #[error("{0}")]
    NotFound(String),
    /// A call ran past `--call-timeout` (geth's wording).
    #[error("execution aborted (timeout = {0:?})")]
    Timeout(std::time::Duration),
    /// A node limit (filters, ...) was reached.
    #[error("{0}")]
    LimitExceeded(String),
    /// An error with its own code from the method's spec (`eth_simulateV1`'s -38xxx).
    #[error("{1}")]
    Coded(i32, String),
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl RpcError {
    /// Shorthand for `InvalidParams`.
    pub fn params(msg: impl std::fmt::Display) -> Self {
        Self::InvalidParams(msg.to_string())
    }
    /// Shorthand for `Internal`.
    pub fn internal(msg: impl std::fmt::Display) -> Self {
        Self::Internal(msg.to_string())
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(err: RpcError) -> Self {
        let msg = err.to_string();
        match err {
            RpcError::InvalidParams(_) | RpcError::DecodeTx | RpcError::TxType(_) => {
                ErrorObjectOwned::owned(INVALID_PARAMS, msg, None::<()>)
            }
            RpcError::Pool(_) => ErrorObjectOwned::owned(TX_REJECTED, msg, None::<()>),
            RpcError::Call(CallError::Revert(data)) => ErrorObjectOwned::owned(
                EXECUTION_REVERTED,
                revert_message(&data),
                Some(hex::encode_prefixed(&data)),
            ),
            RpcError::Call(CallError::Invalid(_)) => {
                ErrorObjectOwned::owned(TX_REJECTED, msg, None::<()>)
            }
            RpcError::LimitExceeded(_) => ErrorObjectOwned::owned(LIMIT_EXCEEDED, msg, None::<()>),
            RpcError::Call(CallError::Halt(_)) | RpcError::Internal(_) | RpcError::Timeout(_) => {
                ErrorObjectOwned::owned(SERVER_ERROR, msg, None::<()>)
            }
            RpcError::NotFound(_) => ErrorObjectOwned::owned(NOT_FOUND, msg, None::<()>),
            RpcError::Coded(code, _) => ErrorObjectOwned::owned(code, msg, None::<()>),
        }
    }
}

/// `execution reverted: <reason>` for `Error(string)` and `Panic(uint)`, plain
/// `execution reverted` otherwise (custom errors: the selector is in `data`).
pub fn revert_message(data: &Bytes) -> String {
    if let Ok(revert) = Revert::abi_decode(data) {
        return format!("execution reverted: {}", revert.reason);
    }
    if let Ok(panic) = Panic::abi_decode(data) {
        let reason = panic.kind().map(|k| k.as_str().to_string());
        return format!(
            "execution reverted: panic: {} ({:#x})",
            reason.unwrap_or_else(|| "unknown panic".into()),
            panic.code
        );
    }
    if data.len() >= 4 {
        return format!(
            "execution reverted: custom error {}",
            hex::encode_prefixed(&data[..4])
        );
    }
    "execution reverted".to_string()
}

/// Result type of RPC methods.
pub type RpcResult<T> = Result<T, RpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_messages_match_anvil() {
        let data: Bytes = Revert::from("counter: failure").abi_encode().into();
        assert_eq!(
            revert_message(&data),
            "execution reverted: counter: failure"
        );
        let data: Bytes = Panic::from(0x12).abi_encode().into();
        assert_eq!(
            revert_message(&data),
            "execution reverted: panic: division or modulo by zero (0x12)"
        );
        assert_eq!(revert_message(&Bytes::new()), "execution reverted");
    }
}
