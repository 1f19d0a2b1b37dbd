//! PUT and PATCH: merging a request body into a stored record, with the validation that turns
//! into a 422 (entity echoed with `error` members).

use acumatica_codegen::ir::{Entity, FieldKind, ValueKind};
use chrono::FixedOffset;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::model::{EndpointModel, Model};
use crate::rules;
use crate::store::{Record, TenantData, value_text};
use crate::wire::{format_datetime, parse_datetime};

/// What a write sees of the world.
#[derive(Debug)]
pub(crate) struct WriteCtx<'a> {
    pub(crate) model: &'a Model,
    pub(crate) ep: &'a EndpointModel,
    pub(crate) data: &'a TenantData,
    pub(crate) site: FixedOffset,
}

/// A failed validation: the echoed entity with `error` members.
#[derive(Debug)]
pub(crate) struct Invalid(pub(crate) Value);

/// The key values of a body (or of URL segments), drop-down codes resolved to labels.
pub(crate) fn normalize_keys(entity: &str, fields: &[String], values: Vec<String>) -> Vec<String> {
    fields
        .iter()
        .zip(values)
        .map(
            |(f, v)| match rules::drop_down(entity, f).and_then(|d| d.resolve(&v)) {
                Some(label) => label.to_owned(),
                None => v,
            },
        )
        .collect()
}

/// The key values a body carries, if it carries all of them.
pub(crate) fn body_keys(
    entity: &str,
    fields: &[String],
    body: &Map<String, Value>,
) -> Option<Vec<String>> {
    if fields.is_empty() {
        return None;
    }
    let values: Option<Vec<String>> = fields
        .iter()
        .map(|k| value_text(body.get(k)).filter(|s| !s.trim().is_empty()))
        .collect();
    values.map(|v| normalize_keys(entity, fields, v))
}

/// The `id` a body carries.
pub(crate) fn body_id(body: &Map<String, Value>) -> Option<Uuid> {
    body.get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s.trim()).ok())
}

fn set_error(echo: &mut Map<String, Value>, field: &str, message: String) {
    let slot = echo.entry(field.to_owned()).or_insert_with(|| json!({}));
    match slot {
        Value::Object(o) => {
            o.insert("error".into(), Value::String(message));
        }
        other => *other = json!({ "value": other.clone(), "error": message }),
    }
}

/// Checks and normalizes one value for a field kind; `Err` is the field's error message.
pub(crate) fn coerce(kind: ValueKind, v: &Value, site: FixedOffset) -> Result<Value, String> {
    let bad = || {
        format!(
            "The value {v} is not valid for a field of type {}.",
            kind.wrapper_name()
        )
    };
    let int_in = |lo: i64, hi: i64| -> Result<Value, String> {
        let n = match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if (lo..=hi).contains(&n) => Ok(Value::from(n)),
            _ => Err(bad()),
        }
    };
    match kind {
        ValueKind::String => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            _ => Err(bad()),
        },
        ValueKind::Decimal | ValueKind::Double => match v {
            Value::Number(_) => Ok(v.clone()),
            // INFERENCE: some clients send decimals as strings (`"1222.80"`); accepted.
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(bad),
            _ => Err(bad()),
        },
        ValueKind::Boolean => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        ValueKind::Int => int_in(i32::MIN.into(), i32::MAX.into()),
        ValueKind::Short => int_in(i16::MIN.into(), i16::MAX.into()),
        ValueKind::Byte => int_in(0, 255),
        ValueKind::Long => int_in(i64::MIN, i64::MAX),
        ValueKind::DateTime | ValueKind::DateOnly => match v {
            Value::String(s) => parse_datetime(s, site)
                .map(|d| Value::String(format_datetime(&d)))
                .ok_or_else(bad),
            _ => Err(bad()),
        },
        ValueKind::Guid => match v {
            Value::String(s) => Uuid::parse_str(s.trim())
                .map(|u| Value::String(u.to_string()))
                .map_err(|_| bad()),
            _ => Err(bad()),
        },
    }
}

/// Whether some record of one of `targets` has the (single) key `value`.
fn reference_exists(ctx: &WriteCtx<'_>, targets: &[&str], value: &str) -> bool {
    targets.iter().any(|t| {
        ctx.data
            .table(t)
            .is_some_and(|table| table.find_by_keys(&[value.to_owned()]).is_some())
    })
}

/// Whether any of `targets` is served at all (references to unserved entities are not checked).
fn targets_served(ctx: &WriteCtx<'_>, targets: &[&str]) -> bool {
    targets
        .iter()
        .any(|t| ctx.model.canonical_entity(t).is_some())
}

struct Merge<'c, 'a> {
    ctx: &'c WriteCtx<'a>,
    /// The top-level entity, for rules.
    top: &'c str,
    failed: bool,
}

