//! 100,000-term filters: and/or chains render, clone, compare and drop on a tokio worker's
//! 2 MiB stack; sending one ends in a clear error with nothing sent; a 2,000-term filter
//! returns exactly the matching records; nesting past [`Filter::MAX_DEPTH`] is refused with
//! `InvalidQuery` before anything is sent, however the filter was put together.

use std::time::{Duration, Instant};

use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::odata::InquiryOptions;
use acumatica_sdk::query::{Filter, QueryOptions, field};
use acumatica_sdk::{AcumaticaClient, Error};
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Emulator, answers, builder_at, emulator};

const TERMS: usize = 100_000;
const CUSTOMER: &str = "/entity/Default/24.200.001/Customer";

fn id(i: usize) -> String {
    format!("C{i:06}")
}

/// `CustomerID eq 'C000000' or ... or CustomerID eq 'C0{n-1}'`, built left to right.
fn or_chain(n: usize) -> Filter {
    let mut f = field("CustomerID").eq(id(0));
    for i in 1..n {
        f = f | field("CustomerID").eq(id(i));
    }
    f
}

/// The same with the typed fields of `Customer`.
fn typed_or_chain(n: usize) -> Filter {
    let mut f = Customer::filter().customer_id().eq(id(0));
    for i in 1..n {
        f = f.or(Customer::filter().customer_id().eq(id(i)));
    }
    f
}

