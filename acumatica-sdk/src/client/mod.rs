//! [`AcumaticaClient`]: configuration, the client's own session, and what every session shares.

mod env;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use crate::config::{Auth, ClientConfig, Credentials, Secret};
use crate::shared::Shared;

use crate::entity::Endpoint;
use crate::error::{Error, Result};
use crate::http::RetryPolicy;
use crate::oauth::OAuthConfig;
use crate::session::{Session, SessionPool};

/// What a client and every session it made (its own, its pools', its batches') did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// Sign-ins the server accepted.
    pub logins: u64,
    /// Sign-outs the server confirmed (or answered 401: the session had already ended).
    pub logouts: u64,
    /// Sign-outs that failed after every retry: each may have left a session open on the
    /// server until its idle timeout (also logged at WARN).
    pub failed_logouts: u64,
    /// Requests sent again after a transient failure.
    pub retries: u64,
    /// Retries not made because the retry budget was empty.
    pub retries_refused: u64,
}

/// A client of one Acumatica instance. Cheap to clone (clones share the session and the
/// connection pool) and safe to share across tasks.
///
/// The client signs in on first use, signs in again once when the server has expired the
/// session, and signs out on [`logout`](AcumaticaClient::logout) — or in the background when
/// the last clone is dropped.
///
/// ```no_run
/// use acumatica_sdk::prelude::*;
/// use acumatica_sdk::default::DefaultEndpoint as _;
/// # async fn f() -> acumatica_sdk::Result<()> {
/// let client = AcumaticaClient::builder()
///     .base_url("https://tenant.example.com")
///     .credentials(Credentials::new("admin", "secret").tenant("Company"))
///     .build()?;
/// let customer = client.customers().get_by_id("C001").await?;
/// client.logout().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AcumaticaClient {
    shared: Arc<Shared>,
    session: Session,
    /// The sessions of batch lanes (kept between batches with `keep_sessions_idle`).
    lanes: SessionPool,
}

impl std::fmt::Debug for AcumaticaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcumaticaClient")
            .field("config", &self.shared.config)
            .field("session", &self.session)
            .finish()
    }
}

impl AcumaticaClient {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `ACUMATICA_URL`, `ACUMATICA_USERNAME`, `ACUMATICA_PASSWORD`,
    /// `ACUMATICA_TENANT`, `ACUMATICA_BRANCH`, `ACUMATICA_LOCALE`, `ACUMATICA_ENDPOINT` and
    /// `ACUMATICA_VERSION`, read from the environment and from a `.env` file if there is one
    /// (the environment wins). A missing or malformed setting is an error that names it.
    pub fn from_env() -> Result<Self> {
        env::builder_from_env(&env::ProcessEnv::load())?.build()
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.shared.config
    }

    /// The client's own session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Signs in now (requests sign in by themselves; this surfaces credential errors early).
    pub async fn login(&self) -> Result<()> {
        self.session.login().await
    }

    /// Signs the client's session out, and the batch sessions it keeps idle (see
    /// [`ClientBuilder::keep_sessions_idle`]). Requests afterwards sign in again.
    pub async fn logout(&self) -> Result<()> {
        let (own, idle) =
            futures::future::join(self.session.logout(), self.lanes.sign_out_idle()).await;
        own.and(idle)
    }

    /// The pool batch lanes take their sessions from.
    pub(crate) fn lanes(&self) -> &SessionPool {
        &self.lanes
    }

    /// A pool of up to `max_sessions` separately signed-in sessions for parallel work.
    pub fn session_pool(&self, max_sessions: usize) -> SessionPool {
        SessionPool::new(self.shared.clone(), max_sessions)
    }

    /// The endpoint to use for entities generated from `generated` (see
    /// [`ClientConfig::resolve_endpoint`]).
    pub fn endpoint_for(&self, generated: &Endpoint) -> Endpoint {
        self.shared.config.resolve_endpoint(generated)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// What the client and all its sessions did so far: sign-ins, sign-outs, failed sign-outs,
    /// retries.
    pub fn stats(&self) -> ClientStats {
        let c = &self.shared.stats;
        ClientStats {
            logins: c.logins.load(Ordering::Relaxed),
            logouts: c.logouts.load(Ordering::Relaxed),
            failed_logouts: c.failed_logouts.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            retries_refused: c.retries_refused.load(Ordering::Relaxed),
        }
    }
}

/// Builds an [`AcumaticaClient`].
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    endpoint: Option<Endpoint>,
    auth: Option<Auth>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    action_timeout: Option<Duration>,
    action_poll_interval: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    page_size: Option<u32>,
    max_response_bytes: Option<u64>,
    max_file_bytes: Option<u64>,
    drop_logout_timeout: Option<Duration>,
    keep_sessions_idle: Option<Duration>,
    danger_accept_invalid_certs: bool,
}

