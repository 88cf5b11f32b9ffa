//! What the interactive flows' end-to-end tests share: the toolkit's interactive routes served on
//! 127.0.0.1 in front of the fake Authlete, a test user, and a "browser" (reqwest without
//! redirects) that carries its cookies by hand, so that a test can also leave them out.

#![allow(dead_code)] // Each test uses a part of it.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use authlete::models::{
    AuthorizationFailResponse, AuthorizationFailResponseAction, AuthorizationIssueResponse, AuthorizationResponse,
    AuthorizationResponseAction, ClientLimitedAuthorization, Scope,
};
use authlete::server::axum::Routes;
use authlete::server::pages::DefaultPages;
use authlete::server::{AuthorizationServer, Config, User, Users};
use authlete::testing::{ops, FakeAuthlete};
use serde_json::{Map, Value};

/// The one user: `alice`, password `wonderland`, signed in with the ACR `urn:mfa`.
pub struct TestUsers;

pub const ACR: &str = "urn:mfa";

impl Users for TestUsers {
    async fn authenticate(&self, login: &str, password: &str) -> Option<User> {
        (login == "alice" && password == "wonderland").then(|| User::new("alice").acr(ACR))
    }

    async fn claims(&self, subject: &str, claims: &[String], _locales: &[String]) -> Map<String, Value> {
        let known = [("name", "Alice Liddell"), ("email", "alice@example.com")];
        let mut values = Map::new();
        if subject == "alice" {
            for (name, value) in known {
                if claims.iter().any(|claim| claim == name) {
                    values.insert(name.to_owned(), Value::String(value.to_owned()));
                }
            }
        }
        values
    }

    /// `admin` is never granted; anything else as requested.
    async fn granted_scopes(&self, _subject: &str, requested: &[String]) -> Option<Vec<String>> {
        requested
            .iter()
            .any(|scope| scope == "admin")
            .then(|| requested.iter().filter(|scope| *scope != "admin").cloned().collect())
    }
}

/// The fake Authlete and the server in front of it, at `base` (`http://127.0.0.1:<port>`).
pub struct App {
    pub fake: FakeAuthlete,
    pub base: String,
}

impl App {
    /// The routes served with the public URL the server is reached at.
    pub async fn start() -> App {
        App::start_with(None, |config| config).await
    }

    /// The routes served on 127.0.0.1, with `public_url` (the address served at when `None`) and
    /// the configuration `configure` makes.
    pub async fn start_with(public_url: Option<&str>, configure: impl FnOnce(Config) -> Config) -> App {
        let fake = FakeAuthlete::start().await;
        let service = fake
            .client_builder()
            .http_client(http_client())
            .build()
            .expect("a client")
            .service(FakeAuthlete::SERVICE_ID);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let config = configure(Config::new(public_url.unwrap_or(&base)).expect("a valid public URL"));
        let server = AuthorizationServer::new(service, config);
        let router = Routes::new(server)
            .authorization(TestUsers, DefaultPages::new())
            .device_verification(TestUsers, DefaultPages::new())
            .sign_out(DefaultPages::new())
            .build();
        tokio::spawn(async move { axum::serve(listener, router).await.expect("the server runs") });
        App { fake, base }
    }

    /// A browser without cookies.
    pub fn browser(&self) -> Browser {
        Browser { client: http_client(), base: self.base.clone(), cookies: BTreeMap::new() }
    }

    /// The origin of the server (what a browser sends as `Origin` from its pages).
    pub fn origin(&self) -> &str {
        &self.base
    }
}

/// The HTTP client of every browser and of the server's Authlete client, made once: making one
/// costs a tenth of a second (it loads the TLS roots). It follows no redirects, keeps no cookies,
/// and keeps no idle connection (each test has its own runtime, whose connections die with it).
pub fn http_client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .expect("a client builds")
        })
        .clone()
}

