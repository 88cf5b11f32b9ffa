//! The toolkit's device authorization endpoint (RFC 8628 §3.1) and CIBA (backchannel
//! authentication, and the completion of a request with the user's decision) over real HTTP, in
//! front of the fake Authlete: every action of each Authlete call, what each sends Authlete,
//! client authentication in both spellings, the server's `BackchannelUsers` asked (and not asked),
//! the notification delivered to a client's endpoint byte for byte, every way that fails, and no
//! secret in the `Debug` output of the types.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use authlete::models::{
    BackchannelAuthenticationCompleteRequestResult, BackchannelAuthenticationCompleteResponse,
    BackchannelAuthenticationCompleteResponseAction, BackchannelAuthenticationFailRequestReason,
    BackchannelAuthenticationFailResponse, BackchannelAuthenticationFailResponseAction,
    BackchannelAuthenticationIssueResponse, BackchannelAuthenticationIssueResponseAction,
    BackchannelAuthenticationResponse, BackchannelAuthenticationResponseAction, DeliveryMode,
    DeviceAuthorizationResponse, DeviceAuthorizationResponseAction, Property, Scope,
};
use authlete::server::{
    AuthorizationServer, BackchannelDecision, BackchannelError, BackchannelOutcome, BackchannelRequest,
    BackchannelUsers, Config, Endpoint, Identification, PendingBackchannel,
};
use authlete::testing::{ops, FakeAuthlete, Reply};

use crate::server_support::{assert_answer, basic, basic_rfc, json_headers, post_form, serve, Answer, PUBLIC_URL};

/// The body of the toolkit's `500` for an answer it cannot act on.
const SERVER_ERROR: &str =
    r#"{"error":"server_error","error_description":"the authorization server could not process the request"}"#;

/// The body of the toolkit's `503` when Authlete cannot be reached.
const UNAVAILABLE: &str =
    r#"{"error":"server_error","error_description":"the authorization server is temporarily unavailable"}"#;

/// A secret with every character that the two spellings of `client_secret_basic` treat
/// differently: `+`, `%`, a space and a non-ASCII letter.
const HARD_SECRET: &str = "p+q%r s\u{e9}";

/// The secrets of the CIBA tests, each findable in any text.
const TICKET: &str = "ticket-0a1b2c-secret";
const NOTIFICATION_TOKEN: &str = "notification-token-8d9e-secret";
const USER_CODE: &str = "user-code-4711-secret";
const CLIENT_SECRET: &str = "client-secret-5f6a-secret";

/// A fake Authlete and a server in front of it that takes client certificates from `x-ssl-cert`
/// and waits `timeout` for Authlete (and for a client's notification endpoint) at the CIBA
/// endpoints.
async fn authlete_waiting(timeout: Duration) -> (FakeAuthlete, AuthorizationServer) {
    let fake = FakeAuthlete::start().await;
    let config = Config::new(PUBLIC_URL)
        .unwrap()
        .client_certificate_header("x-ssl-cert")
        .unwrap()
        .timeout(Endpoint::Backchannel, timeout)
        .timeout(Endpoint::DeviceAuthorization, timeout);
    let service = fake.service();
    (fake, AuthorizationServer::new(service, config))
}

async fn authlete() -> (FakeAuthlete, AuthorizationServer) {
    authlete_waiting(Duration::from_secs(5)).await
}

/// A URL where nothing listens.
async fn closed_url() -> String {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    format!("http://{address}")
}

// --- The device authorization endpoint (RFC 8628 §3.1) ---

fn device_answer(action: DeviceAuthorizationResponseAction, content: &str) -> DeviceAuthorizationResponse {
    DeviceAuthorizationResponse {
        action: Some(action),
        response_content: Some(content.to_owned()),
        ..Default::default()
    }
}

