//! The generated crate's fake Authlete (`authlete::testing`, feature `testing`) as its users meet
//! it: scripted answers decoded by the real client, one-shot queues, raw statuses and headers,
//! delays, hung and dropped connections, the spec's example answers, its own error answers, and
//! the requests it records. Every test is bounded in time.

use std::future::Future;
use std::io::{Read, Write};
use std::time::Duration;

use authlete::client::Error;
use authlete::models::{Client, ServiceJwksGetResponse, TokenRequest, TokenResponse, TokenResponseAction};
use authlete::operations::{ClientGetListQuery, GetLifecycleHealthcheckQuery, ServiceJwksGetQuery};
use authlete::testing::{ops, Answer, FakeAuthlete, Reply};

/// Runs a test's body, failing it if it takes longer than any of them should.
async fn bounded<T>(body: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), body).await.expect("the test finishes within 20 s")
}

fn token_request() -> TokenRequest {
    TokenRequest { client_id: Some("26478243745571".into()), ..TokenRequest::new("grant_type=client_credentials") }
}

fn answer(message: &str) -> TokenResponse {
    TokenResponse {
        action: Some(TokenResponseAction::Ok),
        result_message: Some(message.into()),
        ..TokenResponse::default()
    }
}

/// A request for `path` on the fake's server without the client: status and body.
async fn raw(fake: &FakeAuthlete, method: reqwest::Method, path: &str) -> (u16, serde_json::Value) {
    let response =
        reqwest::Client::new().request(method, format!("{}{path}", fake.url())).send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("the body is read");
    (status, serde_json::from_slice(&body).expect("a JSON body"))
}

#[tokio::test]
async fn a_scripted_model_is_what_the_client_decodes() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        let scripted = answer("scripted");
        fake.reply(ops::AUTH_TOKEN, &scripted);
        let service = fake.service();
        assert_eq!(service.auth_token(&token_request()).await.expect("the scripted answer"), scripted);
        // Persistent: the next call gets it too.
        assert_eq!(service.auth_token(&token_request()).await.expect("the scripted answer"), scripted);
        assert_eq!(fake.count(ops::AUTH_TOKEN), 2);
    })
    .await;
}

#[tokio::test]
async fn one_shot_answers_come_first_in_the_order_they_were_queued() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        fake.reply(ops::AUTH_TOKEN, &answer("always"))
            .reply_once(ops::AUTH_TOKEN, Reply::model(&answer("first")))
            .reply_once(ops::AUTH_TOKEN, Reply::api_error(400, "A001201", "second"));
        fake.reply_once(ops::AUTH_TOKEN, Reply::model(&answer("third")));
        let service = fake.service();
        let call = || service.auth_token(&token_request());
        assert_eq!(call().await.expect("first").result_message.as_deref(), Some("first"));
        let Err(Error::Api(second)) = call().await else { panic!("the second answer is an API error") };
        assert_eq!((second.status, second.result_code.as_deref()), (400, Some("A001201")));
        assert_eq!(second.result_message.as_deref(), Some("second"));
        assert_eq!(call().await.expect("third").result_message.as_deref(), Some("third"));
        assert_eq!(call().await.expect("then always").result_message.as_deref(), Some("always"));
        assert_eq!(call().await.expect("and again").result_message.as_deref(), Some("always"));
    })
    .await;
}

#[tokio::test]
async fn a_raw_answer_has_its_status_headers_and_body() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        let body = serde_json::json!({"resultCode": "A001101", "resultMessage": "[A001101] Busy."});
        fake.reply_once(ops::AUTH_TOKEN, Reply::json(503, body.clone()).header("Retry-After", "2"));
        let error = fake.service().auth_token(&token_request()).await.expect_err("a 503");
        let Error::Api(api) = &error else { panic!("not an API error: {error:?}") };
        assert_eq!(api.status, 503);
        assert_eq!(api.retry_after, Some(Duration::from_secs(2)));
        assert_eq!(api.result_code.as_deref(), Some("A001101"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&api.body).expect("JSON"), body);

        // Text of any media type: a proxy's error page.
        fake.reply_once(ops::AUTH_TOKEN, Reply::text(502, "text/html", "<h1>Bad Gateway</h1>"));
        let error = fake.service().auth_token(&token_request()).await.expect_err("a 502");
        let Error::Api(api) = &error else { panic!("not an API error: {error:?}") };
        assert_eq!((api.status, api.body.as_str(), api.result_code.as_deref()), (502, "<h1>Bad Gateway</h1>", None));
    })
    .await;
}

