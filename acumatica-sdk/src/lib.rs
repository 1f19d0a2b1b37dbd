//! Typed, concurrent Rust SDK for Acumatica ERP's contract-based REST API.
//!
//! - Typed entities generated from the endpoint schema ([`default`] is the built-in
//!   `Default/24.200.001` endpoint; `cargo xtask generate --out` makes your own).
//! - A client that signs in on first use, signs in again when the server expires the session,
//!   and never leaks a session ([`AcumaticaClient`], [`session::SessionPool`]).
//! - Deferred typed calls ([`batch::BatchCall`]) and a concurrent executor over separate
//!   sessions that hands back each result in its own type ([`batch::Batch`]).
//!
//! ```no_run
//! use acumatica_sdk::prelude::*;
//! use acumatica_sdk::default::{Customer, DefaultEndpoint as _};
//!
//! # async fn run() -> acumatica_sdk::Result<()> {
//! let client = AcumaticaClient::from_env()?;
//! let active = client
//!     .customers()
//!     .get_list(QueryOptions::new().filter(Customer::filter().status().eq("Active")).top(10))
//!     .await?;
//! for c in &active {
//!     println!("{:?} {:?}", c.customer_id.get(), c.customer_name.get());
//! }
//! client.logout().await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs, unreachable_pub)]

mod base_url;
pub mod batch;
pub mod client;
mod config;
pub mod error;
mod http;
pub mod oauth;
pub mod odata;
pub mod prelude;
mod secret;
mod segment;
pub mod service;
pub mod session;
mod shared;

mod generated;

// The model half lives in `acumatica-model`, so that generated entities build without the HTTP
// stack; its modules are the SDK's own, under the same paths.
pub use acumatica_model::{entity, query, types};

pub use client::{AcumaticaClient, ClientBuilder, ClientConfig, ClientStats, Credentials, Secret};
pub use entity::{CustomField, Endpoint, Entity, EntityMeta, FileLink, Links, TopLevelEntity};
pub use error::{Error, FieldError, RequestInfo, Result};
pub use generated::default;
pub use http::{RetryBudget, RetryPolicy};
pub use types::Value;

/// Re-exports generated code refers to, so that a user's crate generated with `--out` needs no
/// dependency but `acumatica-sdk`. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
}
