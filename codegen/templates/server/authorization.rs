//! The authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2) and the decision the
//! user makes on its page.
//!
//! Authlete checks the request (`/auth/authorization`) and says what to do next:
//!
//! | Authlete's `action` | Response |
//! | --- | --- |
//! | `LOCATION` | `302` to the client's redirect URI (Authlete's `Location`: the error, or the answer of an unsigned-in flow) |
//! | `FORM` | `200`, Authlete's page that posts the answer to the client (`response_mode=form_post`) |
//! | `BAD_REQUEST` | `400`, a page that says what is wrong (the redirect URI cannot be trusted, so nothing is sent to the client) |
//! | `INTERNAL_SERVER_ERROR` | `500`, a page |
//! | `NO_INTERACTION` (`prompt=none`) | the browser's session decides, with [`Users::satisfies`]: `/auth/authorization/issue`, or `/auth/authorization/fail` with the reason (`NOT_LOGGED_IN`, `EXCEEDS_MAX_AGE`, `DIFFERENT_SUBJECT`, `ACR_NOT_SATISFIED`); the answer is again a `LOCATION`, a `FORM`, `400` or `500` |
//! | `INTERACTION` | `200`, the authorization page ([`Pages::authorization`]): the client, the scopes and claims it asks for, and a sign-in form unless the session's user satisfies the request |
//!
//! The page posts to the decision endpoint ([`AuthorizationDecisionEndpoint`]), which takes the
//! user's choice: it signs the user in with [`Users::authenticate`] when the page asked for it
//! (a wrong password shows the page again), then calls `/auth/authorization/issue` with the
//! subject, `auth_time`, `acr` and the claims [`Users::claims`] gives, or `/fail` with `DENIED`.
//!
//! The page's form carries a token that names this interaction in this browser's session; a
//! decision without it (posted from another site or browser, posted twice, or after fifteen
//! minutes) gets a `400` page and reaches neither Authlete nor the client. A decision posted with
//! an `Origin` header other than the server's own is refused too.
//!
//! Pushed requests (`request_uri` from PAR) and request objects (`request`) are parameters like
//! any other: Authlete resolves them.

use std::future::Future;
use std::sync::Arc;

use http::{Method, Response, StatusCode};
use serde_json::{Map, Value};

use super::config::Endpoint;
use super::pages::{self, AuthorizationPage, ClientView, FormFields, Pages, ScopeView};
use super::request::Request;
use super::session::{self, Found, Interaction, SignedIn};
use super::{AuthorizationServer, Handler};
use crate::models::{
    AuthorizationFailRequest, AuthorizationFailRequestReason, AuthorizationFailResponseAction,
    AuthorizationIssueRequest, AuthorizationRequest, AuthorizationResponse, AuthorizationResponseAction, Prompt,
};

/// The path the authorization page posts the user's decision to, unless
/// [`AuthorizationFlow::decision_path`] says otherwise.
pub const DEFAULT_DECISION_PATH: &str = "/authorize/decision";

/// The server's users, as the interactive flows need them: who signs in, and what they are.
pub trait Users: Send + Sync + 'static {
    /// The user whose login name and password these are, or `None` when there is none. Compare
    /// passwords with a password hash, in time that does not depend on how much matched.
    fn authenticate(&self, login: &str, password: &str) -> impl Future<Output = Option<User>> + Send;

    /// The values of `claims` (names, each possibly with `#` and a language tag, OIDC Core §5.2)
    /// that `subject` has, for the ID token; `locales` are the client's preferred languages.
    /// Claims the user lacks are left out.
    fn claims(
        &self,
        subject: &str,
        claims: &[String],
        locales: &[String],
    ) -> impl Future<Output = Map<String, Value>> + Send;

    /// The scopes to grant `subject`, who approved `requested` (the scopes the client asked for)
    /// on a page: fewer where the server's policy says so. `None`, the default, grants them as
    /// requested. Asked before an authorization, a device or a CIBA request is approved.
    fn granted_scopes(&self, subject: &str, requested: &[String]) -> impl Future<Output = Option<Vec<String>>> + Send {
        let _ = (subject, requested);
        std::future::ready(None)
    }

    /// Whether the user signed in in this browser satisfies what the request requires, when
    /// the client asked not to show any page (`prompt=none`), or the reason to refuse it. The
    /// default is [`Requirements::check`]: the requested subject, `max_age` and essential ACRs.
    fn satisfies(
        &self,
        user: &SignedIn,
        requirements: &Requirements<'_>,
    ) -> Result<(), AuthorizationFailRequestReason> {
        requirements.check(user)
    }
}

