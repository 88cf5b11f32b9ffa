//! Exact-output tests for each fix and each HTML construct `markdown_to_rustdoc` handles.

use authlete_codegen::docs::{markdown_to_rustdoc, plain_text};

#[track_caller]
fn converts(input: &str, expected: &str) {
    assert_eq!(markdown_to_rustdoc(input), expected, "input: {input:?}");
}

// --- Text that rustdoc would read as links, URLs or tags ---------------------------------------

#[test]
fn brackets_that_are_not_links_are_escaped() {
    converts("See [JWA] and [1], [optional].", r"See \[JWA\] and \[1\], \[optional\].");
    converts("- ViewClient: []", r"- ViewClient: \[\]");
}

#[test]
fn bare_urls_become_autolinks_without_trailing_punctuation() {
    converts(
        "See https://example.com/a_b. Or (https://x.org/y). Or https://x.org/p_(q)_r, fine.",
        "See <https://example.com/a_b>. Or (<https://x.org/y>). Or <https://x.org/p_(q)_r>, fine.",
    );
}

#[test]
fn a_scheme_alone_is_not_a_url() {
    converts("A URL that starts with  https:// and has no query.", "A URL that starts with https:// and has no query.");
}

#[test]
fn urls_inside_code_and_links_stay_as_they_are() {
    converts("For example, `https://example.com/auth`.", "For example, `https://example.com/auth`.");
    converts("[https://a.org/x](https://a.org/x)", "<https://a.org/x>");
    converts("[spec https://a.org](https://b.org)", "[spec https://a.org](https://b.org)");
}

#[test]
fn reference_links_with_a_url_as_label_become_inline_links() {
    converts(
        "Token exchange ([RFC 8693][https://www.rfc-editor.org/rfc/rfc8693]).",
        "Token exchange ([RFC 8693](https://www.rfc-editor.org/rfc/rfc8693)).",
    );
}

#[test]
fn angle_brackets_that_are_not_html_stay_text() {
    converts(
        "A List<String> and Bearer <token> and a < b and <3.",
        "A List&lt;String> and Bearer &lt;token> and a < b and <3.",
    );
}

#[test]
fn link_destinations_rustdoc_cannot_follow_keep_their_text() {
    converts(
        "[rel](/docs/x) [frag](#servers) [path](Foo::bar) [empty]() [noscheme](tools.ietf.org/html/rfc7009)",
        "rel frag path empty [noscheme](https://tools.ietf.org/html/rfc7009)",
    );
}

#[test]
fn autolinks_stay_autolinks() {
    converts(
        "<mailto:me@example.com>, <me@example.com> and <https://a.org/b>.",
        "<mailto:me@example.com>, <me@example.com> and <https://a.org/b>.",
    );
}

// --- Javadoc and escaped code ------------------------------------------------------------------

#[test]
fn javadoc_tags_become_code_spans() {
    converts("Use {@link Foo#bar()} or {@code x}.", "Use `Foo#bar()` or `x`.");
    converts("see ({@link\n    TokenIssueResponse}) for", "see (`TokenIssueResponse`) for");
    converts(
        "the {@link\n  Service#isJwtGrantEncryptedJwtRejected()\n  jwtGrantEncryptedJwtRejected} flag",
        "the `Service#isJwtGrantEncryptedJwtRejected() jwtGrantEncryptedJwtRejected` flag",
    );
    converts("{@code\nattachments_supported} metadata", "`attachments_supported` metadata");
}

#[test]
fn javadoc_right_after_a_code_span_merges_into_it() {
    converts("with `reason=`{@link Reason#NOT_LOGGED_IN} set", "with `reason=Reason#NOT_LOGGED_IN` set");
}

#[test]
fn javadoc_in_code_blocks_and_lookalikes_are_left_alone() {
    converts("```\n\"token\": \"{@link Foo}\"\n```", "```text\n\"token\": \"{@link Foo}\"\n```");
    converts("a { @link Foo} b {@} c {@link}", r"a { @link Foo} b {@} c {@link}");
}

#[test]
fn escaped_underscores_inside_code_read_as_written() {
    converts("`INTERNAL\\_SERVER\\_ERROR` and `/api/\\*`", "`INTERNAL_SERVER_ERROR` and `/api/*`");
    converts("```json\n{\"a\\_b\": 1}\n```", "```json\n{\"a_b\": 1}\n```");
    // Outside code the backslash was an escape all along.
    converts("**INTERNAL\\_SERVER\\_ERROR**", "**INTERNAL_SERVER_ERROR**");
}

// --- HTML --------------------------------------------------------------------------------------

#[test]
fn html_line_breaks_become_hard_breaks() {
    converts("a<br>b<br/>c<br />d</br>e", "a\\\nb\\\nc\\\nd\\\ne");
    // Nothing to break at the end of a paragraph.
    converts("end<br>", "end");
}

#[test]
fn html_details_and_summary() {
    converts(
        "Intro.\n\n<br>\n<details>\n<summary>Description</summary>\n\nBody text.\n</details>",
        "Intro.\n\n**Description**\n\nBody text.",
    );
}

