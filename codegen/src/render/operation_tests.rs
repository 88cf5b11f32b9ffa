//! The generated crate's operation tests: every operation is called once against a mock Authlete on
//! 127.0.0.1, which checks the request it receives byte for byte and answers with the spec's
//! example (or a minimal value of the answer's type where the spec has none).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::context::{cfg_any, Context};
use super::doc_text::DocSlots;
use super::rust_types::{ident, Paths};
use crate::error::InternalError;
use crate::model::operations::{
    example_value, minimal_value, path_parts, Content, Outcome, Param, ParamLocation, PathPart,
};
use crate::model::{Operation, TypeRef, TypeSpace};
use crate::pointer::Pointer;
use crate::GeneratedFile;

const SUPPORT: &str = include_str!("../../templates/tests/support.rs");

/// The service ID the support module's client binds (kept in step with `SERVICE_ID` there).
const SERVICE_ID: &str = "715948317";

pub(super) fn files(context: &Context<'_>) -> Result<Vec<GeneratedFile>, InternalError> {
    let space = context.space;
    if space.operations.is_empty() {
        return Ok(Vec::new());
    }
    let paths = Paths { models: quote!(authlete::models), ..context.paths.clone() };
    let tests = space.operations.iter().map(|op| test(space, &paths, op));
    let tokens = quote! {
        //! Every operation, called once against a mock Authlete that checks the request it receives
        //! (method, encoded path, query, every header, the JSON body) and answers with the spec's
        //! example; the test checks the decoded answer.
        #![cfg(feature = "client")]

        mod support;

        use support::MockAuthlete;

        #(#tests)*
    };
    Ok(vec![
        context.file("tests/operations.rs", tokens, &DocSlots::default(), "")?,
        context.template("tests/support/mod.rs", SUPPORT),
    ])
}

