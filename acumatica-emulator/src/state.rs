//! The state every request shares, built once from a [`Config`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::FixedOffset;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::config::Config;
use crate::error::Error;
use crate::faults::Faults;
use crate::metrics::Counters;
use crate::model::Model;
use crate::oauth::{OAuth, default_client};
use crate::pipeline::Pipeline;
use crate::session::Sessions;
use crate::store::{self, Shared, Store};
use crate::{persist, seed};

/// A long-running action.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) done: bool,
    /// `_links.self` of the record it works on, for the `Location` of the final 204.
    pub(crate) record_link: Option<String>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) model: Arc<Model>,
    pub(crate) store: Arc<Shared>,
    pub(crate) sessions: Sessions,
    pub(crate) oauth: OAuth,
    pub(crate) metrics: Counters,
    pub(crate) pipeline: Pipeline,
    pub(crate) faults: Faults,
    pub(crate) ops: Mutex<HashMap<Uuid, Op>>,
    latency_rng: Mutex<SmallRng>,
    /// The site's time zone.
    pub(crate) site: FixedOffset,
}

/// The emulator's shared state: build it with [`AppState::new`] and serve it with
/// [`crate::router`] to embed the emulator in another axum application.
#[derive(Debug, Clone)]
pub struct AppState(pub(crate) Arc<State>);

impl AppState {
    /// Reads the schemas, seeds (or loads) the data and sets everything up; serves nothing yet.
    pub fn new(config: Config) -> Result<AppState, Error> {
        if config.tenants.is_empty() {
            return Err(Error::Config("at least one tenant is needed".into()));
        }
        if config.users.is_empty() {
            return Err(Error::Config("at least one user is needed".into()));
        }
        let site = FixedOffset::east_opt(config.utc_offset_minutes * 60).ok_or_else(|| {
            Error::Config(format!(
                "UTC offset {} min is out of range",
                config.utc_offset_minutes
            ))
        })?;
        let mut model = Model::load(&config.schema_sources())?;
        model.customize(config.customizations.as_ref(), site)?;
        let model = Arc::new(model);
        let shared = Arc::new(Shared::new(model.clone(), &config.tenants));
        let loaded = match &config.persistence {
            Some(path) => persist::load(&shared, path)?,
            None => false,
        };
        if !loaded {
            for (_, data) in shared.tenants.values() {
                seed::seed(
                    &model,
                    &mut store::write(data),
                    config.seed,
                    config.counts,
                    site,
                );
            }
        }
        archive(&shared, &config)?;
        let clients = if config.oauth_clients.is_empty() {
            vec![default_client(config.seed, &config.tenants[0])]
        } else {
            config.oauth_clients.clone()
        };
        let state = State {
            sessions: Sessions::new(config.session_idle_timeout, config.max_sessions),
            oauth: OAuth::new(
                clients,
                config.access_token_lifetime,
                config.refresh_token_lifetime,
            ),
            metrics: Counters::default(),
            pipeline: Pipeline::new(config.pipeline),
            faults: Faults::new(config.faults.clone(), config.fault_seed),
            ops: Mutex::new(HashMap::new()),
            latency_rng: Mutex::new(SmallRng::seed_from_u64(config.seed ^ 0x01A7_E4C7)),
            site,
            model,
            store: shared,
            config,
        };
        Ok(AppState(Arc::new(state)))
    }

    /// The store of the first tenant.
    pub fn store(&self) -> Store {
        Store {
            shared: self.0.store.clone(),
            tenant: self.0.config.tenants[0].clone(),
        }
    }
}

/// Archives, in every tenant, the records [`Config::archived`] names.
fn archive(shared: &Shared, config: &Config) -> Result<(), Error> {
    for rule in &config.archived {
        let bad = |why: String| {
            Error::Config(format!(
                "archiving {} where {:?}: {why}",
                rule.entity, rule.filter
            ))
        };
        let entity = shared
            .model
            .canonical_entity(&rule.entity)
            .ok_or_else(|| bad("no endpoint has this top-level entity".into()))?;
        let expr = match rule.filter.trim() {
            "" => None,
            f => Some(
                match config.unconfirmed_functions {
                    crate::Acceptance::Accept => crate::filter::parse_unconfirmed(f),
                    crate::Acceptance::Refuse => crate::filter::parse(f),
                }
                .map_err(|e| bad(e.message))?,
            ),
        };
        let opts = crate::filter::EvalOptions {
            case_insensitive: config.case_insensitive_filters,
        };
        for (_, lock) in shared.tenants.values() {
            let mut data = store::write(lock);
            let mut ids = Vec::new();
            if let Some(table) = data.table(&entity) {
                let names = expr.as_ref().map(|e| table.filter_names(e));
                for pos in table.positions(0, true) {
                    let keep = match (&expr, &names) {
                        (Some(e), Some(names)) => {
                            let view = serde_json::Value::Object(table.filter_view(pos, names));
                            crate::filter::eval(e, &view, &opts).map_err(|e| bad(e.to_string()))?
                        }
                        _ => true,
                    };
                    if keep {
                        ids.push(table.id(pos));
                    }
                }
            }
            for id in ids {
                data.archive_id(id);
            }
        }
    }
    Ok(())
}

impl State {
    /// This request's latency: fixed plus seeded jitter.
    pub(crate) fn latency(&self) -> Duration {
        let l = self.config.latency;
        if l.jitter.is_zero() {
            return l.fixed;
        }
        let nanos = l.jitter.as_nanos().min(u64::MAX as u128) as u64;
        let draw = self
            .latency_rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .random_range(0..=nanos);
        l.fixed + Duration::from_nanos(draw)
    }

    /// Drops idle sessions, counting them as expired.
    pub(crate) fn sweep_sessions(&self) {
        let n = self.sessions.sweep();
        if n > 0 {
            self.metrics
                .expired_sessions
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// The tenant's data lock.
    pub(crate) fn tenant(&self, name: &str) -> Option<&std::sync::RwLock<store::TenantData>> {
        self.store.tenant(name)
    }
}
