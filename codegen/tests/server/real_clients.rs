//! Real third-party clients against the toolkit's endpoints: the `oauth2` and `openidconnect`
//! crates, used as an application uses them, talk over real HTTP to the toolkit's axum router,
//! which stands in front of the fake Authlete scripted the way a real service answers (it checks
//! the client's credentials, mints tokens per grant, knows which tokens are active).
//!
//! The clients know the server by its public HTTPS URL only, as they would in production (and
//! `oauth2` refuses to revoke a token over anything but HTTPS, RFC 7009 §2). Their HTTP function
//! plays the TLS-terminating proxy: it sends each request for that origin to the router on
//! 127.0.0.1 over plain HTTP, with reqwest, and panics on any other origin, so that every URL
//! the clients use (also those they discover) is proven to be the server's. It records what went
//! over the wire, so the tests check the spelling the clients chose (RFC 6749 §2.3.1's
//! form-encoded Basic credentials) as well as what reached Authlete.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authlete::models::{
    IntrospectionResponseAction, RevocationRequest, RevocationResponse, RevocationResponseAction,
    ServiceJwksGetResponse, StandardIntrospectionRequest, StandardIntrospectionResponse,
    StandardIntrospectionResponseAction, TokenRequest, TokenResponse, TokenResponseAction, UserinfoIssueRequest,
    UserinfoIssueResponse, UserinfoIssueResponseAction, UserinfoRequest, UserinfoResponse,
};
use authlete::server::axum::Routes;
use authlete::server::{
    AuthorizationServer, ClaimsDecision, ClaimsRequest, Config, NoGrants, ResourceServer, StaticCallers, UserClaims,
};
use authlete::testing::{ops, FakeAuthlete, Reply};
use base64::Engine as _;
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenType};
use oauth2::{
    AccessToken, AuthType, ClientId, ClientSecret, HttpRequest, HttpResponse, IntrospectionUrl, RefreshToken,
    RequestTokenError, RevocationErrorResponseType, RevocationUrl, Scope, StandardRevocableToken,
    TokenIntrospectionResponse, TokenResponse as _, TokenUrl,
};
use openidconnect::core::{
    CoreClient, CoreClientAuthMethod, CoreJsonWebKeyUse, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreUserInfoClaims,
};
use openidconnect::{IssuerUrl, JsonWebKey as _, JsonWebKeySet, SubjectIdentifier, UserInfoError, UserInfoUrl};
use serde_json::{json, Map, Value};

/// The server's public URL: its issuer identifier, the origin of every endpoint, DPoP's `htu`.
const PUBLIC_URL: &str = "https://as.example.com";

/// The confidential client registered with the fake Authlete.
const CLIENT_ID: &str = "app-1";

/// The client's secret: `+`, `%` (before hex digits, so that decoding it twice would change it),
/// a space and non-ASCII, each spelled differently in a form than as it is.
const SECRET: &str = "s3+cr%2Ft ünï €";

/// [`SECRET`] form-encoded (RFC 6749 §2.3.1, Appendix B), written out by hand rather than by the
/// encoder the clients use, so that the test does not agree with a client's mistake.
const SECRET_FORM: &str = "s3%2Bcr%252Ft+%C3%BCn%C3%AF+%E2%82%AC";

/// The resource server allowed to introspect tokens, and its secret.
const RS_ID: &str = "rs-1";
const RS_SECRET: &str = "rs+secret %";
const RS_URI: &str = "https://api.example.com";

/// Every test ends within this, whatever the server, the fake or a client does.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The token response the fake's Authlete mints for client credentials.
const CC_TOKENS: &str =
    r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"scope":"read write","refresh_token":"rt-1"}"#;

/// The token response for a refresh with `rt-1` (rotated refresh token).
const REFRESHED_TOKENS: &str =
    r#"{"access_token":"at-2","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-2"}"#;

/// What Authlete's introspection says of `at-1` (an `exp` far in the future: the client does not
/// check it, but a reader should not wonder).
const AT_1_INTROSPECTED: &str = r#"{"active":true,"scope":"read write","client_id":"app-1","sub":"alice","token_type":"Bearer","exp":4102444800,"iat":1700000000,"iss":"https://as.example.com","aud":["https://api.example.com"]}"#;

