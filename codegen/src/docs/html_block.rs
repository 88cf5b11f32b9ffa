//! HTML blocks: rewritten as Markdown source, which is parsed again.

use super::html::{decode_entities, role, strip_tags, tokenize_html, HtmlPiece, HtmlTag, Role};
use super::render::code_fence;
use super::tree::{parse_blocks, push_cell, Block, Inline};
use super::{Gap, MAX_HTML_PASSES, MAX_NESTING};

pub(super) fn html_to_blocks(html: &str, html_pass: usize) -> Vec<Block> {
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
                Role::Cell if !closing => push_cell(rows, String::new()),
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
        let fence = code_fence(text);
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
        push_cell(rows, String::new());
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