#[tokio::test]
async fn device_ok_passes_everything_on_and_answers_200() {
    let (fake, server) = authlete().await;
    let url = serve(server.device_authorization_endpoint()).await + "/device/authorization";
    let content = r#"{"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://as.example.com/device","expires_in":600,"interval":5}"#;
    fake.reply(ops::DEVICE_AUTHORIZATION, &device_answer(DeviceAuthorizationResponseAction::Ok, content));

    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQQ==\n-----END CERTIFICATE-----";
    let headers = [
        ("authorization", basic("tv-app", CLIENT_SECRET)),
        ("oauth-client-attestation", "eyJattestation".into()),
        ("oauth-client-attestation-pop", "eyJpop".into()),
        ("x-ssl-cert", pem.replace(' ', "%20").replace('\n', "%0A")),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let answer = post_form(&url, &headers, "scope=openid%20profile").await;

    assert_answer(&answer, 200, &json_headers(&[]), content);
    let [sent] = &fake.received(ops::DEVICE_AUTHORIZATION)[..] else { panic!("one request") };
    assert_eq!(sent.parameters, "scope=openid%20profile");
    assert_eq!((sent.client_id.as_deref(), sent.client_secret.as_deref()), (Some("tv-app"), Some(CLIENT_SECRET)));
    assert_eq!(sent.client_certificate.as_deref(), Some(pem));
    assert_eq!(sent.oauth_client_attestation.as_deref(), Some("eyJattestation"));
    assert_eq!(sent.oauth_client_attestation_pop.as_deref(), Some("eyJpop"));

    // A public client names itself in the form: nothing more is sent.
    let answer = post_form(&url, &[], "client_id=tv-app&scope=openid").await;
    assert_answer(&answer, 200, &json_headers(&[]), content);
    let sent = &fake.received(ops::DEVICE_AUTHORIZATION)[1];
    assert_eq!(sent.parameters, "client_id=tv-app&scope=openid");
    assert_eq!(
        (sent.client_id.as_deref(), sent.client_secret.as_deref(), sent.client_certificate.as_deref()),
        (None, None, None)
    );
}

#[tokio::test]
async fn device_errors_map_to_their_statuses() {
    let (fake, server) = authlete().await;
    let url = serve(server.device_authorization_endpoint()).await;
    for (action, status) in [
        (DeviceAuthorizationResponseAction::BadRequest, 400),
        (DeviceAuthorizationResponseAction::InternalServerError, 500),
    ] {
        let content = format!(r#"{{"error":"{}"}}"#, action.as_str().to_lowercase());
        fake.reply(ops::DEVICE_AUTHORIZATION, &device_answer(action.clone(), &content));
        let answer = post_form(&url, &[], "client_id=c").await;
        assert_answer(&answer, status, &json_headers(&[]), &content);
    }
}

#[tokio::test]
async fn device_unauthorized_challenges_only_a_client_that_used_basic() {
    let (fake, server) = authlete().await;
    let url = serve(server.device_authorization_endpoint()).await;
    let content = r#"{"error":"invalid_client"}"#;
    fake.reply(ops::DEVICE_AUTHORIZATION, &device_answer(DeviceAuthorizationResponseAction::Unauthorized, content));

    let answer = post_form(&url, &[], "client_id=c&client_secret=wrong").await;
    assert_answer(&answer, 401, &json_headers(&[]), content);

    let answer = post_form(&url, &[("authorization", &basic("c", "wrong"))], "scope=openid").await;
    let headers = json_headers(&[("www-authenticate", "Basic realm=\"device_authorization\"")]);
    assert_answer(&answer, 401, &headers, content);
    assert_eq!(fake.count(ops::DEVICE_AUTHORIZATION), 2, "a plain secret has one spelling: one try");
}

#[tokio::test]
async fn device_client_secret_basic_works_in_both_spellings() {
    let (fake, server) = authlete().await;
    let url = serve(server.device_authorization_endpoint()).await;
    fake.reply_with(ops::DEVICE_AUTHORIZATION, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let action = if body["clientSecret"] == "x+y%41" { "OK" } else { "UNAUTHORIZED" };
        Reply::json(200, serde_json::json!({"action": action, "responseContent": "{}"}))
    });
    // A raw secret that also reads as a form encoding: decoded first, refused, then raw.
    let answer = post_form(&url, &[("authorization", &basic("c", "x+y%41"))], "scope=openid").await;
    assert_answer(&answer, 200, &json_headers(&[]), "{}");
    let secrets: Vec<_> =
        fake.received(ops::DEVICE_AUTHORIZATION).into_iter().map(|sent| sent.client_secret.unwrap()).collect();
    assert_eq!(secrets, ["x yA", "x+y%41"]);

    // The RFC spelling of a hard secret: decoded, accepted at once.
    fake.reply_with(ops::DEVICE_AUTHORIZATION, |request| {
        let body: serde_json::Value = request.json().unwrap();
        let known = body["clientId"] == "my client" && body["clientSecret"] == HARD_SECRET;
        Reply::json(
            200,
            serde_json::json!({"action": if known { "OK" } else { "UNAUTHORIZED" }, "responseContent": "{}"}),
        )
    });
    let answer = post_form(&url, &[("authorization", &basic_rfc("my client", HARD_SECRET))], "scope=openid").await;
    assert_answer(&answer, 200, &json_headers(&[]), "{}");
    assert_eq!(fake.count(ops::DEVICE_AUTHORIZATION), 3);

    // Refused in both spellings: two tries, and the challenge.
    let answer = post_form(&url, &[("authorization", &basic("c", "a+b"))], "scope=openid").await;
    let headers = json_headers(&[("www-authenticate", "Basic realm=\"device_authorization\"")]);
    assert_answer(&answer, 401, &headers, "{}");
    let secrets: Vec<_> =
        fake.received(ops::DEVICE_AUTHORIZATION)[3..].iter().map(|sent| sent.client_secret.clone().unwrap()).collect();
    assert_eq!(secrets, ["a b", "a+b"]);
}

#[tokio::test]
async fn device_unknown_or_missing_action_and_authlete_failing() {
    let (fake, server) = authlete_waiting(Duration::from_millis(300)).await;
    let url = serve(server.device_authorization_endpoint()).await;
    let newer = serde_json::json!({"action": "OK_LATER", "responseContent": "{}"});
    fake.reply_once(ops::DEVICE_AUTHORIZATION, Reply::json(200, newer));
    assert_answer(&post_form(&url, &[], "client_id=c").await, 500, &json_headers(&[]), SERVER_ERROR);
    fake.reply_once(ops::DEVICE_AUTHORIZATION, Reply::json(200, serde_json::json!({"resultCode": "A000"})));
    assert_answer(&post_form(&url, &[], "client_id=c").await, 500, &json_headers(&[]), SERVER_ERROR);

    fake.reply_once(ops::DEVICE_AUTHORIZATION, Reply::hang());
    let retry = json_headers(&[("retry-after", "5")]);
    assert_answer(&post_form(&url, &[], "client_id=c").await, 503, &retry, UNAVAILABLE);
    fake.reply_once(ops::DEVICE_AUTHORIZATION, Reply::api_error(400, "A001201", "bad request"));
    assert_answer(&post_form(&url, &[], "client_id=c").await, 500, &json_headers(&[]), SERVER_ERROR);
}

#[tokio::test]
async fn device_refuses_bad_requests_without_asking_authlete() {
    let (fake, server) = authlete().await;
    let url = serve(server.device_authorization_endpoint()).await;
    let json = reqwest::Client::new().post(&url).header("content-type", "application/json").body("{}");
    let answer = Answer::from(json.send().await.unwrap()).await;
    let body = r#"{"error":"invalid_request","error_description":"the request body must be sent as application/x-www-form-urlencoded"}"#;
    assert_answer(&answer, 400, &json_headers(&[]), body);
    let answer = post_form(&url, &[("authorization", "Bearer abc")], "client_id=c").await;
    let body = r#"{"error":"invalid_client","error_description":"client authentication with the Authorization header takes the Basic scheme"}"#;
    let headers = json_headers(&[("www-authenticate", "Basic realm=\"device_authorization\"")]);
    assert_answer(&answer, 401, &headers, body);
    assert_eq!(fake.count(ops::DEVICE_AUTHORIZATION), 0);
}

// --- The backchannel authentication endpoint (CIBA §7) ---

/// What the server's `BackchannelUsers` was asked, and what it answers.
#[derive(Debug, Default)]
struct Asked {
    /// Each request `identify` saw: its fields, and its `Debug` text.
    identified: Vec<(Seen, String)>,
    /// Each request `notify` was given.
    notified: Vec<PendingBackchannel>,
}

/// The fields of a `BackchannelRequest`, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    hint_type: Option<String>,
    hint: Option<String>,
    sub: Option<String>,
    user_code: Option<String>,
    user_code_required: bool,
    binding_message: Option<String>,
    client_name: Option<String>,
    scopes: Vec<String>,
    acrs: Vec<String>,
    ticket: Option<String>,
}

