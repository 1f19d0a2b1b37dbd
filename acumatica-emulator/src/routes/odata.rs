//! Generic inquiries over OData v4 at `/t/{tenant}/api/odata/gi`: service document, `$metadata`
//! and entity sets with `$filter`, `$orderby`, `$select`, `$top`, `$skip`.
//!
//! `$filter` is read in OData v4 syntax ([`filter::Dialect::V4`]): `contains`, unsuffixed
//! numbers, bare date-times, dates and GUIDs. The v3 forms the contract-based API takes
//! (`1000M`, `datetimeoffset'...'`, `guid'...'`, `substringof`) are refused with a 400, as a
//! tenant refuses them; evaluation is the contract API's.

use std::cmp::Ordering;

use acumatica_codegen::ir::ValueKind;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::Query;
use super::auth::check_user;
use crate::filter;
use crate::gate::{self, Caller, bearer};
use crate::rules::{self, INQUIRIES, Inquiry};
use crate::state::{AppState, State as Inner};
use crate::store;
use crate::wire;

/// Who is reading: a Basic user (no API session) or an admitted session.
#[allow(dead_code)]
enum Reader {
    Basic(String),
    Session(Caller),
}

fn unauthorized() -> Response {
    let mut resp = wire::message(
        StatusCode::UNAUTHORIZED,
        "Authorization has been denied for this request.",
    );
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Acumatica\""),
    );
    resp
}

/// Basic (a conventional user, outside the API session limit), bearer or cookie session.
async fn authenticate(
    s: &Inner,
    headers: &HeaderMap,
    tenant: &str,
) -> Result<(Reader, String), Response> {
    let Some(tenant) = s
        .config
        .tenants
        .iter()
        .find(|t| t.eq_ignore_ascii_case(tenant))
        .cloned()
    else {
        return Err(wire::message(StatusCode::NOT_FOUND, "Unknown tenant."));
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    if let Some(pair) = basic {
        let (user, password) = pair.split_once(':').unwrap_or((pair.as_str(), ""));
        // `user@Tenant` is also accepted as a login name.
        let user = user.split('@').next().unwrap_or(user);
        return match check_user(s, user, password, &tenant) {
            Some(u) => Ok((Reader::Basic(u), tenant)),
            None => Err(unauthorized()),
        };
    }
    let has_session =
        bearer(headers).is_some() || gate::cookie(headers, "ASP.NET_SessionId").is_some();
    if !has_session {
        return Err(unauthorized());
    }
    let caller = gate::admit(s, headers, gate::Access::Api).await?;
    if !caller.session.tenant.eq_ignore_ascii_case(&tenant) {
        return Err(unauthorized());
    }
    Ok((Reader::Session(caller), tenant))
}

fn base(headers: &HeaderMap, tenant: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}/t/{tenant}/api/odata/gi")
}

fn with_odata_headers(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert("OData-Version", HeaderValue::from_static("4.0"));
    resp
}

pub(super) async fn service(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let s = &*state.0;
    let (_reader, tenant) = match authenticate(s, &headers, &tenant).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let sets: Vec<Value> = available(s)
        .map(|(name, ..)| json!({ "name": name, "kind": "EntitySet", "url": name }))
        .collect();
    with_odata_headers(wire::json(
        StatusCode::OK,
        &json!({ "@odata.context": format!("{}/$metadata", base(&headers, &tenant)), "value": sets }),
    ))
}

/// The inquiries whose source entity is served.
fn available(s: &Inner) -> impl Iterator<Item = &'static Inquiry> + '_ {
    INQUIRIES
        .iter()
        .filter(|(_, source, ..)| s.model.canonical_entity(source).is_some())
}

fn edm(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::String => "Edm.String",
        ValueKind::Decimal => "Edm.Decimal",
        ValueKind::Double => "Edm.Double",
        ValueKind::Boolean => "Edm.Boolean",
        ValueKind::DateTime => "Edm.DateTimeOffset",
        ValueKind::DateOnly => "Edm.Date",
        ValueKind::Int => "Edm.Int32",
        ValueKind::Short => "Edm.Int16",
        ValueKind::Long => "Edm.Int64",
        ValueKind::Byte => "Edm.Byte",
        ValueKind::Guid => "Edm.Guid",
    }
}

fn metadata(s: &Inner) -> Response {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n    <Schema Namespace=\"GenericInquiry\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
    );
    for (name, _, columns, keys) in available(s) {
        xml.push_str(&format!(
            "      <EntityType Name=\"{name}\">\n        <Key>\n"
        ));
        for k in keys.iter() {
            xml.push_str(&format!("          <PropertyRef Name=\"{k}\" />\n"));
        }
        xml.push_str("        </Key>\n");
        for (prop, _, kind) in columns.iter() {
            let nullable = if keys.contains(prop) {
                " Nullable=\"false\""
            } else {
                ""
            };
            xml.push_str(&format!(
                "        <Property Name=\"{prop}\" Type=\"{}\"{nullable} />\n",
                edm(*kind)
            ));
        }
        xml.push_str("      </EntityType>\n");
    }
    xml.push_str("      <EntityContainer Name=\"Default\">\n");
    for (name, ..) in available(s) {
        xml.push_str(&format!(
            "        <EntitySet Name=\"{name}\" EntityType=\"GenericInquiry.{name}\" />\n"
        ));
    }
    xml.push_str("      </EntityContainer>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n");
    let mut resp = (StatusCode::OK, xml).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    with_odata_headers(resp)
}

