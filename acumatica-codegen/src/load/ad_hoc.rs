//! A tenant's `$adHocSchema` answers (`GET /entity/{endpoint}/{version}/{Entity}/$adHocSchema`):
//! the custom fields of every entity the answer reaches and the entity's workflow actions.
//!
//! The answer is shaped like a record: value fields are `{}`, linked entities nested objects,
//! detail collections arrays of one line, and every `custom` block lists
//! `{"<View>": {"<Field>": {"type": "Custom<T>Field", "value": null}}}`. `_workflowActions` is
//! `[{"<Action>": {"parameters": {"custom": {...}}}}]`. A custom field belongs to the entity
//! schema whose object holds it, so a field on `SalesOrderDetail` is typed wherever that entity
//! appears.
//!
//! Only what can become typed code safely is kept; everything else is a [`Warning`] that names
//! the place: names that are not identifiers (they reach `$custom` URLs and generated code), kinds
//! the runtime has no typed custom field for, and workflow actions the schema already declares.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::ir::{
    CustomField, CustomFields, Endpoint, FieldKind, ValueKind, Warning, WorkflowAction,
};

/// The custom fields and workflow actions read from `$adHocSchema` answers, before they are
/// merged into an [`Endpoint`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdHoc {
    /// Entity schema name → its custom fields.
    pub custom_fields: BTreeMap<String, CustomFields>,
    /// Top-level entity name → its workflow actions by name.
    pub workflow_actions: BTreeMap<String, BTreeMap<String, WorkflowAction>>,
    /// What was skipped, and why.
    pub warnings: Vec<Warning>,
}

/// The name a saved answer has in a directory of them: `Customer.json`.
pub fn ad_hoc_file_name(entity: &str) -> String {
    format!("{entity}.json")
}

/// Whether a name from an answer may become part of a `$custom` reference and of generated
/// code: an ASCII identifier, as Acumatica's own view and field names are.
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128
}

/// A JSON pointer one level down, escaped as RFC 6901 requires.
fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

impl AdHoc {
    /// Reads one entity's `$adHocSchema` answer. `origin` names it in warnings and errors (the
    /// file, or `Customer/$adHocSchema` for a download).
    ///
    /// ```
    /// # use acumatica_codegen::load::ad_hoc::AdHoc;
    /// let schema = br##"{"openapi":"3.0.1","info":{"title":"Default/24.200.001","version":"4"},
    ///   "paths":{"/Customer":{"get":{}}},"components":{"schemas":{
    ///   "Entity":{"type":"object","properties":{"id":{"type":"string","format":"uuid"}}},
    ///   "StringValue":{"type":"object","properties":{"value":{"type":"string"}}},
    ///   "Customer":{"allOf":[{"$ref":"#/components/schemas/Entity"},{"type":"object",
    ///     "properties":{"CustomerID":{"$ref":"#/components/schemas/StringValue"}}}]}}}}"##;
    /// let endpoint = acumatica_codegen::read_schema(schema, "inline").unwrap();
    /// let answer = br#"{"CustomerID":{},"custom":{"CurrentCustomer":{"UsrTier":{"type":"CustomStringField","value":null}}}}"#;
    /// let mut ad_hoc = AdHoc::default();
    /// ad_hoc.read(&endpoint, "Customer", answer, "Customer.json").unwrap();
    /// assert_eq!(ad_hoc.custom_fields["Customer"].len(), 1);
    /// ```
    pub fn read(
        &mut self,
        endpoint: &Endpoint,
        entity: &str,
        bytes: &[u8],
        origin: &str,
    ) -> Result<()> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Json {
            origin: origin.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let Some(top) = endpoint.top_level_entity(entity) else {
            self.warn(
                origin,
                format!(
                    "{entity:?} is not a top-level entity of {}/{}; ignored",
                    endpoint.name, endpoint.version
                ),
            );
            return Ok(());
        };
        if !value.is_object() {
            return Err(Error::schema(
                format!("{origin}#"),
                "an $adHocSchema answer is a JSON object shaped like a record",
            ));
        }
        let name = top.name.clone();
        self.walk(endpoint, &name, &value, &format!("{origin}#"), 0);
        if let Some(actions) = value.get("_workflowActions") {
            self.workflow(
                endpoint,
                &name,
                actions,
                &format!("{origin}#/_workflowActions"),
            );
        }
        Ok(())
    }

