//! Generic inquiries with parameters: `$metadata` declares `<Name>_WithParameters` (a `Function`
//! and its `FunctionImport`), and `/<Name>_WithParameters(P='v')` or `(P=@1)?@1='v'` reads the
//! inquiry with its conditions (protocol notes §7). Plain reqwest with Basic authentication.

use acumatica_emulator::{Config, Emulator};
use serde_json::Value;

fn gi(emu: &Emulator) -> String {
    format!("{}/t/Company/api/odata/gi", emu.url())
}

async fn get(emu: &Emulator, path_and_query: &str) -> (u16, Value, String) {
    let resp = reqwest::Client::new()
        .get(format!("{}/{path_and_query}", gi(emu)))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, json, text)
}

/// The values of one property of the rows, in order.
fn column(doc: &Value, prop: &str) -> Vec<String> {
    doc["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {doc}"))
        .iter()
        .map(|r| r[prop].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn emulator() -> Emulator {
    Emulator::start(Config::default()).await.unwrap()
}

#[tokio::test]
async fn metadata_declares_the_function_and_its_import() {
    let emu = emulator().await;
    let (status, _, xml) = get(&emu, "$metadata").await;
    assert_eq!(status, 200);
    assert!(
        xml.contains("<Function Name=\"StockItems_WithParameters\">"),
        "{xml}"
    );
    assert!(xml.contains("<Parameter Name=\"Warehouse\" Type=\"Edm.String\" />"));
    assert!(xml.contains("<ReturnType Type=\"Collection(GenericInquiry.StockItems)\" />"));
    assert!(xml.contains(
        "<FunctionImport Name=\"StockItems_WithParameters\" Function=\"GenericInquiry.StockItems_WithParameters\" EntitySet=\"StockItems\" />"
    ));
    assert!(xml.contains("<Function Name=\"Customers_WithParameters\">"));
    assert!(xml.contains("<Parameter Name=\"CustomerClass\" Type=\"Edm.String\" />"));
    // An inquiry without parameters gets neither, and its entity set stays as it was.
    assert!(!xml.contains("SalesOrders_WithParameters"));
    assert!(
        xml.contains("<EntitySet Name=\"StockItems\" EntityType=\"GenericInquiry.StockItems\" />")
    );
    // The functions come before the container, the imports inside it.
    let container = xml.find("<EntityContainer").unwrap();
    assert!(xml.find("<Function Name").unwrap() < container);
    assert!(xml.find("<FunctionImport").unwrap() > container);
}

#[tokio::test]
async fn parameters_are_the_inquiry_conditions() {
    let emu = emulator().await;
    let (_, all, _) = get(&emu, "Customers").await;
    let all_ids = column(&all, "CustomerID");
    let (status, wholesale, text) =
        get(&emu, "Customers_WithParameters(CustomerClass='WHOLESALE')").await;
    assert_eq!(status, 200, "{text}");
    assert!(
        wholesale["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/t/Company/api/odata/gi/$metadata#Customers"),
        "{wholesale}"
    );
    let ids = column(&wholesale, "CustomerID");
    assert!(!ids.is_empty() && ids.len() < all_ids.len(), "{ids:?}");
    assert!(
        column(&wholesale, "CustomerClass")
            .iter()
            .all(|c| c == "WHOLESALE")
    );
    // The same rows as the entity set filtered on the column.
    let (_, filtered, _) = get(&emu, "Customers?$filter=CustomerClass eq 'WHOLESALE'").await;
    assert_eq!(ids, column(&filtered, "CustomerID"));
    // The alias form; values compare without case, as the tenant's filters do.
    let (status, aliased, _) = get(
        &emu,
        "Customers_WithParameters(CustomerClass=@1)?@1='wholesale'",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(column(&aliased, "CustomerID"), ids);
    // Two parameters: both conditions.
    let city = column(&wholesale, "City")[0].clone();
    let (_, both, _) = get(
        &emu,
        &format!("Customers_WithParameters(CustomerClass='WHOLESALE',City='{city}')"),
    )
    .await;
    let both_rows = column(&both, "City");
    assert!(!both_rows.is_empty() && both_rows.iter().all(|c| *c == city));
    assert!(both_rows.len() <= ids.len());
    // The query options apply to the function's rows.
    let (status, paged, text) = get(
        &emu,
        "Customers_WithParameters(CustomerClass='WHOLESALE')?$orderby=CustomerID desc&$top=2&$select=CustomerID",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let mut want = ids.clone();
    want.sort();
    want.reverse();
    want.truncate(2);
    assert_eq!(column(&paged, "CustomerID"), want);
    assert!(paged["value"][0].get("CustomerName").is_none());
    // A value nothing has: no rows.
    let (status, none, _) = get(
        &emu,
        "Customers_WithParameters(CustomerClass='NOSUCHCLASS')",
    )
    .await;
    assert_eq!(status, 200);
    assert!(column(&none, "CustomerID").is_empty());
    // The protocol notes' own example.
    let (_, items, _) = get(&emu, "StockItems").await;
    let (status, wholesale_items, _) =
        get(&emu, "StockItems_WithParameters(Warehouse='WHOLESALE')").await;
    assert_eq!(status, 200);
    assert_eq!(
        column(&wholesale_items, "InventoryID"),
        column(&items, "InventoryID")
    );
}

#[tokio::test]
async fn empty_or_missing_parameters_drop_their_conditions() {
    let emu = emulator().await;
    let (_, all, _) = get(&emu, "Customers").await;
    let all_ids = column(&all, "CustomerID");
    for call in [
        "Customers_WithParameters()",
        "Customers_WithParameters(CustomerClass='')",
        "Customers_WithParameters(CustomerClass=null)",
        "Customers_WithParameters(CustomerClass=@1)",
        "Customers_WithParameters(CustomerClass=@1)?@1=null",
    ] {
        let (status, doc, text) = get(&emu, call).await;
        assert_eq!(status, 200, "{call}: {text}");
        assert_eq!(column(&doc, "CustomerID"), all_ids, "{call}");
    }
    // A quoted comma is part of the value, and '' is a quote.
    let (status, doc, text) = get(
        &emu,
        "Customers_WithParameters(CustomerClass='A,B',City='O''Hare')",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(column(&doc, "CustomerID").is_empty());
}

#[tokio::test]
async fn bad_calls_are_refused() {
    let emu = emulator().await;
    for (call, want) in [
        ("Customers_WithParameters(Warehouse='X')", 400),
        (
            "Customers_WithParameters(CustomerClass='A',CustomerClass='B')",
            400,
        ),
        ("Customers_WithParameters(CustomerClass='open)", 400),
        ("Customers_WithParameters(CustomerClass=WHOLESALE)", 400),
        ("Customers_WithParameters(CustomerClass)", 400),
        ("SalesOrders_WithParameters(Status='Open')", 404),
        ("Customers(CustomerClass='WHOLESALE')", 404),
        ("NoSuchInquiry_WithParameters(A='1')", 404),
    ] {
        let (status, _, text) = get(&emu, call).await;
        assert_eq!(status, want, "{call}: {text}");
    }
    let unauthenticated = reqwest::Client::new()
        .get(format!(
            "{}/StockItems_WithParameters(Warehouse='WHOLESALE')",
            gi(&emu)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}
