//! 1,000 calls against a tenant that fails 10 % of the requests on every route, sign-in and
//! sign-out included: every read succeeds with the right record, no write is applied twice,
//! every write that failed but was applied says so, and no session is left open.

use std::time::Duration;

use acumatica_emulator::{FaultKind, FaultRule};
use acumatica_sdk::default::{Customer, DefaultEndpoint as _};
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{Error, RetryBudget, RetryPolicy};
use acumatica_tests::{Config, builder, emulator_with};

const READS: usize = 700;
const WRITES: usize = 200;
const SIGN_OUTS: usize = 100;

/// About 10 % of the requests of each route fail, in every way a tenant or its proxy fails:
/// before the handler (nothing ran) and after it (the write was applied, the answer is lost).
/// Sign-ins fail only before the handler: a sign-in whose answer is lost opens a session on the
/// server that no client can ever sign out (nothing can prevent that leak but the idle timeout).
fn faulty() -> Config {
    let login = "/entity/auth/login";
    let logout = "/entity/auth/logout";
    let data = "/entity/Default/*";
    let rule = |kind, rate, path: &str| FaultRule::new(kind, rate).on(None, path);
    Config::default()
        .fault(rule(FaultKind::Status503, 0.04, login))
        .fault(rule(FaultKind::Status500, 0.03, login))
        .fault(rule(FaultKind::DropConnection, 0.03, login))
        .fault(rule(FaultKind::Status503, 0.04, logout))
        .fault(rule(FaultKind::Status500, 0.03, logout).after_handler())
        .fault(rule(FaultKind::DropConnection, 0.03, logout).after_handler())
        .fault(rule(FaultKind::Status503, 0.03, data))
        .fault(rule(FaultKind::DropConnection, 0.02, data))
        .fault(rule(FaultKind::Status500, 0.02, data).after_handler())
        .fault(rule(FaultKind::DropConnection, 0.03, data).after_handler())
}

/// Retries as a user of such a tenant sets them: its 500s are transient, so they are retried
/// too (reads only: writes are never retried unless asked).
fn patient() -> RetryPolicy {
    RetryPolicy {
        max_retries: 6,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(10),
        budget: Some(RetryBudget::default()),
        ..RetryPolicy::default()
    }
    .statuses([500, 502, 503, 504])
}

