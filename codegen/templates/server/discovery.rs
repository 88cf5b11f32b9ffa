//! The public documents of the server: the discovery document (OpenID Connect Discovery 1.0 §4,
//! RFC 8414 §3), from `/service/configuration`, and the JWK Set (RFC 7517 §5), from
//! `/service/jwks/get`.
//!
//! Unlike every other answer of the toolkit, these are the same for everyone and hold no secret,
//! so they are sent cacheable (`Cache-Control: public, max-age=N`), and each endpoint keeps the
//! document it last fetched for those N seconds instead of asking Authlete on every request.

use std::sync::Arc;
use std::time::Duration;

use http::header::{self, HeaderValue};
use http::{Method, Response, StatusCode};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::config::Endpoint;
use super::request::Request;
use super::response;
use super::{AuthorizationServer, Handler};
use crate::operations::{ServiceConfigurationQuery, ServiceJwksGetQuery};

/// How long clients and the endpoint keep a document by default: five minutes, short enough for a
/// key rotation or a configuration change to reach clients soon, long enough to spare Authlete
/// a call per client start.
pub const DEFAULT_DOCUMENT_MAX_AGE: Duration = Duration::from_secs(300);

/// The longest `max-age` sent (a year, as RFC 9111 §5.2.2.1 suggests for "never expires").
const MAX_AGE_LIMIT: Duration = Duration::from_secs(365 * 24 * 3600);

/// How long a stale document is served, when Authlete cannot be asked, before the next try.
const STALE_RETRY: Duration = Duration::from_secs(5);

/// The discovery document: made by [`AuthorizationServer::discovery_endpoint`], for
/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4) and
/// `GET /.well-known/oauth-authorization-server` (RFC 8414 §3), which serve the same document.
///
/// The document is Authlete's (`/service/configuration`: the service's endpoints, supported
/// grants, algorithms, …), as `200` JSON with `Cache-Control: public, max-age=N`
/// ([`DiscoveryEndpoint::max_age`], [`DEFAULT_DOCUMENT_MAX_AGE`]). The endpoint keeps it for those N
/// seconds; when Authlete cannot be asked after that, it serves the document it has (a stale
/// discovery document is better than none) and asks again a few seconds later. With no document
/// yet, a failure is `503` with `Retry-After` or `500`, as an OAuth `server_error`, and the answer
/// to every request for those few seconds (so that requests do not queue, each to wait out a
/// timeout of its own, while Authlete is down).
///
/// `GET` and `HEAD` are answered (a `HEAD` answer has the `GET` answer's headers and body; the
/// HTTP server leaves the body out, RFC 9110 §9.3.2); other methods get `405` with `Allow`.
#[derive(Debug, Clone)]
pub struct DiscoveryEndpoint {
    server: AuthorizationServer,
    patch: Option<String>,
    document: Document,
}

/// The JWK Set document (RFC 7517 §5): made by [`AuthorizationServer::jwks_endpoint`], for the
/// `jwks_uri` of the discovery document.
///
/// The keys are the service's public keys (Authlete's `/service/jwks/get`, never the private
/// ones), as `200` JSON with `Cache-Control: public, max-age=N` ([`JwksEndpoint::max_age`],
/// [`DEFAULT_DOCUMENT_MAX_AGE`]), kept and served stale on failure like the discovery document.
///
/// A service without keys (Authlete answers `204`) gets `200` with `{"keys":[]}`, not `204`: the
/// document at `jwks_uri` is a JWK Set, and an empty set is one that every client can parse.
///
/// When the service's JWK Set lives elsewhere (its `jwksUri`), Authlete answers with a redirect,
/// which the client follows (reqwest's default policy), so the endpoint serves that document;
/// publishing that URI as `jwks_uri` spares the round trip.
#[derive(Debug, Clone)]
pub struct JwksEndpoint {
    server: AuthorizationServer,
    document: Document,
}

impl AuthorizationServer {
    /// The discovery document endpoint (OpenID Connect Discovery 1.0, RFC 8414).
    pub fn discovery_endpoint(&self) -> DiscoveryEndpoint {
        DiscoveryEndpoint { server: self.clone(), patch: None, document: Document::new(DEFAULT_DOCUMENT_MAX_AGE) }
    }

    /// The JWK Set document endpoint (RFC 7517 §5).
    pub fn jwks_endpoint(&self) -> JwksEndpoint {
        JwksEndpoint { server: self.clone(), document: Document::new(DEFAULT_DOCUMENT_MAX_AGE) }
    }
}

impl DiscoveryEndpoint {
    /// How long clients and the endpoint keep the document ([`DEFAULT_DOCUMENT_MAX_AGE`] by default, at
    /// most a year). Zero: the endpoint asks Authlete on every request and sends `max-age=0`.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.document = Document::new(max_age);
        self
    }

    /// A JSON Patch (RFC 6902) that Authlete applies to the document before sending it (its
    /// `patch` parameter): to add metadata Authlete does not know, or to change what it says.
    /// It is the server's setting; a request's query is never passed on.
    pub fn patch(mut self, json_patch: impl Into<String>) -> Self {
        self.patch = Some(json_patch.into());
        self.document = Document::new(self.document.max_age);
        self
    }
}