/// A browser: its cookies, kept by hand from `Set-Cookie` and sent as `Cookie`.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    /// `GET` of `path` (with its query).
    pub async fn get(&mut self, path: &str) -> Page {
        self.send(reqwest::Method::GET, path, &[], None).await
    }

    /// A form `POST` of `fields` to `path`.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, &[], &form(fields)).await
    }

    /// A form `POST` of `body` to `path`, with the headers `headers` too.
    pub async fn post_with(&mut self, path: &str, headers: &[(&str, &str)], body: &str) -> Page {
        let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        self.send(reqwest::Method::POST, path, &all, Some(body.to_owned())).await
    }

    /// A request of any method, with this browser's cookies.
    pub async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Page {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
            request = request.header("cookie", cookie.join("; "));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the server answers");
        let page = Page::from(response).await;
        for set_cookie in page.set_cookies() {
            let cookie = SetCookie::parse(&set_cookie);
            if cookie.attribute("max-age") == Some("0") {
                self.cookies.remove(&cookie.name);
            } else {
                self.cookies.insert(cookie.name, cookie.value);
            }
        }
        page
    }

    /// The value of the session cookie, if the browser holds one.
    pub fn session(&self) -> Option<&str> {
        self.cookies.iter().find(|(name, _)| name.ends_with("authlete-session")).map(|(_, value)| value.as_str())
    }
}

/// What a browser got.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    async fn from(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Page { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().expect("a text header"))
    }

    /// Every `Set-Cookie` of the answer.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().expect("a text header").to_owned())
            .collect()
    }

    /// The one `Set-Cookie` of the answer, parsed.
    #[track_caller]
    pub fn set_cookie(&self) -> SetCookie {
        match &self.set_cookies()[..] {
            [one] => SetCookie::parse(one),
            other => panic!("one Set-Cookie expected, got {other:?}; {self:?}"),
        }
    }

    /// The value of the form field `name` (an `<input>`), unescaped.
    pub fn field(&self, name: &str) -> Option<String> {
        let wanted = format!("name=\"{name}\"");
        self.body.split("<input").skip(1).map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())]).find_map(|tag| {
            if !tag.contains(&wanted) {
                return None;
            }
            let value = tag.split_once("value=\"").map_or("", |(_, rest)| rest.split('"').next().unwrap_or(""));
            Some(unescape(value))
        })
    }

    /// The hidden field `name`, which must be there and not empty.
    #[track_caller]
    pub fn token(&self, name: &str) -> String {
        match self.field(name) {
            Some(token) if !token.is_empty() => token,
            _ => panic!("no {name} field in the page: {self:?}"),
        }
    }

    /// The text of the element with the ID `id` (as the page has it, escaped).
    pub fn element(&self, id: &str) -> Option<&str> {
        let start = self.body.find(&format!("id=\"{id}\""))?;
        let rest = &self.body[start..];
        let text = &rest[rest.find('>')? + 1..];
        Some(&text[..text.find("</")?])
    }

    /// The page's message (a message page), as shown (escaped).
    #[track_caller]
    pub fn message(&self) -> &str {
        self.element("message").unwrap_or_else(|| panic!("no message in the page: {self:?}"))
    }

    /// The answer is one of the toolkit's pages: HTML, never stored, never framed, no scripts.
    #[track_caller]
    pub fn assert_page(&self, status: u16) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.header("content-type"), Some("text/html;charset=UTF-8"), "{self:?}");
        self.assert_unframed();
        let policy = self.header("content-security-policy").unwrap_or_else(|| panic!("no CSP: {self:?}"));
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy.contains("default-src 'none'"), "{policy}");
        assert!(self.body.starts_with("<!doctype html>"), "{self:?}");
    }

    /// Never stored, never framed.
    #[track_caller]
    pub fn assert_unframed(&self) {
        assert_eq!(self.header("cache-control"), Some("no-store"), "{self:?}");
        assert_eq!(self.header("pragma"), Some("no-cache"), "{self:?}");
        assert_eq!(self.header("x-frame-options"), Some("DENY"), "{self:?}");
        assert_eq!(self.header("x-content-type-options"), Some("nosniff"), "{self:?}");
    }

    /// A message page with `status` whose title is `title`.
    #[track_caller]
    pub fn assert_message(&self, status: u16, title: &str) {
        self.assert_page(status);
        assert_eq!(self.element("title"), Some(title), "{self:?}");
    }

    /// A `302` to `location`, never stored.
    #[track_caller]
    pub fn assert_redirect(&self, location: &str) {
        assert_eq!(self.status, 302, "{self:?}");
        assert_eq!(self.header("location"), Some(location), "{self:?}");
        assert_eq!(self.header("cache-control"), Some("no-store"), "{self:?}");
        assert_eq!(self.body, "", "{self:?}");
    }

    /// No `Set-Cookie`.
    #[track_caller]
    pub fn assert_no_cookie(&self) {
        assert_eq!(self.set_cookies(), Vec::<String>::new(), "{self:?}");
    }
}

/// A `Set-Cookie` header: name, value and attributes (names in lower case).
#[derive(Debug, Clone)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub attributes: Vec<(String, Option<String>)>,
}

