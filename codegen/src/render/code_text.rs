//! Code written as text. Most files go through `quote` → `syn` → `prettyplease`; the big, regular
//! parts (a model's attributes, fields and values, the generated tests) are written directly,
//! which costs a small fraction of that round trip. Attributes are laid out as `prettyplease`
//! lays them out, so that both kinds of output read alike (see [`Meta`]); test code follows
//! `rustfmt` at 100 columns.

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

/// The content of an attribute: `cfg(any(feature = "a", feature = "b"))`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Meta {
    /// Text that never breaks: `docsrs`, `feature = "a"`, `doc = "…"`.
    Word(String),
    /// `name(item, item)`.
    List(&'static str, Vec<Meta>),
}

/// The column a `prettyplease` line ends by, where it can break (its `MARGIN`).
const ATTRIBUTE_MARGIN: usize = 89;

impl Meta {
    /// `feature = "name"`.
    pub(crate) fn feature(name: &str) -> Meta {
        Meta::Word(format!("feature = {}", string_literal(name)))
    }

    /// The docs.rs badge of an item compiled under `condition`: `cfg_attr(docsrs, doc(cfg(…)))`
    /// (`doc(cfg)` only where docs.rs builds with `--cfg docsrs`, on nightly; stable builds never
    /// see it).
    pub(crate) fn badge(condition: Meta) -> Meta {
        let cfg = Meta::List("cfg", vec![condition]);
        Meta::List("cfg_attr", vec![Meta::Word("docsrs".into()), Meta::List("doc", vec![cfg])])
    }

    /// `doc = "text"`.
    pub(crate) fn doc(text: &str) -> Meta {
        Meta::Word(format!("doc = {}", string_literal(text)))
    }

    /// On one line.
    pub(crate) fn flat(&self) -> String {
        let mut out = String::new();
        self.push_flat(&mut out);
        out
    }

    fn push_flat(&self, out: &mut String) {
        match self {
            Meta::Word(word) => out.push_str(word),
            Meta::List(name, items) => {
                out.push_str(name);
                out.push('(');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    item.push_flat(out);
                }
                out.push(')');
            }
        }
    }

    /// Its width on one line.
    fn width(&self) -> usize {
        match self {
            Meta::Word(word) => width(word),
            Meta::List(name, items) => {
                name.len() + 2 + items.iter().map(Meta::width).sum::<usize>() + 2 * items.len().saturating_sub(1)
            }
        }
    }

    /// Laid out from `column` on a line indented by `indent`, followed by `trailing` columns of
    /// text before the line can break (the `,` after an item, the `]` after an attribute). A list
    /// that does not fit by the margin has one item a line, one level deeper, and its closing
    /// parenthesis on a line of its own; so have the lists inside it that do not fit.
    fn push(&self, out: &mut String, indent: usize, column: usize, trailing: usize) {
        let Meta::List(name, items) = self else { return self.push_flat(out) };
        if column + self.width() + trailing <= ATTRIBUTE_MARGIN {
            return self.push_flat(out);
        }
        out.push_str(name);
        out.push('(');
        for (index, item) in items.iter().enumerate() {
            let last = index + 1 == items.len();
            let _ = write!(out, "\n{:deeper$}", "", deeper = indent + 4);
            item.push(out, indent + 4, indent + 4, usize::from(!last));
            if !last {
                out.push(',');
            }
        }
        let _ = write!(out, "\n{:indent$})", "");
    }
}

/// `#[meta]` on lines of its own at `indent` (spaces).
pub(crate) fn push_attribute(out: &mut String, indent: usize, meta: &Meta) {
    let _ = write!(out, "{:indent$}#[", "");
    meta.push(out, indent, indent + 2, 1);
    out.push_str("]\n");
}

/// `#[cfg(condition)]` at `indent`; nothing for `None`.
pub(crate) fn push_cfg(out: &mut String, indent: usize, condition: Option<Meta>) {
    if let Some(condition) = condition {
        push_attribute(out, indent, &Meta::List("cfg", vec![condition]));
    }
}

