//! The `$filter` expression and its rendering, with every literal escaped.

use std::collections::VecDeque;
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

/// The OData dialect a filter is written in: the literals and the "contains" function differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// OData v3, as the contract-based API takes it: `12.5M`, `datetimeoffset'...'`,
    /// `guid'...'`, `substringof('x', Field)`.
    V3,
    /// OData v4, as generic inquiries (`/t/{tenant}/api/odata/gi`) take it: `12.5`, bare
    /// date-times and GUIDs, `contains(Field, 'x')`.
    V4,
}

/// A literal. `Display` writes Acumatica's contract-API (OData v3) syntax;
/// [`Filter::to_odata_v4`] writes the OData v4 one where they differ.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Literal {
    /// `'text'`, with quotes doubled (both dialects).
    String(String),
    /// `12.50M` (v3); `12.50` (v4).
    Decimal(Decimal),
    /// `42`
    Int(i64),
    /// `1.5`
    Double(f64),
    /// `true` / `false`
    Bool(bool),
    /// v3: `datetimeoffset'2024-07-15T10:31:28.402+03:00'`, or `datetime'...'` without an
    /// offset. v4: bare, `2024-07-15T10:31:28.402+03:00`; a value without an offset gets `Z`.
    DateTime(DateTime),
    /// `guid'...'` (v3); the bare GUID (v4).
    Guid(Uuid),
    /// `null`
    Null,
}

impl Literal {
    /// Writes the literal in `dialect`.
    fn write(&self, f: &mut fmt::Formatter<'_>, dialect: Dialect) -> fmt::Result {
        match (self, dialect) {
            (Literal::String(s), _) => write!(f, "'{}'", s.replace('\'', "''")),
            (Literal::Decimal(d), Dialect::V3) => write!(f, "{d}M"),
            (Literal::Decimal(d), Dialect::V4) => write!(f, "{d}"),
            (Literal::Int(i), _) => write!(f, "{i}"),
            (Literal::Double(x), _) if x.is_finite() => {
                let text = format!("{x:?}"); // always has a '.' or an exponent
                f.write_str(&text)
            }
            // NaN and infinities have no OData literal; no record can match them.
            (Literal::Double(_), _) => f.write_str("null"),
            (Literal::Bool(b), _) => write!(f, "{b}"),
            (Literal::DateTime(t), Dialect::V3) if t.offset().is_some() => {
                write!(f, "datetimeoffset'{t}'")
            }
            (Literal::DateTime(t), Dialect::V3) => write!(f, "datetime'{t}'"),
            (Literal::DateTime(t), Dialect::V4) if t.offset().is_some() => write!(f, "{t}"),
            // v4 has only Edm.DateTimeOffset, whose literal needs an offset.
            (Literal::DateTime(t), Dialect::V4) => write!(f, "{t}Z"),
            (Literal::Guid(g), Dialect::V3) => write!(f, "guid'{g}'"),
            (Literal::Guid(g), Dialect::V4) => write!(f, "{g}"),
            (Literal::Null, _) => f.write_str("null"),
        }
    }
}

impl fmt::Display for Literal {
    /// The contract-API (OData v3) form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Dialect::V3)
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
///
/// Chains of `and` or of `or` stay flat however long they grow (100,000 terms render, clone
/// and drop without recursion). Alternating nesting (`a and (b or (c and ...))`, `not not ...`)
/// is limited to [`Filter::MAX_DEPTH`] levels: a deeper filter is refused with
/// `Error::InvalidQuery` ([`QueryError`](crate::QueryError)) when the query is sent, before anything
/// goes out (tenants refuse such filters too).
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
    /// Two or more conditions, and the depth of the tree below (a leaf is 1).
    And(VecDeque<Node>, u32),
    Or(VecDeque<Node>, u32),
    Not(Box<Node>, u32),
    Raw(String),
    /// What a combination deeper than [`Filter::MAX_DEPTH`] became (its parts are dropped).
    TooDeep,
}

impl Node {
    /// Nesting as an OData parser counts it in the rendered text: each `not`, each opening
    /// parenthesis and each function call is one level; `and`/`or` chains are flat.
    fn depth(&self) -> u32 {
        match self {
            Node::And(_, d) | Node::Or(_, d) | Node::Not(_, d) => *d,
            Node::Function { .. } => 1,
            _ => 0,
        }
    }

