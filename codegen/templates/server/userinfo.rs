//! The UserInfo endpoint (OpenID Connect Core §5.3): `/auth/userinfo` checks the access token,
//! the server gives the user's claims ([`UserClaims`]), `/auth/userinfo/issue` makes the answer.

use std::fmt;
use std::future::Future;

use http::{Method, Response, StatusCode};
use serde_json::{Map, Value};

use super::config::Endpoint;
use super::request::{AccessToken, Request};
use super::response::{self, challenge, with_body, with_header, with_nonce};
use super::{AuthorizationServer, Handler};
use crate::models::{
    IntrospectionResponseAction, StringArray, UserinfoIssueRequest, UserinfoIssueResponse, UserinfoIssueResponseAction,
    UserinfoRequest, UserinfoResponse,
};

/// The realm of the `Bearer` challenge sent to a request without an access token.
const REALM: &str = "userinfo";

/// The methods the UserInfo endpoint takes (OIDC Core §5.3.1).
const ALLOW: &str = "GET, POST";

/// What the UserInfo endpoint asks the server about the user an access token was issued for:
/// made by the endpoint from Authlete's answer, for [`UserClaims::claims`].
///
/// Language tags come inside the claim names (`name#ja-Kana-JP`, OIDC Core §5.2), as the client
/// asked for them; Authlete's `/auth/userinfo` answer carries no `claims_locales`.
/// [`ClaimsRequest::requested`] splits them.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct ClaimsRequest<'a> {
    /// The user: the subject of the access token, as the server gave it when the token was issued.
    pub subject: &'a str,
    /// The names of the claims the client asked for, through the token's scopes (`profile`,
    /// `email`, …) and the `claims` request parameter, each possibly with a `#` and a language tag.
    pub claims: &'a [String],
    /// The scopes of the access token.
    pub scopes: &'a [String],
    /// The client the access token was issued to (Authlete's numeric client ID).
    pub client_id: Option<i64>,
    /// Claims that transformed claims are computed from (OIDC for Identity Assurance): their
    /// values go in [`ClaimValues::claims_for_tx`].
    pub requested_claims_for_tx: &'a [String],
    /// Verified claims that transformed claims are computed from, one list per element of
    /// `verified_claims` in the request: their values go in
    /// [`ClaimValues::verified_claims_for_tx`].
    pub requested_verified_claims_for_tx: &'a [StringArray],
    /// The `userinfo` member of the client's `claims` request parameter, as JSON text: what it
    /// asked of `verified_claims` (OIDC for Identity Assurance), and which claims are essential.
    pub user_info_claims: Option<&'a str>,
    /// Authlete's whole answer, for what the fields above leave out (the token's `properties`,
    /// the client's attributes, the claims the user consented to, …).
    pub answer: &'a UserinfoResponse,
}

impl<'a> ClaimsRequest<'a> {
    /// The requested claims, each split into the claim and its language tag. Put each value the
    /// user has under [`RequestedClaim::key`], the name as the client asked for it.
    pub fn requested(&self) -> impl Iterator<Item = RequestedClaim<'a>> + 'a {
        self.claims.iter().filter_map(|claim| {
            let (key, name, language) = match claim.split_once('#') {
                // `name#` has no tag: the value goes under the plain name.
                Some((name, "")) => (name, name, None),
                Some((name, tag)) => (claim.as_str(), name, Some(tag)),
                None => (claim.as_str(), claim.as_str(), None),
            };
            (!name.is_empty()).then_some(RequestedClaim { key, name, language })
        })
    }
}

impl fmt::Debug for ClaimsRequest<'_> {
    /// Without Authlete's answer: it holds the access token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimsRequest")
            .field("subject", &self.subject)
            .field("claims", &self.claims)
            .field("scopes", &self.scopes)
            .field("client_id", &self.client_id)
            .field("requested_claims_for_tx", &self.requested_claims_for_tx)
            .field("requested_verified_claims_for_tx", &self.requested_verified_claims_for_tx)
            .field("user_info_claims", &self.user_info_claims)
            .finish_non_exhaustive()
    }
}

