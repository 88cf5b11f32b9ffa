//! HTML: the tokenizer, entities and the Markdown role of each element, shared by all steps.

pub(super) struct HtmlTag<'a> {
    /// Lower-cased.
    pub(super) name: String,
    pub(super) closing: bool,
    /// Lower-cased names, raw (undecoded) values.
    pub(super) attrs: Vec<(String, &'a str)>,
}

impl HtmlTag<'_> {
    pub(super) fn attr(&self, name: &str) -> Option<String> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, value)| decode_entities(value))
    }
}

pub(super) enum HtmlPiece<'a> {
    Text(&'a str),
    /// A tag and its source text.
    Tag(HtmlTag<'a>, &'a str),
    /// Comments, processing instructions, declarations and CDATA: dropped everywhere.
    Comment,
}

/// What an HTML element becomes in Markdown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Break,
    Strong,
    Emphasis,
    Strike,
    Code,
    Link,
    Heading(usize),
    /// A block without Markdown counterpart (`<p>`, `<div>`, `<details>`…): a paragraph break.
    Block,
    /// `<summary>`: a bold paragraph.
    Summary,
    List {
        ordered: bool,
    },
    Item,
    Pre,
    Table,
    Row,
    Cell,
    Quote,
    Rule,
    /// Formatting without Markdown counterpart (`<u>`, `<span>`…): the tag goes, the text stays.
    Transparent,
}

impl Role {
    /// Inline formatting that `pair_html` turns into Markdown.
    pub(super) fn is_span(self) -> bool {
        matches!(self, Role::Strong | Role::Emphasis | Role::Strike | Role::Code | Role::Link)
    }

    /// Whether a browser starts a new line here (so the words around it stay apart).
    pub(super) fn breaks_line(self) -> bool {
        !self.is_span() && self != Role::Transparent
    }
}

/// `None` for names that are not HTML elements a description would use: `List<String>` or
/// `Bearer <token>` are text, not markup.
pub(super) fn role(name: &str) -> Option<Role> {
    Some(match name {
        "br" => Role::Break,
        "b" | "strong" => Role::Strong,
        "i" | "em" | "cite" | "var" | "dfn" => Role::Emphasis,
        "s" | "strike" | "del" => Role::Strike,
        "code" | "kbd" | "samp" | "tt" => Role::Code,
        "a" => Role::Link,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Role::Heading(usize::from(name.as_bytes()[1] - b'0')),
        "p" | "div" | "section" | "article" | "aside" | "header" | "footer" | "main" | "nav" | "details" | "figure"
        | "figcaption" | "address" | "center" | "dl" | "dt" | "dd" | "caption" | "thead" | "tbody" | "tfoot"
        | "html" | "body" | "form" | "fieldset" => Role::Block,
        "summary" => Role::Summary,
        "ul" => Role::List { ordered: false },
        "ol" => Role::List { ordered: true },
        "li" => Role::Item,
        "pre" => Role::Pre,
        "table" => Role::Table,
        "tr" => Role::Row,
        "td" | "th" => Role::Cell,
        "blockquote" => Role::Quote,
        "hr" => Role::Rule,
        "span" | "u" | "ins" | "mark" | "small" | "big" | "sup" | "sub" | "font" | "abbr" | "acronym" | "nobr"
        | "wbr" | "img" | "input" | "label" | "button" => Role::Transparent,
        _ => return None,
    })
}

pub(super) fn tokenize_html(html: &str) -> Vec<HtmlPiece<'_>> {
    let mut pieces = Vec::new();
    let (mut text_start, mut i) = (0, 0);
    while let Some(offset) = html[i..].find('<') {
        let at = i + offset;
        i = at + 1;
        let Some((tag, len)) = parse_markup(&html[at..]) else {
            continue;
        };
        if text_start < at {
            pieces.push(HtmlPiece::Text(&html[text_start..at]));
        }
        pieces.push(match tag {
            Some(tag) => HtmlPiece::Tag(tag, &html[at..at + len]),
            None => HtmlPiece::Comment,
        });
        i = at + len;
        text_start = i;
    }
    if text_start < html.len() {
        pieces.push(HtmlPiece::Text(&html[text_start..]));
    }
    pieces
}

