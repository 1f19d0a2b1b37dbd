//! The entity API: lists and query options, get by id and keys, PUT/PATCH semantics with detail
//! lines, 412, 422, 400, delete, discovery, swagger, `$adHocSchema`, the store handle.

mod common;

use acumatica_emulator::{Config, SeedCounts};
use common::{base, call, client, login, start, val};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["CustomerID"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn list_renders_records_like_a_tenant() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let resp = c
        .get(format!("{}/Customer", base(&emu)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    // Decimals keep the database scale.
    assert!(
        text.contains("\"CreditLimit\":{\"value\":") && text.contains("0000}"),
        "{}",
        &text[..300]
    );
    let list: Value = serde_json::from_str(&text).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), emu.store().count("Customer"));
    assert_eq!(list.len(), 20);
    let first = &list[0];
    assert_eq!(val(first, "CustomerID"), "C001");
    assert_eq!(first["rowNumber"], 1);
    assert_eq!(list[1]["rowNumber"], 2);
    assert!(first["id"].as_str().unwrap().len() == 36);
    assert!(first["note"].is_object());
    assert_eq!(first["custom"], json!({}));
    assert!(
        first["_links"]["self"]
            .as_str()
            .unwrap()
            .ends_with(first["id"].as_str().unwrap())
    );
    assert!(
        first["_links"]["files:put"]
            .as_str()
            .unwrap()
            .ends_with("/{filename}")
    );
    // Linked and detail entities only when expanded; empty values are `{}`.
    assert!(first.get("MainContact").is_none() && first.get("Contacts").is_none());
    assert_eq!(first["AccountRef"], json!({}));
    let dt = val(first, "LastModifiedDateTime").as_str().unwrap();
    assert!(dt.ends_with("+00:00"), "{dt}");
}

#[tokio::test]
async fn top_skip_select_expand_custom() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (_, page) = call(c.get(format!("{b}/Customer?$top=5&$skip=5"))).await;
    assert_eq!(ids(&page), ["C006", "C007", "C008", "C009", "C010"]);

    let (_, sel) = call(c.get(format!(
        "{b}/Customer/C001?$select=CustomerID,MainContact/Email&$expand=MainContact"
    )))
    .await;
    let keys: Vec<&str> = sel
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        keys.contains(&"CustomerID") && !keys.contains(&"CustomerName"),
        "{keys:?}"
    );
    assert!(
        sel["MainContact"]["Email"]["value"]
            .as_str()
            .unwrap()
            .contains('@')
    );
    assert!(sel["MainContact"].get("Phone1").is_none());

    // Every nested level must be listed explicitly.
    let (_, one) = call(c.get(format!("{b}/Customer/C001?$expand=MainContact"))).await;
    assert!(one["MainContact"].is_object() && one["MainContact"].get("Address").is_none());
    assert_eq!(one["MainContact"]["note"], Value::Null);
    let (_, two) = call(c.get(format!(
        "{b}/Customer/C001?$expand=MainContact,MainContact/Address,Contacts"
    )))
    .await;
    assert!(two["MainContact"]["Address"]["City"]["value"].is_string());
    let lines = two["Contacts"].as_array().unwrap();
    assert!(!lines.is_empty());
    assert_eq!(lines[0]["rowNumber"], 1);
    let links = lines[0]["_links"].as_object().unwrap();
    assert_eq!(links.keys().collect::<Vec<_>>(), ["files:put"]);

    let (_, cus) = call(c.get(format!(
        "{b}/Customer/C001?$custom=CurrentCustomer.UsrLoyaltyTier"
    )))
    .await;
    let tier = &cus["custom"]["CurrentCustomer"]["UsrLoyaltyTier"];
    assert_eq!(tier["type"], "CustomStringField");
    assert!(["Bronze", "Silver", "Gold"].contains(&tier["value"].as_str().unwrap()));
}

