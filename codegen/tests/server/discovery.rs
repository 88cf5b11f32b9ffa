//! The toolkit's public documents over real HTTP, in front of the fake Authlete: the discovery
//! document and the JWK Set, cacheable by anyone and kept by the endpoint for their `max-age`,
//! served stale when Authlete fails, and Authlete failing with nothing kept.

use std::time::Duration;

use authlete::models::ServiceJwksGetResponse;
use authlete::server::{AuthorizationServer, Config, Endpoint, DEFAULT_DOCUMENT_MAX_AGE};
use authlete::testing::{ops, FakeAuthlete, Reply};

use crate::server_support::{assert_answer, serve, Answer, JSON, PUBLIC_URL};

async fn get(url: &str) -> Answer {
    Answer::from(reqwest::get(url).await.expect("the server answers")).await
}

fn discovery_document() -> serde_json::Map<String, serde_json::Value> {
    let document = serde_json::json!({
        "issuer": "https://as.example.com",
        "jwks_uri": "https://as.example.com/jwks",
        "token_endpoint": "https://as.example.com/token",
    });
    document.as_object().unwrap().clone()
}

const DISCOVERY_BODY: &str = r#"{"issuer":"https://as.example.com","jwks_uri":"https://as.example.com/jwks","token_endpoint":"https://as.example.com/token"}"#;

fn keys() -> ServiceJwksGetResponse {
    // Members in alphabetical order: the body is the same whether serde_json keeps their order
    // (its `preserve_order` feature) or sorts them.
    let key = serde_json::json!({"crv": "P-256", "kid": "k1", "kty": "EC", "x": "x1", "y": "y1"});
    ServiceJwksGetResponse { keys: Some(vec![key.as_object().unwrap().clone()]), ..Default::default() }
}

const KEYS_BODY: &str = r#"{"keys":[{"crv":"P-256","kid":"k1","kty":"EC","x":"x1","y":"y1"}]}"#;

async fn authlete() -> (FakeAuthlete, AuthorizationServer) {
    crate::server_support::authlete().await
}

#[tokio::test]
async fn discovery_is_authletes_document_public_and_kept_for_its_max_age() {
    let (fake, server) = authlete().await;
    let url = serve(server.discovery_endpoint()).await;
    fake.reply(ops::SERVICE_CONFIGURATION, &discovery_document());
    assert_eq!(DEFAULT_DOCUMENT_MAX_AGE, Duration::from_secs(300));

    let headers = [("content-type", JSON), ("cache-control", "public, max-age=300")];
    let first = get(&format!("{url}/.well-known/openid-configuration")).await;
    assert_answer(&first, 200, &headers, DISCOVERY_BODY);
    let second = get(&format!("{url}/.well-known/oauth-authorization-server")).await;
    assert_answer(&second, 200, &headers, DISCOVERY_BODY);
    assert_eq!(fake.count(ops::SERVICE_CONFIGURATION), 1, "the second request is answered from the kept copy");
    let [asked] = &fake.requests()[..] else { panic!("one request") };
    // No patch configured, and a request's query is never passed on.
    assert_eq!((asked.query_param("patch"), asked.query_param("pretty")), (None, None));
}

#[tokio::test]
async fn discovery_sends_the_configured_patch_never_the_requests_query() {
    let (fake, server) = authlete().await;
    let patch = r#"[{"op":"add","path":"/x_custom","value":true}]"#;
    let url = serve(server.discovery_endpoint().patch(patch).max_age(Duration::from_secs(60))).await;
    fake.reply(ops::SERVICE_CONFIGURATION, &discovery_document());
    let answer = get(&format!("{url}/.well-known/openid-configuration?patch=evil")).await;
    assert_answer(&answer, 200, &[("content-type", JSON), ("cache-control", "public, max-age=60")], DISCOVERY_BODY);
    let [asked] = &fake.requests()[..] else { panic!("one request") };
    assert_eq!(asked.query_param("patch").as_deref(), Some(patch));
}

