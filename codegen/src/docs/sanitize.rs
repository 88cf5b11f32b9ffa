//! Input clean-up, shared by both public functions so that they read a description alike.

use pulldown_cmark::{Event, Parser, Tag};

use super::html::{parse_markup, role};
use super::parser_options;

pub(super) fn sanitize(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // CRLF becomes LF; a lone CR is an old-style line ending, so it becomes LF too.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => text.push('\n'),
            '\n' | '\t' => text.push(c),
            c if c.is_control() => {}
            c => text.push(c),
        }
    }
    join_split_tags(text)
}

/// A browser reads `<a href="…"⏎>text</a>` as one tag, but CommonMark decides block structure
/// first and sees the line starting with `>` as a block quote. Such line breaks (outside code)
/// are replaced by a space before parsing.
fn join_split_tags(text: String) -> String {
    let mut breaks = Vec::new();
    let mut i = 0;
    while let Some(offset) = text[i..].find('<') {
        let at = i + offset;
        i = at + 1;
        let Some((Some(tag), len)) = parse_markup(&text[at..]) else {
            continue;
        };
        if role(&tag.name).is_some() {
            for (newline, _) in text[at..at + len].match_indices('\n') {
                let rest = &text[at + newline + 1..];
                let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                if rest[indent..].starts_with('>') || rest[indent..].starts_with("/>") {
                    breaks.push(at + newline..at + newline + 1 + indent);
                }
            }
        }
        i = at + len;
    }
    if breaks.is_empty() {
        return text;
    }
    let code: Vec<_> = Parser::new_ext(&text, parser_options())
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, range)| range)
        .collect();
    let mut joined = String::with_capacity(text.len());
    let mut copied = 0;
    for gap in breaks {
        if code.iter().all(|c| gap.end <= c.start || c.end <= gap.start) {
            joined.push_str(&text[copied..gap.start]);
            joined.push(' ');
            copied = gap.end;
        }
    }
    joined.push_str(&text[copied..]);
    joined
}
