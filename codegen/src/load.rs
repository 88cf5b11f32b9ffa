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

use crate::error::Error;
use crate::pointer::Pointer;

/// A loaded spec: what it says, and where it came from.
#[derive(Debug)]
pub struct Spec {
    pub file: PathBuf,
    pub raw: Value,
    pub api: OpenAPI,
    /// Lower-case hex SHA-256 of the exact bytes read, recorded in every generated file.
    pub sha256: String,
    /// Known upstream bugs corrected while loading, as `(pointer, what)`.
    pub fixes: Vec<(String, String)>,
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
        Error::at(&self.file, pointer.as_str(), message)
    }
}

/// Parses `text` (YAML or JSON) read from `file` and checks that it is an OpenAPI 3.0 document.
pub fn load(file: &Path, text: &str) -> Result<Spec, Error> {
    load_observed(file, text, |_| ())
}

/// [`load`], handing the parsed tree to `on_parsed` before checking and converting it, so that
/// work which needs only the text of the spec can start early.
pub fn load_observed(file: &Path, text: &str, on_parsed: impl FnOnce(&Value)) -> Result<Spec, Error> {
    let error = |pointer: &str, message: String| Error::at(file, pointer, message);
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
    let fixes = crate::fixups::apply(file, &mut raw)?;
    // Tracking the path costs a sixth of the conversion, so it is only paid to explain a failure.
    let api = match OpenAPI::deserialize(&raw) {
        Ok(api) => api,
        Err(_) => serde_path_to_error::deserialize::<_, OpenAPI>(&raw).map_err(|e| {
            let pointer = pointer_of(e.path());
            error(pointer.as_str(), format!("not a valid OpenAPI 3.0 document: {}", e.into_inner()))
        })?,
    };
    Ok(Spec { file: file.to_owned(), raw, api, sha256, fixes })
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
                let mut err = Error::at(file, budget.pointer().as_str(), message);
                err.line_column = Some((e.line(), e.column()));
                return Err(err);
            }
            Err(_) => {}
        }
    }
    let mut budget = Budget::new(text);
    let result = serde::de::DeserializeSeed::deserialize(Node(&mut budget), serde_yaml::Deserializer::from_str(text));
    result.map_err(|e| {
        if budget.problem.is_none() && e.to_string().starts_with("repetition limit exceeded") {
            budget.problem = Some(Problem::TooBig);
        }
        let message = budget.message().unwrap_or_else(|| format!("not valid YAML or JSON: {}", strip_location(&e)));
        let mut err = Error::at(file, budget.pointer().as_str(), message);
        err.line_column = match byte_offset(&e) {
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
    problem: Option<Problem>,
}

enum Problem {
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
            Problem::TooDeep => format!("nested more than {MAX_NESTING} levels deep"),
            Problem::TooBig => EXPANDS.to_owned(),
            Problem::DuplicateKey(key) => format!("duplicate key `{key}`"),
            Problem::Tagged => "YAML tags (`!name`) are not supported".to_owned(),
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
            None => self.fail(Problem::TooBig),
        }
    }

    /// Counts a list or mapping and one more level of nesting (`depth` drops when it closes).
    fn open_container<E: serde::de::Error>(&mut self) -> Result<(), E> {
        self.spend(1)?;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.fail(Problem::TooDeep);
        }
        Ok(())
    }

    fn fail<T, E: serde::de::Error>(&mut self, problem: Problem) -> Result<T, E> {
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
                return budget.fail(Problem::DuplicateKey(key));
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
        self.0.fail(Problem::Tagged)
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

/// The `description` of every node that looks like a schema (it has a `type`, `properties`,
/// `$ref`, `enum` or `allOf`), once each: the texts the generated docs are made of.
pub fn schema_descriptions(raw: &Value) -> Vec<String> {
    fn walk<'v>(node: &'v Value, out: &mut std::collections::BTreeSet<&'v str>) {
        match node {
            Value::Object(members) => {
                let schema_like =
                    ["type", "properties", "$ref", "enum", "allOf"].iter().any(|k| members.contains_key(*k));
                if let (true, Some(Value::String(text))) = (schema_like, members.get("description")) {
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
