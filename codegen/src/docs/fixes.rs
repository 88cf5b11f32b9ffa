//! Fixes applied to the tree.

use super::html::{role, tokenize_html, HtmlPiece, Role};
use super::render::inline_plain;
use super::tree::{Block, Inline};
use super::MAX_NESTING;

pub(super) fn fix_blocks(blocks: &mut [Block]) {
    for block in blocks {
        match block {
            Block::Paragraph(inlines) | Block::Heading(_, inlines) => {
                *inlines = fix_inlines(std::mem::take(inlines), false);
            }
            Block::Quote(children) => fix_blocks(children),
            Block::List { items, .. } => items.iter_mut().for_each(|item| fix_blocks(item)),
            Block::Table { rows, .. } => {
                for cell in rows.iter_mut().flatten() {
                    *cell = fix_inlines(std::mem::take(cell), false);
                }
            }
            Block::Code { text, .. } => *text = unescape_code(text),
            Block::Rule => {}
        }
    }
}

fn fix_inlines(nodes: Vec<Inline>, in_link: bool) -> Vec<Inline> {
    let mut fixed = Vec::new();
    // Adjacent text, with '\n' for soft breaks: Javadoc tags span line breaks, and
    // pulldown-cmark splits text at characters such as `[` or `_`.
    let mut run = String::new();
    for node in pair_html(nodes) {
        match node {
            Inline::Text(text) => run.push_str(&text),
            Inline::SoftBreak => run.push('\n'),
            other => {
                fix_text(&std::mem::take(&mut run), in_link, &mut fixed);
                fixed.push(match other {
                    Inline::Code(code) => Inline::Code(unescape_code(&code)),
                    Inline::Emphasis(c) => Inline::Emphasis(fix_inlines(c, in_link)),
                    Inline::Strong(c) => Inline::Strong(fix_inlines(c, in_link)),
                    Inline::Strike(c) => Inline::Strike(fix_inlines(c, in_link)),
                    Inline::Link { dest, auto, children } => {
                        Inline::Link { dest, auto, children: fix_inlines(children, true) }
                    }
                    other => other,
                });
            }
        }
    }
    fix_text(&run, in_link, &mut fixed);
    fixed
}

/// Splits Javadoc inline tags (`{@link Foo#bar()}`, `{@code x}`) out of `text` as code spans
/// and, outside links, bare URLs as autolinks.
fn fix_text(text: &str, in_link: bool, out: &mut Vec<Inline>) {
    let mut plain_start = 0;
    let mut search = 0;
    while let Some(offset) = text[search..].find("{@") {
        let start = search + offset;
        search = start + 2;
        let Some((content, len)) = javadoc_tag(&text[start..]) else {
            continue;
        };
        push_text(&text[plain_start..start], in_link, out);
        out.push(Inline::Code(content));
        plain_start = start + len;
        search = plain_start;
    }
    push_text(&text[plain_start..], in_link, out);
}

/// Parses `{@name content}` at the start of `text` (braces may nest). Returns the content,
/// whitespace collapsed, and the length of the tag.
fn javadoc_tag(text: &str) -> Option<(String, usize)> {
    let name_len = text[2..].find(|c: char| !c.is_ascii_alphabetic())?;
    if name_len == 0 || !text[2 + name_len..].starts_with(|c: char| c.is_whitespace() || c == '}') {
        return None;
    }
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => {
                let content = text[2 + name_len..i].split_whitespace().collect::<Vec<_>>();
                return (!content.is_empty()).then(|| (content.join(" "), i + 1));
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn push_text(text: &str, in_link: bool, out: &mut Vec<Inline>) {
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push(Inline::SoftBreak);
        }
        let mut rest = line;
        while let Some(url) = find_bare_url(rest).filter(|_| !in_link) {
            if url.start > 0 {
                out.push(Inline::Text(rest[..url.start].to_string()));
            }
            let address = rest[url.clone()].to_string();
            let children = vec![Inline::Text(address.clone())];
            out.push(Inline::Link { dest: address, auto: true, children });
            rest = &rest[url.end..];
        }
        if !rest.is_empty() {
            out.push(Inline::Text(rest.to_string()));
        }
    }
}