impl Merge<'_, '_> {
    /// Merges `body` into `target`, writing errors into `echo`. `path` is the rule path prefix
    /// (`""` or `Details/`).
    fn entity(
        &mut self,
        entity: &Entity,
        target: &mut Record,
        body: &Map<String, Value>,
        echo: &mut Map<String, Value>,
        path: &str,
    ) {
        for (name, v) in body {
            match name.as_str() {
                "id" | "rowNumber" | "_links" | "error" | "files" | "delete" => continue,
                "note" => {
                    let text = match v {
                        Value::String(s) => Some(Value::String(s.clone())),
                        Value::Object(o) => match o.get("value") {
                            None => continue,
                            Some(Value::Null) => Some(Value::Null),
                            Some(Value::String(s)) => Some(Value::String(s.clone())),
                            Some(_) => None,
                        },
                        Value::Null => Some(Value::Null),
                        _ => None,
                    };
                    match text {
                        Some(t) => {
                            target.insert("note".into(), json!({ "value": t }));
                        }
                        None => {
                            self.failed = true;
                            set_error(echo, "note", "The note must be a string.".into());
                        }
                    }
                    continue;
                }
                "custom" => {
                    self.custom(&entity.name, target, v, echo);
                    continue;
                }
                _ => {}
            }
            let Some(field) = entity.fields.get(name) else {
                continue;
            };
            let rule_path = format!("{path}{name}");
            match &field.kind {
                FieldKind::Value(kind) => self.value(*kind, name, &rule_path, target, v, echo),
                FieldKind::Linked(t) => {
                    let (Some(te), Some(obj)) = (self.ctx.ep.entity(t), v.as_object()) else {
                        if !v.is_null() {
                            self.failed = true;
                            set_error(echo, name, format!("{name} must be an object."));
                        }
                        continue;
                    };
                    let mut inner = target
                        .get(name)
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    let mut inner_echo = obj.clone();
                    self.entity(
                        te,
                        &mut inner,
                        obj,
                        &mut inner_echo,
                        &format!("{rule_path}/"),
                    );
                    target.insert(name.clone(), Value::Object(inner));
                    echo.insert(name.clone(), Value::Object(inner_echo));
                }
                FieldKind::Detail(t) => {
                    let (Some(te), Some(lines)) = (self.ctx.ep.entity(t), v.as_array()) else {
                        if !v.is_null() {
                            self.failed = true;
                            set_error(echo, name, format!("{name} must be an array."));
                        }
                        continue;
                    };
                    let mut stored: Vec<Value> = target
                        .get(name)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let mut echo_lines = Vec::with_capacity(lines.len());
                    for line in lines {
                        let Some(obj) = line.as_object() else {
                            self.failed = true;
                            echo_lines.push(json!({ "error": "A detail line must be an object." }));
                            continue;
                        };
                        echo_lines.push(self.line(te, &mut stored, obj, &format!("{rule_path}/")));
                    }
                    target.insert(name.clone(), Value::Array(stored));
                    echo.insert(name.clone(), Value::Array(echo_lines));
                }
                FieldKind::Untyped(_) => {
                    target.insert(name.clone(), v.clone());
                }
            }
        }
    }

    fn value(
        &mut self,
        kind: ValueKind,
        name: &str,
        rule_path: &str,
        target: &mut Record,
        v: &Value,
        echo: &mut Map<String, Value>,
    ) {
        let Some(obj) = v.as_object() else {
            self.failed = true;
            set_error(
                echo,
                name,
                format!("{name} must be an object such as {{\"value\": ...}}."),
            );
            return;
        };
        // `{}` (no `value`) changes nothing; `{"value": null}` clears (INFERENCE, protocol §3.2).
        let Some(raw) = obj.get("value") else { return };
        if raw.is_null() {
            target.insert(name.to_owned(), json!({ "value": null }));
            return;
        }
        let mut value = match coerce(kind, raw, self.ctx.site) {
            Ok(v) => v,
            Err(message) => {
                self.failed = true;
                set_error(echo, name, message);
                return;
            }
        };
        if let (Some(dd), Some(text)) = (rules::drop_down(self.top, rule_path), value.as_str()) {
            match dd.resolve(text) {
                Some(label) => value = Value::String(label.to_owned()),
                None => {
                    self.failed = true;
                    set_error(
                        echo,
                        name,
                        format!(
                            "{name}: the value '{text}' is not in the list of allowed values ({}).",
                            dd.labels()
                        ),
                    );
                    return;
                }
            }
        }
        if let Some(r) = rules::REFERENCES
            .iter()
            .find(|r| r.entity == self.top && r.path == rule_path)
        {
            let text = value_text(Some(&json!({ "value": value.clone() }))).unwrap_or_default();
            if targets_served(self.ctx, r.targets) && !reference_exists(self.ctx, r.targets, &text)
            {
                self.failed = true;
                set_error(
                    echo,
                    name,
                    format!("'{}' cannot be found in the system.", r.label),
                );
                return;
            }
        }
        target.insert(name.to_owned(), json!({ "value": value }));
    }

