//! Sessions: one authenticated conversation with the tenant (a cookie session or an OAuth
//! grant), which signs in on first use, signs in again once when the server has expired it, and
//! signs out when asked or when its last handle goes away.
//!
//! A tenant serves the requests of one session one at a time (ASP.NET session locking), so
//! parallel work needs several sessions: see [`SessionPool`].

mod cookies;
mod pool;
mod send;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue};
use tracing::Instrument;

pub use pool::{PoolStats, SessionPool};

use crate::client::Shared;
use crate::client::config::Auth;
use crate::error::{Error, RequestInfo, Result};
use crate::http::error_for;
use crate::oauth::{self, Token};
use cookies::CookieJar;

/// One authenticated session. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Session {
    inner: Arc<SessionInner>,
}

struct SessionInner {
    shared: Arc<Shared>,
    id: u64,
    state: Mutex<AuthState>,
    /// Serialises sign-ins, so that concurrent requests after an expiry sign in once.
    login_lock: tokio::sync::Mutex<()>,
    logins: AtomicU64,
    retries: AtomicU64,
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

    /// Retries this session made.
    pub fn retries(&self) -> u64 {
        self.inner.retries.load(Ordering::Relaxed)
    }

    fn state(&self) -> MutexGuard<'_, AuthState> {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs in now (requests sign in by themselves; this surfaces credential errors early).
    pub async fn login(&self) -> Result<()> {
        self.ensure_auth().await.map(|_| ())
    }

