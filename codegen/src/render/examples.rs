//! The generated crate's own test: every `example` of the spec round-trips through its model.
//! Written as text (see `code_text.rs`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::code_text::{push_cfg, raw_string, string_literal};
use super::context::{feature_condition, Context};
use crate::model::naming::{snake, Scope};

pub fn tests(context: &Context<'_>) -> String {
    let space = context.space;
    let paths = context.paths.from("authlete::models");
    let mut names = Scope::default();
    // The spec repeats examples for each media type; one test per distinct (type, value) is enough.
    let mut seen = BTreeSet::new();
    let mut tests = String::new();
    for example in &space.examples {
        let json = example.value.to_string();
        if !seen.insert((example.ty.clone(), example.nullable, json.clone())) {
            continue;
        }
        let mut ty = paths.type_text(&example.ty, space);
        if example.nullable {
            ty = format!("{}<{ty}>", paths.option());
        }
        let name = names.claim(&snake(&example.pointer.segments().collect::<Vec<_>>().join(" "), "example"), "_");
        // An example of a type behind a feature is tested when that feature is on.
        let condition = example.ty.direct_named().and_then(|id| feature_condition(&space.get(id).features));
        tests.push('\n');
        push_cfg(&mut tests, 0, condition);
        let _ = write!(
            tests,
            "#[test]
fn {name}() {{
    round_trip::<{ty}>(
        {pointer},
        {json},
    );
}}
",
            pointer = string_literal(&format!("#{}", example.pointer)),
            json = raw_string(&json),
        );
    }
    if tests.is_empty() {
        return "//! The spec has no `example` to round-trip through the models.\n".to_owned();
    }
    format!(
        "{}{tests}",
        r#"//! Every `example` in the spec deserializes into its model and serializes back to the same JSON.
//! (Members that an example has but its schema does not define, a spec bug reported when
//! generating, are kept among the struct's unknown members and written back too.)

fn round_trip<T>(pointer: &str, json: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let expected: serde_json::Value = serde_json::from_str(json).unwrap();
    let parsed: T = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("the example at {pointer} does not parse: {e}\n{json}"));
    let written = serde_json::to_value(&parsed).unwrap();
    assert_eq!(written, expected, "the example at {pointer} changed in a round trip");
}
"#
    )
}
