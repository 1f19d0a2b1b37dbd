//! [`FilterError`]: a `$filter` the lexer or the parser refuses, with where and why. Apart from
//! both, so that neither imports the other.

use thiserror::Error;

/// A `$filter` that cannot be parsed: where, and what was expected and found.
///
/// `Display` gives e.g. `$filter: at position 12: expected a field or a literal after 'eq', found ')'`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("$filter: at position {position}: {message}")]
pub struct FilterError {
    /// 0-based index of the offending char (chars, not bytes) in the filter text.
    pub position: usize,
    /// What was expected and what was found, without the position prefix.
    pub message: String,
}

impl FilterError {
    pub(super) fn new(position: usize, message: impl Into<String>) -> Self {
        FilterError {
            position,
            message: message.into(),
        }
    }
}
