//! The toolkit's pushed authorization request, revocation and introspection endpoints over real
//! HTTP, in front of the fake Authlete: every action of each, what each sends Authlete, the
//! requests they refuse before asking it, client and caller authentication in every spelling,
//! and Authlete failing.

use std::sync::{Arc, Mutex};

use authlete::models::{
    PushedAuthorizationResponse, PushedAuthorizationResponseAction, RevocationResponse, RevocationResponseAction,
    StandardIntrospectionResponse, StandardIntrospectionResponseAction,
};
use authlete::server::{
    AuthorizationServer, Caller, CallerDecision, Config, Handler, IntrospectionCallers, ResourceServer, StaticCallers,
};
use authlete::testing::{ops, FakeAuthlete, Reply};

use crate::server_support::{assert_answer, basic, basic_rfc, json_headers, post_form, serve, Answer, PUBLIC_URL};

/// The body of the toolkit's `500` for an answer it cannot act on.
const SERVER_ERROR: &str =
    r#"{"error":"server_error","error_description":"the authorization server could not process the request"}"#;

/// The body of the toolkit's `503` when Authlete cannot be reached.
const UNAVAILABLE: &str =
    r#"{"error":"server_error","error_description":"the authorization server is temporarily unavailable"}"#;

/// A secret with every character that the two spellings of `client_secret_basic` treat
/// differently: `+`, `%`, a space and a non-ASCII letter.
const HARD_SECRET: &str = "p+q%r s\u{e9}";

/// A fake Authlete and a server in front of it that takes client certificates from `x-ssl-cert`.
async fn authlete() -> (FakeAuthlete, AuthorizationServer) {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL).unwrap().client_certificate_header("x-ssl-cert").unwrap();
    let service = fake.service();
    (fake, AuthorizationServer::new(service, config))
}

/// A server whose Authlete is down: nothing listens where its service points.
async fn unreachable() -> AuthorizationServer {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let client = authlete::Client::builder().base_url(format!("http://{address}")).bearer_token("t").build().unwrap();
    AuthorizationServer::new(client.service("1"), Config::new(PUBLIC_URL).unwrap())
}

/// A server that reads at most 64 bytes of a body.
async fn small(fake: &FakeAuthlete) -> AuthorizationServer {
    AuthorizationServer::new(fake.service(), Config::new(PUBLIC_URL).unwrap().max_body_bytes(64))
}

/// `handler` served at `path` on 127.0.0.1 (it answers at any path; `path` is what `htu` names).
async fn at(handler: impl Handler, path: &str) -> String {
    serve(handler).await + path
}

