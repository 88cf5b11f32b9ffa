//! The interactive flows end to end, over real HTTP: the toolkit's authorization endpoint and its
//! decision, the device verification page and sign-out, routed by `Routes` and served on
//! 127.0.0.1 in front of the fake Authlete, driven by a "browser" that keeps its cookies by hand.
//! Every action Authlete can answer, the session's part in each decision, and the refusals that
//! keep a decision from being forged, replayed or framed.

mod interactive_support;

use std::time::Duration;

use authlete::models::{
    AuthorizationFailRequestReason, AuthorizationFailResponseAction, AuthorizationResponse,
    AuthorizationResponseAction, BackchannelAuthenticationCompleteRequestResult as DeviceResult,
    ClientLimitedAuthorization, DeviceCompleteResponse, DeviceCompleteResponseAction, DeviceVerificationResponse,
    DeviceVerificationResponseAction, Prompt,
};
use authlete::server::Endpoint;
use authlete::testing::{ops, FakeAuthlete, Reply};
use serde_json::json;

use interactive_support::*;

const DECISION: &str = "/authorize/decision";
const DEVICE: &str = "/device";
const SIGN_OUT: &str = "/logout";

/// How long the tests that make Authlete hang let the server wait: long enough for the fake's
/// other answers on a busy machine, short enough for the test.
const SHORT_TIMEOUT: Duration = Duration::from_millis(500);

/// The fields of an approval with the right password.
fn approval(token: &str) -> Vec<(&str, &str)> {
    vec![("interaction", token), ("login", "alice"), ("password", "wonderland"), ("decision", "approve")]
}

/// What the browser must get for Authlete's `action` with `content` (of `/issue` or `/fail`).
#[track_caller]
fn assert_answered(page: &Page, action: &AuthorizationFailResponseAction, content: &str) {
    match action {
        AuthorizationFailResponseAction::Location => page.assert_redirect(content),
        AuthorizationFailResponseAction::Form => {
            assert_eq!(page.status, 200, "{page:?}");
            assert_eq!(page.body, content);
            assert_eq!(page.header("content-type"), Some("text/html;charset=UTF-8"));
            page.assert_unframed();
            // Authlete's self-posting page has a script that must run: no content policy.
            assert_eq!(page.header("content-security-policy"), None);
        }
        AuthorizationFailResponseAction::BadRequest => {
            page.assert_message(400, "Invalid request");
            assert_eq!(page.message(), "invalid_request: redirect_uri is not registered");
        }
        AuthorizationFailResponseAction::InternalServerError => {
            page.assert_message(500, "Server error");
            assert_eq!(page.message(), "server_error: something broke");
        }
        other => panic!("no expectation for {other}"),
    }
}

/// The action of `/auth/authorization` of the same name.
fn request_action(action: &AuthorizationFailResponseAction) -> AuthorizationResponseAction {
    match action {
        AuthorizationFailResponseAction::Location => AuthorizationResponseAction::Location,
        AuthorizationFailResponseAction::Form => AuthorizationResponseAction::Form,
        AuthorizationFailResponseAction::BadRequest => AuthorizationResponseAction::BadRequest,
        AuthorizationFailResponseAction::InternalServerError => AuthorizationResponseAction::InternalServerError,
        other => panic!("no such action of /auth/authorization: {other}"),
    }
}

/// Each action of `/issue` and `/fail`, with the content Authlete gives for it.
fn answer_actions() -> [(AuthorizationFailResponseAction, &'static str); 4] {
    [
        (AuthorizationFailResponseAction::Location, ERROR_CALLBACK),
        (
            AuthorizationFailResponseAction::Form,
            "<html><body onload=\"document.forms[0].submit()\"><form method=\"post\"></form></body></html>",
        ),
        (
            AuthorizationFailResponseAction::BadRequest,
            r#"{"error":"invalid_request","error_description":"redirect_uri is not registered"}"#,
        ),
        (
            AuthorizationFailResponseAction::InternalServerError,
            r#"{"error":"server_error","error_description":"something broke"}"#,
        ),
    ]
}

// The authorization endpoint: what Authlete says of the request.

#[tokio::test]
async fn the_request_goes_to_authlete_verbatim_by_get_and_by_post() {
    let app = App::start().await;
    let mut browser = app.browser();
    app.fake.reply(
        ops::AUTH_AUTHORIZATION,
        &AuthorizationResponse {
            action: Some(AuthorizationResponseAction::Location),
            response_content: Some(ERROR_CALLBACK.into()),
            ..Default::default()
        },
    );
    let query =
        "response_type=code&client_id=c%2B1&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&state=a+b%26c&x=%E2%9C%93";
    browser.get(&format!("/authorize?{query}")).await.assert_redirect(ERROR_CALLBACK);
    let body = "response_type=code&client_id=c%2B1&scope=openid+email&state=%3Cs%3E";
    browser.post_with("/authorize", &[], body).await.assert_redirect(ERROR_CALLBACK);
    // No query at all: an empty request, still Authlete's to judge.
    browser.get("/authorize").await.assert_redirect(ERROR_CALLBACK);
    // A pushed request (RFC 9126 §4) and a request object (RFC 9101): parameters like any other,
    // which Authlete resolves.
    let pushed = "client_id=c1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Abwc4JK";
    browser.get(&format!("/authorize?{pushed}")).await.assert_redirect(ERROR_CALLBACK);
    let object = "client_id=c1&request=eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.";
    browser.post_with("/authorize", &[], object).await.assert_redirect(ERROR_CALLBACK);

    let sent: Vec<String> =
        app.fake.received(ops::AUTH_AUTHORIZATION).into_iter().map(|request| request.parameters).collect();
    assert_eq!(sent, [query, body, "", pushed, object]);
    // A browser that never saw a page has no session: a redirect makes none.
    assert_eq!(browser.session(), None);
}

#[tokio::test]
async fn a_post_that_is_not_a_form_is_a_400_page_and_reaches_no_one() {
    let app = App::start().await;
    let mut browser = app.browser();
    let page = browser
        .send(reqwest::Method::POST, "/authorize", &[("content-type", "application/json")], Some("{}".into()))
        .await;
    page.assert_message(400, "Invalid request");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION), 0);
}

#[tokio::test]
async fn each_action_of_the_request_is_its_response() {
    let app = App::start().await;
    let mut browser = app.browser();
    for (action, content) in answer_actions() {
        let answer = AuthorizationResponse {
            action: Some(request_action(&action)),
            response_content: Some(content.into()),
            ..Default::default()
        };
        app.fake.reply(ops::AUTH_AUTHORIZATION, &answer);
        let page = browser.get(&format!("/authorize?{QUERY}")).await;
        assert_answered(&page, &action, content);
        page.assert_no_cookie();
    }
    // Nothing was issued nor failed: Authlete's first answer was the last word.
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE) + app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);
}

#[tokio::test]
async fn authlete_s_error_description_is_shown_escaped() {
    let app = App::start().await;
    let mut browser = app.browser();
    let content = json!({
        "error": "invalid_request",
        "error_description": "redirect_uri <script>alert(1)</script> is \"wrong\"",
    });
    app.fake.reply(
        ops::AUTH_AUTHORIZATION,
        &AuthorizationResponse {
            action: Some(AuthorizationResponseAction::BadRequest),
            response_content: Some(content.to_string()),
            ..Default::default()
        },
    );
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_message(400, "Invalid request");
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert_eq!(unescape(page.message()), "invalid_request: redirect_uri <script>alert(1)</script> is \"wrong\"");
    assert!(page.message().contains("&lt;script&gt;"), "{}", page.body);

    // An answer without JSON content says only that the request is not valid.
    app.fake.reply(
        ops::AUTH_AUTHORIZATION,
        &AuthorizationResponse { action: Some(AuthorizationResponseAction::BadRequest), ..Default::default() },
    );
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_message(400, "Invalid request");
    assert_eq!(page.message(), "The request is not valid.");
}

