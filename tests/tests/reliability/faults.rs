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
