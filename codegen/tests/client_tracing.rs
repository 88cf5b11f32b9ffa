//! Each call of the generated client is one `authlete.call` span with the operation, method, path
//! template, status, attempt and duration, and an event per retry; neither the bearer token nor a
//! body nor a filled-in path ever reaches the spans. A small subscriber of our own captures them
//! (everything the client records goes through it, so nothing can hide from the assertions).

mod scripted;

use std::fmt;
use std::sync::{Arc, Mutex};

use authlete::models::TokenRequest;
use scripted::{Answer, MockServer, TOKEN};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Debug, Clone, Default)]
struct CapturedSpan {
    name: &'static str,
    fields: Vec<(String, String)>,
}

impl CapturedSpan {
    fn field(&self, name: &str) -> Option<&str> {
        // The last value recorded wins, as in a real subscriber.
        self.fields.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
struct CapturedEvent {
    /// The index of the span it happened in.
    span: Option<usize>,
    fields: Vec<(String, String)>,
}

#[derive(Default)]
struct Captured {
    spans: Vec<CapturedSpan>,
    events: Vec<CapturedEvent>,
    /// The spans entered, innermost last (the tests run on one thread).
    stack: Vec<usize>,
}

/// Records every span, field and event, with every value as text.
#[derive(Clone, Default)]
struct Capture {
    captured: Arc<Mutex<Captured>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut span = CapturedSpan { name: attributes.metadata().name(), fields: Vec::new() };
        attributes.record(&mut Fields(&mut span.fields));
        let mut captured = self.captured.lock().unwrap();
        captured.spans.push(span);
        Id::from_u64(captured.spans.len() as u64)
    }

    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut captured = self.captured.lock().unwrap();
        let span = &mut captured.spans[id.into_u64() as usize - 1];
        values.record(&mut Fields(&mut span.fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        let mut captured = self.captured.lock().unwrap();
        let span = match event.parent() {
            Some(id) => Some(id.into_u64() as usize - 1),
            None => captured.stack.last().copied(),
        };
        captured.events.push(CapturedEvent { span, fields });
    }

    fn enter(&self, id: &Id) {
        self.captured.lock().unwrap().stack.push(id.into_u64() as usize - 1);
    }

    fn exit(&self, _: &Id) {
        self.captured.lock().unwrap().stack.pop();
    }
}

impl Capture {
    fn calls(&self) -> Vec<CapturedSpan> {
        self.captured.lock().unwrap().spans.iter().filter(|s| s.name == "authlete.call").cloned().collect()
    }

    /// Every recorded text: span names, field names and values, event fields.
    fn all_text(&self) -> String {
        let captured = self.captured.lock().unwrap();
        let mut text = String::new();
        for span in &captured.spans {
            text.push_str(span.name);
            span.fields.iter().for_each(|(n, v)| text.push_str(&format!("\n{n}={v}")));
        }
        for event in &captured.events {
            event.fields.iter().for_each(|(n, v)| text.push_str(&format!("\n{n}={v}")));
        }
        text
    }
}

#[tokio::test(start_paused = true)]
async fn a_retried_call_is_one_span_with_an_event_per_retry() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::sequence([
        Answer::status(503),
        Answer::status(503).header("retry-after", "1"),
        Answer::json(200, json!({"clientId": 42})),
    ])
    .await;
    let client = server.client(|b| b);
    client.service("715948317").client_get("secret-client-42").await.expect("the third attempt succeeds");

    let calls = capture.calls();
    assert_eq!(calls.len(), 1, "one span per call, however many attempts");
    let span = &calls[0];
    assert_eq!(span.field("operation"), Some("client_get"));
    assert_eq!(span.field("method"), Some("GET"));
    assert_eq!(span.field("path"), Some("/api/{serviceId}/client/get/{clientId}"));
    assert_eq!(span.field("attempt"), Some("3"));
    assert_eq!(span.field("status"), Some("200"));
    let duration: u64 = span.field("duration_ms").expect("a duration").parse().unwrap();
    // 100–200 ms of backoff, then the 1 s the server asked for (on the paused clock).
    assert!((1_100..1_300).contains(&duration), "{duration}");

    let events = capture.captured.lock().unwrap().events.clone();
    let index = capture.captured.lock().unwrap().spans.iter().position(|s| s.name == "authlete.call");
    // The HTTP stack logs its own events in the span too (connections, pooling); ours say "retrying".
    let retries: Vec<_> = events
        .iter()
        .filter(|e| e.span == index && e.fields.iter().any(|(n, v)| n == "message" && v.contains("retrying")))
        .collect();
    assert_eq!(retries.len(), 2, "{events:?}");
    for (number, event) in retries.iter().enumerate() {
        let field = |name: &str| event.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(field("attempt"), Some((number + 1).to_string()));
        assert_eq!(field("status"), Some("503".into()));
        assert_eq!(field("reason"), Some("retryable status".into()));
        assert_eq!(field("message"), Some("authlete call failed; retrying".into()));
    }
    let wait = |event: &CapturedEvent| event.fields.iter().find(|(n, _)| n == "wait_ms").map(|(_, v)| v.clone());
    assert_eq!(wait(retries[1]), Some("1000".into()), "the wait Retry-After asked for");

    let text = capture.all_text();
    assert!(!text.contains(TOKEN), "the token is never recorded:\n{text}");
    assert!(!text.contains("secret-client-42") && !text.contains("715948317"), "nor the filled-in path:\n{text}");
}

#[tokio::test]
async fn bodies_and_the_token_stay_out_of_spans_and_events() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::sequence([Answer::json(
        200,
        json!({"action": "OK", "responseContent": "{\"access_token\":\"minted-access-token\"}"}),
    )])
    .await;
    let client = server.client(|b| b);
    let request = TokenRequest {
        client_secret: Some("the-client-secret".into()),
        ..TokenRequest::new("grant_type=authorization_code&code=the-one-time-code")
    };
    let answer = client.service("1").auth_token(&request).await.expect("an answer");
    assert!(answer.response_content.unwrap().contains("minted-access-token"));
    let seen = server.seen();
    assert_eq!(seen[0].headers["authorization"], format!("Bearer {TOKEN}"), "the token was sent");

    let calls = capture.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].field("operation"), Some("auth_token"));
    assert_eq!(calls[0].field("method"), Some("POST"));
    assert_eq!(calls[0].field("path"), Some("/api/{serviceId}/auth/token"));
    assert_eq!(calls[0].field("attempt"), Some("1"));
    assert_eq!(calls[0].field("status"), Some("200"));
    let text = capture.all_text();
    for secret in [TOKEN, "the-client-secret", "the-one-time-code", "minted-access-token"] {
        assert!(!text.contains(secret), "`{secret}` is recorded:\n{text}");
    }
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[tokio::test(start_paused = true)]
async fn a_failed_call_records_its_last_status_and_attempts() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::sequence([Answer::status(429), Answer::status(429)]).await;
    let client = server.client(|b| b.retry(authlete::client::RetryPolicy::default().max_attempts(2)));
    let error = client.service("1").client_get("42").await.expect_err("rate limited");
    assert_eq!(error.attempts(), 2);
    let calls = capture.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].field("attempt"), Some("2"));
    assert_eq!(calls[0].field("status"), Some("429"));
    assert!(calls[0].field("duration_ms").is_some());
}
