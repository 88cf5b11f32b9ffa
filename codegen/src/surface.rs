//! The API surface of a generated crate, and what changed between two of them.
//!
//! A regeneration replaces a crate that users build against. To say what that means for them,
//! the generator records the crate's surface — every type with its fields, enum values and union
//! variants, every operation with its parameters, body and response, and the cargo features that
//! compile each — in a small file beside the
//! generated code (`api-surface.json`, not part of the published package). The next run compares
//! the surface it is about to write with the recorded one, so the comparison needs nothing but
//! the output directory (it works in a fresh checkout), and prints a [`Report`]: each change
//! flagged breaking or additive by the rules in `docs/change-report.md`.
//!
//! Three steps, each a plain function of data: [`Surface::of`] (model → surface), [`diff`]
//! (surface × surface → report), and [`Report::text`] / [`Report::markdown`] (report → text).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::docs::code_span;
use crate::model::{Field, TypeKind, TypeRef, TypeSpace};

/// The version of the record's layout; a record of another version is not compared.
pub const FORMAT: u32 = 1;

/// Where the record lives in the generated crate.
pub const FILE: &str = "api-surface.json";

/// Everything a user of the generated crate can name, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    pub format: u32,
    /// Provenance, as in the preamble of every generated file.
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub sha256: String,
    /// Every type, by Rust name.
    pub types: BTreeMap<String, TypeSurface>,
    /// Every operation, by Rust name (the name of its client method).
    #[serde(default)]
    pub operations: BTreeMap<String, OperationSurface>,
    /// The cargo features that compile a type, any one of them, for every type that is not
    /// always compiled; `None` in a record written before features were recorded (then they are
    /// not compared).
    #[serde(default)]
    pub type_features: Option<BTreeMap<String, BTreeSet<String>>>,
    /// The same for the operations' methods (which also need the `client` feature, always).
    #[serde(default)]
    pub operation_features: Option<BTreeMap<String, BTreeSet<String>>>,
}

