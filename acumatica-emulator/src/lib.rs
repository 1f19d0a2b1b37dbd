//! A local emulator of an Acumatica ERP tenant's contract-based REST API, driven by endpoint
//! schemas: every top-level entity of every configured endpoint is served generically, with
//! sign-in, sessions, the license limits, actions, files, generic inquiries over OData,
//! deterministic seed data, latency, fault injection and metrics. A client that works against
//! it should work against a real tenant; where real Acumatica is surprising (a failed login or a
//! missing record is a 500), the emulator is too, as Acumatica's Integration Development Guide
//! and the responses its own C# client and other clients capture show.
//!
//! # Starting it
//!
//! In a test:
//!
//! ```no_run
//! # async fn demo() -> Result<(), acumatica_emulator::Error> {
//! use acumatica_emulator::{Config, Emulator};
//! let emulator = Emulator::start(Config::default()).await?;   // 127.0.0.1, a free port
//! let base = format!("{}/entity/Default/24.200.001", emulator.url());
//! let creds = emulator.credentials();                          // admin / admin / Company
//! # let _ = (base, creds); Ok(()) }
//! ```
//!
//! Dropping the [`Emulator`] stops it. To embed it in another axum application use
//! [`AppState::new`] and [`router`].
//!
//! As a program: `cargo run -p acumatica-emulator -- --schema schemas/Default_24.200.001.json
//! --port 8080 --latency-ms 50 --max-sessions 5` (see `--help`); it prints the URL and the
//! credentials and serves until Ctrl-C.
//!
//! # Defaults
//!
//! - Endpoint: the committed `schemas/Default_24.200.001.json` (embedded; parsed once per
//!   process). Any OpenAPI 3 / Swagger 2 endpoint schema works, several at once.
//! - One tenant `Company`; one user `admin` / `admin`; one OAuth client whose id is a GUID
//!   derived from the seed, `@Company` ([`Emulator::oauth_client`]).
//! - Seed 42; 20 customers, 10 vendors, 20 stock items, 20 sales orders, 10 invoices.
//! - No latency, no limits, sessions serialized, 10-minute idle timeout, case-insensitive filters.
//!
//! # Seed data and keys
//!
//! Deterministic from [`Config::seed`] ([`SeedCounts`] sets how many):
//!
//! | entity | keys | notes |
//! |---|---|---|
//! | `Customer` | `C001`, `C002`, … (`C{:03}`) | `MainContact` with `Address`, 1–3 `Contacts`, custom `CurrentCustomer.UsrLoyaltyTier` (`Gold`, `Silver`, `Bronze` in turn) and `Document.AttributeINDUSTRY` |
//! | `Vendor` | `V001`, … | `MainContact` with `Address` |
//! | `StockItem` | `ITEM001`, … | prices, custom `ItemSettings.UsrRepairItemType` |
//! | `SalesOrder` | `SO` / `000001`, … (`{:06}`) | 1–4 `Details` lines of seeded stock items (custom `Transactions.UsrUnitWeight`); statuses Open, On Hold, Completed, Cancelled; custom `Document.UsrExternalRef` |
//! | `Invoice` | `Invoice` / `INV000001`, … | 1–3 `Details` lines; the type also answers to its code `INV`; custom `Document.CuryBalanceWOTotal` |
//!
//! The custom fields, their seeded values and the workflow actions are [`Customizations`]:
//! [`Customizations::builtin`] unless [`Config::customizations`] says otherwise.
//!
//! Decimals carry the database scale (`5000.0000`, quantities `2.000000`), date-times an explicit
//! offset ([`Config::utc_offset_minutes`]). Numbers past 999 grow a digit (`C1000`). New records
//! get the next number of auto-numbered keys (`OrderNbr` → `000021`). Every other entity starts
//! empty and is fully served: `PUT` creates records, keyed as the schema reader infers.
//!
//! # What it serves
//!
//! - `POST /entity/auth/login` (JSON or form) and `/entity/auth/logout`; OAuth 2.0 at
//!   `/identity/connect/token` (password, refresh_token with rotation, authorization_code with
//!   PKCE S256) and `/identity/connect/authorize` (auto-approves as the first user).
//! - `/entity/{endpoint}/{version}/{Entity}`: list with `$filter`, `$select`, `$expand`,
//!   `$custom`, `$top`, `$skip`; archived records ([`Store::archive`], [`Config::archived`])
//!   only with `PX-ApiArchive: SHOW`; get and delete by id or keys; `PUT` upsert, `PATCH`; actions
//!   and their status; files; `$adHocSchema`; `swagger.json`. `GET /entity` lists endpoints.
//! - `/t/{tenant}/api/odata/gi`: generic inquiries `Customers`, `SalesOrders`, `StockItems`;
//!   with parameters `Customers_WithParameters(CustomerClass='..',City='..')` and
//!   `StockItems_WithParameters(Warehouse='..')` (or the alias form `(Warehouse=@1)?@1='..'`).
//! - `GET /emulator/metrics`: [`Metrics`] as JSON.
//!
//! Entity-specific behaviour (references checked on write, drop-downs, defaults, numbering,
//! the effects of schema actions) is data in one module, `rules.rs`; the tenant's custom fields
//! and workflow actions are configurable data, [`Customizations`] (JSON: `--customizations`).
//!
//! # Knobs
//!
//! Every field of [`Config`]: endpoints, tenants, users, seed and counts, latency (fixed +
//! seeded jitter), session serialization, idle timeout, API Login Limit and its status, the
//! license pipeline ([`PipelineConfig`]), long-running actions ([`LongRunningConfig`]), fault
//! rules ([`FaultRule`]), OAuth clients and token lifetimes, filter case sensitivity, the
//! statuses of behaviours the protocol notes mark UNKNOWN, whether `$orderby` on contract lists
//! and the `$filter` functions Acumatica does not confirm are taken ([`Acceptance`]), records
//! archived at start
//! ([`ArchiveRule`]), the tenant's custom fields and workflow actions ([`Customizations`]), and
//! an optional persistence file.

#![warn(missing_docs, unreachable_pub)]

mod codec;
mod config;
mod customizations;
mod error;
mod faults;
mod files;
pub mod filter;
mod gate;
mod metrics;
mod model;
mod oauth;
mod persist;
mod pipeline;
mod render;
mod routes;
mod rules;
mod seed;
mod server;
mod session;
mod state;
mod store;
mod wire;
mod write;

pub use config::{
    Acceptance, ArchiveRule, Config, FaultKind, FaultRule, Latency, LongRunningConfig, OAuthClient,
    PipelineConfig, SchemaSource, SeedCounts, User,
};
pub use customizations::{
    ActionEffect, ActionParameter, CustomFieldSpec, CustomType, Customizations,
    CustomizationsError, EffectTarget, EffectValue, SeedValues, WorkflowActionSpec,
};
pub use error::{Error, StoreError};
pub use metrics::Metrics;
pub use routes::router;
pub use server::{Credentials, Emulator};
pub use state::AppState;
pub use store::Store;
