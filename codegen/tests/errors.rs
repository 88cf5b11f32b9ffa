//! Bad specs get one clear error each: which file, where in it, and what is wrong.
//!
//! Every message is asserted in full, as `Display` shows it (and so as `cargo xtask codegen`
//! prints it after `error: `).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{error_of, fixture, scratch_dir, snapshot, spec_with_schemas, write_files, xtask_codegen};

/// The error for `fixtures/errors/<name>`, with the file named by its bare name.
fn fixture_error(name: &str) -> authlete_codegen::Error {
    let text = fixture(&format!("errors/{name}"));
    match authlete_codegen::generate(Path::new(name), &text) {
        Ok(_) => panic!("{name} generated a crate instead of failing"),
        Err(error) => error,
    }
}

#[test]
fn errors_carry_file_pointer_position_and_message() {
    let error = fixture_error("not_yaml.yaml");
    assert_eq!(error.file, Path::new("not_yaml.yaml"));
    assert_eq!(error.problems.len(), 1);
    assert_eq!(error.first().pointer, "");
    assert_eq!(error.first().line_column, Some((3, 1)));
    assert_eq!(error.first().message, "not valid YAML or JSON: did not find expected ',' or '}'");

    let error = fixture_error("dangling_ref.yaml");
    assert_eq!(error.first().pointer, "/components/schemas/A/properties/b/$ref");
    assert_eq!(error.first().line_column, None);
    // It is a std error, so it works with `?` and `Box<dyn Error>`.
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert!(boxed.to_string().starts_with("dangling_ref.yaml at #/components/schemas/A/properties/b/$ref: "));
}

#[test]
fn missing_spec_file() {
    let out = scratch_dir("errors/missing-spec-out");
    let output = xtask_codegen(Path::new("/nonexistent/spec.yaml"), &out);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: /nonexistent/spec.yaml: cannot read the spec: No such file or directory (os error 2)\n"
    );
    assert!(output.stdout.is_empty());
    assert_eq!(fs::read_dir(&out).expect("the out dir exists").count(), 0, "nothing was written");
}

#[test]
fn not_yaml_or_json() {
    assert_eq!(
        fixture_error("not_yaml.yaml").to_string(),
        "not_yaml.yaml:3:1: not valid YAML or JSON: did not find expected ',' or '}'"
    );
    assert_eq!(
        fixture_error("not_json.json").to_string(),
        "not_json.json:4:14: not valid YAML or JSON: did not find expected ',' or '}'"
    );
    // Raw control characters are not YAML; the position is where the first one is.
    assert_eq!(
        error_of("openapi: 3.0.3\ninfo:\n  title: \"T\u{1}\"\n"),
        "spec.yaml:3:12: not valid YAML or JSON: control characters are not allowed"
    );
    assert_eq!(
        error_of("openapi: 3.0.3\n---\nopenapi: 3.0.3\n"),
        "spec.yaml: not valid YAML or JSON: deserializing from YAML containing more than one document is not \
         supported"
    );
    assert_eq!(
        error_of("openapi: 3.0.3\ninfo: !custom {title: T, version: '1'}\npaths: {}\n"),
        "spec.yaml:2:7 at #/info: YAML tags (`!name`) are not supported"
    );
    assert_eq!(
        error_of("- openapi: 3.0.3\n"),
        "spec.yaml: expected an OpenAPI document (a mapping at the top level), found a list"
    );
}

#[test]
fn duplicate_keys_are_errors_not_silently_merged() {
    assert_eq!(
        error_of(&spec_with_schemas("    A: {type: string}\n    A: {type: integer}\n")),
        "spec.yaml:6:5 at #/components/schemas: duplicate key `A`"
    );
}

#[test]
fn not_openapi_3_0() {
    assert_eq!(
        fixture_error("swagger2.yaml").to_string(),
        "swagger2.yaml at #/swagger: this is a Swagger (OpenAPI 2.0) document; the generator reads OpenAPI 3.0.x \
         only (convert it first)"
    );
    assert_eq!(
        fixture_error("openapi31.yaml").to_string(),
        "openapi31.yaml at #/openapi: OpenAPI 3.1.0 is not supported; the generator reads OpenAPI 3.0.x"
    );
    assert_eq!(
        error_of("info: {title: T, version: '1'}\npaths: {}\n"),
        "spec.yaml: no `openapi` version field: this is not an OpenAPI 3.0 document"
    );
    assert_eq!(
        error_of("openapi: 3.0\ninfo: {title: T, version: '1'}\npaths: {}\n"),
        "spec.yaml at #/openapi: unsupported OpenAPI version 3.0; the generator reads OpenAPI 3.0.x"
    );
    assert_eq!(
        error_of("openapi: 3.0.3\npaths: {}\n"),
        "spec.yaml: not a valid OpenAPI 3.0 document: missing field `info`"
    );
}

