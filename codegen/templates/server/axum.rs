//! The toolkit on axum (feature `axum`): the endpoints as a router ([`Routes`]), and for
//! resource servers an extractor ([`ValidToken`]) and a layer ([`require_token`]) that validate
//! access tokens.
//!
//! The adapter is thin: it reads the body (at most [`Config::body_limit`] bytes and one more, so
//! that a larger body gets the toolkit's `413` OAuth error rather than axum's plain-text one),
//! hands the request to the framework-neutral [`Handler`], and sends its `http::Response` as it
//! is.
//!
//! **Paths and DPoP.** A DPoP proof names the URL it was made for (`htu`), which the toolkit
//! checks as the configured public URL followed by the request's path. Inside a router mounted
//! with [`Router::nest`](axum::Router::nest), axum hands the handler the path without the
//! prefix; the toolkit uses the original path ([`OriginalUri`]), which axum keeps.
//!
//! [`Config::body_limit`]: crate::server::Config::body_limit

use std::collections::BTreeMap;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::{FromRef, FromRequestParts, OriginalUri, State};
use axum::middleware::{FromFnLayer, Next};
use axum::routing::any;
use axum::Router;
use http::header::{self, HeaderName, HeaderValue};
use http::request::Parts;
use http::{Method, StatusCode};

use super::response;
use super::{AccessTokenValidator, AuthorizationServer, GrantHandler, Handler, Request, ValidatedToken};

/// An axum response.
type AxumResponse = axum::response::Response;

/// One endpoint with its type erased, so that endpoints of any type share a path table.
type Serve = Arc<dyn Fn(axum::extract::Request) -> BoxedFuture + Send + Sync>;

/// The client certificate of a request (PEM), for a server that terminates TLS itself: put it in
/// the request's extensions (from the TLS acceptor's connection info, say) and every endpoint
/// and validator of this module uses it for mutual-TLS client authentication and
/// certificate-bound tokens (RFC 8705). A certificate from a trusted proxy's header is configured
/// with [`Config::client_certificate_header`](crate::server::Config::client_certificate_header)
/// instead.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate(pub String);

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientCertificate(..)")
    }
}

/// The endpoints of an [`AuthorizationServer`] as an axum [`Router`], each at a conventional path
/// that can be changed (`…_at`), only those asked for.
///
/// | method | endpoint | path | HTTP methods |
/// | --- | --- | --- | --- |
/// | [`token`](Self::token) | token (RFC 6749 §3.2) | `/token` | POST |
/// | [`par`](Self::par) | pushed authorization requests (RFC 9126) | `/par` | POST |
/// | [`revocation`](Self::revocation) | revocation (RFC 7009) | `/revoke` | POST |
/// | [`userinfo`](Self::userinfo) | UserInfo (OpenID Connect Core §5.3) | `/userinfo` | GET, POST |
/// | [`introspection`](Self::introspection) | introspection (RFC 7662) | `/introspect` | POST |
/// | [`discovery`](Self::discovery) | discovery (OpenID Connect Discovery §4, RFC 8414 §3) | `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server` | GET |
/// | [`jwks`](Self::jwks) | the JWK Set | `/jwks` | GET |
/// | [`registration`](Self::registration) | client registration (RFC 7591), management (RFC 7592) | `/register`; `/register/{client_id}` | POST; GET, PUT, DELETE |
/// | [`grant_management`](Self::grant_management) | grant management (FAPI) | `/grants/{grant_id}` | GET, DELETE |
/// | [`device_authorization`](Self::device_authorization) | device authorization (RFC 8628 §3.1) | `/device_authorization` | POST |
/// | [`backchannel`](Self::backchannel) | backchannel authentication (OpenID Connect CIBA §7) | `/backchannel` | POST |
/// | [`authorization`](Self::authorization) | authorization (RFC 6749 §3.1) and the decision of its page; feature `interactive` | `/authorize`; `/authorize/decision` | GET, POST; POST |
/// | [`device_verification`](Self::device_verification) | the device flow's verification page (RFC 8628 §3.3); feature `interactive` | `/device` | GET, POST |
/// | [`backchannel_approval`](Self::backchannel_approval) | a CIBA approval page; feature `interactive` | `/ciba` | GET, POST |
/// | [`sign_out`](Self::sign_out) | signing the browser's user out; feature `interactive` | `/logout` | POST |
/// | [`route`](Self::route) | any [`Handler`] | any | any |
///
/// A request with another HTTP method gets `405` with an `Allow` header and an OAuth error JSON;
/// `HEAD` is answered where `GET` is. A body over [`Config::body_limit`] gets `413` with an
/// OAuth error JSON (a page from the browsers' endpoints), read no further than the limit.
///
/// ```no_run
/// use authlete::server::axum::Routes;
/// use authlete::server::{AuthorizationServer, Config, NoGrants};
///
/// # async fn run(service: authlete::Service) -> Result<(), Box<dyn std::error::Error>> {
/// let server = AuthorizationServer::new(service, Config::new("https://as.example.com")?);
/// let app = Routes::new(server.clone())
///     .token(NoGrants)
///     .revocation_at("/oauth/revoke")
///     .build();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app).await?;
/// # Ok(())
/// # }
/// ```
///
/// [`Config::body_limit`]: crate::server::Config::body_limit
pub struct Routes {
    server: AuthorizationServer,
    /// Path → the endpoint of each HTTP method; a later registration of a method replaces an
    /// earlier one.
    paths: BTreeMap<String, Vec<(Method, Serve)>>,
}

