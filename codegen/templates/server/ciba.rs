//! The backchannel authentication endpoint (OpenID Connect CIBA Core 1.0 §7) and the completion of
//! a request once the user decided: `/backchannel/authentication`, `/issue`, `/fail`, `/complete`.
//!
//! In Client-Initiated Backchannel Authentication a client (a call centre's application, a point
//! of sale) asks for a user's authorization without a browser: the user approves on a device of
//! their own, such as a phone. Three parties take part, and the toolkit does the OAuth part of
//! each step:
//!
//! 1. The client posts to the backchannel endpoint ([`BackchannelEndpoint`]), naming the user
//!    with a hint. Authlete checks the request; the server says who the hint names
//!    ([`BackchannelUsers::identify`]); Authlete issues an `auth_req_id`; the server tells the
//!    user's device that a request waits ([`BackchannelUsers::notify`]); the client gets the
//!    `auth_req_id`.
//! 2. The user approves or denies on their device. The server's approval UI passes the decision
//!    on with [`AuthorizationServer::complete_backchannel`].
//! 3. The client gets its tokens in the delivery mode it registered: it polls the token endpoint
//!    (`poll`), it is told to (`ping`), or it receives them (`push`). For `ping` and `push`,
//!    `complete_backchannel` delivers Authlete's notification to the client's notification
//!    endpoint. The token endpoint needs nothing for CIBA: Authlete's `/auth/token` knows the
//!    grant (`urn:openid:params:grant-type:ciba`).
//!
//! # The backchannel endpoint
//!
//! | Authlete's answer | Response |
//! | --- | --- |
//! | `BAD_REQUEST` | `400`, Authlete's JSON error |
//! | `UNAUTHORIZED` | `401`, Authlete's JSON error; with `WWW-Authenticate: Basic realm="backchannel"` when the client sent `Authorization: Basic` (RFC 6749 §5.2) |
//! | `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
//! | `USER_IDENTIFICATION` | [`BackchannelUsers::identify`], then one of the rows below |
//! | identified; `/backchannel/authentication/issue` answers `OK` | [`BackchannelUsers::notify`], then `200`, Authlete's JSON (`auth_req_id`, `expires_in`, `interval`) |
//! | identified; `/issue` answers `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
//! | identified; `/issue` answers `INVALID_TICKET` | `500 server_error` (the ticket expired while the server identified the user) |
//! | refused; `/backchannel/authentication/fail` answers `BAD_REQUEST` | `400`, Authlete's JSON error (`unknown_user_id`, `invalid_user_code`, …) |
//! | refused; `/fail` answers `FORBIDDEN` | `403`, Authlete's JSON error (`access_denied`) |
//! | refused; `/fail` answers `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
//!
//! The client authenticates as at the token endpoint (see the
//! [module docs](super#client_secret_basic)). `notify` is called only once the `auth_req_id` is
//! issued: a refused or failed request tells the user's device nothing.
//!
//! # The user's decision
//!
//! [`AuthorizationServer::complete_backchannel`] tells Authlete the decision
//! (`/backchannel/authentication/complete`) and does what its answer asks:
//!
//! | Authlete's `action` | Result |
//! | --- | --- |
//! | `NO_ACTION` (`poll` mode) | [`BackchannelOutcome::AwaitingPoll`]: the client learns the result at the token endpoint |
//! | `NOTIFICATION` (`ping`, `push`) | Authlete's JSON is posted to the client's notification endpoint with its `client_notification_token` as a `Bearer` token (CIBA §10): [`BackchannelOutcome::Notified`] when it answers `2xx`, else [`BackchannelError::Notification`] |
//! | `SERVER_ERROR`, or an action this crate does not know | [`BackchannelError::Authlete`] |
//!
//! Authlete down or answering an error is [`BackchannelError::Unavailable`]; Authlete silent past
//! the timeout of [`Endpoint::Backchannel`] is [`BackchannelError::TimedOut`]. The notification has
//! that timeout too, on its own. It goes to the URL Authlete names and nowhere else: no proxy, no
//! redirect followed (CIBA §10.2 has the client answer `204`; a `3xx` is a failed delivery).
//!
//! ```no_run
//! use authlete::models::BackchannelAuthenticationFailRequestReason;
//! use authlete::server::{
//!     AuthorizationServer, BackchannelDecision, BackchannelOutcome, BackchannelRequest, BackchannelUsers,
//!     Identification, PendingBackchannel,
//! };
//!
//! struct Users;
//!
//! impl BackchannelUsers for Users {
//!     async fn identify(&self, request: &BackchannelRequest<'_>) -> Identification {
//!         // A real server looks the hint up in its user store, and checks `request.user_code`.
//!         match (request.hint_type, request.hint) {
//!             (Some("LOGIN_HINT"), Some("alice@example.com")) => Identification::user("alice"),
//!             (Some("ID_TOKEN_HINT"), _) => match request.sub {
//!                 Some(sub) => Identification::user(sub),
//!                 None => Identification::unknown_user(),
//!             },
//!             _ => Identification::unknown_user(),
//!         }
//!     }
//!
//!     async fn notify(&self, pending: PendingBackchannel) {
//!         // A real server keeps `pending.ticket` for the decision, and has a task push a
//!         // message to the user's phone: the client is waiting for its `auth_req_id`.
//!         let _ = pending;
//!     }
//! }
//!
//! # async fn run(server: AuthorizationServer, ticket: String) -> Result<(), Box<dyn std::error::Error>> {
//! let endpoint = server.backchannel_endpoint(Users);
//! // … mounted at `/backchannel/authentication`. Later, the user approved on their phone:
//! match server.complete_backchannel(&ticket, "alice", BackchannelDecision::authorized()).await? {
//!     BackchannelOutcome::AwaitingPoll => println!("the client will poll the token endpoint"),
//!     BackchannelOutcome::Notified { status } => println!("the client was notified ({status})"),
//!     _ => {}
//! }
//! # let _ = (endpoint, BackchannelAuthenticationFailRequestReason::UnknownUserId);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

