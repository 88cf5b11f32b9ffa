//! The toolkit's token endpoint under load, beside a hand-written axum handler doing the same
//! work: N token requests at concurrency 64 to each, in the same run, in front of the same
//! upstream (a minimal Authlete on 127.0.0.1 that answers `/auth/token` with a fixed OK answer).
//!
//! - (a) the toolkit: `Routes::new(server).token(NoGrants).build()`;
//! - (b) the floor: an axum handler that checks the form's media type, reads the body and the
//!   `Basic` header (Base64, then form-decoded, RFC 6749 §2.3.1), sends Authlete the same JSON
//!   request with a bare `reqwest::Client` and `serde_json`, decodes `action` and
//!   `responseContent` only, and answers `OK` with `200`, the content and the no-store headers.
//!
//! Both send Authlete byte-identical requests and answer the client byte-identical responses
//! (checked before measuring). Rounds alternate a, b, a, b … after a warm-up round each, so that
//! background load on the shared machine hits both alike; the summary gives medians of requests
//! per second and of the whole process's CPU time per request (load generator, server and
//! upstream together: the difference between a and b is the toolkit's own cost).
//!
//! `cargo bench -p authlete-codegen --bench server_token` (`-- --rounds N --requests N`).
//! Bounded: a fixed number of requests per round, each round within two minutes. The summary is
//! printed and kept in `target/criterion/server-token-summary.txt`; `docs/performance.md`
//! records it.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use authlete::server::axum::Routes;
use authlete::server::{AuthorizationServer, Config, NoGrants};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

const CONCURRENCY: usize = 64;
const DEFAULT_REQUESTS: usize = 4_000;
const DEFAULT_ROUNDS: usize = 7;

/// The URL the authorization server says it is reached at (the `htu` both send Authlete).
const PUBLIC_URL: &str = "https://as.example.com";

/// The token endpoint's public URL: the DPoP `htu` the toolkit sends, which (b) sends too.
const HTU: &str = "https://as.example.com/token";

/// The service token both present to the upstream.
const SERVICE_TOKEN: &str = "bench-service-token";

/// What the load generator sends: a client credentials grant, with `client_secret_basic`.
const FORM: &str = "grant_type=client_credentials&scope=read%20write";
const CLIENT_ID: &str = "bench-client";
const CLIENT_SECRET: &str = "bench-secret";

/// The token response Authlete makes for the client.
const CONTENT: &str = r#"{"access_token":"mWfIZF7diUAPZx5Om-OazR7EyG5TsttHzaNdzdgoVn4","token_type":"Bearer","expires_in":3600,"scope":"read write"}"#;

/// Authlete's answer to a client credentials grant: what a real service sends (resultCode and
/// message, the action, the content, and the token's details), about 700 bytes.
fn client_credentials_answer() -> String {
    serde_json::json!({
        "resultCode": "A050001",
        "resultMessage": "[A050001] The token request (grant_type=client_credentials) was processed successfully.",
        "action": "OK",
        "responseContent": CONTENT,
        "accessToken": "mWfIZF7diUAPZx5Om-OazR7EyG5TsttHzaNdzdgoVn4",
        "accessTokenExpiresAt": 1_752_573_600_000_i64,
        "accessTokenDuration": 3600,
        "grantType": "CLIENT_CREDENTIALS",
        "clientId": 3_006_291_287_i64,
        "clientIdAlias": "bench-client",
        "clientIdAliasUsed": true,
        "scopes": ["read", "write"],
        "serviceAttributes": [{"key": "tier", "value": "gold"}],
        "clientAttributes": [{"key": "team", "value": "payments"}],
    })
    .to_string()
}

/// The upstream: `/api/{serviceId}/auth/token` answered with `answer`, whatever was asked. Each
/// side uses a service ID of its own, so that the calls are counted per side; the first body of
/// each is kept, to check that both sent the same request.
struct Upstream {
    answer: Bytes,
    calls: [AtomicUsize; 2],
    first: [OnceLock<Bytes>; 2],
}

async fn upstream_token(Path(service): Path<String>, State(up): State<Arc<Upstream>>, body: Bytes) -> Response {
    let side = usize::from(service == "b");
    up.calls[side].fetch_add(1, Ordering::Relaxed);
    let _ = up.first[side].set(body);
    ([(header::CONTENT_TYPE, "application/json")], up.answer.clone()).into_response()
}

/// (b)'s state: the bare reqwest client and the upstream's URL for service `b`.
struct HandWritten {
    http: reqwest::Client,
    url: String,
}

/// The Authlete request (b) sends: the members the toolkit sends for this request (the bench
/// checks that the two are the same JSON).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthleteTokenRequest<'a> {
    parameters: &'a str,
    client_id: String,
    client_secret: String,
    htm: &'static str,
    htu: &'static str,
}