#[tokio::test]
async fn a_delayed_answer_comes_after_its_delay() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        fake.reply_once(ops::AUTH_TOKEN, Reply::model(&answer("late")).delay(Duration::from_millis(400)));
        let started = std::time::Instant::now();
        let late = fake.service().auth_token(&token_request()).await.expect("the delayed answer");
        assert_eq!(late.result_message.as_deref(), Some("late"));
        assert!(started.elapsed() >= Duration::from_millis(400), "answered after {:?}", started.elapsed());

        // Longer than the call may take: a timeout.
        fake.reply_once(ops::AUTH_TOKEN, Reply::model(&answer("too late")).delay(Duration::from_secs(5)));
        let call = fake.service().auth_token(&token_request()).timeout(Duration::from_millis(200));
        let error = call.await.expect_err("the call times out first");
        assert!(matches!(error, Error::Timeout { timeout, .. } if timeout == Duration::from_millis(200)), "{error:?}");
    })
    .await;
}

#[tokio::test]
async fn a_hung_call_ends_with_the_clients_timeout() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        fake.reply_once(ops::AUTH_TOKEN, Reply::hang());
        let started = std::time::Instant::now();
        let call = fake.service().auth_token(&token_request()).timeout(Duration::from_millis(300));
        let error = call.await.expect_err("no answer");
        assert!(matches!(error, Error::Timeout { operation: "auth_token", .. }), "{error:?}");
        assert!(started.elapsed() >= Duration::from_millis(300));
        // The request was received (and recorded) before the fake stopped answering.
        assert_eq!(fake.received(ops::AUTH_TOKEN), vec![token_request()]);
        // The fake itself still answers other calls.
        fake.reply(ops::AUTH_TOKEN, &answer("after"));
        assert_eq!(fake.service().auth_token(&token_request()).await.expect("answered"), answer("after"));
    })
    .await;
}

#[tokio::test]
async fn a_disconnect_closes_the_connection_without_an_answer() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        fake.reply_once(ops::AUTH_TOKEN, Reply::disconnect());
        let error = fake.service().auth_token(&token_request()).await.expect_err("no answer");
        let Error::Transport { operation, source, attempts, .. } = &error else {
            panic!("not a transport error: {error:?}")
        };
        assert_eq!((*operation, *attempts, error.status()), ("auth_token", 1, None));
        // The connection was made and the request sent: not a connect failure.
        assert!(!source.is_connect(), "{source:?}");

        // On the wire: the connection is closed, and not a byte of an answer was written.
        fake.reply_once(ops::AUTH_TOKEN, Reply::disconnect());
        let address = fake.url().trim_start_matches("http://").to_owned();
        let bytes = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).expect("connects");
            stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
            let request = "POST /api/715948317/auth/token HTTP/1.1\r\nhost: fake\r\nauthorization: Bearer t\r\n\
                           content-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
            stream.write_all(request.as_bytes()).expect("the request is sent");
            let mut answer = Vec::new();
            match stream.read_to_end(&mut answer) {
                Ok(_) => answer,
                // A reset instead of an orderly close is a closed connection too.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => answer,
                Err(e) => panic!("the connection is neither closed nor reset: {e}"),
            }
        })
        .await
        .expect("the raw client runs");
        assert_eq!(String::from_utf8_lossy(&bytes), "");
        assert_eq!(fake.count(ops::AUTH_TOKEN), 2);
    })
    .await;
}

