//! `cargo xtask generate`: schema → typed Rust module, written atomically or checked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use acumatica_codegen::load::xml::read_endpoint_xml_file;
use acumatica_codegen::output::{check_module, write_module};
use acumatica_codegen::{RuntimeCrate, Settings, generate, read_schema};
use anyhow::{Context, Result, bail};

/// The committed default: what `cargo xtask generate` reads and writes with no arguments.
const DEFAULT_SCHEMA: &str = "schemas/Default_24.200.001.json";
const DEFAULT_XML: &str = "schemas/Default_24.200.001.endpoint.xml";
const DEFAULT_OUT: &str = "acumatica-sdk/src/generated/default";

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Exit non-zero, naming the files that differ, instead of writing.
    #[arg(long)]
    check: bool,
    /// Endpoint schema (OpenAPI 3.0 or Swagger 2.0 JSON).
    #[arg(long, value_name = "PATH", conflicts_with = "url")]
    schema: Option<PathBuf>,
    /// Download the schema from a live tenant's instance URL (logs in with the ACUMATICA_*
    /// environment variables; endpoint and version from ACUMATICA_ENDPOINT/ACUMATICA_VERSION),
    /// or from a full `.../swagger.json` URL.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Keep the downloaded schema in this file.
    #[arg(long, value_name = "PATH", requires = "url")]
    save_schema: Option<PathBuf>,
    /// Endpoint XML, for screen IDs and field mappings in the docs.
    #[arg(long, value_name = "PATH")]
    endpoint_xml: Option<PathBuf>,
    /// Write a module for your own crate into DIR (it then reaches the runtime as `::acumatica_sdk`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Generate only these top-level entities (comma-separated) and what they reference.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    only: Vec<String>,
    /// With --out: gate every entity behind a cargo feature of your crate (one per top-level
    /// entity) and print the `[features]` lines to add to your Cargo.toml. Always on for the
    /// SDK's own Default endpoint.
    #[arg(long, requires = "out")]
    entity_features: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode> {
    let root = workspace_root();
    let started = Instant::now();
    let default_run = args.schema.is_none() && args.url.is_none() && args.out.is_none();

    let (bytes, origin, source) = match (&args.url, &args.schema) {
        (Some(url), _) => {
            let bytes = crate::download::swagger(url)?;
            if let Some(path) = &args.save_schema {
                std::fs::write(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            (bytes, url.clone(), url.clone())
        }
        (None, Some(path)) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            (
                bytes,
                path.display().to_string(),
                path.display().to_string(),
            )
        }
        (None, None) => {
            let path = root.join(DEFAULT_SCHEMA);
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            (bytes, path.display().to_string(), DEFAULT_SCHEMA.to_owned())
        }
    };
    let mut endpoint = read_schema(&bytes, &origin)?;
    for w in &endpoint.warnings {
        eprintln!("warning: {w}");
    }

    let xml = match (&args.endpoint_xml, default_run) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => Some(root.join(DEFAULT_XML)),
        (None, false) => None,
    };
    if let Some(path) = xml {
        let xml = read_endpoint_xml_file(&path)?;
        for w in xml.apply(&mut endpoint) {
            eprintln!("warning: {w}");
        }
    }

    if !args.only.is_empty() {
        let missing = endpoint.retain_reachable(&args.only);
        if !missing.is_empty() {
            bail!(
                "--only names entities that are not top-level entities of {}/{}: {}",
                endpoint.name,
                endpoint.version,
                missing.join(", ")
            );
        }
    }

    let (out, runtime) = match &args.out {
        Some(dir) => (dir.clone(), RuntimeCrate::External),
        None => (root.join(DEFAULT_OUT), RuntimeCrate::InSdk),
    };
    let entity_features = args.out.is_none() || args.entity_features;
    let settings = Settings {
        runtime,
        source,
        entity_features,
    };
    let files = generate(&endpoint, &settings)?;
    let features = features_block(&endpoint);
    let generated_in = started.elapsed();

    let top = endpoint.top_level().count();
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    let manifest = root.join(SDK_MANIFEST);
    if args.check {
        let mut differ = check_module(&out, &files)?;
        if args.out.is_none() && !manifest_is_current(&manifest, &features)? {
            differ.push(manifest.clone());
        }
        if differ.is_empty() {
            println!(
                "{} is up to date ({} files, {top} services)",
                out.display(),
                files.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "{} is not up to date; these files differ from what the generator writes now:",
            out.display()
        );
        for p in &differ {
            eprintln!("  {}", out.join(p).display());
        }
        eprintln!("run `cargo xtask generate` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    let report = write_module(&out, &files)?;
    if args.out.is_none() {
        write_manifest(&manifest, &features)?;
    } else if args.entity_features {
        println!("add to the [features] of your Cargo.toml:\n{features}");
    }
    println!(
        "generated {}/{}: {} entities, {top} services, {} files, {} lines ({:.1} KiB) into {} in {:.2?}",
        endpoint.name,
        endpoint.version,
        endpoint.entities.len(),
        report.files,
        lines,
        report.bytes as f64 / 1024.0,
        out.display(),
        generated_in,
    );
    Ok(ExitCode::SUCCESS)
}

const SDK_MANIFEST: &str = "acumatica-sdk/Cargo.toml";
const BEGIN: &str =
    "# BEGIN entity features (generated by `cargo xtask generate`; do not edit by hand)";
const END: &str = "# END entity features";

/// The `[features]` lines of an endpoint generated with entity features: `all-entities` and one
/// empty feature per top-level entity (the generated `cfg`s know what each one compiles).
fn features_block(endpoint: &acumatica_codegen::ir::Endpoint) -> String {
    let features = acumatica_codegen::entity_features(endpoint);
    let mut out = format!("{} = [\n", acumatica_codegen::ALL_ENTITIES_FEATURE);
    for f in &features {
        out.push_str(&format!("    \"{f}\",\n"));
    }
    out.push_str("]\n");
    for f in &features {
        out.push_str(&format!("{f} = []\n"));
    }
    out
}

/// The manifest with the generated block replaced by `block`.
fn manifest_with(manifest: &Path, block: &str) -> Result<(String, String)> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        bail!(
            "{}: the lines `{BEGIN}` and `{END}` are missing from its [features]",
            manifest.display()
        );
    };
    let updated = format!("{}{BEGIN}\n{block}{}", &text[..start], &text[end..]);
    Ok((text, updated))
}

fn manifest_is_current(manifest: &Path, block: &str) -> Result<bool> {
    let (text, updated) = manifest_with(manifest, block)?;
    Ok(text.replace("\r\n", "\n") == updated.replace("\r\n", "\n"))
}

/// Writes the manifest's generated block, atomically (temporary file, then rename).
fn write_manifest(manifest: &Path, block: &str) -> Result<()> {
    let (text, updated) = manifest_with(manifest, block)?;
    if text == updated {
        return Ok(());
    }
    let tmp = manifest.with_extension("toml.tmp");
    std::fs::write(&tmp, updated).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, manifest).with_context(|| format!("replacing {}", manifest.display()))?;
    Ok(())
}

/// The workspace root: xtask's manifest directory's parent.
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed generated code matches what the generator writes now
    /// (what `cargo xtask generate --check` checks).
    #[test]
    fn generated_sdk_is_fresh() {
        let root = workspace_root();
        let bytes = std::fs::read(root.join(DEFAULT_SCHEMA)).unwrap();
        let mut endpoint = read_schema(&bytes, DEFAULT_SCHEMA).unwrap();
        read_endpoint_xml_file(&root.join(DEFAULT_XML))
            .unwrap()
            .apply(&mut endpoint);
        let settings = Settings {
            runtime: RuntimeCrate::InSdk,
            source: DEFAULT_SCHEMA.to_owned(),
            entity_features: true,
        };
        let files = generate(&endpoint, &settings).unwrap();
        let differ = check_module(&root.join(DEFAULT_OUT), &files).unwrap();
        let block = features_block(&endpoint);
        assert!(
            manifest_is_current(&root.join(SDK_MANIFEST), &block).unwrap(),
            "acumatica-sdk/Cargo.toml's entity features are stale (run `cargo xtask generate`)"
        );
        assert!(
            differ.is_empty(),
            "stale generated files (run `cargo xtask generate`): {differ:?}"
        );
    }
}