/// Recognises the CommonMark forms of raw HTML at the start of `text` (which starts with `<`).
/// Returns the tag (`None` for comments and the like) and its length.
pub(super) fn parse_markup(text: &str) -> Option<(Option<HtmlTag<'_>>, usize)> {
    for (open, close) in [("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>")] {
        if let Some(body) = text.strip_prefix(open) {
            return body.find(close).map(|end| (None, open.len() + end + close.len()));
        }
    }
    if text.starts_with("<!") && text[2..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return text.find('>').map(|end| (None, end + 1));
    }
    parse_tag(text).map(|(tag, len)| (Some(tag), len))
}

fn parse_tag(text: &str) -> Option<(HtmlTag<'_>, usize)> {
    let bytes = text.as_bytes();
    let skip = |mut i: usize, accept: &dyn Fn(u8) -> bool| {
        while bytes.get(i).is_some_and(|&c| accept(c)) {
            i += 1;
        }
        i
    };
    let closing = text.starts_with("</");
    let name_start = if closing { 2 } else { 1 };
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut i = skip(name_start, &|c| c.is_ascii_alphanumeric() || c == b'-');
    let name = text[name_start..i].to_ascii_lowercase();
    let mut tag = HtmlTag { name, closing, attrs: Vec::new() };
    loop {
        let after_space = skip(i, &|c| c.is_ascii_whitespace());
        let spaced = after_space > i;
        i = after_space;
        match *bytes.get(i)? {
            b'>' => return Some((tag, i + 1)),
            b'/' if !closing && bytes.get(i + 1) == Some(&b'>') => return Some((tag, i + 2)),
            c if !closing && spaced && (c.is_ascii_alphabetic() || c == b'_' || c == b':') => {
                let name_end = skip(i, &|c| c.is_ascii_alphanumeric() || b"_.:-".contains(&c));
                let name = text[i..name_end].to_ascii_lowercase();
                i = name_end;
                let mut value = "";
                let equals = skip(i, &|c| c.is_ascii_whitespace());
                if bytes.get(equals) == Some(&b'=') {
                    let start = skip(equals + 1, &|c| c.is_ascii_whitespace());
                    let (value_start, value_end) = match *bytes.get(start)? {
                        quote @ (b'"' | b'\'') => {
                            let len = text[start + 1..].find(char::from(quote))?;
                            (start + 1, start + 1 + len)
                        }
                        _ => (start, skip(start, &|c| !c.is_ascii_whitespace() && !b"\"'=<>`".contains(&c))),
                    };
                    if value_end == start {
                        return None;
                    }
                    value = &text[value_start..value_end];
                    i = if value_start > start { value_end + 1 } else { value_end };
                }
                tag.attrs.push((name, value));
            }
            _ => return None,
        }
    }
}

pub(super) fn decode_entities(text: &str) -> String {
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        decoded.push_str(&rest[..amp]);
        rest = &rest[amp + 1..];
        let entity = rest.find(';').filter(|&end| end <= 32).and_then(|end| {
            let c = match &rest[..end] {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{A0}',
                name => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{FFFD}')
                }
            };
            Some((c, end + 1))
        });
        match entity {
            Some((c, len)) => {
                decoded.push(c);
                rest = &rest[len..];
            }
            None => decoded.push('&'),
        }
    }
    decoded.push_str(rest);
    decoded
}

/// The text of an HTML fragment, still as Markdown source: tags are dropped (those that start a
/// new line in a browser become line breaks), unknown "tags" stay as typed, and lines are
/// dedented so that HTML indentation does not read as an indented code block.
pub(super) fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    for piece in tokenize_html(html) {
        match piece {
            HtmlPiece::Text(t) => text.push_str(t),
            HtmlPiece::Tag(tag, raw) => match role(&tag.name) {
                None => text.push_str(raw),
                Some(role) if role.breaks_line() => text.push('\n'),
                Some(_) => {}
            },
            HtmlPiece::Comment => {}
        }
    }
    text.lines().map(str::trim_start).collect::<Vec<_>>().join("\n")
}