#[tokio::test]
async fn an_unscripted_operation_answers_with_the_spec_example() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        let example = fake.service().auth_token(&token_request()).await.expect("the spec's example");
        assert_eq!(example.result_code.as_deref(), Some("A050001"));
        assert_eq!(example.access_token.as_deref(), Some("C4SrUTijIj2IxqE1xBASr3dxQWgso3BpY49g8CyjGjQ"));
        assert_eq!(ops::AUTH_TOKEN.info().answer, Answer::Json(200));
        assert!(ops::AUTH_TOKEN.info().example.is_some_and(|json| json.contains("A050001")));
    })
    .await;
}

#[tokio::test]
async fn an_unscripted_operation_without_an_example_is_a_500_that_names_it() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        assert_eq!(ops::SERVICE_GET.info().example, None);
        let error = fake.service().service_get().await.expect_err("not scripted");
        let Error::Api(api) = &error else { panic!("not an API error: {error:?}") };
        assert_eq!((api.status, api.result_code.as_deref()), (500, Some(FakeAuthlete::RESULT_CODE)));
        assert_eq!(
            api.result_message.as_deref(),
            Some(
                "[A000000] (FakeAuthlete) service_get (GET /api/{serviceId}/service/get) is not scripted and the \
                 spec has no example answer for it: script it with FakeAuthlete::reply"
            )
        );
    })
    .await;
}

#[tokio::test]
async fn a_path_of_no_operation_is_a_404_and_a_wrong_method_a_405() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        let (status, body) = raw(&fake, reqwest::Method::GET, "/api/715948317/no/such/thing").await;
        assert_eq!(status, 404);
        assert_eq!(
            body,
            serde_json::json!({
                "resultCode": "A000000",
                "resultMessage": "[A000000] (FakeAuthlete) GET /api/715948317/no/such/thing is not an operation of the API",
            })
        );
        let (status, body) = raw(&fake, reqwest::Method::GET, "/api/715948317/auth/token").await;
        assert_eq!(status, 405);
        assert_eq!(
            body["resultMessage"],
            "[A000000] (FakeAuthlete) GET /api/715948317/auth/token is not an operation of the API (the path takes POST)"
        );
        // Both are recorded, for no operation.
        let requests = fake.requests();
        assert_eq!(requests.iter().map(|r| (r.operation, r.method.as_str())).collect::<Vec<_>>(), [("", "GET"); 2]);
    })
    .await;
}

#[tokio::test]
async fn requests_are_recorded_as_sent_and_typed() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        fake.reply(ops::AUTH_TOKEN, &answer("ok"));
        let request = token_request();
        fake.service().auth_token(&request).await.expect("answered");
        assert_eq!(fake.received(ops::AUTH_TOKEN), vec![request.clone()]);

        let [received] = &fake.requests()[..] else { panic!("one request") };
        assert_eq!(received.operation, "auth_token");
        assert_eq!((received.method.as_str(), received.path.as_str()), ("POST", "/api/715948317/auth/token"));
        assert_eq!(received.query, None);
        assert_eq!(received.path_param("serviceId"), Some(FakeAuthlete::SERVICE_ID));
        assert_eq!(received.header("Content-Type"), Some("application/json"));
        assert_eq!(received.header("authorization"), Some(format!("Bearer {}", FakeAuthlete::TOKEN).as_str()));
        assert_eq!(received.json::<TokenRequest>().expect("the body reads"), request);
        assert_eq!(received.body, serde_json::to_vec(&request).expect("serializes"));

        // Path parameters decoded, query parameters read; operations without a body are `()`.
        fake.reply_with(ops::CLIENT_GET, |received| {
            let name = format!("client {}", received.path_param("clientId").unwrap_or("?"));
            Reply::model(&Client { client_name: Some(name), ..Client::default() })
        });
        let client = fake.service().client_get("a/b c").await.expect("answered");
        assert_eq!(client.client_name.as_deref(), Some("client a/b c"));
        assert_eq!(fake.received(ops::CLIENT_GET), vec![()]);
        fake.reply_once(ops::CLIENT_GET_LIST, Reply::api_error(403, "A001215", "not this one"));
        let query = ClientGetListQuery::default().developer("jo hn").start(0);
        assert_eq!(fake.service().client_get_list(&query).await.expect_err("scripted").status(), Some(403));
        let listed = fake.requests().into_iter().find(|r| r.operation == "client_get_list").expect("recorded");
        assert_eq!(listed.path, "/api/715948317/client/get/list");
        assert_eq!(
            (listed.query_param("developer").as_deref(), listed.query_param("start").as_deref()),
            (Some("jo hn"), Some("0"))
        );
        assert_eq!(fake.count(ops::CLIENT_GET), 1);
    })
    .await;
}

