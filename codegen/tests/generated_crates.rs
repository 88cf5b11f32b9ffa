//! Both Authlete specs generate crates that build and pass their own tests: the spec's examples
//! round-trip through the models, and every operation is called against a loopback mock.

mod common;

/// The crate's name here, and its folder in its workspace.
const NAME: &str = "authlete-2025-08";

#[test]
fn crate_from_the_2025_08_spec_builds_documents_cleanly_and_its_examples_round_trip() {
    let spec = common::workspace_root().join("schema/authlete-openapi-2025-08.yaml");
    let text = std::fs::read_to_string(&spec).expect("the spec is readable");
    let generated = authlete_codegen::generate(&spec, &text).expect("the spec generates");
    let dir = common::write_crate(NAME, &generated.files);
    common::run_cargo(&dir, common::CRATE_TESTS);
    common::run_cargo(&dir, &["test", "--doc"]);
    common::run_cargo(&dir, &["doc", "--no-deps"]);
    // The crate's own examples are doctests (the front page's five, the README's two, the
    // client's); no description of the spec is.
    let doctests = common::run_cargo(&dir, &["test", "--doc", "--", "--list"]);
    // rustdoc names each file by its path in the crate's workspace, where the crate is a folder.
    let folder = format!("{NAME}/");
    let places: Vec<&str> = doctests
        .lines()
        .filter(|line| line.ends_with(": test"))
        .filter_map(|line| line.split(" - ").next())
        .map(|place| place.strip_prefix(&folder).unwrap_or(place))
        .collect();
    // Two of the front page's and the README's (a doctest through the crate root), the client's
    // and the hand-written runtime's (retries, pages); none come from the models or the
    // operations, whose docs are the spec's.
    assert!(places.iter().filter(|place| **place == "src/lib.rs").count() >= 2, "{doctests}");
    assert!(places.contains(&"src/client/runtime.rs"), "{doctests}");
    assert!(places.iter().all(|place| *place == "src/lib.rs" || place.starts_with("src/client/")), "{doctests}");
}
