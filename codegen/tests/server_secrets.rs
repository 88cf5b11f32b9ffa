//! No secret reaches the logs: every endpoint of the toolkit and the resource-server validator,
//! given requests full of secrets (client secrets in both places, access and refresh tokens,
//! DPoP proofs, registration access tokens, users' passwords, session cookies, CIBA user codes and
//! ID token hints, the service's own Authlete token), with Authlete
//! answering, failing and answering what the crate does not know — and everything they log,
//! captured by a subscriber that records every field of every span and event, holds none of
//! them. Nor does any answer a client gets, beyond what Authlete itself wrote for it.
//!
//! One test in its own binary: the subscriber is the process's global one, so it sees the
//! spawned server tasks on every thread.

mod server_support;

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, OnceLock};

use authlete::models::{IntrospectionResponse, IntrospectionResponseAction};
use authlete::server::{
    AuthorizationServer, BackchannelRequest, BackchannelUsers, Config, DefaultPages, Handler, Identification, NoClaims,
    NoGrants, PendingBackchannel, Request, ResourceServer, StaticCallers, User, Users,
};
use authlete::testing::{ops, FakeAuthlete, Reply};
use server_support::{basic, serve, Answer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every secret a request of the test carries.
const SECRETS: &[&str] = &[
    "client-secret-basic-7f3a",
    "client-secret-post-91bd",
    "access-token-5c2e",
    "refresh-token-d41f",
    "dpop-proof-8e07",
    "registration-token-b6a9",
    "caller-secret-2d8c",
    "code-verifier-0a5b",
    "user-password-4e1c",
    "session-cookie-9b7d",
    "user-code-3f9d",
    "id-token-hint-6a2e",
    FakeAuthlete::TOKEN,
];

/// The users of the interactive endpoints: anyone with the test's password is `alice`.
struct TestUsers;

impl Users for TestUsers {
    async fn authenticate(&self, _login: &str, password: &str) -> Option<User> {
        (password == "user-password-4e1c").then(|| User::new("alice"))
    }

    async fn claims(&self, _: &str, _: &[String], _: &[String]) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}

impl BackchannelUsers for TestUsers {
    async fn identify(&self, _: &BackchannelRequest<'_>) -> Identification {
        Identification::user("alice")
    }

    async fn notify(&self, _: PendingBackchannel) {}
}

/// Everything logged, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        // The error and every cause, as a subscriber that prints chains would.
        let _ = write!(self.0, " {}={value}", field.name());
        let mut cause = value.source();
        while let Some(inner) = cause {
            let _ = write!(self.0, ": {inner}");
            cause = inner.source();
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut text = self.0.lock().unwrap();
        let _ = write!(text, "\nspan {}:", attributes.metadata().name());
        attributes.record(&mut Text(&mut text));
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Text(&mut self.0.lock().unwrap()));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = self.0.lock().unwrap();
        let _ = write!(text, "\nevent {} {}:", event.metadata().level(), event.metadata().target());
        event.record(&mut Text(&mut text));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing::subscriber::set_global_default(capture.clone()).expect("the only subscriber");
        capture
    })
}

