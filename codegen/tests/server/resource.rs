//! The resource server's access-token validator over real HTTP (an axum app on 127.0.0.1 whose
//! handler takes the `ValidToken` extractor), in front of the fake Authlete: every action of
//! `/auth/introspection`, how a token is read and refused before Authlete is asked, what is
//! passed to Authlete (DPoP proof, `htm`, `htu`, certificate), Authlete failing, and the cache.

use std::time::{Duration, Instant};

use authlete::models::{IntrospectionRequest, IntrospectionResponse, IntrospectionResponseAction};
use authlete::server::axum::ValidToken;
use authlete::server::{AccessTokenValidator, CacheStats, TokenScheme};
use authlete::testing::{ops, FakeAuthlete, Reply};
use axum::routing::any;
use axum::Router;

use crate::resource_support::{
    client, expired_since, expires_in, refused, send, serve, server, server_with, valid, PUBLIC_URL,
};

/// What the handler saw of the token, as JSON.
async fn show(ValidToken(token): ValidToken) -> String {
    serde_json::json!({
        "subject": token.subject,
        "scopes": token.scopes,
        "client_id": token.client_id,
        "client_id_alias": token.client_id_alias,
        "scheme": format!("{:?}", token.scheme),
        "token": token.token(),
        "tenant": token.property("tenant"),
        "acr": token.acr,
        "auth_time": token.auth_time.map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()),
        "expires": token.expires_at.is_some(),
        "dpop_nonce": token.dpop_nonce,
    })
    .to_string()
}

/// An app with the protected resource at `/resource` and below, validating with `validator`.
async fn app(validator: AccessTokenValidator) -> String {
    let router =
        Router::new().route("/resource", any(show)).route("/resource/{*rest}", any(show)).with_state(validator);
    serve(router).await
}

/// The fake, a validator of it and the app's URL, Authlete answering `answer`.
async fn setup(answer: &IntrospectionResponse) -> (FakeAuthlete, AccessTokenValidator, String) {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, answer);
    let validator = server.access_token_validator();
    let url = app(validator.clone()).await;
    (fake, validator, url)
}

fn introspected(fake: &FakeAuthlete) -> Vec<IntrospectionRequest> {
    fake.received(ops::AUTH_INTROSPECTION)
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_what_authlete_knows() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let url = app(server.access_token_validator().scopes(["read"])).await;

    let got = send(client().get(format!("{url}/resource?page=2")).bearer_auth("at-123")).await;

    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(
        got.json(),
        serde_json::json!({
            "subject": "alice", "scopes": ["read", "write"], "client_id": 1234, "client_id_alias": "my-client",
            "scheme": "Bearer", "token": "at-123", "tenant": "acme", "acr": "urn:mace:incommon:iap:silver",
            "auth_time": 1_700_000_000u64, "expires": true, "dpop_nonce": null,
        })
    );
    let sent = introspected(&fake);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.token, "at-123");
    assert_eq!(sent.scopes, Some(vec!["read".to_owned()]));
    assert_eq!(sent.htm.as_deref(), Some("GET"));
    // The public URL and the path, without the query (RFC 9449 §4.3).
    assert_eq!(sent.htu.as_deref(), Some(format!("{PUBLIC_URL}/resource").as_str()));
    assert_eq!((sent.dpop.as_deref(), sent.client_certificate.as_deref()), (None, None));
}

#[tokio::test]
async fn each_refusal_is_its_status_with_authlete_s_challenge_and_nonce() {
    let cases = [
        (IntrospectionResponseAction::BadRequest, 400, "Bearer error=\"invalid_request\""),
        (
            IntrospectionResponseAction::Unauthorized,
            401,
            "Bearer error=\"invalid_token\",error_description=\"expired\"",
        ),
        (IntrospectionResponseAction::Forbidden, 403, "Bearer error=\"insufficient_scope\",scope=\"admin\""),
        (IntrospectionResponseAction::InternalServerError, 500, "Bearer error=\"server_error\""),
    ];
    for (action, status, challenge) in cases {
        let answer = IntrospectionResponse { dpop_nonce: Some("nonce-7".into()), ..refused(action.clone(), challenge) };
        let (_fake, _, url) = setup(&answer).await;

        let got = send(client().get(format!("{url}/resource")).bearer_auth("at-123")).await;

        assert_eq!(got.status, status, "{action:?}: {got:?}");
        assert_eq!(got.header("www-authenticate"), Some(challenge), "{action:?}");
        assert_eq!(got.header("dpop-nonce"), Some("nonce-7"), "{action:?}");
        assert!(got.is_no_store(), "{action:?}: {got:?}");
        assert_eq!((got.body.as_str(), got.header("content-type")), ("", None), "{action:?}: no body");
    }
}

