//! OAuth 2.0 tokens, refresh-token rotation and authorization codes (PKCE S256).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::config::OAuthClient;

/// Who a grant is for.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) tenant: String,
    pub(crate) scope: String,
    pub(crate) client_id: String,
}

impl Grant {
    pub(crate) fn offline(&self) -> bool {
        self.scope.split_whitespace().any(|s| s == "offline_access")
    }
}

#[derive(Debug)]
struct Access {
    session: String,
    expires: Instant,
}

#[derive(Debug)]
struct Refresh {
    grant: Grant,
    session: String,
    chain_expires: Instant,
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub(crate) grant: Grant,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: Option<String>,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Tokens {
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    codes: HashMap<String, Code>,
}

/// The identity server's state.
#[derive(Debug)]
pub(crate) struct OAuth {
    pub(crate) clients: Vec<OAuthClient>,
    tokens: Mutex<Tokens>,
    access_lifetime: Duration,
    refresh_lifetime: Duration,
}

/// A random opaque token (64 url-safe characters).
fn token() -> String {
    let bytes: [u8; 48] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 code challenge of a verifier: BASE64URL(SHA256(verifier)).
pub(crate) fn challenge_of(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The client registered by default: a GUID from the seed, `@` the first tenant.
pub(crate) fn default_client(seed: u64, tenant: &str) -> OAuthClient {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x0A07_4C11);
    let id = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
    let secret: [u8; 16] = rng.random();
    OAuthClient {
        client_id: format!("{}@{tenant}", id.to_string().to_uppercase()),
        client_secret: secret.iter().map(|b| format!("{b:02x}")).collect(),
        redirect_uri: "http://localhost/oauth/callback".into(),
    }
}

impl OAuth {
    pub(crate) fn new(
        clients: Vec<OAuthClient>,
        access_lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> Self {
        OAuth {
            clients,
            tokens: Mutex::new(Tokens::default()),
            access_lifetime,
            refresh_lifetime,
        }
    }

    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A registered client by id (the GUID part compares without case).
    pub(crate) fn client(&self, id: &str) -> Option<&OAuthClient> {
        self.clients
            .iter()
            .find(|c| c.client_id.eq_ignore_ascii_case(id))
    }

    /// Issues an access token (and a refresh token with `offline_access`) for a session; the
    /// token response body.
    pub(crate) fn issue(
        &self,
        grant: &Grant,
        session: &str,
        chain_expires: Option<Instant>,
    ) -> serde_json::Value {
        let access = token();
        let mut t = self.tokens();
        t.access.insert(
            access.clone(),
            Access {
                session: session.to_owned(),
                expires: Instant::now() + self.access_lifetime,
            },
        );
        let mut body = serde_json::json!({
            "access_token": access,
            "expires_in": self.access_lifetime.as_secs(),
            "token_type": "Bearer",
            "scope": grant.scope,
        });
        if grant.offline() {
            let refresh = token();
            t.refresh.insert(
                refresh.clone(),
                Refresh {
                    grant: grant.clone(),
                    session: session.to_owned(),
                    chain_expires: chain_expires
                        .unwrap_or_else(|| Instant::now() + self.refresh_lifetime),
                },
            );
            body["refresh_token"] = serde_json::Value::String(refresh);
        }
        body
    }

    /// The session of a valid access token.
    pub(crate) fn session_of(&self, access: &str) -> Option<String> {
        let mut t = self.tokens();
        match t.access.get(access) {
            Some(a) if a.expires > Instant::now() => Some(a.session.clone()),
            Some(_) => {
                t.access.remove(access);
                None
            }
            None => None,
        }
    }

    /// Consumes a refresh token: it works once (a new one comes with every refresh).
    pub(crate) fn take_refresh(
        &self,
        refresh: &str,
        client_id: &str,
    ) -> Option<(Grant, String, Instant)> {
        let mut t = self.tokens();
        let r = t.refresh.get(refresh)?;
        if !r.grant.client_id.eq_ignore_ascii_case(client_id) {
            return None;
        }
        let r = t.refresh.remove(refresh)?;
        (r.chain_expires > Instant::now()).then_some((r.grant, r.session, r.chain_expires))
    }

    /// Stores an authorization code; returns it.
    pub(crate) fn put_code(
        &self,
        grant: Grant,
        redirect_uri: &str,
        challenge: Option<String>,
    ) -> String {
        let code = token();
        self.tokens().codes.insert(
            code.clone(),
            Code {
                grant,
                redirect_uri: redirect_uri.to_owned(),
                challenge,
                expires: Instant::now() + Duration::from_secs(300),
            },
        );
        code
    }

    /// Consumes an authorization code.
    pub(crate) fn take_code(&self, code: &str) -> Option<Code> {
        let c = self.tokens().codes.remove(code)?;
        (c.expires > Instant::now()).then_some(c)
    }

    /// Invalidates the access tokens of a closed session.
    pub(crate) fn revoke_session(&self, session: &str) {
        self.tokens().access.retain(|_, a| a.session != session);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn s256_matches_rfc_7636_example() {
        assert_eq!(
            super::challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
