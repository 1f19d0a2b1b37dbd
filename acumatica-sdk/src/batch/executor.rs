//! Running jobs over lanes: each lane owns one session (signed in lazily, when it takes its
//! first call), takes the next call from a shared queue, and runs calls one at a time, which is
//! how a tenant serves a session anyway. Everything runs inside the caller's future: dropping it
//! cancels the calls in flight and the sessions sign out in the background.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::BatchOptions;
use super::adaptive::Controller;
use super::job::{Job, LoginLimitHit, Outcome};
use super::report::BatchReport;
use crate::client::AcumaticaClient;
use crate::error::Error;
use crate::session::{Lease, LeaseStats, Session};

/// How often one call may be declined by the license queue (after the client's own retries of
/// each attempt) before its 429 is its result.
const MAX_DECLINES: u32 = 8;

const PENDING: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;

struct State<'a> {
    jobs: &'a [Arc<dyn Job>],
    options: &'a BatchOptions,
    /// Calls not started yet, and the number of lanes still taking calls: both under one lock,
    /// so that a call given back by a lane is never left without a lane to take it.
    queue: Mutex<(VecDeque<usize>, usize)>,
    status: Vec<AtomicU8>,
    /// 429 declines of each call (it is run again up to [`MAX_DECLINES`] times).
    declines: Vec<AtomicU32>,
    declined: AtomicU64,
    /// Lanes that stopped early (a decline or a login-limit refusal).
    retired: AtomicUsize,
    /// How many lanes may run now: the ceiling, less one for each lane that gave way; or what
    /// the adaptive controller allows.
    limit: AtomicUsize,
    /// The lowest and highest `limit` held.
    limit_range: Mutex<(usize, usize)>,
    /// The adaptive controller, in adaptive mode.
    controller: Option<Mutex<Controller>>,
    /// Calls running now.
    busy: AtomicUsize,
    /// Wakes the driver when the limit grows, to start lanes.
    grow: tokio::sync::Notify,
    stop: AtomicBool,
    completed: AtomicUsize,
    succeeded: AtomicUsize,
    durations: Mutex<Vec<Duration>>,
    first_failure: Mutex<Option<usize>>,
    login_limit: Mutex<Option<LoginLimitHit>>,
    /// The client's own session, which a batch with no session of its own may borrow.
    client_session: &'a Session,
    waited: Mutex<Duration>,
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
}

