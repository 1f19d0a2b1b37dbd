//! Counters the emulator keeps so tests can assert on what a client did.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

/// A snapshot of the emulator's counters (`Emulator::metrics`, `GET /emulator/metrics`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// Successful sign-ins (cookie logins and OAuth grants that opened a session).
    pub logins: u64,
    /// Sign-ins refused for bad credentials or an unknown tenant.
    pub failed_logins: u64,
    /// Sign-ins and token requests refused by the API Login Limit.
    pub login_limit_rejections: u64,
    /// Sessions closed by `POST /entity/auth/logout`.
    pub logouts: u64,
    /// Sessions open now (cookie and OAuth).
    pub active_sessions: usize,
    /// Most sessions open at once.
    pub peak_sessions: usize,
    /// Sessions dropped for idleness (or by `Emulator::expire_sessions`).
    pub expired_sessions: u64,
    /// Every HTTP request received.
    pub requests_total: u64,
    /// Responses by status code.
    pub requests_by_status: BTreeMap<u16, u64>,
    /// Most requests of one session received and not yet answered at once.
    pub peak_in_flight_per_session: usize,
    /// Most requests of one session executing at once (1 while sessions are serialized).
    pub peak_executing_per_session: usize,
    /// Most requests being handled at once, over all sessions.
    pub peak_concurrent_requests: usize,
    /// Requests declined with 429 by the license pipeline.
    pub rate_limited: u64,
    /// Faults injected.
    pub faults_injected: u64,
    /// Applied writes per record, `"Entity/<id>"` → count (PUT, PATCH, DELETE, action effects).
    pub writes: BTreeMap<String, u64>,
    /// Actions invoked (quick and long-running).
    pub actions_started: u64,
}

/// The live counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) logins: AtomicU64,
    pub(crate) failed_logins: AtomicU64,
    pub(crate) login_limit_rejections: AtomicU64,
    pub(crate) logouts: AtomicU64,
    pub(crate) peak_sessions: AtomicUsize,
    pub(crate) expired_sessions: AtomicU64,
    pub(crate) requests_total: AtomicU64,
    pub(crate) peak_in_flight_per_session: AtomicUsize,
    pub(crate) peak_executing_per_session: AtomicUsize,
    pub(crate) concurrent: AtomicUsize,
    pub(crate) peak_concurrent_requests: AtomicUsize,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) faults_injected: AtomicU64,
    pub(crate) actions_started: AtomicU64,
    by_status: Mutex<BTreeMap<u16, u64>>,
    writes: Mutex<BTreeMap<String, u64>>,
}

/// Adds one.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Raises a peak to `value` if it is higher.
pub(crate) fn peak(counter: &AtomicUsize, value: usize) {
    counter.fetch_max(value, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn status(&self, status: u16) {
        *self
            .by_status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(status)
            .or_insert(0) += 1;
    }

    pub(crate) fn write(&self, entity: &str, id: uuid::Uuid) {
        *self
            .writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(format!("{entity}/{id}"))
            .or_insert(0) += 1;
    }

    pub(crate) fn snapshot(&self, active_sessions: usize) -> Metrics {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let getu = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        Metrics {
            logins: get(&self.logins),
            failed_logins: get(&self.failed_logins),
            login_limit_rejections: get(&self.login_limit_rejections),
            logouts: get(&self.logouts),
            active_sessions,
            peak_sessions: getu(&self.peak_sessions).max(active_sessions),
            expired_sessions: get(&self.expired_sessions),
            requests_total: get(&self.requests_total),
            requests_by_status: self
                .by_status
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            peak_in_flight_per_session: getu(&self.peak_in_flight_per_session),
            peak_executing_per_session: getu(&self.peak_executing_per_session),
            peak_concurrent_requests: getu(&self.peak_concurrent_requests),
            rate_limited: get(&self.rate_limited),
            faults_injected: get(&self.faults_injected),
            writes: self
                .writes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            actions_started: get(&self.actions_started),
        }
    }

    /// Zeroes every counter; peaks restart from what is current now.
    pub(crate) fn reset(&self, active_sessions: usize) {
        for c in [
            &self.logins,
            &self.failed_logins,
            &self.login_limit_rejections,
            &self.logouts,
            &self.expired_sessions,
            &self.requests_total,
            &self.rate_limited,
            &self.faults_injected,
            &self.actions_started,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        self.peak_sessions.store(active_sessions, Ordering::Relaxed);
        self.peak_in_flight_per_session.store(0, Ordering::Relaxed);
        self.peak_executing_per_session.store(0, Ordering::Relaxed);
        self.peak_concurrent_requests
            .store(self.concurrent.load(Ordering::Relaxed), Ordering::Relaxed);
        self.by_status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
