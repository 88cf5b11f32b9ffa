//! Areas of the API: one cargo feature per operation tag, so that a user who needs only, say, the
//! token endpoint compiles only the types that endpoint uses.
//!
//! A type belongs to every area whose operations use it, directly or through other types. Types
//! no operation uses belong to none and are always compiled.

use std::collections::{BTreeMap, BTreeSet};

use super::{naming, TypeId, TypeKind, TypeRef, TypeSpace};

/// Fills in [`super::TypeDef::features`] from what each tag's operations use directly.
pub fn assign(space: &mut TypeSpace, roots: &[(String, TypeRef)]) {
    let mut by_feature: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
    for (tag, ty) in roots {
        let mut ids = Vec::new();
        named_in(ty, &mut ids);
        by_feature.entry(feature_name(tag)).or_default().extend(ids);
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
        match &space.get(id).kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| named_in(&f.ty, &mut stack));
                if let Some(extra) = &s.additional {
                    named_in(&extra.ty, &mut stack);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| named_in(&v.ty, &mut stack)),
            TypeKind::Alias(ty) => named_in(ty, &mut stack),
            TypeKind::Enum(_) => {}
        }
    }
    seen
}

fn named_in(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => named_in(inner, out),
        _ => {}
    }
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