impl Routes {
    /// No endpoints yet, for `server` (whose configuration limits the bodies read).
    pub fn new(server: AuthorizationServer) -> Self {
        Routes { server, paths: BTreeMap::new() }
    }

    /// The authorization server the endpoints belong to.
    pub fn server(&self) -> &AuthorizationServer {
        &self.server
    }

    /// The token endpoint at `/token` (POST), asking `grants` where the server decides.
    pub fn token<G: GrantHandler>(self, grants: G) -> Self {
        self.token_at("/token", grants)
    }

    /// The token endpoint at `path` (POST).
    pub fn token_at<G: GrantHandler>(self, path: &str, grants: G) -> Self {
        let endpoint = self.server.token_endpoint(grants);
        self.route(path, &[Method::POST], endpoint)
    }

    /// The pushed authorization request endpoint at `/par` (POST).
    pub fn par(self) -> Self {
        self.par_at("/par")
    }

    /// The pushed authorization request endpoint at `path` (POST).
    pub fn par_at(self, path: &str) -> Self {
        let endpoint = self.server.par_endpoint();
        self.route(path, &[Method::POST], endpoint)
    }

    /// The revocation endpoint at `/revoke` (POST).
    pub fn revocation(self) -> Self {
        self.revocation_at("/revoke")
    }

    /// The revocation endpoint at `path` (POST).
    pub fn revocation_at(self, path: &str) -> Self {
        let endpoint = self.server.revocation_endpoint();
        self.route(path, &[Method::POST], endpoint)
    }

    /// The UserInfo endpoint at `/userinfo` (GET and POST), asking `users` for their claims.
    pub fn userinfo<C: super::UserClaims>(self, users: C) -> Self {
        self.userinfo_at("/userinfo", users)
    }

    /// The UserInfo endpoint at `path` (GET and POST).
    pub fn userinfo_at<C: super::UserClaims>(self, path: &str, users: C) -> Self {
        let endpoint = self.server.userinfo_endpoint(users);
        self.route(path, &[Method::GET, Method::POST], endpoint)
    }

    /// The introspection endpoint at `/introspect` (POST), for the resource servers `callers`
    /// accepts.
    pub fn introspection<C: super::IntrospectionCallers>(self, callers: C) -> Self {
        self.introspection_at("/introspect", callers)
    }

    /// The introspection endpoint at `path` (POST).
    pub fn introspection_at<C: super::IntrospectionCallers>(self, path: &str, callers: C) -> Self {
        let endpoint = self.server.introspection_endpoint(callers);
        self.route(path, &[Method::POST], endpoint)
    }

    /// The discovery document at `/.well-known/openid-configuration` and
    /// `/.well-known/oauth-authorization-server` (GET), one endpoint (and one kept document) for
    /// both.
    pub fn discovery(self) -> Self {
        let endpoint = Arc::new(self.server.discovery_endpoint());
        self.route_shared("/.well-known/openid-configuration", &[Method::GET], Arc::clone(&endpoint)).route_shared(
            "/.well-known/oauth-authorization-server",
            &[Method::GET],
            endpoint,
        )
    }