#[test]
fn dangling_ref() {
    assert_eq!(
        fixture_error("dangling_ref.yaml").to_string(),
        "dangling_ref.yaml at #/components/schemas/A/properties/b/$ref: `$ref` points at nothing: \
         `#/components/schemas/Nope`"
    );
    assert_eq!(
        error_of(&spec_with_schemas("    A: {$ref: 'other.yaml#/A'}\n")),
        "spec.yaml at #/components/schemas/A/$ref: only local `$ref`s (`#/…`) are supported, found `other.yaml#/A`"
    );
}

#[test]
fn ref_to_something_that_is_not_a_schema() {
    assert_eq!(
        fixture_error("ref_to_response.yaml").to_string(),
        "ref_to_response.yaml at #/components/schemas/A/properties/x/$ref: `$ref` to `#/components/responses/X`, \
         which is not a schema under `#/components/schemas`"
    );
}

#[test]
fn ref_cycles_that_cannot_be_represented() {
    assert_eq!(
        fixture_error("ref_cycle.yaml").to_string(),
        "ref_cycle.yaml at #/components/schemas/A: `$ref` cycle that cannot be represented: A → B → A"
    );
    assert_eq!(
        error_of(&spec_with_schemas("    A: {$ref: '#/components/schemas/A'}\n")),
        "spec.yaml at #/components/schemas/A: `$ref` cycle that cannot be represented: A → A"
    );
    // Cycles through `allOf`, or between `$ref`s into properties, never reach a type: named.
    assert_eq!(
        error_of(&spec_with_schemas(
            "    A: {allOf: [{$ref: '#/components/schemas/B'}]}\n    B: {allOf: [{$ref: '#/components/schemas/A'}]}\n"
        )),
        "spec.yaml at #/components/schemas/B/allOf/0: `allOf` cycle that cannot be represented: \
         #/components/schemas/A → #/components/schemas/B → #/components/schemas/A"
    );
    assert_eq!(
        error_of(&spec_with_schemas(
            "    A: {type: object, properties: {x: {$ref: '#/components/schemas/B/properties/y'}}}\n    \
             B: {type: object, properties: {y: {$ref: '#/components/schemas/A/properties/x'}}}\n"
        )),
        "spec.yaml at #/components/schemas/B/properties/y: `$ref` cycle that cannot be represented: \
         #/components/schemas/A/properties/x → #/components/schemas/B/properties/y → #/components/schemas/A/properties/x"
    );
    // A type alias may not contain itself, even inside a `Vec` or a map.
    assert_eq!(
        error_of(&spec_with_schemas("    A: {type: array, items: {$ref: '#/components/schemas/A'}}\n")),
        "spec.yaml at #/components/schemas/A: `$ref` cycle that cannot be represented: A → A"
    );
    assert_eq!(
        error_of(&spec_with_schemas(
            "    A: {type: object, additionalProperties: {$ref: '#/components/schemas/B'}}\n    \
             B: {type: array, items: {$ref: '#/components/schemas/A'}}\n"
        )),
        "spec.yaml at #/components/schemas/A: `$ref` cycle that cannot be represented: A → B → A"
    );
    // Nor may a `oneOf` hold itself by value with only enums and aliases in between.
    assert_eq!(
        error_of(&spec_with_schemas("    U: {oneOf: [{$ref: '#/components/schemas/U'}, {type: string}]}\n")),
        "spec.yaml at #/components/schemas/U: `$ref` cycle that cannot be represented: a value of `U` would \
         contain itself (U → U); put an object or array in between"
    );
    assert_eq!(
        error_of(&spec_with_schemas(
            "    V: {oneOf: [{$ref: '#/components/schemas/W'}, {type: string}]}\n    \
             W: {$ref: '#/components/schemas/V'}\n"
        )),
        "spec.yaml at #/components/schemas/V: `$ref` cycle that cannot be represented: a value of `V` would \
         contain itself (V → W → V); put an object or array in between"
    );
    // A cycle through a struct field is fine: the field is boxed.
    let generated = common::generate(&spec_with_schemas(
        "    Node: {type: object, required: [next], properties: {next: {$ref: '#/components/schemas/Node'}}}\n",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let node = generated.files.iter().find(|f| f.path == "src/models/node.rs").expect("node.rs");
    assert!(node.contents.contains("pub next: Box<super::Node>,"), "{}", node.contents);
}

#[test]
fn unsupported_keywords() {
    assert_eq!(
        fixture_error("not_keyword.yaml").to_string(),
        "not_keyword.yaml at #/components/schemas/NotAString/not: `not` schemas cannot be expressed as a Rust type"
    );
    assert_eq!(
        error_of(&spec_with_schemas("    A: {type: string, oneOf: [{type: string}, {type: integer}]}\n")),
        "spec.yaml at #/components/schemas/A: unsupported combination of schema keywords (type: string, oneOf)"
    );
    assert_eq!(
        error_of(&spec_with_schemas("    A: {type: strnig}\n")),
        "spec.yaml at #/components/schemas/A: unsupported combination of schema keywords (type: strnig)"
    );
}

#[test]
fn names_that_collide_after_case_conversion_are_numbered_and_reported() {
    let text = fixture("errors/duplicate_names.yaml");
    let generated =
        authlete_codegen::generate(Path::new("duplicate_names.yaml"), &text).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["#/components/schemas/JwsAlg: type name `JwsAlg` is already taken by `JwsAlg` (#/components/schemas/jws_alg); this type is called `JwsAlg2`"]
    );
    let file = |path: &str| {
        let file = generated.files.iter().find(|f| f.path == path);
        file.unwrap_or_else(|| panic!("{path} is missing")).contents.clone()
    };
    assert!(file("src/models/jws_alg.rs").contains("pub type JwsAlg = String;"));
    assert!(file("src/models/jws_alg2.rs").contains("pub type JwsAlg2 = i64;"));
    let models = file("src/models/mod.rs");
    assert!(models.contains("pub use jws_alg::JwsAlg;") && models.contains("pub use jws_alg2::JwsAlg2;"), "{models}");
    // Deterministic: the same spec always gives the same names.
    let again = authlete_codegen::generate(Path::new("duplicate_names.yaml"), &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.files, generated.files);
}

#[test]
fn empty_spec() {
    assert_eq!(fixture_error("empty.yaml").to_string(), "empty.yaml: the spec is empty");
    assert_eq!(error_of(" \n\t\n"), "spec.yaml: the spec is empty");
    assert_eq!(
        error_of("# nothing but a comment\n"),
        "spec.yaml: expected an OpenAPI document (a mapping at the top level), found nothing (null)"
    );
    assert_eq!(
        error_of("---\n"),
        "spec.yaml: expected an OpenAPI document (a mapping at the top level), found nothing (null)"
    );
}

/// A failed run leaves the crate directory exactly as it was: same files, same bytes, nothing
/// added (no temporary files either).
#[test]
fn failed_generation_leaves_the_crate_untouched() {
    let work = scratch_dir("errors/untouched");
    let crate_dir = work.join("crate");
    let real = common::shared_spec("authlete-openapi.yaml");
    let generated = common::generate(&real).unwrap_or_else(|e| panic!("{e}"));
    write_files(&crate_dir, &generated.files);
    // Make it differ from what any spec would give, so that a write would show.
    fs::write(crate_dir.join("src/models/stale.rs"), "// an orphan a successful run would delete\n").unwrap();
    let before = snapshot(&crate_dir);

    for (name, expected) in [
        (
            "ref_cycle.yaml",
            "ref_cycle.yaml at #/components/schemas/A: `$ref` cycle that cannot be represented: A → B → A",
        ),
        ("not_yaml.yaml", "not_yaml.yaml:3:1: not valid YAML or JSON: did not find expected ',' or '}'"),
    ] {
        let spec = work.join(name);
        fs::write(&spec, fixture(&format!("errors/{name}"))).unwrap();
        let output = xtask_codegen(&spec, &crate_dir);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("error: {}\n", expected.replacen(name, &spec.display().to_string(), 1))
        );
        assert!(snapshot(&crate_dir) == before, "{name}: the crate directory changed");
    }

    // A successful run then brings it in line, and leaves no temporary file behind either.
    let spec = common::shared_spec_path("authlete-openapi.yaml");
    let output = xtask_codegen(&spec, &crate_dir);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let after: Vec<PathBuf> = snapshot(&crate_dir).into_iter().map(|(path, _)| path).collect();
    let expected: Vec<PathBuf> = {
        let mut paths: Vec<PathBuf> = generated.files.iter().map(|f| crate_dir.join(&f.path)).collect();
        paths.sort();
        paths
    };
    assert_eq!(after, expected);
}