impl Seen {
    fn of(request: &BackchannelRequest<'_>) -> Seen {
        let owned = |text: Option<&str>| text.map(str::to_owned);
        Seen {
            hint_type: owned(request.hint_type),
            hint: owned(request.hint),
            sub: owned(request.sub),
            user_code: owned(request.user_code),
            user_code_required: request.user_code_required,
            binding_message: owned(request.binding_message),
            client_name: owned(request.client_name),
            scopes: request.scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            acrs: request.acrs.to_vec(),
            ticket: request.answer.ticket.clone(),
        }
    }
}

/// A `BackchannelUsers` that answers `identification` and records what it was asked.
#[derive(Debug, Clone)]
struct Users {
    identification: Identification,
    asked: Arc<Mutex<Asked>>,
}

impl Users {
    fn answering(identification: Identification) -> Users {
        Users { identification, asked: Arc::default() }
    }

    fn identified(&self) -> Vec<(Seen, String)> {
        self.asked.lock().unwrap().identified.clone()
    }

    fn notified(&self) -> Vec<PendingBackchannel> {
        self.asked.lock().unwrap().notified.clone()
    }
}

impl BackchannelUsers for Users {
    async fn identify(&self, request: &BackchannelRequest<'_>) -> Identification {
        self.asked.lock().unwrap().identified.push((Seen::of(request), format!("{request:?}")));
        self.identification.clone()
    }

    async fn notify(&self, pending: PendingBackchannel) {
        self.asked.lock().unwrap().notified.push(pending);
    }
}

fn scope(name: &str) -> Scope {
    Scope { name: Some(name.to_owned()), ..Default::default() }
}

/// Authlete's answer to a valid backchannel request: identify the user.
fn identification_answer() -> BackchannelAuthenticationResponse {
    BackchannelAuthenticationResponse {
        action: Some(BackchannelAuthenticationResponseAction::UserIdentification),
        ticket: Some(TICKET.to_owned()),
        client_id: Some(5_899_464_012),
        client_name: Some("My Bank".to_owned()),
        scopes: Some(vec![scope("openid"), scope("payments")]),
        claim_names: Some(vec!["name".to_owned(), "email".to_owned()]),
        acrs: Some(vec!["urn:acr:strong".to_owned()]),
        hint_type: Some("LOGIN_HINT".to_owned()),
        hint: Some("alice@example.com".to_owned()),
        user_code: Some(USER_CODE.to_owned()),
        user_code_required: Some(true),
        binding_message: Some("W4SCT".to_owned()),
        requested_expiry: Some(300),
        client_notification_token: Some(NOTIFICATION_TOKEN.to_owned()),
        delivery_mode: Some(DeliveryMode::Ping),
        resources: Some(vec!["https://api.example.com".to_owned()]),
        ..Default::default()
    }
}

const ISSUED: &str = r#"{"auth_req_id":"ari-1","expires_in":120,"interval":5}"#;

fn issue_answer(
    action: BackchannelAuthenticationIssueResponseAction,
    content: Option<&str>,
) -> BackchannelAuthenticationIssueResponse {
    BackchannelAuthenticationIssueResponse {
        action: Some(action),
        response_content: content.map(str::to_owned),
        auth_req_id: Some("ari-1".to_owned()),
        expires_in: Some(120),
        interval: Some(5),
        ..Default::default()
    }
}

fn fail_answer(
    action: BackchannelAuthenticationFailResponseAction,
    content: &str,
) -> BackchannelAuthenticationFailResponse {
    BackchannelAuthenticationFailResponse {
        action: Some(action),
        response_content: Some(content.to_owned()),
        ..Default::default()
    }
}

/// The form of a backchannel request.
const FORM: &str = "scope=openid%20payments&login_hint=alice%40example.com&binding_message=W4SCT";

