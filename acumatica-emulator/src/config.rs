//! Everything an emulator can be told at start: endpoints, tenants, users, seed data, limits, faults.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::customizations::Customizations;

/// The committed `schemas/Default_24.200.001.json`, served when no endpoint is configured.
pub(crate) const DEFAULT_SCHEMA: &[u8] = include_bytes!("../schemas/Default_24.200.001.json");

/// Where the emulator finds one endpoint schema (OpenAPI 3.0.x or Swagger 2.0 JSON).
#[derive(Clone)]
pub struct SchemaSource {
    /// The schema document.
    pub bytes: Arc<[u8]>,
    /// Names the document in errors (a path or `embedded`).
    pub origin: String,
}

impl std::fmt::Debug for SchemaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSource")
            .field("origin", &self.origin)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl SchemaSource {
    /// The embedded Default/24.200.001 schema.
    pub fn default_24() -> Self {
        SchemaSource {
            bytes: Arc::from(DEFAULT_SCHEMA),
            origin: "embedded Default_24.200.001.json".into(),
        }
    }

    /// A schema held in memory.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>, origin: impl Into<String>) -> Self {
        SchemaSource {
            bytes: bytes.into(),
            origin: origin.into(),
        }
    }

    /// Reads a schema file.
    pub fn from_file(path: impl Into<PathBuf>) -> std::io::Result<Self> {
        let path = path.into();
        let bytes = std::fs::read(&path)?;
        Ok(SchemaSource {
            bytes: bytes.into(),
            origin: path.display().to_string(),
        })
    }

    pub(crate) fn is_embedded_default(&self) -> bool {
        std::ptr::eq(self.bytes.as_ptr(), DEFAULT_SCHEMA.as_ptr())
    }
}

/// A user who can sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Login name (`name` in the login body).
    pub username: String,
    /// Password.
    pub password: String,
    /// The tenants the user may sign in to; empty means every tenant.
    pub tenants: Vec<String>,
}

impl User {
    /// A user of every tenant.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        User {
            username: username.into(),
            password: password.into(),
            tenants: Vec::new(),
        }
    }
}

/// Whether the emulator takes a request form whose treatment on a tenant the protocol notes
/// leave UNKNOWN ([`Config::contract_orderby`], [`Config::unconfirmed_functions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Acceptance {
    /// Served as the emulator documents it.
    Accept,
    /// Refused (the default: what the documentation does not name, a client should not count
    /// on).
    #[default]
    Refuse,
}

impl std::str::FromStr for Acceptance {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "accept" => Ok(Acceptance::Accept),
            "refuse" => Ok(Acceptance::Refuse),
            other => Err(format!("{other:?}: expected accept or refuse")),
        }
    }
}

/// How many records of each seeded entity to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedCounts {
    /// `Customer` records `C001`, `C002`, ...
    pub customers: usize,
    /// `Vendor` records `V001`, ...
    pub vendors: usize,
    /// `StockItem` records `ITEM001`, ...
    pub stock_items: usize,
    /// `SalesOrder` records of type `SO`, `000001`, ...
    pub sales_orders: usize,
    /// `Invoice` records of type `Invoice`, `INV000001`, ...
    pub invoices: usize,
}

impl SeedCounts {
    /// No seed data at all.
    pub const NONE: SeedCounts = SeedCounts {
        customers: 0,
        vendors: 0,
        stock_items: 0,
        sales_orders: 0,
        invoices: 0,
    };

    /// `n` records of every seeded entity.
    pub fn all(n: usize) -> Self {
        SeedCounts {
            customers: n,
            vendors: n,
            stock_items: n,
            sales_orders: n,
            invoices: n,
        }
    }
}

impl Default for SeedCounts {
    fn default() -> Self {
        SeedCounts {
            customers: 20,
            vendors: 10,
            stock_items: 20,
            sales_orders: 20,
            invoices: 10,
        }
    }
}

/// Time spent on each API request, inside the session lock: `fixed` plus a uniform draw in
/// `0..=jitter` from a generator seeded with [`Config::seed`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latency {
    /// Always spent.
    pub fixed: Duration,
    /// Upper bound of the random part.
    pub jitter: Duration,
}

