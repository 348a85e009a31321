//! The crate's one error type: each variant says what went wrong and where.

use std::fmt;
use std::path::PathBuf;

/// What stopped a tool. Printed as one line after the tool's name (`tawk: ...`).
#[derive(Debug)]
pub enum Error {
    /// A bad command line; the text says what is wrong.
    Usage(String),
    /// A file could not be opened or read.
    Read {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The content of an input is not what the tool reads.
    Input {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// 1-based line number, 0 if it concerns the whole file.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// A `bits.toml` definition is broken or a bit field is unknown.
    Bits(String),
    /// gawk could not be run.
    Gawk(std::io::Error),
    /// plotters could not draw or encode the picture.
    Plot(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(s) | Error::Bits(s) => f.write_str(s),
            Error::Read { path, source } => write!(f, "cannot read '{}': {source}", path.display()),
            Error::Write { path, source } => write!(f, "cannot write '{}': {source}", path.display()),
            Error::Input { path, line: 0, what } => write!(f, "{}: {what}", path.display()),
            Error::Input { path, line, what } => write!(f, "{}:{line}: {what}", path.display()),
            Error::Gawk(e) => write!(f, "cannot run gawk (Debian package gawk): {e}"),
            Error::Plot(s) => write!(f, "cannot draw the plot: {s}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } | Error::Write { source, .. } => Some(source),
            Error::Gawk(e) => Some(e),
            _ => None,
        }
    }
}