/// The requests every endpoint refuses before asking Authlete: a body that is not a form, one
/// over the limit, and `401 invalid_client` with `realm`'s challenge for a malformed
/// `Authorization` header.
async fn assert_refused_before_authlete(url: &str, small_url: &str, realm: &str) {
    let client = reqwest::Client::new();
    let json = client.post(url).header("content-type", "application/json").body(r#"{"token":"t"}"#);
    let json = Answer::from(json.send().await.unwrap()).await;
    let body = r#"{"error":"invalid_request","error_description":"the request body must be sent as application/x-www-form-urlencoded"}"#;
    assert_answer(&json, 400, &json_headers(&[]), body);

    let oversized = post_form(small_url, &[], &format!("token={}", "x".repeat(100))).await;
    let body = r#"{"error":"invalid_request","error_description":"the request body is larger than 64 bytes"}"#;
    assert_answer(&oversized, 413, &json_headers(&[]), body);

    let challenge = format!("Basic realm=\"{realm}\"");
    for (header, description) in [
        ("Basic !!!", "the Basic credentials are not Base64 of UTF-8 text"),
        ("Basic", "the Authorization header is malformed"),
        ("Basic Y2xpZW50", "the Basic credentials have no `:` between client ID and secret"),
    ] {
        let refused = post_form(url, &[("authorization", header)], "token=t").await;
        let body = format!(r#"{{"error":"invalid_client","error_description":"{description}"}}"#);
        assert_answer(&refused, 401, &json_headers(&[("www-authenticate", &challenge)]), &body);
    }
}

// --- Pushed authorization requests (RFC 9126) ---

fn par_answer(action: PushedAuthorizationResponseAction, content: &str) -> PushedAuthorizationResponse {
    PushedAuthorizationResponse {
        action: Some(action),
        response_content: Some(content.into()),
        dpop_nonce: Some("nonce-1".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn par_created_passes_everything_on_and_answers_201() {
    let (fake, server) = authlete().await;
    let url = at(server.par_endpoint(), "/par").await;
    let content = r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#;
    fake.reply(ops::PUSHED_AUTH_REQ, &par_answer(PushedAuthorizationResponseAction::Created, content));

    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQQ==\n-----END CERTIFICATE-----";
    let headers = [
        ("authorization", basic("client-1", "s3cret")),
        ("dpop", "eyJproof".into()),
        ("oauth-client-attestation", "eyJattestation".into()),
        ("oauth-client-attestation-pop", "eyJpop".into()),
        ("x-ssl-cert", pem.replace(' ', "%20").replace('\n', "%0A")),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let answer = post_form(&url, &headers, "response_type=code&client_id=client-1&scope=openid").await;

    assert_answer(&answer, 201, &json_headers(&[("dpop-nonce", "nonce-1")]), content);
    let [sent] = &fake.received(ops::PUSHED_AUTH_REQ)[..] else { panic!("one request") };
    assert_eq!(sent.parameters, "response_type=code&client_id=client-1&scope=openid");
    assert_eq!((sent.client_id.as_deref(), sent.client_secret.as_deref()), (Some("client-1"), Some("s3cret")));
    assert_eq!(sent.dpop.as_deref(), Some("eyJproof"));
    assert_eq!(sent.htm.as_deref(), Some("POST"));
    assert_eq!(sent.htu.as_deref(), Some("https://as.example.com/par"));
    assert_eq!(sent.client_certificate.as_deref(), Some(pem));
    assert_eq!(sent.oauth_client_attestation.as_deref(), Some("eyJattestation"));
    assert_eq!(sent.oauth_client_attestation_pop.as_deref(), Some("eyJpop"));
    assert_eq!(sent.dpop_nonce_required, None);
}

#[tokio::test]
async fn par_errors_map_to_their_statuses_with_the_nonce() {
    let (fake, server) = authlete().await;
    let url = at(server.par_endpoint(), "/par").await;
    for (action, status) in [
        (PushedAuthorizationResponseAction::BadRequest, 400),
        (PushedAuthorizationResponseAction::Forbidden, 403),
        (PushedAuthorizationResponseAction::PayloadTooLarge, 413),
        (PushedAuthorizationResponseAction::InternalServerError, 500),
    ] {
        let content = format!(r#"{{"error":"{}"}}"#, action.as_str().to_lowercase());
        fake.reply(ops::PUSHED_AUTH_REQ, &par_answer(action.clone(), &content));
        let answer = post_form(&url, &[], "response_type=code&client_id=c").await;
        assert_answer(&answer, status, &json_headers(&[("dpop-nonce", "nonce-1")]), &content);
    }
}

#[tokio::test]
async fn par_unauthorized_challenges_only_a_client_that_used_basic() {
    let (fake, server) = authlete().await;
    let url = at(server.par_endpoint(), "/par").await;
    let content = r#"{"error":"invalid_client"}"#;
    fake.reply(ops::PUSHED_AUTH_REQ, &par_answer(PushedAuthorizationResponseAction::Unauthorized, content));

    // Authenticated in the form (client_secret_post): no scheme to name.
    let answer = post_form(&url, &[], "response_type=code&client_id=c&client_secret=x").await;
    assert_answer(&answer, 401, &json_headers(&[("dpop-nonce", "nonce-1")]), content);

    let answer = post_form(&url, &[("authorization", &basic("c", "wrong"))], "response_type=code").await;
    let headers = json_headers(&[("dpop-nonce", "nonce-1"), ("www-authenticate", "Basic realm=\"par\"")]);
    assert_answer(&answer, 401, &headers, content);
}

#[tokio::test]
async fn par_unknown_or_missing_action_is_a_server_error() {
    let (fake, server) = authlete().await;
    let url = at(server.par_endpoint(), "/par").await;
    let newer = serde_json::json!({"action": "CREATED_LATER", "responseContent": "{}", "dpopNonce": "nonce-2"});
    fake.reply_once(ops::PUSHED_AUTH_REQ, Reply::json(200, newer));
    let answer = post_form(&url, &[], "response_type=code").await;
    assert_answer(&answer, 500, &json_headers(&[("dpop-nonce", "nonce-2")]), SERVER_ERROR);

    fake.reply_once(ops::PUSHED_AUTH_REQ, Reply::json(200, serde_json::json!({"resultCode": "A000"})));
    let answer = post_form(&url, &[], "response_type=code").await;
    assert_answer(&answer, 500, &json_headers(&[]), SERVER_ERROR);
}

#[tokio::test]
async fn par_client_secret_basic_works_in_both_spellings() {
    let (fake, server) = authlete().await;
    let url = at(server.par_endpoint(), "/par").await;
    fake.reply_with(ops::PUSHED_AUTH_REQ, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let known = body["clientId"] == "my client" && body["clientSecret"] == HARD_SECRET;
        let action = if known { "CREATED" } else { "UNAUTHORIZED" };
        Reply::json(200, serde_json::json!({"action": action, "responseContent": "{}"}))
    });

    let answer = post_form(&url, &[("authorization", &basic_rfc("my client", HARD_SECRET))], "scope=openid").await;
    assert_answer(&answer, 201, &json_headers(&[]), "{}");
    assert_eq!(fake.count(ops::PUSHED_AUTH_REQ), 1, "the RFC spelling is tried first and suffices");

    // Sent raw, `p+q%r s\u{e9}` is no valid form encoding (`%r ` is no escape): sent as it is.
    let answer = post_form(&url, &[("authorization", &basic("my client", HARD_SECRET))], "scope=openid").await;
    assert_answer(&answer, 201, &json_headers(&[]), "{}");
    assert_eq!(fake.count(ops::PUSHED_AUTH_REQ), 2);

    // A raw secret that also reads as a form encoding: decoded first, refused, then raw.
    fake.reply_with(ops::PUSHED_AUTH_REQ, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let action = if body["clientSecret"] == "x+y%41" { "CREATED" } else { "UNAUTHORIZED" };
        Reply::json(200, serde_json::json!({"action": action, "responseContent": "{}"}))
    });
    let answer = post_form(&url, &[("authorization", &basic("c", "x+y%41"))], "scope=openid").await;
    assert_answer(&answer, 201, &json_headers(&[]), "{}");
    let secrets: Vec<_> =
        fake.received(ops::PUSHED_AUTH_REQ)[2..].iter().map(|sent| sent.client_secret.clone().unwrap()).collect();
    assert_eq!(secrets, ["x yA", "x+y%41"]);
}

#[tokio::test]
async fn par_matches_the_scheme_in_any_case_and_refuses_bad_requests_itself() {
    let (fake, server) = authlete().await;
    let url = at(server.par_endpoint(), "/par").await;
    fake.reply(ops::PUSHED_AUTH_REQ, &par_answer(PushedAuthorizationResponseAction::Created, "{}"));
    for scheme in ["basic", "BASIC", "bAsIc"] {
        let header = basic("client-1", "s3cret").replacen("Basic", scheme, 1);
        let answer = post_form(&url, &[("authorization", &header)], "scope=openid").await;
        assert_eq!(answer.status, 201, "{scheme}");
    }
    for sent in fake.received(ops::PUSHED_AUTH_REQ) {
        assert_eq!((sent.client_id.as_deref(), sent.client_secret.as_deref()), (Some("client-1"), Some("s3cret")));
    }
    let small_url = at(small(&fake).await.par_endpoint(), "/par").await;
    assert_refused_before_authlete(&url, &small_url, "par").await;
    assert_eq!(fake.count(ops::PUSHED_AUTH_REQ), 3, "refused requests never reach Authlete");
}

// --- Revocation (RFC 7009) ---

fn revocation_answer(action: RevocationResponseAction, content: Option<&str>) -> RevocationResponse {
    RevocationResponse { action: Some(action), response_content: content.map(str::to_owned), ..Default::default() }
}

#[tokio::test]
async fn revocation_ok_is_an_empty_200_and_passes_everything_on() {
    let (fake, server) = authlete().await;
    let url = at(server.revocation_endpoint(), "/revoke").await;
    fake.reply(ops::AUTH_REVOCATION, &revocation_answer(RevocationResponseAction::Ok, None));

    let headers = [
        ("authorization", basic("client-1", "s3cret")),
        ("oauth-client-attestation", "eyJattestation".into()),
        ("oauth-client-attestation-pop", "eyJpop".into()),
        ("x-ssl-cert", ":MIIBszCCAVmgAwIBAgIUQQ==:".into()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let answer = post_form(&url, &headers, "token=at-1&token_type_hint=access_token").await;

    // No body, so no Content-Type: an empty body is not JSON.
    assert_answer(&answer, 200, &[("cache-control", "no-store"), ("pragma", "no-cache")], "");
    let [sent] = &fake.received(ops::AUTH_REVOCATION)[..] else { panic!("one request") };
    assert_eq!(sent.parameters, "token=at-1&token_type_hint=access_token");
    assert_eq!((sent.client_id.as_deref(), sent.client_secret.as_deref()), (Some("client-1"), Some("s3cret")));
    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQQ==\n-----END CERTIFICATE-----";
    assert_eq!(sent.client_certificate.as_deref(), Some(pem));
    assert_eq!(sent.oauth_client_attestation.as_deref(), Some("eyJattestation"));
    assert_eq!(sent.oauth_client_attestation_pop.as_deref(), Some("eyJpop"));

    // An empty `responseContent` is no script either.
    fake.reply(ops::AUTH_REVOCATION, &revocation_answer(RevocationResponseAction::Ok, Some("")));
    let answer = post_form(&url, &[], "token=at-1&client_id=c").await;
    assert_answer(&answer, 200, &[("cache-control", "no-store"), ("pragma", "no-cache")], "");
}

#[tokio::test]
async fn revocation_ok_with_a_callback_is_a_script() {
    let (fake, server) = authlete().await;
    let url = at(server.revocation_endpoint(), "/revoke").await;
    fake.reply(ops::AUTH_REVOCATION, &revocation_answer(RevocationResponseAction::Ok, Some("done();")));
    let answer = post_form(&url, &[], "token=at-1&client_id=c&callback=done").await;
    let headers = [
        ("content-type", "application/javascript;charset=UTF-8"),
        ("cache-control", "no-store"),
        ("pragma", "no-cache"),
    ];
    assert_answer(&answer, 200, &headers, "done();");
}

#[tokio::test]
async fn revocation_errors_map_to_their_statuses() {
    let (fake, server) = authlete().await;
    let url = at(server.revocation_endpoint(), "/revoke").await;
    let challenge = [("www-authenticate", "Basic realm=\"revocation\"")];
    for (action, status, extra) in [
        (RevocationResponseAction::InvalidClient, 401, &challenge[..]),
        (RevocationResponseAction::BadRequest, 400, &[][..]),
        (RevocationResponseAction::InternalServerError, 500, &[][..]),
    ] {
        let content = format!(r#"{{"error":"{}"}}"#, action.as_str().to_lowercase());
        fake.reply(ops::AUTH_REVOCATION, &revocation_answer(action.clone(), Some(&content)));
        let answer = post_form(&url, &[], "token=at-1&client_id=c").await;
        assert_answer(&answer, status, &json_headers(extra), &content);
    }

    fake.reply_once(ops::AUTH_REVOCATION, Reply::json(200, serde_json::json!({"action": "REVOKED_LATER"})));
    let answer = post_form(&url, &[], "token=at-1&client_id=c").await;
    assert_answer(&answer, 500, &json_headers(&[]), SERVER_ERROR);
}

#[tokio::test]
async fn revocation_client_secret_basic_works_in_both_spellings() {
    let (fake, server) = authlete().await;
    let url = at(server.revocation_endpoint(), "/revoke").await;
    fake.reply_with(ops::AUTH_REVOCATION, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let known = body["clientId"] == "my client" && body["clientSecret"] == HARD_SECRET;
        let (action, content) =
            if known { ("OK", None) } else { ("INVALID_CLIENT", Some(r#"{"error":"invalid_client"}"#)) };
        Reply::json(200, serde_json::json!({"action": action, "responseContent": content}))
    });

    let answer = post_form(&url, &[("authorization", &basic_rfc("my client", HARD_SECRET))], "token=t").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    let answer = post_form(&url, &[("authorization", &basic("my client", HARD_SECRET))], "token=t").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    let sent: Vec<_> =
        fake.received(ops::AUTH_REVOCATION).into_iter().map(|sent| sent.client_secret.unwrap()).collect();
    assert_eq!(sent, [HARD_SECRET, HARD_SECRET], "one request each: the decoded RFC spelling, the raw one");

    // Refused in both spellings: Authlete's 401 after two tries.
    let answer = post_form(&url, &[("authorization", &basic("my client", "x+y"))], "token=t").await;
    let challenge = [("www-authenticate", "Basic realm=\"revocation\"")];
    assert_answer(&answer, 401, &json_headers(&challenge), r#"{"error":"invalid_client"}"#);
    let sent: Vec<_> =
        fake.received(ops::AUTH_REVOCATION)[2..].iter().map(|s| s.client_secret.clone().unwrap()).collect();
    assert_eq!(sent, ["x y", "x+y"]);
}

#[tokio::test]
async fn revocation_matches_the_scheme_in_any_case_and_refuses_bad_requests_itself() {
    let (fake, server) = authlete().await;
    let url = at(server.revocation_endpoint(), "/revoke").await;
    fake.reply(ops::AUTH_REVOCATION, &revocation_answer(RevocationResponseAction::Ok, None));
    for scheme in ["basic", "BASIC"] {
        let header = basic("client-1", "s3cret").replacen("Basic", scheme, 1);
        assert_eq!(post_form(&url, &[("authorization", &header)], "token=t").await.status, 200, "{scheme}");
    }
    let bearer = post_form(&url, &[("authorization", "Bearer abc")], "token=t").await;
    let body = r#"{"error":"invalid_client","error_description":"client authentication with the Authorization header takes the Basic scheme"}"#;
    assert_answer(&bearer, 401, &json_headers(&[("www-authenticate", "Basic realm=\"revocation\"")]), body);
    let small_url = at(small(&fake).await.revocation_endpoint(), "/revoke").await;
    assert_refused_before_authlete(&url, &small_url, "revocation").await;
    assert_eq!(fake.count(ops::AUTH_REVOCATION), 2, "refused requests never reach Authlete");
}

// --- Introspection (RFC 7662, RFC 9701) ---

fn introspection_answer(action: StandardIntrospectionResponseAction, content: &str) -> StandardIntrospectionResponse {
    StandardIntrospectionResponse { action: Some(action), response_content: Some(content.into()), ..Default::default() }
}

/// Two resource servers: `api` with a hard secret and JWT settings, and one that presents a
/// bearer token and sees hidden properties.
fn callers() -> StaticCallers {
    let api = ResourceServer::new()
        .uri("https://api.example.com")
        .signing_alg("ES256")
        .encryption("RSA-OAEP-256", "A256GCM")
        .shared_key_for_sign("hs-key")
        .shared_key_for_encryption("enc-key")
        .public_key_for_encryption(r#"{"kty":"RSA"}"#);
    let files = ResourceServer::new().uri("https://files.example.com").with_hidden_properties(true);
    StaticCallers::new().client("api", HARD_SECRET, api).token("rs-token-123", files)
}

#[tokio::test]
async fn introspection_ok_sends_the_resource_servers_settings_and_answers_json() {
    let (fake, server) = authlete().await;
    let url = at(server.introspection_endpoint(callers()), "/introspect").await;
    let content = r#"{"active":true,"scope":"read","client_id":"c"}"#;
    fake.reply(
        ops::AUTH_INTROSPECTION_STANDARD,
        &introspection_answer(StandardIntrospectionResponseAction::Ok, content),
    );

    let answer = post_form(&url, &[("authorization", &basic_rfc("api", HARD_SECRET))], "token=at-1").await;
    assert_answer(&answer, 200, &json_headers(&[]), content);
    let answer = post_form(&url, &[("authorization", "Bearer rs-token-123")], "token=at-2").await;
    assert_answer(&answer, 200, &json_headers(&[]), content);

    let [api, files] = &fake.received(ops::AUTH_INTROSPECTION_STANDARD)[..] else { panic!("two requests") };
    assert_eq!(api.parameters, "token=at-1");
    assert_eq!(api.rs_uri.as_deref(), Some("https://api.example.com"));
    assert_eq!(api.with_hidden_properties, None);
    // JSON was asked for: none of the JWT settings go to Authlete.
    assert_eq!(api.http_accept_header, None);
    assert_eq!(api.introspection_sign_alg, None);
    assert_eq!(api.shared_key_for_sign, None);
    assert_eq!(files.parameters, "token=at-2");
    assert_eq!(files.rs_uri.as_deref(), Some("https://files.example.com"));
    assert_eq!(files.with_hidden_properties, Some(true));
}

#[tokio::test]
async fn introspection_jwt_is_asked_for_with_accept_and_answered_as_a_jwt() {
    let (fake, server) = authlete().await;
    let url = at(server.introspection_endpoint(callers()), "/introspect").await;
    fake.reply(
        ops::AUTH_INTROSPECTION_STANDARD,
        &introspection_answer(StandardIntrospectionResponseAction::Jwt, "eyJhbGciOiJFUzI1NiJ9.e30.sig"),
    );
    let authorization = basic("api", HARD_SECRET);
    let headers = [("authorization", authorization.as_str()), ("accept", "application/token-introspection+jwt")];
    let answer = post_form(&url, &headers, "token=at-1").await;
    let headers = [
        ("content-type", "application/token-introspection+jwt"),
        ("cache-control", "no-store"),
        ("pragma", "no-cache"),
    ];
    assert_answer(&answer, 200, &headers, "eyJhbGciOiJFUzI1NiJ9.e30.sig");

    let [sent] = &fake.received(ops::AUTH_INTROSPECTION_STANDARD)[..] else { panic!("one request") };
    assert_eq!(sent.http_accept_header.as_deref(), Some("application/token-introspection+jwt"));
    assert_eq!(sent.rs_uri.as_deref(), Some("https://api.example.com"));
    assert_eq!(sent.introspection_sign_alg.as_deref(), Some("ES256"));
    assert_eq!(sent.introspection_encryption_alg.as_deref(), Some("RSA-OAEP-256"));
    assert_eq!(sent.introspection_encryption_enc.as_deref(), Some("A256GCM"));
    assert_eq!(sent.shared_key_for_sign.as_deref(), Some("hs-key"));
    assert_eq!(sent.shared_key_for_encryption.as_deref(), Some("enc-key"));
    assert_eq!(sent.public_key_for_encryption.as_deref(), Some(r#"{"kty":"RSA"}"#));

    // A JWT action without a JWT is nothing to send.
    let empty =
        StandardIntrospectionResponse { action: Some(StandardIntrospectionResponseAction::Jwt), ..Default::default() };
    fake.reply(ops::AUTH_INTROSPECTION_STANDARD, &empty);
    let answer = post_form(&url, &[("authorization", &authorization)], "token=at-1").await;
    assert_answer(&answer, 500, &json_headers(&[]), SERVER_ERROR);
}

#[tokio::test]
async fn introspection_errors_map_to_their_statuses() {
    let (fake, server) = authlete().await;
    let url = at(server.introspection_endpoint(callers()), "/introspect").await;
    for (action, status) in [
        (StandardIntrospectionResponseAction::BadRequest, 400),
        (StandardIntrospectionResponseAction::InternalServerError, 500),
    ] {
        let content = format!(r#"{{"error":"{}"}}"#, action.as_str().to_lowercase());
        fake.reply(ops::AUTH_INTROSPECTION_STANDARD, &introspection_answer(action.clone(), &content));
        let answer = post_form(&url, &[("authorization", "Bearer rs-token-123")], "token_type_hint=x").await;
        assert_answer(&answer, status, &json_headers(&[]), &content);
    }
    fake.reply_once(ops::AUTH_INTROSPECTION_STANDARD, Reply::json(200, serde_json::json!({"action": "LATER"})));
    let answer = post_form(&url, &[("authorization", "Bearer rs-token-123")], "token=t").await;
    assert_answer(&answer, 500, &json_headers(&[]), SERVER_ERROR);
}

#[tokio::test]
async fn introspection_refuses_callers_that_are_not_allowed_without_asking_authlete() {
    let (fake, server) = authlete().await;
    let url = at(server.introspection_endpoint(callers()), "/introspect").await;
    let challenge = [("www-authenticate", "Basic realm=\"introspection\"")];
    let refused = |description: &str| format!(r#"{{"error":"invalid_client","error_description":"{description}"}}"#);

    let anonymous = post_form(&url, &[], "token=at-1").await;
    let body = refused("the introspection endpoint requires authentication");
    assert_answer(&anonymous, 401, &json_headers(&challenge), &body);

    let denied = refused("the caller may not introspect tokens");
    for authorization in [
        basic("api", "wrong"),
        basic("api", &format!("{HARD_SECRET}x")),
        basic("other", HARD_SECRET),
        "Bearer rs-token-12".to_owned(),
        "Bearer rs-token-1234".to_owned(),
    ] {
        let answer = post_form(&url, &[("authorization", &authorization)], "token=at-1").await;
        assert_answer(&answer, 401, &json_headers(&challenge), &denied);
    }

    for (header, description) in [
        ("DPoP rs-token-123", "the introspection endpoint takes the Basic or Bearer scheme"),
        ("Bearer", "the Authorization header is malformed"),
        ("Bearer a b", "the Authorization header is malformed"),
        ("Bearer ???", "the bearer token in the Authorization header is malformed"),
        ("Basic !!!", "the Basic credentials are not Base64 of UTF-8 text"),
    ] {
        let answer = post_form(&url, &[("authorization", header)], "token=at-1").await;
        assert_answer(&answer, 401, &json_headers(&challenge), &refused(description));
    }

    let client = reqwest::Client::new();
    let twice = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", "Bearer rs-token-123")
        .header("authorization", "Bearer rs-token-123")
        .body("token=at-1");
    let twice = Answer::from(twice.send().await.unwrap()).await;
    let body = refused("the request has more than one Authorization header");
    assert_answer(&twice, 401, &json_headers(&challenge), &body);

    let small_url = at(small(&fake).await.introspection_endpoint(callers()), "/introspect").await;
    assert_refused_before_authlete(&url, &small_url, "introspection").await;
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION_STANDARD), 0);
}

/// Records the callers it is asked about, as their `Debug` shows them; allows `rs` with `s3cret`.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<Vec<String>>>);

impl IntrospectionCallers for Recording {
    async fn authenticate(&self, caller: &Caller) -> CallerDecision {
        self.0.lock().unwrap().push(format!("{caller:?}"));
        match caller {
            Caller::Basic(credentials) if credentials.matches("rs", "s3cret") => {
                CallerDecision::Allowed(ResourceServer::new())
            }
            _ => CallerDecision::Denied,
        }
    }
}

#[tokio::test]
async fn introspection_callers_see_a_typed_caller_without_its_secret_in_any_scheme_case() {
    let (fake, server) = authlete().await;
    let recording = Recording::default();
    let url = at(server.introspection_endpoint(recording.clone()), "/introspect").await;
    fake.reply(ops::AUTH_INTROSPECTION_STANDARD, &introspection_answer(StandardIntrospectionResponseAction::Ok, "{}"));

    let lower = basic("rs", "s3cret").replacen("Basic", "basic", 1);
    assert_eq!(post_form(&url, &[("authorization", &lower)], "token=t").await.status, 200);
    let upper = post_form(&url, &[("authorization", "BEARER abc.def")], "token=t").await;
    assert_eq!(upper.status, 401);
    assert_eq!(
        *recording.0.lock().unwrap(),
        [r#"Basic(CallerCredentials { id: "rs", secret: "[redacted]" })"#, "Bearer(CallerToken([redacted]))"]
    );
    let [sent] = &fake.received(ops::AUTH_INTROSPECTION_STANDARD)[..] else { panic!("one request") };
    assert_eq!((sent.rs_uri.as_deref(), sent.with_hidden_properties), (None, None));
}

// --- Authlete failing, for all three ---

#[tokio::test]
async fn authlete_unreachable_is_503_with_retry_after() {
    let down = unreachable().await;
    let headers = json_headers(&[("retry-after", "5")]);
    let par = at(down.par_endpoint(), "/par").await;
    assert_answer(&post_form(&par, &[], "response_type=code&client_id=c").await, 503, &headers, UNAVAILABLE);
    let revoke = at(down.revocation_endpoint(), "/revoke").await;
    assert_answer(&post_form(&revoke, &[], "token=t&client_id=c").await, 503, &headers, UNAVAILABLE);
    let introspect = at(down.introspection_endpoint(callers()), "/introspect").await;
    let bearer = [("authorization", "Bearer rs-token-123")];
    assert_answer(&post_form(&introspect, &bearer, "token=t").await, 503, &headers, UNAVAILABLE);

    // Authlete answering an error of its own is 500, not 503: waiting would not help.
    let (fake, server) = authlete().await;
    fake.reply_always(ops::AUTH_REVOCATION, Reply::api_error(400, "A001201", "bad request"));
    let revoke = at(server.revocation_endpoint(), "/revoke").await;
    assert_answer(&post_form(&revoke, &[], "token=t&client_id=c").await, 500, &json_headers(&[]), SERVER_ERROR);
}
