//! Hostile specs are inert, and huge ones meet limits instead of crashing the generator.
//!
//! `fixtures/hostile/spec.yaml` puts comment terminators, attribute syntax, HTML, control and
//! bidirectional-text characters, 100,000-character lines, Rust keywords and prelude names
//! everywhere the generator copies spec text into Rust. The crate it makes must build, and the
//! text must stay inside comments and string literals: every `.rs` file holds exactly the items
//! the model calls for.
//!
//! The limit tests run the library on a thread with the stack a `cargo test` thread has (2 MiB),
//! and the `xtask` binary on its main thread, under a time limit.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use authlete_codegen::model::{TypeKind, TypeSpace};
use authlete_codegen::{Error, Generated};
use common::{cargo_in_crate, compile, fixture, on_thread, parse_rust_files, scratch_dir, TEST_THREAD_STACK};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

const HOSTILE: &str = "hostile.yaml";

fn hostile_text() -> String {
    fixture("hostile/spec.yaml").replace("LONG_LINE", &"x".repeat(100_000))
}

fn hostile() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(|| {
        authlete_codegen::generate(Path::new(HOSTILE), &hostile_text()).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn hostile_model() -> TypeSpace {
    let spec = authlete_codegen::load::load(Path::new(HOSTILE), &hostile_text()).unwrap_or_else(|e| panic!("{e}"));
    authlete_codegen::model::build(&spec).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn hostile_spec_gives_a_crate_that_builds() {
    compile("hostile", &hostile().files);
}

/// `cargo test` of the generated crate also runs its spec-example tests and compiles every code
/// block of its docs as a doctest: the spec's code fences must not become Rust.
#[test]
fn hostile_crate_passes_its_own_tests_and_doctests() {
    let dir = common::write_crate("hostile-tests", &hostile().files);
    common::run_cargo(&dir, common::CRATE_TESTS);
    common::run_cargo(&dir, &["test", "--doc"]);
}

/// rustdoc reads the hostile descriptions, names and values as text: no warning (broken links,
/// HTML tags, code blocks) with `-D warnings`.
#[test]
fn hostile_crate_documents_without_warnings() {
    cargo_in_crate("hostile-docs", &hostile().files, &["doc", "--no-deps"]);
}

/// Every identifier of every generated `.rs` file, as tokens (doc comments are `#[doc = "…"]`
/// literals there).
fn idents(tokens: TokenStream, out: &mut Vec<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => out.push(ident.to_string()),
            TokenTree::Group(group) => idents(group.stream(), out),
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
    }
}

#[test]
fn hostile_text_stays_inside_comments_and_string_literals() {
    let generated = hostile();
    let parsed = parse_rust_files(&generated.files);
    assert!(parsed.len() > 40, "{} Rust files", parsed.len());
    let mut every = Vec::new();
    for (_, syntax) in &parsed {
        idents(syntax.to_token_stream(), &mut every);
    }
    for (file, syntax) in &parsed {
        let mut found = Vec::new();
        idents(syntax.to_token_stream(), &mut found);
        // Markers are upper case: names made from spec text are `Injected…`/`injected…` at most,
        // or a name of the crate's in upper case (the fake Authlete's constant for the method
        // `fn_injected_op` is `FN_INJECTED_OP`).
        let named = |ident: &String| every.iter().any(|other| *other != *ident && other.to_uppercase() == *ident);
        let injected: Vec<&String> = found.iter().filter(|i| i.contains("INJECTED") && !named(i)).collect();
        assert!(injected.is_empty(), "{}: spec text became code: {injected:?}", file.path);
        let names: Vec<&String> = found.iter().filter(|i| i.contains("INJECTED") && named(i)).collect();
        // No line break of the spec escaped its `//` comment either.
        for line in file.contents.lines() {
            let code = names.iter().fold(line.trim_start().to_owned(), |code, name| code.replace(name.as_str(), ""));
            if !code.contains("INJECTED") {
                continue;
            }
            assert!(
                code.starts_with("//") || code.contains('"'),
                "{}: spec text outside a comment or string literal: {line}",
                file.path
            );
        }
    }
    // The manifest: the title and version (full of line breaks and quotes) stay in the comment and
    // the description string; cargo's own parse is checked by the build.
    let manifest = generated.files.iter().find(|f| f.path == "Cargo.toml").expect("a manifest");
    for line in manifest.contents.lines().filter(|line| line.contains("INJECTED")) {
        assert!(line.starts_with("# ") || line.starts_with("description = \""), "Cargo.toml: {line}");
    }
    let tables: Vec<&str> = manifest.contents.lines().filter(|line| line.starts_with('[')).collect();
    assert_eq!(
        tables,
        [
            "[package]",
            "[package.metadata.docs.rs]",
            "[lints.rust]",
            "[features]",
            "[dependencies]",
            "[dev-dependencies]"
        ],
        "{}",
        manifest.contents
    );
    // `lib.rs` keeps its two inner attributes besides the docs (some shown only with the client).
    let lib = &parsed.iter().find(|(f, _)| f.path == "src/lib.rs").expect("src/lib.rs").1;
    let attrs: Vec<String> = lib
        .attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc") && !is_conditional_doc(a))
        .map(|a| a.to_token_stream().to_string())
        .collect();
    assert_eq!(attrs, ["# ! [cfg_attr (docsrs , feature (doc_cfg))]", "# ! [forbid (unsafe_code)]"]);
}

/// `#[cfg_attr(condition, doc = "…")]` (docs with links shown where their targets are compiled)
/// or `#[cfg_attr(docsrs, doc(cfg(…)))]` (docs.rs's feature badge): doc text, nothing else.
fn is_conditional_doc(attr: &syn::Attribute) -> bool {
    use syn::punctuated::Punctuated;
    if !attr.path().is_ident("cfg_attr") {
        return false;
    }
    let Ok(parts) = attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else {
        return false;
    };
    match parts.iter().collect::<Vec<_>>()[..] {
        [_, syn::Meta::NameValue(doc)] => {
            doc.path.is_ident("doc") && matches!(&doc.value, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(_), .. }))
        }
        [syn::Meta::Path(docsrs), syn::Meta::List(doc)] => docsrs.is_ident("docsrs") && doc.path.is_ident("doc"),
        _ => false,
    }
}

