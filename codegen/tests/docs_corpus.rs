//! Runs every `description` of the Authlete specs through the converter and checks that no
//! words are lost: `plain_text` of the input and of the output must agree, up to whitespace and
//! the documented source fixes (see `normalize`).

use authlete_codegen::docs::{markdown_to_rustdoc, plain_text};
use serde_yaml::Value;

/// Where the specs live, relative to this crate's manifest directory.
const SPECS_DIR: &str = "../../shared/specs";
const SPECS: [&str; 2] = ["authlete-openapi.yaml", "authlete-openapi-2025-08.yaml"];

/// Every string under a `description` key, with its JSON pointer.
fn descriptions(value: &Value, pointer: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                let key = match key {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
                };
                let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if let (true, Value::String(text)) = (key == "description", child) {
                    found.push((child_pointer.clone(), text.clone()));
                }
                descriptions(child, &child_pointer, found);
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                descriptions(child, &format!("{pointer}/{i}"), found);
            }
        }
        Value::Tagged(tagged) => descriptions(&tagged.value, pointer, found),
        _ => {}
    }
}

fn load(spec: &str) -> Vec<(String, String)> {
    let path = format!("{}/{SPECS_DIR}/{spec}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let yaml: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    let mut found = Vec::new();
    descriptions(&yaml, "", &mut found);
    found
}

/// Undoes, on plain text, exactly the visible changes the converter makes on purpose:
/// - `\_` and `\*` inside code read as `_` and `*` (the specs escape them even in code);
/// - Javadoc inline tags `{@link X}` / `{@code X}` read as `X`;
/// - a malformed reference link `[TEXT][https://…]` reads as `TEXT`.
///
/// Whitespace is then collapsed. Nothing else is forgiven.
fn normalize(text: &str) -> String {
    let text = text.replace("\\_", "_").replace("\\*", "*");
    let text = strip_javadoc(&text);
    let text = strip_url_references(&text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_javadoc(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{@") {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let name_len = tag[2..].find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(tag.len() - 2);
        let body = &tag[2 + name_len..];
        let close = body.find('}');
        match close {
            Some(close)
                if name_len > 0 && body.starts_with(char::is_whitespace) && !body[..close].trim().is_empty() =>
            {
                out.push_str(body[..close].trim());
                rest = &body[close + 1..];
            }
            _ => {
                out.push_str("{@");
                rest = &tag[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn strip_url_references(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(mid) = rest.find("][http") {
        let open = rest[..mid].rfind('[');
        let close = rest[mid + 2..].find(']').map(|c| mid + 2 + c);
        match (open, close) {
            (Some(open), Some(close)) if !rest[mid + 2..close].contains(char::is_whitespace) => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 1..mid]);
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..mid + 2]);
                rest = &rest[mid + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first difference between two texts, with some context, one word per line.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<_>, Vec<_>) = (expected.split(' ').collect(), actual.split(' ').collect());
    let at = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let from = at.saturating_sub(8);
    format!(
        "first difference at word {at}\n  original : …{}\n  converted: …{}",
        e[from..(at + 12).min(e.len())].join(" "),
        a[from..(at + 12).min(a.len())].join(" "),
    )
}

#[test]
fn every_description_keeps_its_words() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for spec in SPECS {
        for (pointer, description) in load(spec) {
            checked += 1;
            let converted = markdown_to_rustdoc(&description);
            let expected = normalize(&plain_text(&description));
            let actual = normalize(&plain_text(&converted));
            if expected != actual {
                failures.push(format!("{spec}#{pointer}\n{}", diff(&expected, &actual)));
            }
        }
    }
    println!("checked {checked} descriptions");
    assert!(checked > 4000, "expected both specs to be read, got {checked} descriptions");
    assert!(
        failures.is_empty(),
        "{} of {checked} descriptions lost text:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_description_is_clean_rustdoc_text() {
    for spec in SPECS {
        for (pointer, description) in load(spec) {
            let converted = markdown_to_rustdoc(&description);
            assert!(!converted.contains('\r'), "{spec}#{pointer}: carriage return");
            for line in converted.lines() {
                assert_eq!(line, line.trim_end(), "{spec}#{pointer}: trailing whitespace");
            }
            assert_eq!(converted, converted.trim_matches('\n'), "{spec}#{pointer}: blank edge lines");
            // Converting again changes nothing: the output is already in the emitter's own form.
            assert_eq!(markdown_to_rustdoc(&converted), converted, "{spec}#{pointer}: not idempotent");
        }
    }
}
