//! File attachments: upload through `files:put` links or the legacy key URL, download by id.

use acumatica_codegen::ir::Entity;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use uuid::Uuid;

use super::entity::locate;
use crate::gate::Caller;
use crate::model::EndpointModel;
use crate::state::State as Inner;
use crate::store::{self, TenantData};
use crate::wire;

/// `PX-CbFileComment`: several headers are joined with commas; at most 500 characters.
fn comment(headers: &HeaderMap) -> Option<String> {
    let parts: Vec<&str> = headers
        .get_all("PX-CbFileComment")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.join(",").chars().take(500).collect())
}

/// Whether `id` is a detail line of some record (detail lines have no index of their own).
fn is_line(data: &TenantData, id: Uuid) -> bool {
    let id = id.to_string();
    data.tables().any(|(_, t)| {
        t.iter().any(|r| {
            r.values()
                .filter_map(Value::as_array)
                .flatten()
                .any(|l| l.get("id").and_then(Value::as_str) == Some(id.as_str()))
        })
    })
}

fn stored(
    s: &Inner,
    ep: &EndpointModel,
    caller: &Caller,
    owner: Uuid,
    name: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let Some(lock) = s.tenant(&caller.session.tenant) else {
        return wire::not_found_500();
    };
    let mut data = store::write(lock);
    if data.entity_of(owner).is_none() && !is_line(&data, owner) {
        return wire::not_found_500();
    }
    let id = data.files.put(owner, name, body, comment(headers));
    s.store.mark_dirty();
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{}/files/{id}", ep.base())) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `PUT /files/{GraphType}/{View}/{id}/{filename}` (a record's or line's `files:put` link).
pub(super) fn upload_by_id(
    s: &Inner,
    ep: &EndpointModel,
    caller: &Caller,
    id: &str,
    name: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    match Uuid::parse_str(id) {
        Ok(owner) => stored(s, ep, caller, owner, name, headers, body),
        Err(_) => wire::not_found_500(),
    }
}

/// `PUT /{Entity}/{keys}/files/{filename}` (legacy form, top-level records).
#[allow(clippy::too_many_arguments)]
pub(super) fn upload_by_keys(
    s: &Inner,
    ep: &EndpointModel,
    entity: &Entity,
    caller: &Caller,
    keys: &[&str],
    name: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let owner = {
        let Some(lock) = s.tenant(&caller.session.tenant) else {
            return wire::not_found_500();
        };
        let data = store::read(lock);
        locate(s, &data, entity, keys)
    };
    match owner {
        Some(owner) => stored(s, ep, caller, owner, name, headers, body),
        None => wire::not_found_500(),
    }
}

/// `GET /files/{id}`: the bytes.
pub(super) fn download(s: &Inner, caller: &Caller, id: &str) -> Response {
    let Ok(id) = Uuid::parse_str(id) else {
        return wire::not_found_500();
    };
    let Some(lock) = s.tenant(&caller.session.tenant) else {
        return wire::not_found_500();
    };
    let data = store::read(lock);
    let Some(file) = data.files.get(id) else {
        return wire::not_found_500();
    };
    let mut resp = (StatusCode::OK, file.bytes.clone()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        file.name.replace('"', "")
    )) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