#[tokio::test]
async fn filters_and_refused_filters() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let get = |f: &str| c.get(format!("{b}/Customer")).query(&[("$filter", f)]);
    let (status, eq) = call(get("CustomerID eq 'C003'")).await;
    assert_eq!((status, ids(&eq)), (200, vec!["C003".to_owned()]));
    let all = emu.store().list("Customer");
    let expected: Vec<String> = all
        .iter()
        .filter(|r| {
            r["CreditLimit"]["value"].as_f64().unwrap() > 10000.0
                && r["Status"]["value"] == "Active"
        })
        .map(|r| r["CustomerID"]["value"].as_str().unwrap().to_owned())
        .collect();
    let (_, gt) = call(get("CreditLimit gt 10000M and Status eq 'Active'")).await;
    assert_eq!(ids(&gt), expected);
    assert!(!expected.is_empty());
    let email = all[4]["MainContact"]["Email"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, linked) = call(get(&format!("MainContact/Email eq '{email}'"))).await;
    assert_eq!(ids(&linked), ["C005"]);
    let (_, sw) = call(get("startswith(CustomerID,'C01') or CustomerID eq 'C002'")).await;
    assert_eq!(ids(&sw).len(), 11);
    // Field names are the schema's; string comparison ignores case (SQL Server collation).
    assert_eq!(call(get("customerid eq 'C001'")).await.0, 500);
    let (_, ci) = call(get("CustomerID eq 'c001'")).await;
    assert_eq!(ids(&ci), ["C001"]);

    // Refused like a tenant refuses them: unquoted text (a field that does not exist), an OData
    // v4 function, a bad literal.
    for bad in [
        "Status eq Active",
        "contains(CustomerName,'a')",
        "CreditLimit gt 10000.5.5M",
        "CustomerID eq 'C001",
    ] {
        let (status, body) = call(get(bad)).await;
        assert_eq!(status, 500, "{bad}: {body}");
        assert_eq!(body["message"], "An error has occurred.", "{bad}");
    }
    let (_, body) = call(get("CustomerID eq 'C001' and contains(CustomerName,'a')")).await;
    assert!(
        body["exceptionMessage"]
            .as_str()
            .unwrap()
            .contains("position"),
        "{body}"
    );
    for unsupported in ["$orderby=CustomerID", "$count=true"] {
        let (status, _) = call(c.get(format!("{b}/Customer?{unsupported}"))).await;
        assert_eq!(status, 400, "{unsupported}");
    }
}

#[tokio::test]
async fn get_by_keys_and_id() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, so) = call(c.get(format!("{b}/SalesOrder/SO/000001"))).await;
    assert_eq!(status, 200);
    assert_eq!(val(&so, "OrderNbr"), "000001");
    // A literal `|` separates key values; an encoded `%7C` is part of one (tests/keys.rs).
    let (_, piped) = call(c.get(format!("{b}/salesorder/SO|000001"))).await;
    assert_eq!(piped["id"], so["id"]);
    let upper = so["id"].as_str().unwrap().to_uppercase();
    let (_, by_id) = call(c.get(format!("{b}/SalesOrder/{upper}"))).await;
    assert_eq!(by_id["id"], so["id"]);
    let (_, inv) = call(c.get(format!("{b}/Invoice/INV/INV000002"))).await;
    assert_eq!(val(&inv, "Type"), "Invoice");
    // A key with a slash, percent-encoded.
    emu.store()
        .insert("StockItem", json!({"InventoryID": {"value": "A/B 1"}}))
        .unwrap();
    assert_eq!(call(c.get(format!("{b}/StockItem/A%2FB%201"))).await.0, 200);

    let (status, missing) = call(c.get(format!("{b}/Customer/NOPE"))).await;
    assert_eq!(status, 500);
    assert_eq!(
        missing["exceptionType"],
        "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"
    );
    assert_eq!(
        missing["exceptionMessage"],
        "No entity satisfies the condition."
    );
    assert_eq!(call(c.get(format!("{b}/NoSuchEntity"))).await.0, 404);
}

