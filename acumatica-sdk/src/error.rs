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

    /// A call that could not be built, and so was never sent: a key that would address
    /// another resource, a header value that cannot be sent, a body that cannot be encoded.
    #[error("invalid request: {what}: {message}")]
    InvalidRequest {
        /// What was wrong (`key`, `file name`, `file comment`, `body`, ...).
        what: String,
        /// Why.
        message: String,
    },

    /// The server answered with a redirect. The client never follows one: a redirect to
    /// another host would hand it the credentials or return another server's data as the
    /// tenant's, and the contract-based API does not redirect when it works.
    #[error(
        "{request}: the server redirected ({status}) to {location}; redirects are not followed"
    )]
    Redirected {
        /// The request.
        request: RequestInfo,
        /// 301, 302, 303, 307 or 308.
        status: u16,
        /// The `Location` header, as sent (control characters escaped, at most 200 characters).
        location: String,
    },

    /// The answer's body was larger than the configured limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes), or
    /// [`max_file_bytes`](crate::ClientBuilder::max_file_bytes) for file downloads).
    #[error("{request}: the answer is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The request.
        request: RequestInfo,
        /// The limit in bytes.
        limit: u64,
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

    /// Any other unsuccessful answer. For a write, a 5xx leaves it unknown whether the write
    /// was applied ([`Error::may_have_been_applied`]).
    #[error("{request}: server error {status}{}: {message}{}", exception_type.as_deref().map(|t| format!(" ({t})")).unwrap_or_default(), applied_note(server_may_have_applied(request, *status)))]
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
            Error::Redirected { status, .. } => Some(*status),
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
            Error::Redirected { request, .. } | Error::BodyTooLarge { request, .. } => {
                Some(request)
            }
            Error::Config { .. } | Error::InvalidQuery { .. } | Error::InvalidRequest { .. } => {
                None
            }
        }
    }

    /// Whether the record was not found.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether a write may have been applied on the server although the call failed.
    ///
    /// `false` only when the answer proves the request did not run; when in doubt, `true`.
    /// Reads (`GET`) are never applied.
    ///
    /// | failure | may have been applied (writes) |
    /// |---|---|
    /// | [`Config`](Error::Config), [`InvalidQuery`](Error::InvalidQuery), [`InvalidRequest`](Error::InvalidRequest) | no: nothing was sent |
    /// | 400, 401 ([`Authentication`](Error::Authentication)), 403, 404 ([`NotFound`](Error::NotFound)), 412, 422 ([`Validation`](Error::Validation)) | no: refused before it ran |
    /// | 429 decline ([`RateLimited`](Error::RateLimited)), [`LoginLimit`](Error::LoginLimit) | no: the license queue declines before running |
    /// | [`Redirected`](Error::Redirected) | no: the tenant's API does not redirect a request it ran |
    /// | 500, 502, 503, 504 and other 5xx ([`Server`](Error::Server)) | **yes**: a proxy or the tenant may have failed after applying it |
    /// | a 2xx that did not decode ([`Decode`](Error::Decode)), [`BodyTooLarge`](Error::BodyTooLarge) | **yes**: it was answered |
    /// | [`Timeout`](Error::Timeout), [`Cancelled`](Error::Cancelled) after sending | **yes** |
    /// | [`Transport`](Error::Transport): connection refused / not established | no |
    /// | [`Transport`](Error::Transport): the connection broke after sending began | **yes** |
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Timeout {
                may_have_been_applied,
                ..
            }
            | Error::Transport {
                may_have_been_applied,
                ..
            }
            | Error::Cancelled {
                may_have_been_applied,
                ..
            } => *may_have_been_applied,
            Error::Server {
                request, status, ..
            } => server_may_have_applied(request, *status),
            Error::Decode { request, .. } | Error::BodyTooLarge { request, .. } => {
                is_write(request)
            }
            _ => false,
        }
    }

    /// Whether the error is worth trying again later as it is (the tenant was busy, declined,
    /// or unreachable), as opposed to a refusal that will repeat.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Server { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }
}

/// Whether a request changes data: everything but `GET` and `HEAD`, and but signing in or out
/// and token requests (which change no record).
fn is_write(request: &RequestInfo) -> bool {
    request.method != reqwest::Method::GET
        && request.method != reqwest::Method::HEAD
        && !request.path.starts_with("/entity/auth/")
        && !request.path.starts_with("/identity/")
}

fn server_may_have_applied(request: &RequestInfo, status: u16) -> bool {
    status >= 500 && is_write(request)
}

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<acumatica_model::QueryError> for Error {
    fn from(e: acumatica_model::QueryError) -> Self {
        Error::InvalidQuery { message: e.message }
    }
}
