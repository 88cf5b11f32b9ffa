//! The generator's one error type: every failure says which file, where in it, and what.
//!
//! A run reports every problem it can find, not only the first (a spec that moved may break in
//! several places, and fixing them one run at a time is slow), so an [`Error`] holds a list of
//! located [`Problem`]s, never an empty one.

use std::fmt;
use std::path::PathBuf;

use crate::pointer::Pointer;

/// A failure to turn a spec into Rust: one or more problems in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The spec file (as the caller named it).
    pub file: PathBuf,
    /// What is wrong, in the order the generator found it; never empty.
    pub problems: Vec<Problem>,
}

/// One thing wrong with a spec, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// RFC 6901 JSON pointer to the offending node; the root for the whole document.
    pub pointer: Pointer,
    /// 1-based line and column, when the parser could tell.
    pub line_column: Option<(usize, usize)>,
    /// What is wrong, in plain language.
    pub message: String,
}

impl Problem {
    pub(crate) fn at(pointer: impl Into<Pointer>, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), line_column: None, message: message.into() }
    }
}

impl Error {
    pub(crate) fn at(file: impl Into<PathBuf>, pointer: impl Into<Pointer>, message: impl Into<String>) -> Self {
        Self::new(file, vec![Problem::at(pointer, message)])
    }

    /// An error of several problems; `problems` must not be empty.
    pub(crate) fn new(file: impl Into<PathBuf>, problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty(), "an error names at least one problem");
        Self { file: file.into(), problems }
    }

    /// The first problem (there always is one).
    pub fn first(&self) -> &Problem {
        &self.problems[0]
    }
}

/// One line per problem, each complete on its own (`file:line:column at #pointer: message`), so
/// that every line can be read, grepped and jumped to without the others.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file.display())?;
            if let Some((line, column)) = problem.line_column {
                write!(f, ":{line}:{column}")?;
            }
            if !problem.pointer.as_str().is_empty() {
                write!(f, " at #{}", problem.pointer.short())?;
            }
            write!(f, ": {}", problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Something the generator accepted but wants a human to know about (a renamed type, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// RFC 6901 JSON pointer to the node concerned.
    pub pointer: Pointer,
    pub message: String,
}

impl Warning {
    pub(crate) fn at(pointer: impl Into<Pointer>, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), message: message.into() }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer.short(), self.message)
    }
}

/// A bug of the generator itself, not of the spec: generated tokens that do not parse as Rust, say.
/// It names the generated file, since no place in the spec is to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError {
    /// The generated file (relative to the crate root) being made.
    pub file: String,
    pub message: String,
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "internal error of the generator in `{}`: {}", self.file, self.message)
    }
}

impl std::error::Error for InternalError {}
