//! Sending a request on a session: sign-in on first use, one re-sign-in after a 401, retries of
//! transient failures, polling of long-running actions, and a tracing span per request.

use std::time::{Duration, Instant};

use tracing::Instrument;

use super::Session;
use crate::error::{Error, Result};
use crate::http::{Attempts, BodyLimit, CallKind, RawResponse, RequestSpec, error_for, exchange};

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
        if span.is_disabled() {
            // No subscriber wants the span: nothing to instrument or record (the events below
            // are still offered, as they were, for a subscriber that takes events only).
            let resp = self.send_and_await(spec).await;
            match &resp {
                Ok(_) => tracing::debug!("done"),
                Err(e) => tracing::debug!(error = %e, "failed"),
            }
            return resp;
        }
        let started = Instant::now();
        let resp = self.send_and_await(spec).instrument(span.clone()).await;
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        span.in_scope(|| match &resp {
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
        });
        resp
    }

    /// The request with its retries, and the polling of an action answered 202.
    async fn send_and_await(&self, spec: &RequestSpec) -> Result<RawResponse> {
        match self.send_with_retries(spec).await {
            Ok(resp) if spec.kind == CallKind::Action && resp.status == 202 => {
                self.await_action(spec, resp).await
            }
            other => other,
        }
    }

    async fn send_with_retries(&self, spec: &RequestSpec) -> Result<RawResponse> {
        // A request that cannot be sent is refused before signing in. Built once: every
        // attempt sends the same URL.
        let url = full_url(&self.inner.shared, spec)?;
        let mut attempts = Attempts::new(&self.inner.shared, spec.kind);
        let mut signed_in_again = false;
        loop {
            let generation = self.ensure_auth().await?;
            let result = self.send_once(spec, &url).await;
            if let Ok(resp) = &result
                && resp.status == 401
                && !signed_in_again
            {
                // The server expired the session: sign in once more and try again (a 401 did
                // not run, so this is safe for writes too).
                tracing::debug!("401: signing in again");
                self.invalidate(generation);
                signed_in_again = true;
                continue;
            }
            match attempts.again(&result, &self.inner.retries) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => {
                    let resp = result?;
                    return if (200..300).contains(&resp.status) {
                        Ok(resp)
                    } else {
                        Err(error_for(&resp, false))
                    };
                }
            }
        }
    }

    /// One exchange, body read in full. Transport failures are errors; any status is `Ok`.
    async fn send_once(&self, spec: &RequestSpec, url: &url::Url) -> Result<RawResponse> {
        let shared = &self.inner.shared;
        let mut req = shared.http.request(spec.method.clone(), url.clone());
        // JSON unless the request asks for something else (a file download asks for bytes);
        // `header` appends, so a second `Accept` would be sent alongside, not instead.
        if !spec
            .headers
            .iter()
            .any(|(k, _)| *k == reqwest::header::ACCEPT)
        {
            req = req.header(reqwest::header::ACCEPT, "application/json");
        }
        for (k, v) in self.auth_headers() {
            req = req.header(k, v);
        }
        for (k, v) in &spec.headers {
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
        let resp = exchange(
            &shared.config,
            req,
            spec.info(),
            spec.method != reqwest::Method::GET,
            spec.limit,
        )
        .await?;
        self.absorb_cookies(&resp.headers);
        Ok(resp)
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
            .map_err(|_| Error::InvalidRequest {
                what: "file comment".into(),
                message: "must be visible ASCII".into(),
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
        let raw = exchange(&shared.config, req, request, true, BodyLimit::Response).await?;
        self.absorb_cookies(&raw.headers);
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

/// The URL of `spec`, with its query; refused when it leaves the instance or is longer than a
/// request line can be (hyper refuses over 64 KiB; IIS's default limits are lower still).
fn full_url(shared: &crate::shared::Shared, spec: &RequestSpec) -> Result<url::Url> {
    // `http::Uri` holds at most 65,534 bytes.
    const MAX_URL: usize = 65_534;
    let mut url = shared.config.url(&spec.path)?;
    if !spec.query.is_empty() {
        let mut q = url.query_pairs_mut();
        for (k, v) in &spec.query {
            q.append_pair(k, v);
        }
    }
    if url.as_str().len() > MAX_URL {
        return Err(Error::InvalidRequest {
            what: format!("{} {}", spec.method, spec.path),
            message: format!(
                "the URL would be {} bytes long, more than the {MAX_URL} a request line can be: \
                 split the query (fewer $filter terms per call, in a batch)",
                url.as_str().len()
            ),
        });
    }
    Ok(url)
}