/// One type. Types it refers to are written by their Rust name, as in the generated code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TypeSurface {
    Struct {
        fields: Vec<FieldSurface>,
        /// The type of the map that keeps members the spec does not list, if the struct has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        additional: Option<String>,
    },
    Enum {
        values: Vec<ValueSurface>,
    },
    Union {
        /// The member that names the variant, for a union with a discriminator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        variants: Vec<VariantSurface>,
    },
    Alias {
        target: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSurface {
    pub rust: String,
    pub json: String,
    /// The field's Rust type exactly as declared (`Option<…>`, `Box<…>` included).
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the spec requires the member.
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSurface {
    pub value: String,
    pub rust: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSurface {
    pub rust: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// One operation: how it is called and what it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationSurface {
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    /// Path parameters, then query parameters, in declaration order.
    #[serde(default)]
    pub params: Vec<ParamSurface>,
    /// The request body's Rust type, if the operation takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The success response's Rust type (`()` for none, `String` for text).
    pub response: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSurface {
    pub rust: String,
    pub json: String,
    /// `path` or `query`.
    #[serde(rename = "in")]
    pub location: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
}

impl Surface {
    /// The surface of the crate generated from `space`.
    pub fn of(space: &TypeSpace, title: &str, version: &str, sha256: &str) -> Self {
        let types = space.types.iter().map(|def| (def.name.clone(), type_surface(&def.kind, space))).collect();
        let type_features = space.types.iter().filter(|def| !def.features.is_empty());
        let operation_features = space.operations.iter().filter(|op| !op.features.is_empty());
        Self {
            format: FORMAT,
            title: title.to_owned(),
            version: version.to_owned(),
            sha256: sha256.to_owned(),
            types,
            operations: operations(space),
            type_features: Some(type_features.map(|def| (def.name.clone(), def.features.clone())).collect()),
            operation_features: Some(
                operation_features.map(|op| (op.rust_name.clone(), op.features.clone())).collect(),
            ),
        }
    }

    /// Reads a record written by [`Surface::to_json`]; `None` for anything else (a record of
    /// another [`FORMAT`], or not a record at all).
    pub fn from_json(text: &str) -> Option<Self> {
        let surface: Surface = serde_json::from_str(text).ok()?;
        (surface.format == FORMAT).then_some(surface)
    }

    /// The record as JSON with one entry (type, field, value, operation, parameter) per line, so
    /// that a diff of it reads like the change report itself.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(256 << 10);
        out.extend_from_slice(b"{\n");
        let head = [
            ("format", Value::from(self.format)),
            ("title", Value::from(self.title.as_str())),
            ("version", Value::from(self.version.as_str())),
            ("sha256", Value::from(self.sha256.as_str())),
        ];
        for (key, value) in head {
            out.extend_from_slice(b"  ");
            spaced(&mut out, 0, key);
            out.extend_from_slice(b": ");
            spaced(&mut out, 0, &value);
            out.extend_from_slice(b",\n");
        }
        let recorded = self.type_features.is_some() || self.operation_features.is_some();
        section(&mut out, "types", &self.types, ",");
        section(&mut out, "operations", &self.operations, if recorded { "," } else { "" });
        if recorded {
            let none = BTreeMap::new();
            section(&mut out, "type_features", self.type_features.as_ref().unwrap_or(&none), ",");
            section(&mut out, "operation_features", self.operation_features.as_ref().unwrap_or(&none), "");
        }
        out.extend_from_slice(b"}\n");
        // Only strings and JSON punctuation were written.
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// The single place where operations enter the surface: each client method by name, with its
/// HTTP method, path, parameters (as the method orders them), body and success types written as
/// for fields.
fn operations(space: &TypeSpace) -> BTreeMap<String, OperationSurface> {
    use crate::model::operations::{Outcome, ParamLocation};
    space
        .operations
        .iter()
        .map(|op| {
            let params = op
                .params
                .iter()
                .map(|p| ParamSurface {
                    rust: p.rust_name.clone(),
                    json: p.name.clone(),
                    location: match p.location {
                        ParamLocation::Path => "path".into(),
                        ParamLocation::Query => "query".into(),
                    },
                    ty: type_name(&p.ty, space),
                    required: p.required,
                })
                .collect();
            let response = match &op.outcome {
                Outcome::Json(ty) => type_name(ty, space),
                Outcome::OptionalJson(ty) => format!("Option<{}>", type_name(ty, space)),
                Outcome::Text => "String".into(),
                Outcome::Empty => "()".into(),
            };
            let surface = OperationSurface {
                method: op.method.as_str().to_owned(),
                path: op.path.clone(),
                params,
                body: op.body.as_ref().map(|b| type_name(&b.ty, space)),
                response,
            };
            (op.rust_name.clone(), surface)
        })
        .collect()
}

fn type_surface(kind: &TypeKind, space: &TypeSpace) -> TypeSurface {
    match kind {
        TypeKind::Struct(s) => TypeSurface::Struct {
            fields: s.fields.iter().map(|f| field_surface(f, space)).collect(),
            additional: s.additional.as_ref().map(|a| format!("BTreeMap<String, {}>", type_name(&a.ty, space))),
        },
        TypeKind::Enum(e) => TypeSurface::Enum {
            values: e
                .variants
                .iter()
                .map(|v| ValueSurface { value: v.value.clone(), rust: v.rust_name.clone() })
                .collect(),
        },
        TypeKind::Union(u) => TypeSurface::Union {
            tag: u.tag.clone(),
            variants: u
                .variants
                .iter()
                .map(|v| VariantSurface {
                    rust: v.rust_name.clone(),
                    ty: type_name(&v.ty, space),
                    tag: v.tag_value.clone(),
                })
                .collect(),
        },
        TypeKind::Alias(ty) => TypeSurface::Alias { target: type_name(ty, space) },
    }
}

/// A field's type as the renderer declares it: boxed to break a cycle, optional unless the
/// member is required and not nullable.
fn field_surface(field: &Field, space: &TypeSpace) -> FieldSurface {
    let mut ty = type_name(&field.ty, space);
    if field.boxed {
        ty = format!("Box<{ty}>");
    }
    if !field.required || field.nullable {
        ty = format!("Option<{ty}>");
    }
    FieldSurface { rust: field.rust_name.clone(), json: field.json_name.clone(), ty, required: field.required }
}

/// How a type reference reads in Rust, with model types by their bare name.
pub fn type_name(ty: &TypeRef, space: &TypeSpace) -> String {
    match ty {
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::String => "String".into(),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::JsonObject => "serde_json::Map<String, serde_json::Value>".into(),
        TypeRef::Vec(item) => format!("Vec<{}>", type_name(item, space)),
        TypeRef::Map(value) => format!("BTreeMap<String, {}>", type_name(value, space)),
        TypeRef::Named(id) => space.get(*id).name.clone(),
    }
}

/// `"name": {` and one entry a line, each an object whose lists have one element a line.
fn section<T: Serialize>(out: &mut Vec<u8>, name: &str, entries: &BTreeMap<String, T>, trailing: &str) {
    out.extend_from_slice(b"  ");
    spaced(out, 0, name);
    if entries.is_empty() {
        out.extend_from_slice(format!(": {{}}{trailing}\n").as_bytes());
        return;
    }
    out.extend_from_slice(b": {\n");
    for (index, (key, value)) in entries.iter().enumerate() {
        out.extend_from_slice(b"    ");
        spaced(out, 0, key);
        out.extend_from_slice(b": ");
        spaced(out, 2, value);
        out.extend_from_slice(if index + 1 < entries.len() { b",\n" } else { b"\n" });
    }
    out.extend_from_slice(format!("  }}{trailing}\n").as_bytes());
}

/// Writes `value` as JSON on one line, with a space after `:` and `,` for reading, except that
/// the non-empty lists at depth `lines_at` (counting the outermost value as 1; 0: none) have one
/// element a line.
fn spaced(out: &mut Vec<u8>, lines_at: usize, value: &(impl Serialize + ?Sized)) {
    let formatter = Spaced { lines_at, depth: 0, written: Vec::new() };
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    // The surface's types are plain data: serializing them cannot fail, and a `Vec` takes any
    // write.
    let _ = value.serialize(&mut serializer);
}

/// The `serde_json` formatter behind [`spaced`].
struct Spaced {
    lines_at: usize,
    depth: usize,
    /// Per open list: whether it had an element.
    written: Vec<bool>,
}

impl Spaced {
    fn lines(&self) -> bool {
        self.depth == self.lines_at
    }
}

impl serde_json::ser::Formatter for Spaced {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.written.push(false);
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        let had_elements = self.written.pop().unwrap_or(false);
        let result = writer.write_all(if self.lines() && had_elements { b"\n    ]" } else { b"]" });
        self.depth -= 1;
        result
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if let Some(written) = self.written.last_mut() {
            *written = true;
        }
        match (self.lines(), first) {
            (true, true) => writer.write_all(b"\n      "),
            (true, false) => writer.write_all(b",\n      "),
            (false, true) => Ok(()),
            (false, false) => writer.write_all(b", "),
        }
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing two surfaces

/// What changed between two surfaces, for a user of the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `title version` of the old and the new spec.
    pub from: String,
    pub to: String,
    pub changes: Vec<Change>,
}

/// One change: breaking (code that compiled and worked may not) or additive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub breaking: bool,
    /// The sentence, with the names that are code marked as such.
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Code(String),
}

impl Change {
    fn new(breaking: bool) -> Self {
        Self { breaking, parts: Vec::new() }
    }

    fn text(mut self, text: impl Into<String>) -> Self {
        self.parts.push(Part::Text(text.into()));
        self
    }

    fn code(mut self, code: impl Into<String>) -> Self {
        self.parts.push(Part::Code(code.into()));
        self
    }

    /// The sentence as plain text (code in backticks, as in Markdown).
    pub fn line(&self) -> String {
        self.render(|code| format!("`{code}`"))
    }

    fn render(&self, code: impl Fn(&str) -> String) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.clone(),
                // A name from the spec may hold anything; a line must stay one line.
                Part::Code(text) => code(&text.replace('\n', "\\n").replace('\r', "\\r")),
            })
            .collect()
    }
}

impl Report {
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.breaking)
    }

    pub fn additive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| !c.breaking)
    }

    /// The breaking changes, then the additive ones, each under its heading.
    fn sections(&self) -> [(&'static str, Vec<&Change>); 2] {
        [("Breaking", self.breaking().collect()), ("Additive", self.additive().collect())]
    }

    fn summary(&self) -> String {
        let breaking = self.breaking().count();
        let additive = self.additive().count();
        match (breaking, additive) {
            (0, 0) => "no API changes".to_owned(),
            _ => format!("{breaking} breaking, {additive} additive"),
        }
    }

    /// The report for a terminal: a summary line, then the breaking and the additive changes.
    pub fn text(&self) -> String {
        let mut out = format!("API changes from {} to {}: {}\n", self.from, self.to, self.summary());
        for (heading, changes) in self.sections() {
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{heading} ({}):", changes.len());
            for change in changes {
                let _ = writeln!(out, "  {}", change.line());
            }
        }
        out
    }

    /// The report as Markdown, for a commit message or a changelog.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## API changes: {} → {}\n\n{}.\n",
            markdown_text(&self.from),
            markdown_text(&self.to),
            capitalised(&self.summary())
        );
        for (heading, changes) in self.sections() {
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n### {heading} ({})\n", changes.len());
            for change in changes {
                let _ = writeln!(out, "- {}", change.render(code_span));
            }
        }
        out
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Spec titles are text from the spec: characters Markdown would read as markup are escaped.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|!~".contains(c) {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// How alike two types must be (shared members over all members, 0 to 1) for a removed type and
/// an added one to be one type renamed. Renamed types in Authlete's history keep nearly all of
/// their members; unrelated types of the same spec share few.
const RENAME_THRESHOLD: f64 = 0.6;

