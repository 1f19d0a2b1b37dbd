//! The token request of OAuth 2.0 sign-in (`POST /identity/connect/token`), through the one
//! exchange path every request takes.

use std::time::{Duration, Instant};

use crate::error::{Error, RequestInfo, Result};
use crate::http::error_for;
use crate::oauth::{Token, TokenResponse};
use crate::secret::Secret;
use crate::shared::Shared;

/// Posts a token request to `/identity/connect/token`, retried like an idempotent request.
pub(crate) async fn request_token(
    shared: &Shared,
    form: &[(&'static str, String)],
    retries: &std::sync::atomic::AtomicU64,
) -> Result<Token> {
    let request = RequestInfo {
        method: reqwest::Method::POST,
        path: "/identity/connect/token".into(),
    };
    let url = shared.config.url("/identity/connect/token")?;
    let started = Instant::now();
    let mut attempts = crate::http::Attempts::new(shared, crate::http::CallKind::Idempotent);
    let raw = loop {
        let result = crate::http::exchange(
            &shared.config,
            shared.http.post(url.clone()).form(form),
            request.clone(),
            false,
            crate::http::BodyLimit::Response,
        )
        .await;
        match attempts.again(&result, retries) {
            Some(wait) => tokio::time::sleep(wait).await,
            None => break result?,
        }
    };
    if !(200..300).contains(&raw.status) {
        // OAuth errors are `{"error": "invalid_grant", ...}` with 400.
        let err = error_for(&raw, true);
        return Err(match err {
            Error::Server {
                status: 400,
                message,
                exception_type,
                ..
            } => Error::Authentication {
                request,
                status: 400,
                message,
                exception_type,
            },
            other => other,
        });
    }
    let parsed: TokenResponse = crate::http::decode_json(&raw)?;
    let lifetime = match parsed.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .unwrap_or(3600);
    Ok(Token {
        access: Secret::new(parsed.access_token),
        refresh: parsed.refresh_token.map(Secret::new),
        expires_at: started + Duration::from_secs(lifetime),
        lifetime: Duration::from_secs(lifetime),
    })
}
