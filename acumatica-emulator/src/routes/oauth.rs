//! The identity server: `/identity/connect/token`, `/identity/connect/authorize` and discovery.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

use super::Query;
use super::auth::{check_user, count_login, login_limit};
use crate::metrics::bump;
use crate::oauth::{Grant, challenge_of};
use crate::state::{AppState, State as Inner};
use crate::wire;

/// An OAuth error response (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    wire::json(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

/// The tenant in `GUID@Tenant`.
fn client_tenant(state: &Inner, client_id: &str) -> Option<String> {
    let (_, tenant) = client_id.rsplit_once('@')?;
    state
        .config
        .tenants
        .iter()
        .find(|t| t.eq_ignore_ascii_case(tenant))
        .cloned()
}

/// Opens a session for a grant and issues its tokens, or answers with the API Login Limit.
fn open_and_issue(state: &Inner, grant: &Grant) -> Response {
    state.sweep_sessions();
    let Ok(session) = state.sessions.open(&grant.tenant) else {
        // UNKNOWN: how the identity server words this; the body carries the text clients look
        // for, with the configured status (D-OSESS).
        let resp = login_limit(state);
        let status = resp.status();
        return oauth_error(status, "invalid_grant", super::auth::LOGIN_LIMIT_TEXT);
    };
    count_login(state);
    wire::json(StatusCode::OK, &state.oauth.issue(grant, &session.id, None))
}

pub(super) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let s = &state.0;
    let form = Query::parse(Some(&String::from_utf8_lossy(&body)));
    // Client credentials may also come as HTTP Basic (RFC 6749 §2.3.1).
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| {
            t.split_once(':')
                .map(|(a, b)| (super::decode_component(a), super::decode_component(b)))
        });
    let client_id = form
        .get("client_id")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.0.clone()));
    let secret = form
        .get("client_secret")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.1.clone()));
    let Some(client) = client_id
        .as_deref()
        .and_then(|id| s.oauth.client(id))
        .cloned()
    else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client.");
    };
    let secret_ok = secret.as_deref() == Some(client.client_secret.as_str());
    let Some(tenant) = client_tenant(s, &client.client_id) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "The client's tenant does not exist.",
        );
    };
    match form.get("grant_type").unwrap_or("") {
        "password" => {
            if !secret_ok {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "Invalid client secret.",
                );
            }
            let (Some(name), Some(password)) = (form.get("username"), form.get("password")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "username and password are required.",
                );
            };
            if check_user(s, name, password, &tenant).is_none() {
                bump(&s.metrics.failed_logins);
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "invalid_username_or_password",
                );
            }
            let scope = form
                .get("scope")
                .filter(|s| !s.trim().is_empty())
                .unwrap_or("api")
                .trim()
                .to_owned();
            open_and_issue(
                s,
                &Grant {
                    tenant,
                    scope,
                    client_id: client.client_id.clone(),
                },
            )
        }
        "refresh_token" => {
            if !secret_ok {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "Invalid client secret.",
                );
            }
            let Some((grant, session, chain)) = form
                .get("refresh_token")
                .and_then(|t| s.oauth.take_refresh(t, &client.client_id))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid or was already used.",
                );
            };
            // Tokens refreshed from a grant reuse its session while it is open (D-OSESS).
            if s.sessions.alive(&session) {
                wire::json(
                    StatusCode::OK,
                    &s.oauth.issue(&grant, &session, Some(chain)),
                )
            } else {
                s.sweep_sessions();
                match s.sessions.open(&grant.tenant) {
                    Ok(new) => {
                        count_login(s);
                        wire::json(StatusCode::OK, &s.oauth.issue(&grant, &new.id, Some(chain)))
                    }
                    Err(()) => {
                        let status = login_limit(s).status();
                        oauth_error(status, "invalid_grant", super::auth::LOGIN_LIMIT_TEXT)
                    }
                }
            }
        }
        "authorization_code" => {
            let Some(code) = form.get("code").and_then(|c| s.oauth.take_code(c)) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The authorization code is invalid or was already used.",
                );
            };
            if !code.grant.client_id.eq_ignore_ascii_case(&client.client_id) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The code was issued to another client.",
                );
            }
            if form.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "redirect_uri does not match.",
                );
            }
            match (&code.challenge, form.get("code_verifier")) {
                (Some(challenge), Some(verifier)) if challenge_of(verifier) == *challenge => {}
                (Some(_), _) => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "code_verifier does not match the code_challenge.",
                    );
                }
                // Without PKCE the client must authenticate.
                (None, _) if !secret_ok => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_client",
                        "Invalid client secret.",
                    );
                }
                (None, _) => {}
            }
            if secret.is_some() && !secret_ok {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "Invalid client secret.",
                );
            }
            open_and_issue(s, &code.grant)
        }
        // Client Credentials is not among Acumatica's flows (D-OAUTH).
        other => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type {other:?} is not supported."),
        ),
    }
}

/// Auto-approves as the first configured user (no UI) and redirects with a code.
pub(super) async fn authorize(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let s = &state.0;
    let q = Query::parse(query.as_deref());
    let Some(client) = q
        .get("client_id")
        .and_then(|id| s.oauth.client(id))
        .cloned()
    else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client.");
    };
    // "must match the registered value exactly" (D-AUTHCODE); never redirect elsewhere.
    if q.get("redirect_uri") != Some(client.redirect_uri.as_str()) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri does not match the registered one.",
        );
    }
    if q.get("response_type") != Some("code") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            "Only response_type=code is supported.",
        );
    }
    let challenge = q.get("code_challenge").map(str::to_owned);
    if challenge.is_some() && q.get("code_challenge_method").unwrap_or("plain") != "S256" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code_challenge_method must be S256.",
        );
    }
    let Some(tenant) = client_tenant(s, &client.client_id) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "The client's tenant does not exist.",
        );
    };
    // Auto-approved as the first configured user: the grant carries only tenant and scope.
    let scope = q.get("scope").unwrap_or("api").to_owned();
    let code = s.oauth.put_code(
        Grant {
            tenant,
            scope,
            client_id: client.client_id.clone(),
        },
        &client.redirect_uri,
        challenge,
    );
    let enc = |v: &str| {
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let sep = if client.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut location = format!("{}{sep}code={}", client.redirect_uri, enc(&code));
    if let Some(st) = q.get("state") {
        location.push_str(&format!("&state={}", enc(st)));
    }
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `/identity/.well-known/openid-configuration`, with paths relative to the request's host.
pub(super) async fn discovery(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("http://{host}/identity");
    wire::json(
        StatusCode::OK,
        &json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/connect/authorize"),
            "token_endpoint": format!("{base}/connect/token"),
            "grant_types_supported": ["authorization_code", "implicit", "password", "refresh_token"],
            "scopes_supported": ["api", "offline_access", "api:concurrent_access", "openid", "email", "profile", "phone"],
            "code_challenge_methods_supported": ["S256"],
            "response_types_supported": ["code", "token", "id_token", "code id_token"],
        }),
    )
}
