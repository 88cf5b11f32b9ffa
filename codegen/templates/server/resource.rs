//! Access-token validation for resource servers (RFC 6750, RFC 9449 §7, RFC 8705 §3): the token
//! is read from the request, Authlete's `/auth/introspection` judges it, and the server gets
//! either what the token grants ([`ValidatedToken`]) or the response to refuse the request with.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

use super::config::{Config, Endpoint};
use super::request::{Request, TokenError, TokenScheme};
use super::response::{self, with_challenge, with_nonce};
use super::AuthorizationServer;
use crate::models::{
    AuthzDetails, GrantType, IntrospectionRequest, IntrospectionResponse, IntrospectionResponseAction, Pair, Property,
};
use crate::Service;

/// Validates the access tokens of requests to a protected resource, through Authlete.
///
/// Made by [`AuthorizationServer::access_token_validator`] or [`AccessTokenValidator::new`], then
/// configured: the scopes a token must cover ([`scopes`](Self::scopes)), whether the query may
/// carry it ([`token_in_query`](Self::token_in_query)), the realm of the challenges
/// ([`realm`](Self::realm)) and an optional cache of positive answers ([`cache`](Self::cache)).
/// Cheap to clone: clones share the settings and the cache.
///
/// Each [`validate`](Self::validate) reads the token (`Authorization: Bearer …` or `DPoP …` in
/// any case, a form body's `access_token`, or the query's where allowed; two of them are refused,
/// RFC 6750 §2) and asks Authlete once, with the DPoP proof, the method and URL it must sign
/// (`htm`, and `htu` = the configured public URL and the request's path) and the client
/// certificate, so that sender-constrained tokens are checked too. Authlete's verdict becomes:
///
/// | Authlete's `action` | result |
/// | --- | --- |
/// | `OK` | `Ok(ValidatedToken)` |
/// | `BAD_REQUEST`, `UNAUTHORIZED`, `FORBIDDEN`, `INTERNAL_SERVER_ERROR` | `400`, `401`, `403`, `500`, no body, `WWW-Authenticate` as Authlete wrote it |
/// | anything else | `500 server_error` |
///
/// A request without a token gets `401` with `WWW-Authenticate: Bearer realm="…"` and no error
/// code (RFC 6750 §3.1); a malformed one `400` with `error="invalid_request"`; Authlete down or
/// slower than [`Endpoint::Resource`]'s timeout, `503` (see [`Config::timeout`]). Every refusal
/// has `Cache-Control: no-store` and carries Authlete's `DPoP-Nonce` when it sends one.
///
/// ```no_run
/// # async fn run(server: authlete::server::AuthorizationServer, request: authlete::server::Request) {
/// use std::time::Duration;
///
/// let validator = server.access_token_validator().scopes(["orders.read"]).cache(10_000, Duration::from_secs(30));
/// match validator.validate(&request).await {
///     Ok(token) => println!("request of {:?} for client {:?}", token.subject, token.client_id),
///     Err(refusal) => { /* send `refusal` (an `http::Response<String>`) as it is */ }
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct AccessTokenValidator {
    server: AuthorizationServer,
    settings: Arc<Settings>,
}

#[derive(Clone)]
struct Settings {
    scopes: Vec<String>,
    token_in_query: bool,
    realm: String,
    cache: Option<Arc<TokenCache>>,
}

impl AuthorizationServer {
    /// A validator of access tokens for a resource server of this authorization server: no
    /// required scopes, no token in the query, no cache.
    pub fn access_token_validator(&self) -> AccessTokenValidator {
        let settings = Settings {
            scopes: Vec::new(),
            token_in_query: false,
            realm: self.config().public_url().to_owned(),
            cache: None,
        };
        AccessTokenValidator { server: self.clone(), settings: Arc::new(settings) }
    }
}

impl AccessTokenValidator {
    /// A validator that asks the Authlete service `service`, configured by `config` (its public
    /// URL makes the DPoP `htu`; [`Endpoint::Resource`]'s timeout bounds each validation).
    pub fn new(service: Service, config: Config) -> Self {
        AuthorizationServer::new(service, config).access_token_validator()
    }

