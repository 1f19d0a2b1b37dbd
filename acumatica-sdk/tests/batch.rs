//! Typed concurrent batches against the emulator (issue #5): typed tuples, order, failures at
//! their index, retries, time limits, fail-fast, cancellation, the login limit, progress, and
//! zero leaked sessions after every one of those endings.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acumatica_emulator::{Config, Emulator, SeedCounts};
use acumatica_sdk::RetryPolicy;
use acumatica_sdk::default::{Customer, DefaultEndpoint as _, Invoice, SalesOrder};
use acumatica_sdk::prelude::*;

async fn start(config: Config) -> (Emulator, AcumaticaClient) {
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let c = emulator.credentials();
    let client = AcumaticaClient::builder()
        .base_url(emulator.url())
        .credentials(Credentials::new(c.username, c.password.as_str()).tenant(c.tenant))
        .retry(RetryPolicy::none())
        // The emulator ends with the test's runtime: a sign-out on drop after that fails fast.
        .drop_logout_timeout(Duration::from_millis(300))
        .build()
        .expect("client builds");
    (emulator, client)
}

/// Waits until the emulator has no signed-in session (background sign-outs take a moment).
async fn assert_no_sessions_left(emulator: &Emulator) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let active = emulator.metrics().active_sessions;
        if active == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{active} sessions still signed in on the emulator"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn customer_id(c: &Customer) -> &str {
    c.customer_id.get().map(String::as_str).unwrap_or_default()
}

