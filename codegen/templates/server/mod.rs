//! The server toolkit: every Authlete-backed endpoint of an authorization server as a handler,
//! and access-token validation for resource servers.
//!
//! Authlete does the OAuth logic; the server owns the HTTP endpoints, the users and their
//! sessions. Each handler here takes what it needs of an HTTP request ([`Request`]: method, URI,
//! headers, body, the client certificate), calls the right Authlete API, turns each `action` of
//! the answer into the HTTP response the specifications prescribe, and returns it as an
//! [`http::Response`] to send as it is. Where the server must decide (whose password this is,
//! which claims a user has, who may introspect), a small trait asks it.
//!
//! The handlers are framework-neutral: they use the `http` crate's types and no web framework.
//! The `axum` feature adds the `axum` module: `Routes`, a router with every endpoint at its
//! conventional path, and for resource servers an extractor and a layer.
//!
//! ```no_run
//! # async fn run(service: authlete::Service) -> Result<(), Box<dyn std::error::Error>> {
//! use authlete::server::{AuthorizationServer, Config, Handler as _, Request};
//!
//! let server = AuthorizationServer::new(service, Config::new("https://as.example.com")?);
//! let revocation = server.revocation_endpoint();
//! // An HTTP request as the server's framework received it.
//! let request = http::Request::post("/revoke")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .header("authorization", "Basic Y2xpZW50OnNlY3JldA==")
//!     .body(b"token=abc".to_vec())?;
//! let response: http::Response<String> = revocation.handle(Request::from_http(request)).await;
//! # Ok(())
//! # }
//! ```
//!
//! # What every endpoint does
//!
//! - Answers are JSON with `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1),
//!   `WWW-Authenticate` where the action calls for it, and `DPoP-Nonce` when Authlete asks the
//!   client to use a new nonce (RFC 9449 §8). The exceptions are the discovery document and the
//!   JWK Set ([`DiscoveryEndpoint`], [`JwksEndpoint`]): the same for everyone and secret to no
//!   one, they are sent with `Cache-Control: public, max-age=N`.
//! - A bad request never reaches Authlete: a body over [`Config::max_body_bytes`] is `413`, a
//!   wrong `Content-Type` or a body that is not a UTF-8 form is `400 invalid_request`, a
//!   malformed `Authorization` header is `401 invalid_client` (or `400 invalid_request` where a
//!   token was expected), each as an OAuth error JSON. Authentication schemes are matched in any
//!   case (RFC 9110 §11.1).
//! - When Authlete cannot be asked — down, hanging past the endpoint's timeout, answering 5xx or
//!   HTML — the client gets `503` with `Retry-After` where waiting helps, else `500`, as an
//!   OAuth `server_error`; an action newer than this crate is a `500 server_error`. The details
//!   go to the log (`tracing`), never to the client, and no secret goes to either.
//!
//! # `client_secret_basic`
//!
//! RFC 6749 §2.3.1 has the client form-encode its ID and secret before Base64, but widely used
//! client libraries send them as they are. The toolkit sends Authlete the form-decoded spelling
//! first; when Authlete refuses the client (`INVALID_CLIENT`) and the raw spelling differs (the
//! secret holds `+` or `%`), it asks once more with the raw spelling. Client authentication comes
//! before anything else in Authlete, so a refused first try has no effect.

// A handler's early answer (`Err`) is the response to send: it is moved once per request and is
// the size of any other response, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub mod authorization;
#[cfg(feature = "axum")]
pub mod axum;
pub mod ciba;
#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub mod ciba_approval;
mod config;
pub mod device;
#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub mod device_verification;
pub mod discovery;
pub mod grant_management;
pub mod introspection;
#[cfg(feature = "interactive")]
mod page_templates;
#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub mod pages;
pub mod par;
pub mod registration;
mod request;
pub mod resource;
mod response;
pub mod revocation;
#[cfg(feature = "interactive")]
mod session;
pub mod token;
pub mod userinfo;

#[cfg(feature = "interactive")]
pub use authorization::{
    AuthorizationDecisionEndpoint, AuthorizationEndpoint, AuthorizationFlow, Requirements, SignOutEndpoint, User, Users,
};
pub use ciba::{
    BackchannelDecision, BackchannelEndpoint, BackchannelError, BackchannelOutcome, BackchannelRequest,
    BackchannelUsers, Identification, NotificationError, PendingBackchannel,
};
#[cfg(feature = "interactive")]
pub use ciba_approval::{BackchannelApprovalEndpoint, BackchannelInbox};
pub use config::{
    Config, ConfigError, Endpoint, DEFAULT_ENDPOINT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_VALIDATION_TIMEOUT,
};
#[cfg(feature = "interactive")]
pub use config::{DEFAULT_INTERACTION_LIFETIME, DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE};
pub use device::DeviceAuthorizationEndpoint;
#[cfg(feature = "interactive")]
pub use device_verification::DeviceVerificationEndpoint;
pub use discovery::{DiscoveryEndpoint, JwksEndpoint, DEFAULT_DOCUMENT_MAX_AGE};
pub use grant_management::GrantManagementEndpoint;
pub use introspection::{
    Caller, CallerCredentials, CallerDecision, CallerToken, IntrospectionCallers, IntrospectionEndpoint,
    ResourceServer, StaticCallers,
};
#[cfg(feature = "interactive")]
pub use pages::{DefaultPages, Pages};
pub use par::ParEndpoint;
pub use registration::RegistrationEndpoint;
pub use request::{Request, TokenScheme};
pub use resource::{AccessTokenValidator, CacheStats, ValidatedToken};
pub use revocation::RevocationEndpoint;
#[cfg(feature = "interactive")]
pub use session::SignedIn;
pub use token::{
    ExtensionGrantDecision, GrantDecision, GrantHandler, IdTokenDecision, NativeSsoDecision, NoGrants, TokenEndpoint,
};
pub use userinfo::{
    ClaimValues, ClaimsDecision, ClaimsRequest, NoClaims, RequestedClaim, UserClaims, UserInfoEndpoint,
};

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use crate::{Error, Service};
use request::BasicCredentials;