/// Compares the surface of the crate being replaced with the new one.
pub fn diff(old: &Surface, new: &Surface) -> Report {
    let found = find_renames(old, new);
    let renames = &found.to;
    let renamed_to: BTreeSet<&str> = renames.values().map(String::as_str).collect();
    let mut entries: Vec<(String, Vec<Change>)> = Vec::new();
    for (name, old_ty) in &old.types {
        if let Some(new_ty) = new.types.get(name) {
            entries.push((name.clone(), type_changes(name, old_ty, new_ty, renames)));
        } else if let Some(new_name) = renames.get(name) {
            let renamed = Change::new(true).text("type ").code(name).text(" renamed to ").code(new_name);
            let changes = match found.twin_of.get(name) {
                // Its changes are said once, under the twin.
                Some(twin) => vec![renamed.text(" (identical to ").code(twin).text(", which became it too)")],
                None => {
                    let new_ty = &new.types[new_name];
                    let (shared, total) = overlap(old_ty, new_ty);
                    let shape = match old_ty {
                        TypeSurface::Alias { .. } => " (same target)".to_owned(),
                        _ => format!(" (same shape: {shared} of {total} {})", members_word(old_ty)),
                    };
                    let renamed = renamed.text(shape);
                    let renamed = match found.sibling_of.get(name) {
                        Some(sibling) => renamed.text(", like ").code(sibling),
                        None => renamed,
                    };
                    let mut changes = vec![renamed];
                    changes.extend(type_changes(new_name, old_ty, new_ty, renames));
                    changes
                }
            };
            entries.push((new_name.clone(), changes));
        } else {
            entries.push((name.clone(), vec![Change::new(true).text("type ").code(name).text(" removed")]));
        }
    }
    for (name, new_ty) in &new.types {
        if !old.types.contains_key(name) && !renamed_to.contains(name.as_str()) {
            let change = Change::new(false).text("type ").code(name).text(format!(" added ({})", describe(new_ty)));
            entries.push((name.clone(), vec![change]));
        }
    }
    if let (Some(was), Some(now)) = (&old.type_features, &new.type_features) {
        for name in old.types.keys() {
            let new_name = renames.get(name).unwrap_or(name);
            // A type that became the same type as its twin is compared once, as the twin.
            if new.types.contains_key(new_name) && !found.twin_of.contains_key(name) {
                let changes = feature_changes("type", new_name, was.get(name), now.get(new_name));
                entries.push((new_name.clone(), changes));
            }
        }
    }
    // By (new) type name; a stable sort keeps a type's own entries in order.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut changes: Vec<Change> = entries.into_iter().flat_map(|(_, changes)| changes).collect();
    changes.extend(operation_changes(old, new, renames));
    Report { from: format!("{} {}", old.title, old.version), to: format!("{} {}", new.title, new.version), changes }
}