    /// The depth of `n` as an operand of an `and` (`or` with `or_`): plus its parentheses.
    fn operand_depth(n: &Node, or_: bool) -> u32 {
        let parens = match n {
            Node::Raw(_) => true,
            Node::Or(..) => !or_,
            _ => false,
        };
        n.depth() + u32::from(parens)
    }

    /// `a and b` (`or` with `or_`), flattening chains: O(1) amortised, whatever their length.
    fn join(a: Node, b: Node, or_: bool) -> Node {
        if matches!(a, Node::TooDeep) || matches!(b, Node::TooDeep) {
            return Node::TooDeep;
        }
        // Operands of the same operator are merged into one chain: the longer one is kept and
        // the other's terms are added at its front or back, so that growing a chain on either
        // side, or joining two chains, costs the shorter side only.
        let split = |n: Node| match n {
            Node::And(v, d) if !or_ => (v, d, true),
            Node::Or(v, d) if or_ => (v, d, true),
            n => {
                let d = Node::operand_depth(&n, or_);
                (VecDeque::from([n]), d, false)
            }
        };
        let (mut left, dl, _) = split(a);
        let (mut right, dr, _) = split(b);
        let depth = dl.max(dr);
        let items = if left.len() >= right.len() {
            left.append(&mut right);
            left
        } else {
            while let Some(n) = left.pop_back() {
                right.push_front(n);
            }
            right
        };
        if depth > Filter::MAX_DEPTH {
            return Node::TooDeep;
        }
        if or_ {
            Node::Or(items, depth)
        } else {
            Node::And(items, depth)
        }
    }
}

/// Why a filter cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[doc(hidden)]
pub enum FilterProblem {
    /// A field path that is not a plain path of identifiers.
    Path(String),
    /// Nested deeper than [`Filter::MAX_DEPTH`].
    TooDeep,
}

impl FilterProblem {
    /// The message, with `what` naming a field (`field path`, `property name`).
    #[doc(hidden)]
    pub fn message(&self, what: &str) -> String {
        match self {
            FilterProblem::Path(p) => format!("$filter: {p:?} is not a {what}"),
            FilterProblem::TooDeep => format!(
                "$filter nests more than {} levels deep (each `not`, parenthesis and function call is a level)",
                Filter::MAX_DEPTH
            ),
        }
    }
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

    /// The deepest nesting a filter may have, counted as an OData parser counts it: each
    /// `not`, each parenthesis and each function call is a level (`not (A eq 1)` is two);
    /// `and`/`or` chains are flat, however long.
    pub const MAX_DEPTH: u32 = 100;

    /// Both conditions.
    pub fn and(self, other: Filter) -> Filter {
        Filter(Node::join(self.0, other.0, false))
    }

    /// Either condition.
    pub fn or(self, other: Filter) -> Filter {
        Filter(Node::join(self.0, other.0, true))
    }

    /// The negation.
    #[allow(clippy::should_implement_trait)] // `!` is implemented too; this reads better in chains
    pub fn not(self) -> Filter {
        // `not (...)`: the operator and its parentheses.
        let depth = self.0.depth() + 2;
        Filter(
            if depth > Filter::MAX_DEPTH || matches!(self.0, Node::TooDeep) {
                Node::TooDeep
            } else {
                Node::Not(Box::new(self.0), depth)
            },
        )
    }

    /// Whether the filter nests deeper than [`Filter::MAX_DEPTH`] (and cannot be sent).
    pub fn is_too_deep(&self) -> bool {
        matches!(self.0, Node::TooDeep)
    }

    /// `existing and new` (or `new` alone), and why it cannot be sent, if it cannot: the one
    /// check `$filter` options of both dialects make.
    #[doc(hidden)]
    pub fn combine(existing: Option<Filter>, new: Filter) -> (Filter, Option<FilterProblem>) {
        let combined = match existing {
            Some(e) => e.and(new),
            None => new,
        };
        let problem = if combined.is_too_deep() {
            Some(FilterProblem::TooDeep)
        } else {
            combined
                .invalid_path()
                .map(|p| FilterProblem::Path(p.to_owned()))
        };
        (combined, problem)
    }

