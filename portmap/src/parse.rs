//! One line of `portmap.txt`.

use core::fmt;

use crate::Proto;

/// A line of the file that is not a table entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub kind: ErrorKind,
}

/// What is wrong with a line (T2's words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Fewer than three fields, or a port that is not a number.
    Format(String),
    /// A port number above 65535.
    Port(String),
    /// A protocol other than `tcp` and `udp`.
    Proto(String),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            ErrorKind::Format(l) => write!(f, "failed to parse line '{l}': expected port <tab> proto <tab> name"),
            ErrorKind::Port(p) => write!(f, "invalid port {p}"),
            ErrorKind::Proto(p) => write!(f, "invalid protocol '{p}'"),
        }
    }
}

impl std::error::Error for LineError {}

/// A parsed entry, borrowing from the line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    pub proto: Proto,
    pub port: u16,
    pub name: &'a str,
    pub desc: &'a str,
}

/// Parses `PORT<TAB>PROTO<TAB>NAME[<TAB>DESCRIPTION]`; `Ok(None)` for comments and blank lines
/// (T2 skips lines starting with `#`, a blank or a tab). Fields are trimmed, as T2's `scanf`
/// skips the blanks around them.
pub(crate) fn line(line: &str) -> Result<Option<Line<'_>>, ErrorKind> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.is_empty() || line.starts_with(['#', ' ', '\t']) {
        return Ok(None);
    }
    let mut fields = line.splitn(4, '\t').map(str::trim);
    let (Some(port), Some(proto), Some(name)) = (fields.next(), fields.next(), fields.next()) else {
        return Err(ErrorKind::Format(line.to_owned()));
    };
    if name.is_empty() || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorKind::Format(line.to_owned()));
    }
    let port = port.parse::<u16>().map_err(|_| ErrorKind::Port(port.to_owned()))?;
    let proto = match proto {
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        other => return Err(ErrorKind::Proto(other.to_owned())),
    };
    Ok(Some(Line { proto, port, name, desc: fields.next().unwrap_or("") }))
}