impl<U: Users> Users for Arc<U> {
    fn authenticate(&self, login: &str, password: &str) -> impl Future<Output = Option<User>> + Send {
        (**self).authenticate(login, password)
    }

    fn claims(
        &self,
        subject: &str,
        claims: &[String],
        locales: &[String],
    ) -> impl Future<Output = Map<String, Value>> + Send {
        (**self).claims(subject, claims, locales)
    }

    fn satisfies(
        &self,
        user: &SignedIn,
        requirements: &Requirements<'_>,
    ) -> Result<(), AuthorizationFailRequestReason> {
        (**self).satisfies(user, requirements)
    }

    fn granted_scopes(&self, subject: &str, requested: &[String]) -> impl Future<Output = Option<Vec<String>>> + Send {
        (**self).granted_scopes(subject, requested)
    }
}

/// A user who gave the right password ([`Users::authenticate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// The user's subject: the `sub` of ID tokens, the subject of access tokens.
    pub subject: String,
    /// The authentication context class the sign-in satisfies (`acr`), if the server names one.
    pub acr: Option<String>,
}

impl User {
    /// The user `subject`, with no ACR.
    pub fn new(subject: impl Into<String>) -> Self {
        User { subject: subject.into(), acr: None }
    }

    /// With the authentication context class `acr`.
    pub fn acr(mut self, acr: impl Into<String>) -> Self {
        self.acr = Some(acr.into());
        self
    }
}

/// What a request requires of the user's sign-in, from Authlete's answer.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Requirements<'a> {
    /// The subject the request names (an ID token hint, a `sub` claim request), if any.
    pub subject: Option<&'a str>,
    /// The longest time since the sign-in, in seconds (`max_age`, or the client's default);
    /// `None` when neither was given (Authlete's `maxAge` of `0`).
    pub max_age: Option<i32>,
    /// The ACRs the request asks for.
    pub acrs: &'a [String],
    /// Whether one of [`Requirements::acrs`] is essential (OIDC Core §5.5.1.1).
    pub acr_essential: bool,
    /// Now, in seconds since the Unix epoch.
    pub now: i64,
}

impl<'a> Requirements<'a> {
    pub(crate) fn of(answer: &'a AuthorizationResponse) -> Self {
        Requirements {
            subject: answer.subject.as_deref(),
            // Authlete's `0` is "not asked for" (neither `max_age` nor the client's default).
            max_age: answer.max_age.filter(|age| *age > 0),
            acrs: answer.acrs.as_deref().unwrap_or_default(),
            acr_essential: answer.acr_essential.unwrap_or(false),
            now: session::unix_now(),
        }
    }

    /// The standard checks: the requested subject is the user's; the sign-in is no older than
    /// `max_age`; the sign-in's ACR is one of the essential ones.
    pub fn check(&self, user: &SignedIn) -> Result<(), AuthorizationFailRequestReason> {
        if self.subject.is_some_and(|subject| subject != user.subject) {
            return Err(AuthorizationFailRequestReason::DifferentSubject);
        }
        if self.max_age.is_some_and(|age| self.now - user.authenticated_at > i64::from(age)) {
            return Err(AuthorizationFailRequestReason::ExceedsMaxAge);
        }
        let acr_met = user.acr.as_ref().is_some_and(|acr| self.acrs.contains(acr));
        if self.acr_essential && !self.acrs.is_empty() && !acr_met {
            return Err(AuthorizationFailRequestReason::AcrNotSatisfied);
        }
        Ok(())
    }
}

