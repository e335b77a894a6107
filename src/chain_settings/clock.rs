//! Block clock: the timestamp of the next block. Wall clock plus an offset
//! (`evm_increaseTime`, `evm_setTime`), or an exact next timestamp
//! (`evm_setNextBlockTimestamp`), or the parent's plus a fixed step
//! (`anvil_setBlockTimestampInterval`). Never earlier than the parent block.

/// When the next block happens. Plain data: the sequencer owns it inside `ChainSettings`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockClock {
    /// Seconds added to the wall clock.
    pub offset: i64,
    /// Exact timestamp of the next block; used once.
    pub next: Option<u64>,
    /// Seconds between consecutive blocks, instead of following the wall clock.
    pub interval: Option<u64>,
}

impl BlockClock {
    /// Timestamp of a block built now (`now`: wall clock, seconds) on a parent stamped
    /// `parent`. Does not change the clock (calls and estimates use it too).
    pub fn peek(&self, now: u64, parent: u64) -> u64 {
        let timestamp = match (self.next, self.interval) {
            (Some(next), _) => next,
            (None, Some(interval)) => parent.saturating_add(interval),
            (None, None) => clamp_u64(i128::from(now) + i128::from(self.offset)),
        };
        timestamp.max(parent)
    }

    /// Records that a block was sealed at `timestamp`: an exact next timestamp is used up, and
    /// the clock continues from it (later blocks follow the wall clock from there).
    pub fn on_sealed(&mut self, timestamp: u64, now: u64) {
        if self.next.take().is_some() {
            self.offset = clamp_i64(i128::from(timestamp) - i128::from(now));
        }
    }

    /// Moves the clock forward; returns the new total offset.
    pub fn increase(&mut self, seconds: u64) -> i64 {
        self.offset = clamp_i64(i128::from(self.offset) + i128::from(seconds));
        self.offset
    }

    /// Sets the clock so that now reads `timestamp`.
    pub fn set_time(&mut self, timestamp: u64, now: u64) {
        self.offset = clamp_i64(i128::from(timestamp) - i128::from(now));
        self.next = None;
    }
}

fn clamp_u64(v: i128) -> u64 {
    v.clamp(0, i128::from(u64::MAX)) as u64
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_wall_clock_plus_offset_and_never_goes_back() {
        let mut clock = BlockClock::default();
        assert_eq!(clock.peek(100, 90), 100);
        assert_eq!(clock.increase(50), 50);
        assert_eq!(clock.peek(100, 90), 150);
        clock.set_time(10, 100);
        assert_eq!(clock.offset, -90);
        assert_eq!(clock.peek(100, 90), 90, "never earlier than the parent");
    }

    #[test]
    fn exact_next_timestamp_is_used_once_and_the_clock_continues_from_it() {
        let mut clock = BlockClock {
            next: Some(1_000),
            ..Default::default()
        };
        assert_eq!(clock.peek(100, 90), 1_000);
        clock.on_sealed(1_000, 100);
        assert_eq!(clock.next, None);
        assert_eq!(clock.peek(105, 1_000), 1_005);
    }

    #[test]
    fn interval_steps_from_the_parent() {
        let clock = BlockClock {
            interval: Some(12),
            offset: 500,
            ..Default::default()
        };
        assert_eq!(clock.peek(100, 90), 102);
    }
}
