//! Seeded fault injection: which request gets which fault, and the broken bodies.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::IntoResponse;

use crate::config::{FaultKind, FaultRule};
use crate::wire;

/// Matches `text` against `pattern`, where `*` matches any run of characters, ignoring case.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The fault rules and their generator.
#[derive(Debug)]
pub(crate) struct Faults {
    rules: Vec<FaultRule>,
    rng: Mutex<SmallRng>,
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Faults {
            rules,
            rng: Mutex::new(SmallRng::seed_from_u64(seed)),
        }
    }

    /// The fault for this request, if one fires. Every matching rule draws once, in order, so
    /// the sequence of faults depends only on the seed and the sequence of requests.
    pub(crate) fn pick(&self, method: &str, path: &str) -> Option<&FaultRule> {
        if self.rules.is_empty() {
            return None;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        for rule in &self.rules {
            let method_ok = rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method));
            if method_ok && glob(&rule.path, path) {
                let draw: f64 = rng.random();
                if draw < rule.rate {
                    return Some(rule);
                }
            }
        }
        None
    }
}

/// What `rule` does to a request: the answer, and the status to count for it (`None` when the
/// connection is dropped and no status arrives). The one place that says what each
/// [`FaultKind`] does: the match is exhaustive, so a new kind cannot compile and do nothing.
pub(crate) async fn apply(rule: &FaultRule, req: Request, next: Next) -> (Response, Option<u16>) {
    // The handler runs first when the rule says so: the request is applied, its answer lost.
    let ran = if rule.after_handler || matches!(rule.kind, FaultKind::SlowBody(_)) {
        Some(next.run(req).await)
    } else {
        None
    };
    match rule.kind {
        FaultKind::Status500 => {
            let resp = wire::http_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Operation failed",
                "PX.Data.PXInvalidOperationException",
            );
            (resp, Some(500))
        }
        FaultKind::Status503 => {
            let resp = (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
            (resp, Some(503))
        }
        FaultKind::DropConnection => (dropped(ran.unwrap_or_default()), None),
        FaultKind::SlowBody(total) => {
            let resp = ran.unwrap_or_default();
            let status = resp.status().as_u16();
            (slow(resp, total).await, Some(status))
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("fault injection: connection dropped")]
struct Dropped;

/// A response whose body fails after the headers, so hyper aborts the connection.
pub(crate) fn dropped(mut response: Response) -> Response {
    let stream = futures::stream::iter([Ok(Bytes::from_static(b"{\"")), Err(Dropped)]);
    *response.body_mut() = Body::from_stream(stream);
    response
        .headers_mut()
        .remove(axum::http::header::CONTENT_LENGTH);
    response
}

/// The same response with its body trickled out in small chunks over `total`.
pub(crate) async fn slow(response: Response, total: Duration) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let chunks: Vec<Bytes> = if bytes.is_empty() {
        Vec::new()
    } else {
        let size = bytes.len().div_ceil(10).max(1);
        bytes.chunks(size).map(Bytes::copy_from_slice).collect()
    };
    let pause = total / (chunks.len().max(1) as u32);
    let stream = futures::stream::unfold(chunks.into_iter(), move |mut it| async move {
        let chunk = it.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<_, std::convert::Infallible>(chunk), it))
    });
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("*", "/entity/Default/24.200.001/Customer"));
        assert!(glob(
            "/entity/*/customer*",
            "/entity/Default/24.200.001/Customer/C001"
        ));
        assert!(!glob(
            "/entity/*/SalesOrder",
            "/entity/Default/24.200.001/Customer"
        ));
        assert!(glob("*/Release*", "Invoice/ReleaseInvoice"));
        assert!(!glob("*/Release*", "Invoice/PutOnHold"));
    }
}