use super::config::Endpoint;
use super::request::Request;
use super::response::{self, json};
use super::{AuthorizationServer, Handler};
use crate::models::{
    AuthzDetails, BackchannelAuthenticationCompleteRequest, BackchannelAuthenticationCompleteRequestResult,
    BackchannelAuthenticationCompleteResponse, BackchannelAuthenticationCompleteResponseAction,
    BackchannelAuthenticationFailRequest, BackchannelAuthenticationFailRequestReason,
    BackchannelAuthenticationFailResponseAction, BackchannelAuthenticationIssueRequest,
    BackchannelAuthenticationIssueResponse, BackchannelAuthenticationIssueResponseAction,
    BackchannelAuthenticationRequest, BackchannelAuthenticationResponse, BackchannelAuthenticationResponseAction,
    DeliveryMode, Property,
};

/// The realm of the `Basic` challenge the endpoint sends when it refuses a client.
const REALM: &str = "backchannel";

/// What the backchannel endpoint asks the server: who a request names, and to tell that user's
/// authentication device that a request waits.
pub trait BackchannelUsers: Send + Sync + 'static {
    /// Who the request's hint names (`login_hint`, `id_token_hint`'s `sub`, `login_hint_token`),
    /// checked with the `user_code` when the client sent one.
    fn identify(&self, request: &BackchannelRequest<'_>) -> impl Future<Output = Identification> + Send;

    /// Tells the user's authentication device that `pending` waits for their decision; called
    /// after Authlete issued the `auth_req_id` and before the client gets its answer. Keep it
    /// quick (spawn slow work).
    fn notify(&self, pending: PendingBackchannel) -> impl Future<Output = ()> + Send;
}

/// A backchannel authentication request as Authlete checked it: a borrowed view of its answer
/// (`action: USER_IDENTIFICATION`), for [`BackchannelUsers::identify`].
///
/// Its `Debug` output shows neither the user code nor a hint that is a token (`id_token_hint`,
/// `login_hint_token`), and leaves out `answer`, which holds Authlete's ticket and the client's
/// notification token.
#[derive(Clone)]
#[non_exhaustive]
pub struct BackchannelRequest<'a> {
    /// Which hint the client sent: `LOGIN_HINT`, `ID_TOKEN_HINT` or `LOGIN_HINT_TOKEN` (CIBA §7.1
    /// allows exactly one).
    pub hint_type: Option<&'a str>,
    /// The hint's value: the `login_hint`, the ID token of `id_token_hint`, or the
    /// `login_hint_token`.
    pub hint: Option<&'a str>,
    /// The `sub` of the `id_token_hint`, which Authlete verified (it issued that ID token).
    pub sub: Option<&'a str>,
    /// The `user_code` the client sent: a secret the user gave the client, which the server
    /// checks before it bothers the user (CIBA §7.1).
    pub user_code: Option<&'a str>,
    /// Whether the client must send a `user_code` (the service and the client both say so).
    /// Authlete refuses a request without one itself.
    pub user_code_required: bool,
    /// The `binding_message` to show on both the client's device and the user's (CIBA §7.1).
    pub binding_message: Option<&'a str>,
    /// The client's name.
    pub client_name: Option<&'a str>,
    /// The names of the requested scopes.
    pub scopes: Vec<&'a str>,
    /// The requested Authentication Context Class References, in order of preference.
    pub acrs: &'a [String],
    /// Authlete's whole answer: the client, resources, authorization details, the request
    /// context, ….
    pub answer: &'a BackchannelAuthenticationResponse,
}

