//! The tenant's custom fields and workflow actions, as configured: `$adHocSchema`, `$custom`,
//! `custom` blocks written by PUT (top level and detail lines), `cf.<Type>` filters, workflow
//! actions with `parameters.custom`, and the errors of a bad configuration.

mod common;

use std::time::{Duration, Instant};

use acumatica_emulator::{
    Config, CustomFieldSpec, CustomType, Customizations, EffectTarget, EffectValue, Emulator,
    SeedValues, WorkflowActionSpec,
};
use common::{base, call, login, start, val};
use serde_json::{Map, Value, json};

/// The `custom` block `$adHocSchema` shows for the fields of `entity` in `c`.
fn expected_custom(c: &Customizations, entity: &str) -> Value {
    let mut out = Map::new();
    for f in c.fields.iter().filter(|f| f.entity == entity) {
        out.entry(f.view.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap()
            .insert(
                f.field.clone(),
                json!({"type": f.kind.type_name(), "value": null}),
            );
    }
    Value::Object(out)
}

/// `_workflowActions` as `$adHocSchema` shows the actions of `entity` in `c`, by name.
fn expected_actions(c: &Customizations, entity: &str) -> Map<String, Value> {
    c.actions
        .iter()
        .filter(|a| a.entity == entity)
        .map(|a| {
            let mut params = Map::new();
            for p in &a.parameters {
                params
                    .entry(p.view.clone())
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .unwrap()
                    .insert(
                        p.field.clone(),
                        json!({"type": p.kind.type_name(), "value": null}),
                    );
            }
            (
                a.name.clone(),
                json!({"parameters": {"custom": Value::Object(params)}}),
            )
        })
        .collect()
}

/// `_workflowActions`, each a one-key object, merged into one map (and checked to be one-key).
fn actions_of(adhoc: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for a in adhoc["_workflowActions"]
        .as_array()
        .expect("_workflowActions")
    {
        let a = a.as_object().expect("an action is an object");
        assert_eq!(a.len(), 1, "{a:?}");
        out.extend(a.clone());
    }
    out
}

async fn ad_hoc(c: &reqwest::Client, emu: &Emulator, entity: &str) -> Value {
    let (status, body) = call(c.get(format!("{}/{entity}/$adHocSchema", base(emu)))).await;
    assert_eq!(status, 200, "{entity}: {body}");
    body
}

#[tokio::test]
async fn ad_hoc_schema_lists_every_configured_field_and_action_in_its_entity() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let builtin = Customizations::builtin();

    let customer = ad_hoc(&c, &emu, "Customer").await;
    assert_eq!(customer["custom"], expected_custom(&builtin, "Customer"));
    assert_eq!(
        customer["custom"],
        json!({
            "CurrentCustomer": {
                "UsrCreditScore": {"type": "CustomIntField", "value": null},
                "UsrLoyaltyTier": {"type": "CustomStringField", "value": null}
            },
            "Document": {"AttributeINDUSTRY": {"type": "CustomStringField", "value": null}}
        })
    );
    let actions = actions_of(&customer);
    assert_eq!(actions, expected_actions(&builtin, "Customer"));
    assert_eq!(
        actions["ChangeLoyaltyTier"],
        json!({"parameters": {"custom": {"FilterPreview": {"Tier": {"type": "CustomStringField", "value": null}}}}})
    );
    assert_eq!(actions["PutOnHold"], json!({"parameters": {"custom": {}}}));
    // Linked entities carry their own (empty) custom block.
    assert_eq!(customer["MainContact"]["custom"], json!({}));

    // A detail entity's fields sit inside the detail array's element.
    let so = ad_hoc(&c, &emu, "SalesOrder").await;
    assert_eq!(so["custom"], expected_custom(&builtin, "SalesOrder"));
    let details = so["Details"].as_array().expect("Details is an array");
    assert_eq!(details.len(), 1);
    assert_eq!(
        details[0]["custom"],
        expected_custom(&builtin, "SalesOrderDetail")
    );
    assert_eq!(
        details[0]["custom"]["Transactions"]["UsrUnitWeight"],
        json!({"type": "CustomDecimalField", "value": null})
    );
    assert!(details[0].get("_workflowActions").is_none());
    assert_eq!(actions_of(&so), expected_actions(&builtin, "SalesOrder"));

    for entity in ["StockItem", "Invoice", "Case", "Bill", "SalesInvoice"] {
        let adhoc = ad_hoc(&c, &emu, entity).await;
        assert_eq!(
            adhoc["custom"],
            expected_custom(&builtin, entity),
            "{entity}"
        );
        assert_eq!(
            actions_of(&adhoc),
            expected_actions(&builtin, entity),
            "{entity}"
        );
    }
    let case = actions_of(&ad_hoc(&c, &emu, "Case").await);
    assert_eq!(
        case["Close"]["parameters"]["custom"]["FilterPreview"]["Reason"]["type"],
        "CustomStringField"
    );
    // An entity without customizations: empty blocks.
    let vendor = ad_hoc(&c, &emu, "Vendor").await;
    assert_eq!(vendor["custom"], json!({}));
    assert_eq!(vendor["_workflowActions"], json!([]));
}

