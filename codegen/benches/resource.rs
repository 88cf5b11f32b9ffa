//! A resource server's access-token validation under load: the same token validated over and over
//! at concurrency 64 by an `AccessTokenValidator` without a cache (every validation is a call to
//! `/auth/introspection` on a mock Authlete on 127.0.0.1) and by one with a cache (every
//! validation after the first is answered from it), beside the floor: the same introspection
//! request through the client alone. All in the same run, rounds alternating.
//!
//! `cargo bench -p authlete-codegen --bench resource` (`-- --rounds N`). Bounded: a fixed number
//! of validations per round, each round within two minutes. The summary is printed and kept in
//! `target/criterion/resource-summary.txt`; `docs/performance.md` records it.

#[path = "../tests/scripted/mod.rs"]
mod scripted;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use authlete::models::IntrospectionRequest;
use authlete::server::{AccessTokenValidator, AuthorizationServer, Config, Request};
use scripted::{Answer, MockServer};
use serde_json::json;

const CONCURRENCY: usize = 64;
/// Validations per round without the cache (each one an HTTP call) and with it.
const UNCACHED: usize = 4_000;
const CACHED: usize = 400_000;

/// `CONCURRENCY` tasks making `total` calls of `call` in all: calls per second, and how many
/// failed.
async fn round<F, Fut>(call: F, total: usize) -> (f64, usize)
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (call, next) = (call.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                let mut failed = 0;
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    if !call().await {
                        failed += 1;
                    }
                }
                failed
            })
        })
        .collect();
    let mut failed = 0;
    for task in tasks {
        failed += task.await.expect("a task does not panic");
    }
    (total as f64 / started.elapsed().as_secs_f64(), failed)
}

/// A validation of `request` by `validator`, as a call of a round.
fn validation(
    validator: AccessTokenValidator,
    request: Arc<Request>,
) -> impl Fn() -> BoxedCall + Clone + Send + 'static {
    move || {
        let (validator, request) = (validator.clone(), Arc::clone(&request));
        Box::pin(async move {
            matches!(validator.validate(&request).await, Ok(token) if token.subject.as_deref() == Some("alice"))
        })
    }
}

type BoxedCall = std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(7usize);
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then one small round
    // only proves that the bench runs.
    let quick = !args.iter().any(|a| a == "--bench");
    let (rounds, uncached, cached) = if quick { (1, 200, 2_000) } else { (rounds, UNCACHED, CACHED) };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    runtime.block_on(async move {
        let expires_at =
            SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_millis() as u64 + 3_600_000;
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let server = MockServer::unrecorded(move |_| {
            counted.fetch_add(1, Ordering::Relaxed);
            Answer::json(
                200,
                json!({
                    "action": "OK", "resultCode": "A056001", "subject": "alice", "scopes": ["read", "write"],
                    "clientId": 1234, "expiresAt": expires_at, "usable": true, "sufficient": true,
                    "responseContent": "Bearer error=\"invalid_request\"",
                }),
            )
        })
        .await;
        let service = server.client(|b| b).service("1");
        let config = Config::new("https://rs.example.com").expect("a valid URL");
        let authorization_server = AuthorizationServer::new(service.clone(), config);
        let plain = authorization_server.access_token_validator().scopes(["read"]);
        let with_cache = plain.clone().cache(10_000, Duration::from_secs(60));
        let request = Arc::new(Request::from_http(
            axum::http::Request::get("/orders")
                .header("authorization", "Bearer at-bench-0123456789abcdef")
                .body(Vec::new())
                .expect("a request"),
        ));
        // The floor: the same `/auth/introspection` request through the client alone, without the
        // validator's reading of the request and mapping of the answer.
        let introspection = IntrospectionRequest {
            scopes: Some(vec!["read".into()]),
            htm: Some("GET".into()),
            htu: Some("https://rs.example.com/orders".into()),
            ..IntrospectionRequest::new("at-bench-0123456789abcdef")
        };
        let bare = move || {
            let (service, introspection) = (service.clone(), introspection.clone());
            Box::pin(async move {
                matches!(service.auth_introspection(&introspection).await, Ok(answer) if answer.subject.as_deref() == Some("alice"))
            }) as BoxedCall
        };
        let (uncached_call, cached_call) =
            (validation(plain, Arc::clone(&request)), validation(with_cache.clone(), request));
        let limit = Duration::from_secs(120);
        let timed = |call, total| async move { tokio::time::timeout(limit, round(call, total)).await.expect("bounded") };
        // Warm-up: connections, allocator, and the cache's one entry.
        let _ = timed(bare.clone(), uncached / 4).await;
        let _ = tokio::time::timeout(limit, round(uncached_call.clone(), uncached / 4)).await.expect("bounded");
        let _ = tokio::time::timeout(limit, round(cached_call.clone(), cached / 4)).await.expect("bounded");
        let (mut floor, mut without, mut with, mut failures) = (Vec::new(), Vec::new(), Vec::new(), 0);
        let calls_before = calls.load(Ordering::Relaxed);
        // Rounds alternate, so that background load on the shared machine hits all three alike.
        for _ in 0..rounds {
            let (rate, failed) = timed(bare.clone(), uncached).await;
            floor.push(rate);
            failures += failed;
            let (rate, failed) =
                tokio::time::timeout(limit, round(uncached_call.clone(), uncached)).await.expect("bounded");
            without.push(rate);
            failures += failed;
            let (rate, failed) = tokio::time::timeout(limit, round(cached_call.clone(), cached)).await.expect("bounded");
            with.push(rate);
            failures += failed;
        }
        let calls_made = calls.load(Ordering::Relaxed) - calls_before;
        let stats = with_cache.cache_stats().expect("a cache");
        let (floor, without, with) = (median(&mut floor), median(&mut without), median(&mut with));
        let mut summary = String::new();
        let _ = writeln!(
            summary,
            "resource: {rounds} rounds of the same token at concurrency {CONCURRENCY} on 127.0.0.1 (2 worker threads)"
        );
        let _ = writeln!(summary, "  bare client call:   {floor:>10.0} calls/s (median; {uncached} per round)");
        let _ = writeln!(summary, "  validator, no cache:{without:>10.0} validations/s (median; {uncached} per round)");
        let _ = writeln!(summary, "  validator, cache:   {with:>10.0} validations/s (median; {cached} per round)");
        let _ = writeln!(summary, "  no cache ÷ bare:    {:>10.2}", without / floor);
        let _ = writeln!(summary, "  cache ÷ no cache:   {:>10.0}", with / without);
        let _ = writeln!(
            summary,
            "  Authlete calls while measuring: {calls_made} (= {} bare calls + {} uncached validations)",
            rounds * uncached,
            rounds * uncached
        );
        let _ = writeln!(summary, "  cache: {} hits, {} misses, {} entries", stats.hits, stats.misses, stats.entries);
        let _ = writeln!(summary, "  failures: {failures}");
        print!("{summary}");
        assert_eq!(failures, 0, "every call and validation succeeds");
        assert_eq!(calls_made, 2 * rounds * uncached, "the cached validator never calls Authlete after its first call");
        if !quick {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join("resource-summary.txt"), summary);
        }
    });
}
