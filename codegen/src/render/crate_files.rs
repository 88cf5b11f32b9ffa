//! The files every generated crate has besides its models.

use quote::quote;

use std::collections::BTreeSet;

use super::cfg_any;
use super::rust_types::ident;
use super::{format_rust, inner_doc_attrs, DocSlots, Provenance};
use crate::model::TypeSpace;
use crate::GeneratedFile;

pub fn fixed_files(space: &TypeSpace, provenance: &Provenance) -> Result<Vec<GeneratedFile>, String> {
    let mut files = vec![
        GeneratedFile { path: "Cargo.toml".into(), contents: manifest(space, provenance) },
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: format_rust(crate_root(space, provenance), provenance, &DocSlots::default())?,
        },
        GeneratedFile {
            path: "src/models/mod.rs".into(),
            contents: format_rust(models_module(space), provenance, &DocSlots::default())?,
        },
    ];
    // Only a crate with string enums uses the support module (unused, it would not build with
    // `-D warnings`).
    if has_string_enums(space) {
        let contents = format!("// {}\n\n{OPEN_ENUM_SUPPORT}", provenance.preamble());
        files.push(GeneratedFile { path: "src/open_enum.rs".into(), contents });
    }
    if has_structs(space) {
        let contents = format!("// {}\n\n{OPEN_STRUCT_SUPPORT}", provenance.preamble());
        files.push(GeneratedFile { path: "src/open_struct.rs".into(), contents });
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
rust-version = "1.85"
description = "The Authlete API for Rust ({title} {version}): a model for every request and response, and a client for every operation."
license = "MIT"
exclude = ["api-surface.json"]

{features}[dependencies]
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
# The client (feature `client`): rustls, never OpenSSL or native-tls.
percent-encoding = {{ version = "2", optional = true }}
reqwest = {{ version = "0.13", default-features = false, features = ["rustls", "http2"], optional = true }}
serde_path_to_error = {{ version = "0.1", optional = true }}
# Waits between retries (reqwest already builds tokio with `time`).
tokio = {{ version = "1", default-features = false, features = ["time"], optional = true }}
# A span per call (reqwest's HTTP/2 stack already builds it).
tracing = {{ version = "0.1", default-features = false, features = ["std"], optional = true }}

[dev-dependencies]
# The generated operation tests run against a mock Authlete on 127.0.0.1.
tokio = {{ version = "1", features = ["macros", "rt", "rt-multi-thread", "net"] }}
wiremock = "0.6"
# The hand-written example server in `examples/` (HTTP/1 only: a token endpoint needs no more).
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"] }}
"#,
        features = features_table(space),
        preamble = provenance.preamble(),
        title = super::comment_line(&provenance.title).replace('\\', "\\\\").replace('"', "'"),
        version = super::comment_line(&provenance.version).replace('\\', "\\\\").replace('"', "'"),
    )
}