#[tokio::test]
async fn seeded_custom_values_come_back_through_custom() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, list) = call(c.get(format!("{b}/Customer")).query(&[(
        "$custom",
        "CurrentCustomer.UsrLoyaltyTier,Document.AttributeINDUSTRY",
    )]))
    .await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 20);
    for (i, customer) in list.iter().enumerate() {
        let tier = &customer["custom"]["CurrentCustomer"]["UsrLoyaltyTier"];
        assert_eq!(tier["type"], "CustomStringField");
        assert_eq!(tier["value"], ["Gold", "Silver", "Bronze"][i % 3], "{i}");
        let industry = &customer["custom"]["Document"]["AttributeINDUSTRY"]["value"];
        assert!(
            ["RETAIL", "WHOLESALE", "MANUFACT", "SERVICES"].contains(&industry.as_str().unwrap()),
            "{industry}"
        );
    }
    // Unrequested custom fields are not returned.
    let (_, one) = call(c.get(format!("{b}/Customer/C001"))).await;
    assert_eq!(one["custom"], json!({}));

    // Detail lines: `Details/Transactions.UsrUnitWeight`, with the detail expanded; the values
    // go in turn over the lines of the seeded orders.
    let (status, orders) = call(c.get(format!("{b}/SalesOrder")).query(&[
        ("$expand", "Details"),
        ("$custom", "Details/Transactions.UsrUnitWeight"),
    ]))
    .await;
    assert_eq!(status, 200);
    let weights: Vec<Value> = orders
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["Details"].as_array().unwrap().clone())
        .map(|line| line["custom"]["Transactions"]["UsrUnitWeight"].clone())
        .collect();
    assert!(weights.len() > 20, "{}", weights.len());
    let cycle = [1.5, 2.25, 0.75, 4.0];
    for (i, w) in weights.iter().enumerate() {
        assert_eq!(w["type"], "CustomDecimalField");
        assert_eq!(w["value"].as_f64(), Some(cycle[i % 4]), "line {i}: {w}");
    }
    // The top level of the order does not carry the lines' field.
    assert_eq!(orders[0]["custom"], json!({}));
}

