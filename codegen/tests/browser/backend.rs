//! The fake Authlete scripted as a small OpenID Provider back end, so that real clients and a
//! real browser can run whole flows through the reference provider: it checks authorization
//! requests (registered client and redirect URI), hands out tickets, mints single-use codes bound
//! to their PKCE challenge and redirect URI, signs ID tokens (RS256, with the test key of
//! `tests/fixtures/oidc/`), and knows which access tokens it issued.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use authlete::models::{
    AuthorizationFailRequest, AuthorizationFailRequestReason, AuthorizationFailResponse,
    AuthorizationFailResponseAction, AuthorizationIssueRequest, AuthorizationIssueResponse, AuthorizationRequest,
    AuthorizationResponse, AuthorizationResponseAction, BackchannelAuthenticationCompleteResponse,
    BackchannelAuthenticationCompleteResponseAction, BackchannelAuthenticationIssueResponse,
    BackchannelAuthenticationIssueResponseAction, BackchannelAuthenticationRequest, BackchannelAuthenticationResponse,
    BackchannelAuthenticationResponseAction, ClientLimitedAuthorization, DeliveryMode, DeviceCompleteResponse,
    DeviceCompleteResponseAction, DeviceVerificationRequest, DeviceVerificationResponse,
    DeviceVerificationResponseAction, IntrospectionResponseAction, Prompt, Scope, TokenRequest, TokenResponse,
    TokenResponseAction, UserinfoIssueRequest, UserinfoIssueResponse, UserinfoIssueResponseAction, UserinfoRequest,
    UserinfoResponse,
};
use authlete::testing::{ops, FakeAuthlete, Reply};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::Digest as _;

/// The relying party registered with the back end.
pub const CLIENT_ID: &str = "demo-rp";
pub const CLIENT_SECRET: &str = "demo-rp-secret";
pub const CLIENT_NAME: &str = "Demo Relying Party";

/// The code a device shows in the device flow.
pub const USER_CODE: &str = "WDJB-MJHT";

const SIGNING_KEY: &[u8] = include_bytes!("../fixtures/oidc/id_token_signing_key.pem");
const JWKS: &str = include_str!("../fixtures/oidc/jwks.json");

/// The back end: the fake, and what it remembers between calls.
pub struct Backend {
    pub fake: FakeAuthlete,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    next: u64,
    /// Authorization requests waiting for issue or fail, by ticket.
    tickets: HashMap<String, Asked>,
    /// Codes not yet redeemed.
    codes: HashMap<String, Granted>,
    /// Access tokens issued, to their grant.
    tokens: HashMap<String, Granted>,
}

/// An authorization request, as the back end checked it.
#[derive(Clone)]
struct Asked {
    redirect_uri: String,
    state: Option<String>,
    nonce: Option<String>,
    challenge: Option<String>,
    form_post: bool,
    scope: String,
}

/// What a code or an access token was issued for.
#[derive(Clone)]
struct Granted {
    asked: Asked,
    subject: String,
    auth_time: Option<i64>,
    acr: Option<String>,
    claims: Map<String, Value>,
}

impl Backend {
    /// The back end of the provider whose issuer identifier (public URL) is `issuer`.
    pub async fn start(issuer: &str) -> Backend {
        let fake = FakeAuthlete::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let backend = Backend { fake, state };
        backend.script(issuer.to_owned());
        backend
    }

