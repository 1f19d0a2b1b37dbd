//! [`EntityMeta`]: the system fields every entity has, and the properties nobody declared.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::custom::{CustomField, CustomFields};
use crate::types::{RawJson, Uuid, Value};

/// The system fields of every Acumatica entity (`id`, `rowNumber`, `note`, `error`, `delete`,
/// `custom`, `files`, `_links`) and any property the schema does not describe, kept so that a
/// read-modify-write round trip sends back everything it received.
///
/// ```
/// use acumatica_sdk::{EntityMeta, CustomField};
/// let mut meta = EntityMeta::default();
/// meta.set_custom("CurrentCustomer", "UsrLoyaltyTier", CustomField::string("Gold"));
/// assert!(meta.custom_field("CurrentCustomer", "UsrLoyaltyTier").is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntityMeta {
    /// The record's entity ID (its `NoteID` for top-level records).
    pub id: Option<Uuid>,
    /// 1-based position inside a detail collection.
    pub row_number: Option<i64>,
    /// The record's note (`{"value": ...}`; linked entities may send `null`).
    pub note: Value<String>,
    /// The record-level error of a 422 answer (the details sit in the fields' errors).
    pub error: Option<String>,
    /// `true` on a detail line removes the line on PUT.
    pub delete: Option<bool>,
    /// Custom fields by data view and field; `None` when the response carried no `custom`.
    pub custom: Option<CustomFields>,
    /// Attached files (`$expand=files`).
    pub files: Option<Vec<FileLink>>,
    /// `_links`: `self` and `files:put`.
    pub links: Option<Links>,
    /// Properties the schema does not describe, verbatim.
    pub extra: BTreeMap<String, RawJson>,
}

impl EntityMeta {
    /// Meta with only the entity ID set: how a detail line or a record is addressed by ID.
    pub fn with_id(id: Uuid) -> Self {
        EntityMeta {
            id: Some(id),
            ..EntityMeta::default()
        }
    }

    /// Meta that deletes the detail line with this ID on the next PUT of its parent.
    pub fn delete_line(id: Uuid) -> Self {
        EntityMeta {
            id: Some(id),
            delete: Some(true),
            ..EntityMeta::default()
        }
    }

    /// A custom field, if the record carries it.
    pub fn custom_field(&self, view: &str, field: &str) -> Option<&CustomField> {
        self.custom.as_ref()?.get(view)?.get(field)
    }

    /// Sets a custom field to send.
    pub fn set_custom(&mut self, view: &str, field: &str, value: CustomField) {
        self.custom
            .get_or_insert_default()
            .entry(view.to_owned())
            .or_default()
            .insert(field.to_owned(), value);
    }

    /// Whether a system property name belongs here rather than to the entity's own fields.
    pub(crate) fn is_system(name: &str) -> bool {
        matches!(
            name,
            "id" | "rowNumber" | "note" | "error" | "delete" | "custom" | "files" | "_links"
        )
    }
}

/// A file attached to a record (`$expand=files`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FileLink {
    /// File ID.
    pub id: Option<Uuid>,
    /// Name as Acumatica shows it, with a screen-title prefix and a backslash
    /// (`Stock Items (JUICER20C   )\commercial_citrus_juicer.jpg`).
    pub filename: String,
    /// Site-relative URL that downloads the file.
    pub href: String,
    /// Comment (2024 R2 and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl FileLink {
    /// The file name without Acumatica's `Screen (Key)\` prefix.
    pub fn name(&self) -> &str {
        self.filename.rsplit('\\').next().unwrap_or(&self.filename)
    }
}

/// A record's `_links`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Links {
    /// `self`: the record's URL (GET and DELETE), top-level records only.
    pub self_link: Option<String>,
    /// `files:put`: the URL template for attaching a file (`.../{filename}`).
    pub files_put: Option<String>,
    /// Other links, verbatim.
    pub other: BTreeMap<String, RawJson>,
}

impl schemars::JsonSchema for FileLink {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FileLink".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "filename": { "type": "string" },
                "href": { "type": "string" },
                "comment": { "type": ["string", "null"] }
            }
        })
    }
}

impl schemars::JsonSchema for Links {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Links".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "properties": { "self": { "type": "string" }, "files:put": { "type": "string" } }
        })
    }
}

impl Serialize for Links {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        if let Some(v) = &self.self_link {
            map.serialize_entry("self", v)?;
        }
        if let Some(v) = &self.files_put {
            map.serialize_entry("files:put", v)?;
        }
        for (k, v) in &self.other {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let members = BTreeMap::<String, RawJson>::deserialize(d)?;
        let mut links = Links::default();
        for (k, v) in members {
            match k.as_str() {
                "self" => links.self_link = v.parse().map_err(serde::de::Error::custom)?,
                "files:put" => links.files_put = v.parse().map_err(serde::de::Error::custom)?,
                _ => {
                    links.other.insert(k, v);
                }
            }
        }
        Ok(links)
    }
}

impl schemars::JsonSchema for EntityMeta {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EntityMeta".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let note = generator.subschema_for::<Value<String>>();
        let custom = generator.subschema_for::<CustomFields>();
        let files = generator.subschema_for::<Vec<FileLink>>();
        let links = generator.subschema_for::<Links>();
        schemars::json_schema!({
            "type": "object",
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "rowNumber": { "type": "integer", "format": "int64" },
                "note": note,
                "error": { "type": "string" },
                "delete": { "type": "boolean" },
                "custom": custom,
                "files": files,
                "_links": links
            }
        })
    }
}
