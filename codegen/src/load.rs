//! Stage 1: spec text in, a checked OpenAPI 3.0 document out.
//!
//! The document is kept twice: as the raw JSON tree, because `openapiv3` drops keys written next
//! to a `$ref` and cannot follow pointers into the middle of a schema, and as typed `openapiv3`
//! values for everything else.

use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Problem, Warning};
use crate::pointer::Pointer;

/// A loaded spec: what it says, and where it came from.
#[derive(Debug)]
pub struct Spec {
    pub file: PathBuf,
    pub raw: Value,
    pub api: OpenAPI,
    /// Lower-case hex SHA-256 of the exact bytes read, recorded in every generated file.
    pub sha256: String,
    /// Known upstream bugs corrected while loading, each where it was corrected.
    pub fixes: Vec<Warning>,
    /// Breaches of OpenAPI 3.0 that have one obvious meaning, read with that meaning (see
    /// [`tolerate`]).
    pub warnings: Vec<Warning>,
}

impl Spec {
    pub fn title(&self) -> &str {
        &self.api.info.title
    }

    pub fn version(&self) -> &str {
        &self.api.info.version
    }

    /// The raw node at `pointer`, if there is one.
    pub fn node(&self, pointer: &Pointer) -> Option<&Value> {
        self.raw.pointer(pointer.as_str())
    }

    pub(crate) fn error(&self, pointer: &Pointer, message: impl Into<String>) -> Error {
        Error::at(&self.file, pointer, message)
    }
}

/// Parses `text` (YAML or JSON) read from `file` and checks that it is an OpenAPI 3.0 document.
pub fn load(file: &Path, text: &str) -> Result<Spec, Error> {
    load_observed(file, text, |_| ())
}