    fn script(&self, issuer: String) {
        let fake = &self.fake;
        fake.reply(ops::SERVICE_CONFIGURATION, &discovery(&issuer));
        fake.reply_always(ops::SERVICE_JWKS_GET, Reply::json(200, serde_json::from_str(JWKS).expect("the JWK Set")));

        let state = Arc::clone(&self.state);
        fake.reply_with(ops::AUTH_AUTHORIZATION, move |received| {
            let request: AuthorizationRequest = received.json().expect("an authorization request");
            Reply::model(&authorize(&mut lock(&state), &request.parameters))
        });
        let state = Arc::clone(&self.state);
        fake.reply_with(ops::AUTH_AUTHORIZATION_ISSUE, move |received| {
            let request: AuthorizationIssueRequest = received.json().expect("an issue request");
            Reply::model(&issue(&mut lock(&state), request))
        });
        let state = Arc::clone(&self.state);
        fake.reply_with(ops::AUTH_AUTHORIZATION_FAIL, move |received| {
            let request: AuthorizationFailRequest = received.json().expect("a fail request");
            Reply::model(&fail(&mut lock(&state), &request))
        });
        let state = Arc::clone(&self.state);
        fake.reply_with(ops::AUTH_TOKEN, move |received| {
            let request: TokenRequest = received.json().expect("a token request");
            Reply::model(&token(&mut lock(&state), &issuer, &request))
        });
        let state = Arc::clone(&self.state);
        fake.reply_with(ops::AUTH_USERINFO, move |received| {
            let request: UserinfoRequest = received.json().expect("a userinfo request");
            Reply::model(&userinfo(&lock(&state), &request.token))
        });
        let state = Arc::clone(&self.state);
        fake.reply_with(ops::AUTH_USERINFO_ISSUE, move |received| {
            let request: UserinfoIssueRequest = received.json().expect("a userinfo issue request");
            Reply::model(&userinfo_issue(&lock(&state), &request))
        });
        fake.reply_with(ops::DEVICE_VERIFICATION, move |received| {
            let request: DeviceVerificationRequest = received.json().expect("a verification request");
            let action = if request.user_code == USER_CODE {
                DeviceVerificationResponseAction::Valid
            } else {
                DeviceVerificationResponseAction::NotExist
            };
            Reply::model(&DeviceVerificationResponse {
                action: Some(action),
                client_name: Some("Living-room TV".into()),
                scopes: Some(vec![scope("openid"), scope("profile")]),
                claim_names: Some(vec!["name".into()]),
                ..Default::default()
            })
        });
        // CIBA in poll mode: the client names the user by a login hint; the issue answer carries
        // the auth_req_id; the completion needs no notification.
        fake.reply_with(ops::BACKCHANNEL_AUTHENTICATION, move |received| {
            let request: BackchannelAuthenticationRequest = received.json().expect("a backchannel request");
            let parameters = parameters(&request.parameters);
            Reply::model(&BackchannelAuthenticationResponse {
                action: Some(BackchannelAuthenticationResponseAction::UserIdentification),
                ticket: Some("ciba-ticket-1".into()),
                client_name: Some(CLIENT_NAME.into()),
                scopes: Some(vec![scope("openid")]),
                hint_type: Some("LOGIN_HINT".into()),
                hint: parameters.get("login_hint").cloned(),
                binding_message: parameters.get("binding_message").cloned(),
                delivery_mode: Some(DeliveryMode::Poll),
                ..Default::default()
            })
        });
        fake.reply(
            ops::BACKCHANNEL_AUTHENTICATION_ISSUE,
            &BackchannelAuthenticationIssueResponse {
                action: Some(BackchannelAuthenticationIssueResponseAction::Ok),
                response_content: Some(r#"{"auth_req_id":"req-1","expires_in":120,"interval":5}"#.into()),
                ..Default::default()
            },
        );
        fake.reply(
            ops::BACKCHANNEL_AUTHENTICATION_COMPLETE,
            &BackchannelAuthenticationCompleteResponse {
                action: Some(BackchannelAuthenticationCompleteResponseAction::NoAction),
                ..Default::default()
            },
        );
        fake.reply(
            ops::DEVICE_COMPLETE,
            &DeviceCompleteResponse { action: Some(DeviceCompleteResponseAction::Success), ..Default::default() },
        );
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn scope(name: &str) -> Scope {
    Scope { name: Some(name.into()), description: Some(format!("The {name} scope")), ..Default::default() }
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

fn discovery(issuer: &str) -> Map<String, Value> {
    let document = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "device_authorization_endpoint": format!("{issuer}/device_authorization"),
        "scopes_supported": ["openid", "profile", "email"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "email"],
    });
    document.as_object().expect("an object").clone()
}

fn parameters(text: &str) -> HashMap<String, String> {
    oauth2::url::form_urlencoded::parse(text.as_bytes()).into_owned().collect()
}

/// `/auth/authorization`: the client and its redirect URI are checked, then `prompt=none` is
/// `NO_INTERACTION` and anything else `INTERACTION`.
fn authorize(state: &mut State, text: &str) -> AuthorizationResponse {
    let parameters = parameters(text);
    let redirect_uri = parameters.get("redirect_uri").cloned().unwrap_or_default();
    if parameters.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || !redirect_uri.starts_with("http://127.0.0.1:")
    {
        let error = json!({"error": "invalid_request", "error_description": "unknown client or redirect URI"});
        return AuthorizationResponse {
            action: Some(AuthorizationResponseAction::BadRequest),
            response_content: Some(error.to_string()),
            ..Default::default()
        };
    }
    state.next += 1;
    let ticket = format!("ticket-{}", state.next);
    let scope = parameters.get("scope").cloned().unwrap_or_default();
    let asked = Asked {
        redirect_uri,
        state: parameters.get("state").cloned(),
        nonce: parameters.get("nonce").cloned(),
        challenge: parameters.get("code_challenge").cloned(),
        form_post: parameters.get("response_mode").map(String::as_str) == Some("form_post"),
        scope: scope.clone(),
    };
    state.tickets.insert(ticket.clone(), asked);
    let prompt_none = parameters.get("prompt").map(String::as_str) == Some("none");
    AuthorizationResponse {
        action: Some(if prompt_none {
            AuthorizationResponseAction::NoInteraction
        } else {
            AuthorizationResponseAction::Interaction
        }),
        ticket: Some(ticket),
        client: Some(ClientLimitedAuthorization {
            client_name: Some(CLIENT_NAME.into()),
            client_id_alias: Some(CLIENT_ID.into()),
            ..Default::default()
        }),
        scopes: Some(scope.split(' ').filter(|name| !name.is_empty()).map(scope_of).collect()),
        // The ID token carries the user's name when the client asked for the profile.
        claims: scope.split(' ').any(|name| name == "profile").then(|| vec!["name".to_owned()]),
        login_hint: parameters.get("login_hint").cloned(),
        prompts: parameters.get("prompt").map(|prompt| {
            prompt.split(' ').filter_map(|p| serde_json::from_value::<Prompt>(json!(p.to_uppercase())).ok()).collect()
        }),
        ..Default::default()
    }
}

fn scope_of(name: &str) -> Scope {
    scope(name)
}

/// `/auth/authorization/issue`: a code, sent as the request's response mode asks.
fn issue(state: &mut State, request: AuthorizationIssueRequest) -> AuthorizationIssueResponse {
    let Some(asked) = state.tickets.remove(&request.ticket) else {
        return AuthorizationIssueResponse {
            action: Some(AuthorizationFailResponseAction::BadRequest),
            response_content: Some(
                json!({"error": "invalid_request", "error_description": "unknown ticket"}).to_string(),
            ),
            ..Default::default()
        };
    };
    state.next += 1;
    let code = format!("code-{}", state.next);
    let claims =
        request.claims.as_deref().map(|text| serde_json::from_str(text).expect("claims JSON")).unwrap_or_default();
    let granted = Granted {
        asked: asked.clone(),
        subject: request.subject,
        auth_time: request.auth_time,
        acr: request.acr,
        claims,
    };
    state.codes.insert(code.clone(), granted);
    let (action, content) = answer(&asked, &[("code", &code)]);
    AuthorizationIssueResponse { action: Some(action), response_content: Some(content), ..Default::default() }
}

/// `/auth/authorization/fail`: the OAuth error the reason stands for.
fn fail(state: &mut State, request: &AuthorizationFailRequest) -> AuthorizationFailResponse {
    let Some(asked) = state.tickets.remove(&request.ticket) else {
        return AuthorizationFailResponse {
            action: Some(AuthorizationFailResponseAction::BadRequest),
            response_content: Some(json!({"error": "invalid_request"}).to_string()),
            ..Default::default()
        };
    };
    let error = match request.reason {
        AuthorizationFailRequestReason::NotLoggedIn => "login_required",
        AuthorizationFailRequestReason::Denied => "access_denied",
        AuthorizationFailRequestReason::ConsentRequired => "consent_required",
        _ => "interaction_required",
    };
    let (action, content) = answer(&asked, &[("error", error)]);
    AuthorizationFailResponse { action: Some(action), response_content: Some(content), ..Default::default() }
}

/// The answer to the client: a redirect with the query, or the form_post page.
fn answer(asked: &Asked, values: &[(&str, &str)]) -> (AuthorizationFailResponseAction, String) {
    let mut values: Vec<(&str, &str)> = values.to_vec();
    if let Some(state) = &asked.state {
        values.push(("state", state));
    }
    if asked.form_post {
        let inputs: String = values
            .iter()
            .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{value}\">"))
            .collect();
        let page = format!(
            "<!DOCTYPE html><html><head><title>Submit This Form</title></head>\
             <body onload=\"javascript:document.forms[0].submit()\">\
             <form method=\"post\" action=\"{}\">{inputs}</form></body></html>",
            asked.redirect_uri
        );
        (AuthorizationFailResponseAction::Form, page)
    } else {
        let query = oauth2::url::form_urlencoded::Serializer::new(String::new()).extend_pairs(values).finish();
        (AuthorizationFailResponseAction::Location, format!("{}?{query}", asked.redirect_uri))
    }
}