impl State<'_> {
    fn lock_queue(&self) -> std::sync::MutexGuard<'_, (VecDeque<usize>, usize)> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A lane gives way: one lane fewer from now on.
    fn retire(&self) {
        self.retired.fetch_add(1, Ordering::Relaxed);
        if self.controller.is_none() {
            let l = self.limit.load(Ordering::Relaxed);
            self.set_limit(l.saturating_sub(1).max(1));
        }
    }

    /// A new limit: recorded, and the driver woken to start lanes when it grew.
    fn set_limit(&self, new: usize) {
        let old = self.limit.swap(new, Ordering::Relaxed);
        let mut range = self.limit_range.lock().unwrap_or_else(|p| p.into_inner());
        *range = (range.0.min(new), range.1.max(new));
        drop(range);
        if new > old {
            self.grow.notify_one();
        }
    }

    /// Tells the adaptive controller (if there is one) what happened, and applies its limit.
    fn observe(&self, event: impl FnOnce(&mut Controller)) {
        if let Some(c) = &self.controller {
            let limit = {
                let mut c = c.lock().unwrap_or_else(|p| p.into_inner());
                event(&mut c);
                c.limit()
            };
            self.set_limit(limit);
        }
    }

    /// Whether a new lane is worth starting: calls are waiting and none is stopping the batch.
    /// Counts the lane as taking calls.
    fn start_lane(&self) -> bool {
        let mut q = self.lock_queue();
        if self.stop.load(Ordering::Relaxed) || q.0.len() <= q.1 {
            return false;
        }
        q.1 += 1;
        true
    }

    /// The next call for a lane, or `None` when the lane is to end: no calls left, the batch
    /// stopping, or more lanes taking calls than the limit allows.
    fn next(&self) -> Option<usize> {
        let mut q = self.lock_queue();
        let over = q.1 > self.limit.load(Ordering::Relaxed);
        let next = if self.stop.load(Ordering::Relaxed) || over {
            None
        } else {
            q.0.pop_front()
        };
        if next.is_none() {
            q.1 -= 1;
        }
        next
    }

    fn finished(&self, index: usize, ok: bool, took: Duration) {
        self.status[index].store(DONE, Ordering::Relaxed);
        self.durations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(took);
        if ok {
            self.succeeded.fetch_add(1, Ordering::Relaxed);
        } else {
            self.first_failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(index);
            if self.options.fail_fast {
                self.stop.store(true, Ordering::Relaxed);
            }
        }
        let done = self.completed.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(cb) = &self.options.progress {
            cb(done, self.jobs.len());
        }
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// A lane's session was refused a sign-in for the login limit: recorded, and the adaptive
    /// controller capped at the sessions the other lanes hold.
    fn refused(&self, hit: &LoginLimitHit) {
        let others = self.lock_queue().1.saturating_sub(1);
        self.observe(|c| c.on_login_limit(others));
        self.login_limit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| hit.clone());
    }

    /// The license queue declined a call (429): counted, and the adaptive controller told.
    fn declined(&self, index: usize) {
        self.declines[index].fetch_add(1, Ordering::Relaxed);
        self.declined.fetch_add(1, Ordering::Relaxed);
        self.observe(Controller::on_decline);
    }

    /// A call that did not run goes back to the front of the queue. While other lanes take
    /// calls, this one retires if `retire` (one lane fewer) or goes on; the last lane is told.
    fn put_back(&self, index: usize, retire: bool) -> GiveWay {
        self.status[index].store(PENDING, Ordering::Relaxed);
        let mut q = self.lock_queue();
        q.0.push_front(index);
        if q.1 <= 1 {
            return GiveWay::Last;
        }
        if !retire {
            return GiveWay::GoOn;
        }
        q.1 -= 1;
        drop(q);
        self.retire();
        GiveWay::Retire
    }

    /// The last lane got no session in time: every call not run fails with the login limit,
    /// saying how long the batch waited.
    fn no_session(&self, hit: &LoginLimitHit, waited: Duration) {
        let left: Vec<usize> = {
            let mut q = self.lock_queue();
            q.1 -= 1;
            q.0.drain(..).collect()
        };
        let mut error = hit.clone();
        error.message = format!(
            "the batch got no session in {waited:.1?} of waiting (the API login limit refused every sign-in): {}",
            hit.message
        );
        for i in left {
            self.jobs[i].fail(error.to_error());
            self.finished(i, false, Duration::ZERO);
        }
    }
}

/// What a lane does after a call that did not run went back to the queue.
enum GiveWay {
    /// Stop: one lane fewer.
    Retire,
    /// Take the next call.
    GoOn,
    /// It is the last lane taking calls: it must not stop.
    Last,
}

/// Where a lane's session comes from.
enum LaneSession {
    /// The client's own session (`use_client_session`): not the batch's to give back.
    Client,
    /// Leased from the client's pool of batch sessions.
    Leased(Lease),
}

