//! [`SignOut`]: the credentials of a session being signed out, which are sent until the server
//! confirms, however the caller, the session or the runtime ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::header::{COOKIE, HeaderValue};

use crate::error::{Error, RequestInfo, Result};
use crate::http::{BodyLimit, backoff, error_for, exchange};
use crate::secret::Secret;
use crate::shared::{Counters, Shared};

/// Attempts of one sign-out (over about 2 s of backoff), and the time limit of each. Generous:
/// a sign-out skips the license queue, and one given up holds a seat until the idle timeout.
const ATTEMPTS: u32 = 8;
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn request_info() -> RequestInfo {
    RequestInfo {
        method: reqwest::Method::POST,
        path: "/entity/auth/logout".into(),
    }
}

/// `Authorization: Bearer …`, marked sensitive (kept out of reqwest's and hyper's debug output).
pub(super) fn bearer(token: &Secret) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
    v.set_sensitive(true);
    Some(v)
}

/// A sign-out to be sent. Sent by [`run`](SignOut::run); if it is dropped before it has run to
/// its end (its task was cancelled by a runtime shutting down), `Drop` sends it from a helper
/// thread, so the credentials are never forgotten before the server has answered.
pub(super) struct SignOut {
    shared: Arc<Shared>,
    session: u64,
    cookie: Option<HeaderValue>,
    bearer: Option<Secret>,
    done: bool,
}

impl SignOut {
    pub(super) fn new(
        shared: Arc<Shared>,
        session: u64,
        cookie: Option<HeaderValue>,
        bearer: Option<Secret>,
    ) -> Self {
        SignOut {
            shared,
            session,
            cookie,
            bearer,
            done: false,
        }
    }

    /// Sends the sign-out in a background task of the current runtime, or, outside any runtime,
    /// on a helper thread now.
    pub(super) fn finish_detached(self) {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                // If the runtime is shutting down, the task is dropped unrun and `Drop` takes over.
                handle.spawn(async move {
                    let _ = self.run().await;
                });
            }
            Err(_) => drop(self),
        }
    }

    /// Sends the sign-out with the client's connection pool, retrying.
    pub(super) async fn run(mut self) -> Result<()> {
        let http = self.shared.http.clone();
        let result = self.send(&http, ATTEMPTS, ATTEMPT_TIMEOUT).await;
        self.done = true;
        result
    }

    /// Up to `attempts` sign-outs with backoff; `Ok` once the server confirms (2xx) or says
    /// the session is gone already (401). Counted in the client's stats either way.
    async fn send(&self, http: &reqwest::Client, attempts: u32, timeout: Duration) -> Result<()> {
        let shared = &self.shared;
        let mut attempt = 0;
        let error = loop {
            attempt += 1;
            let error = match self.once(http, timeout).await {
                Ok(()) => {
                    Counters::bump(&shared.stats.logouts);
                    tracing::debug!(session = self.session, "signed out");
                    return Ok(());
                }
                Err(e) => e,
            };
            if attempt >= attempts || matches!(error, Error::Redirected { .. }) {
                break error;
            }
            let wait = backoff(
                Duration::from_millis(50),
                Duration::from_millis(500),
                attempt,
            );
            tracing::debug!(session = self.session, error = %error, ?wait, "sign-out failed; retrying");
            tokio::time::sleep(wait).await;
        };
        shared.stats.failed_logouts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            session = self.session,
            attempts = attempt,
            error = %error,
            "sign-out failed: the session stays open on the server until its idle timeout"
        );
        Err(error)
    }

    /// `POST /entity/auth/logout` with `Content-Length: 0` (IIS answers 411 without it).
    async fn once(&self, http: &reqwest::Client, timeout: Duration) -> Result<()> {
        let config = &self.shared.config;
        let mut req = http
            .post(config.url("/entity/auth/logout")?)
            .timeout(timeout.min(config.timeout))
            .body(Vec::<u8>::new());
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c.clone());
        }
        if let Some(v) = self.bearer.as_ref().and_then(bearer) {
            req = req.header(reqwest::header::AUTHORIZATION, v);
        }
        let resp = exchange(config, req, request_info(), false, BodyLimit::Response).await?;
        // 401: the server had already ended the session.
        if (200..300).contains(&resp.status) || resp.status == 401 {
            return Ok(());
        }
        Err(error_for(&resp, false))
    }

    /// The sign-out on a thread of its own, with its own runtime and connection (the client's
    /// pool may belong to a runtime that is gone); the calling thread waits at most the
    /// configured time.
    fn send_blocking(&mut self) {
        self.done = true;
        let limit = self.shared.config.drop_logout_timeout;
        let this = SignOut {
            shared: self.shared.clone(),
            session: self.session,
            cookie: self.cookie.take(),
            bearer: self.bearer.take(),
            done: true,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("acumatica-sign-out".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                let http = crate::shared::http_client(&this.shared.config);
                if let (Ok(runtime), Ok(http)) = (runtime, http) {
                    // The timer is made inside the runtime: it needs its time driver.
                    // Two attempts, each with half the time: the process is probably ending.
                    let sent = runtime.block_on(async {
                        tokio::time::timeout(limit, this.send(&http, 2, limit / 2)).await
                    });
                    if sent.is_err() {
                        this.shared.stats.failed_logouts.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(
                            session = this.session,
                            ?limit,
                            "sign-out on drop did not finish in time: the session stays open on the server until its idle timeout"
                        );
                    }
                }
                let _ = tx.send(());
            });
        if spawned.is_ok() {
            // A little longer than the helper's own limit, for its set-up.
            let _ = rx.recv_timeout(limit + Duration::from_millis(500));
        }
    }
}

impl Drop for SignOut {
    fn drop(&mut self) {
        if !self.done {
            self.send_blocking();
        }
    }
}
