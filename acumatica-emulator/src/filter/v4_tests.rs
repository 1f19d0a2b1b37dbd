//! The OData v4 dialect: its literals and `contains` accepted, the v3-only forms refused with
//! their positions, canonical v4 text, and evaluation shared with v3.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use super::{
    CompareOp, Dialect, EvalOptions, Expr, FieldRef, FilterError, Function, Literal, Operand, eval,
    parse, parse_with,
};

fn path(text: &str) -> FieldRef {
    FieldRef::Path(text.split('/').map(str::to_string).collect())
}

/// `Field op literal`.
fn cmp(name: &str, op: CompareOp, literal: Literal) -> Expr {
    Expr::Compare {
        left: Operand::Field(path(name)),
        op,
        right: Operand::Literal(literal),
    }
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("test decimal")
}

fn guid(text: &str) -> Uuid {
    Uuid::parse_str(text).expect("test guid")
}

fn ok(input: &str) -> Expr {
    match parse_with(input, Dialect::V4) {
        Ok(expr) => expr,
        Err(err) => panic!("{input:?} should parse as OData v4, got {err}"),
    }
}

fn err(input: &str) -> FilterError {
    match parse_with(input, Dialect::V4) {
        Ok(expr) => panic!("{input:?} should be refused in OData v4, parsed as {expr:?}"),
        Err(err) => err,
    }
}

/// The v4 error is at `position` and its message contains `fragment`.
fn refused(input: &str, position: usize, fragment: &str) {
    let error = err(input);
    assert_eq!(
        error.position, position,
        "position for {input:?}; message: {}",
        error.message
    );
    assert!(
        error.message.contains(fragment),
        "message for {input:?} should contain {fragment:?}: {}",
        error.message
    );
}

#[test]
fn v4_literals() {
    let cases: Vec<(&str, Literal)> = vec![
        ("'Active'", Literal::String("Active".into())),
        ("'O''Brien'", Literal::String("O'Brien".into())),
        ("''''", Literal::String("'".into())),
        ("100073", Literal::Int(100_073)),
        ("-5", Literal::Int(-5)),
        ("-2147483648", Literal::Int(i32::MIN)),
        // No suffixes: the type follows from the size and the shape.
        ("2147483648", Literal::Long(2_147_483_648)),
        ("9223372036854775807", Literal::Long(i64::MAX)),
        (
            "9223372036854775808",
            Literal::Decimal(decimal("9223372036854775808")),
        ),
        ("1000.50", Literal::Decimal(decimal("1000.50"))),
        ("0.0", Literal::Decimal(Decimal::ZERO)),
        ("-0.0001", Literal::Decimal(decimal("-0.0001"))),
        (
            "12345678901234.5679",
            Literal::Decimal(decimal("12345678901234.5679")),
        ),
        // More digits than a decimal holds: a double.
        (
            "0.000000000000000000000000000000125",
            Literal::Double(1.25e-31),
        ),
        ("2E3", Literal::Double(2000.0)),
        ("2.5e-3", Literal::Double(0.0025)),
        ("-1E+2", Literal::Double(-100.0)),
        ("true", Literal::Bool(true)),
        ("false", Literal::Bool(false)),
        ("null", Literal::Null),
        (
            "2024-07-15T10:31:28.402+03:00",
            Literal::DateTimeOffset(
                DateTime::parse_from_rfc3339("2024-07-15T10:31:28.402+03:00").expect("test date"),
            ),
        ),
        (
            "2024-07-15T10:31:28.402-05:30",
            Literal::DateTimeOffset(
                DateTime::parse_from_rfc3339("2024-07-15T10:31:28.402-05:30").expect("test date"),
            ),
        ),
        (
            "2024-07-15T10:31Z",
            Literal::DateTimeOffset(
                DateTime::parse_from_rfc3339("2024-07-15T10:31:00Z").expect("test date"),
            ),
        ),
        (
            "2025-06-17",
            Literal::Date(NaiveDate::from_ymd_opt(2025, 6, 17).expect("test date")),
        ),
        (
            "8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD",
            Literal::Guid(guid("8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd")),
        ),
        // Starting with a letter, a GUID is still a GUID, not a field.
        (
            "bce2708c-f4ec-2d4b-a60f-8e0761d96fdd",
            Literal::Guid(guid("bce2708c-f4ec-2d4b-a60f-8e0761d96fdd")),
        ),
        (
            "12345678-1234-1234-1234-123456789012",
            Literal::Guid(guid("12345678-1234-1234-1234-123456789012")),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            ok(&format!("X eq {text}")),
            cmp("X", CompareOp::Eq, expected.clone()),
            "literal {text}"
        );
        // Followed by punctuation, without a space.
        assert_eq!(
            ok(&format!("(X eq {text})")),
            cmp("X", CompareOp::Eq, expected),
            "literal {text} before ')'"
        );
    }
}

