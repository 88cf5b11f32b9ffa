//! End to end: the example authorization server (`generated/examples/authorization_server.rs`)
//! on 127.0.0.1, in front of a mock Authlete, answering real HTTP token and resource requests.
//! For each `action` Authlete can answer with, the status, headers and body the client of the
//! authorization server gets, and what the server asked Authlete.

#[path = "../../generated/examples/authorization_server.rs"]
#[allow(dead_code)] // its `main` and demo hook, which the test does not use
mod server;

mod scripted;

use std::sync::Arc;

use authlete::models::{TokenFailRequestReason, TokenResponse};
use scripted::{Answer, MockServer, Seen};
use serde_json::{json, Value};
use server::{App, Config, Decision, GrantHook, NativeSsoDecision};

/// The test's decisions: `alice`/`wonderland` is the one resource owner; token exchanges are
/// granted to the subject token's owner; JWT assertions are refused; a Native SSO session is
/// valid unless its ID is `expired`.
struct TestHook;

impl GrantHook for TestHook {
    async fn password(&self, username: &str, password: &str) -> Decision {
        match (username, password) {
            ("alice", "wonderland") => Decision::Issue { subject: "alice".into() },
            _ => Decision::Fail(TokenFailRequestReason::InvalidResourceOwnerCredentials),
        }
    }

    async fn token_exchange(&self, answer: &TokenResponse) -> Decision {
        let owner = answer.subject_token_info.as_ref().and_then(|info| info.subject.clone());
        Decision::Issue { subject: owner.unwrap_or_else(|| "nobody".into()) }
    }

    async fn jwt_bearer(&self, _: &TokenResponse) -> Decision {
        Decision::Fail(TokenFailRequestReason::Unknown)
    }

    async fn native_sso(&self, answer: &TokenResponse) -> NativeSsoDecision {
        match answer.session_id.as_deref() {
            Some("expired") | None => NativeSsoDecision::Reject,
            Some(_) => {
                NativeSsoDecision::Accept { device_secret: answer.device_secret.clone().unwrap_or("new-ds".into()) }
            }
        }
    }
}

/// The value of `name` in a form-encoded `parameters` string.
fn parameter<'a>(parameters: &'a str, name: &str) -> Option<&'a str> {
    parameters.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Mock Authlete: `/auth/token` answers with the action named by the request's `case` parameter.
