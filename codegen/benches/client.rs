//! The client's own cost: one `auth_token` call through `authlete::Client` against the same call
//! written by hand with reqwest and serde_json, both against one loopback server in the same run.
//! Target (issue #9): the client within 1.05× of the hand-written call.
//!
//! `cargo bench -p authlete-codegen --bench client`; the ratio is printed at the end and kept in
//! `target/criterion/client-summary.txt`.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use authlete::models::{TokenRequest, TokenResponse};
use support::{bench, fmt_time, group, median, publish, table};

const TOKEN_RESPONSE: &[u8] = include_bytes!("data/token_response.json");
const TOKEN: &str = "bench-token";

/// A loopback HTTP/1.1 server answering every request with `body`, on keep-alive connections, one
/// thread per connection. It does the least a server can, so that the clients' costs show.
fn serve(body: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer_all(stream, body));
        }
    });
    format!("http://{address}")
}

fn answer_all(stream: TcpStream, body: &[u8]) {
    // One write per answer, sent at once: two small writes would wait on delayed ACKs (40 ms).
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let mut writer = stream.try_clone().expect("clone the stream");
    let mut reader = BufReader::new(stream);
    let mut answer =
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len())
            .into_bytes();
    answer.extend_from_slice(body);
    loop {
        let mut content_length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut request_body = vec![0; content_length];
        if reader.read_exact(&mut request_body).is_err() {
            return;
        }
        if writer.write_all(&answer).is_err() {
            return;
        }
    }
}

fn main() {
    let base_url = serve(TOKEN_RESPONSE);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let request = TokenRequest {
        client_id: Some("26478243745571".into()),
        client_secret: Some("client-secret".into()),
        ..TokenRequest::new("grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fclient.example%2Fcb")
    };

    let client = authlete::Client::builder().base_url(&base_url).bearer_token(TOKEN).build().expect("a client");
    let service = client.service("715948317");
    let http = reqwest::Client::new();
    let url = format!("{base_url}/api/715948317/auth/token");
    let hand_written = || async {
        let response = http
            .post(&url)
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            // The client bounds every call; so does any production caller.
            .timeout(std::time::Duration::from_secs(30))
            .body(serde_json::to_vec(&request).expect("serializes"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.expect("a body");
        serde_json::from_slice::<TokenResponse>(&bytes).expect("decodes")
    };
    // Both answer the same before anything is measured.
    let through_client = runtime.block_on(service.auth_token(&request).send()).expect("the client's call");
    assert_eq!(through_client, runtime.block_on(hand_written()));

    // Instruction counts, which the machine's load does not change: under
    // `valgrind --tool=callgrind`, `AUTHLETE_BENCH_CALLS=client:N` (or `by_hand:N`, or `none:0`)
    // makes N calls one way and exits.
    if let Ok(mode) = std::env::var("AUTHLETE_BENCH_CALLS") {
        let (way, count) = mode.split_once(':').expect("WAY:COUNT");
        let count: usize = count.parse().expect("a count");
        for _ in 0..count {
            match way {
                "client" => drop(runtime.block_on(service.auth_token(&request).send()).expect("answers")),
                "by_hand" => drop(runtime.block_on(hand_written())),
                _ => {}
            }
        }
        return;
    }

    let mut c = support::criterion();
    let mut g = group(&mut c, "call");
    bench(&mut g, "call", "client", || runtime.block_on(service.auth_token(&request).send()).expect("answers"));
    bench(&mut g, "call", "reqwest_by_hand", || runtime.block_on(hand_written()));
    g.finish();
    c.final_summary();
    if support::measuring() {
        let (client, by_hand) =
            (median("call/client").unwrap_or(f64::NAN), median("call/reqwest_by_hand").unwrap_or(f64::NAN));
        let verdict = if client <= by_hand * 1.05 { "meets" } else { "misses" };
        let row = (
            format!("auth_token on loopback ({} B answer)", TOKEN_RESPONSE.len()),
            format!(
                "client {}, reqwest + serde_json by hand {}: client ÷ by hand = {:.3}× ({verdict} the target of ≤ 1.05×)",
                fmt_time(client),
                fmt_time(by_hand),
                client / by_hand
            ),
        );
        publish("client-summary.txt", &table("client: medians of the measured samples (wall-clock)", &[row]));
    }
}
