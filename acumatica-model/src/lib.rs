//! The model half of [`acumatica-sdk`](https://docs.rs/acumatica-sdk): value types
//! ([`types::Value`], exact decimals, every date form Acumatica sends), the entity traits and
//! their wire mapping ([`entity`]), custom fields, and the query model ([`query`]: typed field
//! paths, `$filter`, `$select`, `$expand`, `$custom`).
//!
//! It has no HTTP stack (no reqwest, no tokio), so generated entity crates build on it alone
//! and in parallel with the runtime. Use it through `acumatica-sdk`, which re-exports every
//! module here under the same path (`acumatica_sdk::types::Value` is
//! `acumatica_model::types::Value`).

#![warn(missing_docs, unreachable_pub)]

pub mod entity;
mod error;
pub mod query;
pub mod types;

pub use entity::{CustomField, Endpoint, Entity, EntityMeta, FileLink, Links, TopLevelEntity};
pub use error::QueryError;
pub use types::Value;

/// Re-exports generated code refers to. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
}
