//! Project tasks, run as `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask generate [--check] [--schema PATH] [--endpoint-xml PATH] [--out DIR] [--only A,B] [--url URL] [--save-schema PATH] [--entity-features]`:
//!   the `acumatica-codegen` command's flags and code, defaulting to the SDK's own endpoint
//! - `cargo xtask bench [batch|license|codegen]`

mod bench;
mod bench_build;
mod generate;

use clap::{Parser, Subcommand};

// The generator allocates many small token trees; mimalloc handles that load much faster
// than the system allocator, and it is used by the tool only, never by the libraries.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "acumatica-rs project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Task {
    /// Generate typed Rust from an endpoint schema (by default: the committed Default endpoint
    /// into acumatica-sdk/src/generated/default).
    Generate(acumatica_codegen_cli::GenerateArgs),
    /// Run the benchmarks and print their figures.
    Bench(bench::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Generate(args) => generate::run(args),
        Task::Bench(args) => bench::run_bench(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
