//! Evaluates a parsed `$filter` against one record in Acumatica's wire JSON, as SQL would.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use super::ast::{CompareOp, Expr, FieldRef, Function, Literal, Operand};
use super::datetime::parse_iso;

/// How to compare values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalOptions {
    /// Compare strings ignoring case, as SQL Server's default collation on Acumatica
    /// databases does (an inference; hence an option). Default: `true`.
    pub case_insensitive: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            case_insensitive: true,
        }
    }
}

/// A record on which the condition cannot be evaluated; a tenant answers these with a 500.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The two sides of a comparison or function have types that cannot be compared,
    /// e.g. a string field and `5M`.
    #[error(
        "$filter: cannot apply '{operation}' to {left} ({left_type}) and {right} ({right_type})"
    )]
    TypeMismatch {
        /// The operator or function, e.g. `gt` or `startswith`.
        operation: String,
        /// The left side as written in the filter (a field or a literal).
        left: String,
        /// Its type, e.g. `string` for a JSON value or `Edm.Decimal` for a literal.
        left_type: String,
        /// The right side as written in the filter.
        right: String,
        /// Its type.
        right_type: String,
    },
    /// The path leads to something that is not a field value: a linked entity, a detail
    /// collection, or a JSON shape that is not a `{"value": ...}` wrapper.
    #[error("$filter: {field} {reason}")]
    NotAValue {
        /// The path as far as the offending segment.
        field: String,
        /// Why it is not a value.
        reason: String,
    },
}

/// Whether `record` satisfies `expr`.
///
/// SQL semantics: a comparison involving a null value is UNKNOWN, except `eq null` and
/// `ne null`, which test for null; `not`, `and`, `or` follow three-valued logic; a record is
/// kept only when the whole condition is TRUE. Every part is evaluated (no short-circuit),
/// so a type error surfaces on every non-null record, not only on some.
pub fn eval(expr: &Expr, record: &Value, opts: &EvalOptions) -> Result<bool, EvalError> {
    Ok(truth(expr, record, opts)? == Some(true))
}

/// Three-valued truth: `None` is SQL's UNKNOWN.
fn truth(expr: &Expr, record: &Value, opts: &EvalOptions) -> Result<Option<bool>, EvalError> {
    match expr {
        Expr::Compare { left, op, right } => compare(left, *op, right, record, opts),
        Expr::Function(function) => function_truth(function, record, opts),
        Expr::Not(inner) => Ok(truth(inner, record, opts)?.map(|value| !value)),
        Expr::And(items) => {
            let mut result = Some(true);
            for item in items {
                match truth(item, record, opts)? {
                    Some(false) => result = Some(false),
                    None if result == Some(true) => result = None,
                    _ => {}
                }
            }
            Ok(result)
        }
        Expr::Or(items) => {
            let mut result = Some(false);
            for item in items {
                match truth(item, record, opts)? {
                    Some(true) => result = Some(true),
                    None if result == Some(false) => result = None,
                    _ => {}
                }
            }
            Ok(result)
        }
    }
}

/// One side of a comparison, null already taken out.
#[derive(Debug, Clone, Copy)]
enum Side<'a> {
    Field {
        field: &'a FieldRef,
        value: &'a Value,
    },
    Literal(&'a Literal),
}

/// A value in a comparable form.
#[derive(Debug, Clone)]
enum Scalar<'a> {
    Text(Cow<'a, str>),
    Number(Number),
    Bool(bool),
    Instant(DateTime<Utc>),
    Guid(Uuid),
}

#[derive(Debug, Clone, Copy)]
enum Number {
    /// Every literal and every JSON number that fits a decimal.
    Exact(Decimal),
    /// Beyond the decimal range (e.g. `1E300`).
    Approximate(f64),
}

fn compare(
    left: &Operand,
    op: CompareOp,
    right: &Operand,
    record: &Value,
    opts: &EvalOptions,
) -> Result<Option<bool>, EvalError> {
    let left_side = side(left, record)?;
    let right_side = side(right, record)?;
    let null_literal = [left, right]
        .iter()
        .any(|operand| matches!(operand, Operand::Literal(Literal::Null)));
    if null_literal {
        // `eq null` is IS NULL and `ne null` is IS NOT NULL; ordering a null is UNKNOWN.
        let both_null = left_side.is_none() && right_side.is_none();
        return Ok(match op {
            CompareOp::Eq => Some(both_null),
            CompareOp::Ne => Some(!both_null),
            _ => None,
        });
    }
    let (Some(left_side), Some(right_side)) = (left_side, right_side) else {
        return Ok(None);
    };
    let ordering = order(left_side, right_side, op.keyword(), opts)?;
    Ok(Some(match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
    }))
}

