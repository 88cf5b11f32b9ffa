//! A complete OpenID Provider on the `authlete` crate's server toolkit (features `axum` and
//! `interactive`): every endpoint is the toolkit's, with its default pages; this file holds what
//! a provider decides itself — its users, in memory — and its configuration. Hand-written (this
//! folder is not generated).
//!
//! ```sh
//! AUTHLETE_REGION=us AUTHLETE_SERVICE_ID=715948317 AUTHLETE_SERVICE_TOKEN=… \
//! PUBLIC_URL=http://127.0.0.1:8080 \
//! cargo run -p authlete --features axum,interactive --example openid_provider
//! ```
//!
//! Required: `AUTHLETE_BASE_URL` (or `AUTHLETE_REGION`), `AUTHLETE_SERVICE_ID` and
//! `AUTHLETE_SERVICE_TOKEN`, the Authlete service this provider is the front of. Optional:
//! `LISTEN` (default `127.0.0.1:8080`); `PUBLIC_URL`, the URL browsers and clients use (default
//! `http://` and `LISTEN`; the service's endpoints in Authlete's console must name the same
//! place: the authorization endpoint `{PUBLIC_URL}/authorize`, the token endpoint
//! `{PUBLIC_URL}/token`, the device verification URI `{PUBLIC_URL}/device`, …);
//! `RESOURCE_SERVER_ID` and `RESOURCE_SERVER_SECRET`, the one resource server allowed to call
//! the introspection endpoint.
//!
//! The demo users (passwords in memory, for a demo only — a real provider keeps password hashes
//! in its user store):
//!
//! | login | password | subject | ACR |
//! | --- | --- | --- | --- |
//! | `alice` | `wonderland` | `1001` | `urn:example:mfa` |
//! | `bob` | `builder` | `1002` | none |
//!
//! Pages for a browser: `GET|POST /authorize` and `POST /authorize/decision` (sign-in and
//! consent), `GET|POST /device` (the device flow's code entry and consent), `GET|POST /ciba`
//! (the signed-in user's waiting CIBA requests, to approve or deny: the demo's "authentication
//! device"), `POST /logout`. For clients: `POST /token`, `POST /par`, `POST /revoke`,
//! `POST /introspect`, `GET|POST /userinfo`, `POST /device_authorization`,
//! `POST /backchannel`, `GET /.well-known/openid-configuration`,
//! `GET /.well-known/oauth-authorization-server`, `GET /jwks`, `POST /register`,
//! `GET|PUT|DELETE /register/{client_id}`, `GET|DELETE /grants/{grant_id}`.
//!
//! The end-to-end tests (`codegen/tests/openid_provider.rs`, and the browser tests beside it) run
//! this router against the toolkit's fake Authlete.

use std::sync::Arc;

use authlete::models::{TokenFailRequestReason, TokenResponse};
use authlete::server::axum::Routes;
use authlete::server::{
    AuthorizationServer, BackchannelInbox, BackchannelRequest, BackchannelUsers, ClaimsDecision, ClaimsRequest, Config,
    DefaultPages, GrantDecision, GrantHandler, Identification, PendingBackchannel, ResourceServer, StaticCallers, User,
    UserClaims, Users,
};
use axum::Router;
use serde_json::{json, Map, Value};

/// One demo user.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub login: &'static str,
    pub password: &'static str,
    pub subject: &'static str,
    pub acr: Option<&'static str>,
    /// The user's claims (OIDC Core §5.1).
    pub claims: Value,
}

/// The demo's users, in memory, and the CIBA requests waiting for them. Cheap to clone: every
/// endpoint shares one list and one inbox.
#[derive(Debug, Clone)]
pub struct DemoUsers {
    users: Arc<Vec<DemoUser>>,
    /// CIBA requests, shown on the approval page (`/ciba`): the demo's "authentication device".
    pub inbox: BackchannelInbox,
}

