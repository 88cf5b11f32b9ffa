//! Both Authlete specs generate crates that build and pass their own tests (the spec's
//! examples round-trip through the models).

mod common;

#[test]
fn crate_from_the_2025_08_spec_builds_documents_cleanly_and_its_examples_round_trip() {
    let spec = common::workspace_root().join("schema/authlete-openapi-2025-08.yaml");
    let text = std::fs::read_to_string(&spec).expect("the spec is readable");
    let generated = authlete_codegen::generate(&spec, &text).expect("the spec generates");
    let dir = common::write_crate("authlete-2025-08", &generated.files);
    common::run_cargo(&dir, &["test"]);
    common::run_cargo(&dir, &["doc", "--no-deps"]);
    let doctests = common::run_cargo(&dir, &["test", "--doc", "--", "--list"]);
    assert_eq!(
        doctests.lines().filter(|line| line.ends_with(": test")).count(),
        1,
        "only the front page's example is a doctest:\n{doctests}"
    );
}