/// Finds an `http(s)://` URL standing on its own in `text`, without the sentence punctuation
/// that may follow it.
fn find_bare_url(text: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(offset) = text[from..].find("http") {
        let start = from + offset;
        from = start + 4;
        let rest = &text[start..];
        let Some(scheme) = ["https://", "http://"].into_iter().find(|s| rest.starts_with(s)) else {
            continue;
        };
        if text[..start].ends_with(char::is_alphanumeric) {
            continue;
        }
        let len = rest
            .find(|c: char| c.is_whitespace() || c.is_control() || "<>\"'`{}|\\^[]".contains(c))
            .unwrap_or(rest.len());
        let mut url = &rest[..len];
        while let Some(last) = url.chars().next_back() {
            let unbalanced = last == ')' && url.matches(')').count() > url.matches('(').count();
            if !(unbalanced || ".,;:!?*_~".contains(last)) {
                break;
            }
            url = &url[..url.len() - 1];
        }
        if url.get(scheme.len()..).is_some_and(|host| host.starts_with(char::is_alphanumeric)) {
            return Some(start..start + url.len());
        }
    }
    None
}

/// The specs escape `_` and `*` for Markdown even inside code, where backslashes are literal:
/// `` `INTERNAL\_SERVER\_ERROR` `` is meant as `INTERNAL_SERVER_ERROR`.
fn unescape_code(code: &str) -> String {
    code.replace("\\_", "_").replace("\\*", "*")
}

/// Pairs the inline HTML tags of one run of inlines and replaces them with Markdown nodes.
/// Unpaired tags are dropped (their text stays); unknown ones are kept as text.
fn pair_html(nodes: Vec<Inline>) -> Vec<Inline> {
    struct Open {
        name: String,
        role: Role,
        href: Option<String>,
        children: Vec<Inline>,
    }
    fn sink<'v>(root: &'v mut Vec<Inline>, open: &'v mut [Open]) -> &'v mut Vec<Inline> {
        match open.last_mut() {
            Some(frame) => &mut frame.children,
            None => root,
        }
    }

    if !nodes.iter().any(|node| matches!(node, Inline::Html(_))) {
        return nodes;
    }
    let mut root = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for node in nodes {
        let Inline::Html(raw) = node else {
            sink(&mut root, &mut open).push(node);
            continue;
        };
        let pieces = tokenize_html(&raw);
        let tag = match pieces.as_slice() {
            [HtmlPiece::Comment] => continue,
            [HtmlPiece::Tag(tag, _)] => tag,
            _ => {
                sink(&mut root, &mut open).push(Inline::Text(raw.clone()));
                continue;
            }
        };
        let replacement = match role(&tag.name) {
            None => vec![Inline::Text(raw.clone())],
            Some(role) if role.is_span() && !tag.closing => {
                if open.len() < MAX_NESTING {
                    let (name, href) = (tag.name.clone(), tag.attr("href"));
                    open.push(Open { name, role, href, children: Vec::new() });
                }
                continue;
            }
            Some(role) if role.is_span() => {
                let Some(pos) = open.iter().rposition(|frame| frame.name == tag.name) else {
                    continue;
                };
                // Tags opened inside this one and never closed: keep only their content.
                while open.len() > pos + 1 {
                    if let Some(inner) = open.pop() {
                        sink(&mut root, &mut open).extend(inner.children);
                    }
                }
                let Some(frame) = open.pop() else { continue };
                match (frame.role, frame.href) {
                    (Role::Strong, _) => vec![Inline::Strong(frame.children)],
                    (Role::Emphasis, _) => vec![Inline::Emphasis(frame.children)],
                    (Role::Strike, _) => vec![Inline::Strike(frame.children)],
                    (Role::Code, _) => vec![Inline::Code(inline_plain(&frame.children))],
                    (_, Some(dest)) => {
                        vec![Inline::Link { dest, auto: false, children: frame.children }]
                    }
                    (_, None) => frame.children,
                }
            }
            Some(role) if role.breaks_line() => vec![Inline::HardBreak],
            Some(_) => continue,
        };
        sink(&mut root, &mut open).extend(replacement);
    }
    while let Some(frame) = open.pop() {
        sink(&mut root, &mut open).extend(frame.children);
    }
    root
}