#[tokio::test]
async fn backchannel_identified_issues_notifies_then_answers_200() {
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await + "/backchannel/authentication";
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &identification_answer());
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_ISSUE,
        &issue_answer(BackchannelAuthenticationIssueResponseAction::Ok, Some(ISSUED)),
    );

    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQQ==\n-----END CERTIFICATE-----";
    let headers = [
        ("authorization", basic("bank", CLIENT_SECRET)),
        ("oauth-client-attestation", "eyJattestation".into()),
        ("oauth-client-attestation-pop", "eyJpop".into()),
        ("x-ssl-cert", pem.replace(' ', "%20").replace('\n', "%0A")),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let before = SystemTime::now();
    let answer = post_form(&url, &headers, FORM).await;
    let after = SystemTime::now();

    assert_answer(&answer, 200, &json_headers(&[]), ISSUED);
    let [sent] = &fake.received(ops::BACKCHANNEL_AUTHENTICATION)[..] else { panic!("one request") };
    assert_eq!(sent.parameters, FORM);
    assert_eq!((sent.client_id.as_deref(), sent.client_secret.as_deref()), (Some("bank"), Some(CLIENT_SECRET)));
    assert_eq!(sent.client_certificate.as_deref(), Some(pem));
    assert_eq!(sent.oauth_client_attestation.as_deref(), Some("eyJattestation"));
    assert_eq!(sent.oauth_client_attestation_pop.as_deref(), Some("eyJpop"));

    let [(seen, _)] = &users.identified()[..] else { panic!("identified once") };
    let expected = Seen {
        hint_type: Some("LOGIN_HINT".into()),
        hint: Some("alice@example.com".into()),
        sub: None,
        user_code: Some(USER_CODE.into()),
        user_code_required: true,
        binding_message: Some("W4SCT".into()),
        client_name: Some("My Bank".into()),
        scopes: vec!["openid".into(), "payments".into()],
        acrs: vec!["urn:acr:strong".into()],
        ticket: Some(TICKET.into()),
    };
    assert_eq!(seen, &expected);

    let [issued] = &fake.received(ops::BACKCHANNEL_AUTHENTICATION_ISSUE)[..] else { panic!("one issue") };
    assert_eq!(issued.ticket, TICKET);
    assert_eq!(fake.count(ops::BACKCHANNEL_AUTHENTICATION_FAIL), 0);

    // Told before the client had its answer: the handler awaited it.
    let [pending] = &users.notified()[..] else { panic!("notified once") };
    let expires_at = pending.expires_at.expect("an expiry");
    let lifetime = Duration::from_secs(120);
    assert!(before + lifetime <= expires_at && expires_at <= after + lifetime, "{pending:?}");
    let mut expected = PendingBackchannel::new(TICKET, "alice");
    expected.client_id = Some("5899464012".into());
    expected.client_name = Some("My Bank".into());
    expected.scopes = vec!["openid".into(), "payments".into()];
    expected.claim_names = vec!["name".into(), "email".into()];
    expected.acrs = vec!["urn:acr:strong".into()];
    expected.binding_message = Some("W4SCT".into());
    expected.resources = vec!["https://api.example.com".into()];
    expected.requested_expiry = Some(Duration::from_secs(300));
    expected.expires_at = Some(expires_at);
    expected.delivery_mode = Some(DeliveryMode::Ping);
    assert_eq!(pending, &expected);
}

#[tokio::test]
async fn backchannel_pending_names_the_client_by_the_alias_it_used() {
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    let answer = BackchannelAuthenticationResponse {
        client_id_alias: Some("my-bank".into()),
        client_id_alias_used: Some(true),
        delivery_mode: Some(DeliveryMode::Poll),
        ..identification_answer()
    };
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &answer);
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_ISSUE,
        &issue_answer(BackchannelAuthenticationIssueResponseAction::Ok, Some(ISSUED)),
    );
    assert_answer(&post_form(&url, &[], FORM).await, 200, &json_headers(&[]), ISSUED);
    let [pending] = &users.notified()[..] else { panic!("notified once") };
    assert_eq!((pending.client_id.as_deref(), &pending.delivery_mode), (Some("my-bank"), &Some(DeliveryMode::Poll)));
}

#[tokio::test]
async fn backchannel_refused_identification_fails_with_the_reason_and_maps_each_fail_action() {
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::Refused {
        reason: BackchannelAuthenticationFailRequestReason::InvalidUserCode,
        description: Some("the user code does not match".into()),
    });
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &identification_answer());
    for (action, status) in [
        (BackchannelAuthenticationFailResponseAction::BadRequest, 400),
        (BackchannelAuthenticationFailResponseAction::Forbidden, 403),
        (BackchannelAuthenticationFailResponseAction::InternalServerError, 500),
    ] {
        let content = format!(r#"{{"error":"{}"}}"#, action.as_str().to_lowercase());
        fake.reply(ops::BACKCHANNEL_AUTHENTICATION_FAIL, &fail_answer(action.clone(), &content));
        let answer = post_form(&url, &[], FORM).await;
        assert_answer(&answer, status, &json_headers(&[]), &content);
    }
    let newer = serde_json::json!({"action": "FAIL_LATER", "responseContent": "{}"});
    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION_FAIL, Reply::json(200, newer));
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), SERVER_ERROR);

    let sent = fake.received(ops::BACKCHANNEL_AUTHENTICATION_FAIL);
    assert_eq!(sent.len(), 4);
    for fail in sent {
        assert_eq!(fail.ticket, TICKET);
        assert_eq!(fail.reason, BackchannelAuthenticationFailRequestReason::InvalidUserCode);
        assert_eq!(fail.error_description.as_deref(), Some("the user code does not match"));
        assert_eq!(fail.error_uri, None);
    }
    assert_eq!(fake.count(ops::BACKCHANNEL_AUTHENTICATION_ISSUE), 0, "no auth_req_id for a refused request");
    assert!(users.notified().is_empty(), "the user's device is told nothing of a refused request");
    assert_eq!(users.identified().len(), 4);
}

#[tokio::test]
async fn backchannel_unknown_user_sends_exactly_that_reason() {
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::unknown_user());
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &identification_answer());
    let content = r#"{"error":"unknown_user_id"}"#;
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_FAIL,
        &fail_answer(BackchannelAuthenticationFailResponseAction::BadRequest, content),
    );
    assert_answer(&post_form(&url, &[], FORM).await, 400, &json_headers(&[]), content);
    let [fail] = &fake.received(ops::BACKCHANNEL_AUTHENTICATION_FAIL)[..] else { panic!("one fail") };
    let wire: serde_json::Value = serde_json::from_slice(&fake.requests().last().unwrap().body).unwrap();
    assert_eq!(wire, serde_json::json!({"ticket": TICKET, "reason": "UNKNOWN_USER_ID"}));
    assert_eq!(fail.reason, BackchannelAuthenticationFailRequestReason::UnknownUserId);
    assert!(users.notified().is_empty());
}

