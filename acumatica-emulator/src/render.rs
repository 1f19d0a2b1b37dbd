//! Stored record → response JSON, honouring `$select`, `$expand` and `$custom`.

use std::collections::BTreeSet;

use acumatica_codegen::ir::{Entity, FieldKind, ValueKind};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::customizations::Customizations;
use crate::filter::CustomType;
use crate::model::EndpointModel;
use crate::rules;
use crate::store::{Record, TenantData, record_id};
use crate::wire::decimal;

/// What the query asks to see.
#[derive(Debug, Default, Clone)]
pub(crate) struct View {
    /// Expanded paths, lower case (`maincontact`, `maincontact/address`, `files`).
    expand: BTreeSet<String>,
    /// Selected paths, lower case; `None` selects everything.
    select: Option<BTreeSet<String>>,
    /// Requested custom fields: (entity path, lower case, `""` at the top; view; field).
    custom: Vec<(String, String, String)>,
}

fn split_list(s: Option<&str>) -> impl Iterator<Item = String> + '_ {
    s.unwrap_or("")
        .split(',')
        .map(|p| p.trim().trim_matches('/').to_lowercase())
        .filter(|p| !p.is_empty())
}

impl View {
    /// From the values of `$expand`, `$select` and `$custom`.
    pub(crate) fn parse(expand: Option<&str>, select: Option<&str>, custom: Option<&str>) -> View {
        let select: BTreeSet<String> = split_list(select).collect();
        let custom = custom
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .filter_map(|c| {
                let (path, vf) = match c.rfind('/') {
                    Some(i) => (c[..i].to_lowercase(), &c[i + 1..]),
                    None => (String::new(), c),
                };
                let (view, field) = vf.split_once('.')?;
                Some((path, view.to_owned(), field.to_owned()))
            })
            .collect();
        View {
            expand: split_list(expand).collect(),
            select: (!select.is_empty()).then_some(select),
            custom,
        }
    }

    fn expanded(&self, path: &str) -> bool {
        self.expand.contains(path)
    }

    /// Whether a field at `path` is selected; `whole` is true when an ancestor was selected as a whole.
    fn selected(&self, path: &str, whole: bool) -> (bool, bool) {
        let Some(sel) = &self.select else {
            return (true, true);
        };
        if whole || sel.contains(path) {
            return (true, true);
        }
        let prefix = format!("{path}/");
        (sel.iter().any(|s| s.starts_with(&prefix)), false)
    }
}

/// What rendering needs besides the record.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) ep: &'a EndpointModel,
    pub(crate) data: &'a TenantData,
    pub(crate) view: &'a View,
    /// The tenant's custom fields, for their types.
    pub(crate) custom: &'a Customizations,
}

