//! The introspection endpoint that resource servers call (RFC 7662, RFC 9701):
//! `/auth/introspection/standard`, and who may call it ([`IntrospectionCallers`]).

use std::fmt;
use std::future::Future;

use http::header::{self, HeaderMap};
use http::{Response, StatusCode};

use super::config::Endpoint;
use super::request::{is_token68, split_credentials, BasicCredentials, Request};
use super::response::{self, json};
use super::{AuthorizationServer, Handler};
use crate::models::{StandardIntrospectionRequest, StandardIntrospectionResponse, StandardIntrospectionResponseAction};

/// The realm of the `Basic` challenge the endpoint sends to a caller it refuses.
const REALM: &str = "introspection";

/// The media type of a JWT introspection response (RFC 9701 §4).
const JWT_MEDIA_TYPE: &str = "application/token-introspection+jwt";

/// Who is asking, as the `Authorization` header of an introspection request says.
///
/// RFC 7662 §2.1 leaves the means to the server ("client authentication … or a separate access
/// token"); the toolkit reads the two that travel in `Authorization`, in any case of the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caller {
    /// `Authorization: Basic`: a resource server's ID and secret.
    Basic(CallerCredentials),
    /// `Authorization: Bearer`: a token the resource server holds.
    Bearer(CallerToken),
}

/// A caller's ID and secret from `Authorization: Basic`, in both spellings a client may have used:
/// form-decoded (RFC 6749 §2.3.1) and, where it differs, raw (see the
/// [module docs](super#client_secret_basic)). The secret is in no `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct CallerCredentials {
    id: String,
    secret: String,
    raw: Option<(String, String)>,
}

impl CallerCredentials {
    /// Credentials as a caller sent them in `Authorization: Basic` (the text between `:`, before
    /// any form decoding): for tests and for callers authenticated by other means.
    pub fn new(id: &str, secret: &str) -> Self {
        BasicCredentials::new(id, secret).into()
    }

    /// The ID, form-decoded.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret, form-decoded.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The ID and secret as sent, where that differs from the form-decoded spelling.
    pub fn raw(&self) -> Option<(&str, &str)> {
        self.raw.as_ref().map(|(id, secret)| (id.as_str(), secret.as_str()))
    }

    /// Whether these are `id` and `secret`, in either spelling. The comparison takes the same time
    /// however much of a guess is right, so that timing does not tell an attacker the secret.
    pub fn matches(&self, id: &str, secret: &str) -> bool {
        let decoded =
            same_secret(self.id.as_bytes(), id.as_bytes()) & same_secret(self.secret.as_bytes(), secret.as_bytes());
        let raw = self.raw.as_ref().is_some_and(|(raw_id, raw_secret)| {
            same_secret(raw_id.as_bytes(), id.as_bytes()) & same_secret(raw_secret.as_bytes(), secret.as_bytes())
        });
        decoded | raw
    }
}

impl From<BasicCredentials> for CallerCredentials {
    fn from(credentials: BasicCredentials) -> Self {
        CallerCredentials { id: credentials.id, secret: credentials.secret, raw: credentials.raw }
    }
}

impl fmt::Debug for CallerCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallerCredentials").field("id", &self.id).field("secret", &"[redacted]").finish()
    }
}

/// A caller's token from `Authorization: Bearer`. It is in no `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct CallerToken(String);

impl CallerToken {
    /// A token as a caller sent it.
    pub fn new(token: impl Into<String>) -> Self {
        CallerToken(token.into())
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `token`, compared in the same time however much of a guess is right.
    pub fn matches(&self, token: &str) -> bool {
        same_secret(self.0.as_bytes(), token.as_bytes())
    }
}

impl fmt::Debug for CallerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallerToken([redacted])")
    }
}

/// What the server decides on a caller of the introspection endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallerDecision {
    /// The caller is this resource server: it may introspect tokens, with these settings.
    Allowed(ResourceServer),
    /// The caller may not introspect tokens: `401 invalid_client`.
    Denied,
}

