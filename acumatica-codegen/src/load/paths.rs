//! Reads `paths` into the operations and actions of each top-level entity.
//!
//! Paths are recognised by shape (`/{Entity}`, `/{Entity}/{id}`, `/{Entity}/{Action}`...) and
//! HTTP method, not by `operationId`, so a tenant's renamed operations still read correctly.

use std::collections::BTreeMap;

use super::format::Document;
use super::node::Node;
use crate::error::Result;
use crate::ir::{Operation, Warning};

/// What the paths say about one top-level entity.
#[derive(Debug, Default)]
pub(crate) struct EntityPaths {
    /// Pointer of the first path that mentions the entity.
    pub(crate) pointer: String,
    pub(crate) operations: std::collections::BTreeSet<Operation>,
    /// Action name → (invocation schema name, pointer of the operation).
    pub(crate) actions: BTreeMap<String, (String, String)>,
    pub(crate) custom_actions: bool,
}

/// Top-level entity name → what its paths declare.
pub(crate) type Paths = BTreeMap<String, EntityPaths>;

pub(crate) fn read(doc: &Document<'_>, warnings: &mut Vec<Warning>) -> Result<Paths> {
    let mut out = Paths::new();
    let Some(paths) = doc.root.get("paths") else {
        warnings.push(Warning {
            pointer: "#/paths".into(),
            message: "the document has no `paths`: no top-level entities".into(),
        });
        return Ok(out);
    };
    for (path, item) in paths.entries()? {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let Some(&entity) = segments.first().filter(|s| !s.is_empty() && !is_param(s)) else {
            warnings.push(skip(&item, path));
            continue;
        };
        for (method, op) in item.entries()? {
            if !matches!(method, "get" | "put" | "post" | "delete" | "patch") {
                continue; // `parameters`, `summary`, vendor extensions
            }
            let found = match (method, &segments[1..]) {
                ("get", []) => Some(Found::Op(Operation::GetList)),
                ("put", []) => Some(Found::Op(Operation::PutEntity)),
                ("get", ["{id}"]) => Some(Found::Op(Operation::GetById)),
                ("delete", ["{id}"]) => Some(Found::Op(Operation::DeleteById)),
                ("get", ["{ids}"]) => Some(Found::Op(Operation::GetByKeys)),
                ("delete", ["{ids}"]) => Some(Found::Op(Operation::DeleteByKeys)),
                ("put", ["{ids}", "files", "{filename}"]) => Some(Found::Op(Operation::PutFile)),
                ("get", ["$adHocSchema"]) => Some(Found::Op(Operation::GetAdHocSchema)),
                ("post", ["{actionName}"]) => Some(Found::CustomActions),
                ("post", [action]) if !is_param(action) => Some(Found::Action(action)),
                _ => None,
            };
            let Some(found) = found else {
                warnings.push(Warning {
                    pointer: op.pointer.clone(),
                    message: format!(
                        "{} {path} is not an operation the generator knows; skipped",
                        method.to_uppercase()
                    ),
                });
                continue;
            };
            let facts = out.entry(entity.to_owned()).or_default();
            if facts.pointer.is_empty() {
                facts.pointer = item.pointer.clone();
            }
            match found {
                Found::Op(o) => {
                    facts.operations.insert(o);
                }
                Found::CustomActions => facts.custom_actions = true,
                Found::Action(name) => {
                    let schema = doc.request_body_schema(&op)?.ok_or_else(|| {
                        op.error(format!("action {name} has no JSON request body (expected {{entity, parameters}})"))
                    })?;
                    let schema_name = doc.ref_name(&schema)?.ok_or_else(|| {
                        schema.error(
                            "expected the action's body to be a `$ref` to its invocation schema",
                        )
                    })?;
                    facts
                        .actions
                        .insert(name.to_owned(), (schema_name, op.pointer.clone()));
                }
            }
        }
    }
    Ok(out)
}

enum Found<'p> {
    Op(Operation),
    CustomActions,
    Action(&'p str),
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn skip(item: &Node<'_>, path: &str) -> Warning {
    Warning {
        pointer: item.pointer.clone(),
        message: format!("path {path:?} does not start with an entity name; skipped"),
    }
}