#[tokio::test]
async fn backchannel_issue_failing_is_a_server_error_and_notifies_no_one() {
    let (fake, server) = authlete_waiting(Duration::from_millis(300)).await;
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &identification_answer());

    let content = r#"{"error":"server_error","error_description":"[A001] Authlete failed"}"#;
    let internal = issue_answer(BackchannelAuthenticationIssueResponseAction::InternalServerError, Some(content));
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_ISSUE, &internal);
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), content);

    // The ticket expired while the server identified the user: Authlete wrote nothing.
    let invalid = issue_answer(BackchannelAuthenticationIssueResponseAction::InvalidTicket, None);
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_ISSUE, &invalid);
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), SERVER_ERROR);

    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION_ISSUE, Reply::json(200, serde_json::json!({"action": "LATER"})));
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), SERVER_ERROR);

    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION_ISSUE, Reply::hang());
    let retry = json_headers(&[("retry-after", "5")]);
    assert_answer(&post_form(&url, &[], FORM).await, 503, &retry, UNAVAILABLE);

    assert_eq!(fake.count(ops::BACKCHANNEL_AUTHENTICATION_ISSUE), 4);
    assert!(users.notified().is_empty(), "no auth_req_id, nothing to tell the user");
}

#[tokio::test]
async fn backchannel_errors_map_to_their_statuses_without_asking_the_server() {
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    for (action, status) in [
        (BackchannelAuthenticationResponseAction::BadRequest, 400),
        (BackchannelAuthenticationResponseAction::InternalServerError, 500),
    ] {
        let content = format!(r#"{{"error":"{}"}}"#, action.as_str().to_lowercase());
        let answer = BackchannelAuthenticationResponse {
            action: Some(action.clone()),
            response_content: Some(content.clone()),
            ..Default::default()
        };
        fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &answer);
        assert_answer(&post_form(&url, &[], FORM).await, status, &json_headers(&[]), &content);
    }
    let newer = serde_json::json!({"action": "USER_IDENTIFICATION_LATER", "responseContent": "{}"});
    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION, Reply::json(200, newer));
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), SERVER_ERROR);
    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION, Reply::json(200, serde_json::json!({"resultCode": "A000"})));
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), SERVER_ERROR);
    // USER_IDENTIFICATION without a ticket: nothing to go on with.
    let no_ticket = BackchannelAuthenticationResponse { ticket: None, ..identification_answer() };
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &no_ticket);
    assert_answer(&post_form(&url, &[], FORM).await, 500, &json_headers(&[]), SERVER_ERROR);

    assert!(users.identified().is_empty() && users.notified().is_empty());
    assert_eq!(fake.count(ops::BACKCHANNEL_AUTHENTICATION_ISSUE) + fake.count(ops::BACKCHANNEL_AUTHENTICATION_FAIL), 0);
}

#[tokio::test]
async fn backchannel_unauthorized_challenges_a_basic_client_after_both_spellings() {
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    let content = r#"{"error":"invalid_client"}"#;
    let refused = BackchannelAuthenticationResponse {
        action: Some(BackchannelAuthenticationResponseAction::Unauthorized),
        response_content: Some(content.to_owned()),
        ..Default::default()
    };
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &refused);

    // Authenticated in the form, or with a JWT: no scheme to name.
    assert_answer(
        &post_form(&url, &[], "client_id=c&client_secret=x&login_hint=a").await,
        401,
        &json_headers(&[]),
        content,
    );
    let challenge = json_headers(&[("www-authenticate", "Basic realm=\"backchannel\"")]);
    let answer = post_form(&url, &[("authorization", &basic("c", "a+b"))], FORM).await;
    assert_answer(&answer, 401, &challenge, content);
    let secrets: Vec<_> = fake.received(ops::BACKCHANNEL_AUTHENTICATION)[1..]
        .iter()
        .map(|sent| sent.client_secret.clone().unwrap())
        .collect();
    assert_eq!(secrets, ["a b", "a+b"], "the decoded spelling, then the raw one");

    // The raw spelling is the right one: the second try goes on to identify the user.
    fake.reply_with(ops::BACKCHANNEL_AUTHENTICATION, |request| {
        let body: serde_json::Value = request.json().unwrap();
        if body["clientSecret"] == "x+y%41" {
            Reply::model(&identification_answer())
        } else {
            Reply::json(200, serde_json::json!({"action": "UNAUTHORIZED", "responseContent": "{}"}))
        }
    });
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_ISSUE,
        &issue_answer(BackchannelAuthenticationIssueResponseAction::Ok, Some(ISSUED)),
    );
    let answer = post_form(&url, &[("authorization", &basic("c", "x+y%41"))], FORM).await;
    assert_answer(&answer, 200, &json_headers(&[]), ISSUED);
    assert_eq!(fake.count(ops::BACKCHANNEL_AUTHENTICATION), 5);
    assert_eq!((users.identified().len(), users.notified().len()), (1, 1));

    // A malformed header never reaches Authlete.
    let answer = post_form(&url, &[("authorization", "Basic !!")], FORM).await;
    let body = r#"{"error":"invalid_client","error_description":"the Basic credentials are not Base64 of UTF-8 text"}"#;
    assert_answer(&answer, 401, &challenge, body);
    assert_eq!(fake.count(ops::BACKCHANNEL_AUTHENTICATION), 5);
}