impl<'a> BackchannelRequest<'a> {
    /// The view of Authlete's answer `answer` (to test a [`BackchannelUsers`] implementation,
    /// say).
    pub fn new(answer: &'a BackchannelAuthenticationResponse) -> Self {
        BackchannelRequest {
            hint_type: answer.hint_type.as_deref(),
            hint: answer.hint.as_deref(),
            sub: answer.sub.as_deref(),
            user_code: answer.user_code.as_deref(),
            user_code_required: answer.user_code_required.unwrap_or(false),
            binding_message: answer.binding_message.as_deref(),
            client_name: answer.client_name.as_deref(),
            scopes: scope_names(answer.scopes.as_deref()),
            acrs: answer.acrs.as_deref().unwrap_or_default(),
            answer,
        }
    }
}

impl fmt::Debug for BackchannelRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A `login_hint` is a name the client knows (an e-mail address, a phone number); the
        // other hints are tokens, and a user code is a secret.
        let hint: Option<&dyn fmt::Debug> = match (self.hint_type, &self.hint) {
            (_, None) => None,
            (Some("LOGIN_HINT"), Some(hint)) => Some(hint),
            (_, Some(_)) => Some(&Redacted),
        };
        f.debug_struct("BackchannelRequest")
            .field("hint_type", &self.hint_type)
            .field("hint", &hint)
            .field("sub", &self.sub)
            .field("user_code", &self.user_code.map(|_| Redacted))
            .field("user_code_required", &self.user_code_required)
            .field("binding_message", &self.binding_message)
            .field("client_name", &self.client_name)
            .field("scopes", &self.scopes)
            .field("acrs", &self.acrs)
            .finish_non_exhaustive()
    }
}

/// Who a backchannel authentication request names, as the server found out
/// ([`BackchannelUsers::identify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identification {
    /// This user: Authlete issues the `auth_req_id`, and [`BackchannelUsers::notify`] tells the
    /// user's device.
    User {
        /// The user's unique identifier (the `sub` of the tokens to come).
        subject: String,
    },
    /// No one, or not this way: `/backchannel/authentication/fail` with this reason, whose answer
    /// the client gets.
    Refused {
        /// The reason, which becomes the client's `error` (`UNKNOWN_USER_ID` is
        /// `unknown_user_id`).
        reason: BackchannelAuthenticationFailRequestReason,
        /// The `error_description` the client gets, if any. The client sees it: no internals.
        description: Option<String>,
    },
}

impl Identification {
    /// The request names the user `subject`.
    pub fn user(subject: impl Into<String>) -> Self {
        Identification::User { subject: subject.into() }
    }

    /// Refuse the request for `reason`, without a description.
    pub fn refused(reason: BackchannelAuthenticationFailRequestReason) -> Self {
        Identification::Refused { reason, description: None }
    }

    /// The hint names no user the server knows (`unknown_user_id`, CIBA §13).
    pub fn unknown_user() -> Self {
        Identification::refused(BackchannelAuthenticationFailRequestReason::UnknownUserId)
    }
}

/// A backchannel authentication request that waits for the user's decision: what
/// [`BackchannelUsers::notify`] gets, to show on the user's device and to complete the request
/// with ([`AuthorizationServer::complete_backchannel`] takes its `ticket` and `subject`).
///
/// Its `Debug` output leaves out the ticket.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingBackchannel {
    /// Authlete's ticket for the request: what completes it. Keep it where the approval UI finds
    /// it, and out of logs and of the user's device: whoever holds it can decide for the user.
    pub ticket: String,
    /// The user, as [`BackchannelUsers::identify`] said.
    pub subject: String,
    /// The client's ID, as the client uses it (its alias, when it used that).
    pub client_id: Option<String>,
    /// The client's name.
    pub client_name: Option<String>,
    /// The names of the requested scopes.
    pub scopes: Vec<String>,
    /// The claims the scopes ask for (`profile` is `name`, `family_name`, …).
    pub claim_names: Vec<String>,
    /// The requested Authentication Context Class References, in order of preference.
    pub acrs: Vec<String>,
    /// The `binding_message` to show on the user's device, so that the user sees it is the
    /// request the client shows (CIBA §7.1).
    pub binding_message: Option<String>,
    /// The resources the tokens are for (RFC 8707).
    pub resources: Vec<String>,
    /// The authorization details of the request (RFC 9396), to show the user.
    pub authorization_details: Option<AuthzDetails>,
    /// The lifetime of the `auth_req_id` the client asked for (`requested_expiry`), if it did.
    pub requested_expiry: Option<Duration>,
    /// When the `auth_req_id` expires: a decision after that is too late.
    pub expires_at: Option<SystemTime>,
    /// How the client gets its tokens: `POLL`, `PING` or `PUSH`.
    pub delivery_mode: Option<DeliveryMode>,
}