#[tokio::test]
async fn put_writes_custom_fields_at_the_top_and_on_detail_lines() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, body) = call(c.put(format!("{b}/Customer")).json(&json!({
        "CustomerID": {"value": "C002"},
        "custom": {"CurrentCustomer": {
            "UsrLoyaltyTier": {"type": "CustomStringField", "value": "Platinum"},
            "UsrCreditScore": {"type": "CustomIntField", "value": 712}
        }}
    })))
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, read) = call(c.get(format!(
        "{b}/Customer/C002?$custom=CurrentCustomer.UsrLoyaltyTier,CurrentCustomer.UsrCreditScore"
    )))
    .await;
    assert_eq!(
        read["custom"]["CurrentCustomer"],
        json!({
            "UsrLoyaltyTier": {"type": "CustomStringField", "value": "Platinum"},
            "UsrCreditScore": {"type": "CustomIntField", "value": 712}
        })
    );

    // A detail line named by its id.
    let (_, order) = call(c.get(format!("{b}/SalesOrder/SO/000001?$expand=Details"))).await;
    let lines = order["Details"].as_array().unwrap();
    let line_id = lines[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(c.put(format!("{b}/SalesOrder")).json(&json!({
        "OrderType": {"value": "SO"},
        "OrderNbr": {"value": "000001"},
        "Details": [{
            "id": line_id,
            "custom": {"Transactions": {
                "UsrUnitWeight": {"type": "CustomDecimalField", "value": 9.25},
                "UsrGiftWrap": {"type": "CustomBooleanField", "value": true}
            }}
        }]
    })))
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, order) = call(c.get(format!(
        "{b}/SalesOrder/SO/000001?$expand=Details&$custom=Details/Transactions.UsrUnitWeight,Details/Transactions.UsrGiftWrap"
    )))
    .await;
    let after = order["Details"].as_array().unwrap();
    assert_eq!(after.len(), lines.len(), "the line was updated, not added");
    let line = after.iter().find(|l| l["id"] == line_id.as_str()).unwrap();
    assert_eq!(
        line["custom"]["Transactions"],
        json!({
            "UsrUnitWeight": {"type": "CustomDecimalField", "value": 9.25},
            "UsrGiftWrap": {"type": "CustomBooleanField", "value": true}
        })
    );
    if after.len() > 1 {
        let other = after.iter().find(|l| l["id"] != line_id.as_str()).unwrap();
        assert_ne!(
            other["custom"]["Transactions"]["UsrUnitWeight"]["value"],
            json!(9.25)
        );
    }
    let stored = emu.store().find("SalesOrder", &["SO", "000001"]).unwrap();
    assert_eq!(
        stored["Details"][0]["custom"]["Transactions"]["UsrUnitWeight"]["value"],
        json!(9.25)
    );
}

#[tokio::test]
async fn a_custom_value_of_the_wrong_type_is_refused_like_a_bad_contract_value() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    // The contract field's refusal, for comparison: 422, the entity echoed, the field's error.
    let (status, contract) = call(c.put(format!("{b}/Customer")).json(&json!({
        "CustomerID": {"value": "C002"},
        "CreditLimit": {"value": "lots"}
    })))
    .await;
    assert_eq!(status, 422);
    assert!(contract["CreditLimit"]["error"].is_string(), "{contract}");

    let (status, body) = call(c.put(format!("{b}/Customer")).json(&json!({
        "CustomerID": {"value": "C002"},
        "custom": {"CurrentCustomer": {
            "UsrCreditScore": {"type": "CustomIntField", "value": "lots"}
        }}
    })))
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], contract["error"]);
    let error = body["custom"]["CurrentCustomer"]["UsrCreditScore"]["error"]
        .as_str()
        .unwrap();
    assert!(error.contains("CustomIntField"), "{error}");
    // The declared type wins over the body's.
    let (status, _) = call(c.put(format!("{b}/Customer")).json(&json!({
        "CustomerID": {"value": "C002"},
        "custom": {"CurrentCustomer": {
            "UsrCreditScore": {"type": "CustomStringField", "value": "lots"}
        }}
    })))
    .await;
    assert_eq!(status, 422);
    let stored = emu.store().find("Customer", &["C002"]).unwrap();
    assert!(stored["custom"]["CurrentCustomer"]["UsrCreditScore"].is_null());

    // On a detail line the error sits in the line's custom block.
    let (_, order) = call(c.get(format!("{b}/SalesOrder/SO/000001?$expand=Details"))).await;
    let line_id = order["Details"][0]["id"].as_str().unwrap();
    let (status, body) = call(c.put(format!("{b}/SalesOrder")).json(&json!({
        "OrderType": {"value": "SO"},
        "OrderNbr": {"value": "000001"},
        "Details": [{
            "id": line_id,
            "custom": {"Transactions": {"UsrGiftWrap": {"type": "CustomBooleanField", "value": "maybe"}}}
        }]
    })))
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].is_string());
    assert!(
        body["Details"][0]["custom"]["Transactions"]["UsrGiftWrap"]["error"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn cf_filters_keep_exactly_the_records_with_the_value() {
    let config = Config::default().customizations(
        Customizations::builtin().field(
            CustomFieldSpec::new(
                "Customer",
                "CurrentCustomer",
                "UsrDiscount",
                CustomType::Decimal,
            )
            .seeded(SeedValues::cycle([1.5, 2.0, 2.5, 1.5])),
        ),
    );
    let emu = start(config).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let ids = |rows: &Value| -> Vec<String> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| val(r, "CustomerID").as_str().unwrap().to_owned())
            .collect()
    };
    let stored_ids = |keep: &dyn Fn(&Value) -> bool| -> Vec<String> {
        emu.store()
            .list("Customer")
            .iter()
            .filter(|r| keep(r))
            .map(|r| val(r, "CustomerID").as_str().unwrap().to_owned())
            .collect()
    };
    let filter = |f: &str| c.get(format!("{b}/Customer")).query(&[("$filter", f)]);

    let (status, gold) = call(filter(
        "cf.String(f='CurrentCustomer.UsrLoyaltyTier') eq 'Gold'",
    ))
    .await;
    assert_eq!(status, 200, "{gold}");
    let want = stored_ids(&|r| r["custom"]["CurrentCustomer"]["UsrLoyaltyTier"]["value"] == "Gold");
    assert_eq!(want.len(), 7);
    assert_eq!(ids(&gold), want);

    let (status, rows) = call(filter(
        "cf.Decimal(f='CurrentCustomer.UsrDiscount') eq 1.5M",
    ))
    .await;
    assert_eq!(status, 200, "{rows}");
    let want = stored_ids(&|r| {
        r["custom"]["CurrentCustomer"]["UsrDiscount"]["value"].as_f64() == Some(1.5)
    });
    assert_eq!(want.len(), 10);
    assert_eq!(ids(&rows), want);
    let (_, rows) = call(filter("cf.Decimal(f='CurrentCustomer.UsrDiscount') gt 2M")).await;
    assert_eq!(ids(&rows).len(), 5);

    // A value written by PUT is what the filter sees.
    let (status, _) = call(c.put(format!("{b}/Customer")).json(&json!({
        "CustomerID": {"value": "C002"},
        "custom": {"CurrentCustomer": {"UsrLoyaltyTier": {"type": "CustomStringField", "value": "Gold"}}}
    })))
    .await;
    assert_eq!(status, 200);
    let (_, gold) = call(filter(
        "cf.String(f='CurrentCustomer.UsrLoyaltyTier') eq 'Gold'",
    ))
    .await;
    assert_eq!(ids(&gold).len(), 8);
    assert!(ids(&gold).contains(&"C002".to_owned()));

    // The documented example: invoices whose CuryBalanceWOTotal is 0 (seeded from Balance).
    let (status, invoices) = call(c.get(format!("{b}/Invoice")).query(&[(
        "$filter",
        "cf.Decimal(f='Document.CuryBalanceWOTotal') eq 0M",
    )]))
    .await;
    assert_eq!(status, 200, "{invoices}");
    let zero: Vec<Value> = emu
        .store()
        .list("Invoice")
        .into_iter()
        .filter(|r| r["Balance"]["value"].as_f64() == Some(0.0))
        .map(|r| r["id"].clone())
        .collect();
    let got: Vec<Value> = invoices
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(got, zero);
}