/// A resource server allowed to introspect tokens, and how its answers are made: the audience
/// check, hidden properties, and the JWT response it may ask for (RFC 9701, with
/// `Accept: application/token-introspection+jwt`).
///
/// ```
/// use authlete::server::ResourceServer;
///
/// let api = ResourceServer::new()
///     .uri("https://api.example.com")
///     .signing_alg("ES256")
///     .encryption("RSA-OAEP-256", "A256GCM")
///     .public_key_for_encryption(r#"{"kty":"RSA","n":"…","e":"AQAB"}"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResourceServer {
    uri: Option<String>,
    with_hidden_properties: bool,
    signing_alg: Option<String>,
    encryption_alg: Option<String>,
    encryption_enc: Option<String>,
    shared_key_for_sign: Option<String>,
    shared_key_for_encryption: Option<String>,
    public_key_for_encryption: Option<String>,
}

impl ResourceServer {
    /// A resource server with no URI, no hidden properties and Authlete's JWT defaults.
    pub fn new() -> Self {
        ResourceServer::default()
    }

    /// The resource server's URI (Authlete's `rsUri`). A token whose audience does not name it is
    /// reported inactive, and a JWT response (RFC 9701) names it as `aud`; Authlete requires it
    /// for JWT responses.
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// Whether answers include the token's hidden properties (Authlete's `withHiddenProperties`;
    /// off by default).
    pub fn with_hidden_properties(mut self, with: bool) -> Self {
        self.with_hidden_properties = with;
        self
    }

    /// The JWS `alg` of JWT responses (its `introspection_signed_response_alg`; Authlete's default
    /// is `RS256`).
    pub fn signing_alg(mut self, alg: impl Into<String>) -> Self {
        self.signing_alg = Some(alg.into());
        self
    }

    /// Encrypt JWT responses with JWE `alg` and `enc` (its `introspection_encrypted_response_alg`
    /// and `…_enc`).
    pub fn encryption(mut self, alg: impl Into<String>, enc: impl Into<String>) -> Self {
        self.encryption_alg = Some(alg.into());
        self.encryption_enc = Some(enc.into());
        self
    }

    /// The shared key for a symmetric signing `alg` (`HS256`, …).
    pub fn shared_key_for_sign(mut self, key: impl Into<String>) -> Self {
        self.shared_key_for_sign = Some(key.into());
        self
    }

    /// The shared key for a symmetric encryption `alg` (`dir`, `A128KW`, …).
    pub fn shared_key_for_encryption(mut self, key: impl Into<String>) -> Self {
        self.shared_key_for_encryption = Some(key.into());
        self
    }

    /// The resource server's public key (a JWK, as JSON text) for an asymmetric encryption `alg`.
    pub fn public_key_for_encryption(mut self, jwk: impl Into<String>) -> Self {
        self.public_key_for_encryption = Some(jwk.into());
        self
    }
}

impl fmt::Debug for ResourceServer {
    /// The shared keys are secrets: only whether they are set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceServer")
            .field("uri", &self.uri)
            .field("with_hidden_properties", &self.with_hidden_properties)
            .field("signing_alg", &self.signing_alg)
            .field("encryption_alg", &self.encryption_alg)
            .field("encryption_enc", &self.encryption_enc)
            .field("shared_key_for_sign", &self.shared_key_for_sign.is_some())
            .field("shared_key_for_encryption", &self.shared_key_for_encryption.is_some())
            .field("public_key_for_encryption", &self.public_key_for_encryption.is_some())
            .finish()
    }
}

/// Who may introspect tokens: RFC 7662 §2.1 requires the endpoint to authenticate its callers, so
/// that nobody can scan for valid tokens. The endpoint asks only about callers that sent
/// credentials; one without is refused at once.
///
/// [`StaticCallers`] answers from a fixed list; a server with a registry of resource servers
/// implements this trait over it.
pub trait IntrospectionCallers: Send + Sync + 'static {
    /// Whether `caller` may introspect tokens, and as which resource server. Compare secrets in
    /// constant time ([`CallerCredentials::matches`], [`CallerToken::matches`]).
    fn authenticate(&self, caller: &Caller) -> impl Future<Output = CallerDecision> + Send;
}

