//! JSON speed of the generated models on realistic payloads (every field set), against parsing
//! and printing the same bytes as an untyped `serde_json::Value`. Target (issue #6): typed
//! deserialization at least as fast as the `Value` parse, kept by issue #11 with the catch-all map
//! of unknown members that every struct has.
//!
//! `cargo bench -p authlete-codegen --bench serde`; the ratios are printed at the end and kept in
//! `target/criterion/serde-summary.txt`.

mod support;

use authlete::models::{Service, TokenResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;
use support::{bench, cpu_median, fmt_time, group, median, publish, table};

const SERVICE: &[u8] = include_bytes!("data/service.json");
const TOKEN_RESPONSE: &[u8] = include_bytes!("data/token_response.json");

/// Deserializes `bytes` as a `T`, naming the exact field serde stopped at when it cannot.
fn typed<T: DeserializeOwned>(name: &str, bytes: &[u8]) -> T {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).unwrap_or_else(|e| {
        panic!("{name} does not deserialize with the current models at `{}`: {}", e.path(), e.inner())
    })
}

fn payload<T: DeserializeOwned + Serialize>(c: &mut criterion::Criterion, name: &str, bytes: &'static [u8]) {
    let value: T = typed(name, bytes);
    let untyped: serde_json::Value = serde_json::from_slice(bytes).expect("the payload is JSON");
    let mut g = group(c, name);
    g.throughput(criterion::Throughput::Bytes(bytes.len() as u64));
    bench(&mut g, name, "deserialize_typed", || serde_json::from_slice::<T>(bytes).expect("deserializes"));
    bench(&mut g, name, "deserialize_value", || serde_json::from_slice::<serde_json::Value>(bytes).expect("parses"));
    bench(&mut g, name, "serialize_typed", || serde_json::to_vec(&value).expect("serializes"));
    bench(&mut g, name, "serialize_value", || serde_json::to_vec(&untyped).expect("serializes"));
    g.finish();
}

fn main() {
    let mut c = support::criterion();
    payload::<Service>(&mut c, "service", SERVICE);
    payload::<TokenResponse>(&mut c, "token_response", TOKEN_RESPONSE);
    c.final_summary();
    if support::measuring() {
        summary();
    }
}

fn summary() {
    let m = |key: &str| median(key).unwrap_or(f64::NAN);
    let mut rows = Vec::new();
    for (name, bytes) in [("service", SERVICE.len()), ("token_response", TOKEN_RESPONSE.len())] {
        let (de_typed, de_value) = (m(&format!("{name}/deserialize_typed")), m(&format!("{name}/deserialize_value")));
        let (ser_typed, ser_value) = (m(&format!("{name}/serialize_typed")), m(&format!("{name}/serialize_value")));
        let cpu = |key: &str| cpu_median(&format!("{name}/{key}")).unwrap_or(f64::NAN);
        let cpu_ratio = cpu("deserialize_typed") / cpu("deserialize_value");
        let verdict = if de_typed <= de_value { "meets" } else { "misses" };
        let mb_s = |t: f64| bytes as f64 / t / 1e6;
        rows.push((
            format!("{name} ({bytes} B) deserialize"),
            format!(
                "typed {} ({:.0} MB/s), Value {} ({:.0} MB/s): typed ÷ Value = {:.2}× (CPU time {cpu_ratio:.2}×; \
                 {verdict} the target of ≤ 1×)",
                fmt_time(de_typed),
                mb_s(de_typed),
                fmt_time(de_value),
                mb_s(de_value),
                de_typed / de_value
            ),
        ));
        rows.push((
            format!("{name} ({bytes} B) serialize"),
            format!(
                "typed {}, Value {}: typed ÷ Value = {:.2}×",
                fmt_time(ser_typed),
                fmt_time(ser_value),
                ser_typed / ser_value
            ),
        ));
    }
    publish(
        "serde-summary.txt",
        &table(
            "serde: medians of the measured samples (wall-clock; serde_json with `preserve_order`, as the workspace \
             builds it)",
            &rows,
        ),
    );
}
