//! The wire fixups (`codegen/src/fixups.rs`) on fixture specs that have each bug as the real specs
//! do: the generated crates read and write the shapes Authlete really sends (`fixtures/wire/*.rs`,
//! one test per fixup), every fixup names its evidence, and each one fails loudly, with its exact
//! message, once its bug is gone.

mod common;

use std::fs;

use serde_json::{json, Value};

/// The fixture specs in `fixtures/wire/`, with the number of wire fixups for each.
const FIXTURES: &[(&str, usize)] = &[("current", 7), ("explorer", 11)];

fn fixture_value(name: &str) -> Value {
    serde_yaml::from_str(&common::fixture(&format!("wire/{name}.yaml"))).expect("the fixture is YAML")
}

#[test]
fn every_wire_fixup_applies_and_names_its_evidence() {
    for (name, count) in FIXTURES {
        let generated =
            common::generate(&common::fixture(&format!("wire/{name}.yaml"))).unwrap_or_else(|e| panic!("{e}"));
        let wire: Vec<&String> =
            generated.fixes.iter().map(|f| &f.message).filter(|m| m.contains("authlete-java-common")).collect();
        assert_eq!(wire.len(), *count, "{name}: {wire:#?}");
        for message in wire {
            assert!(message.contains(".java`"), "{name}: the evidence names its Java class: {message}");
        }
    }
}

#[test]
fn the_corrected_shapes_round_trip_in_the_generated_crates() {
    for (name, _) in FIXTURES {
        let generated =
            common::generate(&common::fixture(&format!("wire/{name}.yaml"))).unwrap_or_else(|e| panic!("{e}"));
        let dir = common::write_crate(&format!("wire-{name}"), &generated.files);
        fs::copy(common::fixture_path(&format!("wire/{name}.rs")), dir.join("tests/behaviour.rs"))
            .expect("copy the fixture's tests");
        common::run_cargo(&dir, common::CRATE_TESTS);
    }
}

/// The fixture with the node at `pointer` already corrected, as JSON text.
fn corrected(name: &str, pointer: &str, node: Value) -> String {
    let mut spec = fixture_value(name);
    *spec.pointer_mut(pointer).unwrap_or_else(|| panic!("{name} has {pointer}")) = node;
    spec.to_string()
}

/// The error a run ends with when the bug at `pointer` is gone.
fn stale_error(name: &str, pointer: &str, node: Value) -> String {
    common::error_of(&corrected(name, pointer, node))
}

const STALE: &str =
    "no longer applies: the spec was corrected upstream, so remove this fixup from codegen/src/fixups.rs";

#[test]
fn a_wire_fixup_whose_bug_is_gone_fails_with_its_exact_message() {
    assert_eq!(
        stale_error(
            "current",
            "/components/schemas/device_verification_response/properties/action/enum",
            json!(["SERVER_ERROR", "NOT_EXIST", "EXPIRED", "VALID"])
        ),
        format!(
            "spec.yaml at #/components/schemas/device_verification_response/properties/action/enum: the fixup for a \
             known bug of `Authlete API` (`action` lists `INTERNAL_SERVER_ERROR`; Authlete sends `SERVER_ERROR` \
             (authlete-java-common `DeviceVerificationResponse.java`: `enum Action {{ VALID, EXPIRED, NOT_EXIST, \
             SERVER_ERROR }}`)) {STALE}"
        )
    );
    assert_eq!(
        stale_error(
            "current",
            "/components/schemas/token_request/properties/properties",
            json!({"type": "array", "items": {"$ref": "#/components/schemas/property"}})
        ),
        format!(
            "spec.yaml at #/components/schemas/token_request/properties/properties: the fixup for a known bug of \
             `Authlete API` (`properties` is a string; Authlete takes an array of the spec's own `property` objects \
             (authlete-java-common `TokenRequest.java`: `Property[] properties`)) {STALE}"
        )
    );
    let mut schemas = fixture_value("explorer")["components"]["schemas"].clone();
    schemas["StringArray"] =
        json!({"type": "object", "properties": {"array": {"type": "array", "items": {"type": "string"}}}});
    assert_eq!(
        stale_error("explorer", "/components/schemas", schemas),
        format!(
            "spec.yaml at #/components/schemas: the fixup for a known bug of `Authlete API Explorer` (there is no \
             schema for `StringArray`, `{{\"array\": [...]}}`, the items of `requestedVerifiedClaimsForTx` \
             (authlete-java-common `StringArray.java`: one field, `String[] array`); added as `StringArray`) {STALE}"
        )
    );
}

