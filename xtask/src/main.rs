//! `cargo xtask`: the project's command line.

mod bench_build;
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
    /// Generates the `authlete` crate from the OpenAPI spec.
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
        Task::Codegen { check, spec, out } => codegen(&spec, &out, check),
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

fn codegen(spec: &Path, out: &Path, check: bool) -> Result<(), String> {
    let started = Instant::now();
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: cannot read the spec: {e}", spec.display()))?;
    let generated = authlete_codegen::generate(spec, &text).map_err(|e| e.to_string())?;
    for warning in &generated.warnings {
        eprintln!("warning: {}: {warning}", spec.display());
    }
    let plan = sync::Plan::new(out, &generated.files).map_err(|e| format!("{}: {e}", out.display()))?;
    if check {
        if plan.is_empty() {
            println!("{} is up to date with {} {}", out.display(), generated.title, generated.version);
            return Ok(());
        }
        for line in plan.describe() {
            eprintln!("{line}");
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
    Ok(())
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
