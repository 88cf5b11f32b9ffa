//! Property tests: whatever the spec, the generator returns an error or Rust that parses, never a
//! panic, and the same spec always gives the same bytes.
//!
//! Two sources of specs: small random ones (hostile names, every kind of schema, `$ref`s between
//! them) and random mutations of the real Authlete spec (a subtree deleted, a node replaced by a
//! scalar, a key renamed). Case counts are modest so the file runs in seconds; raise them with
//! `PROPTEST_CASES=…` for a longer hunt.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use authlete_codegen::{Error, Generated};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

const NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "_",
    "",
    "1st",
    "日本",
    "é",
    "a-b",
    "a.b",
    "$x",
    "@y",
    "with space",
    "Option",
    "String",
    "Vec",
    "Box",
    "Result",
    "Default",
    "Serialize",
    "Mod",
    "mod",
    "Models",
    "Serde",
    "std",
    "OpenEnum",
    "Unrecognized",
    "a/b",
    "~0",
    "*/",
    "\"]",
    "#![x]",
    "clientId",
    "client_id",
    "ClientID",
    "JwsAlg",
    "jws_alg",
    "additional_properties",
    "r#type",
    "Some",
    "None",
];

const TEXTS: &[&str] = &[
    "*/ pub fn injected() {} /*",
    "\"] #![deny(warnings)] #[doc = \"",
    "`unclosed <script>alert(1)</script> <b>html</b>",
    "line\rbare CR\u{0}NUL\u{1b}[31m \u{202e}bidi\u{2066}",
    "```\nfn not_rust() {\n```",
    "{0} {name} %s \\ \\n",
    "{@link é}<é {@code 日本 <b>日本</b>{@ <",
    "<a href=\"javascript:x\">é</a> <br/> <!-- é --> </p> <p",
    "* list\n  * nested\n\n| a | b |\n|---|---|\n| é | <x> |\n\n> quote\n\n    indented code",
    "",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(NAMES).prop_map(str::to_owned),
        2 => "[a-zA-Z][a-zA-Z0-9_]{0,10}",
        1 => "(?s:.){0,6}",
    ]
}

/// Pieces that markdown, HTML, Javadoc tags and Rust syntax give meaning to, and multi-byte
/// characters to put next to them.
const PIECES: &[&str] = &[
    "<", ">", "</", "/>", "{@", "{@link ", "{@code ", "}", "`", "``", "```", "*", "_", "[", "](", ")", "\n", "\r",
    "\n\n", "&", "&amp;", ";", "#", "\\", "\"", "é", "日本", "\u{202e}", "\0", " ", "    ", "|", "-", "!", "*/", "/*",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(TEXTS).prop_map(str::to_owned),
        1 => "(?s:.){0,40}",
        2 => vec(prop_oneof![select(PIECES), select(TEXTS), select(NAMES)], 1..12).prop_map(|pieces| pieces.concat()),
    ]
}

/// A schema, with `$ref`s as indices into the spec's list of schema names.
#[derive(Debug, Clone)]
enum Shape {
    String,
    Int32,
    Int64,
    Number,
    Bool,
    Any,
    Enum(Vec<String>),
    Ref(usize),
    Array(Box<Shape>),
    Object { properties: Vec<(String, Shape, bool)>, additional: Additional },
    AllOf(Vec<Shape>),
    OneOf(Vec<Shape>),
    Nullable(Box<Shape>),
    Described(Box<Shape>, String),
}

#[derive(Debug, Clone)]
enum Additional {
    Absent,
    Any(bool),
    Schema(Box<Shape>),
}

fn shape() -> impl Strategy<Value = Shape> {
    let leaf = prop_oneof![
        Just(Shape::String),
        Just(Shape::Int32),
        Just(Shape::Int64),
        Just(Shape::Number),
        Just(Shape::Bool),
        Just(Shape::Any),
        vec(name(), 0..5).prop_map(Shape::Enum),
        (0..64usize).prop_map(Shape::Ref),
        (0..64usize).prop_map(Shape::Ref),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        let additional = prop_oneof![
            2 => Just(Additional::Absent),
            1 => any::<bool>().prop_map(Additional::Any),
            1 => inner.clone().prop_map(|s| Additional::Schema(Box::new(s))),
        ];
        let object = (vec((name(), inner.clone(), any::<bool>()), 0..6), additional)
            .prop_map(|(properties, additional)| Shape::Object { properties, additional })
            .boxed();
        prop_oneof![
            1 => inner.clone().prop_map(|s| Shape::Array(Box::new(s))),
            3 => object.clone(),
            1 => vec(prop_oneof![object, (0..64usize).prop_map(Shape::Ref)], 1..3).prop_map(Shape::AllOf),
            1 => vec(inner.clone(), 1..4).prop_map(Shape::OneOf),
            1 => inner.clone().prop_map(|s| Shape::Nullable(Box::new(s))),
            1 => (inner, text()).prop_map(|(s, text)| Shape::Described(Box::new(s), text)),
        ]
    })
}

