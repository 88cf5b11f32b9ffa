//! The grant management endpoint (`authlete::server::GrantManagementEndpoint`) against the fake
//! Authlete: every action of `/gm`, the grant ID from the path, the access token and its DPoP
//! proof, and Authlete failing.

use authlete::models::{GMRequest, GMResponse, GMResponseAction as Action, GrantManagementAction};
use authlete::server::GrantManagementEndpoint;
use authlete::testing::{ops, FakeAuthlete, Reply};
use serde_json::json;

use crate::endpoint_support::{
    method_not_allowed, request, seen, send, server, server_error, unavailable, with_no_store, Seen,
};

const GRANT: &str = r#"{"scopes":[{"scope":"openid accounts"}],"claims":["given_name"]}"#;
const TOKEN: (&str, &str) = ("authorization", "Bearer at-1");

async fn endpoint() -> (FakeAuthlete, GrantManagementEndpoint) {
    let (fake, server) = server().await;
    (fake, server.grant_management_endpoint())
}

fn answer(action: Action, content: Option<&str>, nonce: Option<&str>) -> GMResponse {
    GMResponse {
        action: Some(action),
        response_content: content.map(str::to_owned),
        dpop_nonce: nonce.map(str::to_owned),
        ..GMResponse::default()
    }
}

#[tokio::test]
async fn a_query_gets_the_grant_as_json() {
    let (fake, endpoint) = endpoint().await;
    fake.reply(ops::GRANT_M, &answer(Action::Ok, Some(GRANT), Some("nonce-1")));
    let headers = [("authorization", "DPoP at-1"), ("dpop", "proof-jwt")];

    let seen = send(&endpoint, request("GET", "/grants/g-42?x=1", &headers, "")).await;

    let expected = with_no_store(&[("content-type", "application/json;charset=UTF-8"), ("dpop-nonce", "nonce-1")]);
    assert_eq!(seen, Seen::new(200, &expected, GRANT));
    // The proof is checked against the method and the public URL, without the query.
    assert_eq!(
        fake.received(ops::GRANT_M),
        vec![GMRequest {
            access_token: Some("at-1".into()),
            grant_id: Some("g-42".into()),
            gm_action: Some(GrantManagementAction::Query),
            dpop: Some("proof-jwt".into()),
            htm: Some("GET".into()),
            htu: Some("https://as.example.com/grants/g-42".into()),
            ..GMRequest::default()
        }]
    );
}