    /// The discovery document at `path` (GET) alone: call it once per path (an issuer with a
    /// path has `/.well-known/oauth-authorization-server/{path}`, RFC 8414 §3.1). To set the
    /// endpoint's `max_age` or `patch`, route a configured [`DiscoveryEndpoint`] with
    /// [`route`](Self::route).
    ///
    /// [`DiscoveryEndpoint`]: super::DiscoveryEndpoint
    pub fn discovery_at(self, path: &str) -> Self {
        let endpoint = self.server.discovery_endpoint();
        self.route(path, &[Method::GET], endpoint)
    }

    /// The JWK Set document at `/jwks` (GET).
    pub fn jwks(self) -> Self {
        self.jwks_at("/jwks")
    }

    /// The JWK Set document at `path` (GET).
    pub fn jwks_at(self, path: &str) -> Self {
        let endpoint = self.server.jwks_endpoint();
        self.route(path, &[Method::GET], endpoint)
    }

    /// Dynamic client registration at `/register` (POST) and client management at
    /// `/register/{client_id}` (GET, PUT, DELETE).
    pub fn registration(self) -> Self {
        self.registration_at("/register")
    }

    /// Dynamic client registration at `path` (POST) and client management at
    /// `{path}/{client_id}` (GET, PUT, DELETE). Authlete writes the latter as the
    /// `registration_client_uri` from the service's `registrationManagementEndpoint`, which must
    /// name the same place.
    pub fn registration_at(self, path: &str) -> Self {
        let endpoint = Arc::new(self.server.registration_endpoint());
        let manage = format!("{}/{{client_id}}", path.trim_end_matches('/'));
        self.route_shared(path, &[Method::POST], Arc::clone(&endpoint)).route_shared(
            &manage,
            &[Method::GET, Method::PUT, Method::DELETE],
            endpoint,
        )
    }

    /// Grant management at `/grants/{grant_id}` (GET, DELETE).
    pub fn grant_management(self) -> Self {
        self.grant_management_at("/grants")
    }

    /// Grant management at `{path}/{grant_id}` (GET, DELETE).
    pub fn grant_management_at(self, path: &str) -> Self {
        let endpoint = self.server.grant_management_endpoint();
        let grant = format!("{}/{{grant_id}}", path.trim_end_matches('/'));
        self.route(&grant, &[Method::GET, Method::DELETE], endpoint)
    }

    /// The authorization endpoint at `/authorize` (GET, POST) and the decision its page posts at
    /// `/authorize/decision` (POST), signing users in with `users` and showing `pages`.
    #[cfg(feature = "interactive")]
    pub fn authorization<U: super::Users, P: super::Pages>(self, users: U, pages: P) -> Self {
        let flow = self.server.authorization_flow(users, pages);
        self.authorization_at("/authorize", flow)
    }

    /// The authorization endpoint at `path` (GET, POST) and its decision endpoint at the flow's
    /// [`decision_route`](super::AuthorizationFlow::decision_route) (POST).
    #[cfg(feature = "interactive")]
    pub fn authorization_at<U: super::Users, P: super::Pages>(
        self,
        path: &str,
        flow: super::AuthorizationFlow<U, P>,
    ) -> Self {
        let decision = flow.decision_route().to_owned();
        let (authorize, decide) = flow.endpoints();
        self.route(path, &[Method::GET, Method::POST], authorize).route(&decision, &[Method::POST], decide)
    }

    /// The device flow's verification page at `/device` (GET, POST), signing users in with
    /// `users` and showing `pages`. The service's `deviceVerificationUri` names it.
    #[cfg(feature = "interactive")]
    pub fn device_verification<U: super::Users, P: super::Pages>(self, users: U, pages: P) -> Self {
        let endpoint = self.server.device_verification_endpoint(users, pages);
        let path = endpoint.route().to_owned();
        self.route(&path, &[Method::GET, Method::POST], endpoint)
    }

    /// The device authorization endpoint at `/device_authorization` (POST).
    pub fn device_authorization(self) -> Self {
        self.device_authorization_at("/device_authorization")
    }

    /// The device authorization endpoint at `path` (POST).
    pub fn device_authorization_at(self, path: &str) -> Self {
        let endpoint = self.server.device_authorization_endpoint();
        self.route(path, &[Method::POST], endpoint)
    }

    /// The backchannel authentication endpoint at `/backchannel` (POST), asking `users` who the
    /// hint names and telling them about the request.
    pub fn backchannel<U: super::BackchannelUsers>(self, users: U) -> Self {
        self.backchannel_at("/backchannel", users)
    }