#[tokio::test]
async fn an_unknown_action_or_a_broken_answer_is_a_500_page() {
    let app = App::start().await;
    let mut browser = app.browser();
    for answer in [
        json!({ "action": "SOMETHING_NEW", "ticket": "t-1" }),
        json!({ "ticket": "t-1" }),
        // A LOCATION that cannot be a header, an INTERACTION without a ticket.
        json!({ "action": "LOCATION", "responseContent": "https://client.example/\ncb" }),
        json!({ "action": "INTERACTION" }),
        json!({ "action": "NO_INTERACTION" }),
    ] {
        app.fake.reply_always(ops::AUTH_AUTHORIZATION, Reply::json(200, answer.clone()));
        let page = browser.get(&format!("/authorize?{QUERY}")).await;
        page.assert_message(500, "Server error");
        assert_eq!(page.header("retry-after"), None, "{answer}");
        page.assert_no_cookie();
    }
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL) + app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), 0);
}

#[tokio::test]
async fn authlete_down_or_hanging_is_a_503_page_with_retry_after() {
    let app = App::start_with(None, |config| config.timeout(Endpoint::Authorization, SHORT_TIMEOUT)).await;
    let mut browser = app.browser();
    for reply in [
        Reply::hang(),
        Reply::disconnect(),
        Reply::api_error(503, "A001", "maintenance"),
        Reply::text(502, "text/html", "<h1>Bad Gateway</h1>"),
    ] {
        app.fake.reply_always(ops::AUTH_AUTHORIZATION, reply.clone());
        let page = browser.get(&format!("/authorize?{QUERY}")).await;
        page.assert_message(503, "Please try again");
        assert_eq!(page.header("retry-after"), Some("5"), "{reply:?}");
        assert!(!page.body.contains("A001") && !page.body.contains("maintenance"), "{}", page.body);
    }
    // An error that waiting does not cure (Authlete refusing the service's credentials) is a 500.
    app.fake.reply_always(ops::AUTH_AUTHORIZATION, Reply::api_error(401, "A002", "bad token"));
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_message(500, "Server error");
    assert_eq!(page.header("retry-after"), None);
}

// NO_INTERACTION (`prompt=none`): the session decides.

#[tokio::test]
async fn prompt_none_without_a_session_fails_not_logged_in() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}&prompt=none")).await;
    page.assert_redirect(ERROR_CALLBACK);
    page.assert_no_cookie();
    // A cookie naming no session is no session either.
    browser.cookies.insert("authlete-session".into(), "A".repeat(43));
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(ERROR_CALLBACK);

    let fails = app.fake.received(ops::AUTH_AUTHORIZATION_FAIL);
    assert_eq!(fails.len(), 2);
    for fail in fails {
        assert_eq!((fail.ticket.as_str(), fail.reason), ("t-none", AuthorizationFailRequestReason::NotLoggedIn));
        assert_eq!(fail.description, None);
    }
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), 0);
}

#[tokio::test]
async fn prompt_none_with_a_session_issues_for_its_user() {
    let app = App::start().await;
    let mut browser = app.browser();
    let auth_time = sign_in(&app, &mut browser).await;

    let answer = AuthorizationResponse {
        claims: Some(vec!["email".into(), "phone_number".into()]),
        acrs: Some(vec![ACR.into()]),
        acr_essential: Some(true),
        max_age: Some(3600),
        subject: Some("alice".into()),
        ..no_interaction("t-none")
    };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &answer);
    let page = browser.get(&format!("/authorize?{QUERY}&prompt=none")).await;
    page.assert_redirect(CALLBACK);
    page.assert_no_cookie();

    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    let issue = issues.last().expect("an issue");
    assert_eq!(issues.len(), 2);
    assert_eq!((issue.ticket.as_str(), issue.subject.as_str()), ("t-none", "alice"));
    // The time of the sign-in, not of this request.
    assert_eq!(issue.auth_time, Some(auth_time));
    assert_eq!(issue.acr.as_deref(), Some(ACR));
    // The claims the request asked for that the user has.
    let claims: serde_json::Value = serde_json::from_str(issue.claims.as_deref().expect("claims")).expect("JSON");
    assert_eq!(claims, json!({ "email": "alice@example.com" }));
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);

    // Without claims asked for, none are sent.
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none-2"));
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(CALLBACK);
    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    let issue = issues.last().expect("an issue");
    assert_eq!((issue.ticket.as_str(), issue.claims.as_deref()), ("t-none-2", None));
}

#[tokio::test]
async fn prompt_none_fails_with_the_reason_the_session_falls_short() {
    let app = App::start().await;
    let mut browser = app.browser();
    let signed_in_at = sign_in(&app, &mut browser).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));

    let different_subject = AuthorizationResponse { subject: Some("bob".into()), ..no_interaction("t-subject") };
    let acr_unmet = AuthorizationResponse {
        acrs: Some(vec!["urn:gold".into()]),
        acr_essential: Some(true),
        ..no_interaction("t-acr")
    };
    // Not essential: any ACR will do.
    let acr_voluntary = AuthorizationResponse {
        acrs: Some(vec!["urn:gold".into()]),
        acr_essential: Some(false),
        ..no_interaction("t-acr-voluntary")
    };
    for answer in [&different_subject, &acr_unmet, &acr_voluntary] {
        app.fake.reply(ops::AUTH_AUTHORIZATION, answer);
        let page = browser.get(&format!("/authorize?{QUERY}&prompt=none")).await;
        let expected = if answer.ticket.as_deref() == Some("t-acr-voluntary") { CALLBACK } else { ERROR_CALLBACK };
        page.assert_redirect(expected);
    }

    // Authlete's maxAge 0 is "none asked for": no check.
    let unasked = AuthorizationResponse { max_age: Some(0), ..no_interaction("t-age-unasked") };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &unasked);
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(CALLBACK);

    // max_age=1: a sign-in more than a second old is too old.
    while unix_now() <= signed_in_at + 1 {
        next_second().await;
    }
    let too_old = AuthorizationResponse { max_age: Some(1), ..no_interaction("t-age") };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &too_old);
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(ERROR_CALLBACK);

    let fails: Vec<(String, AuthorizationFailRequestReason)> =
        app.fake.received(ops::AUTH_AUTHORIZATION_FAIL).into_iter().map(|fail| (fail.ticket, fail.reason)).collect();
    assert_eq!(
        fails,
        [
            ("t-subject".into(), AuthorizationFailRequestReason::DifferentSubject),
            ("t-acr".into(), AuthorizationFailRequestReason::AcrNotSatisfied),
            ("t-age".into(), AuthorizationFailRequestReason::ExceedsMaxAge),
        ]
    );
    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    let tickets: Vec<&str> = issues.iter().map(|issue| issue.ticket.as_str()).collect();
    assert!(tickets.ends_with(&["t-acr-voluntary", "t-age-unasked"]), "{tickets:?}");
}

