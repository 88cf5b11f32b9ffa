//! Which operations the model makes list operations (walked page by page by a `…_pages` method),
//! on the real spec and on shapes that only look like lists in part.

mod common;

use std::path::Path;

use authlete_codegen::model::TypeSpace;

fn model(text: &str) -> TypeSpace {
    let spec = authlete_codegen::load::load(Path::new("spec.yaml"), text).unwrap_or_else(|e| panic!("{e}"));
    authlete_codegen::model::build(&spec).unwrap_or_else(|e| panic!("{e}"))
}

/// `(operation, pages method, items field)` of every list operation.
fn lists(space: &TypeSpace) -> Vec<(String, String, String)> {
    space
        .operations
        .iter()
        .filter_map(|op| {
            let p = op.pagination.as_ref()?;
            Some((op.rust_name.clone(), p.method.clone(), p.items_field.clone()))
        })
        .collect()
}

#[test]
fn the_authlete_list_operations_are_lists() {
    let space = model(&common::shared_spec("authlete-openapi.yaml"));
    let owned = lists(&space);
    let found: Vec<(&str, &str, &str)> = owned.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    assert_eq!(
        found,
        [
            ("service_get_list", "service_get_list_pages", "services"),
            ("client_get_list", "client_get_list_pages", "clients"),
            ("client_authorization_get_list", "client_authorization_get_list_pages", "clients"),
            ("client_authorization_get_list_by_subject", "client_authorization_get_list_by_subject_pages", "clients"),
            ("auth_token_get_list", "auth_token_get_list_pages", "access_tokens"),
        ]
    );
    let token_list = space.operations.iter().find(|op| op.rust_name == "auth_token_get_list").unwrap();
    let pagination = token_list.pagination.as_ref().unwrap();
    assert_eq!((pagination.start.name.as_str(), pagination.end.name.as_str()), ("start", "end"));
    assert_eq!(pagination.total_field, "total_count");
    assert!(pagination.items_optional && pagination.total_optional);
}

/// A spec with one `GET` operation per entry: `(path, operationId, parameters YAML, answer schema YAML)`.
fn spec(operations: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n");
    for (path, id, parameters, answer) in operations {
        text.push_str(&format!(
            "  {path}:\n    get:\n      operationId: {id}\n      parameters: {parameters}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {answer}\n"
        ));
    }
    text
}

const RANGE: &str =
    "[{name: start, in: query, schema: {type: integer}}, {name: end, in: query, schema: {type: integer}}]";
const PAGE: &str =
    "{type: object, properties: {totalCount: {type: integer}, items: {type: array, items: {type: string}}}}";

#[test]
fn only_the_whole_shape_is_a_list() {
    let two_arrays = "{type: object, properties: {totalCount: {type: integer}, a: {type: array, items: {type: string}}, b: {type: array, items: {type: string}}}}";
    let no_total = "{type: object, properties: {items: {type: array, items: {type: string}}}}";
    let text_total =
        "{type: object, properties: {totalCount: {type: string}, items: {type: array, items: {type: string}}}}";
    let required_start = "[{name: start, in: query, required: true, schema: {type: integer}}, {name: end, in: query, schema: {type: integer}}]";
    let only_start = "[{name: start, in: query, schema: {type: integer}}]";
    let space = model(&spec(&[
        ("/list", "list", RANGE, PAGE),
        ("/two", "two_arrays", RANGE, two_arrays),
        ("/nototal", "no_total", RANGE, no_total),
        ("/texttotal", "text_total", RANGE, text_total),
        ("/required", "required_start", required_start, PAGE),
        ("/onlystart", "only_start", only_start, PAGE),
    ]));
    assert_eq!(lists(&space), [("list".to_owned(), "list_pages".to_owned(), "items".to_owned())]);
}

#[test]
fn an_operation_keeps_its_name_when_a_pages_method_would_take_it() {
    let space = model(&spec(&[("/a", "things", RANGE, PAGE), ("/b", "things_pages", "[]", PAGE)]));
    assert_eq!(lists(&space), [("things".to_owned(), "things_pages_2".to_owned(), "items".to_owned())]);
}
