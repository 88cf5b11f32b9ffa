//! Realistic Authlete payloads (every field set, see `payloads/`) round-trip losslessly through
//! the checked-in models, and so do the same payloads with what a newer server could send
//! (unknown enum values, unknown members): enum values and members are written back unchanged.
//! The wire shapes that the spec gets wrong (corrected by `codegen/src/fixups.rs`) are in these
//! payloads as Authlete sends them.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn payload_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/payloads")
}

fn read_json(file: &str) -> Value {
    let path = payload_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn round_trip<T: Serialize + DeserializeOwned>(value: &Value, what: &str) -> Value {
    let parsed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what} does not parse: {e}"));
    serde_json::to_value(&parsed).expect("models serialize")
}

/// Checks one manifest entry with the model type `T`.
fn check<T: Serialize + DeserializeOwned>(entry: &Value) {
    let file = entry["file"].as_str().expect("file");
    let original = read_json(file);
    assert_eq!(round_trip::<T>(&original, file), original, "{file} changed in a round trip");

    let future_file = entry["future"].as_str().expect("future");
    let future = read_json(future_file);
    let written = round_trip::<T>(&future, future_file);
    let pointers =
        |key: &str| entry[key].as_array().expect("pointers").iter().filter_map(Value::as_str).collect::<Vec<_>>();
    for pointer in pointers("unknown_enum_pointers") {
        assert_eq!(written.pointer(pointer), future.pointer(pointer), "{future_file}: unknown enum value at {pointer}");
    }
    for pointer in pointers("unknown_field_pointers") {
        assert_eq!(written.pointer(pointer), future.pointer(pointer), "{future_file}: unknown member at {pointer}");
    }
    assert_eq!(written, future, "{future_file}: everything survives the round trip");
}

macro_rules! payload_types {
    ($($schema:literal => $ty:ty),* $(,)?) => {
        /// Checks the manifest entry for `schema`; `false` if no type is registered for it.
        fn check_schema(schema: &str, entry: &Value) -> bool {
            match schema {
                $($schema => check::<$ty>(entry),)*
                _ => return false,
            }
            true
        }
    };
}

payload_types! {
    "service" => authlete::models::Service,
    "client" => authlete::models::Client,
    "token_request" => authlete::models::TokenRequest,
    "token_response" => authlete::models::TokenResponse,
    "introspection_response" => authlete::models::IntrospectionResponse,
    "authorization_response" => authlete::models::AuthorizationResponse,
    "authorization_issue_response" => authlete::models::AuthorizationIssueResponse,
    "userinfo_response" => authlete::models::UserinfoResponse,
    "revocation_response" => authlete::models::RevocationResponse,
    "pushed_authorization_response" => authlete::models::PushedAuthorizationResponse,
    "backchannel_authentication_response" => authlete::models::BackchannelAuthenticationResponse,
    "device_authorization_response" => authlete::models::DeviceAuthorizationResponse,
    "device_verification_response" => authlete::models::DeviceVerificationResponse,
    "authorization_ticket_update_request" => authlete::models::AuthorizationTicketUpdateRequest,
}

#[test]
fn every_payload_round_trips_and_its_future_variant_still_parses() {
    let manifest = read_json("manifest.json");
    let entries = manifest.as_array().expect("the manifest is a list");
    assert_eq!(entries.len(), 14);
    for entry in entries {
        let schema = entry["schema"].as_str().expect("schema");
        assert!(check_schema(schema, entry), "no model registered for schema {schema}");
    }
}

#[test]
fn unknown_enum_values_land_in_the_fallback_variant() {
    use authlete::models::{GrantType, Service};
    let service: Service = serde_json::from_value(read_json("service.future.json")).unwrap();
    let grants = service.supported_grant_types.expect("grant types are set");
    assert!(grants.contains(&GrantType::AuthorizationCode));
    assert!(grants.iter().any(|g| matches!(g, GrantType::Unrecognized(v) if v.starts_with("urn:example:"))));
}

