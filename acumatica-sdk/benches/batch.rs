//! The batch benchmark (issues #5 and #9): 200 `get_by_id` calls against an emulator with 50 ms
//! latency per request and one request at a time per session, run six ways (the last by hand:
//! spawned tasks with a client each, for contrast); then the client's
//! own overhead with zero latency, beside a bare reqwest client sending the same requests; then
//! the decode of one page of customers, typed and into `serde_json::Value`. Run with
//! `cargo xtask bench batch` (which builds the emulator binary so that the overhead figures count
//! only the client's CPU).
//!
//! Efficiency = ideal / actual, ideal = ceil(200 / lanes) × 50 ms + one sign-in round trip. A
//! batch is shown twice: its wall (what the caller waits for, with the final sign-outs) and its
//! timed part (`BatchReport::elapsed`); each batch runs five times and the median is shown. The
//! floor of one request, a bare reqwest client's round trip at the same latency, is measured and
//! printed, with the efficiency against it.
//!
//! `ACUMATICA_BENCH_ONLY=overhead` runs the zero-latency part only, `=latency` the latency
//! scenarios only (for profiling);
//! `ACUMATICA_BENCH_CALLS` sets its number of calls (2,000).

use std::time::{Duration, Instant};

use acumatica_emulator::{Config, Emulator, SeedCounts};
use acumatica_sdk::default::DefaultEndpoint as _;
use acumatica_sdk::prelude::*;

const CALLS: usize = 200;
const LATENCY: Duration = Duration::from_millis(50);
/// Runs of each batch scenario (the median is shown, with the range).
const REPEATS: usize = 5;
/// Rounds of the zero-latency overhead measurement (the best is kept).
const ROUNDS: usize = 5;

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
    /// The whole call, as the caller waits for it (for a batch: with the final sign-outs).
    wall: Duration,
    /// A batch's own timed part (`BatchReport::elapsed`: lazy sign-ins and calls, without
    /// the final sign-outs).
    timed: Option<Duration>,
    /// A batch's median call time.
    p50: Option<Duration>,
    logins: u64,
    ok: usize,
    /// For a repeated batch: its fastest and slowest timed part.
    range: Option<(Duration, Duration)>,
}

async fn latency_scenarios() -> (Vec<Row>, Duration, Duration, Duration) {
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
    let started = Instant::now();
    probe.logout().await.expect("logout");
    let logout_rtt = started.elapsed();

    // The floor of one request: a bare reqwest client's round trip (no SDK) at this latency.
    let bare = Bare::new(&url).await;
    bare.run(&ids(CALLS), 2).await;
    let (took, _) = bare.run(&ids(CALLS), 20).await;
    bare.logout().await;
    let floor = took / 20;

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
        timed: None,
        p50: None,
        logins: emulator.metrics().logins,
        ok,
        range: None,
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
        timed: None,
        p50: None,
        logins: emulator.metrics().logins,
        ok,
        range: None,
    });
    c.logout().await.ok();

    // 3, 4 and 5, each REPEATS times (one batch lasts half a second to a second, and the spread
    // between two batches on a shared 2-core VM is wider than the gap to the target): Batch with
    // 10 and 20 sessions, then 10 with the sessions kept idle afterwards (its wall then has no
    // sign-outs).
    // The scenarios take turns, so that a drift of the machine over the minute touches each alike.
    //
    // Beside them, the hand-written plumbing a Batch replaces: 20 spawned tasks, each with its
    // own client (its own session), 10 calls each. Its timed part is the calls and sign-ins,
    // without the sign-outs, like a batch's.
    let scenarios = [
        ("Batch, max_concurrent 10", 10, Some(false)),
        ("Batch, max_concurrent 20", 20, Some(false)),
        ("Batch, 10, sessions kept idle", 10, Some(true)),
        ("20 spawned tasks, a client each", 20, None),
    ];
    let mut runs: Vec<Vec<Row>> = scenarios.iter().map(|_| Vec::new()).collect();
    for _ in 0..REPEATS {
        for (&(name, lanes, batch), runs) in scenarios.iter().zip(&mut runs) {
            emulator.reset_metrics();
            let row = match batch {
                Some(keep) => batch_run(&url, lanes, keep).await,
                None => spawned_run(&url, lanes).await,
            };
            runs.push(Row {
                name,
                lanes,
                logins: emulator.metrics().logins,
                ..row
            });
        }
    }
    for mut runs in runs {
        // The median run by its timed part; the others give the range.
        runs.sort_by_key(|r| r.timed);
        let range = (runs[0].timed, runs[REPEATS - 1].timed);
        let mut median = runs.swap_remove(REPEATS / 2);
        median.range = range.0.zip(range.1);
        rows.push(median);
    }
    (rows, login_rtt, logout_rtt, floor)
}

