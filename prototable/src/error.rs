//! Lines of a table file that are not entries.

use core::fmt;

/// A line of a table file that is not an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// Line number, from 1 (for [`ErrorKind::Missing`]: the line that should have followed).
    pub line: usize,
    /// What is wrong with it.
    pub kind: ErrorKind,
}

/// What is wrong with a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not in the file's format (the line).
    Format(String),
    /// A `proto.txt` line at position N names another protocol number (which; T2 uses the line
    /// for protocol N anyway).
    Number(String),
    /// `proto.txt` ends before protocol 255.
    Missing,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            ErrorKind::Format(l) => write!(f, "failed to parse '{l}'"),
            ErrorKind::Number(n) => write!(f, "protocol {n} where protocol {} was expected", self.line - 1),
            ErrorKind::Missing => write!(f, "missing: the file describes fewer than {} protocols", crate::COUNT),
        }
    }
}

impl std::error::Error for LineError {}
