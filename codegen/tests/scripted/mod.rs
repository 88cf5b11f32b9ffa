//! A scripted mock Authlete on 127.0.0.1 for the client's tests: it answers each request with the
//! next answer of its script and records what it was asked, and when (on tokio's clock, so that
//! tests on a paused clock see the waits the client made without waiting for them).
//!
//! It runs on the test's own runtime. On a paused clock that matters: tokio moves the clock only
//! when every task waits, and a server on another thread would leave the client waiting on a socket
//! while the clock jumps ahead to its timeout.

// Each test binary that declares it (`client/main.rs`, `client_env.rs`, `client_load.rs`,
// `client_tracing.rs`) uses a part of it.
#![allow(dead_code)]

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::Response;
use tokio::time::Instant;

/// One answer of a script.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A status, headers and a JSON body.
    Json { status: u16, headers: Vec<(&'static str, String)>, body: String },
    /// Never answers.
    Stall,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Answer::Json { status, headers: Vec::new(), body: String::new() }
    }

    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Answer::Json { status, headers: Vec::new(), body: body.to_string() }
    }

    pub fn header(self, name: &'static str, value: impl Into<String>) -> Self {
        match self {
            Answer::Json { status, mut headers, body } => {
                headers.push((name, value.into()));
                Answer::Json { status, headers, body }
            }
            Answer::Stall => Answer::Stall,
        }
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When it arrived, on tokio's clock.
    pub at: Instant,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// How the server picks an answer.
enum Script {
    /// The next answer of a list; when it runs out, `500`.
    Sequence(VecDeque<Answer>),
    /// An answer computed from the request.
    Handler(Box<dyn Fn(&Seen) -> Answer + Send + Sync>),
}

struct State {
    script: Mutex<Script>,
    seen: Mutex<Vec<Seen>>,
    record: bool,
    /// The client ends of the connections requests came on.
    peers: Mutex<HashSet<SocketAddr>>,
}

/// A running mock server; it stops with the test's runtime.
#[derive(Clone)]
pub struct MockServer {
    pub url: String,
    state: Arc<State>,
}

impl MockServer {
    /// Answers requests with `answers`, in order.
    pub async fn sequence(answers: impl IntoIterator<Item = Answer>) -> Self {
        Self::start(Script::Sequence(answers.into_iter().collect()), true).await
    }

    /// Answers each request with what `handler` makes of it.
    pub async fn handler(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        Self::start(Script::Handler(Box::new(handler)), true).await
    }

    /// Like [`MockServer::handler`], but keeps no record of requests (for load runs, whose
    /// memory use is measured).
    pub async fn unrecorded(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        Self::start(Script::Handler(Box::new(handler)), false).await
    }

    async fn start(script: Script, record: bool) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let state = Arc::new(State {
            script: Mutex::new(script),
            seen: Mutex::new(Vec::new()),
            record,
            peers: Mutex::new(HashSet::new()),
        });
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |request: Request<Body>| answer(shared.clone(), request));
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the mock server runs") });
        MockServer { url, state }
    }

    /// The requests received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("not poisoned").clone()
    }

    /// How many connections requests came on.
    pub fn connections(&self) -> usize {
        self.state.peers.lock().expect("not poisoned").len()
    }

    /// A client of this server with the bearer token `test-token` and the given policy.
    pub fn client(
        &self,
        configure: impl FnOnce(authlete::ClientBuilder) -> authlete::ClientBuilder,
    ) -> authlete::Client {
        configure(authlete::Client::builder().base_url(&self.url).bearer_token(TOKEN)).build().expect("a client")
    }
}

/// The bearer token of [`MockServer::client`]: tests assert that it appears nowhere else.
pub const TOKEN: &str = "test-token-8c1f0e";

async fn answer(state: Arc<State>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(axum::extract::ConnectInfo(peer)) = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>() {
        state.peers.lock().expect("not poisoned").insert(*peer);
    }
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let seen = Seen { method: parts.method, uri: parts.uri, headers: parts.headers, body, at: Instant::now() };
    let answer = match &mut *state.script.lock().expect("not poisoned") {
        Script::Sequence(answers) => answers.pop_front().unwrap_or(Answer::status(500)),
        Script::Handler(handler) => handler(&seen),
    };
    if state.record {
        state.seen.lock().expect("not poisoned").push(seen);
    }
    match answer {
        Answer::Json { status, headers, body } => {
            let mut response = Response::builder()
                .status(StatusCode::from_u16(status).expect("a valid status"))
                .header("content-type", "application/json");
            for (name, value) in headers {
                response = response.header(name, value);
            }
            response.body(Body::from(body)).expect("a valid response")
        }
        Answer::Stall => {
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
            Response::new(Body::empty())
        }
    }
}

/// A port on 127.0.0.1 where nothing listens (it was bound, then freed).
pub async fn refused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("an address");
    drop(listener);
    format!("http://{address}")
}
