//! Which types can derive `Eq` and `Hash`: decided once for the whole space, since a type allows
//! them only when every type it holds does, through any chain of named types (cycles included).

use super::{TypeRef, TypeSpace};

/// Sets [`super::TypeDef::eq_hash`]. Only `f64` forbids them: `serde_json::Value` and its `Map`
/// are `Eq` and `Hash` (from serde_json 1.0.118; the generated manifest asks for that version),
/// and the catch-all maps are `BTreeMap`s of those. Starting from "every type allows them", a type
/// that holds an `f64` or a type that does not allow them is knocked out until nothing changes:
/// the greatest fixed point, so that recursive types allow them too.
pub(super) fn assign(space: &mut TypeSpace) {
    for def in &mut space.types {
        def.eq_hash = def.references().iter().all(|r| !matches!(r.ty.innermost().0, TypeRef::F64));
    }
    loop {
        let knocked: Vec<usize> = (0..space.types.len())
            .filter(|&index| space.types[index].eq_hash)
            .filter(|&index| {
                space.types[index].references().iter().any(|r| r.ty.named().is_some_and(|id| !space.get(id).eq_hash))
            })
            .collect();
        if knocked.is_empty() {
            return;
        }
        for index in knocked {
            space.types[index].eq_hash = false;
        }
    }
}

impl TypeSpace {
    /// Whether a value of type `ty` allows `Eq` and `Hash`.
    pub fn eq_hash(&self, ty: &TypeRef) -> bool {
        match ty.innermost().0 {
            TypeRef::F64 => false,
            TypeRef::Named(id) => self.get(*id).eq_hash,
            _ => true,
        }
    }
}