#[test]
fn contains_replaces_substringof() {
    let contains = Function::SubstringOf {
        text: "O'Br".into(),
        field: path("CustomerName"),
    };
    assert_eq!(
        ok("contains(CustomerName,'O''Br')"),
        Expr::Function(contains.clone())
    );
    assert_eq!(
        ok("contains(CustomerName, 'O''Br') eq false"),
        Expr::Not(Box::new(Expr::Function(contains.clone())))
    );
    // The same tree as v3's substringof, so evaluation is shared.
    assert_eq!(
        parse("substringof('O''Br', CustomerName)"),
        Ok(Expr::Function(contains))
    );
    assert_eq!(
        ok("startswith(A, 'x') and endswith(B/C, 'y')"),
        parse("startswith(A, 'x') and endswith(B/C, 'y')").expect("v3")
    );
    // A field may still be called `contains`.
    assert_eq!(
        ok("contains eq 1"),
        cmp("contains", CompareOp::Eq, Literal::Int(1))
    );
}

#[test]
fn v4_refuses_v3_only_forms() {
    refused("A eq 12.5M", 9, "the 'M' suffix is OData v3");
    refused("A eq 0m", 6, "'m' suffix");
    refused("A eq 12L", 7, "'L' suffix");
    refused("A eq 1.5d", 8, "'d' suffix");
    refused("A eq 7D", 6, "'D' suffix");
    refused("A eq 1.5f", 8, "'f' suffix");
    refused(
        "D gt datetimeoffset'2024-07-15T10:31:28.402+03:00'",
        5,
        "datetimeoffset'...' literals are OData v3",
    );
    refused(
        "D gt datetime'2024-07-15T10:31:28'",
        5,
        "datetime'...' literals are OData v3",
    );
    refused(
        "D gt DateTime'2024-07-15T10:31:28'",
        5,
        "datetime'...' literals are OData v3",
    );
    refused(
        "D gt date'2025-06-17'",
        5,
        "the value is written bare, e.g. 2025-06-17",
    );
    refused(
        "G eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'",
        5,
        "guid'...' literals are OData v3",
    );
    refused(
        "substringof('x', Name)",
        0,
        "'substringof' is OData v3; in OData v4 (generic inquiries) write contains(Field, 'text')",
    );
    refused("A eq 1 and substringof('x', Name)", 11, "contains(Field");
    refused("SubstringOf('x', Name)", 0, "contains(Field");
}

