//! Parser and printer tests: accepted constructs, refused ones with their positions, canonical text.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    CompareOp, CustomField, CustomType, Expr, FieldRef, FilterError, Function, Literal, Operand,
    parse,
};

fn path(text: &str) -> FieldRef {
    FieldRef::Path(text.split('/').map(str::to_string).collect())
}

fn field(text: &str) -> Operand {
    Operand::Field(path(text))
}

fn lit(literal: Literal) -> Operand {
    Operand::Literal(literal)
}

fn string(text: &str) -> Operand {
    lit(Literal::String(text.to_string()))
}

fn compare(left: Operand, op: CompareOp, right: Operand) -> Expr {
    Expr::Compare { left, op, right }
}

/// `Field op literal`.
fn cmp(name: &str, op: CompareOp, literal: Literal) -> Expr {
    compare(field(name), op, lit(literal))
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("test decimal")
}

fn ok(input: &str) -> Expr {
    match parse(input) {
        Ok(expr) => expr,
        Err(err) => panic!("{input:?} should parse, got {err}"),
    }
}

fn err(input: &str) -> FilterError {
    match parse(input) {
        Ok(expr) => panic!("{input:?} should be refused, parsed as {expr:?}"),
        Err(err) => err,
    }
}

/// The error is at `position` and its message contains `fragment`.
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
fn comparison_operators() {
    for (keyword, op) in [
        ("eq", CompareOp::Eq),
        ("ne", CompareOp::Ne),
        ("gt", CompareOp::Gt),
        ("ge", CompareOp::Ge),
        ("lt", CompareOp::Lt),
        ("le", CompareOp::Le),
    ] {
        assert_eq!(
            ok(&format!("CustomerID {keyword} 'C001'")),
            compare(field("CustomerID"), op, string("C001"))
        );
    }
}

#[test]
fn linked_entity_paths() {
    assert_eq!(
        ok("MainContact/Email eq 'demo@gmail.com'"),
        compare(
            field("MainContact/Email"),
            CompareOp::Eq,
            string("demo@gmail.com")
        )
    );
    assert_eq!(
        ok("MainContact/Address/City eq 'Rome'"),
        compare(
            Operand::Field(FieldRef::Path(vec![
                "MainContact".into(),
                "Address".into(),
                "City".into()
            ])),
            CompareOp::Eq,
            string("Rome")
        )
    );
    assert_eq!(ok("_x1 eq 1"), cmp("_x1", CompareOp::Eq, Literal::Int(1)));
}

fn custom(kind: CustomType, entity: &[&str], view: &str, name: &str) -> Operand {
    Operand::Field(FieldRef::Custom(CustomField {
        kind,
        entity: entity.iter().map(|s| s.to_string()).collect(),
        view: view.into(),
        field: name.into(),
    }))
}

#[test]
fn custom_fields() {
    assert_eq!(
        ok("cf.String(f='ItemSettings.UsrRepairItemType') eq 'Battery'"),
        compare(
            custom(CustomType::String, &[], "ItemSettings", "UsrRepairItemType"),
            CompareOp::Eq,
            string("Battery")
        )
    );
    assert_eq!(
        ok("cf.Decimal(f='Document.CuryBalanceWOTotal') eq 0M"),
        compare(
            custom(CustomType::Decimal, &[], "Document", "CuryBalanceWOTotal"),
            CompareOp::Eq,
            lit(Literal::Decimal(Decimal::ZERO))
        )
    );
    assert_eq!(
        ok("cf.String(f='Details/Transactions.UsrRepairItemType') ne null"),
        compare(
            custom(
                CustomType::String,
                &["Details"],
                "Transactions",
                "UsrRepairItemType"
            ),
            CompareOp::Ne,
            lit(Literal::Null)
        )
    );
    assert_eq!(
        ok("cf.String(f='Document.AttributeOPERATSYST') eq 'WIN'"),
        compare(
            custom(CustomType::String, &[], "Document", "AttributeOPERATSYST"),
            CompareOp::Eq,
            string("WIN")
        )
    );
    for kind in CustomType::ALL {
        let text = format!("cf.{}(f='View.Field') eq null", kind.name());
        assert_eq!(
            ok(&text),
            compare(
                custom(kind, &[], "View", "Field"),
                CompareOp::Eq,
                lit(Literal::Null)
            )
        );
    }
    // Spaces between the tokens inside the call are spaces between tokens.
    assert_eq!(
        ok("cf.Int( f = 'A.B' ) gt 3"),
        compare(
            custom(CustomType::Int, &[], "A", "B"),
            CompareOp::Gt,
            lit(Literal::Int(3))
        )
    );
}

