//! OData v3 `$filter` as Acumatica's contract-based API takes it: parse, print, evaluate.
//!
//! [`parse`] accepts only the documented subset (comparisons, `and`/`or`/`not`, linked-entity
//! paths, `cf.<Type>(f='View.Field')`, `substringof`/`startswith`/`endswith`, and the literal
//! forms Acumatica shows) and refuses the rest with a positioned [`FilterError`]. An [`Expr`]
//! prints (`Display`) in a canonical form that parses back to the same tree. [`eval`] applies
//! a condition to one record in wire JSON with SQL null semantics.

mod ast;
mod datetime;
mod eval;
mod lex;
mod parse;
mod print;

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod parse_tests;

pub use ast::{CompareOp, CustomField, CustomType, Expr, FieldRef, Function, Literal, Operand};
pub use eval::{EvalError, EvalOptions, eval};
pub use parse::{FilterError, parse};
