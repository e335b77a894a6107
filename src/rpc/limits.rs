//! Limits enforced inside handlers: the wall-clock deadline of EVM calls.
//! `eth_call` & co. run on the blocking pool; the client gets its answer by the deadline.

use std::sync::Arc;

use jsonrpsee::{RpcModule, types::Params};
use serde_json::Value;

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
};

/// A handler that runs the EVM: blocking, bounded by gas.
pub type BlockingHandler = fn(Params<'_>, &RpcContext) -> RpcResult<Value>;

/// Registers `f` to run on the blocking pool with the `--call-timeout` deadline.
///
/// revm cannot be interrupted, so a call past the deadline keeps running on the blocking pool
/// until its gas (at most `--gas-cap`) runs out; only the client stops waiting, and gets
/// `-32000 execution aborted (timeout = ...)`.
pub fn with_deadline(
    module: &mut RpcModule<RpcContext>,
    name: &'static str,
    f: BlockingHandler,
) -> anyhow::Result<()> {
    module.register_async_method(name, move |params, ctx: Arc<RpcContext>, _| async move {
        let limit = ctx.rpc_config.call_timeout;
        let task = tokio::task::spawn_blocking(move || f(params, &ctx));
        match tokio::time::timeout(limit, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(RpcError::internal(format!(
                "internal error: {name} failed: {join}"
            ))),
            Err(_) => Err(RpcError::Timeout(limit)),
        }
    })?;
    Ok(())
}
