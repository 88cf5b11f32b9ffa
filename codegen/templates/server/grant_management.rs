//! The grant management endpoint (FAPI Grant Management for OAuth 2.0 §6): `GET` queries a grant,
//! `DELETE` revokes it, both through `/gm`.

use http::{Method, Response, StatusCode};

use super::config::Endpoint;
use super::request::Request;
use super::response::{self, challenge, empty, json, with_nonce};
use super::{AuthorizationServer, Handler};
use crate::models::{GMRequest, GMResponse, GMResponseAction, GrantManagementAction};

/// The realm of the `Bearer` challenge sent to a request without an access token.
const REALM: &str = "grant_management";

/// The methods of the endpoint (Grant Management §6.1 and §6.2).
const ALLOW: &str = "GET, DELETE";

/// The grant management endpoint: made by [`AuthorizationServer::grant_management_endpoint`].
///
/// As a [`Handler`] it serves `/grants/{grant_id}`, the grant being the last segment of the
/// path; a server whose router extracts the grant ID itself calls
/// [`GrantManagementEndpoint::manage`]. The client authorizes with an access token of the
/// `grant_management_query` or `grant_management_revoke` scope in the `Authorization` header
/// (`Bearer` or `DPoP`, any case); Authlete checks it, its DPoP proof against the public URL,
/// and its client certificate binding.
#[derive(Debug, Clone)]
pub struct GrantManagementEndpoint {
    server: AuthorizationServer,
}

impl AuthorizationServer {
    /// The grant management endpoint.
    pub fn grant_management_endpoint(&self) -> GrantManagementEndpoint {
        GrantManagementEndpoint { server: self.clone() }
    }
}

impl Handler for GrantManagementEndpoint {
    /// Handles a query (`GET`) or revocation (`DELETE`) of the grant `…/{grant_id}`.
    async fn handle(&self, request: Request) -> Response<String> {
        if request.method() != Method::GET && request.method() != Method::DELETE {
            return response::method_not_allowed(ALLOW);
        }
        match request.last_path_segment() {
            Some(grant_id) => self.manage(request, &grant_id).await,
            // `/grants/`: no grant to manage.
            None => empty(StatusCode::NOT_FOUND),
        }
    }
}

impl GrantManagementEndpoint {
    /// A query (`GET`) or revocation (`DELETE`) of the grant `grant_id`.
    pub async fn manage(&self, request: Request, grant_id: &str) -> Response<String> {
        let action = match *request.method() {
            Method::GET => GrantManagementAction::Query,
            Method::DELETE => GrantManagementAction::Revoke,
            _ => return response::method_not_allowed(ALLOW),
        };
        let config = self.server.config();
        if let Err(response) = request.check_size(config) {
            return response;
        }
        let token = match request.access_token(false) {
            Ok(Some(token)) => token,
            // Authlete would answer `UNAUTHORIZED` too; RFC 6750 §3.1's answer needs no call.
            Ok(None) => return response::token_missing(REALM),
            Err(error) => return response::token_malformed(error.0),
        };
        let gm_request = GMRequest {
            access_token: Some(token.token),
            grant_id: Some(grant_id.to_owned()),
            gm_action: Some(action),
            client_certificate: request.certificate(config),
            dpop: request.dpop(),
            // A DPoP proof is checked against the method and URL: without them Authlete would
            // refuse every DPoP-bound token.
            htm: Some(request.htm()),
            htu: Some(request.htu(config)),
            ..GMRequest::default()
        };
        match self.server.call(Endpoint::GrantManagement, self.server.service().grant_m(&gm_request)).await {
            Ok(answer) => {
                let nonce = answer.dpop_nonce.clone();
                with_nonce(respond(answer), nonce.as_deref())
            }
            Err(response) => response,
        }
    }
}

/// Authlete's answer as the response Grant Management prescribes. On success `responseContent`
/// is the grant's JSON; on errors it is the `WWW-Authenticate` value, and the response has no
/// body (as for any protected resource, RFC 6750 §3).
fn respond(answer: GMResponse) -> Response<String> {
    let Some(action) = answer.action else {
        return response::unexpected_answer(Endpoint::GrantManagement, "no action");
    };
    let content = answer.response_content.as_deref();
    match action {
        GMResponseAction::Ok => json(StatusCode::OK, answer.response_content.clone()),
        GMResponseAction::NoContent => empty(StatusCode::NO_CONTENT),
        GMResponseAction::Unauthorized => challenge(StatusCode::UNAUTHORIZED, content),
        GMResponseAction::Forbidden => challenge(StatusCode::FORBIDDEN, content),
        GMResponseAction::NotFound => challenge(StatusCode::NOT_FOUND, content),
        GMResponseAction::CallerError => {
            // The toolkit's request was wrong: a bug to fix here, nothing the client can mend.
            tracing::error!(endpoint = Endpoint::GrantManagement.name(), "Authlete refused the /gm request");
            challenge(StatusCode::INTERNAL_SERVER_ERROR, content)
        }
        GMResponseAction::AuthleteError => challenge(StatusCode::INTERNAL_SERVER_ERROR, content),
        GMResponseAction::Unrecognized(action) => {
            response::unexpected_answer(Endpoint::GrantManagement, &format!("action {action}"))
        }
    }
}
