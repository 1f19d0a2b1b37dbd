//! The `$filter` expression and its rendering, with every literal escaped.

use std::fmt;

use rust_decimal::Decimal;

use crate::types::{DateTime, Uuid};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CompareOp {
    fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

/// A literal in Acumatica's (OData v3) syntax.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Literal {
    /// `'text'`, with quotes doubled.
    String(String),
    /// `12.50M`
    Decimal(Decimal),
    /// `42`
    Int(i64),
    /// `1.5`
    Double(f64),
    /// `true` / `false`
    Bool(bool),
    /// `datetimeoffset'2024-07-15T10:31:28.402+03:00'`, or `datetime'...'` without an offset.
    DateTime(DateTime),
    /// `guid'...'`
    Guid(Uuid),
    /// `null`
    Null,
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Literal::Decimal(d) => write!(f, "{d}M"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Double(x) if x.is_finite() => {
                let text = format!("{x:?}"); // always has a '.' or an exponent
                f.write_str(&text)
            }
            // NaN and infinities have no OData v3 literal; no record can match them.
            Literal::Double(_) => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::DateTime(t) if t.offset().is_some() => write!(f, "datetimeoffset'{t}'"),
            Literal::DateTime(t) => write!(f, "datetime'{t}'"),
            Literal::Guid(g) => write!(f, "guid'{g}'"),
            Literal::Null => f.write_str("null"),
        }
    }
}

macro_rules! literal_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<$t> for Literal { fn from(v: $t) -> Self { Literal::$variant(v.into()) } }
    )*};
}
literal_from!(String => String, &str => String, Decimal => Decimal, i16 => Int, i32 => Int, i64 => Int, u8 => Int, u32 => Int, f64 => Double, bool => Bool, DateTime => DateTime, Uuid => Guid);

/// A `$filter` expression. Build it from typed fields (`Customer::fields().status().eq("Active")`),
/// from names ([`field`](super::field)), or take a string as it is with [`Filter::raw`].
///
/// Combine with [`and`](Filter::and), [`or`](Filter::or), [`not`](Filter::not), or `&`, `|`, `!`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter(Node);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Compare {
        operand: String,
        valid: bool,
        op: CompareOp,
        literal: Literal,
    },
    Function {
        name: &'static str,
        operand: String,
        valid: bool,
        text: String,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Raw(String),
}

impl Filter {
    pub(crate) fn compare(operand: String, valid: bool, op: CompareOp, literal: Literal) -> Self {
        Filter(Node::Compare {
            operand,
            valid,
            op,
            literal,
        })
    }

    pub(crate) fn function(name: &'static str, operand: String, valid: bool, text: String) -> Self {
        Filter(Node::Function {
            name,
            operand,
            valid,
            text,
        })
    }

    /// A filter string used as it is: the escape hatch for what the builders cannot say.
    /// Nothing in it is escaped; never put untrusted input in it.
    pub fn raw(text: impl Into<String>) -> Self {
        Filter(Node::Raw(text.into()))
    }

    /// Both conditions.
    pub fn and(self, other: Filter) -> Filter {
        Filter(Node::And(Box::new(self.0), Box::new(other.0)))
    }

    /// Either condition.
    pub fn or(self, other: Filter) -> Filter {
        Filter(Node::Or(Box::new(self.0), Box::new(other.0)))
    }

    /// The negation.
    #[allow(clippy::should_implement_trait)] // `!` is implemented too; this reads better in chains
    pub fn not(self) -> Filter {
        Filter(Node::Not(Box::new(self.0)))
    }

    /// The first field path that is not a plain path of identifiers (which could change the
    /// shape of the filter), if any. Raw filters are not checked.
    pub(crate) fn invalid_path(&self) -> Option<&str> {
        fn walk(n: &Node) -> Option<&str> {
            match n {
                Node::Compare { operand, valid, .. } | Node::Function { operand, valid, .. } => {
                    (!valid).then_some(operand.as_str())
                }
                Node::And(a, b) | Node::Or(a, b) => walk(a).or_else(|| walk(b)),
                Node::Not(a) => walk(a),
                Node::Raw(_) => None,
            }
        }
        walk(&self.0)
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(&self.0, f)
    }
}