    /// The scopes every token must cover; a token without one of them is refused with `403`
    /// (`insufficient_scope`). None by default.
    pub fn scopes<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Arc::make_mut(&mut self.settings).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Whether a token may come in the query (`?access_token=…`, RFC 6750 §2.3). Off by default:
    /// URLs end up in logs, browser histories and `Referer` headers.
    pub fn token_in_query(mut self, allowed: bool) -> Self {
        Arc::make_mut(&mut self.settings).token_in_query = allowed;
        self
    }

    /// The `realm` of the challenges the validator writes itself (a request without a token, or
    /// with a malformed one); the configured public URL by default.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.settings).realm = realm.into();
        self
    }

    /// Keeps Authlete's positive answers for at most `ttl`, up to `capacity` of them: a token
    /// seen again is then accepted without asking Authlete. Off by default.
    ///
    /// - **Revocation**: a token revoked at the authorization server stays accepted here until
    ///   its entry ends, up to `ttl` later. Keep `ttl` short (seconds), and call
    ///   [`invalidate`](Self::invalidate) when the server learns of a revocation itself.
    /// - **Expiry**: an entry never outlives the token (Authlete's `expiresAt`); one that would
    ///   is removed when it is next looked up, and Authlete is asked again.
    /// - **What is kept**: only `OK` answers, for the token, the required scopes and the client
    ///   certificate together (a certificate-bound token presented with another certificate is
    ///   asked about again). Refusals are never kept: a token that becomes valid, or a server
    ///   that recovers, is seen at once.
    /// - **DPoP**: a request with a DPoP proof (or the `DPoP` scheme) always goes to Authlete,
    ///   and its answer is not kept. Each proof is single-use and bound to its request (method,
    ///   URL, time, nonce), so only Authlete can check it; a cached answer would accept a replay.
    ///
    /// Clones of the validator share the cache. A new call replaces it with an empty one.
    pub fn cache(mut self, capacity: usize, ttl: Duration) -> Self {
        Arc::make_mut(&mut self.settings).cache = Some(Arc::new(TokenCache::new(capacity, ttl)));
        self
    }

    /// Forgets every cached answer for `token` (whatever scopes or certificate it came with), so
    /// that its next use asks Authlete: call it when the server learns that the token was revoked.
    ///
    /// It looks at every entry (the cache is keyed by token, scopes and certificate together), so
    /// it takes time in proportion to the cache's size. Without a cache it does nothing.
    pub fn invalidate(&self, token: &str) {
        if let Some(cache) = &self.settings.cache {
            cache.entries.retain(|key, _| key.token != token);
        }
    }

    /// Forgets every cached answer.
    pub fn invalidate_all(&self) {
        if let Some(cache) = &self.settings.cache {
            cache.entries.clear();
        }
    }

    /// How the cache has done so far, if there is one.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        let cache = self.settings.cache.as_ref()?;
        Some(CacheStats {
            hits: cache.hits.load(Ordering::Relaxed),
            misses: cache.misses.load(Ordering::Relaxed),
            entries: cache.entries.len(),
            capacity: cache.capacity,
            ttl: cache.ttl,
        })
    }

    /// The authorization server the validator asks.
    pub fn server(&self) -> &AuthorizationServer {
        &self.server
    }

    /// The scopes every token must cover.
    pub fn required_scopes(&self) -> &[String] {
        &self.settings.scopes
    }

    /// Validates the access token of `request`: what it grants, or the response to send instead
    /// (see the [type's docs](Self) for each case). It never panics on what a client or Authlete
    /// sends.
    pub async fn validate(&self, request: &Request) -> Result<ValidatedToken, Response<String>> {
        let settings = &*self.settings;
        let config = self.server.config();
        let presented = match request.access_token(settings.token_in_query) {
            Ok(Some(presented)) => presented,
            Ok(None) => return Err(self.missing_token()),
            Err(TokenError(why)) => return Err(self.malformed(why)),
        };
        let dpop = request.dpop();
        let certificate = request.certificate(config);
        // A DPoP proof is single-use: only Authlete can tell a fresh one from a replay.
        let cacheable = dpop.is_none() && presented.scheme == TokenScheme::Bearer;
        let cache = settings.cache.as_deref().filter(|_| cacheable);
        let key = cache.map(|_| CacheKey {
            token: presented.token.clone(),
            scopes: settings.scopes.clone(),
            certificate: certificate.clone(),
        });
        if let (Some(cache), Some(key)) = (cache, &key) {
            if let Some(token) = cache.get(key) {
                return Ok(token);
            }
        }
        let introspection = IntrospectionRequest {
            scopes: (!settings.scopes.is_empty()).then(|| settings.scopes.clone()),
            client_certificate: certificate,
            htm: Some(request.htm()),
            htu: Some(request.htu(config)),
            // Introspection only reads, so it may be sent again after a failure; not with a
            // proof, which Authlete may have recorded as used on the first attempt.
            ..IntrospectionRequest::new(presented.token.clone())
        };
        let idempotent = dpop.is_none();
        let introspection = IntrospectionRequest { dpop, ..introspection };
        let call = self.server.service().auth_introspection(&introspection).idempotent(idempotent);
        let answer = self.server.call(Endpoint::Resource, call).await?;
        let nonce = answer.dpop_nonce.clone();
        let refuse = |status| {
            let refusal = with_challenge(response::empty(status), answer.response_content.as_deref());
            Err(with_nonce(refusal, nonce.as_deref()))
        };
        match &answer.action {
            Some(IntrospectionResponseAction::Ok) => {
                let token = ValidatedToken::from_answer(presented.token, presented.scheme, &answer);
                if let (Some(cache), Some(key)) = (cache, key) {
                    cache.insert(key, &token);
                }
                Ok(token)
            }
            Some(IntrospectionResponseAction::BadRequest) => refuse(StatusCode::BAD_REQUEST),
            Some(IntrospectionResponseAction::Unauthorized) => refuse(StatusCode::UNAUTHORIZED),
            Some(IntrospectionResponseAction::Forbidden) => refuse(StatusCode::FORBIDDEN),
            Some(IntrospectionResponseAction::InternalServerError) => refuse(StatusCode::INTERNAL_SERVER_ERROR),
            Some(IntrospectionResponseAction::Unrecognized(action)) => {
                Err(response::unexpected_answer(Endpoint::Resource, &format!("action {action}")))
            }
            None => Err(response::unexpected_answer(Endpoint::Resource, "no action")),
        }
    }

    /// Whether `token` covers the scopes this validator requires; if not, the response that
    /// refuses the request (`403` with `error="insufficient_scope"` and the scopes, RFC 6750
    /// §3.1). For a token validated elsewhere (by another validator, or earlier): Authlete
    /// checks the scopes of every [`validate`](Self::validate) itself.
    pub fn check_scopes(&self, token: &ValidatedToken) -> Result<(), Response<String>> {
        let scopes = &self.settings.scopes;
        if scopes.iter().all(|scope| token.has_scope(scope)) {
            return Ok(());
        }
        let challenge = format!(
            "Bearer realm=\"{}\", error=\"insufficient_scope\", error_description=\"{}\", scope=\"{}\"",
            quoted(&self.settings.realm),
            "the access token does not cover the scopes the resource requires",
            quoted(&scopes.join(" "))
        );
        Err(challenged(StatusCode::FORBIDDEN, &challenge))
    }

    /// `401` with a bare challenge: RFC 6750 §3.1 has no error code for a request that did not
    /// try to authenticate, so that a client tells "log in" from "your token is bad".
    fn missing_token(&self) -> Response<String> {
        let challenge = format!("Bearer realm=\"{}\"", quoted(&self.settings.realm));
        challenged(StatusCode::UNAUTHORIZED, &challenge)
    }

    /// `400 invalid_request`: the token could not be read (RFC 6750 §3.1).
    fn malformed(&self, why: &str) -> Response<String> {
        let challenge = format!(
            "Bearer realm=\"{}\", error=\"invalid_request\", error_description=\"{}\"",
            quoted(&self.settings.realm),
            quoted(why)
        );
        challenged(StatusCode::BAD_REQUEST, &challenge)
    }
}

