//! The generated client against a loopback server that answers badly: every kind of failure is an
//! [`authlete::Error`] of the right variant with an exact message, never a panic, and the bearer
//! token appears in no `Debug` or `Display` output.

use std::time::Duration;

use authlete::models::{TokenRequest, TokenResponseAction};
use authlete::{ApiError, BuildError, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "secret-token-9c1e";
const SERVICE: &str = "715948317";

fn client(server: &MockServer) -> authlete::Client {
    authlete::Client::builder().base_url(server.uri()).bearer_token(TOKEN).build().expect("the client builds")
}

/// A server answering `POST /api/715948317/auth/token` with `answer`.
async fn token_endpoint(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/api/715948317/auth/token")).respond_with(answer).mount(&server).await;
    server
}

async fn call_auth_token(server: &MockServer) -> Result<authlete::models::TokenResponse, Error> {
    client(server).service(SERVICE).auth_token(&TokenRequest::new("grant_type=client_credentials")).await
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

#[tokio::test]
async fn error_statuses_with_a_result_body_are_api_errors() {
    for status in [400, 401, 403, 500] {
        let body = r#"{"resultCode":"A001201","resultMessage":"[A001201] /auth/token, TLS must be used."}"#;
        let server = token_endpoint(json(status, body)).await;
        let error = call_auth_token(&server).await.expect_err("an error status");
        let Error::Api(api) = &error else { panic!("not an API error: {error:?}") };
        assert_eq!(api.status, status);
        assert_eq!(api.result_code.as_deref(), Some("A001201"));
        assert_eq!(api.result_message.as_deref(), Some("[A001201] /auth/token, TLS must be used."));
        assert_eq!(api.body, body);
        assert_eq!(
            error.to_string(),
            format!("auth_token: the API answered with status {status} (A001201): /auth/token, TLS must be used.")
        );
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.operation(), "auth_token");
    }
}

#[tokio::test]
async fn a_numeric_result_code_is_read_as_text() {
    // The spec's own 404 example has `"resultCode": 404`.
    let server = token_endpoint(json(404, r#"{"resultCode":404}"#)).await;
    let error = call_auth_token(&server).await.expect_err("an error status");
    let Error::Api(ApiError { result_code, result_message, .. }) = &error else { panic!("{error:?}") };
    assert_eq!((result_code.as_deref(), result_message.as_deref()), (Some("404"), None));
    assert_eq!(error.to_string(), "auth_token: the API answered with status 404: result code 404");
}

#[tokio::test]
async fn a_404_without_a_body() {
    let server = token_endpoint(ResponseTemplate::new(404)).await;
    let error = call_auth_token(&server).await.expect_err("an error status");
    let Error::Api(api) = &error else { panic!("{error:?}") };
    assert_eq!((api.status, api.result_code.as_deref(), api.body.as_str()), (404, None, ""));
    assert_eq!(error.to_string(), "auth_token: the API answered with status 404 and no body");
}

#[tokio::test]
async fn a_500_with_an_html_body_keeps_the_text() {
    let html = "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>";
    let server = token_endpoint(ResponseTemplate::new(500).set_body_raw(html.as_bytes().to_vec(), "text/html")).await;
    let error = call_auth_token(&server).await.expect_err("an error status");
    let Error::Api(api) = &error else { panic!("{error:?}") };
    assert_eq!((api.result_code.as_ref(), api.body.as_str()), (None, html));
    assert_eq!(
        error.to_string(),
        "auth_token: the API answered with status 500: <html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>"
    );
}

#[tokio::test]
async fn an_oauth_outcome_in_a_200_is_an_answer_not_an_error() {
    let body = r#"{"resultCode":"A050306","resultMessage":"[A050306] bad client","action":"INVALID_CLIENT","responseContent":"{\"error\":\"invalid_client\"}"}"#;
    let server = token_endpoint(json(200, body)).await;
    let answer = call_auth_token(&server).await.expect("a 200 is an answer");
    assert_eq!(answer.action, Some(TokenResponseAction::InvalidClient));
    assert_eq!(answer.response_content.as_deref(), Some(r#"{"error":"invalid_client"}"#));
}

#[tokio::test]
async fn a_200_that_does_not_decode_names_the_json_path_and_keeps_the_body() {
    let body = r#"{"action":"OK","accessToken":"at-secret","accessTokenDuration":"one hour"}"#;
    let server = token_endpoint(json(200, body)).await;
    let error = call_auth_token(&server).await.expect_err("a bad body");
    let Error::Decode(decode) = &error else { panic!("{error:?}") };
    assert_eq!(decode.path, "accessTokenDuration");
    assert_eq!(decode.body(), body.as_bytes());
    assert_eq!(
        error.to_string(),
        "auth_token: the answer (status 200) does not decode at `accessTokenDuration`: \
         invalid type: string \"one hour\", expected i64 at line 1 column 73"
    );
    assert!(!format!("{error:?}").contains("at-secret"), "Debug shows the body's size, not the body: {error:?}");

    let server = token_endpoint(json(200, "not json")).await;
    let error = call_auth_token(&server).await.expect_err("not JSON");
    assert_eq!(
        error.to_string(),
        "auth_token: the answer (status 200) does not decode: expected ident at line 1 column 2"
    );
}

#[tokio::test]
async fn an_undeclared_success_status_is_an_error() {
    let server = token_endpoint(ResponseTemplate::new(202).set_body_string("accepted")).await;
    let error = call_auth_token(&server).await.expect_err("202 is not declared");
    assert!(matches!(&error, Error::UnexpectedStatus { status: 202, body, .. } if body == "accepted"), "{error:?}");
    assert_eq!(
        error.to_string(),
        "auth_token: the API answered with status 202, which the spec does not declare: accepted"
    );
}

#[tokio::test]
async fn a_204_answer_of_a_delete_is_unit() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/715948317/client/delete/a%2Fb"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).service(SERVICE).client_delete("a/b").await.expect("204 is success");
}

#[tokio::test]
async fn path_arguments_that_are_not_identifiers_are_refused_before_sending() {
    let server = MockServer::start().await;
    let service = client(&server).service(SERVICE);
    for bad in ["", ".", ".."] {
        let error = service.client_get(bad).await.expect_err("not an identifier");
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
        assert_eq!(error.to_string(), format!("client_get: not sent: `clientId` cannot be {bad:?}"));
    }
    let error = client(&server).service("").service_get().await.expect_err("no service id");
    assert_eq!(error.to_string(), "service_get: not sent: `serviceId` cannot be \"\"");
    assert!(server.received_requests().await.expect("recorded").is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let client = authlete::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .bearer_token(TOKEN)
        .build()
        .expect("the client builds");
    let error = client.service(SERVICE).service_get().await.expect_err("nothing listens");
    let Error::Transport { operation, source, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*operation, "service_get");
    assert!(source.is_connect(), "{source:?}");
    // A connection that was never made is retried (the default policy makes 3 attempts).
    assert_eq!(error.attempts(), 3);
    let message = error.to_string();
    assert!(message.starts_with("service_get: the request failed (after 3 attempts): "), "{message}");
    assert!(!message.contains(TOKEN) && !format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_stalled_server_times_out_within_the_deadline() {
    let server = token_endpoint(json(200, "{}").set_delay(Duration::from_secs(30))).await;
    let started = std::time::Instant::now();
    let call = client(&server)
        .service(SERVICE)
        .auth_token(&TokenRequest::new("grant_type=client_credentials"))
        .timeout(Duration::from_millis(300));
    let error = call.await.expect_err("the server stalls");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(matches!(error, Error::Timeout { timeout, .. } if timeout == Duration::from_millis(300)), "{error:?}");
    assert_eq!(error.to_string(), "auth_token: no answer within 300 ms");
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let server = token_endpoint(json(200, &format!("{{\"responseContent\":\"{}\"}}", "x".repeat(4096)))).await;
    let client = authlete::Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = client
        .service(SERVICE)
        .auth_token(&TokenRequest::new("grant_type=client_credentials"))
        .await
        .expect_err("too large");
    assert_eq!(error.to_string(), "auth_token: the answer announces 4118 bytes, more than the limit of 1024 bytes");

    // Without a `Content-Length` (chunked), the body is read until it passes the limit.
    let mut answer =
        String::from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
    for _ in 0..8 {
        answer.push_str(&format!("200\r\n{}\r\n", "x".repeat(512)));
    }
    answer.push_str("0\r\n\r\n");
    let url = raw_server(answer).await;
    let client =
        authlete::Client::builder().base_url(url).bearer_token(TOKEN).max_response_bytes(1024).build().unwrap();
    let call = client.service(SERVICE).auth_token(&TokenRequest::new("grant_type=client_credentials"));
    let error = call.await.expect_err("too large");
    assert!(matches!(error, Error::BodyTooLarge { announced: None, .. }), "{error:?}");
    assert_eq!(error.to_string(), "auth_token: the answer is larger than the limit of 1024 bytes");
}

/// A server on 127.0.0.1 that answers one request with `answer` as it is, then holds the
/// connection open.
async fn raw_server(answer: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.expect("a connection");
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        socket.write_all(answer.as_bytes()).await.expect("the answer is written");
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    url
}

#[tokio::test]
async fn an_answer_announcing_more_than_the_limit_is_refused_before_its_body() {
    // A server that announces 50 MB, sends one byte of it, and then holds the connection open:
    // only the announcement can end the call before its timeout.
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 52428800\r\n\r\n{";
    let url = raw_server(head.to_owned()).await;
    let client = authlete::Client::builder().base_url(url).bearer_token(TOKEN).build().expect("the client builds");
    let started = std::time::Instant::now();
    let call = client.service(SERVICE).auth_token(&TokenRequest::new("grant_type=client_credentials"));
    let error = call.timeout(Duration::from_secs(20)).await.expect_err("too large");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 33_554_432, announced: Some(52_428_800), attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "auth_token: the answer announces 52428800 bytes, more than the limit of 33554432 bytes"
    );
}

#[test]
fn error_values_can_be_made_without_a_server() {
    let error = Error::api("auth_token", 503, "A000503", "unavailable");
    assert_eq!(error.to_string(), "auth_token: the API answered with status 503 (A000503): unavailable");
    assert_eq!((error.operation(), error.status(), error.attempts()), ("auth_token", Some(503), 1));
    let Error::Api(api) = &error else { panic!("{error:?}") };
    assert_eq!((api.result_code.as_deref(), api.result_message.as_deref()), (Some("A000503"), Some("unavailable")));
    assert_eq!(api.body, r#"{"resultCode":"A000503","resultMessage":"unavailable"}"#);
    assert_eq!(
        error.with_attempts(3).to_string(),
        "auth_token: the API answered with status 503 (A000503, after 3 attempts): unavailable"
    );
    // Authlete's messages begin with their code, which the message does not repeat.
    assert_eq!(
        Error::api("auth_token", 400, "A001201", "[A001201] /auth/token, TLS must be used.").to_string(),
        "auth_token: the API answered with status 400 (A001201): /auth/token, TLS must be used."
    );
    let api = ApiError::from_body("client_get", 502, "<html>Bad Gateway</html>");
    assert_eq!((api.result_code.as_ref(), api.attempts), (None, 1));
    assert_eq!(Error::Api(api).to_string(), "client_get: the API answered with status 502: <html>Bad Gateway</html>");

    let timeout = Error::timeout("auth_token", Duration::from_secs(30));
    assert!(matches!(timeout, Error::Timeout { deadline: None, attempts: 1, .. }));
    assert_eq!(timeout.to_string(), "auth_token: no answer within 30 s");
    assert_eq!(timeout.with_attempts(2).to_string(), "auth_token: no answer within 30 s (after 2 attempts)");

    let source = authlete::reqwest::Client::new().get("not a URL").build().expect_err("not a URL");
    let transport = Error::transport("service_get", source);
    assert!(matches!(&transport, Error::Transport { source, attempts: 1, .. } if !source.is_connect()));
    assert_eq!(transport.to_string(), "service_get: the request failed: builder error: relative URL without a base");
}

#[test]
fn durations_in_messages_are_rounded_as_people_read_them() {
    let message = |duration| Error::timeout("x", duration).to_string().replace("x: no answer within ", "");
    let ms = Duration::from_millis;
    assert_eq!(message(ms(250)), "250 ms");
    assert_eq!(message(ms(2_500)), "2.5 s");
    assert_eq!(message(Duration::from_nanos(1_499_999_999)), "1.5 s");
    assert_eq!(message(ms(60_000)), "60 s");
    assert_eq!(message(ms(1_000)), "1 s");
    assert_eq!(message(ms(12_345)), "12 s");
    assert_eq!(message(Duration::from_micros(1_500)), "1.5 ms");
    assert_eq!(message(Duration::from_micros(500)), "500 µs");
    assert_eq!(message(Duration::ZERO), "0 ms");
    assert_eq!(message(Duration::from_secs(150)), "2.5 min");
    assert_eq!(message(Duration::from_secs(90 * 60)), "90 min");
    assert_eq!(message(Duration::from_secs(3 * 3600)), "3 h");
}

#[test]
fn the_token_appears_in_no_debug_output() {
    let builder = authlete::Client::builder().base_url("https://us.authlete.com").bearer_token(TOKEN);
    let builder_debug = format!("{builder:?}");
    assert!(builder_debug.contains("bearer_token: Some(<redacted>)"), "{builder_debug}");
    let client = builder.build().expect("the client builds");
    let service = client.service(SERVICE);
    let call = service.auth_token(&TokenRequest::new("grant_type=client_credentials"));
    for text in [builder_debug, format!("{client:?}"), format!("{service:?}"), format!("{call:?}")] {
        assert!(!text.contains(TOKEN), "the token leaks: {text}");
    }
    assert!(format!("{client:?}").contains("bearer_token: <redacted>"));
}

#[test]
fn bad_configurations_are_build_errors() {
    let error = |builder: authlete::ClientBuilder| builder.build().expect_err("a bad configuration").to_string();
    assert_eq!(error(authlete::Client::builder().bearer_token(TOKEN)), "no base URL: set `base_url` (or `region`)");
    assert_eq!(
        error(authlete::Client::builder().base_url("https://us.authlete.com")),
        "no bearer token: set `bearer_token` or `token_source`"
    );
    assert_eq!(
        error(authlete::Client::builder().base_url("ftp://x").bearer_token(TOKEN)),
        "the base URL \"ftp://x\" is not usable: it must be an http or https URL with a host"
    );
    assert_eq!(
        error(authlete::Client::builder().base_url("us.authlete.com").bearer_token(TOKEN)),
        "the base URL \"us.authlete.com\" is not usable: relative URL without a base"
    );
    let bad_token = authlete::Client::builder().base_url("https://us.authlete.com").bearer_token("line\nbreak secret");
    let bad = bad_token.build().expect_err("a header cannot carry a line break");
    assert!(matches!(bad, BuildError::InvalidBearerToken));
    assert!(!format!("{bad:?} {bad}").contains("secret"));
}

#[test]
fn regions_name_the_spec_servers() {
    assert_eq!(authlete::Region::Us.base_url(), "https://us.authlete.com");
    assert_eq!(authlete::Region::Jp.base_url(), "https://jp.authlete.com");
    assert_eq!(authlete::Region::Eu.base_url(), "https://eu.authlete.com");
    assert_eq!(authlete::Region::Br.base_url(), "https://br.authlete.com");
    let client = authlete::Client::builder().region(authlete::Region::Eu).bearer_token(TOKEN).build().unwrap();
    assert_eq!(client.base_url(), "https://eu.authlete.com");
}

#[test]
fn the_client_is_shareable_across_tasks() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<authlete::Client>();
    shareable::<authlete::Service>();
    fn sendable<T: Send + 'static>() {}
    sendable::<authlete::client::Call<authlete::models::TokenResponse>>();
}

#[tokio::test]
async fn a_user_agent_and_an_http_client_of_ones_own() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/715948317/service/get"))
        .and(wiremock::matchers::header("user-agent", "my-server/2.1"))
        .and(wiremock::matchers::header("x-proxy-tag", "from-my-client"))
        .respond_with(json(200, "{}"))
        .expect(1)
        .mount(&server)
        .await;
    // A reqwest client of the user's, with a default header the Authlete client knows nothing of.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-proxy-tag", reqwest::header::HeaderValue::from_static("from-my-client"));
    let http = reqwest::Client::builder().default_headers(headers).build().expect("a reqwest client");
    let client = authlete::Client::builder()
        .base_url(format!("{}/", server.uri()))
        .bearer_token(TOKEN)
        .http_client(http)
        .user_agent("my-server/2.1")
        .build()
        .expect("the client builds");
    client.service(SERVICE).service_get().await.expect("the mock matched the user agent and the header");
}