impl SetCookie {
    pub fn parse(header: &str) -> SetCookie {
        let mut parts = header.split(';').map(str::trim);
        let (name, value) = parts.next().and_then(|pair| pair.split_once('=')).expect("name=value");
        let attributes = parts
            .map(|attribute| match attribute.split_once('=') {
                Some((name, value)) => (name.to_ascii_lowercase(), Some(value.to_owned())),
                None => (attribute.to_ascii_lowercase(), None),
            })
            .collect();
        SetCookie { name: name.to_owned(), value: value.to_owned(), attributes }
    }

    /// The value of the attribute `name` (lower case); `Some("")` for a flag.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(attribute, _)| attribute == name).map(|(_, value)| value.as_deref().unwrap_or(""))
    }

    pub fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }
}

/// `fields` as an `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

fn encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => encoded.push(byte as char),
            b' ' => encoded.push('+'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// HTML text with its character references replaced (those the templates write).
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// Now, in seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

/// Waits until the Unix clock's second changes (at most a second): a sign-in made before it is
/// then a second older.
pub async fn next_second() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970");
    let to_next = std::time::Duration::from_nanos(1_000_000_000 - u64::from(now.subsec_nanos()));
    tokio::time::sleep(to_next + std::time::Duration::from_millis(5)).await;
}

// What the fake Authlete answers.

/// The client of the tests' requests.
pub fn client() -> ClientLimitedAuthorization {
    ClientLimitedAuthorization {
        client_name: Some("Photo Book".into()),
        client_id: Some(5_309_422),
        logo_uri: Some("https://client.example/logo.png".into()),
        ..Default::default()
    }
}

pub fn scope(name: &str, description: Option<&str>) -> Scope {
    Scope { name: Some(name.into()), description: description.map(str::to_owned), ..Default::default() }
}

/// `/auth/authorization`'s `INTERACTION`: the client, scopes `openid email`, claims `name email`,
/// the login hint `alice`.
pub fn interaction(ticket: &str) -> AuthorizationResponse {
    AuthorizationResponse {
        action: Some(AuthorizationResponseAction::Interaction),
        ticket: Some(ticket.into()),
        client: Some(client()),
        scopes: Some(vec![scope("openid", None), scope("email", Some("Your email address"))]),
        claims: Some(vec!["name".into(), "email".into()]),
        login_hint: Some("alice".into()),
        ..Default::default()
    }
}

/// `/auth/authorization`'s `NO_INTERACTION` (`prompt=none`), with nothing more required.
pub fn no_interaction(ticket: &str) -> AuthorizationResponse {
    AuthorizationResponse {
        action: Some(AuthorizationResponseAction::NoInteraction),
        ticket: Some(ticket.into()),
        client: Some(client()),
        ..Default::default()
    }
}

/// Where the client's redirect URI takes the browser with a code.
pub const CALLBACK: &str = "https://client.example/cb?code=c-1&state=s-1";

/// Where the client's redirect URI takes the browser with an error.
pub const ERROR_CALLBACK: &str = "https://client.example/cb?error=access_denied&state=s-1";

pub fn issued(action: AuthorizationFailResponseAction, content: &str) -> AuthorizationIssueResponse {
    AuthorizationIssueResponse { action: Some(action), response_content: Some(content.into()), ..Default::default() }
}

pub fn failed(action: AuthorizationFailResponseAction, content: &str) -> AuthorizationFailResponse {
    AuthorizationFailResponse { action: Some(action), response_content: Some(content.into()), ..Default::default() }
}

/// An authorization request's query.
pub const QUERY: &str =
    "response_type=code&client_id=5309422&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&scope=openid+email&state=s-1";

/// Signs `browser` in as alice through the authorization page (an `INTERACTION` answered with the
/// password, issued as a `LOCATION`), and returns the `auth_time` Authlete was told.
pub async fn sign_in(app: &App, browser: &mut Browser) -> i64 {
    let before = app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE);
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-sign-in"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_page(200);
    let token = page.token("interaction");
    let answer = browser
        .post(
            "/authorize/decision",
            &[("interaction", &token), ("login", "alice"), ("password", "wonderland"), ("decision", "approve")],
        )
        .await;
    answer.assert_redirect(CALLBACK);
    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    assert_eq!(issues.len(), before + 1);
    let issue = issues.last().expect("an issue");
    assert_eq!(issue.subject, "alice");
    issue.auth_time.expect("an auth_time")
}
