//! The document tree, and the builder that folds pulldown-cmark's events into it.

use pulldown_cmark::{Alignment, BrokenLink, CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd};

use super::html_block::html_to_blocks;
use super::{parser_options, MAX_NESTING};

pub(super) enum Block {
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

pub(super) enum Inline {
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

pub(super) fn parse_blocks(source: &str, html_pass: usize) -> Vec<Block> {
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
                    push_cell(&mut rows, cell);
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

pub(super) fn is_inline_tag(tag: &Tag<'_>) -> bool {
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

/// Appends `cell` to the last row of a table, opening a first row if there is none.
pub(super) fn push_cell<T>(rows: &mut Vec<Vec<T>>, cell: T) {
    match rows.last_mut() {
        Some(row) => row.push(cell),
        None => rows.push(vec![cell]),
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
