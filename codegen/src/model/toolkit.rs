//! The server toolkit: hand-written endpoint handlers (`templates/server/`) on top of the client.
//!
//! The templates call a fixed set of the API's operations by name. Whether a spec can carry the
//! toolkit is decided here, once: it can when every one of those operations is a method of the
//! service handle. A spec without them (an older generation, a fixture) gets the models and the
//! client without the toolkit; one that has some of them (an older generation of Authlete's spec)
//! gets a warning that says what is missing.

use std::collections::BTreeSet;

use crate::error::Warning;
use crate::pointer::Pointer;

use super::TypeSpace;

/// Every `Service` method the toolkit's templates call. Keep it in step with
/// `templates/server/`: a method missing here would let a spec without it generate a crate whose
/// `server` feature does not build.
pub const OPERATIONS: &[&str] = &[
    "auth_authorization",
    "auth_authorization_fail",
    "auth_authorization_issue",
    "auth_introspection",
    "auth_introspection_standard",
    "auth_revocation",
    "auth_token",
    "auth_token_fail",
    "auth_token_issue",
    "auth_userinfo",
    "auth_userinfo_issue",
    "backchannel_authentication",
    "backchannel_authentication_complete",
    "backchannel_authentication_fail",
    "backchannel_authentication_issue",
    "client_registration",
    "client_registration_delete",
    "client_registration_get",
    "client_registration_update",
    "device_authorization",
    "device_complete",
    "device_verification",
    "grant_m",
    "idtoken_reissue",
    "native_sso",
    "pushed_auth_req",
    "service_configuration",
    "service_jwks_get",
];

/// What the generated crate needs to carry the toolkit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolkit {
    /// The area features of the operations the toolkit calls: the `server` feature turns them on.
    pub areas: BTreeSet<String>,
}

/// The toolkit for `space`, or `None` and a warning naming the operations the spec lacks.
pub fn assign(space: &mut TypeSpace) {
    let mut areas = BTreeSet::new();
    let mut missing = Vec::new();
    for name in OPERATIONS {
        match space.operations.iter().find(|op| op.rust_name == *name && op.on_service) {
            Some(op) => areas.extend(op.features.iter().cloned()),
            None => missing.push(*name),
        }
    }
    if missing.is_empty() {
        space.toolkit = Some(Toolkit { areas });
    } else if missing.len() < OPERATIONS.len() {
        // A spec with none of them is not Authlete's API and has nothing to say; one with some is
        // an Authlete spec without all of them (an older generation), whose maintainer expects
        // the toolkit. Said once, at the document's root: the gap is the spec's as a whole.
        space.warnings.push(Warning::at(
            Pointer::root(),
            format!(
                "the server toolkit (features `server`, `interactive`, `axum`) is not generated: the spec has no \
                 service operation {}",
                missing.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
}
