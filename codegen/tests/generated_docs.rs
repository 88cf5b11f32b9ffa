//! The docs of generated models never hold a doctest: every code block that came from a spec
//! description is marked with a language rustdoc does not compile.

use std::path::Path;

/// Info strings that rustdoc compiles and runs as Rust.
fn is_rust(info: &str) -> bool {
    let first = info.split(',').next().unwrap_or_default().trim();
    first.is_empty()
        || first == "rust"
        || info.split(',').any(|a| {
            matches!(
                a.trim(),
                "ignore"
                    | "should_panic"
                    | "no_run"
                    | "compile_fail"
                    | "edition2015"
                    | "edition2018"
                    | "edition2021"
                    | "edition2024"
            )
        })
}

/// `(file, line, info string)` of every code fence that opens a block in the files' `///` docs.
fn opening_fences(files: &[authlete_codegen::GeneratedFile]) -> Vec<(String, usize, String)> {
    let mut fences = Vec::new();
    for file in files.iter().filter(|f| f.path.starts_with("src/models/")) {
        let mut open = false;
        for (number, line) in file.contents.lines().enumerate() {
            let Some(doc) = line.trim_start().strip_prefix("///") else {
                open = false;
                continue;
            };
            let doc = doc.strip_prefix(' ').unwrap_or(doc).trim_start_matches(['>', ' ']);
            if let Some(info) = doc.strip_prefix("```") {
                if !open {
                    fences.push((file.path.clone(), number + 1, info.trim().to_owned()));
                }
                open = !open;
            }
        }
    }
    fences
}

fn check(spec: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema").join(spec);
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    let generated = authlete_codegen::generate(&path, &text).expect("the spec generates");
    let fences = opening_fences(&generated.files);
    assert!(fences.len() > 10, "{spec}: the specs have code blocks ({} found)", fences.len());
    let rust: Vec<_> = fences.iter().filter(|(_, _, info)| is_rust(info)).collect();
    assert!(rust.is_empty(), "{spec}: code blocks rustdoc would run as doctests: {rust:?}");
}

#[test]
fn no_description_of_the_official_spec_becomes_a_doctest() {
    check("authlete-openapi.yaml");
}

#[test]
fn no_description_of_the_2025_08_spec_becomes_a_doctest() {
    check("authlete-openapi-2025-08.yaml");
}
