//! Plain text.

use pulldown_cmark::{Event, Parser, TagEnd};

use super::html::{decode_entities, role, strip_tags, tokenize_html, HtmlPiece};
use super::tree::is_inline_tag;
use super::{parser_options, MAX_HTML_PASSES};

pub(super) fn collect_plain_text(source: &str, html_pass: usize, text: &mut String) {
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