/// A stable id for a linked entity that the store keeps without one.
fn derived_id(parent: Uuid, field: &str) -> Uuid {
    let digest = Sha256::new()
        .chain_update(parent.as_bytes())
        .chain_update(field.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// `_links` of a top-level record.
pub(crate) fn top_links(ep: &EndpointModel, entity: &str, id: Uuid) -> Value {
    let (graph, view) = rules::graph(entity);
    json!({
        "self": format!("{}/{entity}/{id}", ep.base()),
        "files:put": format!("{}/files/{graph}/{view}/{id}/{{filename}}", ep.base()),
    })
}

/// A value field as the wire shows it: `{}` when empty, decimals with their scale.
pub(crate) fn value_field(name: &str, kind: ValueKind, stored: Option<&Value>) -> Value {
    let v = stored.and_then(|s| s.get("value")).filter(|v| !v.is_null());
    match v {
        None => json!({}),
        Some(v) if matches!(kind, ValueKind::Decimal) => {
            json!({ "value": decimal(v, rules::decimal_scale(name)) })
        }
        Some(v) => json!({ "value": v }),
    }
}

/// Title and key text for file names: `Stock Items (ITEM001)\name`.
fn file_prefix(entity: &Entity, record: &Record, keys: &[String]) -> String {
    let title = entity.title.clone().unwrap_or_else(|| entity.name.clone());
    let keys: Vec<String> = keys
        .iter()
        .filter_map(|k| crate::store::value_text(record.get(k)))
        .collect();
    format!("{title} ({})", keys.join(", "))
}

impl Ctx<'_> {
    /// A top-level record.
    pub(crate) fn top(
        &self,
        entity: &Entity,
        record: &Record,
        row: usize,
        keys: &[String],
    ) -> Value {
        let id = record_id(record).unwrap_or_default();
        let mut out = Map::new();
        out.insert("id".into(), Value::String(id.to_string()));
        out.insert("rowNumber".into(), Value::from(row));
        out.insert("note".into(), note(record));
        self.fields(entity, record, id, "", false, &mut out);
        out.insert("custom".into(), self.custom(entity, record, ""));
        if self.view.expanded("files") {
            out.insert(
                "files".into(),
                self.files(id, &file_prefix(entity, record, keys)),
            );
        }
        out.insert("_links".into(), top_links(self.ep, &entity.name, id));
        Value::Object(out)
    }

    fn fields(
        &self,
        entity: &Entity,
        record: &Record,
        id: Uuid,
        prefix: &str,
        whole: bool,
        out: &mut Map<String, Value>,
    ) {
        for (name, field) in &entity.fields {
            let path = format!("{prefix}{}", name.to_lowercase());
            let (selected, sel_whole) = self.view.selected(&path, whole);
            if !selected {
                continue;
            }
            match &field.kind {
                FieldKind::Value(kind) => {
                    out.insert(name.clone(), value_field(name, *kind, record.get(name)));
                }
                FieldKind::Linked(target) => {
                    if !self.view.expanded(&path) {
                        continue;
                    }
                    let Some(t) = self.ep.entity(target) else {
                        continue;
                    };
                    let empty = Map::new();
                    let stored = record
                        .get(name)
                        .and_then(Value::as_object)
                        .unwrap_or(&empty);
                    let lid = record_id(stored).unwrap_or_else(|| derived_id(id, name));
                    let mut o = Map::new();
                    o.insert("id".into(), Value::String(lid.to_string()));
                    o.insert("rowNumber".into(), Value::from(1));
                    o.insert("note".into(), Value::Null);
                    self.fields(t, stored, lid, &format!("{path}/"), sel_whole, &mut o);
                    o.insert("custom".into(), self.custom(t, stored, &path));
                    out.insert(name.clone(), Value::Object(o));
                }
                FieldKind::Detail(target) => {
                    if !self.view.expanded(&path) {
                        continue;
                    }
                    let Some(t) = self.ep.entity(target) else {
                        continue;
                    };
                    let lines = record
                        .get(name)
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or(&[]);
                    let (graph, _) = rules::graph(&entity.name);
                    let rendered = lines
                        .iter()
                        .filter_map(Value::as_object)
                        .enumerate()
                        .map(|(i, line)| {
                            let lid = record_id(line).unwrap_or_else(|| derived_id(id, &format!("{name}{i}")));
                            let mut o = Map::new();
                            o.insert("id".into(), Value::String(lid.to_string()));
                            o.insert("rowNumber".into(), Value::from(i + 1));
                            o.insert("note".into(), note(line));
                            self.fields(t, line, lid, &format!("{path}/"), sel_whole, &mut o);
                            o.insert("custom".into(), self.custom(t, line, &path));
                            if self.view.expanded(&format!("{path}/files")) {
                                o.insert("files".into(), self.files(lid, &format!("{} ({name})", t.name)));
                            }
                            o.insert(
                                "_links".into(),
                                json!({ "files:put": format!("{}/files/{graph}/{name}/{lid}/{{filename}}", self.ep.base()) }),
                            );
                            Value::Object(o)
                        })
                        .collect();
                    out.insert(name.clone(), Value::Array(rendered));
                }
                FieldKind::Untyped(_) => {
                    if let Some(v) = record.get(name) {
                        out.insert(name.clone(), v.clone());
                    }
                }
            }
        }
    }

    /// The requested custom fields at `path` (`{}` when none were requested).
    fn custom(&self, entity: &Entity, record: &Record, path: &str) -> Value {
        let mut out = Map::new();
        for (p, view, field) in &self.view.custom {
            if p != path {
                continue;
            }
            let stored = record
                .get("custom")
                .and_then(|c| c.get(view))
                .and_then(|v| v.get(field))
                .cloned();
            let known = self.custom.field_of(&entity.name, view, field);
            let value = match (stored, known) {
                (Some(mut s), known) => {
                    if let (Some(obj), Some(k)) = (s.as_object_mut(), known)
                        && k.kind == CustomType::Decimal
                        && let Some(v) = obj.get("value").filter(|v| !v.is_null()).cloned()
                    {
                        obj.insert("value".into(), decimal(&v, rules::decimal_scale(field)));
                    }
                    s
                }
                (None, Some(k)) => json!({ "type": k.kind.type_name() }),
                (None, None) => continue,
            };
            let block = out.entry(view.clone()).or_insert_with(|| json!({}));
            if let Some(b) = block.as_object_mut() {
                b.insert(field.clone(), value);
            }
        }
        Value::Object(out)
    }

    fn files(&self, owner: Uuid, prefix: &str) -> Value {
        Value::Array(
            self.data
                .files
                .of(owner)
                .map(|f| {
                    json!({
                        "id": f.id.to_string(),
                        "filename": format!("{prefix}\\{}", f.name),
                        "href": format!("{}/files/{}", self.ep.base(), f.id),
                        "comment": f.comment,
                    })
                })
                .collect(),
        )
    }
}

fn note(record: &Record) -> Value {
    match record.get("note") {
        Some(Value::Object(o)) if o.get("value").is_some_and(|v| !v.is_null()) => {
            Value::Object(o.clone())
        }
        _ => json!({ "value": "" }),
    }
}

/// `{"<View>": {"<Field>": {"type": "Custom<T>Field", "value": null}}}`.
fn empty_custom<'a>(fields: impl Iterator<Item = (&'a str, &'a str, CustomType)>) -> Value {
    let mut custom = Map::new();
    for (view, field, kind) in fields {
        let block = custom.entry(view.to_owned()).or_insert_with(|| json!({}));
        if let Some(b) = block.as_object_mut() {
            b.insert(
                field.to_owned(),
                json!({ "type": kind.type_name(), "value": null }),
            );
        }
    }
    Value::Object(custom)
}