impl PendingBackchannel {
    /// A pending request known only by its ticket and user (to test a [`BackchannelUsers`]
    /// implementation, say).
    pub fn new(ticket: impl Into<String>, subject: impl Into<String>) -> Self {
        PendingBackchannel {
            ticket: ticket.into(),
            subject: subject.into(),
            client_id: None,
            client_name: None,
            scopes: Vec::new(),
            claim_names: Vec::new(),
            acrs: Vec::new(),
            binding_message: None,
            resources: Vec::new(),
            authorization_details: None,
            requested_expiry: None,
            expires_at: None,
            delivery_mode: None,
        }
    }

    /// The request Authlete checked (`answer`), identified as `subject`, whose `auth_req_id` was
    /// issued (`issued`) with `ticket`.
    fn from_answers(
        ticket: String,
        subject: String,
        answer: &BackchannelAuthenticationResponse,
        issued: &BackchannelAuthenticationIssueResponse,
    ) -> Self {
        let seconds = |value: Option<i32>| value.and_then(|s| u64::try_from(s).ok()).map(Duration::from_secs);
        let client_id = match (&answer.client_id_alias, answer.client_id_alias_used) {
            (Some(alias), Some(true)) => Some(alias.clone()),
            _ => answer.client_id.map(|id| id.to_string()),
        };
        PendingBackchannel {
            client_id,
            client_name: answer.client_name.clone(),
            scopes: scope_names(answer.scopes.as_deref()).into_iter().map(str::to_owned).collect(),
            claim_names: answer.claim_names.clone().unwrap_or_default(),
            acrs: answer.acrs.clone().unwrap_or_default(),
            binding_message: answer.binding_message.clone(),
            resources: answer.resources.clone().unwrap_or_default(),
            authorization_details: answer.authorization_details.clone(),
            requested_expiry: seconds(answer.requested_expiry),
            expires_at: seconds(issued.expires_in).and_then(|lifetime| SystemTime::now().checked_add(lifetime)),
            delivery_mode: answer.delivery_mode.clone(),
            ..PendingBackchannel::new(ticket, subject)
        }
    }
}

impl fmt::Debug for PendingBackchannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingBackchannel")
            .field("ticket", &Redacted)
            .field("subject", &self.subject)
            .field("client_id", &self.client_id)
            .field("client_name", &self.client_name)
            .field("scopes", &self.scopes)
            .field("claim_names", &self.claim_names)
            .field("acrs", &self.acrs)
            .field("binding_message", &self.binding_message)
            .field("resources", &self.resources)
            .field("authorization_details", &self.authorization_details.is_some())
            .field("requested_expiry", &self.requested_expiry)
            .field("expires_at", &self.expires_at)
            .field("delivery_mode", &self.delivery_mode)
            .finish()
    }
}

/// The backchannel authentication endpoint (OpenID Connect CIBA §7): made by
/// [`AuthorizationServer::backchannel_endpoint`]. What it answers is in the
/// [module docs](self#the-backchannel-endpoint).
#[derive(Debug, Clone)]
pub struct BackchannelEndpoint<U> {
    server: AuthorizationServer,
    users: U,
}

impl AuthorizationServer {
    /// The backchannel authentication endpoint (CIBA §7), asking `users` who a request names
    /// and telling them when one waits.
    pub fn backchannel_endpoint<U: BackchannelUsers>(&self, users: U) -> BackchannelEndpoint<U> {
        BackchannelEndpoint { server: self.clone(), users }
    }
}

impl<U: BackchannelUsers> Handler for BackchannelEndpoint<U> {
    /// Handles a backchannel authentication request (`POST`, a form body).
    async fn handle(&self, request: Request) -> Response<String> {
        let config = self.server.config();
        let (parameters, credentials) = match request.client_form(config, REALM) {
            Ok(checked) => checked,
            Err(response) => return response,
        };
        let used_basic = credentials.is_some();
        let backchannel_request = BackchannelAuthenticationRequest {
            client_certificate: request.certificate(config),
            oauth_client_attestation: request.header("oauth-client-attestation").map(str::to_owned),
            oauth_client_attestation_pop: request.header("oauth-client-attestation-pop").map(str::to_owned),
            ..BackchannelAuthenticationRequest::new(parameters)
        };
        let service = self.server.service();
        let mut backchannel_request = backchannel_request;
        let call = |client: Option<(String, String)>| {
            (backchannel_request.client_id, backchannel_request.client_secret) = client.unzip();
            service.backchannel_authentication(&backchannel_request)
        };
        let refused = |answer: &BackchannelAuthenticationResponse| {
            matches!(answer.action, Some(BackchannelAuthenticationResponseAction::Unauthorized))
        };
        let answer = match self.server.call_as_client(Endpoint::Backchannel, credentials, call, refused).await {
            Ok(answer) => answer,
            Err(response) => return response,
        };
        self.respond(answer, used_basic).await
    }
}