/// [`load`], handing the parsed tree to `on_parsed` before checking and converting it, so that
/// work which needs only the text of the spec can start early.
pub fn load_observed(file: &Path, text: &str, on_parsed: impl FnOnce(&Value)) -> Result<Spec, Error> {
    let error = |pointer: &str, message: String| Error::at(file, Pointer::from_text(pointer), message);
    if text.trim().is_empty() {
        return Err(error("", "the spec is empty".into()));
    }
    // The digest is independent of the parse; computing it beside the parse hides its cost.
    let (parsed, sha256) = std::thread::scope(|scope| {
        let digest = scope.spawn(|| sha256_hex(text.as_bytes()));
        let parsed = parse(file, text);
        (parsed, digest.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let mut raw = parsed?;
    on_parsed(&raw);
    let Value::Object(top) = &raw else {
        return Err(error(
            "",
            format!("expected an OpenAPI document (a mapping at the top level), found {}", kind_of(&raw)),
        ));
    };
    if top.contains_key("swagger") {
        return Err(error(
            "/swagger",
            "this is a Swagger (OpenAPI 2.0) document; the generator reads OpenAPI 3.0.x only (convert it first)"
                .into(),
        ));
    }
    match top.get("openapi") {
        None => return Err(error("", "no `openapi` version field: this is not an OpenAPI 3.0 document".into())),
        Some(Value::String(v)) if v.starts_with("3.0.") => {}
        Some(Value::String(v)) if v.starts_with("3.") => {
            return Err(error("/openapi", format!("OpenAPI {v} is not supported; the generator reads OpenAPI 3.0.x")))
        }
        Some(other) => {
            return Err(error(
                "/openapi",
                format!("unsupported OpenAPI version {other}; the generator reads OpenAPI 3.0.x"),
            ))
        }
    }
    // Everything wrong from here on is collected, so that one run names all of it.
    let (fixes, mut problems) = match crate::fixups::apply(&mut raw) {
        Ok(fixes) => (fixes, Vec::new()),
        Err(stale) => (Vec::new(), stale),
    };
    let warnings = tolerate(&mut raw);
    // Tracking the path costs a sixth of the conversion, so it is only paid to explain a failure.
    match OpenAPI::deserialize(&raw) {
        Ok(api) if problems.is_empty() => Ok(Spec { file: file.to_owned(), raw, api, sha256, fixes, warnings }),
        Ok(_) => Err(Error::new(file, problems)),
        Err(_) => {
            problems.extend(invalid_parts(&raw));
            Err(Error::new(file, problems))
        }
    }
}

/// What is said when part of the document does not have the shape OpenAPI 3.0 prescribes.
const INVALID: &str = "not a valid OpenAPI 3.0 document";

/// Reads breaches of OpenAPI 3.0 that have one obvious meaning with that meaning, with one
/// warning each at the node concerned, instead of refusing the spec. Specs in the wild have them
/// and every tool reads them the same way:
///
/// - a response without its (required) `description`: an empty description;
/// - an operation without its (required) `responses`: no responses documented;
/// - a document without its (required) `paths`: no operations.
///
/// Anything with more than one plausible meaning (a parameter without a schema, say) stays an
/// error.
pub fn tolerate(raw: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Value::Object(top) = raw else { return warnings };
    if !top.contains_key("paths") {
        top.insert("paths".into(), Value::Object(Default::default()));
        warnings.push(Warning::at(
            Pointer::root(),
            "the document has no `paths` (OpenAPI 3.0 requires them); read as no operations",
        ));
    }
    let paths_at = Pointer::root().push("paths");
    if let Some(Value::Object(paths)) = top.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            for (method, operation) in item.iter_mut().filter(|(key, _)| METHODS.contains(&key.as_str())) {
                let Value::Object(operation) = operation else { continue };
                let at = paths_at.push(path).push(method);
                if !operation.contains_key("responses") {
                    operation.insert("responses".into(), Value::Object(Default::default()));
                    warnings.push(Warning::at(
                        &at,
                        "the operation has no `responses` (OpenAPI 3.0 requires them); read as none documented",
                    ));
                }
                if let Some(Value::Object(responses)) = operation.get_mut("responses") {
                    let at = at.push("responses");
                    for (status, response) in responses.iter_mut() {
                        describe_response(response, &at.push(status), &mut warnings);
                    }
                }
            }
        }
    }
    if let Some(Value::Object(responses)) = raw.pointer_mut("/components/responses") {
        let at = Pointer::root().push("components").push("responses");
        for (key, response) in responses.iter_mut() {
            describe_response(response, &at.push(key), &mut warnings);
        }
    }
    warnings
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Gives a response object (not a `$ref`, not an extension) without `description` an empty one.
fn describe_response(response: &mut Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    let extension = at.segments().last().is_some_and(|key| key.starts_with("x-"));
    let Value::Object(response) = response else { return };
    if extension || response.contains_key("$ref") || response.contains_key("description") {
        return;
    }
    response.insert("description".into(), Value::String(String::new()));
    warnings.push(Warning::at(
        at,
        "the response has no `description` (OpenAPI 3.0 requires one); read as an empty description",
    ));
}

/// Every part of a document that `openapiv3` refuses, each at its own pointer.
///
/// Converting the whole document stops at the first problem, and it cannot say where a problem
/// is below a `paths` or `responses` map (those maps are flattened into their parents, which
/// loses the path). So the parts are converted one by one, down to single parameters, bodies
/// and responses; whatever the parts do not explain is reported for the whole document.
fn invalid_parts(raw: &Value) -> Vec<Problem> {
    use openapiv3::{
        Callback, Components, Example, ExternalDocumentation, Header, Info, Link, Operation, Parameter, PathItem,
        RequestBody, Response, Responses, Schema, SecurityRequirement, SecurityScheme, Server, Tag,
    };
    let mut problems = Vec::new();
    let root = Pointer::root();
    let Value::Object(top) = raw else { return problems };
    let out = &mut problems;
    if let Some(info) = top.get("info") {
        check::<Info>(info, &root.push("info"), out);
    }
    each_item(top.get("servers"), &root.push("servers"), out, check::<Server>);
    each_item(top.get("tags"), &root.push("tags"), out, check::<Tag>);
    each_item(top.get("security"), &root.push("security"), out, check::<SecurityRequirement>);
    if let Some(docs) = top.get("externalDocs") {
        check::<ExternalDocumentation>(docs, &root.push("externalDocs"), out);
    }
    if let Some(paths) = top.get("paths") {
        let at = root.push("paths");
        match paths {
            Value::Object(paths) => {
                for (path, item) in paths.iter().filter(|(key, _)| !key.starts_with("x-")) {
                    let at = at.push(path);
                    if item.get("$ref").is_some() {
                        check::<openapiv3::ReferenceOr<PathItem>>(item, &at, out);
                        continue;
                    }
                    let Value::Object(members) = item else {
                        check::<PathItem>(item, &at, out);
                        continue;
                    };
                    for (method, operation) in members.iter().filter(|(key, _)| METHODS.contains(&key.as_str())) {
                        let at = at.push(method);
                        let Value::Object(parts) = operation else {
                            check::<Operation>(operation, &at, out);
                            continue;
                        };
                        each_item(parts.get("parameters"), &at.push("parameters"), out, check_ref_or::<Parameter>);
                        if let Some(body) = parts.get("requestBody") {
                            check_ref_or::<RequestBody>(body, &at.push("requestBody"), out);
                        }
                        if let Some(responses) = parts.get("responses") {
                            let at = at.push("responses");
                            each_member(Some(responses), &at, out, check_ref_or::<Response>);
                            // The status codes themselves, with every response replaced by a valid one.
                            if let Value::Object(codes) = responses {
                                let stand_in = serde_json::json!({"description": ""});
                                let keys = codes.keys().map(|code| (code.clone(), stand_in.clone())).collect();
                                check::<Responses>(&Value::Object(keys), &at, out);
                            }
                        }
                        // The rest of the operation, with the parts checked above replaced by valid ones.
                        let mut rest = parts.clone();
                        rest.shift_remove("parameters");
                        rest.shift_remove("requestBody");
                        rest.insert("responses".into(), Value::Object(Default::default()));
                        check::<Operation>(&Value::Object(rest), &at, out);
                    }
                    each_item(members.get("parameters"), &at.push("parameters"), out, check_ref_or::<Parameter>);
                    let mut rest = members.clone();
                    rest.retain(|key, _| !METHODS.contains(&key.as_str()) && key != "parameters");
                    check::<PathItem>(&Value::Object(rest), &at, out);
                }
            }
            other => check::<openapiv3::Paths>(other, &at, out),
        }
    }
    if let Some(components) = top.get("components") {
        let at = root.push("components");
        if let Value::Object(sections) = components {
            for (section, entries) in sections {
                let at = at.push(section);
                let entries = Some(entries);
                match section.as_str() {
                    "schemas" => each_member(entries, &at, out, check_ref_or::<Schema>),
                    "responses" => each_member(entries, &at, out, check_ref_or::<Response>),
                    "parameters" => each_member(entries, &at, out, check_ref_or::<Parameter>),
                    "examples" => each_member(entries, &at, out, check_ref_or::<Example>),
                    "requestBodies" => each_member(entries, &at, out, check_ref_or::<RequestBody>),
                    "headers" => each_member(entries, &at, out, check_ref_or::<Header>),
                    "securitySchemes" => each_member(entries, &at, out, check_ref_or::<SecurityScheme>),
                    "links" => each_member(entries, &at, out, check_ref_or::<Link>),
                    "callbacks" => each_member(entries, &at, out, check_ref_or::<Callback>),
                    _ => {}
                }
            }
        }
        if problems.is_empty() {
            check::<Components>(components, &at, &mut problems);
        }
    }
    if problems.is_empty() {
        check::<OpenAPI>(raw, &root, &mut problems);
    }
    problems
}

/// Converts `node` to a `T`, adding a problem at the exact place it fails (if it does).
fn check<T: for<'de> Deserialize<'de>>(node: &Value, at: &Pointer, problems: &mut Vec<Problem>) {
    if let Err(e) = serde_path_to_error::deserialize::<_, T>(node) {
        let inner = pointer_of(e.path());
        let pointer = format!("{at}{inner}");
        problems.push(Problem::at(Pointer::from_text(pointer), format!("{INVALID}: {}", e.into_inner())));
    }
}

/// [`check`] for a place that may hold a `$ref` instead: `openapiv3` tries both, and when neither
/// fits it can only say that, so a node without `$ref` is converted as a `T` directly.
fn check_ref_or<T: for<'de> Deserialize<'de>>(node: &Value, at: &Pointer, problems: &mut Vec<Problem>) {
    match node.get("$ref") {
        Some(_) => check::<openapiv3::ReferenceOr<T>>(node, at, problems),
        None => check::<T>(node, at, problems),
    }
}

type Check = fn(&Value, &Pointer, &mut Vec<Problem>);

fn each_item(list: Option<&Value>, at: &Pointer, problems: &mut Vec<Problem>, check_one: Check) {
    match list {
        Some(Value::Array(items)) => {
            items.iter().enumerate().for_each(|(index, item)| check_one(item, &at.push(&index.to_string()), problems))
        }
        Some(other) => problems.push(Problem::at(at, format!("{INVALID}: expected a list, found {}", kind_of(other)))),
        None => {}
    }
}

fn each_member(map: Option<&Value>, at: &Pointer, problems: &mut Vec<Problem>, check_one: Check) {
    match map {
        Some(Value::Object(members)) => members
            .iter()
            .filter(|(key, _)| !key.starts_with("x-"))
            .for_each(|(key, member)| check_one(member, &at.push(key), problems)),
        Some(other) => {
            problems.push(Problem::at(at, format!("{INVALID}: expected a mapping, found {}", kind_of(other))))
        }
        None => {}
    }
}

/// How deeply mappings and lists may nest. Real specs stay under 20 levels; the limit sits below
/// the YAML parser's own (128) so that the message can say where, and it bounds how deep every
/// later stage recurses.
pub const MAX_NESTING: usize = 100;

/// Parses YAML (or JSON) into a JSON tree, refusing documents that nest deeper than
/// [`MAX_NESTING`], that repeat a key, or that YAML aliases blow up far beyond the size of the
/// text (a "billion laughs" document).
///
/// A document that starts with `{` is read as JSON first: the YAML parser rejects some text that
/// is valid JSON (a raw DEL or C1 control character in a string). Only if it is not JSON after
/// all (YAML flow style, say) is it read as YAML.
fn parse(file: &Path, text: &str) -> Result<Value, Error> {
    if text.trim_start().starts_with('{') {
        let mut budget = Budget::new(text);
        let mut json = serde_json::Deserializer::from_str(text);
        let result = serde::de::DeserializeSeed::deserialize(Node(&mut budget), &mut json);
        match result.and_then(|value| json.end().map(|()| value)) {
            Ok(value) => return Ok(value),
            Err(e) if !(e.is_syntax() || e.is_eof()) => {
                let message =
                    budget.message().unwrap_or_else(|| format!("not valid JSON: {}", strip_json_location(&e)));
                let mut err = Error::at(file, budget.pointer(), message);
                err.problems[0].line_column = Some((e.line(), e.column()));
                return Err(err);
            }
            Err(_) => {}
        }
    }
    let mut budget = Budget::new(text);
    let result = serde::de::DeserializeSeed::deserialize(Node(&mut budget), serde_yaml::Deserializer::from_str(text));
    result.map_err(|e| {
        if budget.problem.is_none() && e.to_string().starts_with("repetition limit exceeded") {
            budget.problem = Some(Limit::TooBig);
        }
        let message = budget.message().unwrap_or_else(|| format!("not valid YAML or JSON: {}", strip_location(&e)));
        let mut err = Error::at(file, budget.pointer(), message);
        err.problems[0].line_column = match byte_offset(&e) {
            // Errors found while decoding the text only know their byte offset.
            Some(offset) => Some(line_column(text, offset)),
            None => e.location().map(|l| (l.line(), l.column())),
        };
        err
    })
}

const EXPANDS: &str = "YAML aliases (`*name`) expand the document to far more than its text holds";

/// What the parser still allows, and why it stopped (if it did).
struct Budget {
    /// Values plus string bytes that may still be created.
    remaining: usize,
    depth: usize,
    /// Keys and indices from the failing node up to the root, gathered while an error unwinds.
    trail: Vec<String>,
    problem: Option<Limit>,
}

enum Limit {
    TooDeep,
    TooBig,
    DuplicateKey(String),
    Tagged,
}

impl Budget {
    fn new(text: &str) -> Self {
        Self {
            // Without aliases, values plus string bytes never exceed twice the length of the text.
            remaining: text.len().saturating_mul(2).saturating_add(1 << 20),
            depth: 0,
            trail: Vec::new(),
            problem: None,
        }
    }

    /// What is wrong, if the parse stopped on a problem of its own (not a syntax error).
    fn message(&self) -> Option<String> {
        Some(match self.problem.as_ref()? {
            Limit::TooDeep => format!("nested more than {MAX_NESTING} levels deep"),
            Limit::TooBig => EXPANDS.to_owned(),
            Limit::DuplicateKey(key) => format!("duplicate key `{key}`"),
            Limit::Tagged => "YAML tags (`!name`) are not supported".to_owned(),
        })
    }

    /// Where the parse stopped on a problem of its own; for syntax errors, line and column say.
    fn pointer(&self) -> Pointer {
        let trail = if self.problem.is_some() { self.trail.as_slice() } else { &[] };
        trail.iter().rev().fold(Pointer::root(), |pointer, key| pointer.push(key))
    }

    fn spend<E: serde::de::Error>(&mut self, units: usize) -> Result<(), E> {
        match self.remaining.checked_sub(units) {
            Some(left) => {
                self.remaining = left;
                Ok(())
            }
            None => self.fail(Limit::TooBig),
        }
    }

    /// Counts a list or mapping and one more level of nesting (`depth` drops when it closes).
    fn open_container<E: serde::de::Error>(&mut self) -> Result<(), E> {
        self.spend(1)?;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.fail(Limit::TooDeep);
        }
        Ok(())
    }

    fn fail<T, E: serde::de::Error>(&mut self, problem: Limit) -> Result<T, E> {
        self.problem = Some(problem);
        Err(E::custom("the spec is malformed"))
    }
}

/// Deserializes one node of the document as a JSON value, within the budget.
struct Node<'b>(&'b mut Budget);

