//! Admits an API request: finds its session, queues it behind the session's other requests,
//! refuses it while a long-running action owns the session, passes the license pipeline and
//! spends the configured latency.

#![allow(clippy::result_large_err)] // the error is the HTTP answer (see routes/mod.rs)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use crate::metrics::{bump, peak};
use crate::pipeline::Slot;
use crate::session::{Missing, Session};
use crate::state::State;
use crate::wire;

/// What a request may do while a long-running action owns its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anything: refused while the session is busy.
    Api,
    /// Poll the status of this operation: always allowed.
    Poll(Uuid),
}

/// Decrements a counter when dropped.
#[derive(Debug)]
struct Count(Arc<Session>, fn(&Session) -> &AtomicUsize);

impl Drop for Count {
    fn drop(&mut self) {
        (self.1)(&self.0).fetch_sub(1, Ordering::SeqCst);
    }
}

/// An admitted request; dropping it lets the session's next request in. Fields drop in order:
/// the pipeline slot, then the executing count, then the session lock, then the in-flight count.
#[derive(Debug)]
pub(crate) struct Caller {
    _slot: Slot,
    _executing: Count,
    _lock: Option<OwnedMutexGuard<()>>,
    _in_flight: Count,
    pub(crate) session: Arc<Session>,
}

/// The value of one cookie.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The bearer token, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The session a request belongs to, by bearer token or cookies.
pub(crate) fn find_session(state: &State, headers: &HeaderMap) -> Result<Arc<Session>, Missing> {
    let found = if let Some(token) = bearer(headers) {
        let id = state.oauth.session_of(token).ok_or(Missing::Unknown)?;
        state.sessions.find(&id, None)
    } else {
        let id = cookie(headers, "ASP.NET_SessionId").ok_or(Missing::Unknown)?;
        state.sessions.find(id, cookie(headers, ".ASPXAUTH"))
    };
    if matches!(found, Err(Missing::Expired)) {
        bump(&state.metrics.expired_sessions);
    }
    found
}

/// 429 from the license pipeline. The body is UNKNOWN on a tenant.
pub(crate) fn declined(state: &State) -> Response {
    bump(&state.metrics.rate_limited);
    wire::message(
        StatusCode::TOO_MANY_REQUESTS,
        "The number of requests has exceeded the limit imposed by the license.",
    )
}

/// Runs the pipeline and latency for a request that has no session yet (sign-in).
pub(crate) async fn pipeline_only(state: &State) -> Result<Slot, Response> {
    let slot = state.pipeline.enter().await.map_err(|_| declined(state))?;
    let latency = state.latency();
    if !latency.is_zero() {
        precise::sleep(latency).await;
    }
    Ok(slot)
}

