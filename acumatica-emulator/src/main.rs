//! `acumatica-emulator`: serves an emulated Acumatica tenant until Ctrl-C.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use acumatica_emulator::{
    Acceptance, ArchiveRule, Config, Customizations, Emulator, FaultKind, FaultRule,
    PipelineConfig, SchemaSource, SeedCounts, User,
};
use anyhow::{Context, anyhow, bail};
use clap::Parser;

// Seeding builds and drops a tree of small JSON nodes per record before storing its bytes;
// mimalloc serves that load far faster than the system allocator (the library leaves the
// allocator to whoever embeds it).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local emulator of an Acumatica tenant's contract-based REST API.
///
/// Serves every top-level entity of the given endpoint schemas with seeded data, sign-in,
/// sessions, OAuth, the license limits, actions, files and generic inquiries over OData, until
/// Ctrl-C or SIGTERM. On start it prints the URL, the credentials and the OAuth client.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    long_about,
    after_help = "Examples:\n  \
        acumatica-emulator --port 8080\n  \
        acumatica-emulator --port 8080 --records 1000 --latency-ms 50 --max-sessions 5\n  \
        acumatica-emulator --schema Default_24.200.001.json --schema DeviceHub_23.200.001.json\n  \
        acumatica-emulator --fault 503:0.05 --fault slow2000:0.1:GET:/entity/*/SalesOrder*\n  \
        acumatica-emulator --customizations tenant-customizations.json\n\n\
        Logging: RUST_LOG (default warn), e.g. RUST_LOG=acumatica_emulator=debug."
)]
struct Args {
    /// Endpoint schema to serve (OpenAPI 3 or Swagger 2 JSON, as a tenant's swagger.json);
    /// repeat for several endpoints. [default: the embedded Default/24.200.001]
    #[arg(long = "schema", value_name = "FILE")]
    schemas: Vec<PathBuf>,
    /// Port to listen on; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 0, env = "ACUMATICA_EMULATOR_PORT")]
    port: u16,
    /// Address to bind (0.0.0.0 to serve other hosts or containers).
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Fixed latency of every API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Random extra latency, up to this many milliseconds (seeded).
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// API Login Limit: concurrent sessions (cookie and OAuth); a sign-in past it is refused.
    /// [default: no limit]
    #[arg(long)]
    max_sessions: Option<usize>,
    /// Status of the API Login Limit error.
    #[arg(long, default_value_t = 500)]
    login_limit_status: u16,
    /// Status of the refusal of a request on a session busy with a long-running action
    /// (UNKNOWN on a tenant; 500 with a PXException by default).
    #[arg(long, default_value_t = 500)]
    busy_session_status: u16,
    /// Status of the refusal of a `$filter` the tenant does not accept (UNKNOWN on a tenant;
    /// 500 with an ODataException by default).
    #[arg(long, default_value_t = 500)]
    filter_error_status: u16,
    /// `$orderby` on contract-API lists: `refuse` (400 naming the parameter) or `accept` (sort
    /// by the fields named, `Field [asc|desc],...`, before `$skip`/`$top`). Not among the
    /// contract API's documented parameters (UNKNOWN on a tenant); generic inquiries take it
    /// either way.
    #[arg(long, value_name = "accept|refuse", default_value = "refuse")]
    orderby: Acceptance,
    /// `$filter` functions the documentation does not confirm for the contract API: `refuse`
    /// (a filter error) or `accept` (`contains(Field, 'text')` as substringof, and
    /// `tolower(Field)`/`toupper(Field)` in place of a field). Documented: substringof,
    /// startswith, endswith (UNKNOWN on a tenant for the others).
    #[arg(long, value_name = "accept|refuse", default_value = "refuse")]
    unconfirmed_functions: Acceptance,
    /// License: concurrent API requests; more wait in the queue. [default: no limit]
    #[arg(long)]
    concurrent_requests: Option<usize>,
    /// License: API requests per minute (per license window); from half of it on, requests
    /// are delayed.
    /// [default: no limit]
    #[arg(long)]
    requests_per_minute: Option<u32>,
    /// License: requests that may wait in the queue; more are declined with 429.
    #[arg(long, default_value_t = 20)]
    max_queued: usize,
    /// License: the window the per-minute limit counts over, in milliseconds (60000 on a
    /// tenant; shorter to exercise the limit and its delays in seconds).
    #[arg(long, default_value_t = 60_000)]
    license_window_ms: u64,
    /// Seed of the data: the same seed gives the same records.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Records of each seeded entity (customers, vendors, stock items, sales orders, invoices):
    /// N of each, 5·N in all. [default: 20 customers, 10 vendors, 20 stock items, 20 sales
    /// orders, 10 invoices]
    #[arg(long)]
    records: Option<usize>,
    /// Tenant name; repeat for several (the first is the default). [default: Company]
    #[arg(long = "tenant", value_name = "NAME")]
    tenants: Vec<String>,
    /// A user as `name:password`; repeat for several. [default: admin:admin]
    #[arg(long = "user", value_name = "NAME:PASSWORD")]
    users: Vec<String>,
    /// Serve a session's requests concurrently instead of one at a time (a tenant serializes
    /// them). [default: serialized]
    #[arg(long)]
    no_session_serialization: bool,
    /// Session idle timeout in seconds; an idle session is signed out.
    #[arg(long, default_value_t = 600)]
    idle_timeout_secs: u64,
    /// OAuth access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime_secs: u64,
    /// Long-running action pattern `Entity/Action` (`*` wildcard, `!` excludes): such actions
    /// answer 202 and are polled; repeat for several; replaces the defaults.
    /// [default: */Release* */Confirm* */Prepare*]
    #[arg(long = "long-action", value_name = "PATTERN")]
    long_actions: Vec<String>,
    /// How long a long-running action runs, in milliseconds.
    #[arg(long, default_value_t = 150)]
    long_action_ms: u64,
    /// Fault rule `KIND:RATE[:METHOD[:PATH]]`: KIND is 500, 503, drop (connection cut after
    /// the status line) or slow<ms> (body trickled over <ms>, 2000 if omitted); RATE in 0..=1
    /// (default 1); METHOD `*` or empty for any; PATH a pattern with `*` (default any).
    /// Repeat for several. [default: none]
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<String>,
    /// Seed of the fault generator.
    #[arg(long, default_value_t = 7)]
    fault_seed: u64,
    /// Compare strings in `$filter` with case. [default: without case, as SQL Server does]
    #[arg(long)]
    case_sensitive_filters: bool,
    /// Keep the data in this JSON file: loaded at start if it exists (instead of seeding),
    /// saved while running and at exit. [default: in memory only]
    #[arg(long, value_name = "FILE")]
    persist: Option<PathBuf>,
    /// Archive, at start, the records of ENTITY that match a contract-API `$filter` (all of them
    /// if FILTER is empty), e.g. `SalesOrder:Status eq 'Completed'`. Reads leave archived
    /// records out unless they send `PX-ApiArchive: SHOW`. Repeat for several. [default: none]
    #[arg(long = "archive", value_name = "ENTITY:FILTER")]
    archive: Vec<String>,
    /// The tenant's custom fields and workflow actions, a JSON file; replaces the built-in set.
    /// {"fields": {ENTITY: {VIEW: {FIELD: TYPE}}}, "actions": {ENTITY: {ACTION: {"parameters":
    /// {VIEW: {FIELD: TYPE}}, "set": {FIELD: VALUE}}}}}. ENTITY is a schema name (detail
    /// entities too: SalesOrderDetail); TYPE is String, Decimal, Boolean, DateTime, Int, Short,
    /// Long, Byte, Double or Guid, or {"type": TYPE, SEED} to give seeded records values, SEED
    /// one of "value": V, "values": [V, ..] (in turn), "pick": [V, ..] (seeded draw), "format":
    /// "EXT-{n:05}" (record number), "copy": "FIELD" (a contract field). In "set", FIELD is a
    /// contract field or VIEW.FIELD a custom one, VALUE a constant or {"parameter":
    /// "VIEW.FIELD"}. The crate's README has an example. [default: the built-in set, e.g.
    /// Customer CurrentCustomer.UsrLoyaltyTier, SalesOrderDetail Transactions.UsrUnitWeight,
    /// Customer/ChangeLoyaltyTier, Case/Close]
    #[arg(long, value_name = "FILE")]
    customizations: Option<PathBuf>,
}

