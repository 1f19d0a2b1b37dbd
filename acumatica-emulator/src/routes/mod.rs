//! The HTTP surface: every route, and the layer that counts requests and injects faults.

// Handlers answer early with `Err(response)`: the error *is* the HTTP answer, built once and
// returned at once, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

mod actions;
mod auth;
mod entity;
mod files;
mod meta;
mod oauth;
mod odata;

use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use percent_encoding::percent_decode_str;

use crate::faults;
use crate::metrics::{bump, peak};
use crate::state::AppState;
use crate::wire;

/// The emulator as an axum router, for embedding in another application.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let state = acumatica_emulator::AppState::new(acumatica_emulator::Config::default())?;
/// let app = acumatica_emulator::router(state);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/entity", get(meta::endpoints))
        .route("/entity/swagger.json", get(meta::instance_swagger))
        .route("/entity/auth/login", post(auth::login))
        .route("/entity/auth/logout", post(auth::logout))
        .route(
            "/entity/{endpoint}/{version}/{*rest}",
            any(entity::dispatch),
        )
        .route("/identity/connect/token", post(oauth::token))
        .route("/identity/connect/authorize", get(oauth::authorize))
        .route(
            "/identity/.well-known/openid-configuration",
            get(oauth::discovery),
        )
        .route("/t/{tenant}/api/odata/gi", get(odata::service))
        .route("/t/{tenant}/api/odata/gi/{*rest}", get(odata::resource))
        .route("/emulator/metrics", get(meta::metrics))
        .fallback(|| async {
            wire::message(
                StatusCode::NOT_FOUND,
                "No HTTP resource was found that matches the request URI.",
            )
        })
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .layer(middleware::from_fn_with_state(state.clone(), global))
        .with_state(state)
}

/// Lowers the global in-flight count when a request ends, however it ends.
struct Concurrent<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Concurrent<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts every request (except `/emulator/...`) and injects the configured faults.
async fn global(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/emulator/") {
        return next.run(req).await;
    }
    let s = &state.0;
    bump(&s.metrics.requests_total);
    let n = s.metrics.concurrent.fetch_add(1, Ordering::SeqCst) + 1;
    let _concurrent = Concurrent(&s.metrics.concurrent);
    peak(&s.metrics.peak_concurrent_requests, n);

    let fault = s.faults.pick(req.method().as_str(), &path).cloned();
    let Some(rule) = fault else {
        let resp = next.run(req).await;
        s.metrics.status(resp.status().as_u16());
        return resp;
    };
    bump(&s.metrics.faults_injected);
    let (resp, answered) = faults::apply(&rule, req, next).await;
    if let Some(status) = answered {
        s.metrics.status(status);
    }
    resp
}

/// Query parameters, percent-decoded (`+` is a space, as in forms).
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

/// Percent-decodes a query component.
pub(crate) fn decode_component(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        Query(
            query
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (decode_component(k), decode_component(v)),
                    None => (decode_component(p), String::new()),
                })
                .collect(),
        )
    }

    /// A parameter by name, ignoring case.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

/// Parses a form or JSON body into string pairs, by content type.
pub(crate) fn form_or_json(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Response> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.contains("json") || (!ct.contains("form") && body.first() == Some(&b'{')) {
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| wire::bad_json(&e.to_string()))?;
        let obj = v
            .as_object()
            .ok_or_else(|| wire::bad_json("expected a JSON object"))?;
        Ok(obj
            .iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                serde_json::Value::Null => None,
                other => Some((k.clone(), other.to_string())),
            })
            .collect())
    } else {
        let text = String::from_utf8_lossy(body);
        Ok(Query::parse(Some(&text)).0)
    }
}
