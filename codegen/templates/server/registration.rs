//! Dynamic client registration (RFC 7591) and its management (RFC 7592): `POST /register`
//! creates a client (`/client/registration`); `GET`, `PUT` and `DELETE` on its client
//! configuration endpoint `/register/{client_id}` read, update and delete it
//! (`/client/registration/get`, `…/update`, `…/delete`).

use http::{Method, Response, StatusCode};

use super::config::Endpoint;
use super::request::{Request, TokenScheme};
use super::response::{self, empty, json, with_header};
use super::{AuthorizationServer, Handler};
use crate::models::{
    ClientRegistrationApiRequest, ClientRegistrationGetApiRequest, ClientRegistrationResponse,
    ClientRegistrationResponseAction, ClientRegistrationUpdateApiRequest,
};

/// The realm of the `Bearer` challenge sent to a management request without a token.
const REALM: &str = "registration";

/// The challenge sent with Authlete's `UNAUTHORIZED`: the token is not (or no longer) valid for
/// the client (RFC 7592 §2, RFC 6750 §3.1).
const INVALID_TOKEN: &str = "Bearer error=\"invalid_token\"";

/// The methods of the client configuration endpoint (RFC 7592 §2).
const MANAGE: &str = "GET, PUT, DELETE";

/// The client registration endpoint and the client configuration endpoint: made by
/// [`AuthorizationServer::registration_endpoint`].
///
/// As a [`Handler`] it serves both, by method: `POST` registers a client, and `GET`, `PUT` and
/// `DELETE` manage the client named by the last segment of the path (`/register/{client_id}`,
/// the `registration_client_uri` Authlete writes from the service's
/// `registrationManagementEndpoint`). A server whose router extracts the client ID itself
/// calls [`RegistrationEndpoint::register`] and [`RegistrationEndpoint::manage`].
///
/// The initial access token of a registration (RFC 7591 §3) and the registration access token
/// of management (RFC 7592 §1) are `Bearer` tokens in the `Authorization` header; Authlete
/// checks them.
#[derive(Debug, Clone)]
pub struct RegistrationEndpoint {
    server: AuthorizationServer,
}

impl AuthorizationServer {
    /// The dynamic client registration and management endpoints.
    pub fn registration_endpoint(&self) -> RegistrationEndpoint {
        RegistrationEndpoint { server: self.clone() }
    }
}

impl Handler for RegistrationEndpoint {
    /// Handles a registration (`POST`) or a management request (`GET`, `PUT`, `DELETE` on
    /// `…/{client_id}`).
    async fn handle(&self, request: Request) -> Response<String> {
        match *request.method() {
            Method::POST => self.register(request).await,
            Method::GET | Method::PUT | Method::DELETE => match request.last_path_segment() {
                Some(client_id) => self.manage(request, &client_id).await,
                // `/register/`: no client to manage.
                None => empty(StatusCode::NOT_FOUND),
            },
            _ => response::method_not_allowed("GET, POST, PUT, DELETE"),
        }
    }
}

impl RegistrationEndpoint {
    /// A registration request (RFC 7591 §3.1): `POST` with the client's metadata as JSON, and
    /// an initial access token if the server requires one.
    pub async fn register(&self, request: Request) -> Response<String> {
        if request.method() != Method::POST {
            return response::method_not_allowed("POST");
        }
        let token = match bearer_token(&request) {
            Ok(token) => token,
            Err(response) => return response,
        };
        let metadata = match request.json_text(self.server.config()) {
            Ok(metadata) => metadata.to_owned(),
            Err(response) => return response,
        };
        let registration = ClientRegistrationApiRequest { token, ..ClientRegistrationApiRequest::new(metadata) };
        let service = self.server.service();
        match self.server.call(Endpoint::Registration, service.client_registration(&registration)).await {
            Ok(answer) => respond(answer),
            Err(response) => response,
        }
    }

    /// A management request for the client `client_id` (RFC 7592 §2): `GET` reads its
    /// metadata, `PUT` replaces it (a JSON body), `DELETE` deletes the client; each with the
    /// registration access token Authlete issued with the client.
    pub async fn manage(&self, request: Request, client_id: &str) -> Response<String> {
        let method = request.method().clone();
        if method != Method::GET && method != Method::PUT && method != Method::DELETE {
            return response::method_not_allowed(MANAGE);
        }
        let token = match bearer_token(&request) {
            Ok(Some(token)) => token,
            // RFC 7592 §2: the token is required; RFC 6750 §3.1: no error code when it is missing.
            Ok(None) => return response::token_missing(REALM),
            Err(response) => return response,
        };
        if let Err(response) = request.check_size(self.server.config()) {
            return response;
        }
        let service = self.server.service();
        let answer = if method == Method::PUT {
            let metadata = match request.json_text(self.server.config()) {
                Ok(metadata) => metadata.to_owned(),
                Err(response) => return response,
            };
            let update = ClientRegistrationUpdateApiRequest::new(metadata, token, client_id);
            self.server.call(Endpoint::Registration, service.client_registration_update(&update)).await
        } else {
            let target = ClientRegistrationGetApiRequest::new(token, client_id);
            if method == Method::GET {
                self.server.call(Endpoint::Registration, service.client_registration_get(&target)).await
            } else {
                self.server.call(Endpoint::Registration, service.client_registration_delete(&target)).await
            }
        };
        match answer {
            Ok(answer) => respond(answer),
            Err(response) => response,
        }
    }
}

/// The `Bearer` token of the `Authorization` header, if there is one; a malformed header, or a
/// token of another scheme, is `400 invalid_request` (RFC 7591 and RFC 7592 use Bearer tokens,
/// which no proof of possession binds).
fn bearer_token(request: &Request) -> Result<Option<String>, Response<String>> {
    match request.access_token(false) {
        Ok(None) => Ok(None),
        Ok(Some(token)) if token.scheme == TokenScheme::Bearer => Ok(Some(token.token)),
        Ok(Some(_)) => Err(response::token_malformed("the registration endpoints take Bearer tokens")),
        Err(error) => Err(response::token_malformed(error.0)),
    }
}

/// Authlete's answer as the response RFC 7591 and RFC 7592 prescribe; `responseContent` is the
/// JSON body (the client's metadata, or an error).
fn respond(answer: ClientRegistrationResponse) -> Response<String> {
    let Some(action) = answer.action else {
        return response::unexpected_answer(Endpoint::Registration, "no action");
    };
    let content = answer.response_content;
    match action {
        ClientRegistrationResponseAction::Created => json(StatusCode::CREATED, content),
        ClientRegistrationResponseAction::Ok | ClientRegistrationResponseAction::Updated => {
            json(StatusCode::OK, content)
        }
        ClientRegistrationResponseAction::Deleted => empty(StatusCode::NO_CONTENT),
        ClientRegistrationResponseAction::BadRequest => json(StatusCode::BAD_REQUEST, content),
        // RFC 7592 §2.1: an invalid registration access token is answered as RFC 6750 says, which
        // is a `Bearer` challenge with `invalid_token`; Authlete writes only the JSON body.
        ClientRegistrationResponseAction::Unauthorized => {
            with_header(json(StatusCode::UNAUTHORIZED, content), http::header::WWW_AUTHENTICATE, INVALID_TOKEN)
        }
        ClientRegistrationResponseAction::InternalServerError => json(StatusCode::INTERNAL_SERVER_ERROR, content),
        ClientRegistrationResponseAction::Unrecognized(action) => {
            response::unexpected_answer(Endpoint::Registration, &format!("action {action}"))
        }
    }
}
