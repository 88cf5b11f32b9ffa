//! Placeholder: replaced by the pulldown-cmark converter.

pub fn markdown_to_rustdoc(markdown: &str) -> String {
    markdown.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}
