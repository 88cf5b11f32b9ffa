//! The fake Authlete: a loopback HTTP server that plays the API for tests.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.
//! The generated `ops` module describes each operation (an [`OperationInfo`] in a typed
//! [`Operation`]); routing, scripting and recording are here, once.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the generated table says about one operation: how a request for it is recognized and
/// what its success answer looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The client method that calls the operation (`auth_token`), as errors name it.
    pub name: &'static str,
    /// The HTTP method, upper-case (`POST`).
    pub method: &'static str,
    /// The path template of the spec (`/api/{serviceId}/auth/token`): each `{…}` matches one
    /// path segment.
    pub path: &'static str,
    /// Whether the operation needs the bearer token (the fake answers 401 without one).
    pub authenticated: bool,
    /// The success answer the client expects.
    pub answer: Answer,
    /// The spec's example of the success answer, as JSON: what the fake answers when the test
    /// scripted nothing for the operation.
    pub example: Option<&'static str>,
}

/// The success answer of an operation, as the spec declares it: the status the fake answers a
/// typed [`FakeAuthlete::reply`] with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// A JSON body, with this status.
    Json(u16),
    /// A JSON body with status `json`, or none with status `empty` (the method returns `None`).
    OptionalJson {
        /// The status of an answer with a body.
        json: u16,
        /// The status of an answer without one.
        empty: u16,
    },
    /// A text body, with this status.
    Text(u16),
    /// No body, with this status.
    Empty(u16),
}

impl Answer {
    /// The status of an answer with a body (of an empty one for [`Answer::Empty`]).
    fn status(self) -> u16 {
        match self {
            Answer::Json(status) | Answer::Text(status) | Answer::Empty(status) => status,
            Answer::OptionalJson { json, .. } => json,
        }
    }
}

/// One operation of the API, typed by its request body `Req` (`()` for none) and by what its
/// client method returns, `Resp`: the constants of the [`ops`](super::ops) module.
pub struct Operation<Req, Resp> {
    info: &'static OperationInfo,
    // `fn(Req) -> Resp`: the types are only labels, so an operation is `Send`, `Sync` and `Copy`
    // whatever they are.
    types: PhantomData<fn(Req) -> Resp>,
}

impl<Req, Resp> Operation<Req, Resp> {
    /// The operation `info` describes; the generated [`ops`](super::ops) module makes them all.
    pub const fn new(info: &'static OperationInfo) -> Self {
        Operation { info, types: PhantomData }
    }

    /// What the operation is: name, method, path, answer.
    pub const fn info(self) -> &'static OperationInfo {
        self.info
    }
}

impl<Req, Resp> Clone for Operation<Req, Resp> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Req, Resp> Copy for Operation<Req, Resp> {}

impl<Req, Resp> fmt::Debug for Operation<Req, Resp> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Operation").field(&self.info.name).finish()
    }
}

/// An answer of the fake, scripted by a test: a status and body ([`Reply::json`],
/// [`Reply::model`], [`Reply::text`], [`Reply::empty`], [`Reply::api_error`]), or a failure of
/// the connection ([`Reply::hang`], [`Reply::disconnect`]); with extra headers
/// ([`Reply::header`]) and after a wait ([`Reply::delay`]).
#[derive(Debug, Clone)]
pub struct Reply {
    kind: Kind,
    /// `None`: the status of the operation's success answer ([`OperationInfo::answer`]).
    status: Option<u16>,
    headers: Vec<(HeaderName, HeaderValue)>,
    delay: Option<Duration>,
}

#[derive(Debug, Clone)]
enum Kind {
    Body { content_type: Option<&'static str>, body: Bytes },
    Hang,
    Disconnect,
}

impl Reply {
    fn new(kind: Kind, status: Option<u16>) -> Self {
        if let Some(status) = status {
            // A test with a status HTTP cannot carry is wrong, and says so where it is written.
            assert!(StatusCode::from_u16(status).is_ok(), "{status} is not an HTTP status");
        }
        Reply { kind, status, headers: Vec::new(), delay: None }
    }

    /// `status` with `value` as the JSON body.
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Reply::new(Kind::Body { content_type: Some("application/json"), body: value.to_string().into() }, Some(status))
    }

