//! The toolkit's configuration, in one place: where the server is reached, what a proxy in front
//! of it passes on, how much of a request it reads, and how long each endpoint waits for Authlete.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use http::header::HeaderName;
use http::Uri;

/// How long an endpoint waits for Authlete by default: the whole exchange, retries included.
///
/// A person or a client library is waiting on the other side, so this is far below the client's
/// own retry deadline (60 s); past it the endpoint answers `503` with `Retry-After`.
pub const DEFAULT_ENDPOINT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a resource server waits for Authlete's verdict on an access token by default.
pub const DEFAULT_VALIDATION_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest request body an endpoint reads by default: OAuth requests are small, but request
/// objects, client assertions and software statements are JWTs that can run to kilobytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// How long a browser session of the interactive flows lasts without being used, by default
/// ([`Config::session_idle`]).
#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(8 * 60 * 60);

/// How long a page that asks the user to decide (consent, a device code's approval) can be
/// answered, by default ([`Config::interaction_lifetime`]).
#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub const DEFAULT_INTERACTION_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The most browser sessions a server keeps, by default ([`Config::max_sessions`]).
#[cfg(feature = "interactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
pub const DEFAULT_MAX_SESSIONS: usize = 100_000;

/// The endpoints of the toolkit, to configure them one by one ([`Config::timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// The token endpoint (RFC 6749 §3.2).
    Token,
    /// The pushed authorization request endpoint (RFC 9126).
    PushedAuthorization,
    /// The introspection endpoint (RFC 7662) that resource servers call.
    Introspection,
    /// The revocation endpoint (RFC 7009).
    Revocation,
    /// The UserInfo endpoint (OpenID Connect Core §5.3).
    UserInfo,
    /// The discovery documents (OpenID Connect Discovery, RFC 8414).
    Discovery,
    /// The JWK Set document.
    Jwks,
    /// Dynamic client registration and management (RFC 7591, RFC 7592).
    Registration,
    /// Grant management (FAPI Grant Management).
    GrantManagement,
    /// Access-token validation by a resource server ([`AccessTokenValidator`](super::AccessTokenValidator)).
    Resource,
    /// The authorization endpoint (RFC 6749 §3.1) and the user's decision on its page.
    Authorization,
    /// The device authorization endpoint (RFC 8628 §3.1).
    DeviceAuthorization,
    /// The device flow's verification page, where the user enters the code (RFC 8628 §3.3).
    DeviceVerification,
    /// The backchannel authentication endpoint (OpenID Connect CIBA §7) and the user's decision.
    Backchannel,
}

impl Endpoint {
    /// The name used in logs and spans: `token`, `userinfo`, ….
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::PushedAuthorization => "par",
            Endpoint::Introspection => "introspection",
            Endpoint::Revocation => "revocation",
            Endpoint::UserInfo => "userinfo",
            Endpoint::Discovery => "discovery",
            Endpoint::Jwks => "jwks",
            Endpoint::Registration => "registration",
            Endpoint::GrantManagement => "grant_management",
            Endpoint::Resource => "resource",
            Endpoint::Authorization => "authorization",
            Endpoint::DeviceAuthorization => "device_authorization",
            Endpoint::DeviceVerification => "device_verification",
            Endpoint::Backchannel => "backchannel",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The toolkit's configuration: [`Config::new`] with the server's public URL, then the settings
/// that differ from the defaults.
///
/// ```
/// use std::time::Duration;
/// use authlete::server::{Config, Endpoint};
///
/// let config = Config::new("https://as.example.com")?
///     .client_certificate_header("x-ssl-client-cert")?
///     .max_body_bytes(16 * 1024)
///     .timeout(Endpoint::Token, Duration::from_secs(5));
/// assert_eq!(config.public_url(), "https://as.example.com");
/// # Ok::<(), authlete::server::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    public_url: String,
    client_certificate_header: Option<HeaderName>,
    max_body_bytes: usize,
    default_timeout: Duration,
    timeouts: BTreeMap<Endpoint, Duration>,
    #[cfg(feature = "interactive")]
    sessions: SessionLimits,
}

/// What the browser sessions of the interactive flows keep, and for how long.
#[cfg(feature = "interactive")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionLimits {
    pub(crate) idle: Duration,
    pub(crate) interaction_lifetime: Duration,
    pub(crate) max_sessions: usize,
}

