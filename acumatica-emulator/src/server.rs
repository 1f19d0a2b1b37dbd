//! [`Emulator`]: a started server with its background tasks, stopped when dropped.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Config, OAuthClient};
use crate::error::Error;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::Store;
use crate::{persist, router};

/// What to sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `name` in the login body.
    pub username: String,
    /// `password`.
    pub password: String,
    /// `tenant`.
    pub tenant: String,
}

/// A running emulator. Dropping it stops the server and its background tasks (and saves the
/// persistence file, if one is configured).
#[derive(Debug)]
pub struct Emulator {
    state: AppState,
    url: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// Builds the state and serves it on `127.0.0.1:0` (or the configured host and port).
    pub async fn start(config: Config) -> Result<Emulator, Error> {
        let bind = SocketAddr::new(config.host, config.port.unwrap_or(0));
        // Parsing a 2.5 MB schema and seeding 10,000s of records is CPU work; keep it off the
        // async worker threads.
        let state = tokio::task::spawn_blocking(move || AppState::new(config))
            .await
            .map_err(|e| Error::Config(format!("setting up the emulator panicked: {e}")))??;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|source| Error::Io {
                action: format!("binding {bind}"),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Io {
            action: "reading the bound address".into(),
            source,
        })?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let mut tasks = vec![server];
        // Idle sessions must disappear on their own, so the login limit frees up.
        let s = state.0.clone();
        let period = (s.config.session_idle_timeout / 4)
            .clamp(Duration::from_millis(50), Duration::from_secs(5));
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                s.sweep_sessions();
            }
        }));
        if let Some(path) = state.0.config.persistence.clone() {
            let s = state.0.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if s.store.dirty.load(Ordering::Relaxed) {
                        let (s2, p2) = (s.clone(), path.clone());
                        let saved =
                            tokio::task::spawn_blocking(move || persist::save(&s2.store, &p2))
                                .await;
                        if let Ok(Err(e)) = saved {
                            tracing::warn!("saving {}: {e}", path.display());
                        }
                    }
                }
            }));
        }
        let url = format!("http://{addr}");
        Ok(Emulator {
            state,
            url,
            addr,
            shutdown: Some(tx),
            tasks,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): the instance URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first configured user, with the first tenant.
    pub fn credentials(&self) -> Credentials {
        let c = &self.state.0.config;
        Credentials {
            username: c.users[0].username.clone(),
            password: c.users[0].password.clone(),
            tenant: c.tenants[0].clone(),
        }
    }

    /// A snapshot of the counters.
    pub fn metrics(&self) -> Metrics {
        let s = &self.state.0;
        s.metrics.snapshot(s.sessions.count())
    }

    /// Zeroes the counters.
    pub fn reset_metrics(&self) {
        let s = &self.state.0;
        s.metrics.reset(s.sessions.count());
    }

    /// The records of the first tenant (see [`Store::tenant`] for others).
    pub fn store(&self) -> Store {
        self.state.store()
    }

    /// Ends every session as if it had idled out: the next request of each gets 401.
    pub fn expire_sessions(&self) {
        let s = &self.state.0;
        let n = s.sessions.expire_all();
        s.metrics
            .expired_sessions
            .fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Changes the API Login Limit (takes effect for the next sign-in).
    pub fn set_max_sessions(&self, max: Option<usize>) {
        self.state.0.sessions.set_max(max);
    }

    /// The first registered OAuth client.
    pub fn oauth_client(&self) -> OAuthClient {
        self.state.0.oauth.clients[0].clone()
    }

    /// `/entity/{name}/{version}/` of every endpoint served.
    pub fn endpoints(&self) -> Vec<String> {
        self.state
            .0
            .model
            .endpoints
            .iter()
            .map(|e| format!("{}/", e.base()))
            .collect()
    }

    /// The shared state (for [`crate::router`] or inspection).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Saves the persistence file now, if one is configured.
    pub fn save(&self) -> Result<(), Error> {
        match &self.state.0.config.persistence {
            Some(path) => persist::save(&self.state.0.store, path),
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for t in self.tasks.iter().skip(1) {
            t.abort();
        }
        if let Err(e) = self.save() {
            tracing::warn!("saving on shutdown: {e}");
        }
    }
}
