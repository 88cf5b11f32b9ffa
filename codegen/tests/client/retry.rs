//! Retries, backoff, `Retry-After`, deadlines and timeouts of the generated client, against a
//! scripted mock Authlete on 127.0.0.1. Every test runs on tokio's paused clock: waits of seconds
//! take no time, and the mock records when each attempt arrived on that clock.

use std::time::Duration;

use authlete::models::{IntrospectionRequest, TokenRequest};
use authlete::{Error, RetryPolicy};
use serde_json::json;
use tokio::time::Instant;

use crate::scripted::{refused_url, Answer, MockServer};

fn client_json() -> Answer {
    Answer::json(200, json!({"clientId": 42, "clientName": "demo"}))
}

/// The time between consecutive requests the server saw.
fn gaps(server: &MockServer) -> Vec<Duration> {
    let seen = server.seen();
    seen.windows(2).map(|pair| pair[1].at - pair[0].at).collect()
}

#[tokio::test(start_paused = true)]
async fn a_get_answered_503_503_200_is_one_ok() {
    let server = MockServer::sequence([Answer::status(503), Answer::status(503), client_json()]).await;
    let client = server.client(|b| b);
    let got = client.service("715948317").client_get("42").await.expect("the third attempt succeeds");
    assert_eq!(got.client_id, Some(42));
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.uri.path() == "/api/715948317/client/get/42"));
    // The default policy: 200 ms before the first retry and 400 ms before the second, of which
    // up to half is jitter.
    let gaps = gaps(&server);
    assert!(gaps[0] >= Duration::from_millis(100) && gaps[0] <= Duration::from_millis(200), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(200) && gaps[1] <= Duration::from_millis(400), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn a_post_answered_503_is_not_retried() {
    let server = MockServer::sequence([Answer::status(503), Answer::json(200, json!({"action": "OK"}))]).await;
    let client = server.client(|b| b);
    let error = client.service("1").auth_token(&TokenRequest::new("grant_type=authorization_code&code=abc")).await;
    let Err(Error::Api(error)) = error else { panic!("a 503 error, got {error:?}") };
    assert_eq!((error.status, error.attempts), (503, 1));
    assert_eq!(server.seen().len(), 1, "a POST that reached the server is sent once");
}

#[tokio::test(start_paused = true)]
async fn a_post_marked_idempotent_is_retried() {
    let server = MockServer::sequence([Answer::status(502), Answer::json(200, json!({"action": "OK"}))]).await;
    let client = server.client(|b| b);
    let answer = client
        .service("1")
        .auth_introspection(&IntrospectionRequest::new("access-token"))
        .idempotent(true)
        .await
        .expect("the second attempt succeeds");
    assert_eq!(answer.action.map(|a| a.to_string()), Some("OK".into()));
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_sets_the_wait() {
    let server = MockServer::sequence([Answer::status(503).header("retry-after", "2"), client_json()]).await;
    let client = server.client(|b| b);
    client.service("1").client_get("42").await.expect("the retry succeeds");
    let gaps = gaps(&server);
    assert_eq!(gaps.len(), 1);
    // Exactly the 2 s asked for (plus the moment the second request takes on a paused clock).
    assert!(gaps[0] >= Duration::from_secs(2) && gaps[0] < Duration::from_millis(2_050), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_sets_the_wait() {
    // An HTTP date has whole seconds: ask for 3 s from now, which is 2 to 3 s away, less the real
    // time that passes before the client reads it (tokio's clock is paused, the wall clock is not,
    // and a busy machine takes a while).
    let started = std::time::Instant::now();
    let at = std::time::SystemTime::now() + Duration::from_secs(3);
    let server = MockServer::sequence([Answer::status(429).header("retry-after", http_date(at)), client_json()]).await;
    let client = server.client(|b| b);
    client.service("1").client_get("42").await.expect("the retry succeeds");
    let real = started.elapsed();
    let gaps = gaps(&server);
    assert!(gaps[0] + real >= Duration::from_secs(2) && gaps[0] <= Duration::from_millis(3_050), "{gaps:?} ({real:?})");
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_at_the_policys_largest_delay() {
    let server = MockServer::sequence([Answer::status(503).header("retry-after", "3600"), client_json()]).await;
    let policy = RetryPolicy::default().max_delay(Duration::from_secs(1));
    let client = server.client(|b| b.retry(policy));
    client.service("1").client_get("42").await.expect("the retry succeeds");
    let gaps = gaps(&server);
    assert!(gaps[0] >= Duration::from_secs(1) && gaps[0] < Duration::from_millis(1_050), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn ratelimit_reset_sets_the_wait() {
    let server = MockServer::sequence([Answer::status(429).header("ratelimit-reset", "2"), client_json()]).await;
    server.client(|b| b).service("1").client_get("42").await.expect("the retry succeeds");
    let gaps = gaps(&server);
    assert!(gaps[0] >= Duration::from_secs(2) && gaps[0] < Duration::from_millis(2_050), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn x_ratelimit_reset_in_seconds_sets_the_wait() {
    let server = MockServer::sequence([Answer::status(503).header("x-ratelimit-reset", "3"), client_json()]).await;
    server.client(|b| b).service("1").client_get("42").await.expect("the retry succeeds");
    let gaps = gaps(&server);
    assert!(gaps[0] >= Duration::from_secs(3) && gaps[0] < Duration::from_millis(3_050), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn x_ratelimit_reset_as_a_unix_time_sets_the_wait() {
    // Whole seconds, like an HTTP date: 3 s from now is 2 to 3 s away, less the real time the
    // request takes (the clock of Unix times is not tokio's paused one). Read as a wait, it
    // would be capped at 5 s.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    let reset = (now + 3).to_string();
    let server = MockServer::sequence([Answer::status(429).header("x-ratelimit-reset", reset), client_json()]).await;
    server.client(|b| b).service("1").client_get("42").await.expect("the retry succeeds");
    let gaps = gaps(&server);
    assert!(gaps[0] >= Duration::from_millis(1_500) && gaps[0] <= Duration::from_millis(3_050), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn rate_limit_waits_are_capped_and_retry_after_comes_first() {
    let answer = Answer::status(429).header("ratelimit-reset", "3600").header("x-ratelimit-reset", "3600");
    let server = MockServer::sequence([answer, client_json()]).await;
    let policy = RetryPolicy::default().max_delay(Duration::from_secs(1));
    server.client(|b| b.retry(policy)).service("1").client_get("42").await.expect("the retry succeeds");
    let capped = gaps(&server);
    assert!(capped[0] >= Duration::from_secs(1) && capped[0] < Duration::from_millis(1_050), "{capped:?}");

    let answer = Answer::status(429).header("retry-after", "1").header("ratelimit-reset", "4");
    let server = MockServer::sequence([answer, client_json()]).await;
    server.client(|b| b).service("1").client_get("42").await.expect("the retry succeeds");
    let gaps = gaps(&server);
    assert!(gaps[0] >= Duration::from_secs(1) && gaps[0] < Duration::from_millis(1_050), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn a_successful_call_gives_its_details_when_asked() {
    let answer = client_json().header("x-request-id", "req-7f3a");
    let server = MockServer::sequence([Answer::status(503).header("retry-after", "1"), answer, client_json()]).await;
    let service = server.client(|b| b).service("1");
    let response = service.client_get("42").send_with_details().await.expect("the retry succeeds");
    assert_eq!((response.status, response.attempts), (200, 2));
    assert_eq!(response.header("x-request-id"), Some("req-7f3a"));
    assert_eq!(response.headers["content-type"], "application/json");
    assert!(
        response.elapsed >= Duration::from_secs(1) && response.elapsed < Duration::from_millis(1_050),
        "{response:?}"
    );
    assert_eq!(response.value.client_id, Some(42));
    assert_eq!(response.into_value().client_name.as_deref(), Some("demo"));
    // The plain `.await` is unchanged.
    let client = service.client_get("42").await.expect("an answer");
    assert_eq!(client.client_id, Some(42));
}

#[tokio::test(start_paused = true)]
async fn attempts_stop_at_the_maximum_and_the_error_counts_them() {
    let server = MockServer::sequence(std::iter::repeat_n(Answer::status(504), 10)).await;
    let client = server.client(|b| b.retry(RetryPolicy::default().max_attempts(4)));
    let error = client.service("1").client_get("42").await.expect_err("every attempt fails");
    assert_eq!(error.attempts(), 4);
    assert_eq!(error.status(), Some(504));
    assert!(matches!(&error, Error::Api(api) if api.attempts == 4));
    assert_eq!(error.to_string(), "client_get: the API answered with status 504 (after 4 attempts) and no body");
    assert_eq!(server.seen().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn answers_that_are_not_accidents_are_not_retried() {
    for status in [400, 401, 403, 404, 500] {
        let server = MockServer::sequence([Answer::status(status), client_json()]).await;
        let error = server.client(|b| b).service("1").client_get("42").await.expect_err("an error status");
        assert_eq!((error.status(), error.attempts()), (Some(status), 1));
        assert_eq!(server.seen().len(), 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_can_switch_retries_off() {
    let server = MockServer::sequence([Answer::status(503), client_json()]).await;
    let client = server.client(|b| b);
    let error = client.service("1").client_get("42").retry(RetryPolicy::none()).await.expect_err("sent once");
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_server_times_out_within_the_deadline() {
    let server = MockServer::handler(|_| Answer::Stall).await;
    let deadline = Duration::from_millis(2_500);
    let policy = RetryPolicy::default().max_attempts(10).deadline(deadline);
    let client = server.client(|b| b.timeout(Duration::from_secs(1)).retry(policy));
    let started = Instant::now();
    let error = client.service("1").client_get("42").await.expect_err("no answer");
    let took = started.elapsed();
    assert!(took <= deadline, "took {took:?}");
    assert!(took >= Duration::from_secs(2), "two whole attempts fit: took {took:?}");
    let Error::Timeout { attempts, timeout, .. } = error else { panic!("a timeout, got {error:?}") };
    assert!((2..=3).contains(&attempts), "{attempts}");
    assert_eq!(timeout, Duration::from_secs(1), "the timeout each attempt had");
    assert_eq!(server.seen().len() as u32, attempts);
}

#[tokio::test(start_paused = true)]
async fn a_call_ended_by_the_deadline_says_so() {
    let server = MockServer::handler(|_| Answer::Stall).await;
    // No wait between attempts: they start at 0, 1 and 2 s, and the third has 0.5 s left.
    let policy =
        RetryPolicy::default().max_attempts(10).initial_delay(Duration::ZERO).deadline(Duration::from_millis(2_500));
    let client = server.client(|b| b.timeout(Duration::from_secs(1)).retry(policy));
    let started = Instant::now();
    let error = client.service("1").client_get("42").await.expect_err("no answer");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(2_500) && took < Duration::from_millis(2_550), "took {took:?}");
    assert!(
        matches!(error, Error::Timeout { timeout, deadline: Some(deadline), attempts: 3, .. }
            if timeout == Duration::from_secs(1) && deadline == Duration::from_millis(2_500)),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "client_get: gave up after 2.5 s, the retry deadline, after 3 attempts");

    // A deadline shorter than the timeout ends the first attempt.
    let policy = RetryPolicy::none().deadline(Duration::from_millis(250));
    let error = client.service("1").client_get("42").retry(policy).await.expect_err("no answer");
    assert_eq!(error.to_string(), "client_get: gave up after 250 ms, the retry deadline, after 1 attempt");
}

#[tokio::test(start_paused = true)]
async fn a_stalled_post_times_out_once_with_the_calls_own_timeout() {
    let server = MockServer::handler(|_| Answer::Stall).await;
    let client = server.client(|b| b); // the default 30 s timeout, overridden for the call
    let started = Instant::now();
    let error = client
        .service("1")
        .auth_token(&TokenRequest::new("grant_type=client_credentials"))
        .timeout(Duration::from_millis(700))
        .await
        .expect_err("no answer");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(700) && took < Duration::from_millis(750), "took {took:?}");
    assert!(
        matches!(error, Error::Timeout { timeout, attempts: 1, .. } if timeout == Duration::from_millis(700)),
        "{error:?}"
    );
    assert_eq!(server.seen().len(), 1, "a POST that may have reached the server is not retried");
    assert_eq!(error.to_string(), "auth_token: no answer within 700 ms");
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_even_for_a_post() {
    let url = refused_url().await;
    let client = authlete::Client::builder()
        .base_url(url)
        .bearer_token("t")
        .retry(RetryPolicy::default().max_attempts(3))
        .build()
        .expect("a client");
    let error = client
        .service("1")
        .auth_token(&TokenRequest::new("grant_type=client_credentials"))
        .await
        .expect_err("nothing listens");
    let Error::Transport { source, attempts, .. } = &error else { panic!("a transport error, got {error:?}") };
    assert!(source.is_connect(), "{source:?}");
    assert_eq!(*attempts, 3, "the request never reached a server, so it was safe to send again");
    assert!(error.to_string().starts_with("auth_token: the request failed (after 3 attempts): "), "{error}");
}

#[test]
fn the_defaults_are_finite_and_documented() {
    let policy = RetryPolicy::default();
    assert_eq!(policy, RetryPolicy::DEFAULT);
    assert_eq!(policy.max_attempts, 3);
    assert_eq!(policy.initial_delay, Duration::from_millis(200));
    assert_eq!(policy.max_delay, Duration::from_secs(5));
    assert_eq!(policy.deadline, Duration::from_secs(60));
    assert_eq!(RetryPolicy::none().max_attempts, 1);
    assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
    assert_eq!(authlete::client::DEFAULT_TIMEOUT, Duration::from_secs(30));
    assert_eq!(authlete::client::DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
}

/// `time` as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(time: std::time::SystemTime) -> String {
    let seconds = time.duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs() as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[test]
fn http_dates_are_written_as_imf_fixdate() {
    let at = std::time::UNIX_EPOCH + Duration::from_secs(784_111_777);
    assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
}
