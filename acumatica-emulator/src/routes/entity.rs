//! The contract-based entity API under `/entity/{endpoint}/{version}/`: dispatch by URL shape,
//! list, get, put, patch and delete, generic over every entity of the schema.

use acumatica_codegen::ir::Entity;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Query, actions, files, meta};
use crate::config::Acceptance;
use crate::filter;
use crate::gate::{self, Access, Caller};
use crate::model::EndpointModel;
use crate::render::{Ctx, View};
use crate::state::{AppState, State as Inner};
use crate::store::{self, TenantData};
use crate::wire;
use crate::write::{self, Invalid, WriteCtx, body_id, body_keys, normalize_keys};

fn not_found_route() -> Response {
    wire::message(
        StatusCode::NOT_FOUND,
        "No HTTP resource was found that matches the request URI.",
    )
}

pub(super) async fn dispatch(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let s = &*state.0;
    // Split on the raw path's `/` before decoding: `%2F` is part of a segment's value. The raw
    // segments are kept for key values, which split on a literal `|` only (`%7C` is a value).
    let mut raw: Vec<&str> = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .skip(1)
        .collect();
    while raw.len() > 2 && raw.last().is_some_and(|seg| seg.is_empty()) {
        raw.pop();
    }
    let segs: Vec<String> = raw.iter().map(|seg| decode(seg)).collect();
    let (Some(ep_name), Some(version)) = (segs.first(), segs.get(1)) else {
        return not_found_route();
    };
    let Some(ep) = s.model.endpoint(ep_name, version) else {
        return not_found_route();
    };
    let rest: Vec<&str> = segs[2..].iter().map(String::as_str).collect();
    // The raw segments after the entity name, parallel to `rest[1..]`.
    let raw_keys = raw.get(3..).unwrap_or_default();
    let q = Query::parse(uri.query());

    if method == Method::GET && rest == ["swagger.json"] {
        return meta::swagger(s, ep, &headers, &q).await;
    }
    let access = match (&method, rest.as_slice()) {
        (&Method::GET, [_, _, "status", op]) => {
            Uuid::parse_str(op).map_or(Access::Api, Access::Poll)
        }
        _ => Access::Api,
    };
    let caller = match gate::admit(s, &headers, access).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    match (&method, rest.as_slice()) {
        (&Method::GET, ["files", id]) => return files::download(s, &caller, id),
        (&Method::PUT, ["files", .., id, name]) if rest.len() >= 4 => {
            return files::upload_by_id(s, ep, &caller, id, name, &headers, body);
        }
        _ => {}
    }
    let Some(entity_name) = rest.first() else {
        return not_found_route();
    };
    let Some(entity) = ep.top_level(entity_name) else {
        return not_found_route();
    };
    match (&method, &rest[1..]) {
        (&Method::GET, []) => list(s, ep, entity, &caller, &q, show_archived(&headers)),
        (&Method::PUT, []) => put(s, ep, entity, &caller, &q, &headers, &body, false),
        (&Method::PATCH, []) => put(s, ep, entity, &caller, &q, &headers, &body, true),
        (&Method::GET, ["$adHocSchema"]) => meta::ad_hoc_schema(s, ep, entity),
        (&Method::POST, [action]) => actions::invoke(&state, ep, entity, &caller, action, &body),
        (&Method::GET, [action, "status", op]) if actions::is_action(s, entity, action) => {
            actions::status(s, ep, entity, action, op)
        }
        (&Method::PUT, [keys @ .., "files", name]) if !keys.is_empty() => {
            let values = key_values(&raw_keys[..keys.len().min(raw_keys.len())]);
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            files::upload_by_keys(s, ep, entity, &caller, &values, name, &headers, body)
        }
        (&Method::GET, keys) => {
            if keys.is_empty() {
                return not_found_route();
            }
            let values = key_values(raw_keys);
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            get_one(s, ep, entity, &caller, &values, &q, show_archived(&headers))
        }
        (&Method::DELETE, keys) if !keys.is_empty() => {
            let values = key_values(raw_keys);
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            delete(s, entity, &caller, &values)
        }
        _ => not_found_route(),
    }
}

