//! How long the generator takes on the official spec, stage by stage, against a floor: parsing
//! the same YAML straight into `openapiv3::OpenAPI`, which no generator built on `openapiv3` can
//! avoid. Target (issue #6): the whole pipeline within 3× that floor.
//!
//! `cargo bench -p authlete-codegen --bench generate`; the ratio and the breakdown are printed at
//! the end and kept in `target/criterion/generate-summary.txt`.

mod support;

use std::path::{Path, PathBuf};

use authlete_codegen::{load, model, render};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use support::{bench, cpu_median, fastest, fmt_time, group, median, publish, table};

const TARGET_RATIO: f64 = 3.0;

fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/authlete-openapi.yaml")
}

fn main() {
    let path = spec_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut c = support::criterion();

    // The whole pipeline and its floor, side by side.
    let mut g = group(&mut c, "generate");
    bench(&mut g, "generate", "pipeline", || authlete_codegen::generate(&path, &text).expect("the spec generates"));
    bench(&mut g, "generate", "parse_only", || {
        serde_yaml::from_str::<openapiv3::OpenAPI>(&text).expect("the spec parses")
    });
    g.finish();

    // The stages `generate` chains, each on the previous stage's output.
    let spec = load::load(&path, &text).expect("the spec loads");
    let space = model::build(&spec).expect("the model builds");
    let provenance = render::Provenance {
        title: spec.title().to_owned(),
        version: spec.version().to_owned(),
        sha256: spec.sha256.clone(),
    };
    let descriptions = load::schema_descriptions(&spec.raw);
    let rustdoc = render::convert_descriptions(descriptions.clone());
    let mut g = group(&mut c, "stages");
    bench(&mut g, "stages", "load", || load::load(&path, &text).expect("the spec loads"));
    bench(&mut g, "stages", "model", || model::build(&spec).expect("the model builds"));
    // Overlapped with load and model in `generate`, on another core.
    bench(&mut g, "stages", "docs", || render::convert_descriptions(descriptions.clone()));
    bench(&mut g, "stages", "render", || render::render(&space, &provenance, &rustdoc).expect("the crate renders"));
    g.finish();

    // Inside `load`: the YAML parse into a JSON tree, and `openapiv3` reading that tree (with
    // and without the path tracking that makes its errors point somewhere).
    let raw: serde_json::Value = serde_yaml::from_str(&text).expect("the spec parses");
    let mut g = group(&mut c, "load_parts");
    bench(&mut g, "load_parts", "yaml_to_value", || serde_yaml::from_str::<serde_json::Value>(&text).expect("parses"));
    bench(&mut g, "load_parts", "value_to_openapi_tracked", || {
        serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw).expect("is OpenAPI")
    });
    bench(&mut g, "load_parts", "value_to_openapi", || openapiv3::OpenAPI::deserialize(&raw).expect("is OpenAPI"));
    bench(&mut g, "load_parts", "sha256", || Sha256::digest(text.as_bytes()));
    g.finish();

    c.final_summary();
    if support::measuring() {
        let files = render::render(&space, &provenance, &rustdoc).expect("the crate renders");
        summary(&files);
    }
}

fn summary(files: &[authlete_codegen::GeneratedFile]) {
    // Each figure by three estimators: the median and the fastest sample of wall-clock time, and
    // the median of CPU time, which background load on a shared machine disturbs least (the sums
    // of stages only add up to the pipeline when the machine is quiet).
    type Estimator = fn(&str) -> Option<f64>;
    let estimators: [(&str, Estimator); 3] =
        [("wall median", median), ("wall fastest", fastest), ("CPU median", cpu_median)];
    let mut columns = Vec::new();
    let mut headline = Vec::new();
    for (estimator, get) in estimators {
        let m = |key: &str| get(key).unwrap_or(f64::NAN);
        let (pipeline, parse) = (m("generate/pipeline"), m("generate/parse_only"));
        let (load, model, docs, render) = (m("stages/load"), m("stages/model"), m("stages/docs"), m("stages/render"));
        let (yaml, tracked, plain, sha) = (
            m("load_parts/yaml_to_value"),
            m("load_parts/value_to_openapi_tracked"),
            m("load_parts/value_to_openapi"),
            m("load_parts/sha256"),
        );
        let ratio = pipeline / parse;
        let verdict = if ratio <= TARGET_RATIO { "meets" } else { "misses" };
        headline.push(format!(
            "{estimator}: pipeline {} ÷ floor {} = {ratio:.2}× ({verdict} the target of ≤ {TARGET_RATIO:.0}×)",
            fmt_time(pipeline),
            fmt_time(parse)
        ));
        let share = |t: f64| format!("{:>9} {:>5.1}%", fmt_time(t), 100.0 * t / pipeline);
        columns.push(vec![
            share(pipeline),
            share(parse),
            share(load),
            share(yaml),
            share(tracked),
            share(plain),
            share(sha),
            share(model),
            share(docs),
            share(render),
        ]);
    }
    let labels = [
        "pipeline (authlete_codegen::generate)",
        "floor: serde_yaml → openapiv3::OpenAPI",
        "stage load",
        "  YAML → serde_json::Value (plain)",
        "  Value → OpenAPI, path-tracked",
        "  (same, untracked)",
        "  sha256 of the text (beside the parse, on another core)",
        "stage model",
        "docs: Markdown → rustdoc (during load and model, on another core)",
        "stage render (all cores)",
    ];
    let header = estimators.iter().map(|(name, _)| format!("{name:>16}")).collect::<Vec<_>>().join(" | ");
    let mut rows: Vec<(String, String)> = vec![(String::new(), header)];
    for (i, label) in labels.iter().enumerate() {
        let cells: Vec<&str> = columns.iter().map(|column| column[i].as_str()).collect();
        rows.push(((*label).to_owned(), cells.join(" | ")));
    }
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
    rows.push(("output".to_owned(), format!("{} files, {} bytes", files.len(), bytes)));
    let title = format!("generate, per iteration over the measured samples\n  {}", headline.join("\n  "));
    publish("generate-summary.txt", &table(&title, &rows));
}