fn authlete(seen: &Seen) -> Answer {
    let path = seen.uri.path();
    let body = seen.json();
    match path.trim_start_matches("/api/715948317") {
        "/auth/token" => {
            let parameters = body["parameters"].as_str().unwrap_or_default().to_owned();
            let case = parameter(&parameters, "case").unwrap_or("ok");
            let answer = match case {
                "ok" => {
                    json!({"action": "OK", "responseContent": "{\"access_token\":\"at-1\",\"token_type\":\"DPoP\"}", "dpopNonce": "nonce-7"})
                }
                "invalid_client" => {
                    json!({"action": "INVALID_CLIENT", "responseContent": "{\"error\":\"invalid_client\"}"})
                }
                "bad_request" => json!({"action": "BAD_REQUEST", "responseContent": "{\"error\":\"invalid_grant\"}"}),
                "internal" => {
                    json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": "{\"error\":\"server_error\"}"})
                }
                "use_nonce" => {
                    json!({"action": "BAD_REQUEST", "responseContent": "{\"error\":\"use_dpop_nonce\"}", "dpopNonce": "nonce-8"})
                }
                "password" => json!({
                    "action": "PASSWORD", "ticket": "ticket-pw",
                    "username": parameter(&parameters, "username"), "password": parameter(&parameters, "password"),
                }),
                "exchange" => {
                    json!({"action": "TOKEN_EXCHANGE", "ticket": "ticket-tx", "subjectTokenInfo": {"subject": "bob"}})
                }
                "jwt" => json!({"action": "JWT_BEARER", "ticket": "ticket-jwt", "assertion": "eyJ..."}),
                "sso" => {
                    json!({"action": "NATIVE_SSO", "accessToken": "at-sso", "refreshToken": "rt-sso", "sessionId": "s-1", "deviceSecret": "ds-1"})
                }
                "sso_expired" => json!({"action": "NATIVE_SSO", "accessToken": "at-sso", "sessionId": "expired"}),
                "future" => json!({"action": "SOMETHING_NEW", "responseContent": "{}"}),
                "down" => return Answer::json(500, json!({"resultCode": "A001101", "resultMessage": "down"})),
                other => panic!("unknown case {other}"),
            };
            Answer::json(200, answer)
        }
        "/auth/token/issue" => {
            let subject = body["subject"].as_str().unwrap_or_default();
            let content = format!("{{\"access_token\":\"issued-for-{subject}\"}}");
            Answer::json(200, json!({"action": "OK", "responseContent": content}))
        }
        "/auth/token/fail" => {
            let reason = body["reason"].as_str().unwrap_or_default();
            let error =
                if reason == "INVALID_RESOURCE_OWNER_CREDENTIALS" { "invalid_grant" } else { "invalid_request" };
            Answer::json(200, json!({"action": "BAD_REQUEST", "responseContent": format!("{{\"error\":\"{error}\"}}")}))
        }
        "/nativesso" => Answer::json(
            200,
            json!({"action": "OK", "responseContent": format!("{{\"id_token\":\"idt\",\"device_secret\":\"{}\"}}", body["deviceSecret"].as_str().unwrap_or_default())}),
        ),
        "/auth/introspection" => {
            let answer = match body["token"].as_str().unwrap_or_default() {
                "good" => json!({"action": "OK", "subject": "alice", "scopes": ["read"], "dpopNonce": "nonce-r"}),
                "expired" => {
                    json!({"action": "UNAUTHORIZED", "responseContent": "Bearer error=\"invalid_token\",error_description=\"expired\""})
                }
                "narrow" => json!({"action": "FORBIDDEN", "responseContent": "Bearer error=\"insufficient_scope\""}),
                "odd" => json!({"action": "BAD_REQUEST", "responseContent": "Bearer error=\"invalid_request\""}),
                "broken" => {
                    json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": "Bearer error=\"server_error\""})
                }
                other => panic!("unknown token {other}"),
            };
            Answer::json(200, answer)
        }
        other => panic!("unexpected Authlete path {other}"),
    }
}

/// A mock Authlete and the example server in front of it, both on 127.0.0.1.
struct Setup {
    authlete: MockServer,
    url: String,
    http: reqwest::Client,
}

async fn setup() -> Setup {
    let authlete = MockServer::handler(authlete).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config =
        Config { public_url: "https://as.example".into(), client_certificate_header: Some("x-ssl-cert".into()) };
    let app = Arc::new(App { service: authlete.client(|b| b).service("715948317"), hook: TestHook, config });
    tokio::spawn(async move { axum::serve(listener, server::router(app)).await.unwrap() });
    Setup { authlete, url, http: reqwest::Client::new() }
}

/// What the authorization server's client got.
#[derive(Debug)]
struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A token endpoint answer: JSON, never cached.
    fn assert_token_answer(&self, status: u16, body: Value) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(self.header("cache-control"), Some("no-store"));
        assert_eq!(self.header("pragma"), Some("no-cache"));
        assert_eq!(self.json(), body);
    }
}