#[tokio::test]
async fn a_tuple_of_three_entity_types_comes_back_typed() {
    let (emulator, client) = start(Config::default()).await;
    let (c1, o1, inv) = client
        .batch()
        .max_concurrent(5)
        .run((
            client.customers().get_by_id_batch("C001"),
            client.sales_orders().get_by_keys_batch(&["SO", "000003"]),
            client.invoices().get_list_batch(QueryOptions::new().top(4)),
        ))
        .await;
    // The bindings are typed: a Customer, a SalesOrder and a Vec<Invoice>.
    let c1: Customer = c1.unwrap();
    let o1: SalesOrder = o1.unwrap();
    let inv: Vec<Invoice> = inv.unwrap();
    assert_eq!(customer_id(&c1), "C001");
    assert_eq!(o1.order_nbr, "000003");
    assert_eq!(o1.order_type, "SO");
    assert_eq!(inv.len(), 4);
    assert!(inv.iter().all(|i| i.reference_nbr.is_set()));
    // Three calls, three lanes, three sign-ins, all signed out.
    let m = emulator.metrics();
    assert_eq!(m.logins, 3);
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn a_hundred_calls_return_in_input_order_with_one_login_per_lane() {
    let (emulator, client) = start(Config::default().counts(SeedCounts {
        customers: 100,
        ..SeedCounts::NONE
    }))
    .await;
    // Ask in an order that is not the store's.
    let ids: Vec<String> = (1..=100).rev().map(|n| format!("C{n:03}")).collect();
    let results = client
        .batch()
        .max_concurrent(7)
        .run_all(client.customers().get_by_ids_batch(&ids))
        .await;
    assert!(
        results.all_ok(),
        "{:?}",
        results
            .failed()
            .map(|(i, _, e)| (i, e.to_string()))
            .collect::<Vec<_>>()
    );
    let got: Vec<&str> = results
        .results()
        .iter()
        .map(|r| customer_id(r.as_ref().unwrap()))
        .collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());

    let report = results.report();
    assert_eq!(
        (report.total, report.successful, report.failed),
        (100, 100, 0)
    );
    assert_eq!(report.logins, 7, "M calls cost at most N sign-ins");
    let m = emulator.metrics();
    assert_eq!(m.logins, 7);
    // Each lane sends one request at a time on its own session.
    assert_eq!(m.peak_in_flight_per_session, 1);
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn a_missing_record_fails_at_its_index_and_retry_failed_succeeds_once_it_exists() {
    let (emulator, client) = start(Config::default()).await;
    let calls = client
        .customers()
        .get_by_ids_batch(["C001", "C002", "NEWCUST", "C003"]);
    let results = client.batch().max_concurrent(2).run_all(calls).await;
    let failed: Vec<_> = results.failed().collect();
    assert_eq!(failed.len(), 1);
    let (index, call, error) = failed[0];
    assert_eq!(index, 2);
    assert!(error.is_not_found(), "{error}");
    assert!(
        call.describe().ends_with("/Customer/NEWCUST"),
        "{}",
        call.describe()
    );
    assert_eq!(
        results.successful().map(|(i, _)| i).collect::<Vec<_>>(),
        [0, 1, 3]
    );

    // Create the record, then retry just the failed call.
    let new = Customer {
        customer_id: "NEWCUST".into(),
        customer_name: "New customer".into(),
        ..Default::default()
    };
    client
        .customers()
        .put_entity(&new, QueryOptions::new())
        .await
        .unwrap();
    let retry = results.retry_failed(3);
    assert_eq!(retry.len(), 1);
    let again = retry.run().await;
    assert!(again.all_ok());
    let (i, c) = again.successful().next().unwrap();
    assert_eq!(
        (i, customer_id(c)),
        (2, "NEWCUST"),
        "the retry keeps the original index"
    );
    client.logout().await.unwrap();
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn try_run_gives_the_values_or_the_first_failure() {
    let (emulator, client) = start(Config::default()).await;
    let (c, s) = client
        .batch()
        .try_run((
            client.customers().get_by_id_batch("C002"),
            client.stock_items().get_by_id_batch("ITEM001"),
        ))
        .await
        .unwrap();
    assert_eq!(customer_id(&c), "C002");
    assert_eq!(s.inventory_id, "ITEM001");

    let err = client
        .batch()
        .try_run((
            client.customers().get_by_id_batch("C002"),
            client.stock_items().get_by_id_batch("NO-SUCH-ITEM"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.index, 1);
    assert!(err.error.is_not_found(), "{}", err.error);
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn the_total_timeout_ends_unfinished_calls_and_cancels_requests_in_flight() {
    total_timeout_case().await;
}

/// The same on a multi-threaded runtime, where a batch's exchanges run as tasks of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_total_timeout_ends_unfinished_calls_on_a_multi_threaded_runtime_too() {
    total_timeout_case().await;
}

/// On a multi-threaded runtime a batch's exchanges run as tasks of their own: a batch dropped
/// while its call is in flight aborts the request (its write never reaches the store), and the
/// session is left as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_dropped_in_flight_on_a_multi_threaded_runtime_aborts_its_request() {
    let (emulator, client) =
        start(Config::default().latency(Duration::from_millis(300), Duration::ZERO)).await;
    client.login().await.unwrap();
    let write = Customer {
        customer_id: "C001".into(),
        customer_name: "Renamed".into(),
        ..Default::default()
    };
    let batch = client.batch().use_client_session(true).max_concurrent(1);
    let call = client
        .customers()
        .put_entity_batch(&write, QueryOptions::new());
    let batch = batch.run((call,));
    // Dropped while the write waits out the emulator's latency.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), batch)
            .await
            .is_err()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let saved = client.customers().get_by_id("C001").await.unwrap();
    assert_ne!(
        saved.customer_name, "Renamed",
        "the dropped batch's write was applied: its request went on without it"
    );
    client.logout().await.unwrap();
    assert_no_sessions_left(&emulator).await;
}

async fn total_timeout_case() {
    let (emulator, client) =
        start(Config::default().latency(Duration::from_millis(150), Duration::ZERO)).await;
    let mut calls: Vec<BatchCall<Customer>> = client
        .customers()
        .get_by_ids_batch(["C001", "C002", "C003", "C004", "C005", "C006"]);
    // One write among them: cut off while in flight, its error must say it may have been applied.
    let started = Instant::now();
    let write = Customer {
        customer_id: "C006".into(),
        customer_name: "Renamed".into(),
        ..Default::default()
    };
    calls[5] = client
        .customers()
        .put_entity_batch(&write, QueryOptions::new());
    let results = client
        .batch()
        .max_concurrent(2)
        .timeout(Duration::from_millis(400))
        .run_all(calls)
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "the batch returned after {:?}",
        started.elapsed()
    );
    let report = results.report();
    assert!(report.timed_out, "{report}");
    // 150 ms per request on two sessions: some calls finish within 400 ms, not all six.
    assert!(report.successful >= 1 && report.successful < 6, "{report}");
    for (index, call, error) in results.failed() {
        let Error::Timeout {
            may_have_been_applied,
            ..
        } = error
        else {
            panic!("expected a timeout, got {error}")
        };
        if index == 5 {
            // The write was last in line: never started, so certainly not applied.
            assert!(call.is_write() && !may_have_been_applied, "{error}");
        } else {
            assert!(!may_have_been_applied, "a read is never 'applied': {error}");
        }
    }
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn a_write_cut_off_in_flight_says_it_may_have_been_applied() {
    let (emulator, client) =
        start(Config::default().latency(Duration::from_millis(300), Duration::ZERO)).await;
    client.login().await.unwrap(); // the lane below reuses this session: no sign-in in the way
    let write = Customer {
        customer_id: "C001".into(),
        customer_name: "Renamed".into(),
        ..Default::default()
    };
    let (result,) = client
        .batch()
        .use_client_session(true)
        .max_concurrent(1)
        .timeout(Duration::from_millis(100))
        .run((client
            .customers()
            .put_entity_batch(&write, QueryOptions::new()),))
        .await;
    let err = result.unwrap_err();
    assert!(err.may_have_been_applied(), "{err}");
    assert!(err.to_string().contains("may have been applied"), "{err}");
    client.logout().await.unwrap();
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn fail_fast_cancels_the_calls_not_started() {
    let (emulator, client) = start(Config::default()).await;
    let calls = client
        .customers()
        .get_by_ids_batch(["MISSING", "C001", "C002", "C003"]);
    let results = client
        .batch()
        .max_concurrent(1)
        .fail_fast(true)
        .run_all(calls)
        .await;
    let errors: Vec<String> = results
        .results()
        .iter()
        .map(|r| match r {
            Ok(_) => "ok".to_owned(),
            Err(Error::NotFound { .. }) => "not found".to_owned(),
            Err(Error::Cancelled {
                may_have_been_applied: false,
                ..
            }) => "cancelled".to_owned(),
            Err(e) => e.to_string(),
        })
        .collect();
    assert_eq!(errors, ["not found", "cancelled", "cancelled", "cancelled"]);
    // Only the failing call reached the server (plus the sign-in).
    assert_eq!(
        emulator
            .metrics()
            .requests_by_status
            .get(&200)
            .copied()
            .unwrap_or(0),
        0
    );
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn dropping_the_batch_half_way_leaves_no_session_signed_in() {
    let (emulator, client) =
        start(Config::default().latency(Duration::from_millis(100), Duration::ZERO)).await;
    let calls = client
        .customers()
        .get_by_ids_batch((1..=20).map(|n| format!("C{n:03}")));
    let batch = client.batch().max_concurrent(4);
    let cut = tokio::time::timeout(Duration::from_millis(350), batch.run_all(calls)).await;
    assert!(cut.is_err(), "the batch should not have finished");
    // The lanes had signed in...
    assert!(emulator.metrics().logins >= 4);
    // ...and sign out in the background once their future is dropped.
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn a_login_limit_of_three_completes_all_calls_with_three_lanes() {
    let (emulator, client) = start(Config::default().max_sessions(Some(3))).await;
    let calls = client
        .customers()
        .get_by_ids_batch((1..=20).map(|n| format!("C{n:03}")));
    let results = client.batch().max_concurrent(10).run_all(calls).await;
    assert!(
        results.all_ok(),
        "{:?}",
        results
            .failed()
            .map(|(i, _, e)| (i, e.to_string()))
            .collect::<Vec<_>>()
    );
    let report = results.report();
    assert!(report.login_limit_hit, "{report}");
    assert_eq!(report.sessions_used, 3, "{report}");
    assert_eq!(report.logins, 3);
    let m = emulator.metrics();
    assert_eq!(m.peak_sessions, 3);
    assert!(m.login_limit_rejections >= 1);
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn no_session_at_all_fails_every_call_with_the_login_limit_after_waiting() {
    let (emulator, client) = start(Config::default().max_sessions(Some(0))).await;
    let wait = Duration::from_millis(600);
    let results = client
        .batch()
        .max_concurrent(3)
        .wait_for_session(wait)
        .run_all(client.customers().get_by_ids_batch(["C001", "C002"]))
        .await;
    let report = results.report().clone();
    for r in results.results() {
        let Err(Error::LoginLimit { message, .. }) = r else {
            panic!("not a login limit: {r:?}");
        };
        assert!(message.contains("got no session in"), "{message}");
    }
    assert!(report.waited_for_session >= wait, "{report}");
    assert_eq!(emulator.metrics().logins, 0);
    // 3 lanes tried once each; the last one then polled with backoff (250 ms and up).
    let rejections = emulator.metrics().login_limit_rejections;
    assert!((4..=8).contains(&rejections), "{rejections}");
}

#[tokio::test]
async fn the_progress_callback_sees_every_count_once() {
    let (emulator, client) = start(Config::default()).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let calls = client
        .customers()
        .get_by_ids_batch((1..=15).map(|n| format!("C{n:03}")));
    let results = client
        .batch()
        .max_concurrent(4)
        .on_progress(move |done, total| sink.lock().unwrap().push((done, total)))
        .run_all(calls)
        .await;
    assert!(results.all_ok());
    let mut seen = seen.lock().unwrap().clone();
    assert!(seen.iter().all(|(_, total)| *total == 15));
    seen.sort();
    assert_eq!(
        seen.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
        (1..=15).collect::<Vec<_>>()
    );
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn writes_and_actions_batch_too() {
    let (emulator, client) = start(Config::default()).await;
    let order = client
        .sales_orders()
        .get_by_keys(&["SO", "000002"])
        .await
        .unwrap();
    let renamed = Customer {
        customer_id: "C004".into(),
        customer_name: "Batch Renamed Ltd".into(),
        ..Default::default()
    };
    let (saved, action) = client
        .batch()
        .run((
            client
                .customers()
                .put_entity_batch(&renamed, QueryOptions::new()),
            client.sales_orders().cancel_sales_order_batch(&order),
        ))
        .await;
    assert_eq!(saved.unwrap().customer_name, "Batch Renamed Ltd");
    action.unwrap();
    let after = client.customers().get_by_id("C004").await.unwrap();
    assert_eq!(after.customer_name, "Batch Renamed Ltd");
    // Each write applied exactly once.
    let writes = emulator.metrics().writes;
    let id = after.meta.id.unwrap();
    assert_eq!(writes.get(&format!("Customer/{id}")).copied(), Some(1));
    client.logout().await.unwrap();
    assert_no_sessions_left(&emulator).await;
}

#[tokio::test]
async fn the_report_prints_a_summary() {
    let (_emulator, client) = start(Config::default()).await;
    let (_, report) = client
        .batch()
        .max_concurrent(2)
        .run_with_report(
            client
                .customers()
                .get_by_ids_batch(["C001", "C002", "NOPE"]),
        )
        .await;
    assert_eq!(
        (report.successful, report.failed, report.concurrency),
        (2, 1, 2)
    );
    assert!(
        report.min() <= report.p50()
            && report.p50() <= report.p95()
            && report.p95() <= report.max()
    );
    let text = report.to_string();
    assert!(
        text.starts_with("batch: 3 calls in ") && text.contains("ok 2   failed 1"),
        "{text}"
    );
}

/// Batch futures can be spawned.
#[allow(dead_code)]
fn batch_futures_are_send(client: AcumaticaClient) {
    fn is_send<T: Send>(_: T) {}
    let b = client.batch();
    is_send(b.run((client.customers().get_by_id_batch("C001"),)));
    is_send(b.run_all(client.customers().get_by_ids_batch(["C001"])));
}