/// Runs every job; returns the report. Jobs without a result afterwards (timed out, cancelled)
/// are given an error saying so.
pub(crate) async fn execute(
    jobs: &[Arc<dyn Job>],
    options: &BatchOptions,
    client: &AcumaticaClient,
) -> BatchReport {
    let total = jobs.len();
    let ceiling = options.max_concurrent.max(1).min(total.max(1));
    let client_session = client.session();
    let controller = options
        .adaptive
        .then(|| Mutex::new(Controller::new(ceiling)));
    let initial = controller.as_ref().map_or(ceiling, |c| {
        c.lock().unwrap_or_else(|p| p.into_inner()).limit()
    });
    let state = State {
        jobs,
        options,
        queue: Mutex::new(((0..total).collect(), 0)),
        status: (0..total).map(|_| AtomicU8::new(PENDING)).collect(),
        declines: (0..total).map(|_| AtomicU32::new(0)).collect(),
        declined: AtomicU64::new(0),
        retired: AtomicUsize::new(0),
        limit: AtomicUsize::new(initial),
        limit_range: Mutex::new((initial, initial)),
        controller,
        busy: AtomicUsize::new(0),
        grow: tokio::sync::Notify::new(),
        stop: AtomicBool::new(false),
        completed: AtomicUsize::new(0),
        succeeded: AtomicUsize::new(0),
        durations: Mutex::new(Vec::with_capacity(total)),
        first_failure: Mutex::new(None),
        login_limit: Mutex::new(None),
        client_session,
        waited: Mutex::new(Duration::ZERO),
        #[cfg(feature = "progress")]
        bar: options
            .progress_bar
            .then(|| indicatif::ProgressBar::new(total as u64)),
    };

    // Every session the batch used, kept here (not in the lanes) so that a batch dropped
    // half-way gives them all back (`Lease`'s drop) and a finished one signs them out after the
    // timed part.
    let mut sessions: Vec<LaneSession> = Vec::new();
    let started = Instant::now();
    let run = async {
        let mut lanes = futures::stream::FuturesUnordered::new();
        let mut spare: Vec<Session> = Vec::new();
        loop {
            while lanes.len() < state.limit.load(Ordering::Relaxed) && state.start_lane() {
                let session = match spare.pop() {
                    Some(s) => s,
                    None if sessions.is_empty() && options.use_client_session => {
                        sessions.push(LaneSession::Client);
                        client_session.clone()
                    }
                    None => {
                        let lease = client.lanes().checkout();
                        let s = lease.session().clone();
                        sessions.push(LaneSession::Leased(lease));
                        s
                    }
                };
                lanes.push(lane(session, &state));
            }
            if lanes.is_empty() {
                break;
            }
            let ended = futures::StreamExt::next(&mut lanes);
            let grown = state.grow.notified();
            futures::pin_mut!(grown);
            match futures::future::select(ended, grown).await {
                futures::future::Either::Left((Some(Some(session)), _)) => spare.push(session),
                futures::future::Either::Left((Some(None), _)) => {}
                futures::future::Either::Left((None, _)) => break,
                // The limit grew: start lanes at the top of the loop.
                futures::future::Either::Right(((), _)) => {}
            }
        }
    };
    let run = crate::http::spread(run);
    let timed_out = match options.timeout {
        Some(limit) => tokio::time::timeout(limit, run).await.is_err(),
        None => {
            run.await;
            false
        }
    };
    let elapsed = started.elapsed();

    // Whatever has no result now never finished: in flight when time ran out, or never started.
    for (i, job) in jobs.iter().enumerate() {
        if job.is_done() {
            continue;
        }
        let running = state.status[i].load(Ordering::Relaxed) == RUNNING;
        let request = job.info();
        job.fail(if timed_out {
            Error::Timeout {
                request,
                elapsed,
                may_have_been_applied: running && job.is_write(),
            }
        } else {
            Error::Cancelled {
                request,
                may_have_been_applied: running && job.is_write(),
            }
        });
    }
    #[cfg(feature = "progress")]
    if let Some(bar) = &state.bar {
        bar.finish();
    }

    // Give the sessions back (signed out, or kept idle) before handing back the results.
    let lanes_started = sessions.len();
    let client_logins = client_session.logins();
    let mut used = LeaseStats::default();
    let given_back = futures::future::join_all(sessions.into_iter().filter_map(|s| match s {
        LaneSession::Leased(lease) => Some(lease.give_back()),
        LaneSession::Client => None,
    }))
    .await;
    let mut lanes_used = 0;
    for g in given_back {
        used.logins += g.logins;
        used.retries += g.retries;
        used.failed_logouts += g.failed_logouts;
        lanes_used += usize::from(g.used);
    }
    if options.use_client_session {
        lanes_used += 1;
        used.logins += client_session.logins() - client_logins.min(client_session.logins());
    }

    let retired = state.retired.load(Ordering::Relaxed);
    let durations = state
        .durations
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    let succeeded = state.succeeded.load(Ordering::Relaxed);
    let first_failure = *state
        .first_failure
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let login_limit_hit = state
        .login_limit
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some();
    let mut report = BatchReport::new(
        total,
        succeeded,
        elapsed,
        durations,
        ceiling,
        lanes_used,
        used.logins,
        used.retries,
        login_limit_hit,
        timed_out,
        first_failure,
    );
    report.failed_logouts = used.failed_logouts;
    report.declined = state.declined.load(Ordering::Relaxed);
    report.lanes_final = match &state.controller {
        Some(_) => state.limit.load(Ordering::Relaxed),
        None => lanes_started.min(ceiling).saturating_sub(retired),
    };
    let (lanes_min, lanes_max) = match &state.controller {
        Some(c) => {
            let stats = c.lock().unwrap_or_else(|p| p.into_inner()).stats();
            (stats.min_limit, stats.max_limit)
        }
        None => *state.limit_range.lock().unwrap_or_else(|p| p.into_inner()),
    };
    report.lanes_min = lanes_min.min(report.lanes_final.max(1));
    report.lanes_max = lanes_max;
    report.adaptive = state.controller.is_some();
    report.waited_for_session = *state.waited.lock().unwrap_or_else(|p| p.into_inner());
    report
}