    /// Signs out. Idempotent; a session that is not signed in does nothing.
    pub async fn logout(&self) -> Result<()> {
        let _guard = self.inner.login_lock.lock().await;
        let (cookie, bearer) = {
            let mut st = self.state();
            if !st.active {
                return Ok(());
            }
            st.active = false;
            let cookie = st.cookies.header();
            st.cookies.clear();
            let bearer = st.token.take().map(|t| t.access);
            (cookie, bearer)
        };
        logout_request(
            &self.inner.shared,
            cookie,
            bearer.map(|b| b.expose().to_owned()),
        )
        .await
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
        let sign_in = tokio::spawn(async move { this.sign_in().await }.in_current_span());
        match sign_in.await {
            Ok(result) => result,
            // A panic inside the sign-in goes on unwinding here, as it would have without a task.
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only when the runtime shuts down.
            Err(_) => Err(Error::Cancelled {
                request: RequestInfo {
                    method: reqwest::Method::POST,
                    path: match &self.inner.shared.config.auth {
                        Auth::Session(_) => "/entity/auth/login".into(),
                        Auth::OAuth(_) => "/identity/connect/token".into(),
                    },
                },
                may_have_been_applied: true,
            }),
        }
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

    async fn cookie_login(&self, creds: &crate::client::Credentials) -> Result<u64> {
        // Instrumented, not entered: a guard held across `.await` would leave the span entered
        // on the thread while this future waits, and swallow other tasks' events.
        let span = tracing::debug_span!("acumatica.login", session = self.inner.id);
        self.cookie_login_in_span(creds).instrument(span).await
    }

    async fn cookie_login_in_span(&self, creds: &crate::client::Credentials) -> Result<u64> {
        let shared = &self.inner.shared;
        let mut body =
            serde_json::json!({ "name": creds.username, "password": creds.password.expose() });
        for (k, v) in [
            ("tenant", &creds.tenant),
            ("branch", &creds.branch),
            ("locale", &creds.locale),
        ] {
            if let Some(v) = v {
                body[k] = v.clone().into();
            }
        }
        let request = RequestInfo {
            method: reqwest::Method::POST,
            path: "/entity/auth/login".into(),
        };
        let url = shared.config.url("/entity/auth/login")?;
        let resp = crate::http::exchange(shared.http.post(url).json(&body), request, false).await?;
        if !(200..300).contains(&resp.status) {
            tracing::debug!(status = resp.status, "sign-in refused");
            return Err(error_for(&resp, true));
        }
        self.inner.logins.fetch_add(1, Ordering::Relaxed);
        let mut st = self.state();
        st.cookies.clear();
        st.cookies.absorb(&resp.headers);
        st.active = true;
        st.generation += 1;
        tracing::debug!(status = resp.status, "signed in");
        Ok(st.generation)
    }

    async fn oauth_login(&self, cfg: &oauth::OAuthConfig) -> Result<u64> {
        let shared = &self.inner.shared;
        let url = shared.config.url("/identity/connect/token")?;
        let path = "/identity/connect/token".to_owned();
        let refresh = self
            .state()
            .token
            .as_ref()
            .and_then(|t| t.refresh.clone())
            .or_else(|| shared.shared_refresh_token());
        let token = match refresh {
            Some(r) => match oauth::request_token(
                &shared.http,
                url.clone(),
                &oauth::refresh_form(cfg, &r),
                path.clone(),
            )
            .await
            {
                Ok(t) => t,
                // An expired refresh chain: start over with the grant, if it can be used again.
                Err(Error::Authentication { .. })
                    if matches!(cfg.grant, oauth::OAuthGrant::Password { .. }) =>
                {
                    oauth::request_token(&shared.http, url, &oauth::initial_form(cfg), path).await?
                }
                Err(e) => return Err(e),
            },
            None => {
                if matches!(cfg.grant, oauth::OAuthGrant::AuthorizationCode { .. })
                    && shared.code_used()
                {
                    return Err(Error::Config {
                        setting: "oauth".into(),
                        message: "the authorization code was already exchanged and no refresh token is left; obtain a new code".into(),
                    });
                }
                oauth::request_token(&shared.http, url, &oauth::initial_form(cfg), path).await?
            }
        };
        shared.set_shared_refresh_token(cfg, token.refresh.clone());
        self.inner.logins.fetch_add(1, Ordering::Relaxed);
        let mut st = self.state();
        st.token = Some(token);
        st.active = true;
        st.generation += 1;
        Ok(st.generation)
    }

    /// The authentication headers of a request.
    fn auth_headers(&self) -> Vec<(reqwest::header::HeaderName, HeaderValue)> {
        let st = self.state();
        let mut out = Vec::new();
        if let Some(c) = st.cookies.header() {
            out.push((COOKIE, c));
        }
        if let Some(t) = &st.token
            && let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {}", t.access.expose()))
        {
            v.set_sensitive(true);
            out.push((AUTHORIZATION, v));
        }
        out
    }

    fn absorb_cookies(&self, headers: &reqwest::header::HeaderMap) {
        let mut st = self.state();
        if st.active {
            st.cookies.absorb(headers);
        }
    }
}

/// `POST /entity/auth/logout` with `Content-Length: 0` (IIS answers 411 without it).
async fn logout_request(
    shared: &Shared,
    cookie: Option<HeaderValue>,
    bearer: Option<String>,
) -> Result<()> {
    let request = RequestInfo {
        method: reqwest::Method::POST,
        path: "/entity/auth/logout".into(),
    };
    let mut req = shared
        .http
        .post(shared.config.url("/entity/auth/logout")?)
        .body(Vec::<u8>::new());
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let resp = crate::http::exchange(req, request, true).await?;
    // 401: the server had already ended the session.
    if (200..300).contains(&resp.status) || resp.status == 401 {
        return Ok(());
    }
    Err(error_for(&resp, false))
}

impl Drop for SessionInner {
    /// Best effort: a session dropped while signed in is signed out in the background, so that it
    /// does not hold one of the license's API sessions until the server's idle timeout.
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if !st.active {
            return;
        }
        let (cookie, bearer) = (
            st.cookies.header(),
            st.token.take().map(|t| t.access.expose().to_owned()),
        );
        st.active = false;
        let shared = self.shared.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = logout_request(&shared, cookie, bearer).await;
            });
        }
    }
}
