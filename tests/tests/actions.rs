//! Actions of Customer, SalesOrder, StockItem and Invoice: quick ones (204), long-running ones
//! (202, then polling until 204; the effect is visible only once the SDK returns), typed
//! parameters, custom (workflow) actions, and the action timeout.

use std::time::Duration;

use acumatica_emulator::LongRunningConfig;
use acumatica_sdk::default::{
    CreateContactFromCustomerParameters, Customer, DefaultEndpoint, Invoice, SalesOrder, StockItem,
};
use acumatica_sdk::entity::CustomFields;
use acumatica_sdk::{CustomField, Error, TopLevelEntity};
use acumatica_tests::fixtures::{stored, stored_text, with_keys};
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Config, answers, builder, builder_at, client, emulator, emulator_with};

fn status_of<E: TopLevelEntity>(emu: &acumatica_tests::Emulator, keys: &[&str]) -> Option<String> {
    stored_text(&stored::<E>(emu, keys).unwrap(), "Status")
}

/// An emulator whose long-running actions take `ms` milliseconds.
async fn slow_actions(patterns: &[&str], ms: u64) -> acumatica_tests::Emulator {
    emulator_with(Config::default().long_running(LongRunningConfig {
        actions: patterns.iter().map(|p| (*p).to_owned()).collect(),
        duration: Duration::from_millis(ms),
    }))
    .await
}

#[tokio::test]
async fn sales_order_quick_action_is_final_at_204() {
    let emu = emulator().await;
    let client = client(&emu);
    client.login().await.unwrap();
    let keys = ["SO", "000002"];
    assert_ne!(
        status_of::<SalesOrder>(&emu, &keys).as_deref(),
        Some("Cancelled")
    );
    let before = emu.metrics();
    client
        .sales_orders()
        .cancel_sales_order(&with_keys(&keys))
        .await
        .unwrap();
    assert_eq!(
        status_of::<SalesOrder>(&emu, &keys).as_deref(),
        Some("Cancelled")
    );
    let after = emu.metrics();
    // One POST answered 204 (with a Location the SDK must not poll).
    assert_eq!(after.requests_total - before.requests_total, 1);
    assert_eq!(answers(&after, 204) - answers(&before, 204), 1);
    assert_eq!(after.actions_started - before.actions_started, 1);
}

#[tokio::test]
async fn sales_order_long_running_action_is_polled_to_completion() {
    let emu = slow_actions(&["*/Release*"], 200).await;
    let client = client(&emu);
    let keys = ["SO", "000003"];
    client
        .sales_orders()
        .invoke_custom_action(
            "PutOnHold",
            &with_keys::<SalesOrder>(&keys),
            CustomFields::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        status_of::<SalesOrder>(&emu, &keys).as_deref(),
        Some("On Hold")
    );
    let before = answers(&emu.metrics(), 202);
    client
        .sales_orders()
        .release_from_credit_hold_sales_order(&with_keys(&keys))
        .await
        .unwrap();
    // The effect is applied when the operation ends: seeing it means the SDK waited for 204.
    assert_eq!(
        status_of::<SalesOrder>(&emu, &keys).as_deref(),
        Some("Open")
    );
    // The POST and at least one poll answered 202.
    assert!(answers(&emu.metrics(), 202) - before >= 2);
}

#[tokio::test]
async fn invoice_release_is_long_running_and_polled() {
    let emu = emulator().await; // ReleaseInvoice is long-running by default (*/Release*)
    let client = client(&emu);
    let keys = ["Invoice", "INV000001"];
    assert_ne!(status_of::<Invoice>(&emu, &keys).as_deref(), Some("Open"));
    client
        .invoices()
        .release_invoice(&with_keys(&keys))
        .await
        .unwrap();
    let stored = stored::<Invoice>(&emu, &keys).unwrap();
    assert_eq!(stored_text(&stored, "Status").as_deref(), Some("Open"));
    assert_eq!(stored_text(&stored, "Hold").as_deref(), Some("false"));
    assert!(answers(&emu.metrics(), 202) >= 1);
    // Polling went to the status URL and ended on 204.
    let record: Invoice = client.invoices().get_by_keys(&keys).await.unwrap();
    assert_eq!(record.status, "Open");
}

#[tokio::test]
async fn stock_item_action_quick_and_long() {
    let emu = slow_actions(&["StockItem/*"], 150).await;
    let client = client(&emu);
    let item: StockItem = client
        .stock_items()
        .get_by_keys(&["ITEM001"])
        .await
        .unwrap();
    let before = emu.metrics();
    client
        .stock_items()
        .update_standard_cost_stock_item(&item)
        .await
        .unwrap();
    let after = emu.metrics();
    assert_eq!(after.actions_started - before.actions_started, 1);
    assert!(answers(&after, 202) - answers(&before, 202) >= 2);

    // The same action, quick on a default tenant.
    let emu = emulator().await;
    let quick = acumatica_tests::client(&emu);
    quick
        .stock_items()
        .update_standard_cost_stock_item(&with_keys(&["ITEM001"]))
        .await
        .unwrap();
    assert_eq!(emu.metrics().actions_started, 1);
    assert_eq!(answers(&emu.metrics(), 202), 0);
}

