//! A sign-out that fails for good is logged at WARN, once per session, with no secret in it.
//! (Its own test binary: tracing's callsite cache and concurrent log captures in other tests of
//! one process do not mix.)

use acumatica_emulator::{FaultKind, FaultRule};
use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_tests::logs::LogCapture;
use acumatica_tests::{Config, builder, emulator_with};

#[tokio::test]
async fn a_sign_out_that_fails_for_good_is_a_warning() {
    let broken = FaultRule::new(FaultKind::Status503, 1.0).on(Some("POST"), "/entity/auth/logout");
    let emu = emulator_with(Config::default().fault(broken)).await;
    let client = builder(&emu).build().unwrap();
    let (logs, _guard) = LogCapture::install();
    let results = client
        .batch()
        .max_concurrent(3)
        .run_all(
            client
                .customers()
                .get_by_ids_batch(["C001", "C002", "C003"]),
        )
        .await;
    assert_eq!(results.report().failed_logouts, 3);
    let text = logs.text();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains(" WARN ")).collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    for w in &warnings {
        assert!(w.contains("sign-out failed") && w.contains("503"), "{w}");
        assert!(!w.contains("ASPXAUTH") && !w.contains("admin"), "{w}");
    }
}
