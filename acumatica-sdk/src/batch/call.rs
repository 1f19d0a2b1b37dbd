//! [`BatchCall`]: a typed call described in full and run later, any number of times.

use std::fmt;
use std::sync::Arc;

use crate::client::AcumaticaClient;
use crate::error::{Error, RequestInfo, Result};
use crate::http::{RawResponse, RequestSpec};
use crate::session::Session;

/// A deferred, re-runnable, typed call: method, path, query, body, and how to decode `T`.
/// Nothing is sent until it runs: alone with [`send`](BatchCall::send), or with others in a
/// [`Batch`](crate::batch::Batch). Cloning is cheap (the request is shared).
///
/// Every service method has a `_batch` twin that returns one:
/// ```no_run
/// use acumatica_sdk::prelude::*;
/// use acumatica_sdk::default::DefaultEndpoint as _;
/// # async fn f(client: AcumaticaClient) -> acumatica_sdk::Result<()> {
/// let call = client.customers().get_by_id_batch("C001");
/// let first = call.send(&client).await?;
/// let again = call.send(&client).await?; // the same request, sent again
/// # Ok(()) }
/// ```
pub struct BatchCall<T> {
    spec: std::result::Result<Arc<RequestSpec>, Arc<InvalidCall>>,
    decode: fn(&RawResponse) -> Result<T>,
}

/// Why a call could not be built (reported, the same each time, when it runs).
#[derive(Debug)]
pub(crate) enum InvalidCall {
    Query(String),
    Request { what: String, message: String },
    Config { setting: String, message: String },
}

impl InvalidCall {
    fn from_error(error: Error) -> Self {
        match error {
            Error::InvalidQuery { message } => InvalidCall::Query(message),
            Error::Config { setting, message } => InvalidCall::Config { setting, message },
            Error::InvalidRequest { what, message } => InvalidCall::Request { what, message },
            other => InvalidCall::Request {
                what: "request".into(),
                message: other.to_string(),
            },
        }
    }

    fn to_error(&self) -> Error {
        match self {
            InvalidCall::Query(message) => Error::InvalidQuery {
                message: message.clone(),
            },
            InvalidCall::Request { what, message } => Error::InvalidRequest {
                what: what.clone(),
                message: message.clone(),
            },
            InvalidCall::Config { setting, message } => Error::Config {
                setting: setting.clone(),
                message: message.clone(),
            },
        }
    }
}

impl<T> Clone for BatchCall<T> {
    fn clone(&self) -> Self {
        BatchCall {
            spec: self.spec.clone(),
            decode: self.decode,
        }
    }
}

impl<T> fmt::Debug for BatchCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BatchCall<{}>({})",
            std::any::type_name::<T>(),
            self.describe()
        )
    }
}

impl<T> BatchCall<T> {
    pub(crate) fn new(spec: RequestSpec, decode: fn(&RawResponse) -> Result<T>) -> Self {
        BatchCall {
            spec: Ok(Arc::new(spec)),
            decode,
        }
    }

    /// A call that fails with `error` when it runs, without sending anything (its arguments
    /// could not be made into a request).
    pub(crate) fn invalid(error: Error, decode: fn(&RawResponse) -> Result<T>) -> Self {
        BatchCall {
            spec: Err(Arc::new(InvalidCall::from_error(error))),
            decode,
        }
    }

    /// `GET /entity/Default/24.200.001/Customer/C001`.
    pub fn describe(&self) -> String {
        match &self.spec {
            Ok(s) => format!("{} {}", s.method, s.path),
            Err(e) => format!("invalid call: {}", e.to_error()),
        }
    }

    /// The request's method and path.
    pub fn request(&self) -> Option<RequestInfo> {
        self.spec.as_ref().ok().map(|s| s.info())
    }

    /// Whether the call changes data (PUT, PATCH, POST): such calls are not retried by default,
    /// and a cancelled one may have been applied.
    pub fn is_write(&self) -> bool {
        self.spec.as_ref().is_ok_and(|s| s.is_write())
    }

    /// Runs the call on the client's own session.
    pub async fn send(&self, client: &AcumaticaClient) -> Result<T> {
        self.run_on(client.session()).await
    }

    /// Runs the call on `session`.
    pub async fn run_on(&self, session: &Session) -> Result<T> {
        let spec = match &self.spec {
            Ok(s) => s,
            Err(e) => return Err(e.to_error()),
        };
        let resp = session.send(spec).await?;
        (self.decode)(&resp)
    }

    /// The request info for errors that happen around the call (cancellation, timeouts).
    pub(crate) fn info_or_placeholder(&self) -> RequestInfo {
        self.request().unwrap_or(RequestInfo {
            method: reqwest::Method::GET,
            path: "(invalid call)".into(),
        })
    }
}
