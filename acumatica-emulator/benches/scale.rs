//! The emulator at scale (issue #12), run by `cargo xtask bench emulator`: a release emulator
//! started as a child process with `--records N` (N records of each seeded entity: Customer,
//! Vendor, StockItem, SalesOrder and Invoice, so 5·N records in all), for each N:
//!
//! - start: from spawning the process to its "listening" line (schemas, seeding, indexes);
//!   the peak resident memory then (`VmHWM` of `/proc/<pid>/status`) and again at the end;
//! - requests/s on one keep-alive connection, each for `--secs` seconds: a customer by key URL,
//!   a 500-record page at `$skip=0` and at `$skip=0.9·N`, `$filter` on the key field, and on a
//!   non-key field (one that stops at `$top=500`, one that matches nothing and so reads every
//!   customer);
//! - with `--stream` on (the default, for the largest N): the SDK's `get_list_stream` over
//!   every customer in a separate client process under `/usr/bin/time -v`, its records/s and
//!   the client's peak resident memory.
//!
//! Flags: `--records 100000,1000000`, `--secs 2`, `--stream largest|all|none`,
//! `--emulator PATH` and `--client PATH` (default: `ACUMATICA_EMULATOR_BIN` and
//! `ACUMATICA_STREAM_CLIENT_BIN`, which the xtask sets to the release builds).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const ENDPOINT: &str = "/entity/Default/24.200.001";

struct Options {
    records: Vec<usize>,
    secs: f64,
    stream: String,
    emulator: String,
    client: String,
}

fn options() -> Result<Options> {
    let mut o = Options {
        records: vec![100_000, 1_000_000],
        secs: 2.0,
        stream: "largest".into(),
        emulator: std::env::var("ACUMATICA_EMULATOR_BIN").unwrap_or_default(),
        client: std::env::var("ACUMATICA_STREAM_CLIENT_BIN").unwrap_or_default(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--records" => {
                o.records = value()?
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse())
                    .collect::<std::result::Result<_, _>>()?;
            }
            "--secs" => o.secs = value()?.parse()?,
            "--stream" => o.stream = value()?,
            "--emulator" => o.emulator = value()?,
            "--client" => o.client = value()?,
            // `cargo bench` passes `--bench` to harness-less targets.
            "--bench" => {}
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if o.emulator.is_empty() {
        return Err(
            "no emulator binary: set ACUMATICA_EMULATOR_BIN or pass --emulator \
                    (cargo xtask bench emulator does)"
                .into(),
        );
    }
    Ok(o)
}

/// A minimal HTTP/1.1 client on one keep-alive connection: the figures are the server's.
struct Http {
    reader: BufReader<TcpStream>,
    host: String,
    cookies: Vec<(String, String)>,
}

impl Http {
    fn connect(host: &str) -> Result<Http> {
        let stream = TcpStream::connect(host)?;
        stream.set_nodelay(true)?;
        Ok(Http {
            reader: BufReader::new(stream),
            host: host.to_owned(),
            cookies: Vec::new(),
        })
    }

    fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> Result<(u16, Vec<u8>)> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            self.host
        );
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head += &format!("Cookie: {}\r\n", c.join("; "));
        }
        let body = body.unwrap_or("");
        if !body.is_empty() || method != "GET" {
            head += &format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
        }
        head += "\r\n";
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .ok_or_else(|| format!("bad status line {line:?}"))?
            .parse()?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((name, value)) = l.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = Some(value.parse::<usize>()?),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "set-cookie" => {
                    if let Some((k, v)) = value.split(';').next().and_then(|p| p.split_once('=')) {
                        self.cookies.retain(|(name, _)| name != k);
                        self.cookies.push((k.to_owned(), v.to_owned()));
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16)?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                out.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(n) = length {
            out.resize(n, 0);
            self.reader.read_exact(&mut out)?;
        }
        Ok((status, out))
    }
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/$".contains(&b) {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

/// A customer key as the seed writes it (`C{:03}`).
fn customer(n: usize) -> String {
    format!("C{n:03}")
}

/// `VmHWM` and `VmRSS` of a process, in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

struct Running {
    child: Child,
    host: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &str, records: usize) -> Result<(Running, Duration)> {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["--port", "0", "--records", &records.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting {bin}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let Some(line) = lines.next() else {
            let _ = child.kill();
            return Err("the emulator exited before listening".into());
        };
        let line = line?;
        if let Some(url) = line.split("listening on ").nth(1) {
            break url.trim().to_owned();
        }
    };
    let elapsed = started.elapsed();
    // Keep reading the banner so a full pipe never blocks it.
    std::thread::spawn(move || for _ in lines {});
    let host = url.trim_start_matches("http://").to_owned();
    Ok((Running { child, host }, elapsed))
}

/// One measured operation: requests/s and the mean answer size.
struct Rate {
    per_sec: f64,
    bytes: usize,
}

/// Sends requests made by `path(i)` for `secs` seconds (at least one), checking each answer.
fn rate(http: &mut Http, secs: f64, mut path: impl FnMut(usize) -> String) -> Result<Rate> {
    let started = Instant::now();
    let (mut n, mut bytes) = (0usize, 0usize);
    while n == 0 || started.elapsed().as_secs_f64() < secs {
        let p = path(n);
        let (status, body) = http.request("GET", &p, None)?;
        if status != 200 {
            return Err(format!("GET {p}: {status} {}", String::from_utf8_lossy(&body)).into());
        }
        bytes += body.len();
        n += 1;
    }
    Ok(Rate {
        per_sec: n as f64 / started.elapsed().as_secs_f64(),
        bytes: bytes / n,
    })
}