#[test]
fn html_paragraphs() {
    converts("<p>\nFirst.\n</p>\n\n<p>Second</p>", "First.\n\nSecond");
    converts("one</p>two", "one\\\ntwo");
}

#[test]
fn html_formatting_without_markdown_counterpart_keeps_its_text() {
    converts("The <u>underlined</u> and <span class=\"x\">spanned</span> words.", "The underlined and spanned words.");
    converts("Unclosed <b>bold and </i> stray.", "Unclosed bold and stray.");
    converts("Before <!-- hidden --> after.", "Before after.");
}

#[test]
fn html_inline_formatting() {
    converts(
        "Text <b>bold</b>, <i>italic</i>, <em>em</em>, <strong>strong</strong>, <code>a_b</code>, <s>old</s>.",
        "Text **bold**, *italic*, *em*, **strong**, `a_b`, ~~old~~.",
    );
    converts("<b> spaced </b>out", "**spaced** out");
    converts("<code>List&lt;T&gt;</code>", "`List<T>`");
}

#[test]
fn html_lists_with_unclosed_items() {
    converts("<ul>\n  <li>one\n  <li>two <b>bold</b>\n</ul>", "- one\n- two **bold**");
    converts("<ol><li>`a`</li><li>b<ul><li>c</li></ul></li></ol>", "1. `a`\n2. b\n   - c");
}

#[test]
fn html_preformatted_text_becomes_a_text_block() {
    converts(
        "<pre style=\"border: 1px\">\nline 1\n  &lt;indented&gt;\n<i>note</i></pre>",
        "```text\nline 1\n  <indented>\nnote\n```",
    );
}

#[test]
fn html_tables_become_gfm_tables() {
    converts(
        "<table>\n<tr><th>Name</th><th>Desc</th></tr>\n<tr><td>`a`</td><td>x | y</td></tr>\n</table>",
        "| Name | Desc |\n| --- | --- |\n| `a` | x \\| y |",
    );
    converts("<table><tr><td>a<u>b</u>c<br>d</td></tr></table>", "| abc d |\n| --- |");
}

#[test]
fn html_links_headings_and_quotes() {
    converts(
        "See <a href=\"https://example.com/x?a=1&amp;b=2\">the docs</a>.",
        "See [the docs](https://example.com/x?a=1&b=2).",
    );
    converts("<a href=\"#servers\" class=\"block\">Select</a>", "Select");
    converts("<h2>Title</h2>\n<p>Para</p>", "## Title\n\nPara");
    converts("<blockquote>\n<p>Quoted</p>\n</blockquote>", "> Quoted");
}

#[test]
fn html_tag_split_before_its_closing_bracket_is_still_a_tag() {
    // CommonMark alone would read the second line as a block quote.
    converts("defined in <a href=\"https://x.org/a\"\n>OpenID</a>.", "defined in [OpenID](https://x.org/a).");
}

#[test]
fn html_wrapped_page_layout_is_flattened_to_markdown() {
    converts(
        "<div class=\"p-6\">\n  <header>\n    <p>\n      Welcome to the <strong>API</strong>.\n    </p>\n    \
         <ul class=\"list-disc\">\n      <li><strong>A</strong>: first.</li>\n    </ul>\n  </header>\n</div>",
        "Welcome to the **API**.\n\n- **A**: first.",
    );
}

// --- Code blocks -------------------------------------------------------------------------------

#[test]
fn code_blocks_never_become_doctests() {
    converts("```\nplain\n```", "```text\nplain\n```");
    converts("```json\n{}\n```", "```json\n{}\n```");
    converts("```HTTP\nGET /\n```", "```http\nGET /\n```");
    converts("```rust\nfn main() {}\n```", "```text\nfn main() {}\n```");
    converts("```rust,ignore\nx\n```", "```text\nx\n```");
    converts("```should_panic\ny\n```", "```text\ny\n```");
    converts("```{.weird}\nz\n```", "```text\nz\n```");
    converts("Indented:\n\n    let x = 1;\n    x\n", "Indented:\n\n```text\nlet x = 1;\nx\n```");
}

#[test]
fn code_fences_outgrow_the_backticks_inside() {
    converts("````\n```\ninner\n```\n````", "````text\n```\ninner\n```\n````");
    converts("`` a`b ``", "``a`b``");
    converts("`` `a ``", "`` `a ``");
}

// --- Input hygiene -----------------------------------------------------------------------------

#[test]
fn control_characters_are_removed_and_line_endings_normalised() {
    converts("a\u{0}b\u{7}c\r\nd\re\u{1b}f\u{85}g", "abc\nd\nefg");
}

#[test]
fn empty_and_blank_input() {
    converts("", "");
    converts("  \n\t \n\n", "");
    converts("\n\n  text  \n\n", "text");
}

#[test]
fn no_trailing_whitespace_even_for_markdown_hard_breaks() {
    converts("Trailing spaces   \nand tabs\t\n", "Trailing spaces\\\nand tabs");
}