#[tokio::test]
async fn each_action_of_fail_and_of_issue_is_its_response() {
    let app = App::start().await;
    let mut signed_out = app.browser();
    let mut signed_in = app.browser();
    sign_in(&app, &mut signed_in).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    for (action, content) in answer_actions() {
        app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(action.clone(), content));
        app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(action.clone(), content));
        let failed = signed_out.get(&format!("/authorize?{QUERY}&prompt=none")).await;
        assert_answered(&failed, &action, content);
        failed.assert_no_cookie();
        let issued = signed_in.get(&format!("/authorize?{QUERY}&prompt=none")).await;
        assert_answered(&issued, &action, content);
        issued.assert_no_cookie();
    }
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 4);
    // One issue for the sign-in, four for prompt=none.
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), 5);

    // An action of /issue or /fail newer than the crate, or none: a 500 page.
    for answer in [json!({ "action": "SOMETHING_NEW" }), json!({})] {
        app.fake.reply_always(ops::AUTH_AUTHORIZATION_FAIL, Reply::json(200, answer.clone()));
        app.fake.reply_always(ops::AUTH_AUTHORIZATION_ISSUE, Reply::json(200, answer));
        signed_out.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_message(500, "Server error");
        signed_in.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_message(500, "Server error");
    }
    // Authlete down at /issue or /fail: a 503 page.
    app.fake.reply_always(ops::AUTH_AUTHORIZATION_FAIL, Reply::disconnect());
    app.fake.reply_always(ops::AUTH_AUTHORIZATION_ISSUE, Reply::disconnect());
    for browser in [&mut signed_out, &mut signed_in] {
        let page = browser.get(&format!("/authorize?{QUERY}&prompt=none")).await;
        page.assert_message(503, "Please try again");
        assert_eq!(page.header("retry-after"), Some("5"));
    }
}

// INTERACTION: the page.

#[tokio::test]
async fn the_page_shows_the_request_and_starts_a_session() {
    let app = App::start().await;
    let answer = AuthorizationResponse { purpose: Some("To print your photo book".into()), ..interaction("t-1") };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &answer);
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_page(200);

    assert_eq!(page.element("client-name"), Some("Photo Book"));
    assert!(page.body.contains("<img src=\"https:&#x2f;&#x2f;client.example&#x2f;logo.png\""), "{}", page.body);
    assert!(page.body.contains("<li><strong>openid</strong></li>"), "{}", page.body);
    assert!(page.body.contains("<li><strong>email</strong>: Your email address</li>"), "{}", page.body);
    assert!(page.body.contains("<li>name</li>") && page.body.contains("<li>email</li>"), "{}", page.body);
    assert!(page.body.contains("Why: To print your photo book"), "{}", page.body);
    // Not signed in: the sign-in form, the login hint filled in.
    assert_eq!(page.field("login").as_deref(), Some("alice"));
    assert_eq!(page.field("password").as_deref(), Some(""));
    assert_eq!(page.element("signed-in"), None);
    assert!(page
        .body
        .contains(&format!("action=\"{}\"", app.base.replace('/', "&#x2f;") + "&#x2f;authorize&#x2f;decision")));
    assert_eq!(page.token("interaction").len(), 43);

    let cookie = page.set_cookie();
    assert_eq!(cookie.name, "authlete-session");
    assert_eq!(cookie.value.len(), 43);
    assert!(cookie.has("httponly"), "{cookie:?}");
    assert_eq!(cookie.attribute("samesite"), Some("Lax"));
    assert_eq!(cookie.attribute("path"), Some("/"));
    assert_eq!(cookie.attribute("max-age"), Some("28800"));
    assert!(!cookie.has("secure"), "{cookie:?}");
    assert!(!cookie.has("domain"), "{cookie:?}");

    // The same browser again: the same session, no new cookie, a new token.
    let again = browser.get(&format!("/authorize?{QUERY}")).await;
    again.assert_page(200);
    again.assert_no_cookie();
    assert_ne!(again.token("interaction"), page.token("interaction"));
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE) + app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);
}

#[tokio::test]
async fn on_an_https_server_the_cookie_is_secure_and_host_only() {
    let app = App::start_with(Some("https://as.example"), |config| config).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_page(200);
    assert!(
        page.body.contains("action=\"https:&#x2f;&#x2f;as.example&#x2f;authorize&#x2f;decision\""),
        "{}",
        page.body
    );
    let cookie = page.set_cookie();
    assert_eq!(cookie.name, "__Host-authlete-session");
    assert!(cookie.has("secure") && cookie.has("httponly"), "{cookie:?}");
    assert_eq!((cookie.attribute("path"), cookie.attribute("samesite")), (Some("/"), Some("Lax")));
    assert!(!cookie.has("domain"), "{cookie:?}");

    // The server's origin is the public URL's, not the address it happens to be served at.
    let token = page.token("interaction");
    let local_origin = app.origin().to_owned();
    let refused = browser.post_with(DECISION, &[("origin", &local_origin)], &form(&approval(&token))).await;
    refused.assert_page(403);
    let decided = browser.post_with(DECISION, &[("origin", "https://as.example")], &form(&approval(&token))).await;
    decided.assert_redirect(CALLBACK);
    let rotated = decided.set_cookie();
    assert_eq!(rotated.name, "__Host-authlete-session");
    assert!(rotated.has("secure"), "{rotated:?}");
    assert_ne!(rotated.value, cookie.value);

    // Signing out clears the cookie with the attributes a browser needs to accept it.
    let signed_out = browser.post_with(SIGN_OUT, &[("origin", "https://as.example")], "").await;
    signed_out.assert_message(200, "Signed out");
    let cleared = signed_out.set_cookie();
    assert_eq!((cleared.name.as_str(), cleared.value.as_str()), ("__Host-authlete-session", ""));
    assert!(cleared.has("secure"), "{cleared:?}");
    assert_eq!((cleared.attribute("path"), cleared.attribute("max-age")), (Some("/"), Some("0")));
}

#[tokio::test]
async fn each_tab_has_its_token_and_the_oldest_of_many_goes_first() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let mut tokens = Vec::new();
    for tab in 0..9 {
        app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction(&format!("t-{tab}")));
        tokens.push(browser.get(&format!("/authorize?{QUERY}")).await.token("interaction"));
    }
    // A session keeps eight pages waiting: the first tab's is gone.
    browser.post(DECISION, &approval(&tokens[0])).await.assert_message(400, "This request has expired");
    // The others each decide their own request.
    browser.post(DECISION, &approval(&tokens[5])).await.assert_redirect(CALLBACK);
    browser.post(DECISION, &[("interaction", &tokens[1]), ("decision", "approve")]).await.assert_redirect(CALLBACK);
    let tickets: Vec<String> =
        app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE).into_iter().map(|issue| issue.ticket).collect();
    assert_eq!(tickets, ["t-5", "t-1"]);
}

#[tokio::test]
async fn a_page_open_in_another_tab_survives_a_sign_in_elsewhere() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    let old_id = browser.session().expect("a session").to_owned();
    // Signed in on the device page meanwhile: the session moves to a new ID.
    consent_page(&app, &mut browser).await;
    assert_ne!(browser.session(), Some(old_id.as_str()));
    // The old ID is worth nothing; the authorization page's token is still the session's, and
    // the user is signed in now.
    let mut stale = app.browser();
    stale.cookies.insert("authlete-session".into(), old_id);
    let decision = [("interaction", page.token("interaction")), ("decision", "approve".to_owned())];
    let decision: Vec<(&str, &str)> = decision.iter().map(|(name, value)| (*name, value.as_str())).collect();
    stale.post(DECISION, &decision).await.assert_message(400, "This request has expired");
    let answer = browser.post(DECISION, &decision).await;
    answer.assert_redirect(CALLBACK);
    answer.assert_no_cookie();
    let [issue] = &app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE)[..] else { panic!("one issue") };
    assert_eq!((issue.ticket.as_str(), issue.subject.as_str()), ("t-1", "alice"));
}

// The decision.

