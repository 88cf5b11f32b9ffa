//! Realistic Authlete payloads (every field set, see `payloads/`) round-trip losslessly through
//! the checked-in models, and the same payloads with values a newer server could send (unknown
//! enum values, unknown members) still parse, with the enum values written back unchanged.

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

/// Removes the member a JSON pointer names.
fn remove(value: &mut Value, pointer: &str) {
    let (parent, member) = pointer.rsplit_once('/').expect("a member pointer");
    if let Some(Value::Object(object)) = value.pointer_mut(parent) {
        object.shift_remove(member);
    }
}

/// Checks one manifest entry with the model type `T`.
fn check<T: Serialize + DeserializeOwned>(entry: &Value) {
    let file = entry["file"].as_str().expect("file");
    let original = read_json(file);
    assert_eq!(round_trip::<T>(&original, file), original, "{file} changed in a round trip");

    let future_file = entry["future"].as_str().expect("future");
    let future = read_json(future_file);
    let written = round_trip::<T>(&future, future_file);
    for pointer in entry["unknown_enum_pointers"].as_array().expect("pointers").iter().filter_map(Value::as_str) {
        assert_eq!(written.pointer(pointer), future.pointer(pointer), "{future_file}: unknown enum value at {pointer}");
    }
    // Unknown members are dropped, unless the schema keeps them (`additionalProperties: true`).
    let mut expected = future.clone();
    for pointer in entry["unknown_field_pointers"].as_array().expect("pointers").iter().filter_map(Value::as_str) {
        if written.pointer(pointer).is_none() {
            remove(&mut expected, pointer);
        }
    }
    assert_eq!(written, expected, "{future_file}: everything known survives the round trip");
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
}

#[test]
fn every_payload_round_trips_and_its_future_variant_still_parses() {
    let manifest = read_json("manifest.json");
    let entries = manifest.as_array().expect("the manifest is a list");
    assert_eq!(entries.len(), 12);
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
