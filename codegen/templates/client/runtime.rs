//! The client runtime: configuration, the service handle, and one call from request to answer.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.
//! The generated operations only describe each call (an [`Endpoint`], its arguments and how its
//! answer is read); everything that talks to the network is here, once.
//!
//! Each call is one `tracing` span, `authlete.call`, with the fields `operation` (the client
//! method), `method`, `path` (the path template of the spec, never the filled-in path, which holds
//! identifiers), and, as the call goes on, `attempt` (the attempt being made: after the call, how
//! many were made), `status` (of the last answer) and `duration_ms` (of the whole call, retries
//! and waits included). Each retry is an event in that span. Neither the bearer token nor a body
//! is ever recorded.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use tokio::time::Instant;
use tracing::Instrument;

use super::error::{ApiError, BuildError, DecodeError, Error, Human};
use super::retry::{self, RetryPolicy};

/// How long each attempt of a call (connecting, sending, and reading the answer) may take unless
/// [`ClientBuilder::timeout`] or [`Call::timeout`] says otherwise.
///
/// It is per attempt: a call that is retried may take longer in all. The retry policy's
/// [deadline](RetryPolicy::deadline) (60 s by default) bounds the whole call, every attempt and
/// wait included: that is the longest any call takes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting may take, for clients whose HTTP client this crate builds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer body the client reads unless [`ClientBuilder::max_response_bytes`] says
/// otherwise. Authlete's largest answers (a service with every setting, a long client list) are a
/// few megabytes; the limit only keeps a broken or hostile server from exhausting memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 << 20;

/// What a token source gives: the token, or why there is none.
type TokenFuture = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send>>;

/// Any error, as a token source's failure is kept in [`Error::TokenSource`].
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A token source, boxed: [`ClientBuilder::token_source`].
type SourceFn = Arc<dyn Fn() -> TokenFuture + Send + Sync>;

/// Where the bearer token comes from.
#[derive(Clone)]
enum Credentials {
    /// `Bearer <token>`, marked sensitive so that the HTTP stack never logs it.
    Static(HeaderValue),
    /// Asked before every attempt.
    Source(SourceFn),
}

/// `Bearer <token>` as a header value marked sensitive, or `None` for a token that is empty or
/// has characters a header cannot carry.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    if token.is_empty() {
        return None;
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Why a token source gave no usable token (its own errors are kept as they are).
#[derive(Debug)]
enum TokenProblem {
    Unusable,
    NoToken(Duration),
}

impl fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenProblem::Unusable => f.write_str("it gave an empty token, or one with characters an HTTP header cannot carry"),
            TokenProblem::NoToken(limit) => {
                write!(f, "it gave no token within {}, what was left of the retry deadline", Human(*limit))
            }
        }
    }
}

impl std::error::Error for TokenProblem {}

/// An Authlete API client: the server, the credentials and a connection pool.
///
/// Cloning is cheap and clones share one connection pool, so build one client and hand out
/// clones (it is `Send + Sync`). Operations that belong to one service are methods of the
/// [`Service`] handle that [`Client::service`] returns; the others are methods of the client.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = authlete::Client::builder()
///     .base_url("https://us.authlete.com")
///     .bearer_token(std::env::var("AUTHLETE_SERVICE_TOKEN")?)
///     .build()?;
/// let service = client.service("715948317");
/// # let _ = service;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Scheme, host and any path prefix, without a trailing `/`.
    base_url: String,
    credentials: Credentials,
    /// The service of [`Client::default_service`].
    service_id: Option<Arc<str>>,
    user_agent: HeaderValue,
    timeout: Duration,
    max_response_bytes: usize,
    retry: RetryPolicy,
}

impl Client {
    /// A builder for a client; [`ClientBuilder::base_url`] (or `region`) and
    /// [`ClientBuilder::bearer_token`] (or [`ClientBuilder::token_source`]) are required.
    /// [`ClientBuilder::from_env`] starts from the environment instead.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A handle for the service the builder was given ([`ClientBuilder::service_id`], or
    /// `AUTHLETE_SERVICE_ID` for [`ClientBuilder::from_env`]), if it was given one.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = authlete::ClientBuilder::from_env()?.build()?;
    /// let service = client.default_service().ok_or("set AUTHLETE_SERVICE_ID")?;
    /// # let _ = service;
    /// # Ok(())
    /// # }
    /// ```
    pub fn default_service(&self) -> Option<Service> {
        let id = self.inner.service_id.clone()?;
        Some(Service { client: self.clone(), id })
    }