/// `/auth/token`: the authorization code grant, with the client's secret and PKCE checked.
fn token(state: &mut State, issuer: &str, request: &TokenRequest) -> TokenResponse {
    let parameters = parameters(&request.parameters);
    let client_id = request.client_id.clone().or_else(|| parameters.get("client_id").cloned());
    let secret = request.client_secret.clone().or_else(|| parameters.get("client_secret").cloned());
    if client_id.as_deref() != Some(CLIENT_ID) || secret.as_deref() != Some(CLIENT_SECRET) {
        return token_error(TokenResponseAction::InvalidClient, "invalid_client");
    }
    if parameters.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error(TokenResponseAction::BadRequest, "unsupported_grant_type");
    }
    let Some(granted) = parameters.get("code").and_then(|code| state.codes.remove(code)) else {
        return token_error(TokenResponseAction::BadRequest, "invalid_grant");
    };
    let verifier = parameters.get("code_verifier").map(|verifier| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
    });
    if granted.asked.challenge != verifier || parameters.get("redirect_uri") != Some(&granted.asked.redirect_uri) {
        return token_error(TokenResponseAction::BadRequest, "invalid_grant");
    }
    state.next += 1;
    let access_token = format!("at-{}", state.next);
    let mut content = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": granted.asked.scope,
    });
    if granted.asked.scope.split(' ').any(|name| name == "openid") {
        content["id_token"] = id_token(issuer, &granted).into();
    }
    state.tokens.insert(access_token, granted);
    TokenResponse {
        action: Some(TokenResponseAction::Ok),
        response_content: Some(content.to_string()),
        ..Default::default()
    }
}

