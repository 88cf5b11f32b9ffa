//! The files every generated crate has besides its models.

use quote::quote;

use super::rust_types::{ident, uses_json};
use super::{format_rust, inner_doc_attrs, Provenance};
use crate::model::TypeSpace;
use crate::GeneratedFile;

pub fn fixed_files(space: &TypeSpace, provenance: &Provenance) -> Result<Vec<GeneratedFile>, String> {
    Ok(vec![
        GeneratedFile { path: "Cargo.toml".into(), contents: manifest(space, provenance) },
        GeneratedFile { path: "src/lib.rs".into(), contents: format_rust(crate_root(space, provenance), provenance)? },
        GeneratedFile { path: "src/open_enum.rs".into(), contents: format_rust(open_enum_support(), provenance)? },
        GeneratedFile { path: "src/models/mod.rs".into(), contents: format_rust(models_module(space), provenance)? },
    ])
}

fn manifest(space: &TypeSpace, provenance: &Provenance) -> String {
    // The spec-examples test always needs serde_json; the models only for free-form members.
    let json = if uses_json(space) {
        "serde_json = \"1\"\n"
    } else {
        "\n[dev-dependencies]\nserde_json = \"1\"\n"
    };
    format!(
        r#"# {preamble}

[package]
name = "authlete"
version = "0.1.0"
edition = "2021"
rust-version = "1.80"
description = "Rust models of every request and response of the Authlete API ({title} {version})."
license = "MIT"

[dependencies]
serde = {{ version = "1", features = ["derive"] }}
{json}"#,
        preamble = provenance.preamble(),
        title = super::comment_line(&provenance.title).replace('\\', "\\\\").replace('"', "'"),
        version = super::comment_line(&provenance.version).replace('\\', "\\\\").replace('"', "'"),
    )
}

fn crate_root(space: &TypeSpace, provenance: &Provenance) -> proc_macro2::TokenStream {
    let docs = inner_doc_attrs(&format!(
        "Rust models of the Authlete API, generated from {} {}.\n\n\
         Every schema of the spec is a type in [`models`], documented with the spec's own text \
         ({} types).",
        provenance.title,
        provenance.version,
        space.types.len()
    ));
    quote! {
        #docs
        #![forbid(unsafe_code)]

        pub mod models;
        mod open_enum;
    }
}

fn models_module(space: &TypeSpace) -> proc_macro2::TokenStream {
    let entries = space.types.iter().map(|def| {
        let (module, name) = (ident(&def.module), ident(&def.name));
        quote! { mod #module; pub use #module::#name; }
    });
    quote! {
        //! Every request and response body of the API, one type per schema.
        #(#entries)*
    }
}

/// The impls every open enum shares, as one macro so each enum's file stays a table of values.
fn open_enum_support() -> proc_macro2::TokenStream {
    quote! {
        //! Support for string enums that keep values the spec does not list.

        /// Implements `as_str`, `From<&str>`, `FromStr`, `Display`, `Serialize` and `Deserialize`
        /// for a string enum whose last variant holds unknown values.
        macro_rules! open_enum {
            ($name:ident, $fallback:ident, { $($variant:ident => $value:literal),* $(,)? }) => {
                impl $name {
                    /// The value exactly as it is written in JSON.
                    pub fn as_str(&self) -> &str {
                        match self {
                            $(Self::$variant => $value,)*
                            Self::$fallback(value) => value,
                        }
                    }
                }

                impl ::core::convert::From<&str> for $name {
                    fn from(value: &str) -> Self {
                        match value {
                            $($value => Self::$variant,)*
                            other => Self::$fallback(other.to_owned()),
                        }
                    }
                }

                impl ::core::convert::From<::std::string::String> for $name {
                    fn from(value: ::std::string::String) -> Self {
                        match value.as_str() {
                            $($value => Self::$variant,)*
                            _ => Self::$fallback(value),
                        }
                    }
                }

                impl ::core::str::FromStr for $name {
                    type Err = ::core::convert::Infallible;

                    fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                        ::core::result::Result::Ok(Self::from(value))
                    }
                }

                impl ::core::fmt::Display for $name {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }

                impl ::serde::Serialize for $name {
                    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }

                impl<'de> ::serde::Deserialize<'de> for $name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                        deserializer.deserialize_str(crate::open_enum::StrVisitor(::core::marker::PhantomData))
                    }
                }
            };
        }
        pub(crate) use open_enum;

        /// Deserializes any open enum from a string without allocating for known values.
        pub(crate) struct StrVisitor<T>(pub(crate) ::core::marker::PhantomData<T>);

        impl<T> ::serde::de::Visitor<'_> for StrVisitor<T>
        where
            T: for<'a> ::core::convert::From<&'a str> + ::core::convert::From<::std::string::String>,
        {
            type Value = T;

            fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::core::result::Result<T, E> {
                ::core::result::Result::Ok(T::from(value))
            }

            fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::core::result::Result<T, E> {
                ::core::result::Result::Ok(T::from(value))
            }
        }
    }
}