impl<'de> serde::de::DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.0.spend(1)?;
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.spend(1)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.spend(1)?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.spend(1)?;
        Ok(Value::from(v))
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.spend(1)?;
        // Like `serde_json`: infinities and NaN are not JSON numbers.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.spend(1 + v.len())?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.0.spend(1 + v.len())?;
        Ok(Value::String(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let budget = self.0;
        budget.open_container()?;
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(Node(budget)) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => {
                    budget.trail.push(items.len().to_string());
                    return Err(e);
                }
            }
        }
        budget.depth -= 1;
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let budget = self.0;
        budget.open_container()?;
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            budget.spend(1 + key.len())?;
            if members.contains_key(&key) {
                return budget.fail(Limit::DuplicateKey(key));
            }
            match map.next_value_seed(Node(budget)) {
                Ok(value) => members.insert(key, value),
                Err(e) => {
                    budget.trail.push(key);
                    return Err(e);
                }
            };
        }
        budget.depth -= 1;
        Ok(Value::Object(members))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        self.0.fail(Limit::Tagged)
    }
}

/// Deserializes the raw node at `pointer` as a `T`, for places `openapiv3` cannot reach.
pub(crate) fn node_as<T: for<'de> Deserialize<'de>>(spec: &Spec, pointer: &Pointer) -> Result<T, Error> {
    let node = spec.node(pointer).ok_or_else(|| spec.error(pointer, "nothing at this JSON pointer"))?;
    serde_path_to_error::deserialize(node).map_err(|e| {
        let inner = pointer_of(e.path());
        let at = Pointer::from_ref(&format!("#{}{}", pointer, inner)).unwrap_or_else(|| pointer.clone());
        spec.error(&at, format!("not a valid schema: {}", e.into_inner()))
    })
}

