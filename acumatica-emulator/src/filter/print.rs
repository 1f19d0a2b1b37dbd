//! Canonical `$filter` text for the syntax tree: what it prints, [`parse`](super::parse) reads back.

use std::fmt;

use super::ast::{CompareOp, CustomField, Expr, FieldRef, Function, Literal, Operand};
use super::datetime::{format_naive, format_offset};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare { left, op, right } => write!(f, "{left} {op} {right}"),
            Expr::Function(function) => write!(f, "{function}"),
            Expr::Not(inner) => match **inner {
                // `not` binds tighter than anything else, so only these need no parentheses.
                Expr::Function(_) | Expr::Not(_) => write!(f, "not {inner}"),
                _ => write!(f, "not ({inner})"),
            },
            // A nested chain of the same kind keeps its parentheses, so it parses back nested.
            Expr::And(items) => chain(f, items, "and", |item| {
                matches!(item, Expr::And(_) | Expr::Or(_))
            }),
            Expr::Or(items) => chain(f, items, "or", |item| matches!(item, Expr::Or(_))),
        }
    }
}

fn chain(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    keyword: &str,
    needs_parentheses: fn(&Expr) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, " {keyword} ")?;
        }
        if needs_parentheses(item) {
            write!(f, "({item})")?;
        } else {
            write!(f, "{item}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(field) => write!(f, "{field}"),
            Operand::Literal(literal) => write!(f, "{literal}"),
        }
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

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Literal::String(self.text().to_string());
        match self {
            Function::SubstringOf { field, .. } => write!(f, "substringof({text}, {field})"),
            Function::StartsWith { field, .. } => write!(f, "startswith({field}, {text})"),
            Function::EndsWith { field, .. } => write!(f, "endswith({field}, {text})"),
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(text) => write!(f, "'{}'", text.replace('\'', "''")),
            Literal::Int(value) => write!(f, "{value}"),
            Literal::Long(value) => write!(f, "{value}L"),
            Literal::Decimal(value) => write!(f, "{value}M"),
            // `{:?}` is the shortest text that reads back to the same f64, and always has a
            // '.' or an exponent, so it reads back as a double rather than an integer.
            Literal::Double(value) => write!(f, "{value:?}"),
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Null => f.write_str("null"),
            Literal::DateTimeOffset(value) => write!(
                f,
                "datetimeoffset'{}{}'",
                format_naive(&value.naive_local()),
                format_offset(value.offset())
            ),
            Literal::DateTime(value) => write!(f, "datetime'{}'", format_naive(value)),
            Literal::Date(value) => write!(f, "date'{}'", value.format("%Y-%m-%d")),
            Literal::Guid(value) => write!(f, "guid'{}'", value.hyphenated()),
        }
    }
}