/// [`IntrospectionCallers`] from a fixed list of resource servers, each known by an ID and secret
/// (`Authorization: Basic`) or by a token (`Authorization: Bearer`): for tests and small
/// deployments. Every entry is compared, in constant time, whichever matches.
///
/// ```
/// use authlete::server::{ResourceServer, StaticCallers};
///
/// let callers = StaticCallers::new()
///     .client("api", "api-secret", ResourceServer::new().uri("https://api.example.com"))
///     .token("a-long-random-token", ResourceServer::new().uri("https://files.example.com"));
/// ```
#[derive(Clone, Default)]
pub struct StaticCallers {
    callers: Vec<(Known, ResourceServer)>,
}

#[derive(Clone)]
enum Known {
    Client { id: String, secret: String },
    Token(String),
}

impl StaticCallers {
    /// No callers: every caller is denied.
    pub fn new() -> Self {
        StaticCallers::default()
    }

    /// Allows the caller with ID `id` and secret `secret` (the text before encoding; either
    /// spelling a client sends matches), as `resource_server`.
    pub fn client(mut self, id: impl Into<String>, secret: impl Into<String>, resource_server: ResourceServer) -> Self {
        self.callers.push((Known::Client { id: id.into(), secret: secret.into() }, resource_server));
        self
    }

    /// Allows the caller presenting the bearer token `token`, as `resource_server`.
    pub fn token(mut self, token: impl Into<String>, resource_server: ResourceServer) -> Self {
        self.callers.push((Known::Token(token.into()), resource_server));
        self
    }
}

impl IntrospectionCallers for StaticCallers {
    async fn authenticate(&self, caller: &Caller) -> CallerDecision {
        // Every entry is compared, so that the time taken does not say which one matched.
        let mut allowed = None;
        for (known, resource_server) in &self.callers {
            let matches = match (known, caller) {
                (Known::Client { id, secret }, Caller::Basic(credentials)) => credentials.matches(id, secret),
                (Known::Token(token), Caller::Bearer(presented)) => presented.matches(token),
                _ => false,
            };
            if matches && allowed.is_none() {
                allowed = Some(resource_server.clone());
            }
        }
        allowed.map_or(CallerDecision::Denied, CallerDecision::Allowed)
    }
}

impl fmt::Debug for StaticCallers {
    /// The clients' IDs; no secret, no token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clients: Vec<&str> = self
            .callers
            .iter()
            .filter_map(|(known, _)| match known {
                Known::Client { id, .. } => Some(id.as_str()),
                Known::Token(_) => None,
            })
            .collect();
        let tokens = self.callers.iter().filter(|(known, _)| matches!(known, Known::Token(_))).count();
        f.debug_struct("StaticCallers").field("clients", &clients).field("tokens", &tokens).finish()
    }
}

/// The introspection endpoint for resource servers (RFC 7662): made by
/// [`AuthorizationServer::introspection_endpoint`].
///
/// A resource server posts a token (a form: `token`, `token_type_hint`) and learns whether it is
/// active, and its scopes, subject, client and expiry. The caller must authenticate
/// ([`IntrospectionCallers`]); one that does not, or is denied, or sends a malformed
/// `Authorization` header, gets `401 invalid_client` with `WWW-Authenticate: Basic
/// realm="introspection"`, and Authlete is not asked.
///
/// | Authlete's `action` | Response |
/// | --- | --- |
/// | `OK` | `200`, Authlete's JSON (RFC 7662 §2.2) |
/// | `JWT` | `200`, Authlete's JWT as `application/token-introspection+jwt` (RFC 9701) |
/// | `BAD_REQUEST` | `400`, Authlete's JSON error |
/// | `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
///
/// A caller gets a JWT when its `Accept` header lists `application/token-introspection+jwt`
/// (with a non-zero `q`, not below `application/json`'s); the JWT is made with its
/// [`ResourceServer`] settings.
#[derive(Debug, Clone)]
pub struct IntrospectionEndpoint<C> {
    server: AuthorizationServer,
    callers: C,
}

impl AuthorizationServer {
    /// The introspection endpoint for resource servers (RFC 7662), asking `callers` who may
    /// call it.
    pub fn introspection_endpoint<C: IntrospectionCallers>(&self, callers: C) -> IntrospectionEndpoint<C> {
        IntrospectionEndpoint { server: self.clone(), callers }
    }
}

