//! What can go wrong in a call, as one error type to match on.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.
//!
//! An OAuth-level outcome (`action: BAD_REQUEST`, `INVALID_CLIENT`, …) in a success answer is
//! not an error here: it is the API's normal answer, returned as `Ok`. An [`Error`] means the call
//! itself failed. No error holds or shows the bearer token.
//!
//! A call may be sent more than once ([`RetryPolicy`](super::RetryPolicy)); its error is the last
//! attempt's, and [`Error::attempts`] says how many attempts were made.

use std::fmt;
use std::time::Duration;

use super::runtime::Endpoint;

/// A failed call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (4xx or 5xx), with its `result` body where it gave one.
    Api(ApiError),
    /// The request was not answered: connection refused or reset, DNS, TLS, a broken answer.
    /// `source.is_connect()` says that connecting failed, so the request never reached the server.
    #[non_exhaustive]
    Transport {
        /// The client method that was called.
        operation: &'static str,
        source: reqwest::Error,
        /// How many times the call was sent.
        attempts: u32,
    },
    /// No complete answer in time: within the timeout of the last attempt
    /// ([`ClientBuilder::timeout`](super::ClientBuilder::timeout), [`Call::timeout`](super::Call::timeout)),
    /// or within the retry policy's [deadline](super::RetryPolicy::deadline), which bounds the
    /// whole call; `deadline` says which.
    #[non_exhaustive]
    Timeout {
        /// The client method that was called.
        operation: &'static str,
        /// The timeout of each attempt.
        timeout: Duration,
        /// How many times the call was sent.
        attempts: u32,
        /// The retry policy's deadline, when it ended the call (the last attempt had less time
        /// than `timeout` left, and used it up); `None` when the attempt's own timeout ran out.
        deadline: Option<Duration>,
    },
    /// A success answer whose body is not what the spec describes.
    Decode(DecodeError),
    /// A status the spec does not declare for the operation, and not an error status.
    #[non_exhaustive]
    UnexpectedStatus {
        /// The client method that was called.
        operation: &'static str,
        status: u16,
        /// The body, as text (invalid UTF-8 replaced).
        body: String,
        /// How many times the call was sent.
        attempts: u32,
    },
    /// An argument that cannot be sent, such as an empty path parameter; nothing was sent.
    #[non_exhaustive]
    InvalidArgument {
        /// The client method that was called.
        operation: &'static str,
        reason: String,
    },
    /// The answer's body was larger than the client reads ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)).
    /// An answer whose `Content-Length` announces more is refused before any of its body is read.
    #[non_exhaustive]
    BodyTooLarge {
        /// The client method that was called.
        operation: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The size the answer's `Content-Length` announced, when that is how it was found out.
        announced: Option<u64>,
        /// How many times the call was sent.
        attempts: u32,
    },
    /// The [token source](super::ClientBuilder::token_source) gave no usable token for the next
    /// attempt: it failed (its error is `source`), gave an empty token or one an HTTP header cannot
    /// carry, or gave none before the retry policy's deadline. That attempt was not sent, and the
    /// call is not retried: asking the source again at once would most likely fail the same way.
    #[non_exhaustive]
    TokenSource {
        /// The client method that was called.
        operation: &'static str,
        /// What went wrong.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
        /// How many times the call was sent before (0: not at all).
        attempts: u32,
    },
}

