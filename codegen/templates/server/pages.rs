//! The pages a browser gets in the interactive flows, and the templates that make them.
//!
//! The flows decide what a page says ([`AuthorizationPage`], [`DeviceEntryPage`],
//! [`DeviceConsentPage`], [`MessagePage`]); a [`Pages`] turns that into HTML. [`DefaultPages`]
//! does it with small, plain templates that work without JavaScript and are meant to be replaced,
//! one by one ([`DefaultPages::template`]) or all at once (your own [`Pages`]).
//!
//! Whatever makes the HTML, the toolkit sends every page with `Cache-Control: no-store`,
//! `X-Frame-Options: DENY` and a `Content-Security-Policy` that forbids framing, scripts and
//! plugins, so a page that shows a client's name cannot be framed for clickjacking nor run what a
//! client put in its name. [`DefaultPages`] escapes every value it puts in HTML; a [`Pages`] of
//! your own must do the same (a client can register any name, and a request can carry any
//! `login_hint`).

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use serde::Serialize;

use super::config::Endpoint;
use super::page_templates;
use crate::models::{ClientLimitedAuthorization, Scope};

/// Turns what a page must say into HTML. Every value that comes from a client, a request or
/// Authlete must be escaped.
pub trait Pages: Send + Sync + 'static {
    /// The authorization page: who asks for what, a sign-in form when [`AuthorizationPage::sign_in`]
    /// says so, and the buttons to approve or deny.
    fn authorization(&self, page: &AuthorizationPage) -> String;

    /// The device flow's first page: the form for the code shown on the device, with a sign-in
    /// form when [`DeviceEntryPage::sign_in`] says so.
    fn device_entry(&self, page: &DeviceEntryPage) -> String;

    /// The device flow's consent page, once the code was found.
    fn device_consent(&self, page: &DeviceConsentPage) -> String;

    /// The CIBA approval page: a sign-in form when [`BackchannelApprovalPage::sign_in`] says so,
    /// else the requests waiting for the user, each with buttons to approve or deny.
    fn backchannel_approval(&self, page: &BackchannelApprovalPage) -> String;

    /// A page that tells the user how something ended: an error, or "you may go back to your
    /// device".
    fn message(&self, page: &MessagePage) -> String;
}

/// The client asking for authorization, as a page shows it.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct ClientView {
    /// The client's name, or its ID when it registered none.
    pub name: String,
    /// The URL of the client's logo.
    pub logo_uri: Option<String>,
    /// The client's description.
    pub description: Option<String>,
    /// The URL of the client's privacy policy.
    pub policy_uri: Option<String>,
    /// The URL of the client's terms of service.
    pub tos_uri: Option<String>,
}

impl ClientView {
    pub(crate) fn from_client(client: Option<&ClientLimitedAuthorization>) -> Self {
        let Some(client) = client else {
            return ClientView { name: "An application".to_owned(), ..Default::default() };
        };
        let name = client
            .client_name
            .clone()
            .or_else(|| client.client_id_alias.clone())
            .or_else(|| client.client_id.map(|id| id.to_string()))
            .unwrap_or_else(|| "An application".to_owned());
        ClientView {
            name,
            // Only web addresses: a `javascript:` or `data:` "logo" is not shown.
            logo_uri: client.logo_uri.clone().filter(|uri| is_web_url(uri)),
            description: client.description.clone(),
            policy_uri: client.policy_uri.clone().filter(|uri| is_web_url(uri)),
            tos_uri: client.tos_uri.clone().filter(|uri| is_web_url(uri)),
        }
    }

    pub(crate) fn named(name: Option<&str>, id: Option<i64>) -> Self {
        let name = name.map(str::to_owned).or_else(|| id.map(|id| id.to_string()));
        ClientView { name: name.unwrap_or_else(|| "An application".to_owned()), ..Default::default() }
    }
}

