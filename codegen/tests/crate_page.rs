//! The `authlete` crate as a user meets it: every model's docs open with what it is for,
//! constructors take text as it comes, `Eq` and `Hash` are there wherever the members allow, and
//! the package holds what a user needs and nothing else.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use authlete_codegen::model::{TypeKind, TypeRef};
use authlete_codegen::Generated;

fn generate(spec: &str) -> Generated {
    let path = common::workspace_root().join("schema").join(spec);
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    authlete_codegen::generate(&path, &text).expect("the spec generates")
}

/// The doc texts of an item, in order: `#[doc = …]` (what `///` is), and the doc of each
/// `#[cfg_attr(…, doc = …)]` (the first of a linked/plain pair is enough: both say the same).
fn docs_of(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut docs = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("doc") {
            if let syn::Meta::NameValue(syn::MetaNameValue {
                value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }),
                ..
            }) = &attr.meta
            {
                docs.push(text.value());
            }
        } else if attr.path().is_ident("cfg_attr") {
            let list = attr.meta.require_list().expect("cfg_attr has a list");
            let tokens = list.tokens.to_string();
            if let Some(at) = tokens.find("doc = \"") {
                let lit: syn::LitStr = syn::parse_str(&tokens[at + 6..]).expect("a doc string");
                docs.push(lit.value());
            }
        }
    }
    docs
}

/// `(file, type docs)` of every model file: the docs of the item named like the file's type.
fn model_docs(generated: &Generated) -> Vec<(String, Vec<String>)> {
    let models = generated.files.iter().filter(|f| f.path.starts_with("src/models/") && !f.path.ends_with("mod.rs"));
    models
        .map(|file| {
            let parsed: syn::File = syn::parse_str(&file.contents).unwrap_or_else(|e| panic!("{}: {e}", file.path));
            let first = parsed.items.first().unwrap_or_else(|| panic!("{}: no item", file.path));
            let attrs = match first {
                syn::Item::Struct(item) => &item.attrs,
                syn::Item::Enum(item) => &item.attrs,
                syn::Item::Type(item) => &item.attrs,
                _ => panic!("{}: the first item is not the type", file.path),
            };
            (file.path.clone(), docs_of(attrs))
        })
        .collect()
}

#[test]
fn every_model_opens_with_what_it_is_for_and_its_features_come_last() {
    for spec in ["authlete-openapi.yaml", "authlete-openapi-2025-08.yaml"] {
        let generated = generate(spec);
        let mut by_opening = std::collections::BTreeMap::<&str, usize>::new();
        for (path, docs) in model_docs(&generated) {
            let summary = docs.first().map(|d| d.trim()).unwrap_or_default();
            assert!(!summary.is_empty(), "{spec}: {path} has no summary");
            assert!(!summary.starts_with("Compiled with"), "{spec}: {path} opens with its features: {summary}");
            assert!(
                !summary.starts_with("Schema ") && !summary.starts_with("Inline schema"),
                "{spec}: {path}: {summary}"
            );
            // The features, where a type has them, are its last paragraph.
            let text = docs.join("\n");
            if let Some(at) = text.find("Compiled with the cargo feature") {
                assert!(!text[at..].contains("\n\n"), "{spec}: {path}: features are not last:\n{text}");
            }
            let kind = if summary.starts_with("The request body of") || summary.contains(" request body of") {
                "request body"
            } else if summary.contains(" answer of") {
                "answer"
            } else if summary.starts_with("A type the spec defines but no operation uses") {
                "unused"
            } else {
                "description or member"
            };
            *by_opening.entry(kind).or_default() += 1;
        }
        eprintln!("{spec}: model docs open with {by_opening:?}");
        if spec == "authlete-openapi.yaml" {
            // Two thirds of its types have no description of their own.
            assert!(by_opening.get("request body").copied().unwrap_or(0) > 40, "{spec}: {by_opening:?}");
            assert!(by_opening.get("answer").copied().unwrap_or(0) > 40, "{spec}: {by_opening:?}");
        }
    }
}

#[test]
fn usage_links_fall_back_to_code_spans_where_their_targets_are_not_compiled() {
    let generated = generate("authlete-openapi.yaml");
    let file = generated.files.iter().find(|f| f.path == "src/models/token_request.rs").expect("TokenRequest");
    assert!(file.contents.contains(
        "#[cfg_attr(\n    all(feature = \"client\", feature = \"token-endpoint\"),\n    doc = \" The request body of [`Service::auth_token`](crate::Service::auth_token) (`POST /api/{serviceId}/auth/token`).\"\n)]"
    ), "{}", &file.contents[..1500]);
    assert!(file
        .contents
        .contains("doc = \" The request body of `Service::auth_token` (`POST /api/{serviceId}/auth/token`).\""));
    assert!(file.contents.contains("#[cfg_attr(docsrs, doc(cfg(feature = \"token-endpoint\")))]"));
}