/// The authorization endpoint and its decision endpoint, before they are made: from
/// [`AuthorizationServer::authorization_flow`], with the users and pages they share.
pub struct AuthorizationFlow<U, P> {
    flow: Flow<U, P>,
}

/// The authorization endpoint: made by [`AuthorizationFlow::endpoints`]; see the
/// [module docs](self) for what it answers.
pub struct AuthorizationEndpoint<U, P> {
    flow: Arc<Flow<U, P>>,
}

/// Where the user's decision on the authorization page goes: made by
/// [`AuthorizationFlow::endpoints`], to route at the flow's
/// [`decision_path`](AuthorizationFlow::decision_path).
pub struct AuthorizationDecisionEndpoint<U, P> {
    flow: Arc<Flow<U, P>>,
}

struct Flow<U, P> {
    server: AuthorizationServer,
    users: U,
    pages: P,
    decision_path: String,
}

impl AuthorizationServer {
    /// The authorization endpoint and its decision endpoint, signing users in with `users` and
    /// showing `pages` ([`DefaultPages`](super::pages::DefaultPages) for the toolkit's own).
    ///
    /// ```no_run
    /// # fn run(server: authlete::server::AuthorizationServer, users: impl authlete::server::Users) {
    /// use authlete::server::pages::DefaultPages;
    ///
    /// let (authorize, decide) = server.authorization_flow(users, DefaultPages::new()).endpoints();
    /// // Route `authorize` at /authorize (GET, POST) and `decide` at /authorize/decision (POST).
    /// # }
    /// ```
    pub fn authorization_flow<U: Users, P: Pages>(&self, users: U, pages: P) -> AuthorizationFlow<U, P> {
        let decision_path = DEFAULT_DECISION_PATH.to_owned();
        AuthorizationFlow { flow: Flow { server: self.clone(), users, pages, decision_path } }
    }
}

impl<U: Users, P: Pages> AuthorizationFlow<U, P> {
    /// The path, below the public URL, that the authorization page posts the decision to
    /// ([`DEFAULT_DECISION_PATH`] by default): where the decision endpoint is routed.
    pub fn decision_path(mut self, path: impl Into<String>) -> Self {
        self.flow.decision_path = path.into();
        self
    }

    /// The path the decision endpoint is to be routed at.
    pub fn decision_route(&self) -> &str {
        &self.flow.decision_path
    }

    /// The authorization endpoint and the decision endpoint.
    pub fn endpoints(self) -> (AuthorizationEndpoint<U, P>, AuthorizationDecisionEndpoint<U, P>) {
        let flow = Arc::new(self.flow);
        (AuthorizationEndpoint { flow: Arc::clone(&flow) }, AuthorizationDecisionEndpoint { flow })
    }
}

impl<U: Users, P: Pages> Handler for AuthorizationEndpoint<U, P> {
    /// Handles an authorization request: `GET` with the query, or `POST` with a form.
    async fn handle(&self, request: Request) -> Response<String> {
        let flow = &self.flow;
        let parameters = if request.method() == Method::POST {
            match request.form(flow.server.config()) {
                Ok(form) => form.to_owned(),
                Err(refusal) => return pages::failure_page(&flow.pages, refusal),
            }
        } else {
            request.query().to_owned()
        };
        let service = flow.server.service();
        let call = service.auth_authorization(&AuthorizationRequest::new(parameters));
        let answer = match flow.server.call(Endpoint::Authorization, call).await {
            Ok(answer) => answer,
            Err(failure) => return pages::failure_page(&flow.pages, failure),
        };
        let Some(action) = answer.action.clone() else {
            return flow.unexpected("no action");
        };
        match action {
            AuthorizationResponseAction::Location => flow.location(answer.response_content.as_deref(), None),
            AuthorizationResponseAction::Form => flow.form(answer.response_content, None),
            AuthorizationResponseAction::BadRequest => {
                pages::error_page(&flow.pages, StatusCode::BAD_REQUEST, answer.response_content.as_deref())
            }
            AuthorizationResponseAction::InternalServerError => {
                pages::error_page(&flow.pages, StatusCode::INTERNAL_SERVER_ERROR, answer.response_content.as_deref())
            }
            AuthorizationResponseAction::NoInteraction => flow.without_interaction(&request, answer).await,
            AuthorizationResponseAction::Interaction => flow.interaction(&request, answer),
            AuthorizationResponseAction::Unrecognized(action) => flow.unexpected(&format!("action {action}")),
        }
    }
}