/// One exchange of a client with the server, as it went over the wire.
#[derive(Debug, Clone, PartialEq)]
struct Exchange {
    method: String,
    /// The URL the client asked for (the public one).
    url: String,
    authorization: Option<String>,
    body: String,
    status: u16,
    www_authenticate: Option<String>,
    cache_control: Option<String>,
}

type Sent = Arc<Mutex<Vec<Exchange>>>;

/// The toolkit's router on 127.0.0.1 in front of a scripted fake Authlete, and the clients'
/// transport to it.
struct Server {
    fake: FakeAuthlete,
    local: String,
    sent: Sent,
    reqwest: reqwest::Client,
}

/// What a client's HTTP function returns: boxed, since a closure cannot name its future.
type Responding = Pin<Box<dyn Future<Output = Result<HttpResponse, reqwest::Error>> + Send>>;

impl Server {
    /// The endpoints at their conventional paths; introspection by the resource server
    /// [`RS_ID`] only.
    async fn start() -> Server {
        let fake = FakeAuthlete::start().await;
        script(&fake);
        let server = AuthorizationServer::new(fake.service(), Config::new(PUBLIC_URL).expect("a valid URL"));
        let callers = StaticCallers::new().client(RS_ID, RS_SECRET, ResourceServer::new().uri(RS_URI));
        let app = Routes::new(server)
            .token(NoGrants)
            .revocation()
            .userinfo(Users)
            .introspection(callers)
            .discovery()
            .jwks()
            .build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let local = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
        Server { fake, local, sent: Sent::default(), reqwest: reqwest::Client::new() }
    }

    /// The clients' HTTP function (`oauth2::AsyncHttpClient` is implemented for it).
    fn http(&self) -> impl Fn(HttpRequest) -> Responding {
        let (local, sent, reqwest) = (self.local.clone(), Arc::clone(&self.sent), self.reqwest.clone());
        move |request| Box::pin(forward(reqwest.clone(), local.clone(), Arc::clone(&sent), request))
    }

    /// What the clients sent so far; forgets it.
    fn take_sent(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }
}

/// `request` for the public origin sent to the router at `local`, recorded with its answer.
async fn forward(
    reqwest: reqwest::Client,
    local: String,
    sent: Sent,
    request: HttpRequest,
) -> Result<HttpResponse, reqwest::Error> {
    let (mut parts, body) = request.into_parts();
    let url = parts.uri.to_string();
    let Some(path) = url.strip_prefix(PUBLIC_URL) else { panic!("a client called {url}, not the server") };
    parts.uri = format!("{local}{path}").parse().expect("a loopback URL");
    let header = |name: &str, headers: &oauth2::http::HeaderMap| {
        headers.get(name).map(|value| value.to_str().expect("a text header").to_owned())
    };
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        url,
        authorization: header("authorization", &parts.headers),
        body: String::from_utf8(body.clone()).expect("a text body"),
        status: 0,
        www_authenticate: None,
        cache_control: None,
    };
    let response = reqwest.execute(reqwest::Request::try_from(oauth2::http::Request::from_parts(parts, body))?).await?;
    let (status, headers) = (response.status(), response.headers().clone());
    let mut answer = HttpResponse::new(response.bytes().await?.to_vec());
    *answer.status_mut() = status;
    exchange.status = status.as_u16();
    exchange.www_authenticate = header("www-authenticate", &headers);
    exchange.cache_control = header("cache-control", &headers);
    *answer.headers_mut() = headers;
    sent.lock().unwrap().push(exchange);
    Ok(answer)
}

/// `future`, failing the test if it takes longer than [`TIMEOUT`].
async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future).await.expect("the test finished in time")
}

/// The form's parameters, decoded.
fn form(parameters: &str) -> Vec<(String, String)> {
    oauth2::url::form_urlencoded::parse(parameters.as_bytes()).into_owned().collect()
}

fn param(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
}

/// The client a request authenticated as, as Authlete reads it: `clientId`/`clientSecret` of the
/// API request (the server took them from `Authorization: Basic`), else the form's.
fn credentials(parameters: &str, id: Option<&str>, secret: Option<&str>) -> (Option<String>, Option<String>) {
    let form = form(parameters);
    (
        id.map(str::to_owned).or_else(|| param(&form, "client_id")),
        secret.map(str::to_owned).or_else(|| param(&form, "client_secret")),
    )
}

fn is_client(credentials: &(Option<String>, Option<String>)) -> bool {
    (credentials.0.as_deref(), credentials.1.as_deref()) == (Some(CLIENT_ID), Some(SECRET))
}