#[test]
fn valid_json_is_read_even_where_yaml_would_refuse_it() {
    // Raw DEL and C1 control characters are fine in JSON strings, not in YAML.
    let json =
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"T\u{7f}\u{85}\u{9b}\", \"version\": \"1\"}, \"paths\": {}}";
    let generated = common::generate(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(generated.title, "T\u{7f}\u{85}\u{9b}");
    // A YAML document in flow style also starts with `{`.
    let generated = common::generate("{openapi: 3.0.3, info: {title: T, version: '1'}, paths: {}}")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(generated.title, "T");
    // Duplicate keys and nesting are limited for JSON just as for YAML.
    assert_eq!(error_of("{\"openapi\": \"3.0.3\", \"openapi\": \"3.0.3\"}"), "spec.yaml:1:30: duplicate key `openapi`");
}

/// The recursion Rust can express is generated, and builds: through struct fields (boxed),
/// arrays and maps, also with `oneOf` and aliases on the way.
#[test]
fn representable_recursion_builds() {
    let generated = common::generate(&spec_with_schemas(
        "    Tree: {type: object, required: [children], properties: {children: {type: array, items: {$ref: \
         '#/components/schemas/Tree'}}, parent: {$ref: '#/components/schemas/Tree'}}}\n    \
         X: {oneOf: [{$ref: '#/components/schemas/Y'}, {type: integer}]}\n    \
         Y: {type: object, required: [x], properties: {x: {$ref: '#/components/schemas/X'}}}\n    \
         Json: {oneOf: [{type: array, items: {$ref: '#/components/schemas/Json'}}, {type: object, \
         additionalProperties: {$ref: '#/components/schemas/Json'}}, {type: string}]}\n    \
         Alias: {$ref: '#/components/schemas/Json'}\n    \
         Z: {type: object, required: [z], properties: {z: {$ref: '#/components/schemas/Z'}}, \
         additionalProperties: {$ref: '#/components/schemas/Z'}}\n",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    common::compile("representable-recursion", &generated.files);
}

/// Specs in the wild break rules of OpenAPI 3.0 in ways that have one obvious meaning: they
/// generate, with one warning per occurrence at its exact pointer (never an error at `#/paths`).
#[test]
fn breaches_with_one_obvious_meaning_are_warnings_at_their_pointers() {
    let text = fixture("errors/tolerated.yaml");
    let generated = authlete_codegen::generate(Path::new("tolerated.yaml"), &text).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "#/paths/~1a/get/responses/200: the response has no `description` (OpenAPI 3.0 requires one); read as an \
             empty description",
            "#/paths/~1a/get/responses/default: the response has no `description` (OpenAPI 3.0 requires one); read \
             as an empty description",
            "#/paths/~1a/post: the operation has no `responses` (OpenAPI 3.0 requires them); read as none documented",
            "#/components/responses/NotFound: the response has no `description` (OpenAPI 3.0 requires one); read as \
             an empty description",
            // What the operations make of the same spec.
            "#/paths/~1a/get: the operation has no `operationId`; its method is called `get_a`",
            "#/paths/~1a/post: the operation has no `operationId`; its method is called `post_a`",
            "#/paths/~1a/post/responses: no success answer is described; the method returns `()` for any 2xx status",
            "#/paths/~1b/get: the operation has no `operationId`; its method is called `get_b`",
            "#/components/responses/NotFound/content: a `204` answer has no body; the content the spec gives it is \
             not read",
        ]
    );
    // The types behind them are still made.
    assert!(generated.files.iter().any(|f| f.path == "src/models/not_found.rs"));
    let generated =
        common::generate("openapi: 3.0.3\ninfo: {title: T, version: '1'}\n").unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings, ["#: the document has no `paths` (OpenAPI 3.0 requires them); read as no operations"]);
}