/// "12 fields", "3 values", … for the kind of `ty`.
fn members_word(ty: &TypeSurface) -> &'static str {
    match ty {
        TypeSurface::Struct { .. } => "fields",
        TypeSurface::Enum { .. } => "values",
        TypeSurface::Union { .. } => "variants",
        TypeSurface::Alias { .. } => "target",
    }
}

fn describe(ty: &TypeSurface) -> String {
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match ty {
        TypeSurface::Struct { fields, .. } => format!("struct, {}", count(fields.len(), "field", "fields")),
        TypeSurface::Enum { values } => format!("enum, {}", count(values.len(), "value", "values")),
        TypeSurface::Union { variants, .. } => format!("union, {}", count(variants.len(), "variant", "variants")),
        TypeSurface::Alias { target } => format!("alias of `{target}`"),
    }
}

/// The keys by which two types of the same kind are compared for a rename: JSON names of
/// fields, enum values, union variants by tag or type, an alias's target.
fn shape_keys(ty: &TypeSurface) -> BTreeSet<String> {
    match ty {
        TypeSurface::Struct { fields, .. } => fields.iter().map(|f| f.json.clone()).collect(),
        TypeSurface::Enum { values } => values.iter().map(|v| v.value.clone()).collect(),
        TypeSurface::Union { variants, .. } => {
            variants.iter().map(|v| v.tag.clone().unwrap_or_else(|| v.ty.clone())).collect()
        }
        TypeSurface::Alias { target } => BTreeSet::from([target.clone()]),
    }
}

/// Members two types share, and how many the larger has.
fn overlap(a: &TypeSurface, b: &TypeSurface) -> (usize, usize) {
    let (a, b) = (shape_keys(a), shape_keys(b));
    (a.intersection(&b).count(), a.len().max(b.len()))
}

