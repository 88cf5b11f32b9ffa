//! The reference OpenID Provider (`generated/examples/openid_provider.rs`) in a real browser:
//! headless Chromium, driven over WebDriver, signs in and consents on the toolkit's pages, and
//! real client libraries (`oauth2`, `openidconnect`) redeem what the browser brings back. The
//! provider stands in front of the fake Authlete scripted as a back end ([`super::backend`]).
//!
//! Screenshots of the pages go to `target/browser-screenshots/` for review.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authlete::models::{
    AuthorizationFailRequest, AuthorizationFailRequestReason, AuthorizationIssueRequest, AuthorizationResponse,
    AuthorizationResponseAction, BackchannelAuthenticationCompleteRequest,
    BackchannelAuthenticationCompleteRequestResult, ClientLimitedAuthorization, DeviceCompleteRequest,
};
use authlete::server::{AuthorizationServer, Config, StaticCallers};
use authlete::testing::ops;
use axum::routing::get;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse as _, TokenUrl,
};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{IssuerUrl, Nonce};

use super::backend::{Backend, CLIENT_ID, CLIENT_NAME, CLIENT_SECRET, USER_CODE};
use super::browser_support::Browser;
use super::provider::{app, DemoUsers};

/// How long the browser may take to land somewhere.
const LANDING: Duration = Duration::from_secs(15);

/// The provider on 127.0.0.1, its back end, and the relying party's redirect URI.
struct Setup {
    url: String,
    backend: Backend,
    callback: String,
    /// The bodies the relying party's redirect URI received by POST (`form_post`).
    posted: Arc<Mutex<Vec<String>>>,
}

async fn setup() -> Setup {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let backend = Backend::start(&url).await;
    let server = AuthorizationServer::new(backend.fake.service(), Config::new(&url).expect("a public URL"));
    let router = app(server, DemoUsers::demo(), StaticCallers::new());
    tokio::spawn(async move { axum::serve(listener, router).await.expect("the provider runs") });

    // The relying party's redirect URI: a page that says it got the answer, and keeps what a
    // `form_post` brings.
    let posted = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&posted);
    let relying_party = axum::Router::new().route(
        "/cb",
        get(|| async { "signed in" }).post(move |body: String| {
            kept.lock().unwrap().push(body);
            async { "posted" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let callback = format!("http://{}/cb", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, relying_party).await.expect("the relying party runs") });
    Setup { url, backend, callback, posted }
}

type Responding = Pin<Box<dyn Future<Output = Result<HttpResponse, reqwest::Error>> + Send>>;

/// The client libraries' HTTP function, over the workspace's reqwest.
fn http() -> impl Fn(HttpRequest) -> Responding {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    move |request| {
        let client = client.clone();
        Box::pin(async move {
            let response = client.execute(reqwest::Request::try_from(request)?).await?;
            let (status, headers) = (response.status(), response.headers().clone());
            let mut answer = HttpResponse::new(response.bytes().await?.to_vec());
            *answer.status_mut() = status;
            *answer.headers_mut() = headers;
            Ok(answer)
        })
    }
}

/// The query parameter `name` of `url`.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    oauth2::url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into())
}

/// Signs in as Alice on the page the browser shows, and approves.
async fn sign_in_and_approve(browser: &Browser) {
    browser.fill("#login", "alice").await.expect("the login field");
    browser.fill("#password", "wonderland").await.expect("the password field");
    browser.click("#approve").await.expect("the approve button");
}

