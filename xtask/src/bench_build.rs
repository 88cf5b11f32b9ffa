//! `cargo xtask bench-build`: what compiling the generated crate costs, and what that cost is made of.
//!
//! The crate is copied into a scratch directory (its own `[workspace]`, the workspace's
//! `Cargo.lock`, its own target directory), so nothing here touches `generated/` or the
//! workspace's `target/` that other builds are using. Dependencies are built once, untimed; then
//! each measurement bumps the mtime of `src/lib.rs` so that cargo rebuilds that one crate and
//! nothing else, `--runs` times, and reports the median. `CARGO_INCREMENTAL=0`, as for any
//! dependency a user compiles.
//!
//! Besides the crate as generated, it measures copies with parts taken out (doc comments, serde
//! derives, std derives), the crate with one cargo feature alone (`--no-default-features
//! --features NAME`), and small binaries that use the models through `serde_json`: serde's derived
//! code is generic, so it is compiled in the crate that calls `serde_json::from_str::<T>`, on every
//! rebuild of that crate, unless the library offers non-generic functions that do it once (the
//! `helpers` variants).
//!
//! The report, which first counts lines and what each feature compiles (the models whose `#[cfg]`
//! in `models/mod.rs` names it, and the ungated ones), goes to standard output and to
//! `<work>/report.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// What to build and how often.
pub struct Options {
    /// The generated crate (its `Cargo.toml` and `src/`).
    pub krate: PathBuf,
    /// Scratch directory for the copies and their shared target directory.
    pub work: PathBuf,
    /// The workspace's lock file, so that the copies build the same dependency versions.
    pub lock: PathBuf,
    pub runs: usize,
    /// Variant names to measure; empty means all.
    pub only: Vec<String>,
    /// The cargo feature the `feature` variant builds alone.
    pub feature: String,
    /// Count lines and features only; build nothing.
    pub lines_only: bool,
}

/// Everything this task measures, in the order it measures them.
const VARIANTS: &[(&str, &str)] = &[
    ("full", "the crate as generated"),
    ("no-docs", "doc comments (`///`, `//!`) removed"),
    ("no-serde", "serde derives, `#[serde]` attributes and the open enums' serde impls removed"),
    ("no-std-derives", "`Debug`, `Clone`, `PartialEq`, `Eq`, `Hash`, `Default` derives removed"),
    ("feature", "only one cargo feature (`--feature`) on"),
    ("use-two", "a binary that round-trips `Service` and `TokenResponse` through serde_json"),
    ("use-all", "a binary that round-trips every model type through serde_json"),
    ("helpers", "the crate plus non-generic JSON functions for `Service` and `TokenResponse`"),
    ("use-two-helpers", "`use-two` calling those functions instead of `serde_json::from_str::<T>`"),
];

/// The types the `use-two*` and `helpers` variants (de)serialize.
const TWO: [&str; 2] = ["Service", "TokenResponse"];

pub fn run(options: &Options) -> Result<(), String> {
    let source = read_crate(&options.krate)?;
    let mut report = String::new();
    let _ = writeln!(report, "# Build cost of `{}`\n", options.krate.display());
    report.push_str(&line_report(&source));
    report.push_str(&feature_report(&source));
    if options.lines_only {
        print!("{report}");
        return Ok(());
    }
    let features = features_of(&source.files["Cargo.toml"]);
    if (options.only.is_empty() || options.only.iter().any(|o| o == "feature")) && !features.contains(&options.feature)
    {
        return Err(format!(
            "--feature {}: not a feature of {}; it has: {}",
            options.feature,
            options.krate.join("Cargo.toml").display(),
            features.join(", ")
        ));
    }
    let toolchain = command_output("rustc", &["--version"]).unwrap_or_else(|| "rustc (unknown)".into());
    let _ = writeln!(
        report,
        "\n## Rebuild of one crate, dependencies already built\n\n{toolchain}, {} cores, median of {} runs \
         [fastest–slowest], `CARGO_INCREMENTAL=0`.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        options.runs
    );
    report.push_str("| variant | what | src lines | `cargo check` | `cargo build --release` | `cargo build` |\n");
    report.push_str("| --- | --- | ---: | ---: | ---: | ---: |\n");
    println!("{report}");
    let mut rows = String::new();
    let mut full: Option<(Option<f64>, Option<f64>)> = None;
    let target = options.work.join("target");
    for (name, what) in VARIANTS {
        if !options.only.is_empty() && !options.only.iter().any(|o| o == name) {
            continue;
        }
        let row = measure(name, what, options, &source, &target, full)
            .unwrap_or_else(|e| format!("| {name} | {what} | | failed: {} | | |", e.replace('\n', " ")));
        if *name == "full" {
            full = Some(parse_row_times(&row));
        }
        println!("{row}");
        rows.push_str(&row);
        rows.push('\n');
    }
    report.push_str(&rows);
    let path = options.work.join("report.md");
    fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\n(report kept in {})", path.display());
    Ok(())
}

