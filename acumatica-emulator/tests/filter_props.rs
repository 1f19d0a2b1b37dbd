//! Property tests for `$filter`, in both dialects (OData v3 for the contract-based API, OData v4
//! for generic inquiries): print/parse round trips, string literals that cannot inject, no
//! panics.

use acumatica_emulator::filter::{
    CompareOp, CustomField, CustomType, Dialect, EvalOptions, Expr, FieldRef, Function, Literal,
    Operand, eval, parse, parse_with,
};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

/// Both dialects.
const DIALECTS: [Dialect; 2] = [Dialect::V3, Dialect::V4];

/// One-segment names the parser reads as keywords, so they cannot be field names.
const RESERVED: [&str; 19] = [
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "true", "false", "null", "add", "sub",
    "mul", "div", "mod", "has", "in",
];

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,8}".prop_filter("not a keyword", |n| !RESERVED.contains(&n.as_str()))
}

fn field_ref() -> impl Strategy<Value = FieldRef> {
    let custom = (
        prop::sample::select(CustomType::ALL.to_vec()),
        prop::collection::vec(name(), 0..3),
        name(),
        name(),
    )
        .prop_map(|(kind, entity, view, field)| {
            FieldRef::Custom(CustomField {
                kind,
                entity,
                view,
                field,
            })
        });
    prop_oneof![
        3 => prop::collection::vec(name(), 1..4).prop_map(FieldRef::Path),
        1 => custom,
    ]
}

/// Text biased towards what could break quoting: quotes, parentheses, keywords, spaces.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("'".to_string()),
        Just("''".to_string()),
        Just(" ".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(" or ".to_string()),
        Just(" and X eq ".to_string()),
        Just("%".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        any::<String>(),
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat()),
    ]
}

fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (any::<i64>(), 0u32..=28).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale)),
        (any::<i128>(), 0u32..=28).prop_filter_map("fits 96 bits", |(mantissa, scale)| {
            Decimal::try_from_i128_with_scale(mantissa >> 31, scale).ok()
        }),
    ]
}

fn naive_datetime() -> impl Strategy<Value = NaiveDateTime> {
    (
        1i32..=9999,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![Just(0u32), 0u32..1000, 0u32..1_000_000_000],
    )
        .prop_filter_map("valid date", |(y, mo, d, h, mi, s, nanos)| {
            let date = NaiveDate::from_ymd_opt(y, mo, d)?;
            let nanos = if nanos < 1000 {
                nanos * 1_000_000
            } else {
                nanos
            };
            Some(date.and_time(NaiveTime::from_hms_nano_opt(h, mi, s, nanos)?))
        })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        tricky_text().prop_map(Literal::String),
        any::<i32>().prop_map(Literal::Int),
        any::<i64>().prop_map(Literal::Long),
        decimal().prop_map(Literal::Decimal),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Literal::Double),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
        (naive_datetime(), -840i32..=840).prop_filter_map("in range", |(local, minutes)| {
            let offset = FixedOffset::east_opt(minutes * 60)?;
            offset
                .from_local_datetime(&local)
                .single()
                .map(Literal::DateTimeOffset)
        }),
        naive_datetime().prop_map(Literal::DateTime),
        naive_datetime().prop_map(|dt| Literal::Date(dt.date())),
        any::<[u8; 16]>().prop_map(|bytes| Literal::Guid(Uuid::from_bytes(bytes))),
    ]
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        field_ref().prop_map(Operand::Field),
        literal().prop_map(Operand::Literal),
    ]
}

