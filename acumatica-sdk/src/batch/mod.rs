//! Typed concurrent batches: [`BatchCall`]s run over separate sessions, results in their own types.

mod call;

pub use call::BatchCall;
