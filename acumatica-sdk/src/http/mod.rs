//! One HTTP exchange: what to send ([`RequestSpec`]), what came back ([`RawResponse`]), how an
//! unsuccessful answer becomes an [`Error`](crate::Error), and when to try again.

mod classify;
mod request;
mod retry;

pub(crate) use classify::{decode_json, error_for, is_login_limit};
pub(crate) use request::{Body, CallKind, RawResponse, RequestSpec, exchange};
pub use retry::RetryPolicy;

/// `Retry-After` of an answer.
pub(crate) fn retry_after_of(resp: &RawResponse) -> Option<std::time::Duration> {
    retry::retry_after(resp.header("retry-after"))
}
