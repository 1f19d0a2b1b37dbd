//! Sessions: one authenticated conversation with the tenant (a cookie session or an OAuth
//! grant), which signs in on first use, signs in again once when the server has expired it, and
//! signs out when asked or when its last handle goes away.
//!
//! A tenant serves the requests of one session one at a time (ASP.NET session locking), so
//! parallel work needs several sessions: see [`SessionPool`].
//!
//! # What is guaranteed about signing out
//!
//! A session that signed in is signed out exactly once more, whichever way it ends:
//!
//! - [`Session::logout`] (and `AcumaticaClient::logout`) sends the sign-out and retries it with
//!   backoff (8 attempts over about 2 s, each at most 10 s) until the server confirms it, or answers 401 (the
//!   session had already ended). If the caller stops waiting (a `select!`, a timeout, a dropped
//!   batch), the sign-out goes on in the background: the credentials are kept until it is done.
//! - The last handle of a signed-in session dropped inside a running tokio runtime signs it out
//!   in a background task.
//! - If that runtime shuts down before the task is done (the end of `#[tokio::main]`), or the
//!   handle is dropped outside any runtime, the sign-out runs on a helper thread of its own and
//!   the dropping thread waits for it at most
//!   [`drop_logout_timeout`](crate::ClientBuilder::drop_logout_timeout) (5 s by default).
//! - A sign-out that fails after every retry is logged at WARN and counted
//!   ([`ClientStats::failed_logouts`](crate::client::ClientStats),
//!   [`BatchReport::failed_logouts`](crate::batch::BatchReport)): that session stays open on
//!   the server until its idle timeout.
//!
//! Not covered: a process that ends without running destructors (`std::process::exit`, an
//! abort, a kill), and a sign-in cut off by a runtime shutdown while its request is in flight
//! (the server may then have opened a session whose cookie never arrived).

mod cookies;
mod pool;
mod send;
mod sign_in;
mod sign_out;
mod token;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue};
use tracing::Instrument;

pub(crate) use pool::{Lease, LeaseStats};
pub use pool::{PoolStats, SessionPool};

use crate::config::Auth;
use crate::error::{Error, RequestInfo, Result};
use crate::oauth::Token;
use crate::shared::Shared;
use cookies::CookieJar;
use sign_out::SignOut;

/// One authenticated session. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Session {
    inner: Arc<SessionInner>,
}

struct SessionInner {
    shared: Arc<Shared>,
    id: u64,
    state: Mutex<AuthState>,
    /// Serialises sign-ins and sign-outs, so that concurrent requests after an expiry sign in
    /// once, and a request after `logout` waits for the sign-out before signing in again.
    login_lock: tokio::sync::Mutex<()>,
    logins: AtomicU64,
    retries: AtomicU64,
    failed_logouts: AtomicU64,
}

