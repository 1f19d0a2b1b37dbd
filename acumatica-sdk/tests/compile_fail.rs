//! What must not compile: binding a batch result to the wrong entity type, and running
//! something that is not a batch of calls (with a message that says what a batch is).

#[test]
fn batch_types_are_checked_at_compile_time() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
