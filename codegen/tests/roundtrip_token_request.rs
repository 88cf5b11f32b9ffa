//! Building, serializing and parsing a `TokenRequest` with the checked-in crate.

use authlete::models::TokenRequest;
use serde_json::json;

#[test]
fn token_request_serializes_with_spec_names_and_omits_unset_fields() {
    let request = TokenRequest {
        client_id: Some("26478243745571".into()),
        client_secret: Some(
            "gXz97ISgLs4HuXwOZWch8GEmgL4YMvUJwu3er_kDVVGcA0UOhA9avLPbEmoeZdagi9yC_-tEiT2BdRyH9dbrQQ".into(),
        ),
        ..TokenRequest::new("grant_type=authorization_code&code=Xv_su944auuBgc5mfUnxXayiiQU9Z4-T_Yae_UfExmo")
    };
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value,
        json!({
            "parameters": "grant_type=authorization_code&code=Xv_su944auuBgc5mfUnxXayiiQU9Z4-T_Yae_UfExmo",
            "clientId": "26478243745571",
            "clientSecret": "gXz97ISgLs4HuXwOZWch8GEmgL4YMvUJwu3er_kDVVGcA0UOhA9avLPbEmoeZdagi9yC_-tEiT2BdRyH9dbrQQ",
        })
    );
}

#[test]
fn token_request_parses_back_from_json() {
    let text = r#"{
        "parameters": "grant_type=refresh_token&refresh_token=tk",
        "clientId": "1140735077",
        "clientCertificatePath": ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
        "accessTokenDuration": 3600,
        "dpopNonceRequired": true
    }"#;
    let request: TokenRequest = serde_json::from_str(text).unwrap();
    assert_eq!(request.parameters, "grant_type=refresh_token&refresh_token=tk");
    assert_eq!(request.client_id.as_deref(), Some("1140735077"));
    assert_eq!(request.access_token_duration, Some(3600));
    assert_eq!(request.dpop_nonce_required, Some(true));
    assert_eq!(request.htm, None);
    let back = serde_json::to_value(&request).unwrap();
    assert_eq!(back, serde_json::from_str::<serde_json::Value>(text).unwrap());
    assert!(serde_json::from_str::<TokenRequest>(r#"{"clientId": "x"}"#).is_err(), "`parameters` is required");
}
