//! Post-passes over a finished [`TypeSpace`] for types that contain themselves.
//!
//! A spec may describe recursive data through `$ref`s, and Rust can hold such data only when the
//! recursion goes through something with an indirection: a struct field, a `Vec`, a map. So the
//! cycles Rust cannot express at all (an alias that is itself, an enum that holds itself by value
//! through nothing but enums and aliases) are reported as spec errors, and every struct field
//! through which a type would otherwise contain itself by value (infinite size) is marked to be
//! boxed. Both run after the walk in `build.rs` is finished, because they need the whole graph of
//! types.

use super::{TypeId, TypeKind, TypeSpace};
use crate::error::Error;
use crate::load::Spec;

/// Cycles Rust cannot express, reported instead of emitted: a type alias that contains itself
/// (`type A = B; type B = A;`, or `type A = Vec<A>;`), and a `oneOf`/`anyOf` enum that holds
/// itself by value through nothing but enums and aliases (infinite size; a cycle through a struct
/// is fine, its field is boxed).
pub(super) fn check_alias_cycles(space: &TypeSpace, spec: &Spec) -> Result<(), Error> {
    let is_alias = |id: usize| matches!(space.types[id].kind, TypeKind::Alias(_));
    let is_union = |id: usize| matches!(space.types[id].kind, TypeKind::Union(_));
    // The aliases an alias expands to, at any depth of `Vec`s and maps.
    let expands_to = |id: usize| -> Vec<usize> {
        let def = &space.types[id];
        let parts = def.references().into_iter().filter(|_| is_alias(id)).filter_map(|r| r.ty.named());
        parts.map(|t| t.0).filter(|&part| is_alias(part)).collect()
    };
    if let Some((at, cycle)) = find_cycle(space.types.len(), expands_to) {
        let names: Vec<&str> = cycle.iter().map(|&id| space.types[id].name.as_str()).collect();
        return Err(spec.error(
            &space.types[at].origin.pointer,
            format!("`$ref` cycle that cannot be represented: {}", names.join(" → ")),
        ));
    }
    // The enums and aliases an enum or alias holds by value.
    let holds = |id: usize| -> Vec<usize> {
        if !is_alias(id) && !is_union(id) {
            return Vec::new();
        }
        let parts = space.types[id].references().into_iter().filter_map(|r| r.by_value());
        parts.map(|t| t.0).filter(|&part| is_alias(part) || is_union(part)).collect()
    };
    if let Some((at, cycle)) = find_cycle(space.types.len(), holds) {
        let names: Vec<&str> = cycle.iter().map(|&id| space.types[id].name.as_str()).collect();
        return Err(spec.error(
            &space.types[at].origin.pointer,
            format!(
                "`$ref` cycle that cannot be represented: a value of `{}` would contain itself ({}); put an object \
                 or array in between",
                space.types[at].name,
                names.join(" → ")
            ),
        ));
    }
    Ok(())
}

/// A cycle of the graph with nodes `0..count` and edges `parts`: where it closes, and its nodes
/// from there back to there. Depth first without recursion (chains can be long).
fn find_cycle(count: usize, parts: impl Fn(usize) -> Vec<usize>) -> Option<(usize, Vec<usize>)> {
    const NEW: u8 = 0;
    const ON_STACK: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; count];
    for root in 0..count {
        if state[root] != NEW {
            continue;
        }
        state[root] = ON_STACK;
        let mut stack = vec![(root, parts(root), 0)];
        while let Some(top) = stack.len().checked_sub(1) {
            let (node, next) = (stack[top].0, stack[top].2);
            let Some(&part) = stack[top].1.get(next) else {
                state[node] = DONE;
                stack.pop();
                continue;
            };
            stack[top].2 += 1;
            match state[part] {
                NEW => {
                    state[part] = ON_STACK;
                    stack.push((part, parts(part), 0));
                }
                ON_STACK => {
                    let from = stack.iter().position(|(id, ..)| *id == part).unwrap_or(0);
                    let cycle = stack[from..].iter().map(|(id, ..)| *id).chain([part]).collect();
                    return Some((part, cycle));
                }
                _ => {}
            }
        }
    }
    None
}

