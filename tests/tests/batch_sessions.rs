//! Batches take their sessions from the client's pool: signed out at the end of each batch by
//! default, or kept signed in between batches for `keep_sessions_idle`, and then signed out when
//! the time passes, on `logout()` and when the client is dropped.

use std::time::Duration;

use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_tests::{Emulator, builder, emulator, eventually};

async fn twenty_batches(client: &acumatica_sdk::AcumaticaClient, emu: &Emulator) -> Vec<usize> {
    let mut open_after = Vec::new();
    for _ in 0..20 {
        let results = client
            .batch()
            .max_concurrent(4)
            .run_all(
                client
                    .customers()
                    .get_by_ids_batch(["C001", "C002", "C003", "C004"]),
            )
            .await;
        assert_eq!(results.successful().count(), 4, "{}", results.report());
        open_after.push(emu.metrics().active_sessions);
    }
    open_after
}

#[tokio::test]
async fn by_default_every_batch_signs_its_sessions_out() {
    let emu = emulator().await;
    let client = builder(&emu).build().unwrap();
    let open_after = twenty_batches(&client, &emu).await;
    assert_eq!(open_after, vec![0; 20], "no session outlives its batch");
    let m = emu.metrics();
    assert_eq!(m.logins, 80, "4 sign-ins per batch");
    assert_eq!(m.logouts, 80);
}

#[tokio::test]
async fn kept_sessions_serve_the_next_batches_and_are_signed_out_at_logout() {
    let emu = emulator().await;
    let client = builder(&emu)
        .keep_sessions_idle(Duration::from_secs(60))
        .build()
        .unwrap();
    let open_after = twenty_batches(&client, &emu).await;
    assert!(open_after.iter().all(|n| *n <= 4), "{open_after:?}");
    let m = emu.metrics();
    assert!(
        m.logins <= 4,
        "at most max_concurrent sign-ins for 20 batches: {}",
        m.logins
    );
    assert_eq!(m.logouts, 0, "kept between batches");
    assert_eq!(m.peak_sessions, m.logins as usize);
    client.logout().await.unwrap();
    let m = emu.metrics();
    assert_eq!(m.active_sessions, 0, "logout() signs out the kept sessions");
    assert_eq!(m.logouts, m.logins);
}

#[tokio::test]
async fn kept_sessions_are_signed_out_when_the_idle_time_passes_or_the_client_goes() {
    let emu = emulator().await;
    let client = builder(&emu)
        .keep_sessions_idle(Duration::from_millis(200))
        .build()
        .unwrap();
    twenty_batches(&client, &emu).await;
    assert!(emu.metrics().active_sessions >= 1);
    eventually("idle sessions signed out", Duration::from_secs(5), || {
        emu.metrics().active_sessions == 0
    })
    .await;
    let m = emu.metrics();
    assert_eq!(m.logouts, m.logins);

    let client = builder(&emu)
        .keep_sessions_idle(Duration::from_secs(600))
        .build()
        .unwrap();
    twenty_batches(&client, &emu).await;
    assert!(emu.metrics().active_sessions >= 1);
    drop(client);
    eventually(
        "dropped client's sessions signed out",
        Duration::from_secs(5),
        || emu.metrics().active_sessions == 0,
    )
    .await;
    let m = emu.metrics();
    assert_eq!(m.logouts, m.logins);
}
