//! Archived records (protocol notes §2, `PX-ApiArchive: SHOW`): hidden from reads by default,
//! visible with the header; archived through `Store::archive` or `Config::archived`. Plain
//! reqwest with a cookie session.

use acumatica_emulator::{ArchiveRule, Config, Emulator, SeedCounts};
use serde_json::{Value, json};
use uuid::Uuid;

async fn signed_in(emu: &Emulator) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = c
        .post(format!("{}/entity/auth/login", emu.url()))
        .json(&json!({"name": "admin", "password": "admin", "tenant": "Company"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    c
}

/// GET `{base}/{path}`, with `PX-ApiArchive: {archive}` if given.
async fn get(
    c: &reqwest::Client,
    emu: &Emulator,
    path: &str,
    archive: Option<&str>,
) -> (u16, Value) {
    let mut req = c.get(format!("{}/entity/Default/24.200.001/{path}", emu.url()));
    if let Some(v) = archive {
        req = req.header("PX-ApiArchive", v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| r[field]["value"].as_str().unwrap().to_owned())
        .collect()
}

fn id_of(record: &Value) -> Uuid {
    Uuid::parse_str(record["id"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn archived_records_are_hidden_unless_the_request_shows_them() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let c = signed_in(&emu).await;
    let (_, before) = get(&c, &emu, "Customer", None).await;
    let all = ids(&before, "CustomerID");
    let store = emu.store();
    for key in ["C003", "C010"] {
        let record = store.find("Customer", &[key]).unwrap();
        store.archive("Customer", id_of(&record)).unwrap();
        assert!(store.is_archived(id_of(&record)));
    }
    let visible: Vec<String> = all
        .iter()
        .filter(|k| *k != "C003" && *k != "C010")
        .cloned()
        .collect();
    let (status, hidden) = get(&c, &emu, "Customer", None).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&hidden, "CustomerID"), visible);
    // SHOW brings them back, in their place; the value is read without case.
    for show in ["SHOW", "show", " Show "] {
        let (status, shown) = get(&c, &emu, "Customer", Some(show)).await;
        assert_eq!(status, 200);
        assert_eq!(ids(&shown, "CustomerID"), all, "{show:?}");
    }
    // Any other value leaves them hidden.
    let (_, other) = get(&c, &emu, "Customer", Some("HIDE")).await;
    assert_eq!(ids(&other, "CustomerID"), visible);
    // Paging counts the visible records only.
    let (_, page) = get(&c, &emu, "Customer?$top=3&$skip=1", None).await;
    assert_eq!(ids(&page, "CustomerID"), visible[1..4].to_vec());
    let (_, page) = get(&c, &emu, "Customer?$top=3&$skip=1", Some("SHOW")).await;
    assert_eq!(ids(&page, "CustomerID"), all[1..4].to_vec());
    // Filters apply on top.
    let (_, one) = get(&c, &emu, "Customer?$filter=CustomerID eq 'C003'", None).await;
    assert!(ids(&one, "CustomerID").is_empty());
    let (_, one) = get(
        &c,
        &emu,
        "Customer?$filter=CustomerID eq 'C003'",
        Some("SHOW"),
    )
    .await;
    assert_eq!(ids(&one, "CustomerID"), ["C003"]);
    // By key and by id: not found (a 500, as for any missing record) unless shown.
    let c003 = store.find("Customer", &["C003"]).unwrap();
    let (status, _) = get(&c, &emu, "Customer/C003", None).await;
    assert_eq!(status, 500);
    let (status, _) = get(&c, &emu, &format!("Customer/{}", id_of(&c003)), None).await;
    assert_eq!(status, 500);
    let (status, record) = get(&c, &emu, "Customer/C003", Some("SHOW")).await;
    assert_eq!(status, 200);
    assert_eq!(record["CustomerID"]["value"], "C003");
    // Brought back, it is visible to every request again.
    store.unarchive("Customer", id_of(&c003)).unwrap();
    let (status, _) = get(&c, &emu, "Customer/C003", None).await;
    assert_eq!(status, 200);
    // A record that is not there cannot be archived.
    assert!(store.archive("Customer", Uuid::nil()).is_err());
    assert!(store.archive("NoSuchEntity", id_of(&c003)).is_err());
}

#[tokio::test]
async fn writes_still_reach_archived_records() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let c = signed_in(&emu).await;
    let store = emu.store();
    let c005 = store.find("Customer", &["C005"]).unwrap();
    store.archive("Customer", id_of(&c005)).unwrap();
    let count = store.count("Customer");
    // A PUT by key updates the archived record (D-ARCHIVE: "unpredictable" on a tenant); it
    // creates no second record and the record stays archived.
    let resp = c
        .put(format!("{}/entity/Default/24.200.001/Customer", emu.url()))
        .json(&json!({"CustomerID": {"value": "C005"}, "CustomerName": {"value": "Renamed"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    assert_eq!(store.count("Customer"), count);
    assert!(store.is_archived(id_of(&c005)));
    let (_, record) = get(&c, &emu, "Customer/C005", Some("SHOW")).await;
    assert_eq!(record["CustomerName"]["value"], "Renamed");
    // Deleted, it is gone for good.
    let resp = c
        .delete(format!(
            "{}/entity/Default/24.200.001/Customer/C005",
            emu.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(!store.is_archived(id_of(&c005)));
}

#[tokio::test]
async fn records_are_archived_at_start_by_rule_and_kept_in_the_persistence_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenant.json");
    let config = Config {
        archived: vec![
            ArchiveRule::new(
                "SalesOrder",
                "Status eq 'Completed' or Status eq 'Cancelled'",
            ),
            ArchiveRule::new("Vendor", ""),
        ],
        persistence: Some(file.clone()),
        counts: SeedCounts::default(),
        ..Config::default()
    };
    let emu = Emulator::start(config).await.unwrap();
    let c = signed_in(&emu).await;
    let (_, shown) = get(&c, &emu, "SalesOrder", Some("SHOW")).await;
    let statuses = ids(&shown, "Status");
    let closed = statuses
        .iter()
        .filter(|s| *s == "Completed" || *s == "Cancelled")
        .count();
    assert!(closed > 0, "{statuses:?}");
    let (_, hidden) = get(&c, &emu, "SalesOrder", None).await;
    let open = ids(&hidden, "Status");
    assert_eq!(open.len(), statuses.len() - closed);
    assert!(open.iter().all(|s| s != "Completed" && s != "Cancelled"));
    // An empty filter archives them all.
    let (_, vendors) = get(&c, &emu, "Vendor", None).await;
    assert!(ids(&vendors, "VendorID").is_empty());
    let (_, vendors) = get(&c, &emu, "Vendor", Some("SHOW")).await;
    assert_eq!(ids(&vendors, "VendorID").len(), 10);
    // Saved and loaded: still archived, without the rules.
    emu.save().unwrap();
    drop(emu);
    let emu = Emulator::start(Config {
        persistence: Some(file),
        ..Config::default()
    })
    .await
    .unwrap();
    let c = signed_in(&emu).await;
    let (_, hidden) = get(&c, &emu, "SalesOrder", None).await;
    assert_eq!(ids(&hidden, "Status"), open);
    let (_, vendors) = get(&c, &emu, "Vendor", None).await;
    assert!(ids(&vendors, "VendorID").is_empty());
}

#[tokio::test]
async fn bad_rules_stop_the_start() {
    for rule in [
        ArchiveRule::new("NoSuchEntity", ""),
        ArchiveRule::new("SalesOrder", "Status eq"),
    ] {
        let config = Config {
            archived: vec![rule.clone()],
            ..Config::default()
        };
        let Err(err) = Emulator::start(config).await else {
            panic!("{rule:?} was accepted");
        };
        assert!(err.to_string().contains("archiving"), "{rule:?}: {err}");
    }
}
