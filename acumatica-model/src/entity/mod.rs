//! What every generated entity is: the [`Entity`] and [`TopLevelEntity`] traits, the system
//! fields ([`EntityMeta`]) and custom fields ([`CustomField`]).
//!
//! Generated code only states facts (names, fields, keys); everything that can be written once
//! — wire encoding, paths, requests — lives here and in the other runtime modules.

mod custom;
mod custom_key;
mod meta;
#[doc(hidden)]
pub mod wire;

use std::borrow::Cow;
use std::fmt::Debug;

use serde::Serialize;
use serde::de::{DeserializeOwned, MapAccess};

pub use custom::{CustomField, CustomFields, CustomParameters, CustomValue, put_custom};
pub use custom_key::CustomKey;
pub use meta::{EntityMeta, FileLink, Links};
pub use wire::{FieldValue, FieldVisitor};

/// A contract-based endpoint: `Default/24.200.001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Name as it appears in URLs (`Default`).
    pub name: Cow<'static, str>,
    /// Version as it appears in URLs (`24.200.001`).
    pub version: Cow<'static, str>,
}

impl Endpoint {
    /// An endpoint known at compile time (what generated code uses).
    pub const fn new_static(name: &'static str, version: &'static str) -> Self {
        Endpoint {
            name: Cow::Borrowed(name),
            version: Cow::Borrowed(version),
        }
    }

    /// An endpoint chosen at run time.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Endpoint {
            name: Cow::Owned(name.into()),
            version: Cow::Owned(version.into()),
        }
    }

    /// The endpoint's base path: `/entity/Default/24.200.001`.
    pub fn base_path(&self) -> String {
        format!("/entity/{}/{}", self.name, self.version)
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.name, self.version)
    }
}

/// An entity type of an endpoint: top-level, detail line or linked entity.
///
/// Implemented by generated code, which lists the fields ([`read_field`](Entity::read_field),
/// [`visit_fields`](Entity::visit_fields)); everything built on them (serde, `Debug`, JSON
/// schema) is written once in the runtime. Hand-written serde keeps decimals exact and unknown
/// properties intact where `#[derive(Deserialize)]` with `#[serde(flatten)]` would lose both.
pub trait Entity:
    Serialize
    + DeserializeOwned
    + Default
    + Clone
    + Debug
    + PartialEq
    + schemars::JsonSchema
    + Send
    + Sync
    + 'static
{
    /// The schema name (`SalesOrder`, `SalesOrderDetail`).
    const NAME: &'static str;

    /// The system fields and unknown properties.
    fn meta(&self) -> &EntityMeta;

    /// The system fields and unknown properties, mutably.
    fn meta_mut(&mut self) -> &mut EntityMeta;

    /// Reads the field with wire name `name` from `map`; `Ok(false)` when the entity has no
    /// such field.
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Shows every field (present or not) with its wire name to `visitor`, in schema order.
    fn visit_fields<V: FieldVisitor>(&self, visitor: &mut V);
}

/// An entity with its own URL (`/entity/Default/24.200.001/SalesOrder`).
///
/// ```
/// use acumatica_sdk::{TopLevelEntity, default::SalesOrder};
/// assert_eq!(SalesOrder::KEYS, ["OrderType", "OrderNbr"]);
/// assert_eq!(SalesOrder::ENDPOINT.to_string(), "Default/24.200.001");
/// ```
pub trait TopLevelEntity: Entity {
    /// The endpoint the entity was generated from.
    const ENDPOINT: Endpoint;
    /// Key fields in URL order (`["OrderType", "OrderNbr"]`); empty when not known, in which
    /// case records are addressed by ID.
    const KEYS: &'static [&'static str];
    /// Typed paths to the entity's fields, for `$filter`, `$select` and `$expand`.
    type Fields: crate::query::FieldSet;

    /// The typed field paths, rooted at this entity.
    fn fields() -> Self::Fields {
        <Self::Fields as crate::query::FieldSet>::at(crate::query::Path::root())
    }
}
