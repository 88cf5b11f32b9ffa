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
    /// Files under `src/` that the generator no longer produces.
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
        let mut on_disk = Vec::new();
        list_files(&out.join("src"), &mut on_disk)?;
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
    let temporary = path.with_extension("rs.tmp-codegen");
    fs::write(&temporary, contents).map_err(context)?;
    fs::rename(&temporary, path).map_err(context)
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