fn same_kind(a: &TypeSurface, b: &TypeSurface) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Pairs removed types with added ones of the same shape: old name → new name.
///
/// Every pair of a removed and an added type of the same kind is scored by the Dice
/// coefficient of their members (2 × shared / (old + new)); pairs at or above
/// [`RENAME_THRESHOLD`] are candidates. Specs hold many types of one common shape (a result code
/// and a message, say), so a shape alone often fits several types: then the names decide (the
/// share of words, `AuthTokenFailApiResponse` ~ `TokenFailResponse`), and a pair whose names
/// share no word is only taken when neither of its types fits anything else as well. Candidates
/// are taken best first (shape, then names at half weight), each type at most once; ties go to
/// the pair whose fields also keep their types, then to name order, so the result is
/// deterministic.
fn find_renames(old: &Surface, new: &Surface) -> Renames {
    let removed: Vec<(&String, &TypeSurface)> = old.types.iter().filter(|(n, _)| !new.types.contains_key(*n)).collect();
    let added: Vec<(&String, &TypeSurface)> = new.types.iter().filter(|(n, _)| !old.types.contains_key(*n)).collect();
    let mut candidates = Vec::new();
    for (old_name, old_ty) in &removed {
        let old_keys = shape_keys(old_ty);
        for (new_name, new_ty) in &added {
            if !same_kind(old_ty, new_ty) {
                continue;
            }
            let new_keys = shape_keys(new_ty);
            let shared = old_keys.intersection(&new_keys).count();
            // Scores are compared as integers (per mille) so that sorting is total.
            let score = 2000 * shared / (old_keys.len() + new_keys.len()).max(1);
            if shared == 0 || (score as f64) < RENAME_THRESHOLD * 1000.0 {
                continue;
            }
            let names = name_similarity(old_name, new_name);
            let same_types = same_typed_fields(old_ty, new_ty);
            candidates.push((score, names, same_types, *old_name, *new_name));
        }
    }
    // How many candidates each type has at its best shape score.
    let mut best: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (score, _, _, old_name, new_name) in &candidates {
        for key in [old_name.as_str(), new_name.as_str()] {
            let entry = best.entry(key).or_insert((0, 0));
            match score.cmp(&entry.0) {
                std::cmp::Ordering::Greater => *entry = (*score, 1),
                std::cmp::Ordering::Equal => entry.1 += 1,
                std::cmp::Ordering::Less => {}
            }
        }
    }
    let unique = |score: usize, name: &str| best.get(name) == Some(&(score, 1));
    candidates.retain(|(score, names, _, old_name, new_name)| {
        *names > 0 || (unique(*score, old_name) && unique(*score, new_name))
    });
    // The shape counts most; the names weigh half as much, which settles between the many types
    // of one common shape (the `action` enums of the responses share most of their values).
    let rank = |c: &(usize, usize, usize, &String, &String)| (c.0 + c.1 / 2, c.2);
    candidates.sort_by(|a, b| rank(b).cmp(&rank(a)).then_with(|| (a.3, a.4).cmp(&(b.3, b.4))));
    let mut renames = Renames::default();
    let mut taken = BTreeSet::new();
    for (_, _, _, old_name, new_name) in candidates {
        if !renames.to.contains_key(old_name) && !taken.contains(new_name) {
            taken.insert(new_name);
            renames.to.insert(old_name.clone(), new_name.clone());
        }
    }
    // An old crate may hold one type twice under two names (an inline body and a named schema of
    // the same shape); when the new one has it once, both old names became that one.
    let primaries: Vec<(String, String)> = renames.to.iter().map(|(o, n)| (o.clone(), n.clone())).collect();
    for (old_name, old_ty) in &removed {
        if renames.to.contains_key(*old_name) {
            continue;
        }
        // Small types are often identical by chance: the new name must also share words with
        // the old one, and the twin whose new name shares the most wins.
        // The same members may differ in a type (a fixup corrected one copy and not the other):
        // that is still a rename, whose own changes are reported.
        let twin = primaries
            .iter()
            .filter(|(primary, _)| {
                old.types.get(primary).is_some_and(|p| same_kind(p, old_ty) && shape_keys(p) == shape_keys(old_ty))
            })
            .map(|(primary, new_name)| (name_similarity(old_name, new_name), primary, new_name))
            .filter(|(similarity, _, _)| *similarity > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)));
        if let Some((_, primary, new_name)) = twin {
            renames.to.insert((*old_name).clone(), new_name.clone());
            if old.types.get(primary) == Some(old_ty) {
                renames.twin_of.insert((*old_name).clone(), primary.clone());
            } else {
                renames.sibling_of.insert((*old_name).clone(), primary.clone());
            }
        }
    }
    renames
}

/// Removed types that live on under another name.
#[derive(Default)]
struct Renames {
    /// Old name → new name.
    to: BTreeMap<String, String>,
    /// Old types identical to another old type that was renamed to the same new one: its name.
    twin_of: BTreeMap<String, String>,
    /// Old types with the same members as another old type that was renamed to the same new one,
    /// but not identical to it: its name (their own changes are reported).
    sibling_of: BTreeMap<String, String>,
}

/// How alike two type names are, per mille: the Dice coefficient of their words
/// (`ApiServiceIdAuthToken` has the words api, service, id, auth, token).
fn name_similarity(a: &str, b: &str) -> usize {
    let words = |name: &str| -> BTreeSet<String> {
        let mut words = BTreeSet::new();
        let mut word = String::new();
        for c in name.chars() {
            if (c.is_uppercase() || !c.is_alphanumeric()) && !word.is_empty() {
                words.insert(std::mem::take(&mut word));
            }
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            }
        }
        if !word.is_empty() {
            words.insert(word);
        }
        words
    };
    let (a, b) = (words(a), words(b));
    2000 * a.intersection(&b).count() / (a.len() + b.len()).max(1)
}

/// Fields (by JSON name) whose declared types are written the same in both structs.
fn same_typed_fields(a: &TypeSurface, b: &TypeSurface) -> usize {
    match (a, b) {
        (TypeSurface::Struct { fields: a, .. }, TypeSurface::Struct { fields: b, .. }) => {
            a.iter().filter(|f| b.iter().any(|g| g.json == f.json && g.ty == f.ty)).count()
        }
        _ => 0,
    }
}