/// The crate's files, by path relative to its root.
struct Source {
    files: BTreeMap<String, String>,
}

fn read_crate(root: &Path) -> Result<Source, String> {
    let mut files = BTreeMap::new();
    let manifest = root.join("Cargo.toml");
    files.insert(
        "Cargo.toml".to_owned(),
        fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?,
    );
    for dir in ["src", "tests"] {
        let mut paths = Vec::new();
        list(&root.join(dir), &mut paths).map_err(|e| format!("{}: {e}", root.join(dir).display()))?;
        for path in paths {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            files.insert(rel, fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?);
        }
    }
    if !files.contains_key("src/lib.rs") {
        return Err(format!("{}: no src/lib.rs; is this the generated crate?", root.display()));
    }
    Ok(Source { files })
}

fn list(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            list(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

/// Lines of Rust by kind.
#[derive(Default, Clone, Copy)]
struct Lines {
    doc: usize,
    comment: usize,
    blank: usize,
    code: usize,
}

impl Lines {
    fn of(text: &str) -> Self {
        let mut lines = Lines::default();
        for line in text.lines() {
            let t = line.trim_start();
            if t.is_empty() {
                lines.blank += 1;
            } else if t.starts_with("///") || t.starts_with("//!") {
                lines.doc += 1;
            } else if t.starts_with("//") {
                lines.comment += 1;
            } else {
                lines.code += 1;
            }
        }
        lines
    }

    fn total(&self) -> usize {
        self.doc + self.comment + self.blank + self.code
    }

    fn add(&mut self, other: Lines) {
        self.doc += other.doc;
        self.comment += other.comment;
        self.blank += other.blank;
        self.code += other.code;
    }
}

fn line_report(source: &Source) -> String {
    let mut out = String::from("## Lines of generated Rust\n\n");
    out.push_str("| part | files | total | doc comments | other comments | blank | code |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let mut biggest = Vec::new();
    for (label, prefix) in
        [("`src/` (what dependents compile)", "src/"), ("`tests/` (the crate's own tests)", "tests/")]
    {
        let mut sum = Lines::default();
        let mut count = 0;
        for (path, text) in source.files.iter().filter(|(p, _)| p.starts_with(prefix)) {
            let lines = Lines::of(text);
            sum.add(lines);
            count += 1;
            if prefix == "src/" {
                biggest.push((lines.total(), lines.code, path.clone()));
            }
        }
        let _ = writeln!(
            out,
            "| {label} | {count} | {} | {} ({:.0}%) | {} | {} | {} ({:.0}%) |",
            sum.total(),
            sum.doc,
            percent(sum.doc, sum.total()),
            sum.comment,
            sum.blank,
            sum.code,
            percent(sum.code, sum.total())
        );
    }
    biggest.sort_by(|a, b| b.cmp(a));
    let listed: Vec<String> =
        biggest.iter().take(5).map(|(total, code, path)| format!("`{path}` {total} ({code} code)")).collect();
    let _ = writeln!(out, "\nLargest files (lines): {}.\n", listed.join(", "));
    out
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The features of a manifest's `[features]` table, `default` left out.
fn features_of(manifest: &str) -> Vec<String> {
    let mut in_table = false;
    let mut features = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_table = line == "[features]";
        } else if let Some((key, _)) = line.split_once('=').filter(|_| in_table && !line.starts_with('#')) {
            let key = key.trim().trim_matches('"');
            if key != "default" {
                features.push(key.to_owned());
            }
        }
    }
    features
}

/// The modules declared in a `models/mod.rs`, each with the features its `#[cfg]` names (none: always
/// compiled).
fn gated_modules(mod_rs: &str) -> Vec<(String, Vec<String>)> {
    let code: String = mod_rs.lines().filter(|l| !l.trim_start().starts_with("//")).flat_map(|l| [l, "\n"]).collect();
    code.split(';')
        .filter_map(|item| {
            let (attributes, module) = item.rsplit_once("mod ")?;
            let features = attributes
                .split("feature")
                .skip(1)
                .filter_map(|f| f.trim_start().strip_prefix('=')?.trim_start().strip_prefix('"')?.split_once('"'))
                .map(|(feature, _)| feature.to_owned())
                .collect();
            Some((module.trim().to_owned(), features))
        })
        .collect()
}

/// Whether a model gated by `features` is compiled with only `feature` on.
fn compiles(features: &[String], feature: &str) -> bool {
    features.is_empty() || features.iter().any(|f| f == feature)
}

/// Each model module's features and lines.
fn models(source: &Source) -> Vec<(Vec<String>, Lines)> {
    let mod_rs = source.files.get("src/models/mod.rs").map(String::as_str).unwrap_or_default();
    gated_modules(mod_rs)
        .into_iter()
        .map(|(module, features)| {
            let text = source.files.get(&format!("src/models/{module}.rs")).map(String::as_str).unwrap_or_default();
            (features, Lines::of(text))
        })
        .collect()
}

fn feature_report(source: &Source) -> String {
    let models = models(source);
    let compiled = |on: &dyn Fn(&[String]) -> bool| {
        models
            .iter()
            .filter(|(features, _)| on(features))
            .fold((0, 0), |(code, n), (_, lines)| (code + lines.code, n + 1))
    };
    let mut rows: Vec<((usize, usize), String)> = features_of(&source.files["Cargo.toml"])
        .into_iter()
        .map(|feature| (compiled(&|features| compiles(features, &feature)), format!("`{feature}`")))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    rows.push((compiled(&|features| features.is_empty()), "no features".to_owned()));
    let all = compiled(&|_| true);
    rows.push((all, "all (default)".to_owned()));
    let mut out = String::from(
        "## Features: what `--no-default-features --features NAME` compiles\n\n\
         The models whose `#[cfg]` in `models/mod.rs` names the feature, and the ungated ones.\n\n\
         | features | model types | code lines | of all model code |\n| --- | ---: | ---: | ---: |\n",
    );
    for ((code, n), name) in rows {
        let _ = writeln!(out, "| {name} | {n} | {code} | {:.0}% |", percent(code, all.0));
    }
    out
}

/// Builds one variant and returns its table row.
fn measure(
    name: &str,
    what: &str,
    options: &Options,
    source: &Source,
    target: &Path,
    full: Option<(Option<f64>, Option<f64>)>,
) -> Result<String, String> {
    let dir = options.work.join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let (files, uncompiled, what) = match name {
        "full" => (library(source, |_, text| text.to_owned()), 0, what.to_owned()),
        "no-docs" => (library(source, |_, text| strip_docs(text)), 0, what.to_owned()),
        "no-serde" => (library(source, |_, text| strip_serde(text)), 0, what.to_owned()),
        "no-std-derives" => {
            (library(source, |_, text| strip_derives(text, |d| d.starts_with("serde::"))), 0, what.to_owned())
        }
        "feature" => {
            let models = models(source);
            let (on, off): (Vec<_>, Vec<_>) =
                models.iter().partition(|(features, _)| compiles(features, &options.feature));
            let what = format!("only `{}` on ({} of {} model types)", options.feature, on.len(), models.len());
            (library(source, |_, text| text.to_owned()), off.iter().map(|(_, lines)| lines.total()).sum(), what)
        }
        "helpers" => {
            let mut files = library(source, |path, text| match path {
                "src/lib.rs" => format!("{text}\npub mod json;\n"),
                _ => text.to_owned(),
            });
            files.insert("src/json.rs".to_owned(), json_helpers(&TWO));
            (files, 0, what.to_owned())
        }
        "use-two" | "use-all" | "use-two-helpers" => {
            let types = if name == "use-all" { model_types(source) } else { TWO.map(str::to_owned).to_vec() };
            let (library, helpers) = match name {
                "use-two-helpers" => ("helpers", true),
                _ => ("full", false),
            };
            if !options.work.join(library).join("src/lib.rs").exists() {
                return Err(format!("needs the `{library}` copy: measure `{library}` too"));
            }
            let files = consumer(&types, &options.work.join(library), helpers);
            (files, 0, what.to_owned())
        }
        _ => return Err(format!("unknown variant `{name}`")),
    };
    let src_lines =
        files.iter().filter(|(p, _)| p.starts_with("src/")).map(|(_, t)| t.lines().count()).sum::<usize>() - uncompiled;
    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::copy(&options.lock, dir.join("Cargo.lock")).map_err(|e| format!("{}: {e}", options.lock.display()))?;
    let is_consumer = name.starts_with("use-");
    let touched = dir.join(if is_consumer { "src/main.rs" } else { "src/lib.rs" });
    let manifest = dir.join("Cargo.toml");
    // `cargo check` does not generate code, so it says nothing about a binary's monomorphized serde.
    let modes: [(&str, &[&str]); 3] =
        [("check", &["check"]), ("release", &["build", "--release"]), ("dev", &["build"])];
    let mut cells = Vec::new();
    for (mode, args) in modes {
        let wanted = match mode {
            "dev" => is_consumer,
            "check" => !is_consumer,
            _ => true,
        };
        if !wanted {
            cells.push("—".to_owned());
            continue;
        }
        print!("  {name}: {mode} ");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let features = ["--no-default-features", "--features", &options.feature];
        let args: Vec<&str> = args.iter().chain(if name == "feature" { &features[..] } else { &[] }).copied().collect();
        cargo(&args, &manifest, target)?; // dependencies (and the crate once), untimed
        let mut samples = Vec::new();
        for _ in 0..options.runs.max(1) {
            touch(&touched)?;
            let started = Instant::now();
            cargo(&args, &manifest, target)?;
            samples.push(started.elapsed());
            print!(".");
            let _ = std::io::Write::flush(&mut std::io::stdout());
        }
        println!();
        let (low, high) = (samples.iter().min().copied(), samples.iter().max().copied());
        let median = median(&mut samples).as_secs_f64();
        let spread = match (low, high) {
            (Some(low), Some(high)) if samples.len() > 1 => {
                format!(" [{:.2}–{:.2}]", low.as_secs_f64(), high.as_secs_f64())
            }
            _ => String::new(),
        };
        let base = match (mode, full) {
            ("check", Some((check, _))) => check,
            ("release", Some((_, release))) if !is_consumer => release,
            _ => None,
        };
        let delta = match base {
            Some(base) if name != "full" => format!(" ({:+.0}%)", 100.0 * (median - base) / base),
            _ => String::new(),
        };
        cells.push(format!("{median:.2} s{delta}{spread}"));
    }
    Ok(format!("| {name} | {what} | {src_lines} | {} | {} | {} |", cells[0], cells[1], cells[2]))
}

/// Reads back the check and release seconds of a row (for the deltas of later rows).
fn parse_row_times(row: &str) -> (Option<f64>, Option<f64>) {
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    let seconds = |cell: Option<&&str>| cell.and_then(|c| c.split(' ').next()).and_then(|n| n.parse().ok());
    (seconds(cells.get(4)), seconds(cells.get(5)))
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The crate's manifest (detached from any workspace) and `src/`, each file passed through `edit`.
fn library(source: &Source, edit: impl Fn(&str, &str) -> String) -> BTreeMap<String, String> {
    source
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src/"))
        .map(|(path, text)| (path.clone(), edit(path, text)))
        .chain([("Cargo.toml".to_owned(), detached(&source.files["Cargo.toml"]))])
        .collect()
}

/// A manifest that is its own workspace, so the copy never joins an enclosing one.
fn detached(manifest: &str) -> String {
    format!("{manifest}\n[workspace]\n")
}

fn strip_docs(text: &str) -> String {
    text.lines()
        .filter(|line| {
            let t = line.trim_start();
            !(t.starts_with("///") || t.starts_with("//!"))
        })
        .flat_map(|line| [line, "\n"])
        .collect()
}

/// Removes serde from a file: its derives, its attributes and the `impl ::serde::…` blocks of the
/// open-enum macro.
fn strip_serde(text: &str) -> String {
    let text = strip_derives(text, |d| !d.starts_with("serde::"));
    let text = remove_spans(&text, "#[serde(");
    remove_impls(&text, &["::serde::Serialize for", "::serde::Deserialize<'de> for"])
}

/// Keeps only the derives for which `keep` holds; drops the attribute when none is left.
fn strip_derives(text: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[derive(") {
        out.push_str(&rest[..at]);
        let inner_start = at + "#[derive(".len();
        let Some(len) = rest[inner_start..].find(")]") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let kept: Vec<&str> = rest[inner_start..inner_start + len]
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty() && keep(d))
            .collect();
        let mut after = &rest[inner_start + len + 2..];
        if kept.is_empty() {
            // Also drop the line break (and the next line's indentation stays with the next line).
            after = after.strip_prefix('\n').unwrap_or(after);
            while out.ends_with(' ') {
                out.pop();
            }
        } else {
            let _ = write!(out, "#[derive({})]", kept.join(", "));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Removes every attribute that starts with `open` (brackets balanced, string literals skipped),
/// with the line it leaves empty.
fn remove_spans(text: &str, open: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(open) {
        out.push_str(&rest[..at]);
        let Some(end) = balanced_end(&rest[at..]) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let mut after = &rest[at + end..];
        if out.ends_with([' ', '\n']) && after.starts_with('\n') {
            while out.ends_with(' ') {
                out.pop();
            }
            after = &after[1..];
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Removes `impl` blocks whose header contains one of `headers`, up to their closing brace.
fn remove_impls(text: &str, headers: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let found = headers.iter().filter_map(|h| rest.find(h)).min();
        let Some(at) = found else { break };
        let Some(start) = rest[..at].rfind("impl") else { break };
        let Some(brace) = rest[at..].find('{') else { break };
        let Some(end) = balanced_end(&rest[at + brace..]) else { break };
        out.push_str(&rest[..start]);
        rest = &rest[at + brace + end..];
    }
    out.push_str(rest);
    out
}

/// The length of the bracketed span that starts at `text` (from its first opening bracket to
/// the matching closing one, plus a `]` that directly follows a `)`), skipping string literals.
fn balanced_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;

    let mut opened = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => {
                depth += 1;
                opened = true;
            }
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if opened && depth == 0 {
                    return Some(i + c.len_utf8());
                }
            }
            _ => {}
        }
    }
    None
}

/// The public model types, from `models/mod.rs`.
fn model_types(source: &Source) -> Vec<String> {
    let mod_rs = source.files.get("src/models/mod.rs").map(String::as_str).unwrap_or_default();
    mod_rs
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub use "))
        .filter_map(|rest| rest.trim_end_matches(';').split_once("::").map(|(_, ty)| ty.to_owned()))
        .collect()
}

/// A binary that deserializes and serializes each of `types` with serde_json, depending on the
/// copy at `library`.
fn consumer(types: &[String], library: &Path, helpers: bool) -> BTreeMap<String, String> {
    let manifest = format!(
        "[package]\nname = \"authlete-consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nauthlete = {{ path = {:?} }}\nserde = \"1\"\nserde_json = \"1\"\n\n[workspace]\n",
        library.to_string_lossy()
    );
    let mut main = String::from(
        "fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(json: &str) -> usize {\n    \
         serde_json::from_str::<T>(json).ok().and_then(|v| serde_json::to_string(&v).ok()).map_or(0, |s| s.len())\n}\n\n\
         fn main() {\n    let json = std::env::args().nth(1).unwrap_or_default();\n    let mut n = 0;\n",
    );
    for ty in types {
        if helpers {
            let f = snake(ty);
            let _ = writeln!(
                main,
                "    n += authlete::json::{f}_from_str(&json).ok().and_then(|v| authlete::json::{f}_to_string(&v).ok()).map_or(0, |s| s.len());"
            );
        } else {
            let _ = writeln!(main, "    n += round_trip::<authlete::models::{ty}>(&json);");
        }
    }
    main.push_str("    println!(\"{n}\");\n}\n");
    BTreeMap::from([("Cargo.toml".to_owned(), manifest), ("src/main.rs".to_owned(), main)])
}

/// A module of non-generic functions that (de)serialize `types` with serde_json, so that serde's
/// generic code is compiled once, with the crate, instead of in every crate that calls it.
fn json_helpers(types: &[&str]) -> String {
    let mut out = String::from("//! JSON in and out without generics in the caller.\n");
    for ty in types {
        let f = snake(ty);
        let _ = write!(
            out,
            "\npub fn {f}_from_str(json: &str) -> serde_json::Result<crate::models::{ty}> {{\n    \
             serde_json::from_str(json)\n}}\n\n\
             pub fn {f}_to_string(value: &crate::models::{ty}) -> serde_json::Result<String> {{\n    \
             serde_json::to_string(value)\n}}\n"
        );
    }
    out
}

/// `TokenResponse` → `token_response`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Runs cargo on `manifest` with the scratch target directory; the error carries cargo's output.
fn cargo(args: &[&str], manifest: &Path, target: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).take(12).collect();
        Err(format!("`cargo {}` failed for {}: {}", args.join(" "), manifest.display(), tail.join(" / ")))
    }
}

/// Makes cargo consider `path` (and so its crate) changed.
fn touch(path: &Path) -> Result<(), String> {
    let file = fs::File::options().write(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.set_modified(SystemTime::now()).map_err(|e| format!("{}: {e}", path.display()))
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_is_stripped_from_derives_attributes_and_impls() {
        let text = "/// Doc.\n#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]\n\
                    #[serde(rename_all = \"camelCase\")]\npub struct A {\n    \
                    #[serde(\n        rename = \"a)]\",\n        skip_serializing_if = \"Option::is_none\"\n    )]\n    \
                    pub a: Option<String>,\n}\n\
                    impl ::serde::Serialize for $name {\n    fn f() { if x { y } }\n}\nimpl X for Y {}\n";
        let out = strip_serde(text);
        assert_eq!(
            out,
            "/// Doc.\n#[derive(Debug, Clone)]\npub struct A {\n    pub a: Option<String>,\n}\n\nimpl X for Y {}\n"
        );
        assert_eq!(
            strip_docs(&out),
            "#[derive(Debug, Clone)]\npub struct A {\n    pub a: Option<String>,\n}\n\nimpl X for Y {}\n"
        );
    }

    #[test]
    fn derives_that_all_go_take_their_line() {
        let text = "    #[derive(Debug, Clone)]\n    pub enum E {}\n";
        assert_eq!(strip_derives(text, |d| d.starts_with("serde::")), "    pub enum E {}\n");
    }

    #[test]
    fn lines_are_classified() {
        let lines = Lines::of("//! Crate.\n\n// Generated.\n/// Doc.\npub struct A;\n");
        assert_eq!((lines.doc, lines.comment, lines.blank, lines.code), (2, 1, 1, 1));
    }

    #[test]
    fn features_and_gated_modules_are_read() {
        let manifest = "[package]\nname = \"a\"\n[features]\n# Areas.\ndefault = [\"x\"]\nx = []\n\"y-z\" = []\n\
                        [dependencies]\nserde = \"1\"\n";
        assert_eq!(features_of(manifest), ["x", "y-z"]);
        let mod_rs = "//! Models; all.\n#[cfg(feature = \"x\")]\nmod a;\n#[cfg(feature = \"x\")]\npub use a::A;\n\
                      #[cfg(\n    any(\n        feature = \"x\",\n        feature = \"y-z\"\n    )\n)]\nmod b;\n\
                      mod c;\npub use c::C;\n";
        let modules = gated_modules(mod_rs);
        let read: Vec<String> =
            modules.iter().map(|(module, features)| format!("{module}:{}", features.join(","))).collect();
        assert_eq!(read, ["a:x", "b:x,y-z", "c:"]);
        let compiled = |feature: &str| modules.iter().filter(|(_, features)| compiles(features, feature)).count();
        assert_eq!((compiled("x"), compiled("y-z"), compiled("w")), (3, 2, 1));
    }
}