    /// A handle for the operations of one service. Organization tokens span services: make one
    /// handle per service (it is cheap, and shares this client's connections).
    pub fn service(&self, service_id: impl Into<String>) -> Service {
        Service { client: self.clone(), id: service_id.into().into() }
    }

    /// The server this client calls, as given to the builder (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A call of an operation that belongs to no service.
    #[allow(dead_code)] // A spec may have no such operation.
    pub(crate) fn call<T>(
        &self,
        endpoint: &'static Endpoint,
        path_args: &[&str],
        decode: fn(Answer) -> Result<T, Error>,
    ) -> Call<T> {
        Call::new(self.clone(), endpoint, None, path_args, decode)
    }

    /// The `Authorization` header for the next attempt: the static token's, or what the token
    /// source gives within `limit`.
    async fn authorization(&self, limit: Duration) -> Result<HeaderValue, BoxError> {
        match &self.inner.credentials {
            Credentials::Static(value) => Ok(value.clone()),
            Credentials::Source(source) => {
                let token = match tokio::time::timeout(limit, source()).await {
                    Ok(token) => token?,
                    Err(_) => return Err(Box::new(TokenProblem::NoToken(limit))),
                };
                bearer(&token).ok_or_else(|| Box::new(TokenProblem::Unusable) as BoxError)
            }
        }
    }

    /// Sends one request (one attempt of a call) and reads the whole answer: the one place this
    /// crate touches the network.
    async fn execute(
        &self,
        endpoint: &'static Endpoint,
        request: &Prepared,
        timeout: Duration,
        authorization: Option<HeaderValue>,
    ) -> Result<Answer, Error> {
        let inner = &*self.inner;
        let url = reqwest::Url::parse(&format!("{}{}", inner.base_url, request.path))
            .map_err(|e| Error::invalid_argument(endpoint, format!("the request URL is not valid: {e}")))?;
        let mut url = url;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter().map(|(name, value)| (*name, value.as_str())));
        }
        let mut builder = inner
            .http
            .request(endpoint.method.to_reqwest(), url)
            .timeout(timeout)
            .header(USER_AGENT, inner.user_agent.clone())
            .header(ACCEPT, HeaderValue::from_static(endpoint.accept));
        if let Some(authorization) = authorization {
            builder = builder.header(AUTHORIZATION, authorization);
        }
        if let Some(body) = &request.body {
            // A copy per attempt: a retry sends the same bytes (bodies are small JSON documents).
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.clone());
        }
        let mut response = builder.send().await.map_err(|e| Error::from_reqwest(endpoint, timeout, e))?;
        let status = response.status().as_u16();
        let limit = inner.max_response_bytes;
        // An answer that announces more than the limit is refused before any of it is read.
        if let Some(announced) = response.content_length().filter(|&length| length > limit as u64) {
            return Err(Error::BodyTooLarge { operation: endpoint.name, limit, announced: Some(announced), attempts: 1 });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| Error::from_reqwest(endpoint, timeout, e))? {
            if body.len() + chunk.len() > limit {
                return Err(Error::BodyTooLarge { operation: endpoint.name, limit, announced: None, attempts: 1 });
            }
            body.extend_from_slice(&chunk);
        }
        let headers = std::mem::take(response.headers_mut());
        if endpoint.statuses.contains(&status) {
            return Ok(Answer { endpoint, status, headers, body });
        }
        if status >= 400 {
            let mut error = ApiError::from_body(endpoint.name, status, &body);
            error.retry_after = retry::asked_wait(status, &headers, std::time::SystemTime::now());
            return Err(Error::Api(error));
        }
        Err(Error::UnexpectedStatus {
            operation: endpoint.name,
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
            attempts: 1,
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token: &dyn fmt::Debug = match &self.inner.credentials {
            Credentials::Static(_) => &Redacted,
            Credentials::Source(_) => &FromSource,
        };
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("bearer_token", token)
            .field("default_service", &self.inner.service_id)
            .field("user_agent", &self.inner.user_agent)
            .field("timeout", &self.inner.timeout)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Stands in for a secret in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Stands in for a token source in `Debug` output.
struct FromSource;

impl fmt::Debug for FromSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<token source>")
    }
}

