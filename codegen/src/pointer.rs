//! RFC 6901 JSON pointers, the one way this crate says where something is in a spec.

use std::borrow::Cow;
use std::fmt;

/// A JSON pointer (without the leading `#`), built up segment by segment while walking a spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pointer(String);

impl Pointer {
    pub fn root() -> Self {
        Self(String::new())
    }

    /// A pointer from its RFC 6901 text (without the leading `#`), already escaped: the pointers
    /// that `serde_path_to_error` and the fixup table spell out.
    pub fn from_text(text: impl Into<String>) -> Self {
        Self(text.into())
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

/// Pointers compare with their text, so that tests and callers can write `pointer == "/paths"`.
impl PartialEq<str> for Pointer {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Pointer {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Pointer {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl From<&Pointer> for Pointer {
    fn from(pointer: &Pointer) -> Self {
        pointer.clone()
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Segments kept at each end of a pointer that [`shorten`] elides.
const KEPT_SEGMENTS: usize = 5;
/// Pointers with more segments than this are shortened (eliding fewer than three would not pay).
const MAX_SEGMENTS: usize = 2 * KEPT_SEGMENTS + 2;
/// Characters kept at the start and at the end of an overlong segment.
const KEPT_CHARS: usize = 24;

/// `pointer` (RFC 6901 text, without `#`) as messages show it: whole when it is short, otherwise
/// its first and last few segments around a count of the ones left out, and each overlong
/// segment cut in its middle. A 100-level pointer printed whole buries the part that matters;
/// the start says which schema or operation, the end says which member.
///
/// ```
/// use authlete_codegen::pointer::shorten;
/// assert_eq!(shorten("/components/schemas/A"), "/components/schemas/A");
/// let deep = format!("/components/schemas/Deep{}", "/items".repeat(20));
/// assert_eq!(shorten(&deep), "/components/schemas/Deep/items/items/…13 more…/items/items/items/items/items");
/// ```
pub fn shorten(pointer: &str) -> Cow<'_, str> {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let long_segment = |s: &&str| s.chars().count() > 2 * KEPT_CHARS + 1;
    if segments.len() <= MAX_SEGMENTS && !segments.iter().any(long_segment) {
        return Cow::Borrowed(pointer);
    }
    let cut = |segment: &str| -> String {
        if !long_segment(&segment) {
            return segment.to_owned();
        }
        let chars: Vec<char> = segment.chars().collect();
        let head: String = chars[..KEPT_CHARS].iter().collect();
        let tail: String = chars[chars.len() - KEPT_CHARS..].iter().collect();
        format!("{head}…{tail}")
    };
    let mut out = String::new();
    if segments.len() <= MAX_SEGMENTS {
        segments.iter().for_each(|s| out.push_str(&format!("/{}", cut(s))));
    } else {
        let elided = segments.len() - 2 * KEPT_SEGMENTS;
        segments[..KEPT_SEGMENTS].iter().for_each(|s| out.push_str(&format!("/{}", cut(s))));
        out.push_str(&format!("/…{elided} more…"));
        segments[segments.len() - KEPT_SEGMENTS..].iter().for_each(|s| out.push_str(&format!("/{}", cut(s))));
    }
    Cow::Owned(out)
}

impl Pointer {
    /// The pointer as messages show it; see [`shorten`].
    pub fn short(&self) -> Cow<'_, str> {
        shorten(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_pointers_keep_their_ends() {
        // Up to twelve segments stay whole.
        let twelve = "/a/b/c/d/e/f/g/h/i/j/k/l";
        assert_eq!(shorten(twelve), twelve);
        assert_eq!(shorten(""), "");
        assert_eq!(shorten("/a/b/c/d/e/f/g/h/i/j/k/l/m"), "/a/b/c/d/e/…3 more…/i/j/k/l/m");
        let deep = format!("/components/schemas/Deep{}/properties", "/properties/p".repeat(48));
        assert_eq!(
            shorten(&deep),
            "/components/schemas/Deep/properties/p/…90 more…/properties/p/properties/p/properties"
        );
        // Escapes stay intact: only whole segments are left out.
        let path = format!("/paths/~1api~1{{serviceId}}~1x/post{}", "/items".repeat(10));
        assert_eq!(
            shorten(&path),
            "/paths/~1api~1{serviceId}~1x/post/items/items/…3 more…/items/items/items/items/items"
        );
        // An overlong segment (a hostile key) keeps its first and last characters.
        let key = format!("{}{}", "x".repeat(100), "y".repeat(30));
        assert_eq!(
            shorten(&format!("/components/schemas/{key}")),
            format!("/components/schemas/{}…{}", "x".repeat(24), "y".repeat(24))
        );
        // Exactly 49 characters is not worth cutting.
        let edge = "z".repeat(49);
        assert_eq!(shorten(&format!("/{edge}")), format!("/{edge}"));
    }

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
