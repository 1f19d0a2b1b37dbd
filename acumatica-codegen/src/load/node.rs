//! A JSON value together with its JSON pointer, so that every error can say where it is.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A borrowed JSON value and the pointer that leads to it (`#/components/schemas/Customer`).
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub(crate) value: &'a Value,
    pub(crate) pointer: String,
}

impl<'a> Node<'a> {
    pub(crate) fn root(value: &'a Value) -> Self {
        Node {
            value,
            pointer: "#".to_owned(),
        }
    }

    /// The pointer of a child, escaped as RFC 6901 requires (`/` → `~1`, `~` → `~0`).
    pub(crate) fn child_pointer(&self, key: &str) -> String {
        format!(
            "{}/{}",
            self.pointer,
            key.replace('~', "~0").replace('/', "~1")
        )
    }

    /// A member of an object, if this is an object that has it.
    pub(crate) fn get(&self, key: &str) -> Option<Node<'a>> {
        self.value.get(key).map(|value| Node {
            value,
            pointer: self.child_pointer(key),
        })
    }

    /// A member that must be there.
    pub(crate) fn require(&self, key: &str) -> Result<Node<'a>> {
        self.object()?;
        self.get(key)
            .ok_or_else(|| self.error(format!("expected a member {key:?}")))
    }

    /// The members of an object, in document order, as child nodes.
    pub(crate) fn entries(&self) -> Result<Vec<(&'a str, Node<'a>)>> {
        let map = self.object()?;
        Ok(map
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    Node {
                        value: v,
                        pointer: self.child_pointer(k),
                    },
                )
            })
            .collect())
    }

    /// The elements of an array, as child nodes.
    pub(crate) fn items(&self) -> Result<Vec<Node<'a>>> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.error(format!("expected an array, found {}", kind(self.value))))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| Node {
                value: v,
                pointer: format!("{}/{i}", self.pointer),
            })
            .collect())
    }

    pub(crate) fn object(&self) -> Result<&'a Map<String, Value>> {
        self.value
            .as_object()
            .ok_or_else(|| self.error(format!("expected an object, found {}", kind(self.value))))
    }

    pub(crate) fn str(&self) -> Result<&'a str> {
        self.value
            .as_str()
            .ok_or_else(|| self.error(format!("expected a string, found {}", kind(self.value))))
    }

    /// A string member, if present; an error if present but not a string.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        self.get(key).map(|n| n.str()).transpose()
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error::schema(self.pointer.clone(), message)
    }
}

/// A short name for the JSON type of a value, for error messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