/// Every part of the document that is not OpenAPI 3.0 is named at its own pointer, in one run.
#[test]
fn every_invalid_part_is_reported_at_once() {
    let error = fixture_error("many_invalid_parts.yaml");
    assert_eq!(error.problems.len(), 5);
    assert_eq!(
        error.to_string(),
        "many_invalid_parts.yaml at #/paths/~1a/get/parameters/0: not a valid OpenAPI 3.0 document: missing field `in`
many_invalid_parts.yaml at #/paths/~1a/get/responses/200/content: not a valid OpenAPI 3.0 document: invalid type: \
         integer `5`, expected a map
many_invalid_parts.yaml at #/paths/~1b/post/requestBody/content: not a valid OpenAPI 3.0 document: invalid type: \
         sequence, expected a map
many_invalid_parts.yaml at #/components/schemas/A: not a valid OpenAPI 3.0 document: invalid type: integer `3`, \
         expected a map
many_invalid_parts.yaml at #/components/securitySchemes/key: not a valid OpenAPI 3.0 document: missing field `in`"
    );
}

/// A schema the model cannot express does not end the run: every such schema is named.
#[test]
fn every_schema_error_is_reported_at_once() {
    let error = fixture_error("many_model_errors.yaml");
    assert_eq!(
        error.to_string(),
        "many_model_errors.yaml at #/components/schemas/A/properties/b/$ref: `$ref` points at nothing: \
         `#/components/schemas/Nope`
many_model_errors.yaml at #/components/schemas/B: unsupported combination of schema keywords (type: string, oneOf)
many_model_errors.yaml at #/components/schemas/F/properties/f/$ref: only local `$ref`s (`#/…`) are supported, found \
         `other.yaml#/F`
many_model_errors.yaml at #/paths/~1a/get/responses/200/content/application~1json/schema/not: `not` schemas cannot \
         be expressed as a Rust type
many_model_errors.yaml at #/paths/~1b/post/requestBody/content/application~1json/schema/not: `not` schemas cannot \
         be expressed as a Rust type
many_model_errors.yaml at #/components/schemas/D: `$ref` cycle that cannot be represented: D → E → D"
    );
    // `xtask` prints one `error:` line per problem, and writes nothing.
    let work = scratch_dir("errors/many");
    let spec = work.join("many_model_errors.yaml");
    fs::write(&spec, fixture("errors/many_model_errors.yaml")).unwrap();
    let output = xtask_codegen(&spec, &work.join("out"));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 6, "{stderr}");
    assert!(lines.iter().all(|line| line.starts_with(&format!("error: {} at #/", spec.display()))), "{stderr}");
    assert!(!work.join("out").exists());
}

