//! An authorization server and a protected resource on the `authlete` crate's server toolkit
//! (features `server` and `axum`): every endpoint is the toolkit's; this file holds only what a
//! server decides itself — its users — and its configuration. Hand-written (this folder is not
//! generated).
//!
//! ```sh
//! AUTHLETE_BASE_URL=https://us.authlete.com AUTHLETE_SERVICE_ID=715948317 \
//! AUTHLETE_SERVICE_TOKEN=… cargo run -p authlete --features axum --example authorization_server
//! ```
//!
//! Optional: `LISTEN` (default `127.0.0.1:8080`); `PUBLIC_URL`, the URL clients use to reach this
//! server (default `http://` and `LISTEN`), which DPoP proofs are checked against;
//! `CLIENT_CERT_HEADER`, the header in which a TLS-terminating proxy passes the client
//! certificate for mutual-TLS client authentication and certificate-bound tokens; `DEMO_USER`
//! and `DEMO_PASSWORD`, the one resource owner the demo knows (password grant, UserInfo);
//! `RESOURCE_SERVER_ID` and `RESOURCE_SERVER_SECRET`, the one resource server allowed to call the
//! introspection endpoint (none without them).
//!
//! The endpoints, at the toolkit's conventional paths (see `docs/authorization-server.md`):
//! `POST /token`, `POST /par`, `POST /revoke`, `POST /introspect`, `GET|POST /userinfo`,
//! `GET /.well-known/openid-configuration`, `GET /.well-known/oauth-authorization-server`,
//! `GET /jwks`, `POST /register` and `GET|PUT|DELETE /register/{client_id}`,
//! `GET|DELETE /grants/{grant_id}`, and `GET /resource`, a protected resource whose access token
//! the toolkit validates.
//!
//! The end-to-end test (`codegen/tests/authorization_server.rs`) runs this router against the
//! toolkit's fake Authlete.

use authlete::models::{TokenFailRequestReason, TokenResponse};
use authlete::server::axum::{require_token, Routes};
use authlete::server::{
    AuthorizationServer, ClaimsDecision, ClaimsRequest, Config, GrantDecision, GrantHandler, ResourceServer,
    StaticCallers, UserClaims, ValidatedToken,
};
use axum::routing::get;
use axum::Router;

/// The demo's one resource owner, from the environment. A real server asks its user store here.
#[derive(Clone, Default)]
pub struct DemoUsers {
    pub user: Option<(String, String)>,
}

impl GrantHandler for DemoUsers {
    async fn password(&self, username: &str, password: &str, _: &TokenResponse) -> GrantDecision {
        match &self.user {
            Some((user, secret)) if user == username && secret == password => GrantDecision::issue(user.clone()),
            _ => GrantDecision::Fail(TokenFailRequestReason::InvalidResourceOwnerCredentials),
        }
    }
}

impl UserClaims for DemoUsers {
    async fn claims(&self, request: ClaimsRequest<'_>) -> ClaimsDecision {
        let mut claims = serde_json::Map::new();
        if let Some((user, _)) = self.user.as_ref().filter(|(user, _)| user == request.subject) {
            claims.insert("name".into(), user.clone().into());
            claims.insert("preferred_username".into(), user.clone().into());
        }
        ClaimsDecision::claims(claims)
    }
}

/// Every endpoint of the server, and the protected resource; `callers` may introspect.
pub fn app(server: AuthorizationServer, users: DemoUsers, callers: StaticCallers) -> Router {
    let resource =
        Router::new().route("/resource", get(resource)).route_layer(require_token(server.access_token_validator()));
    Routes::new(server)
        .token(users.clone())
        .par()
        .revocation()
        .introspection(callers)
        .userinfo(users)
        .discovery()
        .jwks()
        .registration()
        .grant_management()
        .build()
        .merge(resource)
}

/// The protected resource: who the token is for, and what it allows.
async fn resource(token: ValidatedToken) -> ([(&'static str, &'static str); 1], String) {
    let body = serde_json::json!({ "subject": token.subject, "scopes": token.scopes });
    ([("content-type", "application/json")], body.to_string())
}

/// The settings of the environment, or the names of every one that is missing, in plain words.
pub fn settings() -> Result<(String, String, String), String> {
    let names = ["AUTHLETE_BASE_URL", "AUTHLETE_SERVICE_ID", "AUTHLETE_SERVICE_TOKEN"];
    let values: Vec<Option<String>> =
        names.iter().map(|name| std::env::var(name).ok().filter(|v| !v.is_empty())).collect();
    let missing: Vec<&str> = names.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        return Err(format!("set the environment variables {} (see the top of this example)", missing.join(", ")));
    }
    let mut values = values.into_iter().flatten();
    Ok((values.next().unwrap_or_default(), values.next().unwrap_or_default(), values.next().unwrap_or_default()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base_url, service_id, token) = settings()?;
    let client = authlete::Client::builder().base_url(base_url).bearer_token(token).build()?;
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let public_url = std::env::var("PUBLIC_URL").unwrap_or_else(|_| format!("http://{listen}"));
    let mut config = Config::new(public_url)?;
    if let Ok(header) = std::env::var("CLIENT_CERT_HEADER") {
        config = config.client_certificate_header(&header)?;
    }
    let user = std::env::var("DEMO_USER").ok().zip(std::env::var("DEMO_PASSWORD").ok());
    let callers = match (std::env::var("RESOURCE_SERVER_ID"), std::env::var("RESOURCE_SERVER_SECRET")) {
        (Ok(id), Ok(secret)) => StaticCallers::new().client(id, secret, ResourceServer::new()),
        _ => StaticCallers::new(),
    };
    let server = AuthorizationServer::new(client.service(service_id), config);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("authorization server on http://{listen} (token endpoint: POST /token)");
    axum::serve(listener, app(server, DemoUsers { user }, callers)).await?;
    Ok(())
}