#[tokio::test]
async fn approving_with_the_password_issues_and_moves_the_session_to_a_new_id() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    let first_id = page.set_cookie().value;
    let token = page.token("interaction");

    let before = unix_now();
    let answer = browser.post(DECISION, &approval(&token)).await;
    let after = unix_now();
    answer.assert_redirect(CALLBACK);
    let cookie = answer.set_cookie();
    assert_eq!(cookie.name, "authlete-session");
    assert_ne!(cookie.value, first_id, "the session ID changes at sign-in");
    assert!(cookie.has("httponly") && !cookie.has("secure"), "{cookie:?}");
    assert_eq!((cookie.attribute("path"), cookie.attribute("samesite")), (Some("/"), Some("Lax")));

    let [issue] = &app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE)[..] else { panic!("one issue") };
    assert_eq!((issue.ticket.as_str(), issue.subject.as_str()), ("t-1", "alice"));
    let auth_time = issue.auth_time.expect("auth_time");
    assert!((before..=after).contains(&auth_time), "{before} <= {auth_time} <= {after}");
    assert_eq!(issue.acr.as_deref(), Some(ACR));
    let claims: serde_json::Value = serde_json::from_str(issue.claims.as_deref().expect("claims")).expect("JSON");
    assert_eq!(claims, json!({ "name": "Alice Liddell", "email": "alice@example.com" }));
    assert_eq!(issue.scopes, None, "the scopes as requested");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);

    // The old ID names nothing now; the new one names alice.
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));
    let mut planted = app.browser();
    planted.cookies.insert("authlete-session".into(), first_id);
    planted.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(ERROR_CALLBACK);
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(CALLBACK);
    let fails = app.fake.received(ops::AUTH_AUTHORIZATION_FAIL);
    assert_eq!(
        fails.iter().map(|fail| &fail.reason).collect::<Vec<_>>(),
        [&AuthorizationFailRequestReason::NotLoggedIn]
    );
}

#[tokio::test]
async fn the_server_may_grant_fewer_scopes_than_requested() {
    let app = App::start().await;
    let answer = AuthorizationResponse {
        scopes: Some(vec![scope("openid", None), scope("admin", Some("Everything"))]),
        ..interaction("t-1")
    };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &answer);
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    browser.post(DECISION, &approval(&page.token("interaction"))).await.assert_redirect(CALLBACK);
    let [issue] = &app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE)[..] else { panic!("one issue") };
    assert_eq!(issue.scopes.as_deref(), Some(&["openid".to_owned()][..]));
}

#[tokio::test]
async fn without_claims_asked_for_none_are_sent() {
    let app = App::start().await;
    let answer = AuthorizationResponse { claims: None, ..interaction("t-1") };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &answer);
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    assert!(!page.body.contains("id=\"claims\""), "{}", page.body);
    browser.post(DECISION, &approval(&page.token("interaction"))).await.assert_redirect(CALLBACK);
    let [issue] = &app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE)[..] else { panic!("one issue") };
    assert_eq!((issue.subject.as_str(), issue.claims.as_deref()), ("alice", None));
}

#[tokio::test]
async fn each_action_of_issue_after_a_sign_in_carries_the_new_cookie() {
    let app = App::start_with(None, |config| config.timeout(Endpoint::Authorization, SHORT_TIMEOUT)).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    for (action, content) in answer_actions() {
        app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(action.clone(), content));
        let mut browser = app.browser();
        let page = browser.get(&format!("/authorize?{QUERY}")).await;
        let first = page.set_cookie().value;
        let answer = browser.post(DECISION, &approval(&page.token("interaction"))).await;
        assert_answered(&answer, &action, content);
        let cookie = answer.set_cookie();
        assert_ne!(cookie.value, first, "{action}");
    }
    // Authlete hanging at /issue after the sign-in, or an answer that makes no sense: a 503 or 500
    // page, and still the new cookie (the old ID no longer names the session: without the new one
    // the user would be signed out).
    for (reply, status) in [
        (Reply::hang(), 503),
        (Reply::json(200, json!({ "action": "SOMETHING_NEW" })), 500),
        (Reply::json(200, json!({})), 500),
        (Reply::json(200, json!({ "action": "LOCATION" })), 500),
        (Reply::json(200, json!({ "action": "FORM" })), 500),
    ] {
        app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
        app.fake.reply_always(ops::AUTH_AUTHORIZATION_ISSUE, reply.clone());
        let mut browser = app.browser();
        let page = browser.get(&format!("/authorize?{QUERY}")).await;
        let answer = browser.post(DECISION, &approval(&page.token("interaction"))).await;
        answer.assert_page(status);
        assert_eq!(answer.header("retry-after").is_some(), status == 503, "{reply:?}");
        assert_ne!(answer.set_cookie().value, page.set_cookie().value, "{reply:?}");
        // The user is signed in: prompt=none issues.
        app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
        app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
        browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(CALLBACK);
    }
    // The same when the sign-in is followed by /fail (alice signed in where bob was asked for).
    app.fake
        .reply(ops::AUTH_AUTHORIZATION, &AuthorizationResponse { subject: Some("bob".into()), ..interaction("t-bob") });
    app.fake.reply_always(ops::AUTH_AUTHORIZATION_FAIL, Reply::disconnect());
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    let answer = browser.post(DECISION, &approval(&page.token("interaction"))).await;
    answer.assert_message(503, "Please try again");
    assert_ne!(answer.set_cookie().value, page.set_cookie().value);
    let [.., fail] = &app.fake.received(ops::AUTH_AUTHORIZATION_FAIL)[..] else { panic!("a fail") };
    assert_eq!((fail.ticket.as_str(), &fail.reason), ("t-bob", &AuthorizationFailRequestReason::DifferentSubject));
}

#[tokio::test]
async fn a_wrong_password_shows_the_page_again_with_a_new_token() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    let first = page.token("interaction");

    let wrong = [("interaction", first.as_str()), ("login", "alice"), ("password", "queen"), ("decision", "approve")];
    let again = browser.post(DECISION, &wrong).await;
    again.assert_page(200);
    again.assert_no_cookie();
    assert_eq!(again.element("error"), Some("The login name or the password is wrong."));
    assert_eq!(again.element("client-name"), Some("Photo Book"));
    assert!(again.field("password").is_some(), "{}", again.body);
    let second = again.token("interaction");
    assert_ne!(second, first);
    // Approving without the password asks for it.
    let missing = browser.post(DECISION, &[("interaction", &second), ("decision", "approve")]).await;
    missing.assert_page(200);
    assert_eq!(missing.element("error"), Some("Please sign in."));
    let third = missing.token("interaction");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE) + app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);

    // The earlier tokens were used up; the newest one works.
    browser.post(DECISION, &approval(&first)).await.assert_message(400, "This request has expired");
    browser.post(DECISION, &approval(&second)).await.assert_message(400, "This request has expired");
    browser.post(DECISION, &approval(&third)).await.assert_redirect(CALLBACK);
    let [issue] = &app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE)[..] else { panic!("one issue") };
    assert_eq!((issue.ticket.as_str(), issue.subject.as_str()), ("t-1", "alice"));
}

#[tokio::test]
async fn denying_fails_denied_without_signing_in() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    // A browser sends no password with the deny button (formnovalidate), and none is needed.
    let answer = browser.post(DECISION, &[("interaction", &page.token("interaction")), ("decision", "deny")]).await;
    answer.assert_redirect(ERROR_CALLBACK);
    answer.assert_no_cookie();
    let [fail] = &app.fake.received(ops::AUTH_AUTHORIZATION_FAIL)[..] else { panic!("one fail") };
    assert_eq!((fail.ticket.as_str(), &fail.reason), ("t-1", &AuthorizationFailRequestReason::Denied));
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), 0);
}