/// One batch of the 200 calls over `lanes` sessions (kept idle afterwards if `keep`).
async fn batch_run(url: &str, lanes: usize, keep: bool) -> Row {
    let mut builder = AcumaticaClient::builder()
        .base_url(url)
        .credentials(Credentials::new("admin", "admin").tenant("Company"));
    if keep {
        builder = builder.keep_sessions_idle(Duration::from_secs(60));
    }
    let c = builder.build().expect("client");
    let calls = c.customers().get_by_ids_batch(ids(CALLS));
    let started = Instant::now();
    let results = c.batch().max_concurrent(lanes).run_all(calls).await;
    let wall = started.elapsed();
    c.logout().await.ok();
    Row {
        name: "",
        lanes,
        wall,
        timed: Some(results.report().elapsed),
        p50: Some(results.report().p50()),
        logins: 0,
        ok: results.results().iter().filter(|r| r.is_ok()).count(),
        range: None,
    }
}

/// The 200 calls by hand: `tasks` spawned tasks with a client each, then every client signed
/// out (the wall) after the calls (the timed part).
async fn spawned_run(url: &str, tasks: usize) -> Row {
    let all = ids(CALLS);
    let started = Instant::now();
    let handles: Vec<_> = all
        .chunks(CALLS.div_ceil(tasks))
        .map(|chunk| {
            let (c, chunk) = (client(url), chunk.to_vec());
            tokio::spawn(async move {
                let mut ok = 0;
                for id in chunk {
                    ok += c.customers().get_by_id(id.as_str()).await.is_ok() as usize;
                }
                (c, ok)
            })
        })
        .collect();
    let (mut clients, mut ok) = (Vec::new(), 0);
    for h in handles {
        let (c, n) = h.await.expect("task");
        clients.push(c);
        ok += n;
    }
    let timed = started.elapsed();
    futures::future::join_all(clients.iter().map(|c| c.logout())).await;
    Row {
        name: "",
        lanes: tasks,
        wall: started.elapsed(),
        timed: Some(timed),
        p50: None,
        logins: 0,
        ok,
        range: None,
    }
}

async fn latency_table() {
    let (rows, login_rtt, logout_rtt, floor) = latency_scenarios().await;
    println!(
        "\n{CALLS} get_by_id calls, {} ms latency per request, one request at a time per session",
        LATENCY.as_millis()
    );
    println!(
        "sign-in round trip: {:.1} ms, sign-out round trip: {:.1} ms",
        login_rtt.as_secs_f64() * 1000.0,
        logout_rtt.as_secs_f64() * 1000.0
    );
    println!(
        "ideal = ceil({CALLS} / lanes) x {} ms + one sign-in; a batch's timed part is \
         BatchReport::elapsed (sign-ins and calls); its wall adds the final sign-outs\n",
        LATENCY.as_millis()
    );
    println!(
        "{:<32} {:>6} {:>9} {:>9} {:>10} {:>9} {:>10} {:>8} {:>7} {:>6}",
        "scenario",
        "lanes",
        "wall",
        "ideal",
        "efficiency",
        "timed",
        "efficiency",
        "p50 call",
        "logins",
        "ok"
    );
    for r in &rows {
        let ideal = LATENCY * CALLS.div_ceil(r.lanes) as u32 + login_rtt;
        let (timed, timed_eff) = match r.timed {
            Some(t) => (
                format!("{:.3}s", t.as_secs_f64()),
                format!("{:.3}", ideal.as_secs_f64() / t.as_secs_f64()),
            ),
            None => ("-".into(), "-".into()),
        };
        let p50 = r
            .p50
            .map_or("-".into(), |d| format!("{:.1}ms", d.as_secs_f64() * 1e3));
        println!(
            "{:<32} {:>6} {:>8.3}s {:>8.3}s {:>10.3} {:>9} {:>10} {:>8} {:>7} {:>6}",
            r.name,
            r.lanes,
            r.wall.as_secs_f64(),
            ideal.as_secs_f64(),
            ideal.as_secs_f64() / r.wall.as_secs_f64(),
            timed,
            timed_eff,
            p50,
            r.logins,
            r.ok
        );
    }
    for r in &rows {
        if let Some((fast, slow)) = r.range {
            let ideal = (LATENCY * CALLS.div_ceil(r.lanes) as u32 + login_rtt).as_secs_f64();
            println!(
                "{}: the median of {REPEATS} runs above; timed efficiency over the runs {:.3} to {:.3}",
                r.name,
                ideal / slow.as_secs_f64(),
                ideal / fast.as_secs_f64()
            );
        }
    }
    println!(
        "\na bare reqwest client's round trip at this latency (no SDK): {:.2} ms on average (the \
         floor of one request: the emulator's latency, loopback HTTP, waking the threads)",
        floor.as_secs_f64() * 1e3
    );
    for r in rows.iter().filter(|r| r.timed.is_some()) {
        let floor_ideal = floor * CALLS.div_ceil(r.lanes) as u32 + login_rtt;
        println!(
            "{}: timed part against ceil({CALLS} / lanes) x that floor + one sign-in ({:.3}s): \
             efficiency {:.3}",
            r.name,
            floor_ideal.as_secs_f64(),
            floor_ideal.as_secs_f64() / r.timed.unwrap_or(r.wall).as_secs_f64()
        );
    }
    for r in rows.iter().filter(|r| r.timed.is_some()) {
        let ideal = LATENCY * CALLS.div_ceil(r.lanes) as u32 + login_rtt + logout_rtt;
        println!(
            "{}: wall against ideal + one sign-out round trip ({:.3}s): efficiency {:.3}",
            r.name,
            ideal.as_secs_f64(),
            ideal.as_secs_f64() / r.wall.as_secs_f64()
        );
    }
}

