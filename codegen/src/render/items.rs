//! One model type as tokens: its docs, its definition and its impls.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust_types::{ident, Paths};
use super::{DocSlots, Rustdoc};
use crate::docs::markdown_to_rustdoc;
use crate::model::{Field, StringEnum, Struct, TypeDef, TypeKind, TypeRef, TypeSpace, Union};

/// The whole content of a type's file.
pub fn item(def: &TypeDef, space: &TypeSpace, paths: &Paths, slots: &DocSlots, rustdoc: &Rustdoc) -> TokenStream {
    let docs = slots.outer(&type_docs(def, rustdoc));
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => structure(&docs, &name, s, space, paths, slots, rustdoc),
        TypeKind::Enum(e) => string_enum(&docs, &name, e, paths, slots),
        TypeKind::Union(u) => union(&docs, &name, u, space, paths),
        TypeKind::Alias(ty) => {
            let ty = paths.type_of(ty, space);
            quote! { #docs pub type #name = #ty; }
        }
    }
}

fn type_docs(def: &TypeDef, rustdoc: &Rustdoc) -> String {
    let mut text = converted(def.description.as_deref(), rustdoc);
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    if !def.features.is_empty() {
        let features: Vec<String> = def.features.iter().map(|f| format!("`{f}`")).collect();
        text.push_str(&format!(
            "Compiled with the cargo feature{} {} (on by default).\n\n",
            if features.len() == 1 { "" } else { "s" },
            features.join(", ")
        ));
    }
    let pointer = &def.origin.pointer;
    match &def.origin.schema_name {
        Some(schema) => {
            text.push_str(&format!("Schema {} of the spec ({}).", code_span(schema), code_span(&format!("#{pointer}"))))
        }
        None => text.push_str(&format!("Inline schema at {} in the spec.", code_span(&format!("#{pointer}")))),
    }
    text
}

/// A description as rustdoc, from the texts converted up front (or now, for one that was not).
pub(super) fn converted(description: Option<&str>, rustdoc: &Rustdoc) -> String {
    description.map_or_else(String::new, |text| rustdoc.get(text).cloned().unwrap_or_else(|| markdown_to_rustdoc(text)))
}

fn field_docs(field: &Field, rustdoc: &Rustdoc) -> String {
    let mut text = converted(field.description.as_deref(), rustdoc);
    let mut notes = Vec::new();
    if field.json_name != field.rust_name {
        notes.push(format!("JSON name: {}.", code_span(&field.json_name)));
    }
    if field.required && field.nullable {
        notes.push("Required, but may be `null`.".to_owned());
    }
    if let Some(default) = &field.default {
        notes.push(format!("Default: {}.", code_span(&default.to_string())));
    }
    if field.read_only {
        notes.push("Read-only: set by the server in responses.".to_owned());
    }
    if field.deprecated {
        notes.push("Deprecated.".to_owned());
    }
    if !notes.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&notes.join(" "));
    }
    text
}

