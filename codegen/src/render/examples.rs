//! The generated crate's own test: every `example` of the spec round-trips through its model.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::context::{cfg_any, Context};
use super::rust_types::Paths;
use crate::model::naming::{snake, Scope};

pub fn tests(context: &Context<'_>) -> TokenStream {
    let space = context.space;
    let paths = Paths { models: quote!(authlete::models), ..context.paths.clone() };
    let option = &paths.option;
    let mut names = Scope::default();
    // The spec repeats examples for each media type; one test per distinct (type, value) is enough.
    let mut seen = BTreeSet::new();
    let tests = space.examples.iter().filter_map(|example| {
        let json = example.value.to_string();
        if !seen.insert((example.ty.clone(), example.nullable, json.clone())) {
            return None;
        }
        let mut ty = paths.type_of(&example.ty, space);
        if example.nullable {
            ty = quote!(#option<#ty>);
        }
        let test = format_ident!(
            "{}",
            names.claim(&snake(&example.pointer.segments().collect::<Vec<_>>().join(" "), "example"), "_")
        );
        let pointer = format!("#{}", example.pointer);
        // An example of a type behind a feature is tested when that feature is on.
        let cfg = example.ty.direct_named().map(|id| cfg_any(&space.get(id).features));
        Some(quote! {
            #cfg
            #[test]
            fn #test() {
                round_trip::<#ty>(#pointer, #json);
            }
        })
    });
    let tests: Vec<TokenStream> = tests.collect();
    if tests.is_empty() {
        return quote! {
            //! The spec has no `example` to round-trip through the models.
        };
    }
    quote! {
        //! Every `example` in the spec deserializes into its model and serializes back to the same JSON.
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

        #(#tests)*
    }
}