impl JwksEndpoint {
    /// How long clients and the endpoint keep the document ([`DEFAULT_DOCUMENT_MAX_AGE`] by default, at
    /// most a year). Zero: the endpoint asks Authlete on every request and sends `max-age=0`.
    ///
    /// A client that meets a signature by a key it does not know fetches the set again, but a
    /// cache on the way may answer for up to this long: publish a new key this long before
    /// signing with it.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.document = Document::new(max_age);
        self
    }
}

impl Handler for DiscoveryEndpoint {
    /// Handles a request for the discovery document (`GET` or `HEAD`).
    async fn handle(&self, request: Request) -> Response<String> {
        let fetch = || async {
            let query = ServiceConfigurationQuery { patch: self.patch.clone(), ..Default::default() };
            let call = self.server.service().service_configuration(&query);
            let document = self.server.call(Endpoint::Discovery, call).await?;
            Ok(serde_json::Value::Object(document).to_string())
        };
        self.document.serve(&request, Endpoint::Discovery, fetch).await
    }
}

impl Handler for JwksEndpoint {
    /// Handles a request for the JWK Set document (`GET` or `HEAD`).
    async fn handle(&self, request: Request) -> Response<String> {
        let fetch = || async {
            // Said explicitly, so that no default of Authlete's can ever publish private keys.
            let query = ServiceJwksGetQuery::default().include_private_keys(false);
            let call = self.server.service().service_jwks_get(&query);
            let mut set = match self.server.call(Endpoint::Jwks, call).await? {
                Some(set) => serde_json::to_value(set).unwrap_or_default(),
                None => serde_json::Value::Null,
            };
            // A JWK Set has `keys` (RFC 7517 §5.1), even when the service has none.
            if !set.is_object() {
                set = serde_json::json!({});
            }
            if let Some(members) = set.as_object_mut() {
                members.entry("keys").or_insert_with(|| serde_json::json!([]));
            }
            Ok(set.to_string())
        };
        self.document.serve(&request, Endpoint::Jwks, fetch).await
    }
}

/// A public document and the copy the endpoint keeps. Clones share the copy.
#[derive(Clone)]
struct Document {
    max_age: Duration,
    /// Held while Authlete is asked, so that many requests for an expired document make one call.
    kept: Arc<Mutex<Kept>>,
}

#[derive(Default)]
struct Kept {
    /// The document Authlete gave last.
    body: Option<String>,
    /// Until when the kept document (or failure) is the answer; `None`: ask Authlete.
    until: Option<Instant>,
    /// The response to the last try, when it failed and no document is kept: the answer to the
    /// requests that waited for that try, rather than each waiting out a timeout of its own.
    failure: Option<Response<String>>,
}

impl Document {
    fn new(max_age: Duration) -> Self {
        Document { max_age: max_age.min(MAX_AGE_LIMIT), kept: Arc::new(Mutex::new(Kept::default())) }
    }

    /// The response to `request`: the kept document while it is fresh, else what `fetch` gets
    /// from Authlete (kept from now on), else the kept document however old, else `fetch`'s
    /// error response (the answer for a few seconds, when Authlete is asked again).
    async fn serve<F, Fut>(&self, request: &Request, endpoint: Endpoint, fetch: F) -> Response<String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, Response<String>>>,
    {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return response::method_not_allowed("GET, HEAD");
        }
        if self.max_age.is_zero() {
            return match fetch().await {
                Ok(body) => self.document(body),
                Err(response) => response,
            };
        }
        let mut kept = self.kept.lock().await;
        if kept.until.is_some_and(|until| Instant::now() < until) {
            match (&kept.body, &kept.failure) {
                (Some(body), _) => return self.document(body.clone()),
                (None, Some(failure)) => return copy(failure),
                (None, None) => {}
            }
        }
        match fetch().await {
            Ok(body) => {
                *kept = Kept { body: Some(body.clone()), until: Some(Instant::now() + self.max_age), failure: None };
                self.document(body)
            }
            Err(response) => {
                kept.until = Some(Instant::now() + self.max_age.min(STALE_RETRY));
                match &kept.body {
                    Some(stale) => {
                        tracing::warn!(
                            endpoint = endpoint.name(),
                            "Authlete could not be asked: serving the kept document"
                        );
                        self.document(stale.clone())
                    }
                    None => {
                        kept.failure = Some(copy(&response));
                        response
                    }
                }
            }
        }
    }

    /// `200` with the document as JSON, cacheable by anyone for `max_age`.
    fn document(&self, body: String) -> Response<String> {
        let mut response = Response::new(body);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
        let cache_control = format!("public, max-age={}", self.max_age.as_secs());
        if let Ok(value) = HeaderValue::from_str(&cache_control) {
            headers.insert(header::CACHE_CONTROL, value);
        }
        *response.status_mut() = StatusCode::OK;
        response
    }
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document").field("max_age", &self.max_age).finish_non_exhaustive()
    }
}

/// A copy of a response (`http::Response` is not `Clone`: its extensions may not be).
fn copy(response: &Response<String>) -> Response<String> {
    let mut copy = Response::new(response.body().clone());
    *copy.status_mut() = response.status();
    *copy.headers_mut() = response.headers().clone();
    copy
}