    /// The first field path that is not a plain path of identifiers (which could change the
    /// shape of the filter), if any. Raw filters are not checked.
    pub(crate) fn invalid_path(&self) -> Option<&str> {
        fn walk(n: &Node) -> Option<&str> {
            match n {
                Node::Compare { operand, valid, .. } | Node::Function { operand, valid, .. } => {
                    (!valid).then_some(operand.as_str())
                }
                Node::And(items, _) | Node::Or(items, _) => items.iter().find_map(walk),
                Node::Not(a, _) => walk(a),
                Node::Raw(_) | Node::TooDeep => None,
            }
        }
        walk(&self.0)
    }
}

impl fmt::Display for Filter {
    /// The contract-API (OData v3) form; see [`Filter::to_odata_v4`] for generic inquiries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(&self.0, f, Dialect::V3)
    }
}

impl Filter {
    /// The filter in OData v4 syntax, as generic inquiries (`/t/{tenant}/api/odata/gi`) take
    /// it: decimals without `M`, bare date-times (`Z` added when the value has no offset) and
    /// GUIDs, and `contains(Field, 'text')` for [`Field::contains`](super::Field::contains).
    /// Strings, numbers, operators and `startswith`/`endswith` read as in `Display`; raw
    /// filters are written as they are.
    ///
    /// ```
    /// use acumatica_sdk::query::field;
    /// use rust_decimal_macros::dec;
    ///
    /// let f = field("CreditLimit").gt(dec!(1000.50)) & field("CustomerName").eq("O'Brien");
    /// assert_eq!(f.to_string(), "CreditLimit gt 1000.50M and CustomerName eq 'O''Brien'");
    /// assert_eq!(f.to_odata_v4(), "CreditLimit gt 1000.50 and CustomerName eq 'O''Brien'");
    /// ```
    pub fn to_odata_v4(&self) -> String {
        InDialect(&self.0, Dialect::V4).to_string()
    }
}

/// A node written in a dialect.
struct InDialect<'a>(&'a Node, Dialect);

impl fmt::Display for InDialect<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(self.0, f, self.1)
    }
}

/// Writes a node; operands of `and`/`or` are parenthesised when they bind more loosely.
fn write_node(n: &Node, f: &mut fmt::Formatter<'_>, dialect: Dialect) -> fmt::Result {
    match n {
        Node::Compare {
            operand,
            op,
            literal,
            ..
        } => {
            write!(f, "{operand} {} ", op.as_str())?;
            literal.write(f, dialect)
        }
        Node::Function {
            name,
            operand,
            text,
            ..
        } => {
            let text = Literal::String(text.clone());
            match (*name, dialect) {
                // v3's `substringof` takes the text first; v4 replaced it with `contains`.
                ("substringof", Dialect::V3) => write!(f, "substringof({text}, {operand})"),
                ("substringof", Dialect::V4) => write!(f, "contains({operand}, {text})"),
                (name, _) => write!(f, "{name}({operand}, {text})"),
            }
        }
        Node::And(items, _) => {
            let loose = |n: &Node| matches!(n, Node::Or(..) | Node::Raw(_));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(" and ")?;
                }
                write_operand(item, f, dialect, loose)?;
            }
            Ok(())
        }
        Node::Or(items, _) => {
            let loose = |n: &Node| matches!(n, Node::Raw(_));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(" or ")?;
                }
                write_operand(item, f, dialect, loose)?;
            }
            Ok(())
        }
        Node::Not(a, _) => {
            f.write_str("not ")?;
            write_operand(a, f, dialect, |_| true)
        }
        Node::Raw(text) => f.write_str(text),
        // Never sent: `QueryOptions` refuses it first.
        Node::TooDeep => f.write_str("(filter nested too deeply)"),
    }
}