impl<U: Users, P: Pages> Handler for AuthorizationDecisionEndpoint<U, P> {
    /// Handles the user's decision (`POST`, a form from the authorization page).
    async fn handle(&self, request: Request) -> Response<String> {
        self.flow.decision(&request).await
    }
}

/// Why a sign-in from a page's form did not happen.
pub(crate) enum SignInRefusal {
    /// The form had no login name or no password.
    Missing,
    /// [`Users::authenticate`] knew no such user.
    Wrong,
    /// No random bytes for the session's new ID.
    NoRandomness,
}

impl SignInRefusal {
    /// What the page says to the user.
    pub(crate) fn message(&self) -> &'static str {
        match self {
            SignInRefusal::Missing => "Please sign in.",
            SignInRefusal::Wrong | SignInRefusal::NoRandomness => "The login name or the password is wrong.",
        }
    }
}

/// The form a page posted and the session it was posted in; else the response to send: `405`
/// (another method than `POST`; `allow` says which are taken), `expired(403)` for a form from
/// another origin, the body's refusal as a page, `expired(400)` without a session.
pub(crate) fn posted(
    server: &AuthorizationServer,
    pages: &impl Pages,
    request: &Request,
    allow: &'static str,
    expired: impl Fn(StatusCode) -> Response<String>,
) -> Result<(FormFields, Found), Response<String>> {
    if request.method() != Method::POST {
        return Err(pages::method_not_allowed(pages, allow));
    }
    if !server.same_origin(request) {
        return Err(expired(StatusCode::FORBIDDEN));
    }
    let fields = match request.form(server.config()) {
        Ok(form) => FormFields::read(form),
        Err(refusal) => return Err(pages::failure_page(pages, refusal)),
    };
    let found = server.sessions().find(request.headers()).ok_or_else(|| expired(StatusCode::BAD_REQUEST))?;
    Ok((fields, found))
}

/// Signs in the user whose login name and password a page's form posted: the user, and the
/// cookie of the session's new ID (every page signs in this way).
pub(crate) async fn sign_in(
    server: &AuthorizationServer,
    users: &impl Users,
    found: &Found,
    fields: &FormFields,
) -> Result<(SignedIn, http::HeaderValue), SignInRefusal> {
    let (Some(login), Some(password)) = (fields.login.as_deref(), fields.password.as_deref()) else {
        return Err(SignInRefusal::Missing);
    };
    let user = users.authenticate(login, password).await.ok_or(SignInRefusal::Wrong)?;
    let signed_in = SignedIn { subject: user.subject, authenticated_at: session::unix_now(), acr: user.acr };
    let cookie = server.sessions().sign_in(found, signed_in.clone()).map_err(|_| SignInRefusal::NoRandomness)?;
    Ok((signed_in, cookie))
}

impl<U: Users, P: Pages> Flow<U, P> {
    /// `prompt=none`: the session decides.
    async fn without_interaction(&self, request: &Request, answer: AuthorizationResponse) -> Response<String> {
        let Some(ticket) = answer.ticket.clone() else {
            return self.unexpected("no ticket");
        };
        let user =
            self.server.sessions().find(request.headers()).and_then(|found| session::lock(&found.session).user.clone());
        let Some(user) = user else {
            return self.fail(ticket, AuthorizationFailRequestReason::NotLoggedIn, None).await;
        };
        if let Err(reason) = self.users.satisfies(&user, &Requirements::of(&answer)) {
            return self.fail(ticket, reason, None).await;
        }
        self.issue(ticket, &user, &answer, None).await
    }

