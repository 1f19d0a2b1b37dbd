//! The intermediate model of one Acumatica endpoint: what both schema formats are read into,
//! and what the emitter and the emulator work from.
//!
//! Everything is keyed by wire name in `BTreeMap`s so that iteration order, and therefore the
//! generated code, never depends on the order of the schema document.

mod action;
mod custom;
mod entity;

use std::collections::BTreeMap;

pub use action::{Action, Operation};
pub use custom::{CustomField, CustomFields, WorkflowAction, custom_type_name};
pub use entity::{Entity, Field, FieldKind, KeySource, Keys, Mapping, TopLevel, ValueKind};

/// The format a schema was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaFormat {
    /// OpenAPI 3.0.x (`openapi: 3.0.1`), what Acumatica 2024 R1 and later serve.
    OpenApi3,
    /// Swagger 2.0 (`swagger: "2.0"`), what older tenants serve.
    Swagger2,
}

/// One contract-based REST endpoint, e.g. `Default/24.200.001`.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Endpoint name as it appears in URLs (`Default`, `MANUFACTURING`).
    pub name: String,
    /// Endpoint version as it appears in URLs (`24.200.001`).
    pub version: String,
    /// The format the schema was read from.
    pub format: SchemaFormat,
    /// Every entity (top-level, detail and linked) by its schema name.
    pub entities: BTreeMap<String, Entity>,
    /// Things the reader did not understand and worked around, in document order.
    pub warnings: Vec<Warning>,
}

impl Endpoint {
    /// The top-level entities (those with their own URL), sorted by name.
    pub fn top_level(&self) -> impl Iterator<Item = &Entity> {
        self.entities.values().filter(|e| e.top_level.is_some())
    }

    /// Looks an entity up by its schema name.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.get(name)
    }

    /// Looks a top-level entity up by name, ignoring ASCII case (URLs are case-insensitive on a tenant).
    pub fn top_level_entity(&self, name: &str) -> Option<&Entity> {
        self.entities
            .get(name)
            .filter(|e| e.top_level.is_some())
            .or_else(|| self.top_level().find(|e| e.name.eq_ignore_ascii_case(name)))
    }

    /// `roots` and every entity they reference through linked and detail fields, directly or not.
    pub fn reachable<'a>(
        &self,
        roots: impl IntoIterator<Item = &'a str>,
    ) -> std::collections::BTreeSet<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack: Vec<String> = roots.into_iter().map(str::to_owned).collect();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(entity) = self.entities.get(&name) {
                stack.extend(entity.referenced_entities().map(str::to_owned));
            }
        }
        seen
    }

    /// Keeps only `roots` and every entity they reference, directly or not.
    ///
    /// Returns the names in `roots` that are not top-level entities of this endpoint.
    pub fn retain_reachable(&mut self, roots: &[String]) -> Vec<String> {
        let mut missing = Vec::new();
        let mut found = Vec::new();
        for root in roots {
            match self.top_level_entity(root) {
                Some(e) => found.push(e.name.clone()),
                None => missing.push(root.clone()),
            }
        }
        let keep = self.reachable(found.iter().map(String::as_str));
        self.entities.retain(|name, _| keep.contains(name));
        missing
    }
}

/// Something the reader worked around instead of failing: an unknown value type, an unknown
/// path shape, a schema it does not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// JSON pointer of the construct, e.g. `#/components/schemas/Customer/allOf/1/properties/Foo`.
    pub pointer: String,
    /// What was found and what was done about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}