/// Each shape that the spec gets wrong, as the payloads have it (Authlete's Java library's shape),
/// is read into the corrected model.
#[test]
fn the_wire_shapes_the_spec_gets_wrong_are_read_as_authlete_sends_them() {
    use authlete::models::*;
    let authorization: AuthorizationResponse =
        serde_json::from_value(read_json("authorization_response.json")).unwrap();
    let claims = authorization.requested_verified_claims_for_tx.expect("set");
    assert_eq!(claims[0].array.as_deref(), Some(&["birthdate".to_owned(), "nationalities".to_owned()][..]));

    let userinfo: UserinfoResponse = serde_json::from_value(read_json("userinfo_response.json")).unwrap();
    assert_eq!(userinfo.requested_verified_claims_for_tx.expect("set").len(), 2);

    let token: TokenResponse = serde_json::from_value(read_json("token_response.json")).unwrap();
    let details = token.subject_token_info.and_then(|info| info.authorization_details).expect("set");
    assert_eq!(details.elements.expect("elements")[0].r#type, "account_information");

    let request: TokenRequest = serde_json::from_value(read_json("token_request.json")).unwrap();
    let properties = request.properties.expect("set");
    assert_eq!((properties[1].key.as_deref(), properties[1].hidden), (Some("risk_score"), Some(true)));

    let update: AuthorizationTicketUpdateRequest =
        serde_json::from_value(read_json("authorization_ticket_update_request.json")).unwrap();
    assert!(update.info.context.expect("set").contains("consent"));

    let verification: DeviceVerificationResponse =
        serde_json::from_value(read_json("device_verification_response.json")).unwrap();
    assert_eq!(verification.action, Some(DeviceVerificationResponseAction::ServerError));
}

/// Reads `file` as a `T`, lets `change` edit it and writes it back: the result is the file with
/// the member at `pointer` set to `value`, and nothing else changed.
fn read_modify_write<T: Serialize + DeserializeOwned>(
    file: &str,
    change: impl FnOnce(&mut T),
    pointer: &str,
    value: Value,
) {
    let original = read_json(file);
    let mut model: T = serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
    change(&mut model);
    let mut expected = original;
    *expected.pointer_mut(pointer).expect("the member is in the file") = value;
    assert_eq!(serde_json::to_value(&model).unwrap(), expected, "{file}: read, changed at {pointer} and written");
}

#[test]
fn a_service_read_changed_and_written_back_keeps_the_members_the_spec_lacks() {
    use authlete::models::Service;
    let service: Service = serde_json::from_value(read_json("service.future.json")).unwrap();
    assert!(service.unknown_members.contains_key("postQuantumSigningAlgorithms"), "kept where users can see it");
    read_modify_write::<Service>(
        "service.future.json",
        |service| service.service_name = Some("Renamed service".into()),
        "/serviceName",
        Value::from("Renamed service"),
    );
}

#[test]
fn a_client_read_changed_and_written_back_keeps_the_members_the_spec_lacks() {
    use authlete::models::Client;
    let client: Client = serde_json::from_value(read_json("client.future.json")).unwrap();
    assert!(client.unknown_members.contains_key("softwareStatementClaims"), "kept where users can see it");
    read_modify_write::<Client>(
        "client.future.json",
        |client| client.client_name = Some("Renamed client".into()),
        "/clientName",
        Value::from("Renamed client"),
    );
}

#[test]
fn unknown_members_nested_in_known_ones_survive_too() {
    use authlete::models::DeviceVerificationResponse;
    let response: DeviceVerificationResponse =
        serde_json::from_value(read_json("device_verification_response.future.json")).unwrap();
    let grant = response.grant.as_ref().expect("set");
    assert_eq!(grant.unknown_members["expiresAt"], Value::from(1_760_352_000_000_i64));
    assert_eq!(response.unknown_members["deviceAttestation"]["format"], "android-key");
}

#[test]
fn members_added_to_the_catch_all_are_sent_but_never_shadow_a_field() {
    use authlete::models::TokenRequest;
    let mut request = TokenRequest::new("grant_type=client_credentials");
    request.unknown_members.insert("transactionTokenContext".into(), serde_json::json!({"purpose": "audit"}));
    // A field of the struct wins over a catch-all entry of the same name: it is written once.
    request.unknown_members.insert("parameters".into(), Value::from("ignored"));
    let written = serde_json::to_string(&request).unwrap();
    assert_eq!(
        written,
        r#"{"parameters":"grant_type=client_credentials","transactionTokenContext":{"purpose":"audit"}}"#
    );
    let read: TokenRequest = serde_json::from_str(&written).unwrap();
    assert_eq!(read.unknown_members.len(), 1);
    assert_ne!(read, request, "the entry shadowing a field is not sent, so it does not come back");
}

#[test]
fn the_catch_all_counts_in_equality_and_debug() {
    use authlete::models::Pair;
    let plain = Pair { key: Some("k".into()), ..Pair::default() };
    let mut extended = plain.clone();
    extended.unknown_members.insert("since".into(), Value::from(3));
    assert_ne!(plain, extended);
    assert!(format!("{extended:?}").contains("since"));
}

#[test]
fn decoding_errors_name_the_member_as_derived_impls_did() {
    use authlete::models::{AuthorizationTicketUpdateRequest, Pair};
    let missing = serde_json::from_str::<AuthorizationTicketUpdateRequest>(r#"{"ticket": "t"}"#).unwrap_err();
    assert_eq!(missing.to_string(), "missing field `info` at line 1 column 15");
    let twice = serde_json::from_str::<Pair>(r#"{"key": "a", "key": "b"}"#).unwrap_err();
    assert_eq!(twice.to_string(), "duplicate field `key` at line 1 column 18");
    let wrong = serde_json::from_str::<Pair>(r#"{"key": 1}"#).unwrap_err();
    assert_eq!(wrong.to_string(), "invalid type: integer `1`, expected a string at line 1 column 9");
    let not_object = serde_json::from_str::<Pair>("[]").unwrap_err();
    assert_eq!(not_object.to_string(), "invalid type: sequence, expected a JSON object (Pair) at line 1 column 0");
}
