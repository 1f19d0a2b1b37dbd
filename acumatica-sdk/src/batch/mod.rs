//! Typed concurrent batches: [`BatchCall`]s run over separate sessions, each result in its own
//! type.
//!
//! ```no_run
//! use acumatica_sdk::prelude::*;
//! use acumatica_sdk::default::{Customer, DefaultEndpoint as _, Invoice, SalesOrder};
//! # async fn f(client: AcumaticaClient) -> acumatica_sdk::Result<()> {
//! let (customer, order, invoices) = client
//!     .batch()
//!     .max_concurrent(5)
//!     .run((
//!         client.customers().get_by_id_batch("C001"),
//!         client.sales_orders().get_by_keys_batch(&["SO", "000001"]),
//!         client.invoices().get_list_batch(QueryOptions::new().top(10)),
//!     ))
//!     .await;
//! let customer: Customer = customer?;
//! let order: SalesOrder = order?;
//! let invoices: Vec<Invoice> = invoices?;
//! # Ok(()) }
//! ```
//!
//! Each of up to `max_concurrent` lanes signs in its own session when it takes its first call
//! and keeps it for its next calls, so M calls cost at most N sign-ins; all of them sign out
//! when the batch ends — finished, timed out, failed fast or dropped half-way (then in the
//! background). A sign-in refused for the API login limit does not fail the batch: it goes on
//! with the sessions it has, and with none it waits for one ([`Batch::wait_for_session`]).

mod adaptive;
mod call;
mod executor;
mod job;
mod report;
mod results;
mod tuple;

use std::sync::Arc;
use std::time::Duration;

pub use call::BatchCall;
pub use report::BatchReport;
pub use results::{BatchError, BatchResults, RetryBatch};
pub use tuple::IntoBatch;

use crate::client::AcumaticaClient;

/// Called with `(completed, total)` after every call that finishes.
pub type ProgressFn = Arc<dyn Fn(usize, usize) + Send + Sync>;

#[derive(Clone)]
pub(crate) struct BatchOptions {
    pub(crate) max_concurrent: usize,
    pub(crate) timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) fail_fast: bool,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) use_client_session: bool,
    pub(crate) session_wait: Duration,
    pub(crate) adaptive: bool,
    #[cfg(feature = "progress")]
    pub(crate) progress_bar: bool,
}

impl std::fmt::Debug for BatchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOptions")
            .field("max_concurrent", &self.max_concurrent)
            .field("timeout", &self.timeout)
            .field("call_timeout", &self.call_timeout)
            .field("fail_fast", &self.fail_fast)
            .field("progress", &self.progress.is_some())
            .field("use_client_session", &self.use_client_session)
            .field("session_wait", &self.session_wait)
            .field("adaptive", &self.adaptive)
            .finish()
    }
}

/// A batch runner: options, then [`run`](Batch::run) (a tuple of calls → a tuple of results),
/// [`run_all`](Batch::run_all) (calls of one type → [`BatchResults`]) or
/// [`try_run`](Batch::try_run) (all values, or the first failure).
#[derive(Debug, Clone)]
#[must_use]
pub struct Batch {
    client: AcumaticaClient,
    options: BatchOptions,
}

impl AcumaticaClient {
    /// A batch runner with default options (10 sessions, no time limit).
    pub fn batch(&self) -> Batch {
        Batch {
            client: self.clone(),
            options: BatchOptions {
                max_concurrent: 10,
                timeout: None,
                call_timeout: None,
                fail_fast: false,
                progress: None,
                use_client_session: false,
                session_wait: Duration::from_secs(120),
                adaptive: false,
                #[cfg(feature = "progress")]
                progress_bar: false,
            },
        }
    }
}

impl Batch {
    /// At most `n` sessions (and calls in flight) at once (default 10).
    pub fn max_concurrent(mut self, n: usize) -> Self {
        self.options.max_concurrent = n.max(1);
        self
    }