impl<U: BackchannelUsers> BackchannelEndpoint<U> {
    /// The response for Authlete's answer; `used_basic`: the client authenticated with
    /// `Authorization: Basic`.
    async fn respond(&self, answer: BackchannelAuthenticationResponse, used_basic: bool) -> Response<String> {
        let Some(action) = answer.action.clone() else {
            return response::unexpected_answer(Endpoint::Backchannel, "no action");
        };
        match action {
            BackchannelAuthenticationResponseAction::BadRequest => {
                json(StatusCode::BAD_REQUEST, answer.response_content)
            }
            BackchannelAuthenticationResponseAction::Unauthorized => {
                let refused = json(StatusCode::UNAUTHORIZED, answer.response_content);
                // RFC 6749 §5.2: a client that tried `Authorization` learns the scheme it must
                // use; one that authenticated otherwise (a form, a JWT, a certificate) gets no
                // challenge.
                if used_basic {
                    response::with_header(refused, header::WWW_AUTHENTICATE, &format!("Basic realm=\"{REALM}\""))
                } else {
                    refused
                }
            }
            BackchannelAuthenticationResponseAction::InternalServerError => {
                json(StatusCode::INTERNAL_SERVER_ERROR, answer.response_content)
            }
            BackchannelAuthenticationResponseAction::UserIdentification => self.identify(&answer).await,
            BackchannelAuthenticationResponseAction::Unrecognized(action) => {
                response::unexpected_answer(Endpoint::Backchannel, &format!("action {action}"))
            }
        }
    }

    /// `USER_IDENTIFICATION`: the server says who the request names, then Authlete issues the
    /// `auth_req_id` or builds the error.
    async fn identify(&self, answer: &BackchannelAuthenticationResponse) -> Response<String> {
        let Some(ticket) = answer.ticket.clone() else {
            return response::unexpected_answer(Endpoint::Backchannel, "no ticket");
        };
        match self.users.identify(&BackchannelRequest::new(answer)).await {
            Identification::User { subject } => self.issue(answer, ticket, subject).await,
            Identification::Refused { reason, description } => self.fail(ticket, reason, description).await,
        }
    }

    /// `/backchannel/authentication/issue`, then `notify` before the client learns its
    /// `auth_req_id`, so that the user's device knows of the request before the client can poll.
    async fn issue(
        &self,
        answer: &BackchannelAuthenticationResponse,
        ticket: String,
        subject: String,
    ) -> Response<String> {
        let request = BackchannelAuthenticationIssueRequest::new(ticket.clone());
        let call = self.server.service().backchannel_authentication_issue(&request);
        let issued = match self.server.call(Endpoint::Backchannel, call).await {
            Ok(issued) => issued,
            Err(response) => return response,
        };
        match issued.action {
            Some(BackchannelAuthenticationIssueResponseAction::Ok) => {
                self.users.notify(PendingBackchannel::from_answers(ticket, subject, answer, &issued)).await;
                json(StatusCode::OK, issued.response_content)
            }
            Some(BackchannelAuthenticationIssueResponseAction::InternalServerError) => {
                json(StatusCode::INTERNAL_SERVER_ERROR, issued.response_content)
            }
            // The ticket expired while the server identified the user: Authlete wrote no error
            // for the client, and nothing the client sent was wrong.
            Some(BackchannelAuthenticationIssueResponseAction::InvalidTicket) => {
                response::unexpected_answer(Endpoint::Backchannel, "issue action INVALID_TICKET")
            }
            Some(BackchannelAuthenticationIssueResponseAction::Unrecognized(action)) => {
                response::unexpected_answer(Endpoint::Backchannel, &format!("issue action {action}"))
            }
            None => response::unexpected_answer(Endpoint::Backchannel, "no issue action"),
        }
    }

