//! The reference provider's start: every missing setting named at once, in plain words, and the
//! demo users it prints.

use super::provider::{banner, settings, DemoUsers};

#[test]
fn every_missing_setting_is_named_in_plain_words() {
    let Err(message) = settings(|_| None) else { panic!("no settings, yet the provider would start") };
    assert_eq!(
        message,
        "missing settings:\n  AUTHLETE_BASE_URL (or AUTHLETE_REGION), the Authlete server\n  \
         AUTHLETE_SERVICE_ID, the service this provider is the front of\n  \
         AUTHLETE_SERVICE_TOKEN, the service's access token\n\
         (see the top of examples/openid_provider.rs)"
    );
    // Blank counts as missing; only what is missing is named.
    let only_token = |name: &str| match name {
        "AUTHLETE_REGION" => Some("us".to_owned()),
        "AUTHLETE_SERVICE_ID" => Some("715948317".to_owned()),
        "AUTHLETE_SERVICE_TOKEN" => Some("   ".to_owned()),
        _ => None,
    };
    let Err(message) = settings(only_token) else { panic!("a blank token was taken") };
    assert_eq!(
        message,
        "missing settings:\n  AUTHLETE_SERVICE_TOKEN, the service's access token\n\
         (see the top of examples/openid_provider.rs)"
    );
}

#[test]
fn the_banner_names_the_provider_and_its_demo_users() {
    assert_eq!(
        banner("http://127.0.0.1:8080", &DemoUsers::demo()),
        "OpenID Provider on http://127.0.0.1:8080 (discovery: \
         http://127.0.0.1:8080/.well-known/openid-configuration)\n\
         demo users (login / password):\n  alice / wonderland (subject 1001)\n  bob / builder (subject 1002)\n"
    );
}
