//! Running jobs over lanes: each lane owns one session (signed in lazily, when it takes its
//! first call), takes the next call from a shared queue, and runs calls one at a time, which is
//! how a tenant serves a session anyway. Everything runs inside the caller's future: dropping it
//! cancels the calls in flight and the sessions sign out in the background.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::BatchOptions;
use super::job::{Job, LoginLimitHit, Outcome};
use super::report::BatchReport;
use crate::client::Shared;
use crate::error::Error;
use crate::session::Session;

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
    stop: AtomicBool,
    completed: AtomicUsize,
    succeeded: AtomicUsize,
    durations: Mutex<Vec<Duration>>,
    first_failure: Mutex<Option<usize>>,
    login_limit: Mutex<Option<LoginLimitHit>>,
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
}

impl State<'_> {
    fn lock_queue(&self) -> std::sync::MutexGuard<'_, (VecDeque<usize>, usize)> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn next(&self) -> Option<usize> {
        let mut q = self.lock_queue();
        let next = if self.stop.load(Ordering::Relaxed) {
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

    /// A lane's session was refused a sign-in for the login limit: the lane stops and gives its
    /// call back, unless it was the last lane, in which case the calls left fail with the error.
    fn lane_refused(&self, index: usize, hit: LoginLimitHit) {
        self.status[index].store(PENDING, Ordering::Relaxed);
        let mut q = self.lock_queue();
        q.1 -= 1;
        let error = hit.clone();
        self.login_limit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(hit);
        if q.1 > 0 {
            q.0.push_front(index);
            return;
        }
        let left: Vec<usize> = std::iter::once(index).chain(q.0.drain(..)).collect();
        drop(q);
        for i in left {
            self.jobs[i].fail(error.to_error());
            self.finished(i, false, Duration::ZERO);
        }
    }
}

/// Runs every job; returns the report. Jobs without a result afterwards (timed out, cancelled)
/// are given an error saying so.
pub(crate) async fn execute(
    jobs: &[Arc<dyn Job>],
    options: &BatchOptions,
    shared: &Arc<Shared>,
    client_session: &Session,
) -> BatchReport {
    let total = jobs.len();
    let lanes = options.max_concurrent.max(1).min(total.max(1));
    let sessions: Vec<Session> = (0..lanes)
        .map(|i| {
            if i == 0 && options.use_client_session {
                client_session.clone()
            } else {
                Session::new(shared.clone())
            }
        })
        .collect();
    let state = State {
        jobs,
        options,
        queue: Mutex::new(((0..total).collect(), lanes)),
        status: (0..total).map(|_| AtomicU8::new(PENDING)).collect(),
        stop: AtomicBool::new(false),
        completed: AtomicUsize::new(0),
        succeeded: AtomicUsize::new(0),
        durations: Mutex::new(Vec::with_capacity(total)),
        first_failure: Mutex::new(None),
        login_limit: Mutex::new(None),
        #[cfg(feature = "progress")]
        bar: options
            .progress_bar
            .then(|| indicatif::ProgressBar::new(total as u64)),
    };

    let started = Instant::now();
    let run = futures::future::join_all(sessions.iter().map(|s| lane(s, &state)));
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

    let logins = sessions.iter().map(Session::logins).sum();
    let retries = sessions.iter().map(Session::retries).sum();
    let lanes_used = sessions
        .iter()
        .filter(|s| s.logins() > 0 || s.is_active())
        .count();
    // Sign out the batch's own sessions before handing back the results.
    let own = sessions
        .iter()
        .enumerate()
        .filter(|(i, _)| !(*i == 0 && options.use_client_session));
    futures::future::join_all(own.map(|(_, s)| s.logout())).await;

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
    BatchReport::new(
        total,
        succeeded,
        elapsed,
        durations,
        lanes,
        lanes_used,
        logins,
        retries,
        login_limit_hit,
        timed_out,
        first_failure,
    )
}

async fn lane(session: &Session, state: &State<'_>) {
    while let Some(index) = state.next() {
        let job = &state.jobs[index];
        state.status[index].store(RUNNING, Ordering::Relaxed);
        let started = Instant::now();
        let outcome = match state.options.call_timeout {
            Some(limit) => match tokio::time::timeout(limit, job.run(session)).await {
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
            None => job.run(session).await,
        };
        match outcome {
            Outcome::LoginLimit(hit) => {
                state.lane_refused(index, hit);
                return;
            }
            Outcome::Success => state.finished(index, true, started.elapsed()),
            Outcome::Failure => state.finished(index, false, started.elapsed()),
        }
    }
}
