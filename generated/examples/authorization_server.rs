//! An OAuth 2.0 token endpoint and a protected resource built on the `authlete` crate, the way
//! Authlete's reference servers are built: the server passes each request to Authlete and turns
//! Authlete's `action` into the HTTP response. Hand-written (this folder is not generated).
//!
//! ```sh
//! AUTHLETE_BASE_URL=https://us.authlete.com AUTHLETE_SERVICE_ID=715948317 \
//! AUTHLETE_SERVICE_TOKEN=… cargo run -p authlete --example authorization_server
//! ```
//!
//! Optional: `LISTEN` (default `127.0.0.1:8080`); `PUBLIC_URL`, the URL clients use to reach this
//! server (default `http://` and `LISTEN`), which DPoP proofs are checked against;
//! `CLIENT_CERT_HEADER`, the header in which a TLS-terminating proxy passes the client
//! certificate (PEM) for mutual-TLS client authentication and certificate-bound tokens;
//! `DEMO_USER` and `DEMO_PASSWORD`, the one resource owner the demo accepts for the password grant.
//!
//! - `POST /token`: the token endpoint (RFC 6749 §3.2). The form body goes to Authlete's
//!   `/auth/token` as it is, so client authentication in the body (`client_secret_post`, JWT
//!   assertions) needs nothing here; `client_secret_basic` credentials are taken from the
//!   `Authorization` header, the `DPoP` header and the client certificate are passed along.
//!   `PASSWORD`, `TOKEN_EXCHANGE`, `JWT_BEARER` and `NATIVE_SSO` need the server's own decision:
//!   [`GrantHook`] makes it, and the server goes on with `/auth/token/issue`, `/auth/token/fail` or
//!   `/nativesso`.
//! - `GET /resource`: a protected resource. The access token (`Authorization: Bearer …` or
//!   `DPoP …`) is checked with `/auth/introspection`; the answer's status and `WWW-Authenticate`
//!   are Authlete's.
//!
//! The end-to-end test (`codegen/tests/authorization_server.rs`) runs this router against a mock
//! Authlete.

use std::future::Future;
use std::sync::Arc;

use authlete::models::{
    IntrospectionRequest, IntrospectionResponseAction, NativeSsoRequest, NativeSsoResponseAction, TokenFailRequest,
    TokenFailRequestReason, TokenFailResponseAction, TokenIssueRequest, TokenIssueResponseAction, TokenRequest,
    TokenResponse, TokenResponseAction,
};
use authlete::Service;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

/// What the server decides on a grant Authlete cannot decide alone.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Issue tokens for this resource owner: `/auth/token/issue` with Authlete's ticket.
    Issue { subject: String },
    /// Refuse the grant: `/auth/token/fail` with Authlete's ticket and this reason.
    Fail(TokenFailRequestReason),
}

/// What the server decides on a Native SSO token request (`action: NATIVE_SSO`).
#[derive(Debug, Clone, PartialEq)]
pub enum NativeSsoDecision {
    /// The session (`sessionId` of the answer) is valid: `/nativesso` with this device secret (the
    /// one Authlete passed on in `deviceSecret`, if it is valid, or a new one).
    Accept { device_secret: String },
    /// The session is not valid: the client gets `invalid_grant`.
    Reject,
}

/// The server's own decisions, which Authlete leaves to it: who a username and password belong
/// to, which token exchanges and JWT assertions to accept, whether a Native SSO session is valid.
pub trait GrantHook: Send + Sync + 'static {
    /// `grant_type=password`: check the resource owner's credentials.
    fn password(&self, username: &str, password: &str) -> impl Future<Output = Decision> + Send;

    /// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693), which Authlete
    /// has checked for form; `answer` has the subject and actor tokens and their types.
    fn token_exchange(&self, answer: &TokenResponse) -> impl Future<Output = Decision> + Send;

    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523). Authlete does not
    /// verify the assertion's signature (`answer.assertion`): this must.
    fn jwt_bearer(&self, answer: &TokenResponse) -> impl Future<Output = Decision> + Send;

    /// A token request of OpenID Connect Native SSO.
    fn native_sso(&self, answer: &TokenResponse) -> impl Future<Output = NativeSsoDecision> + Send;
}

