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

/// Per-iteration seconds of every sample (warm-up included), by `group/name`: wall-clock time
/// (what criterion reports) and the process's CPU time over the same sample.
static TIMES: Mutex<BTreeMap<String, Vec<Sample>>> = Mutex::new(BTreeMap::new());

#[derive(Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
}

/// Benchmarks `routine` as `name` in `group`, remembering each sample's time per iteration.
pub fn bench<O>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    group_name: &str,
    name: &str,
    mut routine: impl FnMut() -> O,
) {
    let key = format!("{group_name}/{name}");
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let cpu_start = cpu_time();
            let start = Instant::now();
            for _ in 0..iters {
                black_box(routine());
            }
            let elapsed = start.elapsed();
            let cpu = cpu_time().zip(cpu_start).map_or(f64::NAN, |(end, start)| (end - start).as_secs_f64());
            let n = iters.max(1) as f64;
            let sample = Sample { wall: elapsed.as_secs_f64() / n, cpu: cpu / n };
            TIMES.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default().push(sample);
            elapsed
        })
    });
}

/// CPU time used so far by the whole process (all threads): unlike wall-clock time, it does not
/// grow while other work on a shared machine holds the cores.
#[cfg(target_os = "linux")]
fn cpu_time() -> Option<Duration> {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `clock_gettime` only writes the `timespec` it is given, which lives on this stack.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    (status == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

#[cfg(not(target_os = "linux"))]
fn cpu_time() -> Option<Duration> {
    None
}

/// The measured samples (the last [`SAMPLES`], not the warm-up) of `group/name`, sorted by `pick`.
fn measured(key: &str, pick: fn(&Sample) -> f64) -> Vec<f64> {
    let times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
    let all = times.get(key).map(Vec::as_slice).unwrap_or_default();
    let mut values: Vec<f64> = all[all.len().saturating_sub(SAMPLES)..].iter().map(pick).collect();
    values.sort_by(f64::total_cmp);
    values
}

fn middle(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    (n > 0).then(|| if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 })
}

/// The median wall-clock time per iteration of `group/name`, if it ran.
pub fn median(key: &str) -> Option<f64> {
    middle(&measured(key, |s| s.wall))
}

/// The fastest sample's wall-clock time per iteration: where other work lands on some samples,
/// a steadier estimate of the routine's own cost than the median.
pub fn fastest(key: &str) -> Option<f64> {
    measured(key, |s| s.wall).first().copied()
}

/// The median CPU time per iteration (Linux only): the steadiest estimate on a busy machine,
/// and the same as wall-clock time on an idle one for single-threaded routines.
pub fn cpu_median(key: &str) -> Option<f64> {
    middle(&measured(key, |s| s.cpu)).filter(|t| t.is_finite())
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