#[tokio::test]
async fn a_decision_that_no_page_of_this_browser_asked_for_is_refused() {
    let app = App::start().await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    let token = page.token("interaction");

    // Without the session (another browser, or a cross-site post that carries no cookie).
    let mut stranger = app.browser();
    let answer = stranger.post(DECISION, &approval(&token)).await;
    answer.assert_message(400, "This request has expired");
    answer.assert_no_cookie();
    // With the session but a token it never got, or none.
    browser.post(DECISION, &approval(&"x".repeat(43))).await.assert_message(400, "This request has expired");
    browser
        .post(DECISION, &[("login", "alice"), ("password", "wonderland"), ("decision", "approve")])
        .await
        .assert_message(400, "This request has expired");
    // From another site, even with the session and the token.
    let evil = browser.post_with(DECISION, &[("origin", "https://evil.example")], &form(&approval(&token))).await;
    evil.assert_message(403, "This request has expired");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE) + app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);

    // None of that used the token up: the page's own decision, from the server's origin, works.
    let origin = app.origin().to_owned();
    let answer = browser.post_with(DECISION, &[("origin", &origin)], &form(&approval(&token))).await;
    answer.assert_redirect(CALLBACK);
    // Once.
    let replayed = browser.post(DECISION, &approval(&token)).await;
    replayed.assert_message(400, "This request has expired");
    let deny_replayed = browser.post(DECISION, &[("interaction", &token), ("decision", "deny")]).await;
    deny_replayed.assert_message(400, "This request has expired");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), 1);
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);
}

#[tokio::test]
async fn the_decision_takes_only_a_post_form() {
    let app = App::start().await;
    let mut browser = app.browser();
    let get = browser.get(&format!("{DECISION}?interaction=x&decision=approve")).await;
    assert_eq!(get.status, 405, "{get:?}");
    assert_eq!(get.header("allow"), Some("POST"));
    let json =
        browser.send(reqwest::Method::POST, DECISION, &[("content-type", "application/json")], Some("{}".into())).await;
    json.assert_message(400, "Invalid request");
    assert_eq!(app.fake.requests().len(), 0);
}

#[tokio::test]
async fn a_signed_in_user_approves_without_the_password() {
    let app = App::start().await;
    let mut browser = app.browser();
    let auth_time = sign_in(&app, &mut browser).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-2"));
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_page(200);
    page.assert_no_cookie();
    assert_eq!(page.field("password"), None, "{}", page.body);
    assert_eq!(page.field("login"), None, "{}", page.body);
    assert_eq!(page.element("signed-in"), Some("Signed in as alice."));

    let answer = browser.post(DECISION, &[("interaction", &page.token("interaction")), ("decision", "approve")]).await;
    answer.assert_redirect(CALLBACK);
    answer.assert_no_cookie();
    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    let issue = issues.last().expect("an issue");
    assert_eq!((issues.len(), issue.ticket.as_str(), issue.subject.as_str()), (2, "t-2", "alice"));
    assert_eq!((issue.auth_time, issue.acr.as_deref()), (Some(auth_time), Some(ACR)));
}

#[tokio::test]
async fn a_request_the_session_does_not_satisfy_asks_to_sign_in_again() {
    let app = App::start().await;
    let mut browser = app.browser();
    sign_in(&app, &mut browser).await;
    let prompt_login = AuthorizationResponse { prompts: Some(vec![Prompt::Login]), ..interaction("t-login") };
    let other_user = AuthorizationResponse { subject: Some("bob".into()), login_hint: None, ..interaction("t-bob") };
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));
    // prompt=login: a fresh sign-in, issued; alice signing in where bob was asked for: failed.
    for (answer, hint, outcome) in [(&prompt_login, "alice", CALLBACK), (&other_user, "bob", ERROR_CALLBACK)] {
        app.fake.reply(ops::AUTH_AUTHORIZATION, answer);
        let sent = app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE) + app.fake.count(ops::AUTH_AUTHORIZATION_FAIL);
        let page = browser.get(&format!("/authorize?{QUERY}")).await;
        page.assert_page(200);
        assert!(page.field("password").is_some(), "{}", page.body);
        assert_eq!(page.element("signed-in"), None);
        assert_eq!(page.field("login").as_deref(), Some(hint));
        // Approving without signing in only shows the page again.
        let token = page.token("interaction");
        let again = browser.post(DECISION, &[("interaction", &token), ("decision", "approve")]).await;
        assert_eq!(again.element("error"), Some("Please sign in."));
        assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE) + app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), sent);
        // Signing in again moves the session to a new ID again.
        let old = browser.session().map(str::to_owned);
        let answer = browser.post(DECISION, &approval(&again.token("interaction"))).await;
        answer.assert_redirect(outcome);
        assert_ne!(Some(answer.set_cookie().value), old);
    }
    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    assert_eq!(issues.iter().map(|issue| issue.ticket.as_str()).collect::<Vec<_>>(), ["t-sign-in", "t-login"]);
    let [fail] = &app.fake.received(ops::AUTH_AUTHORIZATION_FAIL)[..] else { panic!("one fail") };
    assert_eq!((fail.ticket.as_str(), &fail.reason), ("t-bob", &AuthorizationFailRequestReason::DifferentSubject));
}

#[tokio::test]
async fn a_sign_in_older_than_max_age_asks_to_sign_in_again() {
    let app = App::start().await;
    let mut browser = app.browser();
    let signed_in_at = sign_in(&app, &mut browser).await;
    while unix_now() <= signed_in_at + 1 {
        next_second().await;
    }
    app.fake.reply(ops::AUTH_AUTHORIZATION, &AuthorizationResponse { max_age: Some(1), ..interaction("t-age") });
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    assert!(page.field("password").is_some(), "{}", page.body);
    // Just signed in: max_age holds, whatever it is.
    browser.post(DECISION, &approval(&page.token("interaction"))).await.assert_redirect(CALLBACK);
    let issues = app.fake.received(ops::AUTH_AUTHORIZATION_ISSUE);
    let issue = issues.last().expect("an issue");
    assert_eq!(issue.ticket, "t-age");
    assert!(issue.auth_time.expect("auth_time") > signed_in_at);
}

// What a client or a request can put in the page.