    /// `value` as the JSON body, with the status of the operation's success answer (200 for most).
    ///
    /// # Panics
    ///
    /// If `value` cannot be serialized as JSON (a model always can).
    pub fn model<T: Serialize + ?Sized>(value: &T) -> Self {
        Reply::new(Kind::Body { content_type: Some("application/json"), body: to_json(value).into() }, None)
    }

    /// `status` with `body` as text of the media type `content_type` (an HTML error page of a
    /// proxy: `Reply::text(502, "text/html", "<h1>Bad Gateway</h1>")`).
    pub fn text(status: u16, content_type: &'static str, body: impl Into<String>) -> Self {
        Reply::new(Kind::Body { content_type: Some(content_type), body: body.into().into() }, Some(status))
    }

    /// `status` without a body (a `204`).
    pub fn empty(status: u16) -> Self {
        Reply::new(Kind::Body { content_type: None, body: Bytes::new() }, Some(status))
    }

    /// An error answer as Authlete gives one: `status` with
    /// `{"resultCode": result_code, "resultMessage": result_message}`.
    pub fn api_error(status: u16, result_code: &str, result_message: &str) -> Self {
        Reply::json(status, serde_json::json!({ "resultCode": result_code, "resultMessage": result_message }))
    }

    /// No answer, ever: the connection stays open until the client gives up (its timeout).
    pub fn hang() -> Self {
        Reply::new(Kind::Hang, None)
    }

    /// The connection is closed without an answer, once the request is read: the client sees a
    /// transport error (no status).
    pub fn disconnect() -> Self {
        Reply::new(Kind::Disconnect, None)
    }

    /// The same answer with the header `name: value` too (`Retry-After: 2`).
    ///
    /// # Panics
    ///
    /// If `name` or `value` cannot be an HTTP header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|_| panic!("{name:?} is not a header name"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|_| panic!("{value:?} is not a header value"));
        self.headers.push((name, value));
        self
    }

    /// The same answer, given after `delay` (on tokio's clock, so a paused test clock skips it).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The answer on the wire, for `operation` (whose success status a [`Reply::model`] takes).
    async fn respond(self, operation: Option<&OperationInfo>) -> Response {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        let (content_type, body) = match self.kind {
            Kind::Body { content_type, body } => (content_type, body),
            Kind::Hang => return std::future::pending().await,
            // A body that fails before its first byte: hyper drops the connection without
            // writing the head, exactly what a crashed server or a cut network looks like.
            Kind::Disconnect => return Response::new(Body::new(Broken)),
        };
        let status = self.status.unwrap_or_else(|| operation.map_or(200, |info| info.answer.status()));
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(content_type) = content_type {
            response.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

/// The body of [`Reply::disconnect`]: an error at once.
struct Broken;

impl HttpBody for Broken {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "scripted disconnect"))))
    }
}

/// A request the fake received, as it came: [`FakeAuthlete::requests`].
///
/// Its `Debug` output shows every header but the value of `Authorization`.
#[derive(Clone)]
pub struct Received {
    /// The operation it was routed to ([`OperationInfo::name`]), or `""` when its method and
    /// path match no operation.
    pub operation: &'static str,
    /// The HTTP method (`POST`).
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The query string, percent-encoded as sent, if there was one.
    pub query: Option<String>,
    /// The headers in the order sent, names in lower case (values that are not UTF-8 with
    /// replacement characters).
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
    /// The path template's parameters, decoded (`serviceId` and the others).
    params: Params,
}

impl Received {
    /// The body read as JSON into `T` (an empty body as `null`, so `()` reads it).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(if self.body.is_empty() { b"null" } else { &self.body })
    }

    /// The value of the header `name` (any case), the first if it was sent more than once.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(sent, _)| sent.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The path parameter `name` of the operation's path template (`serviceId`, `clientId`),
    /// percent-decoded.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(param, _)| *param == name).map(|(_, value)| value.as_str())
    }

    /// The query parameter `name`, decoded (`+` is a space), the first if it was sent more than
    /// once.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(key) == name).then(|| form_decode(value))
        })
    }
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bearer token is a secret even in a test: logs of failed tests are shared.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| match name.as_str() {
                "authorization" => (name.as_str(), "<redacted>"),
                _ => (name.as_str(), value.as_str()),
            })
            .collect();
        f.debug_struct("Received")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// A fake Authlete on `127.0.0.1`, for tests: it answers each operation of the API as the test