    fn custom(
        &mut self,
        entity: &str,
        target: &mut Record,
        v: &Value,
        echo: &mut Map<String, Value>,
    ) {
        let Some(views) = v.as_object() else { return };
        let mut stored = target
            .get("custom")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (view, fields) in views {
            let Some(fields) = fields.as_object() else {
                continue;
            };
            let block = stored.entry(view.clone()).or_insert_with(|| json!({}));
            let Some(block) = block.as_object_mut() else {
                continue;
            };
            for (field, cf) in fields {
                let Some(cf) = cf.as_object() else { continue };
                let Some(raw) = cf.get("value") else { continue };
                // A declared field keeps its declared type, whatever the body says; an
                // undeclared one is stored with the type the body gives.
                let known = self.ctx.model.custom.field_of(entity, view, field);
                let ty = known.map(|k| k.kind.type_name()).unwrap_or_else(|| {
                    cf.get("type")
                        .or_else(|| cf.get("Type"))
                        .and_then(Value::as_str)
                        .map_or_else(|| "CustomStringField".into(), str::to_owned)
                });
                let kind = known
                    .map(|k| k.kind.value_kind())
                    .or_else(|| ValueKind::from_custom_field_type(&ty));
                let value = match (kind, raw.is_null()) {
                    (_, true) | (None, _) => Ok(raw.clone()),
                    (Some(k), false) => coerce(k, raw, self.ctx.site).map_err(|_| {
                        format!("The value {raw} is not valid for a field of type {ty}.")
                    }),
                };
                match value {
                    Ok(value) => {
                        block.insert(field.clone(), json!({ "type": ty, "value": value }));
                    }
                    Err(message) => {
                        self.failed = true;
                        let e = echo.entry("custom").or_insert_with(|| v.clone());
                        if let Some(slot) = e
                            .get_mut(view)
                            .and_then(|b| b.get_mut(field))
                            .and_then(Value::as_object_mut)
                        {
                            slot.insert("error".into(), Value::String(message));
                        }
                    }
                }
            }
        }
        target.insert("custom".into(), Value::Object(stored));
    }