/// What every endpoint shares: the Authlete service and the configuration. Cheap to clone.
///
/// Each endpoint is made from it (`server.token_endpoint(grants)`, …) with the traits it needs.
#[derive(Clone)]
pub struct AuthorizationServer {
    shared: Arc<Shared>,
}

struct Shared {
    service: Service,
    config: Config,
    /// The browser sessions of the interactive flows, shared by all of them (a user who signed
    /// in on the authorization page is signed in on the device page too).
    #[cfg(feature = "interactive")]
    sessions: session::Sessions,
}

impl AuthorizationServer {
    /// The endpoints of the Authlete service `service`, configured by `config`.
    pub fn new(service: Service, config: Config) -> Self {
        AuthorizationServer {
            shared: Arc::new(Shared {
                service,
                #[cfg(feature = "interactive")]
                sessions: session::Sessions::new(&config),
                config,
            }),
        }
    }

    /// The browser sessions.
    #[cfg(feature = "interactive")]
    pub(crate) fn sessions(&self) -> &session::Sessions {
        &self.shared.sessions
    }

    /// Whether a form was posted from one of this server's own pages, as far as the browser's
    /// `Origin` header tells: it is the public URL's origin, or absent (older browsers send none
    /// with same-origin forms). A form posted from another site names that site.
    #[cfg(feature = "interactive")]
    pub(crate) fn same_origin(&self, request: &Request) -> bool {
        let Some(origin) = request.headers().get(http::header::ORIGIN) else {
            return true;
        };
        let public = self.config().public_url();
        // The public URL's origin: its scheme and authority, without the path.
        let authority_end = public.find("://").map_or(public.len(), |scheme| {
            public[scheme + 3..].find('/').map_or(public.len(), |slash| scheme + 3 + slash)
        });
        origin.as_bytes().eq_ignore_ascii_case(&public.as_bytes()[..authority_end])
    }

    /// The Authlete service the endpoints call.
    pub fn service(&self) -> &Service {
        &self.shared.service
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Awaits an Authlete call for `endpoint`, bounded by the endpoint's timeout (the call's
    /// attempts and its retries together), or the response to send when it failed.
    pub(crate) async fn call<C, T>(&self, endpoint: Endpoint, call: C) -> Result<T, http::Response<String>>
    where
        C: IntoFuture<Output = Result<T, Error>>,
    {
        let timeout = self.config().timeout_of(endpoint);
        match tokio::time::timeout(timeout, call.into_future()).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(response::unavailable(endpoint, &error)),
            Err(_) => Err(response::timed_out(endpoint, timeout)),
        }
    }

    /// An Authlete call that authenticates the client, made by `call` with the credentials to
    /// send (`None` when the client sent no `Authorization: Basic`): first in the form-decoded
    /// spelling, then, when `refused` says Authlete refused the client and the raw spelling
    /// differs, once more in the raw spelling (see the [module docs](self#client_secret_basic)).
    pub(crate) async fn call_as_client<T, C>(
        &self,
        endpoint: Endpoint,
        credentials: Option<BasicCredentials>,
        mut call: impl FnMut(Option<(String, String)>) -> C,
        refused: impl Fn(&T) -> bool,
    ) -> Result<T, http::Response<String>>
    where
        C: IntoFuture<Output = Result<T, Error>>,
    {
        let Some(credentials) = credentials else {
            return self.call(endpoint, call(None)).await;
        };
        let answer = self.call(endpoint, call(Some((credentials.id, credentials.secret)))).await?;
        match credentials.raw {
            // Client authentication comes first in Authlete: a refused try changed nothing.
            Some(raw) if refused(&answer) => self.call(endpoint, call(Some(raw))).await,
            _ => Ok(answer),
        }
    }
}

/// An endpoint: a request in, the response to send out. Every endpoint of the toolkit implements
/// it, so a web framework's adapter (like the `axum` feature's) mounts any of them the same way.
pub trait Handler: Send + Sync + 'static {
    /// Handles one request. It never panics on what a client or Authlete sends; every failure is
    /// a response.
    fn handle(&self, request: Request) -> impl Future<Output = http::Response<String>> + Send;
}

impl std::fmt::Debug for AuthorizationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("service", &self.shared.service.id())
            .field("config", &self.shared.config)
            .finish()
    }
}