/// `ty` (a Rust type as written in an old surface) with every renamed type under its new name,
/// so that a field of type `Vec<OldName>` equals one of type `Vec<NewName>`.
fn renamed(ty: &str, renames: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(ty.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(renames.get(word.as_str()).map_or(word.as_str(), String::as_str));
        word.clear();
    };
    for c in ty.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Changes within one type that kept its name (`name` is the new name for a renamed type).
fn type_changes(name: &str, old: &TypeSurface, new: &TypeSurface, renames: &BTreeMap<String, String>) -> Vec<Change> {
    match (old, new) {
        (
            TypeSurface::Struct { fields: old_fields, additional: old_extra },
            TypeSurface::Struct { fields: new_fields, additional: new_extra },
        ) => {
            let mut changes = field_changes(name, old_fields, new_fields, renames);
            let old_extra = old_extra.as_deref().map(|ty| renamed(ty, renames));
            match (old_extra, new_extra) {
                (None, Some(_)) => changes.push(
                    Change::new(false).text("struct ").code(name).text(" now keeps members the spec does not list"),
                ),
                (Some(_), None) => changes.push(
                    Change::new(true)
                        .text("struct ")
                        .code(name)
                        .text(" no longer keeps members the spec does not list"),
                ),
                (Some(was), Some(now)) if was != *now => changes.push(
                    Change::new(true)
                        .text("struct ")
                        .code(name)
                        .text(": members the spec does not list are now ")
                        .code(now)
                        .text(" (was ")
                        .code(was)
                        .text(")"),
                ),
                _ => {}
            }
            changes
        }
        (TypeSurface::Enum { values: old_values }, TypeSurface::Enum { values: new_values }) => {
            enum_changes(name, old_values, new_values)
        }
        (TypeSurface::Union { tag: old_tag, variants: old_variants }, TypeSurface::Union { tag, variants }) => {
            let mut changes = Vec::new();
            if old_tag != tag {
                let show = |tag: &Option<String>| tag.clone().unwrap_or_else(|| "none".to_owned());
                changes.push(
                    Change::new(true)
                        .text("union ")
                        .code(name)
                        .text(": discriminator ")
                        .code(show(old_tag))
                        .text(" → ")
                        .code(show(tag)),
                );
            }
            changes.extend(variant_changes(name, old_variants, variants, renames));
            changes
        }
        (TypeSurface::Alias { target: old_target }, TypeSurface::Alias { target }) => {
            let was = renamed(old_target, renames);
            if was == *target {
                Vec::new()
            } else {
                vec![Change::new(true).text("alias ").code(name).text(": ").code(was).text(" → ").code(target)]
            }
        }
        _ => vec![Change::new(true).text("type ").code(name).text(format!(
            " changed from {} to {}",
            kind_phrase(old),
            kind_phrase(new)
        ))],
    }
}

fn kind_phrase(ty: &TypeSurface) -> &'static str {
    match ty {
        TypeSurface::Struct { .. } => "a struct",
        TypeSurface::Enum { .. } => "an enum",
        TypeSurface::Union { .. } => "a union",
        TypeSurface::Alias { .. } => "an alias",
    }
}

/// Fields are the same field when their JSON names are equal; a field whose JSON name changed
/// but whose Rust name stayed is that field too (its JSON name changed).
fn field_changes(
    ty: &str,
    old: &[FieldSurface],
    new: &[FieldSurface],
    renames: &BTreeMap<String, String>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut matched_new = BTreeSet::new();
    let mut pairs: Vec<(&FieldSurface, Option<&FieldSurface>)> = Vec::new();
    for field in old {
        let same_json = new.iter().position(|f| f.json == field.json);
        let same_rust = || new.iter().position(|f| f.rust == field.rust && !old.iter().any(|o| o.json == f.json));
        match same_json.or_else(same_rust) {
            Some(index) => {
                matched_new.insert(index);
                pairs.push((field, Some(&new[index])));
            }
            None => pairs.push((field, None)),
        }
    }
    for (field, now) in pairs {
        let subject = |breaking: bool| Change::new(breaking).text("field ").code(format!("{ty}.{}", field.rust));
        let Some(now) = now else {
            changes.push(subject(true).text(" removed"));
            continue;
        };
        let mut differences: Vec<Change> = Vec::new();
        let was_type = renamed(&field.ty, renames);
        if now.rust != field.rust {
            differences.push(Change::new(true).text("Rust name ").code(&now.rust));
        }
        if now.json != field.json {
            differences.push(Change::new(true).text("JSON name ").code(&field.json).text(" → ").code(&now.json));
        }
        if was_type != now.ty {
            differences.push(Change::new(true).text("type ").code(&was_type).text(" → ").code(&now.ty));
        }
        match (field.required, now.required) {
            (false, true) => differences.push(Change::new(true).text("now required")),
            (true, false) => differences.push(Change::new(false).text("now optional")),
            _ => {}
        }
        if differences.is_empty() {
            continue;
        }
        let breaking = differences.iter().any(|d| d.breaking);
        let mut change = subject(breaking).text(": ");
        for (index, difference) in differences.into_iter().enumerate() {
            if index > 0 {
                change = change.text(", ");
            }
            change.parts.extend(difference.parts);
        }
        changes.push(change);
    }
    for (_, field) in new.iter().enumerate().filter(|(index, _)| !matched_new.contains(index)) {
        let required = field.required && !field.ty.starts_with("Option<");
        let change = Change::new(field.required)
            .text("field ")
            .code(format!("{ty}.{}", field.rust))
            .text(" added (")
            .text(if required {
                "required"
            } else if field.required {
                "required, nullable"
            } else {
                "optional"
            })
            .text(", ")
            .code(&field.ty);
        let change = if field.json == field.rust { change } else { change.text(", JSON ").code(&field.json) };
        changes.push(change.text(")"));
    }
    changes
}

