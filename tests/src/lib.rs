//! Shared helpers of the end-to-end tests: an emulator, a client for it, polling with a deadline,
//! a recording proxy, a misbehaving server, a log capture and per-entity fixtures.

pub mod fixtures;
pub mod logs;
pub mod misbehaving;
pub mod proxy;

use std::time::{Duration, Instant};

use acumatica_sdk::{AcumaticaClient, ClientBuilder, Credentials, RetryPolicy};

pub use acumatica_emulator::{Config, Emulator, Metrics, SeedCounts};

/// An emulator with the default configuration (20 customers, 20 stock items, 20 sales orders,
/// 10 invoices; admin/admin on tenant `Company`).
pub async fn emulator() -> Emulator {
    emulator_with(Config::default()).await
}

/// An emulator with `config`.
pub async fn emulator_with(config: Config) -> Emulator {
    Emulator::start(config)
        .await
        .unwrap_or_else(|e| panic!("the emulator did not start: {e}"))
}

/// The credentials of the emulator's first user.
pub fn credentials(emulator: &Emulator) -> Credentials {
    let c = emulator.credentials();
    Credentials::new(c.username, c.password).tenant(c.tenant)
}

/// Retries as the default policy does, with waits short enough for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

/// A client builder for `emulator` signed in as its first user, polling actions every 20 ms and
/// retrying with short waits.
pub fn builder(emulator: &Emulator) -> ClientBuilder {
    builder_at(emulator.url(), emulator)
}

/// Like [`builder`], but talking to `url` (a [`proxy::RecordingProxy`] in front of the emulator).
pub fn builder_at(url: &str, emulator: &Emulator) -> ClientBuilder {
    AcumaticaClient::builder()
        .base_url(url)
        .credentials(credentials(emulator))
        .action_poll_interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(30))
        .retry(fast_retries())
        // The emulator runs in the test's runtime and ends with it: a session a test leaves
        // signed in is signed out on a helper thread after that, and can only fail quickly.
        .drop_logout_timeout(Duration::from_millis(300))
}

/// A client for `emulator` (see [`builder`]).
pub fn client(emulator: &Emulator) -> AcumaticaClient {
    builder(emulator)
        .build()
        .unwrap_or_else(|e| panic!("the client did not build: {e}"))
}

/// Polls `check` every 10 ms until it holds; panics naming `what` after `within`.
pub async fn eventually(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < within,
            "{what}: still not true after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// How many answers with `status` the emulator sent.
pub fn answers(metrics: &Metrics, status: u16) -> u64 {
    metrics
        .requests_by_status
        .get(&status)
        .copied()
        .unwrap_or(0)
}

/// Applied writes the emulator counted, over all records.
pub fn total_writes(metrics: &Metrics) -> u64 {
    metrics.writes.values().sum()
}
