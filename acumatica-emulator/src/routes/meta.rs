//! Discovery and introspection: `GET /entity`, swagger documents, `$adHocSchema`, metrics.

use acumatica_codegen::ir::Entity;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Query;
use crate::gate::{self, Access};
use crate::model::EndpointModel;
use crate::render;
use crate::state::{AppState, State as Inner};
use crate::wire;

/// `GET /entity`: the version and the endpoints (D-ENDPOINTS).
pub(super) async fn endpoints(State(state): State<AppState>) -> Response {
    let s = &state.0;
    let endpoints: Vec<_> = s
        .model
        .endpoints
        .iter()
        .map(|e| json!({ "name": e.ir.name, "version": e.ir.version, "href": format!("{}/", e.base()) }))
        .collect();
    wire::json(
        StatusCode::OK,
        &json!({
            "version": { "acumaticaBuildVersion": s.config.build_version, "databaseVersion": s.config.build_version },
            "endpoints": endpoints,
        }),
    )
}

/// `GET /entity/swagger.json`: the instance-level API (sign-in, sign-out, version).
pub(super) async fn instance_swagger() -> Response {
    let doc = json!({
        "openapi": "3.0.1",
        "info": { "title": "Acumatica instance API", "version": "1" },
        "paths": {
            "/entity/auth/login": { "post": { "operationId": "Auth_Login", "responses": { "204": { "description": "Signed in." } } } },
            "/entity/auth/logout": { "post": { "operationId": "Auth_Logout", "responses": { "204": { "description": "Signed out." } } } },
            "/entity": { "get": { "operationId": "Root_GetVersionAndEndpoints", "responses": { "200": { "description": "Version and endpoints." } } } },
        },
    });
    wire::json(StatusCode::OK, &doc)
}

/// `GET /entity/{endpoint}/{version}/swagger.json`: the schema document as read. Needs a session
/// unless `?company=` names the tenant (D-OPENAPI).
pub(super) async fn swagger(
    s: &Inner,
    ep: &EndpointModel,
    headers: &HeaderMap,
    q: &Query,
) -> Response {
    let _caller = if q.get("company").is_some_and(|c| !c.is_empty()) {
        None
    } else {
        match gate::admit(s, headers, Access::Api).await {
            Ok(c) => Some(c),
            Err(r) => return r,
        }
    };
    let mut resp = (StatusCode::OK, ep.schema.to_vec()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// `GET /{Entity}/$adHocSchema`.
pub(super) fn ad_hoc_schema(s: &Inner, ep: &EndpointModel, entity: &Entity) -> Response {
    wire::json(
        StatusCode::OK,
        &render::ad_hoc(ep, &s.model.custom, entity, 0),
    )
}

/// `GET /emulator/metrics`.
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    let s = &state.0;
    let m = s.metrics.snapshot(s.sessions.count());
    match serde_json::to_value(&m) {
        Ok(v) => wire::json(StatusCode::OK, &v),
        Err(e) => wire::message(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
