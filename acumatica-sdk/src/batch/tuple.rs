//! [`IntoBatch`]: what a batch runs — a tuple of calls of different types (results in a tuple of
//! the same shape), or a vector of calls of one type.

use std::sync::Arc;

use super::job::{Job, TypedJob};
use super::{BatchCall, BatchError};
use crate::error::Result;

/// Calls that run together: a tuple of 1 to 16 [`BatchCall`]s of any types, or a
/// `Vec<BatchCall<T>>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a batch of calls",
    label = "expected a tuple of `BatchCall`s (1 to 16 of them) or a `Vec<BatchCall<T>>`",
    note = "every service method has a `_batch` twin that returns a `BatchCall`, e.g. `client.customers().get_by_id_batch(\"C001\")`"
)]
pub trait IntoBatch: Sized {
    /// One `Result` per call, in the same shape: `(Result<A>, Result<B>)`, `Vec<Result<T>>`.
    type Output;
    /// The values when every call succeeded: `(A, B)`, `Vec<T>`.
    type Ok;
    #[doc(hidden)]
    type Jobs: Send + Sync;
    #[doc(hidden)]
    fn into_jobs(self) -> (Self::Jobs, Vec<Arc<dyn Job>>);
    #[doc(hidden)]
    fn collect(jobs: Self::Jobs) -> Self::Output;
    /// The values, or the first failure (`first`: the index of the first call that failed in
    /// completion order, when known).
    #[doc(hidden)]
    fn try_collect(
        output: Self::Output,
        first: Option<usize>,
    ) -> std::result::Result<Self::Ok, BatchError>;
}

impl<T: Send + 'static> IntoBatch for Vec<BatchCall<T>> {
    type Output = Vec<Result<T>>;
    type Ok = Vec<T>;
    type Jobs = Vec<Arc<TypedJob<T>>>;

    fn into_jobs(self) -> (Self::Jobs, Vec<Arc<dyn Job>>) {
        let typed: Vec<Arc<TypedJob<T>>> = self
            .into_iter()
            .map(|c| Arc::new(TypedJob::new(c)))
            .collect();
        let erased = typed.iter().map(|j| j.clone() as Arc<dyn Job>).collect();
        (typed, erased)
    }

    fn collect(jobs: Self::Jobs) -> Self::Output {
        jobs.iter().map(|j| j.take()).collect()
    }

    fn try_collect(
        output: Self::Output,
        first: Option<usize>,
    ) -> std::result::Result<Vec<T>, BatchError> {
        let first = first.filter(|&i| output.get(i).is_some_and(|r| r.is_err()));
        let first = first.or_else(|| output.iter().position(|r| r.is_err()));
        match first {
            Some(index) => {
                let error = output.into_iter().nth(index).and_then(|r| r.err());
                Err(BatchError::new(index, error))
            }
            None => Ok(output.into_iter().filter_map(|r| r.ok()).collect()),
        }
    }
}

macro_rules! tuple_batch {
    ($(($idx:tt, $T:ident, $r:ident))+) => {
        impl<$($T: Send + 'static),+> IntoBatch for ($(BatchCall<$T>,)+) {
            type Output = ($(Result<$T>,)+);
            type Ok = ($($T,)+);
            type Jobs = ($(Arc<TypedJob<$T>>,)+);

            fn into_jobs(self) -> (Self::Jobs, Vec<Arc<dyn Job>>) {
                let jobs = ($(Arc::new(TypedJob::new(self.$idx)),)+);
                let erased: Vec<Arc<dyn Job>> = vec![$(jobs.$idx.clone() as Arc<dyn Job>),+];
                (jobs, erased)
            }

            fn collect(jobs: Self::Jobs) -> Self::Output {
                ($(jobs.$idx.take(),)+)
            }

            fn try_collect(output: Self::Output, first: Option<usize>) -> std::result::Result<Self::Ok, BatchError> {
                let failed = [$(output.$idx.is_err()),+];
                let first = first.filter(|&i| failed.get(i).copied().unwrap_or(false)).or_else(|| failed.iter().position(|f| *f));
                if let Some(index) = first {
                    let mut error = None;
                    $( if $idx == index { error = output.$idx.err(); } )+
                    return Err(BatchError::new(index, error));
                }
                $( let $r = match output.$idx { Ok(v) => v, Err(e) => return Err(BatchError::new($idx, Some(e))) }; )+
                Ok(($($r,)+))
            }
        }
    };
}

/// Implements [`IntoBatch`] for every prefix of the list: arities 1 to 16 from one list.
macro_rules! tuple_batches {
    (@acc [$($done:tt)*]) => {};
    (@acc [$($done:tt)*] $next:tt $($rest:tt)*) => {
        tuple_batch!($($done)* $next);
        tuple_batches!(@acc [$($done)* $next] $($rest)*);
    };
    ($($all:tt)+) => {
        tuple_batches!(@acc [] $($all)+);
    };
}

tuple_batches!((0, A, a)(1, B, b)(2, C, c)(3, D, d)(4, E, e)(5, F, f)(
    6, G, g
)(7, H, h)(8, I, i)(9, J, j)(10, K, k)(11, L, l)(12, M, m)(
    13, N, n
)(14, O, o)(15, P, p));
