//! Support for the generated operation tests: a mock Authlete on 127.0.0.1 that answers one call
//! and then shows exactly what it received.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable.

#![allow(dead_code)]

use std::collections::BTreeSet;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The service every test calls.
pub const SERVICE_ID: &str = "715948317";

/// The bearer token every test sends; no test may find it anywhere but in `Authorization`.
pub const TOKEN: &str = "test-token-5f0c2a";

/// A mock server that gives one scripted answer to whatever it is asked.
pub struct MockAuthlete {
    server: MockServer,
}

impl MockAuthlete {
    /// A server answering `status` with `body` (as JSON when `json`, else as text).
    pub async fn answering(status: u16, body: Option<&str>, json: bool) -> Self {
        let server = MockServer::start().await;
        let mut answer = ResponseTemplate::new(status);
        if let Some(body) = body {
            let media_type = if json { "application/json" } else { "text/plain" };
            answer = answer.set_body_raw(body.as_bytes().to_vec(), media_type);
        }
        Mock::given(any()).respond_with(answer).expect(1).mount(&server).await;
        MockAuthlete { server }
    }

    /// A client of this server, with the test token and a short timeout.
    pub fn client(&self) -> authlete::Client {
        authlete::Client::builder()
            .base_url(self.server.uri())
            .bearer_token(TOKEN)
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("the client builds")
    }

    /// Asserts that the server received exactly one request, and exactly the one `expected`
    /// describes.
    pub async fn assert_request(&self, expected: Expected<'_>) {
        let Expected { method, path, query, body, accept, authenticated } = expected;
        let requests = self.server.received_requests().await.expect("requests are recorded");
        assert_eq!(requests.len(), 1, "exactly one request: {requests:?}");
        let request = &requests[0];
        assert_eq!(request.method.as_str(), method, "method");
        assert_eq!(request.url.path(), path, "path");
        assert_eq!(request.url.query(), query, "query string");

        let header = |name: &str| request.headers.get(name).map(|v| v.to_str().expect("a text header").to_owned());
        let mut expected_headers = BTreeSet::from(["accept", "host", "user-agent"]);
        assert_eq!(header("accept").as_deref(), Some(accept), "accept");
        assert_eq!(header("user-agent").as_deref(), Some(concat!("authlete-rust/", env!("CARGO_PKG_VERSION"))));
        if authenticated {
            expected_headers.insert("authorization");
            assert_eq!(header("authorization"), Some(format!("Bearer {TOKEN}")), "the bearer token");
        }
        match body {
            Some(expected) => {
                expected_headers.extend(["content-type", "content-length"]);
                assert_eq!(header("content-type").as_deref(), Some("application/json"), "content type");
                let sent: serde_json::Value = serde_json::from_slice(&request.body).expect("the body is JSON");
                let expected: serde_json::Value = serde_json::from_str(expected).expect("the expected body is JSON");
                assert_eq!(sent, expected, "the JSON body");
            }
            None => assert!(request.body.is_empty(), "no body: {:?}", String::from_utf8_lossy(&request.body)),
        }
        let mut sent_headers: BTreeSet<&str> = request.headers.keys().map(|name| name.as_str()).collect();
        // An empty POST or PUT carries `content-length: 0`.
        if body.is_none() && header("content-length").as_deref() == Some("0") {
            sent_headers.remove("content-length");
        }
        assert_eq!(sent_headers, expected_headers, "the headers sent");
    }
}

/// The request a test expects the mock to have received.
pub struct Expected<'a> {
    pub method: &'a str,
    /// The path as sent, percent-encoded.
    pub path: &'a str,
    /// The query string as sent.
    pub query: Option<&'a str>,
    /// The JSON body, compared as a JSON value; `None`: no body at all.
    pub body: Option<&'a str>,
    /// The `Accept` header.
    pub accept: &'a str,
    /// Whether the bearer token is sent (every header is checked: no other may be).
    pub authenticated: bool,
}

/// `json` parsed as `T`, the way a test builds a request body.
pub fn parse<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("the test's body does not parse: {e}\n{json}"))
}

/// Asserts that a decoded answer is the JSON `expected`.
pub fn assert_answer<T: serde::Serialize>(answer: &T, expected: &str) {
    let written = serde_json::to_value(answer).expect("the answer serializes");
    let expected: serde_json::Value = serde_json::from_str(expected).expect("the expected answer is JSON");
    assert_eq!(written, expected, "the decoded answer");
}
