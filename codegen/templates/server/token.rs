//! The token endpoint (RFC 6749 §3.2): `/auth/token`, and what the server decides on the grants
//! Authlete leaves to it ([`GrantHandler`]).

use std::future::Future;

use http::{Response, StatusCode};

use super::config::Endpoint;
use super::request::{BasicCredentials, Request};
use super::response::{self, json, oauth_error, with_nonce};
use super::{AuthorizationServer, Handler};
use crate::models::{
    IdtokenReissueRequest, IdtokenReissueResponseAction, NativeSsoRequest, NativeSsoResponseAction, Property,
    TokenFailRequest, TokenFailRequestReason, TokenFailResponseAction, TokenIssueRequest, TokenIssueResponseAction,
    TokenRequest, TokenResponse, TokenResponseAction,
};

/// The realm of the `Basic` challenge the token endpoint sends with `invalid_client`.
const REALM: &str = "token";

/// What the server decides on a grant that needs its own knowledge: the resource owner's
/// password (`grant_type=password`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GrantDecision {
    /// Issue tokens for this resource owner: `/auth/token/issue` with Authlete's ticket.
    Issue {
        /// The resource owner's unique identifier (the `sub` of tokens and ID tokens).
        subject: String,
        /// Extra properties to attach to the access token (Authlete's `properties`).
        properties: Vec<Property>,
    },
    /// Refuse the grant: `/auth/token/fail` with Authlete's ticket and this reason.
    Fail(TokenFailRequestReason),
}

impl GrantDecision {
    /// Issue tokens for `subject`, with no extra properties.
    pub fn issue(subject: impl Into<String>) -> Self {
        GrantDecision::Issue { subject: subject.into(), properties: Vec::new() }
    }
}

/// What the server does with a grant Authlete checked for form but cannot carry out alone: token
/// exchange (RFC 8693) and JWT bearer assertions (RFC 7523). Authlete issues no tokens for them
/// through `/auth/token/issue`; a server that supports them issues tokens itself (with
/// `Service::auth_token_create`, say) and builds the response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ExtensionGrantDecision {
    /// Send this response (a token response, or an OAuth error) as it is.
    Respond(Response<String>),
    /// The server does not support the grant: `400 unsupported_grant_type`.
    Unsupported,
    /// Refuse the grant: `400 invalid_grant`, with this description.
    InvalidGrant(String),
}

/// What the server decides on a Native SSO token request (`action: NATIVE_SSO`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NativeSsoDecision {
    /// The session (`session_id` of the answer) is valid: `/nativesso` with this device secret
    /// (the one Authlete passed on in `device_secret`, if it is still valid, or a new one).
    Accept {
        /// The device secret to bind the session to.
        device_secret: String,
        /// Claims to put in the ID token, as a JSON object's text.
        claims: Option<String>,
    },
    /// The session is not valid: the client gets `invalid_grant`.
    Reject,
}

/// What the server decides when Authlete says a refresh could come with a new ID token
/// (`action: ID_TOKEN_REISSUABLE`).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum IdTokenDecision {
    /// Send Authlete's token response as it is, without an ID token.
    #[default]
    Keep,
    /// Reissue the ID token with `/idtoken/reissue`, with these claims (a JSON object's text).
    Reissue {
        /// Claims to put in the new ID token.
        claims: Option<String>,
    },
}

/// The token endpoint's questions to the server. Every method has a default that refuses (or,
/// for ID tokens, keeps Authlete's answer), so a server implements only the grants it supports.
///
/// `answer` is Authlete's answer to the token request: the client (`client_id`), the requested
/// `scopes`, and for each grant what it needs (`username`/`password`, the subject and actor
/// tokens, the `assertion`, the `session_id`, …).
pub trait GrantHandler: Send + Sync + 'static {
    /// `grant_type=password` (RFC 6749 §4.3): check the resource owner's credentials.
    fn password(
        &self,
        username: &str,
        password: &str,
        answer: &TokenResponse,
    ) -> impl Future<Output = GrantDecision> + Send {
        let _ = (username, password, answer);
        async { GrantDecision::Fail(TokenFailRequestReason::InvalidResourceOwnerCredentials) }
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693).
    fn token_exchange(&self, answer: &TokenResponse) -> impl Future<Output = ExtensionGrantDecision> + Send {
        let _ = answer;
        async { ExtensionGrantDecision::Unsupported }
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523). Authlete does not
    /// verify the assertion's signature (`answer.assertion`): this must.
    fn jwt_bearer(&self, answer: &TokenResponse) -> impl Future<Output = ExtensionGrantDecision> + Send {
        let _ = answer;
        async { ExtensionGrantDecision::Unsupported }
    }

    /// A token request of OpenID Connect Native SSO: is the session `answer.session_id` valid?
    fn native_sso(&self, answer: &TokenResponse) -> impl Future<Output = NativeSsoDecision> + Send {
        let _ = answer;
        async { NativeSsoDecision::Reject }
    }

    /// A refresh whose answer may come with a new ID token: reissue it?
    fn id_token(&self, answer: &TokenResponse) -> impl Future<Output = IdTokenDecision> + Send {
        let _ = answer;
        async { IdTokenDecision::Keep }
    }
}

