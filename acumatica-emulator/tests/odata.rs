//! Generic inquiries over OData v4: service document, `$metadata`, entity sets and options.

mod common;

use acumatica_emulator::Config;
use common::{call, client, login, start};
use serde_json::Value;

/// The `CustomerID`s of a JSON array of records or rows, plain or wrapped in `{"value": ..}`.
fn customer_ids(rows: &Value) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let id = &r["CustomerID"];
                    id.as_str()
                        .or_else(|| id["value"].as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

fn gi(emu: &acumatica_emulator::Emulator) -> String {
    format!("{}/t/Company/api/odata/gi", emu.url())
}

#[tokio::test]
async fn service_document_and_metadata() {
    let emu = start(Config::default()).await;
    assert_eq!(client().get(gi(&emu)).send().await.unwrap().status(), 401);
    assert_eq!(
        client()
            .get(gi(&emu))
            .basic_auth("admin", Some("bad"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (status, doc) = call(client().get(gi(&emu)).basic_auth("admin", Some("admin"))).await;
    assert_eq!(status, 200);
    assert!(
        doc["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/t/Company/api/odata/gi/$metadata")
    );
    let names: Vec<&str> = doc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Customers") && names.contains(&"SalesOrders"),
        "{names:?}"
    );
    assert_eq!(doc["value"][0]["kind"], "EntitySet");

    let xml = client()
        .get(format!("{}/$metadata", gi(&emu)))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(xml.contains("Version=\"4.0\""));
    assert!(xml.contains("Namespace=\"GenericInquiry\""));
    assert!(xml.contains("<EntityContainer Name=\"Default\">"));
    assert!(xml.contains("<PropertyRef Name=\"CustomerID\" />"));
    // Basic authentication does not open an API session.
    assert_eq!(emu.metrics().active_sessions, 0);
}

#[tokio::test]
async fn entity_sets_filter_order_and_page() {
    let emu = start(Config::default()).await;
    let get = |q: &str| {
        client()
            .get(format!("{}/Customers?{q}", gi(&emu)))
            .basic_auth("admin", Some("admin"))
    };
    let (status, all) = call(get("")).await;
    assert_eq!(status, 200);
    assert_eq!(all["value"].as_array().unwrap().len(), 20);
    assert!(
        all["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Customers")
    );

    let (_, desc) = call(get("$orderby=CustomerID%20desc&$top=3&$skip=1")).await;
    let ids: Vec<&str> = desc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["CustomerID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["C019", "C018", "C017"]);

    // OData v4 literals: a decimal has no `M` suffix.
    let (_, active) = call(get("$filter=Status%20eq%20'Active'%20and%20CreditLimit%20ge%205000.00&$select=CustomerID,CreditLimit")).await;
    let rows = active["value"].as_array().unwrap();
    let expected = emu
        .store()
        .list("Customer")
        .iter()
        .filter(|r| {
            r["Status"]["value"] == "Active"
                && r["CreditLimit"]["value"].as_f64().unwrap() >= 5000.0
        })
        .count();
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r.as_object().unwrap().len() == 2));
    let (status, _) = call(get("$orderby=Nope")).await;
    assert_eq!(status, 400);
    let (status, _) = call(get("$filter=Nope%20eq%201")).await;
    assert_eq!(status, 400);
    let (status, _) = call(
        client()
            .get(format!("{}/NoSuchInquiry", gi(&emu)))
            .basic_auth("admin", Some("admin")),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn cookie_sessions_and_bearer_tokens_work_too() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let (status, orders) = call(c.get(format!(
        "{}/SalesOrders?$filter=OrderType%20eq%20'SO'&$top=2",
        gi(&emu)
    )))
    .await;
    assert_eq!(status, 200);
    assert_eq!(orders["value"].as_array().unwrap().len(), 2);
    let oc = emu.oauth_client();
    let (_, tok) = call(
        client()
            .post(format!("{}/identity/connect/token", emu.url()))
            .form(&[
                ("grant_type", "password"),
                ("client_id", oc.client_id.as_str()),
                ("client_secret", oc.client_secret.as_str()),
                ("username", "admin"),
                ("password", "admin"),
                ("scope", "api"),
            ]),
    )
    .await;
    let (status, items) = call(
        client()
            .get(format!("{}/StockItems", gi(&emu)))
            .bearer_auth(tok["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(matches!(
        items["value"][0]["DefaultPrice"],
        Value::Number(_)
    ));
}

#[tokio::test]
async fn inquiries_take_odata_v4_literals_and_refuse_v3_ones() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let gi_get = |f: &str| {
        client()
            .get(format!("{}/Customers", gi(&emu)))
            .query(&[("$filter", f)])
            .basic_auth("admin", Some("admin"))
    };
    let contract_get = |f: &str| {
        c.get(format!("{}/Customer", common::base(&emu)))
            .query(&[("$filter", f)])
    };
    // A date-time between the stored ones, so the filter keeps some customers and not others.
    let mut stamps: Vec<chrono::DateTime<chrono::FixedOffset>> = emu
        .store()
        .list("Customer")
        .iter()
        .filter_map(|r| r["LastModifiedDateTime"]["value"].as_str())
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .collect();
    stamps.sort();
    let middle = stamps[stamps.len() / 2]
        .to_utc()
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string();
    // (contract API, OData v3; generic inquiry, OData v4; whether the v4 text is v4 only): the
    // same condition. `5000.50` is also a v3 literal (an Edm.Double), so v3 takes it.
    let pairs = [
        (
            "CreditLimit ge 5000.50M".to_owned(),
            "CreditLimit ge 5000.50".to_owned(),
            false,
        ),
        (
            format!("LastModifiedDateTime ge datetimeoffset'{middle}Z'"),
            format!("LastModifiedDateTime ge {middle}Z"),
            true,
        ),
        (
            format!("LastModifiedDateTime lt datetime'{middle}'"),
            format!("LastModifiedDateTime lt {middle}+00:00"),
            true,
        ),
        (
            "substringof('C01', CustomerID) or CustomerID eq 'C002'".to_owned(),
            "contains(CustomerID, 'C01') or CustomerID eq 'C002'".to_owned(),
            true,
        ),
    ];
    for (v3, v4, v4_only) in &pairs {
        let (status, rows) = call(gi_get(v4)).await;
        assert_eq!(status, 200, "inquiry, {v4}: {rows}");
        let (status, records) = call(contract_get(v3)).await;
        assert_eq!(status, 200, "contract API, {v3}");
        let (inquiry, contract) = (customer_ids(&rows["value"]), customer_ids(&records));
        assert!(
            !inquiry.is_empty() && inquiry.len() < stamps.len(),
            "{v4}: {inquiry:?}"
        );
        assert_eq!(inquiry, contract, "{v4} and {v3} keep the same customers");

        // The v3 spelling is refused by the inquiry, with the position of the v3-only form.
        let (status, body) = call(gi_get(v3)).await;
        assert_eq!(status, 400, "inquiry, {v3}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("Syntax error at position") && message.contains("OData v3"),
            "{v3}: {message}"
        );
        // ... and the v4-only spelling by the contract API.
        let (status, body) = call(contract_get(v4)).await;
        if *v4_only {
            assert_ne!(status, 200, "contract API, {v4}");
            let message = body["exceptionMessage"].as_str().unwrap_or_default();
            assert!(message.contains("Syntax error at position"), "{v4}: {body}");
        } else {
            assert_eq!(customer_ids(&body), contract, "contract API, {v4}");
        }
    }
    // GUID literals: `guid'...'` is v3 only; a bare GUID is v4 (no column holds one here, so
    // the comparison itself is what the inquiry checks, after the syntax).
    let (status, body) = call(gi_get(
        "CustomerID eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'",
    ))
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().is_some_and(
            |m| m.contains("position 14") && m.contains("guid'...' literals are OData v3")
        ),
        "{body}"
    );
    let (status, body) = call(gi_get("CustomerID eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd")).await;
    assert_ne!(
        body["message"].as_str().map(|m| m.contains("Syntax error")),
        Some(true),
        "{status}: {body}"
    );
}