const INVALID_CLIENT: &str = r#"{"error":"invalid_client","error_description":"client authentication failed"}"#;

/// The fake scripted as Authlete answers a service with one client ([`CLIENT_ID`]) and one user
/// (`alice`), whose access token `at-1` is active.
fn script(fake: &FakeAuthlete) {
    fake.reply_with(ops::AUTH_TOKEN, |received| {
        let request: TokenRequest = received.json().expect("a token request");
        let answer = |action, content: &str| {
            Reply::model(&TokenResponse {
                action: Some(action),
                response_content: Some(content.into()),
                ..TokenResponse::default()
            })
        };
        let client = credentials(&request.parameters, request.client_id.as_deref(), request.client_secret.as_deref());
        if !is_client(&client) {
            return answer(TokenResponseAction::InvalidClient, INVALID_CLIENT);
        }
        let form = form(&request.parameters);
        match (param(&form, "grant_type").as_deref(), param(&form, "refresh_token").as_deref()) {
            (Some("client_credentials"), _) => answer(TokenResponseAction::Ok, CC_TOKENS),
            (Some("refresh_token"), Some("rt-1")) => answer(TokenResponseAction::Ok, REFRESHED_TOKENS),
            (Some("refresh_token"), _) => answer(
                TokenResponseAction::BadRequest,
                r#"{"error":"invalid_grant","error_description":"the refresh token is not valid"}"#,
            ),
            _ => answer(TokenResponseAction::BadRequest, r#"{"error":"unsupported_grant_type"}"#),
        }
    });
    fake.reply_with(ops::AUTH_REVOCATION, |received| {
        let request: RevocationRequest = received.json().expect("a revocation request");
        let client = credentials(&request.parameters, request.client_id.as_deref(), request.client_secret.as_deref());
        // RFC 7009 §2.2: any token, known or not, is "revoked" for an authenticated client.
        let (action, content) = if is_client(&client) {
            (RevocationResponseAction::Ok, None)
        } else {
            (RevocationResponseAction::InvalidClient, Some(INVALID_CLIENT.to_owned()))
        };
        Reply::model(&RevocationResponse {
            action: Some(action),
            response_content: content,
            ..RevocationResponse::default()
        })
    });
    fake.reply_with(ops::AUTH_INTROSPECTION_STANDARD, |received| {
        let request: StandardIntrospectionRequest = received.json().expect("an introspection request");
        let content = match param(&form(&request.parameters), "token").as_deref() {
            Some("at-1") => AT_1_INTROSPECTED,
            _ => r#"{"active":false}"#,
        };
        Reply::model(&StandardIntrospectionResponse {
            action: Some(StandardIntrospectionResponseAction::Ok),
            response_content: Some(content.into()),
            ..StandardIntrospectionResponse::default()
        })
    });
    fake.reply_with(ops::AUTH_USERINFO, |received| {
        let request: UserinfoRequest = received.json().expect("a userinfo request");
        let answer = if request.token == "at-1" {
            UserinfoResponse {
                action: Some(IntrospectionResponseAction::Ok),
                subject: Some("alice".into()),
                claims: Some(vec!["name".into(), "email".into()]),
                scopes: Some(vec!["openid".into(), "profile".into(), "email".into()]),
                client_id: Some(1001),
                token: Some(request.token),
                ..UserinfoResponse::default()
            }
        } else {
            // On errors Authlete's `responseContent` is the `WWW-Authenticate` value.
            UserinfoResponse {
                action: Some(IntrospectionResponseAction::Unauthorized),
                response_content: Some(
                    r#"Bearer error="invalid_token",error_description="The access token is not valid.""#.into(),
                ),
                ..UserinfoResponse::default()
            }
        };
        Reply::model(&answer)
    });
    fake.reply(ops::SERVICE_CONFIGURATION, &configuration());
    fake.reply(ops::SERVICE_JWKS_GET, &Some(jwks()));
    fake.reply_with(ops::AUTH_USERINFO_ISSUE, |received| {
        let request: UserinfoIssueRequest = received.json().expect("a userinfo issue request");
        // The claims the server gave, with the token's subject as `sub`.
        let mut claims: Map<String, Value> =
            serde_json::from_str(request.claims.as_deref().unwrap_or("{}")).expect("the claims are a JSON object");
        let subject = if request.token == "at-1" { "alice" } else { "unknown" };
        claims.insert("sub".into(), request.sub.as_deref().unwrap_or(subject).into());
        Reply::model(&UserinfoIssueResponse {
            action: Some(UserinfoIssueResponseAction::Json),
            response_content: Some(Value::Object(claims).to_string()),
            ..UserinfoIssueResponse::default()
        })
    });
}

/// The service's discovery document as Authlete makes it: the endpoints at the server's public
/// URL (the service's settings name them), a trimmed form of a real service's metadata.
fn configuration() -> Map<String, Value> {
    let document = json!({
        "issuer": PUBLIC_URL,
        "authorization_endpoint": format!("{PUBLIC_URL}/authorize"),
        "token_endpoint": format!("{PUBLIC_URL}/token"),
        "userinfo_endpoint": format!("{PUBLIC_URL}/userinfo"),
        "jwks_uri": format!("{PUBLIC_URL}/jwks"),
        "revocation_endpoint": format!("{PUBLIC_URL}/revoke"),
        "introspection_endpoint": format!("{PUBLIC_URL}/introspect"),
        "scopes_supported": ["openid", "profile", "email", "read", "write"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["sub", "name", "email"],
        "code_challenge_methods_supported": ["S256"],
    });
    let Value::Object(document) = document else { unreachable!("an object") };
    document
}

/// The service's public signing key: the RSA key of RFC 7517 Appendix A.1.
const RSA_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

fn jwks() -> ServiceJwksGetResponse {
    let key = json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "2011-04-29", "n": RSA_N, "e": "AQAB"});
    let Value::Object(key) = key else { unreachable!("an object") };
    ServiceJwksGetResponse { keys: Some(vec![key]), ..ServiceJwksGetResponse::default() }
}

