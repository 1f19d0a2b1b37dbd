//! The reliability suite: every promise the README makes about sessions, retries, keys,
//! redirects and secrets, tried as an adversarial user and a tenant's administrator would, with
//! exact figures asserted on the emulator's metrics. Bounded in time (well under two minutes).
//!
//! - [`faults`]: 1,000 calls with 10 % faults on every route, sign-in and sign-out included.
//! - [`cancel`]: batches dropped at random moments, during sign-out too.
//! - [`exit`]: the last client dropped at the end of `#[tokio::main]` and outside a runtime.
//! - [`license`]: two programs sharing a login limit of 3; the 2-core, 4-queued pipeline.
//! - [`keys`]: hostile key values never address another record.
//! - [`hostile_server`]: redirects to other hosts, huge and endless bodies, bad token answers.
//! - [`secrets`]: a TRACE capture of a whole session holds no password, cookie or token.
//! - [`filters`]: 100,000-term filters.

mod cancel;
mod exit;
mod faults;
mod filters;
mod hostile_server;
mod keys;
mod license;
mod secrets;
