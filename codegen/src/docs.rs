//! Turns the Markdown of OpenAPI `description`s into Markdown that rustdoc accepts.
//!
//! The descriptions were written for web renderers: CommonMark/GFM mixed with raw HTML, Javadoc
//! leftovers and a few systematic mistakes. rustdoc is stricter (intra-doc links, HTML tag
//! checks, doctests), so [`markdown_to_rustdoc`] parses a description with pulldown-cmark and
//! writes it back out as conservative Markdown:
//!
//! 1. `sanitize` normalises line endings, drops control characters and rejoins HTML tags that
//!    were split so that a line starts with `>` (which would otherwise read as a block quote).
//! 2. `Builder` folds the event stream into a small owned tree (`Block`, `Inline`). HTML blocks
//!    are translated to Markdown (`HtmlToMarkdown`) and parsed again, so the Markdown that
//!    authors wrote inside them (backticks, lists) keeps working.
//! 3. `fix_inlines` turns inline HTML tags into Markdown nodes and applies the text fixes:
//!    Javadoc tags, bare URLs, backslashes inside code.
//! 4. `render_blocks` and `InlineWriter` write Markdown back out, escaping everything rustdoc
//!    could read as markup, so the output holds no HTML, no bracketed text and no doctests.

use pulldown_cmark::{Alignment, BrokenLink, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Converts one OpenAPI `description` (CommonMark/GFM-ish Markdown with stray HTML) into rustdoc Markdown.
/// Returns the text of the doc comment; the caller emits each line as its own `#[doc = " <line>"]`.
pub fn markdown_to_rustdoc(markdown: &str) -> String {
    let mut blocks = parse_blocks(&sanitize(markdown), 0);
    fix_blocks(&mut blocks);
    finish(&render_blocks(&blocks, false).join("\n"))
}

/// The human-readable words of a Markdown text: markup stripped, whitespace collapsed to single spaces.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    collect_plain_text(&sanitize(markdown), 0, &mut text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Blocks or inlines nested deeper than this are flattened into their parent, which keeps the
/// recursive tree code within a small, fixed stack budget whatever the input.
const MAX_NESTING: usize = 32;

/// HTML blocks are rewritten to Markdown and parsed once more. HTML that survives that second
/// parse (only contrived input does) is reduced to its text.
const MAX_HTML_PASSES: usize = 1;

fn parser_options() -> Options {
    // The GFM extensions the descriptions rely on; rustdoc enables both as well.
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

// ---------------------------------------------------------------------------------------------
// Input clean-up, shared by both public functions so that they read a description alike.

fn sanitize(markdown: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// The document tree.

enum Block {
    Paragraph(Vec<Inline>),
    Heading(usize, Vec<Inline>),
    Quote(Vec<Block>),
    List {
        start: Option<u64>,
        tight: bool,
        items: Vec<Vec<Block>>,
    },
    Code {
        info: String,
        text: String,
    },
    /// The first row is the header row.
    Table {
        aligns: Vec<Alignment>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
}

enum Inline {
    Text(String),
    Code(String),
    /// Raw inline HTML, until `fix_inlines` replaces it with Markdown nodes.
    Html(String),
    SoftBreak,
    HardBreak,
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    /// `auto` marks autolinks (`<https://…>`), which are written back the same way.
    Link {
        dest: String,
        auto: bool,
        children: Vec<Inline>,
    },
}

fn parse_blocks(source: &str, html_pass: usize) -> Vec<Block> {
    // `[RFC 7519][https://…]` was meant as an inline link: pulldown-cmark reports it as a
    // reference to an undefined label, and a label that is a URL becomes the destination.
    let callback = |link: BrokenLink<'_>| {
        let url = link.reference.trim();
        let is_url = (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace);
        (link.link_type == LinkType::Reference && is_url).then(|| (CowStr::from(url.to_string()), CowStr::from("")))
    };
    let events = Parser::new_with_broken_link_callback(source, parser_options(), Some(callback));
    Builder { events, html_pass }.blocks(0).0
}

/// Folds pulldown-cmark's Start/End event stream into `Block`s and `Inline`s.
struct Builder<I> {
    events: I,
    html_pass: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Builder<I> {
    /// Reads blocks up to the end of the enclosing container. The flag tells whether a real
    /// paragraph was seen: the items of a tight list hold their text without one.
    fn blocks(&mut self, depth: usize) -> (Vec<Block>, bool) {
        let mut blocks = Vec::new();
        let mut inlines = Vec::new();
        let mut has_paragraph = false;
        let mut flattened = 0;
        while let Some(event) = self.events.next() {
            let block = match event {
                Event::End(_) if flattened > 0 => {
                    flattened -= 1;
                    continue;
                }
                Event::End(_) => break,
                Event::Start(_) if depth >= MAX_NESTING => {
                    flattened += 1;
                    continue;
                }
                Event::Start(tag) if is_inline_tag(&tag) => {
                    inlines.extend(self.inline_container(tag, depth));
                    continue;
                }
                Event::Start(Tag::Paragraph) => {
                    has_paragraph = true;
                    Block::Paragraph(self.inlines(depth + 1))
                }
                Event::Start(Tag::Heading { level, .. }) => Block::Heading(level as usize, self.inlines(depth + 1)),
                Event::Start(Tag::BlockQuote(_)) => Block::Quote(self.blocks(depth + 1).0),
                Event::Start(Tag::CodeBlock(kind)) => Block::Code { info: code_info(&kind), text: self.raw_text() },
                Event::Start(Tag::HtmlBlock) => {
                    let html = self.raw_text();
                    flush_paragraph(&mut inlines, &mut blocks);
                    blocks.extend(html_to_blocks(&html, self.html_pass));
                    continue;
                }
                Event::Start(Tag::List(start)) => self.list(start, depth + 1),
                Event::Start(Tag::Table(aligns)) => self.table(aligns, depth + 1),
                Event::Start(_) => {
                    // Containers with no counterpart here (stray items, footnote definitions…):
                    // keep their content.
                    flush_paragraph(&mut inlines, &mut blocks);
                    blocks.extend(self.blocks(depth + 1).0);
                    continue;
                }
                Event::Rule => Block::Rule,
                leaf => {
                    inlines.extend(inline_leaf(leaf));
                    continue;
                }
            };
            flush_paragraph(&mut inlines, &mut blocks);
            blocks.push(block);
        }
        flush_paragraph(&mut inlines, &mut blocks);
        (blocks, has_paragraph)
    }

    fn inlines(&mut self, depth: usize) -> Vec<Inline> {
        let mut inlines = Vec::new();
        let mut flattened = 0;
        while let Some(event) = self.events.next() {
            match event {
                Event::End(_) if flattened > 0 => flattened -= 1,
                Event::End(_) => break,
                Event::Start(_) if depth >= MAX_NESTING => flattened += 1,
                Event::Start(tag) => inlines.extend(self.inline_container(tag, depth)),
                leaf => inlines.extend(inline_leaf(leaf)),
            }
        }
        inlines
    }

    fn inline_container(&mut self, tag: Tag<'a>, depth: usize) -> Vec<Inline> {
        let children = self.inlines(depth + 1);
        vec![match tag {
            Tag::Emphasis => Inline::Emphasis(children),
            Tag::Strong => Inline::Strong(children),
            Tag::Strikethrough => Inline::Strike(children),
            Tag::Link { link_type, dest_url, .. } => Inline::Link {
                dest: dest_url.into_string(),
                auto: matches!(link_type, LinkType::Autolink | LinkType::Email),
                children,
            },
            // Images become links to the image.
            Tag::Image { dest_url, .. } => Inline::Link { dest: dest_url.into_string(), auto: false, children },
            _ => return children,
        }]
    }

    fn list(&mut self, start: Option<u64>, depth: usize) -> Block {
        let mut items = Vec::new();
        let mut loose = false;
        while let Some(event) = self.events.next() {
            match event {
                Event::Start(Tag::Item) => {
                    let (blocks, has_paragraph) = self.blocks(depth + 1);
                    loose |= has_paragraph;
                    items.push(blocks);
                }
                Event::End(_) => break,
                _ => {}
            }
        }
        Block::List { start, tight: !loose, items }
    }

    fn table(&mut self, aligns: Vec<Alignment>, depth: usize) -> Block {
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        while let Some(event) = self.events.next() {
            match event {
                Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = self.inlines(depth + 1);
                    match rows.last_mut() {
                        Some(row) => row.push(cell),
                        None => rows.push(vec![cell]),
                    }
                }
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        Block::Table { aligns, rows }
    }

    /// The text of a code or HTML block, up to its end.
    fn raw_text(&mut self) -> String {
        let mut text = String::new();
        for event in self.events.by_ref() {
            match event {
                Event::End(_) => break,
                Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => text.push_str(&t),
                _ => {}
            }
        }
        text
    }
}

fn is_inline_tag(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn inline_leaf(event: Event<'_>) -> Option<Inline> {
    Some(match event {
        Event::Text(text) => Inline::Text(text.into_string()),
        Event::Code(code) | Event::InlineMath(code) | Event::DisplayMath(code) => Inline::Code(code.into_string()),
        Event::Html(html) | Event::InlineHtml(html) => Inline::Html(html.into_string()),
        Event::SoftBreak => Inline::SoftBreak,
        Event::HardBreak => Inline::HardBreak,
        Event::FootnoteReference(label) => Inline::Text(format!("[^{label}]")),
        Event::TaskListMarker(done) => Inline::Text(if done { "[x]" } else { "[ ]" }.into()),
        Event::Start(_) | Event::End(_) | Event::Rule => return None,
    })
}

/// Inline content met between blocks (the text of a tight list item) becomes a paragraph.
fn flush_paragraph(inlines: &mut Vec<Inline>, blocks: &mut Vec<Block>) {
    if !inlines.is_empty() {
        blocks.push(Block::Paragraph(std::mem::take(inlines)));
    }
}

/// Fenced blocks keep a plain language name (rustdoc does not compile `json`, `java`…).
/// Anything empty, Rust, or resembling a rustdoc attribute (which rustdoc would treat as Rust,
/// or lint) becomes `text`, and so do indented blocks.
fn code_info(kind: &CodeBlockKind<'_>) -> String {
    const RUSTDOC_WORDS: [&str; 10] =
        ["rust", "ignore", "should", "panic", "run", "fail", "harness", "edition", "standalone", "test"];
    let CodeBlockKind::Fenced(info) = kind else {
        return "text".into();
    };
    let lang = info.split([' ', '\t', ',', '{']).next().unwrap_or("").to_ascii_lowercase();
    let plain = lang.len() <= 32
        && lang.starts_with(|c: char| c.is_ascii_alphabetic())
        && lang.chars().all(|c| c.is_ascii_alphanumeric() || "+-#._".contains(c));
    if plain && lang != "rs" && !RUSTDOC_WORDS.iter().any(|word| lang.contains(word)) {
        lang
    } else {
        "text".into()
    }
}

// ---------------------------------------------------------------------------------------------
// Fixes applied to the tree.

fn fix_blocks(blocks: &mut [Block]) {
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

// ---------------------------------------------------------------------------------------------
// HTML.

struct HtmlTag<'a> {
    /// Lower-cased.
    name: String,
    closing: bool,
    /// Lower-cased names, raw (undecoded) values.
    attrs: Vec<(String, &'a str)>,
}

impl HtmlTag<'_> {
    fn attr(&self, name: &str) -> Option<String> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, value)| decode_entities(value))
    }
}

enum HtmlPiece<'a> {
    Text(&'a str),
    /// A tag and its source text.
    Tag(HtmlTag<'a>, &'a str),
    /// Comments, processing instructions, declarations and CDATA: dropped everywhere.
    Comment,
}

/// What an HTML element becomes in Markdown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
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
    fn is_span(self) -> bool {
        matches!(self, Role::Strong | Role::Emphasis | Role::Strike | Role::Code | Role::Link)
    }

    /// Whether a browser starts a new line here (so the words around it stay apart).
    fn breaks_line(self) -> bool {
        !self.is_span() && self != Role::Transparent
    }
}

/// `None` for names that are not HTML elements a description would use: `List<String>` or
/// `Bearer <token>` are text, not markup.
fn role(name: &str) -> Option<Role> {
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

fn tokenize_html(html: &str) -> Vec<HtmlPiece<'_>> {
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
fn parse_markup(text: &str) -> Option<(Option<HtmlTag<'_>>, usize)> {
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

fn decode_entities(text: &str) -> String {
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
fn strip_tags(html: &str) -> String {
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

fn html_to_blocks(html: &str, html_pass: usize) -> Vec<Block> {
    if html_pass < MAX_HTML_PASSES {
        return parse_blocks(&HtmlToMarkdown::convert(html), html_pass + 1);
    }
    let text = decode_entities(&strip_tags(html));
    if text.trim().is_empty() {
        Vec::new()
    } else {
        vec![Block::Paragraph(vec![Inline::Text(text)])]
    }
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

/// Whitespace owed before the next piece of output, weakest first.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    #[default]
    None,
    Space,
    /// A line break (a soft break in inline text).
    Line,
    /// A blank line between blocks (a hard break in inline text).
    Blank,
}

enum Container {
    Quote,
    List { ordered: bool, next: u64 },
    Item { indent: usize },
}

/// Rewrites an HTML block as Markdown source. Block elements become Markdown structure; the
/// inline tags that `pair_html` understands are kept in a canonical one-line form; text stays
/// Markdown source, since authors wrote Markdown (backticks) inside their HTML.
#[derive(Default)]
struct HtmlToMarkdown {
    out: String,
    containers: Vec<Container>,
    gap: Gap,
    /// Nothing written yet in the current block (start, after a list or heading marker):
    /// no separator is owed.
    fresh: bool,
    /// In a heading or summary, where line breaks become spaces.
    single_line: bool,
    pre: Option<String>,
    table: Option<Vec<Vec<String>>>,
}

impl HtmlToMarkdown {
    fn convert(html: &str) -> String {
        let mut converter = HtmlToMarkdown { fresh: true, ..Self::default() };
        for piece in tokenize_html(html) {
            match piece {
                HtmlPiece::Text(text) => converter.text(text),
                HtmlPiece::Tag(tag, raw) => converter.tag(&tag, raw),
                HtmlPiece::Comment => {}
            }
        }
        converter.end_pre();
        converter.end_table();
        converter.out
    }

    fn request(&mut self, gap: Gap) {
        if !self.fresh {
            self.gap = self.gap.max(gap);
        }
    }

    /// Writes `content`, preceded by the gap owed and the container prefix.
    fn emit(&mut self, content: &str) {
        let prefix: String = self
            .containers
            .iter()
            .map(|c| match c {
                Container::Quote => "> ".to_string(),
                Container::List { .. } => String::new(),
                Container::Item { indent } => " ".repeat(*indent),
            })
            .collect();
        if self.out.is_empty() {
            self.out.push_str(&prefix);
        } else if self.gap == Gap::Space && !self.out.ends_with([' ', '\n']) {
            self.out.push(' ');
        } else if self.gap >= Gap::Line {
            self.out.truncate(self.out.trim_end_matches([' ', '\t']).len());
            self.out.push('\n');
            if self.gap == Gap::Blank {
                self.out.push_str(prefix.trim_end());
                self.out.push('\n');
            }
            self.out.push_str(&prefix);
        }
        self.out.push_str(content);
        self.gap = Gap::None;
        self.fresh = false;
    }

    fn text(&mut self, text: &str) {
        if let Some(pre) = &mut self.pre {
            return pre.push_str(text);
        }
        if let Some(rows) = &mut self.table {
            if let Some(cell) = table_cell(rows, !text.trim().is_empty()) {
                // One line per cell: whitespace runs become single spaces.
                for (i, word) in text.split(char::is_whitespace).enumerate() {
                    if i > 0 && !cell.ends_with(' ') {
                        cell.push(' ');
                    }
                    cell.push_str(&word.replace('|', "\\|"));
                }
            }
            return;
        }
        for (n, line) in text.split('\n').enumerate() {
            if n > 0 {
                self.request(if self.single_line { Gap::Space } else { Gap::Line });
            }
            if line.starts_with([' ', '\t']) {
                self.request(Gap::Space);
            }
            for (i, word) in line.split([' ', '\t']).filter(|w| !w.is_empty()).enumerate() {
                if i > 0 {
                    self.request(Gap::Space);
                }
                self.emit(word);
            }
            if line.ends_with([' ', '\t']) {
                self.request(Gap::Space);
            }
        }
    }

    fn tag(&mut self, tag: &HtmlTag<'_>, raw: &str) {
        let Some(role) = role(&tag.name) else {
            return self.text(raw);
        };
        let closing = tag.closing;
        if let Some(pre) = &mut self.pre {
            match role {
                Role::Pre if closing => self.end_pre(),
                Role::Break => pre.push('\n'),
                _ => {}
            }
            return;
        }
        if let Some(rows) = &mut self.table {
            match role {
                Role::Table if closing => self.end_table(),
                Role::Row if !closing => rows.push(Vec::new()),
                Role::Cell if !closing => match rows.last_mut() {
                    Some(row) => row.push(String::new()),
                    None => rows.push(vec![String::new()]),
                },
                Role::Transparent => {}
                // Spans stay inline; anything that would break the line is a space in a cell.
                _ => {
                    if let Some(cell) = table_cell(rows, false) {
                        cell.push_str(&canonical_tag(tag, role).unwrap_or_else(|| " ".into()));
                    }
                }
            }
            return;
        }
        match (role, closing) {
            (Role::Break, _) if self.single_line => self.request(Gap::Space),
            (Role::Break, _) if !self.fresh => self.emit("<br>"),
            (Role::Break | Role::Transparent, _) => {}
            (_, _) if role.is_span() => {
                if let Some(canonical) = canonical_tag(tag, role) {
                    self.emit(&canonical);
                }
            }
            (Role::Heading(_) | Role::Summary, false) => {
                self.request(Gap::Blank);
                match role {
                    Role::Heading(level) => self.emit(&format!("{} ", "#".repeat(level))),
                    _ => self.emit("<b>"),
                }
                self.fresh = true;
                self.single_line = true;
            }
            (Role::Heading(_) | Role::Summary, true) => {
                if role == Role::Summary {
                    self.emit("</b>");
                }
                self.single_line = false;
                self.request(Gap::Blank);
            }
            (Role::List { ordered }, false) => {
                self.request(self.list_gap());
                self.push(Container::List { ordered, next: 1 });
            }
            (Role::List { .. }, true) => {
                self.close(|c| matches!(c, Container::List { .. }));
                self.request(self.list_gap());
            }
            (Role::Item, false) => self.item(),
            (Role::Item, true) => {
                if matches!(self.containers.last(), Some(Container::Item { .. })) {
                    self.containers.pop();
                }
                self.request(Gap::Line);
            }
            (Role::Quote, false) => {
                self.request(Gap::Blank);
                self.push(Container::Quote);
            }
            (Role::Quote, true) => {
                self.close(|c| matches!(c, Container::Quote));
                self.request(Gap::Blank);
            }
            (Role::Pre, false) => {
                self.request(Gap::Blank);
                self.pre = Some(String::new());
            }
            (Role::Table, false) => {
                self.request(Gap::Blank);
                self.table = Some(Vec::new());
            }
            (Role::Rule, _) => {
                self.request(Gap::Blank);
                self.emit("***");
                self.request(Gap::Blank);
            }
            // Paragraph-like blocks, stray closing tags and table parts outside a table.
            _ => self.request(Gap::Blank),
        }
    }

    /// Nested lists stay tight; other lists are set off by a blank line.
    fn list_gap(&self) -> Gap {
        match self.containers.last() {
            Some(Container::Item { .. }) => Gap::Line,
            _ => Gap::Blank,
        }
    }

    /// Deeper nesting is flattened: each level adds to the prefix of every line below it.
    fn push(&mut self, container: Container) {
        if self.containers.len() < MAX_NESTING {
            self.containers.push(container);
        }
    }

    fn close(&mut self, is_target: impl Fn(&Container) -> bool) {
        if let Some(pos) = self.containers.iter().rposition(is_target) {
            self.containers.truncate(pos);
        }
    }

    fn item(&mut self) {
        if matches!(self.containers.last(), Some(Container::Item { .. })) {
            self.containers.pop();
        }
        let marker = match self.containers.last_mut() {
            Some(Container::List { ordered: true, next }) => {
                let marker = format!("{next}.");
                *next = next.saturating_add(1);
                marker
            }
            _ => "-".to_string(),
        };
        self.request(Gap::Line);
        self.emit(&format!("{marker} "));
        self.push(Container::Item { indent: marker.len() + 1 });
        self.fresh = true;
    }

    fn end_pre(&mut self) {
        let Some(raw) = self.pre.take() else { return };
        // A line break right after `<pre>` is not part of the content.
        let text = decode_entities(raw.strip_prefix('\n').unwrap_or(&raw));
        let text = text.trim_end();
        let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
        self.emit(&format!("{fence}text"));
        for line in text.lines().chain([fence.as_str()]) {
            self.request(Gap::Line);
            self.emit(line);
        }
        self.request(Gap::Blank);
    }

    fn end_table(&mut self) {
        let Some(rows) = self.table.take() else {
            return;
        };
        let rows: Vec<_> = rows.into_iter().filter(|row| !row.is_empty()).collect();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        for (n, row) in rows.iter().enumerate() {
            let cells = (0..width).map(|i| row.get(i).map_or("", |cell| cell.trim()));
            self.request(Gap::Line);
            self.emit(&format!("| {} |", cells.collect::<Vec<_>>().join(" | ")));
            if n == 0 {
                self.request(Gap::Line);
                self.emit(&format!("|{}", " --- |".repeat(width)));
            }
        }
        self.request(Gap::Blank);
    }
}

/// The cell that table text goes to. Text outside any cell opens one only when `create` is set.
fn table_cell(rows: &mut Vec<Vec<String>>, create: bool) -> Option<&mut String> {
    if create && rows.last().is_none_or(Vec::is_empty) {
        match rows.last_mut() {
            Some(row) => row.push(String::new()),
            None => rows.push(vec![String::new()]),
        }
    }
    rows.last_mut()?.last_mut()
}

/// The one-line form of a span tag for `pair_html` (`None`: nothing worth keeping).
fn canonical_tag(tag: &HtmlTag<'_>, role: Role) -> Option<String> {
    if !role.is_span() {
        None
    } else if tag.closing {
        Some(format!("</{}>", tag.name))
    } else if role == Role::Link {
        let href = tag.attr("href")?;
        let href = href.replace('&', "&amp;").replace('"', "&quot;").replace(['<', '>'], "");
        Some(format!("<a href=\"{}\">", href.replace(['\n', '\t'], " ")))
    } else {
        Some(format!("<{}>", tag.name))
    }
}

// ---------------------------------------------------------------------------------------------
// Writing Markdown.

fn render_blocks(blocks: &[Block], tight: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut previous: Option<&Block> = None;
    // Two lists in a row would merge into one if written with the same marker.
    let mut alternate = false;
    for block in blocks {
        let follows_list = matches!(previous, Some(Block::List { .. }));
        alternate = matches!(block, Block::List { .. }) && follows_list && !alternate;
        let rendered = render_block(block, alternate);
        if rendered.is_empty() {
            continue;
        }
        if previous.is_some_and(|previous| !(tight && joins_tightly(previous, block))) {
            lines.push(String::new());
        }
        lines.extend(rendered);
        previous = Some(block);
    }
    lines
}

/// Whether `next` may follow `previous` on the very next line, which keeps a list tight.
/// Code blocks, headings and rules end on their own; a paragraph can be interrupted by the
/// blocks listed (a list only when it starts at 1). Anything else needs a blank line.
fn joins_tightly(previous: &Block, next: &Block) -> bool {
    match previous {
        Block::Code { .. } | Block::Heading(..) | Block::Rule => true,
        Block::Paragraph(_) => matches!(
            next,
            Block::List { start: None | Some(1), .. }
                | Block::Code { .. }
                | Block::Heading(..)
                | Block::Rule
                | Block::Quote(_)
        ),
        _ => false,
    }
}

fn render_block(block: &Block, alternate: bool) -> Vec<String> {
    match block {
        Block::Paragraph(inlines) => render_inlines(inlines, Mode::Block).lines().map(String::from).collect(),
        Block::Heading(level, inlines) => {
            // Levels are kept: rustdoc already renders doc headings below the item's own heading.
            let mut text = render_inlines(inlines, Mode::Line);
            if text.is_empty() {
                return Vec::new();
            }
            if text.ends_with('#') {
                // A trailing `#` would be read as the closing sequence of the heading.
                text.insert(text.len() - 1, '\\');
            }
            vec![format!("{} {text}", "#".repeat((*level).clamp(1, 6)))]
        }
        Block::Quote(children) => render_blocks(children, false)
            .into_iter()
            .map(|line| if line.is_empty() { ">".into() } else { format!("> {line}") })
            .collect(),
        Block::Code { info, text } => {
            let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
            let mut lines = vec![format!("{fence}{info}")];
            lines.extend(text.lines().map(String::from));
            lines.push(fence);
            lines
        }
        Block::List { start, tight, items } => render_list(*start, *tight, items, alternate),
        Block::Table { aligns, rows } => render_table(aligns, rows),
        Block::Rule => vec!["***".into()],
    }
}

fn render_list(start: Option<u64>, tight: bool, items: &[Vec<Block>], alternate: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut number = start.unwrap_or(1);
    for body in items.iter().map(|item| render_blocks(item, tight)).filter(|b| !b.is_empty()) {
        let marker = match (start, alternate) {
            (None, false) => "-".to_string(),
            (None, true) => "*".to_string(),
            // CommonMark list numbers have at most nine digits.
            (Some(_), false) => format!("{}.", number.min(999_999_999)),
            (Some(_), true) => format!("{})", number.min(999_999_999)),
        };
        number = number.saturating_add(1);
        if !tight && !lines.is_empty() {
            lines.push(String::new());
        }
        let indent = " ".repeat(marker.len() + 1);
        for (n, line) in body.into_iter().enumerate() {
            lines.push(match n {
                0 => format!("{marker} {line}"),
                _ if line.is_empty() => line,
                _ => format!("{indent}{line}"),
            });
        }
    }
    lines
}

fn render_table(aligns: &[Alignment], rows: &[Vec<Vec<Inline>>]) -> Vec<String> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(aligns.len());
    if width == 0 {
        return Vec::new();
    }
    let row_line = |cells: &[Vec<Inline>]| {
        let cells = (0..width).map(|i| cells.get(i).map(|c| render_inlines(c, Mode::Cell)));
        format!("| {} |", cells.map(Option::unwrap_or_default).collect::<Vec<_>>().join(" | "))
    };
    let delimiters = (0..width).map(|i| match aligns.get(i) {
        Some(Alignment::Left) => ":---",
        Some(Alignment::Center) => ":---:",
        Some(Alignment::Right) => "---:",
        _ => "---",
    });
    let mut lines = vec![row_line(rows.first().map_or(&[], Vec::as_slice))];
    lines.push(format!("| {} |", delimiters.collect::<Vec<_>>().join(" | ")));
    lines.extend(rows.iter().skip(1).map(|row| row_line(row)));
    lines
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Paragraph text, over as many lines as it has.
    Block,
    /// A heading: one line.
    Line,
    /// A table cell: one line, and `|` is escaped even inside code.
    Cell,
}

fn render_inlines(inlines: &[Inline], mode: Mode) -> String {
    let mut writer = InlineWriter::new(mode, false, true);
    writer.write_all(inlines);
    writer.out
}

/// Writes inline nodes as Markdown source, with `\n` between lines. Whitespace is never written
/// eagerly: it is owed (`pending`) and settled before the next content, so nothing is left
/// dangling at the end of a line, a paragraph or an emphasis.
struct InlineWriter {
    out: String,
    mode: Mode,
    in_link: bool,
    /// Whether the start of `out` is the start of a line (false inside emphasis and links).
    starts_line: bool,
    pending: Gap,
    /// Whitespace owed before anything was written, which a caller may want to move outside.
    leading: Gap,
}

impl InlineWriter {
    fn new(mode: Mode, in_link: bool, starts_line: bool) -> Self {
        let (pending, leading, out) = (Gap::None, Gap::None, String::new());
        Self { out, mode, in_link, starts_line, pending, leading }
    }

    fn write_all(&mut self, inlines: &[Inline]) {
        let mut i = 0;
        while let Some(inline) = inlines.get(i) {
            i += 1;
            match inline {
                Inline::Code(code) => {
                    // Adjacent code spans cannot be written back to back: merge them.
                    let mut code = code.clone();
                    while let Some(Inline::Code(next)) = inlines.get(i) {
                        code.push_str(next);
                        i += 1;
                    }
                    self.code(&code);
                }
                Inline::Text(text) | Inline::Html(text) => self.text(text),
                Inline::SoftBreak => self.request(Gap::Line),
                Inline::HardBreak => self.request(Gap::Blank),
                Inline::Emphasis(children) => self.span("*", children, "*", self.in_link),
                Inline::Strong(children) => self.span("**", children, "**", self.in_link),
                Inline::Strike(children) => self.span("~~", children, "~~", self.in_link),
                Inline::Link { dest, auto, children } => self.link(dest, *auto, children),
            }
        }
    }

    fn request(&mut self, gap: Gap) {
        let gap = if self.mode == Mode::Block { gap } else { gap.min(Gap::Space) };
        self.pending = self.pending.max(gap);
    }

    /// Settles the whitespace owed before writing content.
    fn flush(&mut self) {
        let gap = std::mem::take(&mut self.pending);
        if self.out.is_empty() {
            self.leading = self.leading.max(gap);
            return;
        }
        match gap {
            Gap::None => {}
            Gap::Space if self.out.ends_with('\n') => {}
            Gap::Space => self.out.push(' '),
            Gap::Line => self.out.push('\n'),
            // A backslash at the end of a line is a hard break; unlike trailing spaces it survives.
            Gap::Blank => self.out.push_str("\\\n"),
        }
    }

    fn text(&mut self, text: &str) {
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
            match c {
                '\n' => self.request(Gap::Line),
                ' ' | '\t' => self.request(Gap::Space),
                c if c.is_control() => {}
                c => {
                    self.flush();
                    rest = self.escaped(c, rest);
                }
            }
        }
    }

    /// Writes `c` so that it reads as text, looking at the `rest` of the text where needed.
    /// Returns the rest still to be written.
    fn escaped<'t>(&mut self, c: char, rest: &'t str) -> &'t str {
        let line_start =
            self.mode == Mode::Block && if self.out.is_empty() { self.starts_line } else { self.out.ends_with('\n') };
        let next = rest.chars().next();
        let in_word = self.out.ends_with(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
        match c {
            '\\' | '`' | '*' | '~' | '[' | ']' | '|' => self.out.push('\\'),
            // `_` inside a word never delimits emphasis; elsewhere it might.
            '_' if !in_word => self.out.push('\\'),
            // Could open an HTML tag, comment or declaration.
            '<' if next.is_some_and(|n| n.is_ascii_alphabetic() || "/!?".contains(n)) => {
                self.out.push_str("&lt;");
                return rest;
            }
            // Could start an entity.
            '&' if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#') => self.out.push('\\'),
            // Would open a heading, quote or list, or underline a setext heading.
            '#' | '>' | '+' | '-' | '=' | ':' if line_start => self.out.push('\\'),
            // `1.` or `1)` at the start of a line would begin an ordered list.
            '0'..='9' if line_start => {
                let digits = rest.len() - rest.trim_start_matches(|d: char| d.is_ascii_digit()).len();
                self.out.push(c);
                self.out.push_str(&rest[..digits]);
                if rest[digits..].starts_with(['.', ')']) {
                    self.out.push('\\');
                }
                return &rest[digits..];
            }
            _ => {}
        }
        self.out.push(c);
        rest
    }

    fn code(&mut self, code: &str) {
        let mut code: String = code.chars().filter(|c| !c.is_control() || *c == '\t').collect();
        if code.is_empty() {
            return;
        }
        if self.mode == Mode::Cell {
            code = code.replace('|', "\\|");
        }
        let ticks = "`".repeat(longest_run(&code, '`') + 1);
        if ticks.len() >= 3 && self.pending == Gap::Line {
            // Three backticks at the start of a line would open a code block.
            self.pending = Gap::Space;
        }
        let edge_space = code.starts_with(' ') && code.ends_with(' ') && !code.trim().is_empty();
        let pad = if edge_space || code.starts_with('`') || code.ends_with('`') { " " } else { "" };
        self.flush();
        self.out.push_str(&format!("{ticks}{pad}{code}{pad}{ticks}"));
    }

    /// Writes `children` between `open` and `close`. Whitespace at their edges goes outside,
    /// where CommonMark wants it (`** a **` is not bold); nothing is written for empty content.
    fn span(&mut self, open: &str, children: &[Inline], close: &str, in_link: bool) {
        let mut inner = InlineWriter::new(self.mode, in_link, false);
        inner.write_all(children);
        self.request(inner.leading);
        if !inner.out.is_empty() {
            self.flush();
            self.out.push_str(&format!("{open}{}{close}", inner.out));
        }
        self.request(inner.pending);
    }

    fn link(&mut self, dest: &str, auto: bool, children: &[Inline]) {
        let Some(target) = link_target(dest, auto).filter(|_| !self.in_link) else {
            // Nested links, page anchors and relative links keep just their text.
            return self.write_all(children);
        };
        let fits_autolink = !target.contains(|c: char| c.is_whitespace() || c.is_control() || "<>".contains(c));
        if fits_autolink && (auto || inline_plain(children).trim() == dest.trim()) {
            self.flush();
            self.out.push_str(&format!("<{target}>"));
            return;
        }
        let mut destination = String::new();
        for c in target.chars() {
            match c {
                '(' | ')' | '\\' => destination.extend(['\\', c]),
                ' ' => destination.push_str("%20"),
                c if c.is_whitespace() || c.is_control() || "<>".contains(c) => {
                    destination.extend(c.to_string().bytes().map(|b| format!("%{b:02X}")));
                }
                c => destination.push(c),
            }
        }
        self.span("[", children, &format!("]({destination})"), true);
    }
}

/// Where a link should point in rustdoc, or `None` to keep only its text.
fn link_target(dest: &str, auto: bool) -> Option<String> {
    let dest = dest.trim();
    // `https:`, `mailto:`, `urn:`… but not a Rust path such as `Foo::bar`.
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, rest)| {
        scheme.len() >= 2
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            && !rest.starts_with(':')
    });
    if !dest.is_empty() && (auto || has_scheme) {
        return Some(dest.to_string());
    }
    // `tools.ietf.org/html/rfc7009` is a web address that lost its scheme.
    let (host, path) = dest.split_once('/')?;
    let tld = host.rsplit('.').next().unwrap_or("");
    let is_host = host.contains('.')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic());
    // Anchors and relative paths point into the original web page; rustdoc would resolve them
    // against the generated docs, or try them as intra-doc links.
    is_host.then(|| format!("https://{host}/{path}"))
}

