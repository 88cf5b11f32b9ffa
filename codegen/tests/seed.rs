//! The seed model (`../shared/seed/ApiServiceIdAuthToken.md`, another SDK's rendering of one
//! schema) must come out of our generator with the same fields, split, types and docs.

use std::path::{Path, PathBuf};

use quote::ToTokens;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Generates the crate for a spec and returns the parsed file of one model.
fn generated_model(spec: &str, module: &str) -> syn::File {
    let path = shared().join("specs").join(spec);
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    let generated = authlete_codegen::generate(&path, &text).expect("the spec generates");
    let wanted = format!("src/models/{module}.rs");
    let file = generated.files.iter().find(|f| f.path == wanted).unwrap_or_else(|| panic!("no {wanted}"));
    syn::parse_file(&file.contents).expect("generated code parses")
}

struct FieldView {
    rust_name: String,
    json_name: String,
    ty: String,
    docs: String,
}

fn struct_fields(file: &syn::File, name: &str) -> Vec<FieldView> {
    let item = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name}"));
    // The last field keeps the members the spec does not list; it is not one of the spec's.
    let (catch_all, fields) =
        item.fields.iter().collect::<Vec<_>>().split_last().map(|(l, f)| (*l, f.to_vec())).expect("fields");
    assert_eq!(catch_all.ident.as_ref().map(ToString::to_string).as_deref(), Some("unknown_members"));
    fields
        .into_iter()
        .map(|field| {
            let rust_name = field.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
            let docs = doc_text(&field.attrs);
            let json_name = docs
                .split("JSON name: `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .map_or_else(|| rust_name.clone(), str::to_owned);
            let ty = field.ty.to_token_stream().to_string().replace(' ', "");
            FieldView { rust_name, json_name, ty, docs }
        })
        .collect()
}

fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn words(text: &str) -> String {
    text.replace("<br/>", " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The rows of the seed's field table: (JSON name, type, required, description).
fn seed_rows() -> Vec<(String, String, bool, String)> {
    let text = std::fs::read_to_string(shared().join("seed/ApiServiceIdAuthToken.md")).expect("seed is readable");
    text.lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            (
                cells[0].trim_matches('`').to_owned(),
                cells[1].trim_matches('*').to_owned(),
                cells[2] == ":heavy_check_mark:",
                words(cells[3]),
            )
        })
        .collect()
}

#[test]
fn seed_model_from_the_2025_08_spec_matches_the_reference_sdk() {
    let file = generated_model("authlete-openapi-2025-08.yaml", "api_service_id_auth_token");
    let fields = struct_fields(&file, "ApiServiceIdAuthToken");
    let rows = seed_rows();
    assert_eq!(rows.len(), 11, "the seed documents 11 fields");
    let ours: Vec<&str> = fields.iter().map(|f| f.json_name.as_str()).collect();
    let theirs: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ours, theirs, "same fields in the same order");
    for (field, (json_name, seed_type, required, description)) in fields.iter().zip(&rows) {
        let inner = match seed_type.as_str() {
            "string" => "String",
            "number" => "i64",
            other => panic!("seed type {other} not mapped"),
        };
        let expected = if *required { inner.to_owned() } else { format!("Option<{inner}>") };
        assert_eq!(field.ty, expected, "type of `{json_name}`");
        assert!(
            words(&field.docs).contains(description.as_str()),
            "docs of `{json_name}` keep the description.\n ours: {}\nseed: {description}",
            words(&field.docs)
        );
    }
    assert_eq!(fields[1].rust_name, "client_id");
}

#[test]
fn token_request_from_the_official_spec_has_all_17_fields() {
    let file = generated_model("authlete-openapi.yaml", "token_request");
    let fields = struct_fields(&file, "TokenRequest");
    let names: Vec<&str> = fields.iter().map(|f| f.json_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "parameters",
            "clientId",
            "clientSecret",
            "clientCertificate",
            "clientCertificatePath",
            "properties",
            "dpop",
            "htm",
            "htu",
            "accessToken",
            "jwtAtClaims",
            "oauthClientAttestation",
            "oauthClientAttestationPop",
            "accessTokenDuration",
            "refreshTokenDuration",
            "dpopNonceRequired",
            "cimdOptions",
        ]
    );
    assert_eq!(fields[0].ty, "String");
    assert_eq!(fields[1].ty, "Option<String>", "clientId is a string in the current spec");
    assert_eq!(fields[4].ty, "Option<Vec<String>>");
    assert_eq!(fields[13].ty, "Option<i64>");
    assert_eq!(fields[16].ty, "Option<super::CimdOptions>");
    assert!(fields.iter().all(|f| !f.docs.trim().is_empty()), "every field is documented");
}
