//! `$filter` as Acumatica takes it: parse, print, evaluate. The contract-based API speaks
//! OData v3, generic inquiries OData v4 ([`Dialect`]); both parse to the same [`Expr`].
//!
//! [`parse`] accepts only the documented v3 subset (comparisons, `and`/`or`/`not`,
//! linked-entity paths, `cf.<Type>(f='View.Field')`, `substringof`/`startswith`/`endswith`,
//! and the literal forms Acumatica shows) and refuses the rest with a positioned
//! [`FilterError`]. [`parse_with`] takes the dialect: in v4 the same constructs, with
//! `contains` for `substringof` and the v4 literals, refusing the v3-only forms. An [`Expr`]
//! prints (`Display` for v3, [`Expr::display`] for either) in a canonical form that parses
//! back to the same tree. [`eval`] applies a condition to one record in wire JSON with SQL
//! null semantics, whatever the dialect.

mod ast;
mod datetime;
mod error;
mod eval;
mod lex;
mod parse;
mod print;

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod v4_tests;

pub use ast::{
    CompareOp, CustomField, CustomType, Dialect, Expr, FieldRef, Function, Literal, Operand,
};
pub use error::FilterError;
pub use eval::{EvalError, EvalOptions, eval};
pub use parse::{parse, parse_unconfirmed, parse_with};
