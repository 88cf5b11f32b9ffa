//! Does an `example` fit the type the model gives its schema? The generated crate tests every
//! example that does by a round trip; one that does not is a spec bug and is reported instead.

use serde_json::Value;

use super::{TypeKind, TypeRef, TypeSpace};
use crate::pointer::Pointer;

/// `Err` names the place inside the value (a JSON pointer) and what does not fit.
pub fn check(space: &TypeSpace, value: &Value, ty: &TypeRef, nullable: bool) -> Result<(), (Pointer, String)> {
    check_at(space, value, ty, nullable, &Pointer::root())
}

fn check_at(
    space: &TypeSpace,
    value: &Value,
    ty: &TypeRef,
    nullable: bool,
    at: &Pointer,
) -> Result<(), (Pointer, String)> {
    let mismatch = |expected: &str| Err((at.clone(), format!("expected {expected}, found {}", kind(value))));
    if value.is_null() {
        return if nullable { Ok(()) } else { mismatch("a value (the schema is not nullable)") };
    }
    match ty {
        TypeRef::Bool if value.is_boolean() => Ok(()),
        TypeRef::I32 if value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => Ok(()),
        TypeRef::I64 if value.is_i64() => Ok(()),
        TypeRef::F64 if value.is_number() => Ok(()),
        TypeRef::String if value.is_string() => Ok(()),
        TypeRef::Json => Ok(()),
        TypeRef::JsonObject if value.is_object() => Ok(()),
        TypeRef::Vec(item) => match value.as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| check_at(space, v, item, false, &at.push(&i.to_string()))),
            None => mismatch("an array"),
        },
        TypeRef::Map(item) => match value.as_object() {
            Some(members) => members.iter().try_for_each(|(k, v)| check_at(space, v, item, false, &at.push(k))),
            None => mismatch("an object"),
        },
        TypeRef::Named(id) => match &space.get(*id).kind {
            TypeKind::Alias(target) => check_at(space, value, target, nullable, at),
            TypeKind::Enum(_) if value.is_string() => Ok(()),
            TypeKind::Enum(_) => mismatch("a string"),
            TypeKind::Union(union) => {
                let fits = union.variants.iter().any(|v| check_at(space, value, &v.ty, false, at).is_ok());
                if fits {
                    Ok(())
                } else {
                    mismatch(&format!("one of the variants of `{}`", space.get(*id).name))
                }
            }
            TypeKind::Struct(s) => {
                let Some(members) = value.as_object() else { return mismatch("an object") };
                for field in &s.fields {
                    match members.get(&field.json_name) {
                        Some(Value::Null) if !field.nullable => {
                            return Err((at.push(&field.json_name), "`null` for a member that is not nullable".into()))
                        }
                        Some(member) => check_at(space, member, &field.ty, field.nullable, &at.push(&field.json_name))?,
                        None if field.required => {
                            return Err((at.clone(), format!("required member `{}` is missing", field.json_name)))
                        }
                        None => {}
                    }
                }
                if let Some(extra) = &s.additional {
                    let known = |name: &str| s.fields.iter().any(|f| f.json_name == name);
                    for (name, member) in members.iter().filter(|(name, _)| !known(name)) {
                        check_at(space, member, &extra.ty, false, &at.push(name))?;
                    }
                    return Ok(());
                }
                match members.keys().find(|name| !s.fields.iter().any(|f| &f.json_name == *name)) {
                    Some(unknown) => {
                        Err((at.push(unknown), format!("member `{unknown}` is not defined by the schema")))
                    }
                    None => Ok(()),
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
