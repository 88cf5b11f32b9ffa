//! A CIBA approval page: the user's "authentication device" as a web page of this server.
//!
//! CIBA (OpenID Connect CIBA Core 1.0) leaves it to the server how it reaches the user: a push
//! message to an app, a text message, a call. Until a server has its own, or beside it, this page
//! does the job in a browser: [`BackchannelInbox::deliver`] keeps each request the server's
//! [`BackchannelUsers::notify`](super::BackchannelUsers::notify) gets, and the page shows the
//! signed-in user the requests waiting for them (client, scopes, binding message) to approve or
//! deny, which [`AuthorizationServer::complete_backchannel`] then tells Authlete and the client.
//!
//! | Request | Response |
//! | --- | --- |
//! | `GET` | the page ([`Pages::backchannel_approval`]): a sign-in form, or the user's waiting requests |
//! | `POST` with `login` and `password` | signs the user in, then the page |
//! | `POST` with `request` and `decision` | completes that request (`AUTHORIZED` with `auth_time`, `acr` and the claims [`Users::claims`] gives, or `ACCESS_DENIED`), then the page with what happened |
//!
//! Every form carries the session's form token; a request is found only among the signed-in
//! user's own, by a random ID that is not Authlete's ticket, and is taken out once.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use http::{Method, Response, StatusCode};

use super::authorization::{posted, sign_in, SignInRefusal, Users};
use super::ciba::{BackchannelDecision, PendingBackchannel};
use super::config::Endpoint;
use super::pages::{self, BackchannelApprovalPage, BackchannelRequestView, ClientView, Pages};
use super::request::Request;
use super::session::{self, Found, SignedIn};
use super::{AuthorizationServer, Handler};

/// The path of the approval page unless [`BackchannelApprovalEndpoint::path`] says otherwise.
pub const DEFAULT_APPROVAL_PATH: &str = "/ciba";

/// The most requests the inbox keeps; past it the oldest goes first.
const MAX_WAITING: usize = 10_000;

/// The backchannel requests waiting for their users' decisions, for the approval page. Cheap to
/// clone: clones share the requests.
#[derive(Clone, Default)]
pub struct BackchannelInbox {
    waiting: Arc<Mutex<Vec<Waiting>>>,
}

struct Waiting {
    /// What the page names the request by.
    id: String,
    pending: PendingBackchannel,
}

impl BackchannelInbox {
    /// An empty inbox.
    pub fn new() -> Self {
        BackchannelInbox::default()
    }

    /// Keeps `pending` until its user decides or it expires: call it from
    /// [`BackchannelUsers::notify`](super::BackchannelUsers::notify).
    pub fn deliver(&self, pending: PendingBackchannel) {
        let Ok(id) = session::random_token() else {
            tracing::error!("the operating system gave no random bytes: a backchannel request is not shown");
            return;
        };
        let mut waiting = self.lock();
        prune(&mut waiting);
        if waiting.len() >= MAX_WAITING {
            waiting.remove(0);
        }
        waiting.push(Waiting { id, pending });
    }

    /// How many requests wait for `subject`.
    pub fn waiting_for(&self, subject: &str) -> usize {
        let mut waiting = self.lock();
        prune(&mut waiting);
        waiting.iter().filter(|waiting| waiting.pending.subject == subject).count()
    }

    fn views(&self, subject: &str) -> Vec<BackchannelRequestView> {
        let mut waiting = self.lock();
        prune(&mut waiting);
        let mine = waiting.iter().filter(|waiting| waiting.pending.subject == subject);
        mine.map(|waiting| BackchannelRequestView {
            id: waiting.id.clone(),
            client: ClientView::named(waiting.pending.client_name.as_deref(), None),
            scopes: waiting.pending.scopes.clone(),
            binding_message: waiting.pending.binding_message.clone(),
        })
        .collect()
    }