/// Process CPU time: the sum of every thread's time on a CPU from /proc/self/task/*/schedstat
/// (nanoseconds; the runtime's threads live as long as the process), or else user + system
/// from /proc/self/stat in clock ticks of 10 ms (Linux).
fn cpu_time() -> Option<Duration> {
    let from_schedstat = || -> Option<Duration> {
        let mut total = 0u64;
        for task in std::fs::read_dir("/proc/self/task").ok()? {
            let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
            total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(Duration::from_nanos(total))
    };
    from_schedstat().or_else(|| {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after = stat.rsplit_once(") ")?.1;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    })
}

struct Overhead {
    sequential_rate: f64,
    batch_rate: f64,
    cpu: Option<Duration>,
    place: &'static str,
    page: Vec<u8>,
    bare: Option<Duration>,
}

async fn overhead(n: usize) -> Overhead {
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
    let page = customer_page(&url, client(&url).config().page_size).await;
    let bare_client = Bare::new(&url).await;
    let c = client(&url);
    c.login().await.expect("login");
    let ids = ids(200);
    // Warm up connections and allocations.
    for id in ids.iter().take(50) {
        c.customers().get_by_id(id.as_str()).await.expect("call");
    }
    // The CPU time of a process on a shared machine moves with what the neighbours do (twice
    // as much or more while another build runs): the SDK and the bare client take turns,
    // ROUNDS times, and the best round of each is kept.
    let (mut wall, mut cpu, mut bare) = (Duration::MAX, None::<Duration>, None::<Duration>);
    bare_client.run(&ids, 50).await;
    for _ in 0..ROUNDS {
        let (w, c_) = measure(async {
            for i in 0..n {
                c.customers()
                    .get_by_id(ids[i % ids.len()].as_str())
                    .await
                    .expect("call");
            }
        })
        .await;
        wall = wall.min(w);
        cpu = match (cpu, c_) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let (_, b) = bare_client.run(&ids, n).await;
        bare = match (bare, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    bare_client.logout().await;
    let bare = bare.map(|b| b / n as u32);
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
    Overhead {
        sequential_rate,
        batch_rate,
        cpu: cpu.map(|c| c / n as u32),
        place,
        page,
        bare,
    }
}

/// The wire bytes of one page of customers (`$top` = the client's page size), as the tenant
/// sends them, fetched with a bare HTTP client.
async fn customer_page(url: &str, top: u32) -> Vec<u8> {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{url}/entity/auth/login"))
        .json(&serde_json::json!({"name": "admin", "password": "admin", "tenant": "Company"}))
        .send()
        .await
        .expect("login");
    let cookie = login
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let page = http
        .get(format!(
            "{url}/entity/Default/24.200.001/Customer?$top={top}"
        ))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .expect("page")
        .bytes()
        .await
        .expect("page body")
        .to_vec();
    let _ = http
        .post(format!("{url}/entity/auth/logout"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await;
    page
}

/// The floor under the SDK: the same `GET /Customer/{id}` sent with a bare reqwest client (one
/// cookie, the body read to bytes, nothing decoded).
struct Bare {
    http: reqwest::Client,
    url: String,
    cookie: String,
}

impl Bare {
    async fn new(url: &str) -> Bare {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(100))
            .build()
            .expect("http");
        let login = http
            .post(format!("{url}/entity/auth/login"))
            .json(&serde_json::json!({"name": "admin", "password": "admin", "tenant": "Company"}))
            .send()
            .await
            .expect("login");
        let cookie = login
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next())
            .collect::<Vec<_>>()
            .join("; ");
        Bare {
            http,
            url: url.to_owned(),
            cookie,
        }
    }

    /// `n` GETs in a row: (wall, CPU).
    async fn run(&self, ids: &[String], n: usize) -> (Duration, Option<Duration>) {
        measure(async {
            for i in 0..n {
                self.http
                    .get(format!(
                        "{}/entity/Default/24.200.001/Customer/{}",
                        self.url,
                        ids[i % ids.len()]
                    ))
                    .header(reqwest::header::COOKIE, &self.cookie)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .expect("get")
                    .bytes()
                    .await
                    .expect("body");
            }
        })
        .await
    }

    async fn logout(&self) {
        let _ = self
            .http
            .post(format!("{}/entity/auth/logout", self.url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await;
    }
}

/// The wall and process CPU time of `work`.
async fn measure(work: impl Future<Output = ()>) -> (Duration, Option<Duration>) {
    let cpu0 = cpu_time();
    let started = Instant::now();
    work.await;
    let wall = started.elapsed();
    (wall, cpu_time().zip(cpu0).map(|(a, b)| a.saturating_sub(b)))
}

/// Decoding the same page bytes into `Vec<Customer>` (plain serde_json, and through
/// serde_path_to_error as the SDK did on every answer before) and into `serde_json::Value`:
/// the best of 5 rounds, each of `rounds` decodes, in µs per page.
fn decode_bench(page: &[u8], rounds: u32) -> (f64, f64, f64, usize) {
    use acumatica_sdk::default::Customer;
    fn best(rounds: u32, mut f: impl FnMut()) -> f64 {
        (0..5)
            .map(|_| {
                let started = Instant::now();
                for _ in 0..rounds {
                    f();
                }
                started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
            })
            .fold(f64::INFINITY, f64::min)
    }
    let records = serde_json::from_slice::<Vec<Customer>>(page)
        .expect("typed")
        .len();
    let typed = best(rounds, || {
        std::hint::black_box(serde_json::from_slice::<Vec<Customer>>(page).expect("typed"));
    });
    let tracked = best(rounds, || {
        let mut de = serde_json::Deserializer::from_slice(page);
        let v: Vec<Customer> = serde_path_to_error::deserialize(&mut de).expect("tracked");
        std::hint::black_box(v);
    });
    let value = best(rounds, || {
        std::hint::black_box(serde_json::from_slice::<serde_json::Value>(page).expect("value"));
    });
    (typed, tracked, value, records)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // `ACUMATICA_BENCH_ONLY=overhead` skips the latency scenarios, `=latency` runs only them;
    // `ACUMATICA_BENCH_CALLS` sets the number of calls of the overhead part (default 2,000).
    let only = std::env::var("ACUMATICA_BENCH_ONLY").unwrap_or_default();
    let n = std::env::var("ACUMATICA_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    rt.block_on(async {
        if only != "overhead" {
            latency_table().await;
        }
        if only == "latency" {
            return;
        }
        let Overhead {
            sequential_rate: seq,
            batch_rate: batch,
            cpu,
            place,
            page,
            bare,
        } = overhead(n).await;
        println!(
            "\nclient overhead, zero latency, {n} get_by_id calls ({place}; best of {ROUNDS} rounds):"
        );
        println!("  sequential on one session: {seq:.0} calls/s");
        println!("  Batch with 8 sessions:     {batch:.0} calls/s");
        match cpu {
            Some(c) => println!(
                "  CPU per call (sequential): {:.0} µs",
                c.as_secs_f64() * 1e6
            ),
            None => println!("  CPU per call: not measurable here (/proc/self/stat unavailable)"),
        }
        if let Some(b) = bare {
            println!(
                "  the same GETs with a bare reqwest client (no SDK, no decode): {:.0} µs CPU per call",
                b.as_secs_f64() * 1e6
            );
        }
        let (typed, tracked, value, records) = decode_bench(&page, 50);
        println!(
            "\ndecode of one Customer page ({records} records, {} bytes), best of 5 x 50:",
            page.len()
        );
        println!("  typed Vec<Customer>:                 {typed:.0} µs");
        println!("  typed through serde_path_to_error:   {tracked:.0} µs");
        println!("  serde_json::Value:                   {value:.0} µs");
        println!(
            "  typed / Value:                       {:.2}",
            typed / value
        );
    });
}