/// What (b) reads of Authlete's answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthleteTokenResponse {
    action: String,
    response_content: Option<String>,
}

/// (b): the hand-written token endpoint.
async fn hand_written(State(state): State<Arc<HandWritten>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|media| media.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let Some(parameters) = form.then(|| std::str::from_utf8(&body).ok()).flatten() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Some((client_id, client_secret)) = basic(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let request = AuthleteTokenRequest { parameters, client_id, client_secret, htm: "POST", htu: HTU };
    let Ok(json) = serde_json::to_vec(&request) else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let sent = state
        .http
        .post(&state.url)
        .header(header::AUTHORIZATION, format!("Bearer {SERVICE_TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(json)
        .send()
        .await;
    let Ok(answer) = sent else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let Ok(bytes) = answer.bytes().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let Ok(answer) = serde_json::from_slice::<AuthleteTokenResponse>(&bytes) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if answer.action != "OK" {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut response = Response::new(axum::body::Body::from(answer.response_content.unwrap_or_default()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The client's ID and secret from `Authorization: Basic`, each form-decoded.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// `application/x-www-form-urlencoded` text decoded: `+` is a space, `%XX` a byte.
fn form_decode(text: &str) -> Option<String> {
    if !text.contains(['+', '%']) {
        return Some(text.to_owned());
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(byte) = rest.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [rest.next()?, rest.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

/// `router` on a free port of 127.0.0.1; its URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("the server runs") });
    url
}

/// One answer as the load generator sees it.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    content_type: Option<String>,
    cache_control: Option<String>,
    pragma: Option<String>,
    body: String,
}

/// One token request to `url`, as a client sends it.
async fn token_request(http: &reqwest::Client, url: &str, authorization: &str) -> Option<reqwest::Response> {
    http.post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, authorization)
        .body(FORM)
        .send()
        .await
        .ok()
}

async fn seen(http: &reqwest::Client, url: &str, authorization: &str) -> Seen {
    let response = token_request(http, url, authorization).await.expect("the server answers");
    let header = |name| response.headers().get(name).map(|v: &HeaderValue| v.to_str().expect("text").to_owned());
    let (content_type, cache_control, pragma) =
        (header(header::CONTENT_TYPE), header(header::CACHE_CONTROL), header(header::PRAGMA));
    let status = response.status().as_u16();
    Seen { status, content_type, cache_control, pragma, body: response.text().await.expect("a body") }
}

/// One round: `requests` token requests to `url` on [`CONCURRENCY`] tasks. Requests per second,
/// process CPU seconds per request, and the requests that did not get the token response.
async fn round(http: &reqwest::Client, url: &str, authorization: &str, requests: usize) -> (f64, f64, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let cpu = cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (http, url, authorization, next) =
                (http.clone(), url.to_owned(), authorization.to_owned(), Arc::clone(&next));
            tokio::spawn(async move {
                let mut errors = 0;
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let ok = match token_request(&http, &url, &authorization).await {
                        Some(response) if response.status() == StatusCode::OK => {
                            response.bytes().await.is_ok_and(|body| body == CONTENT.as_bytes())
                        }
                        _ => false,
                    };
                    errors += usize::from(!ok);
                }
                errors
            })
        })
        .collect();
    let mut errors = 0;
    for task in tasks {
        errors += task.await.expect("a task does not panic");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_time().zip(cpu).map_or(f64::NAN, |(end, start)| (end - start).as_secs_f64());
    (requests as f64 / elapsed, cpu / requests as f64, errors)
}

/// CPU time used so far by the whole process (all threads).
fn cpu_time() -> Option<Duration> {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `clock_gettime` only writes the `timespec` it is given, which lives on this stack.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    (status == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

/// The median, NaN for a side that did not run.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn arg(args: &[String], name: &str) -> Option<usize> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then one small round
    // only proves that the bench runs.
    let quick = !args.iter().any(|a| a == "--bench");
    let rounds = if quick { 1 } else { arg(&args, "--rounds").unwrap_or(DEFAULT_ROUNDS) };
    let requests = if quick { 200 } else { arg(&args, "--requests").unwrap_or(DEFAULT_REQUESTS) };
    // Two worker threads for the two cores: the load generator, both servers and the upstream
    // share them, as the client and the mock do in the load bench.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    // `--only a` or `--only b`: one side's rounds alone, for a profiler (callgrind's instruction
    // counts of the two runs, less each other, are the toolkit's own cost without any noise).
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).map(String::as_str);
    let sides = match only {
        Some("a") => [true, false],
        Some("b") => [false, true],
        _ => [true, true],
    };
    runtime.block_on(run(rounds, requests, quick, sides));
}

async fn run(rounds: usize, requests: usize, quick: bool, sides: [bool; 2]) {
    let answer = client_credentials_answer();
    let up = Arc::new(Upstream {
        answer: Bytes::from(answer.clone()),
        calls: Default::default(),
        first: Default::default(),
    });
    let upstream =
        serve(Router::new().route("/api/{service}/auth/token", post(upstream_token)).with_state(Arc::clone(&up))).await;

    // (a) the toolkit, with the crate's client as it is configured by default.
    let client = authlete::Client::builder().base_url(&upstream).bearer_token(SERVICE_TOKEN).build().expect("a client");
    let server = AuthorizationServer::new(client.service("a"), Config::new(PUBLIC_URL).expect("a URL"));
    let toolkit = format!("{}/token", serve(Routes::new(server).token(NoGrants).build()).await);
    // (b) the hand-written handler, with a bare reqwest client.
    let state = Arc::new(HandWritten { http: reqwest::Client::new(), url: format!("{upstream}/api/b/auth/token") });
    let hand = format!("{}/token", serve(Router::new().route("/token", post(hand_written)).with_state(state)).await);

    let http = reqwest::Client::new();
    let authorization =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));

    // The same work on both sides: the same answer to the client, the same request to Authlete.
    let (a, b) = (seen(&http, &toolkit, &authorization).await, seen(&http, &hand, &authorization).await);
    assert_eq!(a, b, "the toolkit and the hand-written handler answer alike");
    assert_eq!((a.status, a.body.as_str()), (200, CONTENT));
    let sent =
        |side: usize| serde_json::from_slice::<serde_json::Value>(up.first[side].get().expect("a call")).unwrap();
    assert_eq!(sent(0), sent(1), "both send Authlete the same request");

    let limit = Duration::from_secs(120);
    let bounded = |url: String| {
        let (http, authorization) = (http.clone(), authorization.clone());
        async move {
            tokio::time::timeout(limit, async { round(&http, &url, &authorization, requests).await })
                .await
                .expect("a round ends within two minutes")
        }
    };
    let (mut ours, mut floor, mut ours_cpu, mut floor_cpu, mut errors) = (vec![], vec![], vec![], vec![], 0);
    // Warm-up (connections: 64 to each server, pooled; the allocator; the upstream's pool), then
    // the measured rounds.
    for measured in std::iter::once(false).chain(std::iter::repeat_n(true, rounds)) {
        for (side, url, rates, cpus) in
            [(0, &toolkit, &mut ours, &mut ours_cpu), (1, &hand, &mut floor, &mut floor_cpu)]
        {
            if !sides[side] {
                continue;
            }
            let (rate, cpu, failed) = bounded(url.clone()).await;
            errors += failed;
            if measured {
                rates.push(rate);
                cpus.push(cpu);
            }
        }
    }
    let calls = [up.calls[0].load(Ordering::Relaxed), up.calls[1].load(Ordering::Relaxed)];
    let (ours, floor) = (median(&mut ours), median(&mut floor));
    let (ours_cpu, floor_cpu) = (median(&mut ours_cpu), median(&mut floor_cpu));
    let expected = sides.map(|side| if side { (rounds + 1) * requests + 1 } else { 1 });

    let mut summary = String::new();
    let _ = writeln!(
        summary,
        "server_token: {rounds} rounds of {requests} token requests at concurrency {CONCURRENCY} on 127.0.0.1 \
         (2 worker threads; load generator, servers and upstream in one process)"
    );
    let _ = writeln!(summary, "  upstream answer:        {} bytes of JSON, fixed", answer.len());
    let _ = writeln!(
        summary,
        "  (a) toolkit:            {ours:>8.0} requests/s, {:>6.1} µs CPU/request (median)",
        ours_cpu * 1e6
    );
    let _ = writeln!(
        summary,
        "  (b) hand-written axum:  {floor:>8.0} requests/s, {:>6.1} µs CPU/request (median)",
        floor_cpu * 1e6
    );
    let _ = writeln!(summary, "  toolkit ÷ hand-written: {:>8.2} (target ≥ 0.90)", ours / floor);
    let _ = writeln!(summary, "  toolkit's own CPU:      {:>8.1} µs/request", (ours_cpu - floor_cpu) * 1e6);
    let _ = writeln!(summary, "  upstream calls (a, b):  {} {}", calls[0], calls[1]);
    let _ = writeln!(summary, "  errors:                 {errors:>8}");
    print!("{summary}");
    assert_eq!(errors, 0, "every request gets the token response");
    // One upstream call per request on both sides (the warm-up and the check included).
    assert_eq!(calls, expected);
    if !quick && sides == [true, true] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("server-token-summary.txt"), summary);
    }
}