/// One lane: takes calls until there are none, the batch stops, or the lane must give way
/// (fewer lanes after a decline or a login-limit refusal). Hands its session back for reuse.
async fn lane(mut session: Session, state: &State<'_>) -> Option<Session> {
    while let Some(index) = state.next() {
        let job = &state.jobs[index];
        state.status[index].store(RUNNING, Ordering::Relaxed);
        let started = Instant::now();
        let retries_before = session.retries();
        let in_flight = state.busy.fetch_add(1, Ordering::Relaxed) + 1;
        let requeue = state.declines[index].load(Ordering::Relaxed) < MAX_DECLINES;
        let outcome = match state.options.call_timeout {
            Some(limit) => match tokio::time::timeout(limit, job.run(&session, requeue)).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    let request = job.info();
                    job.fail(Error::Timeout {
                        request,
                        elapsed: started.elapsed(),
                        may_have_been_applied: job.is_write(),
                    });
                    Outcome::Failure
                }
            },
            None => job.run(&session, requeue).await,
        };
        state.busy.fetch_sub(1, Ordering::Relaxed);
        // The round trip of a call made at once (one with retries includes their waits).
        if outcome == Outcome::Success && session.retries() == retries_before {
            let rtt = started.elapsed();
            let busy = in_flight.max(state.busy.load(Ordering::Relaxed) + 1);
            state.observe(|c| c.on_success(rtt, busy));
        }
        match outcome {
            Outcome::LoginLimit(hit) => {
                state.refused(&hit);
                match state.put_back(index, true) {
                    GiveWay::Retire => return Some(session),
                    GiveWay::GoOn => {}
                    // The last lane waits for a session, then runs the call again.
                    GiveWay::Last => match wait_for_session(&session, state, &hit).await {
                        Some(s) => session = s,
                        None => return None,
                    },
                }
            }
            Outcome::Declined => {
                state.declined(index);
                // Fixed lanes: one fewer. Adaptive: the controller's lower limit makes lanes
                // give way (`next`).
                match state.put_back(index, state.controller.is_none()) {
                    GiveWay::Retire => return Some(session),
                    GiveWay::GoOn => {}
                    GiveWay::Last => {
                        // Wait a little before the tenant is asked again.
                        let n = state.declines[index].load(Ordering::Relaxed);
                        let pause = crate::http::backoff(
                            Duration::from_millis(200),
                            Duration::from_secs(5),
                            n,
                        );
                        tokio::time::sleep(pause).await;
                    }
                }
            }
            Outcome::Success => state.finished(index, true, started.elapsed()),
            Outcome::Failure => state.finished(index, false, started.elapsed()),
        }
    }
    Some(session)
}

/// The last lane has no session: a signed-in client session to borrow, or sign-ins polled with
/// backoff until one is accepted or the batch's wait is over (then every call left fails).
async fn wait_for_session(
    session: &Session,
    state: &State<'_>,
    hit: &LoginLimitHit,
) -> Option<Session> {
    let started = Instant::now();
    let mut attempt = 0;
    let session = loop {
        if state.client_session.is_active() && !state.options.use_client_session {
            tracing::debug!("API login limit: borrowing the client's signed-in session");
            break state.client_session.clone();
        }
        let waited = started.elapsed();
        if state.stop.load(Ordering::Relaxed) {
            // Failing fast: the calls not run are reported as cancelled.
            state.lock_queue().1 -= 1;
            return None;
        }
        if waited >= state.options.session_wait {
            *state.waited.lock().unwrap_or_else(|p| p.into_inner()) += waited;
            state.no_session(hit, waited);
            return None;
        }
        attempt += 1;
        let pause =
            crate::http::backoff(Duration::from_millis(250), Duration::from_secs(2), attempt)
                .min(state.options.session_wait.saturating_sub(waited));
        tracing::debug!(?pause, "API login limit: waiting for a session");
        tokio::time::sleep(pause).await;
        match session.login().await {
            Ok(()) => break session.clone(),
            Err(Error::LoginLimit { .. }) => continue,
            // Anything else is for the call to report: run it on this session.
            Err(_) => break session.clone(),
        }
    };
    *state.waited.lock().unwrap_or_else(|p| p.into_inner()) += started.elapsed();
    Some(session)
}