    /// The backchannel authentication endpoint at `path` (POST).
    pub fn backchannel_at<U: super::BackchannelUsers>(self, path: &str, users: U) -> Self {
        let endpoint = self.server.backchannel_endpoint(users);
        self.route(path, &[Method::POST], endpoint)
    }

    /// The CIBA approval page at `/ciba` (GET, POST) for the requests in `inbox`, signing users
    /// in with `users` and showing `pages`.
    #[cfg(feature = "interactive")]
    pub fn backchannel_approval<U: super::Users, P: super::Pages>(
        self,
        users: U,
        pages: P,
        inbox: super::BackchannelInbox,
    ) -> Self {
        let endpoint = self.server.backchannel_approval_endpoint(users, pages, inbox);
        let path = endpoint.route().to_owned();
        self.route(&path, &[Method::GET, Method::POST], endpoint)
    }

    /// The sign-out endpoint at `/logout` (POST), showing `pages`.
    #[cfg(feature = "interactive")]
    pub fn sign_out<P: super::Pages>(self, pages: P) -> Self {
        let endpoint = self.server.sign_out_endpoint(pages);
        self.route("/logout", &[Method::POST], endpoint)
    }

    /// `handler` at `path` (axum's syntax: `/register/{client_id}`) for each of `methods`. A
    /// method already routed at `path` is routed to `handler` from now on.
    ///
    /// Any [`Handler`] fits: the toolkit's endpoints configured beyond their defaults, or the
    /// server's own.
    pub fn route(self, path: &str, methods: &[Method], handler: impl Handler) -> Self {
        self.route_shared(path, methods, Arc::new(handler))
    }

    /// `handler` at `path` for `methods`, the same endpoint (and what it keeps) as at the other
    /// paths it is routed at.
    fn route_shared<H: Handler>(mut self, path: &str, methods: &[Method], handler: Arc<H>) -> Self {
        let limit = self.server.config().body_limit();
        let serve: Serve = Arc::new(move |request| {
            let handler = Arc::clone(&handler);
            Box::pin(async move {
                let request = match read(request, limit).await {
                    Ok(request) => request,
                    Err(refusal) => return refusal,
                };
                into_axum(handler.handle(request).await)
            })
        });
        let routes = self.paths.entry(path.to_owned()).or_default();
        for method in methods {
            routes.retain(|(routed, _)| routed != method);
            routes.push((method.clone(), Arc::clone(&serve)));
        }
        self
    }

    /// The router, to serve or to merge into the application's.
    ///
    /// # Panics
    ///
    /// Where axum's [`Router::route`] panics: a path that does not start with `/`, or two
    /// paths that axum cannot tell apart.
    pub fn build(self) -> Router {
        self.into_router()
    }

    /// The router, for an application whose router has the state `S` (the endpoints use none).
    ///
    /// # Panics
    ///
    /// As [`Routes::build`].
    pub fn into_router<S>(self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let mut router = Router::new();
        for (path, methods) in self.paths {
            let methods = Arc::new(methods);
            // One dispatch for all methods of the path, rather than axum's method router: the
            // 405 answer is then the toolkit's OAuth JSON, and any method (even an extension
            // method) can be routed.
            router = router
                .route(&path, any(move |request: axum::extract::Request| dispatch(Arc::clone(&methods), request)));
        }
        router
    }
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths: BTreeMap<&str, Vec<&str>> = self
            .paths
            .iter()
            .map(|(path, methods)| (path.as_str(), methods.iter().map(|(method, _)| method.as_str()).collect()))
            .collect();
        f.debug_struct("Routes").field("server", &self.server).field("paths", &paths).finish()
    }
}

/// The endpoint of the request's method, or `405` naming the methods the path takes. `HEAD` goes
/// to the `GET` endpoint (axum leaves out the body).
async fn dispatch(methods: Arc<Vec<(Method, Serve)>>, request: axum::extract::Request) -> AxumResponse {
    let method = request.method();
    let found = methods.iter().find(|(routed, _)| routed == method).or_else(|| {
        (method == Method::HEAD).then(|| methods.iter().find(|(routed, _)| routed == Method::GET)).flatten()
    });
    if let Some((_, serve)) = found {
        return serve(request).await;
    }
    let mut allowed: Vec<&str> = methods.iter().map(|(method, _)| method.as_str()).collect();
    if allowed.contains(&"GET") && !allowed.contains(&"HEAD") {
        allowed.push("HEAD");
    }
    let allowed = allowed.join(", ");
    let refusal = response::oauth_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        &format!("the endpoint takes {allowed}, not {method}"),
    );
    into_axum(response::with_header(refusal, header::ALLOW, &allowed))
}

