//! Stages 3 and 4: the model as Rust files.
//!
//! Two ways to write code, chosen per part of a file. Code whose layout depends on its width
//! and which appears a few times (the crate root, the client module, the operations index,
//! constructors, unions) is built as `quote` tokens and laid out by `prettyplease`. The bulk of
//! the crate is regular and is written as text (`code_text.rs`): a model's attributes, fields and
//! values, the operations' methods (with their `…_pages` walks) and query structs, the generated
//! tests. Taking a file's items
//! through tokens, `syn` and `prettyplease` cost three quarters of the stage; the text follows
//! the same layout (attributes break exactly where `prettyplease` breaks them; code follows
//! `rustfmt` at 100 columns).
//!
//! Every emitter takes the one render context (`context.rs`: the model, how types are spelled,
//! the converted descriptions, the provenance); doc text (the descriptions as rustdoc, the
//! placeholders that carry doc blocks through formatting, comment-safe text) lives in
//! `doc_text.rs`. This module shares the work between threads and formats the token parts.

mod client;
mod code_text;
mod context;
mod crate_files;
mod doc_text;
mod examples;
mod items;
mod operation_tests;
mod rust_types;
mod server;
mod testing;

use std::sync::atomic::{AtomicUsize, Ordering};

use proc_macro2::TokenStream;

pub use context::Provenance;
pub use doc_text::{convert_descriptions, Rustdoc};

use crate::error::InternalError;
use crate::model::{TypeDef, TypeSpace};
use crate::GeneratedFile;
use context::Context;
use doc_text::DocSlots;

/// Renders the whole crate: manifest, README, crate root, support code, the client, the tests
/// and one file per type.
///
/// Files are independent, so the work is shared between the machine's cores: every thread takes
/// the next job from one list until none is left, the big ones (the client, the operation tests)
/// first, so that the threads finish together. The files are sorted afterwards, so the result
/// does not depend on the split.
pub fn render(
    space: &TypeSpace,
    provenance: &Provenance,
    rustdoc: &Rustdoc,
) -> Result<Vec<GeneratedFile>, InternalError> {
    let jobs: Vec<Job<'_>> = [Job::Client, Job::OperationTests, Job::Examples, Job::Fixed, Job::Server, Job::Testing]
        .into_iter()
        .chain(space.types.iter().map(Job::Model))
        .collect();
    let next = AtomicUsize::new(0);
    // Tokens are not `Send`: each thread has a context (and its std paths) of its own.
    let work = || {
        let context = Context::new(space, rustdoc, provenance);
        let mut files = Vec::new();
        while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
            files.extend(job.run(&context)?);
        }
        Ok::<_, InternalError>(files)
    };
    let workers = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
    let mut files = std::thread::scope(|scope| {
        // Rendering recurses as deep as the spec nests (bounded by the model's limits): the
        // helpers get the stack the calling thread is given by `generate`.
        let helpers: Vec<_> = (1..workers)
            .map(|_| std::thread::Builder::new().stack_size(crate::STACK).spawn_scoped(scope, work))
            .collect::<Result<_, _>>()
            .map_err(|e| InternalError {
                file: String::new(),
                message: format!("cannot start a render thread: {e}"),
            })?;
        let mut files = work()?;
        for helper in helpers {
            files.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok::<_, InternalError>(files)
    })?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// One unit of rendering work: some files of the crate.
enum Job<'s> {
    Client,
    OperationTests,
    Examples,
    Fixed,
    Server,
    Testing,
    Model(&'s TypeDef),
}

impl Job<'_> {
    fn run(&self, context: &Context<'_>) -> Result<Vec<GeneratedFile>, InternalError> {
        match self {
            Job::Client => client::files(context),
            Job::OperationTests => operation_tests::files(context),
            Job::Examples => Ok(vec![context.text_file("tests/spec_examples.rs", &examples::tests(context))]),
            Job::Fixed => crate_files::fixed_files(context),
            Job::Server => Ok(server::files(context)),
            Job::Testing => Ok(testing::files(context)),
            Job::Model(def) => {
                let path = format!("src/models/{}.rs", def.module);
                let text = items::file(context, &path, def)? + &items::table(def);
                Ok(vec![context.text_file(&path, &text)])
            }
        }
    }
}

/// Pretty-prints tokens as Rust, with the doc texts that `docs` stood in for put back.
fn format_rust(tokens: TokenStream, docs: &DocSlots) -> Result<String, syn::Error> {
    let file: syn::File = syn::parse2(tokens)?;
    Ok(docs.fill(&separate_items(&prettyplease::unparse(&file))))
}

/// `prettyplease` output with an empty line after each multi-line top-level item and after the
/// `use` lines, as hand-written files have; runs of one-line items (`mod a; pub use a::A;`) stay
/// together. Only lines at column 0 are looked at (string literals in generated code never span
/// lines).
fn separate_items(formatted: &str) -> String {
    let mut out = String::with_capacity(formatted.len() + formatted.len() / 16);
    let mut previous: Option<&str> = None;
    let mut previous_in_impl: Option<&str> = None;
    for line in formatted.lines() {
        let top_level = !line.is_empty() && !line.starts_with(char::is_whitespace);
        if top_level && !line.starts_with('}') && !line.starts_with(')') {
            // `}`, `};` or `);` close an item; `)]` only closes an attribute.
            let after_block = previous.is_some_and(|p| p.starts_with('}') || p == ");");
            let after_uses = previous.is_some_and(|p| p.starts_with("use ")) && !line.starts_with("use ");
            if after_block || after_uses {
                out.push('\n');
            }
        }
        // Items inside an `impl` (four spaces in) are separated the same way.
        let in_impl = line.strip_prefix("    ").is_some_and(|rest| !rest.starts_with([' ', '}']));
        if in_impl && previous_in_impl == Some("    }") {
            out.push('\n');
        }
        if line.starts_with("    ") && !line.starts_with("     ") {
            previous_in_impl = Some(line);
        }
        if top_level {
            previous = Some(line);
        } else if line.is_empty() {
            previous = None;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_start_with_the_provenance_and_keep_their_docs() {
        let slots = DocSlots::default();
        let docs = slots.outer("Docs.");
        let tokens = quote::quote! { #docs pub struct A; };
        let provenance = Provenance { title: "T".into(), version: "1".into(), sha256: "0".into() };
        let space = crate::model::TypeSpace::default();
        let rustdoc = Rustdoc::default();
        let context = Context::new(&space, &rustdoc, &provenance);
        assert_eq!(
            context.file("a.rs", tokens, &slots).expect("formats").contents,
            "// Generated by `cargo xtask codegen` from T 1 (sha256 0). Do not edit.\n\n/// Docs.\npub struct A;\n"
        );
    }
}
