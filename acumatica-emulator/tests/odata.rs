//! Generic inquiries over OData v4: service document, `$metadata`, entity sets and options.

mod common;

use acumatica_emulator::Config;
use common::{call, client, login, start};
use serde_json::Value;

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

    let (_, active) = call(get("$filter=Status%20eq%20'Active'%20and%20CreditLimit%20ge%205000M&$select=CustomerID,CreditLimit")).await;
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
