//! Seeded fault injection: 500, 503, dropped connections, slow bodies, on chosen routes.

mod common;

use std::time::Duration;

use acumatica_emulator::{Config, FaultKind, FaultRule};
use common::{base, call, login, start};
use serde_json::json;

#[tokio::test]
async fn status_faults_hit_only_matching_routes() {
    let config = Config::default()
        .fault(FaultRule::new(FaultKind::Status500, 1.0).on(Some("GET"), "/entity/*/Customer*"))
        .fault(FaultRule::new(FaultKind::Status503, 1.0).on(Some("GET"), "/entity/*/Vendor*"));
    let emu = start(config).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (status, body) = call(c.get(format!("{b}/Customer"))).await;
    assert_eq!(status, 500);
    assert_eq!(body["message"], "An error has occurred.");
    assert_eq!(call(c.get(format!("{b}/Vendor"))).await.0, 503);
    assert_eq!(call(c.get(format!("{b}/StockItem/ITEM001"))).await.0, 200);
    let m = emu.metrics();
    assert_eq!(m.faults_injected, 2);
    assert_eq!(m.requests_by_status[&503], 1);
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    async fn run() -> Vec<u16> {
        let mut config = Config::default().fault(
            FaultRule::new(FaultKind::Status500, 0.5).on(Some("GET"), "/entity/*/Customer/*"),
        );
        config.fault_seed = 1234;
        let emu = start(config).await;
        let c = login(&emu).await;
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(
                c.get(format!("{}/Customer/C001", base(&emu)))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        out
    }
    let (a, b) = (run().await, run().await);
    assert_eq!(a, b);
    let faults = a.iter().filter(|s| **s == 500).count();
    assert!((8..=32).contains(&faults), "{faults} of 40 at rate 0.5");
}

#[tokio::test]
async fn dropped_connections_and_slow_bodies() {
    let config = Config::default()
        .fault(
            FaultRule::new(FaultKind::DropConnection, 1.0)
                .on(Some("PUT"), "/entity/*/Customer")
                .after_handler(),
        )
        .fault(
            FaultRule::new(FaultKind::SlowBody(Duration::from_millis(300)), 1.0)
                .on(Some("GET"), "/entity/*/StockItem/*"),
        );
    let emu = start(config).await;
    let c = login(&emu).await;
    let b = base(&emu);
    // The write is applied, but the client never learns it: exactly what retries must handle.
    let sent = c
        .put(format!("{b}/Customer"))
        .json(&json!({"CustomerID": {"value": "DROPPED"}}))
        .send()
        .await;
    let failed = match sent {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(failed, "the connection should break");
    let record = emu
        .store()
        .find("Customer", &["DROPPED"])
        .expect("applied before the drop");
    let id = record["id"].as_str().unwrap();
    assert_eq!(emu.metrics().writes[&format!("Customer/{id}")], 1);

    let started = std::time::Instant::now();
    let (status, item) = call(c.get(format!("{b}/StockItem/ITEM002"))).await;
    assert_eq!(status, 200);
    assert_eq!(item["InventoryID"]["value"], "ITEM002");
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "the body was trickled out"
    );
    assert_eq!(emu.metrics().faults_injected, 2);
}