impl fmt::Debug for AccessTokenValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &*self.settings;
        f.debug_struct("AccessTokenValidator")
            .field("server", &self.server)
            .field("scopes", &settings.scopes)
            .field("token_in_query", &settings.token_in_query)
            .field("realm", &settings.realm)
            .field("cache", &self.cache_stats())
            .finish()
    }
}

/// A response without a body that carries `challenge`, never stored.
fn challenged(status: StatusCode, challenge: &str) -> Response<String> {
    let mut refusal = response::empty(status);
    if let Ok(value) = HeaderValue::from_str(challenge) {
        refusal.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    refusal
}

/// `text` as the inside of an RFC 9110 quoted string: `"` and `\` escaped, control characters
/// (which no header may hold) left out.
fn quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()) {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted
}

/// What a valid access token grants, as Authlete knows it: who, which client, which scopes,
/// until when, and the details the token was issued with.
///
/// Its `Debug` output leaves out the token and the values of the token's properties.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidatedToken {
    /// The resource owner (`sub`); `None` for a token of the client credentials grant.
    pub subject: Option<String>,
    /// The scopes the token covers.
    pub scopes: Vec<String>,
    /// The client the token was issued to (its number at Authlete).
    pub client_id: Option<i64>,
    /// The client's alias, if it has one.
    pub client_id_alias: Option<String>,
    /// When the token expires.
    pub expires_at: Option<SystemTime>,
    /// The extra properties the authorization server attached to the token.
    pub properties: Vec<Property>,
    /// The claims the user consented to the client knowing.
    pub consented_claims: Vec<String>,
    /// The resources the token is for (RFC 8707): the narrowed set of the token request if
    /// there was one, else those of the authorization request.
    pub resources: Vec<String>,
    /// The `authorization_details` the token was issued with (RFC 9396).
    pub authorization_details: Option<AuthzDetails>,
    /// The ACR of the user's authentication (RFC 9470).
    pub acr: Option<String>,
    /// When the user authenticated (RFC 9470).
    pub auth_time: Option<SystemTime>,
    /// The grant the token belongs to (FAPI Grant Management).
    pub grant_id: Option<String>,
    /// The grant type the token was issued by.
    pub grant_type: Option<GrantType>,
    /// The SHA-256 thumbprint of the certificate the token is bound to (RFC 8705 §3.1), if any.
    pub certificate_thumbprint: Option<String>,
    /// The attributes of the client.
    pub client_attributes: Vec<Pair>,
    /// The nonce the client must put in its next DPoP proof (RFC 9449 §9): send it in a
    /// `DPoP-Nonce` header of the response (the `axum` feature's `require_token` layer does).
    pub dpop_nonce: Option<String>,
    /// Whether the response must be signed (RFC 9421 HTTP Message Signatures, FAPI 2.0 Message
    /// Signing).
    pub response_signing_required: bool,
    /// How the token was presented.
    pub scheme: TokenScheme,
    token: String,
}

