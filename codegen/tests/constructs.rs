//! Golden tests of the generator on small fixture specs, one per family of schema constructs.
//! Each fixture's output is snapshotted, then built as a crate and tested with the fixture's own
//! Rust test file (`<fixture>.rs`), which exercises the generated types through serde.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const FIXTURES: &[&str] = &["enums", "composition", "maps_and_refs", "names", "operations"];

/// The models, operations and operation tests of a generated crate and its warnings, as one
/// reviewable text (the hand-written runtime is left out: it is the same for every crate).
fn golden_text(generated: &authlete_codegen::Generated) -> String {
    let mut text = String::new();
    for warning in &generated.warnings {
        let _ = writeln!(text, "// warning: {warning}");
    }
    let shown = |path: &str| {
        path.starts_with("src/models/")
            || path.starts_with("src/operations/")
            || matches!(path, "src/client/mod.rs" | "src/client/region.rs" | "tests/operations.rs")
    };
    for file in generated.files.iter().filter(|f| shown(&f.path)) {
        // The preamble carries the fixture's hash; the snapshot shows the code.
        let body = file.contents.split_once("\n\n").map_or(file.contents.as_str(), |(_, body)| body);
        let _ = write!(text, "// ---- {}\n{body}\n", file.path);
    }
    text
}

fn generate_fixture(name: &str) -> authlete_codegen::Generated {
    let path = common::fixture_path(&format!("constructs/{name}.yaml"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    authlete_codegen::generate(Path::new(&format!("{name}.yaml")), &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn generated_code_matches_the_snapshots() {
    for name in FIXTURES {
        insta::assert_snapshot!(*name, golden_text(&generate_fixture(name)));
    }
}

#[test]
fn generated_crates_build_and_behave() {
    for name in FIXTURES {
        let dir = common::write_crate(&format!("constructs-{name}"), &generate_fixture(name).files);
        let behaviour = common::fixture_path(&format!("constructs/{name}.rs"));
        fs::copy(&behaviour, dir.join("tests/behaviour.rs")).expect("copy the fixture's tests");
        common::run_cargo(&dir, common::CRATE_TESTS);
    }
}