/// One claim a client asked for ([`ClaimsRequest::requested`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RequestedClaim<'a> {
    /// The name as the client asked for it (`family_name#ja-Kana-JP`; a trailing `#` dropped):
    /// the key of the value.
    pub key: &'a str,
    /// The claim (`family_name`).
    pub name: &'a str,
    /// The language tag (`ja-Kana-JP`), if the client asked for one.
    pub language: Option<&'a str>,
}

/// The user's claims, as the server gives them to `/auth/userinfo/issue`.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ClaimValues {
    /// The values of the requested claims the user has, by name (with the language tag where
    /// the client asked for one). Claims the user lacks are left out (OIDC Core §5.3.2).
    pub claims: Map<String, Value>,
    /// The `sub` to answer with instead of the token's subject: a pairwise identifier (OIDC Core
    /// §8.1) for this client.
    pub sub: Option<String>,
    /// The values of [`ClaimsRequest::requested_claims_for_tx`].
    pub claims_for_tx: Map<String, Value>,
    /// The values of [`ClaimsRequest::requested_verified_claims_for_tx`], one object per list.
    pub verified_claims_for_tx: Vec<Map<String, Value>>,
}

impl ClaimValues {
    /// These claims, with the token's subject as `sub` and nothing for transformed claims.
    pub fn new(claims: Map<String, Value>) -> Self {
        ClaimValues { claims, ..ClaimValues::default() }
    }

    /// The same claims, answered with `sub` as the subject (a pairwise identifier).
    pub fn pairwise_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// The same claims, with the values transformed claims are computed from.
    pub fn claims_for_tx(mut self, claims: Map<String, Value>) -> Self {
        self.claims_for_tx = claims;
        self
    }

    /// The same claims, with the values of the verified claims transformed claims are computed
    /// from.
    pub fn verified_claims_for_tx(mut self, claims: Vec<Map<String, Value>>) -> Self {
        self.verified_claims_for_tx = claims;
        self
    }
}

/// What the server answers about the user of an access token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClaimsDecision {
    /// The user's claims: `/auth/userinfo/issue` makes the response from them.
    Claims(ClaimValues),
    /// The subject is no longer a user of the server: `401` with a `Bearer` challenge
    /// `error="invalid_token"`.
    NoSuchUser,
    /// The server could not look the user up (its store is down): `500` with a `Bearer`
    /// challenge `error="server_error"`. The server logs the cause itself.
    Unavailable,
}

impl ClaimsDecision {
    /// The user's claims, with the token's subject as `sub`.
    pub fn claims(claims: Map<String, Value>) -> Self {
        ClaimsDecision::Claims(ClaimValues::new(claims))
    }
}

/// The UserInfo endpoint's question to the server: the claims of a user.
pub trait UserClaims: Send + Sync + 'static {
    /// The values of the claims `request` names, for `request.subject`. One call per request
    /// (the claims for transformed claims included), so one lookup in the user store.
    fn claims(&self, request: ClaimsRequest<'_>) -> impl Future<Output = ClaimsDecision> + Send;
}

/// A [`UserClaims`] that knows no claims: every valid token is answered with `sub` alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoClaims;

impl UserClaims for NoClaims {
    async fn claims(&self, _: ClaimsRequest<'_>) -> ClaimsDecision {
        ClaimsDecision::Claims(ClaimValues::default())
    }
}

/// The UserInfo endpoint: made by [`AuthorizationServer::userinfo_endpoint`].
///
/// It takes `GET` and `POST` (OIDC Core §5.3.1), with the access token in the `Authorization`
/// header (`Bearer` or `DPoP`, any case) or, on `POST`, in an `access_token` form field;
/// [`UserInfoEndpoint::token_in_query`] allows the query too.
#[derive(Debug, Clone)]
pub struct UserInfoEndpoint<C> {
    server: AuthorizationServer,
    users: C,
    token_in_query: bool,
}

impl AuthorizationServer {
    /// The UserInfo endpoint, asking `users` for the claims of a user.
    pub fn userinfo_endpoint<C: UserClaims>(&self, users: C) -> UserInfoEndpoint<C> {
        UserInfoEndpoint { server: self.clone(), users, token_in_query: false }
    }
}