/// A [`GrantHandler`] that supports none of the grants the server decides: password, token
/// exchange and JWT bearer requests are refused, Native SSO sessions rejected.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGrants;

impl GrantHandler for NoGrants {}

/// The token endpoint: made by [`AuthorizationServer::token_endpoint`].
#[derive(Debug, Clone)]
pub struct TokenEndpoint<G> {
    server: AuthorizationServer,
    grants: G,
}

impl AuthorizationServer {
    /// The token endpoint, asking `grants` where the server decides.
    pub fn token_endpoint<G: GrantHandler>(&self, grants: G) -> TokenEndpoint<G> {
        TokenEndpoint { server: self.clone(), grants }
    }
}

impl<G: GrantHandler> Handler for TokenEndpoint<G> {
    /// Handles a token request (`POST`, a form body).
    async fn handle(&self, request: Request) -> Response<String> {
        let config = self.server.config();
        let (parameters, credentials) = match request.client_form(config, REALM) {
            Ok(checked) => checked,
            Err(response) => return response,
        };
        let token_request = TokenRequest {
            dpop: request.dpop(),
            htm: Some(request.htm()),
            htu: Some(request.htu(config)),
            client_certificate: request.certificate(config),
            oauth_client_attestation: request.header("oauth-client-attestation").map(str::to_owned),
            oauth_client_attestation_pop: request.header("oauth-client-attestation-pop").map(str::to_owned),
            ..TokenRequest::new(parameters)
        };
        let answer = match self.ask(token_request, credentials).await {
            Ok(answer) => answer,
            Err(response) => return response,
        };
        let response = self.respond(&answer).await;
        with_nonce(response, answer.dpop_nonce.as_deref())
    }
}

impl<G: GrantHandler> TokenEndpoint<G> {
    /// `/auth/token` with the client's credentials in the spelling RFC 6749 prescribes, and once
    /// more in the raw spelling if Authlete refuses the client and that spelling differs (see the
    /// [module docs](super#client_secret_basic)).
    async fn ask(
        &self,
        request: TokenRequest,
        credentials: Option<BasicCredentials>,
    ) -> Result<TokenResponse, Response<String>> {
        let service = self.server.service();
        let mut request = request;
        // Each try sends the request with its spelling of the credentials (the body is serialized
        // when the call is made, so the request can change between tries).
        let call = |client: Option<(String, String)>| {
            (request.client_id, request.client_secret) = client.unzip();
            service.auth_token(&request)
        };
        let refused = |answer: &TokenResponse| matches!(answer.action, Some(TokenResponseAction::InvalidClient));
        self.server.call_as_client(Endpoint::Token, credentials, call, refused).await
    }

    async fn respond(&self, answer: &TokenResponse) -> Response<String> {
        let content = || answer.response_content.clone();
        let Some(action) = answer.action.as_ref() else {
            return response::unexpected_answer(Endpoint::Token, "no action");
        };
        match action {
            TokenResponseAction::Ok => json(StatusCode::OK, content()),
            TokenResponseAction::BadRequest => json(StatusCode::BAD_REQUEST, content()),
            // RFC 6749 §5.2: 401 with the authentication scheme the client can use.
            TokenResponseAction::InvalidClient => response::with_header(
                json(StatusCode::UNAUTHORIZED, content()),
                http::header::WWW_AUTHENTICATE,
                &format!("Basic realm=\"{REALM}\""),
            ),
            TokenResponseAction::InternalServerError => json(StatusCode::INTERNAL_SERVER_ERROR, content()),
            TokenResponseAction::Password => {
                let username = answer.username.as_deref().unwrap_or_default();
                let password = answer.password.as_deref().unwrap_or_default();
                let decision = self.grants.password(username, password, answer).await;
                self.decide(answer, decision).await
            }
            TokenResponseAction::TokenExchange => extension(self.grants.token_exchange(answer).await),
            TokenResponseAction::JwtBearer => extension(self.grants.jwt_bearer(answer).await),
            TokenResponseAction::NativeSso => {
                let decision = self.grants.native_sso(answer).await;
                self.native_sso(answer, decision).await
            }
            TokenResponseAction::IdTokenReissuable => match self.grants.id_token(answer).await {
                IdTokenDecision::Keep => json(StatusCode::OK, content()),
                IdTokenDecision::Reissue { claims } => self.reissue(answer, claims).await,
            },
            TokenResponseAction::Unrecognized(action) => {
                response::unexpected_answer(Endpoint::Token, &format!("action {action}"))
            }
        }
    }