fn inline_plain(inlines: &[Inline]) -> String {
    let mut text = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) | Inline::Html(t) => text.push_str(t),
            Inline::SoftBreak | Inline::HardBreak => text.push(' '),
            Inline::Emphasis(children)
            | Inline::Strong(children)
            | Inline::Strike(children)
            | Inline::Link { children, .. } => text.push_str(&inline_plain(children)),
        }
    }
    text
}

fn longest_run(text: &str, c: char) -> usize {
    text.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

/// Final clean-up: no control characters, no trailing whitespace, no blank lines at either end.
fn finish(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|line| !line.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|line| !line.is_empty()).map_or(start, |last| last + 1);
    lines[start..end].join("\n")
}

// ---------------------------------------------------------------------------------------------
// Plain text.

fn collect_plain_text(source: &str, html_pass: usize, text: &mut String) {
    let mut html = String::new();
    for event in Parser::new_ext(source, parser_options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text.push_str(&t);
            }
            Event::Html(h) => html.push_str(&h),
            Event::End(TagEnd::HtmlBlock) => {
                let stripped = strip_tags(&std::mem::take(&mut html));
                if html_pass < MAX_HTML_PASSES {
                    collect_plain_text(&stripped, html_pass + 1, text);
                } else {
                    text.push_str(&decode_entities(&stripped));
                }
                text.push(' ');
            }
            Event::InlineHtml(h) => match tokenize_html(&h).as_slice() {
                [HtmlPiece::Comment] => {}
                [HtmlPiece::Tag(tag, _)] => match role(&tag.name) {
                    None => text.push_str(&h),
                    Some(role) if role.breaks_line() => text.push(' '),
                    Some(_) => {}
                },
                _ => text.push_str(&h),
            },
            Event::FootnoteReference(label) => text.push_str(&format!("[^{label}]")),
            Event::SoftBreak | Event::HardBreak | Event::Rule => text.push(' '),
            Event::Start(tag) if is_inline_tag(&tag) => {}
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image,
            )
            | Event::TaskListMarker(_) => {}
            // Block boundaries separate words, even where a tight list item has no paragraph.
            Event::Start(_) | Event::End(_) => text.push(' '),
        }
    }
}
