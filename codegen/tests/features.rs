//! Every area feature of the generated crate builds on its own (a type's features include those
//! of every type it uses), and so does the crate with no feature at all.

mod common;

#[test]
fn each_area_feature_builds_alone() {
    let spec = common::workspace_root().join("schema/authlete-openapi.yaml");
    let text = std::fs::read_to_string(&spec).expect("the spec is readable");
    let generated = authlete_codegen::generate(&spec, &text).expect("the spec generates");
    let manifest = generated.files.iter().find(|f| f.path == "Cargo.toml").expect("a manifest");
    let features: Vec<&str> = manifest
        .contents
        .lines()
        .skip_while(|line| *line != "[features]")
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .filter_map(|line| line.strip_suffix(" = []"))
        .collect();
    assert!(features.len() >= 15, "one feature per operation tag: {features:?}");
    assert!(features.contains(&"token-endpoint") && features.contains(&"service-management"));

    let dir = common::write_crate("authlete-features", &generated.files);
    common::run_cargo(&dir, &["check", "--no-default-features"]);
    for feature in features {
        common::run_cargo(&dir, &["check", "--no-default-features", "--features", feature]);
    }
}