/// What a model file may contain besides the type itself.
fn check_attrs(path: &str, what: &str, attrs: &[syn::Attribute]) {
    for attr in attrs {
        let name = attr.path().get_ident().map(ToString::to_string).unwrap_or_default();
        assert!(
            ["doc", "derive", "serde", "allow"].contains(&name.as_str()) || is_conditional_doc(attr),
            "{path}: unexpected attribute on {what}: {}",
            attr.to_token_stream()
        );
    }
}

#[test]
fn every_model_file_holds_exactly_its_type() {
    let generated = hostile();
    let space = hostile_model();
    let parsed_files = parse_rust_files(&generated.files);
    let parsed: BTreeMap<&str, &syn::File> = parsed_files.iter().map(|(f, syntax)| (f.path.as_str(), syntax)).collect();
    let mut expected_modules = Vec::new();
    for def in &space.types {
        let path = format!("src/models/{}.rs", def.module);
        let file = parsed.get(path.as_str()).unwrap_or_else(|| panic!("{path} is missing"));
        assert!(file.attrs.is_empty(), "{path}: inner attributes");
        let name = &def.name;
        let mut kinds = Vec::new();
        for item in &file.items {
            let kind = match item {
                syn::Item::Struct(s) if s.ident == name.as_str() => {
                    check_attrs(&path, "the struct", &s.attrs);
                    s.fields.iter().for_each(|f| check_attrs(&path, "a field", &f.attrs));
                    "struct"
                }
                syn::Item::Enum(e) if e.ident == name.as_str() => {
                    check_attrs(&path, "the enum", &e.attrs);
                    e.variants.iter().for_each(|v| check_attrs(&path, "a variant", &v.attrs));
                    "enum"
                }
                syn::Item::Type(t) if t.ident == name.as_str() => {
                    check_attrs(&path, "the alias", &t.attrs);
                    "type"
                }
                syn::Item::Impl(i) if i.self_ty.to_token_stream().to_string() == *name => {
                    check_attrs(&path, "an impl", &i.attrs);
                    "impl"
                }
                syn::Item::Macro(m)
                    if m.mac.path.to_token_stream().to_string() == "crate :: open_enum :: open_enum" =>
                {
                    "open_enum!"
                }
                // The struct's member table: its first argument is the struct.
                syn::Item::Macro(m)
                    if m.mac.path.to_token_stream().to_string() == "crate :: open_struct :: open_struct"
                        && m.mac.tokens.to_string().starts_with(&format!("{name} ,")) =>
                {
                    "open_struct!"
                }
                other => panic!("{path}: unexpected item {}", other.to_token_stream()),
            };
            kinds.push(kind);
        }
        let allowed: &[&[&str]] = match &def.kind {
            TypeKind::Struct(_) => &[&["struct", "open_struct!"], &["struct", "impl", "open_struct!"]],
            TypeKind::Enum(_) => &[&["enum", "open_enum!"]],
            TypeKind::Union(_) => &[&["enum"], &["enum", "impl"]],
            TypeKind::Alias(_) => &[&["type"]],
        };
        assert!(allowed.contains(&kinds.as_slice()), "{path}: items {kinds:?}");
        expected_modules.push(format!("mod {} ;", def.module));
        expected_modules.push(format!("pub use {} :: {} ;", def.module, def.name));
    }
    // `models/mod.rs`: a module and a re-export per type, nothing else.
    let models = parsed["src/models/mod.rs"];
    assert!(models.attrs.iter().all(|a| a.path().is_ident("doc")), "src/models/mod.rs: inner attributes");
    let items: Vec<String> =
        models.items.iter().map(|item| item.to_token_stream().to_string().replace("r#", "")).collect();
    assert_eq!(items, expected_modules);
    let model_files = generated.files.iter().filter(|f| f.path.starts_with("src/models/")).count();
    assert_eq!(model_files, space.types.len() + 1, "one file per type, plus mod.rs");
}