#[tokio::test]
async fn a_max_age_of_zero_asks_authlete_every_time() {
    let (fake, server) = authlete().await;
    let url = serve(server.discovery_endpoint().max_age(Duration::ZERO)).await;
    fake.reply(ops::SERVICE_CONFIGURATION, &discovery_document());
    for _ in 0..2 {
        let answer = get(&url).await;
        assert_answer(&answer, 200, &[("content-type", JSON), ("cache-control", "public, max-age=0")], DISCOVERY_BODY);
    }
    assert_eq!(fake.count(ops::SERVICE_CONFIGURATION), 2);
    // Failures are not hidden when nothing is kept.
    // (A GET answered 503 is retried by the client: every attempt fails.)
    fake.reply_always(ops::SERVICE_CONFIGURATION, Reply::api_error(503, "A000503", "unavailable"));
    let answer = get(&url).await;
    assert_eq!((answer.status, answer.header("retry-after")), (503, Some("5")));
}

#[tokio::test]
async fn an_expired_document_is_fetched_again_and_served_stale_when_authlete_fails() {
    let (fake, server) = authlete().await;
    let url = serve(server.discovery_endpoint().max_age(Duration::from_secs(1))).await;
    let headers = [("content-type", JSON), ("cache-control", "public, max-age=1")];
    fake.reply(ops::SERVICE_CONFIGURATION, &discovery_document());
    assert_answer(&get(&url).await, 200, &headers, DISCOVERY_BODY);

    // Expired, and Authlete changed the document: the new one is served.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut changed = discovery_document();
    changed.insert("issuer".into(), "https://new.example.com".into());
    fake.reply(ops::SERVICE_CONFIGURATION, &changed);
    let answer = get(&url).await;
    assert_eq!((answer.status, answer.json()["issuer"].as_str()), (200, Some("https://new.example.com")));
    assert_eq!(fake.count(ops::SERVICE_CONFIGURATION), 2);

    // Expired, and Authlete fails: the kept document is served, and Authlete is left alone for a
    // while (here the max-age, 1 s, is shorter than the usual 5 s pause).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    fake.reply_always(ops::SERVICE_CONFIGURATION, Reply::api_error(500, "A000500", "broken"));
    let stale = get(&url).await;
    assert_eq!((stale.status, stale.json()["issuer"].as_str()), (200, Some("https://new.example.com")));
    assert_eq!(stale.header("cache-control"), Some("public, max-age=1"));
    assert_eq!(get(&url).await.status, 200);
    assert_eq!(fake.count(ops::SERVICE_CONFIGURATION), 3, "one failed try, then the pause");
}

#[tokio::test]
async fn authlete_failing_with_nothing_kept_is_a_server_error_for_a_while() {
    let (fake, server) = authlete().await;
    let no_store = [("cache-control", "no-store"), ("pragma", "no-cache"), ("content-type", JSON)];
    let mut retry = no_store.to_vec();
    retry.push(("retry-after", "5"));
    let unavailable =
        r#"{"error":"server_error","error_description":"the authorization server is temporarily unavailable"}"#;
    let failed =
        r#"{"error":"server_error","error_description":"the authorization server could not process the request"}"#;

    // A GET answered 503 is retried by the client: every attempt fails.
    let discovery = serve(server.discovery_endpoint().max_age(Duration::from_secs(1))).await;
    fake.reply_always(ops::SERVICE_CONFIGURATION, Reply::api_error(503, "A000503", "unavailable"));
    assert_answer(&get(&discovery).await, 503, &retry, unavailable);
    let tries = fake.count(ops::SERVICE_CONFIGURATION);
    // The failure is the answer for a while (here the max-age, 1 s, shorter than the usual 5 s).
    fake.reply(ops::SERVICE_CONFIGURATION, &discovery_document());
    assert_answer(&get(&discovery).await, 503, &retry, unavailable);
    assert_eq!(fake.count(ops::SERVICE_CONFIGURATION), tries, "Authlete is left alone meanwhile");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get(&discovery).await.status, 200);

    fake.reply_once(ops::SERVICE_JWKS_GET, Reply::api_error(403, "A000403", "forbidden"));
    assert_answer(&get(&serve(server.jwks_endpoint()).await).await, 500, &no_store, failed);
    fake.reply_once(ops::SERVICE_JWKS_GET, Reply::text(200, "text/html", "<h1>Welcome</h1>"));
    assert_answer(&get(&serve(server.jwks_endpoint()).await).await, 500, &no_store, failed);

    // Down: nothing listens where the service points.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let client = authlete::Client::builder().base_url(format!("http://{address}")).bearer_token("t").build().unwrap();
    let down = AuthorizationServer::new(client.service("1"), Config::new(PUBLIC_URL).unwrap());
    assert_answer(&get(&serve(down.discovery_endpoint()).await).await, 503, &retry, unavailable);
    assert_answer(&get(&serve(down.jwks_endpoint()).await).await, 503, &retry, unavailable);
}