fn write_operand(
    n: &Node,
    f: &mut fmt::Formatter<'_>,
    dialect: Dialect,
    parens: impl Fn(&Node) -> bool,
) -> fmt::Result {
    if parens(n) {
        f.write_str("(")?;
        write_node(n, f, dialect)?;
        f.write_str(")")
    } else {
        write_node(n, f, dialect)
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
    use super::super::{Field, Path, field};
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

    /// `literal` written in both dialects.
    fn both(literal: impl Into<Literal>) -> (String, String) {
        let literal = literal.into();
        let filter = Filter::compare("X".into(), true, CompareOp::Eq, literal.clone());
        let v3 = filter.to_string();
        assert_eq!(
            v3,
            format!("X eq {literal}"),
            "Display of the literal is v3"
        );
        let strip = |s: String| s.strip_prefix("X eq ").map(str::to_owned).unwrap_or(s);
        (strip(v3), strip(filter.to_odata_v4()))
    }

    fn pair(v3: &str, v4: &str) -> (String, String) {
        (v3.to_owned(), v4.to_owned())
    }

    #[test]
    fn every_literal_kind_in_both_dialects() {
        let t: DateTime = "2024-07-15T10:31:28.402+03:00".parse().unwrap();
        assert_eq!(
            both(t),
            pair(
                "datetimeoffset'2024-07-15T10:31:28.402+03:00'",
                "2024-07-15T10:31:28.402+03:00"
            )
        );
        let utc: DateTime = "2024-07-15T10:31:28Z".parse().unwrap();
        assert_eq!(
            both(utc),
            pair(
                "datetimeoffset'2024-07-15T10:31:28+00:00'",
                "2024-07-15T10:31:28+00:00"
            )
        );
        // Without an offset: v3 has `datetime'...'`, v4 only date-times with an offset.
        let local: DateTime = "2024-02-01T10:11:12.5".parse().unwrap();
        assert_eq!(
            both(local),
            pair("datetime'2024-02-01T10:11:12.5'", "2024-02-01T10:11:12.5Z")
        );
        let date: DateTime = "2024-02-01".parse().unwrap();
        assert_eq!(
            both(date),
            pair("datetime'2024-02-01T00:00:00'", "2024-02-01T00:00:00Z")
        );
        assert_eq!(both(Decimal::new(125, 1)), pair("12.5M", "12.5"));
        assert_eq!(both(Decimal::new(100050, 2)), pair("1000.50M", "1000.50"));
        assert_eq!(both(Decimal::new(-5, 0)), pair("-5M", "-5"));
        assert_eq!(both(42), pair("42", "42"));
        assert_eq!(both(-7i64), pair("-7", "-7"));
        assert_eq!(both(2.0f64), pair("2.0", "2.0"));
        assert_eq!(both(1e300f64), pair("1e300", "1e300"));
        assert_eq!(both(f64::NAN), pair("null", "null"));
        assert_eq!(both(true), pair("true", "true"));
        assert_eq!(both(false), pair("false", "false"));
        assert_eq!(both(Literal::Null), pair("null", "null"));
        let g: Uuid = "8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd".parse().unwrap();
        assert_eq!(
            both(g),
            pair(
                "guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'",
                "8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd"
            )
        );
        assert_eq!(both("Active"), pair("'Active'", "'Active'"));
        assert_eq!(both(""), pair("''", "''"));
        assert_eq!(both("'"), pair("''''", "''''"));
        assert_eq!(both("O'Brien"), pair("'O''Brien'", "'O''Brien'"));
    }

    #[test]
    fn string_functions_in_both_dialects() {
        let name = Field::<String>::at(Path::parse("CustomerName"));
        let cases = [
            (
                name.contains("O'Br"),
                "substringof('O''Br', CustomerName)",
                "contains(CustomerName, 'O''Br')",
            ),
            (
                name.starts_with("O'"),
                "startswith(CustomerName, 'O''')",
                "startswith(CustomerName, 'O''')",
            ),
            (
                name.ends_with("'x"),
                "endswith(CustomerName, '''x')",
                "endswith(CustomerName, '''x')",
            ),
        ];
        for (filter, v3, v4) in cases {
            assert_eq!(filter.to_string(), v3);
            assert_eq!(filter.to_odata_v4(), v4);
        }
    }

    #[test]
    fn injection_attempts_stay_one_string_in_both_dialects() {
        let evil = "x') or true or contains(CustomerName, '";
        let name = Field::<String>::at(Path::parse("CustomerName"));
        assert_eq!(
            name.contains(evil).to_odata_v4(),
            "contains(CustomerName, 'x'') or true or contains(CustomerName, ''')"
        );
        assert_eq!(
            name.contains(evil).to_string(),
            "substringof('x'') or true or contains(CustomerName, ''', CustomerName)"
        );
        let f = field("CustomerName").eq("O'Brien' or 1 eq 1 or 'x");
        assert_eq!(
            f.to_odata_v4(),
            "CustomerName eq 'O''Brien'' or 1 eq 1 or ''x'"
        );
        // Every quote of the value is doubled: between the outer quotes no quote stands alone.
        for text in [f.to_string(), f.to_odata_v4()] {
            let inner = &text["CustomerName eq '".len()..text.len() - 1];
            assert!(!inner.replace("''", "").contains('\''), "{text}");
        }
    }

    #[test]
    fn combinators_and_raw_filters_in_v4() {
        let t: DateTime = "2024-07-15T10:31:28".parse().unwrap();
        let f = (field("A").eq(Decimal::new(15, 1)) | field("B").ge(t))
            & !field("C").eq(Uuid::nil())
            & Filter::raw("D eq 1 or E eq 2");
        assert_eq!(
            f.to_string(),
            "(A eq 1.5M or B ge datetime'2024-07-15T10:31:28') and not (C eq guid'00000000-0000-0000-0000-000000000000') and (D eq 1 or E eq 2)"
        );
        assert_eq!(
            f.to_odata_v4(),
            "(A eq 1.5 or B ge 2024-07-15T10:31:28Z) and not (C eq 00000000-0000-0000-0000-000000000000) and (D eq 1 or E eq 2)"
        );
    }

    #[test]
    fn long_chains_stay_flat_and_deep_nesting_is_refused() {
        // Built, rendered, cloned, compared and dropped on a small stack: nothing recurses per term.
        let run = || {
            let mut f = field("A").eq(0);
            for i in 1..100_000 {
                f = f.or(field("A").eq(i));
            }
            let text = f.to_string();
            assert!(text.starts_with("A eq 0 or A eq 1 or "), "{}", &text[..40]);
            assert_eq!(text.matches(" or ").count(), 99_999);
            assert!(f.clone() == f && !f.is_too_deep());
            let mut g = field("B").eq(0);
            for i in 1..100_000 {
                g = g & field("B").eq(i);
            }
            // 99,999 joins inside the chain and one to the parenthesised `or` chain.
            assert_eq!((g & f).to_string().matches(" and ").count(), 100_000);
            let mut n = field("C").eq(1);
            for _ in 0..100_000 {
                n = !n;
            }
            assert!(n.is_too_deep());
            let mut alt = field("D").eq(0);
            for i in 0..100_000 {
                alt = if i % 2 == 0 {
                    alt | field("D").eq(i)
                } else {
                    alt & field("E").eq(i)
                };
            }
            assert!(alt.is_too_deep());
        };
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
        // Up to the limit it renders; one more level is refused by the query.
        // Each `or` inside an `and` is one level of parentheses.
        let mut g = field("B").eq(0);
        for i in 0..Filter::MAX_DEPTH {
            g = if i % 2 == 0 {
                g | field("B").eq(i)
            } else {
                g & field("B").eq(i)
            };
        }
        assert!(!g.is_too_deep(), "100 alternations are 50 levels");
        assert_eq!(g.to_string().matches('(').count(), 50);
        // `not (...)` is two levels: 50 of them are the most that can be sent.
        let mut f = field("A").eq(0);
        for i in 1..=Filter::MAX_DEPTH / 2 {
            f = !f.or(field("A").eq(i));
        }
        assert!(!f.is_too_deep());
        let ok = crate::query::QueryOptions::new().filter(f.clone());
        assert!(ok.pairs().is_ok());
        let deeper = crate::query::QueryOptions::new().filter(f.or(field("Z").eq(1)).not());
        let err = deeper.pairs().unwrap_err();
        assert!(err.to_string().contains("100 levels"), "{err}");
    }

    #[test]
    fn injected_paths_are_caught() {
        assert!(field("Status eq 'x' or 1").eq("y").invalid_path().is_some());
        assert!(field("MainContact/Email").eq("y").invalid_path().is_none());
    }
}
