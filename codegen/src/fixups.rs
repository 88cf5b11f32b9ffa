//! Corrections of known upstream spec bugs, applied to the raw document before anything reads it.
//!
//! Each fixup names the spec (by `info.title`) it corrects. When a spec with that title no longer
//! has the bug, the fixup fails loudly instead of silently doing nothing, so that it gets removed
//! rather than rotting here.

use serde_json::Value;

use crate::error::Error;
use crate::pointer::Pointer;

struct Fixup {
    spec_title: &'static str,
    /// The node the fixup works on.
    pointer: &'static str,
    what: &'static str,
    /// Changes the node; `false` when the bug it corrects is not there.
    apply: fn(&mut Value) -> bool,
}

const FIXUPS: &[Fixup] = &[Fixup {
    spec_title: "Authlete API Explorer",
    pointer: "/components/schemas/Service",
    what: "the `enum: [FACEBOOK]` that belongs to property `sns` stands on the object itself",
    apply: |service| {
        let Some(object) = service.as_object_mut() else { return false };
        if object.get("enum") != Some(&serde_json::json!(["FACEBOOK"])) {
            return false;
        }
        let Some(values) = object.remove("enum") else { return false };
        match service.pointer_mut("/properties/sns").and_then(Value::as_object_mut) {
            Some(sns) => {
                sns.insert("enum".into(), values);
                true
            }
            None => false,
        }
    },
}];

/// Applies every fixup meant for this spec; returns what was fixed, as `(pointer, description)`.
pub fn apply(file: &std::path::Path, raw: &mut Value) -> Result<Vec<(String, String)>, Error> {
    let title = raw.pointer("/info/title").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut applied = Vec::new();
    for fixup in FIXUPS.iter().filter(|f| f.spec_title == title) {
        let fixed = raw.pointer_mut(fixup.pointer).is_some_and(fixup.apply);
        if !fixed {
            return Err(Error::at(
                file,
                fixup.pointer,
                format!(
                    "the fixup for a known bug of `{title}` ({}) no longer applies: the spec was corrected upstream, \
                     so remove this fixup from codegen/src/fixups.rs",
                    fixup.what
                ),
            ));
        }
        applied.push((
            Pointer::from_ref(&format!("#{}", fixup.pointer)).unwrap_or_default().to_string(),
            format!("fixed a known spec bug: {}", fixup.what),
        ));
    }
    Ok(applied)
}