#[tokio::test]
async fn customer_action_sends_typed_parameters() {
    let emu = emulator().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = builder_at(proxy.url(), &emu).build().unwrap();
    let parameters = CreateContactFromCustomerParameters {
        first_name: "Ann".into(),
        last_name: "O'Neil".into(),
        email: "ann@example.com".into(),
        ..Default::default()
    };
    client
        .customers()
        .create_contact_from_customer(&with_keys(&["C002"]), &parameters)
        .await
        .unwrap();
    assert_eq!(emu.metrics().actions_started, 1);
    let sent = proxy.requests();
    assert!(
        sent.contains("POST /entity/Default/24.200.001/Customer/CreateContactFromCustomer "),
        "{sent}"
    );
    for part in [
        r#""entity":{"CustomerID":{"value":"C002"}}"#,
        r#""FirstName":{"value":"Ann"}"#,
        r#""LastName":{"value":"O'Neil"}"#,
        r#""Email":{"value":"ann@example.com"}"#,
    ] {
        assert!(sent.contains(part), "{part} not in {sent}");
    }
    // Unset parameters are not sent at all.
    assert!(!sent.contains("JobTitle"), "{sent}");
}

#[tokio::test]
async fn customer_custom_actions_quick_and_long() {
    let emu = slow_actions(&["Customer/PutOnHold"], 150).await;
    let client = client(&emu);
    let c001 = with_keys::<Customer>(&["C001"]);
    client
        .customers()
        .invoke_custom_action("PutOnHold", &c001, CustomFields::new())
        .await
        .unwrap();
    assert_eq!(
        status_of::<Customer>(&emu, &["C001"]).as_deref(),
        Some("On Hold")
    );
    let polled = answers(&emu.metrics(), 202);
    assert!(polled >= 2, "the POST and a poll answered 202: {polled}");
    client
        .customers()
        .invoke_custom_action("RemoveHold", &c001, CustomFields::new())
        .await
        .unwrap();
    assert_eq!(
        status_of::<Customer>(&emu, &["C001"]).as_deref(),
        Some("Active")
    );
    assert_eq!(answers(&emu.metrics(), 202), polled, "RemoveHold is quick");
}

#[tokio::test]
async fn sales_order_and_invoice_custom_actions() {
    let emu = emulator().await;
    let client = client(&emu);
    let order = ["SO", "000004"];
    client
        .sales_orders()
        .invoke_custom_action(
            "PutOnHold",
            &with_keys::<SalesOrder>(&order),
            CustomFields::new(),
        )
        .await
        .unwrap();
    let stored_order = stored::<SalesOrder>(&emu, &order).unwrap();
    assert_eq!(stored_text(&stored_order, "Hold").as_deref(), Some("true"));
    assert_eq!(
        stored_text(&stored_order, "Status").as_deref(),
        Some("On Hold")
    );

    let invoice = ["Invoice", "INV000002"];
    client
        .invoices()
        .invoke_custom_action(
            "PutOnHold",
            &with_keys::<Invoice>(&invoice),
            CustomFields::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        status_of::<Invoice>(&emu, &invoice).as_deref(),
        Some("On Hold")
    );
}

#[tokio::test]
async fn stock_item_custom_action_with_custom_parameters() {
    let emu = emulator().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = builder_at(proxy.url(), &emu).build().unwrap();
    let mut custom = CustomFields::new();
    custom.entry("ItemSettings".to_owned()).or_default().insert(
        "UsrRepairItemType".to_owned(),
        CustomField::string("Battery"),
    );
    client
        .stock_items()
        .invoke_custom_action(
            "UpdateStandardCostStockItem",
            &with_keys::<StockItem>(&["ITEM002"]),
            custom,
        )
        .await
        .unwrap();
    assert_eq!(emu.metrics().actions_started, 1);
    let sent = proxy.requests();
    assert!(
        sent.contains(r#""parameters":{"custom":{"ItemSettings":{"UsrRepairItemType":{"type":"CustomStringField","value":"Battery"}}}}"#),
        "{sent}"
    );

    let err = client
        .stock_items()
        .invoke_custom_action(
            "NoSuchAction",
            &with_keys::<StockItem>(&["ITEM002"]),
            CustomFields::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { status: 404, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn action_on_a_missing_record_is_not_found() {
    let emu = emulator().await;
    let client = client(&emu);
    let err = client
        .sales_orders()
        .cancel_sales_order(&with_keys(&["SO", "999999"]))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn a_long_action_past_the_timeout_is_a_timeout() {
    let emu = slow_actions(&["Invoice/*"], 2_000).await;
    let client = builder(&emu)
        .action_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = client
        .invoices()
        .release_invoice(&with_keys(&["Invoice", "INV000003"]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                may_have_been_applied: true,
                ..
            }
        ),
        "{err:?}"
    );
}