impl Error {
    /// The client method whose call failed.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Api(e) => e.operation,
            Error::Decode(e) => e.operation,
            Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::UnexpectedStatus { operation, .. }
            | Error::InvalidArgument { operation, .. }
            | Error::BodyTooLarge { operation, .. }
            | Error::TokenSource { operation, .. } => operation,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How many times the call was sent: more than 1 when it was retried, 0 when it was not sent
    /// at all ([`Error::InvalidArgument`], or [`Error::TokenSource`] before the first attempt).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::UnexpectedStatus { attempts, .. }
            | Error::BodyTooLarge { attempts, .. }
            | Error::TokenSource { attempts, .. } => *attempts,
            Error::InvalidArgument { .. } => 0,
        }
    }

    /// The same error, saying that the call was sent `count` times (an
    /// [`Error::InvalidArgument`] stays unsent). For errors made in tests: a real call's error
    /// already says how many attempts it made.
    pub fn with_attempts(mut self, count: u32) -> Self {
        match &mut self {
            Error::Api(e) => e.attempts = count,
            Error::Decode(e) => e.attempts = count,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::UnexpectedStatus { attempts, .. }
            | Error::BodyTooLarge { attempts, .. }
            | Error::TokenSource { attempts, .. } => *attempts = count,
            Error::InvalidArgument { .. } => {}
        }
        self
    }

    /// An [`Error::Api`] as Authlete sends them: `status` with a `result` body of `result_code`
    /// and `result_message`, from one attempt. For the tests of code that handles errors:
    ///
    /// ```
    /// let error = authlete::Error::api("auth_token", 503, "A000503", "unavailable");
    /// assert_eq!(error.status(), Some(503));
    /// assert_eq!(error.to_string(), "auth_token: the API answered with status 503 (A000503): unavailable");
    /// ```
    ///
    /// [`ApiError::from_body`] makes one from any body (HTML from a proxy, say).
    pub fn api(
        operation: &'static str,
        status: u16,
        result_code: impl Into<String>,
        result_message: impl Into<String>,
    ) -> Self {
        let body = serde_json::json!({"resultCode": result_code.into(), "resultMessage": result_message.into()});
        Error::Api(ApiError::from_body(operation, status, body.to_string()))
    }

    /// An [`Error::Timeout`]: no answer within `timeout`, in one attempt. For tests, like
    /// [`Error::api`].
    ///
    /// ```
    /// let error = authlete::Error::timeout("auth_token", std::time::Duration::from_secs(30));
    /// assert_eq!(error.to_string(), "auth_token: no answer within 30 s");
    /// ```
    pub fn timeout(operation: &'static str, timeout: Duration) -> Self {
        Error::Timeout { operation, timeout, attempts: 1, deadline: None }
    }

    /// An [`Error::Transport`] with `source`, from one attempt. For tests, like [`Error::api`]:
    /// any `reqwest` error will do, such as one of a request that cannot be built, which needs
    /// no server (its [`is_connect`](reqwest::Error::is_connect) is false, so the client itself
    /// would not have retried a POST that failed so).
    ///
    /// ```
    /// let source = authlete::reqwest::Client::new().get("not a URL").build().unwrap_err();
    /// let error = authlete::Error::transport("auth_token", source);
    /// assert!(matches!(error, authlete::Error::Transport { .. }));
    /// assert_eq!(error.to_string(), "auth_token: the request failed: builder error: relative URL without a base");
    /// ```
    pub fn transport(operation: &'static str, source: reqwest::Error) -> Self {
        Error::Transport { operation, source, attempts: 1 }
    }

    pub(crate) fn invalid_argument(endpoint: &Endpoint, reason: String) -> Self {
        Error::InvalidArgument { operation: endpoint.name, reason }
    }

    /// What a failure of `reqwest` in an attempt with `timeout` is.
    pub(crate) fn from_reqwest(endpoint: &Endpoint, timeout: Duration, source: reqwest::Error) -> Self {
        // A connect timeout stays a transport error: it proves that nothing was sent, which
        // decides whether a POST may be retried; the call's timeout is another timeout.
        if source.is_timeout() && !source.is_connect() {
            return Error::Timeout { operation: endpoint.name, timeout, attempts: 1, deadline: None };
        }
        // Without the URL: it holds the service and client identifiers, which belong in the
        // caller's logs only if the caller puts them there.
        Error::Transport { operation: endpoint.name, source: source.without_url(), attempts: 1 }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Transport { operation, source, attempts } => {
                write!(f, "{operation}: the request failed")?;
                after(f, *attempts)?;
                write!(f, ": {source}")?;
                // reqwest's own message is often just "error sending request"; the cause says why.
                let mut cause = std::error::Error::source(source);
                while let Some(inner) = cause {
                    write!(f, ": {inner}")?;
                    cause = inner.source();
                }
                Ok(())
            }
            Error::Timeout { operation, deadline: Some(deadline), attempts, .. } => {
                write!(f, "{operation}: gave up after {}, the retry deadline", Human(*deadline))?;
                match attempts {
                    0 => Ok(()),
                    1 => f.write_str(", after 1 attempt"),
                    n => write!(f, ", after {n} attempts"),
                }
            }
            Error::Timeout { operation, timeout, attempts, deadline: None } => {
                write!(f, "{operation}: no answer within {}", Human(*timeout))?;
                after(f, *attempts)
            }
            Error::UnexpectedStatus { operation, status, body, attempts } => {
                write!(f, "{operation}: the API answered with status {status}, which the spec does not declare")?;
                after(f, *attempts)?;
                if !body.is_empty() {
                    write!(f, ": {}", excerpt(body))?;
                }
                Ok(())
            }
            Error::InvalidArgument { operation, reason } => write!(f, "{operation}: not sent: {reason}"),
            Error::BodyTooLarge { operation, limit, announced: None, attempts } => {
                write!(f, "{operation}: the answer is larger than the limit of {limit} bytes")?;
                after(f, *attempts)
            }
            Error::BodyTooLarge { operation, limit, announced: Some(size), attempts } => {
                write!(f, "{operation}: the answer announces {size} bytes, more than the limit of {limit} bytes")?;
                after(f, *attempts)
            }
            Error::TokenSource { operation, source, attempts } => {
                write!(f, "{operation}: not sent")?;
                match attempts {
                    0 => {}
                    1 => f.write_str(" again after 1 attempt")?,
                    n => write!(f, " again after {n} attempts")?,
                }
                write!(f, ": the token source failed: {source}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::TokenSource { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

/// An error status from the API, with what its body says.
///
/// Authlete answers errors with a `result` body: `{"resultCode": "A001201", "resultMessage":
/// "…"}`. The code is read whether it is a string or a number; a body that is empty or not JSON
/// leaves both `None`, and the text of the body is kept in [`ApiError::body`].
///
/// Its `Display` shows the status, the result code and the message (without the `[A001201] `
/// that Authlete's messages begin with, which would repeat the code):
/// `auth_token: the API answered with status 400 (A001201): /auth/token, TLS must be used.`
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The client method that was called.
    pub operation: &'static str,
    pub status: u16,
    /// `resultCode` of the body, such as `A001201`.
    pub result_code: Option<String>,
    /// `resultMessage` of the body.
    pub result_message: Option<String>,
    /// The body, as text (invalid UTF-8 replaced).
    pub body: String,
    /// How long the answer asked the client to wait before trying again, if it said so validly:
    /// its `Retry-After` header (seconds or an HTTP date) or, on a `429` or `503` without one, its
    /// `RateLimit-Reset` or `X-RateLimit-Reset` header (see [the retry rules](super::retry)).
    pub retry_after: Option<Duration>,
    /// How many times the call was sent.
    pub attempts: u32,
}

impl ApiError {
    /// What the client makes of an answer with error `status` and `body`, from one attempt: the
    /// result code and message are read from the body as from a real answer. For tests, like
    /// [`Error::api`]:
    ///
    /// ```
    /// let api = authlete::ApiError::from_body("auth_token", 502, "<html>Bad Gateway</html>");
    /// assert_eq!((api.result_code.as_deref(), api.body.as_str()), (None, "<html>Bad Gateway</html>"));
    /// let error = authlete::Error::Api(api);
    /// ```
    pub fn from_body(operation: &'static str, status: u16, body: impl AsRef<[u8]>) -> Self {
        let body = body.as_ref();
        let parsed = serde_json::from_slice::<serde_json::Value>(body).ok();
        let member = |name: &str| match parsed.as_ref().and_then(|value| value.get(name)) {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        ApiError {
            operation,
            status,
            result_code: member("resultCode"),
            result_message: member("resultMessage"),
            body: String::from_utf8_lossy(body).into_owned(),
            retry_after: None,
            attempts: 1,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the API answered with status {}", self.operation, self.status)?;
        match (&self.result_code, &self.result_message) {
            (Some(code), Some(message)) => {
                // `(A001201, after 3 attempts)`: what the status means, and how it came about.
                write!(f, " ({code}")?;
                if self.attempts > 1 {
                    write!(f, ", after {} attempts", self.attempts)?;
                }
                let message = message.strip_prefix(&format!("[{code}]")).map_or(message.as_str(), str::trim_start);
                write!(f, "): {message}")
            }
            (None, Some(message)) => {
                after(f, self.attempts)?;
                write!(f, ": {message}")
            }
            (Some(code), None) => {
                after(f, self.attempts)?;
                write!(f, ": result code {code}")
            }
            (None, None) => {
                after(f, self.attempts)?;
                match self.body.is_empty() {
                    true => write!(f, " and no body"),
                    false => write!(f, ": {}", excerpt(&self.body)),
                }
            }
        }
    }
}

impl std::error::Error for ApiError {}

/// A success answer that does not decode into the operation's model.
///
/// Its `Debug` output shows the size of the body, not the body: success answers carry tokens and
/// client secrets. [`DecodeError::body`] has it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The client method that was called.
    pub operation: &'static str,
    pub status: u16,
    /// Where in the JSON decoding failed, such as `action` or `accessTokens[2].scopes`; empty
    /// when the body is not JSON at all.
    pub path: String,
    /// What was wrong there.
    pub message: String,
    /// How many times the call was sent.
    pub attempts: u32,
    body: Vec<u8>,
}

impl DecodeError {
    #[allow(dead_code)] // Only decoders use it, and a spec may have answers with no body.
    pub(crate) fn new(operation: &'static str, status: u16, path: String, message: String, body: Vec<u8>) -> Self {
        let path = if path == "." { String::new() } else { path };
        DecodeError { operation, status, path, message, attempts: 1, body }
    }

    /// The body exactly as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("attempts", &self.attempts)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the answer (status {}) does not decode", self.operation, self.status)?;
        after(f, self.attempts)?;
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DecodeError {}

/// A client configuration that cannot work: [`ClientBuilder::build`](super::ClientBuilder::build).
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither a base URL nor a region was given.
    MissingBaseUrl,
    /// The base URL is not an `http` or `https` URL with a host.
    InvalidBaseUrl { url: String, reason: String },
    /// Neither a bearer token nor a token source was given.
    MissingBearerToken,
    /// The bearer token is empty or has characters an HTTP header cannot carry (it is not shown).
    InvalidBearerToken,
    /// The user agent has characters an HTTP header cannot carry.
    InvalidUserAgent(String),
    /// The HTTP client could not be built (its TLS setup, say).
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingBaseUrl => f.write_str("no base URL: set `base_url` (or `region`)"),
            BuildError::InvalidBaseUrl { url, reason } => write!(f, "the base URL {url:?} is not usable: {reason}"),
            BuildError::MissingBearerToken => f.write_str("no bearer token: set `bearer_token` or `token_source`"),
            BuildError::InvalidBearerToken => {
                f.write_str("the bearer token is empty or has characters an HTTP header cannot carry")
            }
            BuildError::InvalidUserAgent(agent) => {
                write!(f, "the user agent {agent:?} has characters an HTTP header cannot carry")
            }
            BuildError::Http(e) => write!(f, "the HTTP client cannot be built: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// A duration as a person reads it in a message: `250 ms`, `2.5 s`, `60 s`, `2.5 min`, `3 h`.
/// One decimal below 10 of a unit (and none when it is `.0`), whole numbers above; seconds up to
/// 2 minutes, minutes up to 2 hours.
pub(crate) struct Human(pub(crate) Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            return f.write_str("0 ms");
        }
        let (value, unit) = match self.0.as_secs_f64() {
            s if s < 0.001 => ((s * 1e6).round().max(1.0), "µs"),
            s if s < 1.0 => (s * 1e3, "ms"),
            s if s < 120.0 => (s, "s"),
            s if s < 7_200.0 => (s / 60.0, "min"),
            s => (s / 3_600.0, "h"),
        };
        let text = if value < 9.95 { format!("{value:.1}") } else { format!("{value:.0}") };
        write!(f, "{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
    }
}

/// Says how often a call was sent, when it was sent more than once.
fn after(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    match attempts {
        0 | 1 => Ok(()),
        n => write!(f, " (after {n} attempts)"),
    }
}

/// The start of a long text, on one line, for an error message.
fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let line = line.trim();
    match line.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}