fn fault(spec: &str) -> anyhow::Result<FaultRule> {
    let mut parts = spec.splitn(4, ':');
    let kind = match parts.next().unwrap_or_default() {
        "500" => FaultKind::Status500,
        "503" => FaultKind::Status503,
        "drop" => FaultKind::DropConnection,
        k if k.starts_with("slow") => {
            let ms: u64 = k.trim_start_matches("slow").parse().unwrap_or(2000);
            FaultKind::SlowBody(Duration::from_millis(ms))
        }
        other => bail!("unknown fault kind {other:?} in {spec:?} (500, 503, drop, slow<ms>)"),
    };
    let rate: f64 = parts
        .next()
        .unwrap_or("1")
        .parse()
        .with_context(|| format!("rate in {spec:?}"))?;
    let method = parts.next().filter(|m| !m.is_empty() && *m != "*");
    let path = parts.next().unwrap_or("*");
    Ok(FaultRule::new(kind, rate).on(method, path))
}

fn config(args: Args) -> anyhow::Result<Config> {
    let mut c = Config::default();
    for path in &args.schemas {
        c.endpoints.push(
            SchemaSource::from_file(path).with_context(|| format!("reading {}", path.display()))?,
        );
    }
    c.port = Some(args.port);
    c.host = args.host;
    c.latency.fixed = Duration::from_millis(args.latency_ms);
    c.latency.jitter = Duration::from_millis(args.jitter_ms);
    c.max_sessions = args.max_sessions;
    c.login_limit_status = args.login_limit_status;
    c.busy_session_status = args.busy_session_status;
    c.filter_error_status = args.filter_error_status;
    c.contract_orderby = args.orderby;
    c.unconfirmed_functions = args.unconfirmed_functions;
    c.pipeline = PipelineConfig {
        concurrent_requests: args.concurrent_requests,
        requests_per_minute: args.requests_per_minute,
        max_queued: args.max_queued,
        window: Duration::from_millis(args.license_window_ms.max(1)),
        ..PipelineConfig::default()
    };
    c.seed = args.seed;
    if let Some(n) = args.records {
        c.counts = SeedCounts::all(n);
    }
    if !args.tenants.is_empty() {
        c.tenants = args.tenants;
    }
    if !args.users.is_empty() {
        c.users = args
            .users
            .iter()
            .map(|u| {
                u.split_once(':')
                    .map(|(n, p)| User::new(n, p))
                    .with_context(|| format!("--user {u:?}: expected name:password"))
            })
            .collect::<anyhow::Result<_>>()?;
    }
    c.serialize_sessions = !args.no_session_serialization;
    c.session_idle_timeout = Duration::from_secs(args.idle_timeout_secs);
    c.access_token_lifetime = Duration::from_secs(args.token_lifetime_secs);
    if !args.long_actions.is_empty() {
        c.long_running.actions = args.long_actions;
    }
    c.long_running.duration = Duration::from_millis(args.long_action_ms);
    c.faults = args
        .faults
        .iter()
        .map(|f| fault(f))
        .collect::<anyhow::Result<_>>()?;
    c.fault_seed = args.fault_seed;
    c.case_insensitive_filters = !args.case_sensitive_filters;
    c.persistence = args.persist;
    if let Some(path) = &args.customizations {
        c.customizations =
            Some(Customizations::from_file(path).map_err(|e| anyhow!("--customizations {e}"))?);
    }
    c.archived = args
        .archive
        .iter()
        .map(|a| {
            a.split_once(':')
                .map(|(entity, filter)| ArchiveRule::new(entity.trim(), filter))
                .with_context(|| format!("--archive {a:?}: expected ENTITY:FILTER"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(c)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let config = config(Args::parse())?;
    let stop = stop_signal()?;
    let emulator = Emulator::start(config)
        .await
        .context("starting the emulator")?;
    let creds = emulator.credentials();
    let client = emulator.oauth_client();
    let url = emulator.url();
    let mut banner = format!("Acumatica emulator listening on {url}\n");
    for href in emulator.endpoints() {
        banner += &format!("  endpoint {url}{href}\n");
    }
    banner += &format!(
        "  sign in: POST {url}/entity/auth/login\n  name={} password={} tenant={}\n",
        creds.username, creds.password, creds.tenant
    );
    banner += &format!(
        "  OAuth client_id={} client_secret={} redirect_uri={}\n",
        client.client_id, client.client_secret, client.redirect_uri
    );
    banner += &format!("  metrics: GET {url}/emulator/metrics\nPress Ctrl-C to stop.\n");
    // Whoever reads the banner may stop reading (`| head -1`): that is no reason to stop serving.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);
    stop.await?;
    drop(emulator);
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix (what `kill` and CI runners send), so both stop it cleanly and
/// `--persist` saves the data. On Unix the handlers are in place when this returns, before the
/// start-up lines tell anyone the emulator is there.
fn stop_signal() -> anyhow::Result<impl Future<Output = anyhow::Result<()>>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).context("listening for Ctrl-C")?;
        let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            Ok(())
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async { tokio::signal::ctrl_c().await.context("waiting for Ctrl-C") })
    }
}
