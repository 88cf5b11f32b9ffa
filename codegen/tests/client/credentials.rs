//! The bearer token from a token source (`ClientBuilder::token_source`), against the scripted mock
//! Authlete on 127.0.0.1: it is asked before every attempt, so a rotated token is used from the
//! next call on; a failing source ends the call with an error of its own, unsent and unretried;
//! and the token appears in no `Debug` or `Display` output.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use authlete::{Error, RetryPolicy};
use serde_json::json;

use crate::scripted::{Answer, MockServer};

fn client_json() -> Answer {
    Answer::json(200, json!({"clientId": 42, "clientName": "demo"}))
}

/// A client of `server` whose token source gives `rotating-token-0`, `rotating-token-1`, … and
/// counts how often it was asked.
fn rotating(server: &MockServer) -> (authlete::Client, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let client = authlete::Client::builder()
        .base_url(&server.url)
        .token_source(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, std::convert::Infallible>(format!("rotating-token-{n}")) }
        })
        .build()
        .expect("a client");
    (client, asked)
}

fn authorizations(server: &MockServer) -> Vec<String> {
    let seen = server.seen();
    seen.iter().map(|s| s.headers["authorization"].to_str().expect("text").to_owned()).collect()
}

#[tokio::test(start_paused = true)]
async fn a_rotated_token_is_used_from_the_next_attempt_on() {
    let server = MockServer::sequence([client_json(), client_json(), Answer::status(503), client_json()]).await;
    let (client, asked) = rotating(&server);
    let service = client.service("1");
    service.client_get("42").await.expect("an answer");
    service.client_get("42").await.expect("an answer");
    // A retried call asks again for its second attempt.
    let response = service.client_get("42").send_with_details().await.expect("the retry succeeds");
    assert_eq!(response.attempts, 2);
    assert_eq!(
        authorizations(&server),
        ["Bearer rotating-token-0", "Bearer rotating-token-1", "Bearer rotating-token-2", "Bearer rotating-token-3"]
    );
    assert_eq!(asked.load(Ordering::SeqCst), 4);
    let debug = format!("{client:?}");
    assert!(debug.contains("bearer_token: <token source>") && !debug.contains("rotating-token"), "{debug}");
}

#[tokio::test(start_paused = true)]
async fn a_failing_token_source_is_an_error_of_its_own_and_nothing_is_sent() {
    let server = MockServer::sequence([client_json()]).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let client = authlete::Client::builder()
        .base_url(&server.url)
        .token_source(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Err::<String, _>(std::io::Error::other("the vault is sealed")) }
        })
        .build()
        .expect("a client");
    let error = client.service("1").client_get("42").await.expect_err("no token");
    assert!(matches!(error, Error::TokenSource { attempts: 0, .. }), "{error:?}");
    assert_eq!(error.to_string(), "client_get: not sent: the token source failed: the vault is sealed");
    assert_eq!(error.attempts(), 0);
    let source = std::error::Error::source(&error).expect("the source's error");
    assert_eq!(source.downcast_ref::<std::io::Error>().map(|e| e.kind()), Some(std::io::ErrorKind::Other));
    assert!(server.seen().is_empty(), "nothing was sent");
    assert_eq!(asked.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test(start_paused = true)]
async fn a_token_source_failing_before_a_retry_ends_the_call() {
    let server = MockServer::sequence([Answer::status(503), client_json()]).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let client = authlete::Client::builder()
        .base_url(&server.url)
        .token_source(move || {
            let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                match first {
                    true => Ok("first-token".to_owned()),
                    false => Err("the token expired and could not be renewed"),
                }
            }
        })
        .build()
        .expect("a client");
    let error = client.service("1").client_get("42").await.expect_err("no token for the retry");
    assert_eq!(error.attempts(), 1);
    assert_eq!(
        error.to_string(),
        "client_get: not sent again after 1 attempt: the token source failed: the token expired and could not be renewed"
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_unusable_or_late_token_is_a_token_source_error() {
    let server = MockServer::sequence([]).await;
    let client = |token: &'static str| {
        authlete::Client::builder()
            .base_url(&server.url)
            .token_source(move || async move { Ok::<_, String>(token.to_owned()) })
            .build()
            .expect("a client")
    };
    for token in ["", "line\nbreak secret"] {
        let error = client(token).service("1").client_get("42").await.expect_err("an unusable token");
        let message = error.to_string();
        assert_eq!(
            message,
            "client_get: not sent: the token source failed: it gave an empty token, or one with characters an HTTP \
             header cannot carry"
        );
        assert!(!format!("{error:?}").contains("secret"));
    }

    let never = authlete::Client::builder()
        .base_url(&server.url)
        .token_source(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok::<_, String>("too late".to_owned())
        })
        .retry(RetryPolicy::default().deadline(Duration::from_secs(2)))
        .build()
        .expect("a client");
    let started = tokio::time::Instant::now();
    let error = never.service("1").client_get("42").await.expect_err("no token in time");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(2) && took < Duration::from_millis(2_010), "took {took:?}");
    assert_eq!(
        error.to_string(),
        "client_get: not sent: the token source failed: it gave no token within 2 s, what was left of the retry deadline"
    );
    assert!(server.seen().is_empty());
}

#[test]
fn the_last_of_bearer_token_and_token_source_wins() {
    let source = authlete::Client::builder()
        .base_url("https://us.authlete.com")
        .bearer_token("static-secret")
        .token_source(|| async { Ok::<_, String>("dynamic-secret".into()) });
    let debug = format!("{source:?}");
    assert!(debug.contains("bearer_token: Some(<token source>)"), "{debug}");
    assert!(!debug.contains("static-secret") && !debug.contains("dynamic-secret"), "{debug}");
    let client = source.bearer_token("static-secret").build().expect("a client");
    assert!(format!("{client:?}").contains("bearer_token: <redacted>"));
}
