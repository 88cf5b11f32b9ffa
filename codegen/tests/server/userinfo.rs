//! The UserInfo endpoint (`authlete::server::UserInfoEndpoint`) against the fake Authlete: every
//! action of `/auth/userinfo` and `/auth/userinfo/issue`, how the access token is read, what the
//! server's `UserClaims` is asked and what reaches Authlete, and Authlete failing.

use std::sync::{Arc, Mutex};

use authlete::models::{
    IntrospectionResponseAction, StringArray, UserinfoIssueRequest, UserinfoIssueResponse, UserinfoIssueResponseAction,
    UserinfoRequest, UserinfoResponse,
};
use authlete::server::{
    AuthorizationServer, ClaimValues, ClaimsDecision, ClaimsRequest, Config, NoClaims, UserClaims, UserInfoEndpoint,
};
use authlete::testing::{ops, FakeAuthlete, Reply};
use serde_json::{json, Map, Value};

use crate::endpoint_support::{request, send, server, server_error, unavailable, with_no_store, Seen, PUBLIC_URL};

/// What a test's `UserClaims` was asked, in owned form.
#[derive(Debug, Clone, PartialEq)]
struct Asked {
    subject: String,
    claims: Vec<String>,
    requested: Vec<(String, String, Option<String>)>,
    scopes: Vec<String>,
    client_id: Option<i64>,
    claims_for_tx: Vec<String>,
    verified_claims_for_tx: Vec<Vec<String>>,
    user_info_claims: Option<String>,
}

/// The test's user store: `alice` has a name, an email and a Japanese family name; `pairwise`
/// is answered with a pairwise `sub`; `ghost` no longer exists; `down` cannot be read.
#[derive(Clone, Default)]
struct Users {
    asked: Arc<Mutex<Vec<Asked>>>,
}