/// Whether a new value of a string enum breaks users. The generated enums are exhaustive (not
/// `#[non_exhaustive]`): a `match` that names every variant stops compiling when one is added,
/// and a value that used to arrive as the fallback variant now arrives as its own variant. Both
/// are breaking by Rust's SemVer rules; should the enums become `#[non_exhaustive]`, this turns
/// `false` (and `docs/change-report.md` with it).
const NEW_ENUM_VALUE_BREAKS: bool = true;

fn enum_changes(ty: &str, old: &[ValueSurface], new: &[ValueSurface]) -> Vec<Change> {
    let mut changes = Vec::new();
    let json = |value: &str| serde_json::to_string(value).unwrap_or_default();
    for value in old {
        match new.iter().find(|v| v.value == value.value) {
            None => changes.push(
                Change::new(true)
                    .text("enum value ")
                    .code(json(&value.value))
                    .text(" removed from ")
                    .code(ty)
                    .text(" (variant ")
                    .code(format!("{ty}::{}", value.rust))
                    .text(")"),
            ),
            Some(now) if now.rust != value.rust => changes.push(
                Change::new(true)
                    .text("enum value ")
                    .code(json(&value.value))
                    .text(" of ")
                    .code(ty)
                    .text(": variant ")
                    .code(&value.rust)
                    .text(" → ")
                    .code(&now.rust),
            ),
            Some(_) => {}
        }
    }
    for value in new.iter().filter(|v| !old.iter().any(|o| o.value == v.value)) {
        changes.push(
            Change::new(NEW_ENUM_VALUE_BREAKS)
                .text("enum value ")
                .code(json(&value.value))
                .text(" added to ")
                .code(ty)
                .text(" (variant ")
                .code(format!("{ty}::{}", value.rust))
                .text(")"),
        );
    }
    changes
}

/// Union variants are the same variant when their tag values (with a discriminator) or their
/// types (without) are equal. Every variant change is breaking: the enums are exhaustive, and an
/// untagged union picks the first variant that fits, so a new one can take values from another.
fn variant_changes(
    ty: &str,
    old: &[VariantSurface],
    new: &[VariantSurface],
    renames: &BTreeMap<String, String>,
) -> Vec<Change> {
    let key = |v: &VariantSurface, rename: bool| match &v.tag {
        Some(tag) => format!("tag {tag}"),
        None if rename => renamed(&v.ty, renames),
        None => v.ty.clone(),
    };
    let mut changes = Vec::new();
    let subject = |rust: &str| Change::new(true).text("union variant ").code(format!("{ty}::{rust}"));
    for variant in old {
        match new.iter().find(|v| key(v, false) == key(variant, true)) {
            None => changes.push(subject(&variant.rust).text(" removed")),
            Some(now) => {
                if now.rust != variant.rust {
                    changes.push(subject(&variant.rust).text(" renamed to ").code(&now.rust));
                }
                let was = renamed(&variant.ty, renames);
                if was != now.ty {
                    changes.push(subject(&now.rust).text(": type ").code(was).text(" → ").code(&now.ty));
                }
            }
        }
    }
    for variant in new.iter().filter(|v| !old.iter().any(|o| key(o, true) == key(v, false))) {
        changes.push(subject(&variant.rust).text(" added (").code(&variant.ty).text(")"));
    }
    changes
}

/// Operations are the same operation when their Rust names are equal, or, renamed, when their
/// method and path are.
/// How the cargo features that compile an item (`None`: it is always compiled) changed. A user
/// who enabled only a feature the item lost no longer has it: breaking; one it gained, or no
/// longer needing any, only adds.
fn feature_changes(
    kind: &str,
    name: &str,
    was: Option<&BTreeSet<String>>,
    now: Option<&BTreeSet<String>>,
) -> Vec<Change> {
    let subject = |breaking: bool| Change::new(breaking).text(format!("{kind} ")).code(name);
    match (was, now) {
        (None, None) => Vec::new(),
        (None, Some(now)) => {
            vec![features(subject(true).text(" is no longer always compiled: it needs "), now, "one of ")]
        }
        (Some(was), None) => {
            vec![features(subject(false).text(" is now always compiled (it needed "), was, "one of ").text(")")]
        }
        (Some(was), Some(now)) => {
            let mut changes = Vec::new();
            let lost: BTreeSet<String> = was.difference(now).cloned().collect();
            if !lost.is_empty() {
                let change = features(subject(true).text(" is no longer compiled with "), &lost, "");
                changes.push(features(change.text(" (it needs "), now, "one of ").text(")"));
            }
            let gained: BTreeSet<String> = now.difference(was).cloned().collect();
            if !gained.is_empty() {
                changes.push(features(subject(false).text(" is now also compiled with "), &gained, ""));
            }
            changes
        }
    }
}