/// How the server is reached and what a proxy in front of it passes on.
#[derive(Debug, Clone)]
pub struct Config {
    /// The URL clients use for this server, without a trailing `/` (DPoP proofs name it).
    pub public_url: String,
    /// The header a TLS-terminating proxy puts the client certificate in, if there is one.
    pub client_certificate_header: Option<String>,
}

/// The server: an Authlete service handle, the hook and the configuration.
pub struct App<H> {
    pub service: Service,
    pub hook: H,
    pub config: Config,
}

/// The token endpoint at `/token` and the protected resource at `/resource`.
pub fn router<H: GrantHook>(app: Arc<App<H>>) -> Router {
    Router::new().route("/token", post(token::<H>)).route("/resource", get(resource::<H>)).with_state(app)
}

async fn token<H: GrantHook>(State(app): State<Arc<App<H>>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(parameters) = String::from_utf8(body.to_vec()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the request body is not UTF-8");
    };
    let (client_id, client_secret) = basic_credentials(&headers).unzip();
    let request = TokenRequest {
        client_id,
        client_secret,
        dpop: header_text(&headers, "dpop"),
        htm: Some("POST".into()),
        htu: Some(format!("{}/token", app.config.public_url)),
        client_certificate: client_certificate(&app.config, &headers),
        ..TokenRequest::new(parameters)
    };
    // A token request is never retried by the client (it may mint tokens twice), so an error here
    // is the one attempt's.
    let answer = match app.service.auth_token(&request).await {
        Ok(answer) => answer,
        Err(error) => return unavailable(&error),
    };
    let nonce = answer.dpop_nonce.clone();
    let content = answer.response_content.clone();
    let response = match answer.action.clone() {
        Some(TokenResponseAction::Ok | TokenResponseAction::IdTokenReissuable) => json(StatusCode::OK, content),
        Some(TokenResponseAction::BadRequest) => json(StatusCode::BAD_REQUEST, content),
        Some(TokenResponseAction::InvalidClient) => {
            // RFC 6749 §5.2: 401 with the authentication scheme the client can use.
            let mut response = json(StatusCode::UNAUTHORIZED, content);
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"token\""));
            response
        }
        Some(TokenResponseAction::Password) => {
            let username = answer.username.as_deref().unwrap_or_default();
            let password = answer.password.as_deref().unwrap_or_default();
            let decision = app.hook.password(username, password).await;
            decide(&app.service, &answer, decision).await
        }
        Some(TokenResponseAction::TokenExchange) => {
            let decision = app.hook.token_exchange(&answer).await;
            decide(&app.service, &answer, decision).await
        }
        Some(TokenResponseAction::JwtBearer) => {
            let decision = app.hook.jwt_bearer(&answer).await;
            decide(&app.service, &answer, decision).await
        }
        Some(TokenResponseAction::NativeSso) => {
            let decision = app.hook.native_sso(&answer).await;
            native_sso(&app.service, &answer, decision).await
        }
        Some(TokenResponseAction::InternalServerError) => json(StatusCode::INTERNAL_SERVER_ERROR, content),
        // An action newer than this server: it cannot know what to do, so it does nothing.
        Some(TokenResponseAction::Unrecognized(_)) | None => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "unexpected answer from the authorization service",
        ),
    };
    with_nonce(response, nonce)
}