/// Length of `n` terms of 23 characters joined by a 4- or 5-character operator.
fn rendered_len(n: usize, op: &str) -> usize {
    23 * n + op.len() * (n - 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100000_term_filter_renders_clones_compares_and_drops_on_a_worker() {
    let work = tokio::spawn(async {
        let started = Instant::now();
        for (name, f) in [
            ("by name", or_chain(TERMS)),
            ("typed", typed_or_chain(TERMS)),
        ] {
            assert!(!f.is_too_deep(), "{name}");
            let text = f.to_string();
            assert_eq!(text.len(), rendered_len(TERMS, " or "), "{name}");
            assert_eq!(text.matches(" or ").count(), TERMS - 1, "{name}");
            assert!(
                text.starts_with("CustomerID eq 'C000000' or CustomerID eq 'C000001' or "),
                "{name}"
            );
            assert!(text.ends_with(" or CustomerID eq 'C099999'"), "{name}");
            assert!(!text.contains('('), "a flat chain needs no parentheses");
            assert_eq!(f.to_odata_v4(), text, "{name}");
            let copy = f.clone();
            assert_eq!(copy, f, "{name}");
            let other = f.clone() | field("CustomerID").eq("C100000");
            assert_ne!(other, f, "{name}");
            assert_eq!(
                other.to_string().len(),
                rendered_len(TERMS + 1, " or "),
                "{name}"
            );
            let debug = format!("{f:?}");
            assert_eq!(debug.matches("C0").count(), TERMS, "{name}");
            let options = QueryOptions::new().filter(copy);
            assert_eq!(options.filter_string().unwrap(), text, "{name}");
            drop((f, other, options));
        }

        // An and-chain, and an and-chain of or-pairs (two levels), the same.
        let mut and = field("CustomerID").ne(id(0));
        for i in 1..TERMS {
            and = and & field("CustomerID").ne(id(i));
        }
        let text = and.to_string();
        assert_eq!(text.len(), rendered_len(TERMS, " and "));
        drop(and);
        let pair =
            |i: usize| field("CustomerID").eq(id(2 * i)) | field("CustomerID").eq(id(2 * i + 1));
        let mut pairs = pair(0);
        for i in 1..TERMS / 2 {
            pairs = pairs & pair(i);
        }
        let text = pairs.to_string();
        // `(a or b) and (c or d) ...`: two parentheses per pair.
        assert_eq!(
            text.len(),
            rendered_len(TERMS, " or ") + (TERMS / 2 - 1) * (" and ".len() - " or ".len()) + TERMS
        );
        assert!(text.starts_with("(CustomerID eq 'C000000' or CustomerID eq 'C000001') and ("));
        assert!(!pairs.is_too_deep());
        drop(pairs);

        // Combined pairwise (a balanced tree of `or`s) it is the same flat chain.
        let mut level: Vec<Filter> = (0..TERMS).map(|i| field("CustomerID").eq(id(i))).collect();
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len() / 2 + 1);
            let mut it = level.into_iter();
            while let Some(a) = it.next() {
                next.push(match it.next() {
                    Some(b) => a | b,
                    None => a,
                });
            }
            level = next;
        }
        let balanced = level.pop().unwrap();
        assert_eq!(balanced, or_chain(TERMS));
        drop(balanced);
        started.elapsed()
    });
    let elapsed = work
        .await
        .expect("the worker panicked or overflowed its stack");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_grown_on_the_left_is_as_cheap_as_one_grown_on_the_right() {
    // Grown on the left, `term | chain` (a right fold): as cheap as `chain | term`.
    const N: usize = TERMS;
    let work = tokio::spawn(async {
        let started = Instant::now();
        let right = or_chain(N);
        let right_took = started.elapsed();
        let started = Instant::now();
        let mut left = field("CustomerID").eq(id(N - 1));
        for i in (0..N - 1).rev() {
            left = field("CustomerID").eq(id(i)) | left;
        }
        let left_took = started.elapsed();
        assert_eq!(left, right);
        (right_took, left_took)
    });
    let (right, left) = work.await.expect("the worker panicked");
    assert!(
        left < right * 20 + Duration::from_millis(500),
        "grown on the right: {right:?}; on the left: {left:?}"
    );
}

struct Tenant {
    emu: Emulator,
    proxy: RecordingProxy,
    client: AcumaticaClient,
}

/// A client signed in through a recording proxy, the sign-in forgotten.
async fn tenant() -> Tenant {
    let emu = emulator().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = builder_at(proxy.url(), &emu).build().unwrap();
    client.login().await.unwrap();
    proxy.clear();
    Tenant { emu, proxy, client }
}

impl Tenant {
    fn assert_nothing_sent(&self, requests_before: u64, case: &str) {
        assert_eq!(self.proxy.requests(), "", "{case}: something was sent");
        assert_eq!(
            self.emu.metrics().requests_total,
            requests_before,
            "{case}: the emulator received a request"
        );
    }
}

/// `url` with `$filter` = `filter`, as the client writes it: its length in bytes.
fn url_len(base: &str, path: &str, filter: &Filter) -> usize {
    let mut url = reqwest::Url::parse(&format!("{base}{path}")).unwrap();
    url.query_pairs_mut()
        .append_pair("$filter", &filter.to_string());
    url.as_str().len()
}

/// The largest URL a request can have (`http::Uri` holds at most 65,534 bytes).
const MAX_URL: usize = 65_534;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100000_term_filter_is_refused_with_a_short_clear_error_and_nothing_is_sent() {
    let t = tenant().await;
    let before = t.emu.metrics();
    let retries = t.client.stats().retries;
    let f = tokio::task::spawn_blocking(|| or_chain(TERMS))
        .await
        .unwrap();
    // 27 bytes a term encoded (`CustomerID+eq+%27C000000%27`), 4 an `+or+`.
    let len = url_len(t.proxy.url(), CUSTOMER, &f);
    assert_eq!(
        len,
        t.proxy.url().len() + CUSTOMER.len() + "?%24filter=".len() + 27 * TERMS + 4 * (TERMS - 1)
    );
    let customer = Customer {
        customer_id: "C001".into(),
        customer_name: "Never sent".into(),
        ..Customer::default()
    };
    let c = t.client.customers();
    let started = Instant::now();
    for (method, result) in [
        (
            "GET",
            c.get_list(QueryOptions::new().filter(f.clone()))
                .await
                .map(|_| ()),
        ),
        (
            "PUT",
            c.put_entity(&customer, QueryOptions::new().filter(f.clone()))
                .await
                .map(|_| ()),
        ),
    ] {
        let err = result.unwrap_err();
        let shown = err.to_string();
        let Error::InvalidRequest { what, message } = &err else {
            panic!(
                "{method}: expected InvalidRequest, got {}",
                &shown[..shown.len().min(500)]
            );
        };
        assert_eq!(what, &format!("{method} {CUSTOMER}"));
        assert!(message.contains(&format!("{len} bytes")), "{message}");
        assert!(message.contains(&MAX_URL.to_string()), "{message}");
        // Short and clear: not the 3 MB URL again.
        assert!(
            shown.len() < 500,
            "{method}: the error is {} characters",
            shown.len()
        );
        assert!(format!("{err:?}").len() < 500);
        // Nothing was sent: not applied, and not worth retrying.
        assert!(!err.may_have_been_applied(), "{method}: {shown}");
        assert!(!err.is_transient(), "{method}: {shown}");
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    t.assert_nothing_sent(before.requests_total, "100,000 terms");
    assert_eq!(t.emu.metrics().writes, before.writes);
    assert_eq!(t.client.stats().retries, retries, "not retried");
    t.client.logout().await.unwrap();
    assert_eq!(t.emu.metrics().active_sessions, 0);
}

#[tokio::test]
async fn the_longest_url_that_can_be_sent_is_sent_and_one_byte_more_is_refused() {
    let t = tenant().await;
    // `CustomerID eq 'xxx...'`: one byte of URL per `x`.
    let filter = |xs: usize| field("CustomerID").eq("x".repeat(xs));
    let xs = MAX_URL - url_len(t.proxy.url(), CUSTOMER, &filter(0));
    assert_eq!(url_len(t.proxy.url(), CUSTOMER, &filter(xs)), MAX_URL);

    let before = t.emu.metrics().requests_total;
    let found = t
        .client
        .customers()
        .get_list(QueryOptions::new().filter(filter(xs)))
        .await
        .unwrap_or_else(|e| panic!("a {MAX_URL}-byte URL: {e}"));
    assert!(found.is_empty());
    assert_eq!(t.emu.metrics().requests_total, before + 1);
    // The request line is the path and query: the URL without `http://127.0.0.1:PORT`.
    let sent = t.proxy.requests();
    let line = sent.split("\r\n").next().unwrap();
    assert_eq!(
        line.len(),
        "GET ".len() + MAX_URL - t.proxy.url().len() + " HTTP/1.1".len()
    );
    t.proxy.clear();

    for more in [1, 2, 1_000] {
        let err = t
            .client
            .customers()
            .get_list(QueryOptions::new().filter(filter(xs + more)))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { what, .. } if what == &format!("GET {CUSTOMER}")),
            "{} more: {err}",
            more
        );
        assert!(err.to_string().len() < 500);
        t.assert_nothing_sent(before + 1, &format!("{more} bytes more"));
    }
}

