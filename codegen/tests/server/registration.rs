//! Dynamic client registration and management (`authlete::server::RegistrationEndpoint`) against
//! the fake Authlete: every action of the four Authlete calls, the client ID from the path, the
//! initial and registration access tokens, the JSON body checks, and Authlete failing.

use authlete::models::{
    ClientRegistrationApiRequest, ClientRegistrationGetApiRequest, ClientRegistrationResponse,
    ClientRegistrationResponseAction as Action, ClientRegistrationUpdateApiRequest,
};
use authlete::server::RegistrationEndpoint;
use authlete::testing::{ops, FakeAuthlete, Reply};
use serde_json::json;

use crate::endpoint_support::{
    method_not_allowed, request, seen, send, server, server_error, unavailable, with_no_store, Seen,
};

const METADATA: &str = r#"{"client_name":"My Dynamic Client","redirect_uris":["https://client.example.org/cb"]}"#;
const CLIENT: &str = r#"{"client_id":"26837717140341","registration_access_token":"rat-1"}"#;
const JSON_TYPE: (&str, &str) = ("content-type", "application/json");

async fn endpoint() -> (FakeAuthlete, RegistrationEndpoint) {
    let (fake, server) = server().await;
    (fake, server.registration_endpoint())
}

fn answer(action: Action, content: Option<&str>) -> ClientRegistrationResponse {
    ClientRegistrationResponse {
        action: Some(action),
        response_content: content.map(str::to_owned),
        ..ClientRegistrationResponse::default()
    }
}

/// A JSON response of the endpoint.
fn json_response(status: u16, body: &str) -> Seen {
    Seen::new(status, &with_no_store(&[("content-type", "application/json;charset=UTF-8")]), body)
}

