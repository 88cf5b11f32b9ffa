//! Support for structs that keep the members the spec does not list.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.
//!
//! Every struct has one map field (its "catch-all") for members without a field of their own, so
//! that a resource read from a newer Authlete server, changed and sent back loses nothing. serde's
//! `#[serde(flatten)]` could fill such a map too, but its derived code is larger (it compiles a
//! second way of reading every field, through serde's buffered `Content`): instead each struct
//! states its members once, as a table, and [`open_struct!`] writes one `Serialize` and one
//! `Deserialize` impl from it, with a single `match` on the member's name.

/// Implements `Serialize` and `Deserialize` for a struct from the table of its members.
///
/// `open_struct!(Name, catch_all, { field: "jsonName" kind, … })`, where `kind` is `required`
/// (must be present; always written), `optional` (an `Option`: absent or `null` is `None`, and
/// `None` is left out) or `nullable` (an `Option` that is always written, `None` as `null`).
/// `catch_all` is a `BTreeMap<String, V>` field that keeps every other member; it is written after
/// the fields, leaving out any entry whose name is one of the fields (the field is written).
macro_rules! open_struct {
    ($name:ident, $rest:ident, { $($field:ident: $json:literal $kind:ident),+ $(,)? }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::core::option::Option::None)?;
                $(crate::open_struct::open_struct!(@write map, $kind, $json, &self.$field);)+
                for (key, value) in &self.$rest {
                    if !::core::matches!(key.as_str(), $($json)|+) {
                        map.serialize_entry(key, value)?;
                    }
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("a JSON object (", ::core::stringify!($name), ")"))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::core::result::Result<$name, A::Error> {
                        $(let mut $field = ::core::option::Option::None;)+
                        let mut rest = ::std::collections::BTreeMap::new();
                        while let ::core::option::Option::Some(crate::open_struct::Key(key)) = map.next_key()? {
                            match &*key {
                                $($json => crate::open_struct::set(&mut $field, &mut map, $json)?,)+
                                _ => crate::open_struct::keep(&mut rest, key, &mut map)?,
                            }
                        }
                        ::core::result::Result::Ok($name {
                            $($field: crate::open_struct::open_struct!(@take $kind, $field, $json),)+
                            $rest: rest,
                        })
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }
    };
    (@write $map:ident, optional, $json:literal, $value:expr) => {
        if let ::core::option::Option::Some(value) = $value {
            $map.serialize_entry($json, value)?;
        }
    };
    (@write $map:ident, $kind:ident, $json:literal, $value:expr) => {
        $map.serialize_entry($json, $value)?;
    };
    (@take required, $local:ident, $json:literal) => {
        crate::open_struct::required($local, $json)?
    };
    (@take $kind:ident, $local:ident, $json:literal) => {
        crate::open_struct::optional($local)
    };
}
pub(crate) use open_struct;

/// A member's name, borrowed from the input when serde_json can (no escapes in it), so that
/// reading the members a struct knows allocates nothing.
pub(crate) struct Key<'de>(pub(crate) ::std::borrow::Cow<'de, str>);

impl<'de> ::serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> ::serde::de::Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: ::serde::de::Error>(self, value: &'de str) -> ::core::result::Result<Key<'de>, E> {
        ::core::result::Result::Ok(Key(::std::borrow::Cow::Borrowed(value)))
    }

    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::core::result::Result<Key<'de>, E> {
        ::core::result::Result::Ok(Key(::std::borrow::Cow::Owned(value.to_owned())))
    }

    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::core::result::Result<Key<'de>, E> {
        ::core::result::Result::Ok(Key(::std::borrow::Cow::Owned(value)))
    }
}

/// Reads the value of a member the struct has a field for; a member given twice is an error, as
/// with serde's derived impls.
pub(crate) fn set<'de, T, A>(slot: &mut ::core::option::Option<T>, map: &mut A, name: &'static str) -> ::core::result::Result<(), A::Error>
where
    T: ::serde::Deserialize<'de>,
    A: ::serde::de::MapAccess<'de>,
{
    if slot.is_some() {
        return ::core::result::Result::Err(<A::Error as ::serde::de::Error>::duplicate_field(name));
    }
    *slot = ::core::option::Option::Some(map.next_value()?);
    ::core::result::Result::Ok(())
}

/// Keeps a member the struct has no field for (the last one wins if a name repeats, as in
/// `serde_json::Value`).
pub(crate) fn keep<'de, V, A>(
    rest: &mut ::std::collections::BTreeMap<::std::string::String, V>,
    key: ::std::borrow::Cow<'de, str>,
    map: &mut A,
) -> ::core::result::Result<(), A::Error>
where
    V: ::serde::Deserialize<'de>,
    A: ::serde::de::MapAccess<'de>,
{
    let value = map.next_value()?;
    rest.insert(key.into_owned(), value);
    ::core::result::Result::Ok(())
}

/// The value of a required member, or serde's "missing field" error.
#[allow(dead_code)] // in a crate whose structs have no required member
pub(crate) fn required<T, E: ::serde::de::Error>(value: ::core::option::Option<T>, name: &'static str) -> ::core::result::Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

/// The value of a member that may be absent: absent and `null` are both `None`.
#[allow(dead_code)] // in a crate whose structs have only required members
pub(crate) fn optional<T>(value: ::core::option::Option<::core::option::Option<T>>) -> ::core::option::Option<T> {
    value.flatten()
}