fn side<'a>(operand: &'a Operand, record: &'a Value) -> Result<Option<Side<'a>>, EvalError> {
    Ok(match operand {
        Operand::Literal(Literal::Null) => None,
        Operand::Literal(literal) => Some(Side::Literal(literal)),
        Operand::Field(field) => resolve(field, record)?.map(|value| Side::Field { field, value }),
    })
}

/// Orders two non-null sides, converting a field's string to the other side's type the way
/// SQL Server converts implicitly (a decimal stored as a JSON string, a date/time, a GUID).
fn order(
    left: Side<'_>,
    right: Side<'_>,
    operation: &str,
    opts: &EvalOptions,
) -> Result<Ordering, EvalError> {
    let left_scalar = scalar(left);
    let right_scalar = scalar(right);
    if let Some(ordering) = same_kind_order(&left_scalar, &right_scalar, opts) {
        return Ok(ordering);
    }
    if let (Side::Field { .. }, Scalar::Text(text)) = (left, &left_scalar)
        && let Some(ordering) =
            coerce(text, &right_scalar).and_then(|c| same_kind_order(&c, &right_scalar, opts))
    {
        return Ok(ordering);
    }
    if let (Side::Field { .. }, Scalar::Text(text)) = (right, &right_scalar)
        && let Some(ordering) =
            coerce(text, &left_scalar).and_then(|c| same_kind_order(&left_scalar, &c, opts))
    {
        return Ok(ordering);
    }
    Err(EvalError::TypeMismatch {
        operation: operation.to_string(),
        left: describe(left),
        left_type: type_name(left, &right_scalar),
        right: describe(right),
        right_type: type_name(right, &left_scalar),
    })
}

fn scalar(side: Side<'_>) -> Scalar<'_> {
    match side {
        Side::Literal(literal) => match literal {
            Literal::String(text) => Scalar::Text(Cow::Borrowed(text)),
            Literal::Int(value) => Scalar::Number(Number::Exact(Decimal::from(*value))),
            Literal::Long(value) => Scalar::Number(Number::Exact(Decimal::from(*value))),
            Literal::Decimal(value) => Scalar::Number(Number::Exact(*value)),
            Literal::Double(value) => Scalar::Number(number_from_f64(*value)),
            Literal::Bool(value) => Scalar::Bool(*value),
            // Never reached: `side` maps null to `None`. Kept total rather than panicking.
            Literal::Null => Scalar::Text(Cow::Borrowed("")),
            Literal::DateTimeOffset(value) => Scalar::Instant(value.with_timezone(&Utc)),
            Literal::DateTime(value) => Scalar::Instant(value.and_utc()),
            Literal::Date(value) => Scalar::Instant(value.and_time(NaiveTime::MIN).and_utc()),
            Literal::Guid(value) => Scalar::Guid(*value),
        },
        Side::Field { value, field } => match value {
            Value::String(text) => Scalar::Text(in_case(field, text)),
            Value::Number(number) => Scalar::Number(number_from_json(number)),
            Value::Bool(value) => Scalar::Bool(*value),
            // `resolve` only returns scalars; kept total rather than panicking.
            _ => Scalar::Text(Cow::Borrowed("")),
        },
    }
}

/// A field's text as `tolower`/`toupper` around it makes it (as it is without them).
fn in_case<'a>(field: &FieldRef, text: &'a str) -> Cow<'a, str> {
    match field {
        FieldRef::Case { upper: false, .. } => Cow::Owned(text.to_lowercase()),
        FieldRef::Case { upper: true, .. } => Cow::Owned(text.to_uppercase()),
        _ => Cow::Borrowed(text),
    }
}