/// The toolkit's request from an axum request: the body read up to `limit` bytes and one more
/// (so that the handler sees it is too large), the original URI, and the client certificate of
/// the extensions.
async fn read(request: axum::extract::Request, limit: usize) -> Result<Request, AxumResponse> {
    let (parts, body) = request.into_parts();
    let body = read_body(body, limit).await?;
    // The parts are the request's own: moved, not copied.
    let Parts { method, uri, headers, extensions, .. } = parts;
    let uri = extensions.get::<OriginalUri>().map_or(uri, |original| original.0.clone());
    let request = Request::new(method, uri, headers, body);
    Ok(match extensions.get::<ClientCertificate>() {
        Some(certificate) => request.client_certificate(certificate.0.clone()),
        None => request,
    })
}

/// The body, read no further than `limit` + 1 bytes: a body over the limit reaches the endpoint
/// with one byte too many, and the endpoint refuses it with `413` in its own form (an OAuth error
/// JSON, or a page for a browser). `400` when the body cannot be read.
async fn read_body(mut body: Body, limit: usize) -> Result<Vec<u8>, AxumResponse> {
    let mut bytes = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return Err(into_axum(response::invalid_request("the request body could not be read")));
        };
        if let Ok(data) = frame.into_data() {
            let room = (limit + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&data[..data.len().min(room)]);
            if bytes.len() > limit {
                // Enough to know: the rest is never read (nor buffered).
                break;
            }
        }
    }
    Ok(bytes)
}

/// The toolkit's request from the parts of an axum request and its body.
fn toolkit_request(parts: &Parts, body: Vec<u8>) -> Request {
    // The path the client used, before a `Router::nest` took its prefix off: DPoP's `htu`.
    let uri = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.clone(), |original| original.0.clone());
    let request = Request::new(parts.method.clone(), uri, parts.headers.clone(), body);
    match parts.extensions.get::<ClientCertificate>() {
        Some(certificate) => request.client_certificate(certificate.0.clone()),
        None => request,
    }
}

/// The toolkit's response as axum's.
fn into_axum(response: http::Response<String>) -> AxumResponse {
    response.map(Body::from)
}

/// The access token of the request, validated: an axum extractor.
///
/// The validator comes from the request's extensions if one was put there (an
/// [`Extension`](axum::Extension) layer, to require other scopes on part of the routes), else
/// from the router's state ([`FromRef`]). When [`require_token`] has already validated the
/// request, its result is used (no second call to Authlete), checked against this validator's
/// required scopes (`403 insufficient_scope` if it lacks one).
///
/// The token is read from the `Authorization` header (or from the query, where the validator
/// allows it); an extractor does not see the body, so a token in a form body needs
/// [`require_token`]. When the request is refused, the rejection is the validator's response
/// (`401` with a challenge, `403`, `503`, …), sent as it is.
///
/// The handler sends a [`ValidatedToken::dpop_nonce`] itself, as a `DPoP-Nonce` header
/// ([`require_token`] does it for the routes it covers).
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use authlete::server::axum::ValidToken;
/// use authlete::server::{AccessTokenValidator, AuthorizationServer, Config};
///
/// async fn orders(ValidToken(token): ValidToken) -> String {
///     format!("the orders of {}", token.subject.as_deref().unwrap_or("a client"))
/// }
///
/// # async fn run(service: authlete::Service) -> Result<(), Box<dyn std::error::Error>> {
/// let server = AuthorizationServer::new(service, Config::new("https://api.example.com")?);
/// let validator: AccessTokenValidator = server.access_token_validator().scopes(["orders.read"]);
/// let app: Router = Router::new().route("/orders", get(orders)).with_state(validator);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ValidToken(pub ValidatedToken);

impl<S> FromRequestParts<S> for ValidToken
where
    AccessTokenValidator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AxumResponse;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let validator = match parts.extensions.get::<AccessTokenValidator>() {
            Some(validator) => validator.clone(),
            None => AccessTokenValidator::from_ref(state),
        };
        if let Some(token) = parts.extensions.get::<ValidatedToken>() {
            return match validator.check_scopes(token) {
                Ok(()) => Ok(ValidToken(token.clone())),
                Err(refusal) => Err(into_axum(refusal)),
            };
        }
        let request = toolkit_request(parts, Vec::new());
        validator.validate(&request).await.map(ValidToken).map_err(into_axum)
    }
}

