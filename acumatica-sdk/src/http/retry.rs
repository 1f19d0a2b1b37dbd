//! [`RetryPolicy`]: which failures are tried again, how long to wait in between, and the
//! budget that keeps a failing tenant from being hammered.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::request::CallKind;
use crate::error::Error;

/// Retries of transient failures, with capped exponential backoff and full jitter
/// (`Retry-After` honoured), and a shared [`RetryBudget`].
///
/// What is retried (by default up to 3 times), for each kind of call:
///
/// | failure | reads, deletes, sign-ins | writes and actions (PUT, PATCH, POST) |
/// |---|---|---|
/// | 429 decline of the license queue (not the login limit) | retried | retried: the tenant declines before running a request |
/// | connection refused, not established | retried | retried: nothing was sent |
/// | a status in [`retry_statuses`](Self::retry_statuses) (502, 503, 504 by default) | retried | only with [`retry_writes`](Self::retry_writes) |
/// | connection broken after sending | retried | only with `retry_writes` |
/// | timeout | not retried | not retried |
/// | 401 | one new sign-in, then once more | the same (a 401 did not run) |
/// | the API login limit | not retried (a [`Batch`](crate::batch::Batch) waits for a session) | — |
///
/// A 500 is not in the default statuses: a tenant answers business failures (a missing record,
/// a refused action, a bad sign-in) with 500, and retrying those only repeats them. Add it to
/// `retry_statuses` for a tenant whose 500s are transient. Sign-outs have their own patient
/// retries (see [`crate::session::Session::logout`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Longest wait between attempts (a longer `Retry-After` is honoured up to 60 s).
    pub max_backoff: Duration,
    /// Also retry writes whose outcome is unknown (a write answered 503 or cut off may have
    /// been applied: retrying it may apply it twice).
    pub retry_writes: bool,
    /// Statuses worth another attempt besides 429 (default 502, 503, 504).
    pub retry_statuses: Vec<u16>,
    /// The budget the retries of one client draw from; `None` for no limit.
    pub budget: Option<RetryBudget>,
}

/// A token bucket shared by all the requests of a client, as in the AWS SDKs' standard retry
/// mode: a retry takes [`retry_cost`](Self::retry_cost) tokens, a success gives one back, and
/// when the bucket is empty failures are returned at once instead of retried. While a tenant
/// fails everything, a client then sends at most about `capacity / retry_cost` retries more
/// than it has calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    /// Tokens when full (default 500).
    pub capacity: u32,
    /// Tokens a retry takes (default 5).
    pub retry_cost: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            capacity: 500,
            retry_cost: 5,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            retry_writes: false,
            retry_statuses: vec![502, 503, 504],
            budget: Some(RetryBudget::default()),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (not even of 429 declines).
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The same policy retrying `statuses` besides 429.
    #[must_use]
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.retry_statuses = statuses.into_iter().collect();
        self
    }

    /// Whether an answer with `status` may be tried again for a call of `kind`. `login_limit`:
    /// the body carries the API login limit text.
    pub(crate) fn retries_status(&self, kind: CallKind, status: u16, login_limit: bool) -> bool {
        if login_limit {
            return false;
        }
        if status == 429 {
            return true;
        }
        self.retry_statuses.contains(&status) && (kind == CallKind::Idempotent || self.retry_writes)
    }

    /// Whether a failed exchange may be tried again for a call of `kind`.
    pub(crate) fn retries_error(&self, kind: CallKind, error: &Error) -> bool {
        match error {
            Error::Transport {
                may_have_been_applied: false,
                ..
            } => true,
            Error::Transport { .. } => kind == CallKind::Idempotent || self.retry_writes,
            _ => false,
        }
    }

    /// The wait before retry number `attempt` (1-based): `Retry-After` if the server sent one
    /// (honoured up to 60 s), else exponential backoff with full jitter.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(self.max_backoff.max(d.min(Duration::from_secs(60))));
        }
        backoff(self.initial_backoff, self.max_backoff, attempt)
    }
}

/// Exponential backoff from `initial`, capped at `max`, with jitter over its upper half.
pub(crate) fn backoff(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = initial.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let cap = exp.min(max);
    let millis = cap.as_millis() as u64;
    Duration::from_millis(fastrand::u64(millis / 2..=millis.max(1)))
}

/// The live tokens of a client's [`RetryBudget`].
#[derive(Debug)]
pub(crate) struct Bucket {
    tokens: AtomicU32,
}

impl Bucket {
    pub(crate) fn new(policy: &RetryPolicy) -> Self {
        Bucket {
            tokens: AtomicU32::new(policy.budget.map_or(u32::MAX, |b| b.capacity)),
        }
    }

