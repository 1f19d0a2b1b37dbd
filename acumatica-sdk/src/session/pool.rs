//! [`SessionPool`]: up to N separately authenticated sessions, opened lazily and all signed out
//! at the end.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::Session;
use crate::error::{Error, Result};
use crate::shared::Shared;

/// Up to `max` sessions of one client, each signed in separately on first use, handed out one
/// request at a time, and all signed out on [`close`](SessionPool::close), on drop (in the
/// background) and when a future using them is cancelled (their handles drop).
///
/// ```no_run
/// # async fn f(client: acumatica_sdk::AcumaticaClient) -> acumatica_sdk::Result<()> {
/// let pool = client.session_pool(4);
/// let session = pool.acquire().await?;   // signs in if this is a new session
/// // ... use it for one request ...
/// pool.release(session);
/// pool.close().await;                    // signs every session out
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SessionPool {
    inner: Arc<PoolInner>,
}

#[derive(Debug)]
struct PoolInner {
    shared: Arc<Shared>,
    max: usize,
    state: Mutex<PoolState>,
    available: tokio::sync::Semaphore,
}

#[derive(Debug, Default)]
struct PoolState {
    /// Signed-in sessions nobody uses, and since when.
    idle: Vec<(Session, Instant)>,
    all: Vec<Session>,
    login_limit_hit: bool,
}

/// What a pool did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Sessions opened.
    pub sessions: usize,
    /// Sign-ins made (a session signs in again after the server expired it).
    pub logins: u64,
    /// Retries made by the pool's sessions.
    pub retries: u64,
    /// Whether the server refused a sign-in for its API login limit.
    pub login_limit_hit: bool,
}

impl SessionPool {
    pub(crate) fn new(shared: Arc<Shared>, max: usize) -> Self {
        let max = max.max(1);
        SessionPool {
            inner: Arc::new(PoolInner {
                shared,
                max,
                state: Mutex::new(PoolState::default()),
                available: tokio::sync::Semaphore::new(max),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most sessions this pool opens.
    pub fn max_sessions(&self) -> usize {
        self.inner.max
    }

    /// A signed-in session for one request: an idle one, or a new one while fewer than `max`
    /// exist. Waits while all are busy. Give it back with [`release`](SessionPool::release).
    ///
    /// When the server refuses a new sign-in for its API login limit, the pool stops growing
    /// and waits for the sessions it has; with none at all, the error is returned.
    pub async fn acquire(&self) -> Result<Session> {
        loop {
            let permit = self
                .inner
                .available
                .acquire()
                .await
                .map_err(|_| Error::Config {
                    setting: "session pool".into(),
                    message: "the pool is closed".into(),
                })?;
            permit.forget();
            let candidate = {
                let mut st = self.state();
                st.idle.pop().map(|(s, _)| s).or_else(|| {
                    let s = Session::new(self.inner.shared.clone());
                    st.all.push(s.clone());
                    Some(s)
                })
            };
            let Some(session) = candidate else { continue };
            if session.is_active() {
                return Ok(session);
            }
            match session.login().await {
                Ok(()) => return Ok(session),
                Err(e @ Error::LoginLimit { .. }) => {
                    let mut st = self.state();
                    st.login_limit_hit = true;
                    st.all.retain(|s| s.id() != session.id());
                    // Sessions still signing in count too: if they fail as well, the last one reports it.
                    let others = st.all.len();
                    drop(st);
                    if others == 0 {
                        self.inner.available.add_permits(1);
                        return Err(e);
                    }
                    // This slot cannot become a session: leave its permit out, so that the pool
                    // now waits for the sessions it has.
                    tracing::debug!(
                        sessions = others,
                        "API login limit reached; continuing with the sessions there are"
                    );
                }
                Err(e) => {
                    let mut st = self.state();
                    st.all.retain(|s| s.id() != session.id());
                    drop(st);
                    self.inner.available.add_permits(1);
                    return Err(e);
                }
            }
        }
    }

    /// Gives a session back for the next request.
    pub fn release(&self, session: Session) {
        self.state().idle.push((session, Instant::now()));
        self.inner.available.add_permits(1);
    }

    /// A session for a batch lane: the most recently used idle one (signed in), or a new one
    /// that signs in on its first request. Batches bound their own concurrency. Given back
    /// with [`Lease::give_back`], or when the lease is dropped.
    pub(crate) fn checkout(&self) -> Lease {
        let session = {
            let mut st = self.state();
            match st.idle.pop() {
                Some((s, _)) => s,
                None => {
                    let s = Session::new(self.inner.shared.clone());
                    st.all.push(s.clone());
                    s
                }
            }
        };
        Lease {
            pool: self.clone(),
            logins: session.logins(),
            retries: session.retries(),
            failed_logouts: session.failed_logouts(),
            session,
            given_back: false,
        }
    }

    /// [`checkin`](Self::checkin) without waiting: a session to keep goes back to the idle
    /// list; any other leaves the pool, and signs out in the background when its last handle
    /// goes.
    fn checkin_now(&self, session: Session) {
        match self.inner.shared.config.keep_sessions_idle {
            Some(idle) if session.is_active() => {
                self.state().idle.push((session, Instant::now()));
                self.schedule_reap(idle);
            }
            _ => self.state().all.retain(|s| s.id() != session.id()),
        }
    }

    fn schedule_reap(&self, idle: Duration) {
        let pool = Arc::downgrade(&self.inner);
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                tokio::time::sleep(idle).await;
                reap(pool, idle).await;
            });
        }
    }

    /// A batch lane is done with `session`: kept signed in for the next batch while the
    /// client's [`keep_sessions_idle`](crate::ClientBuilder::keep_sessions_idle) time lasts
    /// (then signed out), or signed out now.
    async fn checkin(&self, session: Session) {
        let keep = self.inner.shared.config.keep_sessions_idle;
        match keep {
            Some(idle) if session.is_active() => {
                self.state().idle.push((session, Instant::now()));
                self.schedule_reap(idle);
            }
            _ => {
                self.state().all.retain(|s| s.id() != session.id());
                let _ = session.logout().await;
            }
        }
    }

    /// Signs out the idle sessions (the pool stays open; new ones sign in when needed).
    pub(crate) async fn sign_out_idle(&self) -> Result<()> {
        let idle: Vec<Session> = {
            let mut st = self.state();
            let idle: Vec<Session> = st.idle.drain(..).map(|(s, _)| s).collect();
            st.all.retain(|s| !idle.iter().any(|i| i.id() == s.id()));
            idle
        };
        let results = futures::future::join_all(idle.iter().map(Session::logout)).await;
        results.into_iter().collect::<Result<Vec<()>>>().map(|_| ())
    }

    /// What the pool did so far.
    pub fn stats(&self) -> PoolStats {
        let st = self.state();
        PoolStats {
            sessions: st.all.len(),
            logins: st.all.iter().map(Session::logins).sum(),
            retries: st.all.iter().map(Session::retries).sum(),
            login_limit_hit: st.login_limit_hit,
        }
    }

    /// Signs out every session and closes the pool. The first sign-out error, if any, is returned
    /// after all were tried.
    pub async fn close(&self) -> Result<()> {
        self.inner.available.close();
        let sessions: Vec<Session> = {
            let mut st = self.state();
            st.idle.clear();
            std::mem::take(&mut st.all)
        };
        let results = futures::future::join_all(sessions.iter().map(Session::logout)).await;
        results.into_iter().collect::<Result<Vec<()>>>().map(|_| ())
    }
}

/// A session a batch lane took from a [`SessionPool`], with its counters when it was taken.
#[derive(Debug)]
pub(crate) struct Lease {
    pool: SessionPool,
    session: Session,
    given_back: bool,
    logins: u64,
    retries: u64,
    failed_logouts: u64,
}

/// What a session did while it was leased.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LeaseStats {
    pub(crate) logins: u64,
    pub(crate) retries: u64,
    pub(crate) failed_logouts: u64,
    /// Whether it signed in or was signed in (so it ran calls).
    pub(crate) used: bool,
}

