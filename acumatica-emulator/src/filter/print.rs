//! Canonical `$filter` text for the syntax tree: what it prints in a dialect,
//! [`parse_with`](super::parse_with) reads back in that dialect.

use std::fmt;

use super::ast::{CompareOp, CustomField, Dialect, Expr, FieldRef, Function, Literal, Operand};
use super::datetime::{format_naive, format_offset};

/// A tree or a literal printed in a dialect; made by [`Expr::display`] and [`Literal::display`].
#[derive(Debug, Clone, Copy)]
struct Printed<'a, T> {
    value: &'a T,
    dialect: Dialect,
}

impl Expr {
    /// The canonical text in `dialect`, which [`parse_with`](super::parse_with) reads back to
    /// an equal tree in the same dialect. `Display` is `display(Dialect::V3)`.
    ///
    /// ```
    /// use acumatica_emulator::filter::{Dialect, parse};
    /// let e = parse("substringof('x', A) and B gt 1.5M").unwrap();
    /// assert_eq!(e.display(Dialect::V4).to_string(), "contains(A, 'x') and B gt 1.5");
    /// ```
    pub fn display(&self, dialect: Dialect) -> impl fmt::Display + '_ {
        Printed {
            value: self,
            dialect,
        }
    }
}

impl Literal {
    /// The literal in `dialect`: `12.5M` in OData v3 is `12.5` in v4. `Display` is
    /// `display(Dialect::V3)`.
    pub fn display(&self, dialect: Dialect) -> impl fmt::Display + '_ {
        Printed {
            value: self,
            dialect,
        }
    }
}

impl fmt::Display for Printed<'_, Expr> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self.value, self.dialect)
    }
}

impl fmt::Display for Printed<'_, Literal> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_literal(f, self.value, self.dialect)
    }
}

impl fmt::Display for Expr {
    /// The OData v3 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self, Dialect::V3)
    }
}

fn write_expr(f: &mut fmt::Formatter<'_>, expr: &Expr, dialect: Dialect) -> fmt::Result {
    match expr {
        Expr::Compare { left, op, right } => {
            write_operand(f, left, dialect)?;
            write!(f, " {op} ")?;
            write_operand(f, right, dialect)
        }
        Expr::Function(function) => write_function(f, function, dialect),
        Expr::Not(inner) => match **inner {
            // `not` binds tighter than anything else, so only these need no parentheses.
            Expr::Function(_) | Expr::Not(_) => {
                f.write_str("not ")?;
                write_expr(f, inner, dialect)
            }
            _ => {
                f.write_str("not (")?;
                write_expr(f, inner, dialect)?;
                f.write_str(")")
            }
        },
        // A nested chain of the same kind keeps its parentheses, so it parses back nested.
        Expr::And(items) => chain(f, items, "and", dialect, |item| {
            matches!(item, Expr::And(_) | Expr::Or(_))
        }),
        Expr::Or(items) => chain(f, items, "or", dialect, |item| matches!(item, Expr::Or(_))),
    }
}

fn chain(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    keyword: &str,
    dialect: Dialect,
    needs_parentheses: fn(&Expr) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, " {keyword} ")?;
        }
        if needs_parentheses(item) {
            f.write_str("(")?;
            write_expr(f, item, dialect)?;
            f.write_str(")")?;
        } else {
            write_expr(f, item, dialect)?;
        }
    }
    Ok(())
}

fn write_operand(f: &mut fmt::Formatter<'_>, operand: &Operand, dialect: Dialect) -> fmt::Result {
    match operand {
        Operand::Field(field) => write!(f, "{field}"),
        Operand::Literal(literal) => write_literal(f, literal, dialect),
    }
}

impl fmt::Display for Operand {
    /// The OData v3 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_operand(f, self, Dialect::V3)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldRef::Path(segments) => f.write_str(&segments.join("/")),
            FieldRef::Custom(custom) => write!(f, "{custom}"),
            FieldRef::Case { upper, field } => {
                write!(f, "{}({field})", if *upper { "toupper" } else { "tolower" })
            }
        }
    }
}