    /// A limit on the whole batch: calls not finished by then end as [`Error::Timeout`](crate::Error::Timeout)
    /// and the requests in flight are cancelled (a cancelled write's error says it may have
    /// been applied).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.options.timeout = Some(limit);
        self
    }

    /// A limit on each call.
    pub fn call_timeout(mut self, limit: Duration) -> Self {
        self.options.call_timeout = Some(limit);
        self
    }

    /// After the first failure, calls not started yet end as [`Error::Cancelled`](crate::Error::Cancelled).
    pub fn fail_fast(mut self, on: bool) -> Self {
        self.options.fail_fast = on;
        self
    }

    /// Calls `progress(completed, total)` after every call that finishes, once per count.
    pub fn on_progress(mut self, progress: impl Fn(usize, usize) + Send + Sync + 'static) -> Self {
        self.options.progress = Some(Arc::new(progress));
        self
    }

    /// Adaptive lanes: start with one lane and let the batch find the tenant's licensed
    /// throughput by itself, up to [`max_concurrent`](Self::max_concurrent) (a hard ceiling).
    /// Lanes grow by one while latency stays near its unloaded baseline and the lanes are in
    /// use; they are cut when latency rises (requests queue at the tenant's processing cores,
    /// or the per-minute quota's delays begin), on 429 declines, and for good at the number of
    /// sessions the API login limit allows.
    ///
    /// Off by default: a fixed `max_concurrent` is predictable and fastest when the license is
    /// known and not shared, and an adaptive batch starts at one lane, so a short batch may end
    /// before it has grown. Turn it on for a tenant whose license you do not know or share with
    /// other programs. [`BatchReport`] shows the lanes' lowest, highest and final number.
    pub fn adaptive(mut self, on: bool) -> Self {
        self.options.adaptive = on;
        self
    }

    /// How long a batch that has no session at all waits for one while the API login limit
    /// refuses every sign-in (default 2 minutes; the batch's [`timeout`](Self::timeout), if
    /// shorter, ends it first). It polls sign-in with a backoff from 250 ms to 2 s; when the
    /// time is up, each call not run fails with [`Error::LoginLimit`](crate::Error::LoginLimit)
    /// saying so. While waiting, a signed-in client session is borrowed instead, if there is
    /// one (it holds a seat of the limit itself).
    pub fn wait_for_session(mut self, limit: Duration) -> Self {
        self.options.session_wait = limit;
        self
    }

    /// Use the client's own session as one of the lanes (it stays signed in afterwards).
    pub fn use_client_session(mut self, on: bool) -> Self {
        self.options.use_client_session = on;
        self
    }

    /// Show a terminal progress bar (cargo feature `progress`).
    #[cfg(feature = "progress")]
    pub fn progress_bar(mut self, on: bool) -> Self {
        self.options.progress_bar = on;
        self
    }

    /// Runs the calls: a tuple of calls gives a tuple of results of the same types, a
    /// `Vec<BatchCall<T>>` a `Vec<Result<T>>` in input order.
    pub async fn run<B: IntoBatch>(&self, calls: B) -> B::Output {
        self.run_with_report(calls).await.0
    }

    /// [`run`](Batch::run), with the [`BatchReport`].
    pub async fn run_with_report<B: IntoBatch>(&self, calls: B) -> (B::Output, BatchReport) {
        let (typed, jobs) = calls.into_jobs();
        let report = executor::execute(&jobs, &self.options, &self.client).await;
        drop(jobs);
        (B::collect(typed), report)
    }

    /// Runs the calls and gives all values, or the first failure and its index. Stops starting
    /// new calls after the first failure (as with [`fail_fast`](Batch::fail_fast)).
    pub async fn try_run<B: IntoBatch>(&self, calls: B) -> Result<B::Ok, BatchError> {
        let strict = self.clone().fail_fast(true);
        let (output, report) = strict.run_with_report(calls).await;
        B::try_collect(output, report.first_failure)
    }

    /// Runs calls of one type; the results come in input order, with the calls, the report and
    /// [`retry_failed`](BatchResults::retry_failed).
    pub async fn run_all<T: Send + 'static>(
        &self,
        calls: impl IntoIterator<Item = BatchCall<T>>,
    ) -> BatchResults<T> {
        let calls: Vec<BatchCall<T>> = calls.into_iter().collect();
        let (results, report) = self.run_with_report(calls.clone()).await;
        let indices = (0..calls.len()).collect();
        BatchResults {
            results,
            calls,
            indices,
            report,
            batch: self.clone(),
        }
    }
}
