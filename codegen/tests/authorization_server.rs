//! End to end: the example authorization server (`generated/examples/authorization_server.rs`),
//! a thin user of the toolkit, on 127.0.0.1 in front of the fake Authlete: its own decisions
//! (the demo user's password and claims) reach Authlete, its protected resource validates tokens,
//! and a missing setting is named in plain words.

#[path = "../../generated/examples/authorization_server.rs"]
#[allow(dead_code)] // its `main`, which the test does not use
mod example;

use authlete::models::{
    IntrospectionResponse, IntrospectionResponseAction, TokenIssueResponse, TokenIssueResponseAction, TokenResponse,
    TokenResponseAction, UserinfoIssueResponse, UserinfoIssueResponseAction, UserinfoResponse,
};
use authlete::server::{AuthorizationServer, Config, StaticCallers};
use authlete::testing::{ops, FakeAuthlete};
use example::{app, DemoUsers};

async fn start() -> (FakeAuthlete, String) {
    let fake = FakeAuthlete::start().await;
    let server = AuthorizationServer::new(fake.service(), Config::new("https://as.example.com").unwrap());
    let users = DemoUsers { user: Some(("alice".into(), "wonderland".into())) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app(server, users, StaticCallers::new())).await.unwrap() });
    (fake, url)
}

#[tokio::test]
async fn the_demo_user_gets_tokens_and_claims() {
    let (fake, url) = start().await;
    fake.reply(
        ops::AUTH_TOKEN,
        &TokenResponse {
            action: Some(TokenResponseAction::Password),
            ticket: Some("ticket-1".into()),
            username: Some("alice".into()),
            password: Some("wonderland".into()),
            ..Default::default()
        },
    );
    fake.reply(
        ops::AUTH_TOKEN_ISSUE,
        &TokenIssueResponse {
            action: Some(TokenIssueResponseAction::Ok),
            response_content: Some(r#"{"access_token":"at-1","token_type":"Bearer"}"#.into()),
            ..Default::default()
        },
    );
    let client = reqwest::Client::new();
    let issued = client
        .post(format!("{url}/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=alice&password=wonderland")
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 200);
    assert_eq!(issued.text().await.unwrap(), r#"{"access_token":"at-1","token_type":"Bearer"}"#);
    assert_eq!(fake.received(ops::AUTH_TOKEN_ISSUE)[0].subject, "alice");

    fake.reply(
        ops::AUTH_USERINFO,
        &UserinfoResponse {
            action: Some(IntrospectionResponseAction::Ok),
            subject: Some("alice".into()),
            claims: Some(vec!["name".into(), "preferred_username".into()]),
            ..Default::default()
        },
    );
    fake.reply(
        ops::AUTH_USERINFO_ISSUE,
        &UserinfoIssueResponse {
            action: Some(UserinfoIssueResponseAction::Json),
            response_content: Some(r#"{"sub":"alice","name":"alice"}"#.into()),
            ..Default::default()
        },
    );
    let userinfo = client.get(format!("{url}/userinfo")).bearer_auth("at-1").send().await.unwrap();
    assert_eq!(userinfo.status(), 200);
    let sent = &fake.received(ops::AUTH_USERINFO_ISSUE)[0];
    let claims: serde_json::Value = serde_json::from_str(sent.claims.as_deref().unwrap()).unwrap();
    assert_eq!(claims, serde_json::json!({"name": "alice", "preferred_username": "alice"}));
}

#[tokio::test]
async fn the_resource_takes_only_a_valid_token() {
    let (fake, url) = start().await;
    fake.reply(
        ops::AUTH_INTROSPECTION,
        &IntrospectionResponse {
            action: Some(IntrospectionResponseAction::Ok),
            subject: Some("alice".into()),
            scopes: Some(vec!["profile".into()]),
            ..Default::default()
        },
    );
    let client = reqwest::Client::new();
    let ok = client.get(format!("{url}/resource")).header("authorization", "bearer at-1").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&ok.text().await.unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({"subject": "alice", "scopes": ["profile"]}));
    assert_eq!(fake.received(ops::AUTH_INTROSPECTION)[0].token, "at-1");

    let missing = client.get(format!("{url}/resource")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert!(missing.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer realm="));
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 1, "a request without a token never reaches Authlete");
}

#[test]
fn missing_settings_are_named_in_plain_words() {
    for name in ["AUTHLETE_BASE_URL", "AUTHLETE_SERVICE_ID", "AUTHLETE_SERVICE_TOKEN"] {
        std::env::remove_var(name);
    }
    std::env::set_var("AUTHLETE_SERVICE_ID", "715948317");
    let error = example::settings().unwrap_err();
    assert_eq!(
        error,
        "set the environment variables AUTHLETE_BASE_URL, AUTHLETE_SERVICE_TOKEN (see the top of this example)"
    );
}

#[tokio::test]
async fn every_endpoint_is_mounted_at_its_conventional_path() {
    let (_fake, url) = start().await;
    let client = reqwest::Client::new();
    for (method, path) in [
        ("POST", "/token"),
        ("POST", "/par"),
        ("POST", "/revoke"),
        ("POST", "/introspect"),
        ("GET", "/userinfo"),
        ("POST", "/userinfo"),
        ("GET", "/.well-known/openid-configuration"),
        ("GET", "/.well-known/oauth-authorization-server"),
        ("GET", "/jwks"),
        ("POST", "/register"),
        ("GET", "/register/client-1"),
        ("DELETE", "/grants/g-1"),
        ("GET", "/resource"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let answer = client.request(method.clone(), format!("{url}{path}")).send().await.unwrap();
        // Each endpoint answers for itself (an OAuth error for these empty requests, or the
        // fake's example document), never the router's 404 or 405.
        assert!(![404, 405].contains(&answer.status().as_u16()), "{method} {path}: {}", answer.status());
    }
}