impl DemoUsers {
    /// Alice and Bob (see the table at the top).
    pub fn demo() -> Self {
        let alice = DemoUser {
            login: "alice",
            password: "wonderland",
            subject: "1001",
            acr: Some("urn:example:mfa"),
            claims: json!({
                "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell",
                "email": "alice@example.com", "email_verified": true, "preferred_username": "alice",
                "locale": "en-GB",
            }),
        };
        let bob = DemoUser {
            login: "bob",
            password: "builder",
            subject: "1002",
            acr: None,
            claims: json!({
                "name": "Bob Builder", "given_name": "Bob", "family_name": "Builder",
                "email": "bob@example.com", "email_verified": false, "preferred_username": "bob",
            }),
        };
        DemoUsers { users: Arc::new(vec![alice, bob]), inbox: BackchannelInbox::new() }
    }

    /// The users, for the start-up message.
    pub fn all(&self) -> &[DemoUser] {
        &self.users
    }

    fn by_subject(&self, subject: &str) -> Option<&DemoUser> {
        self.users.iter().find(|user| user.subject == subject)
    }

    /// The user a login name, an email address or a subject names (CIBA's hints).
    pub fn find(&self, hint: &str) -> Option<&DemoUser> {
        self.users
            .iter()
            .find(|user| user.login == hint || user.subject == hint || user.claims["email"].as_str() == Some(hint))
    }

    fn check(&self, login: &str, password: &str) -> Option<&DemoUser> {
        // Every user's password is compared, in full, so the time taken tells nothing.
        let mut found = None;
        for user in self.users.iter() {
            let matches = same_bytes(user.login.as_bytes(), login.as_bytes())
                & same_bytes(user.password.as_bytes(), password.as_bytes());
            if matches {
                found = Some(user);
            }
        }
        found
    }

    /// The values of the `requested` claims (`name`, `name#en`, …) the user has.
    fn values(&self, subject: &str, requested: impl Iterator<Item = (String, String)>) -> Map<String, Value> {
        let Some(user) = self.by_subject(subject) else { return Map::new() };
        requested.filter_map(|(key, name)| user.claims.get(&name).map(|value| (key, value.clone()))).collect()
    }
}

fn same_bytes(expected: &[u8], given: &[u8]) -> bool {
    let mut difference = u8::from(expected.len() != given.len());
    for (i, byte) in expected.iter().enumerate() {
        difference |= byte ^ given.get(i).copied().unwrap_or(0);
    }
    difference == 0
}

impl Users for DemoUsers {
    async fn authenticate(&self, login: &str, password: &str) -> Option<User> {
        let user = self.check(login, password)?;
        let signed_in = User::new(user.subject);
        Some(match user.acr {
            Some(acr) => signed_in.acr(acr),
            None => signed_in,
        })
    }

    async fn claims(&self, subject: &str, claims: &[String], _locales: &[String]) -> Map<String, Value> {
        // The demo keeps one value per claim: `name#ja` gets the plain `name`.
        let requested = claims.iter().map(|claim| {
            let name = claim.split('#').next().unwrap_or(claim);
            (claim.clone(), name.to_owned())
        });
        self.values(subject, requested)
    }
}

impl UserClaims for DemoUsers {
    async fn claims(&self, request: ClaimsRequest<'_>) -> ClaimsDecision {
        let requested = request.requested().map(|claim| (claim.key.to_owned(), claim.name.to_owned()));
        ClaimsDecision::claims(self.values(request.subject, requested))
    }
}

impl BackchannelUsers for DemoUsers {
    async fn identify(&self, request: &BackchannelRequest<'_>) -> Identification {
        // An `id_token_hint` names the user by the `sub` Authlete verified; the other hints by
        // what the client knows (the demo takes a login name, an email address or a subject).
        let hint = request.sub.or(request.hint).unwrap_or_default();
        match self.find(hint) {
            Some(user) => Identification::user(user.subject),
            None => Identification::unknown_user(),
        }
    }

