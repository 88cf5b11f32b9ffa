//! What the resource-server and axum tests share: an axum app served on 127.0.0.1 in front of the
//! fake Authlete, a reqwest client, and Authlete's introspection answers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authlete::models::{IntrospectionResponse, IntrospectionResponseAction, Property};
use authlete::server::{AuthorizationServer, Config, Endpoint};
use authlete::testing::FakeAuthlete;

/// The public URL of the servers under test: DPoP's `htu` starts with it.
pub const PUBLIC_URL: &str = "https://rs.example.com";

/// How long a test waits for Authlete before the toolkit gives up (small: tests of a hanging
/// Authlete wait this long).
pub const RESOURCE_TIMEOUT: Duration = Duration::from_secs(1);

/// A fake Authlete and a server that calls it, with `configure` applied to the configuration.
pub async fn server_with(configure: impl FnOnce(Config) -> Config) -> (FakeAuthlete, AuthorizationServer) {
    let fake = FakeAuthlete::start().await;
    let config = configure(Config::new(PUBLIC_URL).expect("a valid URL").timeout(Endpoint::Resource, RESOURCE_TIMEOUT));
    let server = AuthorizationServer::new(fake.service(), config);
    (fake, server)
}

/// A fake Authlete and a server with the test configuration.
pub async fn server() -> (FakeAuthlete, AuthorizationServer) {
    server_with(|config| config).await
}

/// Serves `app` on a free port of 127.0.0.1 for the rest of the test; its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the app runs") });
    url
}

/// A client that goes to 127.0.0.1 directly.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("a client")
}

/// A response as the client saw it.
#[derive(Debug)]
pub struct Got {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Got {
    pub async fn from(response: reqwest::Response) -> Got {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Got { status, headers, body }
    }

    /// The header `name`, if there is one (as text).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().expect("visible ASCII"))
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("the body is not JSON ({e}): {}", self.body))
    }

    /// Whether the response may not be stored.
    pub fn is_no_store(&self) -> bool {
        self.header("cache-control") == Some("no-store") && self.header("pragma") == Some("no-cache")
    }
}

/// Sends `request` and reads the whole answer.
pub async fn send(request: reqwest::RequestBuilder) -> Got {
    Got::from(request.send().await.expect("the app answers")).await
}

/// Milliseconds since the epoch `after` from now, as Authlete's `expiresAt`.
pub fn expires_in(after: Duration) -> i64 {
    let at = SystemTime::now() + after;
    at.duration_since(UNIX_EPOCH).expect("after the epoch").as_millis() as i64
}

/// Milliseconds since the epoch `before` now.
pub fn expired_since(before: Duration) -> i64 {
    let at = SystemTime::now() - before;
    at.duration_since(UNIX_EPOCH).expect("after the epoch").as_millis() as i64
}

/// Authlete's `OK` for a token of `alice`, client 1234, scopes `read write`, valid for an hour.
pub fn valid() -> IntrospectionResponse {
    IntrospectionResponse {
        action: Some(IntrospectionResponseAction::Ok),
        result_code: Some("A056001".into()),
        subject: Some("alice".into()),
        scopes: Some(vec!["read".into(), "write".into()]),
        client_id: Some(1234),
        client_id_alias: Some("my-client".into()),
        expires_at: Some(expires_in(Duration::from_secs(3600))),
        auth_time: Some(1_700_000_000),
        acr: Some("urn:mace:incommon:iap:silver".into()),
        properties: Some(vec![Property {
            key: Some("tenant".into()),
            value: Some("acme".into()),
            ..Property::default()
        }]),
        // Authlete's `responseContent` on `OK`: what a server could send if it refused anyway.
        response_content: Some("Bearer error=\"invalid_request\"".into()),
        ..IntrospectionResponse::default()
    }
}

/// Authlete's refusal with `action` and its challenge.
pub fn refused(action: IntrospectionResponseAction, challenge: &str) -> IntrospectionResponse {
    IntrospectionResponse {
        action: Some(action),
        response_content: Some(challenge.into()),
        ..IntrospectionResponse::default()
    }
}