impl<C: IntrospectionCallers> Handler for IntrospectionEndpoint<C> {
    /// Handles an introspection request (`POST`, a form body, the caller's credentials).
    async fn handle(&self, request: Request) -> Response<String> {
        let config = self.server.config();
        let parameters = match request.form(config) {
            Ok(parameters) => parameters.to_owned(),
            Err(response) => return response,
        };
        let caller = match caller(&request) {
            Ok(Some(caller)) => caller,
            Ok(None) => return response::invalid_client(REALM, "the introspection endpoint requires authentication"),
            Err(response) => return response,
        };
        let resource_server = match self.callers.authenticate(&caller).await {
            CallerDecision::Allowed(resource_server) => resource_server,
            CallerDecision::Denied => {
                let id = match &caller {
                    Caller::Basic(credentials) => credentials.id(),
                    Caller::Bearer(_) => "(bearer token)",
                };
                tracing::info!(endpoint = Endpoint::Introspection.name(), caller = id, "introspection caller denied");
                return response::invalid_client(REALM, "the caller may not introspect tokens");
            }
        };
        let introspection = introspection_request(parameters, resource_server, wants_jwt(request.headers()));
        let call = self.server.service().auth_introspection_standard(&introspection);
        match self.server.call(Endpoint::Introspection, call).await {
            Ok(answer) => respond(answer),
            Err(response) => response,
        }
    }
}

/// The caller's credentials from `Authorization`, `None` without that header, or `401
/// invalid_client` when the header is malformed or of another scheme.
fn caller(request: &Request) -> Result<Option<Caller>, Response<String>> {
    let mut values = request.headers().get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let refuse = |why: &str| Err(response::invalid_client(REALM, why));
    if values.next().is_some() {
        return refuse("the request has more than one Authorization header");
    }
    let Some((scheme, credentials)) = value.to_str().ok().and_then(split_credentials) else {
        return refuse("the Authorization header is malformed");
    };
    if scheme.eq_ignore_ascii_case("basic") {
        Ok(request.basic_credentials(REALM)?.map(|credentials| Caller::Basic(credentials.into())))
    } else if scheme.eq_ignore_ascii_case("bearer") {
        if !is_token68(credentials) {
            return refuse("the bearer token in the Authorization header is malformed");
        }
        Ok(Some(Caller::Bearer(CallerToken::new(credentials))))
    } else {
        refuse("the introspection endpoint takes the Basic or Bearer scheme")
    }
}

/// Whether the `Accept` headers ask for a JWT response (RFC 9701 §4): they list its media type
/// with a `q` above zero and not below that of `application/json`.
fn wants_jwt(headers: &HeaderMap) -> bool {
    let mut jwt: Option<f32> = None;
    let mut json: f32 = 0.0;
    let ranges =
        headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).flat_map(|v| v.split(','));
    for range in ranges {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or_default().trim();
        let q = parts
            .filter_map(|parameter| parameter.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            // A `q` that is not a number counts as 1, the default, rather than refusing the range.
            .map_or(1.0, |(_, value)| value.trim().parse::<f32>().unwrap_or(1.0));
        if essence.eq_ignore_ascii_case(JWT_MEDIA_TYPE) {
            jwt = Some(jwt.map_or(q, |previous| previous.max(q)));
        } else if essence.eq_ignore_ascii_case("application/json") {
            json = json.max(q);
        }
    }
    jwt.is_some_and(|q| q > 0.0 && q >= json)
}

/// The Authlete request: the form, the resource server's settings, and the JWT settings when the
/// caller asked for a JWT.
fn introspection_request(parameters: String, rs: ResourceServer, jwt: bool) -> StandardIntrospectionRequest {
    let request = StandardIntrospectionRequest {
        rs_uri: rs.uri,
        with_hidden_properties: rs.with_hidden_properties.then_some(true),
        ..StandardIntrospectionRequest::new(parameters)
    };
    if !jwt {
        return request;
    }
    StandardIntrospectionRequest {
        http_accept_header: Some(JWT_MEDIA_TYPE.to_owned()),
        introspection_sign_alg: rs.signing_alg,
        introspection_encryption_alg: rs.encryption_alg,
        introspection_encryption_enc: rs.encryption_enc,
        shared_key_for_sign: rs.shared_key_for_sign,
        shared_key_for_encryption: rs.shared_key_for_encryption,
        public_key_for_encryption: rs.public_key_for_encryption,
        ..request
    }
}

