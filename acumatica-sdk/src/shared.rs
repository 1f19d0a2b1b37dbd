//! [`Shared`]: what every session of one client shares (the settings, the connection pool, the
//! retry budget, the counters). The bottom of the runtime: sessions, OAuth and the HTTP layer
//! depend on it, never on the client.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::oauth::OAuthConfig;
use crate::secret::Secret;

/// What all sessions of a client share: the settings, the connection pool, the retry budget and
/// the counters.
pub(crate) struct Shared {
    pub(crate) config: ClientConfig,
    pub(crate) http: reqwest::Client,
    /// The refresh token of an authorization-code grant, shared by the client's sessions
    /// (a code is good for one exchange).
    oauth_refresh: Mutex<(bool, Option<Secret>)>,
    /// The retry budget of all the client's requests.
    pub(crate) bucket: crate::http::Bucket,
    pub(crate) stats: Counters,
}

/// The live counters behind [`ClientStats`](crate::ClientStats).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) logins: AtomicU64,
    pub(crate) logouts: AtomicU64,
    pub(crate) failed_logouts: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) retries_refused: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The shared state of a client with `config`.
    pub(crate) fn new(config: ClientConfig) -> Result<Shared> {
        Ok(Shared {
            http: http_client(&config)?,
            bucket: crate::http::Bucket::new(&config.retry),
            stats: Counters::default(),
            config,
            oauth_refresh: Mutex::new((false, None)),
        })
    }

    pub(crate) fn shared_refresh_token(&self) -> Option<Secret> {
        self.oauth_refresh
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    pub(crate) fn code_used(&self) -> bool {
        self.oauth_refresh
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
    }

    pub(crate) fn set_shared_refresh_token(&self, cfg: &OAuthConfig, token: Option<Secret>) {
        if matches!(
            cfg.grant,
            crate::oauth::OAuthGrant::AuthorizationCode { .. }
        ) {
            *self.oauth_refresh.lock().unwrap_or_else(|p| p.into_inner()) = (true, token);
        }
    }

    /// A link from a response (`Location`, `href`, `_links`) as a path from the instance root:
    /// links are site-relative (`/AcumaticaDB/entity/...`) or absolute.
    pub(crate) fn instance_path(&self, link: &str) -> String {
        let path = match url::Url::parse(link) {
            Ok(u) => match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_owned(),
            },
            Err(_) => link.to_owned(),
        };
        let prefix = self.config.site_prefix();
        match path.strip_prefix(prefix) {
            Some(rest) if !prefix.is_empty() && rest.starts_with('/') => rest.to_owned(),
            _ => path,
        }
    }
}

/// The connection pool of a client. Redirects are never followed: the contract-based API does
/// not redirect when it works, and following one would send a sign-in body, a cookie or a token
/// where the tenant did not ask, or return another server's answer as the tenant's.
pub(crate) fn http_client(config: &ClientConfig) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .danger_accept_invalid_certs(config.danger_accept_invalid_certs)
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .user_agent(config.user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| Error::Config {
            setting: "http client".into(),
            message: e.to_string(),
        })
}