#[test]
fn text_that_looks_like_rust_is_just_text() {
    converts(
        "A comment end */ and \"] and #![forbid(unsafe_code)].",
        r#"A comment end \*/ and "\] and #!\[forbid(unsafe_code)\]."#,
    );
}

#[test]
fn markdown_characters_in_text_are_escaped() {
    converts(
        r"Escapes: \# \> \- \+ 1\. \* \_ snake_case _x_ \` \\ \| \~ &amp;lt; &copy; AT&T",
        r"Escapes: # > - + 1. \* \_ snake_case *x* \` \\ \| \~ \&lt; © AT\&T",
    );
    // Text that would start a block when it begins a line.
    converts("a\n\\# b\n\\- c\n2\\. d\n\\> e", "a\n\\# b\n\\- c\n2\\. d\n\\> e");
}

// --- Markdown structure survives ---------------------------------------------------------------

#[test]
fn markdown_structure_is_kept() {
    converts(
        "# Heading\n\nSome *emphasis*, **strong**, ~~gone~~, `code`.\n\n## Sub\n\n1. one\n2. two\n   - nested\n   - list\n\n\
         > quote\n> more\n\n| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\n![logo](https://example.com/logo.png)\n\n\
         line one  \nline two\n\n---\n\nend",
        "# Heading\n\nSome *emphasis*, **strong**, ~~gone~~, `code`.\n\n## Sub\n\n1. one\n2. two\n   - nested\n   - list\n\n\
         > quote\n> more\n\n| a | b | c |\n| :--- | :---: | ---: |\n| 1 | 2 | 3 |\n\n[logo](https://example.com/logo.png)\n\n\
         line one\\\nline two\n\n***\n\nend",
    );
}

#[test]
fn lists_keep_their_numbering_tightness_and_separation() {
    converts("3. three\n4. four", "3. three\n4. four");
    converts("- a\n- b\n\n* c\n* d", "- a\n- b\n\n* c\n* d");
    converts("- a\n\n- b", "- a\n\n- b");
    converts("- item\n  ```json\n  {}\n  ```\n  after", "- item\n  ```json\n  {}\n  ```\n  after");
}

#[test]
fn setext_headings_become_atx_headings() {
    converts("Title\n=====\n\nSub\n---", "# Title\n\n## Sub");
}

// --- Robustness --------------------------------------------------------------------------------

#[test]
fn deeply_nested_or_repetitive_input_is_handled() {
    for input in [
        ">".repeat(10_000),
        "- ".repeat(5_000),
        "*a ".repeat(5_000),
        "[".repeat(10_000),
        "<b>".repeat(10_000),
        "<ul><li>".repeat(20_000),
        "<blockquote>".repeat(20_000) + "text",
        "<div>".repeat(2_000) + "text",
        "{@link ".repeat(2_000),
        "`".repeat(10_000),
        "<".repeat(1_000) + "b>",
    ] {
        let output = markdown_to_rustdoc(&input);
        assert!(!output.contains('\r') && output.lines().all(|l| l == l.trim_end()));
    }
}

/// Every output, whatever the input, is trimmed, free of control characters and stable.
#[test]
fn arbitrary_input_gives_clean_output() {
    const PIECES: [&str; 40] = [
        "a",
        "word",
        " ",
        "\n",
        "\n\n",
        "\t",
        "    ",
        "*",
        "_",
        "`",
        "```",
        "~",
        "#",
        ">",
        "-",
        "1.",
        "|",
        "[",
        "]",
        "(",
        ")",
        "<",
        "</",
        ">",
        "&",
        "&amp;",
        "\\",
        "!",
        "<b>",
        "</b>",
        "<br>",
        "<li>",
        "<pre>",
        "<table><tr><td>",
        "{@link X}",
        "https://a.org/x",
        "\r",
        "\u{0}",
        "é",
        ":",
    ];
    // A small linear congruential generator keeps the test deterministic without dependencies.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..3_000 {
        let mut input = String::new();
        for _ in 0..(state % 40) {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            input.push_str(PIECES[(state >> 33) as usize % PIECES.len()]);
        }
        let output = markdown_to_rustdoc(&input);
        assert!(!output.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{input:?}");
        assert!(output.lines().all(|line| line == line.trim_end()), "{input:?} -> {output:?}");
        assert_eq!(output, output.trim_matches('\n'), "{input:?}");
        let _ = plain_text(&input);
    }
}

// --- plain_text --------------------------------------------------------------------------------

#[test]
fn plain_text_strips_markup_and_collapses_whitespace() {
    assert_eq!(
        plain_text("# Title\n\nSome **bold** `code`,\n[link](https://a.org) <b>x</b>y."),
        "Title Some bold code, link xy."
    );
    assert_eq!(plain_text("<p>one</p><p>two</p>"), "one two");
    assert_eq!(plain_text("- a\n- b\n\n```\nc\n```"), "a b c");
    assert_eq!(plain_text("List<String> &amp; \\[x\\]"), "List<String> & [x]");
    assert_eq!(plain_text(""), "");
}
