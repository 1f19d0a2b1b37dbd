//! The tenant's license, shared with another program: a login limit of 3 for two clients, the
//! client's own session holding the only seat, and a request pipeline of 2 cores and 4 queued
//! places that declines the rest with 429. Every batch completes with default settings.

use std::time::Duration;

use acumatica_emulator::{Config, PipelineConfig};
use acumatica_sdk::AcumaticaClient;
use acumatica_sdk::batch::BatchResults;
use acumatica_sdk::default::{Customer, DefaultEndpoint as _};
use acumatica_tests::{credentials, emulator_with, eventually};

/// A client with the SDK's default settings (retries, batch options) but for the short sign-out
/// on drop (the emulator ends with the test's runtime).
fn default_client(emu: &acumatica_tests::Emulator) -> AcumaticaClient {
    AcumaticaClient::builder()
        .base_url(emu.url())
        .credentials(credentials(emu))
        .drop_logout_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("C{:03}", i % 20 + 1)).collect()
}

/// Every call succeeded, with the record it asked for.
fn all_right(results: &BatchResults<Customer>, ids: &[String]) {
    assert_eq!(results.results().len(), ids.len());
    for (i, (r, id)) in results.results().iter().zip(ids).enumerate() {
        match r {
            Ok(c) => assert_eq!(c.customer_id, id.as_str(), "call {i}"),
            Err(e) => panic!("call {i} ({id}) failed: {e}\n{}", results.report()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_programs_share_a_login_limit_of_three_every_run() {
    let emu = emulator_with(
        Config::default()
            .max_sessions(Some(3))
            .latency(Duration::from_millis(2), Duration::ZERO),
    )
    .await;
    let ids = ids(100);
    for run in 0..10 {
        let a = default_client(&emu);
        let b = default_client(&emu);
        let calls_a = a.customers().get_by_ids_batch(&ids);
        let calls_b = b.customers().get_by_ids_batch(&ids);
        let (batch_a, batch_b) = (a.batch(), b.batch());
        let (ra, rb) = tokio::join!(batch_a.run_all(calls_a), batch_b.run_all(calls_b));
        all_right(&ra, &ids);
        all_right(&rb, &ids);
        let waited = ra.report().waited_for_session + rb.report().waited_for_session;
        let m = emu.metrics();
        assert!(m.peak_sessions <= 3, "run {run}: {m:?}");
        assert_eq!(m.active_sessions, 0, "run {run}: every lane signed out");
        assert_eq!(m.logins, m.logouts, "run {run}");
        if run == 0 {
            eprintln!(
                "login limit 3, two batches of 100: {} sign-ins, {} refused; waited {waited:?}",
                m.logins, m.login_limit_rejections
            );
        }
        assert!(
            ra.report().login_limit_hit || rb.report().login_limit_hit,
            "run {run}: 20 lanes wanted, 3 allowed"
        );
    }
}

#[tokio::test]
async fn a_batch_borrows_the_client_session_holding_the_only_seat() {
    let emu = emulator_with(Config::default().max_sessions(Some(1))).await;
    let client = default_client(&emu);
    client.login().await.unwrap();
    let ids = ids(20);
    let results = client
        .batch()
        .max_concurrent(4)
        .run_all(client.customers().get_by_ids_batch(&ids))
        .await;
    all_right(&results, &ids);
    let m = emu.metrics();
    assert_eq!(m.logins, 1, "only the client's own sign-in");
    assert_eq!(m.login_limit_rejections, 4, "each lane was refused once");
    assert!(
        client.session().is_active(),
        "the client's session is still its own"
    );
    client.logout().await.unwrap();
    assert_eq!(emu.metrics().active_sessions, 0);
}

/// Acumatica's license request pipeline (Integration Development Guide, "License Restrictions
/// for API Users"): requests beyond the processing cores wait in a queue; past its size they are
/// declined with 429 (before running: safe to send again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_license_pipeline_of_two_cores_and_four_queued_completes_every_call() {
    let emu = emulator_with(
        Config::default()
            .latency(Duration::from_millis(20), Duration::ZERO)
            .pipeline(PipelineConfig {
                concurrent_requests: Some(2),
                max_queued: 4,
                ..PipelineConfig::default()
            }),
    )
    .await;
    let client = default_client(&emu);
    let ids = ids(200);
    let results = client
        .batch()
        .max_concurrent(10)
        .run_all(client.customers().get_by_ids_batch(&ids))
        .await;
    all_right(&results, &ids);
    let report = results.report();
    let m = emu.metrics();
    eprintln!(
        "pipeline 2+4: {} declined by the tenant ({} after retries, re-run); lanes 10 -> {}; \
         {} retries; {:.2?}",
        m.rate_limited, report.declined, report.lanes_final, report.retries, report.elapsed
    );
    assert!(
        m.rate_limited > 0,
        "10 lanes for 6 places: the tenant declined some"
    );
    assert!(report.lanes_final <= 10 && report.lanes_final >= 1);
    assert_eq!(
        answers_ok(&m),
        200 + m.logins + m.logouts,
        "every GET answered once, every sign-in and sign-out once"
    );
    eventually("every session signed out", Duration::from_secs(5), || {
        emu.metrics().active_sessions == 0
    })
    .await;
    assert_eq!(emu.metrics().logouts, m.logins);
}

/// 2xx answers (the GETs' 200s, the sign-ins' and sign-outs' 204s).
fn answers_ok(m: &acumatica_emulator::Metrics) -> u64 {
    m.requests_by_status
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, n)| n)
        .sum()
}

/// Issue 9's license: 5 API users, 4 processing cores, 20 queued places, 20 ms a request, and a
/// per-minute limit (over a 3 s window here) whose delays begin part-way through the batch.
/// Adaptive lanes find it: never more sessions than the cap, no failed call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adaptive_lanes_hold_the_license_without_a_failed_call() {
    let emu = emulator_with(
        Config::default()
            .max_sessions(Some(5))
            .latency(Duration::from_millis(20), Duration::ZERO)
            .pipeline(PipelineConfig {
                concurrent_requests: Some(4),
                max_queued: 20,
                requests_per_minute: Some(400),
                window: Duration::from_secs(3),
                ..PipelineConfig::default()
            }),
    )
    .await;
    let client = default_client(&emu);
    let ids = ids(300);
    let results = client
        .batch()
        .max_concurrent(20)
        .adaptive(true)
        .run_all(client.customers().get_by_ids_batch(&ids))
        .await;
    all_right(&results, &ids);
    let report = results.report();
    let m = emu.metrics();
    eprintln!(
        "adaptive on 5 users / 4 cores: {:.2?}, lanes {}..{} (final {}), {} declined, {} \
         login-limit refusals, {} sign-ins, peak {} sessions",
        report.elapsed,
        report.lanes_min,
        report.lanes_max,
        report.lanes_final,
        m.rate_limited,
        m.login_limit_rejections,
        m.logins,
        m.peak_sessions
    );
    assert!(report.adaptive);
    assert!(m.peak_sessions <= 5, "{m:?}");
    assert!(report.lanes_max <= 20, "{report}");
    assert_eq!(report.failed, 0);
    assert!(report.to_string().contains("adaptive lanes"), "{report}");
    eventually("every session signed out", Duration::from_secs(5), || {
        emu.metrics().active_sessions == 0
    })
    .await;
}