/// Percent-decodes one raw path segment (or one `|`-separated part of it).
fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// The key values that raw (not yet decoded) key segments carry: `/SO/000001` and
/// `/SO|000001` both give `["SO", "000001"]`. Only a literal `|` or `/` separates values; an
/// encoded `%7C` or `%2F` is part of one (`/Customer/A%7CB` is the one key `A|B`).
fn key_values(raw: &[&str]) -> Vec<String> {
    raw.iter()
        .flat_map(|seg| seg.split('|'))
        .map(decode)
        .collect()
}

/// The id of the record that key values name (see [`key_values`]): an id alone, or exactly as
/// many values as the entity has key fields (one value too many or too few finds nothing).
pub(super) fn locate(s: &Inner, data: &TenantData, entity: &Entity, keys: &[&str]) -> Option<Uuid> {
    let table = data.table(&entity.name)?;
    if let [one] = keys
        && let Ok(id) = Uuid::parse_str(one.trim())
        && table.contains(id)
    {
        return Some(id);
    }
    let fields = s.model.keys_of(&entity.name);
    if keys.len() != fields.len() {
        return None;
    }
    let values = keys.iter().map(|k| (*k).to_owned()).collect();
    table.find_by_keys(&normalize_keys(&entity.name, fields, values))
}

/// The refusal of a `$filter` a tenant would not accept. The status is UNKNOWN on a tenant
/// (OData parse errors surface as 500 HttpErrors through Web API); configurable.
fn filter_error(s: &Inner, input: &str, position: usize, message: &str) -> Response {
    let status = StatusCode::from_u16(s.config.filter_error_status)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    wire::http_error(
        status,
        &format!("Syntax error at position {position} in '{input}': {message}"),
        "Microsoft.Data.OData.ODataException",
    )
}

/// A contract-API `$filter`, with the unconfirmed functions when the configuration takes them.
pub(crate) fn parse_condition(s: &Inner, f: &str) -> Result<filter::Expr, filter::FilterError> {
    match s.config.unconfirmed_functions {
        Acceptance::Accept => filter::parse_unconfirmed(f),
        Acceptance::Refuse => filter::parse(f),
    }
}

fn parse_filter(
    s: &Inner,
    ep: &EndpointModel,
    entity: &Entity,
    q: &Query,
) -> Result<Option<filter::Expr>, Response> {
    let Some(f) = q.get("$filter").map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let expr = parse_condition(s, f).map_err(|e| filter_error(s, f, e.position, &e.message))?;
    for field in expr.fields() {
        let filter::FieldRef::Path(path) = field.base() else {
            continue;
        };
        check_path(ep, entity, path).map_err(|message| {
            wire::http_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &message,
                "PX.Api.ContractBased.OData.ODataFilterException",
            )
        })?;
    }
    Ok(Some(expr))
}

/// A `$filter` path must name a value field, through linked entities (field names as in the
/// schema): a tenant refuses unknown names rather than matching nothing.
fn check_path(ep: &EndpointModel, entity: &Entity, path: &[String]) -> Result<(), String> {
    let mut current = entity;
    for (i, segment) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let Some(field) = current.fields.get(segment) else {
            return Err(format!(
                "The field '{}' is not found in the {} entity.",
                path[..=i].join("/"),
                entity.name
            ));
        };
        match (&field.kind, last) {
            (
                acumatica_codegen::ir::FieldKind::Value(_)
                | acumatica_codegen::ir::FieldKind::Untyped(_),
                true,
            ) => {}
            (
                acumatica_codegen::ir::FieldKind::Linked(t)
                | acumatica_codegen::ir::FieldKind::Detail(t),
                false,
            ) => match ep.entity(t) {
                Some(next) => current = next,
                None => {
                    return Err(format!(
                        "The field '{}' cannot be resolved.",
                        path[..=i].join("/")
                    ));
                }
            },
            _ => {
                return Err(format!(
                    "'{}' is not a value field and cannot be compared.",
                    path[..=i].join("/")
                ));
            }
        }
    }
    Ok(())
}

fn eval_options(s: &Inner) -> filter::EvalOptions {
    filter::EvalOptions {
        case_insensitive: s.config.case_insensitive_filters,
    }
}

fn eval_error(e: &filter::EvalError) -> Response {
    wire::http_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        &e.to_string(),
        "PX.Api.ContractBased.OData.ODataFilterException",
    )
}

fn tenant<'s>(
    s: &'s Inner,
    caller: &Caller,
) -> Result<&'s std::sync::RwLock<TenantData>, Response> {
    s.tenant(&caller.session.tenant).ok_or_else(|| {
        wire::http_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Unknown tenant.",
            "PX.Data.PXUndefinedCompanyException",
        )
    })
}

