//! Supervised tasks: the settlement pipeline's stages run in a `JoinSet`; the first to fail,
//! panic or end on its own is the node's failure, and shutdown awaits them all.

use std::{collections::HashMap, future::Future, time::Duration};

/// Supervised tasks: one that fails, panics or ends on its own before shutdown stops the node
/// with its error (`NodeHandle::stopped`); shutdown awaits them all.
#[derive(Default)]
pub(super) struct Stages {
    tasks: tokio::task::JoinSet<anyhow::Result<()>>,
    names: HashMap<tokio::task::Id, String>,
}

impl Stages {
    /// Runs `stage` as the task named `name`.
    pub(super) fn spawn(
        &mut self,
        name: impl Into<String>,
        stage: impl Future<Output = anyhow::Result<()>> + Send + 'static,
    ) {
        let id = self.tasks.spawn(stage).id();
        self.names.insert(id, name.into());
    }

    /// The first stage to end: how it ended, as the node's failure (a stage only ends by itself
    /// when something went wrong). Pending forever when there are none.
    pub(super) async fn failed(&mut self) -> anyhow::Error {
        let Some(joined) = self.tasks.join_next_with_id().await else {
            return std::future::pending().await;
        };
        let (id, outcome) = match joined {
            Ok((id, outcome)) => (id, outcome),
            Err(err) => (err.id(), Err(anyhow::anyhow!("panicked: {err}"))),
        };
        let name = self
            .names
            .remove(&id)
            .unwrap_or_else(|| "a pipeline stage".to_string());
        match outcome {
            Ok(()) => anyhow::anyhow!("the {name} stopped by itself"),
            Err(err) => err.context(format!("the {name} failed")),
        }
    }

    /// Waits for every stage to wind down after the cancel (at most `limit`; the rest are
    /// aborted), so what they hold (the data dir) is released.
    pub(super) async fn join_all(&mut self, limit: Duration) {
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(limit, all).await.is_err() {
            tracing::debug!("pipeline stages still running {limit:?} after shutdown: aborted");
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::*;

    #[tokio::test]
    async fn a_stage_that_fails_panics_or_ends_stops_the_node_with_its_name() {
        let mut stages = Stages::default();
        stages.spawn("batcher", async { anyhow::bail!("no more room") });
        let err = stages.failed().await;
        assert_eq!(format!("{err:#}"), "the batcher failed: no more room");

        stages.spawn("prover", async { panic!("boom") });
        let err = stages.failed().await;
        assert!(
            format!("{err:#}").starts_with("the prover failed: panicked"),
            "{err:#}"
        );

        stages.spawn("L1 watcher", async { Ok(()) });
        let err = stages.failed().await;
        assert_eq!(format!("{err:#}"), "the L1 watcher stopped by itself");
    }

    #[tokio::test]
    async fn shutdown_waits_for_the_stages_and_aborts_the_stuck_ones() {
        let mut stages = Stages::default();
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        stages.spawn("sender", async move {
            token.cancelled().await;
            Ok(())
        });
        stages.spawn("stuck", std::future::pending());
        cancel.cancel();
        let started = tokio::time::Instant::now();
        stages.join_all(std::time::Duration::from_millis(200)).await;
        assert!(stages.tasks.is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // With none left, `failed` never resolves.
        let none =
            tokio::time::timeout(std::time::Duration::from_millis(50), stages.failed()).await;
        assert!(none.is_err());
    }
}
