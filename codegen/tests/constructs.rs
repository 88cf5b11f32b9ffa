//! Golden tests of the generator on small fixture specs, one per family of schema constructs.
//! Each fixture's output is snapshotted, then built as a crate and tested with the fixture's own
//! Rust test file (`<fixture>.rs`), which exercises the generated types through serde.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

const FIXTURES: &[&str] = &["enums", "composition", "maps_and_refs", "names"];

/// The models of a generated crate and its warnings, as one reviewable text.
fn golden_text(generated: &authlete_codegen::Generated) -> String {
    let mut text = String::new();
    for warning in &generated.warnings {
        let _ = writeln!(text, "// warning: {warning}");
    }
    for file in generated.files.iter().filter(|f| f.path.starts_with("src/models/")) {
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
        let generated = generate_fixture(name);
        let dir = common::scratch_dir(&format!("constructs/{name}"));
        common::write_files(&dir, &generated.files);
        let behaviour = common::fixture_path(&format!("constructs/{name}.rs"));
        fs::copy(&behaviour, dir.join("tests/behaviour.rs")).expect("copy the fixture's tests");
        let mut manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("a manifest");
        manifest.push_str("\n[workspace]\n");
        fs::write(dir.join("Cargo.toml"), manifest).expect("write the manifest");
        fs::copy(common::workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
        let output = Command::new(env!("CARGO"))
            .args(["test", "--offline", "--quiet"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("constructs-target"))
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "fixture {name}: `cargo test` failed in {}:\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
