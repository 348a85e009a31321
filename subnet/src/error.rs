//! Why a table file cannot be used.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A table that cannot be opened or is not a table of ours; printed as one line naming the file.
#[derive(Debug)]
pub enum Error {
    /// The file cannot be opened or mapped.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The contents are not a valid table.
    Corrupt {
        /// The file (empty for tables read from memory).
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

impl Error {
    /// The same error, naming `path`.
    pub(crate) fn at(self, path: PathBuf) -> Error {
        match self {
            Error::Io { source, .. } => Error::Io { path, source },
            Error::Corrupt { what, .. } => Error::Corrupt { path, what },
        }
    }

    /// Whether the file does not exist (as opposed to being unreadable or corrupt).
    pub fn is_missing(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => {
                let why = source.to_string();
                // io::Error appends " (os error N)"; T2 prints strerror alone
                let why = why.split(" (os error").next().unwrap_or(&why);
                write!(f, "Failed to open subnet file '{}': {why}", path.display())
            }
            Error::Corrupt { path, what } => write!(f, "Invalid subnet file '{}': {what}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Corrupt { .. } => None,
        }
    }
}
