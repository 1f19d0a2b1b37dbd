//! Code generator for Acumatica's contract-based REST API.
//!
//! The pipeline has three steps, each in its own module:
//!
//! 1. [`load`] reads an endpoint schema, OpenAPI 3.0.x or Swagger 2.0 as a tenant serves it at
//!    `/entity/{endpoint}/{version}/swagger.json`, into the [`ir`] (plus, optionally, the
//!    endpoint XML for documentation);
//! 2. `emit` turns the model into Rust tokens with `quote`, one file per entity and per service;
//! 3. `output` formats them with `prettyplease` into an ordered set of files.
//!
//! ```no_run
//! # fn main() -> Result<(), acumatica_codegen::Error> {
//! let endpoint = acumatica_codegen::read_schema_file("schemas/Default_24.200.001.json".as_ref())?;
//! println!("{} top-level entities", endpoint.top_level().count());
//! # Ok(()) }
//! ```
//!
//! The reader never panics on bad input: malformed constructs are errors that name the JSON
//! pointer, and constructs it does not know become [`ir::Warning`]s.

#![warn(missing_docs, unreachable_pub)]

#[cfg(feature = "emit")]
mod emit;
mod error;
pub mod ir;
pub mod load;
pub mod naming;
#[cfg(feature = "emit")]
pub mod output;
#[cfg(feature = "emit")]
mod runtime_paths;

pub use error::{Error, Result};
pub use load::{read_schema, read_schema_file, read_value};

#[cfg(feature = "emit")]
pub use emit::{
    ALL_ENTITIES_FEATURE, Settings, entity_features, generate, generate_single_file,
    naming_warnings, source_label,
};
#[cfg(feature = "emit")]
pub use output::GeneratedFile;
#[cfg(feature = "emit")]
pub use runtime_paths::RuntimeCrate;

/// The runtime method names generated names must not take, for the test that checks them
/// against the runtime's source. Not part of the public API.
#[cfg(feature = "emit")]
#[doc(hidden)]
pub mod __reserved {
    pub use crate::runtime_paths::{CLIENT_METHODS, SERVICE_METHODS};
}