fn same_kind_order(left: &Scalar<'_>, right: &Scalar<'_>, opts: &EvalOptions) -> Option<Ordering> {
    Some(match (left, right) {
        (Scalar::Text(a), Scalar::Text(b)) => text_order(a, b, opts),
        (Scalar::Number(a), Scalar::Number(b)) => number_order(*a, *b),
        (Scalar::Bool(a), Scalar::Bool(b)) => a.cmp(b),
        (Scalar::Instant(a), Scalar::Instant(b)) => a.cmp(b),
        (Scalar::Guid(a), Scalar::Guid(b)) => a.cmp(b),
        _ => return None,
    })
}

/// A field's string read as the type of `target`, if it is one.
fn coerce<'a>(text: &str, target: &Scalar<'_>) -> Option<Scalar<'a>> {
    match target {
        Scalar::Number(_) => parse_decimal(text.trim()).map(|d| Scalar::Number(Number::Exact(d))),
        Scalar::Instant(_) => {
            let chars: Vec<char> = text.chars().collect();
            parse_iso(&chars).ok()?.to_utc().map(Scalar::Instant)
        }
        Scalar::Guid(_) => Uuid::parse_str(text).ok().map(Scalar::Guid),
        Scalar::Text(_) | Scalar::Bool(_) => None,
    }
}

/// SQL Server compares strings as if the shorter were padded with spaces, so trailing spaces
/// never matter. Order is by (case-folded) code point, an approximation of the collation.
fn text_order(a: &str, b: &str, opts: &EvalOptions) -> Ordering {
    let (a, b) = (a.trim_end_matches(' '), b.trim_end_matches(' '));
    if opts.case_insensitive {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    } else {
        a.cmp(b)
    }
}

fn number_order(a: Number, b: Number) -> Ordering {
    match (a, b) {
        (Number::Exact(a), Number::Exact(b)) => a.cmp(&b),
        // Both values are finite, so `partial_cmp` always answers.
        _ => a
            .to_f64()
            .partial_cmp(&b.to_f64())
            .unwrap_or(Ordering::Equal),
    }
}

impl Number {
    fn to_f64(self) -> f64 {
        match self {
            Number::Exact(value) => value.to_f64().unwrap_or(f64::NAN),
            Number::Approximate(value) => value,
        }
    }
}

/// A JSON number through its text, so `1000.5` is exactly 1000.5 (and, with serde_json's
/// `arbitrary_precision`, every digit the JSON had).
fn number_from_json(number: &serde_json::Number) -> Number {
    parse_decimal(&number.to_string()).map_or_else(
        || Number::Approximate(number.as_f64().unwrap_or(f64::NAN)),
        Number::Exact,
    )
}

/// A double through its shortest text, so the literal `0.1` equals the JSON number `0.1`.
fn number_from_f64(value: f64) -> Number {
    parse_decimal(&format!("{value:?}")).map_or(Number::Approximate(value), Number::Exact)
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

fn function_truth(
    function: &Function,
    record: &Value,
    opts: &EvalOptions,
) -> Result<Option<bool>, EvalError> {
    let field = function.field();
    let Some(value) = resolve(field, record)? else {
        return Ok(None);
    };
    let Value::String(haystack) = value else {
        return Err(EvalError::TypeMismatch {
            operation: function.name().to_string(),
            left: field.to_string(),
            left_type: json_type(value).to_string(),
            right: Literal::String(function.text().to_string()).to_string(),
            right_type: "Edm.String".to_string(),
        });
    };
    // LIKE with the text escaped: '%' and '_' in it match themselves (an inference).
    let haystack = in_case(field, haystack);
    let (haystack, needle) = (fold(&haystack, opts), fold(function.text(), opts));
    Ok(Some(match function {
        Function::SubstringOf { .. } => haystack.contains(needle.as_ref()),
        Function::StartsWith { .. } => haystack.starts_with(needle.as_ref()),
        Function::EndsWith { .. } => haystack.ends_with(needle.as_ref()),
    }))
}

fn fold<'t>(text: &'t str, opts: &EvalOptions) -> Cow<'t, str> {
    if opts.case_insensitive {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// The field's scalar value, `None` for null: missing, `{}`, `{"value": null}`, or a
/// linked entity that is absent (not expanded).
fn resolve<'r>(field: &FieldRef, record: &'r Value) -> Result<Option<&'r Value>, EvalError> {
    match field {
        FieldRef::Path(segments) => {
            let Some((last, links)) = segments.split_last() else {
                return Ok(None);
            };
            let Some(holder) = walk(links, record)? else {
                return Ok(None);
            };
            leaf(holder.get(last), || field.to_string())
        }
        FieldRef::Case { field, .. } => resolve(field, record),
        FieldRef::Custom(custom) => {
            let Some(holder) = walk(&custom.entity, record)? else {
                return Ok(None);
            };
            let wrapper = holder
                .get("custom")
                .and_then(|views| views.get(&custom.view))
                .and_then(|fields| fields.get(&custom.field));
            leaf(wrapper, || field.to_string())
        }
    }
}