    /// Goes on with the server's decision: `/auth/token/issue` or `/auth/token/fail`.
    async fn decide(&self, answer: &TokenResponse, decision: GrantDecision) -> Response<String> {
        let Some(ticket) = answer.ticket.clone() else {
            return response::unexpected_answer(Endpoint::Token, "no ticket");
        };
        let service = self.server.service();
        match decision {
            GrantDecision::Issue { subject, properties } => {
                let request = TokenIssueRequest {
                    properties: (!properties.is_empty()).then_some(properties),
                    ..TokenIssueRequest::new(ticket, subject)
                };
                let issued = match self.server.call(Endpoint::Token, service.auth_token_issue(&request)).await {
                    Ok(issued) => issued,
                    Err(response) => return response,
                };
                match issued.action {
                    Some(TokenIssueResponseAction::Ok) => json(StatusCode::OK, issued.response_content),
                    Some(TokenIssueResponseAction::InternalServerError) => {
                        json(StatusCode::INTERNAL_SERVER_ERROR, issued.response_content)
                    }
                    Some(TokenIssueResponseAction::Unrecognized(action)) => {
                        response::unexpected_answer(Endpoint::Token, &format!("issue action {action}"))
                    }
                    None => response::unexpected_answer(Endpoint::Token, "no issue action"),
                }
            }
            GrantDecision::Fail(reason) => {
                let request = TokenFailRequest::new(ticket, reason);
                let failed = match self.server.call(Endpoint::Token, service.auth_token_fail(&request)).await {
                    Ok(failed) => failed,
                    Err(response) => return response,
                };
                match failed.action {
                    Some(TokenFailResponseAction::BadRequest) => json(StatusCode::BAD_REQUEST, failed.response_content),
                    Some(TokenFailResponseAction::InternalServerError) => {
                        json(StatusCode::INTERNAL_SERVER_ERROR, failed.response_content)
                    }
                    Some(TokenFailResponseAction::Unrecognized(action)) => {
                        response::unexpected_answer(Endpoint::Token, &format!("fail action {action}"))
                    }
                    None => response::unexpected_answer(Endpoint::Token, "no fail action"),
                }
            }
        }
    }

    /// Goes on with a Native SSO decision: `/nativesso` makes the ID token and the response.
    async fn native_sso(&self, answer: &TokenResponse, decision: NativeSsoDecision) -> Response<String> {
        let NativeSsoDecision::Accept { device_secret, claims } = decision else {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the session is not valid");
        };
        // The JWT form of the access token, when there is one, is what the ID token's hash covers.
        let Some(access_token) = answer.jwt_access_token.clone().or_else(|| answer.access_token.clone()) else {
            return response::unexpected_answer(Endpoint::Token, "no access token to bind the session to");
        };
        let request = NativeSsoRequest {
            refresh_token: answer.refresh_token.clone(),
            claims,
            ..NativeSsoRequest::new(access_token, device_secret)
        };
        let sso = match self.server.call(Endpoint::Token, self.server.service().native_sso(&request)).await {
            Ok(sso) => sso,
            Err(response) => return response,
        };
        match sso.action {
            Some(NativeSsoResponseAction::Ok) => json(StatusCode::OK, sso.response_content),
            Some(NativeSsoResponseAction::InternalServerError) => {
                json(StatusCode::INTERNAL_SERVER_ERROR, sso.response_content)
            }
            // The toolkit's own request was wrong: nothing the client can mend.
            Some(NativeSsoResponseAction::CallerError) => {
                response::unexpected_answer(Endpoint::Token, "native SSO caller error")
            }
            Some(NativeSsoResponseAction::Unrecognized(action)) => {
                response::unexpected_answer(Endpoint::Token, &format!("native SSO action {action}"))
            }
            None => response::unexpected_answer(Endpoint::Token, "no native SSO action"),
        }
    }

    /// `/idtoken/reissue`: the refresh's tokens with a new ID token.
    async fn reissue(&self, answer: &TokenResponse, claims: Option<String>) -> Response<String> {
        let (Some(access_token), Some(refresh_token)) = (answer.access_token.clone(), answer.refresh_token.clone())
        else {
            return response::unexpected_answer(Endpoint::Token, "no tokens to reissue the ID token with");
        };
        let request = IdtokenReissueRequest { claims, ..IdtokenReissueRequest::new(access_token, refresh_token) };
        let reissued = match self.server.call(Endpoint::Token, self.server.service().idtoken_reissue(&request)).await {
            Ok(reissued) => reissued,
            Err(response) => return response,
        };
        match reissued.action {
            Some(IdtokenReissueResponseAction::Ok) => json(StatusCode::OK, reissued.response_content),
            Some(IdtokenReissueResponseAction::InternalServerError) => {
                json(StatusCode::INTERNAL_SERVER_ERROR, reissued.response_content)
            }
            Some(IdtokenReissueResponseAction::CallerError) => {
                response::unexpected_answer(Endpoint::Token, "ID token reissue caller error")
            }
            Some(IdtokenReissueResponseAction::Unrecognized(action)) => {
                response::unexpected_answer(Endpoint::Token, &format!("reissue action {action}"))
            }
            None => response::unexpected_answer(Endpoint::Token, "no reissue action"),
        }
    }
}

fn extension(decision: ExtensionGrantDecision) -> Response<String> {
    match decision {
        ExtensionGrantDecision::Respond(response) => response,
        ExtensionGrantDecision::Unsupported => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "the authorization server does not support this grant type",
        ),
        ExtensionGrantDecision::InvalidGrant(description) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &description)
        }
    }
}
