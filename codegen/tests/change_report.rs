//! The change report: what a regeneration changes for users of the crate, each change flagged
//! breaking or additive (rules: `docs/change-report.md`). Reports are asserted in full.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use authlete_codegen::surface::{diff, OperationSurface, ParamSurface, Surface, TypeSurface, FILE, FORMAT};

fn surface_of(name: &str, text: &str) -> Surface {
    authlete_codegen::surface(Path::new(name), text).unwrap_or_else(|e| panic!("{e}"))
}

fn fixture_surface(name: &str) -> Surface {
    surface_of(name, &common::fixture(&format!("changes/{name}")))
}

/// `fixtures/changes/old.yaml` → `new.yaml` makes one of each change to types: its report, as
/// text and as Markdown, is `old_to_new.txt` and `old_to_new.md`.
#[test]
fn every_kind_of_type_change_is_reported_and_flagged() {
    let report = diff(&fixture_surface("old.yaml"), &fixture_surface("new.yaml"));
    assert_eq!(report.text(), common::fixture("changes/old_to_new.txt"));
    assert_eq!(report.markdown(), common::fixture("changes/old_to_new.md"));
    assert_eq!((report.breaking().count(), report.additive().count()), (12, 4));
}

/// `fixtures/changes/ops_old.yaml` → `ops_new.yaml` makes one of each change to operations, from
/// real specs through the operation model: a rename (same method and path), a new required and a
/// new optional parameter, a removal, a new method, a new body and a new answer, an addition.
#[test]
fn every_kind_of_operation_change_in_a_spec_pair_is_reported_and_flagged() {
    let report = diff(&fixture_surface("ops_old.yaml"), &fixture_surface("ops_new.yaml"));
    assert_eq!(
        report.text(),
        "API changes from Ops 1 to Ops 2: 6 breaking, 2 additive

Breaking (6):
  operation `thing_before` renamed to `thing_after`
  parameter `thing_get(view)` added (required query parameter, `String`)
  operation `thing_old` removed (`DELETE /api/{serviceId}/thing/old`)
  operation `thing_update`: `POST /api/{serviceId}/thing/update` → `PUT /api/{serviceId}/thing/update`
  operation `thing_update`: request body `Thing` → `Patch`
  operation `thing_update`: response `Thing` → `()`

Additive (2):
  parameter `thing_list(end)` added (optional query parameter, `i32`)
  operation `thing_new` added (`POST /api/{serviceId}/thing/new`)
"
    );
}

#[test]
fn an_unchanged_surface_reports_nothing() {
    let old = fixture_surface("old.yaml");
    let report = diff(&old, &old);
    assert!(report.changes.is_empty());
    assert_eq!(report.text(), "API changes from Changes 1 to Changes 1: no API changes\n");
    assert_eq!(report.markdown(), "## API changes: Changes 1 → Changes 1\n\nNo API changes.\n");
}

/// The real history: the 2025-08 generation ("Authlete API Explorer") renamed every schema
/// on the way to today's ("Authlete API"), and `clientId` turned from an integer into a string.
#[test]
fn real_pair_2025_08_to_current() {
    let old = surface_of("old.yaml", &common::shared_spec("authlete-openapi-2025-08.yaml"));
    let new = surface_of("new.yaml", &common::shared_spec("authlete-openapi.yaml"));
    let report = diff(&old, &new);
    let text = report.text();
    assert!(
        text.starts_with("API changes from Authlete API Explorer 3.0.0 to Authlete API 3.0.16: "),
        "{}",
        text.lines().next().unwrap_or_default()
    );
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for expected in [
        // The token request: a rename (of two old types with the same members), not a removal plus
        // an addition. The inline JSON body kept `properties` as text, which a fixup corrects in
        // the named schema only, so it is not identical to it and its own changes are listed.
        "type `AuthTokenApiRequest` renamed to `TokenRequest` (same shape: 11 of 17 fields)",
        "type `ApiServiceIdAuthToken` renamed to `TokenRequest` (same shape: 11 of 17 fields), like `AuthTokenApiRequest`",
        "field `TokenRequest.properties`: type `Option<String>` → `Option<Vec<Property>>`",
        "field `TokenRequest.client_id`: type `Option<i64>` → `Option<String>`",
        "field `TokenRequest.cimd_options` added (optional, `Option<CimdOptions>`, JSON `cimdOptions`)",
        "type `AuthTokenApiResponse` renamed to `TokenResponse` (same shape: 47 of 53 fields)",
        "type `AuthIntrospectionApiRequest` renamed to `IntrospectionRequest` (same shape: 14 of 17 fields)",
    ] {
        assert!(lines.contains(&expected), "missing: {expected}\n{text}");
    }
    let breaking: Vec<String> = report.breaking().map(|c| c.line()).collect();
    assert!(breaking.contains(&"field `TokenRequest.client_id`: type `Option<i64>` → `Option<String>`".to_owned()));
    assert!(breaking.iter().any(|line| line.starts_with("type `ApiServiceIdAuthToken` renamed to `TokenRequest`")));
    let additive: Vec<String> = report.additive().map(|c| c.line()).collect();
    assert!(additive.iter().all(|line| !line.contains("renamed")), "renames are breaking");
    // The same pair always gives the same report.
    assert_eq!(diff(&old, &new), report);
}