#[tokio::test]
async fn a_2000_term_filter_returns_exactly_the_matching_records() {
    let t = tenant().await;
    // 2,000 terms: ten of them name stored customers (C001, C003, ... C019), the rest no one.
    let mut expected = Vec::new();
    let mut f: Option<Filter> = None;
    for i in 0..2_000 {
        let key = if i % 200 == 0 {
            let key = format!("C{:03}", 2 * (i / 200) + 1);
            expected.push(key.clone());
            key
        } else {
            format!("X{i:04}")
        };
        let term = field("CustomerID").eq(key);
        f = Some(match f {
            Some(f) => f | term,
            None => term,
        });
    }
    let f = f.unwrap();
    assert_eq!(f.to_string().matches(" or ").count(), 1_999);
    let before = t.emu.metrics();
    let found = t
        .client
        .customers()
        .get_list(QueryOptions::new().filter(f))
        .await
        .unwrap();
    let mut ids: Vec<String> = found
        .iter()
        .map(|c| c.customer_id.get().cloned().unwrap_or_default())
        .collect();
    ids.sort();
    assert_eq!(ids, expected);
    assert_eq!(ids.len(), 10);
    let after = t.emu.metrics();
    assert_eq!(after.requests_total, before.requests_total + 1);
    assert_eq!(answers(&after, 200), answers(&before, 200) + 1);
    let sent = t.proxy.requests();
    let line = sent.lines().next().unwrap();
    assert!(line.starts_with(&format!(
        "GET {CUSTOMER}?%24filter=CustomerID+eq+%27C001%27+or+"
    )));
    assert_eq!(line.matches("+or+").count(), 1_999);
}