/// How many records a JSON array answer holds (counted by their `rowNumber`).
fn rows(body: &[u8]) -> usize {
    String::from_utf8_lossy(body)
        .matches("\"rowNumber\"")
        .count()
}

struct Column {
    records: usize,
    start: Duration,
    start_peak: f64,
    rows: Vec<(String, String)>,
    end_peak: f64,
}

fn run_one(o: &Options, records: usize, stream: bool) -> Result<Column> {
    let (emu, start_time) = start(&o.emulator, records)?;
    let pid = emu.child.id();
    let (start_peak, _) = memory(pid);
    let mut http = Http::connect(&emu.host)?;
    let (status, body) = http.request(
        "POST",
        "/entity/auth/login",
        Some(r#"{"name":"admin","password":"admin","company":"Company"}"#),
    )?;
    if status != 204 && status != 200 {
        return Err(format!("login: {status} {}", String::from_utf8_lossy(&body)).into());
    }
    let mut rows_out = Vec::new();
    let mut push = |name: &str, r: Rate, note: String| {
        rows_out.push((
            name.to_owned(),
            format!("{:>8.0} req/s  {:>7} B/ans{note}", r.per_sec, r.bytes),
        ));
    };
    let base = format!("{ENDPOINT}/Customer");
    // A fixed spread of keys over the whole table.
    let key = |i: usize| customer(1 + (i * 7_919 + 13) % records.max(1));
    let r = rate(&mut http, o.secs, |i| format!("{base}/{}", key(i)))?;
    push("get by key URL /Customer/C…", r, String::new());
    let far = records * 9 / 10;
    for (label, skip) in [
        ("page $top=500 $skip=0", 0),
        ("page $top=500 $skip=0.9N", far),
    ] {
        let path = format!("{base}?$top=500&$skip={skip}");
        let (_, body) = http.request("GET", &path, None)?;
        let n = rows(&body);
        let r = rate(&mut http, o.secs, |_| path.clone())?;
        push(label, r, format!("  ({n} rows, skip {skip})"));
    }
    let r = rate(&mut http, o.secs, |i| {
        format!(
            "{base}?$filter={}",
            enc(&format!("CustomerID eq '{}'", key(i)))
        )
    })?;
    push("$filter CustomerID eq (key)", r, String::new());
    let path = format!("{base}?$top=500&$filter={}", enc("Status eq 'Inactive'"));
    let (_, body) = http.request("GET", &path, None)?;
    let n = rows(&body);
    let r = rate(&mut http, o.secs, |_| path.clone())?;
    push("$filter Status eq, $top=500", r, format!("  ({n} rows)"));
    let path = format!("{base}?$filter={}", enc("CustomerName eq 'No Such Name'"));
    let r = rate(&mut http, o.secs, |_| path.clone())?;
    push(
        "$filter CustomerName eq, no match",
        r,
        "  (reads all)".into(),
    );
    let _ = http.request("POST", "/entity/auth/logout", Some(""));
    if stream {
        rows_out.push((
            "SDK get_list_stream, all customers".into(),
            stream_client(o, &emu)?,
        ));
    }
    let (end_peak, _) = memory(pid);
    Ok(Column {
        records,
        start: start_time,
        start_peak,
        rows: rows_out,
        end_peak,
    })
}

/// The streaming client under `/usr/bin/time -v`: its own line and its peak resident memory.
fn stream_client(o: &Options, emu: &Running) -> Result<String> {
    if o.client.is_empty() {
        return Ok("skipped: no client (ACUMATICA_STREAM_CLIENT_BIN / --client)".into());
    }
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(&o.client)
        .arg(format!("http://{}", emu.host))
        .arg("500")
        .output()
        .map_err(|e| format!("running /usr/bin/time -v {}: {e}", o.client))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the client failed: {stdout}{stderr}").into());
    }
    let peak_kb: f64 = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    Ok(format!(
        "{}; client peak RSS {:.1} MB",
        stdout.trim(),
        peak_kb / 1024.0
    ))
}

fn main() -> Result<()> {
    let o = options()?;
    println!(
        "emulator at scale: {} (release), --records N seeds N each of Customer, Vendor, \
         StockItem, SalesOrder and Invoice (5·N records); requests on one keep-alive \
         connection for {} s each",
        o.emulator, o.secs
    );
    let largest = o.records.iter().copied().max().unwrap_or(0);
    for &n in &o.records {
        let stream = match o.stream.as_str() {
            "all" => true,
            "none" => false,
            _ => n == largest,
        };
        let c = run_one(&o, n, stream)?;
        println!();
        println!("--records {}", c.records);
        println!(
            "  {:<38} {:>8.2} s, peak RSS {:.0} MB",
            "start (seed + indexes)",
            c.start.as_secs_f64(),
            c.start_peak
        );
        for (name, value) in &c.rows {
            println!("  {name:<38} {value}");
        }
        println!(
            "  {:<38} {:.0} MB",
            "emulator peak RSS at the end", c.end_peak
        );
    }
    Ok(())
}
