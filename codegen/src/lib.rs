//! The Authlete code generator: an OpenAPI 3.0 document in, the files of the `authlete` crate out.
//!
//! The pipeline has separate stages, each testable on its own:
//!
//! 1. [`load`]: text → a checked OpenAPI 3.0 document (raw JSON tree plus `openapiv3` types);
//! 2. [`model`]: document → [`model::TypeSpace`], every Rust type named and resolved, every
//!    operation typed, and for each type where it is used and which traits it can derive;
//! 3. [`render`]: type space → Rust text, the regular bulk written directly and the rest as
//!    `quote` tokens laid out by `prettyplease`: one file per type, the client and its tests,
//!    and the crate's manifest, README, license and front page;
//! 4. [`surface`](mod@surface): type space → the record of what users can name (`api-surface.json`), and two
//!    records → a change report, each change breaking or additive.
//!
//! Every stage reports all the problems it finds, each at its JSON pointer ([`Error`]), and reads
//! breaches of OpenAPI 3.0 that have one obvious meaning with a [`Warning`] instead
//! ([`load::tolerate`]). Rendering cannot fail on any spec the model accepted; if it does, that is
//! a bug of the generator ([`InternalError`]), reported as such.
//!
//! Nothing here touches the file system: callers (the `xtask`) decide what to write where.

pub mod docs;
pub mod error;
mod fixups;
pub mod load;
pub mod model;
pub mod pointer;
pub mod render;
pub mod surface;

use std::path::Path;

pub use error::{Error, InternalError, Problem, Warning};

/// One file of the generated crate, with a `/`-separated path relative to the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Everything a run of the generator produced.
#[derive(Debug)]
pub struct Generated {
    pub title: String,
    pub version: String,
    /// Lower-case hex SHA-256 of the spec's bytes.
    pub sha256: String,
    pub type_count: usize,
    /// Everything users of the crate can name; also one of the `files` ([`surface::FILE`]).
    pub surface: surface::Surface,
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Warning>,
    /// Known upstream spec bugs that were corrected on the way (see `fixups.rs`).
    pub fixes: Vec<Warning>,
}

/// Generates the crate for the spec `text`, read from `file` (named in errors and provenance).
pub fn generate(file: &Path, text: &str) -> Result<Generated, Error> {
    with_stack(|| generate_here(file, text))
}

/// The API surface of the crate that the spec `text` gives, without rendering it: what
/// `cargo xtask diff` compares.
pub fn surface(file: &Path, text: &str) -> Result<surface::Surface, Error> {
    with_stack(|| {
        let spec = load::load(file, text)?;
        let space = model::build(&spec)?;
        Ok(surface::Surface::of(&space, spec.title(), spec.version(), &spec.sha256))
    })
}

/// Runs `f` with the stack the stages need. They recurse as deep as the spec nests (bounded by
/// `load::MAX_NESTING` and the model's depth limit). Unoptimised builds need a few MiB of stack
/// for the deepest specs allowed, more than a test thread has: when less than that is left, the
/// work moves to a fresh stack segment (no thread; spawning one per run cost more than a sixth
/// of the run).
fn with_stack<T>(f: impl FnOnce() -> T) -> T {
    const NEEDED: usize = 8 << 20;
    stacker::maybe_grow(NEEDED, STACK, f)
}

/// The stack of the stages, and of the threads they start to share their work.
pub(crate) const STACK: usize = 64 << 20;

fn generate_here(file: &Path, text: &str) -> Result<Generated, Error> {
    // Turning descriptions into rustdoc needs only their text: it runs on another core while the
    // spec is checked, converted and modelled.
    std::thread::scope(|scope| {
        let mut prefetch = None;
        let spec = load::load_observed(file, text, |raw| {
            let texts = load::schema_descriptions(raw);
            prefetch = Some(scope.spawn(move || render::convert_descriptions(texts)));
        })?;
        let space = model::build(&spec)?;
        let rustdoc = match prefetch.map(|p| p.join()) {
            Some(Ok(rustdoc)) => rustdoc,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => render::Rustdoc::default(),
        };
        finish(file, spec, &space, &rustdoc)
    })
}

fn finish(
    file: &Path,
    spec: load::Spec,
    space: &model::TypeSpace,
    rustdoc: &render::Rustdoc,
) -> Result<Generated, Error> {
    let provenance = render::Provenance {
        title: spec.title().to_owned(),
        version: spec.version().to_owned(),
        sha256: spec.sha256.clone(),
    };
    let load::Spec { raw, api, fixes, warnings, .. } = spec;
    // The record of the API surface needs only the model: it is made beside the rendering, and
    // then the spec's trees, which nothing needs past the model, are freed there too (freeing
    // them takes a twentieth of a run).
    let (rendered, (surface, record)) = std::thread::scope(|scope| {
        let surface = scope.spawn(|| {
            let surface = surface::Surface::of(space, &provenance.title, &provenance.version, &provenance.sha256);
            let record = surface.to_json();
            drop((raw, api));
            (surface, record)
        });
        let rendered = render::render(space, &provenance, rustdoc);
        (rendered, surface.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    // A render failure is a bug of the generator, not of the spec: said as such, at the root.
    let mut files = rendered.map_err(|internal| Error::at(file, pointer::Pointer::root(), internal.to_string()))?;
    files.push(GeneratedFile { path: surface::FILE.to_owned(), contents: record });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Generated {
        title: provenance.title,
        version: provenance.version,
        sha256: provenance.sha256,
        type_count: space.types.len(),
        surface,
        files,
        fixes,
        // Breaches of the standard read with their one meaning first, in spec order; then what
        // the model noticed.
        warnings: warnings.into_iter().chain(space.warnings.iter().cloned()).collect(),
    })
}

/// The README's example runs as a doctest, so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