impl UserClaims for Users {
    async fn claims(&self, request: ClaimsRequest<'_>) -> ClaimsDecision {
        self.asked.lock().unwrap().push(Asked {
            subject: request.subject.to_owned(),
            claims: request.claims.to_vec(),
            requested: request
                .requested()
                .map(|claim| (claim.key.to_owned(), claim.name.to_owned(), claim.language.map(str::to_owned)))
                .collect(),
            scopes: request.scopes.to_vec(),
            client_id: request.client_id,
            claims_for_tx: request.requested_claims_for_tx.to_vec(),
            verified_claims_for_tx: request
                .requested_verified_claims_for_tx
                .iter()
                .map(|names| names.array.clone().unwrap_or_default())
                .collect(),
            user_info_claims: request.user_info_claims.map(str::to_owned),
        });
        let alice = || {
            let mut claims = Map::new();
            for claim in request.requested() {
                let value = match (claim.name, claim.language) {
                    ("name", None) => json!("Alice Liddell"),
                    ("email", None) => json!("alice@example.com"),
                    ("family_name", Some("ja")) => json!("リデル"),
                    _ => continue,
                };
                claims.insert(claim.key.to_owned(), value);
            }
            claims
        };
        match request.subject {
            "alice" => ClaimsDecision::Claims(
                ClaimValues::new(alice())
                    .claims_for_tx(object(json!({"birthdate": "1852-05-04"})))
                    .verified_claims_for_tx(vec![object(json!({"nationalities": ["GBR"]}))]),
            ),
            "pairwise" => ClaimsDecision::Claims(ClaimValues::new(alice()).pairwise_sub("ppid-8c1f")),
            "ghost" => ClaimsDecision::NoSuchUser,
            "down" => ClaimsDecision::Unavailable,
            _ => ClaimsDecision::claims(Map::new()),
        }
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// Authlete's answer for a valid token of `subject`, with a new DPoP nonce.
fn valid(subject: &str) -> UserinfoResponse {
    UserinfoResponse {
        action: Some(IntrospectionResponseAction::Ok),
        subject: Some(subject.into()),
        // In the order of their names, so that the JSON text the test expects does not depend on
        // whether serde_json keeps insertion order.
        claims: Some(vec!["email".into(), "family_name#ja".into(), "name".into(), "phone_number".into()]),
        scopes: Some(vec!["openid".into(), "profile".into(), "email".into()]),
        client_id: Some(26478243745571),
        token: Some("at-1".into()),
        requested_claims_for_tx: Some(vec!["birthdate".into()]),
        requested_verified_claims_for_tx: Some(vec![StringArray {
            array: Some(vec!["nationalities".into()]),
            ..StringArray::default()
        }]),
        user_info_claims: Some(r#"{"email":{"essential":true}}"#.into()),
        dpop_nonce: Some("nonce-1".into()),
        ..UserinfoResponse::default()
    }
}

fn issued(action: UserinfoIssueResponseAction, content: &str) -> UserinfoIssueResponse {
    UserinfoIssueResponse {
        action: Some(action),
        response_content: Some(content.into()),
        ..UserinfoIssueResponse::default()
    }
}

async fn endpoint() -> (FakeAuthlete, UserInfoEndpoint<Users>, Users) {
    let (fake, server) = server().await;
    let users = Users::default();
    (fake, server.userinfo_endpoint(users.clone()), users)
}

const CLAIMS_JSON: &str = r#"{"sub":"alice","name":"Alice Liddell"}"#;

#[tokio::test]
async fn a_valid_token_on_get_gets_the_users_claims_as_json() {
    let (fake, endpoint, users) = endpoint().await;
    fake.reply(ops::AUTH_USERINFO, &valid("alice"));
    fake.reply(ops::AUTH_USERINFO_ISSUE, &issued(UserinfoIssueResponseAction::Json, CLAIMS_JSON));

    let seen =
        send(&endpoint, request("GET", "/userinfo?x=1", &[("authorization", "DPoP at-1"), ("dpop", "proof-jwt")], ""))
            .await;

    let headers = with_no_store(&[("content-type", "application/json;charset=UTF-8"), ("dpop-nonce", "nonce-1")]);
    assert_eq!(seen, Seen::new(200, &headers, CLAIMS_JSON));
    // Authlete checks the token and the proof against the public URL, without the query.
    assert_eq!(
        fake.received(ops::AUTH_USERINFO),
        vec![UserinfoRequest {
            dpop: Some("proof-jwt".into()),
            htm: Some("GET".into()),
            htu: Some("https://as.example.com/userinfo".into()),
            ..UserinfoRequest::new("at-1")
        }]
    );
    // The server was asked about alice, with everything the answer says of the request.
    assert_eq!(
        users.asked.lock().unwrap().clone(),
        vec![Asked {
            subject: "alice".into(),
            claims: vec!["email".into(), "family_name#ja".into(), "name".into(), "phone_number".into()],
            requested: vec![
                ("email".into(), "email".into(), None),
                ("family_name#ja".into(), "family_name".into(), Some("ja".into())),
                ("name".into(), "name".into(), None),
                ("phone_number".into(), "phone_number".into(), None),
            ],
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            client_id: Some(26478243745571),
            claims_for_tx: vec!["birthdate".into()],
            verified_claims_for_tx: vec![vec!["nationalities".into()]],
            user_info_claims: Some(r#"{"email":{"essential":true}}"#.into()),
        }]
    );
    // What it answered reached Authlete: the claims alice has, as a JSON object's text.
    assert_eq!(
        fake.received(ops::AUTH_USERINFO_ISSUE),
        vec![UserinfoIssueRequest {
            claims: Some(r#"{"email":"alice@example.com","family_name#ja":"リデル","name":"Alice Liddell"}"#.into()),
            claims_for_tx: Some(r#"{"birthdate":"1852-05-04"}"#.into()),
            verified_claims_for_tx: Some(vec![r#"{"nationalities":["GBR"]}"#.into()]),
            ..UserinfoIssueRequest::new("at-1")
        }]
    );
}

#[tokio::test]
async fn a_token_in_a_post_form_gets_a_jwt_with_authletes_message_signature() {
    let (fake, endpoint, _) = endpoint().await;
    fake.reply(ops::AUTH_USERINFO, &UserinfoResponse { dpop_nonce: None, ..valid("pairwise") });
    fake.reply(
        ops::AUTH_USERINFO_ISSUE,
        &UserinfoIssueResponse {
            signature: Some("sig=:MEUCIQ==:".into()),
            signature_input: Some("sig=(\"@status\");created=1".into()),
            content_digest: Some("sha-256=:X48E9q==:".into()),
            ..issued(UserinfoIssueResponseAction::Jwt, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln")
        },
    );

    let form = [("content-type", "application/x-www-form-urlencoded")];
    let seen = send(&endpoint, request("POST", "/userinfo", &form, "access_token=at-2")).await;

    let headers = with_no_store(&[
        ("content-type", "application/jwt"),
        ("signature", "sig=:MEUCIQ==:"),
        ("signature-input", "sig=(\"@status\");created=1"),
        ("content-digest", "sha-256=:X48E9q==:"),
    ]);
    assert_eq!(seen, Seen::new(200, &headers, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"));
    assert_eq!(
        fake.received(ops::AUTH_USERINFO),
        vec![UserinfoRequest {
            htm: Some("POST".into()),
            htu: Some("https://as.example.com/userinfo".into()),
            ..UserinfoRequest::new("at-2")
        }]
    );
    // A pairwise subject replaces the token's; nothing was asked for transformed claims.
    assert_eq!(
        fake.received(ops::AUTH_USERINFO_ISSUE),
        vec![UserinfoIssueRequest {
            claims: Some(r#"{"email":"alice@example.com","family_name#ja":"リデル","name":"Alice Liddell"}"#.into()),
            sub: Some("ppid-8c1f".into()),
            ..UserinfoIssueRequest::new("at-2")
        }]
    );
}

#[tokio::test]
async fn a_user_without_claims_sends_authlete_no_claims() {
    let (fake, server) = server().await;
    let endpoint = server.userinfo_endpoint(NoClaims);
    fake.reply(ops::AUTH_USERINFO, &valid("bob"));
    fake.reply(ops::AUTH_USERINFO_ISSUE, &issued(UserinfoIssueResponseAction::Json, r#"{"sub":"bob"}"#));

    let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;

    let headers = with_no_store(&[("content-type", "application/json;charset=UTF-8"), ("dpop-nonce", "nonce-1")]);
    assert_eq!(seen, Seen::new(200, &headers, r#"{"sub":"bob"}"#));
    assert_eq!(fake.received(ops::AUTH_USERINFO_ISSUE), vec![UserinfoIssueRequest::new("at-1")]);
}

#[tokio::test]
async fn each_error_of_auth_userinfo_is_its_status_with_authletes_challenge_and_no_body() {
    let cases = [
        (IntrospectionResponseAction::BadRequest, 400, r#"Bearer error="invalid_request""#),
        (
            IntrospectionResponseAction::Unauthorized,
            401,
            r#"Bearer error="invalid_token", error_description="expired""#,
        ),
        (IntrospectionResponseAction::Forbidden, 403, r#"Bearer error="insufficient_scope", scope="openid""#),
        (IntrospectionResponseAction::InternalServerError, 500, r#"Bearer error="server_error""#),
    ];
    for (action, status, content) in cases {
        let (fake, endpoint, users) = endpoint().await;
        let answer = UserinfoResponse {
            action: Some(action.clone()),
            response_content: Some(content.into()),
            dpop_nonce: Some("nonce-2".into()),
            ..UserinfoResponse::default()
        };
        fake.reply(ops::AUTH_USERINFO, &answer);

        let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;

        let headers = with_no_store(&[("www-authenticate", content), ("dpop-nonce", "nonce-2")]);
        assert_eq!(seen, Seen::new(status, &headers, ""), "{action:?}");
        assert_eq!(fake.count(ops::AUTH_USERINFO_ISSUE), 0, "{action:?}");
        assert!(users.asked.lock().unwrap().is_empty(), "{action:?}");
    }
}

#[tokio::test]
async fn each_error_of_auth_userinfo_issue_is_its_status_with_authletes_challenge() {
    let cases = [
        (UserinfoIssueResponseAction::BadRequest, 400, r#"Bearer error="invalid_request""#),
        (UserinfoIssueResponseAction::Unauthorized, 401, r#"Bearer error="invalid_token""#),
        (UserinfoIssueResponseAction::Forbidden, 403, r#"Bearer error="insufficient_scope""#),
        (UserinfoIssueResponseAction::InternalServerError, 500, r#"Bearer error="server_error""#),
    ];
    for (action, status, content) in cases {
        let (fake, endpoint, _) = endpoint().await;
        fake.reply(ops::AUTH_USERINFO, &valid("alice"));
        fake.reply(ops::AUTH_USERINFO_ISSUE, &issued(action.clone(), content));

        let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;

        // The nonce of `/auth/userinfo` still reaches the client.
        let headers = with_no_store(&[("www-authenticate", content), ("dpop-nonce", "nonce-1")]);
        assert_eq!(seen, Seen::new(status, &headers, ""), "{action:?}");
    }
}

#[tokio::test]
async fn a_user_who_is_gone_or_cannot_be_read_is_a_bearer_error() {
    let cases = [
        (
            "ghost",
            401,
            r#"Bearer error="invalid_token", error_description="the user of the access token does not exist""#,
        ),
        ("down", 500, r#"Bearer error="server_error", error_description="the user's claims could not be read""#),
    ];
    for (subject, status, challenge) in cases {
        let (fake, endpoint, _) = endpoint().await;
        fake.reply(ops::AUTH_USERINFO, &valid(subject));

        let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;

        let headers = with_no_store(&[("www-authenticate", challenge), ("dpop-nonce", "nonce-1")]);
        assert_eq!(seen, Seen::new(status, &headers, ""), "{subject}");
        assert_eq!(fake.count(ops::AUTH_USERINFO_ISSUE), 0, "{subject}");
    }
}

#[tokio::test]
async fn the_authorization_scheme_is_read_in_any_case() {
    for header in ["bearer at-1", "BEARER at-1", "Bearer   at-1", "dpop at-1", "DPOP at-1", "DPoP at-1"] {
        let (fake, endpoint, _) = endpoint().await;
        fake.reply(ops::AUTH_USERINFO, &valid("alice"));
        fake.reply(ops::AUTH_USERINFO_ISSUE, &issued(UserinfoIssueResponseAction::Json, CLAIMS_JSON));

        let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", header)], "")).await;

        assert_eq!(seen.status, 200, "{header}");
        assert_eq!(fake.received(ops::AUTH_USERINFO)[0].token, "at-1", "{header}");
    }
}

#[tokio::test]
async fn a_request_without_a_token_gets_a_bearer_challenge_without_an_error_code() {
    let (fake, endpoint, _) = endpoint().await;
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let requests = [
        request("GET", "/userinfo", &[], ""),
        request("POST", "/userinfo", &form, "scope=openid"),
        // The query is not read unless the endpoint allows it (RFC 6750 §2.3).
        request("GET", "/userinfo?access_token=at-1", &[], ""),
    ];
    for request in requests {
        let seen = send(&endpoint, request).await;
        assert_eq!(seen, Seen::new(401, &with_no_store(&[("www-authenticate", r#"Bearer realm="userinfo""#)]), ""));
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_token_in_the_query_is_read_where_the_endpoint_allows_it() {
    let (fake, server) = server().await;
    let endpoint = server.userinfo_endpoint(Users::default()).token_in_query(true);
    fake.reply(ops::AUTH_USERINFO, &valid("alice"));
    fake.reply(ops::AUTH_USERINFO_ISSUE, &issued(UserinfoIssueResponseAction::Json, CLAIMS_JSON));

    let seen = send(&endpoint, request("GET", "/userinfo?access_token=at%2B3", &[], "")).await;

    assert_eq!(seen.status, 200);
    assert_eq!(fake.received(ops::AUTH_USERINFO)[0].token, "at+3");
    assert_eq!(fake.received(ops::AUTH_USERINFO_ISSUE)[0].token, "at+3");
}

#[tokio::test]
async fn a_token_that_cannot_be_read_is_invalid_request_in_a_challenge() {
    let form = ("content-type", "application/x-www-form-urlencoded");
    let cases = [
        (request("GET", "/userinfo", &[("authorization", "Bearer")], ""), "the Authorization header is malformed"),
        (request("GET", "/userinfo", &[("authorization", "Bearer a b")], ""), "the Authorization header is malformed"),
        (
            request("GET", "/userinfo", &[("authorization", "Basic YTpi")], ""),
            "the Authorization header takes the Bearer or DPoP scheme",
        ),
        (
            request("GET", "/userinfo", &[("authorization", "Bearer a\"b")], ""),
            "the access token in the Authorization header is malformed",
        ),
        (
            request("GET", "/userinfo", &[("authorization", "Bearer at-1"), ("authorization", "Bearer at-2")], ""),
            "the request has more than one Authorization header",
        ),
        (
            request("POST", "/userinfo", &[("authorization", "Bearer at-1"), form], "access_token=at-1"),
            "the request carries an access token in more than one way",
        ),
    ];
    for (request, description) in cases {
        let (fake, endpoint, _) = endpoint().await;
        let seen = send(&endpoint, request).await;
        let challenge = format!(r#"Bearer error="invalid_request", error_description="{description}""#);
        assert_eq!(seen, Seen::new(400, &with_no_store(&[("www-authenticate", &challenge)]), ""));
        assert!(fake.requests().is_empty());
    }
}

#[tokio::test]
async fn a_token_in_two_places_is_refused_where_the_query_is_allowed() {
    let (fake, server) = server().await;
    let endpoint = server.userinfo_endpoint(NoClaims).token_in_query(true);
    let seen =
        send(&endpoint, request("GET", "/userinfo?access_token=at-1", &[("authorization", "Bearer at-1")], "")).await;
    let challenge = r#"Bearer error="invalid_request", error_description="the request carries an access token in more than one way""#;
    assert_eq!(seen, Seen::new(400, &with_no_store(&[("www-authenticate", challenge)]), ""));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn other_methods_are_not_allowed() {
    let (fake, endpoint, _) = endpoint().await;
    for method in ["PUT", "DELETE", "PATCH"] {
        let seen = send(&endpoint, request(method, "/userinfo", &[("authorization", "Bearer at-1")], "")).await;
        assert_eq!(seen, crate::endpoint_support::method_not_allowed("GET, POST"), "{method}");
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn authlete_unreachable_is_503_with_retry_after() {
    let (fake, endpoint, _) = endpoint().await;
    fake.reply_once(ops::AUTH_USERINFO, Reply::disconnect());
    let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;
    assert_eq!(seen, unavailable(&[]));

    // The same when the second call fails, with the first answer's nonce.
    fake.reply(ops::AUTH_USERINFO, &valid("alice"));
    fake.reply_once(ops::AUTH_USERINFO_ISSUE, Reply::api_error(503, "A001101", "maintenance"));
    let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;
    assert_eq!(seen, unavailable(&[("dpop-nonce", "nonce-1")]));
}

#[tokio::test]
async fn an_unknown_action_is_a_server_error() {
    let (fake, endpoint, users) = endpoint().await;
    fake.reply_once(ops::AUTH_USERINFO, Reply::json(200, json!({"action": "INTROSPECT_LATER", "dpopNonce": "n-3"})));
    let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;
    assert_eq!(seen, server_error(&[("dpop-nonce", "n-3")]));
    assert!(users.asked.lock().unwrap().is_empty());

    fake.reply(ops::AUTH_USERINFO, &UserinfoResponse { dpop_nonce: None, ..valid("alice") });
    fake.reply_once(ops::AUTH_USERINFO_ISSUE, Reply::json(200, json!({"action": "JSON_LD"})));
    let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;
    assert_eq!(seen, server_error(&[]));

    // No action at all is no better.
    fake.reply_once(ops::AUTH_USERINFO_ISSUE, Reply::json(200, json!({"responseContent": "{}"})));
    let seen = send(&endpoint, request("GET", "/userinfo", &[("authorization", "Bearer at-1")], "")).await;
    assert_eq!(seen, server_error(&[]));
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_before_authlete_is_asked() {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL).unwrap().max_body_bytes(16);
    let endpoint = AuthorizationServer::new(fake.service(), config).userinfo_endpoint(NoClaims);
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let seen = send(&endpoint, request("POST", "/userinfo", &form, "access_token=at-1&x=0123456789")).await;
    assert_eq!(
        seen,
        Seen::new(
            413,
            &with_no_store(&[("content-type", "application/json;charset=UTF-8")]),
            r#"{"error":"invalid_request","error_description":"the request body is larger than 16 bytes"}"#,
        )
    );
    assert!(fake.requests().is_empty());
}
