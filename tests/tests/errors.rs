//! Errors as a tenant produces them: a 422 with field errors (including inside detail lines), a
//! decode error that names the JSON path, a missing record, and a query refused before sending.

use acumatica_sdk::Error;
use acumatica_sdk::default::{Customer, DefaultEndpoint, SalesOrder, SalesOrderDetail};
use acumatica_sdk::query::{QueryOptions, field};
use acumatica_sdk::types::Decimal;
use acumatica_tests::{client, emulator, total_writes};

fn line(item: &str) -> SalesOrderDetail {
    SalesOrderDetail {
        inventory_id: item.into(),
        order_qty: Decimal::ONE.into(),
        ..SalesOrderDetail::default()
    }
}

#[tokio::test]
async fn a_422_lists_every_field_error_with_its_path() {
    let emu = emulator().await;
    let client = client(&emu);
    let before = emu.store().count("SalesOrder");
    let order = SalesOrder {
        order_type: "SO".into(),
        customer_id: "NOBODY".into(),
        details: Some(vec![line("ITEM001"), line("NO-SUCH-ITEM"), line("ITEM002")]),
        ..SalesOrder::default()
    };
    let err = client
        .sales_orders()
        .put_entity(&order, QueryOptions::new().expand("Details"))
        .await
        .unwrap_err();
    let Error::Validation {
        request,
        message,
        fields,
        body,
    } = &err
    else {
        panic!("not a validation error: {err:?}");
    };
    assert_eq!(request.path, "/entity/Default/24.200.001/SalesOrder");
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("raised at least one error")),
        "{message:?}"
    );
    let paths: Vec<(&str, Option<&str>)> = fields
        .iter()
        .map(|f| (f.path.as_str(), f.value.as_deref()))
        .collect();
    assert_eq!(
        paths,
        [
            ("CustomerID", Some("\"NOBODY\"")),
            ("Details[1].InventoryID", Some("\"NO-SUCH-ITEM\""))
        ]
    );
    assert!(fields[1].message.contains("cannot be found"), "{fields:?}");
    // The message names every field error.
    let text = err.to_string();
    assert!(text.contains("Details[1].InventoryID"), "{text}");

    // The returned record is typed too: the errors sit on its fields.
    let echoed: SalesOrder = body.parse().unwrap();
    let lines = echoed.details.unwrap();
    assert!(lines[1].inventory_id.error().is_some());
    assert!(lines[0].inventory_id.error().is_none());
    assert!(echoed.customer_id.error().is_some());

    assert_eq!(emu.store().count("SalesOrder"), before);
    assert_eq!(total_writes(&emu.metrics()), 0);
}

#[tokio::test]
async fn a_bad_value_in_a_detail_line_is_a_422_too() {
    let emu = emulator().await;
    let client = client(&emu);
    let mut order: SalesOrder = client
        .sales_orders()
        .get_by_keys_with(&["SO", "000001"], QueryOptions::new().expand("Details"))
        .await
        .unwrap();
    let lines = order.details.as_mut().unwrap();
    let n = lines.len();
    lines.push(line("BOGUS"));
    let err = client
        .sales_orders()
        .update(&order, QueryOptions::new())
        .await
        .unwrap_err();
    let Error::Validation { fields, .. } = &err else {
        panic!("not a validation error: {err:?}");
    };
    let want = format!("Details[{n}].InventoryID");
    assert_eq!(
        fields.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        [want.as_str()]
    );
}

#[tokio::test]
async fn a_decode_error_names_the_json_path() {
    let emu = emulator().await;
    let client = client(&emu);
    let store = emu.store();

    // A top-level field of the wrong type.
    let mut c003 = store.find("Customer", &["C003"]).unwrap();
    c003["IsGuestCustomer"] = serde_json::json!({ "value": "maybe" });
    let id = c003["id"].as_str().unwrap().parse().unwrap();
    store.update("Customer", id, c003).unwrap();
    let err = client.customers().get_by_keys(&["C003"]).await.unwrap_err();
    let Error::Decode {
        request,
        json_path,
        message,
        excerpt,
    } = &err
    else {
        panic!("not a decode error: {err:?}");
    };
    assert_eq!(json_path, "IsGuestCustomer.value");
    assert!(message.contains("maybe"), "{message}");
    assert!(excerpt.starts_with('{'), "{excerpt}");
    assert_eq!(request.path, "/entity/Default/24.200.001/Customer/C003");
    assert!(err.to_string().contains("IsGuestCustomer.value"), "{err}");

    // In a list, the path starts with the record's index.
    let err = client
        .customers()
        .get_list(QueryOptions::new().top(5))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { json_path, .. } if json_path == "[2].IsGuestCustomer.value"),
        "{err:?}"
    );

    // Inside a detail line.
    let mut order = store.find("SalesOrder", &["SO", "000002"]).unwrap();
    order["Details"][0]["LineNbr"] = serde_json::json!({ "value": "first" });
    let id = order["id"].as_str().unwrap().parse().unwrap();
    store.update("SalesOrder", id, order).unwrap();
    let err = client
        .sales_orders()
        .get_by_keys_with(&["SO", "000002"], QueryOptions::new().expand("Details"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { json_path, .. } if json_path == "Details[0].LineNbr.value"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_missing_record_is_not_found_whatever_the_status() {
    let emu = emulator().await;
    let client = client(&emu);
    // GET by key: a tenant answers 500 NoEntitySatisfiesTheConditionException.
    let err = client.customers().get_by_id("NOPE").await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { status: 500, .. }),
        "{err:?}"
    );
    // PATCH of a missing record: 404.
    let err = client
        .customers()
        .patch_entity(
            &Customer {
                customer_id: "NOPE".into(),
                customer_name: "x".into(),
                ..Customer::default()
            },
            QueryOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { status: 404, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_query_that_could_change_shape_is_refused_before_sending() {
    let emu = emulator().await;
    let client = client(&emu);
    let err = client
        .customers()
        .get_list(QueryOptions::new().filter(field("Status eq 'x' or 1").eq("y")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = client
        .customers()
        .get_list(QueryOptions::new().select("CustomerID,Name) or (1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert_eq!(
        emu.metrics().requests_total,
        0,
        "nothing was sent, not even a login"
    );
}