impl Setup {
    async fn token(&self, form: &str, headers: &[(&str, &str)]) -> Got {
        let mut request = self.http.post(format!("{}/token", self.url)).body(form.to_owned());
        request = request.header("content-type", "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        got(request.send().await.unwrap()).await
    }

    async fn resource(&self, authorization: Option<&str>) -> Got {
        let mut request = self.http.get(format!("{}/resource", self.url));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        got(request.send().await.unwrap()).await
    }

    /// The bodies of the requests Authlete got, by path.
    fn authlete_calls(&self) -> Vec<(String, Value)> {
        self.authlete
            .seen()
            .iter()
            .map(|s| (s.uri.path().trim_start_matches("/api/715948317").to_owned(), s.json()))
            .collect()
    }
}

async fn got(response: reqwest::Response) -> Got {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Got { status, headers, body: response.text().await.unwrap() }
}

#[tokio::test]
async fn ok_passes_credentials_dpop_and_certificate_and_answers_with_the_tokens() {
    let setup = setup().await;
    // `s6BhdRkqt3:secret+with%3Acolon`: the client ID of RFC 6749's examples, and a secret whose
    // space and colon were form-encoded before base64, as RFC 6749 §2.3.1 says.
    let basic = "Basic czZCaGRSa3F0MzpzZWNyZXQrd2l0aCUzQWNvbG9u";
    let form = "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&case=ok";
    let got = setup
        .token(
            form,
            &[("authorization", basic), ("dpop", "eyJ.proof.sig"), ("x-ssl-cert", "-----BEGIN CERTIFICATE-----")],
        )
        .await;
    got.assert_token_answer(200, json!({"access_token": "at-1", "token_type": "DPoP"}));
    assert_eq!(got.header("dpop-nonce"), Some("nonce-7"));
    assert_eq!(got.header("www-authenticate"), None);
    let calls = setup.authlete_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "/auth/token");
    assert_eq!(
        calls[0].1,
        json!({
            "parameters": form,
            "clientId": "s6BhdRkqt3",
            "clientSecret": "secret with:colon",
            "clientCertificate": "-----BEGIN CERTIFICATE-----",
            "dpop": "eyJ.proof.sig",
            "htm": "POST",
            "htu": "https://as.example/token",
        })
    );
    let seen = setup.authlete.seen();
    assert_eq!(seen[0].headers["authorization"], format!("Bearer {}", scripted::TOKEN));
}

#[tokio::test]
async fn client_authentication_in_the_body_is_left_to_authlete() {
    let setup = setup().await;
    let form = "grant_type=client_credentials&client_id=c1&client_secret=s1&case=ok";
    setup.token(form, &[]).await.assert_token_answer(200, json!({"access_token": "at-1", "token_type": "DPoP"}));
    let (_, body) = &setup.authlete_calls()[0];
    assert_eq!(body["parameters"], form);
    assert!(body.get("clientId").is_none() && body.get("clientSecret").is_none() && body.get("dpop").is_none());
}

#[tokio::test]
async fn error_actions_become_their_statuses() {
    let setup = setup().await;
    let got = setup.token("grant_type=authorization_code&case=invalid_client", &[]).await;
    got.assert_token_answer(401, json!({"error": "invalid_client"}));
    assert_eq!(got.header("www-authenticate"), Some("Basic realm=\"token\""));

    let got = setup.token("grant_type=authorization_code&case=bad_request", &[]).await;
    got.assert_token_answer(400, json!({"error": "invalid_grant"}));
    assert_eq!(got.header("www-authenticate"), None);

    let got = setup.token("grant_type=authorization_code&case=internal", &[]).await;
    got.assert_token_answer(500, json!({"error": "server_error"}));

    let got = setup.token("grant_type=authorization_code&case=use_nonce", &[]).await;
    got.assert_token_answer(400, json!({"error": "use_dpop_nonce"}));
    assert_eq!(got.header("dpop-nonce"), Some("nonce-8"), "a new nonce goes with an error too");

    let got = setup.token("grant_type=authorization_code&case=future", &[]).await;
    got.assert_token_answer(
        500,
        json!({"error": "server_error", "error_description": "unexpected answer from the authorization service"}),
    );
}