fn is_web_url(uri: &str) -> bool {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A scope a client asks for, as a page shows it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ScopeView {
    /// The scope (`openid`, `email`, …).
    pub name: String,
    /// Its description, as the service registered it.
    pub description: Option<String>,
}

impl ScopeView {
    pub(crate) fn list(scopes: Option<&Vec<Scope>>) -> Vec<ScopeView> {
        scopes
            .into_iter()
            .flatten()
            .filter_map(|scope| {
                let name = scope.name.clone()?;
                Some(ScopeView { name, description: scope.description.clone() })
            })
            .collect()
    }
}

/// What the authorization page says.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct AuthorizationPage {
    /// Where the page's form posts (the decision endpoint).
    pub action: String,
    /// The hidden field `interaction`: the token that ties the decision to this page in this
    /// browser.
    pub interaction: String,
    /// The client.
    pub client: ClientView,
    /// The scopes the client asks for.
    pub scopes: Vec<ScopeView>,
    /// The claims the client asks for (names, possibly with `#` and a language tag).
    pub claims: Vec<String>,
    /// Why the client asks (OIDC for Identity Assurance's `purpose`).
    pub purpose: Option<String>,
    /// Whether the form must ask for a login name and password (fields `login`, `password`): no
    /// one signed in, the client asked for a fresh sign-in (`prompt=login`, `max_age`), or for
    /// another user.
    pub sign_in: bool,
    /// The login name to fill in: the request's `login_hint`.
    pub login_hint: Option<String>,
    /// The subject of the user signed in, when no new sign-in is needed.
    pub signed_in_as: Option<String>,
    /// What the client asked of the page (`prompt`: `LOGIN`, `CONSENT`, `SELECT_ACCOUNT`, …, as
    /// Authlete spells them).
    pub prompts: Vec<String>,
    /// The authentication context classes the client asked for, in order of preference: a
    /// server with several ways to sign in offers the first it can.
    pub acrs: Vec<String>,
    /// The languages the client prefers for the page (`ui_locales`), in order.
    pub ui_locales: Vec<String>,
    /// A message for the user about the last try (a wrong password).
    pub error: Option<String>,
}

/// What the device flow's code entry page says.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct DeviceEntryPage {
    /// Where the page's form posts.
    pub action: String,
    /// The hidden field `form_token`, against cross-site requests.
    pub form_token: String,
    /// The code to fill in (from `verification_uri_complete`'s `user_code`), field `user_code`.
    pub user_code: Option<String>,
    /// Whether the form must ask for a login name and password (fields `login`, `password`).
    pub sign_in: bool,
    /// The subject of the user signed in.
    pub signed_in_as: Option<String>,
    /// A message about the last try: a wrong code, an expired one, a wrong password.
    pub error: Option<String>,
}

/// What the device flow's consent page says.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct DeviceConsentPage {
    /// Where the page's form posts.
    pub action: String,
    /// The hidden field `interaction`.
    pub interaction: String,
    /// The client.
    pub client: ClientView,
    /// The scopes the client asks for.
    pub scopes: Vec<ScopeView>,
    /// The claims the client asks for.
    pub claims: Vec<String>,
    /// The code the user entered.
    pub user_code: String,
    /// The subject of the user signed in.
    pub signed_in_as: String,
}

/// What the CIBA approval page says.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct BackchannelApprovalPage {
    /// Where the page's forms post.
    pub action: String,
    /// The hidden field `form_token` of every form, against cross-site requests.
    pub form_token: String,
    /// Whether the page must ask for a login name and password (fields `login`, `password`).
    pub sign_in: bool,
    /// The subject of the user signed in.
    pub signed_in_as: Option<String>,
    /// The requests waiting for the user: each form posts `request` (the view's `id`) and
    /// `decision` (`approve` or `deny`).
    pub requests: Vec<BackchannelRequestView>,
    /// What the last decision did.
    pub notice: Option<String>,
    /// A message about the last try.
    pub error: Option<String>,
}

/// A backchannel request waiting for the user, as the approval page shows it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct BackchannelRequestView {
    /// The request's ID on the page (not Authlete's ticket).
    pub id: String,
    /// The client.
    pub client: ClientView,
    /// The scopes it asks for.
    pub scopes: Vec<String>,
    /// The binding message the client shows, for the user to compare.
    pub binding_message: Option<String>,
}

/// What a message page says.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct MessagePage {
    /// The page's title.
    pub title: String,
    /// The message.
    pub message: String,
}

impl MessagePage {
    /// A page titled `title` that says `message`.
    pub fn new(title: impl Into<String>, message: impl Into<String>) -> Self {
        MessagePage { title: title.into(), message: message.into() }
    }
}