/// The `$adHocSchema` shape of an entity: every value `{}`, linked entities nested two levels,
/// every custom field with its type (inside whichever entity holds it), and the workflow
/// actions with their parameters.
pub(crate) fn ad_hoc(
    ep: &EndpointModel,
    custom: &Customizations,
    entity: &Entity,
    depth: usize,
) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), Value::String(Uuid::nil().to_string()));
    out.insert("rowNumber".into(), Value::from(1));
    out.insert(
        "note".into(),
        if depth == 0 {
            json!({ "value": "" })
        } else {
            Value::Null
        },
    );
    for (name, field) in &entity.fields {
        match &field.kind {
            FieldKind::Value(_) => {
                out.insert(name.clone(), json!({}));
            }
            FieldKind::Linked(t) | FieldKind::Detail(t) if depth < 2 => {
                if let Some(target) = ep.entity(t) {
                    let inner = ad_hoc(ep, custom, target, depth + 1);
                    let v = if matches!(field.kind, FieldKind::Detail(_)) {
                        json!([inner])
                    } else {
                        inner
                    };
                    out.insert(name.clone(), v);
                }
            }
            _ => {}
        }
    }
    out.insert(
        "custom".into(),
        empty_custom(
            custom
                .fields_of(&entity.name)
                .map(|f| (f.view.as_str(), f.field.as_str(), f.kind)),
        ),
    );
    if depth == 0 {
        let actions: Vec<Value> = custom
            .actions_of(&entity.name)
            .map(|a| {
                let params = empty_custom(
                    a.parameters
                        .iter()
                        .map(|p| (p.view.as_str(), p.field.as_str(), p.kind)),
                );
                json!({ a.name.clone(): { "parameters": { "custom": params } } })
            })
            .collect();
        out.insert("_workflowActions".into(), Value::Array(actions));
    }
    Value::Object(out)
}
