//! The store at scale (issue 12) through HTTP: pages by position after deletes, archiving and
//! compaction; `$filter` on the key fields through the key index gives what a scan gives;
//! writes are read back whole; and the behaviours the protocol notes leave UNKNOWN, now
//! configurable: `$orderby` on contract lists and the unconfirmed `$filter` functions.

mod common;

use acumatica_emulator::{Acceptance, Config, SeedCounts};
use common::{base, call, login, start, val};
use serde_json::{Value, json};

fn customers(n: usize) -> Config {
    Config::default().counts(SeedCounts {
        customers: n,
        ..SeedCounts::NONE
    })
}

fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|r| val(r, "CustomerID").as_str().unwrap_or_default().to_owned())
        .collect()
}

fn enc(s: &str) -> String {
    s.replace(' ', "%20").replace('\'', "%27")
}

#[tokio::test]
async fn pages_start_at_their_place_after_deletes_and_archiving() {
    let emu = start(customers(3_000)).await;
    let c = login(&emu).await;
    let url = format!("{}/Customer", base(&emu));
    let (status, page) = call(c.get(format!("{url}?$top=3&$skip=2500"))).await;
    assert_eq!(status, 200);
    assert_eq!(keys(&page), ["C2501", "C2502", "C2503"]);
    assert_eq!(page[0]["rowNumber"], 1);

    // Delete two customers of every three: enough dead slots for the table to compact.
    for n in (1..=3000).filter(|n| n % 3 != 0) {
        let (status, _) = call(c.delete(format!("{url}/C{n:03}"))).await;
        assert_eq!(status, 204, "C{n:03}");
    }
    let store = emu.store();
    assert_eq!(store.count("Customer"), 1_000);
    let (_, page) = call(c.get(format!("{url}?$top=3&$skip=500"))).await;
    assert_eq!(keys(&page), ["C1503", "C1506", "C1509"]);
    let (_, page) = call(c.get(format!("{url}?$top=2"))).await;
    assert_eq!(keys(&page), ["C003", "C006"]);

    // Archived records leave their place; with PX-ApiArchive: SHOW they keep it.
    let c1506 = store.find("Customer", &["C1506"]).expect("C1506");
    let id = c1506["id"].as_str().unwrap().parse().unwrap();
    store.archive("Customer", id).unwrap();
    let (_, page) = call(c.get(format!("{url}?$top=2&$skip=500"))).await;
    assert_eq!(keys(&page), ["C1503", "C1509"]);
    let (_, page) = call(
        c.get(format!("{url}?$top=2&$skip=500"))
            .header("PX-ApiArchive", "SHOW"),
    )
    .await;
    assert_eq!(keys(&page), ["C1503", "C1506"]);
    // A new record goes last.
    let (status, _) =
        call(c.put(url.clone()).json(
            &json!({ "CustomerID": { "value": "ZLAST" }, "CustomerName": { "value": "Last" } }),
        ))
        .await;
    assert_eq!(status, 200);
    let (_, page) = call(c.get(format!("{url}?$skip=998"))).await;
    assert_eq!(keys(&page), ["C3000", "ZLAST"]);
    // Past the end: an empty page.
    let (status, page) = call(c.get(format!("{url}?$skip=5000"))).await;
    assert_eq!((status, page), (200, json!([])));
    // The records read back whole after the compaction, by key and by id.
    let (status, one) = call(c.get(format!("{url}/C1509?$expand=MainContact,Contacts"))).await;
    assert_eq!(status, 200);
    assert_eq!(val(&one, "CustomerID"), "C1509");
    assert!(val(&one["MainContact"], "Email").is_string());
    let id = one["id"].as_str().unwrap().to_owned();
    let (status, by_id) = call(c.get(format!("{url}/{id}?$expand=MainContact,Contacts"))).await;
    assert_eq!(status, 200);
    assert_eq!(by_id, one);
}

