//! The browser harness on its own (`browser_support/`): headless Chromium fills and submits a
//! sign-in form served on 127.0.0.1, keeps the cookie it sets with the attributes it was set
//! with, takes a screenshot, refuses to show the form (sent with `X-Frame-Options: DENY`) in a
//! frame, and follows the redirects an authorization server makes to a client's callback, one
//! that answers and one where nothing listens.
//!
//! Two tests, so two browsers, which the test harness's two threads start side by side: a
//! browser's start and first page are most of a test's time on this machine.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::browser_support::Browser;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

const WAIT: Duration = Duration::from_secs(5);

/// `app` on 127.0.0.1; its URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// The value of `name` in a form body (`+` and `%XX` decoded).
fn form_field(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| percent_decode(&value.replace('+', " ")))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()),
        ) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

/// A sign-in form, not to be framed: POST /submit sets an HttpOnly, SameSite=Lax session cookie
/// and redirects to /done?x=1, which greets the cookie's owner. /framer frames both pages.
fn sign_in_app() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                let page = r#"<!doctype html><title>Sign in</title>
<form id="signin" method="post" action="/submit">
  <label>Name <input name="name" value="placeholder"></label>
  <button id="go" type="submit">Sign in</button>
</form>"#;
                ([(header::X_FRAME_OPTIONS, "DENY")], Html(page))
            }),
        )
        .route(
            "/submit",
            post(|body: String| async move {
                let name = form_field(&body, "name").unwrap_or_default();
                let mut response = redirect("/done?x=1");
                let cookie = format!("session={name}; Path=/; HttpOnly; SameSite=Lax");
                response.headers_mut().insert(header::SET_COOKIE, cookie.parse().unwrap());
                response
            }),
        )
        .route(
            "/done",
            get(|headers: HeaderMap| async move {
                let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let who = cookies.split("; ").find_map(|c| c.strip_prefix("session=")).unwrap_or("nobody").to_owned();
                Html(format!(r#"<!doctype html><title>Done</title><p id="who">Signed in as {who}</p>"#))
            }),
        )
        .route(
            "/framer",
            get(|| async {
                Html(
                    r#"<!doctype html><title>Framer</title>
<iframe id="signin" src="/" onload="window.signinLoaded = true"></iframe>
<iframe id="done" src="/done" onload="window.doneLoaded = true"></iframe>"#,
                )
            }),
        )
}

#[tokio::test]
async fn a_sign_in_form_sets_a_cookie_redirects_and_is_not_framed() {
    let url = serve(sign_in_app()).await;
    let mut browser = Browser::start().await.unwrap();

    browser.goto(&format!("{url}/")).await.unwrap();
    browser.fill("input[name=name]", "Alice Liddell").await.unwrap();
    browser.click("#go").await.unwrap();
    let landed = browser.wait_for_url(|u| u.contains("/done"), WAIT).await.unwrap();
    assert_eq!(landed, format!("{url}/done?x=1"));
    assert_eq!(browser.text("#who").await.unwrap(), "Signed in as Alice Liddell");

    // The cookie as the browser keeps it: its attributes, and HttpOnly hides it from the page.
    let cookie = browser.cookie("session").await.unwrap().expect("the session cookie");
    assert_eq!(cookie.value, "Alice Liddell");
    assert!(cookie.http_only, "{cookie:?}");
    assert_eq!(cookie.same_site.as_deref(), Some("Lax"), "{cookie:?}");
    assert!(!cookie.secure, "{cookie:?}");
    assert_eq!(cookie.path.as_deref(), Some("/"), "{cookie:?}");
    assert_eq!(browser.execute("return document.cookie", vec![]).await.unwrap(), "");

    let path = browser.screenshot("browser_smoke_signed_in").await.unwrap();
    let png = std::fs::read(&path).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    assert!(png.len() > 1000, "{} has {} bytes", path.display(), png.len());

    // A missing element is a bounded wait whose error says what and where.
    browser.set_element_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let error = browser.click("#no-such-button").await.unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(error.contains("`#no-such-button`") && error.contains(&format!("current URL: {url}/done?x=1")), "{error}");

    // X-Frame-Options: DENY. Both frames are of the page's own origin, so the open one's document
    // is readable from the page: a frame whose document is not was refused (Chromium put its
    // error page, of another origin, in it), not merely cross-origin.
    browser.goto(&format!("{url}/framer")).await.unwrap();
    let started = std::time::Instant::now();
    while browser.execute("return !!(window.signinLoaded && window.doneLoaded)", vec![]).await.unwrap() != true {
        assert!(started.elapsed() < WAIT, "the frames did not load in {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let frames = browser
        .execute(
            "const read = id => { const d = document.getElementById(id).contentDocument;
                 return d === null ? null : d.body.innerText; };
             return [read('done'), read('signin')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(frames, serde_json::json!(["Signed in as Alice Liddell", null]));

    browser.close().await.unwrap();
}

#[tokio::test]
async fn redirects_reach_a_client_callback_whether_it_answers_or_not() {
    // The client's callback: it records the query it receives.
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = received.clone();
    let client = serve(Router::new().route(
        "/cb",
        get(move |uri: Uri| async move {
            record.lock().unwrap().push(uri.query().unwrap_or("").to_owned());
            Html("<!doctype html><title>Callback</title><p id=\"got\">Callback received</p>")
        }),
    ))
    .await;
    // A port where nothing listens.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // The authorization server's consent page: approving redirects to the redirect URI.
    let server = serve(
        Router::new()
            .route(
                "/authorize",
                get(|uri: Uri| async move {
                    let redirect_uri = form_field(uri.query().unwrap_or(""), "redirect_uri").unwrap_or_default();
                    Html(format!(
                        r#"<!doctype html><title>Consent</title>
<form id="consent" method="post" action="/approve">
  <input type="hidden" name="redirect_uri" value="{redirect_uri}">
  <button type="submit">Approve</button>
</form>"#
                    ))
                }),
            )
            .route(
                "/approve",
                post(|body: String| async move {
                    let redirect_uri = form_field(&body, "redirect_uri").unwrap_or_default();
                    redirect(&format!("{redirect_uri}?code=c-1&state=s-1"))
                }),
            ),
    )
    .await;
    let browser = Browser::start().await.unwrap();

    // A callback that answers: its page, and it got the code.
    browser.goto(&format!("{server}/authorize?redirect_uri={client}/cb")).await.unwrap();
    browser.submit_form("#consent").await.unwrap();
    let landed = browser.wait_for_url(|u| u.starts_with(&client), WAIT).await.unwrap();
    assert_eq!(landed, format!("{client}/cb?code=c-1&state=s-1"));
    assert_eq!(browser.text("#got").await.unwrap(), "Callback received");
    assert_eq!(*received.lock().unwrap(), ["code=c-1&state=s-1"]);

    // A callback where nothing listens: Chromium shows its error page, at the URL with the code.
    let redirect_uri = format!("http://127.0.0.1:{closed}/cb");
    browser.goto(&format!("{server}/authorize?redirect_uri={redirect_uri}")).await.unwrap();
    browser.submit_form("#consent").await.unwrap();
    let landed = browser.wait_for_url(|u| u.starts_with(&redirect_uri), WAIT).await.unwrap();
    assert_eq!(landed, format!("{redirect_uri}?code=c-1&state=s-1"));
    assert_eq!(browser.current_url().await.unwrap(), landed);
    let source = browser.page_source().await.unwrap();
    assert!(source.contains("ERR_CONNECTION_REFUSED"), "{source}");

    // Loading such a URL directly is an error, and the browser is at that URL all the same.
    let direct = format!("{redirect_uri}?code=c-2");
    let error = browser.goto(&direct).await.unwrap_err().to_string();
    assert!(error.contains("ERR_CONNECTION_REFUSED") && error.contains(&direct), "{error}");
    assert_eq!(browser.current_url().await.unwrap(), direct);

    browser.close().await.unwrap();
}