impl ValidatedToken {
    /// The token of an `OK` answer.
    fn from_answer(token: String, scheme: TokenScheme, answer: &IntrospectionResponse) -> Self {
        let resources = answer.access_token_resources.clone().or_else(|| answer.resources.clone());
        ValidatedToken {
            subject: answer.subject.clone(),
            scopes: answer.scopes.clone().unwrap_or_default(),
            client_id: answer.client_id,
            client_id_alias: answer.client_id_alias.clone(),
            expires_at: answer.expires_at.and_then(|ms| after_epoch(ms, Duration::from_millis)),
            properties: answer.properties.clone().unwrap_or_default(),
            consented_claims: answer.consented_claims.clone().unwrap_or_default(),
            resources: resources.unwrap_or_default(),
            authorization_details: answer.authorization_details.clone(),
            acr: answer.acr.clone(),
            // Seconds, where `expiresAt` is milliseconds (authlete-java-common's
            // `IntrospectionResponse.getAuthTime`); 0 means unknown.
            auth_time: answer.auth_time.filter(|&s| s > 0).and_then(|s| after_epoch(s, Duration::from_secs)),
            grant_id: answer.grant_id.clone(),
            grant_type: answer.grant_type.clone(),
            certificate_thumbprint: answer.certificate_thumbprint.clone(),
            client_attributes: answer.client_attributes.clone().unwrap_or_default(),
            dpop_nonce: answer.dpop_nonce.clone(),
            response_signing_required: answer.response_signing_required.unwrap_or(false),
            scheme,
            token,
        }
    }

