//! What the toolkit's endpoint tests share: a server in front of the fake Authlete, requests sent
//! over real HTTP to an endpoint on 127.0.0.1, and the whole of a response (status, every header,
//! body) as one value to compare.

use authlete::server::{AuthorizationServer, Config, Handler, Request};
use authlete::testing::FakeAuthlete;

/// The public URL the servers under test have: DPoP's `htu` starts with it.
pub const PUBLIC_URL: &str = "https://as.example.com";

/// A fake Authlete and a server that calls it.
pub async fn server() -> (FakeAuthlete, AuthorizationServer) {
    let fake = FakeAuthlete::start().await;
    let server = AuthorizationServer::new(fake.service(), Config::new(PUBLIC_URL).expect("a valid URL"));
    (fake, server)
}

/// A request as a framework hands it over: method, URI, headers, body.
pub fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Request {
    let mut builder = axum::http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    Request::from_http(builder.body(body.as_bytes().to_vec()).expect("a valid request"))
}

/// The parts of a response a client sees: status, headers (names in lower case, sorted; a
/// repeated header once per value) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    /// What a client expects: `status`, `headers` (in any order) and `body`.
    pub fn new(status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        let mut headers: Vec<(String, String)> =
            headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), (*value).to_owned())).collect();
        headers.sort();
        Seen { status, headers, body: body.to_owned() }
    }
}

/// `handler`'s response to `request`, as a client sees it: the request goes over real HTTP to
/// the handler, served on 127.0.0.1 as the toolkit's adapters serve it, and the headers the HTTP
/// layer adds on its own (`date`, `content-length`) are left out.
pub async fn send<H: Handler + Clone>(handler: &H, request: Request) -> Seen {
    let handler = std::sync::Arc::new(handler.clone());
    let app = axum::Router::new().fallback(move |incoming: axum::extract::Request| {
        let handler = handler.clone();
        async move {
            let (parts, body) = incoming.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.expect("the body arrives");
            let request = Request::from_http(axum::http::Request::from_parts(parts, body.to_vec()));
            handler.handle(request).await.map(axum::body::Body::from)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });

    let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes()).expect("a method");
    let mut outgoing = reqwest::Client::new()
        .request(method, format!("http://{address}{}", request.uri()))
        .body(request.body().to_vec());
    for (name, value) in request.headers() {
        outgoing = outgoing.header(name.as_str(), value.as_bytes());
    }
    let response = outgoing.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "content-length"))
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().expect("visible ASCII").to_owned()))
        .collect();
    headers.sort();
    Seen { status, headers, body: response.text().await.expect("a body") }
}

/// A response of a method called in-process (`manage`, `register`: what a router with its own
/// path extraction calls), as a client would see it.
pub fn seen(response: axum::http::Response<String>) -> Seen {
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().expect("visible ASCII").to_owned()))
        .collect();
    headers.sort();
    Seen { status: response.status().as_u16(), headers, body: response.into_body() }
}

/// The headers every response has: never stored by a cache.
pub const NO_STORE: [(&str, &str); 2] = [("cache-control", "no-store"), ("pragma", "no-cache")];

/// `NO_STORE` and `extra`.
pub fn with_no_store<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    NO_STORE.iter().copied().chain(extra.iter().copied()).collect()
}

/// The `500` the toolkit answers when Authlete's answer makes no sense to it (an action newer
/// than the crate), with the `extra` headers the endpoint adds (a DPoP nonce).
pub fn server_error(extra: &[(&str, &str)]) -> Seen {
    let mut headers = with_no_store(&[("content-type", "application/json;charset=UTF-8")]);
    headers.extend_from_slice(extra);
    Seen::new(
        500,
        &headers,
        r#"{"error":"server_error","error_description":"the authorization server could not process the request"}"#,
    )
}

/// The `503` the toolkit answers when Authlete cannot be reached, with the `extra` headers the
/// endpoint adds.
pub fn unavailable(extra: &[(&str, &str)]) -> Seen {
    let mut headers = with_no_store(&[("content-type", "application/json;charset=UTF-8"), ("retry-after", "5")]);
    headers.extend_from_slice(extra);
    Seen::new(
        503,
        &headers,
        r#"{"error":"server_error","error_description":"the authorization server is temporarily unavailable"}"#,
    )
}

/// The `405` of an endpoint that takes the methods `allow`.
pub fn method_not_allowed(allow: &str) -> Seen {
    Seen::new(
        405,
        &with_no_store(&[("content-type", "application/json;charset=UTF-8"), ("allow", allow)]),
        &format!(r#"{{"error":"invalid_request","error_description":"the endpoint takes the methods {allow}"}}"#),
    )
}
