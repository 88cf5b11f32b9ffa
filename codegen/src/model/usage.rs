//! Where each type of the crate is used: as an operation's request body or answer, as a
//! parameter, or inside another type. Decided once, here, for every type; the renderer turns it
//! into the sentences that open a type's docs when the spec has no description for it (two thirds
//! of Authlete's types), so that the models index says what each type is for.

use std::collections::BTreeSet;

use super::operations::Content;
use super::{Place, TypeId, TypeSpace};

/// One place where a type is used. Operations are indices into [`TypeSpace::operations`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Usage {
    /// The request body of an operation (or, with containers, its items).
    RequestBody { operation: usize, containers: Vec<Container> },
    /// The JSON answer of an operation, on one success status or more.
    Answer { operation: usize, containers: Vec<Container> },
    /// A path or query parameter of an operation (a string enum).
    Parameter { operation: usize, name: String },
    /// A member of a struct: `json_name` as the spec spells it, `rust_name` the field.
    Member { owner: TypeId, json_name: String, rust_name: String, containers: Vec<Container> },
    /// The value of the members that a struct's `additionalProperties` allows.
    AdditionalMember { owner: TypeId, containers: Vec<Container> },
    /// One shape of a `oneOf`/`anyOf` enum.
    Variant { owner: TypeId },
    /// What a type alias stands for.
    Alias { owner: TypeId, containers: Vec<Container> },
}

/// A collection a type is used inside, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Container {
    /// The items of a list.
    Vec,
    /// The values of a map.
    Map,
}

/// Fills in [`super::TypeDef::usage`]: the operations in spec order, then the types in theirs,
/// each place once.
pub(super) fn assign(space: &mut TypeSpace) {
    let mut usage: Vec<BTreeSet<Usage>> = vec![BTreeSet::new(); space.types.len()];
    // Kept in the order found (a set only removes repeats): operations come first.
    let mut ordered: Vec<Vec<Usage>> = vec![Vec::new(); space.types.len()];
    let mut record = |id: TypeId, place: Usage| {
        if usage[id.0].insert(place.clone()) {
            ordered[id.0].push(place);
        }
    };
    for (operation, op) in space.operations.iter().enumerate() {
        if let Some(body) = &op.body {
            let (inner, containers) = body.ty.innermost();
            if let Some(id) = inner.direct_named() {
                record(id, Usage::RequestBody { operation, containers });
            }
        }
        for success in &op.successes {
            let Content::Json(ty) = &success.content else { continue };
            let (inner, containers) = ty.innermost();
            if let Some(id) = inner.direct_named() {
                record(id, Usage::Answer { operation, containers });
            }
        }
        for param in &op.params {
            if let Some(id) = param.ty.named() {
                record(id, Usage::Parameter { operation, name: param.name.clone() });
            }
        }
    }
    for (index, def) in space.types.iter().enumerate() {
        let owner = TypeId(index);
        for reference in def.references() {
            let (inner, containers) = reference.ty.innermost();
            let Some(id) = inner.direct_named() else { continue };
            let place = match reference.place {
                Place::Field(field) => Usage::Member {
                    owner,
                    json_name: field.json_name.clone(),
                    rust_name: field.rust_name.clone(),
                    containers,
                },
                Place::Additional => Usage::AdditionalMember { owner, containers },
                Place::Variant(_) => Usage::Variant { owner },
                Place::Alias => Usage::Alias { owner, containers },
            };
            record(id, place);
        }
    }
    for (def, places) in space.types.iter_mut().zip(ordered) {
        def.usage = places;
    }
}