#[test]
fn string_functions_bare_and_compared() {
    let substring = Function::SubstringOf {
        text: "Bat".into(),
        field: path("Description"),
    };
    let starts = Function::StartsWith {
        field: path("CustomerID"),
        text: "C0".into(),
    };
    let ends = Function::EndsWith {
        field: path("MainContact/Email"),
        text: ".com".into(),
    };
    assert_eq!(
        ok("substringof('Bat', Description)"),
        Expr::Function(substring.clone())
    );
    assert_eq!(
        ok("startswith(CustomerID,'C0')"),
        Expr::Function(starts.clone())
    );
    assert_eq!(
        ok("endswith(MainContact/Email, '.com') eq true"),
        Expr::Function(ends.clone())
    );
    assert_eq!(
        ok("true eq substringof('Bat', Description)"),
        Expr::Function(substring.clone())
    );
    assert_eq!(
        ok("startswith(CustomerID, 'C0') ne false"),
        Expr::Function(starts.clone())
    );
    let negated = Expr::Not(Box::new(Expr::Function(starts.clone())));
    assert_eq!(ok("startswith(CustomerID, 'C0') eq false"), negated);
    assert_eq!(ok("startswith(CustomerID, 'C0') ne true"), negated);
    assert_eq!(ok("not startswith(CustomerID, 'C0')"), negated);
    assert_eq!(
        ok("not not endswith(MainContact/Email, '.com')"),
        Expr::Not(Box::new(Expr::Not(Box::new(Expr::Function(ends)))))
    );
    assert_eq!(
        ok("startswith(cf.String(f='Document.UsrX'), 'a')"),
        Expr::Function(Function::StartsWith {
            field: FieldRef::Custom(CustomField {
                kind: CustomType::String,
                entity: vec![],
                view: "Document".into(),
                field: "UsrX".into(),
            }),
            text: "a".into(),
        })
    );
}

