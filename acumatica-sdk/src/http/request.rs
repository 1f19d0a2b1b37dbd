//! [`RequestSpec`]: a request fully described before anything is sent (so it can be deferred,
//! re-run, retried and sent on any session), and [`RawResponse`].

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::RequestInfo;

/// What kind of call a request is; decides retries and how the answer is awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// Reading or deleting: idempotent, retried on transient failures.
    Idempotent,
    /// Creating or changing: never retried unless the policy says so.
    Write,
    /// An action: a write that may answer 202 and must then be polled.
    Action,
}

/// A request body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Json(Bytes),
    Bytes {
        data: Bytes,
        content_type: &'static str,
    },
}

/// Everything needed to send a request.
#[derive(Debug, Clone)]
pub(crate) struct RequestSpec {
    pub(crate) method: Method,
    /// Path from the instance root, percent-encoded (`/entity/Default/24.200.001/Customer/C001`).
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Body>,
    pub(crate) kind: CallKind,
}

impl RequestSpec {
    pub(crate) fn new(method: Method, path: String, kind: CallKind) -> Self {
        RequestSpec {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            kind,
        }
    }

    pub(crate) fn info(&self) -> RequestInfo {
        RequestInfo {
            method: self.method.clone(),
            path: self.path.clone(),
        }
    }

    pub(crate) fn is_write(&self) -> bool {
        self.kind != CallKind::Idempotent
    }
}

/// An answer, fully read.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) request: RequestInfo,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends a prepared request and reads the whole answer: any status is `Ok`, a failed connection
/// or body read is [`Error::Transport`](crate::Error::Transport).
pub(crate) async fn exchange(
    req: reqwest::RequestBuilder,
    request: RequestInfo,
    may_have_been_applied: bool,
) -> crate::Result<RawResponse> {
    let transport = |source| crate::Error::Transport {
        request: request.clone(),
        may_have_been_applied,
        source,
    };
    let resp = req.send().await.map_err(transport)?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.map_err(transport)?;
    Ok(RawResponse {
        status,
        headers,
        body,
        request,
    })
}
