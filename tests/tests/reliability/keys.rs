//! Hostile key values never address another record: every value the SDK sends is exactly one
//! percent-encoded path segment of the addressed entity, and the values no encoding can keep in
//! place (`.`, `..`, empty, `/`, and `|` inside a key) are refused before anything is sent.
//!
//! Every case runs through a [`RecordingProxy`], so the request line asserted is the one that
//! went over the wire, and checks the emulator's metrics: `requests_total` unchanged for a
//! refusal, `writes` unchanged for a delete that matched nothing, vendor V001 still there.

use std::collections::BTreeMap;

use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Error};
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Emulator, Metrics, builder_at, emulator};

const ENTITY: &str = "/entity/Default/24.200.001";
const CUSTOMER: &str = "/entity/Default/24.200.001/Customer";

/// An emulator, a proxy in front of it and a client signed in through the proxy; the sign-in is
/// forgotten by the proxy so that each case sees only its own requests.
struct Tenant {
    emu: Emulator,
    proxy: RecordingProxy,
    client: AcumaticaClient,
}

async fn tenant() -> Tenant {
    let emu = emulator().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = builder_at(proxy.url(), &emu)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    client
        .login()
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    proxy.clear();
    Tenant { emu, proxy, client }
}

/// The request lines (`GET /path HTTP/1.1`) in the proxy's record of what the client sent.
fn request_lines(sent: &str) -> Vec<String> {
    sent.split("\r\n")
        .filter(|l| {
            l.ends_with(" HTTP/1.1")
                && ["GET ", "PUT ", "POST ", "PATCH ", "DELETE "]
                    .iter()
                    .any(|m| l.starts_with(m))
        })
        .map(str::to_owned)
        .collect()
}

/// The result is `InvalidRequest` about a key, nothing reached the proxy, and the emulator saw
/// no request and no write since `before`. Returns the error's message.
fn assert_refused<T: std::fmt::Debug>(
    t: &Tenant,
    before: &Metrics,
    case: &str,
    result: Result<T, Error>,
) -> String {
    let message = match result {
        Err(Error::InvalidRequest { what, message }) => {
            assert_eq!(what, "key", "{case}: {message}");
            message
        }
        other => panic!("{case}: expected InvalidRequest, got {other:?}"),
    };
    assert_eq!(t.proxy.requests(), "", "{case}: something was sent");
    let now = t.emu.metrics();
    assert_eq!(
        now.requests_total, before.requests_total,
        "{case}: the emulator received a request"
    );
    assert_eq!(now.writes, before.writes, "{case}: a record was written");
    message
}

/// The result is a not-found answer, the one request sent is exactly `line`, and nothing was
/// written since `before`.
fn assert_sent_exactly<T: std::fmt::Debug>(
    t: &Tenant,
    before: &Metrics,
    line: &str,
    result: Result<T, Error>,
) {
    match &result {
        Err(Error::NotFound { status: 500, .. }) => {}
        other => panic!("{line}: expected NotFound (500), got {other:?}"),
    }
    assert_eq!(
        request_lines(&t.proxy.requests()),
        [format!("{line} HTTP/1.1")],
        "the request line"
    );
    let now = t.emu.metrics();
    assert_eq!(now.requests_total, before.requests_total + 1, "{line}");
    assert_eq!(now.writes, before.writes, "{line}: a record was written");
    t.proxy.clear();
}

fn vendor_v001_exists(emu: &Emulator) -> bool {
    emu.store().find("Vendor", &["V001"]).is_some()
}

