//! What the typed custom fields generated from a tenant's `$adHocSchema` refuse at compile
//! time: a value of the wrong type, a misspelled field, a field of another entity, and a `cf.`
//! filter on a kind Acumatica does not filter on.

#[test]
fn custom_fields_are_checked_at_compile_time() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
