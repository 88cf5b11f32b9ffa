//! Corrections of known upstream spec bugs, applied to the raw document before anything reads it.
//!
//! Each fixup names the spec (by `info.title`) it corrects and checks that the bug is still there
//! before changing anything. When a spec with that title no longer has the bug, the fixup fails
//! loudly instead of silently doing nothing, so that it gets removed rather than rotting here.

use serde_json::Value;

use crate::error::{Problem, Warning};
use crate::pointer::Pointer;

struct Fixup {
    spec_title: &'static str,
    /// The node the fixup works on.
    pointer: &'static str,
    what: &'static str,
    edit: Edit,
}

enum Edit {
    /// The node must equal the JSON text `from`; it becomes `to`.
    Replace { from: &'static str, to: &'static str },
    /// The node is an object that must have these members; they are removed.
    RemoveMembers(&'static [&'static str]),
    /// Anything else: changes the node, or returns `false` when the bug is not there.
    Custom(fn(&mut Value) -> bool),
}

impl Edit {
    fn apply(&self, node: &mut Value) -> bool {
        match self {
            Edit::Replace { from, to } => {
                match (serde_json::from_str::<Value>(from), serde_json::from_str::<Value>(to)) {
                    (Ok(from), Ok(to)) if *node == from => {
                        *node = to;
                        true
                    }
                    _ => false,
                }
            }
            Edit::RemoveMembers(members) => match node.as_object_mut() {
                Some(object) if members.iter().all(|m| object.contains_key(*m)) => {
                    members.iter().for_each(|m| {
                        object.shift_remove(*m);
                    });
                    true
                }
                _ => false,
            },
            Edit::Custom(apply) => apply(node),
        }
    }
}

const CURRENT: &str = "Authlete API";
const EXPLORER_2025_08: &str = "Authlete API Explorer";

// Wire shapes. The spec's shapes are checked against Authlete's hand-written Java library,
// authlete/authlete-java-common (`src/main/java/com/authlete/common/dto/`): its API client
// serializes these classes with a plain Gson (`Utils.toJson`, no type adapters, no
// `@SerializedName`), so a class's fields are the members on the wire.

/// `StringArray.java`: one member, `String[] array` (it exists because a JSON library of the time
/// could not handle arrays of arrays).
const STRING_ARRAY: &str = r#"{
    "type": "object",
    "description": "A list of strings, wrapped in an object as Authlete sends it (`StringArray` of Authlete's Java library). Added by the generator: the spec lacks it.",
    "properties": {"array": {"type": "array", "items": {"type": "string"}, "description": "The strings."}}
}"#;

/// `AuthorizationTicketInfo.java`: one member, `String context`.
const AUTHORIZATION_TICKET_INFO: &str = r#"{
    "type": "object",
    "description": "Information about a ticket issued by the `/auth/authorization` API (`AuthorizationTicketInfo` of Authlete's Java library). Added by the generator: the spec lacks it.",
    "properties": {"context": {"type": "string", "description": "The arbitrary text attached to the ticket."}}
}"#;

/// Adds the schema `name` (JSON text `schema`) to `components/schemas`; `false` if it is there.
fn add_schema(schemas: &mut Value, name: &str, schema: &str) -> bool {
    match (schemas.as_object_mut(), serde_json::from_str::<Value>(schema)) {
        (Some(schemas), Ok(schema)) if !schemas.contains_key(name) => {
            schemas.insert(name.to_owned(), schema);
            true
        }
        _ => false,
    }
}

/// A `type: string` member schema becomes `to` (JSON text), keeping its description.
fn retype_string(node: &mut Value, to: &str) -> bool {
    let is_string = node.get("type").and_then(Value::as_str) == Some("string") && node.get("items").is_none();
    match (is_string, serde_json::from_str::<Value>(to)) {
        (true, Ok(mut to)) => {
            if let (Some(description), Some(object)) = (node.get("description").cloned(), to.as_object_mut()) {
                object.insert("description".into(), description);
            }
            *node = to;
            true
        }
        _ => false,
    }
}

/// An array-of-strings schema becomes a `$ref` to `target`, keeping its description.
fn array_of_strings_to_ref(node: &mut Value, target: &str) -> bool {
    let strings = node.get("type").and_then(Value::as_str) == Some("array")
        && node.pointer("/items/type").and_then(Value::as_str) == Some("string");
    if !strings {
        return false;
    }
    let mut reference = serde_json::Map::new();
    reference.insert("$ref".into(), Value::String(target.to_owned()));
    if let Some(description) = node.get("description").cloned() {
        reference.insert("description".into(), description);
    }
    *node = Value::Object(reference);
    true
}