/// The value at `A/B/C` in a stored record, unwrapped from `{"value": ..}`.
fn at_path<'r>(record: &'r Map<String, Value>, path: &str) -> Option<&'r Value> {
    let mut parts = path.split('/').peekable();
    let mut cur = record;
    while let Some(p) = parts.next() {
        let v = cur.get(p)?;
        if parts.peek().is_none() {
            return v.get("value").filter(|v| !v.is_null());
        }
        cur = v.as_object()?;
    }
    None
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => {
            let s = |v: &Value| {
                v.as_str()
                    .map(str::to_lowercase)
                    .unwrap_or_else(|| v.to_string())
            };
            s(x).cmp(&s(y))
        }
    }
}

pub(super) async fn resource(
    State(state): State<AppState>,
    Path((tenant, rest)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let s = &*state.0;
    let (_reader, tenant) = match authenticate(s, &headers, &tenant).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let rest = rest.trim_matches('/');
    if rest == "$metadata" {
        return metadata(s);
    }
    let Some((name, source, columns, _)) = available(s).find(|(n, ..)| *n == rest) else {
        return wire::message(
            StatusCode::NOT_FOUND,
            &format!("The inquiry '{rest}' is not exposed via OData."),
        );
    };
    let q = Query::parse(query.as_deref());
    for unsupported in ["$expand", "$count", "$apply"] {
        if q.get(unsupported).is_some() {
            return wire::message(
                StatusCode::BAD_REQUEST,
                &format!("The query option '{unsupported}' is not supported."),
            );
        }
    }
    let number = |n: &str| q.get(n).map(|v| v.trim().parse::<usize>());
    let (top, skip) = match (number("$top"), number("$skip")) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => {
            return wire::message(
                StatusCode::BAD_REQUEST,
                "$top and $skip must be non-negative integers.",
            );
        }
        (t, s) => (t.and_then(Result::ok), s.and_then(Result::ok).unwrap_or(0)),
    };
    let filter = match q.get("$filter").map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(f) => match filter::parse_with(f, filter::Dialect::V4) {
            Ok(e) => {
                // Unknown properties are refused, as an OData service does, not matched as null.
                for field in e.fields() {
                    let known = match field {
                        filter::FieldRef::Path(p) => {
                            p.len() == 1 && columns.iter().any(|(c, ..)| *c == p[0])
                        }
                        filter::FieldRef::Custom(_) => false,
                    };
                    if !known {
                        return wire::message(
                            StatusCode::BAD_REQUEST,
                            &format!(
                                "Could not find a property named '{field}' on type 'GenericInquiry.{name}'."
                            ),
                        );
                    }
                }
                Some(e)
            }
            Err(e) => {
                return wire::message(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Syntax error at position {} in '{f}': {}",
                        e.position, e.message
                    ),
                );
            }
        },
    };
    let select: Option<Vec<&str>> = q.get("$select").map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    });
    // Wrapped rows (`{"Prop": {"value": ..}}`) so the contract filter evaluator reads them.
    let rows: Vec<Value> = {
        let Some(lock) = s.tenant(&tenant) else {
            return wire::not_found_500();
        };
        let data = store::read(lock);
        let entity = s.model.canonical_entity(source).unwrap_or_default();
        data.table(&entity)
            .map(|t| {
                t.iter()
                    .map(|r| {
                        let mut row = Map::new();
                        for (prop, path, _) in columns.iter() {
                            let v = at_path(r, path).cloned().unwrap_or(Value::Null);
                            row.insert((*prop).to_owned(), json!({ "value": v }));
                        }
                        Value::Object(row)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let opts = filter::EvalOptions {
        case_insensitive: s.config.case_insensitive_filters,
    };
    let mut kept = Vec::new();
    for row in rows {
        if let Some(f) = &filter {
            match filter::eval(f, &row, &opts) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return wire::message(StatusCode::BAD_REQUEST, &e.to_string()),
            }
        }
        kept.push(row);
    }
    if let Some(order) = q.get("$orderby") {
        let mut keys = Vec::new();
        for part in order.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut words = part.split_whitespace();
            let prop = words.next().unwrap_or_default();
            let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return wire::message(
                        StatusCode::BAD_REQUEST,
                        &format!("Unknown sort direction '{other}'."),
                    );
                }
            };
            if !columns.iter().any(|(p, ..)| *p == prop) {
                return wire::message(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Could not find a property named '{prop}' on type 'GenericInquiry.{name}'."
                    ),
                );
            }
            keys.push((prop.to_owned(), desc));
        }
        kept.sort_by(|a, b| {
            for (prop, desc) in &keys {
                let o = compare(
                    a.get(prop)
                        .and_then(|v| v.get("value"))
                        .filter(|v| !v.is_null()),
                    b.get(prop)
                        .and_then(|v| v.get("value"))
                        .filter(|v| !v.is_null()),
                );
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
    }
    let value: Vec<Value> = kept
        .into_iter()
        .skip(skip)
        .take(top.unwrap_or(usize::MAX))
        .map(|row| {
            let mut out = Map::new();
            for (prop, _, kind) in columns.iter() {
                if select.as_ref().is_some_and(|sel| !sel.contains(prop)) {
                    continue;
                }
                let v = row
                    .get(*prop)
                    .and_then(|v| v.get("value"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let v = if matches!(kind, ValueKind::Decimal) && !v.is_null() {
                    wire::decimal(&v, rules::decimal_scale(prop))
                } else {
                    v
                };
                out.insert((*prop).to_owned(), v);
            }
            Value::Object(out)
        })
        .collect();
    with_odata_headers(wire::json(
        StatusCode::OK,
        &json!({ "@odata.context": format!("{}/$metadata#{name}", base(&headers, &tenant)), "value": value }),
    ))
}
