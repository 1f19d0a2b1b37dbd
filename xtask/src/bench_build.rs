//! `cargo xtask bench build`: build times of the SDK (issue #13), one run per figure, each cold
//! build in a fresh target directory (the registry is already downloaded, so downloads are not
//! counted), peak memory from `/usr/bin/time -v` (the largest process: a rustc).
//!
//! Figures: a cold `cargo build -p acumatica-sdk` with every entity and with four; then, warm,
//! the rebuild after a one-line edit of a runtime file (`acumatica-sdk/src/http/classify.rs`)
//! and of one generated entity (`Customer`). Each edit is a comment appended to the file and
//! taken back afterwards, whatever happens.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::generate::workspace_root;

/// A file with a line appended for as long as this lives.
struct Edited {
    path: PathBuf,
    original: Vec<u8>,
}

impl Edited {
    fn new(path: PathBuf) -> Result<Edited> {
        let original =
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut edited = original.clone();
        edited.extend_from_slice(b"\n// edited by `cargo xtask bench build`\n");
        std::fs::write(&path, edited).with_context(|| format!("editing {}", path.display()))?;
        Ok(Edited { path, original })
    }
}

impl Drop for Edited {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write(&self.path, &self.original) {
            eprintln!("error: could not restore {}: {e}", self.path.display());
        }
    }
}

/// One timed `cargo build`: wall time and the peak resident memory of its largest process.
fn build(target: &Path, args: &[&str]) -> Result<(Duration, Option<u64>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(&cargo);
        c
    } else {
        Command::new(&cargo)
    };
    cmd.arg("build")
        .args(args)
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never");
    let started = Instant::now();
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("cargo build {args:?} failed:\n{stderr}");
    }
    // "Maximum resident set size (kbytes): 123456"
    let peak = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<u64>().ok());
    Ok((elapsed, peak))
}

fn row(what: &str, (elapsed, peak): (Duration, Option<u64>)) {
    let peak = peak.map_or_else(|| "-".to_owned(), |kb| format!("{:.2} GB", kb as f64 / 1e6));
    println!("{what:<58} {:>8.1} s {peak:>9}", elapsed.as_secs_f64());
}

pub(crate) fn run() -> Result<()> {
    let root = workspace_root();
    let scratch =
        std::env::temp_dir().join(format!("acumatica-bench-build-{}", std::process::id()));
    let all = scratch.join("all");
    let four = scratch.join("four");
    println!(
        "build times on {} cores (fresh target directories under {})",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        scratch.display()
    );
    println!("{:<58} {:>10} {:>9}", "build", "wall", "peak RSS");
    let result = (|| -> Result<()> {
        row(
            "cold, all entities: cargo build -p acumatica-sdk",
            build(&all, &["-p", "acumatica-sdk"])?,
        );
        row(
            "cold, four entities (customer, sales_order, stock_item, invoice)",
            build(
                &four,
                &[
                    "-p",
                    "acumatica-sdk",
                    "--no-default-features",
                    "--features",
                    "customer,sales_order,stock_item,invoice",
                ],
            )?,
        );
        {
            let _edit = Edited::new(root.join("acumatica-sdk/src/http/classify.rs"))?;
            row(
                "one-line edit of a runtime file (http/classify.rs)",
                build(&all, &["-p", "acumatica-sdk"])?,
            );
        }
        {
            let _edit = Edited::new(
                root.join("acumatica-default-entities/src/generated/entities/customer.rs"),
            )?;
            row(
                "one-line edit of a generated entity (Customer)",
                build(&all, &["-p", "acumatica-sdk"])?,
            );
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
