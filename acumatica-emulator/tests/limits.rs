//! Per-session serialization, the API Login Limit (cookie and OAuth) and the license pipeline.

mod common;

use std::time::Duration;

use acumatica_emulator::{Config, PipelineConfig};
use common::{base, call, client, login, start};
use serde_json::json;

async fn burst(c: &reqwest::Client, url: &str, n: usize) -> Vec<u16> {
    let calls = (0..n).map(|_| async {
        c.get(url)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    });
    futures::future::join_all(calls).await
}

#[tokio::test]
async fn one_session_runs_one_request_at_a_time() {
    let emu = start(Config::default().latency(Duration::from_millis(40), Duration::ZERO)).await;
    let c = login(&emu).await;
    emu.reset_metrics();
    let statuses = burst(&c, &format!("{}/Customer/C001", base(&emu)), 6).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let m = emu.metrics();
    assert!(
        m.peak_in_flight_per_session >= 2,
        "the requests did overlap: {m:?}"
    );
    assert_eq!(
        m.peak_executing_per_session, 1,
        "but executed one at a time"
    );

    // Several sessions run in parallel.
    let (a, b) = (login(&emu).await, login(&emu).await);
    emu.reset_metrics();
    let url = format!("{}/Customer/C002", base(&emu));
    let (ra, rb) = tokio::join!(burst(&a, &url, 2), burst(&b, &url, 2));
    assert!(ra.iter().chain(&rb).all(|s| *s == 200));
    assert!(emu.metrics().peak_concurrent_requests >= 2);
    assert_eq!(emu.metrics().peak_executing_per_session, 1);
}

#[tokio::test]
async fn without_serialization_a_session_runs_requests_concurrently() {
    let emu = start(
        Config::default()
            .latency(Duration::from_millis(40), Duration::ZERO)
            .serialize_sessions(false),
    )
    .await;
    let c = login(&emu).await;
    let statuses = burst(&c, &format!("{}/Customer/C001", base(&emu)), 6).await;
    assert!(statuses.iter().all(|s| *s == 200));
    assert!(
        emu.metrics().peak_executing_per_session >= 2,
        "{:?}",
        emu.metrics()
    );
}

async fn try_login(
    emu: &acumatica_emulator::Emulator,
) -> (reqwest::Client, u16, serde_json::Value) {
    let c = client();
    let (status, body) = call(
        c.post(format!("{}/entity/auth/login", emu.url()))
            .json(&json!({"name": "admin", "password": "admin", "tenant": "Company"})),
    )
    .await;
    (c, status, body)
}

#[tokio::test]
async fn the_api_login_limit() {
    let emu = start(Config::default().max_sessions(Some(2))).await;
    let (first, s1, _) = try_login(&emu).await;
    let (_, s2, _) = try_login(&emu).await;
    let (_, s3, body) = try_login(&emu).await;
    assert_eq!((s1, s2, s3), (204, 204, 500));
    assert!(
        body["exceptionMessage"]
            .as_str()
            .unwrap()
            .contains("API Login Limit"),
        "{body}"
    );
    // Logout frees the slot at once.
    assert_eq!(
        first
            .post(format!("{}/entity/auth/logout", emu.url()))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(try_login(&emu).await.1, 204);
    emu.set_max_sessions(Some(3));
    assert_eq!(try_login(&emu).await.1, 204);
    assert_eq!(try_login(&emu).await.1, 500);
    let m = emu.metrics();
    assert_eq!(
        (m.login_limit_rejections, m.active_sessions, m.peak_sessions),
        (2, 3, 3)
    );

    // The status is configurable; OAuth grants count against the same limit.
    let mut config = Config::default().max_sessions(Some(1));
    config.login_limit_status = 429;
    let emu = start(config).await;
    assert_eq!(try_login(&emu).await.1, 204);
    assert_eq!(try_login(&emu).await.1, 429);
    let oc = emu.oauth_client();
    let (status, body) = call(
        client()
            .post(format!("{}/identity/connect/token", emu.url()))
            .form(&[
                ("grant_type", "password"),
                ("client_id", oc.client_id.as_str()),
                ("client_secret", oc.client_secret.as_str()),
                ("username", "admin"),
                ("password", "admin"),
                ("scope", "api"),
            ]),
    )
    .await;
    assert_eq!(status, 429);
    assert!(body.to_string().contains("API Login Limit"));
}

#[tokio::test]
async fn the_pipeline_declines_with_429_when_more_than_20_wait() {
    let config = Config::default()
        .latency(Duration::from_millis(150), Duration::ZERO)
        .serialize_sessions(false)
        .pipeline(PipelineConfig {
            concurrent_requests: Some(1),
            ..PipelineConfig::default()
        });
    let emu = start(config).await;
    let c = login(&emu).await;
    emu.reset_metrics();
    let statuses = burst(&c, &format!("{}/Customer/C001", base(&emu)), 30).await;
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let declined = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(ok + declined, 30, "{statuses:?}");
    // One runs, 20 wait, the rest are declined (fewer if the first finished before all arrived).
    assert!(declined >= 1 && ok >= 21, "{ok} ok, {declined} declined");
    assert_eq!(emu.metrics().rate_limited, declined as u64);
    assert_eq!(
        emu.metrics()
            .requests_by_status
            .get(&429)
            .copied()
            .unwrap_or(0),
        declined as u64
    );
}