#[test]
fn v4_refuses_bad_literals_with_positions() {
    refused(
        "D gt 2024-07-15T10:31:28",
        24,
        "a date-time needs an offset in OData v4",
    );
    // `+` decoded as a space from a URL: the offset is missing.
    refused("D gt 2024-07-15T10:31:28 03:00", 24, "%2B");
    refused("D gt 2024-13-01", 10, "month 13 does not exist");
    refused("D gt 2025-02-30", 13, "day 30 does not exist");
    refused("D gt 2024-07-15T24:00Z", 16, "hour 24");
    refused("D gt 2024-07-15T10:31:28+15:00", 24, "offset out of range");
    // A space ends the literal: a date, then something that cannot follow it.
    refused("D gt 2024-07-15 10:31:28Z", 16, "expected 'and', 'or'");
    refused(
        "D gt 2025-06-17and A eq 1",
        15,
        "expected 'T' or the end after the date",
    );
    refused(
        "G eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdZ",
        40,
        "invalid GUID literal",
    );
    refused("G eq 8e0761d9-f4ec", 18, "too short");
    refused(
        "G eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd0",
        41,
        "expected the end",
    );
    refused(
        "A eq 123456789012345678901234567890",
        5,
        "integer literal out of range",
    );
    refused("A eq 1e999", 5, "Edm.Double literal out of range");
    refused("A eq 1.", 7, "expected a digit after '.'");
    refused("A eq 'x' and B eq 1.5 C", 22, "expected 'and', 'or'");
    refused(
        "B eq binary'AB'",
        5,
        "binary'...' literals are not supported by Acumatica's generic inquiries",
    );
}

#[test]
fn v4_refuses_bad_function_use_and_operators() {
    refused(
        "contains('x', Name)",
        9,
        "contains takes the field first: contains(Field, 'text')",
    );
    refused("contains(Name, 5)", 15, "expected a string literal");
    refused(
        "contains(Name)",
        13,
        "expected ',' between the two arguments",
    );
    refused("Contains(Name, 'x')", 0, "lower-case: write 'contains'");
    refused(
        "tolower(Name) eq 'x'",
        0,
        "function 'tolower' is not supported by Acumatica's generic inquiries",
    );
    refused(
        "A eq 1 add 2",
        7,
        "arithmetic operator 'add' is not supported by Acumatica's generic inquiries",
    );
}

#[test]
fn v3_refuses_v4_only_forms() {
    let v3_err = |input: &str| match parse(input) {
        Ok(expr) => panic!("{input:?} should be refused in OData v3, parsed as {expr:?}"),
        Err(err) => err,
    };
    let e = v3_err("contains(Name, 'x')");
    assert_eq!(e.position, 0);
    assert!(
        e.message.contains("write substringof('text', Field)"),
        "{e}"
    );
    let e = v3_err("D gt 2024-07-15T10:31:28Z");
    assert_eq!(e.position, 9, "{e}");
    assert!(v3_err("G eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd").position >= 5);
    assert!(v3_err("D gt 2025-06-17").position >= 5);
}

#[test]
fn prints_canonical_v4_text() {
    // (v4 input, canonical v4 text)
    let cases = [
        ("CustomerID  eq   'C''001'", "CustomerID eq 'C''001'"),
        ("A eq 12.50", "A eq 12.50"),
        ("A eq 5.0", "A eq 5.0"),
        ("A eq 2E3", "A eq 2e3"),
        ("A eq 2.5e-3", "A eq 2.5e-3"),
        ("A eq 9223372036854775807", "A eq 9223372036854775807"),
        ("A eq 92233720368547758070", "A eq 92233720368547758070"),
        (
            "D eq 2024-07-15T10:31:28.402+03:00",
            "D eq 2024-07-15T10:31:28.402+03:00",
        ),
        ("D eq 2024-12-31T10:00Z", "D eq 2024-12-31T10:00:00+00:00"),
        ("D eq 0001-01-01", "D eq 0001-01-01"),
        (
            "G eq 8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD",
            "G eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd",
        ),
        ("contains(A,'x') eq true", "contains(A, 'x')"),
        ("contains(A,'it''s') eq false", "not contains(A, 'it''s')"),
        (
            "(A eq 1 or B eq 2.5) and C ne null",
            "(A eq 1 or B eq 2.5) and C ne null",
        ),
        (
            "cf.Decimal( f = 'Main/Doc.Usr' ) ge 0.0",
            "cf.Decimal(f='Main/Doc.Usr') ge 0.0",
        ),
    ];
    for (input, canonical) in cases {
        let expr = ok(input);
        assert_eq!(
            expr.display(Dialect::V4).to_string(),
            canonical,
            "canonical form of {input:?}"
        );
        assert_eq!(ok(canonical), expr, "{canonical:?} parses back");
    }
}