#[tokio::test]
async fn an_action_this_crate_does_not_know_is_a_server_error() {
    for action in [Some(IntrospectionResponseAction::Unrecognized("STEP_UP".into())), None] {
        let answer = IntrospectionResponse { action: action.clone(), ..IntrospectionResponse::default() };
        let (_fake, _, url) = setup(&answer).await;

        let got = send(client().get(format!("{url}/resource")).bearer_auth("at-123")).await;

        assert_eq!(got.status, 500, "{action:?}");
        assert_eq!(got.json()["error"], "server_error", "{action:?}");
        assert!(got.is_no_store());
    }
}

#[tokio::test]
async fn the_scheme_is_read_in_any_case() {
    let (fake, _, url) = setup(&valid()).await;
    for (value, scheme) in [("bearer at-1", "Bearer"), ("BEARER at-2", "Bearer"), ("dPoP at-3", "DPoP")] {
        let got =
            send(client().get(format!("{url}/resource")).header("authorization", value).header("dpop", "proof")).await;
        assert_eq!(got.status, 200, "{value}: {got:?}");
        assert_eq!(got.json()["scheme"], scheme, "{value}");
    }
    let tokens: Vec<String> = introspected(&fake).into_iter().map(|sent| sent.token).collect();
    assert_eq!(tokens, ["at-1", "at-2", "at-3"]);
}

#[tokio::test]
async fn a_request_without_a_token_is_401_with_a_bare_challenge() {
    let (fake, server) = server().await;
    let url = app(server.access_token_validator().realm("orders")).await;

    let got = send(client().get(format!("{url}/resource"))).await;

    assert_eq!(got.status, 401);
    // RFC 6750 §3.1: no error code when the request did not try to authenticate.
    assert_eq!(got.header("www-authenticate"), Some("Bearer realm=\"orders\""));
    assert!(got.is_no_store());
    assert_eq!(got.body, "");
    // A query token is not read unless the validator allows it: still no token.
    let got = send(client().get(format!("{url}/resource?access_token=at-1"))).await;
    assert_eq!(got.status, 401);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 0);
}

#[tokio::test]
async fn the_default_realm_is_the_public_url() {
    let (_fake, server) = server().await;
    let url = app(server.access_token_validator()).await;
    let got = send(client().get(format!("{url}/resource"))).await;
    assert_eq!(got.header("www-authenticate"), Some(format!("Bearer realm=\"{PUBLIC_URL}\"").as_str()));
}

#[tokio::test]
async fn a_malformed_or_doubled_token_is_400_invalid_request_before_authlete() {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let url = app(server.access_token_validator().token_in_query(true)).await;
    let requests = [
        client().get(format!("{url}/resource")).header("authorization", "Bearer"),
        client().get(format!("{url}/resource")).header("authorization", "Bearer a b"),
        client().get(format!("{url}/resource")).header("authorization", "Basic YTpi"),
        client().get(format!("{url}/resource")).header("authorization", "Bearer a\"b"),
        // Two tokens (RFC 6750 §2): header and query, or two headers.
        client().get(format!("{url}/resource?access_token=at-2")).bearer_auth("at-1"),
        client().get(format!("{url}/resource")).header("authorization", "Bearer a").header("authorization", "Bearer b"),
    ];
    for request in requests {
        let got = send(request).await;
        assert_eq!(got.status, 400, "{got:?}");
        let challenge = got.header("www-authenticate").expect("a challenge");
        assert!(
            challenge.starts_with(&format!(
                "Bearer realm=\"{PUBLIC_URL}\", error=\"invalid_request\", error_description=\""
            )),
            "{challenge}"
        );
        assert!(got.is_no_store());
    }
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 0);
    // The query alone, where allowed, is read.
    let got = send(client().get(format!("{url}/resource?access_token=at-q"))).await;
    assert_eq!((got.status, got.json()["token"].as_str()), (200, Some("at-q")));
}