#[tokio::test]
async fn backchannel_authlete_unreachable_is_503() {
    let client = authlete::Client::builder().base_url(closed_url().await).bearer_token("t").build().unwrap();
    let server = AuthorizationServer::new(client.service("1"), Config::new(PUBLIC_URL).unwrap());
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    let retry = json_headers(&[("retry-after", "5")]);
    assert_answer(&post_form(&url, &[], FORM).await, 503, &retry, UNAVAILABLE);
    let url = serve(server.device_authorization_endpoint()).await;
    assert_answer(&post_form(&url, &[], "client_id=c").await, 503, &retry, UNAVAILABLE);
    assert!(users.identified().is_empty());
}

// --- The user's decision: `complete_backchannel` ---

/// What a client's notification endpoint received: method, path and query, every header (names
/// in lower case, sorted), body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Delivered {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A client's notification endpoint on 127.0.0.1 that records each request and answers
/// `status` (with `location` as `Location`, if given), or never answers when `status` is `None`.
async fn notification_endpoint(status: Option<u16>, location: Option<String>) -> (String, Arc<Mutex<Vec<Delivered>>>) {
    let delivered: Arc<Mutex<Vec<Delivered>>> = Arc::default();
    let record = delivered.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let record = record.clone();
        let location = location.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            let mut headers: Vec<(String, String)> = parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
                .collect();
            headers.sort();
            record.lock().unwrap().push(Delivered {
                method: parts.method.to_string(),
                uri: parts.uri.to_string(),
                headers,
                body: body.to_vec(),
            });
            let Some(status) = status else {
                return std::future::pending().await;
            };
            let mut response = axum::http::Response::builder().status(status);
            if let Some(location) = location {
                response = response.header("location", location);
            }
            response.body(axum::body::Body::empty()).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, delivered)
}

/// The body of a `push` notification (CIBA §10.3.1).
const PUSHED: &str = r#"{"auth_req_id":"ari-1","access_token":"at-secret-1","token_type":"Bearer","expires_in":3600,"id_token":"eyJ.id.token"}"#;

fn notification_answer(endpoint: &str, mode: DeliveryMode, content: &str) -> BackchannelAuthenticationCompleteResponse {
    BackchannelAuthenticationCompleteResponse {
        action: Some(BackchannelAuthenticationCompleteResponseAction::Notification),
        response_content: Some(content.to_owned()),
        client_notification_endpoint: Some(endpoint.to_owned()),
        client_notification_token: Some(NOTIFICATION_TOKEN.to_owned()),
        delivery_mode: Some(mode),
        auth_req_id: Some("ari-1".to_owned()),
        ..Default::default()
    }
}

fn no_action() -> BackchannelAuthenticationCompleteResponse {
    BackchannelAuthenticationCompleteResponse {
        action: Some(BackchannelAuthenticationCompleteResponseAction::NoAction),
        delivery_mode: Some(DeliveryMode::Poll),
        ..Default::default()
    }
}

#[tokio::test]
async fn complete_authorized_in_poll_mode_sends_the_decision_and_awaits_the_poll() {
    let (fake, server) = authlete().await;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &no_action());
    let mut claims = serde_json::Map::new();
    claims.insert("name".into(), "Alice Liddell".into());
    claims.insert("email".into(), "alice@example.com".into());
    let property =
        Property { key: Some("plan".into()), value: Some("gold".into()), hidden: Some(true), ..Default::default() };
    let decision = BackchannelDecision::Authorized {
        auth_time: Some(1_700_000_000),
        acr: Some("urn:acr:strong".into()),
        claims,
        scopes: Some(vec!["openid".into()]),
        properties: vec![property.clone()],
        sub: Some("pairwise-7f3a".into()),
        access_token_duration: Some(Duration::from_secs(600)),
        refresh_token_duration: Some(Duration::from_millis(86_400_500)),
    };
    let outcome = server.complete_backchannel(TICKET, "alice", decision).await.unwrap();
    assert_eq!(outcome, BackchannelOutcome::AwaitingPoll);

    let [sent] = &fake.received(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE)[..] else { panic!("one request") };
    assert_eq!((sent.ticket.as_str(), sent.subject.as_str()), (TICKET, "alice"));
    assert_eq!(sent.result, BackchannelAuthenticationCompleteRequestResult::Authorized);
    assert_eq!((sent.auth_time, sent.acr.as_deref()), (Some(1_700_000_000), Some("urn:acr:strong")));
    let claims: serde_json::Value = serde_json::from_str(sent.claims.as_deref().unwrap()).unwrap();
    assert_eq!(claims, serde_json::json!({"name": "Alice Liddell", "email": "alice@example.com"}));
    assert_eq!(sent.scopes.as_deref(), Some(&["openid".to_owned()][..]));
    assert_eq!(sent.properties.as_deref(), Some(&[property][..]));
    assert_eq!(sent.sub.as_deref(), Some("pairwise-7f3a"));
    // In whole seconds, as Authlete takes them.
    assert_eq!((sent.access_token_duration, sent.refresh_token_duration), (Some(600), Some(86_400)));

    // Approved with nothing more: no claims, no scopes, no `auth_time` are sent.
    server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap();
    let wire: serde_json::Value = serde_json::from_slice(&fake.requests().last().unwrap().body).unwrap();
    assert_eq!(wire, serde_json::json!({"ticket": TICKET, "result": "AUTHORIZED", "subject": "alice"}));
}

#[tokio::test]
async fn complete_denied_and_failed_send_their_results() {
    let (fake, server) = authlete().await;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &no_action());
    for (decision, result) in [
        (BackchannelDecision::denied(), "ACCESS_DENIED"),
        (BackchannelDecision::failed(), "TRANSACTION_FAILED"),
        (BackchannelDecision::Denied, "ACCESS_DENIED"),
    ] {
        let outcome = server.complete_backchannel(TICKET, "alice", decision).await.unwrap();
        assert_eq!(outcome, BackchannelOutcome::AwaitingPoll);
        let wire: serde_json::Value = serde_json::from_slice(&fake.requests().last().unwrap().body).unwrap();
        assert_eq!(wire, serde_json::json!({"ticket": TICKET, "result": result, "subject": "alice"}));
    }
}

