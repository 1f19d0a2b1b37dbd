//! Evaluation tests over records in Acumatica's wire JSON.

use serde_json::{Value, json};

use super::{EvalError, EvalOptions, eval, parse};

fn record() -> Value {
    json!({
        "id": "8E0761D9-F4EC-2D4B-A60F-BCE2708C6FDD",
        "rowNumber": 1,
        "CustomerID": {"value": "C001"},
        "CustomerName": {"value": "O'Brien & Sons  "},
        "CreditLimit": {"value": 1000.5},
        "Tenth": {"value": 0.1},
        "Exact": {"value": "12345678901234.5678"},
        "Active": {"value": true},
        "LastModifiedDateTime": {"value": "2024-07-15T10:31:28.402+03:00"},
        "NoOffset": {"value": "2024-07-15T07:31:28.402"},
        "Early": {"value": "2024-07-15T01:00:00+03:00"},
        "Late": {"value": "2024-07-14T23:00:00-01:00"},
        "DateOnly": {"value": "2025-06-17T00:00:00+00:00"},
        "Empty": {},
        "NullValue": {"value": null},
        "Erroneous": {"error": "something"},
        "Pattern": {"value": "100%_done"},
        "MainContact": {
            "Email": {"value": "a@b.c"},
            "Address": {"City": {"value": "Rome"}},
            "custom": {"Contact": {"UsrScore": {"type": "CustomDecimalField", "value": 7.25}}}
        },
        "Details": [{"InventoryID": {"value": "AALEGO500"}}],
        "custom": {
            "Document": {
                "UsrX": {"type": "CustomStringField", "value": "abc"},
                "UsrWhen": {"type": "CustomDateTimeField", "value": "2024-01-01T00:00:00+00:00"},
                "UsrNothing": {"type": "CustomStringField", "value": null}
            }
        }
    })
}

fn check_with(filter: &str, opts: &EvalOptions) -> Result<bool, EvalError> {
    let expr = parse(filter).unwrap_or_else(|err| panic!("{filter:?} should parse: {err}"));
    eval(&expr, &record(), opts)
}

fn check(filter: &str) -> bool {
    check_with(filter, &EvalOptions::default())
        .unwrap_or_else(|err| panic!("{filter:?} should evaluate: {err}"))
}

fn case_sensitive(filter: &str) -> bool {
    check_with(
        filter,
        &EvalOptions {
            case_insensitive: false,
        },
    )
    .unwrap_or_else(|err| panic!("{filter:?} should evaluate: {err}"))
}

fn failure(filter: &str) -> EvalError {
    match check_with(filter, &EvalOptions::default()) {
        Ok(value) => panic!("{filter:?} should fail, gave {value}"),
        Err(err) => err,
    }
}

#[test]
fn default_options_are_case_insensitive() {
    assert!(EvalOptions::default().case_insensitive);
}

#[test]
fn strings() {
    assert!(check("CustomerID eq 'C001'"));
    assert!(check("CustomerID eq 'c001'"));
    assert!(!case_sensitive("CustomerID eq 'c001'"));
    assert!(case_sensitive("CustomerID eq 'C001'"));
    assert!(check("CustomerID ne 'C002'"));
    assert!(check("CustomerID lt 'c002'"));
    assert!(check("CustomerID gt 'B'"));
    assert!(!check("CustomerID gt 'c001'"));
    assert!(check("CustomerID ge 'c001'"));
    // Trailing spaces do not count, as in SQL Server.
    assert!(check("CustomerName eq 'o''brien & sons'"));
    assert!(check("'C001' eq CustomerID"));
}

#[test]
fn string_functions() {
    assert!(check("substringof('BRIEN', CustomerName)"));
    assert!(!case_sensitive("substringof('BRIEN', CustomerName)"));
    assert!(check("startswith(CustomerID, 'c0')"));
    assert!(!case_sensitive("startswith(CustomerID, 'c0')"));
    assert!(check("endswith(MainContact/Email, '.C') eq true"));
    assert!(!check("endswith(MainContact/Email, '.C') eq false"));
    assert!(check("not startswith(CustomerID, 'X')"));
    // '%' and '_' are plain characters.
    assert!(check("substringof('%_', Pattern)"));
    assert!(!check("substringof('0_%', Pattern)"));
    assert!(check("startswith(cf.String(f='Document.UsrX'), 'AB')"));
}

