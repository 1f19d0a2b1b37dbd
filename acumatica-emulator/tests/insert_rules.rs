//! Rules the graph applies on insert, as data (`rules::DEFAULTS`, `rules::IMPLIED_ON_INSERT`):
//! a sales order entered on hold is "On Hold"; one not on hold, or with a status given, is not.

mod common;

use acumatica_emulator::Config;
use common::{base, call, login, start, val};
use serde_json::json;

#[tokio::test]
async fn a_sales_order_entered_on_hold_is_on_hold() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let order = |hold: Option<bool>, status: Option<&str>| {
        let mut o = json!({"OrderType": {"value": "SO"}, "CustomerID": {"value": "C001"}});
        if let Some(h) = hold {
            o["Hold"] = json!({ "value": h });
        }
        if let Some(s) = status {
            o["Status"] = json!({ "value": s });
        }
        o
    };
    for (hold, status, want) in [
        (Some(true), None, ("On Hold", true)),
        (Some(false), None, ("Open", false)),
        (None, None, ("Open", false)),
        (Some(true), Some("Open"), ("Open", true)),
    ] {
        let (code, saved) = call(c.put(format!("{b}/SalesOrder")).json(&order(hold, status))).await;
        assert_eq!(code, 200, "{saved}");
        assert_eq!(
            (val(&saved, "Status"), val(&saved, "Hold")),
            (&json!(want.0), &json!(want.1)),
            "hold {hold:?}, status {status:?}"
        );
    }
    // Invoices have no such rule: on hold, their status stays the default.
    let (code, inv) = call(c.put(format!("{b}/Invoice")).json(&json!({
        "Customer": {"value": "C001"}, "Hold": {"value": true}
    })))
    .await;
    assert_eq!(code, 200, "{inv}");
    assert_eq!(val(&inv, "Status"), "Balanced");
}
