//! `POST /entity/auth/login` and `POST /entity/auth/logout`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;

use crate::gate::{self, bearer, cookie};
use crate::metrics::{bump, peak};
use crate::state::{AppState, State as Inner};
use crate::wire;

/// The text clients look for ("API Login Limit", protocol notes §1.4); the rest is UNKNOWN.
pub(crate) const LOGIN_LIMIT_TEXT: &str = "You have reached the API Login Limit: the maximum number of concurrent API sessions allowed by the license. Sign out of other sessions or try again later.";

/// Which tenant a login lands in: any value on a single-tenant site, the default when empty.
pub(crate) fn resolve_tenant(state: &Inner, requested: Option<&str>) -> Option<String> {
    let tenants = &state.config.tenants;
    match requested.map(str::trim).filter(|t| !t.is_empty()) {
        None => Some(tenants[0].clone()),
        Some(_) if tenants.len() == 1 => Some(tenants[0].clone()),
        Some(t) => tenants.iter().find(|x| x.eq_ignore_ascii_case(t)).cloned(),
    }
}

/// Whether the credentials are valid for the tenant; the user's name as configured.
pub(crate) fn check_user(
    state: &Inner,
    name: &str,
    password: &str,
    tenant: &str,
) -> Option<String> {
    state
        .config
        .users
        .iter()
        .find(|u| {
            u.username.eq_ignore_ascii_case(name)
                && u.password == password
                && (u.tenants.is_empty()
                    || u.tenants.iter().any(|t| t.eq_ignore_ascii_case(tenant)))
        })
        .map(|u| u.username.clone())
}

/// 500 PXException "Invalid credentials".
pub(crate) fn invalid_credentials(state: &Inner) -> Response {
    bump(&state.metrics.failed_logins);
    wire::http_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Error: Invalid credentials. Please try again.",
        "PX.Data.PXException",
    )
}

/// The API Login Limit refusal (status configurable, 500 by default).
pub(crate) fn login_limit(state: &Inner) -> Response {
    bump(&state.metrics.login_limit_rejections);
    let status = StatusCode::from_u16(state.config.login_limit_status)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    wire::http_error(status, LOGIN_LIMIT_TEXT, "PX.Data.PXException")
}

/// Records a new session in the metrics.
pub(crate) fn count_login(state: &Inner) {
    bump(&state.metrics.logins);
    peak(&state.metrics.peak_sessions, state.sessions.count());
}

pub(super) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let s = &state.0;
    let fields = match super::form_or_json(&headers, &body) {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let _slot = match gate::pipeline_only(s).await {
        Ok(slot) => slot,
        Err(resp) => return resp,
    };
    let (Some(name), Some(password)) = (get("name"), get("password")) else {
        return invalid_credentials(s);
    };
    let Some(tenant) = resolve_tenant(s, get("tenant").or_else(|| get("company"))) else {
        bump(&s.metrics.failed_logins);
        return wire::http_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "A proper company ID cannot be determined for the request.",
            "PX.Data.PXUndefinedCompanyException",
        );
    };
    if check_user(s, name, password, &tenant).is_none() {
        return invalid_credentials(s);
    }
    s.sweep_sessions();
    let Ok(session) = s.sessions.open(&tenant) else {
        return login_limit(s);
    };
    count_login(s);
    let branch = get("branch").filter(|b| !b.is_empty()).unwrap_or("1");
    let locale = get("locale").filter(|l| !l.is_empty()).unwrap_or("en-US");
    let request_id: String = {
        let mut rng = rand::rng();
        (0..32)
            .map(|_| char::from(b"0123456789ABCDEF"[rng.random_range(0..16)]))
            .collect()
    };
    let cookies = [
        format!("ASP.NET_SessionId={}; path=/; HttpOnly", session.id),
        format!(".ASPXAUTH={}; path=/; HttpOnly", session.auth),
        format!("UserBranch={}; path=/; HttpOnly", cookie_safe(branch)),
        format!(
            "Locale=Culture={}&TimeZone=GMTE0000U; path=/; HttpOnly",
            cookie_safe(locale)
        ),
        format!("CompanyID={}; path=/; HttpOnly", cookie_safe(&tenant)),
        format!("requestid={request_id}; path=/; HttpOnly"),
    ];
    let mut resp = StatusCode::NO_CONTENT.into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Keeps a cookie value to characters a cookie may hold.
fn cookie_safe(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',' | '"' | '\\'))
        .collect()
}

pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let s = &state.0;
    // Sign-out skips the license queue and "is processed immediately" (D-LIC).
    let id = if let Some(token) = bearer(&headers) {
        s.oauth.session_of(token)
    } else {
        cookie(&headers, "ASP.NET_SessionId").map(str::to_owned)
    };
    if let Some(id) = id
        && s.sessions.close(&id)
    {
        bump(&s.metrics.logouts);
        s.oauth.revoke_session(&id);
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    for name in [".ASPXAUTH", "ASP.NET_SessionId"] {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{name}=; expires=Thu, 01-Jan-1970 00:00:00 GMT; path=/; HttpOnly"
        )) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}
