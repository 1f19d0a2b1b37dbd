//! `cargo xtask bench`: the benchmarks, in release builds.
//!
//! - `batch`: the batch benchmark of issue #5 (`acumatica-sdk/benches/batch.rs`), with the
//!   emulator binary built first so that the client's CPU time is measured alone.
//! - `license`: fixed and adaptive lanes against an emulated license (issue #9,
//!   `acumatica-sdk/benches/license.rs`).
//! - `codegen`: generation time of the Default endpoint with a release build of the generator.
//! - `build`: build times of the SDK (issue #13): cold with every entity and with four, and
//!   after a one-line edit of a runtime file and of a generated entity (`bench_build.rs`).
//! - `emulator`: the emulator at scale (issue #12, `acumatica-emulator/benches/scale.rs`):
//!   start-up time and peak memory of a release emulator seeded with `--records N`, requests/s
//!   of reads by key, pages and filters, and the SDK's `get_list_stream` over every customer
//!   (`acumatica-emulator/examples/stream_customers.rs` under `/usr/bin/time -v`). Arguments
//!   after `emulator` go to the benchmark (`--records 100000,1000000 --secs 2 --stream N`;
//!   `--emulator PATH` measures another build of the emulator).

use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::generate::workspace_root;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Which benchmark: `batch`, `license`, `codegen`, `emulator` or `build`.
    #[arg(default_value = "batch")]
    which: String,
    /// Arguments of the benchmark (`emulator` only; see its `--help`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

pub(crate) fn run_bench(args: Args) -> Result<ExitCode> {
    match args.which.as_str() {
        "batch" => {
            run(cargo().args([
                "build",
                "--release",
                "-p",
                "acumatica-emulator",
                "--bin",
                "acumatica-emulator",
            ]))?;
            let bin = workspace_root().join("target/release/acumatica-emulator");
            run(cargo()
                .args(["bench", "-p", "acumatica-sdk", "--bench", "batch"])
                .env("ACUMATICA_EMULATOR_BIN", bin))?;
        }
        "license" => {
            run(cargo().args(["bench", "-p", "acumatica-sdk", "--bench", "license"]))?;
        }
        "codegen" => {
            run(cargo().args(["build", "--release", "-p", "xtask"]))?;
            let xtask = workspace_root().join("target/release/xtask");
            let out = std::env::temp_dir()
                .join(format!("acumatica-codegen-bench-{}", std::process::id()));
            let mut times = Vec::new();
            for _ in 0..5 {
                let started = Instant::now();
                run(Command::new(&xtask)
                    .current_dir(workspace_root())
                    .args([
                        "generate",
                        "--schema",
                        "schemas/Default_24.200.001.json",
                        "--endpoint-xml",
                        "schemas/Default_24.200.001.endpoint.xml",
                        "--out",
                    ])
                    .arg(&out))?;
                times.push(started.elapsed());
            }
            let _ = std::fs::remove_dir_all(&out);
            times.sort();
            println!(
                "generation of Default/24.200.001 (release, whole process, 5 runs): min {:.2?}, median {:.2?}",
                times[0], times[2]
            );
        }
        "emulator" => {
            // The emulator and the streaming client as release binaries, then the driver (a
            // bench target without a harness) that starts them as child processes.
            run(cargo().args([
                "build",
                "--release",
                "-p",
                "acumatica-emulator",
                "--bin",
                "acumatica-emulator",
                "--example",
                "stream_customers",
            ]))?;
            let release = workspace_root().join("target/release");
            run(cargo()
                .args([
                    "bench",
                    "-p",
                    "acumatica-emulator",
                    "--bench",
                    "scale",
                    "--",
                ])
                .args(&args.rest)
                .env("ACUMATICA_EMULATOR_BIN", release.join("acumatica-emulator"))
                .env(
                    "ACUMATICA_STREAM_CLIENT_BIN",
                    release.join("examples/stream_customers"),
                ))?;
        }
        "build" => crate::bench_build::run()?,
        other => bail!(
            "unknown benchmark {other:?}: expected `batch`, `license`, `codegen`, `emulator` or `build`"
        ),
    }
    Ok(ExitCode::SUCCESS)
}
