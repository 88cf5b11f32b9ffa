//! Code written as text. Most files go through `quote` → `syn` → `prettyplease`; the big, regular
//! parts (a model's fields and values, the generated tests) are written directly, which costs a
//! small fraction of that round trip. Their layout follows `rustfmt`'s at 100 columns; the few
//! lines that can grow past it break as it would break them.

use std::fmt::Write as _;

/// The width lines are kept within, where they can be broken.
const WIDTH: usize = 100;

/// `text` as a Rust string literal.
pub(crate) fn string_literal(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

/// `text` as a raw string literal, with enough `#`s that nothing in it ends the literal.
pub(crate) fn raw_string(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// `#[cfg(…)]` for `condition`, on a line of its own at `indent`; nothing for `None`.
pub(crate) fn push_cfg(out: &mut String, indent: &str, condition: Option<&str>) {
    if let Some(condition) = condition {
        let _ = writeln!(out, "{indent}#[cfg({condition})]");
    }
}

/// A method chain, `{start}{head}{links…}{end}`: on one line at `indent` when it fits, else with
/// every link on a line of its own, one level deeper.
pub(crate) fn push_chain(out: &mut String, indent: &str, start: &str, head: &str, links: &[String], end: &str) {
    let flat_width = [indent, start, head, end].iter().map(|part| width(part)).sum::<usize>()
        + links.iter().map(|l| width(l)).sum::<usize>();
    out.push_str(indent);
    out.push_str(start);
    out.push_str(head);
    if flat_width <= WIDTH {
        links.iter().for_each(|link| out.push_str(link));
    } else {
        for link in links {
            let _ = write!(out, "\n{indent}    {link}");
        }
    }
    out.push_str(end);
    out.push('\n');
}

/// Columns a line part takes (characters, as editors count them for the text here).
fn width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_break_only_when_they_do_not_fit() {
        let mut out = String::new();
        push_chain(&mut out, "    ", "let a = ", "b", &[".c()".into(), ".d()".into()], ";");
        assert_eq!(out, "    let a = b.c().d();\n");
        let long = format!(".{}()", "x".repeat(90));
        let mut out = String::new();
        push_chain(&mut out, "    ", "let a = ", "b", &[".c()".into(), long.clone()], ";");
        assert_eq!(out, format!("    let a = b\n        .c()\n        {long};\n"));
    }

    #[test]
    fn raw_strings_outlast_their_content() {
        assert_eq!(raw_string("{}"), "r#\"{}\"#");
        assert_eq!(raw_string("a\"#b"), "r##\"a\"#b\"##");
    }
}
