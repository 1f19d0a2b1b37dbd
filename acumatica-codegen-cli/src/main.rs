//! `acumatica-codegen`: generate a typed Rust module for an Acumatica endpoint into your crate.

use clap::Parser;

// The generator allocates many small token trees; mimalloc handles that load much faster
// than the system allocator, and it is used by the tool only, never by the libraries.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "acumatica-codegen",
    version,
    about = "Generate a typed Rust module for an Acumatica endpoint (from its schema) into your crate"
)]
struct Cli {
    #[command(flatten)]
    args: acumatica_codegen_cli::GenerateArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match acumatica_codegen_cli::run(&cli.args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
