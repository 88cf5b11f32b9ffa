//! The server toolkit (features `server` and `axum`): hand-written handlers, copied verbatim
//! into `src/server/` when the model says the spec carries them (see `model::toolkit`).

use crate::GeneratedFile;

use super::context::Context;

/// Every file of the toolkit, as its template writes it.
const FILES: &[(&str, &str)] = &[
    ("src/server/mod.rs", include_str!("../../templates/server/mod.rs")),
    ("src/server/axum.rs", include_str!("../../templates/server/axum.rs")),
    ("src/server/config.rs", include_str!("../../templates/server/config.rs")),
    ("src/server/request.rs", include_str!("../../templates/server/request.rs")),
    ("src/server/resource.rs", include_str!("../../templates/server/resource.rs")),
    ("src/server/response.rs", include_str!("../../templates/server/response.rs")),
    ("src/server/token.rs", include_str!("../../templates/server/token.rs")),
    ("src/server/userinfo.rs", include_str!("../../templates/server/userinfo.rs")),
    ("src/server/registration.rs", include_str!("../../templates/server/registration.rs")),
    ("src/server/grant_management.rs", include_str!("../../templates/server/grant_management.rs")),
    ("src/server/par.rs", include_str!("../../templates/server/par.rs")),
    ("src/server/discovery.rs", include_str!("../../templates/server/discovery.rs")),
    ("src/server/introspection.rs", include_str!("../../templates/server/introspection.rs")),
    ("src/server/revocation.rs", include_str!("../../templates/server/revocation.rs")),
    ("src/server/authorization.rs", include_str!("../../templates/server/authorization.rs")),
    ("src/server/session.rs", include_str!("../../templates/server/session.rs")),
    ("src/server/pages.rs", include_str!("../../templates/server/pages.rs")),
    ("src/server/page_templates.rs", include_str!("../../templates/server/page_templates.rs")),
    ("src/server/device.rs", include_str!("../../templates/server/device.rs")),
    ("src/server/device_verification.rs", include_str!("../../templates/server/device_verification.rs")),
    ("src/server/ciba.rs", include_str!("../../templates/server/ciba.rs")),
    ("src/server/ciba_approval.rs", include_str!("../../templates/server/ciba_approval.rs")),
];

pub(super) fn files(context: &Context<'_>) -> Vec<GeneratedFile> {
    if context.space.toolkit.is_none() {
        return Vec::new();
    }
    FILES.iter().map(|(path, text)| context.text_file(path, text)).collect()
}
