//! `ClientBuilder::from_env`: every missing or malformed variable is named at once, in plain
//! words, and a good environment makes a client that calls the right server with the right token
//! for the right service.
//!
//! The environment is one per process: this binary has this one test function, so that nothing
//! else reads or writes it meanwhile.

mod scripted;

use std::ffi::OsStr;

use authlete::{ClientBuilder, EnvError};
use scripted::{Answer, MockServer};
use serde_json::json;

const VARIABLES: [&str; 4] = ["AUTHLETE_BASE_URL", "AUTHLETE_REGION", "AUTHLETE_SERVICE_TOKEN", "AUTHLETE_SERVICE_ID"];

/// Sets exactly `values` of the four variables, and unsets the others.
fn environment(values: &[(&str, &str)]) {
    for variable in VARIABLES {
        std::env::remove_var(variable);
    }
    for (variable, value) in values {
        std::env::set_var(variable, value);
    }
}

fn problems(values: &[(&str, &str)]) -> EnvError {
    environment(values);
    ClientBuilder::from_env().expect_err("a bad environment")
}

fn variables(error: &EnvError) -> Vec<&'static str> {
    error.problems.iter().map(|problem| problem.variable).collect()
}

#[tokio::test]
async fn the_environment_configures_a_client_or_names_every_problem() {
    // Nothing set: both required settings are named, in one error.
    let error = problems(&[]);
    assert_eq!(variables(&error), ["AUTHLETE_BASE_URL", "AUTHLETE_SERVICE_TOKEN"]);
    assert_eq!(
        error.to_string(),
        "the Authlete client cannot be configured from the environment: neither AUTHLETE_BASE_URL nor \
         AUTHLETE_REGION is set: set AUTHLETE_BASE_URL to the server's URL (such as https://us.authlete.com), \
         or AUTHLETE_REGION to one of us, jp, eu, br; AUTHLETE_SERVICE_TOKEN is not set: set it to the service \
         access token or organization token"
    );
    // Empty and blank variables count as unset.
    assert_eq!(problems(&[("AUTHLETE_REGION", ""), ("AUTHLETE_SERVICE_TOKEN", "  ")]), error);

    // Everything malformed: every variable named, and the token's value not shown.
    let error = problems(&[
        ("AUTHLETE_BASE_URL", "us.authlete.com"),
        ("AUTHLETE_SERVICE_TOKEN", "line\nbreak-secret"),
        ("AUTHLETE_SERVICE_ID", "my service"),
    ]);
    assert_eq!(variables(&error), ["AUTHLETE_BASE_URL", "AUTHLETE_SERVICE_TOKEN", "AUTHLETE_SERVICE_ID"]);
    let messages: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "AUTHLETE_BASE_URL (\"us.authlete.com\") is not usable: relative URL without a base",
            "AUTHLETE_SERVICE_TOKEN has characters an HTTP header cannot carry (its value is not shown)",
            "AUTHLETE_SERVICE_ID (\"my service\") is not a service ID: Authlete's service IDs are numbers, such as \
             715948317",
        ]
    );
    assert!(!format!("{error} {error:?}").contains("secret"));

    let error = problems(&[("AUTHLETE_REGION", "mars"), ("AUTHLETE_SERVICE_TOKEN", "t")]);
    assert_eq!(
        error.to_string(),
        "the Authlete client cannot be configured from the environment: AUTHLETE_REGION (\"mars\") is not one \
         of us, jp, eu, br"
    );
    let error = problems(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_REGION", "us"),
        ("AUTHLETE_SERVICE_TOKEN", "t"),
    ]);
    assert_eq!(
        error.to_string(),
        "the Authlete client cannot be configured from the environment: AUTHLETE_BASE_URL and AUTHLETE_REGION \
         are both set: set only one of them"
    );
    let error = problems(&[("AUTHLETE_BASE_URL", "https://proxy.example/?x=1"), ("AUTHLETE_SERVICE_TOKEN", "t")]);
    assert_eq!(
        error.problems[0].message,
        "AUTHLETE_BASE_URL (\"https://proxy.example/?x=1\") is not usable: it must not have a query or fragment"
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        environment(&[("AUTHLETE_REGION", "jp"), ("AUTHLETE_SERVICE_TOKEN", "t")]);
        std::env::set_var("AUTHLETE_SERVICE_ID", OsStr::from_bytes(b"\xff"));
        let error = ClientBuilder::from_env().expect_err("not Unicode");
        assert_eq!(error.problems[0].message, "AUTHLETE_SERVICE_ID is not valid Unicode");
    }

    // A region, in any case; no service ID.
    environment(&[("AUTHLETE_REGION", "EU"), ("AUTHLETE_SERVICE_TOKEN", "t")]);
    let client = ClientBuilder::from_env().expect("a good environment").build().expect("a client");
    assert_eq!(client.base_url(), "https://eu.authlete.com");
    assert!(client.default_service().is_none());

    // A server, a token with whitespace around it, and a service: a call goes there with them.
    let server = MockServer::sequence([Answer::json(200, json!({"serviceName": "demo"}))]).await;
    environment(&[
        ("AUTHLETE_BASE_URL", server.url.as_str()),
        ("AUTHLETE_SERVICE_TOKEN", " env-token-51d2\n"),
        ("AUTHLETE_SERVICE_ID", "715948317"),
    ]);
    let client = ClientBuilder::from_env().expect("a good environment").build().expect("a client");
    let service = client.default_service().expect("AUTHLETE_SERVICE_ID");
    assert_eq!(service.id(), "715948317");
    let answer = service.service_get().await.expect("an answer");
    assert_eq!(answer.service_name.as_deref(), Some("demo"));
    let seen = server.seen();
    assert_eq!(seen[0].uri.path(), "/api/715948317/service/get");
    assert_eq!(seen[0].headers["authorization"], "Bearer env-token-51d2");
    assert!(!format!("{client:?}").contains("env-token"));
    environment(&[]);
}