/// The server's user store: `alice` has a name and an email.
struct Users;

impl UserClaims for Users {
    async fn claims(&self, request: ClaimsRequest<'_>) -> ClaimsDecision {
        if request.subject != "alice" {
            return ClaimsDecision::NoSuchUser;
        }
        let mut claims = Map::new();
        for claim in request.requested() {
            match claim.name {
                "name" => claims.insert(claim.key.to_owned(), json!("Alice Liddell")),
                "email" => claims.insert(claim.key.to_owned(), json!("alice@example.com")),
                _ => continue,
            };
        }
        ClaimsDecision::claims(claims)
    }
}

/// `Basic` with `id` and `secret` joined as they are (the caller spells them).
fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

fn token_url() -> TokenUrl {
    TokenUrl::new(format!("{PUBLIC_URL}/token")).expect("a URL")
}

#[tokio::test]
async fn client_credentials_with_client_secret_basic() {
    within(async {
        let server = Server::start().await;
        let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new(SECRET.into()))
            .set_token_uri(token_url())
            .set_auth_type(AuthType::BasicAuth);

        let tokens = client
            .exchange_client_credentials()
            .add_scope(Scope::new("read".into()))
            .add_scope(Scope::new("write".into()))
            .request_async(&server.http())
            .await
            .expect("tokens");

        assert_eq!(tokens.access_token().secret(), "at-1");
        assert_eq!(tokens.token_type(), &BasicTokenType::Bearer);
        assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3600)));
        assert_eq!(tokens.refresh_token().map(RefreshToken::secret).map(String::as_str), Some("rt-1"));
        assert_eq!(tokens.scopes(), Some(&vec![Scope::new("read".into()), Scope::new("write".into())]));
        // The client form-encoded its ID and secret before Base64 (RFC 6749 §2.3.1)...
        let sent = server.take_sent();
        assert_eq!(
            sent,
            [Exchange {
                method: "POST".into(),
                url: format!("{PUBLIC_URL}/token"),
                authorization: Some(basic(CLIENT_ID, SECRET_FORM)),
                body: "grant_type=client_credentials&scope=read+write".into(),
                status: 200,
                www_authenticate: None,
                cache_control: Some("no-store".into()),
            }]
        );
        // ...and the server decoded them: Authlete got the secret as it is, in one request.
        let [received] = &server.fake.received(ops::AUTH_TOKEN)[..] else { panic!("one token request") };
        assert_eq!(received.parameters, "grant_type=client_credentials&scope=read+write");
        assert_eq!((received.client_id.as_deref(), received.client_secret.as_deref()), (Some(CLIENT_ID), Some(SECRET)));
        assert_eq!(received.htm.as_deref(), Some("POST"));
        assert_eq!(received.htu.as_deref(), Some(format!("{PUBLIC_URL}/token").as_str()));
    })
    .await;
}

