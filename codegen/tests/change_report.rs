//! The change report: what a regeneration changes for users of the crate.

mod common;

use std::path::Path;

use authlete_codegen::surface::{diff, Surface};

fn surface_of(name: &str, text: &str) -> Surface {
    authlete_codegen::surface(Path::new(name), text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn real_pair_2025_08_to_current() {
    let old = surface_of("old.yaml", &common::shared_spec("authlete-openapi-2025-08.yaml"));
    let new = surface_of("new.yaml", &common::shared_spec("authlete-openapi.yaml"));
    let report = diff(&old, &new);
    std::fs::write("/tmp/wt12/real.txt", report.text()).unwrap();
    std::fs::write("/tmp/wt12/real.md", report.markdown()).unwrap();
    std::fs::write("/tmp/wt12/old.json", old.to_json()).unwrap();
    std::fs::write("/tmp/wt12/new.json", new.to_json()).unwrap();
}