#[tokio::test]
async fn a_dpop_proof_goes_to_authlete_with_the_method_and_url_it_signs() {
    let (fake, _, url) = setup(&valid()).await;

    let got = send(
        client()
            .post(format!("{url}/resource/orders/42?expand=items"))
            .header("authorization", "DPoP at-bound")
            .header("dpop", "eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJodG0iOiJQT1NUIn0.c2ln"),
    )
    .await;

    assert_eq!(got.status, 200, "{got:?}");
    let sent = &introspected(&fake)[0];
    assert_eq!(sent.token, "at-bound");
    assert_eq!(sent.dpop.as_deref(), Some("eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJodG0iOiJQT1NUIn0.c2ln"));
    assert_eq!(sent.htm.as_deref(), Some("POST"));
    assert_eq!(sent.htu.as_deref(), Some(format!("{PUBLIC_URL}/resource/orders/42").as_str()));
}

#[tokio::test]
async fn the_client_certificate_of_the_configured_header_goes_to_authlete() {
    let (fake, server) = server_with(|config| config.client_certificate_header("x-client-cert").unwrap()).await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let url = app(server.access_token_validator()).await;

    // RFC 9440's byte sequence: Base64 DER between colons.
    let got =
        send(client().get(format!("{url}/resource")).bearer_auth("at-mtls").header("x-client-cert", ":AQID:")).await;

    assert_eq!(got.status, 200, "{got:?}");
    let sent = &introspected(&fake)[0];
    assert_eq!(
        sent.client_certificate.as_deref(),
        Some("-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----")
    );
}

#[tokio::test]
async fn the_nonce_of_a_valid_token_is_given_to_the_handler() {
    let answer = IntrospectionResponse { dpop_nonce: Some("nonce-ok".into()), ..valid() };
    let (_fake, _, url) = setup(&answer).await;
    let got =
        send(client().get(format!("{url}/resource")).header("authorization", "DPoP at-1").header("dpop", "p")).await;
    assert_eq!(got.json()["dpop_nonce"], "nonce-ok");
}

#[tokio::test]
async fn authlete_hanging_is_503_within_the_resource_timeout() {
    let (fake, _, url) = setup(&valid()).await;
    fake.reply_once(ops::AUTH_INTROSPECTION, Reply::hang());

    let started = Instant::now();
    let got = send(client().get(format!("{url}/resource")).bearer_auth("at-1")).await;

    assert_eq!(got.status, 503, "{got:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "answered after {:?}", started.elapsed());
    assert_eq!(got.json()["error"], "server_error");
    assert_eq!(got.header("retry-after"), Some("5"));
    assert!(got.is_no_store());
}

#[tokio::test]
async fn authlete_failing_is_a_server_error_without_its_details() {
    let (fake, _, url) = setup(&valid()).await;
    fake.reply_once(ops::AUTH_INTROSPECTION, Reply::api_error(400, "A001201", "secret detail of the service"));
    fake.reply_once(ops::AUTH_INTROSPECTION, Reply::disconnect());
    fake.reply_once(ops::AUTH_INTROSPECTION, Reply::text(502, "text/html", "<h1>Bad Gateway</h1>"));

    let statuses = [500, 503, 503];
    for status in statuses {
        let got = send(client().get(format!("{url}/resource")).bearer_auth("at-1")).await;
        assert_eq!(got.status, status, "{got:?}");
        assert_eq!(got.json()["error"], "server_error");
        assert!(!got.body.contains("secret detail") && !got.body.contains("Bad Gateway"), "{}", got.body);
    }
}

#[test]
fn debug_output_hides_the_token_and_property_values() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (fake, server) = server().await;
        fake.reply(ops::AUTH_INTROSPECTION, &valid());
        let validator = server.access_token_validator();
        let request = authlete::server::Request::from_http(
            axum::http::Request::get("/x")
                .header("authorization", "Bearer very-secret-token")
                .body(Vec::new())
                .unwrap(),
        );
        let token = validator.validate(&request).await.expect("valid");
        assert_eq!(token.token(), "very-secret-token");
        let debug = format!("{token:?} {validator:?}");
        assert!(!debug.contains("very-secret-token") && !debug.contains("acme"), "{debug}");
        assert!(debug.contains("[redacted]") && debug.contains("tenant"), "{debug}");
        assert_eq!(token.scheme, TokenScheme::Bearer);
    });
}

