//! The license benchmark (issue #9): 1,000 `get_by_id` calls against an emulated license of 5
//! API users, 4 concurrent requests (at most 20 queued, the rest declined with 429), 20 ms per
//! request, and a per-minute limit scaled so that its delays begin half-way through the batch;
//! with fixed `max_concurrent` 2, 4, 10 and 20, and with adaptive lanes. Run with
//! `cargo xtask bench license`. One run per row, side by side: figures, not a timed test.
//!
//! The license's own bound (the shortest time any client could take):
//! - the cores: `calls × 20 ms / 4`;
//! - the per-minute limit `L` over a window `W` (here 1,000 over 6 s): the first `L / 2`
//!   requests run at the cores' pace (until `t0`), then the tenant spreads the remaining
//!   `L / 2` over what is left of the window, `(W − t0) / (L / 2)` apart;
//! - bound = the later of the two, plus one sign-in round trip. Fraction = bound / wall time.

use std::time::{Duration, Instant};

use acumatica_emulator::{Config, Emulator, PipelineConfig, SeedCounts};
use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_sdk::prelude::*;

const CALLS: usize = 1_000;
const LATENCY: Duration = Duration::from_millis(20);
const USERS: usize = 5;
const CORES: usize = 4;
const PER_WINDOW: u32 = 1_000;
const WINDOW: Duration = Duration::from_secs(6);

fn config() -> Config {
    Config::default()
        .counts(SeedCounts {
            customers: 100,
            ..SeedCounts::NONE
        })
        .latency(LATENCY, Duration::ZERO)
        .max_sessions(Some(USERS))
        .pipeline(PipelineConfig {
            concurrent_requests: Some(CORES),
            max_queued: 20,
            requests_per_minute: Some(PER_WINDOW),
            window: WINDOW,
            ..PipelineConfig::default()
        })
}

/// The license's bound for `calls` (see the module docs), without the sign-in.
fn bound(calls: usize) -> Duration {
    let per_core = LATENCY.as_secs_f64() / CORES as f64;
    let cores = calls as f64 * per_core;
    let half = f64::from(PER_WINDOW) / 2.0;
    let t0 = half * per_core;
    let paced = if calls as f64 > half {
        t0 + (calls as f64 - half) * (WINDOW.as_secs_f64() - t0).max(0.0) / half
    } else {
        0.0
    };
    Duration::from_secs_f64(cores.max(paced))
}

struct Row {
    name: String,
    ok: usize,
    failed: usize,
    declined: u64,
    refusals: u64,
    logins: u64,
    lanes: String,
    wall: Duration,
}

async fn scenario(name: String, lanes: usize, adaptive: bool) -> (Row, Duration) {
    let emulator = Emulator::start(config()).await.expect("emulator");
    let client = AcumaticaClient::builder()
        .base_url(emulator.url())
        .credentials(Credentials::new("admin", "admin").tenant("Company"))
        .build()
        .expect("client");
    // One sign-in round trip, measured on a probe (signed out again).
    let started = Instant::now();
    client.login().await.expect("login");
    let login_rtt = started.elapsed();
    client.logout().await.expect("logout");
    emulator.reset_metrics();

    let ids: Vec<String> = (0..CALLS).map(|i| format!("C{:03}", i % 100 + 1)).collect();
    let calls = client.customers().get_by_ids_batch(&ids);
    let started = Instant::now();
    let results = client
        .batch()
        .max_concurrent(lanes)
        .adaptive(adaptive)
        .run_all(calls)
        .await;
    let wall = started.elapsed();
    let m = emulator.metrics();
    let report = results.report();
    let row = Row {
        name,
        ok: report.successful,
        failed: report.failed,
        declined: m.rate_limited,
        refusals: m.login_limit_rejections,
        logins: m.logins,
        lanes: if adaptive {
            format!(
                "{}..{} (end {})",
                report.lanes_min, report.lanes_max, report.lanes_final
            )
        } else {
            format!("{}", report.sessions_used)
        },
        wall,
    };
    (row, login_rtt)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut rows = Vec::new();
        let mut login_rtt = Duration::ZERO;
        for lanes in [2, 4, 10, 20] {
            let (row, rtt) = scenario(format!("fixed max_concurrent {lanes}"), lanes, false).await;
            login_rtt = login_rtt.max(rtt);
            rows.push(row);
        }
        let (adaptive, rtt) = scenario("adaptive (ceiling 20)".into(), 20, true).await;
        login_rtt = login_rtt.max(rtt);
        rows.push(adaptive);

        let bound = bound(CALLS) + login_rtt;
        println!(
            "license: {USERS} API users, {CORES} concurrent requests, 20 queued, {} ms a request, \
             {PER_WINDOW} requests per {:?} window; {CALLS} get_by_id calls",
            LATENCY.as_millis(),
            WINDOW
        );
        println!(
            "bound: {bound:.2?} (cores {:.2?}, per-window pacing from request {}; + sign-in {login_rtt:.1?})",
            Duration::from_secs_f64(CALLS as f64 * LATENCY.as_secs_f64() / CORES as f64),
            PER_WINDOW / 2
        );
        println!();
        println!(
            "| setting | completed | failed | declined (429) | login-limit refusals | sign-ins | lanes | wall | fraction of bound |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for r in &rows {
            println!(
                "| {} | {}/{CALLS} | {} | {} | {} | {} | {} | {:.2?} | {:.2} |",
                r.name,
                r.ok,
                r.failed,
                r.declined,
                r.refusals,
                r.logins,
                r.lanes,
                r.wall,
                bound.as_secs_f64() / r.wall.as_secs_f64()
            );
        }
        let a = rows.last().expect("the adaptive row");
        println!(
            "license bench: adaptive completed {}/{CALLS}, failed {}, declined {}, fraction of bound {:.2}",
            a.ok,
            a.failed,
            a.declined,
            bound.as_secs_f64() / a.wall.as_secs_f64()
        );
    });
}