/// The token [`require_token`] validated, in any router (with any state) under that layer.
///
/// Without the layer there is nothing to extract: that is a mistake in the server's routes, and
/// the client gets `500 server_error` (logged).
impl<S: Send + Sync> FromRequestParts<S> for ValidatedToken {
    type Rejection = AxumResponse;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<ValidatedToken>() {
            Some(token) => Ok(token.clone()),
            None => Err(into_axum(response::unexpected_answer(
                super::Endpoint::Resource,
                "a handler extracts ValidatedToken on a route that require_token does not cover",
            ))),
        }
    }
}

/// The layer [`require_token`] makes: axum's [`FromFnLayer`] around the validator.
pub type RequireToken = FromFnLayer<
    fn(State<AccessTokenValidator>, axum::extract::Request, Next) -> BoxedFuture,
    AccessTokenValidator,
    (State<AccessTokenValidator>, axum::extract::Request),
>;

/// The future of the middleware of [`require_token`] (and of each route of [`Routes`]): the
/// response, boxed.
pub type BoxedFuture = Pin<Box<dyn Future<Output = AxumResponse> + Send>>;

/// A layer that validates the access token of every request with `validator` before the routes
/// see it: a refused request gets the validator's response and goes no further; an accepted one
/// carries its [`ValidatedToken`] in the request's extensions (extract it as `ValidatedToken`,
/// [`ValidToken`] or `Extension<ValidatedToken>`), and the response gets the `DPoP-Nonce` header
/// Authlete asked for.
///
/// A token in a form body (`POST` with `application/x-www-form-urlencoded`, RFC 6750 §2.2) is
/// read too: such a body is read into memory, up to [`Config::body_limit`] (larger is `413`),
/// and passed on to the routes. Other bodies are passed on unread.
///
/// Add it with [`Router::route_layer`](axum::Router::route_layer) so that a path without a
/// route stays `404`, or with [`Router::layer`](axum::Router::layer) to refuse every request
/// without a valid token.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use authlete::server::axum::require_token;
/// use authlete::server::{AuthorizationServer, ValidatedToken};
///
/// async fn me(token: ValidatedToken) -> String {
///     token.subject.unwrap_or_default()
/// }
///
/// # fn run(server: AuthorizationServer) {
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .route_layer(require_token(server.access_token_validator().scopes(["profile"])));
/// # }
/// ```
///
/// [`Config::body_limit`]: crate::server::Config::body_limit
pub fn require_token(validator: AccessTokenValidator) -> RequireToken {
    axum::middleware::from_fn_with_state(validator, |State(validator), request, next| {
        Box::pin(validate_then(validator, request, next)) as BoxedFuture
    })
}

/// The middleware of [`require_token`].
async fn validate_then(validator: AccessTokenValidator, request: axum::extract::Request, next: Next) -> AxumResponse {
    let (mut parts, body) = request.into_parts();
    let limit = validator.server().config().body_limit();
    // Only a form body can carry a token (RFC 6750 §2.2); any other is left unread for the
    // route, which may stream it or allow more than the limit.
    let form = parts.method == Method::POST
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|media| media.split(';').next())
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let (read, body) = if form {
        match read_body(body, limit).await {
            Ok(bytes) if bytes.len() > limit => return into_axum(response::too_large(limit)),
            Ok(bytes) => (bytes.clone(), Body::from(bytes)),
            Err(refusal) => return refusal,
        }
    } else {
        (Vec::new(), body)
    };
    let token = match validator.validate(&toolkit_request(&parts, read)).await {
        Ok(token) => token,
        Err(refusal) => return into_axum(refusal),
    };
    let nonce = token.dpop_nonce.clone();
    parts.extensions.insert(token);
    let mut response = next.run(axum::extract::Request::from_parts(parts, body)).await;
    if let Some(nonce) = nonce.and_then(|nonce| HeaderValue::from_str(&nonce).ok()) {
        let name = HeaderName::from_static("dpop-nonce");
        if !response.headers().contains_key(&name) {
            response.headers_mut().insert(name, nonce);
        }
    }
    response
}