impl<C> UserInfoEndpoint<C> {
    /// Whether an `access_token` in the query is read (off by default). RFC 6750 §2.3 allows it
    /// only where no other way works: URLs end up in logs and `Referer` headers.
    pub fn token_in_query(mut self, allow: bool) -> Self {
        self.token_in_query = allow;
        self
    }
}

impl<C: UserClaims> Handler for UserInfoEndpoint<C> {
    /// Handles a UserInfo request (`GET` or `POST`).
    async fn handle(&self, request: Request) -> Response<String> {
        if request.method() != Method::GET && request.method() != Method::POST {
            return response::method_not_allowed(ALLOW);
        }
        let config = self.server.config();
        if let Err(response) = request.check_size(config) {
            return response;
        }
        let token = match request.access_token(self.token_in_query) {
            Ok(Some(token)) => token,
            Ok(None) => return response::token_missing(REALM),
            Err(error) => return response::token_malformed(error.0),
        };
        let userinfo_request = UserinfoRequest {
            client_certificate: request.certificate(config),
            dpop: request.dpop(),
            htm: Some(request.htm()),
            htu: Some(request.htu(config)),
            ..UserinfoRequest::new(token.token.clone())
        };
        let service = self.server.service();
        let answer = match self.server.call(Endpoint::UserInfo, service.auth_userinfo(&userinfo_request)).await {
            Ok(answer) => answer,
            Err(response) => return response,
        };
        let response = self.respond(&answer, token).await;
        // Authlete's nonce applies to the client's next proof, whatever this answer is.
        with_nonce(response, answer.dpop_nonce.as_deref())
    }
}

