//! Bringing a crate directory in line with freshly generated files, touching only what differs.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use authlete_codegen::GeneratedFile;

/// What it takes to make `out` hold exactly the generated files.
#[derive(Debug, Default)]
pub struct Plan {
    /// New or changed files, with their new contents.
    writes: Vec<(PathBuf, Change, String)>,
    /// Files under `src/` or `tests/` that the generator no longer produces.
    orphans: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Missing,
    Stale,
}

impl Plan {
    pub fn new(out: &Path, files: &[GeneratedFile]) -> io::Result<Self> {
        let mut plan = Plan::default();
        let mut wanted = BTreeSet::new();
        for file in files {
            let path = out.join(&file.path);
            match fs::read_to_string(&path) {
                Ok(existing) if existing == file.contents => {}
                Ok(_) => plan.writes.push((path.clone(), Change::Stale, file.contents.clone())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    plan.writes.push((path.clone(), Change::Missing, file.contents.clone()))
                }
                Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
            }
            wanted.insert(path);
        }
        // The generator owns `src/` and `tests/` wholly; anything else (say a `target/`) is left alone.
        let mut on_disk = Vec::new();
        for owned in ["src", "tests"] {
            list_files(&out.join(owned), &mut on_disk)?;
        }
        plan.orphans = on_disk.into_iter().filter(|path| !wanted.contains(path)).collect();
        Ok(plan)
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.orphans.is_empty()
    }

    /// One line per file that differs, for `--check`.
    pub fn describe(&self) -> Vec<String> {
        let writes = self.writes.iter().map(|(path, change, _)| match change {
            Change::Missing => format!("missing: {}", path.display()),
            Change::Stale => format!("stale: {}", path.display()),
        });
        let orphans = self.orphans.iter().map(|path| format!("orphaned (no longer generated): {}", path.display()));
        writes.chain(orphans).collect()
    }

    /// Writes every new or changed file (each atomically, through a temporary file and a rename)
    /// and deletes orphans. Returns how many files changed.
    pub fn apply(self) -> io::Result<usize> {
        let changed = self.writes.len() + self.orphans.len();
        for (path, _, contents) in &self.writes {
            write_atomically(path, contents)?;
        }
        for path in &self.orphans {
            fs::remove_file(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        }
        Ok(changed)
    }
}

fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let context = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(context)?;
    }
    // Next to the file (a rename does not cross file systems), named after all of it: `Cargo.toml`
    // and `lib.rs` must not share a temporary name.
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp-codegen");
    let temporary = path.with_file_name(name);
    let written = fs::write(&temporary, contents).and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        // Leave no half-written temporary behind.
        let _ = fs::remove_file(&temporary);
    }
    written.map_err(context)
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile { path: path.into(), contents: contents.into() }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-sync-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src/models")).unwrap();
        dir
    }

    #[test]
    fn plan_names_stale_missing_and_orphaned_files_and_apply_fixes_only_those() {
        let dir = scratch("plan");
        fs::write(dir.join("Cargo.toml"), "same").unwrap();
        fs::write(dir.join("src/lib.rs"), "old").unwrap();
        fs::write(dir.join("src/models/gone.rs"), "type of a removed schema").unwrap();
        let files = [file("Cargo.toml", "same"), file("src/lib.rs", "new"), file("src/models/added.rs", "added")];

        let plan = Plan::new(&dir, &files).unwrap();
        let described = plan.describe().join("\n").replace(&dir.display().to_string(), "<out>");
        assert_eq!(
            described,
            "stale: <out>/src/lib.rs\nmissing: <out>/src/models/added.rs\norphaned (no longer generated): <out>/src/models/gone.rs"
        );
        let untouched = fs::metadata(dir.join("Cargo.toml")).unwrap().modified().unwrap();
        assert_eq!(plan.apply().unwrap(), 3);

        assert_eq!(fs::read_to_string(dir.join("src/lib.rs")).unwrap(), "new");
        assert_eq!(fs::read_to_string(dir.join("src/models/added.rs")).unwrap(), "added");
        assert!(!dir.join("src/models/gone.rs").exists());
        assert_eq!(
            fs::metadata(dir.join("Cargo.toml")).unwrap().modified().unwrap(),
            untouched,
            "unchanged files are not rewritten"
        );
        assert!(Plan::new(&dir, &files).unwrap().is_empty(), "a second run has nothing to do");
        fs::remove_dir_all(&dir).unwrap();
    }
}
