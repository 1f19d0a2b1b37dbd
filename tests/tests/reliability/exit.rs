//! The most common program shape: the last client handle goes away at the end of
//! `#[tokio::main]`, right before the runtime shuts down, or outside any runtime. The session is
//! signed out all the same, before the drop returns.
//!
//! The emulator runs on a runtime of its own here, as a tenant would: it outlives the client's.

use std::time::Duration;

use acumatica_emulator::{Config, Emulator};
use acumatica_sdk::AcumaticaClient;
use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_tests::credentials;
use acumatica_tests::proxy::RecordingProxy;

/// An emulator on its own runtime (dropped after the emulator).
fn tenant(config: Config) -> (Emulator, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = runtime.block_on(Emulator::start(config)).unwrap();
    (emu, runtime)
}

fn client(emu: &Emulator) -> AcumaticaClient {
    // The default drop_logout_timeout (5 s): these are the cases it is for.
    AcumaticaClient::builder()
        .base_url(emu.url())
        .credentials(credentials(emu))
        .build()
        .unwrap()
}

/// What `#[tokio::main]` expands to: a runtime, `block_on(main body)`, the runtime dropped.
fn main_like(current_thread: bool, body: impl std::future::Future<Output = ()>) {
    let runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()
    .unwrap();
    runtime.block_on(body);
    drop(runtime);
}

fn signed_out_once(emu: &Emulator, logins: u64) {
    let m = emu.metrics();
    assert_eq!(m.logins, logins, "{m:?}");
    assert_eq!(m.logouts, logins, "every session signed out: {m:?}");
    assert_eq!(m.active_sessions, 0);
}

#[test]
fn a_client_dropped_at_the_end_of_main_signs_out() {
    for current_thread in [true, false] {
        let (emu, _rt) = tenant(Config::default());
        main_like(current_thread, async {
            let client = client(&emu);
            let c = client.customers().get_by_id("C001").await.unwrap();
            assert_eq!(c.customer_id, "C001");
            // `client` is dropped here, the runtime right after.
        });
        signed_out_once(&emu, 1);
    }
}

#[test]
fn a_client_dropped_outside_any_runtime_signs_out() {
    let (emu, _rt) = tenant(Config::default());
    let mut kept = None;
    main_like(true, async {
        let client = client(&emu);
        client.login().await.unwrap();
        kept = Some(client);
    });
    assert_eq!(emu.metrics().active_sessions, 1, "still signed in");
    drop(kept);
    signed_out_once(&emu, 1);
}

#[test]
fn a_batch_still_running_when_main_returns_signs_out_its_lanes() {
    let (emu, _rt) = tenant(Config::default().latency(Duration::from_millis(20), Duration::ZERO));
    main_like(false, async {
        let client = client(&emu);
        let calls = client
            .customers()
            .get_by_ids_batch((1..=20).map(|i| format!("C{i:03}")));
        let batch = client.batch().max_concurrent(5);
        tokio::spawn(async move { batch.run_all(calls).await });
        // Main returns while the lanes are signed in and working.
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(emu.metrics().active_sessions >= 1);
    });
    let m = emu.metrics();
    assert!(m.logins >= 1, "{m:?}");
    signed_out_once(&emu, m.logins);
}

#[test]
fn a_cancelled_logout_is_finished_in_the_background() {
    let (emu, rt) = tenant(Config::default());
    // Answers reach the client 50 ms late: the caller stops waiting long before the sign-out's.
    let proxy = rt.block_on(RecordingProxy::with_delay(
        emu.addr(),
        Duration::from_millis(50),
    ));
    main_like(false, async {
        let client = AcumaticaClient::builder()
            .base_url(proxy.url())
            .credentials(credentials(&emu))
            .build()
            .unwrap();
        client.login().await.unwrap();
        // The caller stops waiting at once; the sign-out goes on.
        let cut = tokio::time::timeout(Duration::from_micros(1), client.logout()).await;
        assert!(cut.is_err(), "the wait was cut");
        acumatica_tests::eventually("signed out", Duration::from_secs(5), || {
            emu.metrics().logouts == 1
        })
        .await;
        assert!(!client.session().is_active());
    });
    signed_out_once(&emu, 1);
}
