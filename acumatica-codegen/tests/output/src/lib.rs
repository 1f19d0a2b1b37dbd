//! What `acumatica-codegen` generates for the fixtures in `acumatica-codegen/tests/fixtures`,
//! with the runtime reached as `::acumatica_sdk` (as in a user's crate made with `--out`).
//!
//! The modules are snapshots written by `acumatica-codegen/tests/snapshots.rs`; update them with
//! `EXPECTORATE=overwrite cargo test -p acumatica-codegen --test snapshots` and review the diff.
//! This crate only has to compile, without a single warning.

#![deny(warnings)]
#![warn(missing_docs, unreachable_pub)]

#[rustfmt::skip]
pub mod empty_paths;
#[rustfmt::skip]
pub mod runtime_names;
#[rustfmt::skip]
pub mod tiny_openapi3;
#[rustfmt::skip]
pub mod tiny_openapi3_adhoc;
#[rustfmt::skip]
pub mod tiny_swagger2;
