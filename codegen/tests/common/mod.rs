//! Helpers shared by the robustness tests: running the generator, compiling what it makes, and
//! running the `xtask` binary.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use authlete_codegen::{Error, Generated, GeneratedFile};

/// The name every in-memory spec is "read from" in these tests.
pub const SPEC: &str = "spec.yaml";

/// The stack a `cargo test` thread gets by default.
pub const TEST_THREAD_STACK: usize = 2 << 20;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen/ has a parent").to_owned()
}

/// A spec shipped in `/work/shared/specs` (reached relative to this crate).
pub fn shared_spec_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs").join(name)
}

pub fn shared_spec(name: &str) -> String {
    let path = shared_spec_path(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture_path(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
}

pub fn fixture(path: &str) -> String {
    let path = fixture_path(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn generate(text: &str) -> Result<Generated, Error> {
    authlete_codegen::generate(Path::new(SPEC), text)
}

/// The error generating `text` must end in, as displayed.
#[track_caller]
pub fn error_of(text: &str) -> String {
    match generate(text) {
        Ok(generated) => panic!("expected an error, but {} files were generated", generated.files.len()),
        Err(error) => error.to_string(),
    }
}

/// `schemas` (YAML lines, indented by 4) as the `components/schemas` of a minimal spec.
pub fn spec_with_schemas(schemas: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}")
}

/// Runs `f` on a fresh thread with a stack of `stack` bytes, as `cargo test` runs tests.
pub fn on_thread<T: Send>(stack: usize, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, f).expect("spawn a thread");
        handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A fresh, empty directory under the tests' scratch directory.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness").join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Writes `files` into the directory `dir`.
pub fn write_files(dir: &Path, files: &[GeneratedFile]) {
    for file in files {
        let path = dir.join(&file.path);
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create a directory");
        fs::write(&path, &file.contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Compiles a generated crate with `cargo check --offline` (every type, borrow and lint error;
/// no machine code, which only the tests that run a crate need), panicking with cargo's output if
/// it fails. Its dependencies are then the ones `cargo doc` and the feature checks use too, so the
/// shared target directory builds them once for all of those.
pub fn compile(name: &str, files: &[GeneratedFile]) {
    cargo_in_crate(name, files, &["check"]);
}

/// Writes a generated crate and runs `cargo <args>` in it; see [`write_crate`] and [`run_cargo`].
pub fn cargo_in_crate(name: &str, files: &[GeneratedFile], args: &[&str]) -> String {
    run_cargo(&write_crate(name, files), args)
}

/// Writes a generated crate under the tests' scratch directory, in a workspace of its own with
/// the workspace's `Cargo.lock` (so that it builds offline with the same dependency versions);
/// returns the crate's directory.
pub fn write_crate(name: &str, files: &[GeneratedFile]) -> PathBuf {
    let root = scratch_dir(&format!("crates/{name}"));
    for (path, contents) in crate_files(name, files) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create a directory");
        fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    root.join(name)
}

/// `cargo test` of a generated crate's own tests (its `tests/`: the operations against a mock, the
/// spec's examples, a fixture's behaviour), without the unit tests of the hand-written runtime in
/// `src/`: they are the same in every crate, and the workspace's generated crate runs them. Their
/// harness would compile the whole crate a second time.
pub const CRATE_TESTS: &[&str] = &["test", "--test", "*"];

/// The name under which the tests that build the current spec's crate with one feature set after
/// another (`features.rs`, `server_generation.rs`) keep it: see [`update_crate`].
pub const CURRENT_CRATE: &str = "authlete-current";

/// Writes a generated crate as [`write_crate`] does, but into the directory an earlier test left
/// (or run of the tests): only files whose contents changed are written, and files no longer
/// generated removed. The rest keep their modification times, so that what cargo built from
/// them with a feature set before is fresh, and another test that builds the same crate with
/// that feature set builds nothing.
pub fn update_crate(name: &str, files: &[GeneratedFile]) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness/crates").join(name);
    let wanted = crate_files(name, files);
    if root.exists() {
        let keep: std::collections::HashSet<PathBuf> = wanted.iter().map(|(path, _)| root.join(path)).collect();
        for (path, _) in snapshot(&root) {
            if !keep.contains(&path) {
                fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }
    for (path, contents) in wanted {
        let path = root.join(path);
        if fs::read(&path).is_ok_and(|old| old == contents) {
            continue;
        }
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create a directory");
        fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    root.join(name)
}

/// The files of a generated crate in a workspace of its own, as paths relative to the
/// workspace's directory: a manifest whose one member is the directory `name`, the workspace's
/// `Cargo.lock`, and in `name/` the crate: `files` and the hand-written examples if its manifest
/// names them.
///
/// Every generated crate is a package `authlete` 0.1.0, and cargo names what it builds of a
/// workspace's package by its path in the workspace: as the only package of a workspace at its
/// root, all of them would share names in the build directory they share (see [`run_cargo`]),
/// and cargo could take one crate's build, checked against that crate's sources, for another's.
/// In a directory named after it, each has its own.
fn crate_files(name: &str, files: &[GeneratedFile]) -> Vec<(PathBuf, Vec<u8>)> {
    let member = Path::new(name);
    let mut out: Vec<(PathBuf, Vec<u8>)> =
        files.iter().map(|file| (member.join(&file.path), file.contents.clone().into_bytes())).collect();
    let manifest = out.iter_mut().find(|(path, _)| *path == member.join("Cargo.toml"));
    let (_, text) = manifest.expect("the generated crate has a Cargo.toml");
    // Warnings in the generated crate (any target of it) are errors: what `-D warnings` says, for
    // it alone, so that its dependencies build as the workspace builds them (see `run_cargo`).
    let deny = "# The tests': the crate builds warning-free.\nwarnings = \"deny\"\n";
    let manifest_text = String::from_utf8_lossy(text).into_owned();
    *text = match manifest_text.split_once("\n[lints.rust]\n") {
        Some((before, after)) => format!("{before}\n[lints.rust]\n{deny}{after}"),
        None => format!("{manifest_text}\n[lints.rust]\n{deny}"),
    }
    .into_bytes();
    let examples = String::from_utf8_lossy(text).contains("\n[[example]]\n");
    // Its own workspace, whatever the enclosing one says; the generated crate's resolver (edition
    // 2021), which a workspace without a root package must name.
    let workspace = format!("[workspace]\nresolver = \"2\"\nmembers = [\"{name}\"]\n");
    out.push(("Cargo.toml".into(), workspace.into_bytes()));
    let lock = workspace_root().join("Cargo.lock");
    out.push(("Cargo.lock".into(), fs::read(&lock).unwrap_or_else(|e| panic!("{}: {e}", lock.display()))));
    // The manifest names the hand-written examples the generator does not own (and builds them
    // only with the features they need): they come with it, as they do in `generated/`.
    if examples {
        let examples = workspace_root().join("generated/examples");
        for entry in fs::read_dir(&examples).unwrap_or_else(|e| panic!("{}: {e}", examples.display())) {
            let path = entry.expect("an entry").path();
            let contents = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((member.join("examples").join(path.file_name().expect("a name")), contents));
        }
    }
    out
}

/// Runs `cargo <args>` offline in a crate written by [`write_crate`] or [`update_crate`],
/// panicking with cargo's output if it fails (its warnings are errors: see [`crate_files`], and
/// rustdoc's by `RUSTDOCFLAGS`); returns its stdout.
///
/// The generated crates build their dependencies where the workspace builds its own (cargo's
/// build directory, the workspace's target directory): the same crates with the same features
/// and flags are built once, for the workspace and every generated crate, and the C library under
/// rustls (aws-lc) is not compiled again. What the crates make for people (their docs, their
/// binaries) goes to a target directory of the tests', so that it never replaces the workspace's
/// own `target/doc/authlete`.
pub fn run_cargo(dir: &Path, args: &[&str]) -> String {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let build_dir = tmp.parent().expect("the tests' scratch directory is in the target directory");
    let output = cargo()
        .args(["--offline", "--quiet"])
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", tmp.join("generated-crates-target"))
        .env("CARGO_BUILD_BUILD_DIR", build_dir)
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "`cargo {}` fails for the generated crate in {}:\n{}\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `cargo xtask` (the binary, built if needed) with `args`.
pub fn xtask<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> Output {
    cargo()
        .current_dir(workspace_root())
        .args(["run", "--quiet", "--package", "xtask", "--"])
        .args(args)
        .output()
        .expect("run cargo")
}

/// Runs `cargo xtask codegen --spec <spec> --out <out>`.
pub fn xtask_codegen(spec: &Path, out: &Path) -> Output {
    xtask([OsStr::new("codegen"), OsStr::new("--spec"), spec.as_os_str(), OsStr::new("--out"), out.as_os_str()])
}

/// Every file under `dir`, with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((path, bytes));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
}

/// Parses every `.rs` file of a generated crate, panicking with the file's name if one does not.
pub fn parse_rust_files(files: &[GeneratedFile]) -> Vec<(&GeneratedFile, syn::File)> {
    files
        .iter()
        .filter(|file| file.path.ends_with(".rs"))
        .map(|file| match syn::parse_file(&file.contents) {
            Ok(parsed) => (file, parsed),
            Err(e) => panic!("{} does not parse as Rust: {e}\n{}", file.path, file.contents),
        })
        .collect()
}