/// `PX-ApiArchive: SHOW` makes archived records visible to this request (protocol notes §2;
/// D-ARCHIVE: "archived records are hidden by default"). The value is compared without case
/// (UNKNOWN on a tenant); any other value leaves them hidden.
fn show_archived(headers: &HeaderMap) -> bool {
    headers
        .get("PX-ApiArchive")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("SHOW"))
}

/// Lists records; archived ones only with `show_archived`.
fn list(
    s: &Inner,
    ep: &EndpointModel,
    entity: &Entity,
    caller: &Caller,
    q: &Query,
    show_archived: bool,
) -> Response {
    // Not among the contract API's parameters (D-PARAMETER); a tenant's Web API refuses them.
    // INFERENCE: 400 with an HttpError naming the parameter. `$orderby` is served when the
    // configuration accepts it (UNKNOWN on a tenant).
    let orderby = s.config.contract_orderby == Acceptance::Accept;
    if let Some(bad) = q.names().find(|n| {
        (!orderby && n.eq_ignore_ascii_case("$orderby"))
            || ["$count", "$inlinecount", "$apply", "$search", "$levels"]
                .iter()
                .any(|b| b.eq_ignore_ascii_case(n))
    }) {
        return wire::message(
            StatusCode::BAD_REQUEST,
            &format!("The query parameter '{bad}' is not supported."),
        );
    }
    let number = |name: &str| -> Result<Option<usize>, Response> {
        match q.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
                wire::message(
                    StatusCode::BAD_REQUEST,
                    &format!("The value '{v}' is not valid for {name}."),
                )
            }),
        }
    };
    let (top, skip) = match (number("$top"), number("$skip")) {
        (Ok(t), Ok(s)) => (t, s.unwrap_or(0)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let filter = match parse_filter(s, ep, entity, q) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let order = match q.get("$orderby").filter(|_| orderby) {
        Some(o) => match parse_orderby(ep, entity, o) {
            Ok(keys) => keys,
            Err(r) => return r,
        },
        None => Vec::new(),
    };
    let lock = match tenant(s, caller) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let view = View::parse(q.get("$expand"), q.get("$select"), q.get("$custom"));
    let data = store::read(lock);
    let ctx = Ctx {
        ep,
        data: &data,
        view: &view,
        custom: &s.model.custom,
    };
    let keys = s.model.keys_of(&entity.name);
    let opts = eval_options(s);
    let want = top.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let Some(table) = data.table(&entity.name) else {
        return wire::json(StatusCode::OK, &Value::Array(out));
    };
    if !order.is_empty() {
        return sorted_list(
            s,
            &ctx,
            entity,
            table,
            filter.as_ref(),
            &order,
            (skip, want),
            show_archived,
        );
    }
    let Some(f) = &filter else {
        // Without a condition the page starts at its place: no record before it is read.
        for pos in table.positions(skip, show_archived).take(want) {
            out.push(ctx.top(entity, &table.record(pos), out.len() + 1, keys));
        }
        return wire::json(StatusCode::OK, &Value::Array(out));
    };
    let mut skipped = 0;
    let names = table.filter_names(f);
    for pos in matching_candidates(table, f, show_archived) {
        if out.len() >= want {
            break;
        }
        if !show_archived && table.archived_at(pos) {
            continue;
        }
        match filter::eval(f, &Value::Object(table.filter_view(pos, &names)), &opts) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => return eval_error(&e),
        }
        if skipped < skip {
            skipped += 1;
            continue;
        }
        out.push(ctx.top(entity, &table.record(pos), out.len() + 1, keys));
    }
    wire::json(StatusCode::OK, &Value::Array(out))
}

/// One key of a contract-API `$orderby`: a value field's path and whether it sorts down.
type OrderKey = (Vec<String>, bool);