#[tokio::test]
async fn key_filters_use_the_index_and_agree_with_a_scan() {
    let emu = start(Config::default().counts(SeedCounts::all(30))).await;
    let c = login(&emu).await;
    let b = base(&emu);
    for (filter, want) in [
        ("CustomerID eq 'C007'", vec!["C007"]),
        // Without case and trailing blanks, as SQL Server compares.
        ("CustomerID eq 'c007  '", vec!["C007"]),
        ("'C012' eq CustomerID", vec!["C012"]),
        ("CustomerID eq 'C999'", vec![]),
        // The key and another condition: the other one is evaluated too.
        (
            "CustomerID eq 'C007' and Status eq 'No Such Status'",
            vec![],
        ),
        (
            "CustomerID eq 'C007' or CustomerID eq 'C008'",
            vec!["C007", "C008"],
        ),
    ] {
        let (status, list) = call(c.get(format!("{b}/Customer?$filter={}", enc(filter)))).await;
        assert_eq!(status, 200, "{filter}: {list}");
        assert_eq!(keys(&list), want, "{filter}");
    }
    // A composite key.
    let (status, list) = call(c.get(format!(
        "{b}/SalesOrder?$filter={}",
        enc("OrderType eq 'SO' and OrderNbr eq '000003'")
    )))
    .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(val(&list[0], "OrderNbr"), "000003");
    // A PUT with a key $filter updates the record it names.
    let (status, put) = call(
        c.put(format!(
            "{b}/Customer?$filter={}",
            enc("CustomerID eq 'C010'")
        ))
        .json(&json!({ "CustomerName": { "value": "Renamed Ltd" } })),
    )
    .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(val(&put, "CustomerID"), "C010");
    let (_, one) = call(c.get(format!("{b}/Customer/C010"))).await;
    assert_eq!(val(&one, "CustomerName"), "Renamed Ltd");

    // Case-sensitive filters: the index still finds the candidate, the filter decides.
    let emu = start(Config {
        case_insensitive_filters: false,
        ..customers(20)
    })
    .await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (_, list) = call(c.get(format!(
        "{b}/Customer?$filter={}",
        enc("CustomerID eq 'c007'")
    )))
    .await;
    assert_eq!(keys(&list), Vec::<String>::new());
    let (_, list) = call(c.get(format!(
        "{b}/Customer?$filter={}",
        enc("CustomerID eq 'C007'")
    )))
    .await;
    assert_eq!(keys(&list), ["C007"]);
}

#[tokio::test]
async fn writes_keep_every_value_through_the_compact_form() {
    let emu = start(customers(5)).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let body = json!({
        "CustomerID": { "value": "NEW-0042" },
        "CustomerName": { "value": "Ünïcödé & Co \"quoted\" 0042" },
        "CreditLimit": { "value": 1234.5 },
        "MainContact": { "Email": { "value": "x.y@z.example.com" }, "Phone1": { "value": "+1 555 0000" } },
        "note": { "value": "line 1\nline 2" },
    });
    let (status, put) = call(
        c.put(format!("{b}/Customer?$expand=MainContact"))
            .json(&body),
    )
    .await;
    assert_eq!(status, 200, "{put}");
    let (_, got) = call(c.get(format!("{b}/Customer/NEW-0042?$expand=MainContact"))).await;
    assert_eq!(got, put);
    assert_eq!(val(&got, "CustomerName"), "Ünïcödé & Co \"quoted\" 0042");
    assert_eq!(got["note"]["value"], "line 1\nline 2");
    assert_eq!(val(&got["MainContact"], "Email"), "x.y@z.example.com");
    // The stored record through the Store handle, as written (decimals at their scale on the
    // wire, the stored number as it came).
    let stored = emu.store().find("Customer", &["NEW-0042"]).expect("stored");
    assert_eq!(stored["CreditLimit"]["value"], json!(1234.5));
    assert_eq!(stored["MainContact"]["Phone1"]["value"], "+1 555 0000");
}

