//! Both Authlete specs generate crates that build and pass their own tests (the spec's
//! examples round-trip through the models).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Generates the crate for `spec` into a fresh directory under the test scratch space.
fn generate_into(spec: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(spec).expect("the spec is readable");
    let generated = authlete_codegen::generate(spec, &text).expect("the spec generates");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("files live in directories")).unwrap();
        std::fs::write(&path, &file.contents).unwrap();
    }
    // Same dependency versions as the workspace, and no network needed.
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// Runs `cargo <args>` in `dir` with a target directory shared by all generated crates.
fn cargo(dir: &Path, args: &[&str]) -> String {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-crates-target");
    let output = Command::new(env!("CARGO"))
        .args(["--offline", "--quiet"])
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}:\n{}\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn crate_from_the_2025_08_spec_builds_documents_cleanly_and_its_examples_round_trip() {
    let dir = generate_into(&workspace().join("schema/authlete-openapi-2025-08.yaml"), "authlete-2025-08");
    cargo(&dir, &["test"]);
    cargo(&dir, &["doc", "--no-deps"]);
    let doctests = cargo(&dir, &["test", "--doc", "--", "--list"]);
    assert_eq!(
        doctests.lines().filter(|line| line.ends_with(": test")).count(),
        1,
        "only the front page's example is a doctest:\n{doctests}"
    );
}