/// Long pointers are shortened in the middle wherever a message shows one.
#[test]
fn long_pointers_are_shortened_in_messages() {
    let open = format!("{{type: object, properties: {{p: {}", "{type: array, items: ".repeat(12));
    let text = spec_with_schemas(&format!("    A: {open}{{not: {{type: string}}}}{}}}}}\n", "}".repeat(12)));
    // 18 segments: the first and last five are shown.
    assert_eq!(
        error_of(&text),
        "spec.yaml at #/components/schemas/A/properties/p/…8 more…/items/items/items/items/not: `not` schemas cannot \
         be expressed as a Rust type"
    );
    // The error itself keeps the whole pointer.
    let error = common::generate(&text).expect_err("an error");
    assert_eq!(error.first().pointer, format!("/components/schemas/A/properties/p{}/not", "/items".repeat(12)));
}

#[test]
fn a_fixup_whose_bug_is_gone_upstream_fails_loudly() {
    // The official spec with one example bug corrected, as a future upstream version would be.
    let text = common::shared_spec("authlete-openapi.yaml");
    let bug = "          example:\n            resultCode: 404\n";
    assert_eq!(text.matches(bug).count(), 1, "the known bug is in the pinned spec");
    let corrected = text.replace(bug, "          example:\n            resultCode: '404'\n");
    let error = common::generate(&corrected).expect_err("a stale fixup is an error");
    assert_eq!(
        error.to_string(),
        "spec.yaml at #/components/responses/404/content/application~1json/example/resultCode: the fixup for a \
         known bug of `Authlete API` (the example's `resultCode` is the number 404; result codes are strings) no \
         longer applies: the spec was corrected upstream, so remove this fixup from codegen/src/fixups.rs"
    );

    // Two bugs fixed upstream at once: both fixups are named in one run.
    let client_bug = "        clientId: '1140735077'\n";
    assert_eq!(text.matches(client_bug).count(), 1, "the second known bug is in the pinned spec");
    let corrected = corrected.replace(client_bug, "        clientId: 1140735077\n");
    let error = common::generate(&corrected).expect_err("stale fixups are an error");
    assert_eq!(
        error.to_string(),
        "spec.yaml at #/components/responses/404/content/application~1json/example/resultCode: the fixup for a \
         known bug of `Authlete API` (the example's `resultCode` is the number 404; result codes are strings) no \
         longer applies: the spec was corrected upstream, so remove this fixup from codegen/src/fixups.rs
spec.yaml at #/components/schemas/client/example/clientId: the fixup for a known bug of `Authlete API` (the \
         example's `clientId` is a string; the schema says int64) no longer applies: the spec was corrected \
         upstream, so remove this fixup from codegen/src/fixups.rs"
    );
}