    async fn notify(&self, pending: PendingBackchannel) {
        self.inbox.deliver(pending);
    }
}

impl GrantHandler for DemoUsers {
    async fn password(&self, username: &str, password: &str, _: &TokenResponse) -> GrantDecision {
        match self.check(username, password) {
            Some(user) => GrantDecision::issue(user.subject),
            None => GrantDecision::Fail(TokenFailRequestReason::InvalidResourceOwnerCredentials),
        }
    }
}

/// Every endpoint of the provider; `callers` may introspect.
pub fn app(server: AuthorizationServer, users: DemoUsers, callers: StaticCallers) -> Router {
    let pages = Arc::new(DefaultPages::new());
    Routes::new(server)
        .authorization(users.clone(), Arc::clone(&pages))
        .device_verification(users.clone(), Arc::clone(&pages))
        .backchannel_approval(users.clone(), Arc::clone(&pages), users.inbox.clone())
        .sign_out(Arc::clone(&pages))
        .device_authorization()
        .backchannel(users.clone())
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
}

/// What the provider is started with.
pub struct Settings {
    pub client: authlete::ClientBuilder,
    pub service_id: String,
    pub listen: String,
    pub public_url: String,
    pub callers: StaticCallers,
}

/// The settings from the environment variables `var`, or one message that names every missing
/// or malformed one.
pub fn settings(var: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
    let var = |name: &str| var(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
    let mut missing = Vec::new();
    if var("AUTHLETE_BASE_URL").is_none() && var("AUTHLETE_REGION").is_none() {
        missing.push("AUTHLETE_BASE_URL (or AUTHLETE_REGION), the Authlete server");
    }
    if var("AUTHLETE_SERVICE_ID").is_none() {
        missing.push("AUTHLETE_SERVICE_ID, the service this provider is the front of");
    }
    if var("AUTHLETE_SERVICE_TOKEN").is_none() {
        missing.push("AUTHLETE_SERVICE_TOKEN, the service's access token");
    }
    if !missing.is_empty() {
        return Err(format!(
            "missing settings:\n  {}\n(see the top of examples/openid_provider.rs)",
            missing.join("\n  ")
        ));
    }
    let client = authlete::ClientBuilder::from_env().map_err(|error| error.to_string())?;
    let listen = var("LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let public_url = var("PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
    let callers = match (var("RESOURCE_SERVER_ID"), var("RESOURCE_SERVER_SECRET")) {
        (Some(id), Some(secret)) => StaticCallers::new().client(id, secret, ResourceServer::new()),
        _ => StaticCallers::new(),
    };
    let service_id = var("AUTHLETE_SERVICE_ID").unwrap_or_default();
    Ok(Settings { client, service_id, listen, public_url, callers })
}

/// The start-up message: where the provider is, and who can sign in.
pub fn banner(public_url: &str, users: &DemoUsers) -> String {
    let mut text =
        format!("OpenID Provider on {public_url} (discovery: {public_url}/.well-known/openid-configuration)\n");
    text.push_str("demo users (login / password):\n");
    for user in users.all() {
        text.push_str(&format!("  {} / {} (subject {})\n", user.login, user.password, user.subject));
    }
    text
}

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        // Plain words, not a Debug-quoted string.
        eprintln!("openid_provider: {message}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), String> {
    let settings = settings(|name| std::env::var(name).ok())?;
    let client = settings.client.build().map_err(|error| error.to_string())?;
    let config = Config::new(&settings.public_url).map_err(|error| error.to_string())?;
    let server = AuthorizationServer::new(client.service(settings.service_id), config);
    let users = DemoUsers::demo();
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", settings.listen))?;
    eprint!("{}", banner(&settings.public_url, &users));
    axum::serve(listener, app(server, users, settings.callers)).await.map_err(|error| error.to_string())
}