fn test(space: &TypeSpace, paths: &Paths, op: &Operation) -> TokenStream {
    let cfg = cfg_any(&op.features);
    let name = ident(&op.rust_name);
    let method = op.method.as_str();

    // Arguments, and what the server must see of them.
    let mut args = Vec::new();
    let mut setup = Vec::new();
    let mut query_pairs = Vec::new();
    let mut path = String::new();
    for part in path_parts(&op.path) {
        match part {
            PathPart::Text(text) => path.push_str(&path_text_encode(text)),
            PathPart::Param(name) if op.on_service && name == crate::model::operations::SERVICE_ID => {
                path.push_str(SERVICE_ID)
            }
            PathPart::Param(name) => {
                let declared = op.params.iter().find(|p| p.location == ParamLocation::Path && p.name == name);
                if let Some(declared) = declared {
                    path.push_str(&path_encode(&text_of(&sample(space, declared))));
                }
            }
        }
    }
    for param in op.required_params() {
        let value = sample(space, param);
        if param.location == ParamLocation::Query {
            query_pairs.push(format!("{}={}", form_encode(&param.name), form_encode(&text_of(&value))));
        }
        args.push(argument(space, paths, param, &value));
    }
    let optional: Vec<&Param> = op.optional_params().collect();
    if !optional.is_empty() {
        let query_type = format_ident!("{}", op.query_type_name());
        let setters = optional.iter().map(|param| {
            let value = sample(space, param);
            query_pairs.push(format!("{}={}", form_encode(&param.name), form_encode(&text_of(&value))));
            let setter = ident(&param.rust_name);
            let value = match (&param.ty, &value) {
                (TypeRef::Named(_), Value::String(text)) => {
                    let ty = paths.type_of(&param.ty, space);
                    quote!(#ty::from(#text))
                }
                _ => literal(&value),
            };
            quote!(.#setter(#value))
        });
        setup.push(quote! {
            let query = authlete::operations::#query_type::default()#(#setters)*;
        });
        args.push(quote!(&query));
    }
    let mut expected_body = quote!(None);
    let mut texts = Vec::new();
    if let Some(body) = &op.body {
        let value = example_or_minimal(space, body.example.as_ref(), &body.ty);
        let json = raw_string(&value.to_string());
        texts.push(quote!(let body_json = #json;));
        let ty = paths.type_of(&body.ty, space);
        setup.push(quote! { let body: #ty = support::parse(body_json); });
        args.push(quote!(&body));
        expected_body = quote!(Some(body_json));
    }
    let query = if query_pairs.is_empty() {
        quote!(None)
    } else {
        let query = query_pairs.join("&");
        quote!(Some(#query))
    };
    let accept = super::client::accept(&op.outcome);
    let authenticated = op.authenticated;

    // The answer and what it must decode into.
    let (status, answer, is_json, check) = answer(space, op, &mut texts);
    let status = proc_macro2::Literal::u16_unsuffixed(status);
    // An answer without a body is `()`, checked by the call succeeding.
    let bind = (op.outcome != Outcome::Empty).then(|| quote!(let answer =));
    let handle = if op.on_service { quote!(.service(support::SERVICE_ID)) } else { quote!() };
    quote! {
        #cfg
        #[tokio::test]
        async fn #name() {
            #(#texts)*
            let mock = MockAuthlete::answering(#status, #answer, #is_json).await;
            #(#setup)*
            #bind mock.client()#handle.#name(#(#args),*).await.expect("the call succeeds");
            mock.assert_request(#method, #path, #query, #expected_body, #accept, #authenticated).await;
            #check
        }
    }
}

/// The status and body the mock answers with, whether it is JSON, and the check of the decoded
/// answer; the texts they use are added to `texts`.
fn answer(space: &TypeSpace, op: &Operation, texts: &mut Vec<TokenStream>) -> (u16, TokenStream, bool, TokenStream) {
    let first = |wanted: fn(&Content) -> bool| op.successes.iter().find(|s| wanted(&s.content)).map(|s| s.status);
    match &op.outcome {
        Outcome::Json(ty) | Outcome::OptionalJson(ty) => {
            let status = first(|c| matches!(c, Content::Json(_))).unwrap_or(200);
            let answer = example_or_minimal(space, op.response_example.as_ref(), ty);
            let answer_json = raw_string(&answer.to_string());
            texts.push(quote!(let answer_json = #answer_json;));
            let sent = quote!(Some(answer_json));
            let check = match op.outcome {
                Outcome::OptionalJson(_) => {
                    quote!(support::assert_answer(&answer.expect("an answer with a body"), answer_json);)
                }
                _ => quote!(support::assert_answer(&answer, answer_json);),
            };
            (status, sent, true, check)
        }
        Outcome::Text => {
            let status = first(|c| *c == Content::Text).unwrap_or(200);
            (status, quote!(Some("OK")), false, quote!(assert_eq!(answer, "OK");))
        }
        Outcome::Empty => {
            let status = op.successes.first().map_or(200, |s| s.status);
            (status, quote!(None), false, quote!())
        }
    }
}

/// `text` as a raw string literal, with enough `#`s that nothing in it ends the literal.
fn raw_string(text: &str) -> proc_macro2::Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}").parse().unwrap_or_else(|_| proc_macro2::Literal::string(text))
}

/// The spec's example at `pointer` (whole: members its schema lacks are kept as unknown members
/// and written back), or a minimal value of `ty`.
fn example_or_minimal(space: &TypeSpace, pointer: Option<&Pointer>, ty: &TypeRef) -> Value {
    match pointer.and_then(|p| example_value(space, p)) {
        Some(example) => example.value.clone(),
        None => minimal_value(space, ty),
    }
}

/// A value for a parameter: text with a space (and, in paths, a slash and non-ASCII text that must
/// stay one encoded segment), numbers,
/// `true`, an enum's first value.
fn sample(space: &TypeSpace, param: &Param) -> Value {
    match &param.ty {
        TypeRef::Bool => Value::Bool(true),
        TypeRef::I32 | TypeRef::I64 => Value::from(7),
        TypeRef::F64 => Value::from(1.5),
        TypeRef::Named(_) => minimal_value(space, &param.ty),
        _ if param.location == ParamLocation::Path => Value::from(format!("{}/ä 1", param.name)),
        _ => Value::from(format!("{} value", param.name)),
    }
}

/// How a required argument is written in the test.
fn argument(space: &TypeSpace, paths: &Paths, param: &Param, value: &Value) -> TokenStream {
    match (&param.ty, value) {
        (TypeRef::Named(_), Value::String(text)) => {
            let ty = paths.type_of(&param.ty, space);
            quote!(&#ty::from(#text))
        }
        _ => literal(value),
    }
}

fn literal(value: &Value) -> TokenStream {
    match value {
        Value::Bool(b) => quote!(#b),
        Value::Number(n) if n.is_f64() => {
            let n = n.as_f64().unwrap_or_default();
            quote!(#n)
        }
        Value::Number(n) => {
            let n = proc_macro2::Literal::i64_unsuffixed(n.as_i64().unwrap_or_default());
            quote!(#n)
        }
        Value::String(s) => quote!(#s),
        other => {
            let text = other.to_string();
            quote!(#text)
        }
    }
}

/// A parameter value as text on the wire.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A path argument as sent: RFC 3986 unreserved characters stay, every other byte is `%XX`.
fn path_encode(text: &str) -> String {
    percent_encode(text, |byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte), None)
}

/// The spec's own path text as sent: control characters, space, `"#<>?`{}` and non-ASCII bytes
/// are `%XX`, everything else (its `/`s too) stays.
fn path_text_encode(text: &str) -> String {
    percent_encode(text, |byte| (0x21..=0x7e).contains(&byte) && !b"\"#<>?`{}".contains(&byte), None)
}

/// `application/x-www-form-urlencoded` bytes of `text`, as a query string carries them: ASCII
/// letters, digits and `*-._` stay, a space is `+`, every other byte is `%XX`.
fn form_encode(text: &str) -> String {
    percent_encode(text, |byte| byte.is_ascii_alphanumeric() || b"*-._".contains(&byte), Some('+'))
}

/// `text` with every byte but those `keep` allows written `%XX` (a space as `space`, if given).
/// Written here rather than borrowed from the runtime: the tests must not share the encoding they
/// check.
fn percent_encode(text: &str, keep: impl Fn(u8) -> bool, space: Option<char>) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match (byte, space) {
            (b' ', Some(space)) => out.push(space),
            _ if keep(byte) => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::form_encode;

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("a b/ä*~"), "a+b%2F%C3%A4*%7E");
        assert_eq!(super::path_encode("clientId/ä 1~"), "clientId%2F%C3%A4%201~");
        assert_eq!(super::path_text_encode("/x/`\"]*?#ä/"), "/x/%60%22]*%3F%23%C3%A4/");
    }
}