impl Config {
    /// A configuration for a server that clients reach at `public_url` (`https://as.example.com`,
    /// or with a path prefix, `https://example.com/oauth`).
    ///
    /// The URL, not the `Host` or `X-Forwarded-*` headers of a request (which any caller can
    /// set), is what DPoP proofs are checked against (`htu` is the public URL and the request's
    /// path) and what the discovery document names.
    pub fn new(public_url: impl Into<String>) -> Result<Self, ConfigError> {
        let public_url = public_url.into();
        let trimmed = public_url.trim_end_matches('/');
        let uri: Uri = trimmed.parse().map_err(|_| ConfigError::PublicUrl(public_url.clone()))?;
        let absolute = matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some();
        if !absolute || uri.query().is_some() || trimmed.contains('#') {
            return Err(ConfigError::PublicUrl(public_url));
        }
        Ok(Config {
            public_url: trimmed.to_owned(),
            client_certificate_header: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            default_timeout: DEFAULT_ENDPOINT_TIMEOUT,
            timeouts: BTreeMap::from([(Endpoint::Resource, DEFAULT_VALIDATION_TIMEOUT)]),
            #[cfg(feature = "interactive")]
            sessions: SessionLimits {
                idle: DEFAULT_SESSION_IDLE,
                interaction_lifetime: DEFAULT_INTERACTION_LIFETIME,
                max_sessions: DEFAULT_MAX_SESSIONS,
            },
        })
    }

    /// The header in which a TLS-terminating proxy passes the client's certificate, for mutual
    /// TLS client authentication (RFC 8705 §2) and certificate-bound tokens (§3).
    ///
    /// Set it only when every request comes through that proxy and the proxy overwrites the
    /// header: a client that reaches the server directly could otherwise name any certificate.
    /// The value may be PEM, URL-encoded PEM (nginx's `$ssl_client_escaped_cert`) or RFC 9440's
    /// `:base64 DER:` form. A server that terminates TLS itself passes the certificate with
    /// [`Request::client_certificate`](super::Request::client_certificate) instead.
    pub fn client_certificate_header(mut self, name: &str) -> Result<Self, ConfigError> {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| ConfigError::HeaderName(name.to_owned()))?;
        self.client_certificate_header = Some(name);
        Ok(self)
    }

    /// The largest request body an endpoint reads ([`DEFAULT_MAX_BODY_BYTES`] by default); a
    /// larger one is refused with `413` and an OAuth error.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// How long every endpoint waits for Authlete, unless [`Config::timeout`] says otherwise
    /// ([`DEFAULT_ENDPOINT_TIMEOUT`] by default; resource servers [`DEFAULT_VALIDATION_TIMEOUT`]).
    pub fn default_timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = timeout;
        self.timeouts.clear();
        self
    }

    /// How long `endpoint` waits for Authlete: every call it makes for one request, retries
    /// included. Past it the client gets `503` with `Retry-After`.
    pub fn timeout(mut self, endpoint: Endpoint, timeout: Duration) -> Self {
        self.timeouts.insert(endpoint, timeout);
        self
    }

    /// How long a browser session lasts without being used ([`DEFAULT_SESSION_IDLE`] by
    /// default): past it the user signs in again. The session cookie lives as long (in whole
    /// seconds, at least one).
    #[cfg(feature = "interactive")]
    #[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
    pub fn session_idle(mut self, idle: Duration) -> Self {
        self.sessions.idle = idle;
        self
    }

    /// How long a page that asks the user to decide can be answered
    /// ([`DEFAULT_INTERACTION_LIFETIME`] by default); a later decision gets the page that says
    /// the request expired. Authlete's tickets expire on their own (ten minutes unless the
    /// service says otherwise): this bounds only what the session keeps.
    #[cfg(feature = "interactive")]
    #[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
    pub fn interaction_lifetime(mut self, lifetime: Duration) -> Self {
        self.sessions.interaction_lifetime = lifetime;
        self
    }

    /// The most browser sessions the server keeps in memory ([`DEFAULT_MAX_SESSIONS`] by
    /// default, at least one); past it the least recently used go first, and their users sign
    /// in again.
    #[cfg(feature = "interactive")]
    #[cfg_attr(docsrs, doc(cfg(feature = "interactive")))]
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.sessions.max_sessions = max.max(1);
        self
    }

    /// What the browser sessions keep, and for how long.
    #[cfg(feature = "interactive")]
    pub(crate) fn session_limits(&self) -> SessionLimits {
        self.sessions
    }

    /// The URL clients use for this server, without a trailing `/`.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The header a proxy passes the client certificate in, if one was set.
    pub fn certificate_header(&self) -> Option<&HeaderName> {
        self.client_certificate_header.as_ref()
    }

    /// The largest request body an endpoint reads.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// How long `endpoint` waits for Authlete.
    pub fn timeout_of(&self, endpoint: Endpoint) -> Duration {
        self.timeouts.get(&endpoint).copied().unwrap_or(self.default_timeout)
    }
}

/// A setting [`Config`] cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The public URL is not an absolute `http` or `https` URL without query or fragment.
    PublicUrl(String),
    /// The text is not a valid HTTP header name.
    HeaderName(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::PublicUrl(url) => {
                write!(f, "the public URL `{url}` is not an absolute http or https URL without query or fragment")
            }
            ConfigError::HeaderName(name) => write!(f, "`{name}` is not a valid HTTP header name"),
        }
    }
}

impl std::error::Error for ConfigError {}