/// scripted it ([`reply`](Self::reply), [`reply_once`](Self::reply_once),
/// [`reply_with`](Self::reply_with)), or with the spec's example answer, and records every
/// request ([`received`](Self::received), [`requests`](Self::requests)).
///
/// An answer is chosen in this order:
///
/// 1. a request without `Authorization: Bearer …` for an operation that needs it: `401`;
/// 2. the next answer queued by [`reply_once`](Self::reply_once) for the operation;
/// 3. the answer set by [`reply`](Self::reply), [`reply_always`](Self::reply_always) or
///    [`reply_with`](Self::reply_with) (the last one set);
/// 4. the spec's example answer for the operation, with its success status;
/// 5. else `500` with an Authlete error body (`resultCode` [`FakeAuthlete::RESULT_CODE`]) that
///    says the operation is not scripted.
///
/// A request for no operation of the API is answered `404` (`405` when the path is an
/// operation's with another method), with such a body.
///
/// The handle is cheap to clone; clones share the server. The server runs on the tokio runtime
/// that started it, and stops taking connections when the last handle is dropped: keep the fake
/// alive for as long as its clients call it.
#[derive(Clone)]
pub struct FakeAuthlete {
    state: Arc<Shared>,
    _server: Arc<ServerTask>,
}

/// What the handles and the server share.
struct Shared {
    url: String,
    scripts: Mutex<HashMap<&'static str, Script>>,
    requests: Mutex<Vec<Received>>,
}

/// The answers scripted for one operation.
#[derive(Default)]
struct Script {
    once: VecDeque<Reply>,
    always: Option<Always>,
}

#[derive(Clone)]
enum Always {
    Reply(Reply),
    With(Arc<dyn Fn(&Received) -> Reply + Send + Sync>),
}

