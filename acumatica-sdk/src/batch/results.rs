//! [`BatchResults`] of a homogeneous batch, with the follow-ups: [`successful`](BatchResults::successful),
//! [`failed`](BatchResults::failed), [`retry_failed`](BatchResults::retry_failed); and
//! [`BatchError`] of [`try_run`](super::Batch::try_run).

use super::report::BatchReport;
use super::{Batch, BatchCall};
use crate::error::{Error, Result};

/// The results of a batch of calls of one type, in input order, with the calls and the report.
#[derive(Debug)]
pub struct BatchResults<T> {
    pub(crate) results: Vec<Result<T>>,
    pub(crate) calls: Vec<BatchCall<T>>,
    /// Position of each result in the batch it was first run in (retries keep them).
    pub(crate) indices: Vec<usize>,
    pub(crate) report: BatchReport,
    pub(crate) batch: Batch,
}

impl<T: Send + 'static> BatchResults<T> {
    /// The results, in input order.
    pub fn results(&self) -> &[Result<T>] {
        &self.results
    }

    /// The results, in input order.
    pub fn into_results(self) -> Vec<Result<T>> {
        self.results
    }

    /// What the run did.
    pub fn report(&self) -> &BatchReport {
        &self.report
    }

    /// `(index, value)` of the calls that succeeded.
    pub fn successful(&self) -> impl Iterator<Item = (usize, &T)> {
        self.indices
            .iter()
            .zip(&self.results)
            .filter_map(|(i, r)| r.as_ref().ok().map(|v| (*i, v)))
    }

    /// `(index, call, error)` of the calls that failed.
    pub fn failed(&self) -> impl Iterator<Item = (usize, &BatchCall<T>, &Error)> {
        self.indices
            .iter()
            .zip(&self.calls)
            .zip(&self.results)
            .filter_map(|((i, c), r)| r.as_ref().err().map(|e| (*i, c, e)))
    }

    /// Whether every call succeeded.
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(Result::is_ok)
    }

    /// A new batch of just the failed calls, with `max_concurrent` sessions; its results keep
    /// the indices of this batch.
    pub fn retry_failed(&self, max_concurrent: usize) -> RetryBatch<T> {
        let (indices, calls) = self.failed().map(|(i, c, _)| (i, c.clone())).unzip();
        RetryBatch {
            batch: self.batch.clone().max_concurrent(max_concurrent),
            calls,
            indices,
        }
    }
}

/// Failed calls of an earlier batch, ready to run again.
#[derive(Debug)]
#[must_use = "a retry does nothing until it is run"]
pub struct RetryBatch<T> {
    batch: Batch,
    calls: Vec<BatchCall<T>>,
    indices: Vec<usize>,
}

impl<T: Send + 'static> RetryBatch<T> {
    /// How many calls will be retried.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether there is nothing to retry.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Runs the calls again.
    pub async fn run(self) -> BatchResults<T> {
        let mut results = self.batch.run_all(self.calls).await;
        results.indices = self.indices;
        results
    }
}

/// The first failure of a batch run with [`try_run`](super::Batch::try_run).
#[derive(Debug, thiserror::Error)]
#[error("call {index} of the batch failed: {error}")]
pub struct BatchError {
    /// Position of the call in the batch.
    pub index: usize,
    /// Its error (boxed: it is large, and `Result<_, BatchError>` should not be).
    #[source]
    pub error: Box<Error>,
}

impl BatchError {
    pub(crate) fn new(index: usize, error: Option<Error>) -> Self {
        let error = error.unwrap_or_else(|| Error::InvalidQuery {
            message: "the call failed without an error".into(),
        });
        BatchError {
            index,
            error: Box::new(error),
        }
    }
}
