//! The toolkit's token endpoint over real HTTP, in front of the fake Authlete: every action of
//! `/auth/token` and of the calls that follow it, every decision of the `GrantHandler`, the
//! requests it refuses before asking Authlete, and Authlete failing.

use std::time::Duration;

use authlete::models::{
    IdtokenReissueResponse, IdtokenReissueResponseAction, NativeSsoResponse, NativeSsoResponseAction,
    TokenFailRequestReason, TokenFailResponse, TokenFailResponseAction, TokenIssueResponse, TokenIssueResponseAction,
    TokenResponse, TokenResponseAction,
};
use authlete::server::{
    AuthorizationServer, Config, Endpoint, ExtensionGrantDecision, GrantDecision, GrantHandler, IdTokenDecision,
    NativeSsoDecision, NoGrants,
};
use authlete::testing::{ops, FakeAuthlete, Reply};

use crate::server_support::{basic, basic_rfc, post_form, serve, Answer, PUBLIC_URL};

/// The test's decisions: `alice`/`wonderland` is the one resource owner; token exchanges get a
/// response of the server's own; JWT assertions are invalid; a Native SSO session is valid unless
/// its ID is `expired`; ID tokens are reissued with a claim.
struct Grants;

impl GrantHandler for Grants {
    async fn password(&self, username: &str, password: &str, _: &TokenResponse) -> GrantDecision {
        match (username, password) {
            ("alice", "wonderland") => GrantDecision::issue("alice"),
            _ => GrantDecision::Fail(TokenFailRequestReason::InvalidResourceOwnerCredentials),
        }
    }

    async fn token_exchange(&self, answer: &TokenResponse) -> ExtensionGrantDecision {
        let body = format!("{{\"exchanged_for\":\"{}\"}}", answer.subject_token.as_deref().unwrap_or_default());
        ExtensionGrantDecision::Respond(authlete_http_response(200, body))
    }

    async fn jwt_bearer(&self, _: &TokenResponse) -> ExtensionGrantDecision {
        ExtensionGrantDecision::InvalidGrant("the assertion's signature is not valid".into())
    }

    async fn native_sso(&self, answer: &TokenResponse) -> NativeSsoDecision {
        match answer.session_id.as_deref() {
            Some("expired") | None => NativeSsoDecision::Reject,
            Some(_) => NativeSsoDecision::Accept {
                device_secret: answer.device_secret.clone().unwrap_or_else(|| "new-ds".into()),
                claims: Some("{\"name\":\"Alice\"}".into()),
            },
        }
    }

    async fn id_token(&self, _: &TokenResponse) -> IdTokenDecision {
        IdTokenDecision::Reissue { claims: Some("{\"nickname\":\"al\"}".into()) }
    }
}

fn authlete_http_response(status: u16, body: String) -> axum::http::Response<String> {
    axum::http::Response::builder().status(status).header("content-type", "application/json").body(body).unwrap()
}

fn answer(action: TokenResponseAction, content: &str) -> TokenResponse {
    TokenResponse { action: Some(action), response_content: Some(content.into()), ..Default::default() }
}

async fn token_endpoint(grants: impl GrantHandler) -> (FakeAuthlete, String) {
    let (fake, server) = crate::server_support::authlete().await;
    let url = serve(server.token_endpoint(grants)).await;
    (fake, format!("{url}/token"))
}

#[tokio::test]
async fn ok_passes_the_request_on_with_credentials_dpop_and_htu() {
    let (fake, url) = token_endpoint(NoGrants).await;
    let content = r#"{"access_token":"at-1","token_type":"DPoP"}"#;
    fake.reply(
        ops::AUTH_TOKEN,
        &TokenResponse { dpop_nonce: Some("nonce-7".into()), ..answer(TokenResponseAction::Ok, content) },
    );

    let headers = [("authorization", basic("client-1", "s3cret")), ("dpop", "eyJproof".into())];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let answer = post_form(&url, &headers, "grant_type=authorization_code&code=c1").await;

    assert_eq!((answer.status, answer.body.as_str()), (200, content));
    assert_eq!(answer.header("content-type"), Some("application/json;charset=UTF-8"));
    assert_eq!(answer.header("dpop-nonce"), Some("nonce-7"));
    answer.assert_no_store();
    let [sent] = &fake.received(ops::AUTH_TOKEN)[..] else { panic!("one token request") };
    assert_eq!(sent.parameters, "grant_type=authorization_code&code=c1");
    assert_eq!((sent.client_id.as_deref(), sent.client_secret.as_deref()), (Some("client-1"), Some("s3cret")));
    assert_eq!(sent.dpop.as_deref(), Some("eyJproof"));
    assert_eq!(sent.htm.as_deref(), Some("POST"));
    assert_eq!(sent.htu.as_deref(), Some(format!("{PUBLIC_URL}/token").as_str()));
    assert_eq!(sent.client_certificate, None);
}

