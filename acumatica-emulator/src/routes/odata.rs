//! Generic inquiries over OData v4 at `/t/{tenant}/api/odata/gi`: service document, `$metadata`
//! and entity sets with `$filter`, `$orderby`, `$select`, `$top`, `$skip`. An inquiry with
//! parameters is also read as `/<Name>_WithParameters(Warehouse='WHOLESALE')` or with an alias,
//! `(Warehouse=@1)?@1='WHOLESALE'`, and `$metadata` declares its `Function` and `FunctionImport`
//! (protocol notes §7); the same query options apply.
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
use crate::rules::{self, INQUIRIES, Inquiry, InquiryParameter};
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
        .map(|i| json!({ "name": i.name, "kind": "EntitySet", "url": i.name }))
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
        .filter(|i| s.model.canonical_entity(i.source).is_some())
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
    for Inquiry {
        name,
        columns,
        keys,
        ..
    } in available(s)
    {
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
    // An inquiry with parameters also gets a function and its import, `<Name>_WithParameters`.
    for i in available(s) {
        let Some(function) = i.function() else {
            continue;
        };
        xml.push_str(&format!("      <Function Name=\"{function}\">\n"));
        for p in i.parameters {
            xml.push_str(&format!(
                "        <Parameter Name=\"{}\" Type=\"{}\" />\n",
                p.name,
                edm(p.kind)
            ));
        }
        xml.push_str(&format!(
            "        <ReturnType Type=\"Collection(GenericInquiry.{})\" />\n      </Function>\n",
            i.name
        ));
    }
    xml.push_str("      <EntityContainer Name=\"Default\">\n");
    for Inquiry { name, .. } in available(s) {
        xml.push_str(&format!(
            "        <EntitySet Name=\"{name}\" EntityType=\"GenericInquiry.{name}\" />\n"
        ));
    }
    for i in available(s) {
        if let Some(function) = i.function() {
            xml.push_str(&format!(
                "        <FunctionImport Name=\"{function}\" Function=\"GenericInquiry.{function}\" EntitySet=\"{}\" />\n",
                i.name
            ));
        }
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
pub(super) fn at_path<'r>(record: &'r Map<String, Value>, path: &str) -> Option<&'r Value> {
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

pub(super) fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
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

/// The parameters a call gives a value, with the value as its condition compares it.
type Arguments = Vec<(&'static InquiryParameter, String)>;

/// The inquiry a resource path names, and the arguments of a `<Name>_WithParameters(..)` call
/// (parameters left out, null or empty are not returned: their conditions are dropped).
fn find(s: &Inner, rest: &str, q: &Query) -> Result<(&'static Inquiry, Arguments), Response> {
    let not_exposed = |what: &str| {
        wire::message(
            StatusCode::NOT_FOUND,
            &format!("The inquiry '{what}' is not exposed via OData."),
        )
    };
    let Some((function, args)) = rest.strip_suffix(')').and_then(|r| r.split_once('(')) else {
        return available(s)
            .find(|i| i.name == rest)
            .map(|i| (i, Vec::new()))
            .ok_or_else(|| not_exposed(rest));
    };
    let Some(inquiry) = available(s).find(|i| i.function().as_deref() == Some(function)) else {
        return Err(not_exposed(function));
    };
    let bad = |message: String| wire::message(StatusCode::BAD_REQUEST, &message);
    let mut out: Arguments = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for arg in split_arguments(args).map_err(|m| bad(format!("{m} in '{rest}'.")))? {
        let Some((pname, raw)) = arg.split_once('=') else {
            return Err(bad(format!(
                "Syntax error in the parameter '{arg}' of '{function}'."
            )));
        };
        let pname = pname.trim();
        let Some(param) = inquiry.parameters.iter().find(|p| p.name == pname) else {
            return Err(bad(format!(
                "The function '{function}' has no parameter named '{pname}'."
            )));
        };
        if seen.contains(&pname) {
            return Err(bad(format!(
                "The parameter '{pname}' is given twice in '{function}'."
            )));
        }
        seen.push(param.name);
        let raw = raw.trim();
        // `(Warehouse=@1)?@1='WHOLESALE'`: an alias takes its value from the query string; an
        // alias without one is null, as OData has it.
        let literal = match raw.strip_prefix('@') {
            Some(_) => q.get(raw).unwrap_or("null").trim().to_owned(),
            None => raw.to_owned(),
        };
        match parse_literal(&literal) {
            Ok(Some(v)) if !v.is_empty() => out.push((param, v)),
            Ok(_) => {}
            Err(()) => {
                return Err(bad(format!(
                    "The value {literal} of the parameter '{pname}' is not an OData literal."
                )));
            }
        }
    }
    Ok((inquiry, out))
}

/// Splits `A='x,y',B=2` at the commas outside quoted strings.
fn split_arguments(args: &str) -> Result<Vec<&str>, &'static str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in args.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted {
        return Err("Unterminated string literal");
    }
    let last = &args[start..];
    if !(out.is_empty() && last.trim().is_empty()) {
        out.push(last);
    }
    Ok(out)
}

/// An OData v4 literal as the text a condition compares: `'it''s'` → `it's`, numbers and
/// booleans as written, `null` → `None`.
fn parse_literal(raw: &str) -> Result<Option<String>, ()> {
    if raw == "null" {
        return Ok(None);
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        if inner.replace("''", "").contains('\'') {
            return Err(());
        }
        return Ok(Some(inner.replace("''", "'")));
    }
    let number = raw.parse::<f64>().is_ok_and(f64::is_finite);
    if number || raw == "true" || raw == "false" {
        return Ok(Some(raw.to_owned()));
    }
    Err(())
}

/// Whether a source record meets a parameter's condition `field = value`: text without
/// trailing blanks (and without case unless filters are case-sensitive), numbers by value.
fn matches_parameter(
    record: &Map<String, Value>,
    param: &InquiryParameter,
    want: &str,
    s: &Inner,
) -> bool {
    let Some(have) = at_path(record, param.field) else {
        return false;
    };
    match (param.kind, have) {
        (ValueKind::String | ValueKind::Guid, _) | (_, Value::String(_)) => {
            let have = have
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| have.to_string());
            let (have, want) = (have.trim_end(), want.trim_end());
            if s.config.case_insensitive_filters {
                have.to_lowercase() == want.to_lowercase()
            } else {
                have == want
            }
        }
        (_, Value::Number(n)) => want
            .parse::<f64>()
            .is_ok_and(|w| n.as_f64().is_some_and(|h| h == w)),
        (_, Value::Bool(b)) => want == if *b { "true" } else { "false" },
        _ => false,
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
    let q = Query::parse(query.as_deref());
    let (inquiry, arguments) = match find(s, rest, &q) {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let Inquiry {
        name,
        source,
        columns,
        ..
    } = inquiry;
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
                    let known = match field.base() {
                        filter::FieldRef::Path(p) => {
                            p.len() == 1 && columns.iter().any(|(c, ..)| *c == p[0])
                        }
                        filter::FieldRef::Custom(_) | filter::FieldRef::Case { .. } => false,
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
                    .filter(|r| {
                        arguments
                            .iter()
                            .all(|(p, want)| matches_parameter(r, p, want, s))
                    })
                    .map(|r| {
                        let mut row = Map::new();
                        for (prop, path, _) in columns.iter() {
                            let v = at_path(&r, path).cloned().unwrap_or(Value::Null);
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
