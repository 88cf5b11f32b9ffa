//! The `testing` module of the generated crate (feature `testing`): a fake Authlete that tests of
//! users' servers script and read. The server itself is hand-written (`templates/testing/fake.rs`,
//! copied verbatim); what is generated is the table it routes with: one typed constant per
//! operation (`ops.rs`), the list of them, and the module's docs with an example. Written as text
//! (see `code_text.rs`), laid out as `rustfmt` lays it out at 100 columns.

use std::fmt::Write as _;

use serde_json::Value;

use super::code_text::{push_cfg, push_cfg_badged, raw_string, string_literal, Meta};
use super::context::{feature_condition, Context};
use super::doc_text::{code_span, push_docs};
use super::rust_types::ident;
use crate::model::operations::{example_value, Content, Outcome};
use crate::model::{Operation, TypeKind, TypeRef, TypeSpace};
use crate::GeneratedFile;

/// The fake server, copied verbatim.
const FAKE: &str = include_str!("../../templates/testing/fake.rs");

/// The width `rustfmt` keeps lines within.
const WIDTH: usize = 100;

/// The files of the `testing` module; none for a spec without operations (there is nothing to
/// fake, and no client to fake it for).
pub(super) fn files(context: &Context<'_>) -> Vec<GeneratedFile> {
    if context.space.operations.is_empty() {
        return Vec::new();
    }
    vec![
        context.text_file("src/testing/mod.rs", &module(context)),
        context.text_file("src/testing/fake.rs", FAKE),
        context.text_file("src/testing/ops.rs", &ops(context)),
    ]
}

/// The name of an operation's constant: its method's name in upper case.
fn constant(op: &Operation) -> String {
    op.rust_name.to_uppercase()
}

/// `mod.rs`: the docs, the parts, and the list of every operation compiled.
fn module(context: &Context<'_>) -> String {
    let space = context.space;
    let mut text = String::new();
    for line in module_docs(space).lines() {
        text.push_str(if line.is_empty() { "//!" } else { "//! " });
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(
        "\nmod fake;\npub mod ops;\n\n\
         pub use fake::{Answer, FakeAuthlete, Operation, OperationInfo, Received, Reply};\n\n",
    );
    push_docs(
        &mut text,
        "",
        "Every operation of the API that this build compiles (those of the areas whose features are\n\
         on): what [`FakeAuthlete`] routes requests by.",
    );
    let items: Vec<(Option<Meta>, String)> = space
        .operations
        .iter()
        .map(|op| (feature_condition(&op.features), format!("ops::{}.info()", constant(op))))
        .collect();
    push_list(&mut text, "pub const OPERATIONS: &[&OperationInfo] =", &items);
    text
}

/// `{head} &[items];` as `rustfmt` lays out an array of calls: on one line, or on the next, when
/// no item has an attribute and the items take at most 60 columns (its `array_width`); else one
/// item a line.
fn push_list(out: &mut String, head: &str, items: &[(Option<Meta>, String)]) {
    let flat = items.iter().map(|(_, item)| item.as_str()).collect::<Vec<_>>().join(", ");
    if items.iter().all(|(condition, _)| condition.is_none()) && flat.chars().count() <= 60 {
        let same_line = format!("{head} &[{flat}];");
        if same_line.chars().count() <= WIDTH {
            let _ = writeln!(out, "{same_line}");
            return;
        }
        let next_line = format!("    &[{flat}];");
        if next_line.chars().count() <= WIDTH {
            let _ = writeln!(out, "{head}\n{next_line}");
            return;
        }
    }
    let _ = writeln!(out, "{head} &[");
    for (condition, item) in items {
        push_cfg(out, 4, condition.clone());
        let _ = writeln!(out, "    {item},");
    }
    out.push_str("];\n");
}

/// The operation the example of the module's docs shows, and the types it uses.
struct Shown<'a> {
    op: &'a Operation,
    body: &'a str,
    answer: &'a str,
    /// An optional string member of the answer, to script it with.
    member: Option<String>,
}

