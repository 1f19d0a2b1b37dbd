//! [`BatchReport`]: what a batch did and how long its calls took.

use std::fmt;
use std::time::Duration;

/// Figures of one batch run: timing of the calls, outcomes, sessions.
///
/// `Display` prints a compact summary:
/// ```text
/// batch: 200 calls in 1.07s over 10 sessions (10 logins, 0 retries)
///   ok 199   failed 1   avg 51.2ms   min 50.1ms   p50 50.9ms   p95 53.0ms   max 61.4ms
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReport {
    /// Calls in the batch.
    pub total: usize,
    /// Calls that succeeded.
    pub successful: usize,
    /// Calls that failed (including cancelled and timed-out ones).
    pub failed: usize,
    /// Wall time of the whole batch (without the final sign-outs).
    pub elapsed: Duration,
    /// Time of the calls that ran, shortest first.
    pub call_times: Vec<Duration>,
    /// Sessions the batch could use (`max_concurrent`, at most one per call).
    pub concurrency: usize,
    /// Sessions that actually signed in and ran calls.
    pub sessions_used: usize,
    /// Sign-ins made.
    pub logins: u64,
    /// Retries made.
    pub retries: u64,
    /// Whether the server refused a sign-in for its API login limit (the batch went on with
    /// the sessions it had).
    pub login_limit_hit: bool,
    /// Whether the batch's total time limit ran out.
    pub timed_out: bool,
    /// The index of the first call that failed, in completion order.
    pub first_failure: Option<usize>,
    /// Whether the lanes were adaptive ([`Batch::adaptive`](super::Batch::adaptive)).
    pub adaptive: bool,
    /// The fewest lanes allowed at any time (adaptive: the controller's lowest limit).
    pub lanes_min: usize,
    /// The most lanes allowed at any time.
    pub lanes_max: usize,
    /// Lanes that kept taking calls to the end: `concurrency` less the lanes that stopped after
    /// a 429 decline or a login-limit refusal.
    pub lanes_final: usize,
    /// Sign-outs of the batch's sessions that failed after every retry (each may leave a
    /// session open on the server until its idle timeout; logged at WARN).
    pub failed_logouts: u64,
    /// Calls the tenant's license queue declined with 429 after the client's retries; each
    /// was run again later (up to 8 times) on one lane fewer.
    pub declined: u64,
    /// How long the batch waited for a session while the API login limit refused every
    /// sign-in.
    pub waited_for_session: Duration,
}

impl BatchReport {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        total: usize,
        successful: usize,
        elapsed: Duration,
        mut call_times: Vec<Duration>,
        concurrency: usize,
        sessions_used: usize,
        logins: u64,
        retries: u64,
        login_limit_hit: bool,
        timed_out: bool,
        first_failure: Option<usize>,
    ) -> Self {
        call_times.sort();
        BatchReport {
            total,
            successful,
            failed: total - successful,
            elapsed,
            call_times,
            concurrency,
            sessions_used,
            logins,
            retries,
            login_limit_hit,
            timed_out,
            first_failure,
            failed_logouts: 0,
            declined: 0,
            adaptive: false,
            lanes_min: concurrency,
            lanes_max: concurrency,
            lanes_final: 0,
            waited_for_session: Duration::ZERO,
        }
    }

    /// Mean call time.
    pub fn average(&self) -> Duration {
        if self.call_times.is_empty() {
            return Duration::ZERO;
        }
        self.call_times.iter().sum::<Duration>() / self.call_times.len() as u32
    }

    /// Shortest call time.
    pub fn min(&self) -> Duration {
        self.call_times.first().copied().unwrap_or_default()
    }

    /// Longest call time.
    pub fn max(&self) -> Duration {
        self.call_times.last().copied().unwrap_or_default()
    }

    /// The `p`-th percentile of call times (nearest rank), `p` in 0..=100.
    pub fn percentile(&self, p: u32) -> Duration {
        if self.call_times.is_empty() {
            return Duration::ZERO;
        }
        let rank = (p.min(100) as usize * self.call_times.len())
            .div_ceil(100)
            .max(1);
        self.call_times[rank - 1]
    }

    /// Median call time.
    pub fn p50(&self) -> Duration {
        self.percentile(50)
    }

    /// 95th-percentile call time.
    pub fn p95(&self) -> Duration {
        self.percentile(95)
    }
}

impl fmt::Display for BatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| format!("{:.1}ms", d.as_secs_f64() * 1000.0);
        write!(
            f,
            "batch: {} calls in {:.2?} over {} session{} ({} login{}, {} retr{})",
            self.total,
            self.elapsed,
            self.sessions_used,
            if self.sessions_used == 1 { "" } else { "s" },
            self.logins,
            if self.logins == 1 { "" } else { "s" },
            self.retries,
            if self.retries == 1 { "y" } else { "ies" },
        )?;
        if self.login_limit_hit {
            write!(f, "; API login limit reached")?;
        }
        if self.adaptive {
            write!(
                f,
                "; adaptive lanes {}..{}, {} at the end",
                self.lanes_min, self.lanes_max, self.lanes_final
            )?;
        }
        if !self.waited_for_session.is_zero() {
            write!(f, "; waited {:.2?} for a session", self.waited_for_session)?;
        }
        if self.timed_out {
            write!(f, "; timed out")?;
        }
        if self.declined > 0 {
            write!(
                f,
                "; {} declined by the license queue (re-run)",
                self.declined
            )?;
        }
        if self.failed_logouts > 0 {
            write!(f, "; {} sign-out(s) failed", self.failed_logouts)?;
        }
        writeln!(f)?;
        write!(
            f,
            "  ok {}   failed {}   avg {}   min {}   p50 {}   p95 {}   max {}",
            self.successful,
            self.failed,
            ms(self.average()),
            ms(self.min()),
            ms(self.p50()),
            ms(self.p95()),
            ms(self.max()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let times = (1..=20).map(Duration::from_millis).collect();
        let r = BatchReport::new(
            20,
            19,
            Duration::from_secs(1),
            times,
            4,
            4,
            4,
            0,
            false,
            false,
            Some(3),
        );
        assert_eq!(
            (r.min(), r.p50(), r.p95(), r.max()),
            (
                Duration::from_millis(1),
                Duration::from_millis(10),
                Duration::from_millis(19),
                Duration::from_millis(20)
            )
        );
        assert_eq!(r.average(), Duration::from_micros(10_500));
        assert_eq!(r.failed, 1);
        let text = r.to_string();
        assert!(
            text.contains("20 calls") && text.contains("failed 1") && text.contains("p95 19.0ms"),
            "{text}"
        );
    }
}
