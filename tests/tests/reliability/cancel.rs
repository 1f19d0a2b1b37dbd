//! Batches dropped at random moments (as `tokio::time::timeout` or `select!` drop them): before
//! their first call, mid-way, while lanes sign in, and after the last call while the lanes sign
//! out. Every session that signed in is signed out, exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use acumatica_emulator::Config;
use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{builder_at, emulator_with, eventually};

const BATCHES: usize = 100;
const CALLS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_dropped_at_random_moments_leave_no_session() {
    // Every answer reaches the client 3 ms after the server sent it, so that the lanes' sign-outs
    // are in flight for a while (the server may or may not have signed out when the cut comes).
    let emu =
        emulator_with(Config::default().latency(Duration::from_millis(2), Duration::ZERO)).await;
    let proxy = RecordingProxy::with_delay(emu.addr(), Duration::from_millis(3)).await;
    let client = builder_at(proxy.url(), &emu).build().unwrap();
    let ids: Vec<String> = (1..=CALLS).map(|i| format!("C{i:03}")).collect();

    // How long an uncut batch takes, to spread the cuts over it.
    let started = std::time::Instant::now();
    let whole = client
        .batch()
        .max_concurrent(4)
        .run_all(client.customers().get_by_ids_batch(&ids))
        .await;
    assert_eq!(whole.successful().count(), CALLS);
    let full = started.elapsed();

    let mut rng = fastrand::Rng::with_seed(8);
    let (mut before_any, mut mid_way, mut signing_out) = (0, 0, 0);
    for i in 0..BATCHES {
        let done = Arc::new(AtomicUsize::new(0));
        let all_done = Arc::new(tokio::sync::Notify::new());
        let (seen, notify) = (done.clone(), all_done.clone());
        let batch = client
            .batch()
            .max_concurrent(4)
            .on_progress(move |n, total| {
                seen.store(n, Ordering::SeqCst);
                if n == total {
                    notify.notify_one();
                }
            });
        let calls = client.customers().get_by_ids_batch(&ids);
        let run = batch.run_all(calls);
        // Half the cuts at a random moment of the whole batch, half just after its last call,
        // while its lanes sign out.
        let cut_at = full.mul_f64(rng.f64());
        let after_last = Duration::from_micros(rng.u64(0..4_000));
        let cut = async {
            if i % 2 == 0 {
                tokio::time::sleep(cut_at).await;
            } else {
                all_done.notified().await;
                tokio::time::sleep(after_last).await;
            }
        };
        let finished = tokio::select! {
            _ = run => true,
            () = cut => false,
        };
        match done.load(Ordering::SeqCst) {
            _ if finished => {}
            0 => before_any += 1,
            n if n < CALLS => mid_way += 1,
            _ => signing_out += 1,
        }
    }
    eventually("every session signed out", Duration::from_secs(10), || {
        emu.metrics().active_sessions == 0
    })
    .await;
    let m = emu.metrics();
    let stats = client.stats();
    eprintln!(
        "cancel: {BATCHES} batches: {before_any} cut before any call ended, {mid_way} mid-way, \
         {signing_out} after the last call (signing out); {} sign-ins, {} sign-outs",
        m.logins, m.logouts
    );
    assert!(
        signing_out >= 30 && mid_way >= 10,
        "the cuts cover sign-out ({signing_out}) and mid-way ({mid_way})"
    );
    assert_eq!(m.active_sessions, 0);
    assert_eq!(m.logins, m.logouts, "each session signed out exactly once");
    assert_eq!(stats.logins, m.logins);
    assert_eq!(stats.failed_logouts, 0);
    assert_eq!(m.expired_sessions, 0);
}
