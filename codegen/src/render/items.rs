//! One model type's file: its docs, its definition and its impls, and the table of members or
//! values its support macro is given.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use proc_macro2::TokenStream;
use quote::quote;

use super::code_text::{push_attribute, string_literal, Meta};
use super::context::{feature_condition, Context};
use super::doc_text::{code_span, comment_line, push_docs, DocSlots};
use super::rust_types::{ident, tokens};
use crate::error::InternalError;
use crate::model::{Container, Field, StringEnum, Struct, TypeDef, TypeId, TypeKind, TypeRef, Union, Usage};

/// The whole content of a type's file, but for the provenance line. Attributes, a struct's fields,
/// an enum's values and the table of members are written as text (see `code_text.rs`); the code
/// of constructors, unions and aliases goes through `prettyplease`.
pub fn file(context: &Context<'_>, path: &str, def: &TypeDef) -> Result<String, InternalError> {
    let mut text = type_docs(context, def);
    let name = ident(&def.name);
    let slots = DocSlots::default();
    match &def.kind {
        TypeKind::Struct(s) => structure(context, path, def, s, &mut text)?,
        TypeKind::Enum(e) => string_enum(context, def, e, &mut text),
        TypeKind::Union(u) => {
            // A union with a tag deserializes by hand (see [`union`]).
            let serde =
                if u.tag.is_some() { &["serde::Serialize"][..] } else { &["serde::Serialize", "serde::Deserialize"] };
            push_derive(&mut text, def, serde);
            text.push_str(&context.format(path, union(context, def, u), &slots)?);
        }
        TypeKind::Alias(ty) => {
            let ty = context.paths.type_of(ty, context.space);
            text.push_str(&context.format(path, quote! { pub type #name = #ty; }, &slots)?);
        }
    }
    Ok(text)
}

/// A type's docs: what it is for first (the spec's description, or where it is used), then where
/// it comes from in the spec, then its cargo features, which docs.rs also shows as a badge.
fn type_docs(context: &Context<'_>, def: &TypeDef) -> String {
    let description = context.rustdoc(def.description.as_deref());
    let sentences = usage_sentences(context, def);
    let mut rest = String::new();
    let pointer = code_span(&format!("#{}", def.origin.pointer));
    match &def.origin.schema_name {
        Some(schema) => rest.push_str(&format!("Schema {} of the spec ({pointer}).", code_span(schema))),
        None => rest.push_str(&format!("Inline schema at {pointer} in the spec.")),
    }
    if description.is_empty() && sentences.is_empty() {
        // Nothing says what the type is for: the spec defines it, and nothing uses it.
        rest = format!("A type the spec defines but no operation uses.\n\n{rest}");
    }
    if !def.features.is_empty() {
        let features: Vec<String> = def.features.iter().map(|f| format!("`{f}`")).collect();
        rest.push_str(&format!(
            "\n\nCompiled with the cargo feature{} {} (on by default).",
            if features.len() == 1 { "" } else { "s" },
            features.join(", ")
        ));
    }
    // Paragraphs are separated by an empty doc line; each part ends its own paragraph.
    let mut text = String::new();
    if !description.is_empty() {
        push_docs(&mut text, "", &description);
        text.push_str("///\n");
    }
    push_sentences(&mut text, &sentences);
    push_docs(&mut text, "", &rest);
    if let Some(condition) = feature_condition(&def.features) {
        push_attribute(&mut text, 0, &Meta::badge(condition));
    }
    text
}

/// A sentence of a type's docs that links to other items. A link resolves only where its target
/// is compiled, and rustdoc fails on one that does not (with `-D warnings`): so `linked` is shown
/// under `needs`, and the same sentence with code spans instead of links otherwise.
struct Sentence {
    linked: String,
    plain: String,
    needs: Needs,
}

/// What must be compiled for a sentence's links to resolve: the client, and one feature of each
/// group.
#[derive(Default)]
struct Needs {
    client: bool,
    any_of: BTreeSet<BTreeSet<String>>,
}

impl Needs {
    fn predicate(&self) -> Option<Meta> {
        let client = self.client.then(|| Meta::feature("client"));
        // A group that holds all of another is implied by it: `a` makes `any(a, b)` true.
        let implied =
            |group: &BTreeSet<String>| self.any_of.iter().any(|other| other != group && other.is_subset(group));
        let groups = self.any_of.iter().filter(|group| !implied(group));
        let mut parts: Vec<Meta> = client.into_iter().chain(groups.filter_map(feature_condition)).collect();
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Meta::List("all", parts)),
        }
    }
}

/// The usage sentences as docs, ending their paragraph; nothing without sentences. A sentence
/// whose links need features is a pair of `cfg_attr` doc attributes.
fn push_sentences(out: &mut String, sentences: &[Sentence]) {
    if sentences.is_empty() {
        return;
    }
    for sentence in sentences {
        match sentence.needs.predicate() {
            None => push_docs(out, "", &sentence.linked),
            Some(predicate) => {
                let doc = |text: &str| Meta::doc(&format!(" {}", comment_line(text)));
                let not = Meta::List("not", vec![predicate.clone()]);
                push_attribute(out, 0, &Meta::List("cfg_attr", vec![predicate, doc(&sentence.linked)]));
                push_attribute(out, 0, &Meta::List("cfg_attr", vec![not, doc(&sentence.plain)]));
            }
        }
    }
    out.push_str("///\n");
}

/// At most this many places are named in a sentence, and this many sentences written; the rest
/// are counted.
const NAMED_PLACES: usize = 3;
const SENTENCES: usize = 3;

/// Where the type is used, as sentences (see [`crate::model::usage`]): places of one kind and
/// one member name share a sentence, in the order the model found them (operations first).
fn usage_sentences(context: &Context<'_>, def: &TypeDef) -> Vec<Sentence> {
    // (opening words, closing words, links) per group, in order of first appearance.
    let mut groups: Vec<(String, &str, Vec<Link>)> = Vec::new();
    for usage in &def.usage {
        let (opening, closing, link) = match usage {
            Usage::RequestBody { operation, containers } => {
                (format!("{} request body of", container_words(containers)), "", Link::operation(context, *operation))
            }
            Usage::Answer { operation, containers } => {
                (format!("{} answer of", container_words(containers)), "", Link::operation(context, *operation))
            }
            Usage::Parameter { operation, name } => {
                (format!("The {} parameter of", code_span(name)), "", Link::operation(context, *operation))
            }
            Usage::Member { owner, json_name, containers, .. } => (
                format!("{} {} of", container_words(containers), code_span(json_name)),
                "",
                Link::model(context, def, *owner),
            ),
            Usage::AdditionalMember { owner, containers } => (
                format!("{} each member that", container_words(containers).replace("The", "The value of")),
                " does not list",
                Link::model(context, def, *owner),
            ),
            Usage::Variant { owner } => ("One of the shapes of".to_owned(), "", Link::model(context, def, *owner)),
            Usage::Alias { owner, containers } => {
                (format!("{} type that", container_words(containers)), " names", Link::model(context, def, *owner))
            }
        };
        match groups.iter_mut().find(|(words, end, _)| *words == opening && *end == closing) {
            Some((_, _, links)) => links.push(link),
            None => groups.push((opening, closing, vec![link])),
        }
    }
    let mut sentences: Vec<Sentence> = Vec::new();
    let hidden: usize = groups.iter().skip(SENTENCES).map(|(_, _, links)| links.len()).sum();
    for (opening, closing, mut links) in groups.into_iter().take(SENTENCES) {
        // Places whose links need nothing more come first (a stable sort keeps the model's order).
        links.sort_by_key(|link| link.needs_client || link.needs_any.is_some());
        let shown = &links[..links.len().min(NAMED_PLACES)];
        let more = links.len() - shown.len();
        let mut needs = Needs::default();
        for link in shown {
            needs.client |= link.needs_client;
            needs.any_of.extend(link.needs_any.clone());
        }
        let list = |text: &dyn Fn(&Link) -> String| {
            let mut parts: Vec<String> = shown.iter().map(text).collect();
            if more > 0 {
                parts.push(format!("{more} more"));
            }
            match parts.split_last() {
                Some((last, first)) if !first.is_empty() => format!("{} and {last}", first.join(", ")),
                _ => parts.concat(),
            }
        };
        sentences.push(Sentence {
            linked: format!("{opening} {}{closing}.", list(&|l: &Link| l.linked.clone())),
            plain: format!("{opening} {}{closing}.", list(&|l: &Link| l.plain.clone())),
            needs,
        });
    }
    if hidden > 0 {
        let text = format!("It is used in {hidden} more place{}.", if hidden == 1 { "" } else { "s" });
        sentences.push(Sentence { linked: text.clone(), plain: text, needs: Needs::default() });
    }
    sentences
}

/// "The", "An item of the", "A value of the": how a place inside lists and maps is named.
fn container_words(containers: &[Container]) -> String {
    match containers.first() {
        None => "The".to_owned(),
        Some(Container::Vec) => "An item of the".to_owned(),
        Some(Container::Map) => "A value of the".to_owned(),
    }
}

/// An item a usage sentence names, with and without a link, and what its link needs.
struct Link {
    linked: String,
    plain: String,
    needs_client: bool,
    needs_any: Option<BTreeSet<String>>,
}

impl Link {
    /// A client method, with its HTTP method and path: `[`Service::auth_token`](…) (`POST /…`)`.
    fn operation(context: &Context<'_>, index: usize) -> Self {
        let op = &context.space.operations[index];
        let owner = if op.on_service { "Service" } else { "Client" };
        let name = format!("{owner}::{}", op.rust_name);
        let http = code_span(&format!("{} {}", op.method.as_str(), op.path));
        Link {
            linked: format!("[`{name}`](crate::{name}) ({http})"),
            plain: format!("`{name}` ({http})"),
            needs_client: true,
            needs_any: (!op.features.is_empty()).then(|| op.features.clone()),
        }
    }

    /// Another model. Its link needs nothing more when it is compiled whenever `from` is: it is
    /// always compiled, or under the same features (a type's features include those of every
    /// type that holds it).
    fn model(context: &Context<'_>, from: &TypeDef, id: TypeId) -> Self {
        let target = context.space.get(id);
        let always = target.features.is_empty() || target.features == from.features;
        Link {
            linked: format!("[`{0}`](crate::models::{0})", target.name),
            plain: format!("`{}`", target.name),
            needs_client: false,
            needs_any: (!always).then(|| target.features.clone()),
        }
    }
}

fn field_docs(context: &Context<'_>, field: &Field) -> String {
    let mut text = context.rustdoc(field.description.as_deref());
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
    context: &Context<'_>,
    path: &str,
    def: &TypeDef,
    s: &Struct,
    text: &mut String,
) -> Result<(), InternalError> {
    let paths = context.paths;
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required && !f.nullable).collect();
    let default = if required.is_empty() { &["Default"][..] } else { &[] };
    push_derive(text, def, default);
    let name = ident(&def.name);
    let _ = writeln!(text, "pub struct {name} {{");
    for field in &s.fields {
        push_docs(text, "    ", &field_docs(context, field));
        let _ = writeln!(text, "    pub {}: {},", ident(&field.rust_name), field_type(context, field));
    }
    let (value, docs) = match &s.additional {
        Some(extra) if extra.ty != TypeRef::Json => (
            paths.type_text(&extra.ty, context.space),
            "Members that the spec does not list, kept so that nothing is lost in a round trip.",
        ),
        _ => ("serde_json::Value".to_owned(), UNKNOWN_MEMBERS_DOCS),
    };
    push_docs(text, "    ", docs);
    let _ = writeln!(
        text,
        "    pub {}: std::collections::BTreeMap<{}, {value}>,\n}}",
        ident(s.catch_all()),
        paths.string()
    );
    if !required.is_empty() {
        let new = constructor(context, s, &required);
        text.push('\n');
        text.push_str(&context.format(path, quote!(impl #name { #new }), &DocSlots::default())?);
    }
    Ok(())
}

/// `#[derive(…)]`: what every model derives, `Eq` and `Hash` where the model allows them, and
/// `more`.
fn push_derive(text: &mut String, def: &TypeDef, more: &[&str]) {
    let eq_hash = if def.eq_hash { &["Eq", "Hash"][..] } else { &[] };
    let derives = ["Debug", "Clone", "PartialEq"].iter().chain(eq_hash).chain(more);
    push_attribute(text, 0, &Meta::List("derive", derives.map(|d| Meta::Word((*d).to_owned())).collect()));
}

/// `new` with a parameter per required field. Text, lists, maps, JSON values and boxed fields
/// take `impl Into<…>`, so that callers pass `"…"`, `[a, b]` or the unboxed value as they have
/// them; numbers, flags and other models are taken as they are (an enum from a `&str` would hide
/// typos in its fallback variant).
fn constructor(context: &Context<'_>, s: &Struct, required: &[&Field]) -> TokenStream {
    let paths = context.paths;
    let (into, none) = (tokens(paths.into()), tokens(paths.none()));
    let params = required.iter().map(|f| {
        let field_name = ident(&f.rust_name);
        let mut ty = paths.type_text(&f.ty, context.space);
        if f.boxed {
            ty = format!("{}<{ty}>", paths.boxed());
        }
        let ty = tokens(&ty);
        if takes_into(f) {
            quote!(#field_name: impl #into<#ty>)
        } else {
            quote!(#field_name: #ty)
        }
    });
    let inits = s.fields.iter().map(|f| {
        let field_name = ident(&f.rust_name);
        match (f.required && !f.nullable, takes_into(f)) {
            (true, true) => quote!(#field_name: #field_name.into()),
            (true, false) => quote!(#field_name),
            (false, _) => quote!(#field_name: #none),
        }
    });
    let catch_all = ident(s.catch_all());
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        /// A value with the required fields set, every optional field `None` and no unknown
        /// members.
        #allow
        pub fn new(#(#params),*) -> Self {
            Self { #(#inits,)* #catch_all: ::core::default::Default::default(), }
        }
    }
}

/// Whether `new` takes the field as `impl Into<…>` (see [`constructor`]).
fn takes_into(field: &Field) -> bool {
    let container = matches!(field.ty, TypeRef::String | TypeRef::Vec(_) | TypeRef::Map(_));
    container || matches!(field.ty, TypeRef::Json | TypeRef::JsonObject) || field.boxed
}

/// The end of a type's file after the formatted items: the table its support macro makes the
/// impls from (see `templates/open_struct.rs` and `templates/open_enum.rs`), one member or value a
/// line. Written as text because `prettyplease` flows a macro's arguments like prose.
pub fn table(def: &TypeDef) -> String {
    match &def.kind {
        TypeKind::Struct(s) => {
            let mut text =
                format!("\ncrate::open_struct::open_struct!({}, {}, {{\n", ident(&def.name), ident(s.catch_all()));
            for field in &s.fields {
                let kind = match (field.required, field.nullable) {
                    (true, false) => "required",
                    (true, true) => "nullable",
                    (false, _) => "optional",
                };
                let json_name = string_literal(&field.json_name);
                text.push_str(&format!("    {}: {json_name} {kind},\n", ident(&field.rust_name)));
            }
            text.push_str("});\n");
            text
        }
        TypeKind::Enum(e) => {
            let mut text = format!("\ncrate::open_enum::open_enum!({}, {}, {{\n", ident(&def.name), ident(&e.fallback));
            for variant in &e.variants {
                let value = string_literal(&variant.value);
                text.push_str(&format!("    {} => {value},\n", ident(&variant.rust_name)));
            }
            text.push_str("});\n");
            text
        }
        TypeKind::Union(_) | TypeKind::Alias(_) => String::new(),
    }
}

/// The docs of every struct's field for members the spec does not list.
const UNKNOWN_MEMBERS_DOCS: &str = "Members that the spec does not list, as they were received: a newer
Authlete server's, or ones this version of the crate does not know. They are written back
unchanged, so that a value read, changed and sent back (a service, a client) loses nothing.

To send a member the crate has no field for, insert it here. An entry named like one of this
struct's members is not written (the field is).";

/// A field's type as text: boxed where the model breaks a cycle, optional unless required and
/// not nullable.
fn field_type(context: &Context<'_>, field: &Field) -> String {
    let paths = context.paths;
    let mut ty = paths.type_text(&field.ty, context.space);
    if field.boxed {
        ty = format!("{}<{ty}>", paths.boxed());
    }
    if !field.required || field.nullable {
        ty = format!("{}<{ty}>", paths.option());
    }
    ty
}

fn string_enum(context: &Context<'_>, def: &TypeDef, e: &StringEnum, text: &mut String) {
    push_derive(text, def, &[]);
    let _ = writeln!(text, "pub enum {} {{", ident(&def.name));
    for v in &e.variants {
        let value = if v.value.is_empty() { "The empty string.".to_owned() } else { code_span(&v.value) };
        push_docs(text, "    ", &value);
        let _ = writeln!(text, "    {},", ident(&v.rust_name));
    }
    push_docs(text, "    ", "A value that this version of the crate does not know, kept as it was received.");
    let _ = writeln!(text, "    {}({}),\n}}", ident(&e.fallback), context.paths.string());
}

/// A union's enum (its derives are written before it) and, for a union with a tag, its
/// `Deserialize`.
fn union(context: &Context<'_>, def: &TypeDef, u: &Union) -> TokenStream {
    let name = ident(&def.name);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = context.paths.type_of(&v.ty, context.space);
        quote!(#variant(#ty),)
    });
    let Some(tag) = &u.tag else {
        return quote! {
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
