//! The core's errors: each prints as one line after `[ERR] ` and ends the run with status 1.

use std::io;
use std::path::PathBuf;

use plugin_api::fmt::escaped;

use crate::capture::{LiveError, OpenError};
use crate::cli::ArgError;
use crate::dispatch::PluginError;

/// Why a run cannot go on.
#[derive(Debug)]
pub enum Error {
    /// Bad command line (followed by the `Try 'tranalyzer -h'` hint).
    Args(ArgError),
    /// No input option.
    NoInput,
    /// An input mode this build does not support yet.
    Unsupported(&'static str),
    /// The capture cannot be opened.
    Open(OpenError),
    /// The interface cannot be captured on (`-i`).
    Live(LiveError),
    /// A fatal input error (`-R` list, `-F` file, BPF): the whole message.
    Input(String),
    /// The first packet has a link type we cannot dissect.
    LinkType(String),
    /// Plugin loading or initialisation failed.
    Plugin(PluginError),
    /// A plugin reported a fatal error during init (already printed).
    PluginFatal,
    /// `HOME` is not set (needed for the default plugin folder).
    NoHome,
    /// The directory of `-w` cannot be created.
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        reason: io::Error,
    },
    /// A process setting (`-P`) cannot be applied: the whole message.
    Setup(String),
    /// An output file cannot be created.
    CreateFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: io::Error,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let strerror = plugin_api::fmt::strerror;
        match self {
            Error::Args(e) => e.fmt(f),
            Error::NoInput => f.write_str("One of '-r', '-R', '-D' or '-i' option is required"),
            Error::Unsupported(opt) => write!(f, "Option '{opt}' is not supported by this build yet"),
            Error::Open(e) => e.fmt(f),
            Error::Live(e) => e.fmt(f),
            Error::Input(msg) | Error::Setup(msg) => f.write_str(msg),
            Error::LinkType(t) => write!(f, "Unsupported link-layer type: {t}"),
            Error::Plugin(e) => e.fmt(f),
            Error::PluginFatal => f.write_str("a plugin failed to initialise"),
            Error::NoHome => f.write_str("Could not get HOME environment variable"),
            Error::CreateDir { dir, reason } => {
                write!(f, "Failed to create directory '{}': {}", escaped(dir), strerror(reason))
            }
            Error::CreateFile { path, reason } => {
                write!(f, "Failed to open file '{}': {}", escaped(path), strerror(reason))
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<OpenError> for Error {
    fn from(e: OpenError) -> Self {
        Error::Open(e)
    }
}

impl From<LiveError> for Error {
    fn from(e: LiveError) -> Self {
        Error::Live(e)
    }
}

impl From<PluginError> for Error {
    fn from(e: PluginError) -> Self {
        Error::Plugin(e)
    }
}

impl From<ArgError> for Error {
    fn from(e: ArgError) -> Self {
        Error::Args(e)
    }
}

impl Error {
    /// Whether the message was already printed (plugin host functions print their own).
    pub fn printed(&self) -> bool {
        matches!(self, Error::PluginFatal | Error::Plugin(PluginError::Panicked { .. }))
    }

    /// The `[INF]` line T2 prints on stderr after the message, if any.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Live(LiveError::Create { .. }) => Some("Try using the 'st2' command to run Tranalyzer as root"),
            _ => None,
        }
    }
}
