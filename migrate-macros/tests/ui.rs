//! Compile-time behaviour of `#[migrations]`: what compiles, and every
//! mistake reported with its span (the `.stderr` files beside each case).

#[test]
fn migrations_compile_and_mistakes_are_reported_with_spans() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