#[tokio::test]
async fn authlete_errors_map_to_their_statuses() {
    let (fake, url) = token_endpoint(NoGrants).await;
    for (action, status) in [
        (TokenResponseAction::BadRequest, 400),
        (TokenResponseAction::InvalidClient, 401),
        (TokenResponseAction::InternalServerError, 500),
    ] {
        let content = format!("{{\"error\":\"{}\"}}", action.as_str().to_lowercase());
        fake.reply(ops::AUTH_TOKEN, &answer(action.clone(), &content));
        let answer = post_form(&url, &[], "grant_type=client_credentials").await;
        assert_eq!((answer.status, answer.body.as_str()), (status, content.as_str()), "{action}");
        answer.assert_no_store();
        let challenge = (status == 401).then_some("Basic realm=\"token\"");
        assert_eq!(answer.header("www-authenticate"), challenge, "{action}");
    }
}

#[tokio::test]
async fn password_grant_asks_the_handler_then_issues_or_fails() {
    let (fake, url) = token_endpoint(Grants).await;
    fake.reply_with(ops::AUTH_TOKEN, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let parameters = body["parameters"].as_str().unwrap();
        let (username, password) =
            if parameters.contains("password=wonderland") { ("alice", "wonderland") } else { ("alice", "guess") };
        Reply::model(&TokenResponse {
            action: Some(TokenResponseAction::Password),
            ticket: Some("ticket-pw".into()),
            username: Some(username.into()),
            password: Some(password.into()),
            ..Default::default()
        })
    });
    fake.reply(
        ops::AUTH_TOKEN_ISSUE,
        &TokenIssueResponse {
            action: Some(TokenIssueResponseAction::Ok),
            response_content: Some(r#"{"access_token":"at-pw"}"#.into()),
            ..Default::default()
        },
    );
    fake.reply(
        ops::AUTH_TOKEN_FAIL,
        &TokenFailResponse {
            action: Some(TokenFailResponseAction::BadRequest),
            response_content: Some(r#"{"error":"invalid_grant"}"#.into()),
            ..Default::default()
        },
    );

    let issued = post_form(&url, &[], "grant_type=password&username=alice&password=wonderland").await;
    assert_eq!((issued.status, issued.body.as_str()), (200, r#"{"access_token":"at-pw"}"#));
    issued.assert_no_store();
    let [issue] = &fake.received(ops::AUTH_TOKEN_ISSUE)[..] else { panic!("one issue request") };
    assert_eq!((issue.ticket.as_str(), issue.subject.as_str()), ("ticket-pw", "alice"));

    let failed = post_form(&url, &[], "grant_type=password&username=alice&password=guess").await;
    assert_eq!((failed.status, failed.body.as_str()), (400, r#"{"error":"invalid_grant"}"#));
    let [fail] = &fake.received(ops::AUTH_TOKEN_FAIL)[..] else { panic!("one fail request") };
    assert_eq!(
        (fail.ticket.as_str(), &fail.reason),
        ("ticket-pw", &TokenFailRequestReason::InvalidResourceOwnerCredentials)
    );

    // Authlete's own failures at the second step.
    fake.reply(
        ops::AUTH_TOKEN_ISSUE,
        &TokenIssueResponse {
            action: Some(TokenIssueResponseAction::InternalServerError),
            response_content: Some(r#"{"error":"server_error"}"#.into()),
            ..Default::default()
        },
    );
    let broken = post_form(&url, &[], "grant_type=password&username=alice&password=wonderland").await;
    assert_eq!((broken.status, broken.body.as_str()), (500, r#"{"error":"server_error"}"#));
    fake.reply(
        ops::AUTH_TOKEN_FAIL,
        &TokenFailResponse {
            action: Some(TokenFailResponseAction::InternalServerError),
            response_content: Some(r#"{"error":"server_error"}"#.into()),
            ..Default::default()
        },
    );
    let broken = post_form(&url, &[], "grant_type=password&username=alice&password=guess").await;
    assert_eq!((broken.status, broken.body.as_str()), (500, r#"{"error":"server_error"}"#));
}

#[tokio::test]
async fn the_default_handler_refuses_every_grant_the_server_decides() {
    let (fake, url) = token_endpoint(NoGrants).await;
    fake.reply(
        ops::AUTH_TOKEN_FAIL,
        &TokenFailResponse {
            action: Some(TokenFailResponseAction::BadRequest),
            response_content: Some(r#"{"error":"invalid_grant"}"#.into()),
            ..Default::default()
        },
    );
    let password = TokenResponse {
        ticket: Some("t".into()),
        username: Some("u".into()),
        password: Some("p".into()),
        ..answer(TokenResponseAction::Password, "")
    };
    fake.reply(ops::AUTH_TOKEN, &password);
    let refused = post_form(&url, &[], "grant_type=password&username=u&password=p").await;
    assert_eq!(refused.status, 400);
    assert_eq!(fake.received(ops::AUTH_TOKEN_FAIL)[0].reason, TokenFailRequestReason::InvalidResourceOwnerCredentials);

    for action in [TokenResponseAction::TokenExchange, TokenResponseAction::JwtBearer] {
        fake.reply(ops::AUTH_TOKEN, &answer(action.clone(), ""));
        post_form(&url, &[], "grant_type=x").await.assert_oauth_error(400, "unsupported_grant_type");
    }
    fake.reply(
        ops::AUTH_TOKEN,
        &TokenResponse { session_id: Some("s".into()), ..answer(TokenResponseAction::NativeSso, "") },
    );
    post_form(&url, &[], "grant_type=x").await.assert_oauth_error(400, "invalid_grant");
    // ID_TOKEN_REISSUABLE: Authlete's answer as it is.
    fake.reply(ops::AUTH_TOKEN, &answer(TokenResponseAction::IdTokenReissuable, r#"{"access_token":"at-r"}"#));
    let kept = post_form(&url, &[], "grant_type=refresh_token&refresh_token=r").await;
    assert_eq!((kept.status, kept.body.as_str()), (200, r#"{"access_token":"at-r"}"#));
    assert_eq!(fake.count(ops::IDTOKEN_REISSUE), 0);
}

#[tokio::test]
async fn extension_grants_get_the_handlers_response() {
    let (fake, url) = token_endpoint(Grants).await;
    fake.reply(
        ops::AUTH_TOKEN,
        &TokenResponse { subject_token: Some("st-1".into()), ..answer(TokenResponseAction::TokenExchange, "") },
    );
    let exchanged = post_form(&url, &[], "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange").await;
    assert_eq!((exchanged.status, exchanged.body.as_str()), (200, r#"{"exchanged_for":"st-1"}"#));

    fake.reply(ops::AUTH_TOKEN, &answer(TokenResponseAction::JwtBearer, ""));
    let refused = post_form(&url, &[], "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer").await;
    refused.assert_oauth_error(400, "invalid_grant");
    assert_eq!(refused.json()["error_description"], "the assertion's signature is not valid");
}

#[tokio::test]
async fn native_sso_goes_on_to_nativesso_or_is_refused() {
    let (fake, url) = token_endpoint(Grants).await;
    let sso = TokenResponse {
        access_token: Some("at-sso".into()),
        jwt_access_token: Some("eyJat".into()),
        refresh_token: Some("rt-sso".into()),
        session_id: Some("s-1".into()),
        device_secret: Some("ds-1".into()),
        ..answer(TokenResponseAction::NativeSso, "")
    };
    fake.reply(ops::AUTH_TOKEN, &sso);
    for (action, status, content) in [
        (NativeSsoResponseAction::Ok, 200, r#"{"id_token":"eyJid"}"#),
        (NativeSsoResponseAction::InternalServerError, 500, r#"{"error":"server_error"}"#),
    ] {
        fake.reply(
            ops::NATIVE_SSO,
            &NativeSsoResponse { action: Some(action), response_content: Some(content.into()), ..Default::default() },
        );
        let answer = post_form(&url, &[], "grant_type=authorization_code&code=c").await;
        assert_eq!((answer.status, answer.body.as_str()), (status, content));
    }
    let sent = fake.received(ops::NATIVE_SSO);
    // The JWT access token is what the ID token's hash covers.
    assert_eq!((sent[0].access_token.as_str(), sent[0].device_secret.as_str()), ("eyJat", "ds-1"));
    assert_eq!(
        (sent[0].refresh_token.as_deref(), sent[0].claims.as_deref()),
        (Some("rt-sso"), Some("{\"name\":\"Alice\"}"))
    );

    fake.reply(
        ops::NATIVE_SSO,
        &NativeSsoResponse { action: Some(NativeSsoResponseAction::CallerError), ..Default::default() },
    );
    post_form(&url, &[], "grant_type=authorization_code&code=c").await.assert_oauth_error(500, "server_error");

    fake.reply(ops::AUTH_TOKEN, &TokenResponse { session_id: Some("expired".into()), ..sso });
    post_form(&url, &[], "grant_type=authorization_code&code=c").await.assert_oauth_error(400, "invalid_grant");
    assert_eq!(fake.count(ops::NATIVE_SSO), 3);
}

#[tokio::test]
async fn id_tokens_are_reissued_when_the_handler_asks() {
    let (fake, url) = token_endpoint(Grants).await;
    fake.reply(
        ops::AUTH_TOKEN,
        &TokenResponse {
            access_token: Some("at-2".into()),
            refresh_token: Some("rt-2".into()),
            ..answer(TokenResponseAction::IdTokenReissuable, r#"{"access_token":"at-2"}"#)
        },
    );
    for (action, status, content) in [
        (IdtokenReissueResponseAction::Ok, 200, r#"{"access_token":"at-2","id_token":"eyJnew"}"#),
        (IdtokenReissueResponseAction::InternalServerError, 500, r#"{"error":"server_error"}"#),
    ] {
        fake.reply(
            ops::IDTOKEN_REISSUE,
            &IdtokenReissueResponse {
                action: Some(action),
                response_content: Some(content.into()),
                ..Default::default()
            },
        );
        let answer = post_form(&url, &[], "grant_type=refresh_token&refresh_token=rt-2").await;
        assert_eq!((answer.status, answer.body.as_str()), (status, content));
    }
    let sent = &fake.received(ops::IDTOKEN_REISSUE)[0];
    assert_eq!((sent.access_token.as_str(), sent.refresh_token.as_str()), ("at-2", "rt-2"));
    assert_eq!(sent.claims.as_deref(), Some("{\"nickname\":\"al\"}"));
    fake.reply(
        ops::IDTOKEN_REISSUE,
        &IdtokenReissueResponse { action: Some(IdtokenReissueResponseAction::CallerError), ..Default::default() },
    );
    post_form(&url, &[], "grant_type=refresh_token&refresh_token=rt-2").await.assert_oauth_error(500, "server_error");
}

#[tokio::test]
async fn an_action_newer_than_the_crate_is_a_server_error() {
    let (fake, url) = token_endpoint(NoGrants).await;
    fake.reply_always(
        ops::AUTH_TOKEN,
        Reply::json(200, serde_json::json!({"action": "SOMETHING_NEW", "responseContent": "{}"})),
    );
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(500, "server_error");
    fake.reply_always(ops::AUTH_TOKEN, Reply::json(200, serde_json::json!({"resultCode": "A1"})));
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(500, "server_error");
}

#[tokio::test]
async fn schemes_are_matched_in_any_case_and_a_malformed_header_is_refused() {
    let (fake, url) = token_endpoint(NoGrants).await;
    fake.reply(ops::AUTH_TOKEN, &answer(TokenResponseAction::Ok, "{}"));
    let lower = basic("client-1", "s3cret").replacen("Basic", "basic", 1);
    assert_eq!(post_form(&url, &[("authorization", &lower)], "grant_type=client_credentials").await.status, 200);
    let upper = basic("client-1", "s3cret").replacen("Basic", "BASIC", 1);
    assert_eq!(post_form(&url, &[("authorization", &upper)], "grant_type=client_credentials").await.status, 200);
    for sent in fake.received(ops::AUTH_TOKEN) {
        assert_eq!(sent.client_id.as_deref(), Some("client-1"));
    }

    for (header, description) in [
        ("Basic !!!notbase64", "the Basic credentials are not Base64 of UTF-8 text"),
        ("Basic Y2xpZW50", "the Basic credentials have no `:` between client ID and secret"),
        ("Basic", "the Authorization header is malformed"),
        ("Bearer abc", "client authentication with the Authorization header takes the Basic scheme"),
        ("Basic OnNlY3JldA==", "the Basic credentials have an empty client ID"),
    ] {
        let refused = post_form(&url, &[("authorization", header)], "grant_type=client_credentials").await;
        refused.assert_oauth_error(401, "invalid_client");
        assert_eq!(refused.json()["error_description"], description, "{header}");
        assert_eq!(refused.header("www-authenticate"), Some("Basic realm=\"token\""));
    }
    assert_eq!(fake.count(ops::AUTH_TOKEN), 2, "refused requests never reach Authlete");
}

/// A client whose secret holds `+`, `%`, a space and a non-ASCII character authenticates whether
/// it form-encodes its credentials (RFC 6749 §2.3.1) or sends them raw (authlib, requests-oauthlib).
#[tokio::test]
async fn client_secret_basic_works_in_both_spellings() {
    const SECRET: &str = "a+b%c d\u{e9}";
    let (fake, url) = token_endpoint(NoGrants).await;
    fake.reply_with(ops::AUTH_TOKEN, |request| {
        let body: serde_json::Value = request.json().unwrap();
        if body["clientSecret"] == SECRET && body["clientId"] == "my client" {
            Reply::json(200, serde_json::json!({"action": "OK", "responseContent": "{\"access_token\":\"at\"}"}))
        } else {
            Reply::json(
                200,
                serde_json::json!({"action": "INVALID_CLIENT", "responseContent": "{\"error\":\"invalid_client\"}"}),
            )
        }
    });
    let rfc = basic_rfc("my client", SECRET);
    let answer = post_form(&url, &[("authorization", &rfc)], "grant_type=client_credentials").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(fake.count(ops::AUTH_TOKEN), 1, "the RFC spelling is tried first");

    let raw = basic("my client", SECRET);
    let answer = post_form(&url, &[("authorization", &raw)], "grant_type=client_credentials").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let sent = fake.received(ops::AUTH_TOKEN);
    // `a+b%c d` is no valid form encoding (`%c ` is no escape): the raw spelling is the only one.
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].client_secret.as_deref(), Some(SECRET));

    // A raw secret that is also a valid form encoding: decoded first, refused, then raw.
    const PLUS: &str = "x+y%41";
    fake.reply_with(ops::AUTH_TOKEN, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let action = if body["clientSecret"] == PLUS { "OK" } else { "INVALID_CLIENT" };
        Reply::json(200, serde_json::json!({"action": action, "responseContent": "{}"}))
    });
    let answer = post_form(&url, &[("authorization", &basic("c", PLUS))], "grant_type=client_credentials").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let sent = fake.received(ops::AUTH_TOKEN);
    let secrets: Vec<_> = sent[2..].iter().map(|s| s.client_secret.clone().unwrap()).collect();
    assert_eq!(secrets, ["x yA", PLUS]);

    // Both spellings refused: the client gets Authlete's 401, after two tries, not three.
    let answer = post_form(&url, &[("authorization", &basic("c", "wrong+1"))], "grant_type=client_credentials").await;
    assert_eq!(answer.status, 401);
    assert_eq!(fake.count(ops::AUTH_TOKEN), 6);
}

#[tokio::test]
async fn bad_bodies_are_refused_before_authlete_is_asked() {
    let (fake, url) = token_endpoint(NoGrants).await;
    let client = reqwest::Client::new();
    let send = |content_type: &'static str, body: Vec<u8>| {
        let request = client.post(&url).header("content-type", content_type).body(body);
        async move { Answer::from(request.send().await.unwrap()).await }
    };
    let json = send("application/json", br#"{"grant_type":"client_credentials"}"#.to_vec()).await;
    json.assert_oauth_error(400, "invalid_request");
    assert_eq!(json.json()["error_description"], "the request body must be sent as application/x-www-form-urlencoded");
    let latin1 = send("application/x-www-form-urlencoded", b"grant_type=password&username=j\xf6rg".to_vec()).await;
    latin1.assert_oauth_error(400, "invalid_request");
    assert_eq!(latin1.json()["error_description"], "the request body is not UTF-8");
    let not_a_form = send("application/x-www-form-urlencoded", br#"{"grant_type":"x"}"#.to_vec()).await;
    not_a_form.assert_oauth_error(400, "invalid_request");
    let bad_escape = send("application/x-www-form-urlencoded", b"grant_type=%zz".to_vec()).await;
    bad_escape.assert_oauth_error(400, "invalid_request");
    // The media type in any case, with parameters, is a form.
    fake.reply(ops::AUTH_TOKEN, &answer(TokenResponseAction::Ok, "{}"));
    let ok = send("Application/X-WWW-Form-Urlencoded; charset=UTF-8", b"grant_type=client_credentials".to_vec()).await;
    assert_eq!(ok.status, 200);
    assert_eq!(fake.count(ops::AUTH_TOKEN), 1);
}

#[tokio::test]
async fn an_oversized_body_is_an_oauth_error() {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL).unwrap().max_body_bytes(1024);
    let server = AuthorizationServer::new(fake.service(), config);
    let url = crate::server_support::serve_limited(server.token_endpoint(NoGrants), 1024).await + "/token";
    let body = format!("grant_type=client_credentials&pad={}", "x".repeat(2048));
    let answer = post_form(&url, &[], &body).await;
    answer.assert_oauth_error(413, "invalid_request");
    assert_eq!(answer.json()["error_description"], "the request body is larger than 1024 bytes");
    assert_eq!(fake.requests().len(), 0);
}

#[tokio::test]
async fn authlete_failing_is_a_server_error_within_the_endpoints_timeout() {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL).unwrap().timeout(Endpoint::Token, Duration::from_millis(300));
    let server = AuthorizationServer::new(fake.service(), config);
    let url = serve(server.token_endpoint(NoGrants)).await + "/token";

    // Hanging: 503 with Retry-After, in the endpoint's time.
    fake.reply_once(ops::AUTH_TOKEN, Reply::hang());
    let started = std::time::Instant::now();
    let answer = post_form(&url, &[], "grant_type=client_credentials").await;
    answer.assert_oauth_error(503, "server_error");
    assert_eq!(answer.header("retry-after"), Some("5"));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());

    // Unavailable, and a proxy's HTML.
    fake.reply_once(ops::AUTH_TOKEN, Reply::api_error(503, "A000503", "unavailable").header("retry-after", "1"));
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(503, "server_error");
    fake.reply_once(ops::AUTH_TOKEN, Reply::text(502, "text/html", "<h1>Bad Gateway</h1>"));
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(503, "server_error");
    fake.reply_once(ops::AUTH_TOKEN, Reply::text(200, "text/html", "<h1>Welcome</h1>"));
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(500, "server_error");
    fake.reply_once(ops::AUTH_TOKEN, Reply::api_error(400, "A001201", "bad service"));
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(500, "server_error");
    fake.reply_once(ops::AUTH_TOKEN, Reply::disconnect());
    post_form(&url, &[], "grant_type=client_credentials").await.assert_oauth_error(503, "server_error");

    // Down: nothing listens where the service points.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let client = authlete::Client::builder().base_url(format!("http://{address}")).bearer_token("t").build().unwrap();
    let down = AuthorizationServer::new(client.service("1"), Config::new(PUBLIC_URL).unwrap());
    let url = serve(down.token_endpoint(NoGrants)).await + "/token";
    let answer = post_form(&url, &[], "grant_type=client_credentials").await;
    answer.assert_oauth_error(503, "server_error");

    // The server keeps serving.
    fake.reply(ops::AUTH_TOKEN, &answer_ok());
    let url = serve(server.token_endpoint(NoGrants)).await + "/token";
    assert_eq!(post_form(&url, &[], "grant_type=client_credentials").await.status, 200);
}

fn answer_ok() -> TokenResponse {
    answer(TokenResponseAction::Ok, "{}")
}

#[tokio::test]
async fn a_proxys_client_certificate_is_passed_on_as_pem() {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL).unwrap().client_certificate_header("x-ssl-cert").unwrap();
    let server = AuthorizationServer::new(fake.service(), config);
    let url = serve(server.token_endpoint(NoGrants)).await + "/token";
    fake.reply(ops::AUTH_TOKEN, &answer_ok());
    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQQ==\n-----END CERTIFICATE-----";
    let escaped = pem.replace(' ', "%20").replace('\n', "%0A");
    post_form(&url, &[("x-ssl-cert", &escaped)], "grant_type=client_credentials").await;
    // RFC 9440: Base64 DER between colons.
    post_form(&url, &[("x-ssl-cert", ":MIIBszCCAVmgAwIBAgIUQQ==:")], "grant_type=client_credentials").await;
    let sent = fake.received(ops::AUTH_TOKEN);
    assert_eq!(sent[0].client_certificate.as_deref(), Some(pem));
    assert_eq!(sent[1].client_certificate.as_deref(), Some(pem));
}