#[test]
fn literals() {
    let cases: Vec<(&str, Literal)> = vec![
        ("'Active'", Literal::String("Active".into())),
        ("'O''Brien'", Literal::String("O'Brien".into())),
        ("''", Literal::String(String::new())),
        ("''''", Literal::String("'".into())),
        (
            "'a and b eq ''c'''",
            Literal::String("a and b eq 'c'".into()),
        ),
        ("100073", Literal::Int(100_073)),
        ("-5", Literal::Int(-5)),
        ("-2147483648", Literal::Int(i32::MIN)),
        ("12L", Literal::Long(12)),
        ("9223372036854775807L", Literal::Long(i64::MAX)),
        ("-3l", Literal::Long(-3)),
        ("12.5M", Literal::Decimal(decimal("12.5"))),
        ("0M", Literal::Decimal(Decimal::ZERO)),
        ("12.5m", Literal::Decimal(decimal("12.5"))),
        ("-0.0001M", Literal::Decimal(decimal("-0.0001"))),
        (
            "12345678901234.5679M",
            Literal::Decimal(decimal("12345678901234.5679")),
        ),
        ("12.5", Literal::Double(12.5)),
        ("1.5d", Literal::Double(1.5)),
        ("7D", Literal::Double(7.0)),
        ("2E3", Literal::Double(2000.0)),
        ("2.5e-3", Literal::Double(0.0025)),
        ("-1E+2", Literal::Double(-100.0)),
        ("true", Literal::Bool(true)),
        ("false", Literal::Bool(false)),
        ("null", Literal::Null),
        (
            "datetimeoffset'2024-07-15T10:31:28.402+03:00'",
            Literal::DateTimeOffset(
                DateTime::parse_from_rfc3339("2024-07-15T10:31:28.402+03:00").expect("test date"),
            ),
        ),
        (
            "datetimeoffset'2024-12-31'",
            Literal::DateTimeOffset(
                DateTime::parse_from_rfc3339("2024-12-31T00:00:00+00:00").expect("test date"),
            ),
        ),
        (
            "datetimeoffset'2024-07-15T10:31Z'",
            Literal::DateTimeOffset(
                DateTime::parse_from_rfc3339("2024-07-15T10:31:00Z").expect("test date"),
            ),
        ),
        (
            "datetime'2024-07-15T10:31:28'",
            Literal::DateTime(
                NaiveDate::from_ymd_opt(2024, 7, 15)
                    .and_then(|d| d.and_hms_opt(10, 31, 28))
                    .expect("test date"),
            ),
        ),
        (
            "date'2025-06-17'",
            Literal::Date(NaiveDate::from_ymd_opt(2025, 6, 17).expect("test date")),
        ),
        (
            "guid'8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD'",
            Literal::Guid(
                Uuid::parse_str("8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd").expect("test guid"),
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            ok(&format!("X eq {text}")),
            cmp("X", CompareOp::Eq, expected),
            "literal {text}"
        );
    }
}

#[test]
fn datetimeoffset_keeps_its_offset() {
    let Expr::Compare {
        right: Operand::Literal(Literal::DateTimeOffset(value)),
        ..
    } = ok("X gt datetimeoffset'2024-07-15T10:31:28.402-05:30'")
    else {
        panic!("expected a datetimeoffset comparison");
    };
    assert_eq!(value.offset().local_minus_utc(), -(5 * 3600 + 30 * 60));
    assert_eq!(value.timestamp_subsec_millis(), 402);
}

#[test]
fn precedence_and_grouping() {
    let a = || cmp("A", CompareOp::Eq, Literal::Int(1));
    let b = || cmp("B", CompareOp::Eq, Literal::Int(2));
    let c = || cmp("C", CompareOp::Eq, Literal::Int(3));
    assert_eq!(
        ok("A eq 1 or B eq 2 and C eq 3"),
        Expr::Or(vec![a(), Expr::And(vec![b(), c()])])
    );
    assert_eq!(
        ok("A eq 1 and B eq 2 or C eq 3"),
        Expr::Or(vec![Expr::And(vec![a(), b()]), c()])
    );
    assert_eq!(
        ok("(A eq 1 or B eq 2) and C eq 3"),
        Expr::And(vec![Expr::Or(vec![a(), b()]), c()])
    );
    assert_eq!(
        ok("A eq 1 and B eq 2 and C eq 3"),
        Expr::And(vec![a(), b(), c()])
    );
    assert_eq!(
        ok("(A eq 1 and B eq 2) and C eq 3"),
        Expr::And(vec![Expr::And(vec![a(), b()]), c()])
    );
    assert_eq!(
        ok("not (A eq 1) and B eq 2"),
        Expr::And(vec![Expr::Not(Box::new(a())), b()])
    );
    assert_eq!(ok("not(A eq 1)"), Expr::Not(Box::new(a())));
    assert_eq!(ok("((A eq 1))"), a());
    assert_eq!(ok("(A) eq (1)"), a());
    assert_eq!(ok("  A   eq  1  "), a());
    assert_eq!(
        ok("1 eq 1"),
        compare(lit(Literal::Int(1)), CompareOp::Eq, lit(Literal::Int(1)))
    );
    assert_eq!(ok("A eq B"), compare(field("A"), CompareOp::Eq, field("B")));
}

#[test]
fn long_chains_are_flat() {
    let text = vec!["A eq 1"; 5000].join(" or ");
    let Expr::Or(items) = ok(&text) else {
        panic!("expected an or-chain");
    };
    assert_eq!(items.len(), 5000);
}

#[test]
fn error_display_names_position_and_what_was_expected() {
    assert_eq!(
        err("CustomerID eq )").to_string(),
        "$filter: at position 14: expected a field or a literal after 'eq', found ')'"
    );
    assert_eq!(
        err("A eq").to_string(),
        "$filter: at position 4: expected a field or a literal after 'eq', found the end of the filter"
    );
}

#[test]
fn refuses_empty_input() {
    refused("", 0, "empty");
    refused("   ", 3, "empty");
}

#[test]
fn refuses_unsupported_functions() {
    for name in [
        "contains",
        "tolower",
        "toupper",
        "length",
        "substring",
        "indexof",
        "trim",
        "concat",
        "year",
        "round",
        "isof",
        "cast",
        "replace",
    ] {
        refused(
            &format!("{name}(Name, 'x') eq true"),
            0,
            &format!("function '{name}' is not supported by Acumatica's contract-based API"),
        );
    }
    refused(
        "A eq 1 and length(Name) gt 2",
        11,
        "function 'length' is not supported",
    );
    refused(
        "Details/any(d: d/Qty gt 1)",
        8,
        "function 'any' is not supported",
    );
    refused(
        "Details/all(d: d/Qty gt 1)",
        8,
        "function 'all' is not supported",
    );
    refused("SubstringOf('a', B)", 0, "lower-case: write 'substringof'");
}

#[test]
fn refuses_other_operators() {
    for op in ["add", "sub", "mul", "div", "mod"] {
        refused(
            &format!("Price {op} 5 eq 10"),
            6,
            &format!("arithmetic operator '{op}' is not supported"),
        );
    }
    refused("A eq 1 add 2", 7, "arithmetic operator 'add'");
    refused("Status has 'x'", 7, "operator 'has' is not supported");
    refused("Status in ('A', 'B')", 7, "operator 'in' is not supported");
    refused("A Eq 1", 2, "lower-case: write 'eq' instead of 'Eq'");
    refused("A eq 1 AND B eq 2", 7, "write 'and' instead of 'AND'");
    refused("A = 1", 2, "expected an operator");
    refused("A eq 1 eq 2", 7, "cannot be chained");
    refused("(A eq 1) eq true", 9, "a condition cannot be compared");
    refused("A eq - 5", 5, "arithmetic negation");
    refused("-A eq 5", 0, "arithmetic negation");
}

#[test]
fn refuses_unbalanced_and_trailing_input() {
    refused("(A eq 1", 7, "expected ')' to close the '(' at position 0");
    refused(
        "((A eq 1)",
        9,
        "expected ')' to close the '(' at position 0",
    );
    refused("A eq 1)", 6, "unbalanced ')'");
    refused(
        "A eq 1 B eq 2",
        7,
        "expected 'and', 'or' or the end of the filter after '1'",
    );
    refused("A eq 1 and", 10, "expected a condition after 'and'");
    refused("()", 1, "expected a condition after '('");
}

#[test]
fn refuses_bad_strings_and_spacing() {
    refused("A eq 'abc", 5, "unterminated string literal");
    refused("A eq 'it''s", 5, "unterminated string literal");
    refused("A eq \"x\"", 5, "single quotes");
    refused("A eq'x'", 4, "expected a space between 'eq' and the quote");
    refused("A eq 'x'and B eq 1", 8, "expected a space before 'and'");
    refused("A\teq 1", 1, "unexpected character '\\t'");
    refused("A eq 1 & B", 7, "unexpected character '&'");
}

#[test]
fn refuses_bare_fields_and_literals_as_conditions() {
    refused(
        "Active",
        0,
        "the field 'Active' is not a condition by itself",
    );
    refused(
        "Active and B eq 1",
        0,
        "the field 'Active' is not a condition",
    );
    refused(
        "A eq 1 and Active",
        11,
        "the field 'Active' is not a condition",
    );
    refused("MainContact/Active or A eq 1", 0, "'MainContact/Active'");
    refused("true", 0, "a literal is not a condition");
    refused("not Active", 4, "'not' binds tighter than comparisons");
    refused("not Active eq true", 4, "write 'not (Active eq ...)'");
    refused(
        "A B",
        2,
        "expected an operator (eq, ne, gt, ge, lt, le) after 'A', found 'B'",
    );
}

#[test]
fn refuses_bad_function_use() {
    refused(
        "substringof(Name, 'x')",
        12,
        "substringof takes the text first",
    );
    refused("substringof('x', 'y')", 17, "expected a field");
    refused(
        "startswith('x', Name)",
        11,
        "startswith takes the field first",
    );
    refused("endswith(Name, 5)", 15, "expected a string literal");
    refused(
        "startswith(Name)",
        15,
        "expected ',' between the two arguments",
    );
    refused(
        "startswith(Name, 'a', 'b')",
        20,
        "expected ')' to close startswith",
    );
    refused("startswith(, 'a')", 11, "expected an argument");
    refused(
        "startswith(Name, 'x') eq 1",
        22,
        "compared with true or false",
    );
    refused("startswith(Name, 'x') gt true", 22, "using 'eq' or 'ne'");
    refused(
        "startswith(Name, 'x') eq null",
        22,
        "compared with true or false",
    );
}

#[test]
fn refuses_bad_custom_fields() {
    refused(
        "cf.Text(f='A.B') eq 'x'",
        0,
        "unknown custom field type 'cf.Text'",
    );
    refused("cf.string(f='A.B') eq 'x'", 0, "unknown custom field type");
    refused("cf.String(f='Document') eq 'x'", 21, "expected '.' or '/'");
    refused("cf.String(f='Document.') eq 'x'", 22, "expected a name");
    refused("cf.String(f='Doc.A.B') eq 'x'", 18, "unexpected '.'");
    refused("cf.String(f='1Doc.A') eq 'x'", 13, "expected a name");
    refused("cf.String(x='A.B') eq 'x'", 10, "expected f='View.Field'");
    refused(
        "cf.String(f=A) eq 'x'",
        12,
        "expected a quoted 'View.Field'",
    );
    refused(
        "cf.String(f='A.B' eq 'x'",
        18,
        "expected ')' to close cf.String",
    );
    refused("cf.String eq 'x'", 10, "expected '(' after 'cf.String'");
    refused("Doc.Field eq 'x'", 3, "'.' cannot appear in a field path");
    refused("Main/ eq 1", 5, "expected a name after '/'");
}

#[test]
fn refuses_bad_numbers() {
    refused("A eq 2147483648", 5, "out of range for Edm.Int32");
    refused(
        "A eq 99999999999999999999L",
        5,
        "Edm.Int64 literal out of range",
    );
    refused("A eq 1e999", 5, "Edm.Double literal out of range");
    refused("A eq 1.5f", 8, "Edm.Single");
    refused("A eq 1.5L", 8, "cannot have a fraction");
    refused("A eq 1e3M", 8, "cannot have an exponent");
    refused("A eq 1.", 7, "expected a digit after '.'");
    refused("A eq 1e", 7, "expected a digit in the exponent");
    refused("A eq 12abc", 7, "unexpected 'a' after the number");
    refused(
        "A eq 123456789012345678901234567890M",
        5,
        "Edm.Decimal literal out of range",
    );
}

#[test]
fn refuses_bad_typed_literals() {
    // `D gt date'` is 10 chars, so the content starts at 10.
    refused("D gt date'2025-13-01'", 15, "month 13 does not exist");
    refused("D gt date'2025-02-30'", 18, "day 30 does not exist");
    refused(
        "D gt date'2025-06-17T00:00:00'",
        20,
        "a date literal has no time part",
    );
    refused(
        "D gt date'25-06-17'",
        12,
        "expected 4 digits for the year, found '-'",
    );
    refused(
        "D gt datetime'2024-07-15T10:31:28+03:00'",
        33,
        "a datetime literal has no offset",
    );
    refused(
        "D gt datetimeoffset'2024-07-15T10:31:28+15:00'",
        39,
        "offset out of range",
    );
    refused("D gt datetimeoffset'2024-07-15T24:00:00Z'", 31, "hour 24");
    refused(
        "D gt datetimeoffset'2024-07-15 10:31:28Z'",
        30,
        "expected 'T'",
    );
    refused(
        "D gt datetimeoffset'2024-07-15T10:31:28.1234567891Z'",
        49,
        "at most 9 fractional digits",
    );
    refused("D gt datetimeoffset'2024-07-15", 19, "unterminated literal");
    refused(
        "G eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdZ'",
        45,
        "hexadecimal digit",
    );
    refused(
        "G eq guid'8e0761d9f4ec-2d4b-a60f-bce2708c6fdd'",
        18,
        "expected '-'",
    );
    refused("G eq guid'8e0761d9'", 18, "too short");
    refused(
        "D gt DateTime'2024-07-15T10:31:28'",
        5,
        "write datetime'...'",
    );
    refused(
        "B eq binary'AB'",
        5,
        "binary'...' literals are not supported",
    );
    refused("T eq time'10:00'", 5, "not supported");
}

#[test]
fn refuses_deep_nesting_without_overflowing() {
    let deep = format!("{}A eq 1{}", "(".repeat(500), ")".repeat(500));
    refused(&deep, 100, "nested too deeply");
    let nots = format!("{}startswith(A, 'x')", "not ".repeat(500));
    refused(&nots, 400, "nested too deeply");
    let fine = format!("{}A eq 1{}", "(".repeat(90), ")".repeat(90));
    assert_eq!(ok(&fine), cmp("A", CompareOp::Eq, Literal::Int(1)));
}

#[test]
fn positions_count_chars_not_bytes() {
    // 'é' and '€' are several bytes each but one char.
    refused("A eq 'é€' )", 10, "unbalanced ')'");
}

#[test]
fn prints_canonical_text() {
    let cases = [
        ("CustomerID  eq   'C001'", "CustomerID eq 'C001'"),
        ("A eq 'O''Brien'", "A eq 'O''Brien'"),
        ("A eq 12.50m", "A eq 12.50M"),
        ("A eq 2E3", "A eq 2000.0"),
        ("A eq 1.5d", "A eq 1.5"),
        ("A eq -7l", "A eq -7L"),
        (
            "(A eq 1 and B eq 2) or C eq 3",
            "A eq 1 and B eq 2 or C eq 3",
        ),
        (
            "(A eq 1 or B eq 2) and C eq 3",
            "(A eq 1 or B eq 2) and C eq 3",
        ),
        (
            "(A eq 1 or B eq 2) or C eq 3",
            "(A eq 1 or B eq 2) or C eq 3",
        ),
        ("not(A eq 1)", "not (A eq 1)"),
        ("startswith(A,'x') eq false", "not startswith(A, 'x')"),
        ("substringof('x',A) eq true", "substringof('x', A)"),
        (
            "cf.Decimal( f = 'Main/Doc.Usr' ) ge 0M",
            "cf.Decimal(f='Main/Doc.Usr') ge 0M",
        ),
        (
            "D eq datetimeoffset'2024-07-15T10:31:28.402+03:00'",
            "D eq datetimeoffset'2024-07-15T10:31:28.402+03:00'",
        ),
        (
            "D eq datetimeoffset'2024-12-31'",
            "D eq datetimeoffset'2024-12-31T00:00:00+00:00'",
        ),
        (
            "D eq datetimeoffset'2024-12-31T10:00Z'",
            "D eq datetimeoffset'2024-12-31T10:00:00+00:00'",
        ),
        (
            "D eq datetime'2024-12-31T10:00:00.5'",
            "D eq datetime'2024-12-31T10:00:00.5'",
        ),
        ("D eq date'0001-01-01'", "D eq date'0001-01-01'"),
        (
            "G eq guid'8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD'",
            "G eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'",
        ),
    ];
    for (input, canonical) in cases {
        let expr = ok(input);
        assert_eq!(expr.to_string(), canonical, "canonical form of {input:?}");
        assert_eq!(ok(canonical), expr, "{canonical:?} parses back");
    }
}

#[test]
fn fields_lists_every_field_read() {
    let expr = ok("A eq B and (startswith(C/D, 'x') or not (cf.Int(f='V.F') gt 1))");
    let names: Vec<String> = expr.fields().iter().map(|f| f.to_string()).collect();
    assert_eq!(names, ["A", "B", "C/D", "cf.Int(f='V.F')"]);
}