/// A `$ref` to the schema `name`, escaped as RFC 6901 wants.
fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", name.replace('~', "~0").replace('/', "~1")) })
}

fn to_json(shape: &Shape, names: &[String]) -> Value {
    match shape {
        Shape::String => json!({"type": "string"}),
        Shape::Int32 => json!({"type": "integer", "format": "int32"}),
        Shape::Int64 => json!({"type": "integer", "format": "int64"}),
        Shape::Number => json!({"type": "number"}),
        Shape::Bool => json!({"type": "boolean"}),
        Shape::Any => json!({}),
        Shape::Enum(values) => json!({"type": "string", "enum": values}),
        Shape::Ref(index) => reference(&names[index % names.len()]),
        Shape::Array(items) => json!({"type": "array", "items": to_json(items, names)}),
        Shape::Object { properties, additional } => {
            let mut members = Map::new();
            let mut required = Vec::new();
            for (name, shape, is_required) in properties {
                members.insert(name.clone(), to_json(shape, names));
                if *is_required && !required.contains(name) {
                    required.push(name.clone());
                }
            }
            let mut object = json!({"type": "object", "properties": members});
            if !required.is_empty() {
                object["required"] = json!(required);
            }
            match additional {
                Additional::Absent => {}
                Additional::Any(allowed) => object["additionalProperties"] = json!(allowed),
                Additional::Schema(shape) => object["additionalProperties"] = to_json(shape, names),
            }
            object
        }
        Shape::AllOf(members) => json!({"allOf": members.iter().map(|m| to_json(m, names)).collect::<Vec<_>>()}),
        Shape::OneOf(members) => json!({"oneOf": members.iter().map(|m| to_json(m, names)).collect::<Vec<_>>()}),
        Shape::Nullable(inner) => with(to_json(inner, names), "nullable", json!(true)),
        Shape::Described(inner, text) => with(to_json(inner, names), "description", json!(text)),
    }
}

/// `schema` with one more keyword (next to a `$ref`, as the Authlete spec writes them too).
fn with(mut schema: Value, key: &str, value: Value) -> Value {
    if let Some(object) = schema.as_object_mut() {
        object.insert(key.to_owned(), value);
    }
    schema
}

/// A small random spec, as JSON or YAML: named schemas, and an operation whose bodies are inline
/// schemas.
fn small_spec() -> impl Strategy<Value = String> {
    (vec((name(), shape()), 1..8), shape(), shape(), name(), text(), any::<bool>()).prop_map(
        |(schemas, request, response, operation, title, yaml)| {
            let names: Vec<String> = schemas.iter().map(|(name, _)| name.clone()).collect();
            let schemas: Map<String, Value> =
                schemas.iter().map(|(name, shape)| (name.clone(), to_json(shape, &names))).collect();
            let body = |shape: &Shape| json!({"application/json": {"schema": to_json(shape, &names)}});
            let spec = json!({
                "openapi": "3.0.3",
                "info": {"title": title, "version": "1"},
                "paths": {
                    "/things/{id}": {
                        "post": {
                            "operationId": operation,
                            "requestBody": {"content": body(&request)},
                            "responses": {"200": {"description": "ok", "content": body(&response)}}
                        }
                    }
                },
                "components": {"schemas": schemas}
            });
            if yaml {
                serde_yaml::to_string(&spec).expect("YAML")
            } else {
                serde_json::to_string_pretty(&spec).expect("JSON")
            }
        },
    )
}

fn generate(text: &str) -> Result<Generated, Error> {
    authlete_codegen::generate(Path::new("fuzz.json"), text)
}

/// What every outcome must satisfy: an error, or files whose Rust parses.
fn check(text: &str) -> Option<Generated> {
    match generate(text) {
        Err(error) => {
            assert!(!error.first().message.is_empty());
            None
        }
        Ok(generated) => {
            common::parse_rust_files(&generated.files);
            Some(generated)
        }
    }
}