#[tokio::test]
async fn authorization_code_flow_with_pkce_then_prompt_none_and_form_post() {
    let setup = setup().await;
    let browser = Browser::start().await.expect("Chromium and chromedriver start");
    let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.into()))
        .set_auth_uri(AuthUrl::new(format!("{}/authorize", setup.url)).unwrap())
        .set_token_uri(TokenUrl::new(format!("{}/token", setup.url)).unwrap())
        .set_redirect_uri(RedirectUrl::new(setup.callback.clone()).unwrap());

    // 1. No session: the page asks who you are and what you allow.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    browser.goto(url.as_str()).await.expect("the authorization page");
    assert_eq!(browser.text("#client-name").await.unwrap(), CLIENT_NAME);
    let scopes = browser.text("#scopes").await.unwrap();
    assert!(scopes.contains("openid") && scopes.contains("profile"), "{scopes}");
    browser.screenshot("login-and-consent").await.expect("a screenshot");
    sign_in_and_approve(&browser).await;
    let landed = browser.wait_for_url(|url| url.starts_with(&setup.callback), LANDING).await.expect("the redirect");
    assert_eq!(param(&landed, "state").as_deref(), Some(csrf.secret().as_str()));
    let code = param(&landed, "code").expect("a code");

    // The session's cookie, as the browser keeps it.
    browser.goto(&format!("{}/device", setup.url)).await.unwrap();
    let cookie = browser.cookie("authlete-session").await.unwrap().expect("the session cookie");
    assert!(cookie.http_only, "{cookie:?}");
    assert_eq!(cookie.same_site.as_deref(), Some("Lax"));
    assert!(!cookie.secure, "http: no Secure");

    // A real client redeems the code with its PKCE verifier.
    let http = http();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("tokens for the code");
    assert!(tokens.access_token().secret().starts_with("at-"));
    let [issued]: [AuthorizationIssueRequest; 1] =
        setup.backend.fake.received(ops::AUTH_AUTHORIZATION_ISSUE).try_into().expect("one issue");
    assert_eq!(issued.subject, "1001");
    assert_eq!(issued.acr.as_deref(), Some("urn:example:mfa"));
    assert_eq!(issued.claims.as_deref(), Some(r#"{"name":"Alice Liddell"}"#));

    // 2. Signed in: the page only asks for consent.
    let (url, _) = client.authorize_url(CsrfToken::new_random).add_scope(Scope::new("openid".into())).url();
    browser.goto(url.as_str()).await.unwrap();
    assert_eq!(browser.text("#signed-in").await.unwrap(), "Signed in as 1001.");
    assert!(!browser.page_source().await.unwrap().contains("type=\"password\""));
    browser.screenshot("consent").await.expect("a screenshot");
    browser.click("#approve").await.unwrap();
    let landed = browser.wait_for_url(|url| url.starts_with(&setup.callback), LANDING).await.unwrap();
    assert!(param(&landed, "code").is_some(), "{landed}");

    // 3. prompt=none with the session: straight back with a code, no page.
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_extra_param("prompt", "none")
        .url();
    browser.goto(url.as_str()).await.unwrap();
    let landed = browser.wait_for_url(|url| url.starts_with(&setup.callback), LANDING).await.unwrap();
    assert!(param(&landed, "code").is_some(), "{landed}");

    // 4. response_mode=form_post: Authlete's page posts the code to the client.
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_extra_param("response_mode", "form_post")
        .url();
    browser.goto(url.as_str()).await.unwrap();
    browser.click("#approve").await.unwrap();
    browser.wait_for_url(|url| url.starts_with(&setup.callback), LANDING).await.unwrap();
    let posted = wait_for(|| setup.posted.lock().unwrap().first().cloned()).await.expect("the form_post");
    let form: Vec<(String, String)> = oauth2::url::form_urlencoded::parse(posted.as_bytes()).into_owned().collect();
    assert!(form.iter().any(|(name, value)| name == "code" && value.starts_with("code-")), "{posted}");
    assert!(form.contains(&("state".into(), csrf.secret().clone())), "{posted}");

    // 5. Signed out: prompt=none comes back with login_required.
    // The pages' content policy allows no script requests: sign out the way a page would, with a
    // form posted from the provider's own origin.
    browser.goto(&format!("{}/device", setup.url)).await.unwrap();
    let sign_out = "const form = document.createElement('form'); form.method = 'post'; form.action = '/logout'; \
                    document.body.appendChild(form); form.submit();";
    browser.execute(sign_out, vec![]).await.unwrap();
    browser.wait_for_url(|url| url.ends_with("/logout"), LANDING).await.unwrap();
    assert_eq!(browser.text("#title").await.unwrap(), "Signed out");
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_extra_param("prompt", "none")
        .url();
    browser.goto(url.as_str()).await.unwrap();
    let landed = browser.wait_for_url(|url| url.starts_with(&setup.callback), LANDING).await.unwrap();
    assert_eq!(param(&landed, "error").as_deref(), Some("login_required"), "{landed}");
    let failed: Vec<AuthorizationFailRequest> = setup.backend.fake.received(ops::AUTH_AUTHORIZATION_FAIL);
    assert_eq!(failed.last().map(|fail| fail.reason.clone()), Some(AuthorizationFailRequestReason::NotLoggedIn));
    browser.close().await.expect("the browser closes");
}

#[tokio::test]
async fn device_flow_verification_page() {
    let setup = setup().await;
    let browser = Browser::start().await.expect("Chromium and chromedriver start");
    browser.goto(&format!("{}/device?user_code={USER_CODE}", setup.url)).await.unwrap();
    let prefilled = browser.execute("return document.getElementById('user_code').value", vec![]).await.unwrap();
    assert_eq!(prefilled, USER_CODE);
    browser.fill("#login", "alice").await.unwrap();
    browser.fill("#password", "wonderland").await.unwrap();
    browser.screenshot("device-code-entry").await.unwrap();
    browser.click("#continue").await.unwrap();
    assert_eq!(browser.text("#client-name").await.unwrap(), "Living-room TV");
    browser.screenshot("device-consent").await.unwrap();
    browser.click("#approve").await.unwrap();
    assert_eq!(browser.text("#title").await.unwrap(), "Device connected");
    let [complete]: [DeviceCompleteRequest; 1] =
        setup.backend.fake.received(ops::DEVICE_COMPLETE).try_into().expect("one completion");
    assert_eq!(complete.user_code, USER_CODE);
    assert_eq!(complete.result, BackchannelAuthenticationCompleteRequestResult::Authorized);
    assert_eq!(complete.subject, "1001");
    assert_eq!(complete.claims.as_deref(), Some(r#"{"name":"Alice Liddell"}"#));
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_openid_connect_relying_party_signs_in_through_the_browser() {
    let setup = setup().await;
    let http = http();
    let issuer = IssuerUrl::new(setup.url.clone()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http).await.expect("discovery and the JWK Set");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT_ID.into()),
        Some(ClientSecret::new(CLIENT_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(setup.callback.clone()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    let browser = Browser::start().await.expect("Chromium and chromedriver start");
    browser.goto(url.as_str()).await.unwrap();
    sign_in_and_approve(&browser).await;
    let landed = browser.wait_for_url(|url| url.starts_with(&setup.callback), LANDING).await.unwrap();
    assert_eq!(param(&landed, "state").as_deref(), Some(csrf.secret().as_str()));
    browser.close().await.unwrap();

    let tokens = client
        .exchange_code(AuthorizationCode::new(param(&landed, "code").expect("a code")))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("tokens");
    let id_token = tokens.extra_fields().id_token().expect("an ID token");
    // Verified against the provider's JWK Set: signature, issuer, audience, expiry, nonce.
    let claims = id_token.claims(&client.id_token_verifier(), &nonce).expect("a valid ID token");
    assert_eq!(claims.subject().as_str(), "1001");
    assert_eq!(claims.name().and_then(|name| name.get(None)).map(|name| name.as_str()), Some("Alice Liddell"));
    assert_eq!(claims.auth_context_ref().map(|acr| acr.as_str()), Some("urn:example:mfa"));

    // The verification is real: one flipped bit of the signature and the token is refused.
    let text = id_token.to_string();
    let (signed, signature) = text.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged: CoreIdToken = format!("{signed}.{flipped}{}", &signature[1..]).parse().unwrap();
    assert!(forged.claims(&client.id_token_verifier(), &nonce).is_err());

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .expect("a userinfo endpoint")
        .request_async(&http)
        .await
        .expect("the user's claims");
    assert_eq!(userinfo.subject().as_str(), "1001");
    assert_eq!(userinfo.email().map(|email| email.as_str()), Some("alice@example.com"));
}

#[tokio::test]
async fn a_ciba_request_is_approved_on_the_approval_page() {
    let setup = setup().await;
    // The client's backchannel request, authenticated with its secret, naming Alice.
    let answer = reqwest::Client::new()
        .post(format!("{}/backchannel", setup.url))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("scope=openid&login_hint=alice&binding_message=W4SCT")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), r#"{"auth_req_id":"req-1","expires_in":120,"interval":5}"#);

    // Alice's "authentication device": the approval page, after signing in.
    let browser = Browser::start().await.expect("Chromium and chromedriver start");
    browser.goto(&format!("{}/ciba", setup.url)).await.unwrap();
    browser.fill("#login", "alice").await.unwrap();
    browser.fill("#password", "wonderland").await.unwrap();
    browser.click("#sign-in").await.unwrap();
    assert_eq!(browser.text(".binding-message").await.unwrap(), "W4SCT");
    browser.screenshot("ciba-approval").await.unwrap();
    browser.click(".approve").await.unwrap();
    assert_eq!(browser.text("#notice").await.unwrap(), "Approved. The application has been told.");
    assert_eq!(browser.text("#none").await.unwrap(), "Nothing is waiting for you.");
    browser.close().await.unwrap();

    let [complete]: [BackchannelAuthenticationCompleteRequest; 1] =
        setup.backend.fake.received(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE).try_into().expect("one completion");
    assert_eq!(complete.ticket, "ciba-ticket-1");
    assert_eq!(complete.subject, "1001");
    assert_eq!(complete.result, BackchannelAuthenticationCompleteRequestResult::Authorized);
    assert_eq!(complete.acr.as_deref(), Some("urn:example:mfa"));
}

#[tokio::test]
async fn a_hostile_client_name_is_text_in_the_browser() {
    let setup = setup().await;
    let hostile = r#"<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">"#;
    setup.backend.fake.reply(
        ops::AUTH_AUTHORIZATION,
        &AuthorizationResponse {
            action: Some(AuthorizationResponseAction::Interaction),
            ticket: Some("t-hostile".into()),
            client: Some(ClientLimitedAuthorization {
                client_name: Some(hostile.into()),
                logo_uri: Some("javascript:window.pwned = 3".into()),
                ..Default::default()
            }),
            login_hint: Some(r#""><script>window.pwned = 4</script>"#.into()),
            ..Default::default()
        },
    );
    let browser = Browser::start().await.expect("Chromium and chromedriver start");
    browser.goto(&format!("{}/authorize?client_id={CLIENT_ID}", setup.url)).await.unwrap();
    assert_eq!(browser.text("#client-name").await.unwrap(), hostile, "shown as text");
    let login = browser.execute("return document.getElementById('login').value", vec![]).await.unwrap();
    assert_eq!(login, r#""><script>window.pwned = 4</script>"#);
    let pwned = browser.execute("return window.pwned === undefined && document.images.length === 0", vec![]).await;
    assert_eq!(pwned.unwrap(), true, "no script ran, no image was made");
    browser.screenshot("hostile-client").await.unwrap();
    browser.close().await.unwrap();
}

/// Polls `probe` until it gives something, for at most [`LANDING`].
async fn wait_for<T>(probe: impl Fn() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + LANDING;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
