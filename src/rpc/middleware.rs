//! RPC middleware: unknown methods answer -32601 with geth's wording
//! (`the method X does not exist/is not available`), in single calls and in batches; a
//! handler that panics answers -32603 instead of dropping the connection. Each known call's
//! latency goes to the `zkos_rpc_request_seconds` histogram (a no-op without a recorder).

use std::{collections::HashSet, future::Future, panic::AssertUnwindSafe, sync::Arc};

use futures::FutureExt as _;

use jsonrpsee::{
    MethodResponse,
    core::{
        middleware::{Batch, BatchEntry, Notification, RpcServiceT},
        server::BatchResponseBuilder,
    },
    types::{ErrorObjectOwned, Request},
};

use super::error::{INTERNAL_ERROR, METHOD_NOT_FOUND};

/// The message of the answer to a call whose handler panicked (a bug: tests look for it).
pub const PANIC_MESSAGE: &str = "internal error: the handler panicked";

/// Wraps the server's RPC service; answers unknown methods itself.
#[derive(Clone)]
pub struct KnownMethods<S> {
    inner: S,
    methods: Arc<HashSet<&'static str>>,
    max_response_body_size: usize,
    /// The `chain` label of the latency metric (the chain id; both chains share the recorder).
    chain: metrics::SharedString,
}

impl<S> KnownMethods<S> {
    /// Wraps `inner`; `methods` are the registered method names.
    pub fn new(inner: S, methods: Arc<HashSet<&'static str>>, max_response: u32) -> Self {
        Self {
            inner,
            methods,
            max_response_body_size: max_response as usize,
            chain: metrics::SharedString::const_str(""),
        }
    }

    /// Labels the latency metric with this chain id.
    pub fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain = metrics::SharedString::from_shared(Arc::from(chain_id.to_string()));
        self
    }
}

impl<S> RpcServiceT for KnownMethods<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        // The registered `&'static str`, so the metric's labels allocate nothing.
        let known = self.methods.get(request.method_name()).copied();
        let inner = self.inner.clone();
        let chain = self.chain.clone();
        async move {
            if let Some(method) = known {
                let started = std::time::Instant::now();
                let id = request.id().into_owned();
                // A panic is a bug, but it must cost one answer, not the connection (and
                // with it every other call in flight on it).
                // Sync handlers run inside `call`, so the call itself goes in the guarded future.
                let guarded = async move { inner.call(request).await };
                let response = match AssertUnwindSafe(guarded).catch_unwind().await {
                    Ok(response) => response,
                    Err(_) => MethodResponse::error(
                        id,
                        ErrorObjectOwned::owned(INTERNAL_ERROR, PANIC_MESSAGE, None::<()>),
                    ),
                };
                metrics::histogram!(crate::metrics::names::RPC, "chain" => chain, "method" => method)
                    .record(started.elapsed());
                response
            } else {
                let message = format!(
                    "the method {} does not exist/is not available",
                    request.method_name()
                );
                MethodResponse::error(
                    request.id().into_owned(),
                    ErrorObjectOwned::owned(METHOD_NOT_FOUND, message, None::<()>),
                )
            }
        }
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let service = self.clone();
        async move {
            let mut responses =
                BatchResponseBuilder::new_with_limit(service.max_response_body_size);
            let mut got_notification = false;
            for entry in batch.into_iter() {
                let response = match entry {
                    Ok(BatchEntry::Call(request)) => service.call(request).await,
                    Ok(BatchEntry::Notification(n)) => {
                        got_notification = true;
                        service.inner.notification(n).await;
                        continue;
                    }
                    Err(err) => {
                        let (err, id) = err.into_parts();
                        MethodResponse::error(id, err)
                    }
                };
                if let Err(too_big) = responses.append(response) {
                    return too_big;
                }
            }
            if responses.is_empty() && got_notification {
                MethodResponse::notification()
            } else {
                MethodResponse::from_batch(responses.finish())
            }
        }
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = MethodResponse> + Send + 'a {
        self.inner.notification(n)
    }
}