#[tokio::test]
async fn put_inserts_updates_and_respects_preconditions() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let new = json!({"CustomerID": {"value": "NEWCO"}, "CustomerName": {"value": "New Co"}, "CreditLimit": {"value": 1500.5}});
    let (status, created) = call(
        c.put(format!("{b}/Customer"))
            .header("If-None-Match", "*")
            .json(&new),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(val(&created, "Status"), "Active", "graph default");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        c.put(format!("{b}/Customer"))
            .header("If-None-Match", "*")
            .json(&new),
    )
    .await;
    assert_eq!(status, 412, "{body}");
    assert!(body["message"].is_string());
    let (status, _) = call(
        c.put(format!("{b}/Customer"))
            .header("If-Match", "*")
            .json(&json!({"CustomerID": {"value": "GHOST"}})),
    )
    .await;
    assert_eq!(status, 412);

    // Absent fields keep their values; `{}` changes nothing; `{"value": null}` clears.
    let upd = json!({"id": id, "CreditLimit": {}, "Email": {"value": "a@b.example"}, "CustomerName": {"value": null}});
    let (status, updated) = call(c.put(format!("{b}/Customer")).json(&upd)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["id"], id);
    assert_eq!(val(&updated, "Email"), "a@b.example");
    assert_eq!(val(&updated, "CreditLimit").as_f64(), Some(1500.5));
    assert_eq!(updated["CustomerName"], json!({}));
    // By keys, and by $filter.
    let (_, by_keys) = call(
        c.put(format!("{b}/Customer"))
            .json(&json!({"CustomerID": {"value": "newco"}, "Terms": {"value": "15D"}})),
    )
    .await;
    assert_eq!(by_keys["id"], id);
    let (_, by_filter) = call(
        c.put(format!("{b}/Customer"))
            .query(&[("$filter", "CustomerID eq 'NEWCO'")])
            .json(&json!({"Terms": {"value": "45D"}})),
    )
    .await;
    assert_eq!(
        (by_filter["id"].as_str(), val(&by_filter, "Terms").as_str()),
        (Some(id.as_str()), Some("45D"))
    );
    assert_eq!(emu.store().count("Customer"), 21);
    assert_eq!(emu.metrics().writes[&format!("Customer/{id}")], 4);
}

#[tokio::test]
async fn detail_lines_update_delete_insert() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (_, so) = call(c.get(format!("{b}/SalesOrder/SO/000003?$expand=Details"))).await;
    let lines = so["Details"].as_array().unwrap().clone();
    assert!(!lines.is_empty());
    let keep = &lines[0];
    let mut body_lines = vec![json!({"id": keep["id"], "OrderQty": {"value": 7}})];
    for l in &lines[1..] {
        body_lines.push(json!({"id": l["id"], "delete": true}));
    }
    body_lines.push(json!({"InventoryID": {"value": "ITEM004"}, "OrderQty": {"value": 2}, "UnitPrice": {"value": 10}}));
    let body = json!({"OrderType": {"value": "SO"}, "OrderNbr": {"value": "000003"}, "Details": body_lines});
    let (status, out) = call(c.put(format!("{b}/SalesOrder?$expand=Details")).json(&body)).await;
    assert_eq!(status, 200, "{out}");
    let out_lines = out["Details"].as_array().unwrap();
    assert_eq!(out_lines.len(), 2);
    assert_eq!(out_lines[0]["id"], keep["id"]);
    assert_eq!(val(&out_lines[0], "OrderQty").as_f64(), Some(7.0));
    assert_eq!(
        val(&out_lines[0], "InventoryID"),
        val(keep, "InventoryID"),
        "absent fields kept"
    );
    assert_eq!(val(&out_lines[1], "InventoryID"), "ITEM004");
    assert_eq!(out_lines[1]["rowNumber"], 2);
    let price = val(keep, "UnitPrice").as_f64().unwrap();
    let total = val(&out, "OrderTotal").as_f64().unwrap();
    assert!((total - (7.0 * price + 20.0)).abs() < 0.001, "{total}");

    // A new order gets the next number.
    let new = json!({"OrderType": {"value": "SO"}, "CustomerID": {"value": "C002"}, "Details": [{"InventoryID": {"value": "ITEM001"}, "OrderQty": {"value": 1}}]});
    let (status, created) = call(c.put(format!("{b}/SalesOrder")).json(&new)).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(val(&created, "OrderNbr"), "000021");
    assert!(
        created.get("Details").is_none(),
        "details only when expanded"
    );
    let id = created["id"].as_str().unwrap();
    assert_eq!(emu.metrics().writes[&format!("SalesOrder/{id}")], 1);
}