/// The license's request limits (the "API processing cores" and the per-minute limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Maximum Number of Concurrent Web Services API Requests; `None` is unlimited.
    pub concurrent_requests: Option<usize>,
    /// Maximum Number of Web Services API Requests per Minute; `None` is unlimited. From 50 % of
    /// it on, each request is delayed by (time left in the minute) / (limit - processed).
    pub requests_per_minute: Option<u32>,
    /// Requests that may wait in the queue; one more is declined with 429 (20 on a tenant).
    pub max_queued: usize,
    /// A request waiting longer than this is declined with 429 (10 minutes on a tenant).
    pub queue_timeout: Duration,
    /// The window `requests_per_minute` counts over (a minute on a tenant; shorter in tests, so
    /// that the per-minute limit and its delays can be exercised in seconds).
    pub window: Duration,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            concurrent_requests: None,
            requests_per_minute: None,
            max_queued: 20,
            queue_timeout: Duration::from_secs(600),
            window: Duration::from_secs(60),
        }
    }
}

/// Which actions run long (202 + polling) and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongRunningConfig {
    /// Patterns `Entity/Action` matched without regard to case; `*` matches any run of characters.
    pub actions: Vec<String>,
    /// How long each long-running action runs.
    pub duration: Duration,
}

impl Default for LongRunningConfig {
    fn default() -> Self {
        // Processing-style actions answer 202 on a tenant (Postman tests); quick workflow
        // actions such as ReopenSalesOrder answer 204.
        LongRunningConfig {
            actions: vec![
                "*/Release*".into(),
                "*/Confirm*".into(),
                "*/Prepare*".into(),
            ],
            duration: Duration::from_millis(150),
        }
    }
}

/// Archives, at start, the records of an entity that match a contract-API `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveRule {
    /// The top-level entity (`SalesOrder`).
    pub entity: String,
    /// A `$filter` in the contract API's syntax (`Status eq 'Completed'`); empty archives all.
    pub filter: String,
}

impl ArchiveRule {
    /// Archives the records of `entity` that match `filter`.
    pub fn new(entity: impl Into<String>, filter: impl Into<String>) -> Self {
        ArchiveRule {
            entity: entity.into(),
            filter: filter.into(),
        }
    }
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 500 with an HttpError body.
    Status500,
    /// 503 with a plain-text body, as IIS answers when the application pool is down.
    Status503,
    /// The connection is aborted after the status line, before the body is complete.
    DropConnection,
    /// The real response, its body trickled out over the given time.
    SlowBody(Duration),
}

/// One fault-injection rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// What happens.
    pub kind: FaultKind,
    /// Probability in `0.0..=1.0` for each matching request.
    pub rate: f64,
    /// HTTP method to match (`PUT`); `None` matches any.
    pub method: Option<String>,
    /// Path pattern (`/entity/*/SalesOrder*`); `*` matches any run of characters.
    pub path: String,
    /// Run the request first and break the response afterwards (the write is applied, the client
    /// does not learn it); otherwise the request never reaches the handler.
    pub after_handler: bool,
}

impl FaultRule {
    /// A rule on every route.
    pub fn new(kind: FaultKind, rate: f64) -> Self {
        FaultRule {
            kind,
            rate,
            method: None,
            path: "*".into(),
            after_handler: false,
        }
    }

    /// Restricts the rule to one method and a path pattern.
    #[must_use]
    pub fn on(mut self, method: Option<&str>, path: &str) -> Self {
        self.method = method.map(str::to_ascii_uppercase);
        self.path = path.to_owned();
        self
    }

    /// Breaks the response after the handler ran (see [`FaultRule::after_handler`]).
    #[must_use]
    pub fn after_handler(mut self) -> Self {
        self.after_handler = true;
        self
    }
}

/// A registered OAuth 2.0 client (Connected Applications, SM303010).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClient {
    /// `GUID@Tenant`.
    pub client_id: String,
    /// The shared secret.
    pub client_secret: String,
    /// The only redirect URI the authorization-code flow accepts.
    pub redirect_uri: String,
}