#[tokio::test]
async fn complete_in_push_mode_delivers_the_notification_byte_for_byte() {
    let (fake, server) = authlete().await;
    let (client, delivered) = notification_endpoint(Some(204), None).await;
    let endpoint = format!("{client}/cb/ciba?client=7");
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &notification_answer(&endpoint, DeliveryMode::Push, PUSHED));

    let outcome = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap();
    assert_eq!(outcome, BackchannelOutcome::Notified { status: axum::http::StatusCode::NO_CONTENT });

    let [notification] = &delivered.lock().unwrap()[..] else { panic!("one notification") };
    let host = client.trim_start_matches("http://");
    let user_agent = notification.headers.iter().find(|(name, _)| name == "user-agent").map(|(_, v)| v.clone());
    let user_agent = user_agent.expect("a user agent");
    assert!(user_agent.starts_with("authlete-rust/"), "{user_agent}");
    let expected = Delivered {
        method: "POST".into(),
        uri: "/cb/ciba?client=7".into(),
        headers: vec![
            ("accept".into(), "*/*".into()),
            ("authorization".into(), format!("Bearer {NOTIFICATION_TOKEN}")),
            ("content-length".into(), PUSHED.len().to_string()),
            ("content-type".into(), "application/json".into()),
            ("host".into(), host.to_owned()),
            ("user-agent".into(), user_agent),
        ],
        body: PUSHED.as_bytes().to_vec(),
    };
    assert_eq!(notification, &expected);
}

#[tokio::test]
async fn complete_denied_in_ping_mode_pings_and_takes_a_200() {
    let (fake, server) = authlete().await;
    let (client, delivered) = notification_endpoint(Some(200), None).await;
    let ping = r#"{"auth_req_id":"ari-1"}"#;
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_COMPLETE,
        &notification_answer(&format!("{client}/ping"), DeliveryMode::Ping, ping),
    );
    let outcome = server.complete_backchannel(TICKET, "alice", BackchannelDecision::denied()).await.unwrap();
    assert_eq!(outcome, BackchannelOutcome::Notified { status: axum::http::StatusCode::OK });
    let [notification] = &delivered.lock().unwrap()[..] else { panic!("one notification") };
    assert_eq!((notification.uri.as_str(), notification.body.as_slice()), ("/ping", ping.as_bytes()));
    let [sent] = &fake.received(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE)[..] else { panic!("one request") };
    assert_eq!(sent.result, BackchannelAuthenticationCompleteRequestResult::AccessDenied);
}

/// Asserts that `error` is a failed notification whose text is `text`, and that neither the
/// text nor the `Debug` output holds a secret, the endpoint's path or its query.
#[track_caller]
fn assert_notification_error(error: &BackchannelError, text: &str) {
    assert!(matches!(error, BackchannelError::Notification(_)), "{error:?}");
    assert_eq!(error.to_string(), text);
    for shown in [error.to_string(), format!("{error:?}")] {
        for secret in [NOTIFICATION_TOKEN, TICKET, "at-secret-1", "cb/ciba", "client=7"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

#[tokio::test]
async fn complete_with_a_notification_endpoint_that_refuses_or_redirects_is_an_error() {
    let (fake, server) = authlete().await;
    let (client, delivered) = notification_endpoint(Some(500), None).await;
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_COMPLETE,
        &notification_answer(&format!("{client}/cb/ciba?client=7"), DeliveryMode::Push, PUSHED),
    );
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    assert_notification_error(&error, "the client's notification endpoint at `127.0.0.1` answered 500");
    let BackchannelError::Notification(notification) = &error else { unreachable!() };
    assert_eq!(
        (notification.host(), notification.status(), notification.is_timeout()),
        ("127.0.0.1", Some(axum::http::StatusCode::INTERNAL_SERVER_ERROR), false)
    );
    assert_eq!(delivered.lock().unwrap().len(), 1);

    // A redirect is not followed: the notification goes to the URL Authlete named, and nowhere else.
    let (elsewhere, redirected) = notification_endpoint(Some(204), None).await;
    let (client, delivered) = notification_endpoint(Some(307), Some(format!("{elsewhere}/stolen"))).await;
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_COMPLETE,
        &notification_answer(&format!("{client}/cb/ciba?client=7"), DeliveryMode::Push, PUSHED),
    );
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    assert_notification_error(&error, "the client's notification endpoint at `127.0.0.1` answered 307");
    assert_eq!(delivered.lock().unwrap().len(), 1);
    assert!(redirected.lock().unwrap().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn complete_with_a_notification_endpoint_down_or_hanging_is_an_error() {
    let (fake, server) = authlete_waiting(Duration::from_millis(300)).await;
    let down = format!("{}/cb/ciba?client=7", closed_url().await);
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &notification_answer(&down, DeliveryMode::Ping, "{}"));
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    let text = error.to_string();
    let prefix = "the client's notification endpoint at `127.0.0.1` could not be reached: ";
    assert!(text.starts_with(prefix) && text.len() > prefix.len(), "{text}");
    assert_notification_error(&error, &text);

    let (client, delivered) = notification_endpoint(None, None).await;
    let hanging = format!("{client}/cb/ciba?client=7");
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &notification_answer(&hanging, DeliveryMode::Push, PUSHED));
    let started = std::time::Instant::now();
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "bounded by the endpoint's timeout");
    assert_notification_error(&error, "the client's notification endpoint at `127.0.0.1` did not answer within 300 ms");
    let BackchannelError::Notification(notification) = &error else { unreachable!() };
    assert!(notification.is_timeout() && notification.status().is_none());
    assert_eq!(delivered.lock().unwrap().len(), 1);

    // An endpoint that is no http(s) URL is not tried.
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_COMPLETE,
        &notification_answer("ftp://client.example.com/cb", DeliveryMode::Push, PUSHED),
    );
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    assert_notification_error(&error, "the client's notification endpoint at `` is not an absolute http or https URL");
}