fn config(cases: u32) -> Config {
    // No regression files written into the source tree; failures print the minimal spec.
    // `PROPTEST_CASES` still wins, for a longer hunt.
    let cases = std::env::var_os("PROPTEST_CASES").map_or(cases, |_| Config::default().cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn random_small_specs_give_an_error_or_rust_that_parses(text in small_spec()) {
        if let Some(first) = check(&text) {
            // Determinism: the same spec, the same bytes (maps in the generator are seeded
            // differently each time).
            let second = generate(&text).expect("succeeded once");
            prop_assert!(first.files == second.files, "two runs differ");
            prop_assert_eq!(first.warnings, second.warnings);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations of the real spec

fn real_spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_yaml::from_str(&common::shared_spec("authlete-openapi.yaml")).expect("the real spec is YAML")
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Replace(Index, Value),
    Rename(Index, String),
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
        name().prop_map(Value::String),
        Just(json!({})),
        Just(json!([])),
        Just(json!({"$ref": "#/components/schemas/Client"})),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Delete),
        (any::<Index>(), scalar()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        (any::<Index>(), name()).prop_map(|(at, name)| Mutation::Rename(at, name)),
    ]
}

/// The JSON pointer of every node but the root, depth first.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => return,
    };
    for (segment, child) in children {
        let pointer = format!("{at}/{segment}");
        pointers(child, &pointer, out);
        out.push(pointer);
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn mutate(spec: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(spec, "", &mut all);
    let (Mutation::Delete(at) | Mutation::Replace(at, _) | Mutation::Rename(at, _)) = mutation;
    let pointer = &all[at.index(all.len())];
    let (parent, last) = pointer.rsplit_once('/').expect("not the root");
    let key = unescape(last);
    match mutation {
        Mutation::Replace(_, value) => {
            if let Some(node) = spec.pointer_mut(pointer) {
                *node = value.clone();
            }
        }
        Mutation::Delete(_) => match spec.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.shift_remove(&key);
            }
            Some(Value::Array(items)) => {
                if let Ok(index) = key.parse::<usize>() {
                    items.remove(index);
                }
            }
            _ => {}
        },
        Mutation::Rename(_, name) => {
            if let Some(Value::Object(map)) = spec.pointer_mut(parent) {
                if let Some(value) = map.shift_remove(&key) {
                    map.insert(name.clone(), value);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config(16))]

    #[test]
    fn mutations_of_the_real_spec_give_an_error_or_rust_that_parses(mutations in vec(mutation(), 1..4)) {
        let mut spec = real_spec().clone();
        for mutation in &mutations {
            mutate(&mut spec, mutation);
        }
        check(&serde_json::to_string(&spec).expect("JSON"));
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed samples

/// The same spec gives the same bytes, run after run; for both real specs.
#[test]
fn real_specs_generate_deterministically() {
    for name in ["authlete-openapi.yaml", "authlete-openapi-2025-08.yaml"] {
        let text = common::shared_spec(name);
        let path = common::shared_spec_path(name);
        let first = authlete_codegen::generate(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        let second = authlete_codegen::generate(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(first.files == second.files, "{name}: two runs differ");
        assert_eq!(first.warnings, second.warnings, "{name}");
        common::parse_rust_files(&first.files);
    }
}

/// The generated crate forbids unsafe code.
#[test]
fn generated_crate_forbids_unsafe_code() {
    let generated = common::generate(&common::shared_spec("authlete-openapi.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let lib = generated.files.iter().find(|f| f.path == "src/lib.rs").expect("src/lib.rs");
    let syntax = syn::parse_file(&lib.contents).expect("src/lib.rs parses");
    let forbids = syntax.attrs.iter().any(|attr| {
        attr.path().is_ident("forbid")
            && attr.parse_args::<syn::Path>().is_ok_and(|lint| lint.is_ident("unsafe_code"))
            && matches!(attr.style, syn::AttrStyle::Inner(_))
    });
    assert!(forbids, "src/lib.rs has no #![forbid(unsafe_code)]:\n{}", lib.contents);
    assert!(lib.contents.lines().any(|line| line == "#![forbid(unsafe_code)]"));
}

/// A few random specs (a fixed sample, the same every run) give crates that build. Set
/// `FUZZ_BUILD_SAMPLES=n` to build more.
#[test]
fn sample_of_random_specs_build() {
    let wanted: usize = std::env::var("FUZZ_BUILD_SAMPLES").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
    let mut runner = TestRunner::deterministic();
    let strategy = small_spec();
    let mut built = 0;
    for attempt in 0..wanted * 30 {
        let text = strategy.new_tree(&mut runner).expect("a value").current();
        let Ok(generated) = generate(&text) else { continue };
        if generated.type_count < 3 {
            continue;
        }
        common::compile(&format!("fuzz-sample-{attempt}"), &generated.files);
        built += 1;
        if built == wanted {
            return;
        }
    }
    panic!("only {built} of {} random specs generated a crate", wanted * 30);
}
