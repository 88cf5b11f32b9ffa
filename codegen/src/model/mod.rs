//! Stage 2: the intermediate model — every Rust type the crate will contain, already named.
//!
//! Nothing here knows about tokens or files; nothing in `render` knows about OpenAPI. All naming
//! decisions (inline types, collisions, identifier sanitising) are made once, while building this.

pub(crate) mod areas;
mod build;
mod conformance;
mod cycles;
pub(crate) mod naming;
pub mod operations;
pub mod toolkit;
mod traits;
pub mod usage;

pub use build::build;
pub use operations::Operation;
pub use usage::{Container, Usage};

use crate::error::Warning;
use crate::pointer::Pointer;

/// Index of a type in [`TypeSpace::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// All named types of the crate, in the order they were discovered (spec order), the operations
/// that use them, plus what the builder wants a human to know.
#[derive(Debug, Default)]
pub struct TypeSpace {
    pub types: Vec<TypeDef>,
    /// Every operation of the spec, in spec order: one client method each.
    pub operations: Vec<Operation>,
    /// The servers of the spec, which the client offers as regions.
    pub regions: Vec<operations::Region>,
    /// Every `example` the spec gives, with the type it is an example of.
    pub examples: Vec<Example>,
    /// The server toolkit, where the spec has every operation it calls (see [`toolkit`]).
    pub toolkit: Option<toolkit::Toolkit>,
    pub warnings: Vec<Warning>,
}

/// An `example` value from the spec and the Rust type that must hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub pointer: Pointer,
    pub ty: TypeRef,
    /// The schema allows `null`, so the example is an `Option` of `ty`.
    pub nullable: bool,
    pub value: serde_json::Value,
    /// Members of the example (JSON pointers inside it) that its schema does not define.
    pub undefined_members: Vec<Pointer>,
}

impl TypeSpace {
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }
}

/// One Rust item: a struct, an enum or a type alias.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// UpperCamelCase Rust name, unique in the crate.
    pub name: String,
    /// snake_case module (and file) name, unique in the crate.
    pub module: String,
    pub origin: Origin,
    pub description: Option<String>,
    pub kind: TypeKind,
    /// The cargo features (one per operation tag) whose operations use this type; empty for a
    /// type that no operation uses, which is always compiled.
    pub features: std::collections::BTreeSet<String>,
    /// Where the type is used, operations first: what its docs say it is for when the spec does
    /// not (see [`usage`]).
    pub usage: Vec<Usage>,
    /// Whether every value inside allows `Eq` and `Hash` (nothing holds an `f64`, at any depth).
    pub eq_hash: bool,
}

impl TypeDef {
    /// Every type reference the definition holds, each with its place: the one walk over a type's
    /// parts that the areas, the cycle checks, the derives and the usage all share.
    pub fn references(&self) -> Vec<Reference<'_>> {
        match &self.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|field| Reference { ty: &field.ty, place: Place::Field(field) })
                .chain(s.additional.iter().map(|extra| Reference { ty: &extra.ty, place: Place::Additional }))
                .collect(),
            TypeKind::Union(u) => {
                u.variants.iter().map(|v| Reference { ty: &v.ty, place: Place::Variant(v) }).collect()
            }
            TypeKind::Alias(ty) => vec![Reference { ty, place: Place::Alias }],
            TypeKind::Enum(_) => Vec::new(),
        }
    }
}

/// One type reference inside a [`TypeDef`], and where it is.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    pub ty: &'a TypeRef,
    pub place: Place<'a>,
}

/// Where in a definition a [`Reference`] is.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    Field(&'a Field),
    /// The value type of the members that `additionalProperties` allows.
    Additional,
    Variant(&'a UnionVariant),
    /// What a type alias stands for.
    Alias,
}

