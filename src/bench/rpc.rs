//! The bench's JSON-RPC client: plain HTTP POSTs over a keep-alive connection pool, with
//! pre-built bodies for the timed sends. `Rpc: (method, params) -> result`.

use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// A JSON-RPC client of one node.
#[derive(Clone)]
pub(crate) struct Rpc {
    http: reqwest::Client,
    url: String,
}

/// One answer of a batch, the result itself ignored (the bench only needs errors).
#[derive(Debug, Deserialize)]
pub(crate) struct Answer {
    /// The call's id: the tx's index in its corpus.
    pub(crate) id: Option<u64>,
    /// The error, if the call failed.
    #[serde(default)]
    pub(crate) error: Option<AnswerError>,
}

/// A JSON-RPC error object.
#[derive(Debug, Deserialize)]
pub(crate) struct AnswerError {
    /// What the node said.
    pub(crate) message: String,
}

/// A batch answer, or a single one (for `--batch 1`, and for an error about the whole batch).
#[derive(Deserialize)]
#[serde(untagged)]
enum Answers {
    Many(Vec<Answer>),
    One(Answer),
}

#[derive(Deserialize)]
struct Full<T> {
    #[serde(default = "Option::default")]
    result: Option<T>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    id: Option<u64>,
}

impl Rpc {
    /// A client that keeps up to `conns` connections to `url` open.
    pub(crate) fn new(url: &str, conns: usize, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(conns)
            .tcp_nodelay(true)
            .no_proxy()
            .timeout(timeout)
            .build()
            .context("HTTP client")?;
        Ok(Self {
            http,
            url: url.to_string(),
        })
    }

    /// The node's URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    async fn post_text(&self, body: String) -> anyhow::Result<String> {
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .with_context(|| format!("POST {}", self.url))?;
        let status = response.status();
        let text = response.text().await.context("reading the answer")?;
        anyhow::ensure!(
            status.is_success(),
            "{} answered HTTP {status}: {}",
            self.url,
            text.chars().take(200).collect::<String>()
        );
        Ok(text)
    }

    /// Posts a pre-built body (one call or a batch) and returns the answers.
    pub(crate) async fn post(&self, body: String) -> anyhow::Result<Vec<Answer>> {
        let text = self.post_text(body).await?;
        match serde_json::from_str::<Answers>(&text) {
            Ok(Answers::Many(answers)) => Ok(answers),
            Ok(Answers::One(answer)) => Ok(vec![answer]),
            Err(err) => Err(anyhow::anyhow!(
                "not a JSON-RPC answer ({err}): {}",
                text.chars().take(200).collect::<String>()
            )),
        }
    }

    /// One call that must succeed; `null` results come back as `None`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Option<T>> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let text = self.post_text(body.to_string()).await?;
        let answer: Full<T> = serde_json::from_str(&text)
            .with_context(|| format!("{method}: unexpected answer {text}"))?;
        if let Some(error) = answer.error {
            anyhow::bail!("{method} failed on {}: {error}", self.url);
        }
        Ok(answer.result)
    }

    /// One call that must succeed with a non-null result.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> anyhow::Result<T> {
        self.call(method, params)
            .await?
            .with_context(|| format!("{method} answered null"))
    }

    /// The same method with each of `params`, in one batch; results in the order of `params`.
    pub(crate) async fn batch<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &[Value],
    ) -> anyhow::Result<Vec<Option<T>>> {
        if params.is_empty() {
            return Ok(Vec::new());
        }
        let calls: Vec<Value> = params
            .iter()
            .enumerate()
            .map(|(id, p)| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": p}))
            .collect();
        let text = self.post_text(Value::Array(calls).to_string()).await?;
        let answers: Vec<Full<T>> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{method} batch: unexpected answer {}",
                text.chars().take(200).collect::<String>()
            )
        })?;
        let mut results: Vec<Option<T>> = (0..params.len()).map(|_| None).collect();
        for answer in answers {
            if let Some(error) = answer.error {
                anyhow::bail!("{method} failed on {}: {error}", self.url);
            }
            let slot = answer
                .id
                .and_then(|id| results.get_mut(id as usize))
                .with_context(|| format!("{method} batch: answer with an unknown id"))?;
            *slot = answer.result;
        }
        Ok(results)
    }

    /// `eth_blockNumber`.
    pub(crate) async fn block_number(&self) -> anyhow::Result<u64> {
        let n: alloy_primitives::U64 = self.get("eth_blockNumber", json!([])).await?;
        Ok(n.to())
    }
}
