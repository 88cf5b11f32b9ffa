//! The generator's one error type: every failure says which file, where in it, and what.

use std::fmt;
use std::path::PathBuf;

/// A failure to turn a spec into Rust, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The spec file (as the caller named it).
    pub file: PathBuf,
    /// RFC 6901 JSON pointer to the offending node; empty for the whole document.
    pub pointer: String,
    /// 1-based line and column, when the parser could tell.
    pub line_column: Option<(usize, usize)>,
    /// What is wrong, in plain language.
    pub message: String,
}

impl Error {
    pub(crate) fn at(file: impl Into<PathBuf>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: file.into(), pointer: pointer.into(), line_column: None, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.line_column {
            write!(f, ":{line}:{column}")?;
        }
        if !self.pointer.is_empty() {
            write!(f, " at #{}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// Something the generator accepted but wants a human to know about (a renamed type, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// RFC 6901 JSON pointer to the node concerned.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}
