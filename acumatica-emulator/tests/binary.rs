//! The binary starts on every published schema committed in `schemas/` and serves every top-level entity it declares.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Kills the child when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary, started on a free port with `args`: stopped when dropped, with the start-up
/// lines it printed read (its URL first), and its stdout kept open (a closed pipe would end
/// later prints).
struct Started {
    url: String,
    startup: Vec<String>,
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
    _running: Running,
}

fn start_binary(args: &[&str]) -> Started {
    let port = free_port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_acumatica-emulator"))
        .args(["--port", port.as_str()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = format!("http://127.0.0.1:{port}");
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains(&url), "{first}");
    let startup = lines.by_ref().take(4).map(Result::unwrap).collect();
    Started {
        url,
        startup,
        _stdout: lines,
        _running: running,
    }
}

/// A client with a cookie store, signed in to the emulator at `url` as admin.
async fn signed_in(url: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    sign_in(&c, url).await;
    c
}

/// Signs `c` in to the emulator at `url` as admin.
async fn sign_in(c: &reqwest::Client, url: &str) {
    let login = c
        .post(format!("{url}/entity/auth/login"))
        .json(&json!({"name": "admin", "password": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 204);
}

/// Top-level entities with a list operation: paths `/{Entity}` with `get`.
fn listed_entities(schema: &Value) -> Vec<String> {
    schema["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, item)| p.matches('/').count() == 1 && item.get("get").is_some())
        .map(|(p, _)| p.trim_start_matches('/').to_owned())
        .collect()
}

async fn serve_schema(path: &std::path::Path) {
    let bytes = std::fs::read(path).unwrap();
    let schema: Value =
        serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).unwrap();
    // The binary prints its URL and the credentials once it listens.
    let started = start_binary(&["--schema", path.to_str().unwrap(), "--records", "3"]);
    let (url, rest) = (&started.url, &started.startup);
    assert!(
        rest.iter()
            .any(|l| l.contains("name=admin password=admin tenant=Company")),
        "{rest:?}"
    );

    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let root: Value = loop {
        match c.get(format!("{url}/entity")).send().await {
            Ok(r) if r.status() == 200 => break r.json().await.unwrap(),
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            other => panic!("the binary does not answer: {other:?}"),
        }
    };
    let href = root["endpoints"][0]["href"].as_str().unwrap().to_owned();
    sign_in(&c, url).await;
    let entities = listed_entities(&schema);
    assert!(!entities.is_empty());
    for entity in &entities {
        let resp = c
            .get(format!("{url}{href}{entity}?$top=1"))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "{}: GET {entity}: {body}", path.display());
        assert!(body.is_array(), "{entity}: {body}");
    }
}

#[tokio::test]
async fn the_binary_serves_every_shared_schema() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut schemas: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    schemas.sort();
    assert!(schemas.len() >= 4, "{schemas:?}");
    for schema in schemas {
        serve_schema(&schema).await;
    }
}

/// The statuses the protocol notes leave UNKNOWN are set from the command line.
#[tokio::test]
async fn refusal_statuses_are_set_from_the_command_line() {
    let started = start_binary(&[
        "--records",
        "3",
        "--filter-error-status",
        "400",
        "--login-limit-status",
        "429",
        "--max-sessions",
        "1",
    ]);
    let url = &started.url;
    let login = |c: &reqwest::Client| {
        c.post(format!("{url}/entity/auth/login"))
            .json(&json!({"name": "admin", "password": "admin"}))
            .send()
    };
    let a = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    assert_eq!(login(&a).await.unwrap().status(), 204);
    let refused = login(&reqwest::Client::new()).await.unwrap();
    assert_eq!(refused.status(), 429, "the login limit, as set");
    let bad = a
        .get(format!(
            "{url}/entity/Default/24.200.001/Customer?$filter=CustomerID eq"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "the filter refusal, as set");
    let text = bad.text().await.unwrap();
    assert!(text.contains("ODataException"), "{text}");
}

/// `--orderby` and `--unconfirmed-functions` (UNKNOWN on a tenant) are set from the command
/// line; a value other than accept or refuse stops the start.
#[tokio::test]
async fn unknown_behaviours_are_set_from_the_command_line() {
    let started = start_binary(&[
        "--records",
        "12",
        "--orderby",
        "accept",
        "--unconfirmed-functions",
        "Accept",
    ]);
    let url = &started.url;
    let c = signed_in(url).await;
    let list: Value = c
        .get(format!(
            "{url}/entity/Default/24.200.001/Customer?$orderby=CustomerID desc&$top=2&$filter=contains(CustomerID, '1') and tolower(CustomerID) ne 'c001'"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["CustomerID"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["C012", "C011"]);

    let out = Command::new(env!("CARGO_BIN_EXE_acumatica-emulator"))
        .args(["--orderby", "sometimes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("accept or refuse"), "{err}");
}

/// `--help` documents every flag, and each flag that takes a value says what it defaults to.
#[test]
fn help_documents_every_flag_and_its_default() {
    let out = Command::new(env!("CARGO_BIN_EXE_acumatica-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let options = help.split("\nOptions:\n").nth(1).unwrap();
    let options = options.split("\nExamples:").next().unwrap();
    // One block per flag: the `--flag` line, then its text up to the next flag.
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in options.lines() {
        let trimmed = line.trim_start();
        if line.starts_with("      --") || line.starts_with("  -") {
            let flag = trimmed.split([' ', ',']).next().unwrap().to_owned();
            blocks.push((flag, trimmed.to_owned()));
        } else if let Some((_, text)) = blocks.last_mut() {
            text.push('\n');
            text.push_str(trimmed);
        }
    }
    let flags: Vec<&str> = blocks.iter().map(|(f, _)| f.as_str()).collect();
    for flag in [
        "--schema",
        "--port",
        "--host",
        "--latency-ms",
        "--jitter-ms",
        "--max-sessions",
        "--login-limit-status",
        "--busy-session-status",
        "--filter-error-status",
        "--orderby",
        "--unconfirmed-functions",
        "--concurrent-requests",
        "--requests-per-minute",
        "--max-queued",
        "--license-window-ms",
        "--seed",
        "--records",
        "--tenant",
        "--user",
        "--no-session-serialization",
        "--idle-timeout-secs",
        "--token-lifetime-secs",
        "--long-action",
        "--long-action-ms",
        "--fault",
        "--fault-seed",
        "--case-sensitive-filters",
        "--persist",
        "--archive",
        "--customizations",
    ] {
        assert!(flags.contains(&flag), "{flag} missing from --help:\n{help}");
    }
    for (flag, text) in &blocks {
        if flag == "-h" || flag == "-V" {
            continue;
        }
        let description = text.lines().skip(1).collect::<Vec<_>>().join(" ");
        assert!(
            description.trim().len() > 10,
            "{flag} has no description:\n{text}"
        );
        assert!(
            text.contains("[default"),
            "{flag} gives no default:\n{text}"
        );
    }
    assert!(help.contains("Examples:"));
}

/// SIGTERM (what `kill` and CI runners send) stops the binary cleanly, and `--persist` saves the
/// data on the way out.
#[cfg(unix)]
#[test]
fn sigterm_stops_it_cleanly_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenant.json");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_acumatica-emulator"))
        .args(["--port", &port.to_string(), "--records", "2", "--persist"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = BufReader::new(stdout).lines().next().unwrap().unwrap();
    assert!(first.contains(&port.to_string()), "{first}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["format"], "acumatica-emulator/1");
}

/// `--archive ENTITY:FILTER` archives at start; `PX-ApiArchive: SHOW` shows the records again.
#[tokio::test]
async fn archive_rules_are_set_from_the_command_line() {
    let started = start_binary(&["--archive", "Customer:CustomerID eq 'C002'"]);
    let url = &started.url;
    let c = signed_in(url).await;
    let get = |show: bool| {
        let mut req = c.get(format!("{url}/entity/Default/24.200.001/Customer/C002"));
        if show {
            req = req.header("PX-ApiArchive", "SHOW");
        }
        req.send()
    };
    assert_eq!(
        get(false).await.unwrap().status(),
        500,
        "archived: not found"
    );
    assert_eq!(get(true).await.unwrap().status(), 200);
    // A rule without its colon is refused before anything starts.
    let out = Command::new(env!("CARGO_BIN_EXE_acumatica-emulator"))
        .args(["--port", "0", "--archive", "Customer"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ENTITY:FILTER"));
}

/// `--customizations FILE` replaces the built-in custom fields and workflow actions; a bad file
/// stops the binary before it serves, with the place of the mistake.
#[tokio::test]
async fn customizations_are_read_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customizations.json");
    let custom = json!({
        "fields": {
            "Customer": {"CurrentCustomer": {
                "UsrSegment": {"type": "String", "values": ["A", "B"]}
            }},
            "SalesOrderDetail": {"Transactions": {"UsrPallet": "Int"}}
        },
        "actions": {
            "Customer": {"Promote": {
                "parameters": {"FilterPreview": {"Segment": "String"}},
                "set": {"CurrentCustomer.UsrSegment": {"parameter": "FilterPreview.Segment"}}
            }}
        }
    });
    std::fs::write(&file, serde_json::to_vec_pretty(&custom).unwrap()).unwrap();
    let started = start_binary(&["--records", "3", "--customizations", file.to_str().unwrap()]);
    let b = format!("{}/entity/Default/24.200.001", started.url);
    let c = signed_in(&started.url).await;
    let get = |path: String| {
        let c = c.clone();
        async move {
            let resp = c.get(path).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<Value>().await.unwrap()
        }
    };
    let customer = get(format!("{b}/Customer/$adHocSchema")).await;
    assert_eq!(
        customer["custom"],
        json!({"CurrentCustomer": {"UsrSegment": {"type": "CustomStringField", "value": null}}})
    );
    assert_eq!(
        customer["_workflowActions"],
        json!([{"Promote": {"parameters": {"custom": {
            "FilterPreview": {"Segment": {"type": "CustomStringField", "value": null}}
        }}}}])
    );
    let so = get(format!("{b}/SalesOrder/$adHocSchema")).await;
    assert_eq!(so["custom"], json!({}));
    assert_eq!(so["_workflowActions"], json!([]));
    assert_eq!(
        so["Details"][0]["custom"],
        json!({"Transactions": {"UsrPallet": {"type": "CustomIntField", "value": null}}})
    );
    let c2 = get(format!(
        "{b}/Customer/C002?$custom=CurrentCustomer.UsrSegment"
    ))
    .await;
    assert_eq!(c2["custom"]["CurrentCustomer"]["UsrSegment"]["value"], "B");
    let promoted = c
        .post(format!("{b}/Customer/Promote"))
        .json(&json!({
            "entity": {"CustomerID": {"value": "C002"}},
            "parameters": {"custom": {"FilterPreview": {"Segment": {"type": "CustomStringField", "value": "VIP"}}}}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(promoted.status(), 204);
    let c2 = get(format!(
        "{b}/Customer/C002?$custom=CurrentCustomer.UsrSegment"
    ))
    .await;
    assert_eq!(
        c2["custom"]["CurrentCustomer"]["UsrSegment"]["value"],
        "VIP"
    );

    let refused = |text: &str| {
        std::fs::write(&file, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_acumatica-emulator"))
            .args(["--port", "0", "--customizations"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{text}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = refused(r#"{"fields": {"Customer": {"CurrentCustomer": {"UsrSegment": "Strng"}}}}"#);
    assert!(
        err.contains("at fields.Customer.CurrentCustomer.UsrSegment: unknown type \"Strng\""),
        "{err}"
    );
    assert!(err.contains("customizations.json"), "{err}");
    let err = refused(r#"{"fields": {"SalesOrderLine": {"Transactions": {"UsrX": "Int"}}}}"#);
    assert!(
        err.contains("at fields.SalesOrderLine: no endpoint being served has an entity named"),
        "{err}"
    );
    let err = refused("{\"fields\": ");
    assert!(err.contains("at line 1, column"), "{err}");
}
