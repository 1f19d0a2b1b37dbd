//! The batch benchmark (issue #5): 200 `get_by_id` calls against an emulator with 50 ms latency
//! per request and one request at a time per session, run four ways; then the client's own
//! overhead with zero latency. Run with `cargo xtask bench batch` (which builds the emulator
//! binary so that the overhead figures count only the client's CPU).
//!
//! Efficiency = ideal / actual, ideal = ceil(200 / lanes) × 50 ms + one sign-in round trip.

use std::time::{Duration, Instant};

use acumatica_emulator::{Config, Emulator, SeedCounts};
use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_sdk::prelude::*;

const CALLS: usize = 200;
const LATENCY: Duration = Duration::from_millis(50);

fn client(url: &str) -> AcumaticaClient {
    AcumaticaClient::builder()
        .base_url(url)
        .credentials(Credentials::new("admin", "admin").tenant("Company"))
        .build()
        .expect("client")
}

fn ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("C{i:03}")).collect()
}

struct Row {
    name: &'static str,
    lanes: usize,
    wall: Duration,
    logins: u64,
    ok: usize,
}

async fn latency_scenarios() -> (Vec<Row>, Duration) {
    let config = Config::default()
        .counts(SeedCounts {
            customers: CALLS,
            ..SeedCounts::NONE
        })
        .latency(LATENCY, Duration::ZERO);
    let emulator = Emulator::start(config).await.expect("emulator");
    let url = emulator.url().to_owned();

    // One sign-in round trip, measured.
    let probe = client(&url);
    let started = Instant::now();
    probe.login().await.expect("login");
    let login_rtt = started.elapsed();
    probe.logout().await.expect("logout");

    let mut rows = Vec::new();

    // 1. Sequential on one session.
    emulator.reset_metrics();
    let c = client(&url);
    let started = Instant::now();
    let mut ok = 0;
    for id in ids(CALLS) {
        ok += c.customers().get_by_id(id.as_str()).await.is_ok() as usize;
    }
    rows.push(Row {
        name: "sequential, one session",
        lanes: 1,
        wall: started.elapsed(),
        logins: emulator.metrics().logins,
        ok,
    });
    c.logout().await.ok();

    // 2. Ten tasks sharing the client's one session: the tenant serves them one at a time.
    emulator.reset_metrics();
    let c = client(&url);
    let started = Instant::now();
    let tasks: Vec<_> = ids(CALLS)
        .chunks(CALLS / 10)
        .map(|chunk| {
            let (c, chunk) = (c.clone(), chunk.to_vec());
            tokio::spawn(async move {
                let mut ok = 0;
                for id in chunk {
                    ok += c.customers().get_by_id(id.as_str()).await.is_ok() as usize;
                }
                ok
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap_or(0);
    }
    rows.push(Row {
        name: "10 tasks, one shared session",
        lanes: 10,
        wall: started.elapsed(),
        logins: emulator.metrics().logins,
        ok,
    });
    c.logout().await.ok();

    // 3 and 4. Batch with 10 and 20 sessions.
    for (name, lanes) in [
        ("Batch, max_concurrent 10", 10),
        ("Batch, max_concurrent 20", 20),
    ] {
        emulator.reset_metrics();
        let c = client(&url);
        let calls = c.customers().get_by_ids_batch(ids(CALLS));
        let started = Instant::now();
        let results = c.batch().max_concurrent(lanes).run_all(calls).await;
        let wall = started.elapsed();
        let ok = results.results().iter().filter(|r| r.is_ok()).count();
        rows.push(Row {
            name,
            lanes,
            wall,
            logins: emulator.metrics().logins,
            ok,
        });
    }
    (rows, login_rtt)
}

/// Process CPU time (user + system) from /proc/self/stat, in clock ticks of 10 ms (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

async fn overhead(n: usize) -> (f64, f64, Option<Duration>, &'static str) {
    // The emulator in its own process, so that the CPU time below is the client's alone.
    let (url, child, place) = match std::env::var("ACUMATICA_EMULATOR_BIN") {
        Ok(bin) => {
            use std::io::BufRead;
            let mut child = std::process::Command::new(bin)
                .args(["--port", "0", "--records", "200"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("emulator binary starts");
            let stdout = child.stdout.take().expect("stdout");
            let mut lines = std::io::BufReader::new(stdout).lines();
            let line = lines.next().and_then(Result::ok).unwrap_or_default();
            // Keep reading what it prints, or it dies of a broken pipe.
            std::thread::spawn(move || lines.for_each(drop));
            let url = line
                .split_whitespace()
                .find(|w| w.starts_with("http://"))
                .unwrap_or_default()
                .to_owned();
            (
                url,
                Some(child),
                "emulator in its own process: CPU is the client's",
            )
        }
        Err(_) => (
            String::new(),
            None,
            "emulator in this process: CPU includes the emulator's",
        ),
    };
    let in_process = if child.is_none() {
        Some(
            Emulator::start(Config::default().counts(SeedCounts {
                customers: 200,
                ..SeedCounts::NONE
            }))
            .await
            .expect("emulator"),
        )
    } else {
        None
    };
    let url = in_process
        .as_ref()
        .map(|e| e.url().to_owned())
        .unwrap_or(url);
    let c = client(&url);
    c.login().await.expect("login");
    let ids = ids(200);
    // Warm up connections and allocations.
    for id in ids.iter().take(50) {
        c.customers().get_by_id(id.as_str()).await.expect("call");
    }
    let cpu0 = cpu_time();
    let started = Instant::now();
    for i in 0..n {
        c.customers()
            .get_by_id(ids[i % ids.len()].as_str())
            .await
            .expect("call");
    }
    let wall = started.elapsed();
    let cpu = cpu_time().zip(cpu0).map(|(a, b)| a.saturating_sub(b));
    let sequential_rate = n as f64 / wall.as_secs_f64();

    let calls = c
        .customers()
        .get_by_ids_batch((0..n).map(|i| ids[i % ids.len()].clone()));
    let started = Instant::now();
    let results = c.batch().max_concurrent(8).run_all(calls).await;
    assert!(results.all_ok());
    let batch_rate = n as f64 / started.elapsed().as_secs_f64();
    c.logout().await.ok();
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
    (
        sequential_rate,
        batch_rate,
        cpu.map(|c| c / n as u32),
        place,
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (rows, login_rtt) = latency_scenarios().await;
        println!("\n{CALLS} get_by_id calls, {} ms latency per request, one request at a time per session", LATENCY.as_millis());
        println!("sign-in round trip: {:.1} ms\n", login_rtt.as_secs_f64() * 1000.0);
        println!("{:<32} {:>6} {:>10} {:>10} {:>10} {:>7} {:>6}", "scenario", "lanes", "wall", "ideal", "efficiency", "logins", "ok");
        for r in &rows {
            let ideal = LATENCY * CALLS.div_ceil(r.lanes) as u32 + login_rtt;
            println!(
                "{:<32} {:>6} {:>9.2}s {:>9.2}s {:>10.2} {:>7} {:>6}",
                r.name,
                r.lanes,
                r.wall.as_secs_f64(),
                ideal.as_secs_f64(),
                ideal.as_secs_f64() / r.wall.as_secs_f64(),
                r.logins,
                r.ok
            );
        }
        let n = 2000;
        let (seq, batch, cpu, place) = overhead(n).await;
        println!("\nclient overhead, zero latency, {n} get_by_id calls ({place}):");
        println!("  sequential on one session: {seq:.0} calls/s");
        println!("  Batch with 8 sessions:     {batch:.0} calls/s");
        match cpu {
            Some(c) => println!("  CPU per call (sequential): {:.0} µs", c.as_secs_f64() * 1e6),
            None => println!("  CPU per call: not measurable here (/proc/self/stat unavailable)"),
        }
    });
}
