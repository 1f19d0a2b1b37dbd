//! Custom fields: `"custom": {"<View>": {"<Field>": {"type": "CustomStringField", "value": ...}}}`.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::types::{DateTime, Key, RawJson, Uuid, Value};

/// Custom fields by data view, then by field name.
pub type CustomFields = BTreeMap<String, BTreeMap<String, CustomField>>;

/// One custom field, typed by its `type` discriminator.
///
/// ```
/// use acumatica_sdk::CustomField;
/// let f: CustomField = serde_json::from_str(r#"{"type":"CustomDecimalField","value":12.50}"#).unwrap();
/// assert_eq!(f.type_name(), "CustomDecimalField");
/// assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"type":"CustomDecimalField","value":12.50}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CustomField {
    /// `CustomStringField`
    String(Value<String>),
    /// `CustomDecimalField`
    Decimal(Value<Decimal>),
    /// `CustomBooleanField`
    Boolean(Value<bool>),
    /// `CustomDateTimeField`
    DateTime(Value<DateTime>),
    /// `CustomIntField`
    Int(Value<i32>),
    /// `CustomShortField`
    Short(Value<i16>),
    /// `CustomLongField`
    Long(Value<i64>),
    /// `CustomByteField`
    Byte(Value<u8>),
    /// `CustomDoubleField`
    Double(Value<f64>),
    /// `CustomGuidField`
    Guid(Value<Uuid>),
    /// A kind this SDK does not know, kept verbatim (every member but `type`).
    Other {
        /// The `type` discriminator.
        type_name: String,
        /// The other members.
        members: BTreeMap<String, RawJson>,
    },
}

macro_rules! kinds {
    ($($variant:ident($t:ty) = $name:literal, $ctor:ident;)*) => {
        impl CustomField {
            /// The `type` discriminator (`CustomStringField`, ...).
            pub fn type_name(&self) -> &str {
                match self {
                    $(CustomField::$variant(_) => $name,)*
                    CustomField::Other { type_name, .. } => type_name,
                }
            }

            $(
                #[doc = concat!("A `", $name, "` holding `value`.")]
                pub fn $ctor(value: impl Into<$t>) -> Self {
                    CustomField::$variant(Value::new(value.into()))
                }
            )*

            fn from_parts(type_name: String, value: Option<RawJson>, rest: BTreeMap<String, RawJson>) -> Result<Self, String> {
                // Rebuild the wrapper (`value` plus `error` and the rest) and read it with the
                // kind's own rules, so decimals stay exact.
                let mut wrapper = String::from("{");
                let mut first = true;
                for (k, v) in value.iter().map(|v| ("value", v)).chain(rest.iter().map(|(k, v)| (k.as_str(), v))) {
                    if !first { wrapper.push(','); }
                    first = false;
                    wrapper.push_str(&serde_json::Value::from(k).to_string());
                    wrapper.push(':');
                    wrapper.push_str(v.get());
                }
                wrapper.push('}');
                let field = match type_name.as_str() {
                    $($name => CustomField::$variant(serde_json::from_str(&wrapper).map_err(|e| format!("{type_name}: {e}"))?),)*
                    _ => {
                        let mut members = rest;
                        if let Some(v) = value { members.insert("value".to_owned(), v); }
                        CustomField::Other { type_name, members }
                    }
                };
                Ok(field)
            }
        }

        $(
            impl CustomValue for $t {
                const TYPE_NAME: &'static str = $name;
                fn wrap(value: Value<Self>) -> CustomField {
                    CustomField::$variant(value)
                }
                fn unwrap(field: &CustomField) -> Option<&Value<Self>> {
                    match field {
                        CustomField::$variant(v) => Some(v),
                        _ => None,
                    }
                }
                fn unwrap_mut(field: &mut CustomField) -> Option<&mut Value<Self>> {
                    match field {
                        CustomField::$variant(v) => Some(v),
                        _ => None,
                    }
                }
            }
        )*

        impl Serialize for CustomField {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("type", self.type_name())?;
                match self {
                    $(CustomField::$variant(v) => v.serialize_members(&mut map)?,)*
                    CustomField::Other { members, .. } => {
                        for (k, v) in members {
                            map.serialize_entry(k, v)?;
                        }
                    }
                }
                map.end()
            }
        }
    };
}

kinds! {
    String(String) = "CustomStringField", string;
    Decimal(Decimal) = "CustomDecimalField", decimal;
    Boolean(bool) = "CustomBooleanField", boolean;
    DateTime(DateTime) = "CustomDateTimeField", date_time;
    Int(i32) = "CustomIntField", int;
    Short(i16) = "CustomShortField", short;
    Long(i64) = "CustomLongField", long;
    Byte(u8) = "CustomByteField", byte;
    Double(f64) = "CustomDoubleField", double;
    Guid(Uuid) = "CustomGuidField", guid;
}

