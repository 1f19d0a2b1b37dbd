//! One HTTP exchange: what to send ([`RequestSpec`]), what came back ([`RawResponse`]), how an
//! unsuccessful answer becomes an [`Error`](crate::Error), and when to try again.

mod classify;
mod redact;
mod request;
mod retry;

pub(crate) use classify::{decode_json, error_for};
pub(crate) use redact::printable;
pub(crate) use request::{Body, BodyLimit, CallKind, RawResponse, RequestSpec, exchange, spread};
pub(crate) use retry::{Attempts, Bucket, backoff};
pub use retry::{RetryBudget, RetryPolicy};