#[derive(Default)]
struct AuthState {
    /// Incremented at every sign-in; a 401 for an older generation needs no new sign-in.
    generation: u64,
    cookies: CookieJar,
    token: Option<Token>,
    /// Signed in (cookies or a token are live on the server).
    active: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("Session")
            .field("id", &self.inner.id)
            .field("active", &state.active)
            .field("cookies", &state.cookies)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Session {
            inner: Arc::new(SessionInner {
                shared,
                id: NEXT.fetch_add(1, Ordering::Relaxed),
                state: Mutex::new(AuthState::default()),
                login_lock: tokio::sync::Mutex::new(()),
                logins: AtomicU64::new(0),
                retries: AtomicU64::new(0),
                failed_logouts: AtomicU64::new(0),
            }),
        }
    }

    /// A process-unique number, shown in logs.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Whether the session is signed in.
    pub fn is_active(&self) -> bool {
        self.state().active
    }

    /// Sign-ins this session made.
    pub fn logins(&self) -> u64 {
        self.inner.logins.load(Ordering::Relaxed)
    }

    /// Retries this session made (of requests and of sign-ins).
    pub fn retries(&self) -> u64 {
        self.inner.retries.load(Ordering::Relaxed)
    }

    /// Sign-outs of this session that failed after every retry.
    pub fn failed_logouts(&self) -> u64 {
        self.inner.failed_logouts.load(Ordering::Relaxed)
    }

    fn state(&self) -> MutexGuard<'_, AuthState> {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs in now (requests sign in by themselves; this surfaces credential errors early).
    pub async fn login(&self) -> Result<()> {
        self.ensure_auth().await.map(|_| ())
    }

    /// Signs out, retrying until the server confirms it (see the [module docs](self) for what
    /// is guaranteed). Idempotent; a session that is not signed in does nothing. A request made
    /// afterwards signs in again.
    ///
    /// The sign-out runs as a task of its own: if this future is dropped, it still completes.
    pub async fn logout(&self) -> Result<()> {
        let this = self.clone();
        // If the runtime shuts down meanwhile, the sign-out finishes on a helper thread.
        to_the_end(async move { this.sign_out().await }, || {
            (sign_out::request_info(), false)
        })
        .await
    }

    async fn sign_out(&self) -> Result<()> {
        let _guard = self.inner.login_lock.lock().await;
        let Some(pending) = self.take_sign_out() else {
            return Ok(());
        };
        let result = pending.run().await;
        if result.is_err() {
            self.inner.failed_logouts.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    /// The credentials to sign out with, moved out of the session (which is then signed out as
    /// far as requests are concerned) into a [`SignOut`] that sends them to the end.
    fn take_sign_out(&self) -> Option<SignOut> {
        let mut st = self.state();
        if !st.active {
            return None;
        }
        st.active = false;
        let cookie = st.cookies.header();
        st.cookies.clear();
        let bearer = st.token.take().map(|t| t.access);
        Some(SignOut::new(
            self.inner.shared.clone(),
            self.inner.id,
            cookie,
            bearer,
        ))
    }

    /// Makes sure the session is signed in; returns the sign-in generation.
    async fn ensure_auth(&self) -> Result<u64> {
        if let Some(generation) = self.signed_in() {
            return Ok(generation);
        }
        // The sign-in runs as a task of its own, to its end even if the caller is cancelled: a
        // sign-in the server accepted is then recorded, and signed out with the session, instead
        // of holding one of the license's API sessions until the server's idle timeout.
        let this = self.clone();
        let path = match &self.inner.shared.config.auth {
            Auth::Session(_) => "/entity/auth/login",
            Auth::OAuth(_) => "/identity/connect/token",
        };
        to_the_end(async move { this.sign_in().await }, || {
            let request = RequestInfo {
                method: reqwest::Method::POST,
                path: path.into(),
            };
            (request, true)
        })
        .await
    }

    /// The sign-in generation, if the session is signed in (with a token that is still fresh).
    fn signed_in(&self) -> Option<u64> {
        let st = self.state();
        let fresh = st
            .token
            .as_ref()
            .is_none_or(|t| t.is_fresh(Duration::from_secs(30)));
        (st.active && fresh).then_some(st.generation)
    }

    /// Signs in, once for all the callers that found the session signed out.
    async fn sign_in(&self) -> Result<u64> {
        let _guard = self.inner.login_lock.lock().await;
        if let Some(generation) = self.signed_in() {
            return Ok(generation);
        }
        match &self.inner.shared.config.auth {
            Auth::Session(creds) => self.cookie_login(creds).await,
            Auth::OAuth(cfg) => self.oauth_login(cfg).await,
        }
    }

    /// Forgets the sign-in of `generation` after the server answered 401 to it.
    fn invalidate(&self, generation: u64) {
        let mut st = self.state();
        if st.generation == generation {
            st.active = false;
            st.cookies.clear();
            if let Some(t) = st.token.as_mut() {
                // The refresh token may still be good; the access token is not.
                t.expires_at = std::time::Instant::now();
            }
        }
    }

    /// The authentication headers of a request (at most a cookie and a bearer token).
    fn auth_headers(&self) -> impl Iterator<Item = (reqwest::header::HeaderName, HeaderValue)> {
        let st = self.state();
        let cookie = st.cookies.header().map(|c| (COOKIE, c));
        let bearer = st
            .token
            .as_ref()
            .and_then(|t| sign_out::bearer(&t.access))
            .map(|v| (AUTHORIZATION, v));
        cookie.into_iter().chain(bearer)
    }

    fn absorb_cookies(&self, headers: &reqwest::header::HeaderMap) {
        let mut st = self.state();
        if st.active {
            st.cookies.absorb(headers);
        }
    }
}

/// Runs `work` as a task of its own, so that it runs to its end even if the caller stops
/// waiting. A panic in it goes on unwinding in the caller, as it would have without a task; if
/// the runtime shuts down first, the call is [`Error::Cancelled`] with the request and
/// "may have been applied" that `cancelled` gives.
async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = Result<T>> + Send + 'static,
    cancelled: impl FnOnce() -> (RequestInfo, bool),
) -> Result<T> {
    match tokio::spawn(work.in_current_span()).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => {
            let (request, may_have_been_applied) = cancelled();
            Err(Error::Cancelled {
                request,
                may_have_been_applied,
            })
        }
    }
}

impl Drop for SessionInner {
    /// A session dropped while signed in is signed out: in a background task of the current
    /// runtime, or on a helper thread when there is none (see the module docs).
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if !st.active {
            return;
        }
        st.active = false;
        let pending = SignOut::new(
            self.shared.clone(),
            self.id,
            st.cookies.header(),
            st.token.take().map(|t| t.access),
        );
        pending.finish_detached();
    }
}