#[tokio::test]
async fn what_the_client_and_the_request_say_is_shown_escaped() {
    let app = App::start().await;
    let hostile = AuthorizationResponse {
        client: Some(ClientLimitedAuthorization {
            client_name: Some("<script>alert(1)</script>".into()),
            description: Some("<img src=x onerror=alert(2)>".into()),
            logo_uri: Some("javascript:alert(1)".into()),
            policy_uri: Some("javascript:alert(3)".into()),
            tos_uri: Some("data:text/html,<script>alert(4)</script>".into()),
            ..Default::default()
        }),
        login_hint: Some("\"><script>alert(5)</script><input value=\"".into()),
        scopes: Some(vec![scope("<b>openid</b>", Some("<script>alert(6)</script>"))]),
        claims: Some(vec!["<svg onload=alert(7)>".into()]),
        purpose: Some("'); alert(8); ('".into()),
        ..interaction("t-1")
    };
    app.fake.reply(ops::AUTH_AUTHORIZATION, &hostile);
    let mut browser = app.browser();
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    page.assert_page(200);
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(!page.body.contains("<img"), "a javascript: logo is not shown: {}", page.body);
    assert!(!page.body.contains("<svg") && !page.body.contains("<b>"), "{}", page.body);
    assert!(!page.body.contains("javascript:") && !page.body.contains("data:text"), "{}", page.body);
    assert!(!page.body.contains("Privacy policy") && !page.body.contains("Terms of service"), "{}", page.body);
    assert_eq!(page.element("client-name"), Some("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(page.body.contains("&lt;img src=x onerror=alert(2)&gt;"), "{}", page.body);
    assert!(page.body.contains("&lt;svg onload=alert(7)&gt;"), "{}", page.body);
    assert!(page.body.contains("Why: &#x27;); alert(8); (&#x27;"), "{}", page.body);
    // The login hint stays inside its attribute: the field's value is the whole hint.
    assert_eq!(page.field("login").as_deref(), Some("\"><script>alert(5)</script><input value=\""));
    assert_eq!(page.body.matches("<input").count(), 3, "interaction, login, password: {}", page.body);
    // Even in the title.
    assert!(page.body.contains("<title>Authorize &lt;script&gt;"), "{}", page.body);
}

// The device flow's verification page.

fn verification(action: DeviceVerificationResponseAction) -> DeviceVerificationResponse {
    DeviceVerificationResponse {
        action: Some(action),
        client_id: Some(5_309_422),
        client_name: Some("Living-room TV".into()),
        scopes: Some(vec![scope("openid", None), scope("video", Some("Your videos"))]),
        claim_names: Some(vec!["name".into(), "email".into()]),
        ..Default::default()
    }
}

fn completed(action: DeviceCompleteResponseAction) -> DeviceCompleteResponse {
    DeviceCompleteResponse { action: Some(action), ..Default::default() }
}

/// The device page entered with the code and alice's password: the consent page.
async fn consent_page(app: &App, browser: &mut Browser) -> Page {
    app.fake.reply(ops::DEVICE_VERIFICATION, &verification(DeviceVerificationResponseAction::Valid));
    let entry = browser.get(&format!("{DEVICE}?user_code=ABCD-EFGH")).await;
    let form_token = entry.token("form_token");
    let fields = [
        ("form_token", form_token.as_str()),
        ("user_code", " ABCD-EFGH "),
        ("login", "alice"),
        ("password", "wonderland"),
    ];
    let consent = browser.post(DEVICE, &fields).await;
    consent.assert_page(200);
    consent
}

#[tokio::test]
async fn the_device_page_fills_in_the_code_and_starts_a_session() {
    let app = App::start().await;
    let mut browser = app.browser();
    let page = browser.get(&format!("{DEVICE}?user_code=ABCD-EFGH")).await;
    page.assert_page(200);
    assert_eq!(page.field("user_code").as_deref(), Some("ABCD-EFGH"));
    assert_eq!(page.token("form_token").len(), 43);
    assert!(page.field("password").is_some(), "{}", page.body);
    let cookie = page.set_cookie();
    assert_eq!(cookie.name, "authlete-session");
    assert!(cookie.has("httponly") && !cookie.has("secure"), "{cookie:?}");
    assert_eq!((cookie.attribute("samesite"), cookie.attribute("path")), (Some("Lax"), Some("/")));
    // Without the code: an empty field; a hostile code: escaped.
    let empty = browser.get(DEVICE).await;
    assert_eq!(empty.field("user_code").as_deref(), Some(""));
    empty.assert_no_cookie();
    let hostile = browser.get(&format!("{DEVICE}?user_code=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")).await;
    assert!(!hostile.body.contains("<script"), "{}", hostile.body);
    assert_eq!(hostile.field("user_code").as_deref(), Some("\"><script>alert(1)</script>"));
    // HEAD is GET without the body; other methods are refused.
    let head = browser.send(reqwest::Method::HEAD, DEVICE, &[], None).await;
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    let put = browser.send(reqwest::Method::PUT, DEVICE, &[], None).await;
    assert_eq!((put.status, put.header("allow")), (405, Some("GET, POST, HEAD")));
    assert_eq!(app.fake.requests().len(), 0);
}

#[tokio::test]
async fn the_device_form_needs_the_session_s_form_token() {
    let app = App::start().await;
    let mut browser = app.browser();
    let page = browser.get(&format!("{DEVICE}?user_code=ABCD")).await;
    let form_token = page.token("form_token");
    let signed = |token: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![("form_token", token), ("user_code", "ABCD"), ("login", "alice"), ("password", "wonderland")]
    };
    // No form token, a wrong one.
    browser.post(DEVICE, &signed("")[1..]).await.assert_message(400, "This page has expired");
    browser.post(DEVICE, &signed("not-the-token")).await.assert_message(400, "This page has expired");
    // The right one, without the session.
    let fields =
        [("form_token", form_token.as_str()), ("user_code", "ABCD"), ("login", "alice"), ("password", "wonderland")];
    app.browser().post(DEVICE, &fields).await.assert_message(400, "This page has expired");
    // From another site.
    let evil = browser.post_with(DEVICE, &[("origin", "https://evil.example")], &form(&fields)).await;
    evil.assert_message(403, "This page has expired");
    // A wrong password, no code: the page again, saying so.
    let wrong = [("form_token", form_token.as_str()), ("user_code", "ABCD"), ("login", "alice"), ("password", "x")];
    let again = browser.post(DEVICE, &wrong).await;
    again.assert_page(200);
    assert_eq!(again.element("error"), Some("The login name or the password is wrong."));
    assert_eq!(again.field("user_code").as_deref(), Some("ABCD"));
    let no_code = browser.post(DEVICE, &[("form_token", &form_token), ("user_code", "  ")]).await;
    assert_eq!(no_code.element("error"), Some("Please enter the code your device shows."));
    let no_password = browser.post(DEVICE, &[("form_token", &form_token), ("user_code", "ABCD")]).await;
    assert_eq!(no_password.element("error"), Some("Please sign in."));
    assert_eq!(app.fake.requests().len(), 0);
}

#[tokio::test]
async fn a_valid_code_shows_the_consent_page_and_signs_in() {
    let app = App::start().await;
    let mut browser = app.browser();
    let entry_cookie = browser.get(DEVICE).await.set_cookie().value;
    let page = consent_page(&app, &mut browser).await;
    let [verification] = &app.fake.received(ops::DEVICE_VERIFICATION)[..] else { panic!("one verification") };
    assert_eq!(verification.user_code, "ABCD-EFGH");
    assert_eq!(page.element("client-name"), Some("Living-room TV"));
    assert!(page.body.contains("<strong>ABCD-EFGH</strong>"), "{}", page.body);
    assert!(page.body.contains("<li><strong>video</strong>: Your videos</li>"), "{}", page.body);
    assert!(page.body.contains("<li>email</li>"), "{}", page.body);
    assert_eq!(page.element("signed-in"), Some("Signed in as alice."));
    assert_eq!(page.token("interaction").len(), 43);
    // Signed in: a new session ID.
    assert_ne!(page.set_cookie().value, entry_cookie);
    // Signed in on the authorization page too: the sessions are shared.
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(CALLBACK);
    // And the device page no longer asks for the password.
    let entry = browser.get(DEVICE).await;
    assert_eq!(entry.field("password"), None);
    assert_eq!(entry.element("signed-in"), Some("Signed in as alice."));
}

#[tokio::test]
async fn an_unknown_or_expired_code_shows_the_entry_page_again() {
    let app = App::start().await;
    let mut browser = app.browser();
    let entry = browser.get(DEVICE).await;
    let form_token = entry.token("form_token");
    app.fake.reply(ops::DEVICE_VERIFICATION, &verification(DeviceVerificationResponseAction::NotExist));
    let signed =
        [("form_token", form_token.as_str()), ("user_code", "WXYZ"), ("login", "alice"), ("password", "wonderland")];
    let unknown = browser.post(DEVICE, &signed).await;
    unknown.assert_page(200);
    assert_eq!(unknown.element("error"), Some("That code is not known. Please check it and try again."));
    assert_eq!(unknown.field("user_code").as_deref(), Some("WXYZ"));
    // Signed in by that post: a new cookie, and the new form token.
    unknown.set_cookie();
    assert_eq!(unknown.field("password"), None);
    let form_token = unknown.token("form_token");

    app.fake.reply(ops::DEVICE_VERIFICATION, &verification(DeviceVerificationResponseAction::Expired));
    let expired = browser.post(DEVICE, &[("form_token", &form_token), ("user_code", "WXYZ")]).await;
    expired.assert_page(200);
    expired.assert_no_cookie();
    assert_eq!(expired.element("error"), Some("That code has expired. Please start again on your device."));
    assert_eq!(expired.field("user_code").as_deref(), Some(""));

    app.fake.reply(ops::DEVICE_VERIFICATION, &verification(DeviceVerificationResponseAction::ServerError));
    let broken = browser.post(DEVICE, &[("form_token", &form_token), ("user_code", "WXYZ")]).await;
    broken.assert_message(500, "Server error");

    app.fake.reply_always(ops::DEVICE_VERIFICATION, Reply::json(200, json!({ "action": "SOMETHING_NEW" })));
    browser
        .post(DEVICE, &[("form_token", &form_token), ("user_code", "WXYZ")])
        .await
        .assert_message(500, "Server error");
    app.fake.reply_always(ops::DEVICE_VERIFICATION, Reply::disconnect());
    let down = browser.post(DEVICE, &[("form_token", &form_token), ("user_code", "WXYZ")]).await;
    down.assert_message(503, "Please try again");
    assert_eq!(down.header("retry-after"), Some("5"));

    let codes: Vec<String> =
        app.fake.received(ops::DEVICE_VERIFICATION).into_iter().map(|request| request.user_code).collect();
    assert_eq!(codes, ["WXYZ"; 5]);
    assert_eq!(app.fake.count(ops::DEVICE_COMPLETE), 0);
}

#[tokio::test]
async fn a_sign_in_on_the_device_page_keeps_its_cookie_whatever_authlete_says() {
    let app = App::start().await;
    let signed = |token: &str| {
        form(&[("form_token", token), ("user_code", "WXYZ"), ("login", "alice"), ("password", "wonderland")])
    };
    for reply in [
        Reply::json(200, json!({ "action": "SERVER_ERROR" })),
        Reply::json(200, json!({ "action": "SOMETHING_NEW" })),
        Reply::disconnect(),
    ] {
        app.fake.reply_always(ops::DEVICE_VERIFICATION, reply);
        let mut browser = app.browser();
        let entry = browser.get(DEVICE).await;
        let page = browser.post_with(DEVICE, &[], &signed(&entry.token("form_token"))).await;
        assert!(page.status >= 500, "{page:?}");
        assert_ne!(page.set_cookie().value, entry.set_cookie().value);
        assert_eq!(browser.get(DEVICE).await.element("signed-in"), Some("Signed in as alice."));
    }
}

#[tokio::test]
async fn approving_on_the_device_completes_authorized_and_denying_access_denied() {
    let app = App::start().await;
    app.fake.reply(ops::DEVICE_COMPLETE, &completed(DeviceCompleteResponseAction::Success));
    let mut browser = app.browser();
    let before = unix_now();
    let page = consent_page(&app, &mut browser).await;
    let after = unix_now();
    let approved = browser.post(DEVICE, &[("interaction", &page.token("interaction")), ("decision", "approve")]).await;
    approved.assert_message(200, "Device connected");
    approved.assert_no_cookie();
    let page = consent_page(&app, &mut browser).await;
    let denied = browser.post(DEVICE, &[("interaction", &page.token("interaction")), ("decision", "deny")]).await;
    denied.assert_message(200, "Access denied");

    let [authorized, denial] = &app.fake.received(ops::DEVICE_COMPLETE)[..] else { panic!("two completions") };
    assert_eq!((authorized.user_code.as_str(), &authorized.result), ("ABCD-EFGH", &DeviceResult::Authorized));
    assert_eq!(authorized.subject, "alice");
    let auth_time = authorized.auth_time.expect("auth_time");
    assert!((before..=after).contains(&auth_time), "{before} <= {auth_time} <= {after}");
    assert_eq!(authorized.acr.as_deref(), Some(ACR));
    let claims: serde_json::Value = serde_json::from_str(authorized.claims.as_deref().expect("claims")).expect("JSON");
    assert_eq!(claims, json!({ "name": "Alice Liddell", "email": "alice@example.com" }));
    assert_eq!((denial.user_code.as_str(), &denial.result), ("ABCD-EFGH", &DeviceResult::AccessDenied));
    assert_eq!((denial.subject.as_str(), denial.claims.as_deref(), denial.auth_time), ("alice", None, None));
}

#[tokio::test]
async fn each_action_of_device_complete_is_its_page() {
    let app = App::start().await;
    let mut browser = app.browser();
    for (action, status, title) in [
        (DeviceCompleteResponseAction::Success, 200, "Device connected"),
        (DeviceCompleteResponseAction::UserCodeNotExist, 400, "Unknown code"),
        (DeviceCompleteResponseAction::UserCodeExpired, 400, "Code expired"),
        (DeviceCompleteResponseAction::InvalidRequest, 400, "Invalid request"),
        (DeviceCompleteResponseAction::ServerError, 500, "Server error"),
    ] {
        app.fake.reply(ops::DEVICE_COMPLETE, &completed(action.clone()));
        let page = consent_page(&app, &mut browser).await;
        let answer =
            browser.post(DEVICE, &[("interaction", &page.token("interaction")), ("decision", "approve")]).await;
        answer.assert_message(status, title);
    }
    app.fake.reply_always(ops::DEVICE_COMPLETE, Reply::json(200, json!({ "action": "SOMETHING_NEW" })));
    let page = consent_page(&app, &mut browser).await;
    let answer = browser.post(DEVICE, &[("interaction", &page.token("interaction")), ("decision", "approve")]).await;
    answer.assert_message(500, "Server error");
    app.fake.reply_always(ops::DEVICE_COMPLETE, Reply::disconnect());
    let page = consent_page(&app, &mut browser).await;
    let answer = browser.post(DEVICE, &[("interaction", &page.token("interaction")), ("decision", "approve")]).await;
    answer.assert_message(503, "Please try again");
    assert_eq!(app.fake.count(ops::DEVICE_COMPLETE), 7);
}

#[tokio::test]
async fn a_device_consent_is_taken_once_and_only_from_its_browser() {
    let app = App::start().await;
    app.fake.reply(ops::DEVICE_COMPLETE, &completed(DeviceCompleteResponseAction::Success));
    let mut browser = app.browser();
    let page = consent_page(&app, &mut browser).await;
    let token = page.token("interaction");
    let decision = [("interaction", token.as_str()), ("decision", "approve")];
    app.browser().post(DEVICE, &decision).await.assert_message(400, "This page has expired");
    browser
        .post(DEVICE, &[("interaction", "made-up"), ("decision", "approve")])
        .await
        .assert_message(400, "This page has expired");
    browser
        .post_with(DEVICE, &[("origin", "https://evil.example")], &form(&decision))
        .await
        .assert_message(403, "This page has expired");
    assert_eq!(app.fake.count(ops::DEVICE_COMPLETE), 0);
    // An authorization page's decision endpoint does not take a device token.
    browser.post(DECISION, &decision).await.assert_message(400, "This request has expired");
    let page = consent_page(&app, &mut browser).await;
    let token = page.token("interaction");
    let decision = [("interaction", token.as_str()), ("decision", "approve")];
    browser.post(DEVICE, &decision).await.assert_message(200, "Device connected");
    browser.post(DEVICE, &decision).await.assert_message(400, "This page has expired");
    assert_eq!(app.fake.count(ops::DEVICE_COMPLETE), 1);
}

// Sign-out.

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    let app = App::start().await;
    let mut browser = app.browser();
    sign_in(&app, &mut browser).await;
    let session = browser.session().expect("a session").to_owned();

    let page = browser.post(SIGN_OUT, &[]).await;
    page.assert_message(200, "Signed out");
    let cookie = page.set_cookie();
    assert_eq!((cookie.name.as_str(), cookie.value.as_str()), ("authlete-session", ""));
    assert_eq!(cookie.attribute("max-age"), Some("0"));
    assert_eq!(cookie.attribute("path"), Some("/"));
    assert!(cookie.has("httponly"), "{cookie:?}");
    assert_eq!(browser.session(), None);

    // Even a browser that kept the old cookie is signed out.
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(ERROR_CALLBACK);
    let mut kept = app.browser();
    kept.cookies.insert("authlete-session".into(), session);
    kept.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(ERROR_CALLBACK);
    let reasons: Vec<_> = app.fake.received(ops::AUTH_AUTHORIZATION_FAIL).into_iter().map(|fail| fail.reason).collect();
    assert_eq!(reasons, [AuthorizationFailRequestReason::NotLoggedIn, AuthorizationFailRequestReason::NotLoggedIn]);
    // Signing out again, or without ever signing in, is no error.
    app.browser().post(SIGN_OUT, &[]).await.assert_message(200, "Signed out");
}