#[test]
fn constructors_take_into_and_fields_start_as_plain_none() {
    let generated = generate("authlete-openapi.yaml");
    let token_request = generated.files.iter().find(|f| f.path == "src/models/token_request.rs").expect("TokenRequest");
    assert!(token_request.contents.contains("pub fn new(parameters: impl Into<String>) -> Self"));
    assert!(token_request.contents.contains("            client_id: None,\n"));
    for file in generated.files.iter().filter(|f| f.path.starts_with("src/models/")) {
        assert!(!file.contents.contains("Option::None"), "{}", file.path);
        assert!(!file.contents.contains("new(parameters: String"), "{}", file.path);
    }
}

#[test]
fn eq_and_hash_are_derived_wherever_every_member_allows_them() {
    let path = common::workspace_root().join("schema/authlete-openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    let space =
        authlete_codegen::model::build(&authlete_codegen::load::load(&path, &text).expect("loads")).expect("builds");
    let generated = generate("authlete-openapi.yaml");
    let mut with = 0;
    for def in &space.types {
        // The model's decision is consistent: no `f64` inside, and only such types referenced.
        let references = def.references();
        let floats = references.iter().any(|r| r.ty.innermost().0 == &TypeRef::F64);
        let forbidding = references.iter().filter_map(|r| r.ty.named()).any(|id| !space.get(id).eq_hash);
        assert_eq!(def.eq_hash, !floats && !forbidding, "{}", def.name);
        if matches!(def.kind, TypeKind::Alias(_)) {
            continue;
        }
        let file = generated.files.iter().find(|f| f.path == format!("src/models/{}.rs", def.module)).expect("a file");
        let derives = file.contents.lines().find(|line| line.starts_with("#[derive(")).expect("a derive");
        assert_eq!(derives.contains("Eq, Hash"), def.eq_hash, "{}: {derives}", def.name);
        with += usize::from(def.eq_hash);
    }
    assert!(with > space.types.len() * 9 / 10, "{with} of {} types derive Eq and Hash", space.types.len());
}

/// `cargo package --list` of the checked-in crate: its sources, README, license and manifest
/// (and what cargo adds itself), never its tests or the API surface record.
#[test]
fn the_package_holds_exactly_the_sources_readme_and_license() {
    let root = common::workspace_root();
    let output = std::process::Command::new(env!("CARGO"))
        .args(["package", "-p", "authlete", "--list", "--allow-dirty", "--offline"])
        .current_dir(&root)
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let listed: BTreeSet<String> = String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect();
    let mut expected: BTreeSet<String> =
        ["Cargo.toml", "Cargo.toml.orig", "Cargo.lock", "LICENSE", "README.md"].map(str::to_owned).into();
    let mut stack = vec![root.join("generated/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root.join("generated")).expect("inside");
                expected.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    // Cargo records the commit it packaged, when there is one.
    let listed: BTreeSet<String> = listed.into_iter().filter(|f| f != ".cargo_vcs_info.json").collect();
    assert_eq!(listed, expected);
}

#[test]
fn the_manifest_is_ready_to_publish_and_the_readme_is_a_doctest() {
    let generated = generate("authlete-openapi.yaml");
    let file = |path: &str| &generated.files.iter().find(|f| f.path == path).expect(path).contents;
    let manifest = file("Cargo.toml");
    for line in [
        "license = \"MIT\"",
        "repository = \"https://",
        "documentation = \"https://docs.rs/authlete\"",
        "readme = \"README.md\"",
        "keywords = [",
        "categories = [",
        "rust-version = \"1.85\"",
        "include = [\"/src/**/*.rs\", \"/README.md\", \"/LICENSE\"]",
        "[package.metadata.docs.rs]\n",
        "all-features = true\n",
        "rustdoc-args = [\"--cfg\", \"docsrs\"]",
        "check-cfg = ['cfg(docsrs)']",
    ] {
        assert!(manifest.contains(line), "the manifest lacks {line:?}:\n{manifest}");
    }
    let keywords = manifest.lines().find(|l| l.starts_with("keywords = ")).expect("keywords");
    assert!(keywords.matches('"').count() <= 10, "crates.io takes five keywords: {keywords}");
    assert!(file("LICENSE").starts_with("MIT License\n\nCopyright (c) "));
    let readme = file("README.md");
    assert!(readme.contains("```rust\nuse authlete::models::TokenRequest;"), "{readme}");
    assert!(readme.contains("```rust,no_run\n"), "{readme}");
    assert!(!readme.lines().any(|l| l.starts_with("# ") && l != "# authlete"), "no hidden doctest lines");
    let root = file("src/lib.rs");
    assert!(root.contains("#[doc = include_str!(\"../README.md\")]\npub struct ReadmeDoctests;"), "{root}");
    assert!(root.contains("#![cfg_attr(docsrs, feature(doc_cfg))]"));
    assert!(Path::new(&common::workspace_root().join("generated/README.md")).exists());
}