fn respond(answer: StandardIntrospectionResponse) -> Response<String> {
    let Some(action) = answer.action else {
        return response::unexpected_answer(Endpoint::Introspection, "no action");
    };
    let content = answer.response_content;
    match action {
        StandardIntrospectionResponseAction::Ok => json(StatusCode::OK, content),
        StandardIntrospectionResponseAction::Jwt => match content {
            Some(jwt) => response::with_body(StatusCode::OK, JWT_MEDIA_TYPE, jwt),
            None => response::unexpected_answer(Endpoint::Introspection, "a JWT action without a JWT"),
        },
        StandardIntrospectionResponseAction::BadRequest => json(StatusCode::BAD_REQUEST, content),
        StandardIntrospectionResponseAction::InternalServerError => json(StatusCode::INTERNAL_SERVER_ERROR, content),
        StandardIntrospectionResponseAction::Unrecognized(action) => {
            response::unexpected_answer(Endpoint::Introspection, &format!("action {action}"))
        }
    }
}

/// Whether `given` is `expected`, in time that depends on `expected`'s length only: every byte of
/// it is compared whatever `given` holds, so timing does not tell how much of a guess was right.
pub(crate) fn same_secret(expected: &[u8], given: &[u8]) -> bool {
    let mut difference = u8::from(expected.len() != given.len());
    for (i, byte) in expected.iter().enumerate() {
        difference |= byte ^ given.get(i).copied().unwrap_or(0);
    }
    // Keeps the compiler from ending the loop at the first difference.
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::ACCEPT, value.parse().expect("a header value"));
        }
        headers
    }

    #[test]
    fn a_jwt_is_wanted_when_accept_ranks_it_first() {
        assert!(wants_jwt(&accept(&["application/token-introspection+jwt"])));
        assert!(wants_jwt(&accept(&["Application/Token-Introspection+JWT; q=0.9, text/plain"])));
        assert!(wants_jwt(&accept(&["application/json;q=0.5", "application/token-introspection+jwt"])));
        assert!(!wants_jwt(&accept(&[])));
        assert!(!wants_jwt(&accept(&["application/json"])));
        assert!(!wants_jwt(&accept(&["application/token-introspection+jwt;q=0"])));
        assert!(!wants_jwt(&accept(&["application/token-introspection+jwt;q=0.5, application/json"])));
    }

    #[test]
    fn secrets_are_equal_only_when_every_byte_and_the_length_are() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(same_secret(b"", b""));
        assert!(!same_secret(b"s3cret", b"s3creT"));
        assert!(!same_secret(b"s3cret", b"s3cret\0"));
        assert!(!same_secret(b"s3cret\0", b"s3cret"));
        assert!(!same_secret(b"s3cret", b""));
    }

    #[test]
    fn credentials_match_in_either_spelling_and_hide_the_secret() {
        let encoded = CallerCredentials::new("rs", "a%2Bb+c");
        assert_eq!((encoded.id(), encoded.secret(), encoded.raw()), ("rs", "a+b c", Some(("rs", "a%2Bb+c"))));
        assert!(encoded.matches("rs", "a+b c"));
        assert!(encoded.matches("rs", "a%2Bb+c"));
        assert!(!encoded.matches("rs", "a+b+c"));
        assert!(!encoded.matches("other", "a+b c"));
        assert_eq!(format!("{encoded:?}"), "CallerCredentials { id: \"rs\", secret: \"[redacted]\" }");
        assert_eq!(format!("{:?}", CallerToken::new("t0ken")), "CallerToken([redacted])");
        let rs = ResourceServer::new().shared_key_for_sign("k3y");
        assert!(!format!("{rs:?}").contains("k3y"));
        let callers = StaticCallers::new().client("rs", "s3cret", ResourceServer::new()).token("t0ken", rs);
        assert_eq!(format!("{callers:?}"), "StaticCallers { clients: [\"rs\"], tokens: 1 }");
    }
}