#[test]
fn the_record_is_line_per_entry_json_that_reads_back() {
    let surface = fixture_surface("old.yaml");
    let json = surface.to_json();
    assert_eq!(Surface::from_json(&json), Some(surface.clone()));
    let client = json.lines().skip_while(|line| !line.contains("\"Client\"")).take(3).collect::<Vec<_>>();
    assert_eq!(
        client,
        [
            "    \"Client\": {\"kind\": \"struct\", \"fields\": [",
            "      {\"rust\": \"id\", \"json\": \"id\", \"type\": \"i64\", \"required\": true},",
            "      {\"rust\": \"name\", \"json\": \"name\", \"type\": \"Option<String>\", \"required\": false},",
        ]
    );
    assert!(json
        .contains("    \"Color\": {\"kind\": \"enum\", \"values\": [\n      {\"value\": \"RED\", \"rust\": \"Red\"},"));
    assert!(json.contains("    \"Ids\": {\"kind\": \"alias\", \"target\": \"Vec<i64>\"},"));
    // A record of another layout is not compared (its meaning is unknown).
    let other = json.replacen(&format!("\"format\": {FORMAT}"), "\"format\": 999", 1);
    assert_eq!(Surface::from_json(&other), None);
    assert_eq!(Surface::from_json("not json"), None);
}

