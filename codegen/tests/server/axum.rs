//! The axum adapter over real HTTP, in front of the fake Authlete: the router of endpoints
//! (paths, methods, the body limit), and for resource servers the `ValidToken` extractor and the
//! `require_token` layer in routers of their own.

use std::time::Duration;

use authlete::models::{IntrospectionResponse, IntrospectionResponseAction, TokenResponse, TokenResponseAction};
use authlete::server::axum::{require_token, ClientCertificate, Routes, ValidToken};
use authlete::server::{AccessTokenValidator, Handler, NoGrants, Request, ValidatedToken};
use authlete::testing::ops;
use axum::http::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::resource_support::{client, refused, send, serve, server, server_with, valid, Got, PUBLIC_URL};

/// A handler of the server's own: says what it got.
struct Echo(&'static str);

impl Handler for Echo {
    async fn handle(&self, request: Request) -> Response<String> {
        let text = format!("{} {} {} {}", self.0, request.method(), request.uri().path(), request.body().len());
        Response::new(text)
    }
}

fn token_answer() -> TokenResponse {
    TokenResponse {
        action: Some(TokenResponseAction::Ok),
        response_content: Some(r#"{"access_token":"at","token_type":"Bearer"}"#.into()),
        ..TokenResponse::default()
    }
}

/// `got` is the toolkit's `413`: an OAuth error JSON that no cache keeps.
fn assert_too_large(got: &Got, limit: usize) {
    assert_eq!(got.status, 413, "{got:?}");
    assert_eq!(got.header("content-type"), Some("application/json;charset=UTF-8"));
    assert!(got.is_no_store(), "{got:?}");
    assert_eq!(
        got.json(),
        serde_json::json!({"error": "invalid_request", "error_description": format!("the request body is larger than {limit} bytes")})
    );
}

#[tokio::test]
async fn the_token_endpoint_is_at_its_path_and_takes_post() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_TOKEN, &token_answer());
    let url = serve(Routes::new(server).token(NoGrants).build()).await;

    let got = send(
        client()
            .post(format!("{url}/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials"),
    )
    .await;
    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(got.json()["access_token"], "at");
    assert_eq!(fake.received(ops::AUTH_TOKEN)[0].parameters, "grant_type=client_credentials");

    let got = send(client().get(format!("{url}/token"))).await;
    assert_eq!(got.status, 405);
    assert_eq!(got.header("allow"), Some("POST"));
    assert!(got.is_no_store());
    assert_eq!(got.json()["error"], "invalid_request");
    assert_eq!(send(client().post(format!("{url}/elsewhere"))).await.status, 404);
}

#[tokio::test]
async fn a_body_over_the_limit_is_the_toolkit_s_413_before_authlete() {
    let (fake, server) = server_with(|config| config.max_body_bytes(64)).await;
    fake.reply(ops::AUTH_TOKEN, &token_answer());
    let url = serve(Routes::new(server).token_at("/oauth/token", NoGrants).build()).await;
    let post = |body: String| {
        client()
            .post(format!("{url}/oauth/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };

    // Exactly the limit is read and sent on.
    let at_limit = format!("grant_type=client_credentials&pad={}", "x".repeat(64 - 34));
    assert_eq!(at_limit.len(), 64);
    assert_eq!(send(post(at_limit)).await.status, 200);
    // One byte more, and much more: refused.
    assert_too_large(&send(post(format!("grant_type=client_credentials&pad={}", "x".repeat(31)))).await, 64);
    assert_too_large(&send(post("x".repeat(4096))).await, 64);
    assert_eq!(fake.count(ops::AUTH_TOKEN), 1);
}

#[tokio::test]
async fn a_chunked_body_is_read_no_further_than_the_limit() {
    let (fake, server) = server_with(|config| config.max_body_bytes(64)).await;
    let url = serve(Routes::new(server).token(NoGrants).build()).await;
    let address = url.trim_start_matches("http://");

    // No Content-Length: the size shows only while reading.
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!(
        "POST /token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for _ in 0..10 {
        request.push_str(&format!("28\r\n{}\r\n", "a".repeat(40)));
    }
    request.push_str("0\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer)).await.unwrap().unwrap();

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("cache-control: no-store"), "{answer}");
    assert!(
        answer
            .ends_with(r#"{"error":"invalid_request","error_description":"the request body is larger than 64 bytes"}"#),
        "{answer}"
    );
    assert_eq!(fake.count(ops::AUTH_TOKEN), 0);
}

#[tokio::test]
async fn any_handler_is_routed_at_any_path_and_methods() {
    let (_fake, server) = server().await;
    let routes = Routes::new(server)
        .route("/things/{id}", &[axum::http::Method::GET, axum::http::Method::PUT], Echo("first"))
        // A method routed again goes to the later handler; the others stay.
        .route("/things/{id}", &[axum::http::Method::PUT], Echo("second"));
    let url = serve(routes.build()).await;

    let got = send(client().get(format!("{url}/things/7"))).await;
    assert_eq!((got.status, got.body.as_str()), (200, "first GET /things/7 0"));
    let got = send(client().put(format!("{url}/things/7")).body("abc")).await;
    assert_eq!((got.status, got.body.as_str()), (200, "second PUT /things/7 3"));
    // HEAD goes where GET goes, without the body.
    let got = send(client().head(format!("{url}/things/7"))).await;
    assert_eq!((got.status, got.body.as_str()), (200, ""));
    let got = send(client().delete(format!("{url}/things/7"))).await;
    assert_eq!(got.status, 405);
    assert_eq!(got.header("allow"), Some("GET, PUT, HEAD"));
    assert_eq!(got.json()["error"], "invalid_request");
}

#[tokio::test]
async fn the_other_endpoints_are_at_their_conventional_paths() {
    use axum::http::Method;

    let (_fake, server) = server().await;
    let routes = Routes::new(server)
        .par()
        .revocation()
        .userinfo(authlete::server::NoClaims)
        .introspection(authlete::server::StaticCallers::new())
        .discovery()
        .jwks()
        .registration()
        .grant_management();
    let url = serve(routes.build()).await;
    let cases = [
        (Method::GET, "/par", "POST"),
        (Method::GET, "/revoke", "POST"),
        (Method::DELETE, "/userinfo", "GET, POST, HEAD"),
        (Method::GET, "/introspect", "POST"),
        (Method::POST, "/.well-known/openid-configuration", "GET, HEAD"),
        (Method::POST, "/.well-known/oauth-authorization-server", "GET, HEAD"),
        (Method::POST, "/jwks", "GET, HEAD"),
        (Method::GET, "/register", "POST"),
        (Method::POST, "/register/client-1", "GET, PUT, DELETE, HEAD"),
        (Method::POST, "/grants/grant-1", "GET, DELETE, HEAD"),
    ];
    for (method, path, allow) in cases {
        let got = send(client().request(method.clone(), format!("{url}{path}"))).await;
        assert_eq!((got.status, got.header("allow")), (405, Some(allow)), "{method} {path}: {got:?}");
        assert_eq!(got.json()["error"], "invalid_request", "{path}");
    }
    // Paths changed one by one.
    let (_fake, server) = crate::resource_support::server().await;
    let routes = Routes::new(server).registration_at("/connect/register/").grant_management_at("/gm").jwks_at("/keys");
    let url = serve(routes.build()).await;
    for (method, path, allow) in [
        (Method::PATCH, "/connect/register/", "POST"),
        (Method::PATCH, "/connect/register/c1", "GET, PUT, DELETE, HEAD"),
        (Method::PATCH, "/gm/g1", "GET, DELETE, HEAD"),
        (Method::PATCH, "/keys", "GET, HEAD"),
    ] {
        let got = send(client().request(method, format!("{url}{path}"))).await;
        assert_eq!((got.status, got.header("allow")), (405, Some(allow)), "{path}");
    }
}

#[tokio::test]
async fn a_certificate_in_the_extensions_goes_to_authlete() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let pem = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----";
    let app = Router::new()
        .route("/me", get(|ValidToken(token): ValidToken| async move { token.subject.unwrap_or_default() }))
        .with_state(server.access_token_validator())
        .layer(Extension(ClientCertificate(pem.into())));
    let url = serve(app).await;

    assert_eq!(send(client().get(format!("{url}/me")).bearer_auth("at-1")).await.body, "alice");
    assert_eq!(fake.received(ops::AUTH_INTROSPECTION)[0].client_certificate.as_deref(), Some(pem));
    assert_eq!(format!("{:?}", ClientCertificate("secret".into())), "ClientCertificate(..)");
}

// Resource servers.

async fn subject(token: ValidatedToken) -> String {
    token.subject.unwrap_or_default()
}

#[tokio::test]
async fn the_layer_refuses_requests_without_a_valid_token_and_hands_on_the_others() {
    let (fake, server) = server().await;
    let answer = IntrospectionResponse { dpop_nonce: Some("nonce-9".into()), ..valid() };
    fake.reply(ops::AUTH_INTROSPECTION, &answer);
    let app = Router::new()
        .route("/me", get(subject))
        .route("/orders", get(|Extension(token): Extension<ValidatedToken>| async move { token.scopes.join(" ") }))
        .route_layer(require_token(server.access_token_validator().scopes(["read"])));
    let url = serve(app).await;

    let got = send(client().get(format!("{url}/me"))).await;
    assert_eq!((got.status, got.header("www-authenticate")), (401, Some(&*format!("Bearer realm=\"{PUBLIC_URL}\""))));
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 0);

    let got = send(client().get(format!("{url}/me")).bearer_auth("at-1")).await;
    assert_eq!((got.status, got.body.as_str()), (200, "alice"));
    // The nonce Authlete asked for is on the route's response.
    assert_eq!(got.header("dpop-nonce"), Some("nonce-9"));
    let got = send(client().get(format!("{url}/orders")).bearer_auth("at-1")).await;
    assert_eq!((got.status, got.body.as_str()), (200, "read write"));
    let sent = fake.received(ops::AUTH_INTROSPECTION);
    assert_eq!(sent[0].scopes, Some(vec!["read".to_owned()]));
    assert_eq!(sent[1].htu.as_deref(), Some(format!("{PUBLIC_URL}/orders").as_str()));

    fake.reply(
        ops::AUTH_INTROSPECTION,
        &refused(IntrospectionResponseAction::Unauthorized, "Bearer error=\"invalid_token\""),
    );
    let got = send(client().get(format!("{url}/me")).bearer_auth("at-1")).await;
    assert_eq!((got.status, got.header("www-authenticate")), (401, Some("Bearer error=\"invalid_token\"")));
}

#[tokio::test]
async fn the_layer_reads_a_token_in_a_form_body_and_passes_the_body_on() {
    let (fake, server) = server_with(|config| config.max_body_bytes(128)).await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let app = Router::new()
        .route("/notes", post(|token: ValidatedToken, body: String| async move { format!("{} {body}", token.token()) }))
        .route_layer(require_token(server.access_token_validator()));
    let url = serve(app).await;
    let form = |body: String| {
        client().post(format!("{url}/notes")).header("content-type", "application/x-www-form-urlencoded").body(body)
    };

    let got = send(form("note=hello&access_token=at-form".into())).await;
    assert_eq!((got.status, got.body.as_str()), (200, "at-form note=hello&access_token=at-form"));
    assert_eq!(fake.received(ops::AUTH_INTROSPECTION)[0].token, "at-form");
    // A token in the body and in the header: refused (RFC 6750 §2).
    let got = send(form("access_token=at-form".into()).bearer_auth("at-header")).await;
    assert_eq!(got.status, 400);
    // Over the limit: the toolkit's 413.
    assert_too_large(&send(form(format!("access_token=at-form&pad={}", "x".repeat(200)))).await, 128);
    // Any other body is passed on unread, whatever its size.
    let got = send(client().post(format!("{url}/notes")).bearer_auth("at-1").body("y".repeat(1000))).await;
    assert_eq!((got.status, got.body.len()), (200, "at-1 ".len() + 1000));
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 2);
}

#[tokio::test]
async fn the_extractor_after_the_layer_checks_its_own_scopes_without_asking_again() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let any_token = server.access_token_validator();
    let app = Router::new()
        .route("/read", get(|ValidToken(token): ValidToken| async move { token.subject.unwrap_or_default() }))
        .with_state(server.access_token_validator().scopes(["read"]));
    let admin = Router::new()
        .route("/admin", get(|ValidToken(token): ValidToken| async move { token.subject.unwrap_or_default() }))
        .with_state(server.access_token_validator().scopes(["read", "admin"]));
    let url = serve(app.merge(admin).layer(require_token(any_token))).await;

    let got = send(client().get(format!("{url}/read")).bearer_auth("at-1")).await;
    assert_eq!((got.status, got.body.as_str()), (200, "alice"));
    let got = send(client().get(format!("{url}/admin")).bearer_auth("at-1")).await;
    assert_eq!(got.status, 403);
    assert_eq!(
        got.header("www-authenticate"),
        Some(&*format!(
            "Bearer realm=\"{PUBLIC_URL}\", error=\"insufficient_scope\", error_description=\"the access token does not \
             cover the scopes the resource requires\", scope=\"read admin\""
        ))
    );
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 2, "one call per request, none by the extractor");
}

