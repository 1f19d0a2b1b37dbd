//! A call with a place for its result, seen by the executor without its type.
//!
//! The items are `pub` in a private module: [`IntoBatch`](super::IntoBatch) names them in its
//! hidden methods, but no user can name or implement them (a sealed trait).
#![allow(unreachable_pub)]

use std::sync::Mutex;

use futures::future::BoxFuture;

use super::BatchCall;
use crate::error::{Error, RequestInfo, Result};
use crate::session::Session;

/// What the executor needs of a call, whatever its result type.
pub trait Job: Send + Sync {
    /// Runs the call on `session` and stores the result. With `requeue`, a 429 decline of the
    /// license queue (the call did not run) is not stored but reported as
    /// [`Outcome::Declined`], for the executor to run the call again later.
    fn run<'a>(&'a self, session: &'a Session, requeue: bool) -> BoxFuture<'a, Outcome>;
    /// Stores `error` as the result unless there already is one.
    fn fail(&self, error: Error);
    /// Whether a result is stored.
    fn is_done(&self) -> bool;
    /// Method and path, for errors about the call.
    fn info(&self) -> RequestInfo;
    /// Whether the call writes.
    fn is_write(&self) -> bool;
}

/// How a run ended, as far as the executor cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Success,
    Failure,
    /// The session could not sign in because of the API login limit: the call did not run.
    LoginLimit(LoginLimitHit),
    /// The tenant's license queue declined the call (or its sign-in) with 429 after the
    /// client's retries: it did not run.
    Declined,
}

/// The parts of a login-limit error, which can be copied to every call it stops.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginLimitHit {
    pub(crate) request: RequestInfo,
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl LoginLimitHit {
    pub(crate) fn to_error(&self) -> Error {
        Error::LoginLimit {
            request: self.request.clone(),
            status: self.status,
            message: self.message.clone(),
        }
    }
}

/// A typed call and its result slot.
pub struct TypedJob<T> {
    pub(crate) call: BatchCall<T>,
    result: Mutex<Option<Result<T>>>,
}

impl<T> std::fmt::Debug for TypedJob<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedJob")
            .field("call", &self.call)
            .field(
                "done",
                &self.result.lock().map(|r| r.is_some()).unwrap_or(false),
            )
            .finish()
    }
}

impl<T> TypedJob<T> {
    pub(crate) fn new(call: BatchCall<T>) -> Self {
        TypedJob {
            call,
            result: Mutex::new(None),
        }
    }

    /// Takes the result; a call that never ran and was never failed is reported as cancelled.
    pub(crate) fn take(&self) -> Result<T> {
        let slot = self.result.lock().unwrap_or_else(|p| p.into_inner()).take();
        slot.unwrap_or_else(|| {
            Err(Error::Cancelled {
                request: self.call.info_or_placeholder(),
                may_have_been_applied: false,
            })
        })
    }
}

impl<T: Send + 'static> Job for TypedJob<T> {
    fn run<'a>(&'a self, session: &'a Session, requeue: bool) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            // Sign in first, so that a refused sign-in leaves the call to another session.
            if let Err(e) = session.login().await {
                if let Error::LoginLimit {
                    request,
                    status,
                    message,
                } = e
                {
                    return Outcome::LoginLimit(LoginLimitHit {
                        request,
                        status,
                        message,
                    });
                }
                if requeue && matches!(e, Error::RateLimited { .. }) {
                    return Outcome::Declined;
                }
                self.fail(e);
                return Outcome::Failure;
            }
            let result = self.call.run_on(session).await;
            if requeue && matches!(result, Err(Error::RateLimited { .. })) {
                return Outcome::Declined;
            }
            let outcome = if result.is_ok() {
                Outcome::Success
            } else {
                Outcome::Failure
            };
            *self.result.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
            outcome
        })
    }

    fn fail(&self, error: Error) {
        let mut slot = self.result.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(Err(error));
        }
    }

    fn is_done(&self) -> bool {
        self.result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn info(&self) -> RequestInfo {
        self.call.info_or_placeholder()
    }

    fn is_write(&self) -> bool {
        self.call.is_write()
    }
}
