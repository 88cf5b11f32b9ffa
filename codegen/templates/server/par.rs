//! The pushed authorization request endpoint (RFC 9126): `/pushed_auth_req`.

use http::{header, Response, StatusCode};

use super::config::Endpoint;
use super::request::Request;
use super::response::{self, json, with_nonce};
use super::{AuthorizationServer, Handler};
use crate::models::{PushedAuthorizationRequest, PushedAuthorizationResponse, PushedAuthorizationResponseAction};

/// The realm of the `Basic` challenge the endpoint sends when it refuses a client.
const REALM: &str = "par";

/// The pushed authorization request endpoint (RFC 9126): made by
/// [`AuthorizationServer::par_endpoint`].
///
/// A client posts the parameters of an authorization request (a form, authenticated like a
/// token request) and gets a `request_uri` to use at the authorization endpoint instead:
///
/// | Authlete's `action` | Response |
/// | --- | --- |
/// | `CREATED` | `201`, Authlete's JSON (`request_uri`, `expires_in`) |
/// | `BAD_REQUEST` | `400`, Authlete's JSON error |
/// | `UNAUTHORIZED` | `401`, Authlete's JSON error; with `WWW-Authenticate: Basic realm="par"` when the client sent `Authorization: Basic` (RFC 6749 §5.2) |
/// | `FORBIDDEN` | `403`, Authlete's JSON error |
/// | `PAYLOAD_TOO_LARGE` | `413`, Authlete's JSON error |
/// | `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
///
/// Every response carries `DPoP-Nonce` when Authlete asks the client to use a new nonce. The DPoP
/// proof is checked against `POST` and the public URL with the request's path (RFC 9449 §4.3),
/// since RFC 9126 leaves no default for Authlete to fall back on.
#[derive(Debug, Clone)]
pub struct ParEndpoint {
    server: AuthorizationServer,
}

impl AuthorizationServer {
    /// The pushed authorization request endpoint (RFC 9126).
    pub fn par_endpoint(&self) -> ParEndpoint {
        ParEndpoint { server: self.clone() }
    }
}

impl Handler for ParEndpoint {
    /// Handles a pushed authorization request (`POST`, a form body).
    async fn handle(&self, request: Request) -> Response<String> {
        let config = self.server.config();
        let (parameters, credentials) = match request.client_form(config, REALM) {
            Ok(checked) => checked,
            Err(response) => return response,
        };
        let used_basic = credentials.is_some();
        let par_request = PushedAuthorizationRequest {
            dpop: request.dpop(),
            htm: Some(request.htm()),
            htu: Some(request.htu(config)),
            client_certificate: request.certificate(config),
            oauth_client_attestation: request.header("oauth-client-attestation").map(str::to_owned),
            oauth_client_attestation_pop: request.header("oauth-client-attestation-pop").map(str::to_owned),
            ..PushedAuthorizationRequest::new(parameters)
        };
        let service = self.server.service();
        let mut par_request = par_request;
        let call = |client: Option<(String, String)>| {
            (par_request.client_id, par_request.client_secret) = client.unzip();
            service.pushed_auth_req(&par_request)
        };
        let refused = |answer: &PushedAuthorizationResponse| {
            matches!(answer.action, Some(PushedAuthorizationResponseAction::Unauthorized))
        };
        let answer = match self.server.call_as_client(Endpoint::PushedAuthorization, credentials, call, refused).await {
            Ok(answer) => answer,
            Err(response) => return response,
        };
        with_nonce(respond(&answer, used_basic), answer.dpop_nonce.as_deref())
    }
}

/// The response for Authlete's answer; `used_basic`: the client authenticated with
/// `Authorization: Basic`.
fn respond(answer: &PushedAuthorizationResponse, used_basic: bool) -> Response<String> {
    let content = || answer.response_content.clone();
    let Some(action) = answer.action.as_ref() else {
        return response::unexpected_answer(Endpoint::PushedAuthorization, "no action");
    };
    match action {
        PushedAuthorizationResponseAction::Created => json(StatusCode::CREATED, content()),
        PushedAuthorizationResponseAction::BadRequest => json(StatusCode::BAD_REQUEST, content()),
        PushedAuthorizationResponseAction::Unauthorized => {
            let refused = json(StatusCode::UNAUTHORIZED, content());
            // RFC 6749 §5.2: a client that tried `Authorization` learns the scheme it must use;
            // one that authenticated otherwise (a form, a JWT, a certificate) gets no challenge.
            if used_basic {
                response::with_header(refused, header::WWW_AUTHENTICATE, &format!("Basic realm=\"{REALM}\""))
            } else {
                refused
            }
        }
        PushedAuthorizationResponseAction::Forbidden => json(StatusCode::FORBIDDEN, content()),
        PushedAuthorizationResponseAction::PayloadTooLarge => json(StatusCode::PAYLOAD_TOO_LARGE, content()),
        PushedAuthorizationResponseAction::InternalServerError => json(StatusCode::INTERNAL_SERVER_ERROR, content()),
        PushedAuthorizationResponseAction::Unrecognized(action) => {
            response::unexpected_answer(Endpoint::PushedAuthorization, &format!("action {action}"))
        }
    }
}
