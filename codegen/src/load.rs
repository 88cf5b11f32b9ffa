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
    let error = |pointer: &str, message: String| Error::at(file, pointer, message);
    if text.trim().is_empty() {
        return Err(error("", "the spec is empty".into()));
    }
    let mut raw: Value = serde_yaml::from_str(text).map_err(|e| {
        let mut err = error("", format!("not valid YAML or JSON: {}", strip_location(&e)));
        err.line_column = e.location().map(|l| (l.line(), l.column()));
        err
    })?;
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
    let api = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let pointer = pointer_of(e.path());
        error(pointer.as_str(), format!("not a valid OpenAPI 3.0 document: {}", e.into_inner()))
    })?;
    Ok(Spec { file: file.to_owned(), raw, api, sha256: sha256_hex(text.as_bytes()), fixes })
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
    match text.find(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
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