impl ClientBuilder {
    /// The instance URL (`https://tenant.acumatica.com`, `http://localhost/AcumaticaDB`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Use endpoint `name`/`version` for entities generated from an endpoint of that name
    /// (for example the Default types against a tenant's `Default/23.200.001`).
    pub fn endpoint(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.endpoint = Some(Endpoint::new(name, version));
        self
    }

    /// Sign in with a cookie session.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.auth = Some(Auth::Session(credentials));
        self
    }

    /// Sign in with OAuth 2.0.
    pub fn oauth(mut self, oauth: OAuthConfig) -> Self {
        self.auth = Some(Auth::OAuth(oauth));
        self
    }

    /// Time limit of one HTTP exchange (default 100 s, as Acumatica's C# client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time limit of establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long to wait for a long-running action (default 10 minutes).
    pub fn action_timeout(mut self, timeout: Duration) -> Self {
        self.action_timeout = Some(timeout);
        self
    }

    /// First interval between polls of a long-running action (default 1 s; it doubles up to 5 s).
    pub fn action_poll_interval(mut self, interval: Duration) -> Self {
        self.action_poll_interval = Some(interval);
        self
    }

    /// Retries of transient failures (default: 3 retries of reads and deletes).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// `User-Agent` (default `acumatica-rs/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Page size of streamed lists (default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// The largest answer read into memory (default 256 MiB): a larger one is
    /// [`Error::BodyTooLarge`]. A list of many records is better read with
    /// [`get_list_stream`](crate::service::EntityService::get_list_stream).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// The largest file download (default 1 GiB).
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = Some(bytes);
        self
    }

    /// How long the sign-out of a session dropped where no runtime can run it may block the
    /// dropping thread (default 5 s; see [`AcumaticaClient`]'s "Sessions" section).
    pub fn drop_logout_timeout(mut self, timeout: Duration) -> Self {
        self.drop_logout_timeout = Some(timeout);
        self
    }

    /// Keep the sessions of batch lanes signed in for `idle` after a batch, for the next batch
    /// to use (default: off, each batch signs its sessions out when it ends). A loop of 100
    /// small batches then costs `max_concurrent` sign-ins instead of 100 × that; but a kept
    /// session holds one of the license's API sessions. They are signed out when the time
    /// passes, on [`AcumaticaClient::logout`], and when the last client handle is dropped.
    pub fn keep_sessions_idle(mut self, idle: Duration) -> Self {
        self.keep_sessions_idle = Some(idle);
        self
    }

    /// Accept any TLS certificate, valid or not. Only for test servers with self-signed
    /// certificates: it lets anyone on the path read the credentials.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.danger_accept_invalid_certs = accept;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<AcumaticaClient> {
        let base = self.base_url.ok_or_else(|| Error::Config {
            setting: "base_url".into(),
            message: "not set (the instance URL, e.g. https://tenant.acumatica.com)".into(),
        })?;
        let base_url = crate::base_url::parse_base_url("base_url", &base)?;
        let auth = self.auth.ok_or_else(|| Error::Config {
            setting: "credentials".into(),
            message: "not set (credentials or oauth)".into(),
        })?;
        if let Auth::Session(c) = &auth
            && c.username.is_empty()
        {
            return Err(Error::Config {
                setting: "username".into(),
                message: "empty".into(),
            });
        }
        let config = ClientConfig {
            base_url,
            endpoint: self.endpoint,
            auth,
            timeout: self.timeout.unwrap_or(Duration::from_secs(100)),
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(10)),
            action_timeout: self.action_timeout.unwrap_or(Duration::from_secs(600)),
            action_poll_interval: self.action_poll_interval.unwrap_or(Duration::from_secs(1)),
            retry: self.retry.unwrap_or_default(),
            user_agent: self
                .user_agent
                .unwrap_or_else(|| format!("acumatica-rs/{}", env!("CARGO_PKG_VERSION"))),
            page_size: self.page_size.unwrap_or(100),
            max_response_bytes: self.max_response_bytes.unwrap_or(256 << 20),
            max_file_bytes: self.max_file_bytes.unwrap_or(1 << 30),
            drop_logout_timeout: self.drop_logout_timeout.unwrap_or(Duration::from_secs(5)),
            keep_sessions_idle: self.keep_sessions_idle,
            danger_accept_invalid_certs: self.danger_accept_invalid_certs,
        };
        let shared = Arc::new(Shared::new(config)?);
        Ok(AcumaticaClient {
            session: Session::new(shared.clone()),
            lanes: SessionPool::new(shared.clone(), tokio::sync::Semaphore::MAX_PERMITS),
            shared,
        })
    }
}