/// `Field [asc|desc], ...` with value fields (linked paths too) of the entity; a bad one is
/// refused as a bad `$filter` path is (INFERENCE: a tenant that took `$orderby` would refuse
/// an unknown field somehow; how is UNKNOWN).
fn parse_orderby(
    ep: &EndpointModel,
    entity: &Entity,
    order: &str,
) -> Result<Vec<OrderKey>, Response> {
    let mut keys = Vec::new();
    for part in order.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let path: Vec<String> = words
            .next()
            .unwrap_or_default()
            .split('/')
            .map(str::to_owned)
            .collect();
        let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(wire::message(
                    StatusCode::BAD_REQUEST,
                    &format!("Unknown sort direction '{other}' in $orderby."),
                ));
            }
        };
        if words.next().is_some() {
            return Err(wire::message(
                StatusCode::BAD_REQUEST,
                &format!("The $orderby item '{part}' is not 'Field [asc|desc]'."),
            ));
        }
        check_path(ep, entity, &path).map_err(|message| {
            wire::message(StatusCode::BAD_REQUEST, &format!("$orderby: {message}"))
        })?;
        keys.push((path, desc));
    }
    Ok(keys)
}

/// A list sorted by `$orderby` (the configuration accepts it): every matching record is read,
/// sorted stably (nulls first, strings without case, numbers by value), then paged.
#[allow(clippy::too_many_arguments)]
fn sorted_list(
    s: &Inner,
    ctx: &Ctx<'_>,
    entity: &Entity,
    table: &store::Table,
    f: Option<&filter::Expr>,
    order: &[OrderKey],
    (skip, want): (usize, usize),
    show_archived: bool,
) -> Response {
    let opts = eval_options(s);
    let names = table.member_names(
        order
            .iter()
            .filter_map(|(p, _)| p.first().map(String::as_str)),
    );
    let filter_names = f.map(|f| table.filter_names(f));
    let mut rows = Vec::new();
    let candidates = match f {
        Some(f) => matching_candidates(table, f, show_archived),
        None => Box::new(table.positions(0, show_archived)),
    };
    for pos in candidates {
        if !show_archived && table.archived_at(pos) {
            continue;
        }
        if let (Some(f), Some(n)) = (f, &filter_names) {
            match filter::eval(f, &Value::Object(table.filter_view(pos, n)), &opts) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return eval_error(&e),
            }
        }
        let view = table.filter_view(pos, &names);
        let values: Vec<Option<Value>> = order
            .iter()
            .map(|(path, _)| super::odata::at_path(&view, &path.join("/")).cloned())
            .collect();
        rows.push((pos, values));
    }
    rows.sort_by(|(_, a), (_, b)| {
        for (i, (_, desc)) in order.iter().enumerate() {
            let o = super::odata::compare(a[i].as_ref(), b[i].as_ref());
            let o = if *desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    let keys = s.model.keys_of(&entity.name);
    let out: Vec<Value> = rows
        .into_iter()
        .skip(skip)
        .take(want)
        .enumerate()
        .map(|(i, (pos, _))| ctx.top(entity, &table.record(pos), i + 1, keys))
        .collect();
    wire::json(StatusCode::OK, &Value::Array(out))
}

/// The records a condition has to be evaluated on, in order: through the key index when it
/// names the keys (`CustomerID eq 'C001'`), else every record (archived ones too with
/// `include_archived`; the caller still evaluates the condition on each).
fn matching_candidates<'t>(
    table: &'t store::Table,
    f: &filter::Expr,
    include_archived: bool,
) -> Box<dyn Iterator<Item = store::Pos> + 't> {
    match table.filter_candidates(f) {
        Some(c) => Box::new(c.into_iter()),
        None => Box::new(table.positions(0, include_archived)),
    }
}

fn get_one(
    s: &Inner,
    ep: &EndpointModel,
    entity: &Entity,
    caller: &Caller,
    segs: &[&str],
    q: &Query,
    show_archived: bool,
) -> Response {
    let lock = match tenant(s, caller) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let data = store::read(lock);
    let Some(id) = locate(s, &data, entity, segs) else {
        return wire::not_found_500();
    };
    // INFERENCE: "hidden by default" holds for a read by key or id too; it is not found.
    if !show_archived && data.is_archived(id) {
        return wire::not_found_500();
    }
    let Some(record) = data.get(&entity.name, id) else {
        return wire::not_found_500();
    };
    let view = View::parse(q.get("$expand"), q.get("$select"), q.get("$custom"));
    let ctx = Ctx {
        ep,
        data: &data,
        view: &view,
        custom: &s.model.custom,
    };
    wire::json(
        StatusCode::OK,
        &ctx.top(entity, &record, 1, s.model.keys_of(&entity.name)),
    )
}