    /// `/backchannel/authentication/fail`: Authlete writes the client's error (and drops the
    /// ticket).
    async fn fail(
        &self,
        ticket: String,
        reason: BackchannelAuthenticationFailRequestReason,
        description: Option<String>,
    ) -> Response<String> {
        let request = BackchannelAuthenticationFailRequest {
            error_description: description,
            ..BackchannelAuthenticationFailRequest::new(ticket, reason)
        };
        let call = self.server.service().backchannel_authentication_fail(&request);
        let failed = match self.server.call(Endpoint::Backchannel, call).await {
            Ok(failed) => failed,
            Err(response) => return response,
        };
        match failed.action {
            Some(BackchannelAuthenticationFailResponseAction::BadRequest) => {
                json(StatusCode::BAD_REQUEST, failed.response_content)
            }
            Some(BackchannelAuthenticationFailResponseAction::Forbidden) => {
                json(StatusCode::FORBIDDEN, failed.response_content)
            }
            Some(BackchannelAuthenticationFailResponseAction::InternalServerError) => {
                json(StatusCode::INTERNAL_SERVER_ERROR, failed.response_content)
            }
            Some(BackchannelAuthenticationFailResponseAction::Unrecognized(action)) => {
                response::unexpected_answer(Endpoint::Backchannel, &format!("fail action {action}"))
            }
            None => response::unexpected_answer(Endpoint::Backchannel, "no fail action"),
        }
    }
}

/// The user's decision on a backchannel authentication request, for
/// [`AuthorizationServer::complete_backchannel`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
// Made once per decision and moved once, into the request to Authlete: boxing the approval to
// shrink the refusals would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum BackchannelDecision {
    /// The user authenticated and approved (`AUTHORIZED`).
    Authorized {
        /// When the user authenticated (seconds since the Unix epoch): the ID token's
        /// `auth_time`.
        auth_time: Option<i64>,
        /// The Authentication Context Class Reference the authentication met: the ID token's
        /// `acr`.
        acr: Option<String>,
        /// The user's claims for the ID token (those of [`PendingBackchannel::claim_names`] the
        /// user has). Empty: none.
        claims: serde_json::Map<String, serde_json::Value>,
        /// The scopes granted, when the user granted fewer than were requested; `None`: all.
        scopes: Option<Vec<String>>,
        /// Extra properties to attach to the access token (Authlete's `properties`).
        properties: Vec<Property>,
        /// The `sub` of the ID token and the access token when it is not the subject: a
        /// pairwise identifier (OpenID Connect Core §8.1), say. `None`: the subject.
        sub: Option<String>,
        /// How long the access token lives, when not as the service and the client say (Authlete
        /// takes whole seconds; under one is its default). `None`: as they say.
        access_token_duration: Option<Duration>,
        /// How long the refresh token lives, likewise.
        refresh_token_duration: Option<Duration>,
    },
    /// The user denied the request (`ACCESS_DENIED`): the client gets `access_denied`.
    Denied,
    /// No decision came: the device could not be reached, the user did not answer
    /// (`TRANSACTION_FAILED`). The client gets `expired_token`.
    Failed,
}

impl BackchannelDecision {
    /// The user approved; no `auth_time`, `acr`, claims or properties, all the scopes requested,
    /// the tokens as the service and the client say.
    pub fn authorized() -> Self {
        BackchannelDecision::Authorized {
            auth_time: None,
            acr: None,
            claims: serde_json::Map::new(),
            scopes: None,
            properties: Vec::new(),
            sub: None,
            access_token_duration: None,
            refresh_token_duration: None,
        }
    }

    /// The user denied the request.
    pub fn denied() -> Self {
        BackchannelDecision::Denied
    }

    /// No decision came.
    pub fn failed() -> Self {
        BackchannelDecision::Failed
    }
}

/// What [`AuthorizationServer::complete_backchannel`] did once Authlete knew the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackchannelOutcome {
    /// Nothing to deliver (`poll` mode): the client learns the result when it polls the token
    /// endpoint.
    AwaitingPoll,
    /// The client's notification endpoint took the notification (`ping`: the client now asks
    /// the token endpoint; `push`: the tokens or the error were in it).
    Notified {
        /// The notification endpoint's status (CIBA §10.2 asks for `204`; any `2xx` is taken).
        status: StatusCode,
    },
}

/// Why [`AuthorizationServer::complete_backchannel`] failed. Its text names no secret: neither
/// the ticket, nor the client's notification token, nor what the notification carried.
#[derive(Debug)]
#[non_exhaustive]
pub enum BackchannelError {
    /// Authlete could not be asked: unreachable, an error status, an answer that does not decode.
    Unavailable(crate::Error),
    /// Authlete did not answer within the timeout of [`Endpoint::Backchannel`].
    TimedOut(Duration),
    /// Authlete did not complete the request (`SERVER_ERROR`: the ticket is unknown or expired,
    /// say), or answered something this crate cannot act on; the text says what.
    Authlete(String),
    /// The client's notification endpoint did not take the notification. Authlete has the
    /// decision; in `ping` mode the client can still poll for the result.
    Notification(NotificationError),
}

