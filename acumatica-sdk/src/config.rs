//! Client settings: where the tenant is, who signs in, and how patiently.

use std::time::Duration;

use crate::entity::Endpoint;
use crate::error::{Error, Result};
use crate::http::RetryPolicy;
pub use crate::secret::Secret;

/// Who signs in (cookie sessions: `POST /entity/auth/login`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password (redacted in `Debug`).
    pub password: Secret,
    /// Tenant login name; empty signs in to the default tenant.
    pub tenant: Option<String>,
    /// Branch ID.
    pub branch: Option<String>,
    /// Locale such as `EN-US`.
    pub locale: Option<String>,
}

impl Credentials {
    /// Username and password, default tenant.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
            ..Credentials::default()
        }
    }

    /// Sets the tenant.
    #[must_use]
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Sets the branch.
    #[must_use]
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// Sets the locale.
    #[must_use]
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }
}

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// Cookie sessions from `POST /entity/auth/login`.
    Session(Credentials),
    /// OAuth 2.0 bearer tokens (see [`crate::oauth`]).
    OAuth(crate::oauth::OAuthConfig),
}

/// Everything a client needs; built with [`crate::AcumaticaClient::builder`] or
/// [`crate::AcumaticaClient::from_env`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Instance URL, e.g. `https://tenant.acumatica.com` or `http://localhost/AcumaticaDB`.
    pub base_url: url::Url,
    /// The endpoint to use for entities of the endpoint with the same name (`None`: what each
    /// entity was generated from).
    pub endpoint: Option<Endpoint>,
    /// How to authenticate.
    pub auth: Auth,
    /// Time limit of one HTTP exchange.
    pub timeout: Duration,
    /// Time limit of establishing a connection.
    pub connect_timeout: Duration,
    /// How long to wait for a long-running action (202 + polling) to finish.
    pub action_timeout: Duration,
    /// First delay between polls of a long-running action (it doubles up to 5 s).
    pub action_poll_interval: Duration,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// `User-Agent`.
    pub user_agent: String,
    /// Page size of [`get_list_stream`](crate::service::EntityService::get_list_stream).
    pub page_size: u32,
    /// The largest answer read into memory.
    pub max_response_bytes: u64,
    /// The largest file download.
    pub max_file_bytes: u64,
    /// How long a sign-out on drop may block when no runtime can run it.
    pub drop_logout_timeout: Duration,
    /// How long batch sessions stay signed in between batches (`None`: signed out at the end of
    /// each batch).
    pub keep_sessions_idle: Option<Duration>,
    /// Accept any TLS certificate. Only for test servers with self-signed certificates.
    pub danger_accept_invalid_certs: bool,
}

impl ClientConfig {
    /// The endpoint to use for an entity generated from `generated`: the configured endpoint if
    /// it has the same name (a different version of the same contract), else `generated`.
    pub fn resolve_endpoint(&self, generated: &Endpoint) -> Endpoint {
        match &self.endpoint {
            Some(e) if e.name.eq_ignore_ascii_case(&generated.name) => e.clone(),
            _ => generated.clone(),
        }
    }

    /// The URL of a path from the instance root (`/entity/...`), keeping the instance's virtual
    /// directory (`http://host/AcumaticaDB` + `/entity/...`). A path that would leave the
    /// instance (one not starting with `/`, such as `@other-host/...` from a hostile link, or
    /// one that resolves to another origin) is refused: nothing is ever sent elsewhere.
    pub(crate) fn url(&self, path: &str) -> Result<url::Url> {
        let refuse = || Error::InvalidRequest {
            what: "path".into(),
            message: format!(
                "{} does not stay on the instance",
                crate::http::printable(path)
            ),
        };
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(refuse());
        }
        let base = self.base_url.as_str().trim_end_matches('/');
        let url = url::Url::parse(&format!("{base}{path}")).map_err(|e| Error::Config {
            setting: "base_url".into(),
            message: format!("{base}{}: {e}", crate::http::printable(path)),
        })?;
        if !same_origin(&url, &self.base_url)
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(refuse());
        }
        Ok(url)
    }

    /// The path part of the instance URL (`/AcumaticaDB`), which links in responses include.
    pub(crate) fn site_prefix(&self) -> &str {
        self.base_url.path().trim_end_matches('/')
    }
}

/// `a.origin() == b.origin()`, without building the origins (which copies the host) for the
/// schemes whose origin is their scheme, host and port.
fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    match a.scheme() {
        "http" | "https" | "ws" | "wss" | "ftp" => {
            a.scheme() == b.scheme()
                && a.host() == b.host()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => a.origin() == b.origin(),
    }
}