/// "the feature `a`", or "{several}the features `a`, `b`" ("one of " where any one will do).
fn features(change: Change, names: &BTreeSet<String>, several: &str) -> Change {
    let change = match names.len() {
        1 => change.text("the feature "),
        _ => change.text(format!("{several}the features ")),
    };
    names.iter().enumerate().fold(change, |change, (index, name)| {
        let change = if index == 0 { change } else { change.text(", ") };
        change.code(name)
    })
}

fn operation_changes(old: &Surface, new: &Surface, renames: &BTreeMap<String, String>) -> Vec<Change> {
    let mut changes = Vec::new();
    let same_endpoint = |a: &OperationSurface, b: &OperationSurface| a.method == b.method && a.path == b.path;
    let mut renamed_to = BTreeSet::new();
    for (name, op) in &old.operations {
        let subject = |breaking: bool, name: &str| Change::new(breaking).text("operation ").code(name);
        let (now_name, now) = match new.operations.get(name) {
            Some(now) => (name, now),
            None => {
                let moved = new
                    .operations
                    .iter()
                    .find(|(n, candidate)| !old.operations.contains_key(*n) && same_endpoint(op, candidate));
                match moved {
                    Some((now_name, now)) => {
                        renamed_to.insert(now_name.clone());
                        changes.push(subject(true, name).text(" renamed to ").code(now_name));
                        (now_name, now)
                    }
                    None => {
                        changes.push(
                            subject(true, name).text(" removed (").code(format!("{} {}", op.method, op.path)).text(")"),
                        );
                        continue;
                    }
                }
            }
        };
        if !same_endpoint(op, now) {
            changes.push(
                subject(true, now_name)
                    .text(": ")
                    .code(format!("{} {}", op.method, op.path))
                    .text(" → ")
                    .code(format!("{} {}", now.method, now.path)),
            );
        }
        let show = |ty: &Option<String>| ty.clone().unwrap_or_else(|| "no body".to_owned());
        let was_body = op.body.as_deref().map(|ty| renamed(ty, renames));
        if was_body != now.body {
            changes.push(
                subject(true, now_name).text(": request body ").code(show(&was_body)).text(" → ").code(show(&now.body)),
            );
        }
        let was_response = renamed(&op.response, renames);
        if was_response != now.response {
            changes
                .push(subject(true, now_name).text(": response ").code(was_response).text(" → ").code(&now.response));
        }
        changes.extend(param_changes(now_name, &op.params, &now.params, renames));
        if let (Some(was), Some(features)) = (&old.operation_features, &new.operation_features) {
            changes.extend(feature_changes("operation", now_name, was.get(name), features.get(now_name)));
        }
    }
    for (name, op) in &new.operations {
        if !old.operations.contains_key(name) && !renamed_to.contains(name) {
            changes.push(
                Change::new(false)
                    .text("operation ")
                    .code(name)
                    .text(" added (")
                    .code(format!("{} {}", op.method, op.path))
                    .text(")"),
            );
        }
    }
    changes
}

fn param_changes(
    op: &str,
    old: &[ParamSurface],
    new: &[ParamSurface],
    renames: &BTreeMap<String, String>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let subject =
        |breaking: bool, p: &ParamSurface| Change::new(breaking).text("parameter ").code(format!("{op}({})", p.rust));
    let same = |a: &ParamSurface, b: &ParamSurface| a.json == b.json && a.location == b.location;
    for param in old {
        let Some(now) = new.iter().find(|p| same(p, param)) else {
            changes.push(subject(true, param).text(" removed"));
            continue;
        };
        let was = renamed(&param.ty, renames);
        if was != now.ty {
            changes.push(subject(true, now).text(": type ").code(was).text(" → ").code(&now.ty));
        }
        if now.rust != param.rust {
            changes.push(subject(true, param).text(" renamed to ").code(&now.rust));
        }
        match (param.required, now.required) {
            (false, true) => changes.push(subject(true, now).text(": now required")),
            (true, false) => changes.push(subject(true, now).text(": now optional")),
            _ => {}
        }
    }
    for param in new.iter().filter(|p| !old.iter().any(|o| same(o, p))) {
        let what = if param.required { "required" } else { "optional" };
        changes.push(
            subject(param.required, param)
                .text(format!(" added ({what} {} parameter, ", param.location))
                .code(&param.ty)
                .text(")"),
        );
    }
    changes
}