/// The token a builder was given.
enum TokenSetting {
    Static(String),
    Source(SourceFn),
}

/// Configures a [`Client`]: [`Client::builder`], or [`ClientBuilder::from_env`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    token: Option<TokenSetting>,
    service_id: Option<String>,
    http: Option<reqwest::Client>,
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    retry: Option<RetryPolicy>,
}

impl ClientBuilder {
    /// The server to call, such as `https://us.authlete.com`, or a proxy in front of it (a path
    /// prefix is kept: `https://proxy.example/authlete` calls `https://proxy.example/authlete/api/…`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The service access token or organization token sent as `Authorization: Bearer …`. It is
    /// kept out of every `Debug` output and error, and marked sensitive for the HTTP stack.
    /// Replaces a [`ClientBuilder::token_source`].
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(TokenSetting::Static(token.into()));
        self
    }

    /// Asks `source` for the bearer token before every attempt of every call that sends one, so
    /// that a service whose Authlete token is rotated keeps one client: the source returns
    /// the token in force. It is asked often, so it should answer from memory (a token it
    /// refreshes in the background or when it nears its expiry), not fetch a token each time.
    /// Replaces a [`ClientBuilder::bearer_token`].
    ///
    /// The token is treated like a static one: kept out of every `Debug` output, error and log,
    /// and marked sensitive for the HTTP stack. When the source fails (its error can be any
    /// error, or a string), gives an empty token, or gives none before the retry policy's
    /// deadline, the call ends with [`Error::TokenSource`] holding its error, and is not retried.
    ///
    /// ```no_run
    /// use std::sync::{Arc, RwLock};
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// // Kept up to date by a task of the service's own (from a secret store, say).
    /// let current = Arc::new(RwLock::new(String::from("initial-token")));
    /// let token = current.clone();
    /// let client = authlete::Client::builder()
    ///     .base_url("https://us.authlete.com")
    ///     .token_source(move || {
    ///         let token = token.read().map(|token| token.clone()).map_err(|_| "the token lock is poisoned");
    ///         async move { token }
    ///     })
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn token_source<F, Fut, E>(mut self, source: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let source: SourceFn = Arc::new(move || {
            let token = source();
            Box::pin(async move { token.await.map_err(Into::into) }) as TokenFuture
        });
        self.token = Some(TokenSetting::Source(source));
        self
    }

    /// The service of [`Client::default_service`], for programs that call one service (an
    /// organization token spans services: [`Client::service`] makes a handle for any of them).
    pub fn service_id(mut self, service_id: impl Into<String>) -> Self {
        self.service_id = Some(service_id.into());
        self
    }

    /// Calls through this `reqwest` client (for proxies, custom root certificates or a shared
    /// connection pool; [`authlete::reqwest`](crate::reqwest) is the version this crate uses).
    /// Its own settings apply; [`ClientBuilder::connect_timeout`] does not, while
    /// [`ClientBuilder::timeout`] still bounds every attempt.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The `User-Agent` header; `authlete-rust/<crate version>` unless set.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// How long each attempt of a call may take, connecting, sending and reading the answer
    /// ([`DEFAULT_TIMEOUT`] unless set); [`Call::timeout`] overrides it for one call.
    ///
    /// It is per attempt: a retried call may take longer in all. The worst case of the whole
    /// call, every attempt and wait included, is the retry policy's
    /// [deadline](RetryPolicy::deadline) (60 s by default; [`ClientBuilder::retry`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How failed calls are retried ([`RetryPolicy::default`] unless set; [`RetryPolicy::none`]
    /// switches retries off); [`Call::retry`] overrides it for one call. The
    /// [policy's docs](super::retry) say which failures are retried, and why.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// How long connecting may take ([`DEFAULT_CONNECT_TIMEOUT`] unless set). It is a property of
    /// the connection pool, so it is set here for all calls; [`Call::timeout`] bounds a whole
    /// attempt.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The largest answer body to read ([`DEFAULT_MAX_RESPONSE_BYTES`] unless set): an answer
    /// whose `Content-Length` announces more is refused before any of its body is read, and one
    /// without it once it has sent more ([`Error::BodyTooLarge`]).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The client, or what is missing or wrong in the configuration.
    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = self.base_url.ok_or(BuildError::MissingBaseUrl)?;
        if let Err(reason) = check_base_url(&base_url) {
            return Err(BuildError::InvalidBaseUrl { url: base_url, reason });
        }
        let credentials = match self.token.ok_or(BuildError::MissingBearerToken)? {
            TokenSetting::Static(token) => Credentials::Static(bearer(&token).ok_or(BuildError::InvalidBearerToken)?),
            TokenSetting::Source(source) => Credentials::Source(source),
        };
        let user_agent = self.user_agent.unwrap_or_else(|| concat!("authlete-rust/", env!("CARGO_PKG_VERSION")).to_owned());
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| BuildError::InvalidUserAgent(user_agent))?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(BuildError::Http)?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: base_url.trim_end_matches('/').to_owned(),
                credentials,
                service_id: self.service_id.map(Arc::from),
                user_agent,
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                max_response_bytes: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                retry: self.retry.unwrap_or_default(),
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token: Option<&dyn fmt::Debug> = match &self.token {
            Some(TokenSetting::Static(_)) => Some(&Redacted),
            Some(TokenSetting::Source(_)) => Some(&FromSource),
            None => None,
        };
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("bearer_token", &token)
            .field("service_id", &self.service_id)
            .field("http_client", &self.http.is_some())
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Why `base_url` cannot be a base URL, if it cannot.
pub(crate) fn check_base_url(base_url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(base_url).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err("it must be an http or https URL with a host".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("it must not have a query or fragment".into());
    }
    Ok(())
}