/// Goes on with the server's decision: `/auth/token/issue` or `/auth/token/fail`.
async fn decide(service: &Service, answer: &TokenResponse, decision: Decision) -> Response {
    let Some(ticket) = answer.ticket.clone() else {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the authorization service gave no ticket",
        );
    };
    match decision {
        Decision::Issue { subject } => match service.auth_token_issue(&TokenIssueRequest::new(ticket, subject)).await {
            Ok(issued) => match issued.action {
                Some(TokenIssueResponseAction::Ok) => json(StatusCode::OK, issued.response_content),
                _ => json(StatusCode::INTERNAL_SERVER_ERROR, issued.response_content),
            },
            Err(error) => unavailable(&error),
        },
        Decision::Fail(reason) => match service.auth_token_fail(&TokenFailRequest::new(ticket, reason)).await {
            Ok(failed) => match failed.action {
                Some(TokenFailResponseAction::BadRequest) => json(StatusCode::BAD_REQUEST, failed.response_content),
                _ => json(StatusCode::INTERNAL_SERVER_ERROR, failed.response_content),
            },
            Err(error) => unavailable(&error),
        },
    }
}

/// Goes on with a Native SSO decision: `/nativesso` makes the ID token and the whole response.
async fn native_sso(service: &Service, answer: &TokenResponse, decision: NativeSsoDecision) -> Response {
    let NativeSsoDecision::Accept { device_secret } = decision else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the session is not valid");
    };
    // The JWT form of the access token, when there is one, is what the ID token's hash covers.
    let Some(access_token) = answer.jwt_access_token.clone().or_else(|| answer.access_token.clone()) else {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "no access token to bind the session to",
        );
    };
    let request = NativeSsoRequest {
        refresh_token: answer.refresh_token.clone(),
        ..NativeSsoRequest::new(access_token, device_secret)
    };
    match service.native_sso(&request).await {
        Ok(sso) => match sso.action {
            Some(NativeSsoResponseAction::Ok) => json(StatusCode::OK, sso.response_content),
            _ => json(StatusCode::INTERNAL_SERVER_ERROR, sso.response_content),
        },
        Err(error) => unavailable(&error),
    }
}

async fn resource<H: GrantHook>(State(app): State<Arc<App<H>>>, headers: HeaderMap) -> Response {
    let authorization = header_text(&headers, "authorization").unwrap_or_default();
    let token = authorization.strip_prefix("Bearer ").or_else(|| authorization.strip_prefix("DPoP ")).map(str::trim);
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        // RFC 6750 §3.1: a request without a token gets the challenge and no error code.
        let mut response = empty(StatusCode::UNAUTHORIZED);
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"resource\""));
        return response;
    };
    let request = IntrospectionRequest {
        dpop: header_text(&headers, "dpop"),
        htm: Some("GET".into()),
        htu: Some(format!("{}/resource", app.config.public_url)),
        client_certificate: client_certificate(&app.config, &headers),
        ..IntrospectionRequest::new(token.to_owned())
    };
    // Introspection only reads, so it is safe to send again if Authlete is briefly unavailable.
    let answer = match app.service.auth_introspection(&request).idempotent(true).await {
        Ok(answer) => answer,
        Err(error) => return unavailable(&error),
    };
    let status = match answer.action {
        Some(IntrospectionResponseAction::Ok) => {
            let body = serde_json::json!({ "subject": answer.subject, "scopes": answer.scopes.unwrap_or_default() });
            return with_nonce(json(StatusCode::OK, Some(body.to_string())), answer.dpop_nonce);
        }
        Some(IntrospectionResponseAction::BadRequest) => StatusCode::BAD_REQUEST,
        Some(IntrospectionResponseAction::Unauthorized) => StatusCode::UNAUTHORIZED,
        Some(IntrospectionResponseAction::Forbidden) => StatusCode::FORBIDDEN,
        Some(IntrospectionResponseAction::InternalServerError | IntrospectionResponseAction::Unrecognized(_))
        | None => StatusCode::INTERNAL_SERVER_ERROR,
    };
    // For every error, Authlete's `responseContent` is the `WWW-Authenticate` challenge itself.
    let mut response = empty(status);
    if let Some(challenge) = answer.response_content.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    }
    with_nonce(response, answer.dpop_nonce)
}

