//! Sessions (cookie and OAuth), their idle expiry, and the API Login Limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use uuid::Uuid;

/// One signed-in session.
#[derive(Debug)]
pub(crate) struct Session {
    /// `ASP.NET_SessionId` (24 characters, as on IIS).
    pub(crate) id: String,
    /// `.ASPXAUTH` (upper-case hex).
    pub(crate) auth: String,
    pub(crate) tenant: String,
    /// Held while one request of the session executes: tokio's mutex queues waiters in FIFO
    /// order, like ASP.NET's session-state lock.
    pub(crate) lock: Arc<tokio::sync::Mutex<()>>,
    last_seen: Mutex<Instant>,
    pub(crate) in_flight: AtomicUsize,
    pub(crate) executing: AtomicUsize,
    /// The long-running operation that owns the session, if any.
    pub(crate) busy: Mutex<Option<Uuid>>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    pub(crate) fn touch(&self) {
        *guard(&self.last_seen) = Instant::now();
    }

    fn idle(&self) -> Duration {
        guard(&self.last_seen).elapsed()
    }

    /// The running long operation, if any.
    pub(crate) fn busy_with(&self) -> Option<Uuid> {
        *guard(&self.busy)
    }

    pub(crate) fn set_busy(&self, op: Option<Uuid>) {
        *guard(&self.busy) = op;
    }
}

/// Why a session could not be found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Missing {
    /// No such session (never existed or signed out).
    Unknown,
    /// It existed and idled out just now.
    Expired,
}

/// Every open session.
#[derive(Debug)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Arc<Session>>>,
    timeout: Duration,
    max: Mutex<Option<usize>>,
}

fn random_text(len: usize, upper_hex: bool) -> String {
    let mut rng = rand::rng();
    if upper_hex {
        (0..len)
            .map(|_| char::from(b"0123456789ABCDEF"[rng.random_range(0..16)]))
            .collect()
    } else {
        (0..len)
            .map(|_| char::from(rng.sample(Alphanumeric)).to_ascii_lowercase())
            .collect()
    }
}

impl Sessions {
    pub(crate) fn new(timeout: Duration, max: Option<usize>) -> Self {
        Sessions {
            map: Mutex::new(HashMap::new()),
            timeout,
            max: Mutex::new(max),
        }
    }

    pub(crate) fn set_max(&self, max: Option<usize>) {
        *guard(&self.max) = max;
    }

    /// Removes idle sessions; returns how many.
    pub(crate) fn sweep(&self) -> usize {
        let mut map = guard(&self.map);
        let before = map.len();
        map.retain(|_, s| s.idle() <= self.timeout || s.in_flight.load(Ordering::Relaxed) > 0);
        before - map.len()
    }

    /// Opens a session unless the API Login Limit is reached (`Err(())`).
    pub(crate) fn open(&self, tenant: &str) -> Result<Arc<Session>, ()> {
        let max = *guard(&self.max);
        let mut map = guard(&self.map);
        if max.is_some_and(|max| map.len() >= max) {
            return Err(());
        }
        let session = Arc::new(Session {
            id: random_text(24, false),
            auth: random_text(360, true),
            tenant: tenant.to_owned(),
            lock: Arc::new(tokio::sync::Mutex::new(())),
            last_seen: Mutex::new(Instant::now()),
            in_flight: AtomicUsize::new(0),
            executing: AtomicUsize::new(0),
            busy: Mutex::new(None),
        });
        map.insert(session.id.clone(), session.clone());
        Ok(session)
    }

    /// A session by its `ASP.NET_SessionId`, checking `.ASPXAUTH` when given.
    pub(crate) fn find(&self, id: &str, auth: Option<&str>) -> Result<Arc<Session>, Missing> {
        let mut map = guard(&self.map);
        let session = map.get(id).cloned().ok_or(Missing::Unknown)?;
        if auth.is_some_and(|a| a != session.auth) {
            return Err(Missing::Unknown);
        }
        if session.idle() > self.timeout && session.in_flight.load(Ordering::Relaxed) == 0 {
            map.remove(id);
            return Err(Missing::Expired);
        }
        Ok(session)
    }

    /// Whether the session is still open.
    pub(crate) fn alive(&self, id: &str) -> bool {
        self.find(id, None).is_ok()
    }

    /// Closes a session; whether it was open.
    pub(crate) fn close(&self, id: &str) -> bool {
        guard(&self.map).remove(id).is_some()
    }

    /// Closes every session as if it had idled out; returns how many.
    pub(crate) fn expire_all(&self) -> usize {
        let mut map = guard(&self.map);
        let n = map.len();
        map.clear();
        n
    }

    pub(crate) fn count(&self) -> usize {
        guard(&self.map).len()
    }
}