/// The action's body, the record named by keys or id, with the tier parameter.
fn change_tier(entity: Value, tier: Value) -> Value {
    json!({
        "entity": entity,
        "parameters": {"custom": {"FilterPreview": {"Tier": {"type": "CustomStringField", "value": tier}}}}
    })
}

async fn tier_of(c: &reqwest::Client, b: &str, customer: &str) -> Value {
    let (_, cus) = call(c.get(format!(
        "{b}/Customer/{customer}?$custom=CurrentCustomer.UsrLoyaltyTier"
    )))
    .await;
    cus["custom"]["CurrentCustomer"]["UsrLoyaltyTier"]["value"].clone()
}

#[tokio::test]
async fn a_workflow_action_writes_its_parameter_into_the_record() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let resp = c
        .post(format!("{b}/Customer/ChangeLoyaltyTier"))
        .json(&change_tier(
            json!({"CustomerID": {"value": "C003"}}),
            json!("Platinum"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204, "a quick action, as Case/Close is");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/Customer/"), "{location}");
    assert_eq!(tier_of(&c, &b, "C003").await, "Platinum");
    assert_eq!(emu.metrics().actions_started, 1);

    // By id, the name in any case.
    let (_, c4) = call(c.get(format!("{b}/Customer/C004"))).await;
    let id = c4["id"].as_str().unwrap();
    let resp = c
        .post(format!("{b}/Customer/changeloyaltytier"))
        .json(&change_tier(json!({"id": id}), json!("Copper")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(tier_of(&c, &b, "C004").await, "Copper");
    assert_eq!(emu.metrics().writes[&format!("Customer/{id}")], 1);

    // A parameter of the wrong type is refused as a PUT refuses a bad value; nothing changes.
    let (status, body) = call(c.post(format!("{b}/Customer/ChangeLoyaltyTier")).json(
        &change_tier(json!({"CustomerID": {"value": "C003"}}), json!({"x": 1})),
    ))
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("FilterPreview.Tier"),
        "{body}"
    );
    assert_eq!(tier_of(&c, &b, "C003").await, "Platinum");
    // Without the parameter the action runs and leaves the field alone.
    let (status, _) = call(
        c.post(format!("{b}/Customer/ChangeLoyaltyTier"))
            .json(&json!({"entity": {"CustomerID": {"value": "C003"}}})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(tier_of(&c, &b, "C003").await, "Platinum");
    // An unknown record is the tenant's 500, as for any action.
    let (status, _) = call(
        c.post(format!("{b}/Customer/ChangeLoyaltyTier"))
            .json(&change_tier(
                json!({"CustomerID": {"value": "NOSUCH"}}),
                json!("Gold"),
            )),
    )
    .await;
    assert_eq!(status, 500);

    // The existing workflow actions keep their effects.
    let (status, _) = call(
        c.post(format!("{b}/Customer/PutOnHold"))
            .json(&json!({"entity": {"CustomerID": {"value": "C003"}}})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, c3) = call(c.get(format!("{b}/Customer/C003"))).await;
    assert_eq!(val(&c3, "Status"), "On Hold");
}

#[tokio::test]
async fn a_long_running_workflow_action_applies_its_parameters_when_done() {
    let mut config = Config::default();
    config.long_running.actions = vec!["Customer/ChangeLoyaltyTier".into()];
    config.long_running.duration = Duration::from_millis(200);
    let emu = start(config).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let resp = c
        .post(format!("{b}/Customer/ChangeLoyaltyTier"))
        .json(&change_tier(
            json!({"CustomerID": {"value": "C001"}}),
            json!("Diamond"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let poll = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        poll.contains("/Customer/ChangeLoyaltyTier/status/"),
        "{poll}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = c
            .get(format!("{}{poll}", emu.url()))
            .send()
            .await
            .unwrap()
            .status();
        if status == 204 {
            break;
        }
        assert_eq!(status, 202);
        assert!(Instant::now() < deadline, "the action never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tier_of(&c, &b, "C001").await, "Diamond");
}

#[tokio::test]
async fn customizations_from_rust_replace_the_built_in_ones() {
    let custom = Customizations::none()
        .field(
            CustomFieldSpec::new(
                "Customer",
                "CurrentCustomer",
                "UsrRegion",
                CustomType::String,
            )
            .seeded(SeedValues::Fixed(json!("EMEA"))),
        )
        .field(
            CustomFieldSpec::new(
                "SalesOrderDetail",
                "Transactions",
                "UsrBin",
                CustomType::Int,
            )
            .seeded(SeedValues::Format("{n}".into())),
        )
        .action(
            WorkflowActionSpec::new("Customer", "Rename")
                .parameter("FilterPreview", "Name", CustomType::String)
                .parameter("FilterPreview", "Region", CustomType::String)
                .effect(
                    EffectTarget::field("CustomerName"),
                    EffectValue::parameter("FilterPreview", "Name"),
                )
                .effect(
                    EffectTarget::custom("CurrentCustomer", "UsrRegion"),
                    EffectValue::parameter("FilterPreview", "Region"),
                )
                .sets("Status", "Inactive"),
        );
    let emu = start(Config::default().customizations(custom.clone())).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let customer = ad_hoc(&c, &emu, "Customer").await;
    assert_eq!(
        customer["custom"],
        json!({"CurrentCustomer": {"UsrRegion": {"type": "CustomStringField", "value": null}}})
    );
    assert_eq!(actions_of(&customer), expected_actions(&custom, "Customer"));
    let so = ad_hoc(&c, &emu, "SalesOrder").await;
    assert_eq!(so["custom"], json!({}));
    assert_eq!(so["_workflowActions"], json!([]));
    assert_eq!(
        so["Details"][0]["custom"],
        json!({"Transactions": {"UsrBin": {"type": "CustomIntField", "value": null}}})
    );
    // The built-in actions are gone with the built-in set.
    let (status, _) = call(
        c.post(format!("{b}/Customer/ChangeLoyaltyTier"))
            .json(&json!({"entity": {"CustomerID": {"value": "C001"}}})),
    )
    .await;
    assert_eq!(status, 404);
    // Seeded values: a fixed one, the line number (an Int, from the format).
    let (_, one) = call(c.get(format!(
        "{b}/Customer/C001?$custom=CurrentCustomer.UsrRegion"
    )))
    .await;
    assert_eq!(
        one["custom"]["CurrentCustomer"]["UsrRegion"]["value"],
        "EMEA"
    );
    let (_, order) = call(c.get(format!(
        "{b}/SalesOrder/SO/000001?$expand=Details&$custom=Details/Transactions.UsrBin"
    )))
    .await;
    assert_eq!(
        order["Details"][0]["custom"]["Transactions"]["UsrBin"]["value"],
        json!(1)
    );

    let (status, body) = call(c.post(format!("{b}/Customer/Rename")).json(&json!({
        "entity": {"CustomerID": {"value": "C001"}},
        "parameters": {"custom": {"FilterPreview": {
            "Name": {"type": "CustomStringField", "value": "Renamed Ltd"},
            "Region": {"type": "CustomStringField", "value": "APAC"}
        }}}
    })))
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, one) = call(c.get(format!(
        "{b}/Customer/C001?$custom=CurrentCustomer.UsrRegion"
    )))
    .await;
    assert_eq!(val(&one, "CustomerName"), "Renamed Ltd");
    assert_eq!(val(&one, "Status"), "Inactive");
    assert_eq!(
        one["custom"]["CurrentCustomer"]["UsrRegion"]["value"],
        "APAC"
    );
}

#[tokio::test]
async fn customizations_the_endpoint_cannot_serve_stop_the_start_with_the_place() {
    let cases = [
        (
            Customizations::none().field(CustomFieldSpec::new(
                "SalesOrderLine",
                "Transactions",
                "UsrX",
                CustomType::String,
            )),
            vec![
                "fields.SalesOrderLine",
                "no endpoint being served has an entity named \"SalesOrderLine\"",
            ],
        ),
        (
            Customizations::none().field(CustomFieldSpec::new(
                "customer",
                "CurrentCustomer",
                "UsrX",
                CustomType::String,
            )),
            vec!["fields.customer", "did you mean \"Customer\"?"],
        ),
        (
            Customizations::none().action(WorkflowActionSpec::new("SalesOrderDetail", "Go")),
            vec!["actions.SalesOrderDetail", "top-level entity"],
        ),
        (
            Customizations::none()
                .action(WorkflowActionSpec::new("Customer", "Hold").sets("Statu", "On Hold")),
            vec![
                "actions.Customer.Hold.set.Statu",
                "no value field named \"Statu\"",
            ],
        ),
        (
            Customizations::none()
                .action(WorkflowActionSpec::new("Customer", "Hold").sets("CreditLimit", "lots")),
            vec!["actions.Customer.Hold.set.CreditLimit"],
        ),
        (
            Customizations::none().field(
                CustomFieldSpec::new("Customer", "CurrentCustomer", "UsrX", CustomType::Boolean)
                    .seeded(SeedValues::cycle([json!(true), json!("perhaps")])),
            ),
            vec![
                "fields.Customer.CurrentCustomer.UsrX.values[1]",
                "not a valid Boolean value",
            ],
        ),
    ];
    for (custom, wants) in cases {
        let err = Emulator::start(Config::default().customizations(custom))
            .await
            .expect_err("refused")
            .to_string();
        for want in wants {
            assert!(err.contains(want), "{want:?} not in {err}");
        }
    }
}

/// The README's example file reads, and the emulator starts with it.
#[tokio::test]
async fn the_readme_example_is_a_valid_file() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("### Custom fields and workflow actions")
        .nth(1)
        .expect("the README's section");
    let example = section
        .split("```json\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a JSON example");
    let custom = Customizations::from_json(example).expect("the example reads");
    assert!(
        custom
            .fields
            .iter()
            .any(|f| f.entity == "SalesOrderDetail" && f.field == "UsrUnitWeight")
    );
    let emu = start(Config::default().customizations(custom)).await;
    let c = login(&emu).await;
    let customer = ad_hoc(&c, &emu, "Customer").await;
    assert!(actions_of(&customer).contains_key("ChangeLoyaltyTier"));
}