/// The operations of one service: [`Client::service`]. The service ID is bound once and filled
/// into every path; cloning is cheap.
#[derive(Clone)]
pub struct Service {
    client: Client,
    id: Arc<str>,
}

impl Service {
    /// The service ID this handle calls.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client this handle calls through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A call of an operation of this service.
    #[allow(dead_code)] // A spec may have no such operation.
    pub(crate) fn call<T>(
        &self,
        endpoint: &'static Endpoint,
        path_args: &[&str],
        decode: fn(Answer) -> Result<T, Error>,
    ) -> Call<T> {
        Call::new(self.client.clone(), endpoint, Some(&self.id), path_args, decode)
    }
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service").field("id", &self.id).field("client", &self.client).finish()
    }
}

/// What the generated code says about one operation. Every field is a constant, so a method can
/// hand out `&'static` references to its own `const ENDPOINT`.
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// The client method's name, as errors and logs name the operation.
    pub name: &'static str,
    pub method: Method,
    /// The path template of the spec: `{serviceId}` is the handle's service, every other `{…}`
    /// takes the next path argument.
    pub path: &'static str,
    /// The statuses the spec declares as success; any other status is an error.
    pub statuses: &'static [u16],
    /// The `Accept` header, from the media type of the success answers.
    pub accept: &'static str,
    /// Whether the bearer token is sent.
    pub authenticated: bool,
}

/// The HTTP methods of operations (a type of this crate's, unlike `reqwest::Method`, so that
/// endpoints are constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // A spec need not use every method.
pub(crate) enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Upper-case, as on the wire.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Options => reqwest::Method::OPTIONS,
            Method::Head => reqwest::Method::HEAD,
            Method::Patch => reqwest::Method::PATCH,
            Method::Trace => reqwest::Method::TRACE,
        }
    }
}