#[tokio::test]
async fn complete_server_error_unknown_action_or_missing_parts_are_authlete_errors() {
    let (fake, server) = authlete().await;
    let server_error = BackchannelAuthenticationCompleteResponse {
        action: Some(BackchannelAuthenticationCompleteResponseAction::ServerError),
        result_code: Some("A200303".into()),
        result_message: Some(format!("[A200303] The ticket {TICKET} is unknown")),
        ..Default::default()
    };
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &server_error);
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::denied()).await.unwrap_err();
    assert!(matches!(error, BackchannelError::Authlete(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Authlete did not complete the backchannel authentication request: action SERVER_ERROR (result code A200303)"
    );
    assert!(!format!("{error:?}").contains(TICKET));

    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, Reply::json(200, serde_json::json!({"action": "LATER"})));
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::denied()).await.unwrap_err();
    assert_eq!(error.to_string(), "Authlete did not complete the backchannel authentication request: action LATER");

    fake.reply_once(
        ops::BACKCHANNEL_AUTHENTICATION_COMPLETE,
        Reply::json(200, serde_json::json!({"resultCode": "A1"})),
    );
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::denied()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Authlete did not complete the backchannel authentication request: no action (result code A1)"
    );

    let mut incomplete = notification_answer("https://client.example.com/cb", DeliveryMode::Ping, "{}");
    incomplete.client_notification_token = None;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, &incomplete);
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::denied()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Authlete did not complete the backchannel authentication request: action NOTIFICATION without a notification endpoint, token and content"
    );
}

#[tokio::test]
async fn complete_with_authlete_hanging_or_failing_is_an_error_in_time() {
    let (fake, server) = authlete_waiting(Duration::from_millis(200)).await;
    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, Reply::hang());
    let started = std::time::Instant::now();
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "bounded by the endpoint's timeout");
    assert!(matches!(error, BackchannelError::TimedOut(timeout) if timeout == Duration::from_millis(200)));
    assert_eq!(
        error.to_string(),
        "the backchannel authentication request could not be completed: Authlete did not answer within 200 ms"
    );

    fake.reply_once(ops::BACKCHANNEL_AUTHENTICATION_COMPLETE, Reply::api_error(500, "A000500", "broken"));
    let error = server.complete_backchannel(TICKET, "alice", BackchannelDecision::authorized()).await.unwrap_err();
    let BackchannelError::Unavailable(authlete::Error::Api(api)) = &error else { panic!("{error:?}") };
    assert_eq!(api.status, 500);
    assert!(std::error::Error::source(&error).is_some());
    assert!(!error.to_string().contains(TICKET) && !format!("{error:?}").contains(TICKET));

    let client = authlete::Client::builder().base_url(closed_url().await).bearer_token("t").build().unwrap();
    let down = AuthorizationServer::new(client.service("1"), Config::new(PUBLIC_URL).unwrap());
    let error = down.complete_backchannel(TICKET, "alice", BackchannelDecision::denied()).await.unwrap_err();
    assert!(matches!(error, BackchannelError::Unavailable(authlete::Error::Transport { .. })), "{error:?}");
}

// --- No secret in `Debug` ---

#[tokio::test]
async fn no_secret_in_the_debug_output_of_the_types() {
    // What `identify` saw, over HTTP, with a client secret in the request.
    let (fake, server) = authlete().await;
    let users = Users::answering(Identification::user("alice"));
    let url = serve(server.backchannel_endpoint(users.clone())).await;
    fake.reply(ops::BACKCHANNEL_AUTHENTICATION, &identification_answer());
    fake.reply(
        ops::BACKCHANNEL_AUTHENTICATION_ISSUE,
        &issue_answer(BackchannelAuthenticationIssueResponseAction::Ok, Some(ISSUED)),
    );
    let answer = post_form(&url, &[("authorization", &basic("bank", CLIENT_SECRET))], FORM).await;
    assert_eq!(answer.status, 200);
    let [(_, request)] = &users.identified()[..] else { panic!("identified once") };
    let [pending] = &users.notified()[..] else { panic!("notified once") };
    let pending = format!("{pending:?}");
    let shown = [
        request.clone(),
        pending.clone(),
        format!("{:?}", server.backchannel_endpoint(Users::answering(Identification::user("alice")))),
        format!("{:?}", server.device_authorization_endpoint()),
    ];
    for text in &shown {
        for secret in [TICKET, NOTIFICATION_TOKEN, USER_CODE, CLIENT_SECRET] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    // What is no secret is there, to be useful in a log.
    assert!(request.contains("alice@example.com") && request.contains("W4SCT"), "{request}");
    assert!(request.contains("user_code: Some([redacted])"), "{request}");
    assert!(pending.contains("ticket: [redacted]") && pending.contains("subject: \"alice\""), "{pending}");

    // Hints that are tokens are not shown.
    for (hint_type, hint) in
        [("ID_TOKEN_HINT", "eyJ.id-token.secret"), ("LOGIN_HINT_TOKEN", "eyJ.login-hint-token.secret")]
    {
        let answer = BackchannelAuthenticationResponse {
            hint_type: Some(hint_type.into()),
            hint: Some(hint.into()),
            sub: Some("alice".into()),
            ..identification_answer()
        };
        let request = BackchannelRequest::new(&answer);
        assert_eq!((request.hint, request.sub), (Some(hint), Some("alice")));
        let shown = format!("{request:?}");
        assert!(!shown.contains(hint) && shown.contains("hint: Some([redacted])"), "{shown}");
        for secret in [TICKET, NOTIFICATION_TOKEN, USER_CODE] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
    assert!(!format!("{:?}", PendingBackchannel::new(TICKET, "alice")).contains(TICKET));
}