impl<'a> Shown<'a> {
    /// `op`, if it fits the example: a service operation whose body is made by `new` from one
    /// string and whose JSON answer is a struct with a `Default`.
    fn of(space: &'a TypeSpace, op: &'a Operation) -> Option<Self> {
        let TypeRef::Named(body) = op.body.as_ref()?.ty else { return None };
        let Outcome::Json(TypeRef::Named(answer)) = op.outcome else { return None };
        let (body, answer) = (space.get(body), space.get(answer));
        let (TypeKind::Struct(body_struct), TypeKind::Struct(answer_struct)) = (&body.kind, &answer.kind) else {
            return None;
        };
        let required = |s: &'a crate::model::Struct| s.fields.iter().filter(|f| f.required && !f.nullable);
        let one_string =
            matches!(required(body_struct).collect::<Vec<_>>()[..], [field] if field.ty == TypeRef::String);
        let member = answer_struct.fields.iter().find(|f| !f.required && !f.nullable && f.ty == TypeRef::String);
        (op.on_service && one_string && required(answer_struct).next().is_none()).then(|| Shown {
            op,
            body: &body.name,
            answer: &answer.name,
            member: member.map(|f| ident(&f.rust_name).to_string()),
        })
    }
}

/// The module's docs: what the fake is for, how it answers, and an example where the spec has an
/// operation to show it with.
fn module_docs(space: &TypeSpace) -> String {
    // Wrapped by hand at 100 columns (with the `//! ` before each line), as a hand-written
    // module's docs are.
    let mut text = String::from(
        "A fake Authlete for tests (feature `testing`): a server on `127.0.0.1` that answers each
operation of the API as a test scripts it, and records every request it receives.

Code that calls Authlete (an authorization server, say) is tested against it the way this crate
tests itself: start a [`FakeAuthlete`], hand the code under test a client of it
([`FakeAuthlete::client`], or [`FakeAuthlete::url`] for a client of its own), script the answers
the test needs, and check the requests the code sent.

- Each operation is a constant of [`ops`], named after its method in upper case, that knows the
  operation's request and answer types: [`FakeAuthlete::reply`] takes the answer as its model, and
  [`FakeAuthlete::received`] gives the request bodies back as models.
- [`Reply`] scripts what else a server or a network does: any status, body and headers (a `503`
  with `Retry-After`, a proxy's HTML page), a delay, no answer at all, a closed connection.
  [`FakeAuthlete::reply_once`] queues answers for the next calls; [`FakeAuthlete::reply_with`]
  computes them from the request.
- An operation that no test scripted answers with the spec's example answer where the spec has
  one, else with a `500` that names it; a request without a bearer token for an operation that
  needs one gets a `401`, and a path that is no operation of the API a `404`.
",
    );
    if let Some(example) = doc_example(space) {
        text.push('\n');
        text.push_str(&example);
    }
    text
}

/// The example of the module's docs: a call scripted with a typed answer, then with a one-shot
/// raw one, and the requests read back. It uses `auth_token` where the spec has it, else the
/// first service operation whose body is made by `new` from one string and whose answer has a
/// `Default`.
fn doc_example(space: &TypeSpace) -> Option<String> {
    let candidates = || space.operations.iter().filter_map(|op| Shown::of(space, op));
    let shown = candidates().find(|shown| shown.op.rust_name == "auth_token").or_else(|| candidates().next())?;
    let (method, op_const, body, answer) = (&shown.op.rust_name, constant(shown.op), shown.body, shown.answer);
    let scripted = match &shown.member {
        Some(member) => format!("{answer} {{ {member}: Some(\"scripted\".into()), ..{answer}::default() }}"),
        None => format!("{answer}::default()"),
    };
    let (open, close) = match feature_condition(&shown.op.features) {
        Some(condition) => {
            let condition = condition.flat();
            (format!("# #[cfg({condition})]\n"), format!("# #[cfg(not({condition}))]\n# fn main() {{}}\n"))
        }
        None => (String::new(), String::new()),
    };
    Some(format!(
        "```\n\
         {open}\
         # #[tokio::main(flavor = \"current_thread\")]\n\
         # async fn main() -> Result<(), authlete::Error> {{\n\
         use authlete::models::{{{body}, {answer}}};\n\
         use authlete::testing::{{ops, FakeAuthlete, Reply}};\n\n\
         let fake = FakeAuthlete::start().await;\n\
         // The code under test gets a client of the fake; here, the fake's service.\n\
         let service = fake.service();\n\
         let request = {body}::new(\"grant_type=client_credentials\");\n\n\
         // Every call of `{method}` gets this answer...\n\
         let answer = {scripted};\n\
         fake.reply(ops::{op_const}, &answer);\n\
         assert_eq!(service.{method}(&request).await?, answer);\n\n\
         // ...but the next one, which meets a proxy's error page.\n\
         fake.reply_once(ops::{op_const}, Reply::text(502, \"text/html\", \"<h1>Bad Gateway</h1>\"));\n\
         let error = service.{method}(&request).await.unwrap_err();\n\
         assert_eq!(error.status(), Some(502));\n\n\
         // What the code sent, as the models it sent.\n\
         assert_eq!(fake.received(ops::{op_const}), vec![request.clone(), request]);\n\
         # Ok(())\n\
         # }}\n\
         {close}\
         ```\n"
    ))
}

/// `ops.rs`: a constant per operation, in the spec's order.
fn ops(context: &Context<'_>) -> String {
    let space = context.space;
    let mut text = String::from(
        "//! One constant per operation of the API, typed by its request body and by what its method \
         returns:\n\
         //! what [`FakeAuthlete`](super::FakeAuthlete) is scripted and read with. Each is compiled \
         with the\n\
         //! area of the API it belongs to, like the method it fakes.\n\n",
    );
    if space.operations.iter().all(|op| !op.features.is_empty()) {
        text.push_str("// With no area on, no constant uses them.\n#[allow(unused_imports)]\n");
    }
    text.push_str("use super::{Answer, Operation, OperationInfo};\n");
    for op in &space.operations {
        text.push('\n');
        push_constant(&mut text, context, op);
    }
    text
}

/// One operation's constant.
fn push_constant(out: &mut String, context: &Context<'_>, op: &Operation) {
    let owner = if op.on_service { "Service" } else { "Client" };
    push_docs(
        out,
        "",
        &format!(
            "Fakes [`{owner}::{name}`](crate::{owner}::{name}) ({}).",
            code_span(&format!("{} {}", op.method.as_str(), op.path)),
            name = op.rust_name,
        ),
    );
    let condition = feature_condition(&op.features);
    // The module's own `testing` is added to the badge by rustdoc.
    push_cfg_badged(out, 0, condition.as_ref());
    let request = match &op.body {
        Some(body) => context.model_type(&body.ty),
        None => "()".to_owned(),
    };
    let response = match &op.outcome {
        Outcome::Json(ty) => context.model_type(ty),
        Outcome::OptionalJson(ty) => format!("Option<{}>", context.model_type(ty)),
        Outcome::Text => "String".to_owned(),
        Outcome::Empty => "()".to_owned(),
    };
    let name = constant(op);
    let head = format!("pub const {name}: Operation<{request}, {response}> =");
    let call = "Operation::new(&OperationInfo {";
    // `rustfmt`'s layouts of a constant whose value is a multi-line call: the call on the line of
    // the name; else on the next line, unless a line of the fields (a long example) would not fit
    // there and `Operation::new(` fits on the name's line (then its argument goes on the next);
    // else after the type's arguments, one a line.
    let width = |text: &str| text.chars().count();
    if width(&head) + 1 + call.len() <= WIDTH {
        let _ = write!(out, "{head} {call}\n{}}});\n", fields(context, op, "    "));
    } else if width(&head) <= WIDTH {
        let fields = fields(context, op, "        ");
        let open = format!("{head} Operation::new(");
        if fields.lines().any(|line| width(line) > WIDTH) && width(&open) <= WIDTH {
            let _ = write!(out, "{open}\n    &OperationInfo {{\n{fields}    }},\n);\n");
        } else {
            let _ = write!(out, "{head}\n    {call}\n{fields}    }});\n");
        }
    } else {
        let fields = fields(context, op, "    ");
        let _ =
            write!(out, "pub const {name}: Operation<\n    {request},\n    {response},\n> = {call}\n{fields}}});\n");
    }
}

/// The fields of an operation's [`OperationInfo`], one a line at `field` (spaces).
fn fields(context: &Context<'_>, op: &Operation, field: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{field}name: {},", string_literal(&op.rust_name));
    let _ = writeln!(out, "{field}method: {},", string_literal(op.method.as_str()));
    let _ = writeln!(out, "{field}path: {},", string_literal(&op.path));
    let _ = writeln!(out, "{field}authenticated: {},", op.authenticated);
    let status = |wanted: fn(&Content) -> bool, otherwise: u16| {
        op.successes.iter().find(|s| wanted(&s.content)).map_or(otherwise, |s| s.status)
    };
    match &op.outcome {
        Outcome::Json(_) => {
            let _ = writeln!(out, "{field}answer: Answer::Json({}),", status(|c| matches!(c, Content::Json(_)), 200));
        }
        Outcome::OptionalJson(_) => {
            let _ = writeln!(
                out,
                "{field}answer: Answer::OptionalJson {{\n{field}    json: {},\n{field}    empty: {},\n{field}}},",
                status(|c| matches!(c, Content::Json(_)), 200),
                status(|c| *c == Content::Empty, 204),
            );
        }
        Outcome::Text => {
            let _ = writeln!(out, "{field}answer: Answer::Text({}),", status(|c| *c == Content::Text, 200));
        }
        Outcome::Empty => {
            let first = op.successes.first().map_or(200, |s| s.status);
            let _ = writeln!(out, "{field}answer: Answer::Empty({first}),");
        }
    }
    // Only a JSON answer has an example the client reads.
    let example = match &op.outcome {
        Outcome::Json(_) | Outcome::OptionalJson(_) => {
            op.response_example.as_ref().and_then(|pointer| example_value(context.space, pointer))
        }
        Outcome::Text | Outcome::Empty => None,
    };
    match example {
        Some(example) => {
            let literal = raw_string(&ascii_json(&example.value));
            let flat = format!("{field}example: Some({literal}),");
            if flat.chars().count() <= WIDTH {
                let _ = writeln!(out, "{flat}");
            } else {
                let _ = writeln!(out, "{field}example: Some(\n{field}    {literal},\n{field}),");
            }
        }
        None => {
            let _ = writeln!(out, "{field}example: None,");
        }
    }
    out
}

/// `value` as compact JSON in ASCII: every other character of its strings is a `\u` escape, so
/// that columns are characters (as `rustfmt` counts them) and the file reads the same anywhere.
fn ascii_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            // Outside strings JSON is ASCII, so every such character is in a string.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_in_ascii() {
        let value = serde_json::json!({"name": "日本語 é 😀", "n": 1});
        let text = ascii_json(&value);
        assert!(text.is_ascii(), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).expect("still JSON"), value);
    }

    #[test]
    fn short_lists_stay_on_one_line() {
        let mut out = String::new();
        push_list(&mut out, "pub const L: &[&I] =", &[(None, "a.info()".into()), (None, "b.info()".into())]);
        assert_eq!(out, "pub const L: &[&I] = &[a.info(), b.info()];\n");
        let mut out = String::new();
        push_list(&mut out, "pub const L: &[&I] =", &[(Some(Meta::feature("x")), "a.info()".into())]);
        assert_eq!(out, "pub const L: &[&I] = &[\n    #[cfg(feature = \"x\")]\n    a.info(),\n];\n");
    }
}
