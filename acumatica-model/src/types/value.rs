//! [`Value<T>`]: one generic type for Acumatica's ten value wrappers.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::RawJson;
use super::wire::{AsWire, ValueType, WireSeed};

/// A field value as Acumatica wraps it: `{"value": ..., "error": ...}`.
///
/// It keeps the states a write needs apart:
///
/// | state | on the wire | meaning on a PUT |
/// |---|---|---|
/// | absent ([`Value::absent`], the default) | not sent | the server keeps its value |
/// | set ([`Value::new`], `From<T>`) | `{"value": x}` | set to `x` |
/// | null ([`Value::null`]) | `{"value": null}` | clear the field |
/// | empty | `{}` | what the server sends for "no value"; no change when sent back |
///
/// plus the `error` the server attaches to a field in a 422 answer.
///
/// ```
/// use acumatica_sdk::Value;
/// let name: Value<String> = "Acme".into();
/// assert_eq!(name.get().map(String::as_str), Some("Acme"));
/// let empty: Value<String> = serde_json::from_str("{}").unwrap();
/// assert!(empty.get().is_none() && !empty.is_absent());
/// assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
/// ```
#[derive(Clone, PartialEq)]
pub struct Value<T> {
    state: State<T>,
    extra: Option<Box<Extra>>,
}

#[derive(Clone, PartialEq)]
enum State<T> {
    Absent,
    /// `{}`: the server's rendering of an empty value.
    Empty,
    /// `{"value": null}`
    Null,
    /// A bare `null` instead of a wrapper (linked entities' `note` in captured responses).
    BareNull,
    Set(T),
}

/// What a wrapper may carry besides its value.
#[derive(Clone, PartialEq, Default)]
struct Extra {
    error: Option<String>,
    /// Members other than `value` and `error` (multilingual fields carry `Translations`).
    other: BTreeMap<String, RawJson>,
}

impl<T> Default for Value<T> {
    fn default() -> Self {
        Value::absent()
    }
}

impl<T> Value<T> {
    /// A value to send.
    pub const fn new(value: T) -> Self {
        Value {
            state: State::Set(value),
            extra: None,
        }
    }

    /// Not sent at all: the server keeps what it has.
    pub const fn absent() -> Self {
        Value {
            state: State::Absent,
            extra: None,
        }
    }

    /// Sent as `{"value": null}`: clears the field.
    pub const fn null() -> Self {
        Value {
            state: State::Null,
            extra: None,
        }
    }

    /// The value, if there is one.
    pub fn get(&self) -> Option<&T> {
        match &self.state {
            State::Set(v) => Some(v),
            _ => None,
        }
    }

    /// The value, mutably, if there is one.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match &mut self.state {
            State::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Takes the value out, if there is one.
    pub fn into_inner(self) -> Option<T> {
        match self.state {
            State::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Sets the value (keeps no error).
    pub fn set(&mut self, value: T) {
        self.state = State::Set(value);
        self.extra = None;
    }

    /// Clears the field on the next write (`{"value": null}`).
    pub fn clear(&mut self) {
        self.state = State::Null;
    }

    /// Whether the field is left out of the JSON (not selected on a read, not sent on a write).
    pub fn is_absent(&self) -> bool {
        matches!(self.state, State::Absent)
    }

    /// Whether the field is present but holds no value (`{}`, `{"value": null}` or `null`).
    pub fn is_empty(&self) -> bool {
        matches!(self.state, State::Empty | State::Null | State::BareNull)
    }

    /// Whether the field holds a value.
    pub fn is_set(&self) -> bool {
        matches!(self.state, State::Set(_))
    }

    /// The error the server attached to this field (422 answers).
    pub fn error(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.error.as_deref())
    }

    /// Members of the wrapper other than `value` and `error`, kept for round trips.
    pub fn other_members(&self) -> impl Iterator<Item = (&str, &RawJson)> {
        self.extra
            .iter()
            .flat_map(|e| e.other.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// The value as an `Option` of a reference.
    pub fn as_ref(&self) -> Value<&T> {
        let state = match &self.state {
            State::Absent => State::Absent,
            State::Empty => State::Empty,
            State::Null => State::Null,
            State::BareNull => State::BareNull,
            State::Set(v) => State::Set(v),
        };
        Value {
            state,
            extra: self.extra.clone(),
        }
    }
}

impl<T> From<T> for Value<T> {
    fn from(value: T) -> Self {
        Value::new(value)
    }
}

impl<T> From<Option<T>> for Value<T> {
    /// `None` becomes an explicit null.
    fn from(value: Option<T>) -> Self {
        value.map_or_else(Value::null, Value::new)
    }
}

impl From<&str> for Value<String> {
    fn from(value: &str) -> Self {
        Value::new(value.to_owned())
    }
}

impl<T: PartialEq> PartialEq<T> for Value<T> {
    fn eq(&self, other: &T) -> bool {
        self.get() == Some(other)
    }
}

impl PartialEq<&str> for Value<String> {
    fn eq(&self, other: &&str) -> bool {
        self.get().is_some_and(|v| v == other)
    }
}

impl<T: fmt::Debug> fmt::Debug for Value<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Absent => f.write_str("Absent")?,
            State::Empty => f.write_str("Empty")?,
            State::Null | State::BareNull => f.write_str("Null")?,
            State::Set(v) => v.fmt(f)?,
        }
        if let Some(error) = self.error() {
            write!(f, " (error: {error:?})")?;
        }
        Ok(())
    }
}