#[test]
fn nulls_follow_sql() {
    for name in [
        "Empty",
        "NullValue",
        "Missing",
        "Erroneous",
        "MainContact/Missing",
    ] {
        assert!(check(&format!("{name} eq null")), "{name} eq null");
        assert!(check(&format!("null eq {name}")), "null eq {name}");
        assert!(!check(&format!("{name} ne null")), "{name} ne null");
        assert!(!check(&format!("{name} eq 'x'")), "{name} eq 'x'");
        // UNKNOWN, not TRUE: SQL's `<>` drops nulls too.
        assert!(!check(&format!("{name} ne 'x'")), "{name} ne 'x'");
        assert!(
            !check(&format!("not ({name} eq 'x')")),
            "not ({name} eq 'x')"
        );
        assert!(
            !check(&format!("startswith({name}, 'x')")),
            "startswith on {name}"
        );
        assert!(
            !check(&format!("not startswith({name}, 'x')")),
            "not startswith on {name}"
        );
    }
    assert!(check("CustomerID ne null"));
    assert!(!check("CustomerID eq null"));
    assert!(!check("CustomerID gt null"));
    assert!(check("null eq null"));
    assert!(!check("Empty eq NullValue"));
    // Three-valued logic: UNKNOWN or TRUE is TRUE, UNKNOWN and FALSE is FALSE.
    assert!(check("Empty eq 'x' or CustomerID eq 'C001'"));
    assert!(!check("Empty eq 'x' or CustomerID eq 'nope'"));
    assert!(check("not (Empty eq 'x' and CustomerID eq 'nope')"));
    assert!(!check("not (Empty eq 'x' and CustomerID eq 'C001')"));
}

#[test]
fn linked_entities() {
    assert!(check("MainContact/Email eq 'A@B.C'"));
    assert!(check("MainContact/Address/City eq 'Rome'"));
    assert!(!check("MainContact/Address/City eq 'Milan'"));
    // A linked entity that is absent (not expanded) reads as null.
    assert!(check("BillingContact/Address/City eq null"));
}

#[test]
fn custom_fields() {
    assert!(check("cf.String(f='Document.UsrX') eq 'ABC'"));
    assert!(check("cf.String(f='Document.UsrNothing') eq null"));
    assert!(check("cf.String(f='Document.UsrAbsent') eq null"));
    assert!(check("cf.String(f='Other.UsrX') eq null"));
    assert!(check(
        "cf.Decimal(f='MainContact/Contact.UsrScore') eq 7.25M"
    ));
    assert!(check("cf.Decimal(f='MainContact/Contact.UsrScore') gt 7"));
    assert!(check(
        "cf.Decimal(f='BillingContact/Contact.UsrScore') eq null"
    ));
    assert!(check(
        "cf.DateTime(f='Document.UsrWhen') lt date'2024-01-02'"
    ));
}

#[test]
fn numbers_compare_exactly() {
    assert!(check("CreditLimit eq 1000.5M"));
    assert!(check("CreditLimit eq 1000.5"));
    assert!(check("CreditLimit gt 1000"));
    assert!(check("CreditLimit lt 1001L"));
    assert!(check("CreditLimit le 1000.50M"));
    assert!(!check("CreditLimit ne 1000.5M"));
    assert!(check("rowNumber eq 1"));
    // The JSON number 0.1 is read through its text, not its binary double.
    assert!(check("Tenth eq 0.1M"));
    assert!(check("Tenth eq 0.1"));
    // A decimal stored as a string (rust_decimal's serde form) is converted, keeping all digits.
    assert!(check("Exact eq 12345678901234.5678M"));
    assert!(!check("Exact eq 12345678901234.5679M"));
    assert!(check("Exact lt 12345678901234.5679M"));
    assert!(check("Exact gt 12345678901234.5677M"));
    assert!(check("1 eq 1.0M"));
    assert!(check("2E3 eq 2000"));
    assert!(check("1E300 gt 12345678901234.5678M"));
}

