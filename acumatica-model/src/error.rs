//! [`QueryError`]: a query option that cannot be rendered safely.

/// A query option cannot be rendered safely (a malformed field path, a value that cannot be
/// sent in a header). The SDK reports it as `Error::InvalidQuery` before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid query: {message}")]
pub struct QueryError {
    /// What is wrong.
    pub message: String,
}