/// The toolkit's own pages: plain HTML from [minijinja] templates, which escape every value.
///
/// Replace any template with [`DefaultPages::template`]; the templates and the values each gets
/// are:
///
/// | Template | Values |
/// | --- | --- |
/// | `layout.html` | the blocks `title` and `content` |
/// | `authorization.html` | the fields of [`AuthorizationPage`] |
/// | `device_entry.html` | the fields of [`DeviceEntryPage`] |
/// | `device_consent.html` | the fields of [`DeviceConsentPage`] |
/// | `backchannel_approval.html` | the fields of [`BackchannelApprovalPage`] |
/// | `message.html` | the fields of [`MessagePage`] |
///
/// ```
/// use authlete::server::pages::{DefaultPages, MessagePage, Pages as _};
///
/// let pages = DefaultPages::new()
///     .template("message.html", "<h1>{{ title }}</h1><p>{{ message }}</p>")?;
/// let html = pages.message(&MessagePage::new("Done", "<b>bold</b>"));
/// assert_eq!(html, "<h1>Done</h1><p>&lt;b&gt;bold&lt;&#x2f;b&gt;</p>");
/// # Ok::<(), authlete::server::pages::TemplateError>(())
/// ```
pub struct DefaultPages {
    templates: minijinja::Environment<'static>,
}

/// The templates by name, in the order the docs list them.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", page_templates::LAYOUT),
    ("authorization.html", page_templates::AUTHORIZATION),
    ("device_entry.html", page_templates::DEVICE_ENTRY),
    ("device_consent.html", page_templates::DEVICE_CONSENT),
    ("backchannel_approval.html", page_templates::BACKCHANNEL_APPROVAL),
    ("message.html", page_templates::MESSAGE),
];

impl DefaultPages {
    /// The toolkit's templates.
    pub fn new() -> Self {
        let mut templates = minijinja::Environment::new();
        // `.html` templates escape every value (minijinja's default, said here so that it stays).
        templates.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        for (name, source) in TEMPLATES {
            // The built-in templates parse: a unit test renders each.
            if let Err(error) = templates.add_template(name, source) {
                tracing::error!(template = name, %error, "a built-in page template does not parse");
            }
        }
        DefaultPages { templates }
    }

    /// These pages with the template `name` (see the table above) replaced by `source`.
    ///
    /// A name that is not one of the templates, or a source that does not parse, is an error
    /// that says where.
    pub fn template(mut self, name: &str, source: impl Into<String>) -> Result<Self, TemplateError> {
        let Some((name, _)) = TEMPLATES.iter().find(|(known, _)| *known == name) else {
            return Err(TemplateError(format!(
                "`{name}` is not one of the pages' templates ({})",
                TEMPLATES.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
            )));
        };
        self.templates.add_template_owned(*name, source.into()).map_err(|error| TemplateError(error.to_string()))?;
        Ok(self)
    }

    fn render(&self, name: &str, page: &impl Serialize) -> String {
        let rendered =
            self.templates.get_template(name).and_then(|template| template.render(minijinja::value::Serde(page)));
        rendered.unwrap_or_else(|error| {
            tracing::error!(template = name, %error, "a page template failed");
            // Nothing of the page's values: they are what might have broken the template.
            "<!doctype html><title>Error</title><p>This page cannot be shown.</p>".to_owned()
        })
    }
}

impl Default for DefaultPages {
    fn default() -> Self {
        DefaultPages::new()
    }
}

impl std::fmt::Debug for DefaultPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DefaultPages").finish_non_exhaustive()
    }
}

impl Pages for DefaultPages {
    fn authorization(&self, page: &AuthorizationPage) -> String {
        self.render("authorization.html", page)
    }

    fn device_entry(&self, page: &DeviceEntryPage) -> String {
        self.render("device_entry.html", page)
    }

    fn device_consent(&self, page: &DeviceConsentPage) -> String {
        self.render("device_consent.html", page)
    }

    fn backchannel_approval(&self, page: &BackchannelApprovalPage) -> String {
        self.render("backchannel_approval.html", page)
    }

    fn message(&self, page: &MessagePage) -> String {
        self.render("message.html", page)
    }
}

impl<P: Pages> Pages for std::sync::Arc<P> {
    fn authorization(&self, page: &AuthorizationPage) -> String {
        (**self).authorization(page)
    }

    fn device_entry(&self, page: &DeviceEntryPage) -> String {
        (**self).device_entry(page)
    }

    fn device_consent(&self, page: &DeviceConsentPage) -> String {
        (**self).device_consent(page)
    }

    fn backchannel_approval(&self, page: &BackchannelApprovalPage) -> String {
        (**self).backchannel_approval(page)
    }

    fn message(&self, page: &MessagePage) -> String {
        (**self).message(page)
    }
}

/// A page template that cannot be used: an unknown name, or a source that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

/// What every page is sent with: never stored, never framed, no scripts, no plugins, no referrer to other sites.
const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; frame-ancestors 'none'";