#[tokio::test]
async fn dot_dot_empty_slash_and_bar_keys_are_refused_before_sending() {
    let t = tenant().await;
    let before = t.emu.metrics();
    let customers = t.emu.store().count("Customer");
    let vendors = t.emu.store().count("Vendor");
    assert!(vendor_v001_exists(&t.emu));
    let c = t.client.customers();

    // The incident of the issue: `DELETE /Customer/../Vendor/V001` deleted vendor V001.
    let message = assert_refused(
        &t,
        &before,
        "delete ..",
        c.delete_by_keys(&["..", "Vendor", "V001"]).await,
    );
    assert!(message.contains("relative path segment"), "{message}");
    assert_refused(&t, &before, "get .", c.get_by_id(".").await);
    assert_refused(&t, &before, "get ..", c.get_by_id("..").await);
    assert_refused(&t, &before, "delete .", c.delete_by_keys(&["."]).await);
    let message = assert_refused(&t, &before, "get empty", c.get_by_id("").await);
    assert_eq!(message, "is empty");
    assert_refused(&t, &before, "delete empty", c.delete_by_keys(&[""]).await);
    let message = assert_refused(&t, &before, "no keys", c.delete_by_keys(&[]).await);
    assert_eq!(message, "no key values given");
    assert_refused(
        &t,
        &before,
        "an empty second key",
        t.client.sales_orders().get_by_keys(&["SO", ""]).await,
    );
    assert_refused(
        &t,
        &before,
        "a dot second key",
        t.client.sales_orders().delete_by_keys(&["SO", ".."]).await,
    );

    // A `/` inside one key value: IIS decodes `%2F` before routing, so it is refused.
    for key in [
        "../Vendor/V001",
        "C001/../../Vendor/V001",
        "a/b",
        "/",
        "C001/",
    ] {
        let message = assert_refused(&t, &before, key, c.delete_by_keys(&[key]).await);
        assert!(message.contains("'/'"), "{key}: {message}");
        assert_refused(&t, &before, key, c.get_by_id(key).await);
    }
    // A `|` inside one key of a one-key entity would become two keys on the server.
    for key in ["C001|C002", "|", "A|"] {
        let message = assert_refused(&t, &before, key, c.get_by_id(key).await);
        assert!(message.contains("'|'"), "{key}: {message}");
        assert_refused(&t, &before, key, c.delete_by_keys(&[key]).await);
    }
    // And on a two-key entity, `SO|000001` as one key would address sales order SO/000001.
    assert_refused(
        &t,
        &before,
        "SO|000001 as one key",
        t.client.sales_orders().get_by_keys(&["SO|000001"]).await,
    );
    assert_refused(
        &t,
        &before,
        "SO|000001 as one key",
        t.client.sales_orders().delete_by_keys(&["SO|000001"]).await,
    );
    // The refusal of a key does not depend on the call: with options too.
    assert_refused(
        &t,
        &before,
        "get_by_keys_with ..",
        c.get_by_keys_with(&[".."], QueryOptions::new().select("CustomerID"))
            .await,
    );

    let after = t.emu.metrics();
    assert_eq!(after.requests_total, before.requests_total);
    assert_eq!(after.writes, BTreeMap::new());
    assert!(vendor_v001_exists(&t.emu), "vendor V001 was deleted");
    assert_eq!(t.emu.store().count("Vendor"), vendors);
    assert_eq!(t.emu.store().count("Customer"), customers);
    assert_eq!(t.emu.store().count("SalesOrder"), 20);
}

/// Every other value is one encoded segment: (value, what goes on the wire).
const ENCODED: &[(&str, &str)] = &[
    ("a\\b", "a%5Cb"),
    ("100%", "100%25"),
    ("%", "%25"),
    ("a?b", "a%3Fb"),
    ("?$filter=1", "%3F%24filter%3D1"),
    ("a#b", "a%23b"),
    ("#", "%23"),
    ("a;b", "a%3Bb"),
    (";jsessionid=1", "%3Bjsessionid%3D1"),
    ("\r\n\t\0\u{7f}", "%0D%0A%09%00%7F"),
    ("C001\r\nX-Injected: 1", "C001%0D%0AX-Injected%3A%201"),
    ("%2e%2e", "%252e%252e"),
    ("%2E%2E%2FVendor%2FV001", "%252E%252E%252FVendor%252FV001"),
    (".%2e", ".%252e"),
    ("%2F", "%252F"),
    ("%7C", "%257C"),
    ("...", "..."),
    (".x", ".x"),
    ("x..", "x.."),
    (" ", "%20"),
    ("two words", "two%20words"),
    ("+", "%2B"),
    ("Zoë", "Zo%C3%AB"),
    ("日本", "%E6%97%A5%E6%9C%AC"),
    ("\u{202e}RTL", "%E2%80%AERTL"),
    ("\u{ff0f}", "%EF%BC%8F"),
    ("a&b=c", "a%26b%3Dc"),
    ("@evil", "%40evil"),
];

