//! The files every generated crate has besides its models and its client: the manifest, the
//! README of the crate's page, the license, the crate root with its front page, the models index
//! and the support macros.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use quote::quote;

use super::code_text::{push_cfg, Meta};
use super::context::{cfg_any, cfg_badged, feature_condition, Context, Provenance};
use super::doc_text::{comment_line, escape_markdown, inner_doc_attrs, DocSlots};
use super::rust_types::ident;
use crate::error::InternalError;
use crate::model::operations::Outcome;
use crate::model::{Operation, TypeDef, TypeKind, TypeRef, TypeSpace};
use crate::GeneratedFile;

/// Where the project lives, for the manifest's `repository` and the README's links. Change it
/// here (and regenerate) when the repository moves.
pub const REPOSITORY: &str = "https://github.com/authlete-rust/authlete-rust";

/// The license of the crate, shipped in its package (the manifest says `license = "MIT"`).
const LICENSE: &str = include_str!("../../templates/LICENSE");

pub fn fixed_files(context: &Context<'_>) -> Result<Vec<GeneratedFile>, InternalError> {
    let space = context.space;
    let mut files = vec![
        GeneratedFile { path: "Cargo.toml".into(), contents: manifest(space, context.provenance) },
        GeneratedFile { path: "README.md".into(), contents: readme(context) },
        GeneratedFile { path: "LICENSE".into(), contents: LICENSE.to_owned() },
        context.file("src/lib.rs", crate_root(context), &DocSlots::default())?,
        context.text_file("src/models/mod.rs", &models_module(space)),
    ];
    // Only a crate with string enums uses the support module (unused, it would not build with
    // `-D warnings`).
    if has_string_enums(space) {
        files.push(context.text_file("src/open_enum.rs", OPEN_ENUM_SUPPORT));
    }
    if has_structs(space) {
        files.push(context.text_file("src/open_struct.rs", OPEN_STRUCT_SUPPORT));
    }
    Ok(files)
}

fn has_string_enums(space: &TypeSpace) -> bool {
    space.types.iter().any(|t| matches!(t.kind, crate::model::TypeKind::Enum(_)))
}

fn has_structs(space: &TypeSpace) -> bool {
    space.types.iter().any(|t| matches!(t.kind, crate::model::TypeKind::Struct(_)))
}

/// `#[cfg]` for a support module that the types `uses` need: compiled whenever one of them is.
fn support_cfg(space: &TypeSpace, uses: impl Fn(&crate::model::TypeKind) -> bool) -> proc_macro2::TokenStream {
    let users = space.types.iter().filter(|t| uses(&t.kind));
    if users.clone().any(|t| t.features.is_empty()) {
        quote!()
    } else {
        cfg_any(&users.flat_map(|t| t.features.iter().cloned()).collect())
    }
}

