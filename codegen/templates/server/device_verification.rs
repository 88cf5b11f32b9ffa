//! The device flow's verification page (RFC 8628 §3.3): the user enters the code a device shows,
//! signs in, and approves or denies; `/device/verification` checks the code and `/device/complete`
//! tells Authlete the decision, which the device learns at the token endpoint.
//!
//! One path takes it all ([`DEFAULT_DEVICE_PATH`] by default):
//!
//! | Request | Response |
//! | --- | --- |
//! | `GET` (from `verification_uri`, or `verification_uri_complete` with `?user_code=`) | the code entry page ([`Pages::device_entry`]), the code filled in when given, with a sign-in form unless signed in |
//! | `POST` of the entry page | a wrong password or a code Authlete does not know (`NOT_EXIST`) or that expired (`EXPIRED`): the entry page again, saying so; `VALID`: the consent page ([`Pages::device_consent`]); `SERVER_ERROR`: a `500` page |
//! | `POST` of the consent page | `/device/complete` with `AUTHORIZED` (subject, `auth_time`, `acr`, the claims [`Users::claims`] gives) or `ACCESS_DENIED`: `SUCCESS` shows "go back to your device"; `USER_CODE_NOT_EXIST`, `USER_CODE_EXPIRED`, `INVALID_REQUEST` a `400` page; `SERVER_ERROR` a `500` page |
//!
//! The entry page's form carries the session's form token, the consent page's a token naming the
//! code in this browser's session (taken once), as the authorization page's does.

use std::sync::Arc;

use http::{Method, Response, StatusCode};
use serde_json::Value;

use super::authorization::{posted, sign_in, SignInRefusal, Users};
use super::config::Endpoint;
use super::pages::{self, ClientView, DeviceConsentPage, DeviceEntryPage, FormFields, Pages, ScopeView};
use super::request::Request;
use super::session::{self, Found, Interaction, SignedIn};
use super::{AuthorizationServer, Handler};
use crate::models::{
    BackchannelAuthenticationCompleteRequestResult as DeviceResult, DeviceCompleteRequest,
    DeviceCompleteResponseAction, DeviceVerificationRequest, DeviceVerificationResponse,
    DeviceVerificationResponseAction,
};

/// The path of the verification page unless [`DeviceVerificationEndpoint::path`] says otherwise:
/// what the service's `deviceVerificationUri` should name, below the public URL.
pub const DEFAULT_DEVICE_PATH: &str = "/device";

/// The device flow's verification page: made by
/// [`AuthorizationServer::device_verification_endpoint`]; see the [module docs](self).
pub struct DeviceVerificationEndpoint<U, P> {
    server: AuthorizationServer,
    users: U,
    pages: P,
    path: String,
}

impl AuthorizationServer {
    /// The device flow's verification page, signing users in with `users` and showing `pages`.
    pub fn device_verification_endpoint<U: Users, P: Pages>(
        &self,
        users: U,
        pages: P,
    ) -> DeviceVerificationEndpoint<U, P> {
        DeviceVerificationEndpoint { server: self.clone(), users, pages, path: DEFAULT_DEVICE_PATH.to_owned() }
    }
}

impl<U, P> DeviceVerificationEndpoint<U, P> {
    /// The path, below the public URL, where the page is routed: its forms post there.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The path the page is to be routed at.
    pub fn route(&self) -> &str {
        &self.path
    }
}

impl<U: Users, P: Pages> Handler for DeviceVerificationEndpoint<U, P> {
    /// Handles the page: `GET` shows it, `POST` takes its forms.
    async fn handle(&self, request: Request) -> Response<String> {
        if request.method() == Method::GET || request.method() == Method::HEAD {
            let user_code = form_urlencoded::parse(request.query().as_bytes())
                .find(|(name, _)| name == "user_code")
                .map(|(_, code)| code.into_owned());
            let found = match self.server.sessions().find_or_start(request.headers()) {
                Ok(found) => found,
                Err(_) => return self.no_randomness(),
            };
            let cookie = found.set_cookie.clone();
            return self.entry(&found, user_code, None, cookie);
        }
        let (fields, found) =
            match posted(&self.server, &self.pages, &request, "GET, POST", |status| self.expired(status)) {
                Ok(posted) => posted,
                Err(response) => return response,
            };
        match &fields.interaction {
            Some(token) => self.decision(&found, token, fields.approve).await,
            None => self.entered(&found, fields).await,
        }
    }
}

