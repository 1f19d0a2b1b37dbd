//! Retries: reads are retried on 503 and dropped connections, writes are not (unless the caller
//! opts in), and the license's 429 is retried for reads or surfaces as `RateLimited`.

use std::time::Duration;

use acumatica_emulator::{FaultKind, FaultRule, PipelineConfig};
use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Error, RetryPolicy};
use acumatica_tests::{Config, answers, builder, emulator_with, eventually, total_writes};

/// Patient retries, so that a 50 % fault rate never exhausts them.
fn patient() -> RetryPolicy {
    RetryPolicy {
        max_retries: 10,
        ..acumatica_tests::fast_retries()
    }
}

async fn reads_survive(kind: FaultKind) {
    let emu = emulator_with(
        Config::default().fault(FaultRule::new(kind, 0.5).on(Some("GET"), "/entity/*/Customer/*")),
    )
    .await;
    let client = builder(&emu).retry(patient()).build().unwrap();
    for i in 1..=20 {
        let id = format!("C{i:03}");
        let c: Customer = client.customers().get_by_id(id.as_str()).await.unwrap();
        assert_eq!(c.customer_id, id.as_str());
    }
    let m = emu.metrics();
    assert!(m.faults_injected >= 3, "{m:?}");
    // Every injected fault cost exactly one retry.
    assert_eq!(client.session().retries(), m.faults_injected);
}

#[tokio::test]
async fn reads_are_retried_on_503() {
    reads_survive(FaultKind::Status503).await;
}

#[tokio::test]
async fn reads_are_retried_on_dropped_connections() {
    reads_survive(FaultKind::DropConnection).await;
}

fn renamed(id: &str) -> Customer {
    Customer {
        customer_id: id.into(),
        customer_name: "Written once".into(),
        ..Customer::default()
    }
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_not_retried() {
    let emu = emulator_with(
        Config::default().fault(
            FaultRule::new(FaultKind::DropConnection, 1.0)
                .on(Some("PUT"), "/entity/*/Customer")
                .after_handler(),
        ),
    )
    .await;
    let client = builder(&emu).retry(patient()).build().unwrap();
    client.login().await.unwrap();
    let before = emu.metrics().requests_total;
    let err = client
        .customers()
        .put_entity(&renamed("C001"), QueryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_applied: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.may_have_been_applied());
    let m = emu.metrics();
    assert_eq!(m.requests_total - before, 1, "one PUT went out");
    assert_eq!(client.session().retries(), 0);
    // The server applied it exactly once.
    let id = emu.store().find("Customer", &["C001"]).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(m.writes.get(&format!("Customer/{id}")), Some(&1));
    assert_eq!(total_writes(&m), 1);
}

#[tokio::test]
async fn a_write_refused_with_503_is_not_retried_unless_asked() {
    let rule = FaultRule::new(FaultKind::Status503, 0.5).on(Some("PUT"), "/entity/*/Customer");
    let emu = emulator_with(Config::default().fault(rule.clone())).await;
    let client = builder(&emu).retry(patient()).build().unwrap();
    let mut failures = 0;
    for i in 1..=10 {
        match client
            .customers()
            .put_entity(&renamed(&format!("C{i:03}")), QueryOptions::new())
            .await
        {
            Ok(_) => {}
            Err(Error::Server { status: 503, .. }) => failures += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    let m = emu.metrics();
    assert_eq!(failures, m.faults_injected, "every 503 reached the caller");
    assert!(failures >= 1);
    assert_eq!(client.session().retries(), 0);
    assert_eq!(total_writes(&m), 10 - failures);

    // With `retry_writes` the caller accepts the risk: every write goes through, once.
    let emu = emulator_with(Config::default().fault(rule)).await;
    let client = builder(&emu)
        .retry(RetryPolicy {
            retry_writes: true,
            ..patient()
        })
        .build()
        .unwrap();
    for i in 1..=10 {
        client
            .customers()
            .put_entity(&renamed(&format!("C{i:03}")), QueryOptions::new())
            .await
            .unwrap();
    }
    let m = emu.metrics();
    assert!(m.faults_injected >= 1);
    assert_eq!(client.session().retries(), m.faults_injected);
    assert_eq!(total_writes(&m), 10);
}

/// A tenant with one processing core and no queue: a second concurrent request is declined.
async fn one_core() -> acumatica_tests::Emulator {
    emulator_with(
        Config::default()
            .latency(Duration::from_millis(250), Duration::ZERO)
            .pipeline(PipelineConfig {
                concurrent_requests: Some(1),
                max_queued: 0,
                ..PipelineConfig::default()
            }),
    )
    .await
}

/// Runs a slow read on `busy` and, while it holds the only core, a read on `other`.
async fn while_busy(
    emu: &acumatica_tests::Emulator,
    busy: &AcumaticaClient,
    other: &AcumaticaClient,
) -> acumatica_sdk::Result<Customer> {
    let requests = emu.metrics().requests_total;
    let service = busy.customers();
    let slow = service.get_by_id("C001");
    let second = async {
        eventually("the first read is in", Duration::from_secs(5), || {
            emu.metrics().requests_total > requests
        })
        .await;
        other.customers().get_by_id("C002").await
    };
    let (first, second) = tokio::join!(slow, second);
    first.unwrap();
    second
}

#[tokio::test]
async fn a_429_surfaces_as_rate_limited_without_retries() {
    let emu = one_core().await;
    let busy = builder(&emu).build().unwrap();
    let other = builder(&emu).retry(RetryPolicy::none()).build().unwrap();
    busy.login().await.unwrap();
    other.login().await.unwrap();
    let err = while_busy(&emu, &busy, &other).await.unwrap_err();
    let Error::RateLimited {
        request, message, ..
    } = &err
    else {
        panic!("not rate limited: {err:?}");
    };
    assert_eq!(request.path, "/entity/Default/24.200.001/Customer/C002");
    assert!(message.contains("limit"), "{message}");
    assert_eq!(err.status(), Some(429));
    assert_eq!(emu.metrics().rate_limited, 1);
}

#[tokio::test]
async fn a_429_is_retried_for_reads() {
    let emu = one_core().await;
    let busy = builder(&emu).build().unwrap();
    let other = builder(&emu)
        .retry(RetryPolicy {
            max_retries: 6,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    busy.login().await.unwrap();
    other.login().await.unwrap();
    let c = while_busy(&emu, &busy, &other).await.unwrap();
    assert_eq!(c.customer_id, "C002");
    let m = emu.metrics();
    assert!(m.rate_limited >= 1);
    assert_eq!(other.session().retries(), answers(&m, 429));
}