/// A request about to be sent: path filled in, query and body encoded.
struct Prepared {
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

/// A success answer, read whole, waiting to be decoded.
pub(crate) struct Answer {
    endpoint: &'static Endpoint,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A decoded answer with the details of the call that got it: [`Call::send_with_details`].
///
/// ```no_run
/// # #[cfg(feature = "service-management")]
/// # async fn run(service: authlete::Service) -> Result<(), authlete::Error> {
/// let response = service.service_get().send_with_details().await?;
/// println!("{} after {} attempts in {:?}", response.status, response.attempts, response.elapsed);
/// if let Some(id) = response.header("x-request-id") {
///     println!("Authlete's request id: {id}");
/// }
/// let service = response.into_value();
/// # let _ = service;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The answer, decoded: what `.await` on the call gives.
    pub value: T,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The headers of the answer.
    pub headers: HeaderMap,
    /// How many times the call was sent: more than 1 when it was retried.
    pub attempts: u32,
    /// How long the whole call took, every attempt and wait included.
    pub elapsed: Duration,
}

impl<T> Response<T> {
    /// The answer, decoded.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The value of the header `name` (in any case), if the answer has it as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// One call of an operation, ready to send: `.await` it (it implements [`IntoFuture`]), after
/// changing per-call settings such as [`Call::timeout`] if needed.
///
/// The future does not borrow the client or the arguments, so it can be spawned.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    client: Client,
    endpoint: &'static Endpoint,
    request: Result<Prepared, Error>,
    decode: fn(Answer) -> Result<T, Error>,
    /// The client's policy unless set for this call.
    retry: Option<RetryPolicy>,
    /// Whether sending the request twice is harmless; by the HTTP method unless set for this call.
    idempotent: Option<bool>,
}

impl<T> Call<T> {
    fn new(
        client: Client,
        endpoint: &'static Endpoint,
        service_id: Option<&str>,
        path_args: &[&str],
        decode: fn(Answer) -> Result<T, Error>,
    ) -> Self {
        let request = fill_path(endpoint, service_id, path_args).map(|path| Prepared {
            path,
            query: Vec::new(),
            body: None,
            timeout: None,
        });
        Call { client, endpoint, request, decode, retry: None, idempotent: None }
    }

    /// Adds a query parameter, unless `value` is `None`.
    #[allow(dead_code)] // A spec may have no query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: Option<impl fmt::Display>) -> Self {
        if let (Ok(request), Some(value)) = (&mut self.request, value) {
            request.query.push((name, value.to_string()));
        }
        self
    }

    /// Sets the JSON body.
    #[allow(dead_code)] // A spec may have no request body.
    pub(crate) fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        if let Ok(request) = &mut self.request {
            match serde_json::to_vec(body) {
                Ok(bytes) => request.body = Some(bytes),
                Err(e) => {
                    let message = format!("the request body cannot be written as JSON: {e}");
                    self.request = Err(Error::invalid_argument(self.endpoint, message));
                }
            }
        }
        self
    }

    /// How long each attempt of this call may take, instead of the client's timeout. The retry
    /// policy's deadline still bounds the whole call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if let Ok(request) = &mut self.request {
            request.timeout = Some(timeout);
        }
        self
    }

    /// How this call is retried, instead of the client's policy ([`RetryPolicy::none`] sends it
    /// once).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Says whether sending this request twice is harmless, so that it may be retried after it
    /// may have reached the server (a lost answer, a `503`). By default only GET, HEAD, OPTIONS,
    /// PUT and DELETE are; mark a POST only if repeating it cannot issue or spend anything (an
    /// introspection, say, but never `/auth/token` or `/auth/authorization/issue`).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Sends the request, retrying as the policy allows, and decodes the answer (the same as
    /// `.await`ing the call).
    pub async fn send(self) -> Result<T, Error> {
        let Call { client, endpoint, request, decode, retry, idempotent } = self;
        // This function is generic, so it is compiled in the caller's crate for every answer type
        // it awaits: it only awaits a boxed, non-generic exchange (attempts, waits, the span), so
        // that neither the HTTP stack's futures nor their drop glue are compiled there again.
        let (answer, details) = exchange(client, endpoint, request, retry, idempotent).await?;
        decode(answer).map_err(|error| error.with_attempts(details.attempts))
    }

    /// Like [`Call::send`], with the details of the call beside the answer: its status and
    /// headers (Authlete's request id, say), how many attempts it took, and how long.
    pub async fn send_with_details(self) -> Result<Response<T>, Error> {
        let Call { client, endpoint, request, decode, retry, idempotent } = self;
        let (mut answer, Details { attempts, elapsed }) = exchange(client, endpoint, request, retry, idempotent).await?;
        let (status, headers) = (answer.status, std::mem::take(&mut answer.headers));
        let value = decode(answer).map_err(|error| error.with_attempts(attempts))?;
        Ok(Response { value, status, headers, attempts, elapsed })
    }
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Call");
        debug.field("operation", &self.endpoint.name).field("method", &self.endpoint.method);
        match &self.request {
            Ok(request) => debug
                .field("path", &request.path)
                .field("query", &request.query)
                .field("body_bytes", &request.body.as_ref().map(Vec::len))
                .field("timeout", &request.timeout),
            Err(error) => debug.field("error", error),
        };
        debug.field("retry", &self.retry).field("idempotent", &self.idempotent).finish()
    }
}