impl<U: Users, P: Pages> DeviceVerificationEndpoint<U, P> {
    fn action(&self) -> String {
        format!("{}{}", self.server.config().public_url(), self.path)
    }

    fn entry(
        &self,
        found: &Found,
        user_code: Option<String>,
        error: Option<&str>,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let (form_token, user) = {
            let state = session::lock(&found.session);
            (state.form_token.clone(), state.user.clone())
        };
        let page = DeviceEntryPage {
            action: self.action(),
            form_token,
            user_code,
            sign_in: user.is_none(),
            signed_in_as: user.map(|user| user.subject),
            error: error.map(str::to_owned),
        };
        pages::page(StatusCode::OK, self.pages.device_entry(&page), set_cookie)
    }

    /// The entry page's form: sign in if needed, then check the code.
    async fn entered(&self, found: &Found, fields: FormFields) -> Response<String> {
        if !session::lock(&found.session).form_token_is(&fields.form_token) {
            return self.expired(StatusCode::BAD_REQUEST);
        }
        let user_code = fields.user_code.as_deref().map(|code| code.trim().to_owned()).filter(|code| !code.is_empty());
        let Some(user_code) = user_code else {
            return self.entry(found, None, Some("Please enter the code your device shows."), None);
        };
        let mut set_cookie = None;
        let mut user = session::lock(&found.session).user.clone();
        if user.is_none() {
            match sign_in(&self.server, &self.users, found, &fields).await {
                Ok((signed_in, cookie)) => (user, set_cookie) = (Some(signed_in), Some(cookie)),
                Err(SignInRefusal::NoRandomness) => return self.no_randomness(),
                Err(refusal) => return self.entry(found, Some(user_code), Some(refusal.message()), None),
            }
        }
        let Some(user) = user else { return self.no_randomness() };
        let verification = DeviceVerificationRequest::new(user_code.clone());
        let service = self.server.service();
        let answer =
            match self.server.call(Endpoint::DeviceVerification, service.device_verification(&verification)).await {
                Ok(answer) => answer,
                Err(failure) => return pages::with_cookie(pages::failure_page(&self.pages, failure), set_cookie),
            };
        let Some(action) = answer.action.clone() else {
            return pages::with_cookie(self.unexpected("no action"), set_cookie);
        };
        match action {
            DeviceVerificationResponseAction::Valid => self.consent(found, user_code, &user, answer, set_cookie),
            DeviceVerificationResponseAction::NotExist => self.entry(
                found,
                Some(user_code),
                Some("That code is not known. Please check it and try again."),
                set_cookie,
            ),
            DeviceVerificationResponseAction::Expired => {
                self.entry(found, None, Some("That code has expired. Please start again on your device."), set_cookie)
            }
            DeviceVerificationResponseAction::ServerError => pages::message(
                &self.pages,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Server error",
                "Something went wrong on the server. Please try again later.",
                set_cookie,
            ),
            DeviceVerificationResponseAction::Unrecognized(action) => {
                pages::with_cookie(self.unexpected(&format!("action {action}")), set_cookie)
            }
        }
    }