    /// Applies one body line to the stored lines: update by id or keys, delete, or insert.
    /// Returns the echoed line.
    fn line(
        &mut self,
        entity: &Entity,
        stored: &mut Vec<Value>,
        body: &Map<String, Value>,
        path: &str,
    ) -> Value {
        let mut echo = body.clone();
        let keys: Vec<&str> = rules::DETAIL_KEYS
            .iter()
            .find(|(e, _)| *e == entity.name)
            .map(|(_, k)| k.to_vec())
            .unwrap_or_else(|| {
                if entity.fields.contains_key("LineNbr") {
                    vec!["LineNbr"]
                } else {
                    vec![]
                }
            });
        let by_id = body_id(body);
        let by_keys: Option<Vec<String>> = if keys.is_empty() {
            None
        } else {
            keys.iter().map(|k| value_text(body.get(*k))).collect()
        };
        let position = stored.iter().position(|l| {
            let Some(l) = l.as_object() else { return false };
            if let Some(id) = by_id {
                return body_id(l) == Some(id);
            }
            match &by_keys {
                Some(kv) => keys
                    .iter()
                    .zip(kv)
                    .all(|(k, v)| value_text(l.get(*k)).as_deref() == Some(v.as_str())),
                None => false,
            }
        });
        let delete = body.get("delete").and_then(Value::as_bool).unwrap_or(false);
        match (position, delete) {
            (Some(i), true) => {
                stored.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => {
                let mut line = stored[i].as_object().cloned().unwrap_or_default();
                self.entity(entity, &mut line, body, &mut echo, path);
                stored[i] = Value::Object(line);
            }
            (None, false) => {
                let mut line = Map::new();
                let id = Uuid::new_v4();
                line.insert("id".into(), Value::String(id.to_string()));
                line.insert("note".into(), json!({ "value": "" }));
                self.entity(entity, &mut line, body, &mut echo, path);
                if entity
                    .fields
                    .get("LineNbr")
                    .is_some_and(|f| matches!(f.kind, FieldKind::Value(_)))
                    && value_text(line.get("LineNbr")).is_none()
                {
                    let next = stored
                        .iter()
                        .filter_map(|l| l.get("LineNbr")?.get("value")?.as_i64())
                        .max()
                        .unwrap_or(0)
                        + 1;
                    line.insert("LineNbr".into(), json!({ "value": next }));
                }
                echo.insert("id".into(), Value::String(id.to_string()));
                stored.push(Value::Object(line));
            }
        }
        Value::Object(echo)
    }
}

/// Applies the graph's totals (rules::TOTALS).
fn totals(entity: &str, record: &mut Record) {
    for rules::Total {
        entity: e,
        detail,
        quantity: qty,
        unit_price: price,
        line_amount: amount,
        total,
    } in rules::TOTALS
    {
        if *e != entity {
            continue;
        }
        let num = |v: Option<&Value>| v.and_then(|v| v.get("value")).and_then(Value::as_f64);
        let Some(lines) = record.get_mut(*detail).and_then(Value::as_array_mut) else {
            continue;
        };
        let mut sum = 0.0;
        for line in lines.iter_mut().filter_map(Value::as_object_mut) {
            let (Some(q), Some(p)) = (num(line.get(*qty)), num(line.get(*price))) else {
                continue;
            };
            let ext = ((q * p) * 10_000.0).round() / 10_000.0;
            line.insert((*amount).to_owned(), json!({ "value": ext }));
            sum += ext;
        }
        record.insert(
            (*total).to_owned(),
            json!({ "value": (sum * 10_000.0).round() / 10_000.0 }),
        );
    }
}

/// Merges `body` into `existing` (or a new record when `None`). On success returns the record to
/// store; on failure the echoed entity with `error` members.
pub(crate) fn apply(
    ctx: &WriteCtx<'_>,
    entity: &Entity,
    existing: Option<&Record>,
    body: &Map<String, Value>,
    numbering: &mut dyn FnMut(&str) -> u64,
) -> Result<Record, Invalid> {
    let inserting = existing.is_none();
    let mut record = existing.cloned().unwrap_or_else(|| {
        let mut r = Map::new();
        r.insert("note".into(), json!({ "value": "" }));
        r.insert("custom".into(), json!({}));
        r
    });
    let mut echo = body.clone();
    let mut merge = Merge {
        ctx,
        top: &entity.name,
        failed: false,
    };
    merge.entity(entity, &mut record, body, &mut echo, "");
    let mut failed = merge.failed;

    if inserting {
        for d in rules::DEFAULTS {
            if d.entity == entity.name
                && crate::model::is_value(entity, d.field)
                && value_text(record.get(d.field)).is_none()
            {
                record.insert(d.field.to_owned(), json!({ "value": d.value.to_json() }));
            }
        }
        for rule in rules::IMPLIED_ON_INSERT {
            let (when, decides) = rule.when;
            let (then, value) = rule.then;
            if rule.entity == entity.name
                && crate::model::is_value(entity, then)
                && record.get(when).and_then(|h| h.get("value")) == Some(&decides.to_json())
                && !body.contains_key(then)
            {
                record.insert(then.to_owned(), json!({ "value": value.to_json() }));
            }
        }
        for key in ctx.model.keys_of(&entity.name) {
            if value_text(record.get(key)).is_some_and(|s| !s.trim().is_empty()) {
                continue;
            }
            let kind = match entity.fields.get(key).map(|f| &f.kind) {
                Some(FieldKind::Value(k)) => Some(*k),
                _ => None,
            };
            if rules::is_auto_numbered(&entity.name, key, kind) {
                let n = numbering(&format!("{}.{key}", entity.name));
                record.insert(
                    key.clone(),
                    json!({ "value": rules::format_number(&entity.name, key, kind, n) }),
                );
            } else {
                failed = true;
                set_error(&mut echo, key, format!("'{key}' cannot be empty."));
            }
        }
        for (e, field) in rules::REQUIRED_ON_INSERT {
            // A value that was given but refused already carries its own error.
            if *e == entity.name
                && crate::model::is_value(entity, field)
                && value_text(record.get(*field)).is_none()
                && !body.contains_key(*field)
            {
                failed = true;
                set_error(&mut echo, field, format!("'{field}' cannot be empty."));
            }
        }
    }
    if failed {
        let verb = if inserting { "Inserting" } else { "Updating" };
        let title = entity.title.clone().unwrap_or_else(|| entity.name.clone());
        echo.insert(
            "error".into(),
            Value::String(format!(
                "{verb}  '{title}' record raised at least one error. Please review the errors."
            )),
        );
        if let Some(id) = existing.and_then(crate::store::record_id) {
            echo.insert("id".into(), Value::String(id.to_string()));
        }
        return Err(Invalid(Value::Object(echo)));
    }
    totals(&entity.name, &mut record);
    if crate::model::is_value(entity, "LastModifiedDateTime") {
        // From the system clock through `std` (chrono's `clock` feature is not enabled).
        let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .with_timezone(&ctx.site);
        record.insert(
            "LastModifiedDateTime".into(),
            json!({ "value": format_datetime(&now) }),
        );
    }
    Ok(record)
}