/// How the emulator behaves. Every field is public; the methods are shortcuts.
#[derive(Debug, Clone)]
pub struct Config {
    /// Endpoint schemas to serve; several at once are fine. Empty means the embedded
    /// Default/24.200.001.
    pub endpoints: Vec<SchemaSource>,
    /// Tenant login names; the first is the default for logins without a tenant.
    pub tenants: Vec<String>,
    /// Users; the first is what [`crate::Emulator::credentials`] returns.
    pub users: Vec<User>,
    /// Seed for the data, the latency jitter and the OAuth client.
    pub seed: u64,
    /// How many records to generate.
    pub counts: SeedCounts,
    /// Per-request latency.
    pub latency: Latency,
    /// Serve each session's requests one at a time (ASP.NET session locking). On by default.
    pub serialize_sessions: bool,
    /// Idle time after which a session is gone (10 minutes on 2025 R2).
    pub session_idle_timeout: Duration,
    /// API Login Limit: concurrent sessions (cookie and OAuth). `None` is unlimited.
    pub max_sessions: Option<usize>,
    /// Status of the API Login Limit error. INFERENCE: 500 (the protocol notes, §1.4).
    pub login_limit_status: u16,
    /// License request pipeline.
    pub pipeline: PipelineConfig,
    /// Long-running actions.
    pub long_running: LongRunningConfig,
    /// Status of a request refused because a long-running operation holds its session.
    /// UNKNOWN on a tenant; 500 with an HttpError body by default.
    pub busy_session_status: u16,
    /// Fault-injection rules, evaluated in order; the first that fires wins.
    pub faults: Vec<FaultRule>,
    /// Seed of the fault generator (separate from [`Config::seed`] so data stays the same).
    pub fault_seed: u64,
    /// OAuth clients; empty means one client derived from the seed.
    pub oauth_clients: Vec<OAuthClient>,
    /// Access-token lifetime (3600 s on a tenant).
    pub access_token_lifetime: Duration,
    /// Refresh-token chain lifetime (30 days on a tenant).
    pub refresh_token_lifetime: Duration,
    /// Compare strings in `$filter` without regard to case, as SQL Server's default collation does.
    pub case_insensitive_filters: bool,
    /// Status of a refused `$filter`. UNKNOWN on a tenant; 500 with an HttpError body by default.
    pub filter_error_status: u16,
    /// `$orderby` on a contract-API list. It is not among the contract API's documented
    /// parameters (Integration Development Guide, "Parameters of the contract-based REST API":
    /// `$filter`, `$top`, `$skip`, `$expand`, `$select`, `$custom`; it is documented for generic
    /// inquiries over OData only), so what a tenant does with it is UNKNOWN. `Refuse` (the
    /// default) answers 400 naming the parameter; `Accept` sorts the list by the fields named
    /// (`CustomerName desc,CustomerID`; linked paths such as `MainContact/Email` too) before
    /// `$skip` and `$top`.
    pub contract_orderby: Acceptance,
    /// `$filter` functions on the contract API that Acumatica's documentation does not confirm
    /// (it names only `substringof`, `startswith` and `endswith`; `contains()` of OData v4 is
    /// not mentioned: UNKNOWN). `Refuse` (the default) refuses them as a filter error;
    /// `Accept` takes `contains(Field, 'text')` (as `substringof('text', Field)`) and
    /// `tolower(Field)` / `toupper(Field)` wherever a field may stand in a comparison.
    pub unconfirmed_functions: Acceptance,
    /// Offset of the site's time zone, in minutes east of UTC, for generated date-times.
    pub utc_offset_minutes: i32,
    /// Records and files are loaded from and saved to this JSON file (seeded when it does not exist).
    pub persistence: Option<PathBuf>,
    /// Records archived at start (after seeding or loading): hidden from reads that do not send
    /// `PX-ApiArchive: SHOW`. See also [`Store::archive`](crate::Store::archive).
    pub archived: Vec<ArchiveRule>,
    /// The tenant's custom fields and workflow actions. `None` serves
    /// [`Customizations::builtin`], on the entities the endpoints have; set, exactly these, and
    /// an entity or field the endpoints lack stops the start with an error naming it.
    pub customizations: Option<Customizations>,
    /// Port to bind on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// Address to bind; 127.0.0.1 by default.
    pub host: std::net::IpAddr,
    /// `acumaticaBuildVersion` reported by `GET /entity`.
    pub build_version: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            endpoints: Vec::new(),
            tenants: vec!["Company".into()],
            users: vec![User::new("admin", "admin")],
            seed: 42,
            counts: SeedCounts::default(),
            latency: Latency::default(),
            serialize_sessions: true,
            session_idle_timeout: Duration::from_secs(600),
            max_sessions: None,
            login_limit_status: 500,
            pipeline: PipelineConfig::default(),
            long_running: LongRunningConfig::default(),
            busy_session_status: 500,
            faults: Vec::new(),
            fault_seed: 7,
            oauth_clients: Vec::new(),
            access_token_lifetime: Duration::from_secs(3600),
            refresh_token_lifetime: Duration::from_secs(30 * 24 * 3600),
            case_insensitive_filters: true,
            filter_error_status: 500,
            contract_orderby: Acceptance::Refuse,
            unconfirmed_functions: Acceptance::Refuse,
            utc_offset_minutes: 0,
            persistence: None,
            archived: Vec::new(),
            customizations: None,
            port: None,
            host: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            build_version: "24.200.0012".into(),
        }
    }
}