#[test]
fn hostile_names_become_distinct_valid_identifiers() {
    let space = hostile_model();
    let names: BTreeMap<&str, (&str, &str)> = space
        .types
        .iter()
        .filter_map(|t| Some((t.origin.schema_name.as_deref()?, (t.name.as_str(), t.module.as_str()))))
        .collect();
    let expected = [
        ("type", ("Type", "type")),
        ("self", ("SelfValue", "self_value")),
        ("Self", ("SelfValue2", "self_value2")),
        ("crate", ("Crate", "crate_")),
        ("super", ("Super", "super_")),
        ("_", ("Schema", "schema")),
        ("", ("Schema2", "schema2")),
        ("1st", ("N1st", "n1st")),
        ("日本", ("Schema3", "schema3")),
        ("é", ("Schema4", "schema4")),
        ("a-b", ("AB", "ab")),
        ("a.b", ("AB2", "ab2")),
        ("$x", ("X", "x")),
        ("@y", ("Y", "y")),
        ("with space", ("WithSpace", "with_space")),
        ("Option", ("Option", "option")),
        ("String", ("String", "string")),
        ("Vec", ("Vec", "vec")),
        ("Box", ("Box", "box")),
        ("Into", ("Into", "into")),
        ("Result", ("Result", "result")),
        ("Default", ("Default", "default")),
        ("Serialize", ("Serialize", "serialize")),
        ("Mod", ("Mod2", "mod2")),
        ("mod", ("Mod3", "mod3")),
        ("Models", ("Models", "models")),
        ("Self_", ("SelfValue3", "self_value3")),
        ("r#type", ("RType", "r_type")),
        ("INJECTED\n}", ("Injected", "injected")),
        ("*/", ("Schema5", "schema5")),
    ];
    for (schema, (name, module)) in expected {
        assert_eq!(names.get(schema), Some(&(name, module)), "schema {schema:?}");
    }
    // Every name is unique, also ignoring case (file names on case-insensitive disks).
    let mut lower: Vec<String> = space.types.iter().map(|t| t.module.to_ascii_lowercase()).collect();
    lower.sort();
    lower.dedup();
    assert_eq!(lower.len(), space.types.len());
}

// ---------------------------------------------------------------------------------------------
// Limits

/// Runs `f` on a thread with a test thread's stack, failing the test if it takes longer than
/// `limit` (a hang) instead of waiting forever.
fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> (T, Duration) {
    let (send, receive) = mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .stack_size(TEST_THREAD_STACK)
        .spawn(move || {
            let _ = send.send(f());
        })
        .expect("spawn a thread");
    match receive.recv_timeout(limit) {
        Ok(value) => (value, started.elapsed()),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("took more than {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the generator panicked (see above)"),
    }
}

fn generate_bounded(name: &'static str, text: String) -> (Result<Generated, Error>, Duration) {
    bounded(Duration::from_secs(60), move || authlete_codegen::generate(Path::new(name), &text))
}