fn crate_root(space: &TypeSpace, provenance: &Provenance) -> proc_macro2::TokenStream {
    let docs = inner_doc_attrs(&front_page(space, provenance));
    let open_enum = has_string_enums(space).then(|| {
        let cfg = support_cfg(space, |kind| matches!(kind, crate::model::TypeKind::Enum(_)));
        quote! { #cfg mod open_enum; }
    });
    let region = (!space.regions.is_empty()).then(|| quote!(Region,));
    let client = (!space.operations.is_empty()).then(|| {
        quote! {
            #[cfg(feature = "client")]
            pub mod client;
            #[cfg(feature = "client")]
            pub mod operations;
            #[cfg(feature = "client")]
            pub use client::{Client, ClientBuilder, Error, #region Service};
        }
    });
    let open_struct = has_structs(space).then(|| {
        let cfg = support_cfg(space, |kind| matches!(kind, crate::model::TypeKind::Struct(_)));
        quote! { #cfg mod open_struct; }
    });
    quote! {
        #docs
        #![forbid(unsafe_code)]

        pub mod models;
        #open_enum
        #open_struct
        #client
    }
}

/// The crate's docs.rs front page: what it is, how to use it, how it is made.
fn front_page(space: &TypeSpace, provenance: &Provenance) -> String {
    let mut text = format!(
        "The [Authlete](https://www.authlete.com/) API for Rust, generated from its OpenAPI \
         document **{title} {version}**.\n\n\
         Authlete is an API service for building OAuth 2.0 and OpenID Connect servers. Every request \
         and response body of its API is a type in [`models`] ({count} types), documented with \
         Authlete's own description of each type and field{client}.\n",
        title = escape_markdown(&provenance.title),
        version = escape_markdown(&provenance.version),
        count = space.types.len(),
        client = if space.operations.is_empty() {
            String::new()
        } else {
            format!(", and every operation ({}) is a method of the async [`Client`]", space.operations.len())
        },
    );
    text.push_str(&client_quickstart(space));
    text.push_str(
        "\n# Using the models\n\n\
         Every model implements `Debug`, `Clone`, `PartialEq` and serde's `Serialize` and \
         `Deserialize`, and reads and writes exactly the JSON of the API:\n\n\
         - members the spec requires are plain fields, optional ones are `Option`s that are left \
         out of the JSON when `None`;\n\
         - `new(…)` takes the required fields; fill in the rest with struct update syntax \
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
         With `default-features = false` the crate is the models alone, depending on serde and \
         serde_json only.\n",
    );
    if let Some((name, json, features)) = front_page_example(space) {
        // Doctests see the crate's features: the example only runs when its type is compiled.
        let (open, close) = match features.is_empty() {
            true => (String::new(), String::new()),
            false => {
                let any = features.iter().map(|f| format!("feature = \"{f}\"")).collect::<Vec<_>>().join(", ");
                let condition = if features.len() == 1 { any } else { format!("any({any})") };
                (format!("# #[cfg({condition})] {{\n"), "# }\n".to_owned())
            }
        };
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
    let features = all_features(space);
    if !features.is_empty() {
        let list: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
        text.push_str(&format!(
            "\n# Cargo features\n\n\
             `client` (on by default) brings the HTTP client: reqwest with rustls (never OpenSSL). \
             Each area of the API (an operation tag of the spec) is a cargo feature too, and all are \
             on by default. An area's operations, and every type they use, are compiled when its \
             feature is on, so `default-features = false, features = [\"client\", \"{first}\"]` \
             builds only what that area needs (each type's docs name its features). The areas: {list}.\n",
            first = features.first().copied().unwrap_or_default(),
            list = list.join(", ")
        ));
    }
    text.push_str(&format!(
        "\n# How this crate is made\n\n\
         The crate is generated by `cargo xtask codegen` in its repository, from the spec with \
         sha256 `{sha}`; do not edit it by hand. To move to a newer spec, point \
         `schema/authlete-openapi.yaml` at it and run `cargo xtask codegen`: files change only \
         where the spec did, and `cargo xtask codegen --check` proves the checked-in crate current.",
        sha = provenance.sha256
    ));
    text
}

/// The front page's first example: build a client, bind a service, call an operation. It calls
/// `auth_token` where the spec has it (the call every authorization server makes), else the first
/// service operation whose body is built by `new` from one string.
fn client_quickstart(space: &TypeSpace) -> String {
    use crate::model::operations::Outcome;
    use crate::model::TypeKind;
    let one_string_field = |op: &&crate::model::Operation| {
        let body = op.body.as_ref()?.ty.direct_named()?;
        let TypeKind::Struct(s) = &space.get(body).kind else { return None };
        let required: Vec<_> = s.fields.iter().filter(|f| f.required && !f.nullable).collect();
        let single = matches!(required[..], [field] if field.ty == crate::model::TypeRef::String);
        (op.on_service && single && matches!(op.outcome, Outcome::Json(_))).then_some(body)
    };
    let candidates = space.operations.iter().filter_map(|op| one_string_field(&op).map(|body| (op, body)));
    let chosen = candidates.clone().find(|(op, _)| op.rust_name == "auth_token").or_else(|| candidates.clone().next());
    let Some((op, body)) = chosen else { return String::new() };
    let body = &space.get(body).name;
    let features: BTreeSet<&String> = op.features.iter().collect();
    let condition = std::iter::once("feature = \"client\"".to_owned())
        .chain(features.iter().map(|f| format!("feature = \"{f}\"")))
        .collect::<Vec<_>>()
        .join(", ");
    let server = match space.regions.first() {
        Some(region) => format!(".region(authlete::Region::{}) // or .base_url(\"https://…\")", region.rust_name),
        None => ".base_url(\"https://authlete.example\")".to_owned(),
    };
    format!(
        "\n# Calling the API\n\n\
         Build one [`Client`] (it is cheap to clone and shares its connections), bind a service, \
         and await a call. The request body is a model, and so is the answer; an OAuth-level \
         outcome such as `action: BAD_REQUEST` is a normal answer, while a failed call is an \
         [`Error`] (an error status of the API, a transport failure, a timeout, an answer that \
         does not decode).\n\n\
         ```no_run\n\
         # #[cfg(all({condition}))]\n\
         # async fn run() -> Result<(), Box<dyn std::error::Error>> {{\n\
         use authlete::models::{body};\n\n\
         let client = authlete::Client::builder()\n    \
             {server}\n    \
             .bearer_token(std::env::var(\"AUTHLETE_SERVICE_TOKEN\")?)\n    \
             .build()?;\n\
         let service = client.service(\"715948317\");\n\
         let answer = service.{method}(&{body}::new(\"grant_type=client_credentials\".to_owned())).await?;\n\
         println!(\"{{answer:?}}\");\n\
         # Ok(())\n\
         # }}\n\
         ```\n\n\
         The [`operations`] module lists every operation with its method and path; each method's \
         docs say what it sends, what it answers and how it fails.\n",
        method = op.rust_name,
    )
}

/// A short example body from the spec for the front page: its type, pretty JSON and features.
fn front_page_example(space: &TypeSpace) -> Option<(String, String, BTreeSet<String>)> {
    space.examples.iter().find_map(|example| {
        let id = example.ty.direct_named()?;
        let def = space.get(id);
        let is_struct = matches!(def.kind, crate::model::TypeKind::Struct(_));
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
    if !features.is_empty() {
        table.push_str("# One feature per area (operation tag) of the API: its operations and the types they use.\n");
    }
    for feature in features {
        table.push_str(&format!("{feature} = []\n"));
    }
    table.push('\n');
    table
}

/// Every area feature: those of the types and those of the operations (an area may use no type).
fn all_features(space: &TypeSpace) -> BTreeSet<&str> {
    let types = space.types.iter().flat_map(|def| def.features.iter());
    let operations = space.operations.iter().flat_map(|op| op.features.iter());
    types.chain(operations).map(String::as_str).collect()
}

fn models_module(space: &TypeSpace) -> proc_macro2::TokenStream {
    let entries = space.types.iter().map(|def| {
        let (module, name) = (ident(&def.module), ident(&def.name));
        let cfg = cfg_any(&def.features);
        quote! { #cfg mod #module; #cfg pub use #module::#name; }
    });
    quote! {
        //! Every request and response body of the API, one type per schema.
        #(#entries)*
    }
}

/// The impls every open enum shares, as one macro so each enum's file stays a table of values.
/// Hand-written (not generated from tokens) so that it reads like the Rust it is.
const OPEN_ENUM_SUPPORT: &str = include_str!("../../templates/open_enum.rs");

/// The serde impls every struct shares, written from a table of its members.
const OPEN_STRUCT_SUPPORT: &str = include_str!("../../templates/open_struct.rs");

/// Plain text for the middle of a Markdown line: on one line, and with every character that could
/// open a link, a tag, an entity, code or emphasis backslash-escaped, so that a spec's title is
/// shown as written.
fn escape_markdown(text: &str) -> String {
    let line = super::comment_line(text);
    let mut escaped = String::with_capacity(line.len());
    for c in line.chars() {
        if "\\`*_[]<>#!|~&".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