/// A token endpoint answer: JSON that is never cached (RFC 6749 §5.1).
fn json(status: StatusCode, content: Option<String>) -> Response {
    let mut response = Response::new(Body::from(content.unwrap_or_default()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn empty(status: StatusCode) -> Response {
    let mut response = json(status, None);
    response.headers_mut().remove(header::CONTENT_TYPE);
    response
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json(status, Some(serde_json::json!({ "error": error, "error_description": description }).to_string()))
}

/// Authlete could not be asked: the client gets a plain `server_error`; the details (never the
/// token, which no error holds) go to the server's log.
fn unavailable(error: &authlete::Error) -> Response {
    eprintln!("authlete: {error}");
    oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "the authorization service is unavailable")
}

/// Adds `DPoP-Nonce` when Authlete asks the client to use a new nonce (RFC 9449 §8).
fn with_nonce(mut response: Response, nonce: Option<String>) -> Response {
    if let Some(nonce) = nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
        response.headers_mut().insert("dpop-nonce", nonce);
    }
    response
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
}

fn client_certificate(config: &Config, headers: &HeaderMap) -> Option<String> {
    config.client_certificate_header.as_deref().and_then(|name| header_text(headers, name)).filter(|c| !c.is_empty())
}

/// `client_secret_basic` (RFC 6749 §2.3.1): `Authorization: Basic base64(id:secret)`, where the
/// ID and secret were form-encoded before they were joined.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = header_text(headers, "authorization")?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// Standard base64 with padding; `None` for anything else.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if text.len() % 4 != 0 {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in text.as_bytes().chunks(4) {
        let padding = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 {
            return None;
        }
        let mut bits = 0u32;
        for &byte in &chunk[..4 - padding] {
            bits = bits << 6 | ALPHABET.iter().position(|&a| a == byte)? as u32;
        }
        bits <<= 6 * padding as u32;
        bytes.extend_from_slice(&bits.to_be_bytes()[1..4 - padding]);
    }
    Some(bytes)
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a space, `%XX` a byte.
fn form_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        bytes.push(match byte {
            b'+' => b' ',
            b'%' => {
                let hex = [input.next()?, input.next()?];
                u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
            }
            other => other,
        });
    }
    String::from_utf8(bytes).ok()
}

/// The demo's decisions: one resource owner from the environment, and no rules for token
/// exchange, JWT assertions or Native SSO sessions, so those are refused. A real server asks its
/// user store and its own policies here.
struct DemoHook {
    user: Option<(String, String)>,
}

impl GrantHook for DemoHook {
    async fn password(&self, username: &str, password: &str) -> Decision {
        match &self.user {
            Some((user, secret)) if user == username && secret == password => Decision::Issue { subject: user.clone() },
            _ => Decision::Fail(TokenFailRequestReason::InvalidResourceOwnerCredentials),
        }
    }

    async fn token_exchange(&self, _: &TokenResponse) -> Decision {
        Decision::Fail(TokenFailRequestReason::Unknown)
    }

    async fn jwt_bearer(&self, _: &TokenResponse) -> Decision {
        Decision::Fail(TokenFailRequestReason::Unknown)
    }

    async fn native_sso(&self, _: &TokenResponse) -> NativeSsoDecision {
        NativeSsoDecision::Reject
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let variable = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let client = authlete::Client::builder()
        .base_url(variable("AUTHLETE_BASE_URL")?)
        .bearer_token(variable("AUTHLETE_SERVICE_TOKEN")?)
        .build()?;
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let config = Config {
        public_url: std::env::var("PUBLIC_URL").unwrap_or_else(|_| format!("http://{listen}")),
        client_certificate_header: std::env::var("CLIENT_CERT_HEADER").ok(),
    };
    let user = variable("DEMO_USER").ok().zip(variable("DEMO_PASSWORD").ok());
    let app =
        Arc::new(App { service: client.service(variable("AUTHLETE_SERVICE_ID")?), hook: DemoHook { user }, config });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("token endpoint: POST http://{listen}/token; protected resource: GET http://{listen}/resource");
    axum::serve(listener, router(app)).await?;
    Ok(())
}
