//! The client under load on 127.0.0.1: many concurrent calls through clones of one client share
//! one connection pool, none fails, and memory stays bounded. The run is bounded in calls and in
//! time and stops by itself; how fast it is goes in `docs/performance.md` (`cargo bench -p
//! authlete-codegen --bench load`), not in an assertion.

mod scripted;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use scripted::{Answer, MockServer};
use serde_json::json;

const CALLS: usize = 2_000;
const CONCURRENCY: usize = 64;

/// What the client must be to be shared by an authorization server's request handlers.
#[test]
fn client_service_and_calls_can_be_shared_and_spawned() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    fn spawnable<T: std::future::IntoFuture<IntoFuture: Send + 'static>>() {}
    shared::<authlete::Client>();
    shared::<authlete::Service>();
    spawnable::<authlete::client::Call<authlete::models::Client>>();
}

/// Resident memory of this process in KiB, where the system says (Linux).
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `calls` calls on `CONCURRENCY` tasks, each with its own clone of the service handle.
async fn run(service: &authlete::Service, calls: usize) -> usize {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (service, next) = (service.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut errors = 0;
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                match service.client_get("42").await {
                    Ok(client) => assert_eq!(client.client_id, Some(42)),
                    Err(error) => {
                        eprintln!("{error}");
                        errors += 1;
                    }
                }
            }
            errors
        }));
    }
    let mut errors = 0;
    for task in tasks {
        errors += task.await.expect("a task does not panic");
    }
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_calls_at_concurrency_64_without_errors_on_one_pool() {
    let server = MockServer::unrecorded(|_| Answer::json(200, json!({"clientId": 42, "clientName": "load"}))).await;
    let client = server.client(|b| b);
    let service = client.service("1");
    let bounded = async {
        // A warm-up fills the pool and the allocator's caches, so that what grows after it is
        // what the calls keep.
        assert_eq!(run(&service, 200).await, 0);
        let before = resident_kib();
        let errors = run(&service, CALLS).await;
        (errors, before, resident_kib())
    };
    let (errors, before, after) =
        tokio::time::timeout(Duration::from_secs(120), bounded).await.expect("the run ends within two minutes");
    assert_eq!(errors, 0);
    // Clones share one pool, so connections are reused: about one per concurrent task, where a
    // pool per clone (or none) would open one per call. hyper may open a connection for a request
    // while another one is on its way back to the pool, hence the margin.
    let connections = server.connections();
    assert!((1..=2 * CONCURRENCY).contains(&connections), "{connections} connections for {} calls", CALLS + 200);
    if let (Some(before), Some(after)) = (before, after) {
        let grown = after.saturating_sub(before);
        assert!(grown < 32 * 1024, "resident memory grew by {grown} KiB over {CALLS} calls");
    }
}