#[tokio::test]
async fn a_validator_in_the_extensions_overrides_the_state_s() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let app = Router::new()
        .route("/open", get(|ValidToken(token): ValidToken| async move { token.subject.unwrap_or_default() }))
        .merge(
            Router::new()
                .route("/strict", get(|ValidToken(token): ValidToken| async move { token.subject.unwrap_or_default() }))
                .layer(Extension(server.access_token_validator().scopes(["admin"]))),
        )
        .with_state(server.access_token_validator());
    let url = serve(app).await;

    assert_eq!(send(client().get(format!("{url}/open")).bearer_auth("at-1")).await.status, 200);
    assert_eq!(send(client().get(format!("{url}/strict")).bearer_auth("at-1")).await.status, 200);
    let scopes: Vec<Option<Vec<String>>> =
        fake.received(ops::AUTH_INTROSPECTION).into_iter().map(|sent| sent.scopes).collect();
    assert_eq!(scopes, [None, Some(vec!["admin".to_owned()])]);
}

#[tokio::test]
async fn in_a_nested_router_the_htu_is_the_full_path() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let layered = Router::new().route("/me", get(subject)).route_layer(require_token(server.access_token_validator()));
    let extracted = Router::new()
        .route("/you", get(|ValidToken(token): ValidToken| async move { token.subject.unwrap_or_default() }))
        .with_state(server.access_token_validator());
    let url = serve(Router::new().nest("/api/v1", layered.merge(extracted))).await;

    for path in ["/api/v1/me", "/api/v1/you"] {
        let got =
            send(client().get(format!("{url}{path}")).header("authorization", "DPoP at-1").header("dpop", "p")).await;
        assert_eq!(got.status, 200, "{path}: {got:?}");
    }
    let htus: Vec<String> = fake.received(ops::AUTH_INTROSPECTION).into_iter().filter_map(|sent| sent.htu).collect();
    assert_eq!(htus, [format!("{PUBLIC_URL}/api/v1/me"), format!("{PUBLIC_URL}/api/v1/you")]);
}

#[tokio::test]
async fn extracting_a_validated_token_without_the_layer_is_a_server_error() {
    let url = serve(Router::new().route("/me", get(subject))).await;
    let got = send(client().get(format!("{url}/me")).bearer_auth("at-1")).await;
    assert_eq!(got.status, 500);
    assert_eq!(got.json()["error"], "server_error");
}

#[tokio::test]
async fn a_validator_with_a_cache_serves_the_layer() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let validator: AccessTokenValidator = server.access_token_validator().cache(16, Duration::from_secs(30));
    let url = serve(Router::new().route("/me", get(subject)).route_layer(require_token(validator.clone()))).await;
    for _ in 0..5 {
        assert_eq!(send(client().get(format!("{url}/me")).bearer_auth("at-1")).await.body, "alice");
    }
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 1);
    let stats = validator.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (4, 1));
}
