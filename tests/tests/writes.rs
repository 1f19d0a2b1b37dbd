//! Writes: `put_entity` sends only the fields that are set (absent stays absent, an explicit
//! null clears), a read-modify-write loses nothing, insert-only and update-only send their
//! preconditions, `patch_entity` is a PATCH, detail lines are updated and deleted by ID, and the
//! per-request business date and branch headers go out and are accepted.

use acumatica_sdk::default::{Customer, DefaultEndpoint, SalesOrder, SalesOrderDetail};
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::types::Decimal;
use acumatica_sdk::{EntityMeta, Error, Value};
use acumatica_tests::fixtures::stored_text;
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Emulator, builder_at, client, emulator};
use chrono::NaiveDate;

/// The JSON body of the last request sent through `proxy`.
fn last_body(proxy: &RecordingProxy) -> serde_json::Value {
    let sent = proxy.requests();
    let body = sent.rsplit("\r\n\r\n").next().unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn recorded(emu: &Emulator) -> (RecordingProxy, acumatica_sdk::AcumaticaClient) {
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = builder_at(proxy.url(), emu).build().unwrap();
    client.login().await.unwrap();
    proxy.clear();
    (proxy, client)
}

/// A stored customer without the fields a write always changes.
fn customer_without_timestamps(
    emu: &Emulator,
    id: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = emu
        .store()
        .find("Customer", &[id])
        .unwrap()
        .as_object()
        .unwrap()
        .clone();
    m.retain(|k, _| !k.starts_with("LastModified"));
    m
}

#[tokio::test]
async fn only_set_fields_are_sent_and_absent_fields_keep_their_values() {
    let emu = emulator().await;
    let (proxy, client) = recorded(&emu).await;
    let before = customer_without_timestamps(&emu, "C001");
    assert!(before["Email"]["value"].is_string());

    let change = Customer {
        customer_id: "C001".into(),
        customer_name: "Renamed Bakery".into(),
        ..Customer::default()
    };
    let saved = client
        .customers()
        .put_entity(&change, QueryOptions::new())
        .await
        .unwrap();
    assert_eq!(
        last_body(&proxy),
        serde_json::json!({"CustomerID": {"value": "C001"}, "CustomerName": {"value": "Renamed Bakery"}})
    );
    assert_eq!(saved.customer_name, "Renamed Bakery");
    // Read back: the name changed, everything else (the e-mail too) is as it was.
    let read: Customer = client.customers().get_by_keys(&["C001"]).await.unwrap();
    assert_eq!(read.customer_name, "Renamed Bakery");
    assert_eq!(
        read.email.get().map(String::as_str),
        before["Email"]["value"].as_str()
    );
    let mut after = customer_without_timestamps(&emu, "C001");
    after.remove("CustomerName");
    let mut expected = before.clone();
    expected.remove("CustomerName");
    assert_eq!(after, expected);
}

#[tokio::test]
async fn an_explicit_null_clears_the_field() {
    let emu = emulator().await;
    let (proxy, client) = recorded(&emu).await;
    let clear = Customer {
        customer_id: "C001".into(),
        email: Value::null(),
        ..Customer::default()
    };
    client
        .customers()
        .put_entity(&clear, QueryOptions::new())
        .await
        .unwrap();
    assert_eq!(
        last_body(&proxy),
        serde_json::json!({"CustomerID": {"value": "C001"}, "Email": {"value": null}})
    );
    let read: Customer = client.customers().get_by_keys(&["C001"]).await.unwrap();
    assert!(
        read.email.is_empty() && !read.email.is_absent(),
        "{:?}",
        read.email
    );
    assert!(read.customer_name.is_set(), "other fields are untouched");
    assert_eq!(
        stored_text(&emu.store().find("Customer", &["C001"]).unwrap(), "Email"),
        None
    );
}

#[tokio::test]
async fn a_read_modify_write_round_trip_loses_nothing() {
    let emu = emulator().await;
    let client = client(&emu);
    let before = customer_without_timestamps(&emu, "C002");
    let mut c: Customer = client.customers().get_by_keys(&["C002"]).await.unwrap();
    c.credit_limit = Decimal::new(123_456, 2).into();
    client
        .customers()
        .put_entity(&c, QueryOptions::new())
        .await
        .unwrap();
    let mut after = customer_without_timestamps(&emu, "C002");
    assert_eq!(after["CreditLimit"]["value"].to_string(), "1234.56");
    after.remove("CreditLimit");
    let mut expected = before;
    expected.remove("CreditLimit");
    assert_eq!(after, expected);
}

#[tokio::test]
async fn insert_only_and_update_only_send_their_preconditions() {
    let emu = emulator().await;
    let (proxy, client) = recorded(&emu).await;
    let existing = Customer {
        customer_id: "C001".into(),
        customer_name: "Must not change".into(),
        ..Customer::default()
    };
    let err = client
        .customers()
        .insert(&existing, QueryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PreconditionFailed { .. }), "{err:?}");
    assert!(
        proxy
            .requests()
            .to_ascii_lowercase()
            .contains("\r\nif-none-match: *\r\n")
    );
    assert_ne!(
        stored_text(
            &emu.store().find("Customer", &["C001"]).unwrap(),
            "CustomerName"
        )
        .as_deref(),
        Some("Must not change")
    );

    proxy.clear();
    let missing = Customer {
        customer_id: "NEW0001".into(),
        customer_name: "Must not be created".into(),
        ..Customer::default()
    };
    let err = client
        .customers()
        .update(&missing, QueryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PreconditionFailed { .. }), "{err:?}");
    assert!(
        proxy
            .requests()
            .to_ascii_lowercase()
            .contains("\r\nif-match: *\r\n")
    );
    assert!(emu.store().find("Customer", &["NEW0001"]).is_none());

    // The same records in the right modes succeed.
    client
        .customers()
        .insert(&missing, QueryOptions::new())
        .await
        .unwrap();
    client
        .customers()
        .update(&existing, QueryOptions::new())
        .await
        .unwrap();
    assert!(emu.store().find("Customer", &["NEW0001"]).is_some());
}