#[test]
fn datetimes_compare_as_instants() {
    assert!(check(
        "LastModifiedDateTime eq datetimeoffset'2024-07-15T10:31:28.402+03:00'"
    ));
    assert!(check(
        "LastModifiedDateTime eq datetimeoffset'2024-07-15T09:31:28.402+02:00'"
    ));
    assert!(check(
        "LastModifiedDateTime eq datetimeoffset'2024-07-15T07:31:28.402Z'"
    ));
    assert!(!check(
        "LastModifiedDateTime eq datetimeoffset'2024-07-15T07:31:28.403Z'"
    ));
    assert!(check(
        "LastModifiedDateTime gt datetime'2024-07-15T07:31:28'"
    ));
    assert!(check("LastModifiedDateTime lt date'2024-07-16'"));
    assert!(check("LastModifiedDateTime gt datetimeoffset'2024-07-15'"));
    // No offset means UTC.
    assert!(check(
        "NoOffset eq datetimeoffset'2024-07-15T10:31:28.402+03:00'"
    ));
    // Text order and time order disagree here: 22:00Z is before 00:00Z the next day.
    assert!(check("Early lt datetimeoffset'2024-07-14T23:00:00-01:00'"));
    assert!(check("Late gt datetimeoffset'2024-07-15T01:00:00+03:00'"));
    assert!(check("DateOnly eq date'2025-06-17'"));
    assert!(check("DateOnly ge date'2025-06-17'"));
}

#[test]
fn booleans_and_guids() {
    assert!(check("Active eq true"));
    assert!(check("Active ne false"));
    assert!(!check("Active eq false"));
    assert!(check("id eq guid'8e0761d9-f4ec-2d4b-a60f-bce2708c6fdd'"));
    assert!(check("id ne guid'00000000-0000-0000-0000-000000000000'"));
}

#[test]
fn type_mismatches_name_the_field_and_both_types() {
    let error = failure("CustomerID gt 5M");
    assert_eq!(
        error,
        EvalError::TypeMismatch {
            operation: "gt".into(),
            left: "CustomerID".into(),
            left_type: "string that is not a number".into(),
            right: "5M".into(),
            right_type: "Edm.Decimal".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        "$filter: cannot apply 'gt' to CustomerID (string that is not a number) and 5M (Edm.Decimal)"
    );
    let error = failure("Active eq 'yes'").to_string();
    assert!(
        error.contains("Active (boolean)") && error.contains("'yes' (Edm.String)"),
        "{error}"
    );
    let error = failure("CreditLimit eq '1000.5'").to_string();
    assert!(error.contains("CreditLimit (number)"), "{error}");
    let error = failure("CustomerID lt datetimeoffset'2024-01-01'").to_string();
    assert!(error.contains("not an ISO 8601 date/time"), "{error}");
    let error = failure("startswith(CreditLimit, '1')").to_string();
    assert!(
        error.contains("'startswith'") && error.contains("CreditLimit (number)"),
        "{error}"
    );
    let error = failure("1 eq 'a'").to_string();
    assert!(error.contains("1 (Edm.Int32)"), "{error}");
    // Every part is evaluated, so the error does not hide behind a TRUE.
    assert!(matches!(
        failure("CustomerID eq 'C001' or CustomerID gt 5M"),
        EvalError::TypeMismatch { .. }
    ));
}

#[test]
fn non_values_are_errors() {
    let error = failure("MainContact eq 'x'");
    assert!(matches!(&error, EvalError::NotAValue { field, .. } if field == "MainContact"));
    assert!(error.to_string().contains("linked entity"), "{error}");
    let error = failure("Details/InventoryID eq 'x'").to_string();
    assert!(error.contains("Details is a detail collection"), "{error}");
    let error = failure("CustomerID/Name eq 'x'").to_string();
    assert!(error.contains("not a linked entity"), "{error}");
}

#[test]
fn long_chains_evaluate_without_deep_recursion() {
    let text = vec!["CustomerID eq 'nope'"; 20_000].join(" or ") + " or CustomerID eq 'C001'";
    assert!(check(&text));
}
