//! The generator's error type: every failure names the place in the input it comes from.

use std::path::PathBuf;

/// Why reading a schema or generating code failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done (`reading`, `writing`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The schema is not valid JSON.
    #[error("{origin}: not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// Where the document came from (a path or a URL).
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The schema is valid JSON but not a schema the generator understands at this place.
    #[error("{pointer}: {message}")]
    Schema {
        /// JSON pointer of the offending construct, e.g. `#/components/schemas/Customer/allOf/1/properties/Foo`.
        pointer: String,
        /// What was expected and what was found.
        message: String,
    },
    /// The endpoint XML could not be read.
    #[error("{origin}: endpoint XML: {message}")]
    Xml {
        /// Where the document came from.
        origin: String,
        /// What went wrong, with the element where known.
        message: String,
    },
    /// A name in the schema cannot be turned into a Rust identifier.
    #[error("{pointer}: cannot turn {name:?} into a Rust identifier: {message}")]
    Name {
        /// JSON pointer of the construct the name comes from.
        pointer: String,
        /// The name as written in the schema.
        name: String,
        /// Why.
        message: String,
    },
    /// Emitted code failed to parse as Rust: a bug in the generator, reported instead of a panic.
    #[error("internal error: generated code for {file} does not parse: {message}")]
    Emit {
        /// The output file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// The generation options are contradictory or name things the schema does not have.
    #[error("{0}")]
    Options(String),
}

impl Error {
    pub(crate) fn schema(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Schema {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// Result with the generator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
