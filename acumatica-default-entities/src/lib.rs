//! The entity types of Acumatica's `Default/24.200.001` endpoint, generated from
//! `schemas/Default_24.200.001.json` by `cargo xtask generate`: one struct per entity, its
//! typed field paths, and the parameters of its actions.
//!
//! Use them through `acumatica-sdk` (`acumatica_sdk::default::Customer`), which adds the
//! services. This crate needs only `acumatica-model`, so it compiles without the HTTP stack and
//! in parallel with it, and a change to the runtime does not recompile it. Its features are
//! those of `acumatica-sdk`: one per top-level entity, each compiling that entity and every
//! entity it references.

#[rustfmt::skip]
mod generated;

pub use generated::*;