    /// `INTERACTION`: the page, with the interaction kept in the session.
    fn interaction(&self, request: &Request, answer: AuthorizationResponse) -> Response<String> {
        if answer.ticket.is_none() {
            return self.unexpected("no ticket");
        }
        let found = match self.server.sessions().find_or_start(request.headers()) {
            Ok(found) => found,
            Err(_) => return self.no_randomness(),
        };
        let answer = Arc::new(answer);
        let (token, user) = {
            let mut state = session::lock(&found.session);
            let token = state.wait(Interaction::Authorization(Arc::clone(&answer)));
            (token, state.user.clone())
        };
        let Ok(token) = token else { return self.no_randomness() };
        self.page(&answer, token, user.as_ref(), None, found.set_cookie)
    }

    fn page(
        &self,
        answer: &AuthorizationResponse,
        interaction: String,
        user: Option<&SignedIn>,
        error: Option<String>,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let signed_in = user.filter(|user| !must_sign_in(answer, user));
        let page = AuthorizationPage {
            action: format!("{}{}", self.server.config().public_url(), self.decision_path),
            interaction,
            client: ClientView::from_client(answer.client.as_ref()),
            scopes: ScopeView::list(answer.scopes.as_ref()),
            claims: answer.claims.clone().unwrap_or_default(),
            purpose: answer.purpose.clone(),
            sign_in: signed_in.is_none(),
            login_hint: answer.login_hint.clone().or_else(|| answer.subject.clone()),
            signed_in_as: signed_in.map(|user| user.subject.clone()),
            prompts: answer.prompts.iter().flatten().map(|prompt| prompt.to_string()).collect(),
            acrs: answer.acrs.clone().unwrap_or_default(),
            ui_locales: answer.ui_locales.clone().unwrap_or_default(),
            error,
        };
        pages::page(StatusCode::OK, self.pages.authorization(&page), set_cookie)
    }

    async fn decision(&self, request: &Request) -> Response<String> {
        let (fields, found) = match posted(&self.server, &self.pages, request, "POST", |status| self.expired(status)) {
            Ok(posted) => posted,
            Err(response) => return response,
        };
        let taken = session::lock(&found.session).take(fields.interaction.as_deref().unwrap_or_default());
        let Some(Interaction::Authorization(answer)) = taken else {
            return self.expired(StatusCode::BAD_REQUEST);
        };
        let Some(ticket) = answer.ticket.clone() else {
            return self.unexpected("no ticket");
        };
        if !fields.approve {
            return self.fail(ticket, AuthorizationFailRequestReason::Denied, None).await;
        }
        let current = session::lock(&found.session).user.clone();
        let (user, set_cookie) = match current.filter(|user| !must_sign_in(&answer, user)) {
            Some(user) => (user, None),
            None => match self.sign_in(&found, &fields, &answer).await {
                SignInOutcome::SignedIn(user, cookie) => (user, Some(cookie)),
                SignInOutcome::Respond(response) => return response,
            },
        };
        if let Err(reason) = Requirements::of(&answer).check_after_sign_in(&user) {
            return self.fail(ticket, reason, set_cookie).await;
        }
        self.issue(ticket, &user, &answer, set_cookie).await
    }

    /// Signs the user in from the form, or shows the page again.
    async fn sign_in(&self, found: &Found, fields: &FormFields, answer: &Arc<AuthorizationResponse>) -> SignInOutcome {
        match sign_in(&self.server, &self.users, found, fields).await {
            Ok((user, cookie)) => SignInOutcome::SignedIn(user, cookie),
            Err(SignInRefusal::NoRandomness) => SignInOutcome::Respond(self.no_randomness()),
            Err(refusal) => self.again(found, answer, refusal.message()).await,
        }
    }

    /// The page again, with `error` and a new token for the same interaction.
    async fn again(&self, found: &Found, answer: &Arc<AuthorizationResponse>, error: &str) -> SignInOutcome {
        let token = session::lock(&found.session).wait(Interaction::Authorization(Arc::clone(answer)));
        let Ok(token) = token else { return SignInOutcome::Respond(self.no_randomness()) };
        SignInOutcome::Respond(self.page(answer, token, None, Some(error.to_owned()), None))
    }