#[tokio::test]
async fn a_thousand_calls_under_ten_percent_faults() {
    let emu = emulator_with(faulty()).await;
    let client = builder(&emu).retry(patient()).build().unwrap();
    let customers = client.customers();

    let mut reads_ok = 0;
    let mut write_results = Vec::with_capacity(WRITES);
    let mut sign_outs_confirmed = 0;
    for i in 0..READS + WRITES + SIGN_OUTS {
        match i % 10 {
            // Reads of the 20 seeded customers.
            0..=6 => {
                let id = format!("C{:03}", i % 20 + 1);
                let c: Customer = customers
                    .get_by_id(id.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("read {i} of {id} failed: {e}"));
                assert_eq!(c.customer_id, id.as_str(), "read {i} got another record");
                reads_ok += 1;
            }
            // Writes, each creating a record of its own, so that what was applied can be
            // counted per write.
            7 | 8 => {
                let id = format!("W{:04}", write_results.len());
                let record = Customer {
                    customer_id: id.as_str().into(),
                    customer_name: format!("Written by call {i}").into(),
                    ..Customer::default()
                };
                let result = customers.put_entity(&record, QueryOptions::new()).await;
                write_results.push((id, result));
            }
            // Sign out (the next call signs in again): sign-outs meet faults too.
            _ => {
                client
                    .logout()
                    .await
                    .unwrap_or_else(|e| panic!("sign-out {i} failed: {e}"));
                sign_outs_confirmed += 1;
            }
        }
    }
    client.logout().await.unwrap();

    let m = emu.metrics();
    assert_eq!(reads_ok, READS);
    assert_eq!(write_results.len(), WRITES);
    assert!(
        m.faults_injected >= 80,
        "about 10 % of well over 1,000 requests fail: {}",
        m.faults_injected
    );

    // Writes: each applied at most once; an applied write that failed says it may have been;
    // one that says it was not applied was not.
    let (mut applied, mut failed_applied, mut failed_not_applied) = (0, 0, 0);
    for (id, result) in &write_results {
        let stored = emu.store().find("Customer", &[id.as_str()]);
        let count = stored.as_ref().map_or(0, |r| {
            let uuid = r["id"].as_str().unwrap();
            m.writes
                .get(&format!("Customer/{uuid}"))
                .copied()
                .unwrap_or(0)
        });
        assert!(count <= 1, "{id} was written {count} times");
        match (result, stored.is_some()) {
            (Ok(saved), true) => {
                assert_eq!(saved.customer_id, id.as_str());
                applied += 1;
            }
            (Ok(_), false) => panic!("{id} succeeded but is not stored"),
            (Err(e), true) => {
                assert!(
                    e.may_have_been_applied(),
                    "{id} was applied, but its error says it was not: {e}"
                );
                failed_applied += 1;
            }
            (Err(e), false) => {
                // Not applied; the error may still be unsure (a 503 before the handler).
                assert!(
                    matches!(
                        e,
                        Error::Server { .. } | Error::Transport { .. } | Error::Timeout { .. }
                    ),
                    "{id}: {e}"
                );
                failed_not_applied += 1;
            }
        }
    }
    assert_eq!(applied + failed_applied + failed_not_applied, WRITES);
    assert!(
        failed_applied > 0,
        "some writes were applied and their answer lost"
    );
    let total_writes: u64 = m.writes.values().sum();
    assert_eq!(
        total_writes,
        (applied + failed_applied) as u64,
        "no other record written"
    );

    // Sessions: every sign-in the server accepted reached the client and was signed out once.
    let stats = client.stats();
    assert_eq!(sign_outs_confirmed, SIGN_OUTS);
    assert_eq!(m.active_sessions, 0, "{m:?}");
    assert_eq!(
        m.logins, stats.logins,
        "every accepted sign-in was recorded"
    );
    assert_eq!(
        m.logouts, m.logins,
        "every session signed out on the server"
    );
    assert_eq!(stats.failed_logouts, 0);
    assert_eq!(m.expired_sessions, 0);
    assert!(stats.retries > 0 && stats.retries_refused == 0, "{stats:?}");
    eprintln!(
        "faults: {} requests, {} faults injected, {} retries; {} sign-ins; writes: {applied} ok, \
         {failed_applied} failed but applied (flagged), {failed_not_applied} failed and not applied",
        m.requests_total, m.faults_injected, stats.retries, m.logins
    );
}

/// Sign-outs failing one time in five are retried until confirmed; sign-outs that can never
/// succeed are reported: in the client's stats, the batch's report and a WARN line.
#[tokio::test]
async fn failed_sign_outs_are_retried_and_reported() {
    let flaky = FaultRule::new(FaultKind::Status503, 0.2).on(Some("POST"), "/entity/auth/logout");
    let emu = emulator_with(Config::default().fault(flaky)).await;
    let client = builder(&emu).build().unwrap();
    for _ in 0..20 {
        let results = client
            .batch()
            .max_concurrent(5)
            .run_all(
                client
                    .customers()
                    .get_by_ids_batch(["C001", "C002", "C003", "C004", "C005"]),
            )
            .await;
        assert_eq!(results.successful().count(), 5);
        assert_eq!(results.report().failed_logouts, 0, "{}", results.report());
    }
    let m = emu.metrics();
    assert!(m.faults_injected >= 5, "{m:?}");
    assert_eq!(
        m.active_sessions, 0,
        "20 % of sign-outs failing leave no session: {m:?}"
    );
    assert_eq!(m.logouts, m.logins);
    assert_eq!(client.stats().failed_logouts, 0);

    // A tenant whose sign-outs always fail: each failure is counted (and logged at WARN, in
    // tests/tests/sign_out_warnings.rs: a log capture needs a test binary of its own).
    let broken = FaultRule::new(FaultKind::Status503, 1.0).on(Some("POST"), "/entity/auth/logout");
    let emu = emulator_with(Config::default().fault(broken)).await;
    let client = builder(&emu).build().unwrap();
    let results = client
        .batch()
        .max_concurrent(3)
        .run_all(
            client
                .customers()
                .get_by_ids_batch(["C001", "C002", "C003"]),
        )
        .await;
    assert_eq!(
        results.successful().count(),
        3,
        "the calls themselves succeeded"
    );
    let report = results.report();
    assert_eq!(report.failed_logouts, 3, "{report}");
    assert!(
        report.to_string().contains("3 sign-out(s) failed"),
        "{report}"
    );
    assert_eq!(client.stats().failed_logouts, 3);
    assert_eq!(
        emu.metrics().requests_by_status.get(&503),
        Some(&24),
        "8 attempts each"
    );
}