/// `#[cfg(condition)]` with the docs.rs badge that says so, at `indent`; nothing for `None`.
pub(crate) fn push_cfg_badged(out: &mut String, indent: usize, condition: Option<&Meta>) {
    if let Some(condition) = condition {
        push_cfg(out, indent, Some(condition.clone()));
        push_attribute(out, indent, &Meta::badge(condition.clone()));
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

/// A function's signature, `{start}(args){end}`, at an `impl`'s indent: on one line when it fits,
/// else one argument a line.
pub(crate) fn push_signature(out: &mut String, start: &str, args: &[String], end: &str) {
    let flat = format!("    {start}({}){end}", args.join(", "));
    if flat.chars().count() <= WIDTH {
        out.push_str(&flat);
    } else {
        let _ = writeln!(out, "    {start}(");
        for arg in args {
            let _ = writeln!(out, "        {arg},");
        }
        let _ = write!(out, "    ){end}");
    }
    out.push('\n');
}

/// Columns a line part takes (characters, as editors count them for the text here).
fn width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

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
    fn attributes_break_where_prettyplease_breaks_them() {
        let features = |names: &[&str]| Meta::List("any", names.iter().map(|n| Meta::feature(n)).collect());
        let mut out = String::new();
        push_cfg(&mut out, 0, Some(features(&["a", "b"])));
        assert_eq!(out, "#[cfg(any(feature = \"a\", feature = \"b\"))]\n");
        let long = ["client-management", "dynamic-client-registration", "federation-endpoint"];
        let badge = Meta::List(
            "cfg_attr",
            vec![Meta::Word("docsrs".into()), Meta::List("doc", vec![Meta::List("cfg", vec![features(&long)])])],
        );
        let mut out = String::new();
        push_attribute(&mut out, 4, &badge);
        assert_eq!(
            out,
            r#"    #[cfg_attr(
        docsrs,
        doc(
            cfg(
                any(
                    feature = "client-management",
                    feature = "dynamic-client-registration",
                    feature = "federation-endpoint"
                )
            )
        )
    )]
"#
        );
    }

    /// Conditions as the crate writes them: a feature, or `any`/`all`/`not` of conditions.
    fn condition() -> impl Strategy<Value = Meta> {
        let feature = "[a-z]{1,12}(-[a-z]{1,12}){0,2}".prop_map(|name| Meta::feature(&name));
        feature.prop_recursive(3, 12, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..5).prop_map(|items| Meta::List("any", items)),
                proptest::collection::vec(inner.clone(), 1..5).prop_map(|items| Meta::List("all", items)),
                inner.prop_map(|item| Meta::List("not", vec![item])),
            ]
        })
    }

    /// Every attribute the crate writes as text: `cfg`, a docs.rs badge, a doc sentence under a
    /// condition, a derive.
    fn attribute() -> impl Strategy<Value = Meta> {
        prop_oneof![
            condition().prop_map(|c| Meta::List("cfg", vec![c])),
            condition().prop_map(|c| Meta::List(
                "cfg_attr",
                vec![Meta::Word("docsrs".into()), Meta::List("doc", vec![Meta::List("cfg", vec![c])])]
            )),
            (condition(), "[ -~]{0,120}").prop_map(|(c, text)| Meta::List("cfg_attr", vec![c, Meta::doc(&text)])),
            proptest::collection::vec("[A-Z][a-z]{0,15}", 1..12)
                .prop_map(|names| Meta::List("derive", names.into_iter().map(Meta::Word).collect())),
        ]
    }

    proptest! {
        /// The layout `prettyplease` gives the same attribute, on an item and on a method inside
        /// an `impl`.
        #[test]
        fn attributes_are_laid_out_as_prettyplease_lays_them_out(meta in attribute()) {
            let flat = meta.flat();
            let on_item = syn::parse_str::<syn::File>(&format!("#[{flat}] struct S;")).expect("parses");
            let expected = prettyplease::unparse(&on_item);
            let mut out = String::new();
            push_attribute(&mut out, 0, &meta);
            prop_assert_eq!(format!("{out}struct S;\n"), expected);

            let in_impl = syn::parse_str::<syn::File>(&format!("impl S {{ #[{flat}] fn f() {{}} }}")).expect("parses");
            let expected = prettyplease::unparse(&in_impl);
            let mut out = String::new();
            push_attribute(&mut out, 4, &meta);
            prop_assert_eq!(format!("impl S {{\n{out}    fn f() {{}}\n}}\n"), expected);
        }
    }

    #[test]
    fn signatures_break_one_argument_a_line_when_they_do_not_fit() {
        let mut out = String::new();
        push_signature(&mut out, "pub fn f", &["&self".into(), "a: i64".into()], " -> Call<()> {");
        assert_eq!(out, "    pub fn f(&self, a: i64) -> Call<()> {\n");
        let long = format!("body: &crate::models::{}", "X".repeat(80));
        let mut out = String::new();
        push_signature(&mut out, "pub fn f", &["&self".into(), long.clone()], " -> Call<()> {");
        assert_eq!(out, format!("    pub fn f(\n        &self,\n        {long},\n    ) -> Call<()> {{\n"));
    }

    #[test]
    fn raw_strings_outlast_their_content() {
        assert_eq!(raw_string("{}"), "r#\"{}\"#");
        assert_eq!(raw_string("a\"#b"), "r##\"a\"#b\"##");
    }
}
