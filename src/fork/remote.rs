//! The remote chain a fork reads from: one JSON-RPC client (alloy, over reqwest) with anvil's
//! retry / backoff / compute-units policy and the user's headers, driven by a small runtime of
//! its own so that the executor, which is synchronous, can wait on it from any thread.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use alloy_rpc_client::{ClientBuilder, RpcClient};
use alloy_transport::layers::RetryBackoffLayer;
use alloy_transport_http::reqwest;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ForkConfig;

impl revm::database_interface::DBErrorMarker for ForkError {}

/// Why a read from the remote failed; the message names the remote.
#[derive(Debug, Clone, thiserror::Error)]
#[error("fork: {method} at {url} failed: {reason}")]
pub struct ForkError {
    /// The remote's URL (without credentials in the path it is shown as given).
    pub url: String,
    /// The JSON-RPC method.
    pub method: String,
    /// What went wrong.
    pub reason: String,
}

/// A JSON-RPC client of the remote chain.
pub struct Remote {
    url: String,
    client: RpcClient,
    /// Runs the client's futures; shut down (not awaited) when the remote is dropped.
    runtime: Option<tokio::runtime::Runtime>,
    /// Requests sent so far (tests and the banner read it).
    calls: Arc<AtomicU64>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("url", &self.url).finish()
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Remote {
    /// A client of `config.url` (nothing is sent yet).
    pub fn new(config: &ForkConfig) -> anyhow::Result<Self> {
        let url: reqwest::Url = config
            .url
            .parse()
            .map_err(|e| anyhow::anyhow!("--fork-url {}: not a URL ({e})", config.url))?;
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &config.headers {
            headers.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| anyhow::anyhow!("--fork-header {name}: {e}"))?,
                reqwest::header::HeaderValue::from_str(value)
                    .map_err(|e| anyhow::anyhow!("--fork-header {name}: {e}"))?,
            );
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("zkos-dev-fork")
            .enable_all()
            .build()?;
        let http = {
            let _entered = runtime.enter();
            reqwest::Client::builder()
                .default_headers(headers)
                .timeout(config.timeout)
                .build()?
        };
        let client = ClientBuilder::default()
            .layer(RetryBackoffLayer::new(
                config.retries,
                config.retry_backoff.as_millis() as u64,
                config.compute_units_per_second,
            ))
            .http_with_client(http, url);
        Ok(Self {
            url: config.url.clone(),
            client,
            runtime: Some(runtime),
            calls: Arc::default(),
        })
    }

    /// The remote's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests were sent.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Sends one request and waits for its answer.
    pub async fn request<R: DeserializeOwned + Send + 'static>(
        &self,
        method: &'static str,
        params: Value,
    ) -> Result<R, ForkError> {
        let runtime = self.runtime.as_ref().expect("set until dropped");
        let client = self.client.clone();
        let calls = self.calls.clone();
        let url = self.url.clone();
        let task = runtime.spawn(async move {
            calls.fetch_add(1, Ordering::Relaxed);
            let answer: Result<Value, _> = client.request(method, params).await;
            answer
                .map_err(|e| e.to_string())
                .and_then(|v| serde_json::from_value::<R>(v).map_err(|e| e.to_string()))
        });
        task.await
            .map_err(|e| e.to_string())
            .and_then(|r| r)
            .map_err(|reason| ForkError {
                url,
                method: method.into(),
                reason,
            })
    }

    /// `request` for synchronous callers.
    pub fn request_blocking<R: DeserializeOwned + Send + 'static>(
        &self,
        method: &'static str,
        params: Value,
    ) -> Result<R, ForkError> {
        self.blocking(self.request(method, params))
    }

    /// Waits for `future` from synchronous code (the executor's state reads): blocks this
    /// thread, letting a tokio worker hand its other tasks over first.
    pub fn blocking<F: std::future::Future + Send>(&self, future: F) -> F::Output
    where
        F::Output: Send,
    {
        let runtime = self.runtime.as_ref().expect("set until dropped");
        let wait = || runtime.block_on(future);
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
            // A current-thread runtime cannot be blocked in place: wait from another thread.
            Ok(_) => std::thread::scope(|s| {
                s.spawn(wait)
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            }),
            Err(_) => wait(),
        }
    }
}