fn function() -> impl Strategy<Value = Function> {
    (0..3u8, field_ref(), tricky_text()).prop_map(|(which, field, text)| match which {
        0 => Function::SubstringOf { text, field },
        1 => Function::StartsWith { field, text },
        _ => Function::EndsWith { field, text },
    })
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => (operand(), prop::sample::select(CompareOp::ALL.to_vec()), operand())
            .prop_map(|(left, op, right)| Expr::Compare { left, op, right }),
        1 => function().prop_map(Expr::Function),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

/// The tree OData v4 reads back from `literal` printed in v4, which has fewer literal types:
/// an `Edm.Int64` that fits 32 bits is an `Edm.Int32`, and a date-time without an offset is
/// the same instant in UTC (which is how both are evaluated anyway).
fn v4_literal(literal: Literal) -> Literal {
    match literal {
        Literal::Long(value) => i32::try_from(value).map_or(Literal::Long(value), Literal::Int),
        Literal::DateTime(value) => Literal::DateTimeOffset(Utc.fix().from_utc_datetime(&value)),
        other => other,
    }
}

fn v4_operand(operand: Operand) -> Operand {
    match operand {
        Operand::Literal(literal) => Operand::Literal(v4_literal(literal)),
        field => field,
    }
}

/// [`v4_literal`] applied to every literal of the tree.
fn v4_expr(e: Expr) -> Expr {
    match e {
        Expr::Compare { left, op, right } => Expr::Compare {
            left: v4_operand(left),
            op,
            right: v4_operand(right),
        },
        Expr::Function(function) => Expr::Function(function),
        Expr::Not(inner) => Expr::Not(Box::new(v4_expr(*inner))),
        Expr::And(items) => Expr::And(items.into_iter().map(v4_expr).collect()),
        Expr::Or(items) => Expr::Or(items.into_iter().map(v4_expr).collect()),
    }
}

/// What `dialect` reads back from `e` printed in it.
fn read_back(e: &Expr, dialect: Dialect) -> Expr {
    match dialect {
        Dialect::V3 => e.clone(),
        Dialect::V4 => v4_expr(e.clone()),
    }
}

/// Tokens of the filter language and near misses, for inputs that get past the lexer.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "A",
        "B/C",
        "cf.String(f='V.F')",
        "cf.Int(",
        "f",
        "=",
        "'x'",
        "'",
        "''",
        "(",
        ")",
        ",",
        "eq",
        "ne",
        "gt",
        "and",
        "or",
        "not",
        "Eq",
        "add",
        "in",
        "has",
        "1",
        "-5",
        "12L",
        "1.5M",
        "2E3",
        "1.5d",
        "true",
        "null",
        "date'2024-01-01'",
        "datetimeoffset'2024-01-01T00:00Z'",
        "guid'",
        "1000.50",
        "2024-01-01",
        "2024-01-01T00:00Z",
        "2024-01-01T00:00:00.5+03:00",
        "2024-01-01T00:00",
        "2024-",
        "8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd",
        "bce2708c-",
        "substringof",
        "startswith",
        "endswith",
        "contains",
        "any",
        " ",
        "  ",
        ".",
        "/",
        "-",
        "$",
        "\u{e9}",
    ]);
    prop::collection::vec(token, 0..16).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #[test]
    fn printed_expressions_parse_back(e in expr()) {
        let text = e.to_string();
        prop_assert_eq!(parse(&text), Ok(e), "text: {}", text);
    }

    #[test]
    fn printed_expressions_parse_back_in_both_dialects(e in expr()) {
        for dialect in DIALECTS {
            let text = e.display(dialect).to_string();
            let expected = read_back(&e, dialect);
            prop_assert_eq!(parse_with(&text, dialect), Ok(expected.clone()), "{:?}: {}", dialect, text);
            // What is read back is a fixed point: it prints and reads back as itself.
            let again = expected.display(dialect).to_string();
            prop_assert_eq!(parse_with(&again, dialect), Ok(expected), "{:?}: {}", dialect, again);
        }
    }

    #[test]
    fn each_dialect_refuses_the_other_ones_literals(e in expr()) {
        // A tree with a literal spelled differently in v3 and v4 is refused in the other one.
        // (A v3 double without a suffix, `1.5`, reads in v4 as a decimal of the same value.)
        let differs = |l: &Literal| !matches!(
            l,
            Literal::String(_) | Literal::Int(_) | Literal::Double(_) | Literal::Bool(_) | Literal::Null
        );
        let mut literals = Vec::new();
        collect_literals(&e, &mut literals);
        let v3 = e.to_string();
        let v4 = e.display(Dialect::V4).to_string();
        if literals.into_iter().any(differs) {
            prop_assert!(parse_with(&v3, Dialect::V4).is_err(), "v4 took v3 text: {}", v3);
        }
        if has_contains(&e) {
            prop_assert!(parse(&v4).is_err(), "v3 took v4 text: {}", v4);
        }
    }

    #[test]
    fn string_literals_round_trip(s in tricky_text()) {
        let printed = Literal::String(s.clone()).to_string();
        prop_assert!(printed.starts_with('\'') && printed.ends_with('\''));
        prop_assert_eq!(printed.matches('\'').count(), 2 + 2 * s.matches('\'').count());
        prop_assert_eq!(&Literal::String(s.clone()).display(Dialect::V4).to_string(), &printed);
        let expected = Expr::Compare {
            left: Operand::Field(FieldRef::Path(vec!["Field".into()])),
            op: CompareOp::Eq,
            right: Operand::Literal(Literal::String(s)),
        };
        for dialect in DIALECTS {
            prop_assert_eq!(parse_with(&format!("Field eq {printed}"), dialect), Ok(expected.clone()));
        }
    }

    #[test]
    fn escaped_values_cannot_inject(s in tricky_text()) {
        // Built by hand, the way a client would, not through `Display`.
        let quoted = format!("'{}'", s.replace('\'', "''"));
        for dialect in DIALECTS {
            let filter = format!("Field eq {quoted}");
            match parse_with(&filter, dialect) {
                Ok(Expr::Compare {
                    left: Operand::Field(FieldRef::Path(path)),
                    op: CompareOp::Eq,
                    right: Operand::Literal(Literal::String(value)),
                }) => {
                    prop_assert_eq!(path, vec!["Field".to_string()]);
                    prop_assert_eq!(&value, &s);
                }
                other => prop_assert!(false, "{:?} parsed as {:?}", filter, other),
            }
            let contains = match dialect {
                Dialect::V3 => format!("substringof({quoted}, Field)"),
                Dialect::V4 => format!("contains(Field, {quoted})"),
            };
            let expected = Expr::Function(Function::SubstringOf {
                text: s.clone(),
                field: FieldRef::Path(vec!["Field".into()]),
            });
            prop_assert_eq!(parse_with(&contains, dialect), Ok(expected), "{}", contains);
        }
    }

    #[test]
    fn arbitrary_record_values_never_panic(
        text in prop_oneof![any::<String>(), "[-+0-9.eE_ ]{0,40}", "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+Z-]{0,20}"],
        number in any::<f64>().prop_filter("finite", |f| f.is_finite()),
    ) {
        let record = json!({"S": {"value": text}, "N": {"value": number}});
        let filters = [
            (Dialect::V3, "S gt 5M"), (Dialect::V3, "S eq 1.5"), (Dialect::V3, "S lt 10L"),
            (Dialect::V3, "S eq datetimeoffset'2024-01-01T00:00Z'"),
            (Dialect::V3, "S ge date'2024-01-01'"),
            (Dialect::V3, "S eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'"),
            (Dialect::V3, "S eq 'x'"), (Dialect::V3, "substringof('a', S)"),
            (Dialect::V3, "N gt 5M"), (Dialect::V3, "N le 1E300"), (Dialect::V3, "N eq S"),
            (Dialect::V4, "S gt 5.0"), (Dialect::V4, "S lt 3000000000"),
            (Dialect::V4, "S eq 2024-01-01T00:00Z"), (Dialect::V4, "S ge 2024-01-01"),
            (Dialect::V4, "S eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd"),
            (Dialect::V4, "contains(S, 'a')"), (Dialect::V4, "N gt 5.5"),
            (Dialect::V4, "N le 1E300"),
        ];
        for (dialect, filter) in filters {
            let expr = parse_with(filter, dialect).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let _ = eval(&expr, &record, &EvalOptions::default());
        }
    }

    #[test]
    fn garbage_never_panics(input in prop_oneof![any::<String>(), token_soup()]) {
        let record = json!({"A": {"value": "x"}, "B": {"C": {"value": 1}}, "custom": {"V": {"F": {"value": 2}}}});
        for dialect in DIALECTS {
            if let Ok(e) = parse_with(&input, dialect) {
                // Whatever is accepted prints canonically and evaluates without panicking.
                prop_assert_eq!(parse_with(&e.display(dialect).to_string(), dialect), Ok(e.clone()));
                let _ = eval(&e, &record, &EvalOptions::default());
            }
        }
    }
}

/// Every literal of the tree.
fn collect_literals<'e>(e: &'e Expr, out: &mut Vec<&'e Literal>) {
    match e {
        Expr::Compare { left, right, .. } => {
            for operand in [left, right] {
                if let Operand::Literal(literal) = operand {
                    out.push(literal);
                }
            }
        }
        Expr::Function(_) => {}
        Expr::Not(inner) => collect_literals(inner, out),
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| collect_literals(i, out)),
    }
}

/// Whether the tree uses `substringof`/`contains`, which the dialects spell differently.
fn has_contains(e: &Expr) -> bool {
    match e {
        Expr::Compare { .. } => false,
        Expr::Function(function) => matches!(function, Function::SubstringOf { .. }),
        Expr::Not(inner) => has_contains(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().any(has_contains),
    }
}