impl Lease {
    /// The leased session.
    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// Gives the session back (kept idle or signed out, waiting for the sign-out), and tells
    /// what it did meanwhile.
    pub(crate) async fn give_back(mut self) -> LeaseStats {
        self.given_back = true;
        let session = self.session.clone();
        let used = session.is_active() || session.logins() > self.logins;
        let (logins, retries) = (
            session.logins() - self.logins,
            session.retries() - self.retries,
        );
        self.pool.checkin(session.clone()).await;
        LeaseStats {
            logins,
            retries,
            failed_logouts: session.failed_logouts() - self.failed_logouts,
            used,
        }
    }
}

impl Drop for Lease {
    /// A lease dropped with its batch (a cancelled future) gives its session back at once.
    fn drop(&mut self) {
        if !self.given_back {
            self.pool.checkin_now(self.session.clone());
        }
    }
}

/// Signs out the sessions idle for `idle` or longer (run `idle` after each check-in).
async fn reap(pool: Weak<PoolInner>, idle: Duration) {
    let Some(pool) = pool.upgrade() else { return };
    let expired: Vec<Session> = {
        let mut st = pool.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let (old, fresh): (Vec<_>, Vec<_>) = std::mem::take(&mut st.idle)
            .into_iter()
            .partition(|(_, since)| now.duration_since(*since) >= idle);
        st.idle = fresh;
        let old: Vec<Session> = old.into_iter().map(|(s, _)| s).collect();
        st.all.retain(|s| !old.iter().any(|o| o.id() == s.id()));
        old
    };
    drop(pool);
    for s in expired {
        tracing::debug!(session = s.id(), ?idle, "idle session signed out");
        let _ = s.logout().await;
    }
}
