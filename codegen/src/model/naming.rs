//! Turning spec names into Rust identifiers, and keeping them unique.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers. `r#` fixes most; [`RAW_IMPOSSIBLE`] need a suffix.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    "union",
];
const RAW_IMPOSSIBLE: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Whether `name` must be written `r#name`.
pub fn needs_raw(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Keeps ASCII letters and digits; everything else separates words. Non-ASCII identifiers are
/// legal Rust but lint-prone and hard to type, so they are not produced.
fn words(raw: &str) -> String {
    raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

/// UpperCamelCase type or variant name for `raw`; `fallback` when nothing usable is left.
pub fn camel(raw: &str, fallback: &str) -> String {
    let name = words(raw).to_upper_camel_case();
    let name = if name.is_empty() { fallback.to_owned() } else { name };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("N{name}") } else { name };
    if RAW_IMPOSSIBLE.contains(&name.as_str()) {
        format!("{name}Value")
    } else {
        name
    }
}

/// snake_case field or module name for `raw` (never needing more than `r#`).
pub fn snake(raw: &str, fallback: &str) -> String {
    let name = words(raw).to_snake_case();
    let name = if name.is_empty() { fallback.to_owned() } else { name };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("n{name}") } else { name };
    if RAW_IMPOSSIBLE.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Hands out names that are unique within one scope (a crate's types, a struct's fields, an
/// enum's variants): a clash gets the smallest free numeric suffix, in the order names are asked
/// for, so the result is deterministic.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// Reserves a name nothing else may get (e.g. a crate module that is not a type).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_ascii_lowercase());
    }

    /// `wanted`, or `wanted2`, `wanted3`, … if taken. Names are compared case-insensitively,
    /// because types also become file names and must not collide on case-insensitive disks.
    pub fn claim(&mut self, wanted: &str, separator: &str) -> String {
        let mut candidate = wanted.to_owned();
        // `self_` becomes `self_2`, not `self__2` (which is not snake case).
        let separator = if wanted.ends_with(separator) { "" } else { separator };
        let mut n = 2;
        while !self.taken.insert(candidate.to_ascii_lowercase().replace('_', "")) {
            candidate = format!("{wanted}{separator}{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_awkward_spec_strings() {
        assert_eq!(camel("api_serviceId_auth_token", "T"), "ApiServiceIdAuthToken");
        assert_eq!(camel("urn:ietf:params:oauth:token-type:jwt", "V"), "UrnIetfParamsOauthTokenTypeJwt");
        assert_eq!(camel("standard+id_document", "V"), "StandardIdDocument");
        assert_eq!(camel("3ds", "T"), "N3ds");
        assert_eq!(camel("日本", "Empty"), "Empty");
        assert_eq!(camel("self", "T"), "SelfValue");
        assert_eq!(snake("clientId", "f"), "client_id");
        assert_eq!(snake("x5t#S256", "f"), "x5t_s256");
        assert_eq!(snake("", "field"), "field");
        assert_eq!(snake("self", "f"), "self_");
        assert_eq!(snake("1st", "f"), "n1st");
        assert!(needs_raw("type") && !needs_raw("kind"));
    }

    #[test]
    fn clashes_get_numbered_in_request_order() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("JwsAlg", ""), "JwsAlg");
        assert_eq!(scope.claim("JWSAlg", ""), "JWSAlg2");
        assert_eq!(scope.claim("Jws_Alg", ""), "Jws_Alg3");
        let mut fields = Scope::default();
        assert_eq!(fields.claim("a_b", "_"), "a_b");
        assert_eq!(fields.claim("ab", "_"), "ab_2");
        assert_eq!(fields.claim("self_", "_"), "self_");
        assert_eq!(fields.claim("self_", "_"), "self_2");
    }
}
