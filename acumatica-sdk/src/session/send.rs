//! Sending a request on a session: sign-in on first use, one re-sign-in after a 401, retries of
//! transient failures, polling of long-running actions, and a tracing span per request.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tracing::Instrument;

use super::Session;
use crate::error::{Error, Result};
use crate::http::{CallKind, RawResponse, RequestSpec, RetryPolicy, error_for};

impl Session {
    /// Sends `spec` and returns a successful answer (2xx), or the error for the first
    /// unsuccessful one that is not worth retrying.
    pub(crate) async fn send(&self, spec: &RequestSpec) -> Result<RawResponse> {
        let span = tracing::debug_span!(
            "acumatica.request",
            method = %spec.method,
            path = %spec.path,
            session = self.inner.id,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        async {
            let started = Instant::now();
            let result = self.send_with_retries(spec).await;
            let resp = match result {
                Ok(resp) if spec.kind == CallKind::Action && resp.status == 202 => {
                    self.await_action(spec, resp).await
                }
                other => other,
            };
            let span = tracing::Span::current();
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            match &resp {
                Ok(r) => {
                    span.record("status", r.status);
                    tracing::debug!("done");
                }
                Err(e) => {
                    if let Some(status) = e.status() {
                        span.record("status", status);
                    }
                    tracing::debug!(error = %e, "failed");
                }
            }
            resp
        }
        .instrument(span)
        .await
    }

    async fn send_with_retries(&self, spec: &RequestSpec) -> Result<RawResponse> {
        let policy = &self.inner.shared.config.retry;
        let may_retry = spec.kind == CallKind::Idempotent || policy.retry_writes;
        let mut attempt = 0u32;
        let mut signed_in_again = false;
        loop {
            let generation = self.ensure_auth().await?;
            match self.send_once(spec).await {
                Ok(resp) if resp.status == 401 && !signed_in_again => {
                    // The server expired the session: sign in once more and try again.
                    tracing::debug!("401: signing in again");
                    self.invalidate(generation);
                    signed_in_again = true;
                }
                Ok(resp) if (200..300).contains(&resp.status) => return Ok(resp),
                Ok(resp)
                    if may_retry
                        && attempt < policy.max_retries
                        && RetryPolicy::retryable_status(resp.status)
                        && !crate::http::is_login_limit(&resp.body) =>
                {
                    attempt += 1;
                    let wait = policy.delay(attempt, crate::http::retry_after_of(&resp));
                    tracing::debug!(status = resp.status, attempt, ?wait, "retrying");
                    self.inner.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                }
                Ok(resp) => return Err(error_for(&resp, false)),
                Err(e)
                    if may_retry
                        && attempt < policy.max_retries
                        && matches!(e, Error::Transport { .. }) =>
                {
                    attempt += 1;
                    let wait = policy.delay(attempt, None);
                    tracing::debug!(error = %e, attempt, ?wait, "retrying after a transport error");
                    self.inner.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One exchange, body read in full. Transport failures are errors; any status is `Ok`.
    async fn send_once(&self, spec: &RequestSpec) -> Result<RawResponse> {
        let shared = &self.inner.shared;
        let request = spec.info();
        let mut url = shared.config.url(&spec.path)?;
        if !spec.query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &spec.query {
                q.append_pair(k, v);
            }
        }
        let mut req = shared.http.request(spec.method.clone(), url);
        // JSON unless the request asks for something else (a file download asks for bytes);
        // `header` appends, so a second `Accept` would be sent alongside, not instead.
        if !spec
            .headers
            .iter()
            .any(|(k, _)| *k == reqwest::header::ACCEPT)
        {
            req = req.header(reqwest::header::ACCEPT, "application/json");
        }
        for (k, v) in self
            .auth_headers()
            .into_iter()
            .chain(spec.headers.iter().cloned())
        {
            req = req.header(k, v);
        }
        req = match &spec.body {
            Some(crate::http::Body::Json(bytes)) => req
                .header("Content-Type", "application/json")
                .body(bytes.clone()),
            Some(crate::http::Body::Bytes { data, content_type }) => {
                req.header("Content-Type", *content_type).body(data.clone())
            }
            None if spec.method != reqwest::Method::GET
                && spec.method != reqwest::Method::DELETE =>
            {
                req.body(Vec::<u8>::new())
            }
            None => req,
        };
        let started = Instant::now();
        let map_err = |source: reqwest::Error| {
            if source.is_timeout() {
                Error::Timeout {
                    request: request.clone(),
                    elapsed: started.elapsed(),
                    may_have_been_applied: spec.is_write(),
                }
            } else {
                Error::Transport {
                    request: request.clone(),
                    may_have_been_applied: spec.is_write() && !source.is_connect(),
                    source,
                }
            }
        };
        let resp = req.send().await.map_err(map_err)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        self.absorb_cookies(&headers);
        let body = resp.bytes().await.map_err(map_err)?;
        Ok(RawResponse {
            status,
            headers,
            body,
            request,
        })
    }

    /// Sends a request with a streamed body once (a stream cannot be replayed: no retry and no
    /// second attempt after a 401).
    pub(crate) async fn send_stream(
        &self,
        method: reqwest::Method,
        path: &str,
        body: reqwest::Body,
        comment: Option<&str>,
    ) -> Result<RawResponse> {
        // Checked before signing in: reqwest would only report it when sending, as a transport
        // error that "may have been applied".
        let comment = comment
            .map(reqwest::header::HeaderValue::from_str)
            .transpose()
            .map_err(|_| Error::InvalidQuery {
                message: "the file comment must be visible ASCII".into(),
            })?;
        let span = tracing::debug_span!(
            "acumatica.request",
            method = %method,
            path = %path,
            session = self.inner.id,
            status = tracing::field::Empty,
        );
        async {
            let resp = self.send_stream_in_span(method, path, body, comment).await;
            if let Some(status) = match &resp {
                Ok(r) => Some(r.status),
                Err(e) => e.status(),
            } {
                tracing::Span::current().record("status", status);
            }
            resp
        }
        .instrument(span)
        .await
    }

    async fn send_stream_in_span(
        &self,
        method: reqwest::Method,
        path: &str,
        body: reqwest::Body,
        comment: Option<reqwest::header::HeaderValue>,
    ) -> Result<RawResponse> {
        self.ensure_auth().await?;
        let shared = &self.inner.shared;
        let request = crate::error::RequestInfo {
            method: method.clone(),
            path: path.to_owned(),
        };
        let mut req = shared
            .http
            .request(method, shared.config.url(path)?)
            .header("Content-Type", "application/octet-stream")
            .body(body);
        for (k, v) in self.auth_headers() {
            req = req.header(k, v);
        }
        if let Some(c) = comment {
            req = req.header("PX-CbFileComment", c);
        }
        let raw = crate::http::exchange(req, request, true).await?;
        let status = raw.status;
        if (200..300).contains(&status) {
            Ok(raw)
        } else {
            Err(error_for(&raw, false))
        }
    }

    /// A long-running action answered 202: poll its `Location` until 204 (done), with a growing
    /// interval and the configured time limit. Only a 202 means "poll"; a 204 is final even when
    /// it carries a `Location`.
    async fn await_action(&self, spec: &RequestSpec, accepted: RawResponse) -> Result<RawResponse> {
        let config = &self.inner.shared.config;
        let Some(location) = accepted.header("location").map(str::to_owned) else {
            return Err(Error::Server {
                request: spec.info(),
                status: 202,
                message: "202 Accepted without a Location header to poll".into(),
                exception_type: None,
            });
        };
        let poll = RequestSpec::new(
            reqwest::Method::GET,
            self.inner.shared.instance_path(&location),
            CallKind::Idempotent,
        );
        let started = Instant::now();
        let mut interval = config.action_poll_interval;
        loop {
            if started.elapsed() >= config.action_timeout {
                return Err(Error::Timeout {
                    request: spec.info(),
                    elapsed: started.elapsed(),
                    may_have_been_applied: true,
                });
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(Duration::from_secs(5));
            let resp = self.send_with_retries(&poll).await?;
            match resp.status {
                202 => continue,
                _ => return Ok(resp),
            }
        }
    }
}