/// A page as the response to send, with `set_cookie` when the session's cookie changed.
pub(crate) fn page(status: StatusCode, html: String, set_cookie: Option<HeaderValue>) -> Response<String> {
    let mut response = framed_never(status, html);
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
    if let Some(cookie) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// An HTML response that is never stored and never framed, without a content policy (for
/// Authlete's self-posting `form_post` page, whose script must run).
pub(crate) fn framed_never(status: StatusCode, html: String) -> Response<String> {
    let mut response = Response::new(html);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html;charset=UTF-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `same-origin`: no referrer leaves for another site (a client's redirect URI), and the
    // browser still sends its true `Origin` with the pages' own forms (`no-referrer` makes it
    // `null`, which the forms' origin check refuses).
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// A message page with `status`.
pub(crate) fn message(
    pages: &impl Pages,
    status: StatusCode,
    title: &str,
    text: &str,
    set_cookie: Option<HeaderValue>,
) -> Response<String> {
    page(status, pages.message(&MessagePage::new(title, text)), set_cookie)
}

/// A JSON answer of the toolkit's (a request it cannot read, Authlete unreachable, an unexpected
/// answer) as a page: the same status and `Retry-After`, for a person rather than a program.
pub(crate) fn failure_page(pages: &impl Pages, failure: Response<String>) -> Response<String> {
    let status = failure.status();
    let retry_after = failure.headers().get(header::RETRY_AFTER).cloned();
    let (title, text) = if status == StatusCode::SERVICE_UNAVAILABLE {
        ("Please try again", "The server cannot finish this now. Please try again in a moment.")
    } else if status.is_server_error() {
        ("Server error", "Something went wrong on the server. Please try again later.")
    } else {
        ("Invalid request", "The server cannot read this request.")
    };
    let mut response = message(pages, status, title, text, None);
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// `405` as a page, with the `Allow` header.
pub(crate) fn method_not_allowed(pages: &impl Pages, allow: &'static str) -> Response<String> {
    let text = format!("This page takes {allow}.");
    let mut response = message(pages, StatusCode::METHOD_NOT_ALLOWED, "Invalid request", &text, None);
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// `500` as a page, when the operating system gave no random bytes for a session or a token.
pub(crate) fn no_randomness(pages: &impl Pages, endpoint: Endpoint) -> Response<String> {
    tracing::error!(endpoint = endpoint.name(), "the operating system gave no random bytes for a session");
    message(pages, StatusCode::INTERNAL_SERVER_ERROR, "Server error", "Please try again later.", None)
}

/// The fields the pages' forms post, whichever form it was.
#[derive(Default)]
pub(crate) struct FormFields {
    /// The session's form token (the code entry and approval pages).
    pub(crate) form_token: String,
    /// The token naming the interaction a consent page asked about.
    pub(crate) interaction: Option<String>,
    /// The CIBA request decided on.
    pub(crate) request: Option<String>,
    /// The code the device shows.
    pub(crate) user_code: Option<String>,
    /// Whether the button pressed was `approve`.
    pub(crate) approve: bool,
    pub(crate) login: Option<String>,
    pub(crate) password: Option<String>,
}

impl FormFields {
    /// The fields of the form-encoded `form`; others are ignored.
    pub(crate) fn read(form: &str) -> Self {
        let mut fields = FormFields::default();
        for (name, value) in form_urlencoded::parse(form.as_bytes()) {
            match &*name {
                "form_token" => fields.form_token = value.into_owned(),
                "interaction" => fields.interaction = Some(value.into_owned()),
                "request" => fields.request = Some(value.into_owned()),
                "user_code" => fields.user_code = Some(value.into_owned()),
                "decision" => fields.approve = value == "approve",
                "login" => fields.login = Some(value.into_owned()),
                "password" => fields.password = Some(value.into_owned()),
                _ => {}
            }
        }
        fields
    }
}

/// Authlete's JSON error (`error`, `error_description`) as a message page: what the request got
/// wrong, when there is no client to tell (RFC 6749 §4.1.2.1: an unverified redirect URI is not
/// followed).
pub(crate) fn error_page(pages: &impl Pages, status: StatusCode, content: Option<&str>) -> Response<String> {
    let error: Option<serde_json::Value> = content.and_then(|text| serde_json::from_str(text).ok());
    let field = |name: &str| error.as_ref().and_then(|error| error.get(name)).and_then(|value| value.as_str());
    let text = match (field("error"), field("error_description")) {
        (Some(code), Some(description)) => format!("{code}: {description}"),
        (Some(code), None) => code.to_owned(),
        _ => "The request is not valid.".to_owned(),
    };
    let title = if status.is_server_error() { "Server error" } else { "Invalid request" };
    message(pages, status, title, &text, None)
}

/// A `Location` redirect that is never stored.
pub(crate) fn redirect(location: &str, set_cookie: Option<HeaderValue>) -> Option<Response<String>> {
    let location = HeaderValue::from_str(location).ok()?;
    let mut response = Response::new(String::new());
    *response.status_mut() = StatusCode::FOUND;
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Some(cookie) = set_cookie {
        headers.append(header::SET_COOKIE, cookie);
    }
    Some(response)
}

/// Adds the session's new cookie to a response.
pub(crate) fn with_cookie(mut response: Response<String>, set_cookie: Option<HeaderValue>) -> Response<String> {
    if let Some(cookie) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> String {
        "<script>alert(1)</script>".to_owned()
    }

    #[test]
    fn every_default_template_renders_and_escapes() {
        let pages = DefaultPages::new();
        let client =
            ClientView { name: hostile(), logo_uri: Some("https://x/\"onerror=\"".into()), ..Default::default() };
        let scopes = vec![ScopeView { name: hostile(), description: Some(hostile()) }];
        let rendered = [
            pages.authorization(&AuthorizationPage {
                action: "/authorize/decision".into(),
                interaction: "t\"><x".into(),
                client: client.clone(),
                scopes: scopes.clone(),
                claims: vec![hostile()],
                purpose: Some(hostile()),
                sign_in: true,
                login_hint: Some(hostile()),
                signed_in_as: None,
                prompts: vec![hostile()],
                acrs: vec![hostile()],
                ui_locales: vec![hostile()],
                error: Some(hostile()),
            }),
            pages.device_entry(&DeviceEntryPage {
                action: "/device".into(),
                form_token: "f".into(),
                user_code: Some(hostile()),
                sign_in: true,
                signed_in_as: None,
                error: Some(hostile()),
            }),
            pages.device_consent(&DeviceConsentPage {
                action: "/device".into(),
                interaction: "i".into(),
                client,
                scopes,
                claims: vec![hostile()],
                user_code: hostile(),
                signed_in_as: hostile(),
            }),
            pages.backchannel_approval(&BackchannelApprovalPage {
                action: "/ciba".into(),
                form_token: "f".into(),
                sign_in: false,
                signed_in_as: Some(hostile()),
                requests: vec![BackchannelRequestView {
                    id: "r".into(),
                    client: ClientView { name: hostile(), ..Default::default() },
                    scopes: vec![hostile()],
                    binding_message: Some(hostile()),
                }],
                notice: Some(hostile()),
                error: Some(hostile()),
            }),
            pages.message(&MessagePage::new(hostile(), hostile())),
        ];
        for html in rendered {
            assert!(html.starts_with("<!doctype html>"), "{html}");
            assert!(!html.contains("<script>"), "{html}");
            assert!(html.contains("&lt;script&gt;"), "{html}");
            assert!(!html.contains("\"onerror=\""), "{html}");
        }
    }

    #[test]
    fn an_unknown_or_broken_template_is_an_error_that_says_which() {
        let unknown = DefaultPages::new().template("login.html", "").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "`login.html` is not one of the pages' templates (layout.html, authorization.html, \
             device_entry.html, device_consent.html, backchannel_approval.html, message.html)"
        );
        let broken = DefaultPages::new().template("message.html", "{% if %}").unwrap_err();
        assert!(broken.to_string().contains("message.html"), "{broken}");
    }

    #[test]
    fn the_forms_fields_are_read_decoded() {
        let fields = FormFields::read("interaction=abc&decision=approve&login=al%2Bice&password=p+w&user_code=X&x=1");
        assert_eq!(fields.interaction.as_deref(), Some("abc"));
        assert!(fields.approve);
        assert_eq!(fields.login.as_deref(), Some("al+ice"));
        assert_eq!(fields.password.as_deref(), Some("p w"));
        assert_eq!(fields.user_code.as_deref(), Some("X"));
        assert!(!FormFields::read("interaction=abc&decision=deny").approve);
        assert!(!FormFields::read("form_token=t").approve);
        assert_eq!(FormFields::read("form_token=t").form_token, "t");
    }

    #[test]
    fn only_web_addresses_are_shown_as_links() {
        assert!(is_web_url("https://example.com/logo.png"));
        assert!(is_web_url("HTTP://example.com"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:image/png;base64,AAAA"));
    }
}