impl fmt::Display for BackchannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackchannelError::Unavailable(error) => {
                write!(f, "the backchannel authentication request could not be completed: {error}")
            }
            BackchannelError::TimedOut(timeout) => write!(
                f,
                "the backchannel authentication request could not be completed: Authlete did not answer within {} ms",
                timeout.as_millis()
            ),
            BackchannelError::Authlete(what) => {
                write!(f, "Authlete did not complete the backchannel authentication request: {what}")
            }
            BackchannelError::Notification(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for BackchannelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BackchannelError::Unavailable(error) => Some(error),
            BackchannelError::Notification(error) => Some(error),
            BackchannelError::TimedOut(_) | BackchannelError::Authlete(_) => None,
        }
    }
}

/// A notification the client's notification endpoint did not take: its host, and what went
/// wrong. It names no path, token or body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationError {
    host: String,
    failure: NotificationFailure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NotificationFailure {
    /// The endpoint is no absolute `http` or `https` URL.
    Url,
    /// The notification token cannot be an HTTP header.
    Token,
    /// The endpoint answered with a status other than `2xx`.
    Status(StatusCode),
    /// No answer within the timeout.
    TimedOut(Duration),
    /// No answer: connection refused, DNS, TLS, …; the transport's words, without the URL.
    Transport(String),
}

impl NotificationError {
    /// The host of the client's notification endpoint (empty when the URL has none).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The status the endpoint answered with, when it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self.failure {
            NotificationFailure::Status(status) => Some(status),
            _ => None,
        }
    }

    /// Whether the endpoint did not answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self.failure, NotificationFailure::TimedOut(_))
    }
}

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        match &self.failure {
            NotificationFailure::Url => {
                write!(f, "the client's notification endpoint at `{host}` is not an absolute http or https URL")
            }
            NotificationFailure::Token => write!(
                f,
                "the notification to the client at `{host}` was not sent: its notification token cannot be an HTTP header"
            ),
            NotificationFailure::Status(status) => {
                write!(f, "the client's notification endpoint at `{host}` answered {}", status.as_u16())
            }
            NotificationFailure::TimedOut(timeout) => write!(
                f,
                "the client's notification endpoint at `{host}` did not answer within {} ms",
                timeout.as_millis()
            ),
            NotificationFailure::Transport(why) => {
                write!(f, "the client's notification endpoint at `{host}` could not be reached: {why}")
            }
        }
    }
}

impl std::error::Error for NotificationError {}

impl AuthorizationServer {
    /// Completes the backchannel authentication request `ticket` ([`PendingBackchannel::ticket`])
    /// of the user `subject` with the user's `decision`, and delivers the notification Authlete
    /// asks for (`ping`, `push`). What each answer of Authlete becomes is in the
    /// [`ciba` module docs](super::ciba#the-users-decision).
    ///
    /// The Authlete call and the notification each have the timeout of
    /// [`Endpoint::Backchannel`]. Call it from the server's approval UI, once per request.
    ///
    /// # Errors
    ///
    /// [`BackchannelError`]: Authlete unreachable, slow or refusing, or the client's notification
    /// endpoint not taking the notification.
    pub async fn complete_backchannel(
        &self,
        ticket: &str,
        subject: &str,
        decision: BackchannelDecision,
    ) -> Result<BackchannelOutcome, BackchannelError> {
        let result = match decision {
            BackchannelDecision::Authorized { .. } => BackchannelAuthenticationCompleteRequestResult::Authorized,
            BackchannelDecision::Denied => BackchannelAuthenticationCompleteRequestResult::AccessDenied,
            BackchannelDecision::Failed => BackchannelAuthenticationCompleteRequestResult::TransactionFailed,
        };
        let mut request = BackchannelAuthenticationCompleteRequest::new(ticket, result, subject);
        if let BackchannelDecision::Authorized {
            auth_time,
            acr,
            claims,
            scopes,
            properties,
            sub,
            access_token_duration,
            refresh_token_duration,
        } = decision
        {
            request.auth_time = auth_time;
            request.acr = acr;
            // Authlete takes the claims as the text of a JSON object; none is no text.
            request.claims = (!claims.is_empty()).then(|| serde_json::Value::Object(claims).to_string());
            request.scopes = scopes;
            request.properties = (!properties.is_empty()).then_some(properties);
            request.sub = sub;
            let seconds = |duration: Duration| i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
            request.access_token_duration = access_token_duration.map(seconds);
            request.refresh_token_duration = refresh_token_duration.map(seconds);
        }
        let answer = self.ask_backchannel(self.service().backchannel_authentication_complete(&request)).await?;
        let Some(action) = answer.action.clone() else {
            return Err(BackchannelError::Authlete(described("no action", &answer)));
        };
        match action {
            BackchannelAuthenticationCompleteResponseAction::NoAction => Ok(BackchannelOutcome::AwaitingPoll),
            BackchannelAuthenticationCompleteResponseAction::Notification => self.notify_client(answer).await,
            BackchannelAuthenticationCompleteResponseAction::ServerError => {
                Err(BackchannelError::Authlete(described("action SERVER_ERROR", &answer)))
            }
            BackchannelAuthenticationCompleteResponseAction::Unrecognized(action) => {
                Err(BackchannelError::Authlete(described(&format!("action {action}"), &answer)))
            }
        }
    }