#[tokio::test]
async fn a_request_without_a_bearer_token_is_a_401() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        fake.reply(ops::AUTH_TOKEN, &answer("never sent"));
        let (status, body) = raw(&fake, reqwest::Method::POST, "/api/715948317/auth/token").await;
        assert_eq!(status, 401);
        assert_eq!(
            body["resultMessage"],
            "[A000000] (FakeAuthlete) auth_token needs `Authorization: Bearer <token>`, and the request has none"
        );
        assert_eq!(fake.count(ops::AUTH_TOKEN), 1, "recorded all the same");
        // An operation that needs no token is answered without one.
        fake.reply(ops::GET_LIFECYCLE_HEALTHCHECK, &"OK".to_owned());
        let response = reqwest::get(format!("{}/api/lifecycle/healthcheck", fake.url())).await.expect("answered");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.text().await.expect("text"), "OK");
    })
    .await;
}

#[tokio::test]
async fn typed_answers_follow_the_operations_success_answer() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        let service = fake.service();
        // `None` of an optional answer is a 204 without a body; `Some` is JSON.
        fake.reply(ops::SERVICE_JWKS_GET, &None);
        assert_eq!(service.service_jwks_get(&ServiceJwksGetQuery::default()).await.expect("a 204"), None);
        let keys = ServiceJwksGetResponse { keys: Some(Vec::new()), ..ServiceJwksGetResponse::default() };
        fake.reply(ops::SERVICE_JWKS_GET, &Some(keys.clone()));
        assert_eq!(service.service_jwks_get(&ServiceJwksGetQuery::default()).await.expect("a 200"), Some(keys));
        // Text as text; no body as the operation's empty status.
        fake.reply(ops::GET_LIFECYCLE_HEALTHCHECK, &"healthy".to_owned());
        let health = fake.client().get_lifecycle_healthcheck(&GetLifecycleHealthcheckQuery::default()).await;
        assert_eq!(health.expect("text"), "healthy");
        fake.reply(ops::SERVICE_DELETE, &());
        service.service_delete().await.expect("a 204");
        // A fixed path wins over a template that also matches it.
        let _ = service.client_get_list(&ClientGetListQuery::default()).await;
        assert_eq!((fake.count(ops::CLIENT_GET_LIST), fake.count(ops::CLIENT_GET)), (1, 0));
    })
    .await;
}

#[tokio::test]
async fn the_bearer_token_is_not_in_a_received_requests_debug_output() {
    bounded(async {
        let fake = FakeAuthlete::start().await;
        let client = fake.client_builder().bearer_token("secret-token-7f3a").build().expect("builds");
        let _ = client.service(FakeAuthlete::SERVICE_ID).auth_token(&token_request()).await;
        let debug = format!("{:?}", fake.requests());
        assert!(!debug.contains("secret-token-7f3a"), "{debug}");
        assert!(debug.contains("(\"authorization\", \"<redacted>\")"), "{debug}");
        assert!(debug.contains("grant_type=client_credentials"), "the body is shown: {debug}");
        // The test can still read it.
        assert_eq!(fake.requests()[0].header("authorization"), Some("Bearer secret-token-7f3a"));
    })
    .await;
}
