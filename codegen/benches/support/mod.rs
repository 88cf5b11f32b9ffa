//! What the benchmarks share: criterion settings small enough for a 2-core machine, and the
//! per-iteration times of every benchmark kept aside so that each bench can print ratios
//! (pipeline ÷ parse, typed ÷ `Value`) from the very samples criterion measured.

#![allow(dead_code)] // each bench uses a different part

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};

/// Samples per benchmark and the time spent measuring each: the whole `cargo bench` stays
/// around a minute and a half of running on 2 cores (plus the release build).
pub const SAMPLES: usize = 10;

pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
        .configure_from_args()
}

/// A group whose every sample runs the same number of iterations (criterion's advice for
/// routines that take milliseconds).
pub fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat);
    group
}

/// Per-iteration seconds of every sample (warm-up included), by `group/name`.
static TIMES: Mutex<BTreeMap<String, Vec<f64>>> = Mutex::new(BTreeMap::new());

/// Benchmarks `routine` as `name` in `group`, remembering each sample's time per iteration.
pub fn bench<O>(group: &mut BenchmarkGroup<'_, WallTime>, group_name: &str, name: &str, mut routine: impl FnMut() -> O) {
    let key = format!("{group_name}/{name}");
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(routine());
            }
            let elapsed = start.elapsed();
            let per_iteration = elapsed.as_secs_f64() / iters.max(1) as f64;
            TIMES.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default().push(per_iteration);
            elapsed
        })
    });
}

/// The median time per iteration over the last [`SAMPLES`] samples (the measured ones, not the
/// warm-up) of `group/name`, if it ran.
pub fn median(key: &str) -> Option<f64> {
    let times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
    let all = times.get(key)?;
    let mut last: Vec<f64> = all[all.len().saturating_sub(SAMPLES)..].to_vec();
    last.sort_by(f64::total_cmp);
    let n = last.len();
    (n > 0).then(|| if n % 2 == 1 { last[n / 2] } else { (last[n / 2 - 1] + last[n / 2]) / 2.0 })
}

/// Whether criterion is measuring (`cargo bench`), as opposed to running each benchmark once
/// as a test (`cargo test --benches`, `cargo bench -- --test`) or listing them.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list")
}

/// Human-readable duration.
pub fn fmt_time(seconds: f64) -> String {
    if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

/// Prints `report` and keeps it in `target/criterion/<file>` next to criterion's own results.
pub fn publish(file: &str, report: &str) {
    println!("\n{report}");
    let Some(dir) = criterion_dir() else { return };
    let written = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(file), report));
    match written {
        Ok(()) => println!("(kept in {})", dir.join(file).display()),
        Err(e) => eprintln!("could not write {}: {e}", dir.join(file).display()),
    }
}

/// `target/criterion`, found from this executable (`target/release/deps/<bench>-<hash>`) the way
/// criterion finds it, unless `CRITERION_HOME` says otherwise.
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// A small fixed-width table: `rows` of (label, value) under a title.
pub fn table(title: &str, rows: &[(String, String)]) -> String {
    let width = rows.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    let mut out = format!("{title}\n");
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<width$}  {value}");
    }
    out
}