#[tokio::test]
async fn a_revocation_gets_no_content() {
    let (fake, endpoint) = endpoint().await;
    fake.reply(ops::GRANT_M, &answer(Action::NoContent, None, None));

    let seen = send(&endpoint, request("DELETE", "/grants/g-42", &[("authorization", "bearer at-1")], "")).await;

    assert_eq!(seen, Seen::new(204, &with_no_store(&[]), ""));
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

#[tokio::test]
async fn each_error_is_its_status_with_authletes_challenge_and_the_nonce() {
    let cases = [
        (Action::Unauthorized, 401, r#"Bearer error="invalid_token", error_description="expired""#),
        (Action::Forbidden, 403, r#"Bearer error="insufficient_scope", scope="grant_management_query""#),
        (Action::NotFound, 404, r#"Bearer error="invalid_request", error_description="unknown grant""#),
        (Action::CallerError, 500, r#"Bearer error="server_error""#),
        (Action::AuthleteError, 500, r#"Bearer error="server_error""#),
    ];
    for (action, status, challenge) in cases {
        let (fake, endpoint) = endpoint().await;
        fake.reply(ops::GRANT_M, &answer(action.clone(), Some(challenge), Some("nonce-2")));

        let seen = send(&endpoint, request("GET", "/grants/g-42", &[TOKEN], "")).await;

        let headers = with_no_store(&[("www-authenticate", challenge), ("dpop-nonce", "nonce-2")]);
        assert_eq!(seen, Seen::new(status, &headers, ""), "{action:?}");
    }
}

#[tokio::test]
async fn the_authorization_scheme_is_read_in_any_case() {
    for header in ["Bearer at-1", "bearer at-1", "BEARER at-1", "DPoP at-1", "dpop at-1", "DPOP at-1"] {
        let (fake, endpoint) = endpoint().await;
        fake.reply(ops::GRANT_M, &answer(Action::NoContent, None, None));
        let seen = send(&endpoint, request("DELETE", "/grants/g-42", &[("authorization", header)], "")).await;
        assert_eq!(seen.status, 204, "{header}");
        assert_eq!(fake.received(ops::GRANT_M)[0].access_token.as_deref(), Some("at-1"), "{header}");
    }
}

#[tokio::test]
async fn the_grant_id_is_the_last_path_segment_percent_decoded() {
    let (fake, endpoint) = endpoint().await;
    fake.reply(ops::GRANT_M, &answer(Action::NoContent, None, None));

    send(&endpoint, request("DELETE", "/fapi/grants/g%2F1%20x", &[TOKEN], "")).await;
    endpoint.manage(request("DELETE", "/g", &[TOKEN], ""), "given-by-router").await;

    let ids: Vec<_> = fake.received(ops::GRANT_M).into_iter().map(|request| request.grant_id).collect();
    assert_eq!(ids, [Some("g/1 x".to_owned()), Some("given-by-router".to_owned())]);

    let seen = send(&endpoint, request("GET", "/grants/", &[TOKEN], "")).await;
    assert_eq!(seen, Seen::new(404, &with_no_store(&[]), ""));
    assert_eq!(fake.count(ops::GRANT_M), 2);
}

#[tokio::test]
async fn a_request_without_a_token_gets_a_bearer_challenge_without_an_error_code() {
    let (fake, endpoint) = endpoint().await;
    for method in ["GET", "DELETE"] {
        let seen = send(&endpoint, request(method, "/grants/g-42", &[], "")).await;
        let challenge = with_no_store(&[("www-authenticate", r#"Bearer realm="grant_management""#)]);
        assert_eq!(seen, Seen::new(401, &challenge, ""), "{method}");
    }
    // The query is never read.
    let seen = send(&endpoint, request("GET", "/grants/g-42?access_token=at-1", &[], "")).await;
    assert_eq!(seen.status, 401);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_token_that_cannot_be_read_is_invalid_request_in_a_challenge() {
    let cases = [
        (vec![("authorization", "Bearer")], "the Authorization header is malformed"),
        (vec![("authorization", "Basic YTpi")], "the Authorization header takes the Bearer or DPoP scheme"),
        (vec![TOKEN, ("authorization", "DPoP at-2")], "the request has more than one Authorization header"),
    ];
    for (headers, description) in cases {
        let (fake, endpoint) = endpoint().await;
        let seen = send(&endpoint, request("GET", "/grants/g-42", &headers, "")).await;
        let challenge = format!(r#"Bearer error="invalid_request", error_description="{description}""#);
        assert_eq!(seen, Seen::new(400, &with_no_store(&[("www-authenticate", &challenge)]), ""), "{headers:?}");
        assert!(fake.requests().is_empty());
    }
}

#[tokio::test]
async fn other_methods_are_not_allowed() {
    let (fake, endpoint) = endpoint().await;
    for method in ["POST", "PUT", "PATCH"] {
        let seen = send(&endpoint, request(method, "/grants/g-42", &[TOKEN], "")).await;
        assert_eq!(seen, method_not_allowed("GET, DELETE"), "{method}");
    }
    let refused = seen(endpoint.manage(request("POST", "/grants/g-42", &[TOKEN], ""), "g-42").await);
    assert_eq!(refused, method_not_allowed("GET, DELETE"));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn authlete_unreachable_is_503_with_retry_after() {
    let (fake, endpoint) = endpoint().await;
    fake.reply_once(ops::GRANT_M, Reply::disconnect());
    fake.reply_once(ops::GRANT_M, Reply::api_error(502, "A001101", "bad gateway"));
    for _ in 0..2 {
        let seen = send(&endpoint, request("GET", "/grants/g-42", &[TOKEN], "")).await;
        assert_eq!(seen, unavailable(&[]));
    }
}

#[tokio::test]
async fn an_unknown_or_missing_action_is_a_server_error() {
    let (fake, endpoint) = endpoint().await;
    fake.reply_once(ops::GRANT_M, Reply::json(200, json!({"action": "MERGED", "dpopNonce": "nonce-3"})));
    fake.reply_once(ops::GRANT_M, Reply::json(200, json!({"responseContent": GRANT})));

    let unknown = send(&endpoint, request("GET", "/grants/g-42", &[TOKEN], "")).await;
    let missing = send(&endpoint, request("GET", "/grants/g-42", &[TOKEN], "")).await;

    assert_eq!(unknown, server_error(&[("dpop-nonce", "nonce-3")]));
    assert_eq!(missing, server_error(&[]));
}
