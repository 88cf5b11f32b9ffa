//! The generated client's tests against a mock Authlete on 127.0.0.1, as one test binary: each
//! module was a test file of its own, and each linked the generated crate, reqwest, axum and tokio
//! into a binary of its own. One binary compiles and links them once.
//!
//! What stays out, in binaries of its own: `client_env.rs` (it sets environment variables),
//! `client_load.rs` (it measures the resident memory of its process), `client_tracing.rs` (its
//! subscribers must see the client's spans, which a test without one that first reaches a span
//! at the same moment could switch off for the whole process).

// The scripted mock Authlete (`client_env.rs`, `client_load.rs` and `client_tracing.rs` use it too).
#[path = "../scripted/mod.rs"]
mod scripted;

mod credentials;
mod errors;
mod pages;
mod retry;