    /// An Authlete call of the completion, bounded by the endpoint's timeout like
    /// [`AuthorizationServer::call`], but failing with what the caller of
    /// [`complete_backchannel`](Self::complete_backchannel) can act on instead of a response.
    async fn ask_backchannel<C, T>(&self, call: C) -> Result<T, BackchannelError>
    where
        C: IntoFuture<Output = Result<T, crate::Error>>,
    {
        let timeout = self.config().timeout_of(Endpoint::Backchannel);
        match tokio::time::timeout(timeout, call.into_future()).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(BackchannelError::Unavailable(error)),
            Err(_) => Err(BackchannelError::TimedOut(timeout)),
        }
    }

    /// `NOTIFICATION`: Authlete's JSON to the client's notification endpoint, with the client's
    /// notification token as a `Bearer` token (CIBA §10.2, §10.3).
    async fn notify_client(
        &self,
        answer: BackchannelAuthenticationCompleteResponse,
    ) -> Result<BackchannelOutcome, BackchannelError> {
        let (Some(endpoint), Some(token), Some(content)) =
            (answer.client_notification_endpoint, answer.client_notification_token, answer.response_content)
        else {
            return Err(BackchannelError::Authlete(
                "action NOTIFICATION without a notification endpoint, token and content".to_owned(),
            ));
        };
        let url = reqwest::Url::parse(&endpoint).ok().filter(|url| matches!(url.scheme(), "http" | "https"));
        let host = url.as_ref().and_then(|url| url.host_str()).unwrap_or_default().to_owned();
        let refuse = |failure| BackchannelError::Notification(NotificationError { host: host.clone(), failure });
        let Some(url) = url else {
            return Err(refuse(NotificationFailure::Url));
        };
        let Ok(mut authorization) = HeaderValue::from_str(&format!("Bearer {token}")) else {
            return Err(refuse(NotificationFailure::Token));
        };
        // Kept out of HTTP/2's header compression table, and shown as `Sensitive` by `Debug`.
        authorization.set_sensitive(true);
        let client = notifier().map_err(|why| refuse(NotificationFailure::Transport(why)))?;
        let sent = client
            .post(url)
            .header(header::AUTHORIZATION, authorization)
            .header(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(content)
            .send();
        let timeout = self.config().timeout_of(Endpoint::Backchannel);
        match tokio::time::timeout(timeout, sent).await {
            Ok(Ok(answered)) if answered.status().is_success() => {
                Ok(BackchannelOutcome::Notified { status: answered.status() })
            }
            Ok(Ok(answered)) => Err(refuse(NotificationFailure::Status(answered.status()))),
            Ok(Err(error)) => Err(refuse(NotificationFailure::Transport(transport_error(error)))),
            Err(_) => Err(refuse(NotificationFailure::TimedOut(timeout))),
        }
    }
}

/// `what` Authlete answered, with its result code: Authlete's result messages can quote what it
/// was sent, so they are left out.
fn described(what: &str, answer: &BackchannelAuthenticationCompleteResponse) -> String {
    match &answer.result_code {
        Some(code) => format!("{what} (result code {code})"),
        None => what.to_owned(),
    }
}

/// The HTTP client that delivers notifications, built once: it sends to the URL it is given and
/// nowhere else, so it follows no redirect and uses no proxy (an environment's `HTTPS_PROXY`
/// would see the notification token and, in `push` mode, the tokens).
fn notifier() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    // Two first notifications at once build two clients; one is kept.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("authlete-rust/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(transport_error)?;
    Ok(CLIENT.get_or_init(|| client))
}

/// A transport error's words and its causes', without the URL (whose path and query are the
/// client's and may mean something to an attacker).
fn transport_error(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut words = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        words.push_str(": ");
        words.push_str(&cause.to_string());
        source = cause.source();
    }
    words
}

/// The names of Authlete's scopes.
fn scope_names(scopes: Option<&[crate::models::Scope]>) -> Vec<&str> {
    scopes.unwrap_or_default().iter().filter_map(|scope| scope.name.as_deref()).collect()
}

/// What `Debug` shows in place of a secret.
#[derive(Clone, Copy)]
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