#[tokio::test]
async fn another_site_cannot_sign_the_user_out() {
    let app = App::start().await;
    let mut browser = app.browser();
    sign_in(&app, &mut browser).await;
    let page = browser.post_with(SIGN_OUT, &[("origin", "https://evil.example")], "").await;
    page.assert_message(403, "Invalid request");
    page.assert_no_cookie();
    let get = browser.get(SIGN_OUT).await;
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    // Still signed in.
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(CALLBACK);
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);
}

// Limits.

/// A page answered later than `Config::interaction_lifetime` is refused like a replay, and
/// Authlete hears of nothing; one answered in time is decided.
#[tokio::test]
async fn a_page_answered_after_its_lifetime_is_refused() {
    let lifetime = Duration::from_secs(2);
    let app = App::start_with(None, |config| config.interaction_lifetime(lifetime)).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut browser = app.browser();
    let in_time = browser.get(&format!("/authorize?{QUERY}")).await.token("interaction");
    let late = browser.get(&format!("/authorize?{QUERY}")).await.token("interaction");
    browser.post(DECISION, &approval(&in_time)).await.assert_redirect(CALLBACK);

    tokio::time::sleep(lifetime + Duration::from_millis(500)).await;
    browser.post(DECISION, &approval(&late)).await.assert_message(400, "This request has expired");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), 1);
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_FAIL), 0);
}

