//! What the token endpoint's end-to-end tests share: an endpoint served over real HTTP on
//! 127.0.0.1, in front of the fake Authlete, and the checks every OAuth answer must pass.

// Each test binary that declares it (`server/main.rs`, `server_secrets.rs`) uses a part of it.
#![allow(dead_code)]

use std::sync::Arc;

use authlete::server::{AuthorizationServer, Config, Handler, Request};
use authlete::testing::FakeAuthlete;
use axum::body::Body;

/// The URL the tests' authorization server says it is reached at (DPoP's `htu` names it).
pub const PUBLIC_URL: &str = "https://as.example.com";

/// A fake Authlete and the toolkit's shared state in front of it.
pub async fn authlete() -> (FakeAuthlete, AuthorizationServer) {
    let fake = FakeAuthlete::start().await;
    let server = AuthorizationServer::new(fake.service(), Config::new(PUBLIC_URL).expect("a valid URL"));
    (fake, server)
}

/// `handler` on 127.0.0.1 at every path, its body read as the toolkit's adapters read it (at
/// most the limit and one byte); the URL to reach it.
pub async fn serve(handler: impl Handler) -> String {
    serve_limited(handler, usize::MAX - 1).await
}

pub async fn serve_limited(handler: impl Handler, limit: usize) -> String {
    let handler = Arc::new(handler);
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let handler = handler.clone();
        async move {
            let (parts, body) = request.into_parts();
            let Ok(body) = axum::body::to_bytes(body, limit + 1).await else {
                // Over the limit: hand the handler one byte too many, which it refuses.
                let request = Request::from_http(axum::http::Request::from_parts(parts, vec![0; limit + 1]));
                return handler.handle(request).await.map(Body::from);
            };
            let request = Request::from_http(axum::http::Request::from_parts(parts, body.to_vec()));
            handler.handle(request).await.map(Body::from)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
    url
}

/// What the tests read of an answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub async fn from(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Answer { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().expect("a text header"))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The answer is never stored (RFC 6749 §5.1).
    #[track_caller]
    pub fn assert_no_store(&self) {
        assert_eq!(self.header("cache-control"), Some("no-store"), "{self:?}");
        assert_eq!(self.header("pragma"), Some("no-cache"), "{self:?}");
    }

    /// An OAuth error JSON of the toolkit's own, with `error` = `code`, never stored.
    #[track_caller]
    pub fn assert_oauth_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.header("content-type"), Some("application/json;charset=UTF-8"), "{self:?}");
        assert_eq!(self.json()["error"], code, "{self:?}");
        self.assert_no_store();
    }
}

/// The content type of the toolkit's JSON answers.
pub const JSON: &str = "application/json;charset=UTF-8";

/// Asserts the whole answer: status, every header but the two the HTTP server adds
/// (`content-length`, `date`), and body.
#[track_caller]
pub fn assert_answer(answer: &Answer, status: u16, headers: &[(&str, &str)], body: &str) {
    let mut seen: Vec<(String, String)> = answer
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "content-length" | "date"))
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().expect("a text header").to_owned()))
        .collect();
    seen.sort();
    let mut expected: Vec<(String, String)> =
        headers.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect();
    expected.sort();
    assert_eq!((answer.status, seen, answer.body.as_str()), (status, expected, body), "{answer:?}");
}

/// The headers of a never-stored JSON answer, and `extra`.
pub fn json_headers<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![("content-type", JSON), ("cache-control", "no-store"), ("pragma", "no-cache")];
    headers.extend_from_slice(extra);
    headers
}

/// A form POST to `url` with `headers`.
pub async fn post_form(url: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Answer::from(request.send().await.expect("the server answers")).await
}

/// `Basic` credentials of `id` and `secret` as they are (no form encoding).
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

/// `Basic` credentials spelled as RFC 6749 §2.3.1 says: form-encoded, then Base64.
pub fn basic_rfc(id: &str, secret: &str) -> String {
    basic(&form_encode(id), &form_encode(secret))
}

/// The form encoding of one value (RFC 6749 §2.3.1: what a client does before Base64).
fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(byte as char),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
