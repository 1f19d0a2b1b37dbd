//! [`RequestSpec`]: a request fully described before anything is sent (so it can be deferred,
//! re-run, retried and sent on any session), and [`RawResponse`].

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, RequestInfo};

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
    /// How much of the answer may be read.
    pub(crate) limit: BodyLimit,
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
            limit: BodyLimit::Response,
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

/// How much of an answer may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyLimit {
    /// A JSON answer ([`ClientConfig::max_response_bytes`](crate::ClientConfig)).
    Response,
    /// A file download ([`ClientConfig::max_file_bytes`](crate::ClientConfig)).
    File,
}

/// Sends a prepared request and reads the whole answer; the one place every request of the SDK
/// goes through (data calls, sign-in, sign-out, token requests, uploads), so that timeouts,
/// redirects and the body limit mean the same everywhere.
///
/// - Any status is `Ok`, except a redirect (3xx), which is [`Error::Redirected`]: the client
///   follows none (see [`crate::ClientBuilder`]).
/// - A failure is [`Error::Timeout`] or [`Error::Transport`]; `write` says whether the request
///   may have changed data if it got as far as the server (a connection that was never
///   established cannot have).
/// - A body over the limit is [`Error::BodyTooLarge`], found from `Content-Length` before
///   reading, or while reading a body without one.
///
/// Inside a batch ([`spread`]) on a multi-threaded runtime, the exchange runs as a task of its
/// own, aborted when the caller stops waiting: a batch's lanes share one task, and this lets
/// the sending and reading of their answers (which arrive together, every round trip) use
/// every thread of the runtime rather than the batch's one.
pub(crate) async fn exchange(
    config: &crate::ClientConfig,
    req: reqwest::RequestBuilder,
    request: RequestInfo,
    write: bool,
    limit: BodyLimit,
) -> crate::Result<RawResponse> {
    let max = match limit {
        BodyLimit::Response => config.max_response_bytes,
        BodyLimit::File => config.max_file_bytes,
    };
    let spread = SPREAD.try_with(|_| ()).is_ok()
        && tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if !spread {
        return exchange_owned(req, request, write, max).await;
    }
    use tracing::Instrument as _;
    let work = exchange_owned(req, request.clone(), write, max);
    let mut task = AbortOnDrop(tokio::spawn(work.in_current_span()));
    match (&mut task.0).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only this future aborts the task, and it is gone then: the runtime is shutting down.
        Err(_) => Err(crate::Error::Cancelled {
            request,
            may_have_been_applied: write,
        }),
    }
}

tokio::task_local! {
    /// Set while a batch runs: its exchanges run as tasks of their own.
    static SPREAD: ();
}

/// Runs `work` (a batch's lanes) with its exchanges spread over the runtime's threads.
pub(crate) async fn spread<F: Future>(work: F) -> F::Output {
    SPREAD.scope((), work).await
}

/// Aborts a spawned exchange when the caller stops waiting for it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn exchange_owned(
    req: reqwest::RequestBuilder,
    request: RequestInfo,
    write: bool,
    max: u64,
) -> crate::Result<RawResponse> {
    let started = std::time::Instant::now();
    let failed = |source: reqwest::Error| {
        // Without the URL: the request is named already, and a URL can be megabytes long.
        let source = source.without_url();
        if source.is_builder() {
            // Refused before anything was sent (a URI over the 64 KiB an HTTP request line can
            // be, a header that cannot be sent): retrying cannot help.
            return Error::InvalidRequest {
                what: format!("{request}").chars().take(200).collect(),
                message: format!("cannot be sent: {source}"),
            };
        }
        if source.is_timeout() {
            Error::Timeout {
                request: request.clone(),
                elapsed: started.elapsed(),
                may_have_been_applied: write,
            }
        } else {
            Error::Transport {
                request: request.clone(),
                may_have_been_applied: write && !source.is_connect(),
                source,
            }
        }
    };
    let mut resp = req.send().await.map_err(failed)?;
    let status = resp.status().as_u16();
    if (300..400).contains(&status) && status != 304 {
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            // A Location may carry a code or a token (an OAuth callback): hidden like any excerpt.
            .map(|v| {
                super::redact::printable(&super::redact::hide(&String::from_utf8_lossy(
                    v.as_bytes(),
                )))
            })
            .unwrap_or_else(|| "(no Location)".to_owned());
        return Err(Error::Redirected {
            request,
            status,
            location,
        });
    }
    let too_large = || Error::BodyTooLarge {
        request: request.clone(),
        limit: max,
    };
    if resp.content_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    // Taken, not cloned: the response is read for its body only from here on.
    let headers = std::mem::take(resp.headers_mut());
    // Most answers arrive as one chunk: kept as it is, without a copy.
    let first = resp.chunk().await.map_err(failed)?.unwrap_or_default();
    if first.len() as u64 > max {
        return Err(too_large());
    }
    let body = match resp.chunk().await.map_err(failed)? {
        None => first,
        Some(second) => {
            let mut body = bytes::BytesMut::with_capacity(
                resp.content_length()
                    .unwrap_or(0)
                    .min(1 << 20)
                    .max((first.len() + second.len()) as u64) as usize,
            );
            let mut next = Some(second);
            body.extend_from_slice(&first);
            while let Some(chunk) = next {
                if (body.len() + chunk.len()) as u64 > max {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
                next = resp.chunk().await.map_err(failed)?;
            }
            body.freeze()
        }
    };
    Ok(RawResponse {
        status,
        headers,
        body,
        request,
    })
}
