//! Support for string enums that keep values the spec does not list.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.

/// Implements `as_str`, `From<&str>`, `From<String>`, `FromStr`, `Display`, `Serialize` and
/// `Deserialize` for a string enum whose fallback variant holds the values the spec does not list.
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

/// Deserializes any open enum from a string, without allocating for the values it knows.
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
