//! The `acumatica-codegen` command, as a library: the flags ([`GenerateArgs`]) and what they do
//! ([`plan`], [`execute`]), shared by the installed binary and the project's
//! `cargo xtask generate`, so both behave the same.
//!
//! ```sh
//! cargo install --path acumatica-codegen-cli      # or from a git URL
//! acumatica-codegen --schema my_endpoint.json --out src/acumatica
//! ```

pub mod download;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use acumatica_codegen::ir::{Endpoint, Operation};
use acumatica_codegen::load::ad_hoc::{AdHoc, ad_hoc_file_name};
use acumatica_codegen::load::xml::read_endpoint_xml_file;
use acumatica_codegen::output::{WriteReport, check_module, write_module};
use acumatica_codegen::{GeneratedFile, RuntimeCrate, Settings, generate, read_schema};
use anyhow::{Context, Result, bail};

/// The flags of `acumatica-codegen` (and of `cargo xtask generate`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GenerateArgs {
    /// Exit non-zero, naming the files that differ, instead of writing.
    #[arg(long)]
    pub check: bool,
    /// Endpoint schema (OpenAPI 3.0 or Swagger 2.0 JSON, as the tenant serves it).
    #[arg(long, value_name = "PATH", conflicts_with = "url")]
    pub schema: Option<PathBuf>,
    /// Download the schema from a live tenant's instance URL (signs in with the ACUMATICA_*
    /// environment variables and out afterwards; endpoint and version from
    /// ACUMATICA_ENDPOINT/ACUMATICA_VERSION), or from a full `.../swagger.json` URL. Then
    /// downloads every generated entity's `$adHocSchema`, so that the tenant's custom fields and
    /// workflow actions are typed too.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Keep the downloaded schema in this file, and the `$adHocSchema` answers in the directory
    /// beside it with the extension `.adhoc` (`tenant.json` → `tenant.adhoc/Customer.json`), for
    /// `--schema tenant.json --ad-hoc tenant.adhoc` later.
    #[arg(long, value_name = "PATH", requires = "url")]
    pub save_schema: Option<PathBuf>,
    /// Read saved `$adHocSchema` answers (`<Entity>.json`) from this directory: the tenant's
    /// custom fields and workflow actions, offline.
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub ad_hoc: Option<PathBuf>,
    /// With `--url`, do not download the `$adHocSchema` answers (no custom fields, no workflow
    /// actions).
    #[arg(long, requires = "url")]
    pub no_ad_hoc: bool,
    /// With `--url`, how many sessions download the `$adHocSchema` answers at once (each signs
    /// in once; all are signed out at the end).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub sessions: u16,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub login: download::Login,
    /// Endpoint XML, for screen IDs and field mappings in the docs.
    #[arg(long, value_name = "PATH")]
    pub endpoint_xml: Option<PathBuf>,
    /// The module directory in your crate (for example `src/acumatica`, then `mod acumatica;`).
    /// It may hold your own files: only the files named in its `acumatica-codegen.manifest` are
    /// ever replaced or removed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Generate only these top-level entities (comma-separated) and what they reference.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Gate every entity behind a cargo feature of your crate (one per top-level entity) and
    /// print the `[features]` block to append to your Cargo.toml on stdout (the summary goes to
    /// stderr).
    #[arg(long)]
    pub entity_features: bool,
}

/// What to generate, once the schema is read.
#[derive(Debug)]
pub struct Plan {
    /// The endpoint, after `--endpoint-xml` and `--only`.
    pub endpoint: Endpoint,
    /// The generated files.
    pub files: Vec<GeneratedFile>,
    /// The module directory.
    pub out: PathBuf,
    /// How long reading and generating took.
    pub elapsed: Duration,
    /// Every warning printed on the way (the schema's, the endpoint XML's, the `$adHocSchema`
    /// answers', the naming's), in order.
    pub warnings: Vec<String>,
}

/// Where a run goes when the flags do not say: `cargo xtask generate` fills these in for the
/// SDK's own endpoint; the installed command has no defaults.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// The schema when neither `--schema` nor `--url` is given.
    pub schema: Option<PathBuf>,
    /// The endpoint XML when `--endpoint-xml` is not given (only used with the default schema).
    pub endpoint_xml: Option<PathBuf>,
    /// The module directory when `--out` is not given.
    pub out: Option<PathBuf>,
    /// The header label of the default schema (its path in the repository).
    pub label: Option<String>,
    /// How generated code reaches the runtime.
    pub runtime: Option<RuntimeCrate>,
}