#[tokio::test]
async fn every_other_key_value_is_exactly_one_encoded_segment_of_the_addressed_entity() {
    let t = tenant().await;
    let c = t.client.customers();
    for (value, wire) in ENCODED {
        assert_sent_exactly(
            &t,
            &t.emu.metrics(),
            &format!("GET {CUSTOMER}/{wire}"),
            c.get_by_id(*value).await,
        );
        assert_sent_exactly(
            &t,
            &t.emu.metrics(),
            &format!("GET {CUSTOMER}/{wire}"),
            c.get_by_keys(&[value]).await,
        );
        assert_sent_exactly(
            &t,
            &t.emu.metrics(),
            &format!("DELETE {CUSTOMER}/{wire}"),
            c.delete_by_keys(&[value]).await,
        );
    }
    // Several keys: each value its own segment, the separator a literal `/` (§2).
    assert_sent_exactly(
        &t,
        &t.emu.metrics(),
        &format!("DELETE {CUSTOMER}/%252e%252e/Vendor/V001"),
        c.delete_by_keys(&["%2e%2e", "Vendor", "V001"]).await,
    );
    assert_sent_exactly(
        &t,
        &t.emu.metrics(),
        &format!("GET {ENTITY}/SalesOrder/SO%3F/000001%23"),
        t.client
            .sales_orders()
            .get_by_keys(&["SO?", "000001#"])
            .await,
    );
    // A 10,000-character value is one segment too.
    let long = "x".repeat(10_000);
    assert_sent_exactly(
        &t,
        &t.emu.metrics(),
        &format!("GET {CUSTOMER}/{long}"),
        c.get_by_id(long.as_str()).await,
    );
    let long_percent = "%".repeat(10_000);
    assert_sent_exactly(
        &t,
        &t.emu.metrics(),
        &format!("DELETE {CUSTOMER}/{}", "%25".repeat(10_000)),
        c.delete_by_keys(&[&long_percent]).await,
    );
    let long_unicode = "ë".repeat(10_000);
    assert_sent_exactly(
        &t,
        &t.emu.metrics(),
        &format!("GET {CUSTOMER}/{}", "%C3%AB".repeat(10_000)),
        c.get_by_id(long_unicode.as_str()).await,
    );

    let m = t.emu.metrics();
    assert_eq!(m.writes, BTreeMap::new(), "no delete matched a record");
    assert!(vendor_v001_exists(&t.emu), "vendor V001 was deleted");
    assert_eq!(t.emu.store().count("Vendor"), 10);
    assert_eq!(t.emu.store().count("Customer"), 20);
    // 28 values × 3 calls, 2 multi-key calls, 3 long values: one request each, no retry.
    assert_eq!(
        m.requests_by_status.get(&500).copied(),
        Some(ENCODED.len() as u64 * 3 + 2 + 3)
    );
}

/// Customer IDs a real tenant may hold: each is created, read back and deleted by key, exactly.
const HOSTILE_IDS: &[(&str, &str)] = &[
    ("100% off", "100%25%20off"),
    ("back\\slash", "back%5Cslash"),
    ("what?now", "what%3Fnow"),
    ("hash#tag", "hash%23tag"),
    ("semi;colon", "semi%3Bcolon"),
    ("two words", "two%20words"),
    ("%2e%2e", "%252e%252e"),
    ("...", "..."),
    ("Zoë-日本", "Zo%C3%AB-%E6%97%A5%E6%9C%AC"),
];

