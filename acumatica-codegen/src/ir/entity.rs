//! Entities and their fields.

use std::collections::{BTreeMap, BTreeSet};

use super::{Action, CustomFields, Operation, WorkflowAction};

/// An entity schema: a top-level entity, a detail line or a linked entity (one schema can be
/// several of these at once: `Contact` is top-level and also linked from `Customer`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Schema name (`SalesOrder`, `SalesOrderDetail`).
    pub name: String,
    /// JSON pointer of the schema in the source document.
    pub pointer: String,
    /// Set when the entity has its own URL (`/entity/Default/24.200.001/SalesOrder`).
    pub top_level: Option<TopLevel>,
    /// Fields by wire name. System fields (`id`, `rowNumber`, `note`, ...) are not listed:
    /// every entity has them.
    pub fields: BTreeMap<String, Field>,
    /// Screen title from the schema's tag, e.g. `Sales Orders`.
    pub title: Option<String>,
    /// Screen ID from the tag or the endpoint XML, e.g. `SO301000`.
    pub screen_id: Option<String>,
    /// Free text from the schema's `description`.
    pub description: Option<String>,
    /// Fields outside the contract, from the tenant's `$adHocSchema` (empty without one).
    pub custom_fields: CustomFields,
}

/// What only top-level entities have.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopLevel {
    /// The operations the schema declares for the entity.
    pub operations: BTreeSet<Operation>,
    /// Named actions (`POST /SalesOrder/ReleaseFromHold`), by action name.
    pub actions: BTreeMap<String, Action>,
    /// Whether `POST /{Entity}/{actionName}` (custom and workflow actions) is declared.
    pub custom_actions: bool,
    /// Key fields in URL order, where known.
    pub keys: Option<Keys>,
    /// Workflow actions from the tenant's `$adHocSchema`, by action name (empty without one).
    pub workflow_actions: BTreeMap<String, WorkflowAction>,
}

/// The key fields of a top-level entity, in the order they appear in a key URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// Wire names of the key fields.
    pub fields: Vec<String>,
    /// Where the list comes from: schemas do not carry keys.
    pub source: KeySource,
}

/// Where a key list comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The generator's table of documented keys for well-known entities.
    Documented,
    /// Guessed from field names (`<Entity>ID`, `...Nbr`, `...CD`).
    Inferred,
}

impl Entity {
    /// Names of the entities this one refers to through linked or detail fields.
    pub fn referenced_entities(&self) -> impl Iterator<Item = &str> {
        self.fields.values().filter_map(|f| f.kind.entity())
    }

    /// Key fields, if known.
    pub fn keys(&self) -> Option<&Keys> {
        self.top_level.as_ref().and_then(|t| t.keys.as_ref())
    }

    /// Actions of a top-level entity (empty for other entities).
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.top_level.iter().flat_map(|t| t.actions.values())
    }

    /// Workflow actions of a top-level entity, from its `$adHocSchema`.
    pub fn workflow_actions(&self) -> impl Iterator<Item = &WorkflowAction> {
        self.top_level
            .iter()
            .flat_map(|t| t.workflow_actions.values())
    }
}

/// One field of an entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Wire name (`CustomerID`).
    pub name: String,
    /// What the field holds.
    pub kind: FieldKind,
    /// JSON pointer of the property in the source document.
    pub pointer: String,
    /// The screen's data view and field the endpoint maps this field to (from the endpoint XML).
    pub mapping: Option<Mapping>,
}

/// A field's mapping to a screen's data view and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Data view (`CurrentCustomer`).
    pub view: String,
    /// Field of the data view (`AcctReferenceNbr`).
    pub field: String,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A value wrapper such as `StringValue`: `{"value": ..., "error": ...}`.
    Value(ValueKind),
    /// A linked entity: a nested object of the named entity.
    Linked(String),
    /// A detail collection: an array of the named entity.
    Detail(String),
    /// Something the generator does not know; kept as untyped JSON. The string says what it was.
    Untyped(String),
}

impl FieldKind {
    /// The entity a linked or detail field refers to.
    pub fn entity(&self) -> Option<&str> {
        match self {
            FieldKind::Linked(e) | FieldKind::Detail(e) => Some(e),
            _ => None,
        }
    }
}

/// The value wrappers Acumatica uses, by the wrapper schema's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueKind {
    /// `StringValue`
    String,
    /// `DecimalValue` (the schema says `double`; it is an exact decimal on the server).
    Decimal,
    /// `BooleanValue`
    Boolean,
    /// `DateTimeValue`
    DateTime,
    /// `DateOnlyValue` (custom endpoints on 26.x)
    DateOnly,
    /// `IntValue` (int32)
    Int,
    /// `ShortValue` (int16 on the server, though the schema says int32)
    Short,
    /// `LongValue` (int64)
    Long,
    /// `ByteValue` (unsigned 8-bit on the server, though the schema says int32)
    Byte,
    /// `DoubleValue`
    Double,
    /// `GuidValue`
    Guid,
}

impl ValueKind {
    /// All kinds, in declaration order.
    pub const ALL: [ValueKind; 11] = [
        ValueKind::String,
        ValueKind::Decimal,
        ValueKind::Boolean,
        ValueKind::DateTime,
        ValueKind::DateOnly,
        ValueKind::Int,
        ValueKind::Short,
        ValueKind::Long,
        ValueKind::Byte,
        ValueKind::Double,
        ValueKind::Guid,
    ];

    /// The wrapper schema's name (`StringValue`).
    pub fn wrapper_name(self) -> &'static str {
        match self {
            ValueKind::String => "StringValue",
            ValueKind::Decimal => "DecimalValue",
            ValueKind::Boolean => "BooleanValue",
            ValueKind::DateTime => "DateTimeValue",
            ValueKind::DateOnly => "DateOnlyValue",
            ValueKind::Int => "IntValue",
            ValueKind::Short => "ShortValue",
            ValueKind::Long => "LongValue",
            ValueKind::Byte => "ByteValue",
            ValueKind::Double => "DoubleValue",
            ValueKind::Guid => "GuidValue",
        }
    }

    /// The kind of a wrapper schema name (`DecimalValue` → `Decimal`).
    pub fn from_wrapper_name(name: &str) -> Option<ValueKind> {
        ValueKind::ALL
            .into_iter()
            .find(|k| k.wrapper_name() == name)
    }

    /// The kind for a custom field discriminator (`CustomDecimalField` → `Decimal`).
    pub fn from_custom_field_type(name: &str) -> Option<ValueKind> {
        let inner = name.strip_prefix("Custom")?.strip_suffix("Field")?;
        ValueKind::from_wrapper_name(&format!("{inner}Value"))
    }
}