impl Config {
    /// Adds an endpoint schema (the first call replaces the embedded default).
    #[must_use]
    pub fn endpoint(mut self, schema: SchemaSource) -> Self {
        self.endpoints.push(schema);
        self
    }

    /// Sets the tenants.
    #[must_use]
    pub fn tenants<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tenants: I) -> Self {
        self.tenants = tenants.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a user (after the default `admin`, unless [`Config::users`] was cleared).
    #[must_use]
    pub fn user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    /// Sets the data seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets how many records to generate.
    #[must_use]
    pub fn counts(mut self, counts: SeedCounts) -> Self {
        self.counts = counts;
        self
    }

    /// Sets the per-request latency.
    #[must_use]
    pub fn latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        self.latency = Latency { fixed, jitter };
        self
    }

    /// Turns per-session serialization on or off.
    #[must_use]
    pub fn serialize_sessions(mut self, on: bool) -> Self {
        self.serialize_sessions = on;
        self
    }

    /// Sets the session idle timeout.
    #[must_use]
    pub fn session_idle_timeout(mut self, timeout: Duration) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// Sets the API Login Limit.
    #[must_use]
    pub fn max_sessions(mut self, max: Option<usize>) -> Self {
        self.max_sessions = max;
        self
    }

    /// Sets the license pipeline.
    #[must_use]
    pub fn pipeline(mut self, pipeline: PipelineConfig) -> Self {
        self.pipeline = pipeline;
        self
    }

    /// Sets which actions run long and for how long.
    #[must_use]
    pub fn long_running(mut self, long_running: LongRunningConfig) -> Self {
        self.long_running = long_running;
        self
    }

    /// Adds a fault rule.
    #[must_use]
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Archives, at start, the records a rule matches.
    #[must_use]
    pub fn archive(mut self, rule: ArchiveRule) -> Self {
        self.archived.push(rule);
        self
    }

    /// Serves these custom fields and workflow actions instead of [`Customizations::builtin`]
    /// (extend the built-in ones with `Customizations::builtin().field(..)`).
    #[must_use]
    pub fn customizations(mut self, customizations: Customizations) -> Self {
        self.customizations = Some(customizations);
        self
    }

    /// Sets the access-token lifetime.
    #[must_use]
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// Sets the persistence file.
    #[must_use]
    pub fn persistence(mut self, path: impl Into<PathBuf>) -> Self {
        self.persistence = Some(path.into());
        self
    }

    /// Sets the port.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The configured endpoints, or the embedded default.
    pub(crate) fn schema_sources(&self) -> Vec<SchemaSource> {
        if self.endpoints.is_empty() {
            vec![SchemaSource::default_24()]
        } else {
            self.endpoints.clone()
        }
    }
}