/// Admits a request of a signed-in session, or answers it (401, busy, 429).
pub(crate) async fn admit(
    state: &State,
    headers: &HeaderMap,
    access: Access,
) -> Result<Caller, Response> {
    let session = find_session(state, headers).map_err(|_| wire::not_logged_in())?;
    session.touch();
    let n = session.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    let in_flight = Count(session.clone(), |s| &s.in_flight);
    peak(&state.metrics.peak_in_flight_per_session, n);

    let lock = if state.config.serialize_sessions {
        Some(session.lock.clone().lock_owned().await)
    } else {
        None
    };
    let n = session.executing.fetch_add(1, Ordering::SeqCst) + 1;
    let executing = Count(session.clone(), |s| &s.executing);
    peak(&state.metrics.peak_executing_per_session, n);

    // While a long-running operation runs, "only a REST API request that retrieves the status of
    // this long-running operation can be executed successfully". The status and body of the
    // refusal are UNKNOWN; a 500 HttpError by default (Config::busy_session_status).
    if let Some(op) = session.busy_with()
        && access != Access::Poll(op)
    {
        let status = StatusCode::from_u16(state.config.busy_session_status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(wire::http_error(
            status,
            "The previous operation has not been completed yet. Please wait until the long-running operation completes.",
            "PX.Data.PXException",
        ));
    }
    let slot = pipeline_only(state).await?;
    session.touch();
    Ok(Caller {
        _slot: slot,
        _executing: executing,
        _lock: lock,
        _in_flight: in_flight,
        session,
    })
}

/// The configured latency, kept to within a fraction of a millisecond. tokio's timer counts
/// whole milliseconds and rounds every deadline up, so `tokio::time::sleep(50 ms)` lasts about
/// 51 ms; a benchmark that measures a client against "N requests × latency" would charge that
/// millisecond to the client. One thread sleeps on a condition variable until shortly before the
/// earliest deadline (the kernel's high-resolution timer), yields the last 300 µs away (a
/// sleeping thread on a VM wakes 0.2 ms late or more: measured with curl, 50.83 ms a request at
/// 50 ms latency sleeping to the deadline, 50.63 ms yielding the last stretch), and wakes the
/// waiting requests. A deadline that arrives while it yields waits at most those 300 µs more.
mod precise {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    use std::sync::{Condvar, Mutex, OnceLock};
    use std::time::{Duration, Instant};

    use tokio::sync::oneshot;

    struct Timer {
        due: Mutex<BinaryHeap<Reverse<Due>>>,
        changed: Condvar,
    }

    struct Due(Instant, u64, oneshot::Sender<()>);

    impl PartialEq for Due {
        fn eq(&self, other: &Self) -> bool {
            (self.0, self.1) == (other.0, other.1)
        }
    }
    impl Eq for Due {}
    impl PartialOrd for Due {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Due {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            (self.0, self.1).cmp(&(other.0, other.1))
        }
    }

    fn timer() -> Option<&'static Timer> {
        static TIMER: OnceLock<Option<&'static Timer>> = OnceLock::new();
        *TIMER.get_or_init(|| {
            let timer: &'static Timer = Box::leak(Box::new(Timer {
                due: Mutex::new(BinaryHeap::new()),
                changed: Condvar::new(),
            }));
            std::thread::Builder::new()
                .name("emulator-latency".into())
                .spawn(move || run(timer))
                .ok()
                .map(|_| timer)
        })
    }

    /// How long before a deadline the timer thread stops sleeping and yields instead (it costs
    /// at most this much CPU per deadline, given up to any other runnable thread).
    const SPIN: Duration = Duration::from_micros(300);

    fn run(timer: &Timer) {
        let mut due = timer.due.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            while due.peek().is_some_and(|Reverse(d)| d.0 <= now) {
                if let Some(Reverse(Due(_, _, wake))) = due.pop() {
                    // The request may have been cancelled; nobody to wake then.
                    let _ = wake.send(());
                }
            }
            due = match due.peek() {
                Some(Reverse(next)) if next.0.saturating_duration_since(now) <= SPIN => {
                    // Close to the deadline: a sleeping thread wakes late (more so on a VM's
                    // idle CPU), so the last stretch is spent yielding, without the lock.
                    let at = next.0;
                    drop(due);
                    while Instant::now() < at {
                        std::thread::yield_now();
                    }
                    timer.due.lock().unwrap_or_else(|e| e.into_inner())
                }
                Some(Reverse(next)) => {
                    let wait = next.0.saturating_duration_since(now) - SPIN;
                    timer
                        .changed
                        .wait_timeout(due, wait)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => timer.changed.wait(due).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }

    /// Sleeps for `latency`, to within the kernel's timer precision.
    pub(super) async fn sleep(latency: Duration) {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let deadline = Instant::now() + latency;
        let Some(timer) = timer() else {
            // No thread for the timer: tokio's, a millisecond coarser.
            return tokio::time::sleep_until(deadline.into()).await;
        };
        let (wake, woken) = oneshot::channel();
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        timer
            .due
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Reverse(Due(deadline, seq, wake)));
        timer.changed.notify_one();
        let _ = woken.await;
    }
}