// The cache.

/// A validator with a cache of `capacity` entries for `ttl`, its app, and the fake answering
/// `answer`.
async fn cached(
    answer: &IntrospectionResponse,
    capacity: usize,
    ttl: Duration,
) -> (FakeAuthlete, AccessTokenValidator, String) {
    let (fake, server) = server().await;
    fake.reply(ops::AUTH_INTROSPECTION, answer);
    let validator = server.access_token_validator().scopes(["read"]).cache(capacity, ttl);
    let url = app(validator.clone()).await;
    (fake, validator, url)
}

async fn status(url: &str, token: &str) -> u16 {
    send(client().get(format!("{url}/resource")).bearer_auth(token)).await.status
}

fn stats(validator: &AccessTokenValidator) -> (u64, u64, usize) {
    let CacheStats { hits, misses, entries, .. } = validator.cache_stats().expect("a cache");
    (hits, misses, entries)
}

#[tokio::test]
async fn without_a_cache_every_request_asks_authlete() {
    let (fake, validator, url) = setup(&valid()).await;
    for _ in 0..3 {
        assert_eq!(status(&url, "at-1").await, 200);
    }
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 3);
    assert_eq!(validator.cache_stats(), None);
}

#[tokio::test]
async fn a_cached_token_is_accepted_again_without_asking_authlete() {
    let (fake, validator, url) = cached(&valid(), 100, Duration::from_secs(60)).await;

    let first = send(client().get(format!("{url}/resource")).bearer_auth("at-1")).await;
    let second = send(client().get(format!("{url}/resource")).bearer_auth("at-1")).await;

    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(first.json(), second.json(), "the same token information");
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 1);
    assert_eq!(stats(&validator), (1, 1, 1));
}

#[tokio::test]
async fn a_cached_answer_is_not_used_past_the_ttl() {
    // Long enough for two requests on a busy machine, short enough for a test.
    let ttl = Duration::from_secs(2);
    let (fake, validator, url) = cached(&valid(), 100, ttl).await;

    let first = Instant::now();
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 1);
    tokio::time::sleep((ttl + Duration::from_millis(300)).saturating_sub(first.elapsed())).await;
    assert_eq!(status(&url, "at-1").await, 200);

    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 2, "asked again after the TTL");
    assert_eq!(stats(&validator), (1, 2, 1));
}

#[tokio::test]
async fn a_cached_answer_is_not_used_past_the_token_s_expiry() {
    let (fake, _validator, url) = cached(&valid(), 100, Duration::from_secs(60)).await;
    let lifetime = Duration::from_secs(2);
    let issued = Instant::now();
    fake.reply(ops::AUTH_INTROSPECTION, &IntrospectionResponse { expires_at: Some(expires_in(lifetime)), ..valid() });

    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 1);
    tokio::time::sleep((lifetime + Duration::from_millis(300)).saturating_sub(issued.elapsed())).await;
    // Authlete now says the token expired.
    fake.reply(
        ops::AUTH_INTROSPECTION,
        &refused(IntrospectionResponseAction::Unauthorized, "Bearer error=\"invalid_token\""),
    );
    assert_eq!(status(&url, "at-1").await, 401);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 2);
}

#[tokio::test]
async fn a_token_that_has_expired_by_the_answer_is_not_cached() {
    let answer = IntrospectionResponse { expires_at: Some(expired_since(Duration::from_secs(1))), ..valid() };
    let (fake, validator, url) = cached(&answer, 100, Duration::from_secs(60)).await;
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 2);
    assert_eq!(stats(&validator), (0, 2, 0));
}

