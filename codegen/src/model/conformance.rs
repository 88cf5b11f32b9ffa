//! Does an `example` fit the type the model gives its schema? The generated crate tests every
//! example by a round trip; what does not fit is a spec bug, reported with its place.

use serde_json::Value;

use super::{TypeKind, TypeRef, TypeSpace};
use crate::error::Warning;
use crate::pointer::Pointer;

/// Where (a JSON pointer inside the example) and how an example departs from its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A member the schema does not define: parsing drops it, the rest can still round-trip.
    Undefined(Pointer),
    /// A value the model cannot hold at all.
    Mismatch(Pointer, String),
}

/// Every problem of `value` as an example of `ty`; empty when it fits.
pub fn check(space: &TypeSpace, value: &Value, ty: &TypeRef, nullable: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_at(space, value, ty, nullable, &Pointer::root(), &mut problems);
    problems
}

fn check_at(space: &TypeSpace, value: &Value, ty: &TypeRef, nullable: bool, at: &Pointer, out: &mut Vec<Problem>) {
    let mut mismatch =
        |expected: &str| out.push(Problem::Mismatch(at.clone(), format!("expected {expected}, found {}", kind(value))));
    if value.is_null() {
        if !nullable {
            mismatch("a value (the schema is not nullable)");
        }
        return;
    }
    match ty {
        TypeRef::Bool if value.is_boolean() => {}
        TypeRef::I32 if value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => {}
        TypeRef::I64 if value.is_i64() => {}
        TypeRef::F64 if value.is_number() => {}
        TypeRef::String if value.is_string() => {}
        TypeRef::Json => {}
        TypeRef::JsonObject if value.is_object() => {}
        TypeRef::Vec(item) => match value.as_array() {
            Some(items) => {
                for (i, v) in items.iter().enumerate() {
                    check_at(space, v, item, false, &at.push(&i.to_string()), out);
                }
            }
            None => mismatch("an array"),
        },
        TypeRef::Map(item) => match value.as_object() {
            Some(members) => members.iter().for_each(|(k, v)| check_at(space, v, item, false, &at.push(k), out)),
            None => mismatch("an object"),
        },
        TypeRef::Named(id) => match &space.get(*id).kind {
            TypeKind::Alias(target) => check_at(space, value, target, nullable, at, out),
            TypeKind::Enum(_) if value.is_string() => {}
            TypeKind::Enum(_) => mismatch("a string"),
            TypeKind::Union(union) => {
                let fits = union.variants.iter().any(|v| check(space, value, &v.ty, false).is_empty());
                if !fits {
                    mismatch(&format!("one of the variants of `{}`", space.get(*id).name));
                }
            }
            TypeKind::Struct(s) => {
                let Some(members) = value.as_object() else { return mismatch("an object") };
                for field in &s.fields {
                    match members.get(&field.json_name) {
                        Some(Value::Null) if !field.nullable => out.push(Problem::Mismatch(
                            at.push(&field.json_name),
                            "`null` for a member that is not nullable".into(),
                        )),
                        Some(member) => {
                            check_at(space, member, &field.ty, field.nullable, &at.push(&field.json_name), out)
                        }
                        None if field.required => out.push(Problem::Mismatch(
                            at.clone(),
                            format!("required member `{}` is missing", field.json_name),
                        )),
                        None => {}
                    }
                }
                let known = |name: &str| s.fields.iter().any(|f| f.json_name == name);
                for (name, member) in members.iter().filter(|(name, _)| !known(name)) {
                    match &s.additional {
                        Some(extra) => check_at(space, member, &extra.ty, false, &at.push(name), out),
                        None => out.push(Problem::Undefined(at.push(name))),
                    }
                }
            }
        },
        TypeRef::Bool => mismatch("a boolean"),
        TypeRef::I32 => mismatch("a 32-bit integer"),
        TypeRef::I64 => mismatch("a 64-bit integer"),
        TypeRef::F64 => mismatch("a number"),
        TypeRef::String => mismatch("a string"),
        TypeRef::JsonObject => mismatch("an object"),
    }
}

fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.len() > 40 => "a string".into(),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Examples that contradict their own schema are spec bugs: reported, and tested only as far as
/// they can be (members the schema does not define are reported, and kept by the struct's unknown
/// members when parsed; a value the model cannot hold at all leaves the example untested).
pub(super) fn keep_conforming_examples(space: &mut TypeSpace) {
    let examples = std::mem::take(&mut space.examples);
    for mut example in examples {
        let problems = check(space, &example.value, &example.ty, example.nullable);
        let place = |at: &Pointer| if at.as_str().is_empty() { "/".to_owned() } else { at.to_string() };
        if let Some((at, problem)) = problems.iter().find_map(|p| match p {
            Problem::Mismatch(at, problem) => Some((at, problem)),
            Problem::Undefined(_) => None,
        }) {
            space.warnings.push(Warning {
                pointer: example.pointer.clone(),
                message: format!(
                    "example does not match its schema (at `{}` in the example: {problem}); it is not tested",
                    place(at)
                ),
            });
            continue;
        }
        example.undefined_members = problems
            .into_iter()
            .filter_map(|p| match p {
                Problem::Undefined(at) => Some(at),
                Problem::Mismatch(..) => None,
            })
            .collect();
        if !example.undefined_members.is_empty() {
            let members: Vec<String> = example.undefined_members.iter().map(|at| format!("`{}`", place(at))).collect();
            space.warnings.push(Warning {
                pointer: example.pointer.clone(),
                message: format!(
                    "example has members its schema does not define ({}); they are kept as unknown members",
                    members.join(", ")
                ),
            });
        }
        space.examples.push(example);
    }
}
