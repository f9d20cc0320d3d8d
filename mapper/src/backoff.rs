//! Exponential backoff with full jitter, for retrying what DynamoDB left
//! unprocessed.
//! <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.RetryAndBackoff>

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How batches retry what DynamoDB did not process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay's upper bound.
    pub base: Duration,
    /// No delay is longer than this.
    pub max: Duration,
    /// Attempts per request, the first included.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_millis(25),
            max: Duration::from_secs(5),
            attempts: 12,
        }
    }
}

static SEED: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

/// A uniform pseudo-random number in `0..bound` (xorshift; jitter needs no more).
fn random_below(bound: u64) -> u64 {
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if bound == 0 { 0 } else { x % bound }
}

impl Backoff {
    /// The delay before retry number `retry` (1 for the first retry): a
    /// random duration up to `base × 2^(retry-1)`, capped at `max`.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max);
        let micros = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);
        Duration::from_micros(random_below(micros.saturating_add(1)))
    }
}

impl Backoff {
    /// Runs `read` until it succeeds or fails for good: a retryable error
    /// (throttling, a 5xx, a timeout) is tried again after this backoff's
    /// delay, up to `attempts` runs in all. For reads only: a write sent
    /// again may be applied twice.
    pub(crate) async fn reading<T, F>(&self, mut read: impl FnMut() -> F) -> crate::Result<T>
    where
        F: std::future::Future<Output = crate::Result<T>>,
    {
        let mut attempt = 1;
        loop {
            match read().await {
                Err(e) if e.is_retryable() && attempt < self.attempts => {
                    tokio::time::sleep(self.delay(attempt)).await;
                    attempt += 1;
                }
                done => return done,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_capped() {
        let b = Backoff {
            base: Duration::from_millis(10),
            max: Duration::from_millis(100),
            attempts: 5,
        };
        for retry in 1..30 {
            let ceiling = Duration::from_millis(10 * (1u64 << (retry - 1).min(20)))
                .min(Duration::from_millis(100));
            assert!(b.delay(retry) <= ceiling, "retry {retry}");
        }
        let spread: std::collections::HashSet<Duration> = (0..50).map(|_| b.delay(4)).collect();
        assert!(spread.len() > 10, "jitter spreads retries");
    }
}
