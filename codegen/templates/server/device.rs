//! The device authorization endpoint (RFC 8628 §3.1): `/device/authorization`.

use http::{header, Response, StatusCode};

use super::config::Endpoint;
use super::request::Request;
use super::response::{self, json};
use super::{AuthorizationServer, Handler};
use crate::models::{DeviceAuthorizationRequest, DeviceAuthorizationResponse, DeviceAuthorizationResponseAction};

/// The realm of the `Basic` challenge the endpoint sends when it refuses a client.
const REALM: &str = "device_authorization";

/// The device authorization endpoint (RFC 8628 §3.1): made by
/// [`AuthorizationServer::device_authorization_endpoint`].
///
/// A device without a browser, or with no easy way to type, posts its `client_id` and `scope` (a
/// form, authenticated like a token request when the client is confidential) and gets a device
/// code to poll the token endpoint with, and a user code with the URL where the user enters it:
///
/// | Authlete's `action` | Response |
/// | --- | --- |
/// | `OK` | `200`, Authlete's JSON (`device_code`, `user_code`, `verification_uri`, `verification_uri_complete`, `expires_in`, `interval`) |
/// | `BAD_REQUEST` | `400`, Authlete's JSON error |
/// | `UNAUTHORIZED` | `401`, Authlete's JSON error; with `WWW-Authenticate: Basic realm="device_authorization"` when the client sent `Authorization: Basic` (RFC 6749 §5.2) |
/// | `INTERNAL_SERVER_ERROR` | `500`, Authlete's JSON error |
///
/// The verification URL is the service's `deviceVerificationUri` in Authlete: the page where the
/// user enters the code is the server's own.
#[derive(Debug, Clone)]
pub struct DeviceAuthorizationEndpoint {
    server: AuthorizationServer,
}

impl AuthorizationServer {
    /// The device authorization endpoint (RFC 8628 §3.1).
    pub fn device_authorization_endpoint(&self) -> DeviceAuthorizationEndpoint {
        DeviceAuthorizationEndpoint { server: self.clone() }
    }
}

impl Handler for DeviceAuthorizationEndpoint {
    /// Handles a device authorization request (`POST`, a form body).
    async fn handle(&self, request: Request) -> Response<String> {
        let config = self.server.config();
        let (parameters, credentials) = match request.client_form(config, REALM) {
            Ok(checked) => checked,
            Err(response) => return response,
        };
        let used_basic = credentials.is_some();
        let device_request = DeviceAuthorizationRequest {
            client_certificate: request.certificate(config),
            oauth_client_attestation: request.header("oauth-client-attestation").map(str::to_owned),
            oauth_client_attestation_pop: request.header("oauth-client-attestation-pop").map(str::to_owned),
            ..DeviceAuthorizationRequest::new(parameters)
        };
        let service = self.server.service();
        let mut device_request = device_request;
        let call = |client: Option<(String, String)>| {
            (device_request.client_id, device_request.client_secret) = client.unzip();
            service.device_authorization(&device_request)
        };
        let refused = |answer: &DeviceAuthorizationResponse| {
            matches!(answer.action, Some(DeviceAuthorizationResponseAction::Unauthorized))
        };
        match self.server.call_as_client(Endpoint::DeviceAuthorization, credentials, call, refused).await {
            Ok(answer) => respond(answer, used_basic),
            Err(response) => response,
        }
    }
}

/// The response for Authlete's answer; `used_basic`: the client authenticated with
/// `Authorization: Basic`.
fn respond(answer: DeviceAuthorizationResponse, used_basic: bool) -> Response<String> {
    let Some(action) = answer.action else {
        return response::unexpected_answer(Endpoint::DeviceAuthorization, "no action");
    };
    let content = answer.response_content;
    match action {
        DeviceAuthorizationResponseAction::Ok => json(StatusCode::OK, content),
        DeviceAuthorizationResponseAction::BadRequest => json(StatusCode::BAD_REQUEST, content),
        DeviceAuthorizationResponseAction::Unauthorized => {
            let refused = json(StatusCode::UNAUTHORIZED, content);
            // RFC 6749 §5.2: a client that tried `Authorization` learns the scheme it must use;
            // one that authenticated otherwise (a form, a JWT, a certificate) gets no challenge.
            if used_basic {
                response::with_header(refused, header::WWW_AUTHENTICATE, &format!("Basic realm=\"{REALM}\""))
            } else {
                refused
            }
        }
        DeviceAuthorizationResponseAction::InternalServerError => json(StatusCode::INTERNAL_SERVER_ERROR, content),
        DeviceAuthorizationResponseAction::Unrecognized(action) => {
            response::unexpected_answer(Endpoint::DeviceAuthorization, &format!("action {action}"))
        }
    }
}