fn manifest(space: &TypeSpace, provenance: &Provenance) -> String {
    format!(
        r#"# {preamble}

[package]
name = "authlete"
version = "0.1.0"
edition = "2021"
# The client's HTTP stack sets it: reqwest 0.13 and hyper-rustls 0.27 declare 1.85 (see the
# repository's docs/publishing.md for the evidence).
rust-version = "1.85"
description = "The Authlete API for Rust ({title} {version}): a model for every request and response, and a client for every operation."
license = "MIT"
repository = "{repository}"
documentation = "https://docs.rs/authlete"
readme = "README.md"
keywords = ["authlete", "oauth", "openid-connect", "authorization", "api"]
categories = ["api-bindings", "authentication", "web-programming::http-client"]
# Only what users build and read: not the generated tests (they need the repository's mock
# server setup) nor the record of the API surface that regenerations compare.
include = ["/src/**/*.rs", "/README.md", "/LICENSE"]

[package.metadata.docs.rs]
# Every area and the client, each item with a badge naming the features it needs.
all-features = true
rustdoc-args = ["--cfg", "docsrs"]

[lints.rust]
# `docsrs` is set by docs.rs alone (see above).
unexpected_cfgs = {{ level = "warn", check-cfg = ['cfg(docsrs)'] }}

{features}[dependencies]
serde = {{ version = "1", features = ["derive"] }}
# 1.0.118: `serde_json::Value` implements `Hash`, which the models derive.
serde_json = "1.0.118"
# The client (feature `client`): rustls, never OpenSSL or native-tls.
percent-encoding = {{ version = "2", optional = true }}
reqwest = {{ version = "0.13", default-features = false, features = ["rustls", "http2"], optional = true }}
serde_path_to_error = {{ version = "0.1", optional = true }}
# Waits between retries (reqwest already builds tokio with `time`).
tokio = {{ version = "1", default-features = false, features = ["time"], optional = true }}
# A span per call (reqwest's HTTP/2 stack already builds it).
tracing = {{ version = "0.1", default-features = false, features = ["std"], optional = true }}
# The server toolkit (feature `server`): framework-neutral handlers on the `http` crate's types
# (already in the client's tree), form and Base64 decoding, and the resource servers' bounded
# cache of validated tokens.
base64 = {{ version = "0.23", default-features = false, features = ["std"], optional = true }}
form_urlencoded = {{ version = "1", optional = true }}
http = {{ version = "1", default-features = false, features = ["std"], optional = true }}
quick_cache = {{ version = "0.7", default-features = false, optional = true }}
# The interactive flows (feature `interactive`): pages from an auto-escaping template engine, the
# browser session's cookie, and the random session IDs and form tokens.
cookie = {{ version = "0.18", default-features = false, optional = true }}
getrandom = {{ version = "0.4", optional = true }}
minijinja = {{ version = "3", default-features = false, features = ["builtins", "multi_template", "serde"], optional = true }}
# The toolkit's router and extractor (feature `axum`) and the fake Authlete (feature `testing`);
# HTTP/1 only. `original-uri`: a nested router's full path, which DPoP proofs sign.
axum = {{ version = "0.8", default-features = false, features = ["http1", "original-uri", "tokio"], optional = true }}
# The fake Authlete's closed connection: a response body that fails at once (in axum's tree).
http-body = {{ version = "1", optional = true }}

[dev-dependencies]
# The generated operation tests run against a mock Authlete on 127.0.0.1; the README's example
# runs on tokio's default runtime.
tokio = {{ version = "1", features = ["macros", "net", "rt", "rt-multi-thread"] }}
wiremock = "0.6"
# The hand-written example server in `examples/` (HTTP/1 only: a token endpoint needs no more).
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"] }}
{examples}"#,
        examples = examples_table(space),
        features = features_table(space),
        preamble = provenance.preamble(),
        repository = REPOSITORY,
        title = comment_line(&provenance.title).replace('\\', "\\\\").replace('"', "'"),
        version = comment_line(&provenance.version).replace('\\', "\\\\").replace('"', "'"),
    )
}

fn crate_root(context: &Context<'_>) -> proc_macro2::TokenStream {
    let space = context.space;
    let docs = front_page(context);
    let open_enum = has_string_enums(space).then(|| {
        let cfg = support_cfg(space, |kind| matches!(kind, TypeKind::Enum(_)));
        quote! { #cfg mod open_enum; }
    });
    let region = (!space.regions.is_empty()).then(|| quote!(Region,));
    let client = (!space.operations.is_empty()).then(|| {
        let cfg = cfg_badged(Meta::feature("client"));
        quote! {
            #cfg
            pub mod client;
            #cfg
            pub mod operations;
            #cfg
            pub use client::{
                ApiError, BuildError, Call, Client, ClientBuilder, DecodeError, EnvError, EnvProblem, Error, #region Response,
                RetryPolicy, Service,
            };
            #cfg
            pub use reqwest;
        }
    });
    let testing = (!space.operations.is_empty()).then(|| {
        let cfg = cfg_badged(Meta::feature("testing"));
        quote! {
            #cfg
            pub mod testing;
        }
    });
    let server = space.toolkit.is_some().then(|| {
        let cfg = cfg_badged(Meta::feature("server"));
        quote! {
            #cfg
            pub mod server;
        }
    });
    let open_struct = has_structs(space).then(|| {
        let cfg = support_cfg(space, |kind| matches!(kind, TypeKind::Struct(_)));
        quote! { #cfg mod open_struct; }
    });
    // The README's examples are doctests too, where everything they use is compiled.
    let readme = quickstart(space).map(|quick| {
        let needs = quickstart_needs(&quick);
        quote! {
            #[cfg(all(doctest, #needs))]
            #[doc = include_str!("../README.md")]
            pub struct ReadmeDoctests;
        }
    });
    quote! {
        #docs
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![forbid(unsafe_code)]

        pub mod models;
        #open_enum
        #open_struct
        #client
        #server
        #testing
        #readme
    }
}

/// The call the examples make, and the model they build for it: `auth_token` where the spec has
/// it (the call every authorization server makes), else the first service operation whose body
/// is built by `new` from one string.
struct Quickstart<'a> {
    op: &'a Operation,
    body: &'a TypeDef,
    /// The body's one required member, a string.
    required: &'a crate::model::Field,
    /// An optional string member, to show struct update syntax with.
    optional: Option<&'a crate::model::Field>,
    /// The field that keeps unknown members as JSON values, if the body has one.
    unknown_members: Option<&'a str>,
}

fn quickstart<'a>(space: &'a TypeSpace) -> Option<Quickstart<'a>> {
    let fits = |op: &'a Operation| -> Option<Quickstart<'a>> {
        let body = space.get(op.body.as_ref()?.ty.direct_named()?);
        let TypeKind::Struct(s) = &body.kind else { return None };
        let required: Vec<_> = s.fields.iter().filter(|f| f.required && !f.nullable).collect();
        let [required] = required[..] else { return None };
        let json = matches!(op.outcome, Outcome::Json(_));
        (op.on_service && json && required.ty == TypeRef::String).then(|| Quickstart {
            op,
            body,
            required,
            optional: s.fields.iter().find(|f| !f.required && f.ty == TypeRef::String),
            unknown_members: s.additional.is_none().then(|| s.catch_all()),
        })
    };
    let candidates = || space.operations.iter().filter_map(fits);
    candidates().find(|quick| quick.op.rust_name == "auth_token").or_else(|| candidates().next())
}

