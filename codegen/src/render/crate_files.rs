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
    Ok(files)
}

fn has_string_enums(space: &TypeSpace) -> bool {
    space.types.iter().any(|t| matches!(t.kind, crate::model::TypeKind::Enum(_)))
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
        // Used by every enum; compiled whenever one of them is.
        let enums = space.types.iter().filter(|t| matches!(t.kind, crate::model::TypeKind::Enum(_)));
        let cfg = if enums.clone().any(|t| t.features.is_empty()) {
            quote!()
        } else {
            cfg_any(&enums.flat_map(|t| t.features.iter().cloned()).collect())
        };
        quote! { #cfg mod open_enum; }
    });
    let region = (!space.regions.is_empty()).then(|| quote!(Region,));
    quote! {
        #docs
        #![forbid(unsafe_code)]

        pub mod models;
        #open_enum
        #[cfg(feature = "client")]
        pub mod client;
        #[cfg(feature = "client")]
        pub mod operations;
        #[cfg(feature = "client")]
        pub use client::{Client, ClientBuilder, Error, #region Service};
    }
}

/// The crate's docs.rs front page: what it is, how to use it, how it is made.
fn front_page(space: &TypeSpace, provenance: &Provenance) -> String {
    let mut text = format!(
        "Rust models of the [Authlete](https://www.authlete.com/) API, generated from its OpenAPI \
         document **{title} {version}**.\n\n\
         Authlete is an API service for building OAuth 2.0 and OpenID Connect servers. Every request \
         and response body of its API is a type in [`models`] ({count} types), documented with \
         Authlete's own description of each type and field.\n\n\
         # Using the models\n\n\
         Every model derives `Debug`, `Clone`, `PartialEq` and serde's `Serialize` and \
         `Deserialize`, and reads and writes exactly the JSON of the API:\n\n\
         - members the spec requires are plain fields, optional ones are `Option`s that are left \
         out of the JSON when `None`;\n\
         - `new(…)` takes the required fields; fill in the rest with struct update syntax \
         (`Model {{ field: Some(…), ..Model::new(…) }}`), and models without required fields \
         implement `Default`;\n\
         - string enums have a variant per value of the spec plus one that keeps any other value \
         and writes it back unchanged, so a response from a newer Authlete server still parses; \
         they implement `as_str`, `Display` and `FromStr`.\n",
        title = escape_markdown(&provenance.title),
        version = escape_markdown(&provenance.version),
        count = space.types.len(),
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
             Each area of the API (an operation tag of the spec) is a cargo feature, and all are on by \
             default. A type is compiled when any feature whose operations use it is on, so \
             `default-features = false, features = [\"{first}\"]` builds only what the operations \
             of that area need (each type's docs name its features). The features: {list}.\n",
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

/// A short example body from the spec for the front page: its type, pretty JSON and features.
fn front_page_example(space: &TypeSpace) -> Option<(String, String, BTreeSet<String>)> {
    space.examples.iter().find_map(|example| {
        let id = example.ty.direct_named()?;
        let def = space.get(id);
        let is_struct = matches!(def.kind, crate::model::TypeKind::Struct(_));
        let json = serde_json::to_string_pretty(&example.value).ok()?;
        let fits =
            is_struct && !example.nullable && example.value.is_object() && json.len() < 400 && !json.contains("\"#");
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
