//! `cargo xtask bench`: placeholder until the benchmarks land (see issue #5).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Which benchmark to run.
    #[arg(default_value = "batch")]
    which: String,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("benchmark {:?} is not available yet", args.which)
}