#[tokio::test]
async fn password_grant_is_decided_by_the_hook_then_issued_or_failed() {
    let setup = setup().await;
    let got = setup.token("grant_type=password&username=alice&password=wonderland&case=password", &[]).await;
    got.assert_token_answer(200, json!({"access_token": "issued-for-alice"}));
    let got = setup.token("grant_type=password&username=alice&password=guess&case=password", &[]).await;
    got.assert_token_answer(400, json!({"error": "invalid_grant"}));
    let calls = setup.authlete_calls();
    let paths: Vec<&str> = calls.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(paths, ["/auth/token", "/auth/token/issue", "/auth/token", "/auth/token/fail"]);
    assert_eq!(calls[1].1, json!({"ticket": "ticket-pw", "subject": "alice"}));
    assert_eq!(calls[3].1, json!({"ticket": "ticket-pw", "reason": "INVALID_RESOURCE_OWNER_CREDENTIALS"}));
}

#[tokio::test]
async fn token_exchange_and_jwt_bearer_are_decided_by_the_hook() {
    let setup = setup().await;
    let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&case=exchange";
    setup.token(form, &[]).await.assert_token_answer(200, json!({"access_token": "issued-for-bob"}));
    let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&case=jwt";
    setup.token(form, &[]).await.assert_token_answer(400, json!({"error": "invalid_request"}));
    let calls = setup.authlete_calls();
    assert_eq!(calls[1], ("/auth/token/issue".into(), json!({"ticket": "ticket-tx", "subject": "bob"})));
    assert_eq!(calls[3], ("/auth/token/fail".into(), json!({"ticket": "ticket-jwt", "reason": "UNKNOWN"})));
}

#[tokio::test]
async fn native_sso_goes_to_nativesso_when_the_session_is_valid() {
    let setup = setup().await;
    let got = setup.token("grant_type=authorization_code&code=abc&case=sso", &[]).await;
    got.assert_token_answer(200, json!({"id_token": "idt", "device_secret": "ds-1"}));
    let calls = setup.authlete_calls();
    assert_eq!(
        calls[1],
        ("/nativesso".into(), json!({"accessToken": "at-sso", "refreshToken": "rt-sso", "deviceSecret": "ds-1"}))
    );

    let got = setup.token("grant_type=authorization_code&code=abc&case=sso_expired", &[]).await;
    got.assert_token_answer(400, json!({"error": "invalid_grant", "error_description": "the session is not valid"}));
    assert_eq!(setup.authlete_calls().len(), 3, "a rejected session asks Authlete nothing more");
}

#[tokio::test]
async fn authlete_failing_is_a_plain_server_error() {
    let setup = setup().await;
    let got = setup.token("grant_type=authorization_code&case=down", &[]).await;
    got.assert_token_answer(
        500,
        json!({"error": "server_error", "error_description": "the authorization service is unavailable"}),
    );
    assert_eq!(setup.authlete_calls().len(), 1, "a token request is never sent twice");
}

#[tokio::test]
async fn the_resource_answers_as_introspection_says() {
    let setup = setup().await;
    let got = setup.resource(Some("Bearer good")).await;
    assert_eq!((got.status, got.header("www-authenticate")), (200, None));
    assert_eq!(got.json(), json!({"subject": "alice", "scopes": ["read"]}));
    assert_eq!(got.header("dpop-nonce"), Some("nonce-r"));
    assert_eq!(got.header("cache-control"), Some("no-store"));
    let (path, body) = &setup.authlete_calls()[0];
    assert_eq!(path, "/auth/introspection");
    assert_eq!(body, &json!({"token": "good", "htm": "GET", "htu": "https://as.example/resource"}));

    for (token, status, challenge) in [
        ("expired", 401, "Bearer error=\"invalid_token\",error_description=\"expired\""),
        ("narrow", 403, "Bearer error=\"insufficient_scope\""),
        ("odd", 400, "Bearer error=\"invalid_request\""),
        ("broken", 500, "Bearer error=\"server_error\""),
    ] {
        let got = setup.resource(Some(&format!("Bearer {token}"))).await;
        assert_eq!((got.status, got.header("www-authenticate")), (status, Some(challenge)), "{token}");
        assert_eq!(got.body, "");
    }

    let got = setup.resource(None).await;
    assert_eq!((got.status, got.header("www-authenticate")), (401, Some("Bearer realm=\"resource\"")));
    assert_eq!(setup.authlete_calls().len(), 5, "no token, no introspection");
}