/// The condition under which the quickstart compiles: the client and the call's area.
fn quickstart_needs(quick: &Quickstart<'_>) -> proc_macro2::TokenStream {
    match super::context::any_feature(&quick.op.features) {
        Some(area) => quote!(feature = "client", #area),
        None => quote!(feature = "client"),
    }
}

/// A condition as doctests spell it on a hidden line (`feature = "a"`, `any(…)`).
fn condition_text(features: &BTreeSet<String>) -> Option<String> {
    let any: Vec<String> = features.iter().map(|f| format!("feature = \"{f}\"")).collect();
    match any.len() {
        0 => None,
        1 => Some(any.concat()),
        _ => Some(format!("any({})", any.join(", "))),
    }
}

/// A doctest's opening and closing hidden lines, so that it only compiles where `condition` holds
/// (doctests see the crate's features).
fn guarded(condition: Option<String>) -> (String, String) {
    match condition {
        None => (String::new(), String::new()),
        Some(condition) => (format!("# #[cfg({condition})] {{\n"), "# }\n".to_owned()),
    }
}

/// The server line of the client examples.
fn server_line(space: &TypeSpace) -> String {
    match space.regions.first() {
        Some(region) => format!(".region(authlete::Region::{}) // or .base_url(\"https://…\")", region.rust_name),
        None => ".base_url(\"https://authlete.example\")".to_owned(),
    }
}

/// The lines that build the quickstart's body with `new` (and struct update syntax where the body
/// has an optional string member).
fn build_body(quick: &Quickstart<'_>, indent: &str) -> String {
    let (name, required) = (&quick.body.name, "grant_type=client_credentials");
    match quick.optional {
        Some(field) => format!(
            "{indent}let request = {name} {{\n{indent}    {field}: Some(\"57297408867\".into()),\n{indent}    ..{name}::new(\"{required}\")\n{indent}}};\n",
            field = ident(&field.rust_name)
        ),
        None => format!("{indent}let request = {name}::new(\"{required}\");\n"),
    }
}

/// The crate's docs.rs front page: what Authlete and the crate are, the two ways to use it, its
/// features and how it is made, each with an example that is compiled as a doctest. Parts that
/// link to the client are shown only where it is compiled (elsewhere their links would not
/// resolve).
fn front_page(context: &Context<'_>) -> proc_macro2::TokenStream {
    let (space, provenance) = (context.space, context.provenance);
    let quick = quickstart(space);
    let mut always = format!(
        "The [Authlete](https://www.authlete.com/) API for Rust, generated from its OpenAPI \
         document **{title} {version}**.\n\n\
         Authlete is a service for building OAuth 2.0 and OpenID Connect servers: an authorization \
         server keeps its own login pages and user accounts, and hands each protocol request it \
         receives (an authorization request, a token request, an introspection) to Authlete's API, \
         which checks it and answers with what to send back. This crate is that API for Rust: every \
         request and response body is a type in [`models`] ({count} types), documented with \
         Authlete's own description of each type and field{client}.\n",
        title = escape_markdown(&provenance.title),
        version = escape_markdown(&provenance.version),
        count = space.types.len(),
        client = if space.operations.is_empty() {
            String::new()
        } else {
            format!(
                ", and every operation ({}) is a method of an async client (feature `client`)",
                space.operations.len()
            )
        },
    );
    always.push_str(if space.toolkit.is_some() {
        "\n# Three ways to use the crate\n\n"
    } else {
        "\n# Two ways to use the crate\n\n"
    });
    always.push_str(
        "- **The models alone** (`default-features = false`, and the areas you need): serde types for \
         the JSON that Authlete's API reads and writes, for a server that calls the API with an HTTP \
         client of its own, or that stores or forwards these bodies. They depend on serde and \
         serde_json only.\n\
         - **The client** (feature `client`, on by default): a method per operation that sends the \
         model and decodes the answer into a model, over reqwest with rustls.\n",
    );
    if space.toolkit.is_some() {
        always.push_str(&format!("-{SERVER_SENTENCE}\n"));
    }
    always.push_str(&models_section(space, quick.as_ref()));
    let client = quick.as_ref().map(|quick| client_section(space, quick));
    let mut rest = features_section(space);
    rest.push_str(&made_section(provenance, quick.as_ref()));

    let always = inner_doc_attrs(&always);
    let client = client.map(|text| {
        // Links to the client resolve only where it is compiled: they are in one paragraph of
        // their own, shown with the client.
        let text = inner_doc_attrs(&text);
        let links = " See [`Client`], [`Service`], [`Error`] and the [`operations`] module (every operation \
                     with its method and path; each method's docs say what it sends, what it answers and \
                     how it fails).";
        let off = " (The `client` feature is off in this build of the docs.)";
        quote! {
            #text
            #![doc = ""]
            #![cfg_attr(feature = "client", doc = #links)]
            #![cfg_attr(not(feature = "client"), doc = #off)]
        }
    });
    let rest = inner_doc_attrs(&rest);
    quote!(#always #client #rest)
}

/// "Using the models": how they behave, and an example that builds a body and reads one.
fn models_section(space: &TypeSpace, quick: Option<&Quickstart<'_>>) -> String {
    let mut text = String::from(
        "\n# Using the models\n\n\
         Every model implements `Debug`, `Clone`, `PartialEq` (and `Eq` and `Hash` where no member \
         is a floating-point number) and serde's `Serialize` and `Deserialize`, and reads and writes \
         exactly the JSON of the API:\n\n\
         - members the spec requires are plain fields, optional ones are `Option`s that are left \
         out of the JSON when `None`;\n\
         - `new(…)` takes the required fields (text as anything `Into<String>`, lists as anything \
         `Into<Vec<…>>`); fill in the rest with struct update syntax \
         (`Model { field: Some(…), ..Model::new(…) }`), and models without required fields \
         implement `Default`;\n\
         - string enums have a variant per value of the spec plus one that keeps any other value \
         and writes it back unchanged, so a response from a newer Authlete server still parses; \
         they implement `as_str`, `Display` and `FromStr`;\n\
         - every struct keeps the members the spec does not list (a newer server's settings, \
         extensions) as JSON values in a map field, `unknown_members` (`unknown_members_2` where the \
         spec has a member of that name; typed, in `additional_properties`, where the spec gives \
         their type), and writes them back unchanged: reading a service or a client, changing a \
         field and sending it back loses nothing.\n\n\
         Each model's docs open with what it is for: the spec's description, or where the API uses \
         it (the request body of an operation, its answer, a member of another model).\n",
    );
    if let Some(quick) = quick {
        let (open, close) = guarded(condition_text(&quick.body.features));
        text.push_str(&format!(
            "\nBuilding a request body and reading it back:\n\n\
             ```\n\
             {open}\
             use authlete::models::{name};\n\n\
             {build}\
             let json = serde_json::to_string(&request)?;\n\
             assert_eq!(serde_json::from_str::<{name}>(&json)?, request);\n\
             {close}\
             # Ok::<(), serde_json::Error>(())\n\
             ```\n",
            name = quick.body.name,
            build = build_body(quick, ""),
        ));
    }
    if let Some((name, json, features)) = front_page_example(space) {
        let (open, close) = guarded(condition_text(&features));
        text.push_str(&format!(
            "\nParsing a body (this one is an example from the spec) and writing it back:\n\n\
             ```\n\
             {open}\
             use authlete::models::{name};\n\n\
             let json = r#\"{json}\"#;\n\
             let body: {name} = serde_json::from_str(json)?;\n\
             assert_eq!(serde_json::to_value(&body)?, serde_json::from_str::<serde_json::Value>(json)?);\n\
             {close}\
             # Ok::<(), serde_json::Error>(())\n\
             ```\n"
        ));
    }
    text
}

/// "Calling the API": build a client, bind a service, call an operation.
fn client_section(space: &TypeSpace, quick: &Quickstart<'_>) -> String {
    let needs = std::iter::once("feature = \"client\"".to_owned())
        .chain(condition_text(&quick.op.features))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "\n# Calling the API\n\n\
         Build one `Client` (it is cheap to clone and shares its connections), bind a service, \
         and await a call. The request body is a model, and so is the answer; an OAuth-level \
         outcome such as `action: BAD_REQUEST` is a normal answer, while a failed call is an \
         `Error` (an error status of the API, a transport failure, a timeout, an answer that \
         does not decode).\n\n\
         ```no_run\n\
         # #[cfg(all({needs}))]\n\
         # async fn run() -> Result<(), Box<dyn std::error::Error>> {{\n\
         use authlete::models::{body};\n\n\
         let client = authlete::Client::builder()\n    \
             {server}\n    \
             .bearer_token(std::env::var(\"AUTHLETE_SERVICE_TOKEN\")?)\n    \
             .build()?;\n\
         let service = client.service(\"715948317\");\n\
         let answer = service.{method}(&{body}::new(\"grant_type=client_credentials\")).await?;\n\
         println!(\"{{answer:?}}\");\n\
         # Ok(())\n\
         # }}\n\
         ```\n\n\
         {settings}\n",
        body = quick.body.name,
        server = server_line(space),
        method = quick.op.rust_name,
        settings = client_settings(space),
    )
}

/// The client's settings beyond the quickstart, for the front page and the README.
fn client_settings(space: &TypeSpace) -> String {
    let regions: Vec<String> =
        space.regions.iter().map(|r| format!("`{}`", r.rust_name.to_ascii_lowercase())).collect();
    let region = match regions.is_empty() {
        true => String::new(),
        false => format!(" (or `AUTHLETE_REGION`: {})", regions.join(", ")),
    };
    format!(
        "`ClientBuilder::from_env()` configures the client from `AUTHLETE_BASE_URL`{region}, \
         `AUTHLETE_SERVICE_TOKEN` and an optional `AUTHLETE_SERVICE_ID` (`Client::default_service()`), \
         naming every missing or malformed variable at once; `.token_source(…)` instead of \
         `.bearer_token(…)` asks an async callback for the token before every attempt, for tokens \
         that are rotated. Each attempt has a timeout (30 s); failed calls that are safe to repeat \
         are retried (`RetryPolicy`), waiting as `Retry-After` or the rate-limit headers ask, and \
         the retry deadline (60 s) bounds the whole call. `.send_with_details()` instead of \
         `.await` gives the answer with its status, headers, attempts and duration; \
         `Error::api(…)`, `Error::timeout(…)` and `Error::transport(…)` make errors for tests."
    )
}

/// "Cargo features": the client, one feature per area, and the badges.
fn features_section(space: &TypeSpace) -> String {
    let features = all_features(space);
    if features.is_empty() {
        return String::new();
    }
    let list: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
    let first = features.first().copied().unwrap_or_default();
    format!(
        "\n# Cargo features\n\n\
         `client` (on by default) brings the HTTP client: reqwest with rustls (never OpenSSL).{testing} \
         Each area of the API (an operation tag of the spec) is a cargo feature too, and all are \
         on by default. An area's operations, and every type they use, are compiled when its \
         feature is on, so that a server that needs one area builds only that; each item's docs \
         name the features it needs. The areas: {list}.\n\n\
         ```toml\n\
         [dependencies]\n\
         # One area's models and methods:\n\
         authlete = {{ version = \"0.1\", default-features = false, features = [\"client\", \"{first}\"] }}\n\
         ```\n\n\
         Code that must build with any set of features can ask for one:\n\n\
         ```\n\
         #[cfg(feature = \"{first}\")]\n\
         fn area_is_compiled() -> bool {{ true }}\n\
         #[cfg(not(feature = \"{first}\"))]\n\
         fn area_is_compiled() -> bool {{ false }}\n\n\
         assert_eq!(area_is_compiled(), cfg!(feature = \"{first}\"));\n\
         ```\n",
        list = list.join(", "),
        testing = if space.operations.is_empty() { "" } else { TESTING_SENTENCE },
    )
}

/// What the `server` and `axum` features bring, for the front page and the README.
const SERVER_SENTENCE: &str = " **The server toolkit** (features `server`, `interactive` and `axum`, off by \
                               default): `authlete::server`, every Authlete-backed endpoint of an authorization \
                               server as a handler (token, pushed authorization requests, introspection, \
                               revocation, UserInfo, discovery, JWK Set, client registration, grant management, \
                               device authorization, CIBA) that turns each `action` into the HTTP response, \
                               access-token validation for resource servers; with `interactive` the flows a \
                               person takes part in (the authorization endpoint's sign-in and consent pages, the \
                               device flow's verification page, a CIBA approval page, the browser session); \
                               and with `axum` a router and an extractor.";

/// What the `testing` feature brings, for the front page and the README.
const TESTING_SENTENCE: &str = " `testing` (off by default) brings `authlete::testing`, a fake Authlete on \
                                127.0.0.1 for the tests of code that calls the API.";

/// "How this crate is made": generated, regenerated, and why a newer server does not break it.
fn made_section(provenance: &Provenance, quick: Option<&Quickstart<'_>>) -> String {
    let mut text = format!(
        "\n# How this crate is made\n\n\
         The crate is generated by `cargo xtask codegen` in its repository, from the spec with \
         sha256 `{sha}`; do not edit it by hand. To move to a newer spec, point \
         `schema/authlete-openapi.yaml` at it and run `cargo xtask codegen`: files change only \
         where the spec did, `cargo xtask codegen --check` proves the checked-in crate current, and \
         the change report says which changes break callers.\n",
        sha = provenance.sha256
    );
    if let Some((quick, catch_all)) = quick.and_then(|q| q.unknown_members.map(|c| (q, c))) {
        let (open, close) = guarded(condition_text(&quick.body.features));
        text.push_str(&format!(
            "\nBetween regenerations, an Authlete server newer than the spec may send members this \
             crate does not know; they are kept, and written back:\n\n\
             ```\n\
             {open}\
             use authlete::models::{name};\n\n\
             let json = r#\"{{\"{member}\":\"grant_type=client_credentials\",\"someNewMember\":true}}\"#;\n\
             let body: {name} = serde_json::from_str(json)?;\n\
             assert_eq!(body.{catch_all}[\"someNewMember\"], true);\n\
             assert_eq!(serde_json::to_string(&body)?, json);\n\
             {close}\
             # Ok::<(), serde_json::Error>(())\n\
             ```\n",
            name = quick.body.name,
            member = quick.required.json_name.replace('\\', "\\\\").replace('"', "\\\""),
        ));
    }
    text
}

/// The crate's README, for its page on crates.io (and the repository): what it is, how to add it,
/// a quickstart for the models and for the client, the features, the minimum Rust version and the
/// license. Its examples are plain programs (no hidden lines: crates.io shows them as written),
/// compiled as doctests of the crate (see `ReadmeDoctests` in the crate root).
fn readme(context: &Context<'_>) -> String {
    let (space, provenance) = (context.space, context.provenance);
    let quick = quickstart(space);
    let mut text = format!(
        "<!-- {preamble} -->\n\n\
         # authlete\n\n\
         The [Authlete](https://www.authlete.com/) API for Rust: a typed model for every request and \
         response body of the API ({count} types), and an async client with a method for every \
         operation ({ops}). Generated from Authlete's OpenAPI document ({title} {version}), with \
         Authlete's own documentation on every type, field and method.\n\n\
         Authlete is a service for building OAuth 2.0 and OpenID Connect servers: your \
         authorization server keeps its login pages and user accounts, and hands each protocol \
         request to Authlete's API, which checks it and says what to answer.\n\n\
         - Documentation: <https://docs.rs/authlete>\n\
         - Repository (the generator, the specs, the tests): <{REPOSITORY}>\n\n\
         ## Installing\n\n\
         ```toml\n\
         [dependencies]\n\
         authlete = \"0.1\"\n\
         serde_json = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\
         ```\n\n\
         For the models alone, without an HTTP stack: \
         `authlete = {{ version = \"0.1\", default-features = false, features = [\"…\"] }}` with the \
         areas of the API you need (see [Features](#features)).\n",
        preamble = provenance.preamble().replace("--", "—"),
        count = space.types.len(),
        ops = space.operations.len(),
        title = escape_markdown(&provenance.title),
        version = escape_markdown(&provenance.version),
    );
    if let Some(quick) = &quick {
        text.push_str(&format!(
            "\n## The models\n\n\
             Every request and response body is a struct or enum in `authlete::models`, serialized \
             exactly as the API expects. `new` takes the required members; the others are `Option`s \
             set with struct update syntax. Members the crate does not know are kept and written \
             back.\n\n\
             ```rust\n\
             use authlete::models::{name};\n\n\
             fn main() -> Result<(), serde_json::Error> {{\n\
             {build}    \
                 let json = serde_json::to_string(&request)?;\n    \
                 assert_eq!(serde_json::from_str::<{name}>(&json)?, request);\n    \
                 Ok(())\n\
             }}\n\
             ```\n\n\
             ## The client\n\n\
             One `Client` per program (clones share its connections); a `Service` handle per \
             Authlete service; a method per operation.\n\n\
             ```rust,no_run\n\
             use authlete::models::{name};\n\n\
             #[tokio::main]\n\
             async fn main() -> Result<(), Box<dyn std::error::Error>> {{\n    \
                 let client = authlete::Client::builder()\n        \
                     {server}\n        \
                     .bearer_token(std::env::var(\"AUTHLETE_SERVICE_TOKEN\")?)\n        \
                     .build()?;\n    \
                 let service = client.service(\"715948317\");\n    \
                 let answer = service.{method}(&{name}::new(\"grant_type=client_credentials\")).await?;\n    \
                 println!(\"{{answer:?}}\");\n    \
                 Ok(())\n\
             }}\n\
             ```\n\n\
             An OAuth-level outcome (`action: BAD_REQUEST`, say) is a normal answer; a failed call \
             is an `authlete::Error`.\n\n\
             {settings}\n",
            name = quick.body.name,
            build = build_body(quick, "    "),
            server = server_line(space),
            method = quick.op.rust_name,
            settings = client_settings(space),
        ));
    }
    let features = all_features(space);
    if !features.is_empty() {
        let list: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
        text.push_str(&format!(
            "\n## Features\n\n\
             - `client` (default): the HTTP client, reqwest with rustls (never OpenSSL).\n\
             - One feature per area of the API (all default): {}. An area brings its operations \
             and every model they use.\n",
            list.join(", ")
        ));
        if space.toolkit.is_some() {
            text.push_str(&format!("-{SERVER_SENTENCE}\n"));
        }
        if !space.operations.is_empty() {
            text.push_str(&format!("-{TESTING_SENTENCE}\n"));
        }
    }
    text.push_str(&format!(
        "\n## Minimum Rust version\n\n\
         Rust 1.85 (the client's HTTP stack needs it).\n\n\
         ## How it is made\n\n\
         This crate is generated from the spec by the generator in <{REPOSITORY}> \
         (`cargo xtask codegen`); changes are made there, never here.\n\n\
         ## License\n\n\
         MIT; see `LICENSE`.\n"
    ));
    text
}

/// A short example body from the spec for the front page: its type, pretty JSON and features.
fn front_page_example(space: &TypeSpace) -> Option<(String, String, BTreeSet<String>)> {
    space.examples.iter().find_map(|example| {
        let id = example.ty.direct_named()?;
        let def = space.get(id);
        let is_struct = matches!(def.kind, TypeKind::Struct(_));
        let json = serde_json::to_string_pretty(&example.value).ok()?;
        // An example with members its schema lacks would not come back whole.
        let whole = example.undefined_members.is_empty();
        let fits = is_struct
            && whole
            && !example.nullable
            && example.value.is_object()
            && json.len() < 400
            && !json.contains("\"#");
        fits.then(|| (def.name.clone(), json, def.features.clone()))
    })
}

/// The `client` feature and one feature per area of the API, all on by default.
fn features_table(space: &TypeSpace) -> String {
    let features = all_features(space);
    let default: Vec<String> =
        std::iter::once("client").chain(features.iter().copied()).map(|f| format!("\"{f}\"")).collect();
    let mut table = format!(
        "[features]\n\
         default = [{default}]\n\
         # The HTTP client and a method per operation; without it the crate is the models alone.\n\
         client = [\"dep:percent-encoding\", \"dep:reqwest\", \"dep:serde_path_to_error\", \"dep:tokio\", \"dep:tracing\"]\n",
        default = default.join(", ")
    );
    if !space.operations.is_empty() {
        table.push_str(
            "# A fake Authlete on 127.0.0.1 for tests of code that calls the API (`authlete::testing`).\n\
             testing = [\"client\", \"dep:axum\", \"dep:http-body\", \"tokio/net\", \"tokio/rt\"]\n",
        );
    }
    if let Some(toolkit) = &space.toolkit {
        let areas: String = toolkit.areas.iter().map(|area| format!(", \"{area}\"")).collect();
        table.push_str(&format!(
            "# The server toolkit: a handler per Authlete-backed endpoint of an authorization server, and\n\
             # access-token validation for resource servers, on the `http` crate's types (no web framework).\n\
             server = [\"client\"{areas}, \"dep:base64\", \"dep:form_urlencoded\", \"dep:http\", \"dep:quick_cache\", \"tokio/sync\"]\n\
             # The interactive flows: the authorization endpoint with login and consent pages, the\n\
             # device flow's verification page, CIBA's approval page, and the browser session they keep.\n\
             interactive = [\"server\", \"dep:cookie\", \"dep:getrandom\", \"dep:minijinja\"]\n\
             # The toolkit's endpoints as an axum router, and an extractor for resource servers.\n\
             axum = [\"server\", \"dep:axum\"]\n"
        ));
    }
    if !features.is_empty() {
        table.push_str("# One feature per area (operation tag) of the API: its operations and the types they use.\n");
    }
    for feature in features {
        table.push_str(&format!("{feature} = []\n"));
    }
    table.push('\n');
    table
}

/// The hand-written examples (`examples/`, which the generator does not own) that need the
/// toolkit: built only with its feature, so that `cargo test` with the defaults skips them.
fn examples_table(space: &TypeSpace) -> &'static str {
    if space.toolkit.is_some() {
        "\n[[example]]\nname = \"authorization_server\"\nrequired-features = [\"axum\"]\n\
         \n[[example]]\nname = \"openid_provider\"\nrequired-features = [\"axum\", \"interactive\"]\n"
    } else {
        ""
    }
}

