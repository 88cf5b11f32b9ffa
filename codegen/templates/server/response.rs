//! The responses the endpoints send: one builder that always adds the no-cache headers, the
//! OAuth errors the toolkit makes itself, and what a failed Authlete call becomes.

use std::time::Duration;

use http::header::{self, HeaderName, HeaderValue};
use http::{Response, StatusCode};

use super::config::Endpoint;
use crate::Error;

/// How long a client is asked to wait when Authlete is unavailable and said nothing of its own.
const RETRY_AFTER_SECONDS: u64 = 5;

/// A response with `body` of `media_type`, never stored by a cache (RFC 6749 §5.1, RFC 7009,
/// RFC 7662, OIDC Core §5.3.2 all ask for it on answers that carry tokens or claims).
pub(crate) fn with_body(status: StatusCode, media_type: &'static str, body: impl Into<String>) -> Response<String> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// A JSON response (Authlete's `responseContent`, which is JSON for these actions).
pub(crate) fn json(status: StatusCode, content: Option<String>) -> Response<String> {
    with_body(status, "application/json;charset=UTF-8", content.unwrap_or_default())
}

/// A response without a body (and without `Content-Type`), never stored.
pub(crate) fn empty(status: StatusCode) -> Response<String> {
    let mut response = with_body(status, "text/plain", String::new());
    response.headers_mut().remove(header::CONTENT_TYPE);
    response
}

/// An OAuth error JSON (RFC 6749 §5.2) the toolkit makes itself.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response<String> {
    let body = serde_json::json!({ "error": error, "error_description": description });
    json(status, Some(body.to_string()))
}

/// `400 invalid_request`: a request the toolkit refuses before asking Authlete.
pub(crate) fn invalid_request(description: &str) -> Response<String> {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// `401 invalid_client` with a `Basic` challenge (RFC 6749 §5.2).
pub(crate) fn invalid_client(realm: &str, description: &str) -> Response<String> {
    let response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    with_header(response, header::WWW_AUTHENTICATE, &format!("Basic realm=\"{realm}\""))
}

/// `413` for a body over the limit, as an OAuth error.
pub(crate) fn too_large(limit: usize) -> Response<String> {
    oauth_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        &format!("the request body is larger than {limit} bytes"),
    )
}

/// `response` with `name: value`, where `value` can be a header value (Authlete's text always
/// can; anything else is left out rather than sent broken).
pub(crate) fn with_header(mut response: Response<String>, name: HeaderName, value: &str) -> Response<String> {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
    response
}

/// `response` with the `WWW-Authenticate` challenge Authlete wrote, if it wrote one.
pub(crate) fn with_challenge(response: Response<String>, challenge: Option<&str>) -> Response<String> {
    match challenge {
        Some(challenge) => with_header(response, header::WWW_AUTHENTICATE, challenge),
        None => response,
    }
}

/// A response without a body whose `WWW-Authenticate` is the challenge Authlete wrote: how the
/// UserInfo and grant management endpoints answer errors (RFC 6750 §3, OIDC Core §5.3.3).
pub(crate) fn challenge(status: StatusCode, challenge: Option<&str>) -> Response<String> {
    with_challenge(empty(status), challenge)
}

/// `401` to a request for a protected resource that carries no access token: a `Bearer`
/// challenge of `realm` and no error code, as RFC 6750 §3.1 asks ("the resource server SHOULD NOT
/// include an error code"), so that a client that did not know it needs a token learns how to
/// send one.
pub(crate) fn token_missing(realm: &str) -> Response<String> {
    with_header(empty(StatusCode::UNAUTHORIZED), header::WWW_AUTHENTICATE, &format!("Bearer realm=\"{realm}\""))
}

/// `400 invalid_request` for an access token that cannot be read (a malformed `Authorization`
/// header, a token in two places), as a `Bearer` challenge (RFC 6750 §3.1). `description` is the
/// toolkit's own text, without quotes or backslashes.
pub(crate) fn token_malformed(description: &str) -> Response<String> {
    let challenge = format!("Bearer error=\"invalid_request\", error_description=\"{description}\"");
    with_header(empty(StatusCode::BAD_REQUEST), header::WWW_AUTHENTICATE, &challenge)
}

/// `405` with the methods the endpoint takes in `Allow` (RFC 9110 §15.5.6), as an OAuth error.
pub(crate) fn method_not_allowed(allow: &str) -> Response<String> {
    let response = oauth_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        &format!("the endpoint takes the methods {allow}"),
    );
    with_header(response, header::ALLOW, allow)
}

/// `response` with `DPoP-Nonce` when Authlete asks the client to use a new nonce (RFC 9449 §8).
pub(crate) fn with_nonce(response: Response<String>, nonce: Option<&str>) -> Response<String> {
    match nonce {
        Some(nonce) => with_header(response, HeaderName::from_static("dpop-nonce"), nonce),
        None => response,
    }
}

/// `500 server_error`: Authlete answered with an action this crate does not know (a newer
/// Authlete) or an answer that lacks what the action needs. The server cannot know what is
/// right, so it does nothing and says so in the log.
pub(crate) fn unexpected_answer(endpoint: Endpoint, what: &str) -> Response<String> {
    tracing::error!(endpoint = endpoint.name(), "unexpected answer from Authlete: {what}");
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the authorization server could not process the request",
    )
}

/// What a failed Authlete call becomes: `503` with `Retry-After` when Authlete could not be
/// reached or said it is unavailable (waiting helps), else `500`. Both `server_error`; the
/// details go to the log. The client's errors hold no token and no request body.
pub(crate) fn unavailable(endpoint: Endpoint, error: &Error) -> Response<String> {
    let transient = match error {
        Error::Transport { .. } | Error::Timeout { .. } => true,
        Error::Api(api) => matches!(api.status, 429 | 502 | 503 | 504),
        _ => false,
    };
    tracing::error!(endpoint = endpoint.name(), error = %error, "the Authlete call failed");
    if transient {
        retry_later()
    } else {
        oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the authorization server could not process the request",
        )
    }
}

/// The endpoint's time for Authlete ran out.
pub(crate) fn timed_out(endpoint: Endpoint, timeout: Duration) -> Response<String> {
    tracing::error!(
        endpoint = endpoint.name(),
        timeout_ms = timeout.as_millis() as u64,
        "Authlete did not answer in time"
    );
    retry_later()
}

fn retry_later() -> Response<String> {
    let response = oauth_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "server_error",
        "the authorization server is temporarily unavailable",
    );
    with_header(response, header::RETRY_AFTER, &RETRY_AFTER_SECONDS.to_string())
}
