//! Areas of the API: one cargo feature per operation tag, so that a user who needs only, say, the
//! token endpoint compiles only the types that endpoint uses.
//!
//! A type belongs to every area whose operations use it, directly or through other types. Types
//! no operation uses belong to none and are always compiled.

use std::collections::{BTreeMap, BTreeSet};

use super::{naming, TypeId, TypeRef, TypeSpace};

/// Fills in [`super::TypeDef::features`] from what each tag's operations use directly.
pub fn assign(space: &mut TypeSpace, roots: &[(String, TypeRef)]) {
    let mut by_feature: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
    for (tag, ty) in roots {
        by_feature.entry(feature_name(tag)).or_default().extend(ty.named());
    }
    for (feature, start) in by_feature {
        for id in reachable(space, start) {
            space.types[id.0].features.insert(feature.clone());
        }
    }
}

/// The cargo feature for an operation tag: `Token Endpoint` → `token-endpoint`.
pub fn feature_name(tag: &str) -> String {
    naming::snake(tag, "untagged").trim_end_matches('_').replace('_', "-")
}

/// Every type reachable from `start` through fields, variants, aliases, items and map values.
fn reachable(space: &TypeSpace, start: Vec<TypeId>) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut stack = start;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        stack.extend(space.get(id).references().iter().filter_map(|r| r.ty.named()));
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::feature_name;

    #[test]
    fn feature_names_are_kebab_case() {
        assert_eq!(feature_name("Token Endpoint"), "token-endpoint");
        assert_eq!(feature_name("CIBA"), "ciba");
        assert_eq!(feature_name("JWK Set Endpoint"), "jwk-set-endpoint");
        assert_eq!(feature_name(""), "untagged");
    }
}