/// One request to an endpoint: method, path, headers, body.
struct Case {
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn case(method: &'static str, path: &'static str, headers: &[(&'static str, &str)], body: &str) -> Case {
    Case {
        method,
        path,
        headers: headers.iter().map(|(name, value)| (*name, (*value).to_owned())).collect(),
        body: body.to_owned(),
    }
}

/// Every request of the test, to every endpoint, each with its secrets.
fn cases() -> Vec<Case> {
    let basic = basic("client-1", "client-secret-basic-7f3a");
    let caller = basic_header("rs-1", "caller-secret-2d8c");
    let form = "application/x-www-form-urlencoded";
    let post = "grant_type=refresh_token&refresh_token=refresh-token-d41f&client_id=client-1\
                &client_secret=client-secret-post-91bd&code_verifier=code-verifier-0a5b";
    vec![
        case("POST", "/token", &[("authorization", &basic), ("dpop", "dpop-proof-8e07"), ("content-type", form)], post),
        case("POST", "/token", &[("content-type", form)], post),
        case("POST", "/par", &[("authorization", &basic), ("content-type", form)], "response_type=code&client_id=c"),
        case("POST", "/revoke", &[("authorization", &basic), ("content-type", form)], "token=access-token-5c2e"),
        case("POST", "/introspect", &[("authorization", &caller), ("content-type", form)], "token=access-token-5c2e"),
        case("GET", "/userinfo", &[("authorization", "Bearer access-token-5c2e"), ("dpop", "dpop-proof-8e07")], ""),
        case("POST", "/userinfo", &[("content-type", form)], "access_token=access-token-5c2e"),
        case(
            "POST",
            "/register",
            &[("authorization", "Bearer registration-token-b6a9"), ("content-type", "application/json")],
            r#"{"redirect_uris":["https://client.example/cb"],"client_secret":"client-secret-post-91bd"}"#,
        ),
        case("GET", "/register/client-1", &[("authorization", "Bearer registration-token-b6a9")], ""),
        case("DELETE", "/register/client-1", &[("authorization", "Bearer registration-token-b6a9")], ""),
        case("GET", "/grants/g-1", &[("authorization", "DPoP access-token-5c2e"), ("dpop", "dpop-proof-8e07")], ""),
        case("GET", "/resource", &[("authorization", "bearer access-token-5c2e")], ""),
        case(
            "POST",
            "/device_authorization",
            &[("authorization", &basic), ("content-type", form)],
            "client_id=client-1&client_secret=client-secret-post-91bd&scope=openid",
        ),
        case(
            "POST",
            "/backchannel",
            &[("authorization", &basic), ("content-type", form)],
            "scope=openid&id_token_hint=id-token-hint-6a2e&user_code=user-code-3f9d",
        ),
        case("GET", "/authorize?response_type=code&client_id=client-1&code_challenge=x", &[], ""),
        case("POST", "/authorize", &[("content-type", form)], "response_type=code&client_id=client-1"),
        // A decision with a password and a session cookie the server does not know: refused.
        case(
            "POST",
            "/decision",
            &[("cookie", "authlete-session=session-cookie-9b7d"), ("content-type", form)],
            "interaction=x&decision=approve&login=alice&password=user-password-4e1c",
        ),
        case(
            "POST",
            "/device",
            &[("cookie", "authlete-session=session-cookie-9b7d"), ("content-type", form)],
            "form_token=x&user_code=user-code-3f9d&login=alice&password=user-password-4e1c",
        ),
        // Public documents, asked with a token all the same.
        case("GET", "/.well-known/openid-configuration", &[("authorization", "Bearer access-token-5c2e")], ""),
        case("GET", "/jwks", &[("authorization", "Bearer access-token-5c2e")], ""),
        // Malformed credentials, which the toolkit refuses itself.
        case("POST", "/token", &[("authorization", "Basic client-secret-basic-7f3a"), ("content-type", form)], post),
        case("GET", "/resource", &[("authorization", "Bearer access-token-5c2e extra")], ""),
    ]
}

fn basic_header(id: &str, secret: &str) -> String {
    basic(id, secret)
}

/// The resource-server validator as an endpoint, for the test's table.
struct Resource(authlete::server::AccessTokenValidator);

impl Handler for Resource {
    async fn handle(&self, request: Request) -> axum::http::Response<String> {
        match self.0.validate(&request).await {
            Ok(token) => axum::http::Response::new(format!("{:?}", token)),
            Err(refusal) => refusal,
        }
    }
}

/// Serves every endpoint of `server` on one URL each; the base URLs by path prefix.
async fn endpoints(server: &AuthorizationServer) -> Vec<(&'static str, String)> {
    let callers = StaticCallers::new().client("rs-1", "caller-secret-2d8c", ResourceServer::new());
    let (authorize, decide) = server.authorization_flow(TestUsers, DefaultPages::new()).endpoints();
    vec![
        ("/token", serve(server.token_endpoint(NoGrants)).await),
        ("/par", serve(server.par_endpoint()).await),
        ("/revoke", serve(server.revocation_endpoint()).await),
        ("/introspect", serve(server.introspection_endpoint(callers)).await),
        ("/userinfo", serve(server.userinfo_endpoint(NoClaims)).await),
        ("/register", serve(server.registration_endpoint()).await),
        ("/grants", serve(server.grant_management_endpoint()).await),
        ("/resource", serve(Resource(server.access_token_validator())).await),
        ("/.well-known", serve(server.discovery_endpoint()).await),
        ("/jwks", serve(server.jwks_endpoint()).await),
        ("/device_authorization", serve(server.device_authorization_endpoint()).await),
        ("/backchannel", serve(server.backchannel_endpoint(TestUsers)).await),
        ("/authorize", serve(authorize).await),
        ("/decision", serve(decide).await),
        ("/device", serve(server.device_verification_endpoint(TestUsers, DefaultPages::new())).await),
    ]
}

async fn send(endpoints: &[(&'static str, String)], case: &Case) -> Answer {
    let base = &endpoints.iter().find(|(prefix, _)| case.path.starts_with(prefix)).expect("an endpoint").1;
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
    let mut request = reqwest::Client::new().request(method, format!("{base}{}", case.path)).body(case.body.clone());
    for (name, value) in &case.headers {
        request = request.header(*name, value);
    }
    Answer::from(request.send().await.expect("the server answers")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_endpoint_logs_a_secret_whatever_authlete_answers() {
    let capture = capture();
    let fake = FakeAuthlete::start().await;
    let server = AuthorizationServer::new(fake.service(), Config::new("https://as.example.com").unwrap());
    let endpoints = endpoints(&server).await;
    let failures = [
        // Authlete's own error answer, a proxy's page, a broken connection, an unknown action.
        Reply::api_error(500, "A000500", "internal error"),
        Reply::text(502, "text/html", "<h1>Bad Gateway</h1>"),
        Reply::disconnect(),
        Reply::json(200, serde_json::json!({"action": "SOMETHING_NEW", "responseContent": "{}"})),
    ];
    for failure in failures {
        fake.reply_always(ops::AUTH_TOKEN, failure.clone())
            .reply_always(ops::PUSHED_AUTH_REQ, failure.clone())
            .reply_always(ops::AUTH_REVOCATION, failure.clone())
            .reply_always(ops::AUTH_INTROSPECTION_STANDARD, failure.clone())
            .reply_always(ops::AUTH_USERINFO, failure.clone())
            .reply_always(ops::CLIENT_REGISTRATION, failure.clone())
            .reply_always(ops::CLIENT_REGISTRATION_GET, failure.clone())
            .reply_always(ops::CLIENT_REGISTRATION_DELETE, failure.clone())
            .reply_always(ops::GRANT_M, failure.clone())
            .reply_always(ops::AUTH_INTROSPECTION, failure.clone())
            .reply_always(ops::SERVICE_CONFIGURATION, failure.clone())
            .reply_always(ops::SERVICE_JWKS_GET, failure.clone())
            .reply_always(ops::DEVICE_AUTHORIZATION, failure.clone())
            .reply_always(ops::BACKCHANNEL_AUTHENTICATION, failure.clone())
            .reply_always(ops::AUTH_AUTHORIZATION, failure.clone());
        for case in cases() {
            let answer = send(&endpoints, &case).await;
            for secret in SECRETS {
                assert!(
                    !answer.body.contains(secret),
                    "{} {}: the answer holds `{secret}`: {answer:?}",
                    case.method,
                    case.path
                );
                for value in answer.headers.values() {
                    assert!(
                        !value.to_str().unwrap_or_default().contains(secret),
                        "{} {}: {answer:?}",
                        case.method,
                        case.path
                    );
                }
            }
        }
    }
    // Authlete answering well, for the paths that log on success.
    fake.reply(
        ops::AUTH_INTROSPECTION,
        &IntrospectionResponse {
            action: Some(IntrospectionResponseAction::Ok),
            subject: Some("alice".into()),
            ..Default::default()
        },
    );
    for case in cases() {
        send(&endpoints, &case).await;
    }

    let logged = capture.0.lock().unwrap().clone();
    // The log is not empty: the failures above were logged, each naming its endpoint.
    for endpoint in [
        "token",
        "par",
        "revocation",
        "introspection",
        "userinfo",
        "registration",
        "grant_management",
        "resource",
        "discovery",
        "jwks",
        "device_authorization",
        "backchannel",
        "authorization",
    ] {
        assert!(
            logged.contains(&format!("endpoint=\"{endpoint}\"")) || logged.contains(&format!("endpoint={endpoint}")),
            "nothing logged for {endpoint}:\n{logged}"
        );
    }
    for secret in SECRETS {
        assert!(!logged.contains(secret), "`{secret}` was logged:\n{logged}");
    }
}