/// The accept loop, stopped when the last handle goes.
struct ServerTask(tokio::task::JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl FakeAuthlete {
    /// The service ID of [`FakeAuthlete::service`]. The fake answers for any service ID.
    pub const SERVICE_ID: &'static str = "715948317";

    /// The bearer token of [`FakeAuthlete::client`]. The fake takes any bearer token.
    pub const TOKEN: &'static str = "fake-authlete-token";

    /// The `resultCode` of the fake's own error answers (not scripted, unknown path, no bearer
    /// token).
    pub const RESULT_CODE: &'static str = "A000000";

    /// Starts a fake on a free port of `127.0.0.1`, on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or if no port of the loopback interface can be bound.
    pub async fn start() -> FakeAuthlete {
        let listener =
            tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("the fake Authlete binds 127.0.0.1");
        let address = listener.local_addr().expect("a bound listener has an address");
        let state = Arc::new(Shared {
            url: format!("http://{address}"),
            scripts: Mutex::new(HashMap::new()),
            requests: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new().fallback(answer).with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            // `serve` only returns on an error of the listener, which then ends the fake.
            let _ = axum::serve(listener, router).await;
        });
        FakeAuthlete { state, _server: Arc::new(ServerTask(server)) }
    }

    /// The base URL of the fake (`http://127.0.0.1:<port>`), for
    /// [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// A client builder set up for the fake: its URL, [`FakeAuthlete::TOKEN`] and no retries
    /// (so that each call is one request); add what the test needs.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder()
            .base_url(self.url())
            .bearer_token(Self::TOKEN)
            .retry(crate::client::RetryPolicy::none())
    }

    /// A client of the fake: [`FakeAuthlete::client_builder`], built.
    pub fn client(&self) -> crate::Client {
        self.client_builder().build().expect("the fake's client builds")
    }

    /// The handle of the service [`FakeAuthlete::SERVICE_ID`] on [`FakeAuthlete::client`].
    pub fn service(&self) -> crate::Service {
        self.client().service(Self::SERVICE_ID)
    }

    /// Answers every request for `operation` with `answer`, as the API answers a success: its
    /// JSON with the operation's success status (an `Option` answer's `None` without a body, a
    /// text answer as text).
    ///
    /// # Panics
    ///
    /// If `answer` cannot be serialized as JSON (a model always can).
    pub fn reply<Req, Resp: Serialize>(&self, operation: Operation<Req, Resp>, answer: &Resp) -> &Self {
        let info = operation.info;
        let reply = match info.answer {
            Answer::OptionalJson { empty, .. } if to_json(answer) == b"null" => Reply::empty(empty),
            Answer::Text(status) => match serde_json::to_value(answer) {
                Ok(serde_json::Value::String(text)) => Reply::text(status, "text/plain", text),
                _ => Reply::model(answer),
            },
            Answer::Empty(status) => Reply::empty(status),
            _ => Reply::model(answer),
        };
        self.reply_always(operation, reply)
    }

    /// Answers every request for `operation` with `reply` (unless a one-shot answer is queued).
    pub fn reply_always<Req, Resp>(&self, operation: Operation<Req, Resp>, reply: Reply) -> &Self {
        self.script(operation.info, |script| script.always = Some(Always::Reply(reply)))
    }

    /// Answers the next request for `operation` with `reply`; answers queued so are used first,
    /// in the order they were queued, one per request.
    pub fn reply_once<Req, Resp>(&self, operation: Operation<Req, Resp>, reply: Reply) -> &Self {
        self.script(operation.info, |script| script.once.push_back(reply))
    }

    /// Answers every request for `operation` (unless a one-shot answer is queued) with what
    /// `reply` makes of it.
    pub fn reply_with<Req, Resp>(
        &self,
        operation: Operation<Req, Resp>,
        reply: impl Fn(&Received) -> Reply + Send + Sync + 'static,
    ) -> &Self {
        self.script(operation.info, |script| script.always = Some(Always::With(Arc::new(reply))))
    }

    /// The request bodies received for `operation`, in order, read as its request type (`()` for
    /// an operation without a body).
    ///
    /// # Panics
    ///
    /// If a body does not read as `Req` (the fake received something the client would not send).
    pub fn received<Req: DeserializeOwned, Resp>(&self, operation: Operation<Req, Resp>) -> Vec<Req> {
        self.requests_for(operation.info)
            .iter()
            .enumerate()
            .map(|(index, request)| {
                request.json().unwrap_or_else(|e| {
                    panic!(
                        "request {index} of {} does not read as its request body: {e}; {request:?}",
                        request.operation
                    )
                })
            })
            .collect()
    }

    /// How many requests were received for `operation`.
    pub fn count<Req, Resp>(&self, operation: Operation<Req, Resp>) -> usize {
        self.requests_for(operation.info).len()
    }

    /// Every request received, in order, whether or not it was for an operation of the API.
    pub fn requests(&self) -> Vec<Received> {
        lock(&self.state.requests).clone()
    }

    fn requests_for(&self, info: &OperationInfo) -> Vec<Received> {
        lock(&self.state.requests).iter().filter(|request| request.operation == info.name).cloned().collect()
    }

    fn script(&self, info: &'static OperationInfo, change: impl FnOnce(&mut Script)) -> &Self {
        change(lock(&self.state.scripts).entry(info.name).or_default());
        self
    }
}

impl fmt::Debug for FakeAuthlete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeAuthlete").field("url", &self.state.url).finish_non_exhaustive()
    }
}

