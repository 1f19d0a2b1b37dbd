//! The installed command as a user runs it: the output depends on the schema's content and
//! the flags only, `--entity-features` prints a `[features]` table alone on stdout, and a
//! directory of the user's files is refused.

use std::path::Path;
use std::process::{Command, Output};

fn schema() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/DeviceHub_23.200.001.json")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_acumatica-codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running acumatica-codegen")
}

fn ok(out: &Output) -> (String, String) {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{}\n{stdout}\n{stderr}", out.status);
    (stdout, stderr)
}

/// `x.json`, `./x.json`, `/abs/x.json` and `../x.json` from another directory: `--check`
/// passes for every spelling after one generation.
#[test]
fn check_passes_with_every_spelling_of_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(work.join("sub")).unwrap();
    std::fs::copy(schema(), work.join("hub.json")).unwrap();
    let out = tmp.path().join("module");
    let out_s = out.to_str().unwrap();
    ok(&run(&work, &["--schema", "hub.json", "--out", out_s]));
    let abs = work.join("hub.json");
    for (dir, spelling) in [
        (work.clone(), "hub.json".to_owned()),
        (work.clone(), "./hub.json".to_owned()),
        (work.clone(), abs.to_str().unwrap().to_owned()),
        (work.join("sub"), "../hub.json".to_owned()),
    ] {
        let (_, stderr) = ok(&run(
            &dir,
            &["--check", "--schema", &spelling, "--out", out_s],
        ));
        assert!(stderr.contains("is up to date"), "{spelling}: {stderr}");
    }
    // And --check can fail: other flags are another output.
    let differs = run(
        &work,
        &[
            "--check",
            "--schema",
            "hub.json",
            "--out",
            out_s,
            "--only",
            "PrintJobs",
        ],
    );
    assert!(!differs.status.success());
}

#[test]
fn entity_features_prints_the_features_table_alone_on_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let schema = schema();
    let (stdout, stderr) = ok(&run(
        tmp.path(),
        &[
            "--schema",
            schema.to_str().unwrap(),
            "--out",
            "acumatica",
            "--entity-features",
        ],
    ));
    assert!(
        stdout.starts_with("[features]\ndefault = [\"all-entities\"]\nall-entities = [\n"),
        "{stdout}"
    );
    for line in stdout.lines() {
        let toml_like = line == "[features]"
            || line == "]"
            || line.starts_with("    \"")
            || line.contains(" = [");
        assert!(toml_like, "not part of a [features] table: {line:?}");
    }
    assert!(
        stderr.contains("generated DeviceHub/23.200.001"),
        "{stderr}"
    );
}

#[test]
fn a_directory_of_the_users_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("main.rs"), "fn main() {}\n").unwrap();
    let schema = schema();
    let out = run(
        tmp.path(),
        &["--schema", schema.to_str().unwrap(), "--out", "src"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to write into src"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(src.join("main.rs")).unwrap(),
        "fn main() {}\n"
    );
    // The cause of an I/O error is printed once.
    let out = run(tmp.path(), &["--schema", "missing.json", "--out", "x"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
    // A CSV given as the endpoint XML is named for what it is.
    std::fs::write(
        tmp.path().join("fields.csv"),
        "Entity,Field\nCustomer,CustomerID\n",
    )
    .unwrap();
    let out = run(
        tmp.path(),
        &[
            "--schema",
            schema.to_str().unwrap(),
            "--endpoint-xml",
            "fields.csv",
            "--out",
            "y",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not an endpoint XML document"), "{stderr}");
}

/// The password comes from ACUMATICA_PASSWORD and shows nowhere: not in `--help` (which shows
/// no environment value at all), not in the `Debug` of the parsed flags.
#[test]
fn the_password_shows_nowhere() {
    let secret = "hunter2-PASSWORD-1f3a";
    let out = Command::new(env!("CARGO_BIN_EXE_acumatica-codegen"))
        .arg("--help")
        .env("ACUMATICA_PASSWORD", secret)
        .env("ACUMATICA_USERNAME", "someone-7c1")
        .output()
        .unwrap();
    let (stdout, stderr) = ok(&out);
    assert!(stdout.contains("--username"), "{stdout}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains(secret) && !text.contains("someone-7c1"),
            "{text}"
        );
    }
    let args = acumatica_codegen_cli::GenerateArgs {
        login: acumatica_codegen_cli::download::Login {
            username: Some("admin".into()),
            password: Some(secret.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let debug = format!("{args:?}");
    assert!(
        debug.contains("admin") && !debug.contains(secret),
        "{debug}"
    );
}
