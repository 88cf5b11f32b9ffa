//! Doc text: the spec's descriptions as rustdoc (converted once, ahead of rendering), the
//! placeholders that carry doc blocks through formatting, and the helpers that make any text safe
//! inside a comment or a Markdown line.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use proc_macro2::TokenStream;

pub(crate) use crate::docs::code_span;
use crate::docs::markdown_to_rustdoc;

/// Descriptions of the spec as rustdoc, keyed by their Markdown. Converted ahead of rendering
/// (see [`convert_descriptions`]); a text missing here is converted when it is needed.
pub type Rustdoc = HashMap<String, String>;

/// Converts each of `texts` once (a third of the spec's descriptions repeat).
pub fn convert_descriptions(texts: Vec<String>) -> Rustdoc {
    texts
        .into_iter()
        .map(|text| {
            let converted = markdown_to_rustdoc(&text);
            (text, converted)
        })
        .collect()
}

/// A description as rustdoc, from the texts converted up front (or now, for one that was not).
pub(super) fn converted(description: Option<&str>, rustdoc: &Rustdoc) -> String {
    description.map_or_else(String::new, |text| rustdoc.get(text).cloned().unwrap_or_else(|| markdown_to_rustdoc(text)))
}

/// The doc texts of one file. Each doc block goes through `quote`, `syn` and `prettyplease` as a
/// one-line placeholder and is put back after formatting: carried as thousands of `#[doc]`
/// attributes, the docs cost more to parse and print than all the code.
#[derive(Default)]
pub(crate) struct DocSlots(RefCell<Vec<String>>);

/// How a placeholder reads once `prettyplease` printed it: `///@@doc 12`.
const SLOT_MARK: &str = "@@doc ";

impl DocSlots {
    /// A placeholder `#[doc]` attribute for `text` (nothing for an empty text).
    pub(crate) fn outer(&self, text: &str) -> TokenStream {
        if doc_lines(text).next().is_none() {
            return TokenStream::new();
        }
        let mut slots = self.0.borrow_mut();
        let mark = format!("{SLOT_MARK}{}", slots.len());
        slots.push(text.to_owned());
        quote::quote!(#[doc = #mark])
    }

    /// Replaces each placeholder line of `formatted` by the lines of its text, indented alike.
    /// Only `prettyplease`'s output is scanned, never the texts put in, and string literals there
    /// cannot span lines, so no spec text can pose as a placeholder.
    pub(super) fn fill(&self, formatted: &str) -> String {
        let slots = self.0.borrow();
        if slots.is_empty() {
            return formatted.to_owned();
        }
        let mut out = String::with_capacity(formatted.len() + slots.iter().map(String::len).sum::<usize>() * 2);
        for line in formatted.lines() {
            let body = line.trim_start();
            let slot = body
                .strip_prefix("///")
                .and_then(|rest| rest.strip_prefix(SLOT_MARK))
                .and_then(|n| n.parse::<usize>().ok());
            match slot.and_then(|n| slots.get(n)) {
                Some(text) => push_docs(&mut out, &line[..line.len() - body.len()], text),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// Appends `text` as `///` lines indented by `indent` (nothing for an empty text).
pub(crate) fn push_docs(out: &mut String, indent: &str, text: &str) {
    for doc in doc_lines(text) {
        out.push_str(indent);
        out.push_str("///");
        if !doc.is_empty() {
            out.push(' ');
            out.push_str(&doc);
        }
        out.push('\n');
    }
}

/// `#![doc]` attributes for a text, one per line, so `prettyplease` shows `//!` lines.
pub(super) fn inner_doc_attrs(text: &str) -> TokenStream {
    doc_lines(text)
        .map(|line| {
            let line = if line.is_empty() { String::new() } else { format!(" {line}") };
            quote::quote!(#![doc = #line])
        })
        .collect()
}

/// The lines of a doc text, each made safe for a `///` comment (a lone `\r` ends a line too:
/// rustc rejects it inside doc comments).
fn doc_lines(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    text.lines().flat_map(|line| line.split('\r')).map(comment_line)
}

/// `text` as one line of comment that cannot end the comment or upset rustc: control characters
/// (line breaks included) and the bidirectional-text controls rustc rejects in comments are
/// written as `\u{…}` escapes. Tabs stay.
pub(crate) fn comment_line(text: &str) -> Cow<'_, str> {
    let escaped =
        |c: char| c != '\t' && (c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'));
    // Almost every line of every description needs nothing: it is used as it is.
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut line = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\t' => line.push(c),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => line.extend(c.escape_unicode()),
            c if c.is_control() => line.extend(c.escape_unicode()),
            c => line.push(c),
        }
    }
    Cow::Owned(line)
}

/// Plain text for the middle of a Markdown line: on one line, and with every character that could
/// open a link, a tag, an entity, code or emphasis backslash-escaped, so that a spec's title is
/// shown as written.
pub(super) fn escape_markdown(text: &str) -> String {
    let line = comment_line(text);
    let mut escaped = String::with_capacity(line.len());
    for c in line.chars() {
        if "\\`*_[]<>#!|~&".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(code_span("RS256"), "`RS256`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x``"), "``` `x`` ```");
    }

    #[test]
    fn doc_slots_put_texts_back_once_and_never_read_them_as_placeholders() {
        let slots = DocSlots::default();
        let first = slots.outer("A text that mentions ///@@doc 1\n\n@@doc 1");
        let second = slots.outer("Second.");
        assert!(slots.outer("").is_empty(), "an empty text needs no attribute");
        let tokens = quote::quote! { #first pub struct A { #second pub b: u8 } };
        let file: syn::File = syn::parse2(tokens).expect("parses");
        assert_eq!(
            slots.fill(&prettyplease::unparse(&file)),
            "/// A text that mentions ///@@doc 1\n///\n/// @@doc 1\npub struct A {\n    /// Second.\n    pub b: u8,\n}\n"
        );
    }
}