/// Every request: recorded, routed, answered.
async fn answer(State(state): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return fake_error(StatusCode::BAD_REQUEST, "the request body could not be read".into());
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let route = route(&method, &path);
    let (info, params) = match &route {
        Route::Found(info, params) => (Some(*info), params.clone()),
        _ => (None, Vec::new()),
    };
    let received = Received {
        operation: info.map_or("", |info| info.name),
        method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
        params,
    };
    lock(&state.requests).push(received.clone());
    let info = match route {
        Route::Found(info, _) => info,
        Route::WrongMethod(allowed) => {
            let message = format!(
                "{} {} is not an operation of the API (the path takes {allowed})",
                received.method, received.path
            );
            return fake_error(StatusCode::METHOD_NOT_ALLOWED, message);
        }
        Route::Unknown => {
            let message = format!("{} {} is not an operation of the API", received.method, received.path);
            return fake_error(StatusCode::NOT_FOUND, message);
        }
    };
    if info.authenticated && !has_bearer_token(&received) {
        let message = format!("{} needs `Authorization: Bearer <token>`, and the request has none", info.name);
        return fake_error(StatusCode::UNAUTHORIZED, message);
    }
    // The lock is let go before a `reply_with` closure runs: it may call the fake itself.
    let scripted = {
        let mut scripts = lock(&state.scripts);
        let script = scripts.entry(info.name).or_default();
        match script.once.pop_front() {
            Some(reply) => Some(Always::Reply(reply)),
            None => script.always.clone(),
        }
    };
    let reply = match scripted {
        Some(Always::Reply(reply)) => reply,
        Some(Always::With(make)) => make(&received),
        None => match info.example {
            Some(example) => Reply {
                kind: Kind::Body {
                    content_type: Some("application/json"),
                    body: Bytes::from_static(example.as_bytes()),
                },
                status: None,
                headers: Vec::new(),
                delay: None,
            },
            None => {
                let message = format!(
                    "{} ({} {}) is not scripted and the spec has no example answer for it: script it with \
                     FakeAuthlete::reply",
                    info.name, info.method, info.path
                );
                return fake_error(StatusCode::INTERNAL_SERVER_ERROR, message);
            }
        },
    };
    reply.respond(Some(info)).await
}

/// The parameters of a path template and their decoded values.
type Params = Vec<(&'static str, String)>;

/// Where a request goes.
enum Route {
    Found(&'static OperationInfo, Params),
    /// The path is an operation's, the method is not: the methods it takes.
    WrongMethod(String),
    Unknown,
}

/// The operation of `method` and `path`: of the templates that match the path, the one whose
/// text segments come first (`/client/get/list` before `/client/get/{clientId}`), as Authlete's
/// own router prefers fixed paths.
fn route(method: &str, path: &str) -> Route {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(Vec<bool>, &'static OperationInfo, Params)> = None;
    let mut other_methods = Vec::new();
    for info in super::OPERATIONS {
        let Some((rank, params)) = match_path(info.path, &segments) else { continue };
        if info.method != method {
            other_methods.push(info.method);
            continue;
        }
        if best.as_ref().is_none_or(|(best_rank, _, _)| rank > *best_rank) {
            best = Some((rank, info, params));
        }
    }
    match best {
        Some((_, info, params)) => Route::Found(info, params),
        None if !other_methods.is_empty() => {
            other_methods.sort_unstable();
            other_methods.dedup();
            Route::WrongMethod(other_methods.join(", "))
        }
        None => Route::Unknown,
    }
}

/// Whether the path `segments` fit `template`: for each segment whether it is text (the rank),
/// and the decoded parameters.
fn match_path(template: &'static str, segments: &[&str]) -> Option<(Vec<bool>, Params)> {
    let expected: Vec<&'static str> = template.split('/').collect();
    if expected.len() != segments.len() {
        return None;
    }
    let mut rank = Vec::with_capacity(expected.len());
    let mut params = Vec::new();
    for (expected, segment) in expected.into_iter().zip(segments) {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        match expected.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            // The client never sends an empty parameter.
            Some(name) if !decoded.is_empty() => {
                rank.push(false);
                params.push((name, decoded.into_owned()));
            }
            None if decoded == expected => rank.push(true),
            _ => return None,
        }
    }
    Some((rank, params))
}

fn has_bearer_token(received: &Received) -> bool {
    received
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|token| !token.trim().is_empty())
}

/// An answer of the fake itself, with an Authlete error body.
fn fake_error(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({
        "resultCode": FakeAuthlete::RESULT_CODE,
        "resultMessage": format!("[{}] (FakeAuthlete) {message}", FakeAuthlete::RESULT_CODE),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `application/x-www-form-urlencoded` text decoded: `+` is a space, `%XX` a byte.
fn form_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| panic!("a scripted answer does not serialize as JSON: {e}"))
}

/// The data behind a lock, even if a test panicked while holding it (the records stay readable).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
