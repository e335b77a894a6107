//! Registration helpers shared by the namespaces: one line per method name.

/// A method answered on the async runtime (cheap reads).
macro_rules! method {
    ($module:expr, $name:literal, $f:expr) => {
        $module.register_method(
            $name,
            move |params, ctx, _| -> $crate::rpc::error::RpcResult<serde_json::Value> {
                let f: fn(
                    jsonrpsee::types::Params<'_>,
                    &$crate::rpc::RpcContext,
                ) -> $crate::rpc::error::RpcResult<serde_json::Value> = $f;
                f(params, ctx)
            },
        )?;
    };
}

/// A method that runs the EVM: on the blocking pool, bounded by gas and answered by the
/// `--call-timeout` deadline.
macro_rules! blocking {
    ($module:expr, $name:literal, $f:expr) => {
        $crate::rpc::limits::with_deadline($module, $name, $f)?;
    };
}

/// Serializes a method's result.
pub(crate) fn ok<T: serde::Serialize>(value: T) -> super::error::RpcResult<serde_json::Value> {
    serde_json::to_value(value).map_err(super::error::RpcError::internal)
}
