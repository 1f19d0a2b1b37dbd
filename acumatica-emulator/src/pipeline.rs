//! The license request pipeline: processing cores, the per-minute limit with its 50 % delay
//! rule, and the 429 decline when more than 20 requests wait (protocol notes §9).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::PipelineConfig;

/// A request the pipeline declined (→ 429).
#[derive(Debug)]
pub(crate) struct Declined;

/// Holds a processing core until dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    _permit: Option<OwnedSemaphorePermit>,
}

#[derive(Debug)]
pub(crate) struct Pipeline {
    config: PipelineConfig,
    cores: Option<Arc<Semaphore>>,
    waiting: AtomicUsize,
    /// When each request of the last minute was (or will be) processed.
    window: Mutex<VecDeque<Instant>>,
}

/// Decrements the waiting count when the wait ends, however it ends.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Pipeline {
    pub(crate) fn new(config: PipelineConfig) -> Self {
        Pipeline {
            config,
            cores: config
                .concurrent_requests
                .map(|n| Arc::new(Semaphore::new(n.max(1)))),
            waiting: AtomicUsize::new(0),
            window: Mutex::new(VecDeque::new()),
        }
    }

    /// The delay the per-minute limit imposes on a request arriving now; recorded as processed
    /// when `record` is set.
    fn rate_delay(&self, record: bool) -> Duration {
        let Some(limit) = self.config.requests_per_minute else {
            return Duration::ZERO;
        };
        let minute = self.config.window;
        let now = Instant::now();
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        while window
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= minute)
        {
            window.pop_front();
        }
        let processed = window.len() as u32;
        let delay = match window.front() {
            // "(time left until 60 s after the first request of that minute) /
            //  (limit - requests processed in that minute)", once half the limit is used.
            Some(first) if processed * 2 >= limit => {
                let left = (*first + minute).saturating_duration_since(now);
                match limit.checked_sub(processed).filter(|r| *r > 0) {
                    Some(remaining) => left / remaining,
                    None => left,
                }
            }
            _ => Duration::ZERO,
        };
        if record {
            window.push_back(now + delay);
        }
        delay
    }

    /// Waits for a core (and the rate delay), or declines when the queue is full.
    pub(crate) async fn enter(&self) -> Result<Slot, Declined> {
        if self.rate_delay(false).is_zero() {
            let permit = match &self.cores {
                None => Some(None),
                Some(c) => c.clone().try_acquire_owned().ok().map(Some),
            };
            if let Some(permit) = permit {
                self.rate_delay(true);
                return Ok(Slot { _permit: permit });
            }
        }
        // "declined only if the number of requests in the internal queue is greater than 20";
        // declined requests are not counted against the per-minute limit.
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.config.max_queued {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Declined);
        }
        let _waiting = Waiting(&self.waiting);
        let wait = async {
            let delay = self.rate_delay(true);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            match &self.cores {
                Some(c) => c.clone().acquire_owned().await.ok(),
                None => None,
            }
        };
        match tokio::time::timeout(self.config.queue_timeout, wait).await {
            Ok(permit) => Ok(Slot { _permit: permit }),
            Err(_) => Err(Declined),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_documented_example_delays_by_0_8_s() {
        // Limit 50, 25 processed in this minute, 20 s left: each request waits 0.8 s (D-LIC).
        let p = Pipeline::new(PipelineConfig {
            requests_per_minute: Some(50),
            ..PipelineConfig::default()
        });
        let start = Instant::now() - Duration::from_secs(40);
        p.window
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(start, 25));
        let d = p.rate_delay(false);
        assert!((d.as_secs_f64() - 0.8).abs() < 0.01, "{d:?}");
        // Under half the limit nothing waits.
        let q = Pipeline::new(PipelineConfig {
            requests_per_minute: Some(50),
            ..PipelineConfig::default()
        });
        q.window
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(start, 24));
        assert_eq!(q.rate_delay(false), Duration::ZERO);
    }

    #[tokio::test]
    async fn a_shorter_window_scales_the_delay_and_rolls_over() {
        // The same rule over a 1 s window: 25 of 50 processed, 0.4 s left: 16 ms each.
        let p = Pipeline::new(PipelineConfig {
            requests_per_minute: Some(50),
            window: Duration::from_secs(1),
            ..PipelineConfig::default()
        });
        let start = Instant::now() - Duration::from_millis(600);
        p.window
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(start, 25));
        let d = p.rate_delay(false);
        assert!((d.as_secs_f64() - 0.016).abs() < 0.002, "{d:?}");
        // A window later they no longer count.
        let old = Instant::now() - Duration::from_millis(1_100);
        let q = Pipeline::new(PipelineConfig {
            requests_per_minute: Some(50),
            window: Duration::from_secs(1),
            ..PipelineConfig::default()
        });
        q.window
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(old, 40));
        assert_eq!(q.rate_delay(false), Duration::ZERO);
        assert!(q.window.lock().unwrap().is_empty());
    }
}