/// A Rust type that a custom field of one kind holds: `String` for `CustomStringField`,
/// `Decimal` for `CustomDecimalField`, and so on. Typed custom fields
/// ([`CustomKey`](super::CustomKey)) and typed workflow parameters are built on it.
pub trait CustomValue: Sized + Clone + Send + Sync + 'static {
    /// The `type` discriminator (`CustomStringField`).
    const TYPE_NAME: &'static str;
    /// The custom field holding `value`.
    fn wrap(value: Value<Self>) -> CustomField;
    /// The value of a custom field of this kind; `None` for another kind.
    fn unwrap(field: &CustomField) -> Option<&Value<Self>>;
    /// The value of a custom field of this kind, mutably; `None` for another kind.
    fn unwrap_mut(field: &mut CustomField) -> Option<&mut Value<Self>>;
}

/// Puts `value` into `out` at `view.field` when it is `Some`: how typed workflow parameters
/// become `parameters.custom` (generated code calls this).
#[doc(hidden)]
pub fn put_custom<T: CustomValue>(
    out: &mut CustomFields,
    view: &str,
    field: &str,
    value: &Option<T>,
) {
    if let Some(v) = value {
        out.entry(view.to_owned())
            .or_default()
            .insert(field.to_owned(), T::wrap(Value::new(v.clone())));
    }
}

/// Typed custom parameters of a workflow action (generated from the tenant's
/// `_workflowActions`), sent as `parameters.custom`.
pub trait CustomParameters: fmt::Debug + Send + Sync {
    /// The `custom` block: only the parameters that are set.
    fn custom_fields(&self) -> CustomFields;
}

impl<'de> Deserialize<'de> for CustomField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CustomField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a custom field like {\"type\": \"CustomStringField\", \"value\": ...}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CustomField, A::Error> {
                let mut type_name = None;
                let mut value = None;
                let mut rest = BTreeMap::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.as_str() {
                        // The C# client spells the discriminator `Type`.
                        "type" | "Type" => type_name = Some(map.next_value::<String>()?),
                        "value" => value = Some(map.next_value::<RawJson>()?),
                        other => {
                            rest.insert(other.to_owned(), map.next_value::<RawJson>()?);
                        }
                    }
                }
                let type_name = type_name.ok_or_else(|| de::Error::missing_field("type"))?;
                CustomField::from_parts(type_name, value, rest).map_err(de::Error::custom)
            }
        }
        d.deserialize_map(V)
    }
}

impl schemars::JsonSchema for CustomField {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CustomField".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": { "type": "string", "description": "CustomStringField, CustomDecimalField, ..." },
                "value": {},
                "error": { "type": "string" }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        for json in [
            r#"{"type":"CustomStringField","value":"AB123456"}"#,
            r#"{"type":"CustomDecimalField","value":12345678901234.5678}"#,
            r#"{"type":"CustomBooleanField","value":true}"#,
            r#"{"type":"CustomDateTimeField","value":"2024-12-18T17:07:45.433+00:00"}"#,
            r#"{"type":"CustomIntField","value":7}"#,
            r#"{"type":"CustomShortField","value":-7}"#,
            r#"{"type":"CustomLongField","value":9007199254740993}"#,
            r#"{"type":"CustomByteField","value":255}"#,
            r#"{"type":"CustomDoubleField","value":0.5}"#,
            r#"{"type":"CustomGuidField","value":"a0f8594a-7de2-e811-b816-00155d408001"}"#,
            r#"{"type":"CustomStringField","value":null}"#,
            r#"{"type":"CustomStringField"}"#,
            r#"{"type":"CustomStringField","value":"x","error":"bad"}"#,
            r#"{"type":"CustomDateOnlyField","value":"2024-01-01"}"#,
        ] {
            let f: CustomField =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(serde_json::to_string(&f).unwrap(), json);
        }
    }

    #[test]
    fn kinds_are_typed() {
        let f: CustomField =
            serde_json::from_str(r#"{"type":"CustomDecimalField","value":1.10}"#).unwrap();
        let CustomField::Decimal(v) = f else {
            panic!("not a decimal: {f:?}")
        };
        assert_eq!(v.get().unwrap().to_string(), "1.10");
        assert!(
            serde_json::from_str::<CustomField>(r#"{"type":"CustomIntField","value":"x"}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<CustomField>(r#"{"value":1}"#).is_err());
    }
}
