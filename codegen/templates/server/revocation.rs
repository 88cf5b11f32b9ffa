//! The revocation endpoint (RFC 7009): `/auth/revocation`.

use http::{header, Response, StatusCode};

use super::config::Endpoint;
use super::request::Request;
use super::response::{self, json};
use super::{AuthorizationServer, Handler};
use crate::models::{RevocationRequest, RevocationResponse, RevocationResponseAction};

/// The realm of the `Basic` challenge the endpoint sends with `invalid_client`.
const REALM: &str = "revocation";

/// The revocation endpoint (RFC 7009): made by [`AuthorizationServer::revocation_endpoint`].
///
/// A client posts a token (a form, authenticated like a token request) and Authlete revokes it:
///
/// | Authlete's `action` | Response |
/// | --- | --- |
/// | `OK` | `200` with an empty body; or, when the request had a `callback` parameter (JSONP, RFC 7009 §2.3), Authlete's script as `application/javascript` |
/// | `INVALID_CLIENT` | `401`, Authlete's JSON error, `WWW-Authenticate: Basic realm="revocation"` |
/// | `BAD_REQUEST` | `400`, Authlete's JSON error |
/// | `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
///
/// A token that is invalid, expired or already revoked is `200` too (RFC 7009 §2.2): the client
/// learns nothing about tokens that are not its own.
///
/// `OK` without a `callback` has no body (RFC 7009 §2.2: "the content of the response body is
/// ignored by the client"), so it has no `Content-Type` either: an empty body is not JSON.
#[derive(Debug, Clone)]
pub struct RevocationEndpoint {
    server: AuthorizationServer,
}

impl AuthorizationServer {
    /// The revocation endpoint (RFC 7009).
    pub fn revocation_endpoint(&self) -> RevocationEndpoint {
        RevocationEndpoint { server: self.clone() }
    }
}

impl Handler for RevocationEndpoint {
    /// Handles a revocation request (`POST`, a form body).
    async fn handle(&self, request: Request) -> Response<String> {
        let config = self.server.config();
        let (parameters, credentials) = match request.client_form(config, REALM) {
            Ok(checked) => checked,
            Err(response) => return response,
        };
        let revocation = RevocationRequest {
            client_certificate: request.certificate(config),
            oauth_client_attestation: request.header("oauth-client-attestation").map(str::to_owned),
            oauth_client_attestation_pop: request.header("oauth-client-attestation-pop").map(str::to_owned),
            ..RevocationRequest::new(parameters)
        };
        let service = self.server.service();
        let mut revocation = revocation;
        let call = |client: Option<(String, String)>| {
            (revocation.client_id, revocation.client_secret) = client.unzip();
            service.auth_revocation(&revocation)
        };
        let refused =
            |answer: &RevocationResponse| matches!(answer.action, Some(RevocationResponseAction::InvalidClient));
        match self.server.call_as_client(Endpoint::Revocation, credentials, call, refused).await {
            Ok(answer) => respond(answer),
            Err(response) => response,
        }
    }
}

fn respond(answer: RevocationResponse) -> Response<String> {
    let Some(action) = answer.action else {
        return response::unexpected_answer(Endpoint::Revocation, "no action");
    };
    let content = answer.response_content;
    match action {
        RevocationResponseAction::Ok => match content.filter(|script| !script.is_empty()) {
            Some(script) => response::with_body(StatusCode::OK, "application/javascript;charset=UTF-8", script),
            None => response::empty(StatusCode::OK),
        },
        // RFC 6749 §5.2: 401 with the authentication scheme the client can use.
        RevocationResponseAction::InvalidClient => response::with_header(
            json(StatusCode::UNAUTHORIZED, content),
            header::WWW_AUTHENTICATE,
            &format!("Basic realm=\"{REALM}\""),
        ),
        RevocationResponseAction::BadRequest => json(StatusCode::BAD_REQUEST, content),
        RevocationResponseAction::InternalServerError => json(StatusCode::INTERNAL_SERVER_ERROR, content),
        RevocationResponseAction::Unrecognized(action) => {
            response::unexpected_answer(Endpoint::Revocation, &format!("action {action}"))
        }
    }
}