/// Every area feature: those of the types and those of the operations (an area may use no type).
fn all_features(space: &TypeSpace) -> BTreeSet<&str> {
    let types = space.types.iter().flat_map(|def| def.features.iter());
    let operations = space.operations.iter().flat_map(|op| op.features.iter());
    types.chain(operations).map(String::as_str).collect()
}

/// The models' module: each type's module and the type, compiled with the type's features.
/// Written as text (see `code_text.rs`).
fn models_module(space: &TypeSpace) -> String {
    let mut text = String::from("//! Every request and response body of the API, one type per schema.\n");
    for def in &space.types {
        let (module, name) = (ident(&def.module), ident(&def.name));
        let cfg = feature_condition(&def.features);
        push_cfg(&mut text, 0, cfg.clone());
        let _ = writeln!(text, "mod {module};");
        push_cfg(&mut text, 0, cfg);
        let _ = writeln!(text, "pub use {module}::{name};");
    }
    text
}

/// The impls every open enum shares, as one macro so each enum's file stays a table of values.
/// Hand-written (not generated from tokens) so that it reads like the Rust it is.
const OPEN_ENUM_SUPPORT: &str = include_str!("../../templates/open_enum.rs");

/// The serde impls every struct shares, written from a table of its members.
const OPEN_STRUCT_SUPPORT: &str = include_str!("../../templates/open_struct.rs");
