//! Turns the Markdown of OpenAPI `description`s into Markdown that rustdoc accepts.
//!
//! The descriptions were written for web renderers: CommonMark/GFM mixed with raw HTML, Javadoc
//! leftovers and a few systematic mistakes. rustdoc is stricter (intra-doc links, HTML tag
//! checks, doctests), so [`markdown_to_rustdoc`] parses a description with pulldown-cmark and
//! writes it back out as conservative Markdown:
//!
//! 1. `sanitize.rs`: `sanitize` normalises line endings, drops control characters and rejoins
//!    HTML tags that were split so that a line starts with `>` (which would otherwise read as a
//!    block quote).
//! 2. `tree.rs`: `Builder` folds the event stream into a small owned tree (`Block`, `Inline`).
//!    HTML blocks are translated to Markdown (`HtmlToMarkdown` in `html_block.rs`) and parsed
//!    again, so the Markdown that authors wrote inside them (backticks, lists) keeps working.
//! 3. `fixes.rs`: `fix_inlines` turns inline HTML tags into Markdown nodes and applies the text
//!    fixes: Javadoc tags, bare URLs, backslashes inside code.
//! 4. `render.rs`: `render_blocks` and `InlineWriter` write Markdown back out, escaping
//!    everything rustdoc could read as markup, so the output holds no HTML, no bracketed text
//!    and no doctests.
//!
//! `html.rs` holds the HTML tokenizer and element roles that these steps share, and `plain.rs`
//! reads a description as [`plain_text`] with the same clean-up and HTML handling.

mod fixes;
mod html;
mod html_block;
mod plain;
mod render;
mod sanitize;
mod tree;

use pulldown_cmark::Options;

use fixes::fix_blocks;
use plain::collect_plain_text;
pub use render::code_span;
use render::{finish, render_blocks};
use sanitize::sanitize;
use tree::parse_blocks;

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