#[tokio::test]
async fn client_credentials_with_client_secret_post() {
    within(async {
        let server = Server::start().await;
        let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new(SECRET.into()))
            .set_token_uri(token_url())
            .set_auth_type(AuthType::RequestBody);

        let tokens = client
            .exchange_client_credentials()
            .add_scope(Scope::new("read".into()))
            .add_scope(Scope::new("write".into()))
            .request_async(&server.http())
            .await
            .expect("tokens");

        assert_eq!(tokens.access_token().secret(), "at-1");
        assert_eq!(tokens.refresh_token().map(RefreshToken::secret).map(String::as_str), Some("rt-1"));
        let form =
            format!("grant_type=client_credentials&scope=read+write&client_id={CLIENT_ID}&client_secret={SECRET_FORM}");
        let [sent] = &server.take_sent()[..] else { panic!("one request") };
        assert_eq!((sent.authorization.as_deref(), sent.body.as_str(), sent.status), (None, form.as_str(), 200));
        // The form goes to Authlete as it came: Authlete reads the credentials from it.
        let [received] = &server.fake.received(ops::AUTH_TOKEN)[..] else { panic!("one token request") };
        assert_eq!(received.parameters, form);
        assert_eq!((received.client_id.as_deref(), received.client_secret.as_deref()), (None, None));
    })
    .await;
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_in_either_spelling() {
    within(async {
        let server = Server::start().await;
        for auth_type in [AuthType::BasicAuth, AuthType::RequestBody] {
            let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
                .set_client_secret(ClientSecret::new("wrong+guess".into()))
                .set_token_uri(token_url())
                .set_auth_type(auth_type.clone());
            let error = client.exchange_client_credentials().request_async(&server.http()).await.unwrap_err();
            let RequestTokenError::ServerResponse(error) = error else { panic!("{auth_type:?}: {error:?}") };
            assert_eq!(error.error(), &BasicErrorResponseType::InvalidClient, "{auth_type:?}");
            assert_eq!(error.error_description().map(String::as_str), Some("client authentication failed"));
            let [sent] = &server.take_sent()[..] else { panic!("one request") };
            assert_eq!(sent.status, 401, "{auth_type:?}");
            assert_eq!(sent.www_authenticate.as_deref(), Some(r#"Basic realm="token""#), "{auth_type:?}");
        }
        // Basic: the decoded secret first, then, refused, the raw spelling once more (a client
        // that does not form-encode would have meant it); the form: once, as it came.
        let secrets: Vec<Option<String>> =
            server.fake.received(ops::AUTH_TOKEN).into_iter().map(|request| request.client_secret).collect();
        assert_eq!(secrets, [Some("wrong+guess".into()), Some("wrong%2Bguess".into()), None]);
    })
    .await;
}

#[tokio::test]
async fn refresh_token_grant() {
    within(async {
        let server = Server::start().await;
        let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new(SECRET.into()))
            .set_token_uri(token_url());
        let http = server.http();
        let first = client.exchange_client_credentials().request_async(&http).await.expect("tokens");
        let refresh_token = first.refresh_token().expect("a refresh token");

        let refreshed = client.exchange_refresh_token(refresh_token).request_async(&http).await.expect("tokens");

        assert_eq!(refreshed.access_token().secret(), "at-2");
        assert_eq!(refreshed.refresh_token().map(RefreshToken::secret).map(String::as_str), Some("rt-2"));
        assert_eq!(refreshed.expires_in(), Some(Duration::from_secs(3600)));
        assert_eq!(refreshed.scopes(), None);
        let parameters: Vec<String> =
            server.fake.received(ops::AUTH_TOKEN).into_iter().map(|request| request.parameters).collect();
        assert_eq!(parameters, ["grant_type=client_credentials", "grant_type=refresh_token&refresh_token=rt-1"]);

        // A refresh token Authlete does not know: the client reads Authlete's error.
        let error = client
            .exchange_refresh_token(&RefreshToken::new("rt-stale".into()))
            .request_async(&http)
            .await
            .unwrap_err();
        let RequestTokenError::ServerResponse(error) = error else { panic!("{error:?}") };
        assert_eq!(error.error(), &BasicErrorResponseType::InvalidGrant);
        assert_eq!(error.error_description().map(String::as_str), Some("the refresh token is not valid"));
        assert_eq!(server.take_sent().last().map(|sent| sent.status), Some(400));
    })
    .await;
}

#[tokio::test]
async fn revocation() {
    within(async {
        let server = Server::start().await;
        let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new(SECRET.into()))
            .set_revocation_url(RevocationUrl::new(format!("{PUBLIC_URL}/revoke")).expect("a URL"));
        let http = server.http();

        let access = StandardRevocableToken::AccessToken(AccessToken::new("at-1".into()));
        client.revoke_token(access).expect("an HTTPS URL").request_async(&http).await.expect("revoked");
        let refresh = StandardRevocableToken::RefreshToken(RefreshToken::new("rt-1".into()));
        client.revoke_token(refresh).expect("an HTTPS URL").request_async(&http).await.expect("revoked");

        let sent = server.take_sent();
        let bodies: Vec<(&str, u16)> = sent.iter().map(|sent| (sent.body.as_str(), sent.status)).collect();
        assert_eq!(
            bodies,
            [("token=at-1&token_type_hint=access_token", 200), ("token=rt-1&token_type_hint=refresh_token", 200)]
        );
        assert!(sent.iter().all(|sent| sent.authorization == Some(basic(CLIENT_ID, SECRET_FORM))), "{sent:?}");
        let received = server.fake.received(ops::AUTH_REVOCATION);
        let received: Vec<(&str, Option<&str>, Option<&str>)> = received
            .iter()
            .map(|request| {
                (request.parameters.as_str(), request.client_id.as_deref(), request.client_secret.as_deref())
            })
            .collect();
        assert_eq!(
            received,
            [
                ("token=at-1&token_type_hint=access_token", Some(CLIENT_ID), Some(SECRET)),
                ("token=rt-1&token_type_hint=refresh_token", Some(CLIENT_ID), Some(SECRET)),
            ]
        );

        // Another client's secret: refused, with the error the client reads.
        let intruder = BasicClient::new(ClientId::new(CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new("guess".into()))
            .set_revocation_url(RevocationUrl::new(format!("{PUBLIC_URL}/revoke")).expect("a URL"));
        let access = StandardRevocableToken::AccessToken(AccessToken::new("at-1".into()));
        let error = intruder.revoke_token(access).expect("an HTTPS URL").request_async(&http).await.unwrap_err();
        let RequestTokenError::ServerResponse(error): RequestTokenError<_, BasicRevocationErrorResponse> = error else {
            panic!("{error:?}")
        };
        assert_eq!(error.error(), &RevocationErrorResponseType::Basic(BasicErrorResponseType::InvalidClient));
    })
    .await;
}

#[tokio::test]
async fn introspection() {
    within(async {
        let server = Server::start().await;
        let resource_server = BasicClient::new(ClientId::new(RS_ID.into()))
            .set_client_secret(ClientSecret::new(RS_SECRET.into()))
            .set_introspection_url(IntrospectionUrl::new(format!("{PUBLIC_URL}/introspect")).expect("a URL"));
        let http = server.http();

        let active =
            resource_server.introspect(&AccessToken::new("at-1".into())).request_async(&http).await.expect("an answer");

        assert!(active.active());
        assert_eq!(active.scopes(), Some(&vec![Scope::new("read".into()), Scope::new("write".into())]));
        assert_eq!(active.client_id().map(|id| id.as_str()), Some(CLIENT_ID));
        assert_eq!(active.sub(), Some("alice"));
        assert_eq!(active.token_type(), Some(&BasicTokenType::Bearer));
        assert_eq!(active.exp().map(|exp| exp.timestamp()), Some(4_102_444_800));
        assert_eq!(active.iat().map(|iat| iat.timestamp()), Some(1_700_000_000));
        assert_eq!(active.iss(), Some(PUBLIC_URL));
        assert_eq!(active.aud(), Some(&vec![RS_URI.to_owned()]));

        let inactive = resource_server
            .introspect(&AccessToken::new("at-unknown".into()))
            .request_async(&http)
            .await
            .expect("an answer");
        assert!(!inactive.active());
        assert_eq!((inactive.scopes(), inactive.sub(), inactive.exp()), (None, None, None));

        // The resource server authenticated with its form-encoded secret; Authlete was asked with
        // its URI (the audience check) and the form as sent.
        let sent = server.take_sent();
        assert!(sent.iter().all(|sent| sent.authorization == Some(basic(RS_ID, "rs%2Bsecret+%25"))), "{sent:?}");
        let received: Vec<(String, Option<String>)> = server
            .fake
            .received(ops::AUTH_INTROSPECTION_STANDARD)
            .into_iter()
            .map(|request| (request.parameters, request.rs_uri))
            .collect();
        assert_eq!(
            received,
            [("token=at-1".into(), Some(RS_URI.into())), ("token=at-unknown".into(), Some(RS_URI.into()))]
        );

        // A caller the server does not know is refused before Authlete is asked (RFC 7662 §2.1).
        let stranger = BasicClient::new(ClientId::new(CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new(SECRET.into()))
            .set_introspection_url(IntrospectionUrl::new(format!("{PUBLIC_URL}/introspect")).expect("a URL"));
        let error = stranger.introspect(&AccessToken::new("at-1".into())).request_async(&http).await.unwrap_err();
        let RequestTokenError::ServerResponse(error) = error else { panic!("{error:?}") };
        assert_eq!(error.error(), &BasicErrorResponseType::InvalidClient);
        let [sent] = &server.take_sent()[..] else { panic!("one request") };
        assert_eq!((sent.status, sent.www_authenticate.as_deref()), (401, Some(r#"Basic realm="introspection""#)));
        assert_eq!(server.fake.count(ops::AUTH_INTROSPECTION_STANDARD), 2);
    })
    .await;
}

#[tokio::test]
async fn userinfo_with_an_openid_connect_client() {
    within(async {
        let server = Server::start().await;
        let issuer = IssuerUrl::new(PUBLIC_URL.into()).expect("a URL");
        let client = CoreClient::new(ClientId::new(CLIENT_ID.into()), issuer, JsonWebKeySet::default())
            .set_user_info_url(UserInfoUrl::new(format!("{PUBLIC_URL}/userinfo")).expect("a URL"));
        let http = server.http();

        let claims: CoreUserInfoClaims = client
            .user_info(AccessToken::new("at-1".into()), Some(SubjectIdentifier::new("alice".into())))
            .request_async(&http)
            .await
            .expect("the user's claims");

        assert_eq!(claims.subject().as_str(), "alice");
        assert_eq!(claims.name().and_then(|name| name.get(None)).map(|name| name.as_str()), Some("Alice Liddell"));
        assert_eq!(claims.email().map(|email| email.as_str()), Some("alice@example.com"));
        let [sent] = &server.take_sent()[..] else { panic!("one request") };
        assert_eq!(
            (sent.method.as_str(), sent.authorization.as_deref(), sent.status),
            ("GET", Some("Bearer at-1"), 200)
        );
        let [asked] = &server.fake.received(ops::AUTH_USERINFO)[..] else { panic!("one userinfo request") };
        assert_eq!((asked.token.as_str(), asked.htm.as_deref()), ("at-1", Some("GET")));
        assert_eq!(asked.htu.as_deref(), Some(format!("{PUBLIC_URL}/userinfo").as_str()));
        let [issue] = &server.fake.received(ops::AUTH_USERINFO_ISSUE)[..] else { panic!("one issue request") };
        let given: Value = serde_json::from_str(issue.claims.as_deref().expect("claims")).expect("JSON");
        assert_eq!(given, json!({"name": "Alice Liddell", "email": "alice@example.com"}));

        // A token Authlete does not know: 401 with Authlete's challenge, which the client reports.
        let error = client
            .user_info(AccessToken::new("at-stale".into()), None)
            .request_async::<openidconnect::EmptyAdditionalClaims, _, openidconnect::core::CoreGenderClaim>(&http)
            .await
            .unwrap_err();
        let UserInfoError::Response(status, body, _) = error else { panic!("{error:?}") };
        assert_eq!((status.as_u16(), body.as_slice()), (401, &b""[..]));
        let [sent] = &server.take_sent()[..] else { panic!("one request") };
        assert_eq!(
            sent.www_authenticate.as_deref(),
            Some(r#"Bearer error="invalid_token",error_description="The access token is not valid.""#)
        );
        assert_eq!(server.fake.count(ops::AUTH_USERINFO_ISSUE), 1);
    })
    .await;
}

#[tokio::test]
async fn discovery_then_tokens_and_userinfo_with_an_openid_connect_client() {
    within(async {
        let server = Server::start().await;
        let http = server.http();
        let issuer = IssuerUrl::new(PUBLIC_URL.into()).expect("a URL");

        let metadata = CoreProviderMetadata::discover_async(issuer.clone(), &http).await.expect("the metadata");

        // The document as Authlete made it, and the keys it points at.
        assert_eq!(metadata.issuer(), &issuer);
        assert_eq!(metadata.token_endpoint().map(|url| url.as_str()), Some("https://as.example.com/token"));
        assert_eq!(metadata.userinfo_endpoint().map(|url| url.as_str()), Some("https://as.example.com/userinfo"));
        assert_eq!(metadata.jwks_uri().as_str(), "https://as.example.com/jwks");
        assert_eq!(
            metadata.token_endpoint_auth_methods_supported(),
            Some(&vec![CoreClientAuthMethod::ClientSecretBasic, CoreClientAuthMethod::ClientSecretPost])
        );
        assert_eq!(
            metadata.id_token_signing_alg_values_supported(),
            &vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]
        );
        let [key] = metadata.jwks().keys().as_slice() else { panic!("one key: {:?}", metadata.jwks()) };
        assert_eq!(key.key_id().map(|kid| kid.as_str()), Some("2011-04-29"));
        assert_eq!(key.key_use(), Some(&CoreJsonWebKeyUse::Signature));
        let sent = server.take_sent();
        let documents: Vec<(&str, &str, u16, Option<&str>)> = sent
            .iter()
            .map(|sent| (sent.method.as_str(), sent.url.as_str(), sent.status, sent.cache_control.as_deref()))
            .collect();
        assert_eq!(
            documents,
            [
                ("GET", "https://as.example.com/.well-known/openid-configuration", 200, Some("public, max-age=300")),
                ("GET", "https://as.example.com/jwks", 200, Some("public, max-age=300")),
            ]
        );
        // The JWK Set was asked for without the private keys, explicitly.
        let jwks_requests: Vec<Option<String>> = server
            .fake
            .requests()
            .iter()
            .filter(|request| request.operation == ops::SERVICE_JWKS_GET.info().name)
            .map(|request| request.query_param("includePrivateKeys"))
            .collect();
        assert_eq!(jwks_requests, [Some("false".to_owned())]);

        // A client made from the metadata alone: client credentials at the discovered token
        // endpoint (client_secret_basic, openidconnect's default), then UserInfo with the token.
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(CLIENT_ID.into()),
            Some(ClientSecret::new(SECRET.into())),
        );
        let tokens =
            client.exchange_client_credentials().expect("a token endpoint").request_async(&http).await.expect("tokens");
        assert_eq!(tokens.access_token().secret(), "at-1");
        let claims: CoreUserInfoClaims = client
            .user_info(tokens.access_token().clone(), Some(SubjectIdentifier::new("alice".into())))
            .expect("a UserInfo endpoint")
            .request_async(&http)
            .await
            .expect("the user's claims");
        assert_eq!(claims.email().map(|email| email.as_str()), Some("alice@example.com"));
        let sent = server.take_sent();
        let calls: Vec<(&str, &str, u16)> =
            sent.iter().map(|sent| (sent.method.as_str(), sent.url.as_str(), sent.status)).collect();
        assert_eq!(
            calls,
            [("POST", "https://as.example.com/token", 200), ("GET", "https://as.example.com/userinfo", 200)]
        );
        assert_eq!(sent[0].authorization, Some(basic(CLIENT_ID, SECRET_FORM)));

        // A second discovery is served from the endpoints' copies, and so is the same document
        // at RFC 8414's path (one endpoint for both): Authlete is asked once.
        CoreProviderMetadata::discover_async(issuer, &http).await.expect("the metadata");
        let metadata_url = format!("{PUBLIC_URL}/.well-known/oauth-authorization-server");
        let request = oauth2::http::Request::get(metadata_url).body(Vec::new()).expect("a request");
        let rfc8414 = http(request).await.expect("an answer");
        assert_eq!(rfc8414.status(), 200);
        let document: Value = serde_json::from_slice(rfc8414.body()).expect("JSON");
        assert_eq!(document, Value::Object(configuration()));
        assert_eq!((server.fake.count(ops::SERVICE_CONFIGURATION), server.fake.count(ops::SERVICE_JWKS_GET)), (1, 1));
    })
    .await;
}
