//! The wire mapping shared by all entities. Generated code only lists its fields (one `match`
//! arm in [`Entity::read_field`] and one call in [`Entity::visit_fields`] per field, no
//! generics); serialization, deserialization, `Debug` and the JSON schema are written here once.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::{Entity, EntityMeta};
use crate::types::{Key, RawJson, Value, ValueType};

/// A field type generated code uses: [`Value<T>`], or `Option<T>` for linked entities, detail
/// collections and untyped JSON.
pub trait FieldValue: Serialize + fmt::Debug {
    /// Whether the field is left out of the JSON.
    fn is_absent(&self) -> bool;
    /// The JSON schema of the field's type.
    fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
}

impl<T: ValueType + schemars::JsonSchema> FieldValue for Value<T> {
    fn is_absent(&self) -> bool {
        Value::is_absent(self)
    }
    fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<Value<T>>()
    }
}

impl<T: Serialize + fmt::Debug + schemars::JsonSchema> FieldValue for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
    fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T>()
    }
}

/// What [`Entity::visit_fields`] calls for each field.
pub trait FieldVisitor {
    /// One field, with its wire name.
    fn field<F: FieldValue>(&mut self, name: &'static str, value: &F);
}

/// Reads one field's value from `map` into `slot` (what generated `read_field` arms call).
pub fn read<'de, A: MapAccess<'de>, T: serde::Deserialize<'de>>(
    map: &mut A,
    slot: &mut T,
) -> Result<bool, A::Error> {
    *slot = map.next_value()?;
    Ok(true)
}

/// Serializes an entity: system fields, then its fields, then unknown properties.
pub fn serialize<E: Entity, S: Serializer>(entity: &E, s: S) -> Result<S::Ok, S::Error> {
    let meta = entity.meta();
    let mut map = s.serialize_map(None)?;
    if let Some(id) = &meta.id {
        map.serialize_entry("id", id)?;
    }
    if let Some(n) = &meta.row_number {
        map.serialize_entry("rowNumber", n)?;
    }
    if !meta.note.is_absent() {
        map.serialize_entry("note", &meta.note)?;
    }
    if let Some(e) = &meta.error {
        map.serialize_entry("error", e)?;
    }
    if let Some(d) = &meta.delete {
        map.serialize_entry("delete", d)?;
    }
    let mut writer = Writer {
        map: &mut map,
        failed: None,
    };
    entity.visit_fields(&mut writer);
    if let Some(e) = writer.failed {
        return Err(e);
    }
    if let Some(c) = &meta.custom {
        map.serialize_entry("custom", c)?;
    }
    if let Some(f) = &meta.files {
        map.serialize_entry("files", f)?;
    }
    if let Some(l) = &meta.links {
        map.serialize_entry("_links", l)?;
    }
    for (k, v) in &meta.extra {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Deserializes an entity; properties that are neither system fields nor fields of `E` are kept
/// in [`EntityMeta::extra`].
pub fn deserialize<'de, E: Entity, D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
    d.deserialize_map(EntityVisitor(PhantomData))
}

struct EntityVisitor<E>(PhantomData<E>);

impl<'de, E: Entity> Visitor<'de> for EntityVisitor<E> {
    type Value = E;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} record (a JSON object)", E::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<E, A::Error> {
        let mut entity = E::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let name = key.as_str();
            if EntityMeta::is_system(name) {
                let meta = entity.meta_mut();
                match name {
                    "id" => meta.id = map.next_value()?,
                    "rowNumber" => meta.row_number = map.next_value()?,
                    "note" => meta.note = map.next_value()?,
                    "error" => meta.error = map.next_value()?,
                    "delete" => meta.delete = map.next_value()?,
                    "custom" => meta.custom = map.next_value()?,
                    "files" => meta.files = map.next_value()?,
                    _ => meta.links = map.next_value()?,
                }
            } else if !entity.read_field(name, &mut map)? {
                let raw: RawJson = map.next_value()?;
                entity.meta_mut().extra.insert(name.to_owned(), raw);
            }
        }
        Ok(entity)
    }
}

/// Writes the present fields into a map, keeping the first error.
struct Writer<'a, M: SerializeMap> {
    map: &'a mut M,
    failed: Option<M::Error>,
}

impl<M: SerializeMap> FieldVisitor for Writer<'_, M> {
    fn field<F: FieldValue>(&mut self, name: &'static str, value: &F) {
        if self.failed.is_none() && !value.is_absent() {
            self.failed = self.map.serialize_entry(name, value).err();
        }
    }
}

struct DebugFields<'a, 'b, 'c>(&'a mut fmt::DebugStruct<'b, 'c>);

impl FieldVisitor for DebugFields<'_, '_, '_> {
    fn field<F: FieldValue>(&mut self, name: &'static str, value: &F) {
        if !value.is_absent() {
            self.0.field(name, value);
        }
    }
}

struct SchemaFields<'a> {
    generator: &'a mut schemars::SchemaGenerator,
    props: Vec<(&'static str, serde_json::Value)>,
}

impl FieldVisitor for SchemaFields<'_> {
    fn field<F: FieldValue>(&mut self, name: &'static str, _: &F) {
        self.props
            .push((name, F::schema(self.generator).to_value()));
    }
}

/// `Debug` of an entity: its name and the fields that are present, so that a record read with
/// `$select` prints only what was selected.
pub fn debug<E: Entity>(entity: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let meta = entity.meta();
    let mut s = f.debug_struct(E::NAME);
    if let Some(id) = &meta.id {
        s.field("id", id);
    }
    if let Some(n) = &meta.row_number {
        s.field("rowNumber", n);
    }
    if !meta.note.is_absent() {
        s.field("note", &meta.note);
    }
    if let Some(e) = &meta.error {
        s.field("error", e);
    }
    if let Some(d) = &meta.delete {
        s.field("delete", d);
    }
    entity.visit_fields(&mut DebugFields(&mut s));
    if let Some(c) = &meta.custom {
        s.field("custom", c);
    }
    if let Some(files) = &meta.files {
        s.field("files", files);
    }
    if let Some(l) = &meta.links {
        s.field("_links", l);
    }
    if !meta.extra.is_empty() {
        s.field("extra", &meta.extra);
    }
    s.finish()
}

/// The JSON schema of an entity: the system fields and every field, none required (Acumatica
/// returns only selected and expanded fields).
pub fn schema<E: Entity>(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    use schemars::JsonSchema;
    let mut schema = EntityMeta::json_schema(generator);
    schema.insert("title".into(), E::NAME.into());
    let mut fields = SchemaFields {
        generator,
        props: Vec::new(),
    };
    E::default().visit_fields(&mut fields);
    if let Some(obj) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        for (name, value) in fields.props {
            obj.insert(name.to_owned(), value);
        }
    }
    schema
}