    async fn issue(
        &self,
        ticket: String,
        user: &SignedIn,
        answer: &AuthorizationResponse,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let requested = answer.claims.as_deref().unwrap_or_default();
        let claims = if requested.is_empty() {
            None
        } else {
            let locales = answer.claims_locales.as_deref().unwrap_or_default();
            let values = self.users.claims(&user.subject, requested, locales).await;
            (!values.is_empty()).then(|| Value::Object(values).to_string())
        };
        let requested: Vec<String> = answer.scopes.iter().flatten().filter_map(|scope| scope.name.clone()).collect();
        let scopes = self.users.granted_scopes(&user.subject, &requested).await;
        let issue = AuthorizationIssueRequest {
            auth_time: Some(user.authenticated_at),
            acr: user.acr.clone(),
            claims,
            scopes,
            ..AuthorizationIssueRequest::new(ticket, user.subject.clone())
        };
        let service = self.server.service();
        match self.server.call(Endpoint::Authorization, service.auth_authorization_issue(&issue)).await {
            Ok(answer) => self.respond(answer.action, answer.response_content, set_cookie),
            // The session moved to a new ID at the sign-in: the browser needs it whatever happens.
            Err(failure) => pages::with_cookie(pages::failure_page(&self.pages, failure), set_cookie),
        }
    }

    async fn fail(
        &self,
        ticket: String,
        reason: AuthorizationFailRequestReason,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let fail = AuthorizationFailRequest::new(ticket, reason);
        let service = self.server.service();
        match self.server.call(Endpoint::Authorization, service.auth_authorization_fail(&fail)).await {
            Ok(answer) => self.respond(answer.action, answer.response_content, set_cookie),
            Err(failure) => pages::with_cookie(pages::failure_page(&self.pages, failure), set_cookie),
        }
    }

    /// The answer of `/auth/authorization/issue` or `/fail`, sent to the browser.
    fn respond(
        &self,
        action: Option<AuthorizationFailResponseAction>,
        content: Option<String>,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let Some(action) = action else { return pages::with_cookie(self.unexpected("no action"), set_cookie) };
        match action {
            AuthorizationFailResponseAction::Location => self.location(content.as_deref(), set_cookie),
            AuthorizationFailResponseAction::Form => self.form(content, set_cookie),
            AuthorizationFailResponseAction::BadRequest => pages::with_cookie(
                pages::error_page(&self.pages, StatusCode::BAD_REQUEST, content.as_deref()),
                set_cookie,
            ),
            AuthorizationFailResponseAction::InternalServerError => pages::with_cookie(
                pages::error_page(&self.pages, StatusCode::INTERNAL_SERVER_ERROR, content.as_deref()),
                set_cookie,
            ),
            AuthorizationFailResponseAction::Unrecognized(action) => {
                pages::with_cookie(self.unexpected(&format!("action {action}")), set_cookie)
            }
        }
    }

    fn location(&self, location: Option<&str>, set_cookie: Option<http::HeaderValue>) -> Response<String> {
        let kept = set_cookie.clone();
        match location.and_then(|location| pages::redirect(location, set_cookie)) {
            Some(redirect) => redirect,
            None => pages::with_cookie(self.unexpected("a LOCATION without a valid location"), kept),
        }
    }

    fn form(&self, html: Option<String>, set_cookie: Option<http::HeaderValue>) -> Response<String> {
        match html {
            Some(html) => pages::with_cookie(pages::framed_never(StatusCode::OK, html), set_cookie),
            None => pages::with_cookie(self.unexpected("a FORM without content"), set_cookie),
        }
    }

    fn expired(&self, status: StatusCode) -> Response<String> {
        pages::message(
            &self.pages,
            status,
            "This request has expired",
            "This decision does not belong to an authorization request in this browser, or it was already made. \
             Please start again from the application.",
            None,
        )
    }

    fn unexpected(&self, what: &str) -> Response<String> {
        pages::failure_page(&self.pages, super::response::unexpected_answer(Endpoint::Authorization, what))
    }

    fn no_randomness(&self) -> Response<String> {
        pages::no_randomness(&self.pages, Endpoint::Authorization)
    }
}