#[test]
fn the_record_is_generated_beside_the_crate_but_not_packaged() {
    let generated = common::generate(&common::fixture("changes/old.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let record = generated.files.iter().find(|f| f.path == FILE).expect("the record is generated");
    assert_eq!(record.contents, generated.surface.to_json());
    let manifest = generated.files.iter().find(|f| f.path == "Cargo.toml").expect("Cargo.toml");
    // The package holds only what `include` lists: the sources, the README and the license.
    assert!(
        manifest.contents.contains("include = [\"/src/**/*.rs\", \"/README.md\", \"/LICENSE\"]"),
        "{}",
        manifest.contents
    );
}

fn operation(
    method: &str,
    path: &str,
    params: &[(&str, &str, bool)],
    body: Option<&str>,
    response: &str,
) -> OperationSurface {
    OperationSurface {
        method: method.into(),
        path: path.into(),
        params: params
            .iter()
            .map(|(name, ty, required)| ParamSurface {
                rust: (*name).into(),
                json: (*name).into(),
                location: if *required { "path" } else { "query" }.into(),
                ty: (*ty).into(),
                required: *required,
            })
            .collect(),
        body: body.map(str::to_owned),
        response: response.into(),
    }
}

fn with_operations(version: &str, types: &[&str], operations: Vec<(&str, OperationSurface)>) -> Surface {
    Surface {
        format: FORMAT,
        title: "Ops".into(),
        version: version.into(),
        sha256: String::new(),
        types: types.iter().map(|name| ((*name).to_owned(), TypeSurface::Alias { target: "String".into() })).collect(),
        operations: operations.into_iter().map(|(name, op)| (name.to_owned(), op)).collect::<BTreeMap<_, _>>(),
        type_features: Some(BTreeMap::new()),
        operation_features: Some(BTreeMap::new()),
    }
}

/// `name` compiled with any of `features`.
fn compiled_with(name: &str, features: &[&str]) -> (String, BTreeSet<String>) {
    (name.to_owned(), features.iter().map(|f| (*f).to_owned()).collect())
}

/// A type or a method that loses a cargo feature is gone for users who enabled only that one;
/// one that gains a feature, or needs none any more, only adds.
#[test]
fn feature_changes_are_reported_and_flagged() {
    let get = || operation("GET", "/thing", &[], None, "()");
    let ops = || vec![("a_get", get()), ("b_get", get()), ("c_get", get())];
    let mut old = with_operations("1", &["Always", "Moved", "Narrowed", "Widened"], ops());
    old.type_features = Some(BTreeMap::from([
        compiled_with("Moved", &["area-a"]),
        compiled_with("Narrowed", &["area-a", "area-b", "area-c"]),
        compiled_with("Widened", &["area-a"]),
    ]));
    old.operation_features =
        Some(BTreeMap::from([compiled_with("a_get", &["area-a"]), compiled_with("b_get", &["area-b"])]));
    let mut new = with_operations("2", &["Always", "Moved", "Narrowed", "Widened"], ops());
    new.type_features = Some(BTreeMap::from([
        compiled_with("Always", &["area-a", "area-b"]),
        compiled_with("Moved", &["area-b"]),
        compiled_with("Narrowed", &["area-c"]),
        compiled_with("Widened", &["area-a", "area-b"]),
    ]));
    new.operation_features =
        Some(BTreeMap::from([compiled_with("b_get", &["area-b"]), compiled_with("c_get", &["area-c"])]));
    assert_eq!(
        diff(&old, &new).text(),
        "API changes from Ops 1 to Ops 2: 4 breaking, 3 additive

Breaking (4):
  type `Always` is no longer always compiled: it needs one of the features `area-a`, `area-b`
  type `Moved` is no longer compiled with the feature `area-a` (it needs the feature `area-b`)
  type `Narrowed` is no longer compiled with the features `area-a`, `area-b` (it needs the feature `area-c`)
  operation `c_get` is no longer always compiled: it needs the feature `area-c`

Additive (3):
  type `Moved` is now also compiled with the feature `area-b`
  type `Widened` is now also compiled with the feature `area-b`
  operation `a_get` is now always compiled (it needed the feature `area-a`)
"
    );

    // A record written before features were recorded compares no features.
    let mut unrecorded = old.clone();
    unrecorded.type_features = None;
    unrecorded.operation_features = None;
    assert_eq!(diff(&unrecorded, &new).text(), "API changes from Ops 1 to Ops 2: no API changes\n");
    let record = unrecorded.to_json();
    assert!(!record.contains("features"), "{record}");
    assert_eq!(Surface::from_json(&record), Some(unrecorded));
}

/// Operations are a section of the record of their own; the model does not produce them yet, so
/// their changes are tested on surfaces made by hand.
#[test]
fn every_kind_of_operation_change_is_reported_and_flagged() {
    let old = with_operations(
        "1",
        &["OldBody"],
        vec![
            (
                "token",
                operation(
                    "POST",
                    "/api/{serviceId}/auth/token",
                    &[("service_id", "String", true)],
                    Some("OldBody"),
                    "TokenResponse",
                ),
            ),
            (
                "client_get",
                operation(
                    "GET",
                    "/api/{serviceId}/client/get/{clientId}",
                    &[("service_id", "String", true), ("client_id", "i64", true)],
                    None,
                    "Client",
                ),
            ),
            (
                "client_list",
                operation(
                    "GET",
                    "/api/{serviceId}/client/get/list",
                    &[("service_id", "String", true), ("start", "i64", false)],
                    None,
                    "ClientList",
                ),
            ),
            ("info_old", operation("GET", "/api/info", &[], None, "Info")),
            ("gone", operation("DELETE", "/api/gone", &[], None, "()")),
        ],
    );
    let new = with_operations(
        "2",
        &["NewBody"],
        vec![
            // Its body type was renamed with the same shape: no change.
            (
                "token",
                operation(
                    "POST",
                    "/api/{serviceId}/auth/token",
                    &[("service_id", "String", true)],
                    Some("NewBody"),
                    "TokenResponse",
                ),
            ),
            (
                "client_get",
                operation(
                    "POST",
                    "/api/{serviceId}/client/get/{clientId}",
                    &[("service_id", "String", true), ("client_id", "String", true)],
                    Some("ClientQuery"),
                    "ClientV2",
                ),
            ),
            (
                "client_list",
                operation(
                    "GET",
                    "/api/{serviceId}/client/get/list",
                    &[("service_id", "String", true), ("end", "i64", false), ("developer", "String", true)],
                    None,
                    "ClientList",
                ),
            ),
            ("info", operation("GET", "/api/info", &[], None, "Info")),
            (
                "hsk_list",
                operation("GET", "/api/{serviceId}/hsk/get/list", &[("service_id", "String", true)], None, "HskList"),
            ),
        ],
    );
    let report = diff(&old, &new);
    assert_eq!(
        report.text(),
        "API changes from Ops 1 to Ops 2: 9 breaking, 2 additive

Breaking (9):
  type `OldBody` renamed to `NewBody` (same target)
  operation `client_get`: `GET /api/{serviceId}/client/get/{clientId}` → `POST /api/{serviceId}/client/get/{clientId}`
  operation `client_get`: request body `no body` → `ClientQuery`
  operation `client_get`: response `Client` → `ClientV2`
  parameter `client_get(client_id)`: type `i64` → `String`
  parameter `client_list(start)` removed
  parameter `client_list(developer)` added (required path parameter, `String`)
  operation `gone` removed (`DELETE /api/gone`)
  operation `info_old` renamed to `info`

Additive (2):
  parameter `client_list(end)` added (optional query parameter, `i64`)
  operation `hsk_list` added (`GET /api/{serviceId}/hsk/get/list`)
"
    );
}

/// `cargo xtask codegen` reports against the crate it replaces (read from its record, so a fresh
/// checkout works), also as Markdown; `--check` says what a stale crate would change; `cargo xtask
/// diff` compares two specs and writes nothing.
#[test]
fn xtask_reports_on_every_regeneration() {
    let work = common::scratch_dir("changes/xtask");
    let out = work.join("crate");
    let (old, new) = (common::fixture_path("changes/old.yaml"), common::fixture_path("changes/new.yaml"));

    let first = common::xtask_codegen(&old, &out);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout
            .ends_with(&format!("no change report: {} did not exist (a first generation)\n", out.join(FILE).display())),
        "{stdout}"
    );

    let check = common::xtask([
        "codegen".as_ref(),
        "--check".as_ref(),
        "--spec".as_ref(),
        new.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains(&common::fixture("changes/old_to_new.txt")), "{stderr}");

    let markdown = work.join("report.md");
    let second = common::xtask([
        "codegen".as_ref(),
        "--spec".as_ref(),
        new.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--report-md".as_ref(),
        markdown.as_os_str(),
    ]);
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.ends_with(&common::fixture("changes/old_to_new.txt")), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&markdown).expect("the Markdown report"),
        common::fixture("changes/old_to_new.md")
    );

    // Up to date: `--check` says only that.
    let check = common::xtask([
        "codegen".as_ref(),
        "--check".as_ref(),
        "--spec".as_ref(),
        new.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(check.status.success());
    assert_eq!(String::from_utf8_lossy(&check.stdout), format!("{} is up to date with Changes 2\n", out.display()));
    assert!(check.stderr.is_empty(), "{}", String::from_utf8_lossy(&check.stderr));

    let before = common::snapshot(&work);
    let diffed = common::xtask(["diff".as_ref(), old.as_os_str(), new.as_os_str(), "--markdown".as_ref()]);
    assert!(diffed.status.success(), "{}", String::from_utf8_lossy(&diffed.stderr));
    assert_eq!(String::from_utf8_lossy(&diffed.stdout), common::fixture("changes/old_to_new.md"));
    assert!(common::snapshot(&work) == before, "diff writes nothing");
}