fn pointer_of(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter().fold(Pointer::root(), |pointer, segment| match segment {
        Segment::Seq { index } => pointer.push(&index.to_string()),
        Segment::Map { key } => pointer.push(key),
        Segment::Enum { .. } | Segment::Unknown => pointer,
    })
}

/// serde_yaml appends "at line X column Y" to its messages; we report that separately.
fn strip_location(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ").or_else(|| text.find(" at position ")) {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// serde_json appends "at line X column Y" to its messages; we report that separately.
fn strip_json_location(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The byte offset serde_yaml gives ("… at position 31") for errors it has no line for.
fn byte_offset(e: &serde_yaml::Error) -> Option<usize> {
    let text = e.to_string();
    let (_, rest) = text.split_once(" at position ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// 1-based line and column (in characters) of the byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every `description` of the document and every operation's `summary`, once each: the texts
/// the generated docs are made of (of schemas, operations, parameters and answers).
pub fn schema_descriptions(raw: &Value) -> Vec<String> {
    fn walk<'v>(node: &'v Value, out: &mut std::collections::BTreeSet<&'v str>) {
        match node {
            Value::Object(members) => {
                // Schemas, operations, parameters and answers all become docs; an example's own
                // `description` member is converted needlessly, which costs only this thread.
                if let Some(Value::String(text)) = members.get("description") {
                    out.insert(text);
                }
                if let (true, Some(Value::String(text))) = (members.contains_key("responses"), members.get("summary")) {
                    out.insert(text);
                }
                members.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut texts = std::collections::BTreeSet::new();
    walk(raw, &mut texts);
    texts.into_iter().map(str::to_owned).collect()
}
