//! How each primitive sits inside a value wrapper's `"value"` member on the wire.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use super::DateTime;
use super::raw::RAW_TOKEN;

/// A type that can stand in a value wrapper (`StringValue`, `DecimalValue`, ...): it knows how it
/// is written inside `{"value": ...}`. Implemented for the ten primitive kinds Acumatica uses.
pub trait ValueType: Clone + fmt::Debug + PartialEq + Send + Sync + 'static {
    /// Reads the `value` member; `None` for JSON `null`.
    fn deserialize_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
    /// Writes the `value` member.
    fn serialize_value<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// The JSON schema of the `value` member.
    fn value_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
}

macro_rules! plain_value_type {
    ($($t:ty),*) => {$(
        impl ValueType for $t {
            fn deserialize_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                Option::<$t>::deserialize(d)
            }
            fn serialize_value<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.serialize(s)
            }
            fn value_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                generator.subschema_for::<$t>()
            }
        }
    )*};
}

plain_value_type!(String, bool, i16, i32, i64, u8, f64, uuid::Uuid, DateTime);

/// `DecimalValue`: the schema says `double`, the server means an exact decimal with the
/// database's scale (`5.0000`). Read from the number's text, never through `f64`.
impl ValueType for Decimal {
    fn deserialize_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_newtype_struct(RAW_TOKEN, DecimalVisitor)
    }

    fn serialize_value<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A raw number keeps every digit and the scale; serde_json writes it verbatim.
        match RawValue::from_string(self.to_string()) {
            Ok(raw) => raw.serialize(s),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }

    fn value_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number" })
    }
}

/// Parses a decimal from JSON number text (`12.50`, `1E-3`) or a string (`"12.50"`).
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .or_else(|_| Decimal::from_str(text))
        .map_err(|e| format!("{text:?} is not a decimal Acumatica can hold: {e}"))
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<String>()? {
            Some(k) if k == RAW_TOKEN => {
                let text: String = map.next_value()?;
                if text.trim() == "null" {
                    return Ok(None);
                }
                parse_decimal(&text).map(Some).map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Only reached with deserializers other than serde_json's, which hand over text.
        Decimal::try_from(v).map(Some).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_decimal(v).map(Some).map_err(E::custom)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Serializes a primitive the way [`ValueType`] says.
pub(crate) struct AsWire<'a, T>(pub(crate) &'a T);

impl<T: ValueType> Serialize for AsWire<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_value(s)
    }
}

/// Deserializes a primitive the way [`ValueType`] says.
pub(crate) struct WireSeed<T>(pub(crate) std::marker::PhantomData<T>);

impl<'de, T: ValueType> DeserializeSeed<'de> for WireSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::deserialize_value(d)
    }
}
