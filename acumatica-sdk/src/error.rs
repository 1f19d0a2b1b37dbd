//! [`Error`]: everything that can go wrong, by phase, always naming the request.

use std::fmt;
use std::time::Duration;

/// The request an error belongs to: method and path (never the query string's secrets, never a
/// credential: login bodies are not part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path from the instance root, e.g. `/entity/Default/24.200.001/Customer/C001`.
    pub path: String,
}

impl fmt::Display for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// An error attached to one field of a record in a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the field is in the returned record: `CustomerID`, `Details[1].InventoryID`.
    pub path: String,
    /// The value the server rejected, as JSON text, if it sent one back.
    pub value: Option<String>,
    /// The server's message.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every failure of the SDK.
///
/// Variants that come from an HTTP exchange carry the [`RequestInfo`]. Variants about writes say
/// whether the request may have been applied on the server (a timeout or a dropped connection
/// after sending leaves that unknown).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or malformed.
    #[error("configuration: {setting}: {message}")]
    Config {
        /// The setting (`ACUMATICA_URL`, `base_url`, ...).
        setting: String,
        /// What is wrong with it.
        message: String,
    },

    /// A query option cannot be rendered safely (a malformed field path, for instance).
    #[error("invalid query: {message}")]
    InvalidQuery {
        /// What is wrong.
        message: String,
    },

    /// The server refused the credentials or the token.
    #[error("{request}: authentication failed ({status}): {message}")]
    Authentication {
        /// The request.
        request: RequestInfo,
        /// HTTP status (a tenant answers bad credentials with 500).
        status: u16,
        /// The server's message.
        message: String,
        /// The server's `exceptionType`, if any.
        exception_type: Option<String>,
    },

    /// The server refused a sign-in because the license's API login limit is reached.
    #[error("{request}: API login limit reached ({status}): {message}")]
    LoginLimit {
        /// The request.
        request: RequestInfo,
        /// HTTP status (500 or 429 depending on the version).
        status: u16,
        /// The server's message.
        message: String,
    },

    /// The record does not exist (a tenant answers 500 `NoEntitySatisfiesTheConditionException`;
    /// PATCH and unknown actions answer 404).
    #[error("{request}: not found ({status}): {message}")]
    NotFound {
        /// The request.
        request: RequestInfo,
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },

    /// 422: the record was rejected; the field errors come from the returned record, including
    /// its detail lines.
    #[error("{request}: validation failed: {}", validation_summary(message.as_deref(), fields))]
    Validation {
        /// The request.
        request: RequestInfo,
        /// The record-level `error`.
        message: Option<String>,
        /// Every field error, with its path in the record.
        fields: Vec<FieldError>,
        /// The record as the server returned it.
        body: Box<crate::types::RawJson>,
    },

    /// 412: insert-only on an existing record, or update-only on a missing one.
    #[error("{request}: precondition failed (412): {message}")]
    PreconditionFailed {
        /// The request.
        request: RequestInfo,
        /// The server's message.
        message: String,
    },

    /// 429: the license's request limit.
    #[error("{request}: rate limited (429){}: {message}", retry_after.map(|d| format!(", retry after {d:?}")).unwrap_or_default())]
    RateLimited {
        /// The request.
        request: RequestInfo,
        /// `Retry-After`, if the server sent one.
        retry_after: Option<Duration>,
        /// The server's message.
        message: String,
    },

    /// Any other unsuccessful answer.
    #[error("{request}: server error {status}{}: {message}", exception_type.as_deref().map(|t| format!(" ({t})")).unwrap_or_default())]
    Server {
        /// The request.
        request: RequestInfo,
        /// HTTP status.
        status: u16,
        /// `exceptionMessage` or `message` of the body, or a short excerpt of it.
        message: String,
        /// `exceptionType`, if any.
        exception_type: Option<String>,
    },

    /// The request, or a wait for a long-running action, did not finish in time.
    #[error("{request}: timed out after {elapsed:?}{}", applied_note(*may_have_been_applied))]
    Timeout {
        /// The request.
        request: RequestInfo,
        /// How long it ran.
        elapsed: Duration,
        /// Whether a write may have been applied anyway.
        may_have_been_applied: bool,
    },

    /// The connection failed.
    #[error("{request}: transport error{}: {source}", applied_note(*may_have_been_applied))]
    Transport {
        /// The request.
        request: RequestInfo,
        /// Whether a write may have been applied anyway.
        may_have_been_applied: bool,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// The answer does not have the expected shape.
    #[error(
        "{request}: cannot decode the response at {json_path}: {message} (body starts with: {excerpt})"
    )]
    Decode {
        /// The request.
        request: RequestInfo,
        /// JSON path of the bad value (`[3].Details[0].OrderQty.value`).
        json_path: String,
        /// What the decoder said.
        message: String,
        /// The first bytes of the body.
        excerpt: String,
    },

    /// The call was cancelled before it finished (a batch's `fail_fast`, a dropped future).
    #[error("{request}: cancelled{}", applied_note(*may_have_been_applied))]
    Cancelled {
        /// The request.
        request: RequestInfo,
        /// Whether a write may have been applied anyway.
        may_have_been_applied: bool,
    },
}

fn applied_note(may: bool) -> &'static str {
    if may {
        " (the write may have been applied)"
    } else {
        ""
    }
}

fn validation_summary(message: Option<&str>, fields: &[FieldError]) -> String {
    let mut out = message.unwrap_or("the record was rejected").to_owned();
    for f in fields {
        out.push_str("; ");
        out.push_str(&f.to_string());
    }
    out
}

impl Error {
    /// The HTTP status, for errors that come from an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Authentication { status, .. }
            | Error::LoginLimit { status, .. }
            | Error::NotFound { status, .. }
            | Error::Server { status, .. } => Some(*status),
            Error::Validation { .. } => Some(422),
            Error::PreconditionFailed { .. } => Some(412),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The request the error belongs to, if it comes from one.
    pub fn request(&self) -> Option<&RequestInfo> {
        match self {
            Error::Authentication { request, .. }
            | Error::LoginLimit { request, .. }
            | Error::NotFound { request, .. }
            | Error::Validation { request, .. }
            | Error::PreconditionFailed { request, .. }
            | Error::RateLimited { request, .. }
            | Error::Server { request, .. }
            | Error::Timeout { request, .. }
            | Error::Transport { request, .. }
            | Error::Decode { request, .. }
            | Error::Cancelled { request, .. } => Some(request),
            Error::Config { .. } | Error::InvalidQuery { .. } => None,
        }
    }

    /// Whether the record was not found.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether a write may have reached the server although the call failed.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self,
            Error::Timeout {
                may_have_been_applied: true,
                ..
            } | Error::Transport {
                may_have_been_applied: true,
                ..
            } | Error::Cancelled {
                may_have_been_applied: true,
                ..
            }
        )
    }
}

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