    /// Takes the tokens of one retry; `false` when there are not enough.
    pub(crate) fn withdraw(&self, policy: &RetryPolicy) -> bool {
        let Some(budget) = policy.budget else {
            return true;
        };
        self.tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                t.checked_sub(budget.retry_cost)
            })
            .is_ok()
    }

    /// A success gives one token back.
    pub(crate) fn deposit(&self, policy: &RetryPolicy) {
        if let Some(budget) = policy.budget {
            let _ = self
                .tokens
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                    (t < budget.capacity).then_some(t + 1)
                });
        }
    }
}

/// The retry decisions of one call: after each exchange, whether to go again and after how long.
/// The one place the policy, the budget and the counters meet, for data calls, sign-ins and
/// token requests alike.
pub(crate) struct Attempts<'a> {
    shared: &'a crate::shared::Shared,
    kind: CallKind,
    made: u32,
}

impl<'a> Attempts<'a> {
    /// Retries of a call of `kind` on `shared`'s policy and budget.
    pub(crate) fn new(shared: &'a crate::shared::Shared, kind: CallKind) -> Self {
        Attempts {
            shared,
            kind,
            made: 0,
        }
    }

    /// Given the result of an exchange (any status is `Ok`), the wait before trying again, or
    /// `None` to keep the result. A retry is counted in the client's stats and in `also`.
    pub(crate) fn again(
        &mut self,
        result: &crate::Result<super::RawResponse>,
        also: &std::sync::atomic::AtomicU64,
    ) -> Option<Duration> {
        let policy = &self.shared.config.retry;
        let (worth, retry_after) = match result {
            Ok(resp) if (200..300).contains(&resp.status) => {
                self.shared.bucket.deposit(policy);
                return None;
            }
            Ok(resp) => (
                policy.retries_status(
                    self.kind,
                    resp.status,
                    super::classify::is_login_limit(&resp.body),
                ),
                retry_after(resp.header("retry-after")),
            ),
            Err(e) => (policy.retries_error(self.kind, e), None),
        };
        if !worth || self.made >= policy.max_retries {
            return None;
        }
        if !self.shared.bucket.withdraw(policy) {
            tracing::debug!("retry budget exhausted: not retrying");
            crate::shared::Counters::bump(&self.shared.stats.retries_refused);
            return None;
        }
        self.made += 1;
        crate::shared::Counters::bump(&self.shared.stats.retries);
        also.fetch_add(1, Ordering::Relaxed);
        let wait = policy.delay(self.made, retry_after);
        match result {
            Ok(resp) => {
                tracing::debug!(status = resp.status, attempt = self.made, ?wait, "retrying")
            }
            Err(e) => tracing::debug!(error = %e, attempt = self.made, ?wait, "retrying"),
        }
        Some(wait)
    }
}

/// Parses `Retry-After` (seconds; HTTP dates are rare for this API and are ignored).
pub(crate) fn retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(800),
            ..RetryPolicy::default()
        };
        for attempt in 1..10 {
            let d = p.delay(attempt, None);
            let cap = (100u64 << (attempt - 1)).min(800);
            assert!(
                d >= Duration::from_millis(cap / 2) && d <= Duration::from_millis(cap),
                "attempt {attempt}: {d:?}"
            );
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn declines_are_retried_for_writes_other_statuses_only_when_asked() {
        let p = RetryPolicy::default();
        assert!(p.retries_status(CallKind::Write, 429, false));
        assert!(!p.retries_status(CallKind::Write, 429, true), "login limit");
        assert!(!p.retries_status(CallKind::Write, 503, false));
        assert!(p.retries_status(CallKind::Idempotent, 503, false));
        assert!(!p.retries_status(CallKind::Idempotent, 500, false));
        let p = RetryPolicy::default().statuses([500, 503]);
        assert!(p.retries_status(CallKind::Idempotent, 500, false));
        let writes = RetryPolicy {
            retry_writes: true,
            ..p
        };
        assert!(writes.retries_status(CallKind::Action, 500, false));
    }

    #[test]
    fn the_budget_runs_out_and_refills_with_successes() {
        let p = RetryPolicy {
            budget: Some(RetryBudget {
                capacity: 10,
                retry_cost: 5,
            }),
            ..RetryPolicy::default()
        };
        let bucket = Bucket::new(&p);
        assert!(bucket.withdraw(&p));
        assert!(bucket.withdraw(&p));
        assert!(!bucket.withdraw(&p), "empty");
        for _ in 0..4 {
            bucket.deposit(&p);
        }
        assert!(!bucket.withdraw(&p), "4 tokens are not enough");
        bucket.deposit(&p);
        assert!(bucket.withdraw(&p));
        for _ in 0..100 {
            bucket.deposit(&p);
        }
        assert!(
            bucket.withdraw(&p) && bucket.withdraw(&p) && !bucket.withdraw(&p),
            "capped"
        );
        let unlimited = RetryPolicy {
            budget: None,
            ..RetryPolicy::default()
        };
        let b = Bucket::new(&unlimited);
        assert!((0..10_000).all(|_| b.withdraw(&unlimited)));
    }
}
