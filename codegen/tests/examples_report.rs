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

#[test]
fn every_example_of_the_official_spec_is_tested() {
    let generated = generate("authlete-openapi.yaml");
    let messages: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert!(messages.is_empty(), "unexpected warnings:\n{}", messages.join("\n"));
    assert_eq!(tested_examples(&generated), 94);
}

#[test]
fn examples_of_the_2025_08_spec_that_contradict_its_schemas_are_reported_with_their_place() {
    let generated = generate("authlete-openapi-2025-08.yaml");
    let rejected: Vec<String> = generated
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("example does not match its schema"))
        .map(ToString::to_string)
        .collect();
    assert_eq!(rejected.len(), generated.warnings.len(), "only example warnings");
    assert_eq!(rejected.len(), 42);
    assert!(rejected.contains(
        &"#/paths/~1api~1{serviceId}~1auth~1token/post/responses/200/content/application~1json/example: \
          example does not match its schema (at `/token` in the example: member `token` is not defined by the \
          schema); it is not tested"
            .to_owned()
    ));
    assert_eq!(tested_examples(&generated), 45);
}
