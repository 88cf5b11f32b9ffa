//! `cargo xtask`: the project's command line.

mod bench_build;
mod fetch;
mod pins;
mod sync;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Tasks of the Authlete Rust SDK workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generates the `authlete` crate from the OpenAPI spec (downloading the pinned specs first
    /// if they are missing, as `fetch-spec` does).
    Codegen {
        /// Change nothing; fail if the crate on disk differs from what would be generated.
        #[arg(long)]
        check: bool,
        /// The OpenAPI 3.0 document to read (YAML or JSON).
        #[arg(long, default_value_os_t = workspace_root().join("schema/authlete-openapi.yaml"))]
        spec: PathBuf,
        /// The crate directory to write.
        #[arg(long, default_value_os_t = workspace_root().join("generated"))]
        out: PathBuf,
        /// Also write the change report (against the crate being replaced) as Markdown to this
        /// file, for a commit message or a changelog.
        #[arg(long, value_name = "PATH")]
        report_md: Option<PathBuf>,
    },
    /// Reports what would change for users of the crate between two specs; writes nothing.
    Diff {
        /// The spec of the crate being replaced.
        old: PathBuf,
        /// The spec of the crate replacing it.
        new: PathBuf,
        /// Print the report as Markdown instead of plain text.
        #[arg(long)]
        markdown: bool,
    },
    /// Downloads the pinned specs that are missing (`schema/pins.json`) to where `schema/`'s links
    /// point, checking each one's sha256; `AUTHLETE_SPEC_BASE_URL` replaces the host of their URLs.
    FetchSpec {
        /// Only these pinned specs (their file names in the schema folder); all by default.
        names: Vec<String>,
        /// The folder of the links and their `pins.json`.
        #[arg(long, value_name = "DIR", default_value_os_t = workspace_root().join("schema"))]
        schema: PathBuf,
    },
    /// Measures how long the generated crate takes to compile, and what that time is made of.
    BenchBuild {
        /// Rebuilds per measurement (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// The generated crate to measure.
        #[arg(long = "crate", default_value_os_t = workspace_root().join("generated"))]
        krate: PathBuf,
        /// Scratch directory for the copies and their own target directory.
        #[arg(long, default_value_os_t = workspace_root().join("target/bench-build"))]
        work: PathBuf,
        /// Measure only these variants, comma-separated (full, no-docs, no-serde, no-std-derives, feature,
        /// use-two, use-all, helpers, use-two-helpers; `use-two` and `use-all` need `full`,
        /// `use-two-helpers` needs `helpers`).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// The cargo feature the `feature` variant builds alone (`--no-default-features --features NAME`);
        /// one of the `[features]` of the crate's Cargo.toml.
        #[arg(long, default_value = "token-endpoint")]
        feature: String,
        /// Count lines and features only; build nothing.
        #[arg(long)]
        lines_only: bool,
    },
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_owned).unwrap_or_default()
}

