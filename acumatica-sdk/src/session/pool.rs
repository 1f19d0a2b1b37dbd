//! [`SessionPool`]: up to N separately authenticated sessions, opened lazily and all signed out
//! at the end.

use std::sync::{Arc, Mutex};

use super::Session;
use crate::client::Shared;
use crate::error::{Error, Result};

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
    idle: Vec<Session>,
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
                st.idle.pop().or_else(|| {
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
        self.state().idle.push(session);
        self.inner.available.add_permits(1);
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
