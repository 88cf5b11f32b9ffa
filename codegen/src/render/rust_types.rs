//! How model types are spelled in Rust.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::naming::needs_raw;
use crate::model::{TypeRef, TypeSpace};

/// Paths for the std items generated code names. A spec may define a type called `Option` or
/// `String`; then the prelude's is shadowed in that type's module and the crate spells the std
/// item out in full everywhere, so the same spec always gives the same text.
#[derive(Clone)]
pub struct Paths {
    pub option: TokenStream,
    pub string: TokenStream,
    pub vec: TokenStream,
    pub boxed: TokenStream,
    pub into: TokenStream,
    /// `None`, the value.
    pub none: TokenStream,
    /// How other models are reached: `super` from a model's module.
    pub models: TokenStream,
}

const PRELUDE_NAMES: &[&str] = &["Option", "String", "Vec", "Box", "Some", "None", "Into"];

impl Paths {
    pub fn for_space(space: &TypeSpace) -> Self {
        if space.types.iter().any(|t| PRELUDE_NAMES.contains(&t.name.as_str())) {
            Self {
                option: quote!(::std::option::Option),
                string: quote!(::std::string::String),
                vec: quote!(::std::vec::Vec),
                boxed: quote!(::std::boxed::Box),
                into: quote!(::core::convert::Into),
                none: quote!(::std::option::Option::None),
                models: quote!(super),
            }
        } else {
            Self {
                option: quote!(Option),
                string: quote!(String),
                vec: quote!(Vec),
                boxed: quote!(Box),
                into: quote!(Into),
                none: quote!(None),
                models: quote!(super),
            }
        }
    }

    pub fn type_of(&self, ty: &TypeRef, space: &TypeSpace) -> TokenStream {
        let string = &self.string;
        match ty {
            TypeRef::Bool => quote!(bool),
            TypeRef::I32 => quote!(i32),
            TypeRef::I64 => quote!(i64),
            TypeRef::F64 => quote!(f64),
            TypeRef::String => quote!(#string),
            TypeRef::Json => quote!(serde_json::Value),
            TypeRef::JsonObject => quote!(serde_json::Map<#string, serde_json::Value>),
            TypeRef::Vec(item) => {
                let (vec, item) = (&self.vec, self.type_of(item, space));
                quote!(#vec<#item>)
            }
            TypeRef::Map(value) => {
                let value = self.type_of(value, space);
                quote!(std::collections::BTreeMap<#string, #value>)
            }
            TypeRef::Named(id) => {
                let (models, name) = (&self.models, ident(&space.get(*id).name));
                quote!(#models::#name)
            }
        }
    }
}

/// An identifier for a name the model already made valid; keywords become raw identifiers.
pub fn ident(name: &str) -> Ident {
    if needs_raw(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}
