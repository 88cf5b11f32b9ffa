//! Which examples of the real specs the generated crates test, and which they report instead.

use std::path::Path;

fn generate(spec: &str) -> authlete_codegen::Generated {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema").join(spec);
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    authlete_codegen::generate(&path, &text).expect("the spec generates")
}

fn tested_examples(generated: &authlete_codegen::Generated) -> usize {
    let tests = generated.files.iter().find(|f| f.path == "tests/spec_examples.rs").expect("examples test file");
    tests.contents.matches("#[test]").count()
}

/// The warnings about operations, which the operation model reports (and `model::operations` tests).
fn operation_warnings(messages: &[String]) -> Vec<&String> {
    messages.iter().filter(|m| m.contains("`operationId`") || m.contains("answer has no body")).collect()
}

#[test]
fn every_example_of_the_official_spec_is_tested() {
    let generated = generate("authlete-openapi.yaml");
    let messages: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        operation_warnings(&messages),
        [
            "#/paths/~1api~1{serviceId}~1hsk~1delete~1{handle}/delete/responses/204/content: a `204` answer has no \
             body; the content the spec gives it is not read",
            "#/paths/~1api~1lifecycle~1healthcheck/get: the operation has no `operationId`; its method is called \
             `get_lifecycle_healthcheck`",
        ]
    );
    let others: Vec<&String> = messages.iter().filter(|m| !operation_warnings(&messages).contains(m)).collect();
    assert!(others.is_empty(), "unexpected warnings:\n{others:?}");
    assert_eq!(tested_examples(&generated), 94);
}

#[test]
fn examples_of_the_2025_08_spec_that_contradict_its_schemas_are_reported_with_their_place() {
    let generated = generate("authlete-openapi-2025-08.yaml");
    let messages: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    let untested: Vec<&String> = messages.iter().filter(|m| m.ends_with("it is not tested")).collect();
    let partly: Vec<&String> = messages.iter().filter(|m| m.contains("they are kept as unknown members")).collect();
    let operations = operation_warnings(&messages).len();
    assert_eq!(operations, 5, "five `204` answers with content");
    // The spec lacks an operation the server toolkit calls (`server_generation.rs` says which).
    let toolkit = messages.iter().filter(|m| m.contains("the server toolkit")).count();
    assert_eq!(toolkit, 1);
    assert_eq!(
        untested.len() + partly.len() + operations + toolkit,
        messages.len(),
        "only example, operation and toolkit warnings:\n{}",
        messages.join("\n")
    );
    // The 2025-08 `Service` schema is really the social-login credentials shape (`apiKey` a
    // string), while the examples are whole services: those cannot be held by the model.
    assert_eq!(untested.len(), 8);
    assert_eq!(untested.iter().filter(|m| m.contains("apiKey` in the example: expected a string")).count(), 7);
    assert_eq!(partly.len(), 34);
    assert!(partly.contains(
        &&"#/paths/~1api~1{serviceId}~1auth~1token/post/responses/200/content/application~1json/example: \
           example has members its schema does not define (`/token`, `/json`); they are kept as unknown members"
            .to_owned()
    ));
    assert_eq!(tested_examples(&generated), 78);
}