const FIXUPS: &[Fixup] = &[
    // Wire shapes of the current spec (see above).
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas",
        what: "there is no schema for `StringArray`, `{\"array\": [...]}`, the items of `requestedVerifiedClaimsForTx` \
               (authlete-java-common `StringArray.java`: one field, `String[] array`); added as `string_array`",
        edit: Edit::Custom(|schemas| add_schema(schemas, "string_array", STRING_ARRAY)),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/authorization_response/properties/requestedVerifiedClaimsForTx/items",
        what: "the items of `requestedVerifiedClaimsForTx` are arrays of strings; Authlete sends `StringArray` objects, \
               `{\"array\": [...]}` (authlete-java-common `AuthorizationResponse.java`: `StringArray[] requestedVerifiedClaimsForTx`)",
        edit: Edit::Custom(|items| array_of_strings_to_ref(items, "#/components/schemas/string_array")),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/userinfo_response/properties/requestedVerifiedClaimsForTx/items",
        what: "the items of `requestedVerifiedClaimsForTx` are arrays of strings; Authlete sends `StringArray` objects, \
               `{\"array\": [...]}` (authlete-java-common `UserInfoResponse.java`: `StringArray[] requestedVerifiedClaimsForTx`)",
        edit: Edit::Custom(|items| array_of_strings_to_ref(items, "#/components/schemas/string_array")),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/token_info/properties/authorizationDetails",
        what: "`authorizationDetails` is one `authorization_details_element`; Authlete sends `AuthzDetails`, \
               `{\"elements\": [...]}`, the spec's own `authz_details` (authlete-java-common `TokenInfo.java`: \
               `AuthzDetails authorizationDetails`)",
        edit: Edit::Replace {
            from: r##"{"$ref": "#/components/schemas/authorization_details_element"}"##,
            to: r##"{"$ref": "#/components/schemas/authz_details"}"##,
        },
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/token_request/properties/properties",
        what: "`properties` is a string; Authlete takes an array of the spec's own `property` objects \
               (authlete-java-common `TokenRequest.java`: `Property[] properties`)",
        edit: Edit::Custom(|node| {
            retype_string(node, r##"{"type": "array", "items": {"$ref": "#/components/schemas/property"}}"##)
        }),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/authorization_ticket_update_request/properties/info",
        what: "`info` is a string; Authlete takes the spec's own `authorization_ticket_info` object \
               (authlete-java-common `AuthorizationTicketUpdateRequest.java`: `AuthorizationTicketInfo info`)",
        edit: Edit::Custom(|node| retype_string(node, r##"{"$ref": "#/components/schemas/authorization_ticket_info"}"##)),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/device_verification_response/properties/action/enum",
        what: "`action` lists `INTERNAL_SERVER_ERROR`; Authlete sends `SERVER_ERROR` (authlete-java-common \
               `DeviceVerificationResponse.java`: `enum Action { VALID, EXPIRED, NOT_EXIST, SERVER_ERROR }`)",
        edit: Edit::Replace {
            from: r#"["INTERNAL_SERVER_ERROR", "NOT_EXIST", "EXPIRED", "VALID"]"#,
            to: r#"["SERVER_ERROR", "NOT_EXIST", "EXPIRED", "VALID"]"#,
        },
    },
    // The same wire shapes in the 2025-08 spec, whose request and response bodies are mostly
    // inline in `paths` (the JSON media types; the form media types refer to copies in
    // `components/schemas`, where a string is how a form carries them).
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/components/schemas",
        what: "there is no schema for `StringArray`, `{\"array\": [...]}`, the items of `requestedVerifiedClaimsForTx` \
               (authlete-java-common `StringArray.java`: one field, `String[] array`); added as `StringArray`",
        edit: Edit::Custom(|schemas| add_schema(schemas, "StringArray", STRING_ARRAY)),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/components/schemas",
        what: "there is no schema for `AuthorizationTicketInfo`, `{\"context\": ...}` (authlete-java-common \
               `AuthorizationTicketInfo.java`: one field, `String context`); added as `AuthorizationTicketInfo`",
        edit: Edit::Custom(|schemas| add_schema(schemas, "AuthorizationTicketInfo", AUTHORIZATION_TICKET_INFO)),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1authorization/post/responses/200/content/application~1json/schema/properties/requestedVerifiedClaimsForTx/items",
        what: "the items of `requestedVerifiedClaimsForTx` are arrays of strings; Authlete sends `StringArray` objects, \
               `{\"array\": [...]}` (authlete-java-common `AuthorizationResponse.java`: `StringArray[] requestedVerifiedClaimsForTx`)",
        edit: Edit::Custom(|items| array_of_strings_to_ref(items, "#/components/schemas/StringArray")),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1userinfo/post/responses/200/content/application~1json/schema/properties/requestedVerifiedClaimsForTx/items",
        what: "the items of `requestedVerifiedClaimsForTx` are arrays of strings; Authlete sends `StringArray` objects, \
               `{\"array\": [...]}` (authlete-java-common `UserInfoResponse.java`: `StringArray[] requestedVerifiedClaimsForTx`)",
        edit: Edit::Custom(|items| array_of_strings_to_ref(items, "#/components/schemas/StringArray")),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/components/schemas/api_serviceId_auth_tokenpropertiesactorTokenInfo/properties/authorizationDetails",
        what: "`authorizationDetails` of the token info (`subjectTokenInfo`) is one `AuthorizationDetailsElement`; \
               Authlete sends `AuthzDetails`, `{\"elements\": [...]}`, the spec's own `AuthorizationDetails` \
               (authlete-java-common `TokenInfo.java`: `AuthzDetails authorizationDetails`)",
        edit: Edit::Replace {
            from: r##"{"$ref": "#/components/schemas/AuthorizationDetailsElement"}"##,
            to: r##"{"$ref": "#/components/schemas/AuthorizationDetails"}"##,
        },
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1token/post/responses/200/content/application~1json/schema/properties/actorTokenInfo/properties/authorizationDetails",
        what: "`authorizationDetails` of `actorTokenInfo` is one `AuthorizationDetailsElement`; Authlete sends \
               `AuthzDetails`, `{\"elements\": [...]}`, the spec's own `AuthorizationDetails` \
               (authlete-java-common `TokenInfo.java`: `AuthzDetails authorizationDetails`)",
        edit: Edit::Replace {
            from: r##"{"$ref": "#/components/schemas/AuthorizationDetailsElement"}"##,
            to: r##"{"$ref": "#/components/schemas/AuthorizationDetails"}"##,
        },
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1token/post/requestBody/content/application~1json/schema/properties/properties",
        what: "`properties` is a string; Authlete takes an array of the spec's own `Property` objects \
               (authlete-java-common `TokenRequest.java`: `Property[] properties`)",
        edit: Edit::Custom(|node| {
            retype_string(node, r##"{"type": "array", "items": {"$ref": "#/components/schemas/Property"}}"##)
        }),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1authorization~1ticket~1update/post/requestBody/content/application~1json/schema/properties/info",
        what: "`info` is a string; Authlete takes an `AuthorizationTicketInfo` object \
               (authlete-java-common `AuthorizationTicketUpdateRequest.java`: `AuthorizationTicketInfo info`)",
        edit: Edit::Custom(|node| retype_string(node, r##"{"$ref": "#/components/schemas/AuthorizationTicketInfo"}"##)),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1authorization~1ticket~1update/post/responses/200/content/application~1json/schema/properties/info",
        what: "`info` is a string; Authlete sends an `AuthorizationTicketInfo` object \
               (authlete-java-common `AuthorizationTicketUpdateResponse.java`: `AuthorizationTicketInfo info`)",
        edit: Edit::Custom(|node| retype_string(node, r##"{"$ref": "#/components/schemas/AuthorizationTicketInfo"}"##)),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1auth~1authorization~1ticket~1info/get/responses/200/content/application~1json/schema/properties/info",
        what: "`info` is a string; Authlete sends an `AuthorizationTicketInfo` object \
               (authlete-java-common `AuthorizationTicketInfoResponse.java`: `AuthorizationTicketInfo info`)",
        edit: Edit::Custom(|node| retype_string(node, r##"{"$ref": "#/components/schemas/AuthorizationTicketInfo"}"##)),
    },
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/paths/~1api~1{serviceId}~1device~1verification/post/responses/200/content/application~1json/schema/properties/action/enum",
        what: "`action` lists the values of the client registration response; Authlete sends `VALID`, `EXPIRED`, \
               `NOT_EXIST` or `SERVER_ERROR` (authlete-java-common `DeviceVerificationResponse.java`: \
               `enum Action { VALID, EXPIRED, NOT_EXIST, SERVER_ERROR }`)",
        edit: Edit::Replace {
            from: r#"["INTERNAL_SERVER_ERROR", "BAD_REQUEST", "CREATED", "UNAUTHORIZED", "FORBIDDEN", "JSON", "JWT", "OK"]"#,
            to: r#"["VALID", "EXPIRED", "NOT_EXIST", "SERVER_ERROR"]"#,
        },
    },
    // Other bugs.
    Fixup {
        spec_title: EXPLORER_2025_08,
        pointer: "/components/schemas/Service",
        what: "the `enum: [FACEBOOK]` that belongs to property `sns` stands on the object itself",
        edit: Edit::Custom(|service| {
            let Some(object) = service.as_object_mut() else { return false };
            if object.get("enum") != Some(&serde_json::json!(["FACEBOOK"])) {
                return false;
            }
            let Some(values) = object.shift_remove("enum") else { return false };
            match service.pointer_mut("/properties/sns").and_then(Value::as_object_mut) {
                Some(sns) => {
                    sns.insert("enum".into(), values);
                    true
                }
                None => false,
            }
        }),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/responses/404/content/application~1json/example/resultCode",
        what: "the example's `resultCode` is the number 404; result codes are strings",
        edit: Edit::Replace { from: "404", to: "\"404\"" },
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/client/example/clientId",
        what: "the example's `clientId` is a string; the schema says int64",
        edit: Edit::Replace { from: "\"1140735077\"", to: "1140735077" },
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/components/schemas/service/example/supportedScopes",
        what: "the example lists scope names; the schema says `scope` objects",
        edit: Edit::Replace {
            from: r#"["profile", "email", "openid"]"#,
            to: r#"[{"name": "profile"}, {"name": "email"}, {"name": "openid"}]"#,
        },
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/paths/~1api~1{serviceId}~1auth~1authorization/post/responses/200/content/application~1json/example/client",
        what: "the example's client has `logo_uri`, which the `client_limited_authorization` schema does not define",
        edit: Edit::RemoveMembers(&["logo_uri"]),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/paths/~1api~1{serviceId}~1auth~1token~1revoke/post/responses/200/content/application~1json/example",
        what: "the example is a token update response; `token_revoke_response` has only the result members",
        edit: Edit::RemoveMembers(&["accessToken", "accessTokenExpiresAt", "action", "scopes", "tokenType"]),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/paths/~1api~1{serviceId}~1auth~1userinfo/post/responses/200/content/application~1json/example/clientId",
        what: "the example's `clientId` is a string; the schema says int64",
        edit: Edit::Replace { from: "\"15518267821\"", to: "15518267821" },
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/paths/~1api~1{serviceId}~1client~1granted_scopes~1get~1{clientId}/get/responses/200/content/application~1json/example",
        what: "the example has a `type` member (a Java class name) that the schema does not define",
        edit: Edit::RemoveMembers(&["type"]),
    },
    Fixup {
        spec_title: CURRENT,
        pointer: "/paths/~1api~1{serviceId}~1gm/post/requestBody/content/application~1json/example",
        what: "the example has a `subject` member that the `gm_request` schema does not define",
        edit: Edit::RemoveMembers(&["subject"]),
    },
];

/// Applies every fixup meant for this spec; returns what was fixed, each where it was fixed,
/// or else every fixup that no longer applies (a new upstream version may fix several bugs at
/// once, and all of them are said in one run).
pub fn apply(raw: &mut Value) -> Result<Vec<Warning>, Vec<Problem>> {
    let title = raw.pointer("/info/title").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut applied = Vec::new();
    let mut stale = Vec::new();
    for fixup in FIXUPS.iter().filter(|f| f.spec_title == title) {
        let fixed = raw.pointer_mut(fixup.pointer).is_some_and(|node| fixup.edit.apply(node));
        if fixed {
            applied.push(Warning::at(
                Pointer::from_text(fixup.pointer),
                format!("fixed a known spec bug: {}", fixup.what),
            ));
        } else {
            stale.push(Problem::at(
                Pointer::from_text(fixup.pointer),
                format!(
                    "the fixup for a known bug of `{title}` ({}) no longer applies: the spec was corrected upstream, \
                     so remove this fixup from codegen/src/fixups.rs",
                    fixup.what
                ),
            ));
        }
    }
    if stale.is_empty() {
        Ok(applied)
    } else {
        Err(stale)
    }
}
