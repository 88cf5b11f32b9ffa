//! How model types are spelled in Rust: once, as text, which the token emitters parse and the
//! text emitters write as it is.

use std::fmt::Write as _;

use proc_macro2::{Ident, Span, TokenStream};

use crate::model::naming::needs_raw;
use crate::model::{TypeRef, TypeSpace};

/// How generated code spells the std items it names, and other models. A spec may define a type
/// called `Option` or `String`; then the prelude's is shadowed in that type's module and the
/// crate spells the std item out in full everywhere, so the same spec always gives the same text.
#[derive(Clone, Copy)]
pub struct Paths {
    spelled_out: bool,
    /// How other models are reached: `super` from a model's module, `crate::models` from the
    /// crate's other code, `authlete::models` from its tests.
    pub models: &'static str,
}

const PRELUDE_NAMES: &[&str] = &["Option", "String", "Vec", "Box", "Some", "None", "Into"];

impl Paths {
    pub fn for_space(space: &TypeSpace) -> Self {
        let spelled_out = space.types.iter().any(|t| PRELUDE_NAMES.contains(&t.name.as_str()));
        Self { spelled_out, models: "super" }
    }

    /// The same spellings, reaching the models by `models`.
    pub fn from(self, models: &'static str) -> Self {
        Self { models, ..self }
    }

    fn pick(self, prelude: &'static str, full: &'static str) -> &'static str {
        if self.spelled_out {
            full
        } else {
            prelude
        }
    }

    pub fn option(self) -> &'static str {
        self.pick("Option", "::std::option::Option")
    }

    pub fn string(self) -> &'static str {
        self.pick("String", "::std::string::String")
    }

    pub fn boxed(self) -> &'static str {
        self.pick("Box", "::std::boxed::Box")
    }

    pub fn into(self) -> &'static str {
        self.pick("Into", "::core::convert::Into")
    }

    /// `None`, the value.
    pub fn none(self) -> &'static str {
        self.pick("None", "::std::option::Option::None")
    }

    fn vec(self) -> &'static str {
        self.pick("Vec", "::std::vec::Vec")
    }

    /// The Rust type of `ty`, as text.
    pub fn type_text(self, ty: &TypeRef, space: &TypeSpace) -> String {
        let mut text = String::new();
        self.write_type(&mut text, ty, space);
        text
    }

    fn write_type(self, out: &mut String, ty: &TypeRef, space: &TypeSpace) {
        let string = self.string();
        match ty {
            TypeRef::Bool => out.push_str("bool"),
            TypeRef::I32 => out.push_str("i32"),
            TypeRef::I64 => out.push_str("i64"),
            TypeRef::F64 => out.push_str("f64"),
            TypeRef::String => out.push_str(string),
            TypeRef::Json => out.push_str("serde_json::Value"),
            TypeRef::JsonObject => {
                let _ = write!(out, "serde_json::Map<{string}, serde_json::Value>");
            }
            TypeRef::Vec(item) => {
                out.push_str(self.vec());
                out.push('<');
                self.write_type(out, item, space);
                out.push('>');
            }
            TypeRef::Map(value) => {
                let _ = write!(out, "std::collections::BTreeMap<{string}, ");
                self.write_type(out, value, space);
                out.push('>');
            }
            TypeRef::Named(id) => {
                let _ = write!(out, "{}::{}", self.models, ident(&space.get(*id).name));
            }
        }
    }

    /// The Rust type of `ty`, as tokens.
    pub fn type_of(self, ty: &TypeRef, space: &TypeSpace) -> TokenStream {
        tokens(&self.type_text(ty, space))
    }
}

/// Tokens of a path or type this module spelled. Only ever given text made of identifiers the
/// model already made valid and fixed punctuation, which always lexes.
pub fn tokens(text: &str) -> TokenStream {
    text.parse().unwrap_or_else(|e| panic!("generator bug: `{text}` does not lex as Rust: {e}"))
}

/// An identifier for a name the model already made valid; keywords become raw identifiers.
pub fn ident(name: &str) -> Ident {
    if needs_raw(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}
