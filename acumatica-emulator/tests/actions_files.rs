//! Actions (quick, workflow, long-running with polling) and file attachments both ways.

mod common;

use std::time::{Duration, Instant};

use acumatica_emulator::Config;
use common::{base, call, login, start, val};
use serde_json::json;

#[tokio::test]
async fn quick_and_workflow_actions_change_the_record() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let resp = c
        .post(format!("{b}/SalesOrder/CancelSalesOrder"))
        .json(&json!({"entity": {"OrderType": {"value": "SO"}, "OrderNbr": {"value": "000002"}}, "parameters": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, so) = call(c.get(format!("{b}/SalesOrder/SO/000002"))).await;
    assert_eq!(val(&so, "Status"), "Cancelled");

    // A workflow action through the same URL, the record named by id, any case.
    let id = so["id"].as_str().unwrap();
    let resp = c
        .post(format!("{b}/SalesOrder/putonhold"))
        .json(&json!({"entity": {"id": id}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, so) = call(c.get(format!("{b}/SalesOrder/{id}"))).await;
    assert_eq!(
        (val(&so, "Hold"), val(&so, "Status")),
        (&json!(true), &json!("On Hold"))
    );
    assert_eq!(emu.metrics().actions_started, 2);
    assert_eq!(emu.metrics().writes[&format!("SalesOrder/{id}")], 2);

    let (status, _) = call(
        c.post(format!("{b}/SalesOrder/LaunchRocket"))
            .json(&json!({"entity": {"id": id}})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) =
        call(c.post(format!("{b}/SalesOrder/CancelSalesOrder")).json(
            &json!({"entity": {"OrderType": {"value": "SO"}, "OrderNbr": {"value": "999999"}}}),
        ))
        .await;
    assert_eq!(
        (status, body["exceptionType"].as_str()),
        (
            500,
            Some("PX.Api.ContractBased.NoEntitySatisfiesTheConditionException")
        )
    );
    assert_eq!(
        call(
            c.post(format!("{b}/SalesOrder/CancelSalesOrder"))
                .header("Content-Type", "application/json")
                .body("{oops")
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn long_running_actions_are_polled_and_block_their_session() {
    let mut config = Config::default();
    config.long_running.duration = Duration::from_millis(400);
    let emu = start(config).await;
    let c = login(&emu).await;
    let other = login(&emu).await;
    let b = base(&emu);
    let inv = emu
        .store()
        .list("Invoice")
        .into_iter()
        .find(|i| i["Status"]["value"] != "Open")
        .unwrap();
    let key = inv["ReferenceNbr"]["value"].as_str().unwrap().to_owned();
    let resp = c
        .post(format!("{b}/Invoice/ReleaseInvoice"))
        .json(&json!({"entity": {"Type": {"value": "INV"}, "ReferenceNbr": {"value": key}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/entity/Default/24.200.001/Invoice/ReleaseInvoice/status/"),
        "{location}"
    );

    // While it runs, the session refuses other requests; other sessions are unaffected.
    let (status, body) = call(c.get(format!("{b}/Customer/C001"))).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(call(other.get(format!("{b}/Customer/C001"))).await.0, 200);

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut saw_running = false;
    loop {
        let status = c
            .get(format!("{}{location}", emu.url()))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        match status {
            202 => saw_running = true,
            204 => break,
            other => panic!("status poll answered {other}"),
        }
        assert!(Instant::now() < deadline, "the action never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(saw_running);
    let (status, after) = call(c.get(format!("{b}/Invoice/Invoice/{key}"))).await;
    assert_eq!(status, 200);
    assert_eq!(val(&after, "Status"), "Open");
}

#[tokio::test]
async fn files_upload_both_ways_list_and_download() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    let b = base(&emu);
    let (_, item) = call(c.get(format!("{b}/StockItem/ITEM001"))).await;
    let put_link = item["_links"]["files:put"]
        .as_str()
        .unwrap()
        .replace("{filename}", "photo.jpg");
    let resp = c
        .put(format!("{}{put_link}", emu.url()))
        .header("Content-Type", "application/octet-stream")
        .header("PX-CbFileComment", "front view")
        .body(vec![1u8, 2, 3, 255])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/files/")
    );
    let resp = c
        .put(format!("{b}/StockItem/ITEM001/files/spec.txt"))
        .body("spec sheet")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);

    let (_, with_files) = call(c.get(format!("{b}/StockItem/ITEM001?$expand=files"))).await;
    let files = with_files["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let photo = files
        .iter()
        .find(|f| f["filename"].as_str().unwrap().ends_with("\\photo.jpg"))
        .unwrap();
    assert!(photo["filename"].as_str().unwrap().contains("(ITEM001)"));
    assert_eq!(photo["comment"], "front view");
    let bytes = c
        .get(format!("{}{}", emu.url(), photo["href"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], &[1u8, 2, 3, 255]);
    // Without $expand=files there is no list.
    let (_, plain) = call(c.get(format!("{b}/StockItem/ITEM001"))).await;
    assert!(plain.get("files").is_none());

    // Detail lines have their own files:put link.
    let (_, so) = call(c.get(format!("{b}/SalesOrder/SO/000001?$expand=Details"))).await;
    let line_link = so["Details"][0]["_links"]["files:put"]
        .as_str()
        .unwrap()
        .replace("{filename}", "line.txt");
    assert_eq!(
        c.put(format!("{}{line_link}", emu.url()))
            .body("x")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let (_, so) = call(c.get(format!(
        "{b}/SalesOrder/SO/000001?$expand=Details,Details/files"
    )))
    .await;
    assert_eq!(so["Details"][0]["files"].as_array().unwrap().len(), 1);

    assert_eq!(
        call(c.put(format!("{b}/StockItem/NOPE/files/a.txt")).body("x"))
            .await
            .0,
        500
    );
    assert_eq!(
        call(c.get(format!("{b}/files/{}", uuid::Uuid::new_v4())))
            .await
            .0,
        500
    );
}
