//! Property tests for `$filter`: print/parse round trips, string literals that cannot inject, no panics.

use acumatica_emulator::filter::{
    CompareOp, CustomField, CustomType, EvalOptions, Expr, FieldRef, Function, Literal, Operand,
    eval, parse,
};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

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
    fn string_literals_round_trip(s in tricky_text()) {
        let printed = Literal::String(s.clone()).to_string();
        prop_assert!(printed.starts_with('\'') && printed.ends_with('\''));
        prop_assert_eq!(printed.matches('\'').count(), 2 + 2 * s.matches('\'').count());
        let expected = Expr::Compare {
            left: Operand::Field(FieldRef::Path(vec!["Field".into()])),
            op: CompareOp::Eq,
            right: Operand::Literal(Literal::String(s)),
        };
        prop_assert_eq!(parse(&format!("Field eq {printed}")), Ok(expected));
    }

    #[test]
    fn escaped_values_cannot_inject(s in tricky_text()) {
        // Built by hand, the way a client would, not through `Display`.
        let filter = format!("Field eq '{}'", s.replace('\'', "''"));
        match parse(&filter) {
            Ok(Expr::Compare {
                left: Operand::Field(FieldRef::Path(path)),
                op: CompareOp::Eq,
                right: Operand::Literal(Literal::String(value)),
            }) => {
                prop_assert_eq!(path, vec!["Field".to_string()]);
                prop_assert_eq!(value, s);
            }
            other => prop_assert!(false, "{:?} parsed as {:?}", filter, other),
        }
    }

    #[test]
    fn arbitrary_record_values_never_panic(
        text in prop_oneof![any::<String>(), "[-+0-9.eE_ ]{0,40}", "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+Z-]{0,20}"],
        number in any::<f64>().prop_filter("finite", |f| f.is_finite()),
    ) {
        let record = json!({"S": {"value": text}, "N": {"value": number}});
        for filter in [
            "S gt 5M", "S eq 1.5", "S lt 10L", "S eq datetimeoffset'2024-01-01T00:00Z'",
            "S ge date'2024-01-01'", "S eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'",
            "S eq 'x'", "substringof('a', S)", "N gt 5M", "N le 1E300", "N eq S",
        ] {
            let expr = parse(filter).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let _ = eval(&expr, &record, &EvalOptions::default());
        }
    }

    #[test]
    fn garbage_never_panics(input in prop_oneof![any::<String>(), token_soup()]) {
        let record = json!({"A": {"value": "x"}, "B": {"C": {"value": 1}}, "custom": {"V": {"F": {"value": 2}}}});
        if let Ok(e) = parse(&input) {
            // Whatever is accepted prints canonically and evaluates without panicking.
            prop_assert_eq!(parse(&e.to_string()), Ok(e.clone()));
            let _ = eval(&e, &record, &EvalOptions::default());
        }
    }
}
