//! Why an emulator could not start or a store operation failed.

/// Why starting an emulator failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An endpoint schema could not be read.
    #[error("reading an endpoint schema: {0}")]
    Schema(String),
    /// The configuration contradicts itself.
    #[error("configuration: {0}")]
    Config(String),
    /// Binding the port or reading the persistence file failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The persistence file is not what the emulator writes.
    #[error("persistence file {path}: {message}")]
    Persistence {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Why a [`crate::Store`] operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No endpoint being served has a top-level entity of that name.
    #[error("no endpoint has a top-level entity named {0:?}")]
    UnknownEntity(String),
    /// No tenant of that name.
    #[error("no tenant named {0:?}")]
    UnknownTenant(String),
    /// A record must be a JSON object.
    #[error("a record must be a JSON object")]
    NotAnObject,
    /// Another record already has these key values.
    #[error("{entity} {keys:?} already exists")]
    DuplicateKey {
        /// The entity.
        entity: String,
        /// The key values.
        keys: Vec<String>,
    },
    /// No record with that id.
    #[error("{entity} has no record {id}")]
    NotFound {
        /// The entity.
        entity: String,
        /// The id.
        id: uuid::Uuid,
    },
}