impl<T: fmt::Display> fmt::Display for Value<T> {
    /// The value, or nothing when there is none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Set(v) => v.fmt(f),
            _ => Ok(()),
        }
    }
}

impl<T: ValueType> Value<T> {
    /// Writes the wrapper's members (`value`, `error`, the rest) into an open map, so that
    /// containers such as custom fields can put their own members around them.
    pub(crate) fn serialize_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match &self.state {
            State::Set(v) => map.serialize_entry("value", &AsWire(v))?,
            State::Null => map.serialize_entry("value", &())?,
            _ => {}
        }
        if let Some(extra) = &self.extra {
            if let Some(error) = &extra.error {
                map.serialize_entry("error", error)?;
            }
            for (k, v) in &extra.other {
                map.serialize_entry(k, v)?;
            }
        }
        Ok(())
    }
}

impl<T: ValueType> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if matches!(self.state, State::BareNull) {
            return s.serialize_unit();
        }
        let mut map = s.serialize_map(None)?;
        self.serialize_members(&mut map)?;
        map.end()
    }
}

impl<'de, T: ValueType> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(ValueVisitor(PhantomData))
    }
}

struct ValueVisitor<T>(PhantomData<T>);

impl<'de, T: ValueType> Visitor<'de> for ValueVisitor<T> {
    type Value = Value<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value wrapper like {\"value\": ...}")
    }

    fn visit_none<E: de::Error>(self) -> Result<Value<T>, E> {
        Ok(Value {
            state: State::BareNull,
            extra: None,
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value<T>, E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value<T>, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<T>, A::Error> {
        let mut state = State::Empty;
        let mut extra: Option<Box<Extra>> = None;
        while let Some(key) = map.next_key::<super::Key<'de>>()? {
            match key.as_str() {
                "value" => {
                    state = match map.next_value_seed(WireSeed::<T>(PhantomData))? {
                        Some(v) => State::Set(v),
                        None => State::Null,
                    }
                }
                "error" => extra.get_or_insert_default().error = map.next_value()?,
                other => {
                    let raw: RawJson = map.next_value()?;
                    extra
                        .get_or_insert_default()
                        .other
                        .insert(other.to_owned(), raw);
                }
            }
        }
        Ok(Value { state, extra })
    }
}

impl<T: ValueType + schemars::JsonSchema> schemars::JsonSchema for Value<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("{}Value", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = T::value_schema(generator);
        schemars::json_schema!({
            "type": "object",
            "properties": { "value": value, "error": { "type": "string" } },
            "description": "A value wrapper: absent = unchanged, {\"value\": null} = cleared, {} = no value."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn round_trip<T: ValueType>(json: &str) -> Value<T> {
        let v: Value<T> = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            json,
            "round trip of {json}"
        );
        v
    }

    #[test]
    fn four_states_survive_a_round_trip() {
        assert!(round_trip::<String>("{}").is_empty());
        assert!(round_trip::<String>(r#"{"value":null}"#).is_empty());
        assert!(round_trip::<String>("null").is_empty());
        assert_eq!(round_trip::<String>(r#"{"value":"x"}"#), "x");
        assert!(Value::<String>::absent().is_absent());
    }

    #[test]
    fn decimals_keep_every_digit_and_the_scale() {
        let v = round_trip::<Decimal>(r#"{"value":12345678901234.5678}"#);
        assert_eq!(v.get().unwrap().to_string(), "12345678901234.5678");
        let v = round_trip::<Decimal>(r#"{"value":5.0000}"#);
        assert_eq!(v.get().unwrap().scale(), 4);
        let v = round_trip::<Decimal>(r#"{"value":9999999999999.9999}"#);
        assert_eq!(v.get().unwrap().to_string(), "9999999999999.9999");
        let from_string: Value<Decimal> = serde_json::from_str(r#"{"value":"1222.80"}"#).unwrap();
        assert_eq!(from_string.get().unwrap().to_string(), "1222.80");
        let from_value: Value<Decimal> =
            serde_json::from_value(serde_json::json!({"value": 2.5})).unwrap();
        assert_eq!(from_value, Decimal::new(25, 1));
    }

    #[test]
    fn errors_and_unknown_members_are_kept() {
        let v = round_trip::<String>(
            r#"{"value":"TES2323T","error":"Project 'TES2323T  ' cannot be found in the system."}"#,
        );
        assert_eq!(
            v.error(),
            Some("Project 'TES2323T  ' cannot be found in the system.")
        );
        let v = round_trip::<String>(r#"{"value":"Desc","Translations":{"fr":"Descr"}}"#);
        assert_eq!(v.other_members().count(), 1);
    }

    #[test]
    fn integer_widths_are_checked() {
        assert!(serde_json::from_str::<Value<u8>>(r#"{"value":256}"#).is_err());
        assert!(serde_json::from_str::<Value<i16>>(r#"{"value":40000}"#).is_err());
        assert_eq!(
            round_trip::<i64>(r#"{"value":9007199254740993}"#),
            9_007_199_254_740_993
        );
    }
}