/// A session unused for `Config::session_idle` is gone: `prompt=none` finds no one signed in.
/// The cookie says as much to the browser (`Max-Age`, in whole seconds).
#[tokio::test]
async fn a_session_unused_for_its_idle_time_is_gone() {
    let idle = Duration::from_secs(2);
    let app = App::start_with(None, |config| config.session_idle(idle)).await;
    let mut browser = app.browser();
    sign_in(&app, &mut browser).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &no_interaction("t-none"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_FAIL, &failed(AuthorizationFailResponseAction::Location, ERROR_CALLBACK));
    let signed_in = browser.get(&format!("/authorize?{QUERY}&prompt=none")).await;
    signed_in.assert_redirect(CALLBACK);

    tokio::time::sleep(idle + Duration::from_millis(500)).await;
    browser.get(&format!("/authorize?{QUERY}&prompt=none")).await.assert_redirect(ERROR_CALLBACK);
    let reasons: Vec<_> = app.fake.received(ops::AUTH_AUTHORIZATION_FAIL).into_iter().map(|fail| fail.reason).collect();
    assert_eq!(reasons, [AuthorizationFailRequestReason::NotLoggedIn]);

    // A new session's cookie lives as long; under a second is still one (0 would delete it).
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    let page = browser.get(&format!("/authorize?{QUERY}")).await;
    assert_eq!(page.set_cookie().attribute("max-age"), Some("2"));
    let app = App::start_with(None, |config| config.session_idle(Duration::from_millis(300))).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    let page = app.browser().get(&format!("/authorize?{QUERY}")).await;
    assert_eq!(page.set_cookie().attribute("max-age"), Some("1"));
}

/// No more sessions than `Config::max_sessions` are kept: of many browsers that each have a page
/// open, at most that many can still answer it.
#[tokio::test]
async fn no_more_sessions_than_the_maximum_are_kept() {
    let app = App::start_with(None, |config| config.max_sessions(4)).await;
    app.fake.reply(ops::AUTH_AUTHORIZATION, &interaction("t-1"));
    app.fake.reply(ops::AUTH_AUTHORIZATION_ISSUE, &issued(AuthorizationFailResponseAction::Location, CALLBACK));
    let mut open = Vec::new();
    for _ in 0..40 {
        let mut browser = app.browser();
        let token = browser.get(&format!("/authorize?{QUERY}")).await.token("interaction");
        open.push((browser, token));
    }
    let mut decided = 0;
    for (mut browser, token) in open {
        let page = browser.post(DECISION, &approval(&token)).await;
        if page.status == 302 {
            decided += 1;
        } else {
            page.assert_message(400, "This request has expired");
        }
    }
    assert!((1..=4).contains(&decided), "{decided} of 40 sessions were still kept");
    assert_eq!(app.fake.count(ops::AUTH_AUTHORIZATION_ISSUE), decided);
}

/// Through `Routes`, a body over the limit reaches the endpoint with one byte too many (read no
/// further), and the page endpoints refuse it with a `413` page, not the OAuth endpoints' JSON.
#[tokio::test]
async fn a_body_over_the_limit_is_a_413_page() {
    let app = App::start_with(None, |config| config.max_body_bytes(512)).await;
    let mut browser = app.browser();
    let large = format!("response_type=code&state={}", "a".repeat(600));
    for path in ["/authorize", DECISION, DEVICE, SIGN_OUT] {
        let page = browser.post_with(path, &[], &large).await;
        page.assert_page(413);
    }
    assert_eq!(app.fake.requests().len(), 0);
}

/// The endpoints themselves, handed a body over the limit (as an adapter that reads the limit and
/// one byte more hands it): a `413` page, and nothing sent to Authlete.
#[tokio::test]
async fn the_page_endpoints_answer_a_body_over_the_limit_with_a_413_page() {
    use authlete::server::pages::DefaultPages;
    use authlete::server::{AuthorizationServer, Config, Handler, Request};

    let fake = FakeAuthlete::start().await;
    let config = Config::new("https://as.example").expect("a URL").max_body_bytes(512);
    let service = fake.client_builder().http_client(http_client()).build().expect("a client");
    let server = AuthorizationServer::new(service.service(FakeAuthlete::SERVICE_ID), config);
    let (authorize, decide) = server.authorization_flow(TestUsers, DefaultPages::new()).endpoints();
    let device = server.device_verification_endpoint(TestUsers, DefaultPages::new());
    let sign_out = server.sign_out_endpoint(DefaultPages::new());
    let large = format!("response_type=code&state={}", "a".repeat(600));
    let request = |path: &str| {
        let request = axum::http::Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(large.as_bytes()[..513].to_vec())
            .expect("a request");
        Request::from_http(request)
    };
    let answers = [
        authorize.handle(request("/authorize")).await,
        decide.handle(request(DECISION)).await,
        device.handle(request(DEVICE)).await,
        sign_out.handle(request(SIGN_OUT)).await,
    ];
    for answer in answers {
        assert_eq!(answer.status(), 413);
        assert_eq!(answer.headers()["content-type"], "text/html;charset=UTF-8");
        assert!(answer.body().starts_with("<!doctype html>"), "{}", answer.body());
        assert!(answer.body().contains("The server cannot read this request."), "{}", answer.body());
    }
    assert_eq!(fake.requests().len(), 0);
}