#[test]
fn each_wire_fixup_fails_at_its_own_node_once_its_bug_is_gone() {
    let string_array = json!({"$ref": "#/components/schemas/string_array"});
    let explorer_string_array = json!({"$ref": "#/components/schemas/StringArray"});
    let ticket_info = json!({"$ref": "#/components/schemas/AuthorizationTicketInfo"});
    let current_schemas = |name: &str| {
        let mut schemas = fixture_value("current")["components"]["schemas"].clone();
        schemas[name] = json!({"type": "object"});
        schemas
    };
    let explorer_schemas = |name: &str| {
        let mut schemas = fixture_value("explorer")["components"]["schemas"].clone();
        schemas[name] = json!({"type": "object"});
        schemas
    };
    let token = "/paths/~1api~1{serviceId}~1auth~1token/post";
    let ticket = "/paths/~1api~1{serviceId}~1auth~1authorization~1ticket";
    let cases: Vec<(&str, String, Value)> = vec![
        ("current", "/components/schemas".into(), current_schemas("string_array")),
        (
            "current",
            "/components/schemas/authorization_response/properties/requestedVerifiedClaimsForTx/items".into(),
            string_array.clone(),
        ),
        ("current", "/components/schemas/userinfo_response/properties/requestedVerifiedClaimsForTx/items".into(), string_array),
        (
            "current",
            "/components/schemas/token_info/properties/authorizationDetails".into(),
            json!({"$ref": "#/components/schemas/authz_details"}),
        ),
        (
            "current",
            "/components/schemas/authorization_ticket_update_request/properties/info".into(),
            json!({"$ref": "#/components/schemas/authorization_ticket_info"}),
        ),
        ("explorer", "/components/schemas".into(), explorer_schemas("AuthorizationTicketInfo")),
        (
            "explorer",
            "/paths/~1api~1{serviceId}~1auth~1authorization/post/responses/200/content/application~1json/schema/properties/requestedVerifiedClaimsForTx/items".into(),
            explorer_string_array.clone(),
        ),
        (
            "explorer",
            "/paths/~1api~1{serviceId}~1auth~1userinfo/post/responses/200/content/application~1json/schema/properties/requestedVerifiedClaimsForTx/items".into(),
            explorer_string_array,
        ),
        (
            "explorer",
            "/components/schemas/api_serviceId_auth_tokenpropertiesactorTokenInfo/properties/authorizationDetails".into(),
            json!({"$ref": "#/components/schemas/AuthorizationDetails"}),
        ),
        (
            "explorer",
            format!("{token}/responses/200/content/application~1json/schema/properties/actorTokenInfo/properties/authorizationDetails"),
            json!({"$ref": "#/components/schemas/AuthorizationDetails"}),
        ),
        (
            "explorer",
            format!("{token}/requestBody/content/application~1json/schema/properties/properties"),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Property"}}),
        ),
        (
            "explorer",
            format!("{ticket}~1update/post/requestBody/content/application~1json/schema/properties/info"),
            ticket_info.clone(),
        ),
        (
            "explorer",
            format!("{ticket}~1update/post/responses/200/content/application~1json/schema/properties/info"),
            ticket_info.clone(),
        ),
        ("explorer", format!("{ticket}~1info/get/responses/200/content/application~1json/schema/properties/info"), ticket_info),
        (
            "explorer",
            "/paths/~1api~1{serviceId}~1device~1verification/post/responses/200/content/application~1json/schema/properties/action/enum".into(),
            json!(["VALID", "EXPIRED", "NOT_EXIST", "SERVER_ERROR"]),
        ),
    ];
    for (name, pointer, node) in cases {
        let error = stale_error(name, &pointer, node);
        let title = if name == "current" { "Authlete API" } else { "Authlete API Explorer" };
        assert!(
            // Messages shorten long pointers (an overlong path segment is cut in its middle).
            error.starts_with(&format!(
                "spec.yaml at #{}: the fixup for a known bug of `{title}` (",
                authlete_codegen::pointer::shorten(&pointer)
            )),
            "{name} {pointer}: {error}"
        );
        assert!(error.contains("authlete-java-common `") && error.ends_with(STALE), "{name} {pointer}: {error}");
    }
}