impl Reference<'_> {
    /// The named type this reference holds by value (not behind a `Vec`, a map or a box): the
    /// edges of the graph whose cycles make a type infinitely large.
    pub fn by_value(&self) -> Option<TypeId> {
        match self.place {
            Place::Field(field) if field.boxed => None,
            // A map's values are on the heap.
            Place::Additional => None,
            _ => self.ty.direct_named(),
        }
    }
}

/// Where a type comes from in the spec, for its docs and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub pointer: Pointer,
    /// The key under `components/schemas`, for named schemas.
    pub schema_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    Enum(StringEnum),
    Union(Union),
    /// A named schema that is just another type (`type: string`, an array, a `$ref`).
    Alias(TypeRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Members not listed in `properties`, kept in a map (`additionalProperties: true` or a
    /// schema) under a field of this name.
    pub additional: Option<AdditionalMembers>,
    /// The field that keeps, as JSON values, the members that a schema without
    /// `additionalProperties` of its own does not list (a newer server's, an extension's), so that
    /// a value read, changed and written back loses nothing. Every struct has exactly one
    /// catch-all: this, or [`Struct::additional`] (whose map already keeps every other member).
    pub unknown_members: Option<String>,
}

impl Struct {
    /// The Rust name of the field that keeps every member without a field of its own.
    pub fn catch_all(&self) -> &str {
        match (&self.additional, &self.unknown_members) {
            (Some(extra), _) => &extra.rust_name,
            (None, Some(name)) => name,
            (None, None) => unreachable!("every struct has a catch-all field"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AdditionalMembers {
    pub rust_name: String,
    /// The type of each member's value.
    pub ty: TypeRef,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The member's name in JSON, exactly as the spec spells it.
    pub json_name: String,
    /// snake_case Rust identifier (without any `r#`), unique in its struct.
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub read_only: bool,
    pub deprecated: bool,
    /// Boxed to break a cycle of types that contain each other by value.
    pub boxed: bool,
    pub description: Option<String>,
    /// The value the server assumes when the member is absent, as the spec states it.
    pub default: Option<serde_json::Value>,
}

/// A string enum that keeps values it does not know in a fallback variant.
#[derive(Debug, Clone, PartialEq)]
pub struct StringEnum {
    pub variants: Vec<Variant>,
    /// The name of the `Variant(String)` that holds values the spec does not list.
    pub fallback: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub value: String,
    pub rust_name: String,
}

/// `oneOf`/`anyOf`: one of several shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// The property that names the variant, when the spec gives a `discriminator`.
    pub tag: Option<String>,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub rust_name: String,
    /// The tag value that selects this variant (with a discriminator).
    pub tag_value: Option<String>,
    pub ty: TypeRef,
}

/// How a value's type is written, in terms the renderer maps to Rust.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    Bool,
    I32,
    I64,
    F64,
    String,
    /// Any JSON value.
    Json,
    /// A JSON object with arbitrary members.
    JsonObject,
    Vec(Box<TypeRef>),
    Map(Box<TypeRef>),
    Named(TypeId),
}

impl TypeRef {
    /// Whether a value of this type holds a `Named` type directly, not behind a `Vec`/map.
    pub fn direct_named(&self) -> Option<TypeId> {
        match self {
            TypeRef::Named(id) => Some(*id),
            _ => None,
        }
    }

    /// What the reference holds once every `Vec` and map around it is taken away, and the
    /// containers taken away (outermost first). A reference names at most one type, there.
    pub fn innermost(&self) -> (&TypeRef, Vec<Container>) {
        let mut containers = Vec::new();
        let mut ty = self;
        loop {
            match ty {
                TypeRef::Vec(item) => {
                    containers.push(Container::Vec);
                    ty = item;
                }
                TypeRef::Map(value) => {
                    containers.push(Container::Map);
                    ty = value;
                }
                _ => return (ty, containers),
            }
        }
    }

    /// The named type this reference leads to, at any depth of `Vec`s and maps.
    pub fn named(&self) -> Option<TypeId> {
        self.innermost().0.direct_named()
    }
}
