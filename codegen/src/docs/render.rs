//! Writing Markdown.

use pulldown_cmark::Alignment;

use super::tree::{Block, Inline};
use super::Gap;

pub(super) fn render_blocks(blocks: &[Block], tight: bool) -> Vec<String> {
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
            let fence = code_fence(text);
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

pub(super) fn inline_plain(inlines: &[Inline]) -> String {
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

/// `text` as a Markdown code span whatever backticks it holds: the fence is one backtick longer
/// than the longest run inside, and padded where the text starts or ends with one.
pub fn code_span(text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code fence longer than any run of backticks in `text`, and at least three backticks long.
pub(super) fn code_fence(text: &str) -> String {
    "`".repeat(longest_run(text, '`').max(2) + 1)
}

/// Final clean-up: no control characters, no trailing whitespace, no blank lines at either end.
pub(super) fn finish(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|line| !line.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|line| !line.is_empty()).map_or(start, |last| last + 1);
    lines[start..end].join("\n")
}