#[tokio::test]
async fn patch_entity_is_a_patch_of_the_given_fields() {
    let emu = emulator().await;
    let (proxy, client) = recorded(&emu).await;
    let before = customer_without_timestamps(&emu, "C003");
    let patched = client
        .customers()
        .patch_entity(
            &Customer {
                customer_id: "C003".into(),
                credit_limit: Decimal::new(777, 0).into(),
                ..Customer::default()
            },
            QueryOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(patched.credit_limit.get(), Some(&Decimal::new(7770000, 4)));
    let sent = proxy.requests();
    assert!(
        sent.starts_with("PATCH /entity/Default/24.200.001/Customer "),
        "{sent}"
    );
    assert_eq!(
        last_body(&proxy),
        serde_json::json!({"CustomerID": {"value": "C003"}, "CreditLimit": {"value": 777}})
    );
    let mut after = customer_without_timestamps(&emu, "C003");
    after.remove("CreditLimit");
    let mut expected = before;
    expected.remove("CreditLimit");
    assert_eq!(after, expected);
}

#[tokio::test]
async fn detail_lines_are_changed_added_and_deleted_by_id() {
    let emu = emulator().await;
    let client = client(&emu);
    let keys = ["SO", "000005"];
    let expand = || QueryOptions::new().expand(SalesOrder::fields().details());
    let order: SalesOrder = client
        .sales_orders()
        .get_by_keys_with(&keys, expand())
        .await
        .unwrap();
    let lines = order.details.clone().unwrap();
    assert!(!lines.is_empty());
    let first = lines[0].meta.id.unwrap();

    let change = SalesOrder {
        order_type: "SO".into(),
        order_nbr: "000005".into(),
        details: Some(vec![
            SalesOrderDetail {
                meta: EntityMeta::with_id(first),
                order_qty: Decimal::new(7, 0).into(),
                ..SalesOrderDetail::default()
            },
            SalesOrderDetail {
                inventory_id: "ITEM003".into(),
                order_qty: Decimal::ONE.into(),
                ..SalesOrderDetail::default()
            },
        ]),
        ..SalesOrder::default()
    };
    let saved = client
        .sales_orders()
        .put_entity(&change, expand())
        .await
        .unwrap();
    let saved_lines = saved.details.unwrap();
    assert_eq!(saved_lines.len(), lines.len() + 1);
    let changed = saved_lines
        .iter()
        .find(|l| l.meta.id == Some(first))
        .unwrap();
    assert_eq!(
        changed.order_qty.get().map(|d| d.normalize()),
        Some(Decimal::new(7, 0))
    );
    assert_eq!(
        changed.inventory_id,
        lines[0].inventory_id.get().unwrap().as_str()
    );
    assert_eq!(saved_lines.last().unwrap().inventory_id, "ITEM003");

    let delete = SalesOrder {
        order_type: "SO".into(),
        order_nbr: "000005".into(),
        details: Some(vec![SalesOrderDetail {
            meta: EntityMeta::delete_line(first),
            ..SalesOrderDetail::default()
        }]),
        ..SalesOrder::default()
    };
    client
        .sales_orders()
        .put_entity(&delete, QueryOptions::new())
        .await
        .unwrap();
    let read: SalesOrder = client
        .sales_orders()
        .get_by_keys_with(&keys, expand())
        .await
        .unwrap();
    let read_lines = read.details.unwrap();
    assert_eq!(read_lines.len(), lines.len());
    assert!(read_lines.iter().all(|l| l.meta.id != Some(first)));
}

#[tokio::test]
async fn business_date_and_branch_go_out_per_request_and_are_accepted() {
    let emu = emulator().await;
    let (proxy, client) = recorded(&emu).await;
    let options = || {
        QueryOptions::new()
            .business_date(NaiveDate::from_ymd_opt(2025, 1, 31).unwrap())
            .branch("SweetLife Store")
    };
    let list = client.customers().get_list(options().top(3)).await.unwrap();
    assert_eq!(list.len(), 3);
    let saved = client
        .customers()
        .put_entity(
            &Customer {
                customer_id: "C004".into(),
                customer_name: "Dated".into(),
                ..Customer::default()
            },
            options(),
        )
        .await
        .unwrap();
    assert_eq!(saved.customer_name, "Dated");
    let sent = proxy.requests().to_ascii_lowercase();
    assert_eq!(
        sent.matches("\r\npx-cbapibusinessdate: 2025-01-31\r\n")
            .count(),
        2,
        "{sent}"
    );
    assert_eq!(
        sent.matches("\r\npx-cbapibranch: sweetlife store\r\n")
            .count(),
        2,
        "{sent}"
    );

    // Only the requests that ask for them carry them.
    proxy.clear();
    client.customers().get_by_keys(&["C004"]).await.unwrap();
    let sent = proxy.requests().to_ascii_lowercase();
    assert!(!sent.contains("px-cbapi"), "{sent}");

    // A branch that cannot be a header value is refused before sending.
    let err = client
        .customers()
        .get_list(QueryOptions::new().branch("Main\r\nX-Injected: 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
}