/// Follows linked entities from the record; `None` when one of them is absent.
fn walk<'r>(links: &[String], record: &'r Value) -> Result<Option<&'r Value>, EvalError> {
    let mut current = record;
    for (i, link) in links.iter().enumerate() {
        let not_a_link = |reason: &str| EvalError::NotAValue {
            field: links[..=i].join("/"),
            reason: reason.to_string(),
        };
        match current.get(link) {
            None | Some(Value::Null) => return Ok(None),
            Some(next @ Value::Object(map)) if !map.contains_key("value") => current = next,
            Some(Value::Array(_)) => return Err(not_a_link(DETAIL)),
            Some(_) => return Err(not_a_link("is a field value, not a linked entity")),
        }
    }
    Ok(Some(current))
}

const DETAIL: &str = "is a detail collection; Acumatica's contract-based API does not support filtering on detail records";

/// The value inside a field wrapper; bare scalars are system fields such as `id`.
fn leaf(found: Option<&Value>, name: impl Fn() -> String) -> Result<Option<&Value>, EvalError> {
    let not_a_value = |reason: &str| EvalError::NotAValue {
        field: name(),
        reason: reason.to_string(),
    };
    match found {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => match map.get("value") {
            None | Some(Value::Null) => {
                if map.values().any(|v| v.is_object() || v.is_array()) {
                    Err(not_a_value("is a linked entity, not a field value"))
                } else {
                    Ok(None)
                }
            }
            Some(Value::Object(_) | Value::Array(_)) => Err(not_a_value(
                "holds a JSON object or array instead of a value",
            )),
            Some(value) => Ok(Some(value)),
        },
        Some(Value::Array(_)) => Err(not_a_value(DETAIL)),
        Some(scalar) => Ok(Some(scalar)),
    }
}

/// The side as written in the filter.
fn describe(side: Side<'_>) -> String {
    match side {
        Side::Field { field, .. } => field.to_string(),
        Side::Literal(literal) => {
            let text = literal.to_string();
            if text.chars().count() > 60 {
                format!("{}...", text.chars().take(60).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// The side's type; a field's string that failed conversion says to what.
fn type_name(side: Side<'_>, other: &Scalar<'_>) -> String {
    match side {
        Side::Literal(literal) => literal.type_name().to_string(),
        Side::Field {
            value: Value::String(_),
            ..
        } => {
            let target = match other {
                Scalar::Number(_) => " that is not a number",
                Scalar::Instant(_) => " that is not an ISO 8601 date/time",
                Scalar::Guid(_) => " that is not a GUID",
                Scalar::Text(_) | Scalar::Bool(_) => "",
            };
            format!("string{target}")
        }
        Side::Field { value, .. } => json_type(value).to_string(),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn numbers_convert_through_their_shortest_text() {
        let Number::Exact(tenth) = number_from_f64(0.1) else {
            panic!("0.1 should be exact");
        };
        assert_eq!(tenth, Decimal::from_str("0.1").unwrap_or_default());
        assert!(matches!(number_from_f64(1e300), Number::Approximate(_)));
        let Number::Exact(small) = number_from_f64(1e-7) else {
            panic!("1e-7 should be exact");
        };
        assert_eq!(small, Decimal::from_str("0.0000001").unwrap_or_default());
    }

    #[test]
    fn text_order_ignores_trailing_spaces_and_case_when_asked() {
        let ci = EvalOptions::default();
        let cs = EvalOptions {
            case_insensitive: false,
        };
        assert_eq!(text_order("abc  ", "ABC", &ci), Ordering::Equal);
        assert_eq!(text_order("abc", "ABC", &cs), Ordering::Greater);
        assert_eq!(text_order("a", "B", &ci), Ordering::Less);
        assert_eq!(text_order("a", "B", &cs), Ordering::Greater);
    }
}