fn main() -> ExitCode {
    let Cli { task } = Cli::parse();
    let result = match task {
        Task::Codegen { check, spec, out, report_md } => codegen(&spec, &out, check, report_md.as_deref()),
        Task::Diff { old, new, markdown } => diff(&old, &new, markdown),
        Task::FetchSpec { names, schema } => fetch::fetch_spec(&schema, &names),
        Task::BenchBuild { runs, krate, work, only, feature, lines_only } => {
            let lock = workspace_root().join("Cargo.lock");
            bench_build::run(&bench_build::Options { krate, work, lock, runs, only, feature, lines_only })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a spec; a pinned spec that is missing is downloaded first (or the error says where it
/// comes from and where it belongs).
fn read_spec(spec: &Path) -> Result<String, String> {
    let cannot_read = |e: std::io::Error| format!("{}: cannot read the spec: {e}", spec.display());
    match std::fs::read_to_string(spec) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match pins::pin_of(spec) {
            Some(pin) => {
                fetch::missing(spec, &pin)?;
                std::fs::read_to_string(spec).map_err(cannot_read)
            }
            None => Err(cannot_read(e)),
        },
        read => read.map_err(cannot_read),
    }
}

/// A generator error as lines for `error: …` (one per problem).
fn problems(error: &authlete_codegen::Error) -> String {
    error.to_string().replace('\n', "\nerror: ")
}

/// Warns when a pinned spec is not the pinned version (the link was moved, but not the pin).
fn check_pin(spec: &Path, sha256: &str) {
    if let Some(pin) = pins::pin_of(spec) {
        if pin.sha256 != sha256 {
            eprintln!(
                "warning: {}: sha256 {sha256} is not the pinned {} ({}); update schema/pins.json and schema/README.md",
                spec.display(),
                pin.sha256,
                pin.spec
            );
        }
    }
}

fn codegen(spec: &Path, out: &Path, check: bool, report_md: Option<&Path>) -> Result<(), String> {
    let started = Instant::now();
    let text = read_spec(spec)?;
    let generated = authlete_codegen::generate(spec, &text).map_err(|e| problems(&e))?;
    check_pin(spec, &generated.sha256);
    for warning in &generated.warnings {
        eprintln!("warning: {}: {warning}", spec.display());
    }
    // The surface of the crate being replaced, read before anything is written.
    let previous = previous_surface(out);
    let plan = sync::Plan::new(out, &generated.files).map_err(|e| format!("{}: {e}", out.display()))?;
    if check {
        if plan.is_empty() {
            println!("{} is up to date with {} {}", out.display(), generated.title, generated.version);
            return Ok(());
        }
        for line in plan.describe() {
            eprintln!("{line}");
        }
        if let Ok(old) = &previous {
            eprint!("{}", authlete_codegen::surface::diff(old, &generated.surface).text());
        }
        return Err(format!("{} is out of date: run `cargo xtask codegen`", out.display()));
    }
    let changed = plan.apply().map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "{} {}: {} types, {} files changed in {:.2?} ({} known spec bugs corrected)",
        generated.title,
        generated.version,
        generated.type_count,
        changed,
        started.elapsed(),
        generated.fixes.len()
    );
    match previous {
        Ok(old) => {
            let report = authlete_codegen::surface::diff(&old, &generated.surface);
            if let Some(path) = report_md {
                std::fs::write(path, report.markdown()).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            print_out(&report.text());
        }
        Err(why) => {
            println!("no change report: {why}");
            if let Some(path) = report_md {
                let markdown = format!("## API changes\n\nNo change report: {why}.\n");
                std::fs::write(path, markdown).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// The surface record of the crate in `out`, or why there is none to compare with.
fn previous_surface(out: &Path) -> Result<authlete_codegen::surface::Surface, String> {
    let path = out.join(authlete_codegen::surface::FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{} did not exist (a first generation)", path.display()),
        _ => format!("{}: {e}", path.display()),
    })?;
    authlete_codegen::surface::Surface::from_json(&text).ok_or_else(|| {
        format!("{} is not a surface record of format {}", path.display(), authlete_codegen::surface::FORMAT)
    })
}

fn diff(old: &Path, new: &Path, markdown: bool) -> Result<(), String> {
    let surface = |spec: &Path| {
        let text = read_spec(spec)?;
        authlete_codegen::surface(spec, &text).map_err(|e| problems(&e))
    };
    let report = authlete_codegen::surface::diff(&surface(old)?, &surface(new)?);
    print_out(&if markdown { report.markdown() } else { report.text() });
    Ok(())
}

/// Prints a report; a reader that stops early (`| head`) is not an error.
fn print_out(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in crate must be exactly what the generator makes of the checked-in spec.
    #[test]
    fn generated_crate_is_up_to_date() {
        let root = workspace_root();
        let spec = root.join("schema/authlete-openapi.yaml");
        let text = std::fs::read_to_string(&spec).expect("the spec is readable");
        let generated = authlete_codegen::generate(&spec, &text).expect("the spec generates");
        let plan = sync::Plan::new(&root.join("generated"), &generated.files).expect("generated/ is readable");
        assert!(
            plan.is_empty(),
            "generated/ is out of date; run `cargo xtask codegen`:\n{}",
            plan.describe().join("\n")
        );
    }
}