#[test]
fn v3_trees_print_in_v4() {
    // (v3 input, its v4 text); each v4 text evaluates like the v3 input.
    let cases = [
        ("A eq 12.50M", "A eq 12.50"),
        // A whole decimal keeps a fraction, or it would read back as an integer.
        ("A eq 5M", "A eq 5.0"),
        (
            "A eq 79228162514264337593543950335M",
            "A eq 79228162514264337593543950335",
        ),
        ("A eq 1.5d", "A eq 1.5e0"),
        ("A eq 0.1", "A eq 1e-1"),
        ("A eq 7L", "A eq 7"),
        (
            "D eq datetimeoffset'2024-12-31'",
            "D eq 2024-12-31T00:00:00+00:00",
        ),
        (
            "D eq datetime'2024-12-31T10:00:00.5'",
            "D eq 2024-12-31T10:00:00.5Z",
        ),
        ("D eq date'2025-06-17'", "D eq 2025-06-17"),
        (
            "G eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'",
            "G eq 8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd",
        ),
        (
            "substringof('O''Br', A) or not startswith(A, 'x')",
            "contains(A, 'O''Br') or not startswith(A, 'x')",
        ),
    ];
    for (v3, v4) in cases {
        let expr = parse(v3).unwrap_or_else(|e| panic!("{v3:?}: {e}"));
        assert_eq!(
            expr.display(Dialect::V4).to_string(),
            v4,
            "v4 form of {v3:?}"
        );
        assert_eq!(expr.display(Dialect::V3).to_string(), expr.to_string());
        ok(v4);
    }
    assert_eq!(
        Literal::Decimal(decimal("1000.50"))
            .display(Dialect::V4)
            .to_string(),
        "1000.50"
    );
    assert_eq!(Literal::Decimal(decimal("1000.50")).to_string(), "1000.50M");
}

#[test]
fn both_dialects_evaluate_alike() {
    let record = json!({
        "CustomerName": {"value": "O'Brien & Sons"},
        "CreditLimit": {"value": 1000.5},
        "Count": {"value": 3_000_000_000_i64},
        "LastModifiedDateTime": {"value": "2024-07-15T10:31:28.402+03:00"},
        "Date": {"value": "2025-06-17T00:00:00+00:00"},
        "NoteID": {"value": "8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd"},
    });
    let pairs = [
        ("CreditLimit eq 1000.50M", "CreditLimit eq 1000.50"),
        ("CreditLimit gt 1000M", "CreditLimit gt 1000"),
        ("CreditLimit lt 1E4", "CreditLimit lt 1E4"),
        ("Count eq 3000000000L", "Count eq 3000000000"),
        (
            "LastModifiedDateTime eq datetimeoffset'2024-07-15T07:31:28.402Z'",
            "LastModifiedDateTime eq 2024-07-15T07:31:28.402Z",
        ),
        (
            "LastModifiedDateTime lt datetime'2024-07-15T07:31:28.403'",
            "LastModifiedDateTime lt 2024-07-15T07:31:28.403Z",
        ),
        ("Date ge date'2025-06-17'", "Date ge 2025-06-17"),
        (
            "NoteID eq guid'8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD'",
            "NoteID eq 8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD",
        ),
        (
            "substringof('''b', CustomerName)",
            "contains(CustomerName, '''b')",
        ),
        (
            "substringof('''x', CustomerName)",
            "contains(CustomerName, '''x')",
        ),
    ];
    let opts = EvalOptions::default();
    for (v3, v4) in pairs {
        let a = parse(v3).unwrap_or_else(|e| panic!("{v3:?}: {e}"));
        let b = ok(v4);
        let (ra, rb) = (eval(&a, &record, &opts), eval(&b, &record, &opts));
        assert_eq!(ra, rb, "{v3:?} and {v4:?}");
        let expected = !v3.contains("'''x'");
        assert_eq!(ra, Ok(expected), "{v3:?}");
    }
}
