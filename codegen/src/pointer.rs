//! RFC 6901 JSON pointers, the one way this crate says where something is in a spec.

use std::fmt;

/// A JSON pointer (without the leading `#`), built up segment by segment while walking a spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pointer(String);

impl Pointer {
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses the fragment of a local `$ref` (`#/components/schemas/X`); `None` for remote refs.
    pub fn from_ref(reference: &str) -> Option<Self> {
        let fragment = reference.strip_prefix('#')?;
        (fragment.is_empty() || fragment.starts_with('/')).then(|| Self(fragment.to_owned()))
    }

    /// This pointer extended by one (unescaped) segment.
    pub fn push(&self, segment: &str) -> Self {
        let mut text = String::with_capacity(self.0.len() + segment.len() + 1);
        text.push_str(&self.0);
        text.push('/');
        for c in segment.chars() {
            match c {
                '~' => text.push_str("~0"),
                '/' => text.push_str("~1"),
                _ => text.push(c),
            }
        }
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The unescaped segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = String> + '_ {
        self.0.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~"))
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes_segments() {
        let p = Pointer::root().push("paths").push("/api/{id}").push("a~b");
        assert_eq!(p.as_str(), "/paths/~1api~1{id}/a~0b");
        assert_eq!(p.segments().collect::<Vec<_>>(), ["paths", "/api/{id}", "a~b"]);
    }

    #[test]
    fn only_local_refs_are_pointers() {
        assert_eq!(Pointer::from_ref("#/components/schemas/X").unwrap().as_str(), "/components/schemas/X");
        assert_eq!(Pointer::from_ref("other.yaml#/X"), None);
        assert_eq!(Pointer::from_ref("#"), Some(Pointer::root()));
    }
}
