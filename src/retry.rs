//! Polling a remote (the L1, the Gateway) that may be unreachable for a while: the wait between
//! two attempts doubles while they fail, up to a bound, and is back to the polling interval
//! after one succeeds; the first failure is logged (not every retry), and so is the recovery.

use std::time::Duration;

/// Longest wait between two attempts while the remote keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The wait before a poller's next attempt.
#[derive(Debug)]
pub(crate) struct Backoff {
    /// What polls (the start of its log lines).
    what: &'static str,
    /// Logged when it succeeds again after failing (`None`: nothing).
    recovered: Option<&'static str>,
    poll: Duration,
    wait: Duration,
    failing: bool,
}

impl Backoff {
    /// Polling every `poll` while the remote answers.
    pub(crate) fn new(what: &'static str, poll: Duration, recovered: Option<&'static str>) -> Self {
        Self {
            what,
            recovered,
            poll,
            wait: poll,
            failing: false,
        }
    }

    /// Waits before the next attempt; false when `cancel` fires first (the poller stops).
    pub(crate) async fn pause(&self, cancel: &tokio_util::sync::CancellationToken) -> bool {
        tokio::select! {
            _ = cancel.cancelled() => false,
            _ = tokio::time::sleep(self.wait) => true,
        }
    }

    /// The last attempt succeeded.
    pub(crate) fn succeeded(&mut self) {
        if self.failing
            && let Some(recovered) = self.recovered
        {
            tracing::info!("{recovered}");
        }
        self.failing = false;
        self.wait = self.poll;
    }

    /// The last attempt failed with `err`.
    pub(crate) fn failed(&mut self, err: &anyhow::Error) {
        if !self.failing {
            tracing::warn!("{}: {err:#}; retrying", self.what);
        }
        self.failing = true;
        self.wait = (self.wait * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_while_failing_up_to_the_bound_and_resets_on_success() {
        let poll = Duration::from_millis(100);
        let mut backoff = Backoff::new("test poller", poll, None);
        assert_eq!(backoff.wait, poll);
        let err = anyhow::anyhow!("unreachable");
        let waits: Vec<u64> = (0..8)
            .map(|_| {
                backoff.failed(&err);
                backoff.wait.as_millis() as u64
            })
            .collect();
        assert_eq!(waits, [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        backoff.succeeded();
        assert_eq!(backoff.wait, poll);
    }
}
