//! Every area feature of the generated crate builds on its own, with and without the client (a
//! type's features include those of every type it uses), and so does the crate with no feature at
//! all: the models alone, without the HTTP stack. The fake Authlete (`testing`) builds without any
//! area and with one, and brings axum, which the models and the client alone never do.

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

    let dir = common::update_crate(common::CURRENT_CRATE, &generated.files);
    common::run_cargo(&dir, &["check", "--no-default-features"]);
    common::run_cargo(&dir, &["check", "--no-default-features", "--features", "client"]);
    // The fake Authlete (`testing`, never a default) with no area, and with one.
    let default = manifest.contents.lines().find(|line| line.starts_with("default = ")).expect("defaults");
    assert!(!default.contains("\"testing\""), "`testing` is not a default feature: {default}");
    common::run_cargo(&dir, &["check", "--no-default-features", "--features", "testing"]);
    common::run_cargo(&dir, &["check", "--no-default-features", "--features", "testing,token-endpoint"]);
    for feature in features {
        common::run_cargo(&dir, &["check", "--no-default-features", "--features", feature]);
        // The area's methods too, with only the parts of the runtime they use.
        common::run_cargo(&dir, &["check", "--no-default-features", "--features", &format!("client,{feature}")]);
    }
    // Models only: no HTTP stack in the dependency graph.
    let tree = common::run_cargo(&dir, &["tree", "--no-default-features", "--edges", "normal", "--prefix", "none"]);
    let crates: Vec<&str> = tree.lines().filter_map(|line| line.split(' ').next()).collect();
    for http in ["reqwest", "hyper", "tokio", "rustls", "axum"] {
        assert!(!crates.contains(&http), "`{http}` without the `client` feature:\n{tree}");
    }
    // The client alone is no server: axum comes with `testing` (or the toolkit's `axum`) only.
    let tree = common::run_cargo(
        &dir,
        &["tree", "--no-default-features", "--features", "client", "--edges", "normal", "--prefix", "none"],
    );
    let crates: Vec<&str> = tree.lines().filter_map(|line| line.split(' ').next()).collect();
    assert!(crates.contains(&"reqwest") && !crates.contains(&"axum"), "{tree}");
    let tree = common::run_cargo(
        &dir,
        &["tree", "--no-default-features", "--features", "testing", "--edges", "normal", "--prefix", "none"],
    );
    assert!(tree.lines().any(|line| line.starts_with("axum ")), "{tree}");
    // And with it, rustls but never OpenSSL or native-tls.
    let tree = common::run_cargo(&dir, &["tree", "--edges", "normal", "--prefix", "none"]);
    let crates: Vec<&str> = tree.lines().filter_map(|line| line.split(' ').next()).collect();
    assert!(crates.contains(&"reqwest") && crates.contains(&"rustls"), "{tree}");
    for tls in ["openssl", "openssl-sys", "native-tls"] {
        assert!(!crates.contains(&tls), "`{tls}` in the client's dependencies:\n{tree}");
    }
}