#[tokio::test]
async fn orderby_on_contract_lists_is_refused_unless_accepted() {
    let emu = start(customers(12)).await;
    let c = login(&emu).await;
    let (status, body) = call(c.get(format!(
        "{}/Customer?$orderby=CustomerID%20desc",
        base(&emu)
    )))
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("$orderby"), "{body}");

    let emu = start(Config {
        contract_orderby: Acceptance::Accept,
        ..customers(12)
    })
    .await;
    let c = login(&emu).await;
    let url = format!("{}/Customer", base(&emu));
    let (status, list) =
        call(c.get(format!("{url}?$orderby=CustomerID%20desc&$top=3&$skip=1"))).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(keys(&list), ["C011", "C010", "C009"]);
    assert_eq!(list[0]["rowNumber"], 1);
    // Several keys, a linked path, with a filter: sorted like the unsorted list re-sorted.
    let (_, all) = call(c.get(format!("{url}?$expand=MainContact"))).await;
    let mut want: Vec<(String, String, String)> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| val(r, "Status") != "Inactive")
        .map(|r| {
            (
                val(r, "CustomerClass").as_str().unwrap().to_lowercase(),
                val(&r["MainContact"], "Email")
                    .as_str()
                    .unwrap()
                    .to_lowercase(),
                val(r, "CustomerID").as_str().unwrap().to_owned(),
            )
        })
        .collect();
    want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let (status, sorted) = call(c.get(format!(
        "{url}?$orderby=CustomerClass%20desc,MainContact/Email&$filter={}",
        enc("Status ne 'Inactive'")
    )))
    .await;
    assert_eq!(status, 200, "{sorted}");
    let want: Vec<String> = want.into_iter().map(|w| w.2).collect();
    assert_eq!(keys(&sorted), want);
    for bad in ["NoSuchField", "CustomerID%20sideways", "MainContact"] {
        let (status, body) = call(c.get(format!("{url}?$orderby={bad}"))).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
}

#[tokio::test]
async fn unconfirmed_functions_are_refused_unless_accepted() {
    let emu = start(customers(12)).await;
    let c = login(&emu).await;
    let url = format!("{}/Customer", base(&emu));
    for f in [
        "contains(CustomerID, '01')",
        "tolower(CustomerID) eq 'c001'",
    ] {
        let (status, body) = call(c.get(format!("{url}?$filter={}", enc(f)))).await;
        assert_eq!(status, 500, "{f}: {body}");
        assert_eq!(
            body["exceptionType"], "Microsoft.Data.OData.ODataException",
            "{f}"
        );
    }

    let emu = start(Config {
        unconfirmed_functions: Acceptance::Accept,
        case_insensitive_filters: false,
        ..customers(12)
    })
    .await;
    let c = login(&emu).await;
    let url = format!("{}/Customer", base(&emu));
    let (_, contains) = call(c.get(format!(
        "{url}?$filter={}",
        enc("contains(CustomerID, '01')")
    )))
    .await;
    let (_, substringof) = call(c.get(format!(
        "{url}?$filter={}",
        enc("substringof('01', CustomerID)")
    )))
    .await;
    assert_eq!(keys(&contains), ["C001", "C010", "C011", "C012"]);
    assert_eq!(contains, substringof);
    // Case-sensitive filters: only tolower/toupper make the case not matter.
    for (f, want) in [
        ("CustomerID eq 'c001'", vec![]),
        ("tolower(CustomerID) eq 'c001'", vec!["C001"]),
        ("toupper(CustomerID) eq 'c001'", vec![]),
        (
            "startswith(tolower(CustomerID), 'c01')",
            vec!["C010", "C011", "C012"],
        ),
        (
            "tolower(CustomerID) eq 'c001' or toupper(CustomerID) eq 'C002'",
            vec!["C001", "C002"],
        ),
    ] {
        let (status, list) = call(c.get(format!("{url}?$filter={}", enc(f)))).await;
        assert_eq!(status, 200, "{f}: {list}");
        assert_eq!(keys(&list), want, "{f}");
    }
    // An unknown field inside tolower is refused like any unknown field.
    let (status, _) = call(c.get(format!(
        "{url}?$filter={}",
        enc("tolower(NoSuchField) eq 'x'")
    )))
    .await;
    assert_eq!(status, 500);
}