fn error_of_bounded(name: &'static str, text: String) -> Error {
    match generate_bounded(name, text).0 {
        Ok(_) => panic!("{name}: expected an error"),
        Err(error) => error,
    }
}

const DOC_START: &str =
    r#"{"openapi":"3.0.3","info":{"title":"T","version":"1"},"paths":{},"components":{"schemas":{"Deep":"#;

/// A one-line JSON spec whose schema `Deep` nests `levels` times.
fn deep_spec(levels: usize, open: &str, close: &str) -> String {
    let mut text = String::from(DOC_START);
    text.push_str(&open.repeat(levels));
    text.push_str(r#"{"type":"string"}"#);
    text.push_str(&close.repeat(levels));
    text.push_str("}}}");
    text
}

const PROPERTIES_OPEN: &str = r#"{"type":"object","properties":{"p":"#;
const ITEMS_OPEN: &str = r#"{"type":"array","items":"#;

#[test]
fn ten_thousand_levels_of_properties_are_refused_at_the_nesting_limit() {
    let error = error_of_bounded("deep.json", deep_spec(10_000, PROPERTIES_OPEN, "}}"));
    // The 101st mapping is the `properties` of the 49th level.
    // The pointer is 100 segments long; messages show its ends.
    let pointer = "/components/schemas/Deep/properties/p/…90 more…/properties/p/properties/p/properties";
    assert_eq!(error.first().pointer, format!("/components/schemas/Deep{}/properties", "/properties/p".repeat(48)));
    let column = DOC_START.len() + 48 * PROPERTIES_OPEN.len() + r#"{"type":"object","properties":"#.len() + 1;
    assert_eq!(error.to_string(), format!("deep.json:1:{column} at #{pointer}: nested more than 100 levels deep"));
}

#[test]
fn ten_thousand_levels_of_items_are_refused_at_the_nesting_limit() {
    let error = error_of_bounded("deep.json", deep_spec(10_000, ITEMS_OPEN, "}"));
    let pointer = "/components/schemas/Deep/items/items/…90 more…/items/items/items/items/items";
    assert_eq!(error.first().pointer, format!("/components/schemas/Deep{}", "/items".repeat(97)));
    let column = DOC_START.len() + 97 * ITEMS_OPEN.len() + 1;
    assert_eq!(error.to_string(), format!("deep.json:1:{column} at #{pointer}: nested more than 100 levels deep"));
}

#[test]
fn nesting_just_under_the_limit_still_works() {
    // 96 levels of arrays: `Vec<Vec<…<String>…>>`, rendered, formatted and parsed.
    let (result, _) = generate_bounded("deep.json", deep_spec(96, ITEMS_OPEN, "}"));
    let generated = result.unwrap_or_else(|e| panic!("{e}"));
    let deep = generated.files.iter().find(|f| f.path == "src/models/deep.rs").expect("deep.rs");
    let text: String = deep.contents.chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
    let expected = format!("pubtypeDeep={}String{};", "Vec<".repeat(96), ">".repeat(96));
    assert!(text.contains(&expected), "{}", deep.contents);
    // The generator parses its output on a thread of its own; this test needs a big stack too.
    let parsed = on_thread(64 << 20, || parse_rust_files(&generated.files).len());
    assert_eq!(parsed, generated.files.iter().filter(|f| f.path.ends_with(".rs")).count());
    // 47 levels of objects: 47 structs.
    let (result, _) = generate_bounded("deep.json", deep_spec(47, PROPERTIES_OPEN, "}}"));
    assert_eq!(result.unwrap_or_else(|e| panic!("{e}")).type_count, 47);
}

const TOO_DEEP: &str = "schemas nest more than 256 levels deep through properties, items, `allOf` and `$ref`s (is \
                        there a `$ref` cycle?)";

/// `count` schemas, each referring to the next through `link` (a template with `{next}`).
fn chain_spec(count: usize, link: &str, last: &str) -> String {
    let mut schemas = String::new();
    for i in 0..count {
        schemas.push_str(&format!("    S{i}: {}\n", link.replace("{next}", &(i + 1).to_string())));
    }
    schemas.push_str(&format!("    S{count}: {last}\n"));
    common::spec_with_schemas(&schemas)
}

fn all_of_chain(count: usize) -> String {
    chain_spec(
        count,
        "{allOf: [{$ref: '#/components/schemas/S{next}'}], properties: {p: {type: string}}}",
        "{type: object, properties: {last: {type: string}}}",
    )
}

fn property_ref_chain(count: usize) -> String {
    chain_spec(
        count,
        "{type: object, properties: {x: {$ref: '#/components/schemas/S{next}/properties/x'}}}",
        "{type: object, properties: {x: {type: object, properties: {y: {type: string}}}}}",
    )
}

#[test]
fn ten_thousand_long_ref_chains_stop_at_the_depth_limit() {
    let error = error_of_bounded("chain.yaml", all_of_chain(10_000));
    assert_eq!(error.to_string(), format!("chain.yaml at #/components/schemas/S255: {TOO_DEEP}"));
    let error = error_of_bounded("chain.yaml", property_ref_chain(10_000));
    assert_eq!(error.to_string(), format!("chain.yaml at #/components/schemas/S128: {TOO_DEEP}"));
    // Chains of `$ref`s to whole schemas are not recursion at all: 10,000 aliases are fine.
    let (result, _) =
        generate_bounded("chain.yaml", chain_spec(10_000, "{$ref: '#/components/schemas/S{next}'}", "{type: string}"));
    assert_eq!(result.unwrap_or_else(|e| panic!("{e}")).type_count, 10_001);
}

#[test]
fn ten_thousand_structs_in_one_cycle_get_one_box() {
    // Each field closes the cycle; boxing the first breaks it for all the others.
    let text = chain_spec(
        10_000,
        "{type: object, required: [next], properties: {next: {$ref: '#/components/schemas/S{next}'}}}",
        "{type: object, required: [first], properties: {first: {$ref: '#/components/schemas/S0'}}}",
    );
    let (result, took) = generate_bounded("cycle.yaml", text);
    let generated = result.unwrap_or_else(|e| panic!("{e}"));
    eprintln!("10,001 structs in one cycle: generated in {took:?}");
    let boxed: Vec<&str> =
        generated.files.iter().filter(|f| f.contents.contains("Box<super::")).map(|f| f.path.as_str()).collect();
    assert_eq!(boxed, ["src/models/s0.rs"]);
}

#[test]
fn chains_just_under_the_limit_still_work() {
    let (result, _) = generate_bounded("chain.yaml", all_of_chain(200));
    let generated = result.unwrap_or_else(|e| panic!("{e}"));
    let first = generated.files.iter().find(|f| f.path == "src/models/s0.rs").expect("s0.rs");
    assert_eq!(first.contents.matches("pub p: ").count() + first.contents.matches("pub last: ").count(), 2);
}

#[test]
fn ten_thousand_value_enum_works() {
    let values: Vec<String> = (0..10_000).map(|i| format!("value-{i}")).collect();
    let text = common::spec_with_schemas(&format!("    Huge: {{type: string, enum: [{}]}}\n", values.join(", ")));
    let (result, took) = generate_bounded("enum.yaml", text);
    let generated = result.unwrap_or_else(|e| panic!("{e}"));
    eprintln!("10,000-value enum: generated in {took:?}");
    let huge = generated.files.iter().find(|f| f.path == "src/models/huge.rs").expect("huge.rs");
    let syntax = syn::parse_file(&huge.contents).expect("huge.rs parses");
    let Some(syn::Item::Enum(e)) = syntax.items.first() else { panic!("no enum first in huge.rs") };
    assert_eq!(e.variants.len(), 10_001, "every value, plus the fallback");
    assert_eq!(e.variants[9_999].ident, "Value9999");
}

const BILLION_LAUGHS: &str = r#"openapi: 3.0.3
info: {title: lol, version: "1"}
paths: {}
x-lol:
  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"#;

const EXPANDS: &str = "YAML aliases (`*name`) expand the document to far more than its text holds";

#[test]
fn billion_laughs_is_refused() {
    let (result, took) = generate_bounded("lol.yaml", BILLION_LAUGHS.to_owned());
    let error = result.expect_err("an error");
    assert_eq!(error.first().message, EXPANDS);
    assert!(error.first().pointer.as_str().starts_with("/x-lol/"), "{error}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn quadratic_alias_blowup_is_refused() {
    // 3,000 references to a list of 3,000 numbers: 9 million values from 20 kB of text, which the
    // YAML parser's own limit on alias jumps lets through.
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\nx-a: &a [{}]\nx-b: [{}]\n",
        vec!["1"; 3_000].join(","),
        vec!["*a"; 3_000].join(",")
    );
    let error = error_of_bounded("quadratic.yaml", text);
    assert_eq!(error.first().message, EXPANDS);
    assert!(error.first().pointer.as_str().starts_with("/x-b/"), "{error}");
    // Aliases that do not multiply the document are fine.
    let text = common::spec_with_schemas(
        "    A: &shape {type: object, properties: {x: {type: string}}}\n    B: *shape\n    C: *shape\n",
    );
    let (result, _) = generate_bounded("aliases.yaml", text);
    assert_eq!(result.unwrap_or_else(|e| panic!("{e}")).type_count, 3);
}

/// The `xtask` binary (8 MiB main thread) reports the same errors and exits with 1, never a
/// crash (a signal) or a hang.
#[test]
fn xtask_binary_reports_limits_instead_of_crashing() {
    let work = scratch_dir("hostile/xtask-limits");
    let cases = [
        ("deep.json", deep_spec(10_000, ITEMS_OPEN, "}"), "nested more than 100 levels deep".to_owned()),
        ("chain.yaml", all_of_chain(10_000), format!("at #/components/schemas/S255: {TOO_DEEP}")),
        ("lol.yaml", BILLION_LAUGHS.to_owned(), EXPANDS.to_owned()),
    ];
    for (name, text, expected) in cases {
        let spec = work.join(name);
        std::fs::write(&spec, text).expect("write the spec");
        let started = Instant::now();
        let output = common::xtask_codegen(&spec, &work.join("out"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.starts_with(&format!("error: {}", spec.display())), "{name}: {stderr}");
        assert!(stderr.ends_with(&format!("{expected}\n")), "{name}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(120), "{name}: {:?}", started.elapsed());
    }
    assert!(!work.join("out").exists(), "nothing was written");
}

/// A spec of about 50 MB: 2,500 schemas of 40 properties each, with long descriptions, enums and
/// `$ref`s between the schemas. Slow in debug builds; run it with
/// `cargo test --release -p authlete-codegen --test hostile -- --ignored --nocapture`.
#[test]
#[ignore = "about a minute in debug builds; run in release (see the doc comment)"]
fn fifty_megabyte_spec() {
    let text = big_spec(2_500, 40);
    let megabytes = text.len() as f64 / 1e6;
    assert!(megabytes > 45.0, "{megabytes} MB");
    let (result, took) = bounded(Duration::from_secs(600), move || {
        authlete_codegen::generate(Path::new("big.yaml"), &text).map(|g| (g.type_count, g.files.len()))
    });
    let (types, files) = result.unwrap_or_else(|e| panic!("{e}"));
    eprintln!("{megabytes:.1} MB spec: {types} types, {files} files in {took:?} (peak RSS {})", peak_rss());
    assert!(types >= 2_500);
}

fn big_spec(schemas: usize, properties: usize) -> String {
    let description = "A property with a description long enough to look like the real spec's. ".repeat(6);
    let mut text =
        String::from("openapi: 3.0.3\ninfo: {title: Big, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n");
    for s in 0..schemas {
        text.push_str(&format!("    Schema{s}:\n      type: object\n      description: Schema number {s}.\n"));
        text.push_str("      required: [p0]\n      properties:\n");
        for p in 0..properties {
            text.push_str(&format!("        property{p}:\n          description: \"{description}\"\n"));
            match p % 4 {
                0 => text.push_str("          type: string\n"),
                1 => text.push_str("          type: integer\n          format: int64\n"),
                2 => text.push_str("          type: string\n          enum: [alpha, beta, gamma, delta]\n"),
                _ => text.push_str(&format!(
                    "          type: array\n          items: {{$ref: '#/components/schemas/Schema{}'}}\n",
                    (s + p) % schemas
                )),
            }
        }
    }
    text
}

/// The process's peak resident memory, from `/proc` (Linux), for the report.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[test]
fn hostile_spec_on_a_test_thread_stack() {
    // The same hostile spec through the library on a 2 MiB thread (the stages run on their own
    // thread, so the caller's stack does not matter).
    let files = on_thread(TEST_THREAD_STACK, || common::generate(&hostile_text()).map(|g| g.files.len()));
    assert_eq!(files.unwrap_or_else(|e| panic!("{e}")), hostile().files.len());
}
