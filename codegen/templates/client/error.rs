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
    /// No complete answer within the timeout (of the last attempt, cut to what was left of the
    /// retry policy's deadline).
    #[non_exhaustive]
    Timeout {
        /// The client method that was called.
        operation: &'static str,
        /// The timeout that ran out.
        timeout: Duration,
        /// How many times the call was sent.
        attempts: u32,
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
    #[non_exhaustive]
    BodyTooLarge {
        /// The client method that was called.
        operation: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// How many times the call was sent.
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
            | Error::BodyTooLarge { operation, .. } => operation,
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
    /// at all ([`Error::InvalidArgument`]).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::UnexpectedStatus { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => *attempts,
            Error::InvalidArgument { .. } => 0,
        }
    }

    /// The same error, saying that the call was sent `count` times.
    pub(crate) fn with_attempts(mut self, count: u32) -> Self {
        match &mut self {
            Error::Api(e) => e.attempts = count,
            Error::Decode(e) => e.attempts = count,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::UnexpectedStatus { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => *attempts = count,
            Error::InvalidArgument { .. } => {}
        }
        self
    }

    pub(crate) fn invalid_argument(endpoint: &Endpoint, reason: String) -> Self {
        Error::InvalidArgument { operation: endpoint.name, reason }
    }

    pub(crate) fn transport(endpoint: &Endpoint, timeout: Duration, source: reqwest::Error) -> Self {
        // A connect timeout stays a transport error: it proves that nothing was sent, which
        // decides whether a POST may be retried; the call's timeout is another timeout.
        if source.is_timeout() && !source.is_connect() {
            return Error::Timeout { operation: endpoint.name, timeout, attempts: 1 };
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
            Error::Timeout { operation, timeout, attempts } => {
                write!(f, "{operation}: no answer within {timeout:?}")?;
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
            Error::BodyTooLarge { operation, limit, attempts } => {
                write!(f, "{operation}: the answer is larger than the limit of {limit} bytes")?;
                after(f, *attempts)
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An error status from the API, with what its body says.
///
/// Authlete answers errors with a `result` body: `{"resultCode": "A001201", "resultMessage":
/// "…"}`. The code is read whether it is a string or a number; a body that is empty or not JSON
/// leaves both `None`, and the text of the body is kept in [`ApiError::body`].
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
    /// How long the `Retry-After` header of the answer asked to wait (seconds or an HTTP date),
    /// if it had a valid one.
    pub retry_after: Option<Duration>,
    /// How many times the call was sent.
    pub attempts: u32,
}

impl ApiError {
    pub(crate) fn new(operation: &'static str, status: u16, body: &[u8]) -> Self {
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
        after(f, self.attempts)?;
        match (&self.result_code, &self.result_message) {
            (_, Some(message)) => write!(f, ": {message}"),
            (Some(code), None) => write!(f, ": result code {code}"),
            (None, None) if self.body.is_empty() => write!(f, " and no body"),
            (None, None) => write!(f, ": {}", excerpt(&self.body)),
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
    /// No bearer token was given.
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
            BuildError::MissingBearerToken => f.write_str("no bearer token: set `bearer_token`"),
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