/// Signs the browser's user out: made by [`AuthorizationServer::sign_out_endpoint`]. A `POST`
/// from the server's own pages ends the session and clears its cookie; the next authorization
/// request asks the user to sign in again (and `prompt=none` gets `login_required`).
pub struct SignOutEndpoint<P> {
    server: AuthorizationServer,
    pages: P,
}

impl AuthorizationServer {
    /// The sign-out endpoint, showing `pages`.
    pub fn sign_out_endpoint<P: Pages>(&self, pages: P) -> SignOutEndpoint<P> {
        SignOutEndpoint { server: self.clone(), pages }
    }
}

impl<P: Pages> Handler for SignOutEndpoint<P> {
    /// Handles a sign-out (`POST`).
    async fn handle(&self, request: Request) -> Response<String> {
        if request.method() != Method::POST {
            return pages::method_not_allowed(&self.pages, "POST");
        }
        if let Err(refusal) = request.check_size(self.server.config()) {
            return pages::failure_page(&self.pages, refusal);
        }
        // Another site must not sign the user out behind their back.
        if !self.server.same_origin(&request) {
            let refused = "This request did not come from this server's pages.";
            return pages::message(&self.pages, StatusCode::FORBIDDEN, "Invalid request", refused, None);
        }
        let cookie = self.server.sessions().end(request.headers());
        pages::message(&self.pages, StatusCode::OK, "Signed out", "You are signed out.", Some(cookie))
    }
}

impl<P> std::fmt::Debug for SignOutEndpoint<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignOutEndpoint").finish_non_exhaustive()
    }
}

enum SignInOutcome {
    SignedIn(SignedIn, http::HeaderValue),
    Respond(Response<String>),
}

impl Requirements<'_> {
    /// After a sign-in on the page: the user just authenticated, so `max_age` holds; the subject
    /// and the ACR are checked.
    fn check_after_sign_in(&self, user: &SignedIn) -> Result<(), AuthorizationFailRequestReason> {
        Requirements { max_age: None, ..*self }.check(user)
    }
}

/// Whether the page must sign the user in again: the client asked for it (`prompt=login`), or
/// the session's sign-in does not satisfy the request.
fn must_sign_in(answer: &AuthorizationResponse, user: &SignedIn) -> bool {
    let prompts_login = answer.prompts.iter().flatten().any(|prompt| *prompt == Prompt::Login);
    prompts_login || Requirements::of(answer).check(user).is_err()
}

impl<U, P> std::fmt::Debug for AuthorizationFlow<U, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationFlow").field("decision_path", &self.flow.decision_path).finish_non_exhaustive()
    }
}

impl<U, P> std::fmt::Debug for AuthorizationEndpoint<U, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationEndpoint").field("decision_path", &self.flow.decision_path).finish_non_exhaustive()
    }
}

impl<U, P> std::fmt::Debug for AuthorizationDecisionEndpoint<U, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationDecisionEndpoint").field("path", &self.flow.decision_path).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(subject: &str, at: i64, acr: Option<&str>) -> SignedIn {
        SignedIn { subject: subject.into(), authenticated_at: at, acr: acr.map(str::to_owned) }
    }

    #[test]
    fn the_standard_checks_name_the_reason() {
        let acrs = vec!["urn:mfa".to_owned()];
        let requirements =
            Requirements { subject: Some("alice"), max_age: Some(60), acrs: &acrs, acr_essential: true, now: 1_000 };
        assert_eq!(requirements.check(&user("alice", 950, Some("urn:mfa"))), Ok(()));
        assert_eq!(
            requirements.check(&user("bob", 950, Some("urn:mfa"))),
            Err(AuthorizationFailRequestReason::DifferentSubject)
        );
        assert_eq!(
            requirements.check(&user("alice", 900, Some("urn:mfa"))),
            Err(AuthorizationFailRequestReason::ExceedsMaxAge)
        );
        assert_eq!(requirements.check(&user("alice", 950, None)), Err(AuthorizationFailRequestReason::AcrNotSatisfied));
        let relaxed = Requirements { subject: None, max_age: None, acrs: &acrs, acr_essential: false, now: 1_000 };
        assert_eq!(relaxed.check(&user("carol", 0, None)), Ok(()));
    }
}