fn delete(s: &Inner, entity: &Entity, caller: &Caller, segs: &[&str]) -> Response {
    let lock = match tenant(s, caller) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut data = store::write(lock);
    let Some(id) = locate(s, &data, entity, segs) else {
        return wire::not_found_500();
    };
    if data.remove(&entity.name, id).is_none() {
        return wire::not_found_500();
    }
    s.metrics.write(&entity.name, id);
    s.store.mark_dirty();
    StatusCode::NO_CONTENT.into_response()
}

fn is_star(headers: &HeaderMap, name: header::HeaderName) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "*")
}

/// Parses a JSON object body, or answers 400.
pub(super) fn object_body(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(wire::bad_json("The request body must be a JSON object.")),
        Err(e) => Err(wire::bad_json(&e.to_string())),
    }
}

#[allow(clippy::too_many_arguments)]
fn put(
    s: &Inner,
    ep: &EndpointModel,
    entity: &Entity,
    caller: &Caller,
    q: &Query,
    headers: &HeaderMap,
    body: &[u8],
    patch: bool,
) -> Response {
    let body = match object_body(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let if_none = is_star(headers, header::IF_NONE_MATCH);
    let if_match = is_star(headers, header::IF_MATCH);
    if patch && if_none {
        return wire::message(
            StatusCode::PRECONDITION_FAILED,
            "PATCH updates existing records only; If-None-Match: * cannot be satisfied.",
        );
    }
    let filter = match parse_filter(s, ep, entity, q) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lock = match tenant(s, caller) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut data = store::write(lock);
    let key_fields = s.model.keys_of(&entity.name).to_vec();
    let existing_id = match (&filter, data.table(&entity.name)) {
        (_, None) => None,
        (Some(f), Some(table)) => {
            let opts = eval_options(s);
            let names = table.filter_names(f);
            let mut found = None;
            for pos in matching_candidates(table, f, true) {
                match filter::eval(f, &Value::Object(table.filter_view(pos, &names)), &opts) {
                    Ok(true) => {
                        found = Some(table.id(pos));
                        break;
                    }
                    Ok(false) => {}
                    Err(e) => return eval_error(&e),
                }
            }
            found
        }
        (None, Some(table)) => body_id(&body).filter(|id| table.contains(*id)).or_else(|| {
            body_keys(&entity.name, &key_fields, &body).and_then(|k| table.find_by_keys(&k))
        }),
    };
    match (existing_id, if_none, if_match) {
        (Some(_), true, _) => {
            return wire::message(
                StatusCode::PRECONDITION_FAILED,
                "The entity cannot be inserted because an entity with these keys already exists.",
            );
        }
        (None, _, true) => {
            return wire::message(
                StatusCode::PRECONDITION_FAILED,
                "The entity cannot be updated because no entity with these keys exists.",
            );
        }
        (None, _, _) if patch => {
            return wire::message(StatusCode::NOT_FOUND, "No entity satisfies the condition.");
        }
        _ => {}
    }
    let mut counters = data.counters.clone();
    let result = {
        let ctx = WriteCtx {
            model: &s.model,
            ep,
            data: &data,
            site: s.site,
        };
        let existing = existing_id.and_then(|id| data.get(&entity.name, id));
        write::apply(&ctx, entity, existing.as_ref(), &body, &mut |c: &str| {
            let n = counters.entry(c.to_owned()).or_insert(0);
            *n += 1;
            *n
        })
    };
    let record = match result {
        Ok(r) => r,
        Err(Invalid(echo)) => return wire::json(StatusCode::UNPROCESSABLE_ENTITY, &echo),
    };
    let stored = match existing_id {
        Some(id) => data.replace(&entity.name, id, record).map(|()| id),
        None => data.insert(&entity.name, &key_fields, record),
    };
    let id = match stored {
        Ok(id) => id,
        Err(e) => {
            let mut echo = body.clone();
            echo.insert("error".into(), Value::String(format!("{e}.")));
            return wire::json(StatusCode::UNPROCESSABLE_ENTITY, &Value::Object(echo));
        }
    };
    data.counters = counters;
    s.metrics.write(&entity.name, id);
    s.store.mark_dirty();
    let view = View::parse(q.get("$expand"), q.get("$select"), q.get("$custom"));
    let ctx = Ctx {
        ep,
        data: &data,
        view: &view,
        custom: &s.model.custom,
    };
    match data.get(&entity.name, id) {
        Some(record) => wire::json(StatusCode::OK, &ctx.top(entity, &record, 1, &key_fields)),
        None => wire::not_found_500(),
    }
}