#[tokio::test]
async fn patch_updates_exactly_and_never_inserts() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let before = emu.store().find("Customer", &["C002"]).unwrap();
    let (status, out) = call(
        c.patch(format!("{b}/Customer"))
            .json(&json!({"CustomerID": {"value": "C002"}, "Terms": {"value": "NET10"}})),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(val(&out, "Terms"), "NET10");
    assert_eq!(val(&out, "CustomerName"), &before["CustomerName"]["value"]);
    let (status, _) = call(
        c.patch(format!("{b}/Customer"))
            .json(&json!({"CustomerID": {"value": "MISSING"}, "Terms": {"value": "X"}})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        c.patch(format!("{b}/Customer"))
            .header("If-None-Match", "*")
            .json(&json!({"CustomerID": {"value": "C002"}})),
    )
    .await;
    assert_eq!(status, 412);
    assert_eq!(emu.store().count("Customer"), 20);
}

#[tokio::test]
async fn validation_errors_are_422_with_field_errors_in_detail_lines() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let body = json!({
        "OrderType": {"value": "SO"},
        "CustomerID": {"value": "NOBODY"},
        "Details": [
            {"InventoryID": {"value": "ITEM001"}, "OrderQty": {"value": 1}},
            {"InventoryID": {"value": "NOSUCHITEM"}, "OrderQty": {"value": "many"}}
        ]
    });
    let (status, echo) = call(c.put(format!("{b}/SalesOrder")).json(&body)).await;
    assert_eq!(status, 422, "{echo}");
    assert!(
        echo["error"]
            .as_str()
            .unwrap()
            .contains("raised at least one error")
    );
    assert_eq!(echo["CustomerID"]["value"], "NOBODY");
    assert_eq!(
        echo["CustomerID"]["error"],
        "'Customer' cannot be found in the system."
    );
    let lines = echo["Details"].as_array().unwrap();
    assert!(lines[0]["InventoryID"].get("error").is_none());
    assert!(
        lines[1]["InventoryID"]["error"]
            .as_str()
            .unwrap()
            .contains("cannot be found")
    );
    assert!(lines[1]["OrderQty"]["error"].is_string());
    assert_eq!(emu.store().count("SalesOrder"), 20, "nothing written");

    let (status, echo) = call(
        c.put(format!("{b}/Customer"))
            .json(&json!({"CustomerID": {"value": "C001"}, "Status": {"value": "Sleepy"}})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(echo["Status"]["error"].as_str().unwrap().contains("Sleepy"));
    let (status, echo) = call(
        c.put(format!("{b}/Customer"))
            .json(&json!({"CustomerName": {"value": "No key"}})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        echo["CustomerID"]["error"]
            .as_str()
            .unwrap()
            .contains("cannot be empty")
    );
    let (status, echo) = call(c.put(format!("{b}/Customer")).json(&json!({"CustomerID": {"value": "C001"}, "CreditLimit": {"value": true}, "LeadTimedays": {"value": 70000}}))).await;
    assert_eq!(status, 422);
    assert!(
        echo["CreditLimit"]["error"].is_string() && echo["LeadTimedays"]["error"].is_string(),
        "{echo}"
    );
    assert!(emu.metrics().writes.is_empty());
}

#[tokio::test]
async fn malformed_json_is_400_and_delete_works() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, body) = call(
        c.put(format!("{b}/Customer"))
            .header("Content-Type", "application/json")
            .body("{\"CustomerID\": "),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].is_string());
    assert_eq!(
        call(
            c.put(format!("{b}/Customer"))
                .header("Content-Type", "application/json")
                .body("[1]")
        )
        .await
        .0,
        400
    );

    let resp = c.delete(format!("{b}/Customer/C007")).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(call(c.get(format!("{b}/Customer/C007"))).await.0, 500);
    assert_eq!(call(c.delete(format!("{b}/Customer/C007"))).await.0, 500);
    let id = emu.store().find("Customer", &["C008"]).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        c.delete(format!("{b}/Customer/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(emu.store().count("Customer"), 18);
}

#[tokio::test]
async fn unseeded_entities_are_served_generically() {
    let emu = start(Config::default().counts(SeedCounts::NONE)).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, list) = call(c.get(format!("{b}/Warehouse"))).await;
    assert_eq!((status, list), (200, json!([])));
    let (status, w) = call(c.put(format!("{b}/Warehouse")).json(&json!({"WarehouseID": {"value": "MAIN"}, "Description": {"value": "Main"}, "Active": {"value": true}}))).await;
    assert_eq!(status, 200, "{w}");
    let (status, got) = call(c.get(format!("{b}/Warehouse/MAIN"))).await;
    assert_eq!(
        (status, val(&got, "Description").as_str()),
        (200, Some("Main"))
    );
    // Auto-numbered key on an entity without seed data.
    let (status, case) = call(
        c.put(format!("{b}/Case"))
            .json(&json!({"Subject": {"value": "Printer on fire"}})),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    let (status, _) = call(c.get(format!("{b}/Case/{}", case["id"].as_str().unwrap()))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn discovery_swagger_and_ad_hoc_schema() {
    let emu = start(Config::default()).await;
    let (status, root) = call(client().get(format!("{}/entity", emu.url()))).await;
    assert_eq!(status, 200);
    assert_eq!(root["endpoints"][0]["name"], "Default");
    assert_eq!(root["endpoints"][0]["version"], "24.200.001");
    assert_eq!(root["endpoints"][0]["href"], "/entity/Default/24.200.001/");
    assert!(root["version"]["acumaticaBuildVersion"].is_string());

    let swagger = format!("{}/swagger.json", base(&emu));
    assert_eq!(client().get(&swagger).send().await.unwrap().status(), 401);
    let c = login(&emu).await;
    let bytes = c.get(&swagger).send().await.unwrap().bytes().await.unwrap();
    let committed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/Default_24.200.001.json"
    ))
    .unwrap();
    assert_eq!(bytes.len(), committed.len());
    assert_eq!(
        client()
            .get(format!("{swagger}?company=Company"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let (status, adhoc) = call(c.get(format!("{}/Customer/$adHocSchema", base(&emu)))).await;
    assert_eq!(status, 200);
    assert_eq!(
        adhoc["custom"]["CurrentCustomer"]["UsrLoyaltyTier"]["type"],
        "CustomStringField"
    );
    assert_eq!(adhoc["CustomerID"], json!({}));
    assert_eq!(adhoc["MainContact"]["note"], Value::Null);
    let (_, so_adhoc) = call(c.get(format!("{}/SalesOrder/$adHocSchema", base(&emu)))).await;
    let actions: Vec<&str> = so_adhoc["_workflowActions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a.as_object().unwrap().keys())
        .map(String::as_str)
        .collect();
    assert!(actions.contains(&"PutOnHold"), "{actions:?}");

    // Per-request business date and branch are accepted.
    let resp = c
        .get(format!("{}/Customer/C001", base(&emu)))
        .header("PX-CbApiBusinessDate", "2025/01/01")
        .header("PX-CbApiBranch", "HQ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn several_endpoints_share_the_tenant_data() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/Default_23.200.001.json"
    );
    let config = Config::default()
        .endpoint(acumatica_emulator::SchemaSource::default_24())
        .endpoint(acumatica_emulator::SchemaSource::from_file(shared).unwrap());
    let emu = start(config).await;
    let c = login(&emu).await;
    let (_, a) = call(c.get(format!(
        "{}/entity/Default/24.200.001/Customer/C001",
        emu.url()
    )))
    .await;
    let (status, bb) = call(c.get(format!(
        "{}/entity/Default/23.200.001/Customer/C001",
        emu.url()
    )))
    .await;
    assert_eq!(status, 200);
    assert_eq!(a["id"], bb["id"]);
    assert!(
        bb["_links"]["self"]
            .as_str()
            .unwrap()
            .contains("23.200.001")
    );
}

#[tokio::test]
async fn persistence_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.json");
    {
        let emu = start(Config::default().persistence(&file)).await;
        let c = login(&emu).await;
        let (status, _) = call(
            c.put(format!("{}/Customer", base(&emu)))
                .json(&json!({"CustomerID": {"value": "KEPT"}})),
        )
        .await;
        assert_eq!(status, 200);
    }
    let emu = start(Config::default().persistence(&file)).await;
    assert!(emu.store().find("Customer", &["KEPT"]).is_some());
    assert_eq!(emu.store().count("Customer"), 21);
}

#[tokio::test]
async fn seed_is_deterministic_and_scales() {
    let a = start(Config::default().seed(9)).await;
    let b = start(Config::default().seed(9)).await;
    assert_eq!(a.store().list("SalesOrder"), b.store().list("SalesOrder"));
    let started = std::time::Instant::now();
    let big = start(Config::default().counts(SeedCounts::all(10_000))).await;
    assert_eq!(big.store().count("Customer"), 10_000);
    assert!(big.store().find("Customer", &["C10000"]).is_some());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
