//! Corrections of known upstream spec bugs, applied to the raw document before anything reads it.
//!
//! Each fixup names the spec (by `info.title`) it corrects and checks that the bug is still there
//! before changing anything. When a spec with that title no longer has the bug, the fixup fails
//! loudly instead of silently doing nothing, so that it gets removed rather than rotting here.

use serde_json::Value;

use crate::error::Problem;

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

const FIXUPS: &[Fixup] = &[
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

/// Applies every fixup meant for this spec; returns what was fixed, as `(pointer, description)`,
/// or else every fixup that no longer applies (a new upstream version may fix several bugs at
/// once, and all of them are said in one run).
pub fn apply(raw: &mut Value) -> Result<Vec<(String, String)>, Vec<Problem>> {
    let title = raw.pointer("/info/title").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut applied = Vec::new();
    let mut stale = Vec::new();
    for fixup in FIXUPS.iter().filter(|f| f.spec_title == title) {
        let fixed = raw.pointer_mut(fixup.pointer).is_some_and(|node| fixup.edit.apply(node));
        if fixed {
            applied.push((fixup.pointer.to_owned(), format!("fixed a known spec bug: {}", fixup.what)));
        } else {
            stale.push(Problem::at(
                fixup.pointer,
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