/// Requests that arrive while Authlete hangs wait for one call, not one each in turn.
#[tokio::test]
async fn requests_waiting_for_a_hanging_authlete_share_its_failure() {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL).unwrap().timeout(Endpoint::Jwks, Duration::from_millis(400));
    let server = AuthorizationServer::new(fake.service(), config);
    let url = serve(server.jwks_endpoint()).await;
    fake.reply_always(ops::SERVICE_JWKS_GET, Reply::hang());
    let started = std::time::Instant::now();
    let answers = futures_join(&url, 5).await;
    for answer in &answers {
        assert_eq!((answer.status, answer.header("retry-after")), (503, Some("5")), "{answer:?}");
    }
    assert_eq!(fake.count(ops::SERVICE_JWKS_GET), 1);
    // One timeout, not five in a row.
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
}

/// `count` GETs of `url` at once.
async fn futures_join(url: &str, count: usize) -> Vec<Answer> {
    let tasks: Vec<_> = (0..count).map(|_| tokio::spawn(get_owned(url.to_owned()))).collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the request runs"));
    }
    answers
}

async fn get_owned(url: String) -> Answer {
    get(&url).await
}

#[tokio::test]
async fn jwks_is_the_public_key_set_public_and_kept() {
    let (fake, server) = authlete().await;
    let url = serve(server.jwks_endpoint().max_age(Duration::from_secs(3600))).await;
    fake.reply(ops::SERVICE_JWKS_GET, &Some(keys()));
    let headers = [("content-type", JSON), ("cache-control", "public, max-age=3600")];
    assert_answer(&get(&url).await, 200, &headers, KEYS_BODY);
    assert_answer(&get(&url).await, 200, &headers, KEYS_BODY);
    let [asked] = &fake.requests()[..] else { panic!("one request") };
    assert_eq!(asked.query_param("includePrivateKeys").as_deref(), Some("false"));
}

#[tokio::test]
async fn a_service_without_keys_has_an_empty_key_set() {
    let (fake, server) = authlete().await;
    let headers = [("content-type", JSON), ("cache-control", "public, max-age=0")];
    let url = serve(server.jwks_endpoint().max_age(Duration::ZERO)).await;
    // Authlete's 204.
    fake.reply(ops::SERVICE_JWKS_GET, &None);
    assert_answer(&get(&url).await, 200, &headers, r#"{"keys":[]}"#);
    // A set without `keys`, and one with members the crate does not know, which are kept.
    fake.reply_once(ops::SERVICE_JWKS_GET, Reply::json(200, serde_json::json!({})));
    assert_answer(&get(&url).await, 200, &headers, r#"{"keys":[]}"#);
    fake.reply_once(ops::SERVICE_JWKS_GET, Reply::json(200, serde_json::json!({"keys": [], "x_note": 1})));
    assert_answer(&get(&url).await, 200, &headers, r#"{"keys":[],"x_note":1}"#);
}

#[tokio::test]
async fn only_get_and_head_are_answered() {
    let (fake, server) = authlete().await;
    fake.reply(ops::SERVICE_CONFIGURATION, &discovery_document());
    fake.reply(ops::SERVICE_JWKS_GET, &Some(keys()));
    let client = reqwest::Client::new();
    for url in [serve(server.discovery_endpoint()).await, serve(server.jwks_endpoint()).await] {
        for method in [reqwest::Method::POST, reqwest::Method::PUT, reqwest::Method::DELETE] {
            let answer = Answer::from(client.request(method.clone(), &url).send().await.unwrap()).await;
            let headers =
                [("content-type", JSON), ("cache-control", "no-store"), ("pragma", "no-cache"), ("allow", "GET, HEAD")];
            let body = r#"{"error":"invalid_request","error_description":"the endpoint takes the methods GET, HEAD"}"#;
            assert_answer(&answer, 405, &headers, body);
        }
        let head = client.head(&url).send().await.unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(head.headers()["cache-control"], "public, max-age=300");
        assert_eq!(head.headers()["content-type"], JSON);
        assert_eq!(head.text().await.unwrap(), "", "HEAD has no body");
    }
    assert_eq!(fake.count(ops::SERVICE_CONFIGURATION) + fake.count(ops::SERVICE_JWKS_GET), 2);
}