/// Boxes struct fields through which a type would contain itself by value (infinite size).
///
/// Fields are decided in order; a field needs a box when its type leads back to its struct by
/// value, through fields not yet boxed, union variants and aliases: exactly when both lie in the
/// same strongly connected component of that graph. Boxing a field may split its component, so
/// that component alone is worked out again. Specs without such cycles cost linear time, not a
/// search per field.
pub(super) fn mark_boxed_fields(space: &mut TypeSpace) {
    let mut components = Components::new(space.types.len());
    components.split(space, 0);
    for index in 0..space.types.len() {
        let TypeKind::Struct(s) = &space.types[index].kind else { continue };
        let targets: Vec<Option<TypeId>> = s.fields.iter().map(|f| f.ty.direct_named()).collect();
        // (Not `references()`: a field already boxed is decided, and the indices are the fields'.)
        for (field_index, target) in targets.into_iter().enumerate() {
            let Some(target) = target else { continue };
            let component = components.of[index];
            if components.of[target.0] != component {
                continue;
            }
            if let TypeKind::Struct(s) = &mut space.types[index].kind {
                s.fields[field_index].boxed = true;
            }
            components.split(space, component);
        }
    }
}

/// The strongly connected components of the by-value graph of a [`TypeSpace`] (Tarjan's
/// algorithm, without recursion: chains of types can be long).
struct Components {
    /// The component of each type.
    of: Vec<usize>,
    /// The types of each component (emptied when a component is split).
    members: Vec<Vec<usize>>,
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
}

impl Components {
    const UNSEEN: usize = usize::MAX;

    /// Every type in component 0, still to be split.
    fn new(count: usize) -> Self {
        Self {
            of: vec![0; count],
            members: vec![(0..count).collect()],
            index: vec![Self::UNSEEN; count],
            low: vec![0; count],
            on_stack: vec![false; count],
        }
    }

    /// The types `id` holds by value.
    fn edges(space: &TypeSpace, id: usize) -> Vec<usize> {
        space.types[id].references().iter().filter_map(|r| r.by_value()).map(|t| t.0).collect()
    }

    /// Replaces `component` by the components its types form now (edges leaving it cannot be on
    /// a cycle inside it).
    fn split(&mut self, space: &TypeSpace, component: usize) {
        let nodes = std::mem::take(&mut self.members[component]);
        for &node in &nodes {
            self.index[node] = Self::UNSEEN;
        }
        let mut counter = 0;
        let mut stack = Vec::new();
        for &root in &nodes {
            if self.index[root] != Self::UNSEEN {
                continue;
            }
            let mut calls = vec![(root, Self::edges(space, root), 0)];
            self.visit(root, &mut counter, &mut stack);
            while let Some(top) = calls.len().checked_sub(1) {
                let (node, next) = (calls[top].0, calls[top].2);
                if let Some(&part) = calls[top].1.get(next) {
                    calls[top].2 += 1;
                    if self.of[part] != component {
                        continue;
                    }
                    if self.index[part] == Self::UNSEEN {
                        self.visit(part, &mut counter, &mut stack);
                        calls.push((part, Self::edges(space, part), 0));
                    } else if self.on_stack[part] {
                        self.low[node] = self.low[node].min(self.index[part]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(parent) = calls.last() {
                    self.low[parent.0] = self.low[parent.0].min(self.low[node]);
                }
                if self.low[node] == self.index[node] {
                    // A finished component: its types leave the one being split (edges to them
                    // are then ignored, as Tarjan ignores edges to finished components).
                    let new = self.members.len();
                    let mut members = Vec::new();
                    while let Some(member) = stack.pop() {
                        self.on_stack[member] = false;
                        self.of[member] = new;
                        members.push(member);
                        if member == node {
                            break;
                        }
                    }
                    self.members.push(members);
                }
            }
        }
    }

    fn visit(&mut self, node: usize, counter: &mut usize, stack: &mut Vec<usize>) {
        self.index[node] = *counter;
        self.low[node] = *counter;
        *counter += 1;
        self.on_stack[node] = true;
        stack.push(node);
    }
}