#[tokio::test]
async fn requests_with_a_dpop_proof_are_never_answered_from_the_cache() {
    let (fake, validator, url) = cached(&valid(), 100, Duration::from_secs(60)).await;
    for _ in 0..2 {
        let got =
            send(client().get(format!("{url}/resource")).header("authorization", "DPoP at-1").header("dpop", "proof"))
                .await;
        assert_eq!(got.status, 200);
        // A proof with the Bearer scheme is not cached either.
        let got = send(client().get(format!("{url}/resource")).bearer_auth("at-2").header("dpop", "proof")).await;
        assert_eq!(got.status, 200);
    }
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 4);
    assert_eq!(stats(&validator), (0, 0, 0));
    // The DPoP answer did not fill the cache for a later Bearer use of the same token.
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 5);
}

#[tokio::test]
async fn refusals_are_not_cached() {
    let (fake, _validator, url) = cached(&valid(), 100, Duration::from_secs(60)).await;
    fake.reply_once(
        ops::AUTH_INTROSPECTION,
        Reply::model(&refused(IntrospectionResponseAction::Unauthorized, "Bearer")),
    );
    fake.reply_once(ops::AUTH_INTROSPECTION, Reply::hang());
    assert_eq!(status(&url, "at-1").await, 401);
    assert_eq!(status(&url, "at-1").await, 503);
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 3);
}

#[tokio::test]
async fn the_cache_holds_no_more_than_its_capacity() {
    let (fake, validator, url) = cached(&valid(), 4, Duration::from_secs(60)).await;
    for i in 0..40 {
        assert_eq!(status(&url, &format!("at-{i}")).await, 200);
    }
    let CacheStats { entries, capacity, .. } = validator.cache_stats().unwrap();
    assert_eq!(capacity, 4);
    assert!((1..=4).contains(&entries), "{entries} entries");
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 40);
}

#[tokio::test]
async fn invalidate_forgets_a_revoked_token() {
    let (fake, validator, url) = cached(&valid(), 100, Duration::from_secs(60)).await;
    assert_eq!(status(&url, "at-1").await, 200);
    assert_eq!(status(&url, "at-2").await, 200);
    validator.invalidate("at-1");
    fake.reply(
        ops::AUTH_INTROSPECTION,
        &refused(IntrospectionResponseAction::Unauthorized, "Bearer error=\"invalid_token\""),
    );
    assert_eq!(status(&url, "at-1").await, 401, "asked Authlete again");
    assert_eq!(status(&url, "at-2").await, 200, "still cached");
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 3);
    validator.invalidate_all();
    assert_eq!(status(&url, "at-2").await, 401);
}

#[tokio::test]
async fn the_cache_key_holds_the_required_scopes_and_the_certificate() {
    let (fake, server) = server_with(|config| config.client_certificate_header("x-client-cert").unwrap()).await;
    fake.reply(ops::AUTH_INTROSPECTION, &valid());
    let reader = server.access_token_validator().cache(100, Duration::from_secs(60));
    // A clone shares the cache: its stricter scopes must not be served the reader's answer.
    let admin = reader.clone().scopes(["admin"]);
    let reader_url = app(reader.clone()).await;
    let admin_url = app(admin).await;

    assert_eq!(status(&reader_url, "at-1").await, 200);
    fake.reply(
        ops::AUTH_INTROSPECTION,
        &refused(IntrospectionResponseAction::Forbidden, "Bearer error=\"insufficient_scope\""),
    );
    assert_eq!(status(&admin_url, "at-1").await, 403);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 2);

    // Another certificate: asked again.
    let got =
        send(client().get(format!("{reader_url}/resource")).bearer_auth("at-1").header("x-client-cert", ":AQID:"))
            .await;
    assert_eq!(got.status, 403);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 3);
    // The first entry still serves the reader without a certificate.
    assert_eq!(status(&reader_url, "at-1").await, 200);
    assert_eq!(fake.count(ops::AUTH_INTROSPECTION), 3);
}
