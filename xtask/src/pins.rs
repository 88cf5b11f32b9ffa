//! Where the pinned specs come from: `schema/pins.json`, the one machine-readable record of each
//! spec's upstream repository, file, commit, sha256 and download URL (`schema/README.md` shows the
//! same in a table, checked against it by a test).

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

/// One pinned spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The link's file name in `schema/`.
    pub name: String,
    pub spec: String,
    pub upstream: String,
    pub file: String,
    pub commit: String,
    pub date: String,
    pub sha256: String,
    /// Where the file is downloaded from: raw GitHub at the full commit (`commit` is abbreviated
    /// for people; a test keeps the two, `upstream` and `file` in step).
    pub url: String,
}

/// Reads the pins of `schema_dir` (empty when there is no record: then there is nothing to say).
pub fn read(schema_dir: &Path) -> Result<Vec<Pin>, String> {
    let path = schema_dir.join("pins.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let record: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Value::Object(pins) = record else { return Err(format!("{}: expected a JSON object", path.display())) };
    pins.iter()
        .map(|(name, pin)| {
            let field = |key: &str| {
                pin.get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{}: `{name}` has no string `{key}`", path.display()))
            };
            Ok(Pin {
                name: name.clone(),
                spec: field("spec")?,
                upstream: field("upstream")?,
                file: field("file")?,
                commit: field("commit")?,
                date: field("date")?,
                sha256: field("sha256")?,
                url: field("url")?,
            })
        })
        .collect()
}

/// The folder `spec` is in (`.` for a bare file name): the folder of its `pins.json`, if pinned.
pub fn folder_of(spec: &Path) -> &Path {
    spec.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// The pin of `spec`: the record of its file name in the `pins.json` beside it (so `schema/`'s
/// links, or those of a scratch copy of that folder), if there is one.
pub fn pin_of(spec: &Path) -> Option<Pin> {
    let name = spec.file_name()?.to_str()?;
    read(folder_of(spec)).ok()?.into_iter().find(|pin| pin.name == name)
}

/// Where the pinned copy of `spec` (a link beside its `pins.json`) must be: the link's target, or,
/// if the link itself is gone, where the links point (`../shared/specs/` beside the checkout).
pub fn target_of(spec: &Path, pin: &Pin) -> PathBuf {
    let folder = folder_of(spec);
    match std::fs::read_link(spec) {
        Ok(target) if target.is_absolute() => target,
        Ok(target) => normalise(&folder.join(target)),
        Err(_) => normalise(&folder.join("../../shared/specs").join(&pin.name)),
    }
}

/// `path` without `.` and `..` (lexically: the target does not exist, so it cannot be resolved).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What to say when the pinned spec `spec` is missing and could not be downloaded (`why`): where it
/// comes from, how to check it and where to put it by hand.
pub fn missing_message(spec: &Path, pin: &Pin, why: &str) -> String {
    let target = target_of(spec, pin);
    format!(
        "{spec}: the pinned spec is missing, and downloading it failed: {why}\n  \
         It is `{file}` of {upstream} at commit {commit} ({date}), {name}.\n  \
         Download it by hand from {url},\n  \
         check that its sha256 is {sha256},\n  \
         and put it at {target} (where {spec} points); see schema/README.md.",
        spec = spec.display(),
        file = pin.file,
        upstream = pin.upstream,
        commit = pin.commit,
        date = pin.date,
        name = pin.spec,
        url = pin.url,
        sha256 = pin.sha256,
        target = target.display(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_dir() -> PathBuf {
        crate::workspace_root().join("schema")
    }

    /// The README's table says what the record says.
    #[test]
    fn readme_table_matches_the_record() {
        let pins = read(&schema_dir()).expect("schema/pins.json reads");
        assert_eq!(pins.len(), 2);
        let readme = std::fs::read_to_string(schema_dir().join("README.md")).expect("schema/README.md");
        for pin in &pins {
            let row = readme
                .lines()
                .find(|line| line.starts_with(&format!("| `{}`", pin.name)))
                .unwrap_or_else(|| panic!("no README row for {}", pin.name));
            let upstream = pin.upstream.trim_start_matches("https://");
            for expected in [pin.spec.as_str(), upstream, &pin.file, &pin.commit, &pin.date, &pin.sha256] {
                assert!(row.contains(expected), "README row for {} lacks {expected}: {row}", pin.name);
            }
        }
    }

    /// Each download URL is raw GitHub's for the pin's repository and file, at the full commit
    /// that the abbreviated `commit` names.
    #[test]
    fn urls_match_upstream_commit_and_file() {
        for pin in read(&schema_dir()).expect("schema/pins.json reads") {
            let repository = pin.upstream.strip_prefix("https://github.com/").expect("a GitHub upstream");
            let rest = pin
                .url
                .strip_prefix(&format!("https://raw.githubusercontent.com/{repository}/"))
                .unwrap_or_else(|| panic!("{}: {} is not raw GitHub's URL for {repository}", pin.name, pin.url));
            let (commit, file) = rest.split_once('/').expect("a commit and a file");
            assert!(
                commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()) && commit.starts_with(&pin.commit),
                "{}: {commit} is not the full commit of {}",
                pin.name,
                pin.commit
            );
            assert_eq!(file, pin.file, "{}: the URL's file", pin.name);
        }
    }

    #[test]
    fn missing_pinned_spec_says_where_it_comes_from_and_where_it_goes() {
        // A scratch schema folder whose link points at nothing, as in a fresh clone.
        let dir = std::env::temp_dir().join(format!("xtask-pins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("checkout/schema")).unwrap();
        let schema = dir.join("checkout/schema");
        std::fs::copy(schema_dir().join("pins.json"), schema.join("pins.json")).unwrap();
        let link = schema.join("authlete-openapi.yaml");
        std::os::unix::fs::symlink("../../shared/specs/authlete-openapi.yaml", &link).unwrap();

        let pin = pin_of(&link).expect("the link is pinned");
        assert_eq!(
            missing_message(&link, &pin, "no network").replace(&dir.display().to_string(), "<dir>"),
            "<dir>/checkout/schema/authlete-openapi.yaml: the pinned spec is missing, and downloading it failed: \
             no network\n  \
             It is `spec_next.yaml` of https://github.com/authlete/openapi at commit 1ee7c24 (2026-01-22), Authlete API \
             3.0.16.\n  \
             Download it by hand from https://raw.githubusercontent.com/authlete/openapi/\
             1ee7c24f660d0012b3250607df06831ee2cecdf0/spec_next.yaml,\n  \
             check that its sha256 is 824891deebefd7adbbf29123aa4ce87ef7bdc5051024200809b118b5414feedd,\n  \
             and put it at <dir>/shared/specs/authlete-openapi.yaml (where \
             <dir>/checkout/schema/authlete-openapi.yaml points); see schema/README.md."
        );
        // The link itself gone too: the same place, from the pin.
        std::fs::remove_file(&link).unwrap();
        assert_eq!(target_of(&link, &pin), dir.join("shared/specs/authlete-openapi.yaml"));
        // A spec elsewhere is not pinned.
        assert_eq!(pin_of(Path::new("/nonexistent/authlete-openapi.yaml")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