/// `not` applied `n` times to `CustomerID eq 'C001'`: C001 alone when `n` is even, every other
/// customer when it is odd.
fn nots(n: usize) -> Filter {
    let mut f = field("CustomerID").eq("C001");
    for _ in 0..n {
        f = !f;
    }
    f
}

/// `CustomerID eq 'C001'` combined `n` times, alternately by `or` with a comparison no record
/// satisfies and by `and` with one C001 satisfies: C001 alone, whatever `n`. Each `or` inside an
/// `and` is written in parentheses: `n / 2` levels.
fn alternating(n: usize) -> Filter {
    let mut f = field("CustomerID").eq("C001");
    for i in 0..n {
        f = if i % 2 == 0 {
            f | field("CustomerID").eq(id(i))
        } else {
            f & field("CustomerID").ne(id(i))
        };
    }
    f
}

fn ids(customers: &[Customer]) -> Vec<String> {
    customers
        .iter()
        .map(|c| c.customer_id.get().cloned().unwrap_or_default())
        .collect()
}

fn assert_too_deep(err: &Error, case: &str) {
    match err {
        Error::InvalidQuery { message } => assert!(
            message.starts_with("$filter nests more than 100 levels deep"),
            "{case}: {message}"
        ),
        other => panic!("{case}: expected InvalidQuery, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nesting_past_the_limit_is_refused_before_sending() {
    let t = tenant().await;
    let before = t.emu.metrics().requests_total;
    let (deep_not, deep_alt) = tokio::spawn(async { (nots(100_000), alternating(100_000)) })
        .await
        .unwrap();
    for (case, deep) in [
        ("100,000 nots", deep_not),
        ("100,000 alternations", deep_alt),
    ] {
        assert!(deep.is_too_deep(), "{case}");
        let err = t
            .client
            .customers()
            .get_list(QueryOptions::new().filter(deep.clone()))
            .await
            .unwrap_err();
        assert_too_deep(&err, case);
        assert!(!err.may_have_been_applied());
        // The same for every call that takes options, a write included.
        let err = t
            .client
            .customers()
            .put_entity(
                &Customer {
                    customer_id: "C001".into(),
                    ..Customer::default()
                },
                QueryOptions::new().filter(deep.clone()),
            )
            .await
            .unwrap_err();
        assert_too_deep(&err, case);
        assert!(!err.may_have_been_applied());
        let err = t
            .client
            .customers()
            .get_by_id_with("C001", QueryOptions::new().filter(deep.clone()))
            .await
            .unwrap_err();
        assert_too_deep(&err, case);
        let err = QueryOptions::new()
            .filter(deep)
            .filter_string()
            .unwrap_err();
        assert_too_deep(&err.into(), case);
        t.assert_nothing_sent(before, case);
    }
    assert_eq!(t.emu.metrics().writes.len(), 0);
}

#[tokio::test]
async fn every_filter_the_sdk_accepts_the_tenant_answers_exactly_and_the_rest_is_refused() {
    let t = tenant().await;
    let everyone_but_c001: Vec<String> = (2..=20).map(|n| format!("C{n:03}")).collect();
    // `not (...)` is two levels for the tenant's parser: 50 of them are the most it takes.
    let mut last_sent = None;
    for n in 0..=60 {
        let f = nots(n);
        let before = t.emu.metrics().requests_total;
        t.proxy.clear();
        let result = t
            .client
            .customers()
            .get_list(QueryOptions::new().filter(f.clone()))
            .await;
        if f.is_too_deep() {
            assert_too_deep(&result.unwrap_err(), &format!("{n} nots"));
            t.assert_nothing_sent(before, &format!("{n} nots"));
        } else {
            assert_eq!(
                last_sent,
                n.checked_sub(1),
                "refused, then sent again at {n}"
            );
            let found = result.unwrap_or_else(|e| panic!("{n} nots: {e}"));
            if n % 2 == 0 {
                assert_eq!(ids(&found), ["C001"], "{n} nots");
            } else {
                assert_eq!(ids(&found), everyone_but_c001, "{n} nots");
            }
            last_sent = Some(n);
        }
    }
    assert_eq!(last_sent, Some(50), "the deepest `not` chain sent");

    // Alternating `and`/`or`: every two alternations one pair of parentheses.
    let mut last_sent = None;
    for n in (0..=10).chain(190..=210) {
        let f = alternating(n);
        let before = t.emu.metrics().requests_total;
        t.proxy.clear();
        let result = t
            .client
            .customers()
            .get_list(QueryOptions::new().filter(f.clone()))
            .await;
        if f.is_too_deep() {
            assert_too_deep(&result.unwrap_err(), &format!("{n} alternations"));
            t.assert_nothing_sent(before, &format!("{n} alternations"));
        } else {
            assert!(last_sent.is_none_or(|l| l < n));
            let found = result.unwrap_or_else(|e| panic!("{n} alternations: {e}"));
            assert_eq!(ids(&found), ["C001"], "{n} alternations");
            last_sent = Some(n);
        }
    }
    assert_eq!(last_sent, Some(201), "the deepest alternation sent");
    // Not one filter the SDK sent was refused by the tenant.
    let m = t.emu.metrics();
    assert_eq!(answers(&m, 500), 0);
    assert_eq!(answers(&m, 400), 0);
}

/// A filter as deep as may be sent whose `and` with a plain comparison is one level too deep.
fn deepest_or() -> Filter {
    let other = || field("CustomerID").eq("X");
    let mut f = field("CustomerID").eq("C001");
    loop {
        let next = !(f.clone() | other());
        if next.is_too_deep() {
            break;
        }
        f = next;
    }
    let or = f.clone() | other();
    if or.is_too_deep() { f } else { or }
}

#[tokio::test]
async fn filters_combined_past_the_limit_by_query_options_are_refused() {
    let t = tenant().await;
    let deep = deepest_or();
    let plain = field("CustomerName").eq("x");
    assert!(!deep.is_too_deep() && !plain.is_too_deep());
    assert!(
        (deep.clone() & plain.clone()).is_too_deep(),
        "the precondition"
    );
    let before = t.emu.metrics().requests_total;
    let options = QueryOptions::new().filter(deep).filter(plain);
    let result = t.client.customers().get_list(options).await;
    assert!(
        matches!(result, Err(Error::InvalidQuery { .. })),
        "{result:?}; sent: {}",
        t.proxy.requests()
    );
    t.assert_nothing_sent(before, "combined by QueryOptions");
}

#[tokio::test]
async fn an_inquiry_filter_nested_past_the_limit_is_refused() {
    let t = tenant().await;
    let before = t.emu.metrics().requests_total;
    let result = t
        .client
        .inquiry::<serde_json::Value>("Customers")
        .get(InquiryOptions::new().filter(nots(100_000)))
        .await;
    assert!(
        matches!(result, Err(Error::InvalidQuery { .. })),
        "{result:?}; sent: {}",
        t.proxy.requests()
    );
    t.assert_nothing_sent(before, "an inquiry");
}
