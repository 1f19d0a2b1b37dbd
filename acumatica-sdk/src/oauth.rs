//! OAuth 2.0 as Acumatica supports it: the resource-owner password flow and the authorization
//! code flow with PKCE (the application obtains the code; the client exchanges it), refreshing
//! before expiry and replacing the refresh token every time (Acumatica issues a new one and
//! invalidates the old).
//!
//! ```
//! use acumatica_sdk::oauth::{OAuthConfig, Pkce};
//! let pkce = Pkce::new();
//! let url = pkce.authorize_url("https://tenant.example.com", "8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD@Company",
//!     "https://app.example.com/callback", "api offline_access", "state-1").unwrap();
//! assert!(url.as_str().contains("code_challenge_method=S256"));
//! ```

use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::types::Uuid;

/// OAuth client registration and grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    /// Client ID as registered on SM303010: `<GUID>@<Tenant>`.
    pub client_id: String,
    /// Client secret (redacted in `Debug`).
    pub client_secret: Secret,
    /// Scopes, e.g. `api offline_access`.
    pub scope: String,
    /// How the first token is obtained.
    pub grant: OAuthGrant,
}

/// How the first access token is obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthGrant {
    /// Resource owner password credentials.
    Password {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
    /// An authorization code the application received on its redirect URI, with the PKCE
    /// verifier it made the challenge from. A code is good for one exchange, so all the
    /// client's requests share one OAuth session.
    AuthorizationCode {
        /// The code.
        code: Secret,
        /// The PKCE code verifier ([`Pkce::verifier`]).
        code_verifier: Secret,
        /// The redirect URI, exactly as registered.
        redirect_uri: String,
    },
}

impl OAuthConfig {
    /// The password flow.
    pub fn password(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        OAuthConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: "api offline_access".into(),
            grant: OAuthGrant::Password {
                username: username.into(),
                password: password.into(),
            },
        }
    }

    /// The authorization code flow with PKCE.
    pub fn authorization_code(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        code: impl Into<Secret>,
        code_verifier: impl Into<Secret>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        OAuthConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: "api offline_access".into(),
            grant: OAuthGrant::AuthorizationCode {
                code: code.into(),
                code_verifier: code_verifier.into(),
                redirect_uri: redirect_uri.into(),
            },
        }
    }

    /// Sets the scopes.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }
}

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// The verifier, kept by the application until it exchanges the code.
    pub verifier: Secret,
    /// `BASE64URL(SHA256(verifier))`.
    pub challenge: String,
}

impl Pkce {
    /// A fresh random verifier: 64 bytes from the operating system's generator (through
    /// version-4 UUIDs), base64url-encoded to 86 characters.
    pub fn new() -> Self {
        let bytes: Vec<u8> = (0..4).flat_map(|_| *Uuid::new_v4().as_bytes()).collect();
        Pkce::from_verifier(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The challenge of a given verifier.
    pub fn from_verifier(verifier: impl Into<String>) -> Self {
        let verifier = verifier.into();
        let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        Pkce {
            verifier: Secret::new(verifier),
            challenge,
        }
    }

    /// The `/identity/connect/authorize` URL to send the user to.
    pub fn authorize_url(
        &self,
        instance: &str,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        state: &str,
    ) -> Result<url::Url> {
        let base = crate::base_url::parse_base_url("instance URL", instance)?;
        let mut url = base
            .join(&format!(
                "{}/identity/connect/authorize",
                base.path().trim_end_matches('/')
            ))
            .map_err(|e| Error::Config {
                setting: "instance URL".into(),
                message: e.to_string(),
            })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope)
            .append_pair("state", state)
            .append_pair("code_challenge", &self.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// An access token and what is needed to renew it.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) access: Secret,
    pub(crate) refresh: Option<Secret>,
    pub(crate) expires_at: Instant,
    /// `expires_in` as issued.
    pub(crate) lifetime: Duration,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Still good for a while: refresh `margin` before expiry, or at half-life for tokens that
    /// live less than twice the margin (else a short-lived token would be refreshed before every
    /// request).
    pub(crate) fn is_fresh(&self, margin: Duration) -> bool {
        Instant::now() + margin.min(self.lifetime / 2) < self.expires_at
    }
}

/// The answer of `/identity/connect/token`.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    /// A number in Acumatica's docs, a string in its C# client.
    #[serde(default)]
    pub(crate) expires_in: Option<serde_json::Value>,
}

/// The form of the first token request.
pub(crate) fn initial_form(config: &OAuthConfig) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("client_id", config.client_id.clone()),
        ("client_secret", config.client_secret.expose().to_owned()),
    ];
    match &config.grant {
        OAuthGrant::Password { username, password } => {
            form.push(("grant_type", "password".into()));
            form.push(("username", username.clone()));
            form.push(("password", password.expose().to_owned()));
            form.push(("scope", config.scope.clone()));
        }
        OAuthGrant::AuthorizationCode {
            code,
            code_verifier,
            redirect_uri,
        } => {
            form.push(("grant_type", "authorization_code".into()));
            form.push(("code", code.expose().to_owned()));
            form.push(("code_verifier", code_verifier.expose().to_owned()));
            form.push(("redirect_uri", redirect_uri.clone()));
        }
    }
    form
}

/// The form of a refresh.
pub(crate) fn refresh_form(config: &OAuthConfig, refresh: &Secret) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "refresh_token".into()),
        ("client_id", config.client_id.clone()),
        ("client_secret", config.client_secret.expose().to_owned()),
        ("refresh_token", refresh.expose().to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_example() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn short_tokens_are_fresh_until_half_life() {
        let token = |lifetime: u64, age: u64| Token {
            access: Secret::new("a"),
            refresh: None,
            expires_at: Instant::now() + Duration::from_secs(lifetime) - Duration::from_secs(age),
            lifetime: Duration::from_secs(lifetime),
        };
        let margin = Duration::from_secs(30);
        assert!(token(3600, 0).is_fresh(margin));
        assert!(!token(3600, 3580).is_fresh(margin));
        assert!(token(20, 5).is_fresh(margin));
        assert!(!token(20, 11).is_fresh(margin));
    }

    #[test]
    fn debug_hides_secrets() {
        let c = OAuthConfig::password("id@T", "client-secret-value", "admin", "pa55word");
        let text = format!("{c:?}");
        assert!(
            !text.contains("client-secret-value") && !text.contains("pa55word"),
            "{text}"
        );
    }
}