    /// Reads every `<Entity>.json` in `dir` (as `--save-schema` writes them), in name order.
    pub fn read_dir(&mut self, endpoint: &Endpoint, dir: &Path) -> Result<()> {
        let io = |source| Error::Io {
            action: "reading",
            path: dir.to_owned(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "json") && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        for path in files {
            let Some(entity) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let bytes = std::fs::read(&path).map_err(|source| Error::Io {
                action: "reading",
                path: path.clone(),
                source,
            })?;
            self.read(endpoint, entity, &bytes, &path.display().to_string())?;
        }
        Ok(())
    }

    /// Merges what was read into `endpoint`, and its warnings into the endpoint's.
    pub fn apply(self, endpoint: &mut Endpoint) {
        for (entity, fields) in self.custom_fields {
            if let Some(e) = endpoint.entities.get_mut(&entity) {
                e.custom_fields.extend(fields);
            }
        }
        for (entity, actions) in self.workflow_actions {
            if let Some(top) = endpoint
                .entities
                .get_mut(&entity)
                .and_then(|e| e.top_level.as_mut())
            {
                top.workflow_actions.extend(actions);
            }
        }
        endpoint.warnings.extend(self.warnings);
    }

    fn warn(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    /// An object of `entity`: its `custom` block, then its linked and detail members.
    fn walk(
        &mut self,
        endpoint: &Endpoint,
        entity: &str,
        value: &Value,
        pointer: &str,
        depth: usize,
    ) {
        // Linked entities can refer back to each other; an answer nests only a few levels.
        const MAX_DEPTH: usize = 16;
        let (Some(object), Some(schema)) = (value.as_object(), endpoint.entity(entity)) else {
            return;
        };
        if depth > MAX_DEPTH {
            self.warn(
                pointer,
                format!("nested more than {MAX_DEPTH} levels deep; the rest is ignored"),
            );
            return;
        }
        for (key, member) in object {
            let at = child(pointer, key);
            if key == "custom" {
                let fields = self.custom_block(member, &at);
                self.add_fields(entity, fields);
                continue;
            }
            let Some(field) = schema.fields.get(key) else {
                continue;
            };
            match (&field.kind, member) {
                (FieldKind::Linked(target), Value::Object(_)) => {
                    self.walk(endpoint, target, member, &at, depth + 1)
                }
                (FieldKind::Detail(target), Value::Array(lines)) => {
                    for (i, line) in lines.iter().enumerate() {
                        self.walk(
                            endpoint,
                            target,
                            line,
                            &child(&at, &i.to_string()),
                            depth + 1,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn add_fields(&mut self, entity: &str, fields: Vec<CustomField>) {
        for f in fields {
            let known = self.custom_fields.entry(entity.to_owned()).or_default();
            match known.get(&(f.view.clone(), f.field.clone())) {
                Some(old) if old.kind != f.kind => {
                    let message = format!(
                        "`{}.{}` of `{entity}` is {} here but {} at {}; kept the first",
                        f.view,
                        f.field,
                        f.type_name(),
                        old.type_name(),
                        old.pointer
                    );
                    self.warn(f.pointer, message);
                }
                Some(_) => {}
                None => {
                    known.insert((f.view.clone(), f.field.clone()), f);
                }
            }
        }
    }

    /// `{"<View>": {"<Field>": {"type": "Custom<T>Field", ...}}}`.
    fn custom_block(&mut self, block: &Value, pointer: &str) -> Vec<CustomField> {
        let mut out = Vec::new();
        let Some(views) = block.as_object() else {
            if !block.is_null() {
                self.warn(pointer, "`custom` is not an object; ignored");
            }
            return out;
        };
        for (view, fields) in views {
            let at_view = child(pointer, view);
            let Some(fields) = fields.as_object() else {
                self.warn(at_view, "a custom view is an object of fields; ignored");
                continue;
            };
            if !is_identifier(view) {
                self.warn(
                    at_view,
                    format!("the view name {view:?} is not an identifier; its fields are skipped"),
                );
                continue;
            }
            for (name, field) in fields {
                let at = child(&at_view, name);
                if !is_identifier(name) {
                    self.warn(
                        at,
                        format!("the field name {name:?} is not an identifier; skipped"),
                    );
                    continue;
                }
                let Some(type_name) = field
                    .get("type")
                    .or_else(|| field.get("Type"))
                    .and_then(Value::as_str)
                else {
                    self.warn(at, "a custom field without a `type` string; skipped");
                    continue;
                };
                match ValueKind::from_custom_field_type(type_name) {
                    // The runtime's `CustomField` has no date-only kind (custom fields of
                    // 26.x endpoints); such a field stays reachable untyped through `meta`.
                    Some(kind) if kind != ValueKind::DateOnly => out.push(CustomField {
                        view: view.clone(),
                        field: name.clone(),
                        kind,
                        pointer: at,
                    }),
                    _ => self.warn(
                        at,
                        format!("{type_name:?} is not a custom field type the SDK types; skipped"),
                    ),
                }
            }
        }
        out
    }

    /// `[{"<Action>": {"parameters": {"custom": {...}}}}]`.
    fn workflow(&mut self, endpoint: &Endpoint, entity: &str, actions: &Value, pointer: &str) {
        let Some(list) = actions.as_array() else {
            if !actions.is_null() {
                self.warn(pointer, "`_workflowActions` is not an array; ignored");
            }
            return;
        };
        let schema_actions: BTreeSet<String> = endpoint
            .entity(entity)
            .map(|e| e.actions().map(|a| a.name.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        for (i, item) in list.iter().enumerate() {
            let at_item = child(pointer, &i.to_string());
            let Some(members) = item.as_object() else {
                self.warn(
                    at_item,
                    "a workflow action is an object `{\"<Action>\": {...}}`; ignored",
                );
                continue;
            };
            for (name, body) in members {
                let at = child(&at_item, name);
                if !is_identifier(name) {
                    self.warn(
                        at,
                        format!("the action name {name:?} is not an identifier; skipped"),
                    );
                    continue;
                }
                if schema_actions.contains(&name.to_ascii_lowercase()) {
                    self.warn(at, format!("`{name}` is an action of the schema already; its method is the schema's"));
                    continue;
                }
                let parameters = match body.get("parameters").and_then(|p| p.get("custom")) {
                    Some(custom) => {
                        self.custom_block(custom, &child(&child(&at, "parameters"), "custom"))
                    }
                    None => Vec::new(),
                };
                let actions = self.workflow_actions.entry(entity.to_owned()).or_default();
                if actions.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                    self.warn(at, format!("`{name}` is listed twice; kept the first"));
                    continue;
                }
                actions.insert(
                    name.clone(),
                    WorkflowAction {
                        name: name.clone(),
                        parameters: parameters
                            .into_iter()
                            .map(|f| ((f.view.clone(), f.field.clone()), f))
                            .collect(),
                        pointer: at,
                    },
                );
            }
        }
    }
}
