//! The UserInfo, registration and grant management endpoints over real HTTP: the axum `Routes`
//! on 127.0.0.1 in front of the fake Authlete, called with reqwest. What the handler tests
//! (`userinfo.rs`, `registration.rs`, `grant_management.rs`) check through `Handler::handle`,
//! here once per endpoint through a socket: the path's ID, the headers and the body as a client
//! receives them.

use authlete::models::{
    ClientRegistrationGetApiRequest, ClientRegistrationResponse, ClientRegistrationResponseAction, GMRequest,
    GMResponse, GMResponseAction, GrantManagementAction, IntrospectionResponseAction, UserinfoIssueRequest,
    UserinfoIssueResponse, UserinfoIssueResponseAction, UserinfoRequest, UserinfoResponse,
};
use authlete::server::axum::Routes;
use authlete::server::{ClaimsDecision, ClaimsRequest, UserClaims};
use authlete::testing::{ops, FakeAuthlete};
use serde_json::json;

use crate::endpoint_support::Seen;

/// Every user is called Alice.
struct Alices;

impl UserClaims for Alices {
    async fn claims(&self, request: ClaimsRequest<'_>) -> ClaimsDecision {
        let mut claims = serde_json::Map::new();
        if request.claims.iter().any(|claim| claim == "name") {
            claims.insert("name".into(), json!("Alice"));
        }
        ClaimsDecision::claims(claims)
    }
}

/// The fake Authlete and the base URL of the toolkit's routes, served on 127.0.0.1.
async fn serve() -> (FakeAuthlete, String) {
    let (fake, server) = crate::endpoint_support::server().await;
    let app = Routes::new(server).userinfo(Alices).registration().grant_management().build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, url)
}

/// A response as the client received it, without `date` (it changes).
async fn received(response: reqwest::Response) -> Seen {
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str() != "date")
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    Seen { status, headers, body: response.text().await.unwrap() }
}

#[tokio::test]
async fn userinfo_answers_a_dpop_bound_token_over_http() {
    let (fake, url) = serve().await;
    fake.reply(
        ops::AUTH_USERINFO,
        &UserinfoResponse {
            action: Some(IntrospectionResponseAction::Ok),
            subject: Some("alice".into()),
            claims: Some(vec!["name".into()]),
            dpop_nonce: Some("nonce-1".into()),
            ..UserinfoResponse::default()
        },
    );
    let content = r#"{"sub":"alice","name":"Alice"}"#;
    fake.reply(
        ops::AUTH_USERINFO_ISSUE,
        &UserinfoIssueResponse {
            action: Some(UserinfoIssueResponseAction::Json),
            response_content: Some(content.into()),
            ..UserinfoIssueResponse::default()
        },
    );

    let response = reqwest::Client::new()
        .get(format!("{url}/userinfo"))
        .header("authorization", "dpop at-1")
        .header("dpop", "proof-jwt")
        .send()
        .await
        .unwrap();

    let headers = [
        ("cache-control", "no-store"),
        ("pragma", "no-cache"),
        ("content-type", "application/json;charset=UTF-8"),
        ("content-length", &content.len().to_string()),
        ("dpop-nonce", "nonce-1"),
    ];
    assert_eq!(received(response).await, Seen::new(200, &headers, content));
    assert_eq!(
        fake.received(ops::AUTH_USERINFO),
        vec![UserinfoRequest {
            dpop: Some("proof-jwt".into()),
            htm: Some("GET".into()),
            htu: Some("https://as.example.com/userinfo".into()),
            ..UserinfoRequest::new("at-1")
        }]
    );
    assert_eq!(
        fake.received(ops::AUTH_USERINFO_ISSUE),
        vec![UserinfoIssueRequest { claims: Some(r#"{"name":"Alice"}"#.into()), ..UserinfoIssueRequest::new("at-1") }]
    );
}

#[tokio::test]
async fn a_client_is_read_at_its_configuration_endpoint_over_http() {
    let (fake, url) = serve().await;
    let content = r#"{"client_id":"c 1","client_name":"My Client"}"#;
    fake.reply(
        ops::CLIENT_REGISTRATION_GET,
        &ClientRegistrationResponse {
            action: Some(ClientRegistrationResponseAction::Ok),
            response_content: Some(content.into()),
            ..ClientRegistrationResponse::default()
        },
    );

    let response = reqwest::Client::new()
        .get(format!("{url}/register/c%201"))
        .header("authorization", "Bearer rat-1")
        .send()
        .await
        .unwrap();

    let headers = [
        ("cache-control", "no-store"),
        ("pragma", "no-cache"),
        ("content-type", "application/json;charset=UTF-8"),
        ("content-length", &content.len().to_string()),
    ];
    assert_eq!(received(response).await, Seen::new(200, &headers, content));
    assert_eq!(fake.received(ops::CLIENT_REGISTRATION_GET), vec![ClientRegistrationGetApiRequest::new("rat-1", "c 1")]);
}

#[tokio::test]
async fn a_grant_is_revoked_over_http() {
    let (fake, url) = serve().await;
    fake.reply(ops::GRANT_M, &GMResponse { action: Some(GMResponseAction::NoContent), ..GMResponse::default() });

    let response =
        reqwest::Client::new().delete(format!("{url}/grants/g-42")).header("authorization", "Bearer at-1").send().await;

    assert_eq!(
        received(response.unwrap()).await,
        Seen::new(204, &[("cache-control", "no-store"), ("pragma", "no-cache")], "")
    );
    assert_eq!(
        fake.received(ops::GRANT_M),
        vec![GMRequest {
            access_token: Some("at-1".into()),
            grant_id: Some("g-42".into()),
            gm_action: Some(GrantManagementAction::Revoke),
            htm: Some("DELETE".into()),
            htu: Some("https://as.example.com/grants/g-42".into()),
            ..GMRequest::default()
        }]
    );
}