    /// The access token itself (to call another API on the user's behalf, say). Keep it out of
    /// logs.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether the token covers `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The value of the token's property `key`, if it has one.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.iter().find(|p| p.key.as_deref() == Some(key)).and_then(|p| p.value.as_deref())
    }
}

impl fmt::Debug for ValidatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Property values may be anything the authorization server attached, secrets included.
        let property_keys: Vec<&str> = self.properties.iter().filter_map(|p| p.key.as_deref()).collect();
        f.debug_struct("ValidatedToken")
            .field("token", &"[redacted]")
            .field("scheme", &self.scheme)
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .field("client_id", &self.client_id)
            .field("client_id_alias", &self.client_id_alias)
            .field("expires_at", &self.expires_at)
            .field("property_keys", &property_keys)
            .field("consented_claims", &self.consented_claims)
            .field("resources", &self.resources)
            .field("authorization_details", &self.authorization_details.is_some())
            .field("acr", &self.acr)
            .field("auth_time", &self.auth_time)
            .field("grant_id", &self.grant_id)
            .field("grant_type", &self.grant_type)
            .field("certificate_thumbprint", &self.certificate_thumbprint)
            .field("dpop_nonce", &self.dpop_nonce)
            .field("response_signing_required", &self.response_signing_required)
            .finish_non_exhaustive()
    }
}

/// `value` units after the Unix epoch, if that is a time this system can represent.
fn after_epoch(value: i64, unit: fn(u64) -> Duration) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(unit(u64::try_from(value).ok()?))
}

/// How the validator's cache has done ([`AccessTokenValidator::cache_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Validations answered from the cache.
    pub hits: u64,
    /// Validations that could use the cache and asked Authlete (no entry, or an expired one).
    /// Requests with a DPoP proof are in neither count.
    pub misses: u64,
    /// Entries now in the cache (expired ones included until they are looked up or evicted).
    pub entries: usize,
    /// The most entries the cache holds.
    pub capacity: usize,
    /// The longest an entry is used.
    pub ttl: Duration,
}

/// Authlete's positive answers, bounded in number (`quick_cache` evicts the least useful) and
/// in time (each entry carries its own deadline).
struct TokenCache {
    entries: quick_cache::sync::Cache<CacheKey, Entry>,
    capacity: usize,
    ttl: Duration,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What Authlete's answer depended on, besides the proof a cached request never has.
#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    token: String,
    scopes: Vec<String>,
    certificate: Option<String>,
}

#[derive(Clone)]
struct Entry {
    token: Arc<ValidatedToken>,
    /// `min(inserted + ttl, the token's expiry)`, on the monotonic clock.
    deadline: Instant,
}

impl TokenCache {
    fn new(capacity: usize, ttl: Duration) -> Self {
        TokenCache {
            // quick_cache takes no zero capacity; one entry is the least that caches anything.
            entries: quick_cache::sync::Cache::new(capacity.max(1)),
            capacity: capacity.max(1),
            ttl,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The entry for `key` if it is still good; an expired one is removed.
    fn get(&self, key: &CacheKey) -> Option<ValidatedToken> {
        let now = Instant::now();
        match self.entries.get(key) {
            Some(entry) if now < entry.deadline => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(ValidatedToken::clone(&entry.token))
            }
            expired => {
                if expired.is_some() {
                    // Only if it is still the expired one: another request may have put a fresh
                    // answer there meanwhile.
                    self.entries.remove_if(key, |entry| entry.deadline <= now);
                }
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Keeps `token` until the TTL ends or the token expires, whichever comes first; a token that
    /// expires now is not kept.
    fn insert(&self, key: CacheKey, token: &ValidatedToken) {
        let now = Instant::now();
        let lifetime = match token.expires_at {
            Some(expires_at) => match expires_at.duration_since(SystemTime::now()) {
                Ok(left) => left.min(self.ttl),
                Err(_) => return,
            },
            None => self.ttl,
        };
        if lifetime.is_zero() {
            return;
        }
        let Some(deadline) = now.checked_add(lifetime) else { return };
        // The nonce is for the response to this request only.
        let token = ValidatedToken { dpop_nonce: None, ..token.clone() };
        self.entries.insert(key, Entry { token: Arc::new(token), deadline });
    }
}
