//! The generated crate's operation tests: every operation is called once against a mock Authlete on
//! 127.0.0.1, which checks the request it receives byte for byte and answers with the spec's
//! example (or a minimal value of the answer's type where the spec has none).

use std::fmt::Write as _;

use serde_json::Value;

use super::code_text::{push_cfg, push_chain, raw_string, string_literal};
use super::context::{feature_condition, Context};
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

/// The file of tests, written as text (see `code_text.rs`), and its support module.
pub(super) fn files(context: &Context<'_>) -> Result<Vec<GeneratedFile>, InternalError> {
    let space = context.space;
    if space.operations.is_empty() {
        return Ok(Vec::new());
    }
    let paths = context.paths.from("authlete::models");
    let mut text = String::from(
        "//! Every operation, called once against a mock Authlete that checks the request it receives
//! (method, encoded path, query, every header, the JSON body) and answers with the spec's
//! example; the test checks the decoded answer.
#![cfg(feature = \"client\")]

mod support;

use support::{Expected, MockAuthlete};
",
    );
    for op in &space.operations {
        text.push('\n');
        test(&mut text, space, paths, op);
    }
    Ok(vec![context.text_file("tests/operations.rs", &text), context.text_file("tests/support/mod.rs", SUPPORT)])
}

/// The test of `op`: the mock's answer, the call, the request the mock must have received, and
/// the check of the decoded answer.
fn test(out: &mut String, space: &TypeSpace, paths: Paths, op: &Operation) {
    // Arguments, and what the server must see of them.
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
    let mut args = Vec::new();
    let mut query_pairs = Vec::new();
    for param in op.required_params() {
        let value = sample(space, param);
        if param.location == ParamLocation::Query {
            query_pairs.push(format!("{}={}", form_encode(&param.name), form_encode(&text_of(&value))));
        }
        args.push(argument(space, paths, param, &value, "&"));
    }
    let optional: Vec<&Param> = op.optional_params().collect();
    let mut setters = Vec::new();
    for param in &optional {
        let value = sample(space, param);
        query_pairs.push(format!("{}={}", form_encode(&param.name), form_encode(&text_of(&value))));
        setters.push(format!(".{}({})", ident(&param.rust_name), argument(space, paths, param, &value, "")));
    }
    let mut texts = Vec::new();
    if let Some(body) = &op.body {
        let value = example_or_minimal(space, body.example.as_ref(), &body.ty);
        texts.push(format!("let body_json = {};", raw_string(&value.to_string())));
    }
    let (status, answer, is_json, check) = answer(space, op, &mut texts);

    push_cfg(out, 0, feature_condition(&op.features));
    let name = ident(&op.rust_name);
    let _ = writeln!(out, "#[tokio::test]\nasync fn {name}() {{");
    for text in &texts {
        let _ = writeln!(out, "    {text}");
    }
    let _ = writeln!(out, "    let mock = MockAuthlete::answering({status}, {answer}, {is_json}).await;");
    if !optional.is_empty() {
        let head = format!("authlete::operations::{}::default()", op.query_type_name());
        push_chain(out, "    ", "let query = ", &head, &setters, ";");
        args.push("&query".to_owned());
    }
    if let Some(body) = &op.body {
        let _ = writeln!(out, "    let body: {} = support::parse(body_json);", paths.type_text(&body.ty, space));
        args.push("&body".to_owned());
    }
    // An answer without a body is `()`, checked by the call succeeding.
    let bind = if op.outcome == Outcome::Empty { "" } else { "let answer = " };
    let mut links = vec![".client()".to_owned()];
    if op.on_service {
        links.push(".service(support::SERVICE_ID)".to_owned());
    }
    links.push(format!(".{name}({})", args.join(", ")));
    links.extend([".await".to_owned(), ".expect(\"the call succeeds\")".to_owned()]);
    push_chain(out, "    ", bind, "mock", &links, ";");
    let query = match query_pairs.is_empty() {
        true => "None".to_owned(),
        false => format!("Some({})", string_literal(&query_pairs.join("&"))),
    };
    let _ = write!(
        out,
        "    mock.assert_request(Expected {{
        method: {method},
        path: {path},
        query: {query},
        body: {body},
        accept: {accept},
        authenticated: {authenticated},
    }})
    .await;
",
        method = string_literal(op.method.as_str()),
        path = string_literal(&path),
        body = if op.body.is_some() { "Some(body_json)" } else { "None" },
        accept = string_literal(super::client::accept(&op.outcome)),
        authenticated = op.authenticated,
    );
    if let Some(check) = check {
        let _ = writeln!(out, "    {check}");
    }
    out.push_str("}\n");
}

/// The status and body the mock answers with, whether it is JSON, and the check of the decoded
/// answer; the texts they use are added to `texts`.
fn answer(
    space: &TypeSpace,
    op: &Operation,
    texts: &mut Vec<String>,
) -> (u16, &'static str, bool, Option<&'static str>) {
    let first = |wanted: fn(&Content) -> bool| op.successes.iter().find(|s| wanted(&s.content)).map(|s| s.status);
    match &op.outcome {
        Outcome::Json(ty) | Outcome::OptionalJson(ty) => {
            let status = first(|c| matches!(c, Content::Json(_))).unwrap_or(200);
            let answer = example_or_minimal(space, op.response_example.as_ref(), ty);
            texts.push(format!("let answer_json = {};", raw_string(&answer.to_string())));
            let check = match op.outcome {
                Outcome::OptionalJson(_) => {
                    "support::assert_answer(&answer.expect(\"an answer with a body\"), answer_json);"
                }
                _ => "support::assert_answer(&answer, answer_json);",
            };
            (status, "Some(answer_json)", true, Some(check))
        }
        Outcome::Text => {
            let status = first(|c| *c == Content::Text).unwrap_or(200);
            (status, "Some(\"OK\")", false, Some("assert_eq!(answer, \"OK\");"))
        }
        Outcome::Empty => {
            let status = op.successes.first().map_or(200, |s| s.status);
            (status, "None", false, None)
        }
    }
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

/// How an argument is written in the test: an enum from its text (behind `reference`: `&` for a
/// required argument), anything else as a literal.
fn argument(space: &TypeSpace, paths: Paths, param: &Param, value: &Value, reference: &str) -> String {
    match (&param.ty, value) {
        (TypeRef::Named(_), Value::String(text)) => {
            format!("{reference}{}::from({})", paths.type_text(&param.ty, space), string_literal(text))
        }
        (_, Value::String(text)) => string_literal(text),
        (_, Value::Number(n)) if n.is_f64() => format!("{:?}", n.as_f64().unwrap_or_default()),
        (_, other) => other.to_string(),
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