#[tokio::test]
async fn records_with_hostile_ids_are_read_and_deleted_by_key_exactly() {
    let t = tenant().await;
    let c = t.client.customers();
    let mut ids = Vec::new();
    for (i, (key, _)) in HOSTILE_IDS.iter().enumerate() {
        let saved = c
            .put_entity(
                &Customer {
                    customer_id: (*key).into(),
                    customer_name: format!("Hostile {i}").into(),
                    ..Customer::default()
                },
                QueryOptions::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("creating {key:?}: {e}"));
        assert_eq!(saved.customer_id, *key);
        ids.push(saved.meta.id.expect("the saved record's id"));
    }
    assert_eq!(t.emu.store().count("Customer"), 20 + HOSTILE_IDS.len());
    t.proxy.clear();

    for (i, (key, wire)) in HOSTILE_IDS.iter().enumerate() {
        let read: Customer = c
            .get_by_keys(&[key])
            .await
            .unwrap_or_else(|e| panic!("reading {key:?}: {e}"));
        assert_eq!(read.customer_id, *key);
        assert_eq!(read.customer_name, format!("Hostile {i}").as_str());
        assert_eq!(read.meta.id, Some(ids[i]));
        assert_eq!(
            request_lines(&t.proxy.requests()),
            [format!("GET {CUSTOMER}/{wire} HTTP/1.1")]
        );
        t.proxy.clear();
    }
    for (i, (key, wire)) in HOSTILE_IDS.iter().enumerate() {
        let before = t.emu.metrics();
        c.delete_by_keys(&[key])
            .await
            .unwrap_or_else(|e| panic!("deleting {key:?}: {e}"));
        assert_eq!(
            request_lines(&t.proxy.requests()),
            [format!("DELETE {CUSTOMER}/{wire} HTTP/1.1")]
        );
        t.proxy.clear();
        let after = t.emu.metrics();
        assert_eq!(after.requests_total, before.requests_total + 1);
        // Exactly this record was written once more; no other.
        let mut expected = before.writes.clone();
        *expected.entry(format!("Customer/{}", ids[i])).or_insert(0) += 1;
        assert_eq!(after.writes, expected, "deleting {key:?}");
        assert!(t.emu.store().find("Customer", &[key]).is_none());
    }

    // Each hostile record written twice (PUT, DELETE), nothing else.
    let expected: BTreeMap<String, u64> =
        ids.iter().map(|id| (format!("Customer/{id}"), 2)).collect();
    assert_eq!(t.emu.metrics().writes, expected);
    assert_eq!(t.emu.store().count("Customer"), 20);
    for n in 1..=20 {
        let key = format!("C{n:03}");
        assert!(t.emu.store().find("Customer", &[&key]).is_some(), "{key}");
    }
    assert!(vendor_v001_exists(&t.emu));
}

#[tokio::test]
async fn a_record_whose_id_holds_a_separator_is_reached_by_entity_id_only() {
    let t = tenant().await;
    let c = t.client.customers();
    for key in ["A|B", "A/B"] {
        let saved = c
            .put_entity(
                &Customer {
                    customer_id: key.into(),
                    customer_name: "Separator".into(),
                    ..Customer::default()
                },
                QueryOptions::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("creating {key:?}: {e}"));
        let id = saved.meta.id.expect("id");
        t.proxy.clear();
        let before = t.emu.metrics();
        assert_refused(&t, &before, key, c.get_by_keys(&[key]).await);
        assert_refused(&t, &before, key, c.delete_by_keys(&[key]).await);

        let read: Customer = c.get_by_id(id).await.unwrap();
        assert_eq!(read.customer_id, key);
        c.delete_by_id(id).await.unwrap();
        assert_eq!(
            request_lines(&t.proxy.requests()),
            [
                format!("GET {CUSTOMER}/{id} HTTP/1.1"),
                format!("DELETE {CUSTOMER}/{id} HTTP/1.1")
            ]
        );
        t.proxy.clear();
        let writes = t.emu.metrics().writes;
        assert_eq!(writes.get(&format!("Customer/{id}")), Some(&2), "{key}");
    }
    assert_eq!(t.emu.metrics().writes.len(), 2);
    assert_eq!(t.emu.store().count("Customer"), 20);
}