/// How a call went, beside its success answer.
struct Details {
    attempts: u32,
    elapsed: Duration,
}

/// The future of [`exchange`]: the success answer and how the call went.
type Exchange = Pin<Box<dyn Future<Output = Result<(Answer, Details), Error>> + Send>>;

/// One call's exchange with the server: every attempt, the waits between them, and the span that
/// records them. Not generic, so it is compiled once, in this crate.
fn exchange(
    client: Client,
    endpoint: &'static Endpoint,
    request: Result<Prepared, Error>,
    retry: Option<RetryPolicy>,
    idempotent: Option<bool>,
) -> Exchange {
    let span = tracing::info_span!(
        "authlete.call",
        operation = endpoint.name,
        method = endpoint.method.as_str(),
        path = endpoint.path,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let record = span.clone();
    let call = async move {
        let request = request?;
        let policy = retry.as_ref().unwrap_or(&client.inner.retry);
        let idempotent = idempotent.unwrap_or_else(|| retry::is_idempotent(endpoint.method));
        let timeout = request.timeout.unwrap_or(client.inner.timeout);
        let started = Instant::now();
        let deadline = started.checked_add(policy.deadline);
        let remaining = || deadline.map_or(timeout, |deadline| deadline.saturating_duration_since(Instant::now()));
        let mut attempt = 0;
        let outcome = loop {
            attempt += 1;
            record.record("attempt", attempt);
            let authorization = match endpoint.authenticated {
                true => match client.authorization(remaining()).await {
                    Ok(value) => Some(value),
                    // Not sent, and not retried: the source would most likely fail again at once.
                    Err(source) => {
                        break Err(Error::TokenSource { operation: endpoint.name, source, attempts: attempt - 1 })
                    }
                },
                false => None,
            };
            let left = remaining();
            let error = match client.execute(endpoint, &request, timeout.min(left), authorization).await {
                Ok(answer) => {
                    record.record("status", answer.status);
                    break Ok(answer);
                }
                // An attempt that had less than its timeout left of the deadline, and ran out of
                // it, was ended by the deadline: the error says so, with the timeout it was given.
                Err(Error::Timeout { operation, attempts, .. }) => {
                    Error::Timeout { operation, timeout, attempts, deadline: (left < timeout).then_some(policy.deadline) }
                }
                Err(error) => error,
            };
            if let Some(status) = error.status() {
                record.record("status", status);
            }
            let verdict = (attempt < policy.max_attempts).then(|| retry::classify(&error, idempotent)).flatten();
            let Some((reason, asked)) = verdict else { break Err(error) };
            let wait = retry::delay(policy, attempt, asked);
            // A wait that leaves no time for another attempt only delays the error.
            if deadline.is_some_and(|deadline| Instant::now() + wait >= deadline) {
                break Err(error);
            }
            tracing::info!(
                attempt,
                status = error.status(),
                reason = reason.as_str(),
                wait_ms = millis(wait),
                "authlete call failed; retrying"
            );
            tokio::time::sleep(wait).await;
        };
        let elapsed = started.elapsed();
        record.record("duration_ms", millis(elapsed));
        match outcome {
            Ok(answer) => Ok((answer, Details { attempts: attempt, elapsed })),
            // It says itself how many attempts were sent before it.
            Err(error @ Error::TokenSource { .. }) => Err(error),
            Err(error) => Err(error.with_attempts(attempt)),
        }
    };
    Box::pin(call.instrument(span))
}

/// Whole milliseconds, for logs.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Characters of a path argument that are sent as they are; everything else is percent-encoded
/// (RFC 3986 unreserved characters: an identifier with `/`, `?`, spaces or non-ASCII text stays
/// one path segment).
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Characters of the spec's own path text that are percent-encoded: those a URL path cannot carry
/// as they are (`?` and `#` would start a query or fragment). Its `/`s stay separators.
const PATH_TEXT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The endpoint's path with `{serviceId}` and every other parameter filled in, percent-encoded.
fn fill_path(endpoint: &'static Endpoint, service_id: Option<&str>, args: &[&str]) -> Result<String, Error> {
    let mut path = String::with_capacity(endpoint.path.len() + 32);
    let mut args = args.iter();
    let mut rest = endpoint.path;
    while let Some(open) = rest.find('{') {
        path.extend(percent_encoding::utf8_percent_encode(&rest[..open], PATH_TEXT));
        let Some(close) = rest[open..].find('}') else {
            rest = &rest[open..];
            break;
        };
        let name = &rest[open + 1..open + close];
        let value = match (name, service_id) {
            ("serviceId", Some(id)) => id,
            _ => *args.next().ok_or_else(|| Error::invalid_argument(endpoint, format!("no value for `{{{name}}}`")))?,
        };
        // `.` and `..` would be read as "this" and "parent" segments (also when percent-encoded),
        // and an empty one changes the path: none of them is an identifier.
        if value.is_empty() || value == "." || value == ".." {
            return Err(Error::invalid_argument(endpoint, format!("`{name}` cannot be {value:?}")));
        }
        path.extend(percent_encoding::utf8_percent_encode(value, UNRESERVED));
        rest = &rest[open + close + 1..];
    }
    path.extend(percent_encoding::utf8_percent_encode(rest, PATH_TEXT));
    Ok(path)
}

/// How answers become values: one function per kind of success answer (a spec need not have
/// every kind).
#[allow(dead_code)]
pub(crate) mod decode {
    use super::{Answer, DecodeError, Error};

    /// The body as JSON of type `T`; a failure names the JSON path where it happened.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(response: Answer) -> Result<T, Error> {
        // Answers decode: the fast path does only that. Tracking the path costs on every member,
        // so it is paid only to explain a failure, by decoding again.
        let error = match serde_json::from_slice::<T>(&response.body) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let mut deserializer = serde_json::Deserializer::from_slice(&response.body);
        let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(e) => (e.path().to_string(), e.into_inner().to_string()),
            // Only trailing characters fail after a whole value.
            Ok(_) => (String::new(), error.to_string()),
        };
        let Answer { endpoint, status, body, .. } = response;
        Err(Error::Decode(DecodeError::new(endpoint.name, status, path, message, body)))
    }

    /// `None` for an answer without a body (`204 No Content`), else the body as JSON.
    pub(crate) fn optional_json<T: serde::de::DeserializeOwned>(response: Answer) -> Result<Option<T>, Error> {
        if response.status == 204 || response.body.is_empty() {
            return Ok(None);
        }
        json(response).map(Some)
    }

    /// The body as text.
    pub(crate) fn text(response: Answer) -> Result<String, Error> {
        String::from_utf8(response.body).map_err(|e| {
            let status = response.status;
            let message = format!("the answer is not UTF-8 text: {e}");
            Error::Decode(DecodeError::new(response.endpoint.name, status, String::new(), message, e.into_bytes()))
        })
    }

    /// Nothing: the answer has no body the spec describes.
    pub(crate) fn empty(_: Answer) -> Result<(), Error> {
        Ok(())
    }
}
