//! TUI control: the keyboard's commands, sent to the node over JSON-RPC. The same path serves
//! the dashboard of `zkos-dev start` and `zkos-dev tui --rpc URL`.
//! `RpcControl::send(Command) -> Result<Outcome, String>`

use std::{borrow::Cow, time::Duration};

use alloy_network::Ethereum;
use alloy_provider::{Provider as _, RootProvider};
use serde_json::{Value, json};

use super::feed::{Command, MiningState, Outcome};

/// How long one JSON-RPC call may take before the dashboard gives up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a JSON-RPC call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The node answered with an error.
    Rpc {
        /// JSON-RPC error code (-32601: no such method).
        code: i64,
        /// Its message.
        message: String,
    },
    /// The node could not be reached, or answered something unreadable.
    Transport(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rpc { code, message } => write!(f, "{message} ({code})"),
            Self::Transport(message) => f.write_str(message),
        }
    }
}

/// A JSON-RPC client of one chain (HTTP, cheap to clone).
#[derive(Debug, Clone)]
pub struct Rpc {
    provider: RootProvider<Ethereum>,
}

impl Rpc {
    /// A client of `url` (`http://HOST:PORT`).
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let url = url
            .parse()
            .map_err(|err| anyhow::anyhow!("bad JSON-RPC URL {url}: {err}"))?;
        Ok(Self {
            provider: RootProvider::new_http(url),
        })
    }

    /// Calls `method` with `params` (a JSON array).
    pub async fn call(&self, method: &'static str, params: Value) -> Result<Value, CallError> {
        let call = self
            .provider
            .raw_request::<Value, Value>(Cow::Borrowed(method), params);
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Err(_) => Err(CallError::Transport(format!("{method} timed out"))),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(match err.as_error_resp() {
                Some(payload) => CallError::Rpc {
                    code: payload.code,
                    message: payload.message.to_string(),
                },
                None => CallError::Transport(err.to_string()),
            }),
        }
    }

    /// Calls a method that answers a hex quantity.
    pub async fn call_u64(&self, method: &'static str, params: Value) -> Result<u64, CallError> {
        let value = self.call(method, params).await?;
        hex_u64(&value)
            .ok_or_else(|| CallError::Transport(format!("{method}: not a quantity: {value}")))
    }
}

/// `"0x1a"` (or a JSON number) as a `u64`.
pub fn hex_u64(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => u64::from_str_radix(s.strip_prefix("0x")?, 16).ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// Sends the dashboard's commands to the L2 over JSON-RPC.
#[derive(Debug, Clone)]
pub struct RpcControl {
    /// The L2's JSON-RPC.
    pub l2: Rpc,
}

impl RpcControl {
    /// Runs one command; the error is a line for the user.
    pub async fn send(&self, command: &Command) -> Result<Outcome, String> {
        self.run(command).await.map_err(|err| err.to_string())
    }

    async fn run(&self, command: &Command) -> Result<Outcome, CallError> {
        let l2 = &self.l2;
        match command {
            Command::Mine => {
                l2.call("evm_mine", json!([])).await?;
                Ok(Outcome::Mined(
                    l2.call_u64("eth_blockNumber", json!([])).await?,
                ))
            }
            Command::SetMining(mode) => {
                match mode {
                    // The node has no RPC way back to mixed mining: resume it as instant.
                    MiningState::Instant | MiningState::Mixed(_) => {
                        l2.call("anvil_setAutomine", json!([true])).await?
                    }
                    MiningState::Manual => l2.call("anvil_setIntervalMining", json!([0])).await?,
                    MiningState::Interval(secs) => {
                        l2.call("anvil_setIntervalMining", json!([(*secs).max(1)]))
                            .await?
                    }
                };
                Ok(Outcome::Done)
            }
            Command::Snapshot => {
                let id = l2.call("evm_snapshot", json!([])).await?;
                let id = match id {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                Ok(Outcome::Snapshot(id))
            }
            Command::Revert(id) => {
                let reverted = l2.call("evm_revert", json!([id])).await?;
                if reverted == Value::Bool(false) {
                    return Err(CallError::Rpc {
                        code: 0,
                        message: format!("the node has no snapshot {id}"),
                    });
                }
                Ok(Outcome::Rewound(
                    l2.call_u64("eth_blockNumber", json!([])).await?,
                ))
            }
            Command::Reset => {
                l2.call("anvil_reset", json!([])).await?;
                Ok(Outcome::Rewound(
                    l2.call_u64("eth_blockNumber", json!([])).await?,
                ))
            }
        }
    }
}