fn structure(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    s: &Struct,
    space: &TypeSpace,
    paths: &Paths,
    slots: &DocSlots,
    rustdoc: &Rustdoc,
) -> TokenStream {
    let option = &paths.option;
    let string = &paths.string;
    let field_tokens = s.fields.iter().map(|field| {
        let docs = slots.outer(&field_docs(field, rustdoc));
        let field_name = ident(&field.rust_name);
        let ty = field_type(field, space, paths);
        quote! { #docs pub #field_name: #ty, }
    });
    let catch_all = ident(s.catch_all());
    let catch_all_field = match &s.additional {
        Some(extra) if extra.ty != TypeRef::Json => {
            let value = paths.type_of(&extra.ty, space);
            quote! {
                /// Members that the spec does not list, kept so that nothing is lost in a round trip.
                pub #catch_all: std::collections::BTreeMap<#string, #value>,
            }
        }
        _ => {
            let docs = slots.outer(UNKNOWN_MEMBERS_DOCS);
            quote! { #docs pub #catch_all: std::collections::BTreeMap<#string, serde_json::Value>, }
        }
    };
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required && !f.nullable).collect();
    let derive_default = required.is_empty().then(|| quote!(Default,));
    let constructor = (!required.is_empty()).then(|| {
        let params = required.iter().map(|f| {
            let (field_name, ty) = (ident(&f.rust_name), field_type(f, space, paths));
            quote!(#field_name: #ty)
        });
        let inits = s.fields.iter().map(|f| {
            let field_name = ident(&f.rust_name);
            if f.required && !f.nullable {
                quote!(#field_name)
            } else {
                quote!(#field_name: #option::None)
            }
        });
        let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            impl #name {
                /// A value with the required fields set, every optional field `None` and no unknown
                /// members.
                #allow
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits,)* #catch_all: ::core::default::Default::default(), }
                }
            }
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#field_tokens)*
            #catch_all_field
        }
        #constructor
    }
}

/// The end of a type's file after the formatted items: for a struct, the table of its members
/// that its serde impls are made from (see `templates/open_struct.rs`), one member a line.
/// Written as text because `prettyplease` flows a macro's arguments like prose.
pub fn member_table(def: &TypeDef) -> String {
    let TypeKind::Struct(s) = &def.kind else { return String::new() };
    let mut text = format!("\ncrate::open_struct::open_struct!({}, {}, {{\n", ident(&def.name), ident(s.catch_all()));
    for field in &s.fields {
        let kind = match (field.required, field.nullable) {
            (true, false) => "required",
            (true, true) => "nullable",
            (false, _) => "optional",
        };
        let json_name = proc_macro2::Literal::string(&field.json_name);
        text.push_str(&format!("    {}: {json_name} {kind},\n", ident(&field.rust_name)));
    }
    text.push_str("});\n");
    text
}

/// The docs of every struct's field for members the spec does not list.
const UNKNOWN_MEMBERS_DOCS: &str = "Members that the spec does not list, as they were received: a newer
Authlete server's, or ones this version of the crate does not know. They are written back
unchanged, so that a value read, changed and sent back (a service, a client) loses nothing.

To send a member the crate has no field for, insert it here. An entry named like one of this
struct's members is not written (the field is).";

fn field_type(field: &Field, space: &TypeSpace, paths: &Paths) -> TokenStream {
    let mut ty = paths.type_of(&field.ty, space);
    if field.boxed {
        let boxed = &paths.boxed;
        ty = quote!(#boxed<#ty>);
    }
    if !field.required || field.nullable {
        let option = &paths.option;
        ty = quote!(#option<#ty>);
    }
    ty
}

fn string_enum(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    e: &StringEnum,
    paths: &Paths,
    slots: &DocSlots,
) -> TokenStream {
    let string = &paths.string;
    let variants = e.variants.iter().map(|v| {
        let value = if v.value.is_empty() { "The empty string.".to_owned() } else { code_span(&v.value) };
        let variant_docs = slots.outer(&value);
        let variant = ident(&v.rust_name);
        quote!(#variant_docs #variant,)
    });
    let mapping = e.variants.iter().map(|v| {
        let (variant, value) = (ident(&v.rust_name), &v.value);
        quote!(#variant => #value)
    });
    let fallback = ident(&e.fallback);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value that this version of the crate does not know, kept as it was received.
            #fallback(#string),
        }
        crate::open_enum::open_enum!(#name, #fallback, { #(#mapping),* });
    }
}

fn union(docs: &TokenStream, name: &proc_macro2::Ident, u: &Union, space: &TypeSpace, paths: &Paths) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = paths.type_of(&v.ty, space);
        quote!(#variant(#ty),)
    });
    let Some(tag) = &u.tag else {
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }
        };
    };
    // serde's internally tagged enums consume the tag, but the spec's variant schemas declare it
    // as a member of their own: pick the variant by the tag and give it the whole object.
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = v.tag_value.as_deref().unwrap_or(&v.rust_name);
        quote!(::core::option::Option::Some(#value) => serde_json::from_value(value).map(Self::#variant))
    });
    // A format string: braces in the tag are text, not arguments.
    let unknown = format!("unknown `{}` {{other:?}}", tag.replace('{', "{{").replace('}', "}}"));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                use serde::de::Error as _;
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms,)*
                    ::core::option::Option::Some(other) => return ::core::result::Result::Err(D::Error::custom(format_args!(#unknown))),
                    ::core::option::Option::None => return ::core::result::Result::Err(D::Error::missing_field(#tag)),
                }
                .map_err(D::Error::custom)
            }
        }
    }
}

/// `text` as a Markdown code span, whatever backticks it holds: the fence is one backtick longer
/// than the longest run inside, and padded where the text starts or ends with one.
pub(crate) fn code_span(text: &str) -> String {
    let fence = "`".repeat(text.split(|c| c != '`').map(str::len).max().unwrap_or(0) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_spans_hold_any_backticks() {
        use super::code_span;
        assert_eq!(code_span("RS256"), "`RS256`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x``"), "``` `x`` ```");
    }
}