impl fmt::Display for CustomField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cf.{}(f='", self.kind.name())?;
        for segment in &self.entity {
            write!(f, "{segment}/")?;
        }
        write!(f, "{}.{}')", self.view, self.field)
    }
}

fn write_function(
    f: &mut fmt::Formatter<'_>,
    function: &Function,
    dialect: Dialect,
) -> fmt::Result {
    // Strings are spelled the same in both dialects.
    let text = Literal::String(function.text().to_string());
    let name = function.name_in(dialect);
    match (function, dialect) {
        // v3's `substringof` alone takes the text first.
        (Function::SubstringOf { field, .. }, Dialect::V3) => write!(f, "{name}({text}, {field})"),
        (
            Function::SubstringOf { field, .. }
            | Function::StartsWith { field, .. }
            | Function::EndsWith { field, .. },
            _,
        ) => write!(f, "{name}({field}, {text})"),
    }
}

impl fmt::Display for Function {
    /// The OData v3 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_function(f, self, Dialect::V3)
    }
}

fn write_literal(f: &mut fmt::Formatter<'_>, literal: &Literal, dialect: Dialect) -> fmt::Result {
    match (literal, dialect) {
        (Literal::String(text), _) => write!(f, "'{}'", text.replace('\'', "''")),
        (Literal::Int(value), _) => write!(f, "{value}"),
        (Literal::Long(value), Dialect::V3) => write!(f, "{value}L"),
        (Literal::Long(value), Dialect::V4) => write!(f, "{value}"),
        (Literal::Decimal(value), Dialect::V3) => write!(f, "{value}M"),
        // Without a suffix, a whole number that fits 64 bits would read back as an integer.
        (Literal::Decimal(value), Dialect::V4)
            if value.scale() == 0 && i64::try_from(*value).is_ok() =>
        {
            write!(f, "{value}.0")
        }
        (Literal::Decimal(value), Dialect::V4) => write!(f, "{value}"),
        // `{:?}` is the shortest text that reads back to the same f64, and always has a
        // '.' or an exponent, so it reads back as a double rather than an integer.
        (Literal::Double(value), Dialect::V3) => write!(f, "{value:?}"),
        // In v4 a fraction without an exponent reads back as a decimal: always write one.
        (Literal::Double(value), Dialect::V4) => write!(f, "{value:e}"),
        (Literal::Bool(value), _) => write!(f, "{value}"),
        (Literal::Null, _) => f.write_str("null"),
        (Literal::DateTimeOffset(value), Dialect::V3) => write!(
            f,
            "datetimeoffset'{}{}'",
            format_naive(&value.naive_local()),
            format_offset(value.offset())
        ),
        (Literal::DateTimeOffset(value), Dialect::V4) => write!(
            f,
            "{}{}",
            format_naive(&value.naive_local()),
            format_offset(value.offset())
        ),
        (Literal::DateTime(value), Dialect::V3) => write!(f, "datetime'{}'", format_naive(value)),
        // v4 has no offset-less date-time; this one is evaluated as UTC anyway.
        (Literal::DateTime(value), Dialect::V4) => write!(f, "{}Z", format_naive(value)),
        (Literal::Date(value), Dialect::V3) => write!(f, "date'{}'", value.format("%Y-%m-%d")),
        (Literal::Date(value), Dialect::V4) => write!(f, "{}", value.format("%Y-%m-%d")),
        (Literal::Guid(value), Dialect::V3) => write!(f, "guid'{}'", value.hyphenated()),
        (Literal::Guid(value), Dialect::V4) => write!(f, "{}", value.hyphenated()),
    }
}

impl fmt::Display for Literal {
    /// The OData v3 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_literal(f, self, Dialect::V3)
    }
}
