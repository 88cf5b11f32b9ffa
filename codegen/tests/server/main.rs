//! The server toolkit's tests and the fake Authlete's, as one test binary: each module was a test
//! file of its own, and each linked the generated crate, axum, reqwest and tokio (one also oauth2
//! and openidconnect) into a binary of its own. One binary compiles and links them once.
//!
//! What stays out, in binaries of its own: `server_secrets.rs` (it installs the process's global
//! tracing subscriber), `authorization_server.rs` (it sets environment variables) and
//! `server_generation.rs` (the generator's side of the toolkit: it runs cargo, not the toolkit).

// What the modules share.
mod endpoint_support;
mod resource_support;
#[path = "../server_support/mod.rs"]
mod server_support;

// The endpoints' handlers, called in-process and over HTTP.
mod device_ciba;
mod discovery;
mod grant_management;
mod http_userinfo_registration_grants;
mod par_revocation_introspection;
mod registration;
mod token;
mod userinfo;

// The axum adapter, and the resource servers' side (`AccessTokenValidator`, `ValidToken`).
mod axum;
mod resource;

// The oauth2 and openidconnect crates as clients of the toolkit's endpoints.
mod real_clients;

// The fake Authlete (`authlete::testing`) that all of the above run against.
mod testing_fake;