/// A sign-in answered 500 without a word about the credentials is the server failing, not a
/// refusal; 503s and dropped connections on sign-in are retried with the default policy.
#[tokio::test]
async fn sign_in_failures_are_retried_and_told_apart_from_refusals() {
    let down = FaultRule::new(FaultKind::Status500, 1.0).on(Some("POST"), "/entity/auth/login");
    let emu = emulator_with(Config::default().fault(down)).await;
    let err = builder(&emu).build().unwrap().login().await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err:?}");

    let flaky = FaultRule::new(FaultKind::Status503, 0.5).on(Some("POST"), "/entity/auth/login");
    let dropped =
        FaultRule::new(FaultKind::DropConnection, 0.3).on(Some("POST"), "/entity/auth/login");
    let emu = emulator_with(Config::default().fault(flaky).fault(dropped)).await;
    let patient = RetryPolicy {
        max_retries: 10,
        ..acumatica_tests::fast_retries()
    };
    for _ in 0..10 {
        let client = builder(&emu).retry(patient.clone()).build().unwrap();
        client.login().await.unwrap();
        client.logout().await.unwrap();
    }
    let m = emu.metrics();
    assert_eq!(m.logins, 10);
    assert!(m.faults_injected >= 5, "{m:?}");

    let mut wrong_password = acumatica_tests::credentials(&emu);
    wrong_password.password = "wrong".into();
    let wrong = builder(&emu).credentials(wrong_password).build().unwrap();
    let err = wrong.login().await.unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
}

/// While a tenant fails everything, the retry budget stops the retries: a client sends at most
/// `capacity / retry_cost` retries more than it has calls.
#[tokio::test]
async fn the_retry_budget_stops_hammering_a_failing_tenant() {
    let down = FaultRule::new(FaultKind::Status503, 1.0).on(Some("GET"), "/entity/*");
    let emu = emulator_with(Config::default().fault(down)).await;
    let policy = RetryPolicy {
        max_retries: 3,
        budget: Some(RetryBudget {
            capacity: 50,
            retry_cost: 5,
        }),
        ..acumatica_tests::fast_retries()
    };
    let client = builder(&emu).retry(policy).build().unwrap();
    client.login().await.unwrap();
    for _ in 0..20 {
        let err = client.customers().get_by_id("C001").await.unwrap_err();
        assert!(matches!(err, Error::Server { status: 503, .. }), "{err:?}");
    }
    let stats = client.stats();
    assert_eq!(stats.retries, 10, "50 tokens at 5 a retry: {stats:?}");
    // Calls 1-3 retried 3 times each, call 4 once; then each call was refused its first retry.
    assert_eq!(stats.retries_refused, 17, "{stats:?}");
    assert_eq!(emu.metrics().requests_by_status.get(&503), Some(&30));
}
