//! What the license pipeline's 429 decline says: a message about the request limit, never the
//! "API Login Limit" text, by which clients recognise the session limit (a different error,
//! with a different remedy).

mod common;

use std::time::Duration;

use acumatica_emulator::{Config, PipelineConfig};
use common::{base, client, login, start};
use serde_json::{Value, json};

/// The pipeline's decline, exactly.
const DECLINE: &str = "The number of requests has exceeded the limit imposed by the license.";

/// (status, content type, body) of every answer to `n` concurrent requests made by `send`.
async fn burst<F, Fut>(n: usize, send: F) -> Vec<(u16, String, String)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    let calls = (0..n).map(|_| async {
        let resp = send().await.expect("the emulator answers");
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (status, ct, resp.text().await.expect("body"))
    });
    futures::future::join_all(calls).await
}

fn busy_pipeline() -> Config {
    Config::default()
        .latency(Duration::from_millis(150), Duration::ZERO)
        .serialize_sessions(false)
        .pipeline(PipelineConfig {
            concurrent_requests: Some(1),
            ..PipelineConfig::default()
        })
}

fn assert_declines(answers: &[(u16, String, String)]) {
    let declined: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 429).collect();
    assert!(
        !declined.is_empty(),
        "some requests are declined: {answers:?}"
    );
    for (_, ct, body) in declined {
        assert!(ct.starts_with("application/json"), "{ct}");
        let parsed: Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(parsed, json!({ "message": DECLINE }));
        assert!(!body.contains("API Login Limit"), "{body}");
        assert!(!body.to_ascii_lowercase().contains("login"), "{body}");
    }
}

#[tokio::test]
async fn data_calls_declined_by_the_pipeline_do_not_mention_the_login_limit() {
    let emu = start(busy_pipeline()).await;
    let c = login(&emu).await;
    let url = format!("{}/Customer/C001", base(&emu));
    let answers = burst(30, || c.get(&url).send()).await;
    assert_declines(&answers);
}

#[tokio::test]
async fn sign_ins_declined_by_the_pipeline_do_not_mention_the_login_limit() {
    let emu = start(busy_pipeline()).await;
    let creds = emu.credentials();
    let url = format!("{}/entity/auth/login", emu.url());
    let body =
        json!({ "name": creds.username, "password": creds.password, "tenant": creds.tenant });
    let answers = burst(30, || client().post(&url).json(&body).send()).await;
    assert_declines(&answers);
    // Sessions opened by the sign-ins that ran are not part of this check.
    assert!(answers.iter().any(|(s, _, _)| *s == 204), "{answers:?}");
}