fn token_error(action: TokenResponseAction, error: &str) -> TokenResponse {
    TokenResponse {
        action: Some(action),
        response_content: Some(json!({ "error": error }).to_string()),
        ..Default::default()
    }
}

/// An ID token for `granted`, signed with the test key.
fn id_token(issuer: &str, granted: &Granted) -> String {
    let now = now();
    let mut claims = json!({
        "iss": issuer,
        "sub": granted.subject,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 600,
    });
    if let Some(nonce) = &granted.asked.nonce {
        claims["nonce"] = nonce.clone().into();
    }
    if let Some(auth_time) = granted.auth_time {
        claims["auth_time"] = auth_time.into();
    }
    if let Some(acr) = &granted.acr {
        claims["acr"] = acr.clone().into();
    }
    for (name, value) in &granted.claims {
        claims[name] = value.clone();
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("test-key-1".into());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(SIGNING_KEY).expect("the test key");
    jsonwebtoken::encode(&header, &claims, &key).expect("a signed ID token")
}

/// `/auth/userinfo`: an access token the back end issued is valid.
fn userinfo(state: &State, token: &str) -> UserinfoResponse {
    match state.tokens.get(token) {
        Some(granted) => UserinfoResponse {
            action: Some(IntrospectionResponseAction::Ok),
            subject: Some(granted.subject.clone()),
            client_id_alias: Some(CLIENT_ID.into()),
            scopes: Some(granted.asked.scope.split(' ').map(str::to_owned).collect()),
            claims: Some(vec!["name".into(), "email".into()]),
            token: Some(token.into()),
            ..Default::default()
        },
        None => UserinfoResponse {
            action: Some(IntrospectionResponseAction::Unauthorized),
            response_content: Some("Bearer error=\"invalid_token\"".into()),
            ..Default::default()
        },
    }
}

/// `/auth/userinfo/issue`: the claims the server gave, with `sub`.
fn userinfo_issue(state: &State, request: &UserinfoIssueRequest) -> UserinfoIssueResponse {
    let mut content: Map<String, Value> =
        request.claims.as_deref().map(|text| serde_json::from_str(text).expect("claims JSON")).unwrap_or_default();
    // The token's subject, unless the server asked for another `sub` (pairwise).
    let subject = state.tokens.get(&request.token).map(|granted| granted.subject.clone());
    content.insert("sub".into(), request.sub.clone().or(subject).unwrap_or_default().into());
    UserinfoIssueResponse {
        action: Some(UserinfoIssueResponseAction::Json),
        response_content: Some(Value::Object(content).to_string()),
        ..Default::default()
    }
}
