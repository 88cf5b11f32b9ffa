//! The client under load: 2,000 calls at concurrency 64 against a mock Authlete on 127.0.0.1,
//! through the generated client and, in the same run and against the same server, through a
//! bare `reqwest::Client` doing the same request and decoding (the floor any client built on
//! reqwest pays). Rounds alternate between the two so that background load hits both alike.
//!
//! `cargo bench -p authlete-codegen --bench load` (`-- --rounds N`; `--only client` or
//! `--only bare` runs one side's rounds alone, for a profiler). Bounded: a fixed number of
//! calls per round, and every round must end within two minutes. The summary is printed and kept
//! in `target/criterion/load-summary.txt`; `docs/performance.md` records it.

#[path = "../tests/scripted/mod.rs"]
mod scripted;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scripted::{Answer, MockServer};
use serde_json::json;

const CALLS: usize = 2_000;
const CONCURRENCY: usize = 64;

/// One round: `CALLS` calls on `CONCURRENCY` tasks; the calls per second and the errors.
async fn round<F, Fut>(call: F) -> (f64, usize)
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (call, next) = (call.clone(), next.clone());
            tokio::spawn(async move {
                let mut errors = 0;
                while next.fetch_add(1, Ordering::Relaxed) < CALLS {
                    if !call().await {
                        errors += 1;
                    }
                }
                errors
            })
        })
        .collect();
    let mut errors = 0;
    for task in tasks {
        errors += task.await.expect("a task does not panic");
    }
    (CALLS as f64 / started.elapsed().as_secs_f64(), errors)
}

/// `VmHWM` (peak resident memory) of this process in MiB, where the system says.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

/// The median; NaN for a side that did not run (`--only`).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(7usize);
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then one tiny round
    // only proves that the bench runs.
    let quick = !args.iter().any(|a| a == "--bench");
    let rounds = if quick { 1 } else { rounds };
    // `--only client` or `--only bare`: one side's rounds alone (its warm-up included), for a
    // profiler: callgrind's instruction counts of two such runs with different `--rounds`, less
    // each other, are that side's instructions per call without the setup.
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).map(String::as_str);
    let (run_client, run_bare) = match only {
        Some("client") => (true, false),
        Some("bare") => (false, true),
        _ => (true, true),
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    runtime.block_on(async move {
        let server = MockServer::unrecorded(|_| Answer::json(200, json!({"clientId": 42, "clientName": "load"}))).await;
        let service = server.client(|b| b).service("1");
        let raw = reqwest::Client::new();
        let url = format!("{}/api/1/client/get/42", server.url);
        let authlete_call = move || {
            let service = service.clone();
            async move { matches!(service.client_get("42").await, Ok(client) if client.client_id == Some(42)) }
        };
        let raw_call = move || {
            let (raw, url) = (raw.clone(), url.clone());
            async move {
                let Ok(response) = raw
                    .get(&url)
                    .header("authorization", format!("Bearer {}", scripted::TOKEN))
                    .header("accept", "application/json")
                    .send()
                    .await
                else {
                    return false;
                };
                if !response.status().is_success() {
                    return false;
                }
                let Ok(body) = response.bytes().await else { return false };
                matches!(serde_json::from_slice::<authlete::models::Client>(&body), Ok(c) if c.client_id == Some(42))
            }
        };
        let limit = Duration::from_secs(120);
        // Warm-up: connections, allocator.
        if run_client {
            let _ = tokio::time::timeout(limit, round(authlete_call.clone())).await.expect("bounded");
        }
        if run_bare {
            let _ = tokio::time::timeout(limit, round(raw_call.clone())).await.expect("bounded");
        }
        let (mut ours, mut bare, mut errors) = (Vec::new(), Vec::new(), 0);
        for _ in 0..rounds {
            if run_client {
                let (rate, failed) = tokio::time::timeout(limit, round(authlete_call.clone())).await.expect("bounded");
                ours.push(rate);
                errors += failed;
            }
            if run_bare {
                let (rate, failed) = tokio::time::timeout(limit, round(raw_call.clone())).await.expect("bounded");
                bare.push(rate);
                errors += failed;
            }
        }
        let (ours, bare) = (median(&mut ours), median(&mut bare));
        let mut summary = String::new();
        let _ = writeln!(
            summary,
            "load: {rounds} rounds of {CALLS} calls at concurrency {CONCURRENCY} on 127.0.0.1 (2 worker threads)"
        );
        let _ = writeln!(summary, "  authlete client: {ours:>8.0} calls/s (median)");
        let _ = writeln!(summary, "  bare reqwest:    {bare:>8.0} calls/s (median)");
        let _ = writeln!(summary, "  client ÷ bare:   {:>8.2}", ours / bare);
        let _ = writeln!(summary, "  connections:     {:>8}", server.connections());
        let _ = writeln!(summary, "  errors:          {errors:>8}");
        if let Some(peak) = peak_mib() {
            let _ = writeln!(summary, "  peak memory:     {peak:>8.1} MiB (whole process, server included)");
        }
        print!("{summary}");
        assert_eq!(errors, 0, "every call succeeds");
        if !quick && only.is_none() {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join("load-summary.txt"), summary);
        }
    });
}