    fn consent(
        &self,
        found: &Found,
        user_code: String,
        user: &SignedIn,
        answer: DeviceVerificationResponse,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let answer = Arc::new(answer);
        let waiting = Interaction::Device { user_code: user_code.clone(), answer: Arc::clone(&answer) };
        let Ok(interaction) = session::lock(&found.session).wait(waiting) else { return self.no_randomness() };
        let page = DeviceConsentPage {
            action: self.action(),
            interaction,
            client: ClientView::named(answer.client_name.as_deref(), answer.client_id),
            scopes: ScopeView::list(answer.scopes.as_ref()),
            claims: answer.claim_names.clone().unwrap_or_default(),
            user_code,
            signed_in_as: user.subject.clone(),
        };
        pages::page(StatusCode::OK, self.pages.device_consent(&page), set_cookie)
    }

    /// The consent page's form: `/device/complete`.
    async fn decision(&self, found: &Found, token: &str, approve: bool) -> Response<String> {
        let (taken, user) = {
            let mut state = session::lock(&found.session);
            (state.take(token), state.user.clone())
        };
        let (Some(Interaction::Device { user_code, answer }), Some(user)) = (taken, user) else {
            return self.expired(StatusCode::BAD_REQUEST);
        };
        let complete = if approve {
            let requested = answer.claim_names.as_deref().unwrap_or_default();
            let claims = if requested.is_empty() {
                None
            } else {
                let values = self.users.claims(&user.subject, requested, &[]).await;
                (!values.is_empty()).then(|| Value::Object(values).to_string())
            };
            let requested: Vec<String> =
                answer.scopes.iter().flatten().filter_map(|scope| scope.name.clone()).collect();
            DeviceCompleteRequest {
                auth_time: Some(user.authenticated_at),
                acr: user.acr.clone(),
                claims,
                scopes: self.users.granted_scopes(&user.subject, &requested).await,
                ..DeviceCompleteRequest::new(user_code, DeviceResult::Authorized, user.subject.clone())
            }
        } else {
            DeviceCompleteRequest::new(user_code, DeviceResult::AccessDenied, user.subject.clone())
        };
        let service = self.server.service();
        let answer = match self.server.call(Endpoint::DeviceVerification, service.device_complete(&complete)).await {
            Ok(answer) => answer,
            Err(failure) => return pages::failure_page(&self.pages, failure),
        };
        let Some(action) = answer.action else { return self.unexpected("no action") };
        let (status, title, text) = match action {
            DeviceCompleteResponseAction::Success if approve => {
                (StatusCode::OK, "Device connected", "You may go back to your device.")
            }
            DeviceCompleteResponseAction::Success => {
                (StatusCode::OK, "Access denied", "The device was not given access. You may close this page.")
            }
            DeviceCompleteResponseAction::UserCodeNotExist => (
                StatusCode::BAD_REQUEST,
                "Unknown code",
                "That code is no longer known. Please start again on your device.",
            ),
            DeviceCompleteResponseAction::UserCodeExpired => {
                (StatusCode::BAD_REQUEST, "Code expired", "That code has expired. Please start again on your device.")
            }
            DeviceCompleteResponseAction::InvalidRequest => (
                StatusCode::BAD_REQUEST,
                "Invalid request",
                "The request is not valid. Please start again on your device.",
            ),
            DeviceCompleteResponseAction::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Server error",
                "Something went wrong on the server. Please try again later.",
            ),
            DeviceCompleteResponseAction::Unrecognized(action) => return self.unexpected(&format!("action {action}")),
        };
        pages::message(&self.pages, status, title, text, None)
    }

    fn expired(&self, status: StatusCode) -> Response<String> {
        pages::message(
            &self.pages,
            status,
            "This page has expired",
            "This form does not belong to this browser's session, or it was already sent. Please start again.",
            None,
        )
    }

    fn unexpected(&self, what: &str) -> Response<String> {
        pages::failure_page(&self.pages, super::response::unexpected_answer(Endpoint::DeviceVerification, what))
    }

    fn no_randomness(&self) -> Response<String> {
        pages::no_randomness(&self.pages, Endpoint::DeviceVerification)
    }
}

impl<U, P> std::fmt::Debug for DeviceVerificationEndpoint<U, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceVerificationEndpoint").field("path", &self.path).finish_non_exhaustive()
    }
}