/// The `401` of an invalid token: Authlete's JSON and RFC 6750's challenge.
fn invalid_token(body: &str) -> Seen {
    let headers = with_no_store(&[
        ("content-type", "application/json;charset=UTF-8"),
        ("www-authenticate", r#"Bearer error="invalid_token""#),
    ]);
    Seen::new(401, &headers, body)
}

const ERROR: &str = r#"{"error":"invalid_client_metadata","error_description":"bad redirect_uris"}"#;
const SERVER_ERROR: &str = r#"{"error":"server_error"}"#;

#[tokio::test]
async fn a_registration_is_created_and_every_answer_of_client_registration_maps_to_its_status() {
    let cases = [
        (Action::Created, json_response(201, CLIENT)),
        (Action::BadRequest, json_response(400, ERROR)),
        (Action::Unauthorized, invalid_token(ERROR)),
        (Action::InternalServerError, json_response(500, SERVER_ERROR)),
    ];
    for (action, expected) in cases {
        let (fake, endpoint) = endpoint().await;
        let content = match action {
            Action::Created => CLIENT,
            Action::InternalServerError => SERVER_ERROR,
            _ => ERROR,
        };
        fake.reply(ops::CLIENT_REGISTRATION, &answer(action.clone(), Some(content)));

        let seen = send(&endpoint, request("POST", "/register", &[JSON_TYPE], METADATA)).await;

        assert_eq!(seen, expected, "{action:?}");
        // The body is passed on as it is; no initial access token was sent.
        assert_eq!(fake.received(ops::CLIENT_REGISTRATION), vec![ClientRegistrationApiRequest::new(METADATA)]);
    }
}

#[tokio::test]
async fn the_initial_access_token_reaches_authlete() {
    let (fake, endpoint) = endpoint().await;
    fake.reply(ops::CLIENT_REGISTRATION, &answer(Action::Created, Some(CLIENT)));
    let headers = [("content-type", "Application/JSON; charset=utf-8"), ("authorization", "bearer iat-1")];

    let seen = send(&endpoint, request("POST", "/register", &headers, METADATA)).await;

    assert_eq!(seen, json_response(201, CLIENT));
    assert_eq!(
        fake.received(ops::CLIENT_REGISTRATION),
        vec![ClientRegistrationApiRequest {
            token: Some("iat-1".into()),
            ..ClientRegistrationApiRequest::new(METADATA)
        }]
    );
}

#[tokio::test]
async fn a_client_is_read_updated_and_deleted_at_its_configuration_endpoint() {
    let (fake, endpoint) = endpoint().await;
    fake.reply(ops::CLIENT_REGISTRATION_GET, &answer(Action::Ok, Some(CLIENT)));
    fake.reply(ops::CLIENT_REGISTRATION_UPDATE, &answer(Action::Updated, Some(CLIENT)));
    fake.reply(ops::CLIENT_REGISTRATION_DELETE, &answer(Action::Deleted, None));
    let token = ("authorization", "Bearer rat-1");

    let read = send(&endpoint, request("GET", "/register/26837717140341", &[token], "")).await;
    let updated = send(&endpoint, request("PUT", "/register/26837717140341", &[token, JSON_TYPE], METADATA)).await;
    let deleted = send(&endpoint, request("DELETE", "/register/26837717140341", &[token], "")).await;

    assert_eq!(read, json_response(200, CLIENT));
    assert_eq!(updated, json_response(200, CLIENT));
    assert_eq!(deleted, Seen::new(204, &with_no_store(&[]), ""));
    let target = ClientRegistrationGetApiRequest::new("rat-1", "26837717140341");
    assert_eq!(fake.received(ops::CLIENT_REGISTRATION_GET), vec![target.clone()]);
    assert_eq!(
        fake.received(ops::CLIENT_REGISTRATION_UPDATE),
        vec![ClientRegistrationUpdateApiRequest::new(METADATA, "rat-1", "26837717140341")]
    );
    assert_eq!(fake.received(ops::CLIENT_REGISTRATION_DELETE), vec![target]);
}

#[tokio::test]
async fn every_error_of_the_management_calls_maps_to_its_status() {
    let cases = [
        (Action::BadRequest, json_response(400, ERROR)),
        (Action::Unauthorized, invalid_token(ERROR)),
        (Action::InternalServerError, json_response(500, ERROR)),
    ];
    for (action, expected) in cases {
        let (fake, endpoint) = endpoint().await;
        fake.reply(ops::CLIENT_REGISTRATION_GET, &answer(action.clone(), Some(ERROR)));
        fake.reply(ops::CLIENT_REGISTRATION_UPDATE, &answer(action.clone(), Some(ERROR)));
        fake.reply(ops::CLIENT_REGISTRATION_DELETE, &answer(action.clone(), Some(ERROR)));
        let token = ("authorization", "Bearer rat-1");

        for (method, headers, body) in
            [("GET", vec![token], ""), ("PUT", vec![token, JSON_TYPE], METADATA), ("DELETE", vec![token], "")]
        {
            let seen = send(&endpoint, request(method, "/register/c1", &headers, body)).await;
            assert_eq!(seen, expected, "{method} {action:?}");
        }
    }
}

#[tokio::test]
async fn the_client_id_is_the_last_path_segment_percent_decoded() {
    let (fake, endpoint) = endpoint().await;
    fake.reply(ops::CLIENT_REGISTRATION_GET, &answer(Action::Ok, Some(CLIENT)));

    let token = ("authorization", "Bearer rat-1");
    send(&endpoint, request("GET", "/oauth/register/my%20client%2Fa&b=c", &[token], "")).await;
    // A router that extracted the ID itself names it.
    endpoint.manage(request("GET", "/clients/whatever", &[token], ""), "alias-7").await;

    let ids: Vec<String> =
        fake.received(ops::CLIENT_REGISTRATION_GET).into_iter().map(|request| request.client_id).collect();
    assert_eq!(ids, ["my client/a&b=c", "alias-7"]);

    // `/register/` names no client.
    let seen = send(&endpoint, request("GET", "/register/", &[token], "")).await;
    assert_eq!(seen, Seen::new(404, &with_no_store(&[]), ""));
    assert_eq!(fake.count(ops::CLIENT_REGISTRATION_GET), 2);
}

#[tokio::test]
async fn management_without_a_token_is_a_bearer_challenge_without_an_error_code() {
    let (fake, endpoint) = endpoint().await;
    for (method, headers, body) in [("GET", vec![], ""), ("PUT", vec![JSON_TYPE], METADATA), ("DELETE", vec![], "")] {
        let seen = send(&endpoint, request(method, "/register/c1", &headers, body)).await;
        let challenge = with_no_store(&[("www-authenticate", r#"Bearer realm="registration""#)]);
        assert_eq!(seen, Seen::new(401, &challenge, ""), "{method}");
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_token_that_cannot_be_used_is_invalid_request_in_a_challenge() {
    let cases = [
        ("POST", "/register", "Bearer", "the Authorization header is malformed"),
        ("GET", "/register/c1", "Basic YTpi", "the Authorization header takes the Bearer or DPoP scheme"),
        ("GET", "/register/c1", "DPoP rat-1", "the registration endpoints take Bearer tokens"),
        ("DELETE", "/register/c1", "Bearer rat 1", "the Authorization header is malformed"),
        ("POST", "/register", "dpop iat-1", "the registration endpoints take Bearer tokens"),
    ];
    for (method, path, authorization, description) in cases {
        let (fake, endpoint) = endpoint().await;
        let seen =
            send(&endpoint, request(method, path, &[("authorization", authorization), JSON_TYPE], METADATA)).await;
        let challenge = format!(r#"Bearer error="invalid_request", error_description="{description}""#);
        assert_eq!(seen, Seen::new(400, &with_no_store(&[("www-authenticate", &challenge)]), ""), "{authorization}");
        assert!(fake.requests().is_empty());
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_text_is_refused_before_authlete_is_asked() {
    let invalid = |description: &str| {
        json_response(400, &format!(r#"{{"error":"invalid_request","error_description":"{description}"}}"#))
    };
    let token = ("authorization", "Bearer rat-1");
    let form = ("content-type", "application/x-www-form-urlencoded");
    let cases = [
        (
            request("POST", "/register", &[form], "client_name=x"),
            invalid("the request body must be sent as application/json"),
        ),
        (request("POST", "/register", &[], METADATA), invalid("the request body must be sent as application/json")),
        (
            request("PUT", "/register/c1", &[token, form], "a=b"),
            invalid("the request body must be sent as application/json"),
        ),
        (
            authlete::server::Request::from_http(
                axum::http::Request::post("/register")
                    .header("content-type", "application/json")
                    .body(vec![b'"', 0xff, b'"'])
                    .unwrap(),
            ),
            invalid("the request body is not UTF-8"),
        ),
    ];
    for (request, expected) in cases {
        let (fake, endpoint) = endpoint().await;
        assert_eq!(send(&endpoint, request).await, expected);
        assert!(fake.requests().is_empty());
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let fake = FakeAuthlete::start().await;
    let config = authlete::server::Config::new(crate::endpoint_support::PUBLIC_URL).unwrap().max_body_bytes(32);
    let endpoint = authlete::server::AuthorizationServer::new(fake.service(), config).registration_endpoint();
    let seen = send(&endpoint, request("POST", "/register", &[JSON_TYPE], METADATA)).await;
    assert_eq!(
        seen,
        json_response(
            413,
            r#"{"error":"invalid_request","error_description":"the request body is larger than 32 bytes"}"#
        )
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn other_methods_are_not_allowed() {
    let (fake, endpoint) = endpoint().await;
    let token = ("authorization", "Bearer rat-1");
    assert_eq!(
        send(&endpoint, request("PATCH", "/register/c1", &[token], "")).await,
        method_not_allowed("GET, POST, PUT, DELETE")
    );
    let refused = seen(endpoint.register(request("GET", "/register", &[token], "")).await);
    assert_eq!(refused, method_not_allowed("POST"));
    let refused = seen(endpoint.manage(request("POST", "/register/c1", &[token, JSON_TYPE], METADATA), "c1").await);
    assert_eq!(refused, method_not_allowed("GET, PUT, DELETE"));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn authlete_unreachable_is_503_with_retry_after() {
    let (fake, endpoint) = endpoint().await;
    fake.reply_once(ops::CLIENT_REGISTRATION, Reply::disconnect());
    fake.reply_once(ops::CLIENT_REGISTRATION_DELETE, Reply::api_error(503, "A001101", "maintenance"));

    let registered = send(&endpoint, request("POST", "/register", &[JSON_TYPE], METADATA)).await;
    let deleted = send(&endpoint, request("DELETE", "/register/c1", &[("authorization", "Bearer rat-1")], "")).await;

    assert_eq!(registered, unavailable(&[]));
    assert_eq!(deleted, unavailable(&[]));
}

#[tokio::test]
async fn an_unknown_or_missing_action_is_a_server_error() {
    let (fake, endpoint) = endpoint().await;
    fake.reply_once(ops::CLIENT_REGISTRATION, Reply::json(200, json!({"action": "PENDING_REVIEW"})));
    fake.reply_once(ops::CLIENT_REGISTRATION_GET, Reply::json(200, json!({"responseContent": CLIENT})));

    let registered = send(&endpoint, request("POST", "/register", &[JSON_TYPE], METADATA)).await;
    let read = send(&endpoint, request("GET", "/register/c1", &[("authorization", "Bearer rat-1")], "")).await;

    assert_eq!(registered, server_error(&[]));
    assert_eq!(read, server_error(&[]));
}