    /// Takes out the request `id` of `subject`'s.
    fn take(&self, subject: &str, id: &str) -> Option<PendingBackchannel> {
        let mut waiting = self.lock();
        prune(&mut waiting);
        let index = waiting.iter().position(|waiting| waiting.pending.subject == subject && waiting.id == id)?;
        Some(waiting.remove(index).pending)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Waiting>> {
        self.waiting.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Drops the requests whose `auth_req_id` expired: a decision would be too late.
fn prune(waiting: &mut Vec<Waiting>) {
    let now = SystemTime::now();
    waiting.retain(|waiting| waiting.pending.expires_at.is_none_or(|expires| expires > now));
}

impl std::fmt::Debug for BackchannelInbox {
    /// Only the count: the requests hold tickets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackchannelInbox").field("waiting", &self.lock().len()).finish()
    }
}

/// The approval page: made by [`AuthorizationServer::backchannel_approval_endpoint`]; see the
/// [module docs](self).
pub struct BackchannelApprovalEndpoint<U, P> {
    server: AuthorizationServer,
    users: U,
    pages: P,
    inbox: BackchannelInbox,
    path: String,
}

impl AuthorizationServer {
    /// The CIBA approval page for the requests in `inbox`, signing users in with `users` and
    /// showing `pages`.
    pub fn backchannel_approval_endpoint<U: Users, P: Pages>(
        &self,
        users: U,
        pages: P,
        inbox: BackchannelInbox,
    ) -> BackchannelApprovalEndpoint<U, P> {
        let path = DEFAULT_APPROVAL_PATH.to_owned();
        BackchannelApprovalEndpoint { server: self.clone(), users, pages, inbox, path }
    }
}

impl<U, P> BackchannelApprovalEndpoint<U, P> {
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

impl<U: Users, P: Pages> Handler for BackchannelApprovalEndpoint<U, P> {
    /// Handles the page: `GET` shows it, `POST` takes its forms.
    async fn handle(&self, request: Request) -> Response<String> {
        if request.method() == Method::GET || request.method() == Method::HEAD {
            let Ok(found) = self.server.sessions().find_or_start(request.headers()) else {
                return self.no_randomness();
            };
            let cookie = found.set_cookie.clone();
            return self.page(&found, None, None, cookie);
        }
        let (fields, found) =
            match posted(&self.server, &self.pages, &request, "GET, POST", |status| self.expired(status)) {
                Ok(posted) => posted,
                Err(response) => return response,
            };
        if !session::lock(&found.session).form_token_is(&fields.form_token) {
            return self.expired(StatusCode::BAD_REQUEST);
        }
        let user = session::lock(&found.session).user.clone();
        match (fields.request.as_deref(), user) {
            (Some(id), Some(user)) => self.decide(&found, &user, id, fields.approve).await,
            (_, Some(_)) => self.page(&found, None, None, None),
            (_, None) => match sign_in(&self.server, &self.users, &found, &fields).await {
                Ok((_, cookie)) => self.page(&found, None, None, Some(cookie)),
                Err(SignInRefusal::NoRandomness) => self.no_randomness(),
                Err(refusal) => self.page(&found, None, Some(refusal.message()), None),
            },
        }
    }
}

impl<U: Users, P: Pages> BackchannelApprovalEndpoint<U, P> {
    fn page(
        &self,
        found: &Found,
        notice: Option<&str>,
        error: Option<&str>,
        set_cookie: Option<http::HeaderValue>,
    ) -> Response<String> {
        let (form_token, user) = {
            let state = session::lock(&found.session);
            (state.form_token.clone(), state.user.clone())
        };
        let requests = user.as_ref().map(|user| self.inbox.views(&user.subject)).unwrap_or_default();
        let page = BackchannelApprovalPage {
            action: format!("{}{}", self.server.config().public_url(), self.path),
            form_token,
            sign_in: user.is_none(),
            signed_in_as: user.map(|user| user.subject),
            requests,
            notice: notice.map(str::to_owned),
            error: error.map(str::to_owned),
        };
        pages::page(StatusCode::OK, self.pages.backchannel_approval(&page), set_cookie)
    }

    async fn decide(&self, found: &Found, user: &SignedIn, id: &str, approve: bool) -> Response<String> {
        let Some(pending) = self.inbox.take(&user.subject, id) else {
            return self.page(found, None, Some("That request is no longer waiting."), None);
        };
        let decision = if approve {
            let claims = if pending.claim_names.is_empty() {
                serde_json::Map::new()
            } else {
                self.users.claims(&user.subject, &pending.claim_names, &[]).await
            };
            BackchannelDecision::Authorized {
                auth_time: Some(user.authenticated_at),
                acr: user.acr.clone(),
                claims,
                scopes: self.users.granted_scopes(&user.subject, &pending.scopes).await,
                // What the page knows of the user is the sign-in; a server that attaches more
                // completes the request itself (`AuthorizationServer::complete_backchannel`).
                properties: Vec::new(),
                sub: None,
                access_token_duration: None,
                refresh_token_duration: None,
            }
        } else {
            BackchannelDecision::Denied
        };
        match self.server.complete_backchannel(&pending.ticket, &user.subject, decision).await {
            Ok(_) if approve => self.page(found, Some("Approved. The application has been told."), None, None),
            Ok(_) => self.page(found, Some("Denied. The application has been told."), None, None),
            Err(error) => {
                tracing::warn!(endpoint = "backchannel", %error, "a backchannel decision was not completed");
                self.page(found, None, Some("The decision could not be passed on. Please try again later."), None)
            }
        }
    }

    fn expired(&self, status: StatusCode) -> Response<String> {
        pages::message(
            &self.pages,
            status,
            "This page has expired",
            "This form does not belong to this browser's session. Please open the page again.",
            None,
        )
    }

    fn no_randomness(&self) -> Response<String> {
        pages::no_randomness(&self.pages, Endpoint::Backchannel)
    }
}

impl<U, P> std::fmt::Debug for BackchannelApprovalEndpoint<U, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackchannelApprovalEndpoint").field("path", &self.path).finish_non_exhaustive()
    }
}