/// Reads the schema the flags name and generates the module, printing the reader's warnings
/// and the naming warnings on stderr.
pub fn plan(args: &GenerateArgs, defaults: &Defaults) -> Result<Plan> {
    let started = Instant::now();
    let default_schema = args.schema.is_none() && args.url.is_none();
    let mut online = None;
    let (bytes, origin, label) = match (&args.url, &args.schema, &defaults.schema) {
        (Some(url), _, _) => {
            let (instance, base) = download::endpoint_urls(url, &args.login);
            let session = download::Session::sign_in(&instance, &args.login)?;
            let bytes = download::swagger(&session, &base)?;
            if let Some(path) = &args.save_schema {
                write_atomically(path, &bytes)?;
            }
            online = Some((session, base));
            (bytes, url.clone(), url.clone())
        }
        (None, Some(path), _) | (None, None, Some(path)) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let label = match (&args.schema, &defaults.label) {
                (None, Some(label)) => label.clone(),
                // The file name, not the path as typed: the output must not depend on it.
                _ => acumatica_codegen::source_label(path),
            };
            (bytes, path.display().to_string(), label)
        }
        (None, None, None) => bail!("give the schema with --schema PATH or --url URL"),
    };
    let mut warnings = Warnings::default();
    let mut endpoint = read_schema(&bytes, &origin)?;
    for w in &endpoint.warnings {
        warnings.push(w);
    }
    let xml = match (&args.endpoint_xml, default_schema) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => defaults.endpoint_xml.clone(),
        (None, false) => None,
    };
    if let Some(path) = xml {
        let xml = read_endpoint_xml_file(&path)?;
        for w in xml.apply(&mut endpoint) {
            warnings.push(w);
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
    let mut ad_hoc = AdHoc::default();
    if let Some(dir) = &args.ad_hoc {
        ad_hoc.read_dir(&endpoint, dir)?;
    }
    if let Some((session, base)) = online {
        if args.no_ad_hoc {
            drop(session);
        } else {
            download_ad_hoc(args, &endpoint, session, &base, &mut ad_hoc, &mut warnings)?;
        }
    }
    for w in &ad_hoc.warnings {
        warnings.push(w);
    }
    ad_hoc.warnings.clear();
    ad_hoc.apply(&mut endpoint);
    for w in acumatica_codegen::naming_warnings(&endpoint) {
        warnings.push(w);
    }
    let Some(out) = args.out.clone().or_else(|| defaults.out.clone()) else {
        bail!("give the module directory with --out DIR (for example src/acumatica)");
    };
    let settings = Settings {
        runtime: defaults.runtime.clone().unwrap_or(RuntimeCrate::External),
        source: label,
        entity_features: args.entity_features,
    };
    let files = generate(&endpoint, &settings)?;
    Ok(Plan {
        endpoint,
        files,
        out,
        elapsed: started.elapsed(),
        warnings: warnings.0,
    })
}

/// The warnings of a run: printed on stderr as they come, and kept for [`Plan::warnings`].
#[derive(Debug, Default)]
struct Warnings(Vec<String>);

impl Warnings {
    fn push(&mut self, w: impl std::fmt::Display) {
        let text = w.to_string();
        eprintln!("warning: {text}");
        self.0.push(text);
    }
}

/// Downloads the `$adHocSchema` of every top-level entity of `endpoint` into `ad_hoc` (and into
/// the `.adhoc` directory beside `--save-schema`). An answer that fails or cannot be read is a
/// warning naming the entity: its custom fields and workflow actions are not typed.
fn download_ad_hoc(
    args: &GenerateArgs,
    endpoint: &Endpoint,
    session: download::Session,
    base: &str,
    ad_hoc: &mut AdHoc,
    warnings: &mut Warnings,
) -> Result<()> {
    let declared: Vec<String> = endpoint
        .top_level()
        .filter(|e| {
            e.top_level
                .as_ref()
                .is_some_and(|t| t.operations.contains(&Operation::GetAdHocSchema))
        })
        .map(|e| e.name.clone())
        .collect();
    // A schema that declares no `$adHocSchema` path at all may still serve it.
    let entities = if declared.is_empty() {
        endpoint.top_level().map(|e| e.name.clone()).collect()
    } else {
        declared
    };
    let answers = download::ad_hoc_schemas(
        session,
        &args.login,
        base,
        &entities,
        usize::from(args.sessions),
    );
    let mut saved = Vec::new();
    for (name, answer) in answers {
        let origin = format!("{name}/$adHocSchema");
        match answer {
            Ok(bytes) => match ad_hoc.read(endpoint, &name, &bytes, &origin) {
                Ok(()) => saved.push((name, bytes)),
                Err(e) => warnings.push(format!(
                    "{e}; the custom fields and workflow actions of {name} are not typed"
                )),
            },
            Err(why) => warnings.push(format!(
                "GET {origin} {why}; the custom fields and workflow actions of {name} are not typed"
            )),
        }
    }
    if let Some(schema) = &args.save_schema {
        let dir = schema.with_extension("adhoc");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let keep: Vec<String> = saved.iter().map(|(n, _)| ad_hoc_file_name(n)).collect();
        for (name, bytes) in &saved {
            write_atomically(&dir.join(ad_hoc_file_name(name)), bytes)?;
        }
        // Answers of an earlier download that this one did not get would be read as current.
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            let stale = path.extension().is_some_and(|e| e == "json")
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !keep.iter().any(|k| k == n));
            if stale {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, so that `path` is never half
/// written.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// What [`execute`] did.
#[derive(Debug)]
pub enum Executed {
    /// `--check`: the files that differ (empty when up to date).
    Checked(Vec<PathBuf>),
    /// The module was written.
    Written(WriteReport),
}

/// Checks or writes the planned module, printing a summary on stderr.
pub fn execute(plan: &Plan, check: bool) -> Result<Executed> {
    let out = &plan.out;
    let top = plan.endpoint.top_level().count();
    if check {
        let differ = check_module(out, &plan.files)?;
        if differ.is_empty() {
            eprintln!(
                "{} is up to date ({} files, {top} services)",
                out.display(),
                plan.files.len()
            );
        } else {
            eprintln!(
                "{} is not up to date; these files differ from what the generator writes now:",
                out.display()
            );
            for p in &differ {
                eprintln!("  {}", out.join(p).display());
            }
        }
        return Ok(Executed::Checked(differ));
    }
    let report = write_module(out, &plan.files)?;
    eprintln!(
        "generated {}/{}: {} entities, {top} services, {} files ({} changed, {} removed), {} lines ({:.1} KiB) into {} in {:.2?}",
        plan.endpoint.name,
        plan.endpoint.version,
        plan.endpoint.entities.len(),
        report.files,
        report.written,
        report.removed,
        report.lines,
        report.bytes as f64 / 1024.0,
        out.display(),
        plan.elapsed,
    );
    Ok(Executed::Written(report))
}

/// The `[features]` entries of an endpoint generated with `--entity-features`: `all-entities`
/// and one empty feature per top-level entity (the generated `cfg`s know what each compiles).
pub fn features_entries(endpoint: &Endpoint) -> String {
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

/// The `[features]` table a user's crate needs for a module generated with
/// `--entity-features`, every entity on by default, ready to append to its Cargo.toml.
pub fn features_table(endpoint: &Endpoint) -> String {
    format!(
        "[features]\ndefault = [\"{}\"]\n{}",
        acumatica_codegen::ALL_ENTITIES_FEATURE,
        features_entries(endpoint)
    )
}

/// The installed command: plan, then check or write; with `--entity-features`, the
/// `[features]` table alone on stdout.
pub fn run(args: &GenerateArgs) -> Result<std::process::ExitCode> {
    let plan = plan(args, &Defaults::default())?;
    match execute(&plan, args.check)? {
        Executed::Checked(differ) if !differ.is_empty() => {
            eprintln!("run the same command without --check to update them");
            return Ok(std::process::ExitCode::FAILURE);
        }
        _ => {}
    }
    if args.entity_features && !args.check {
        print!("{}", features_table(&plan.endpoint));
    }
    Ok(std::process::ExitCode::SUCCESS)
}