/// Writes a node; operands of `and`/`or` are parenthesised when they bind more loosely.
fn write_node(n: &Node, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match n {
        Node::Compare {
            operand,
            op,
            literal,
            ..
        } => write!(f, "{operand} {} {literal}", op.as_str()),
        Node::Function {
            name: "substringof",
            operand,
            text,
            ..
        } => {
            write!(
                f,
                "substringof({}, {operand})",
                Literal::String(text.clone())
            )
        }
        Node::Function {
            name,
            operand,
            text,
            ..
        } => {
            write!(f, "{name}({operand}, {})", Literal::String(text.clone()))
        }
        Node::And(a, b) => {
            write_operand(a, f, |n| matches!(n, Node::Or(..) | Node::Raw(_)))?;
            f.write_str(" and ")?;
            write_operand(b, f, |n| matches!(n, Node::Or(..) | Node::Raw(_)))
        }
        Node::Or(a, b) => {
            write_operand(a, f, |n| matches!(n, Node::Raw(_)))?;
            f.write_str(" or ")?;
            write_operand(b, f, |n| matches!(n, Node::Raw(_)))
        }
        Node::Not(a) => {
            f.write_str("not ")?;
            write_operand(a, f, |_| true)
        }
        Node::Raw(text) => f.write_str(text),
    }
}

fn write_operand(
    n: &Node,
    f: &mut fmt::Formatter<'_>,
    parens: impl Fn(&Node) -> bool,
) -> fmt::Result {
    if parens(n) {
        f.write_str("(")?;
        write_node(n, f)?;
        f.write_str(")")
    } else {
        write_node(n, f)
    }
}

impl std::ops::BitAnd for Filter {
    type Output = Filter;
    fn bitand(self, rhs: Filter) -> Filter {
        self.and(rhs)
    }
}

impl std::ops::BitOr for Filter {
    type Output = Filter;
    fn bitor(self, rhs: Filter) -> Filter {
        self.or(rhs)
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        Filter::not(self)
    }
}

#[cfg(test)]
mod tests {
    use super::super::field;
    use super::*;

    #[test]
    fn literals_are_escaped() {
        let f = field("CustomerName").eq("O'Brien' or 1 eq 1 or 'x");
        assert_eq!(
            f.to_string(),
            "CustomerName eq 'O''Brien'' or 1 eq 1 or ''x'"
        );
    }

    #[test]
    fn precedence_is_kept_with_parentheses() {
        let a = field("A").eq(1);
        let b = field("B").eq(2);
        let c = field("C").eq(3);
        assert_eq!(
            (a.clone() | b.clone()).and(c.clone()).to_string(),
            "(A eq 1 or B eq 2) and C eq 3"
        );
        assert_eq!(
            a.clone().or(b.clone() & c.clone()).to_string(),
            "A eq 1 or B eq 2 and C eq 3"
        );
        assert_eq!((!(a | b)).to_string(), "not (A eq 1 or B eq 2)");
    }

    #[test]
    fn typed_literals() {
        let t: DateTime = "2024-07-15T10:31:28.402+03:00".parse().unwrap();
        assert_eq!(
            Literal::from(t).to_string(),
            "datetimeoffset'2024-07-15T10:31:28.402+03:00'"
        );
        assert_eq!(Literal::from(Decimal::new(125, 1)).to_string(), "12.5M");
        assert_eq!(Literal::from(2.0f64).to_string(), "2.0");
        let g = Uuid::nil();
        assert_eq!(
            Literal::from(g).to_string(),
            "guid'00000000-0000-0000-0000-000000000000'"
        );
    }

    #[test]
    fn injected_paths_are_caught() {
        assert!(field("Status eq 'x' or 1").eq("y").invalid_path().is_some());
        assert!(field("MainContact/Email").eq("y").invalid_path().is_none());
    }
}