impl<C: UserClaims> UserInfoEndpoint<C> {
    async fn respond(&self, answer: &UserinfoResponse, token: AccessToken) -> Response<String> {
        // On errors Authlete's `responseContent` is the `WWW-Authenticate` value, and the
        // response has no body (OIDC Core §5.3.3, RFC 6750 §3).
        let content = answer.response_content.as_deref();
        let Some(action) = answer.action.as_ref() else {
            return response::unexpected_answer(Endpoint::UserInfo, "no action");
        };
        match action {
            IntrospectionResponseAction::Ok => {}
            IntrospectionResponseAction::BadRequest => return challenge(StatusCode::BAD_REQUEST, content),
            IntrospectionResponseAction::Unauthorized => return challenge(StatusCode::UNAUTHORIZED, content),
            IntrospectionResponseAction::Forbidden => return challenge(StatusCode::FORBIDDEN, content),
            IntrospectionResponseAction::InternalServerError => {
                return challenge(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            IntrospectionResponseAction::Unrecognized(action) => {
                return response::unexpected_answer(Endpoint::UserInfo, &format!("action {action}"))
            }
        }
        let Some(subject) = answer.subject.as_deref() else {
            return response::unexpected_answer(Endpoint::UserInfo, "no subject");
        };
        let request = ClaimsRequest {
            subject,
            claims: answer.claims.as_deref().unwrap_or_default(),
            scopes: answer.scopes.as_deref().unwrap_or_default(),
            client_id: answer.client_id,
            requested_claims_for_tx: answer.requested_claims_for_tx.as_deref().unwrap_or_default(),
            requested_verified_claims_for_tx: answer.requested_verified_claims_for_tx.as_deref().unwrap_or_default(),
            user_info_claims: answer.user_info_claims.as_deref(),
            answer,
        };
        match self.users.claims(request).await {
            ClaimsDecision::Claims(values) => self.issue(token, values).await,
            // RFC 6750 §3.1: a token that no longer stands for anyone is `invalid_token`, 401.
            // (Authlete's docs show a 400 here; the RFC's status is the one clients act on.)
            ClaimsDecision::NoSuchUser => challenge(
                StatusCode::UNAUTHORIZED,
                Some(
                    "Bearer error=\"invalid_token\", error_description=\"the user of the access token does not exist\"",
                ),
            ),
            ClaimsDecision::Unavailable => challenge(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some("Bearer error=\"server_error\", error_description=\"the user's claims could not be read\""),
            ),
        }
    }

    /// `/auth/userinfo/issue` with the user's claims: the UserInfo response, as JSON or a JWT.
    async fn issue(&self, token: AccessToken, values: ClaimValues) -> Response<String> {
        let object = |map: Map<String, Value>| (!map.is_empty()).then(|| Value::Object(map).to_string());
        let verified = values.verified_claims_for_tx;
        let request = UserinfoIssueRequest {
            claims: object(values.claims),
            sub: values.sub,
            claims_for_tx: object(values.claims_for_tx),
            verified_claims_for_tx: (!verified.is_empty())
                .then(|| verified.into_iter().map(|claims| Value::Object(claims).to_string()).collect()),
            ..UserinfoIssueRequest::new(token.token)
        };
        let service = self.server.service();
        let issued = match self.server.call(Endpoint::UserInfo, service.auth_userinfo_issue(&request)).await {
            Ok(issued) => issued,
            Err(response) => return response,
        };
        let content = issued.response_content.as_deref();
        let Some(action) = issued.action.as_ref() else {
            return response::unexpected_answer(Endpoint::UserInfo, "no issue action");
        };
        match action {
            UserinfoIssueResponseAction::Json => signed(
                with_body(StatusCode::OK, "application/json;charset=UTF-8", content.unwrap_or_default()),
                &issued,
            ),
            UserinfoIssueResponseAction::Jwt => {
                signed(with_body(StatusCode::OK, "application/jwt", content.unwrap_or_default()), &issued)
            }
            UserinfoIssueResponseAction::BadRequest => challenge(StatusCode::BAD_REQUEST, content),
            UserinfoIssueResponseAction::Unauthorized => challenge(StatusCode::UNAUTHORIZED, content),
            UserinfoIssueResponseAction::Forbidden => challenge(StatusCode::FORBIDDEN, content),
            UserinfoIssueResponseAction::InternalServerError => challenge(StatusCode::INTERNAL_SERVER_ERROR, content),
            UserinfoIssueResponseAction::Unrecognized(action) => {
                response::unexpected_answer(Endpoint::UserInfo, &format!("issue action {action}"))
            }
        }
    }
}

/// `response` with the HTTP message signature Authlete made of it (RFC 9421, FAPI 2.0 Message
/// Signing), when it made one.
fn signed(response: Response<String>, issued: &UserinfoIssueResponse) -> Response<String> {
    let headers = [
        ("signature", issued.signature.as_deref()),
        ("signature-input", issued.signature_input.as_deref()),
        ("content-digest", issued.content_digest.as_deref()),
    ];
    headers.into_iter().fold(response, |response, (name, value)| match value {
        Some(value) => with_header(response, http::HeaderName::from_static(name), value),
        None => response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_claims_split_at_the_first_hash_and_skip_nameless_ones() {
        let answer = UserinfoResponse {
            claims: Some(["name", "family_name#ja-Kana-JP", "nickname#", "#de", "x#a#b"].map(String::from).to_vec()),
            token: Some("at-secret-8c1f".into()),
            ..UserinfoResponse::default()
        };
        let request = ClaimsRequest {
            subject: "alice",
            claims: answer.claims.as_deref().unwrap_or_default(),
            scopes: &[],
            client_id: Some(7),
            requested_claims_for_tx: &[],
            requested_verified_claims_for_tx: &[],
            user_info_claims: None,
            answer: &answer,
        };
        let split: Vec<_> = request.requested().map(|claim| (claim.key, claim.name, claim.language)).collect();
        assert_eq!(
            split,
            [
                ("name", "name", None),
                ("family_name#ja-Kana-JP", "family_name", Some("ja-Kana-JP")),
                ("nickname", "nickname", None),
                ("x#a#b", "x", Some("a#b")),
            ]
        );
        // Authlete's answer, which holds the access token, is left out of the debug output.
        let debug = format!("{request:?}");
        assert!(!debug.contains("at-secret-8c1f"), "{debug}");
        assert!(debug.starts_with("ClaimsRequest { subject: \"alice\""), "{debug}");
    }
}
