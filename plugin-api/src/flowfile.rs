//! A sink's flow file: records rendered into one buffer written out in large blocks, `-W`
//! fragments (txt-format.md §7), and what starts and ends each file. txtSink and jsonSink
//! write through it; where the bytes go (a file, stdout, a socket, a gzip stream) is the
//! sink's [`Target`].

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use crate::Split;
use crate::fmt::{escaped, strerror};

/// Pending bytes are written out once they reach this size (unless set otherwise).
const FLUSH_AT: usize = 1 << 20;

/// Where a flow file's bytes go.
pub trait Target: Write {
    /// Ends the output: writes out what is buffered and any trailer (gzip's).
    fn close(&mut self) -> io::Result<()> {
        self.flush()
    }
}

impl Target for File {}
impl Target for TcpStream {}
impl<T: Target + ?Sized> Target for Box<T> {
    fn close(&mut self) -> io::Result<()> {
        (**self).close()
    }
}

/// Standard output as a [`Target`]: each write locks it and flushes, so flow lines keep their
/// place among the host's own output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = io::stdout().lock();
        out.write_all(buf).and_then(|()| out.flush()).map(|()| buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        io::stdout().flush()
    }
}

impl Target for Stdout {}

/// An I/O failure with what it concerns.
#[derive(Debug)]
pub enum OutError {
    /// A file could not be created.
    Open(PathBuf, io::Error),
    /// Writing to the named destination (`file 'x'`, `TCP socket a:p`) failed.
    Write(String, io::Error),
}

impl std::fmt::Display for OutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutError::Open(path, e) => {
                write!(f, "Failed to open file '{}' for writing: {}", escaped(path), strerror(e))
            }
            OutError::Write(name, e) => write!(f, "Failed to write to {name}: {}", strerror(e)),
        }
    }
}

impl std::error::Error for OutError {}

/// What starts and ends each file.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Written at the start of the first file (txtSink's column names, jsonSink's `[`).
    pub header: Vec<u8>,
    /// Whether every `-W` fragment starts with `header`, not only the first.
    pub header_every_file: bool,
    /// Written at the end of every file (jsonSink's `]`).
    pub footer: Vec<u8>,
}

/// `-W` state: where the fragment numbering stands and what fills a fragment.
struct Fragments<T> {
    /// The flow file's name, to which the index is appended (byte for byte, as the user's `-w`).
    base: OsString,
    index: u64,
    limit: u64,
    by_flows: bool,
    /// Records in the current fragment.
    records: u64,
    /// Creates the next fragment.
    open: fn(&Path) -> io::Result<T>,
}

impl<T> Fragments<T> {
    /// The file of the current fragment: `base` and the index.
    fn path(&self) -> PathBuf {
        let mut path = self.base.clone();
        path.push(self.index.to_string());
        path.into()
    }
}

/// Where flow records go.
pub struct FlowFile<T: Target> {
    target: T,
    /// `file 'PATH'` or the socket's address, for messages.
    name: String,
    /// Write out after every record (stdout, sockets) rather than in large blocks.
    stream: bool,
    /// Rendered bytes not yet written; records are rendered straight into it.
    pending: Vec<u8>,
    /// Size at which `pending` is written out.
    flush_at: usize,
    /// Bytes already written to the current file.
    written: u64,
    frame: Frame,
    /// Whether the current file starts with the header.
    has_header: bool,
    /// Whether a record went into the current file.
    has_records: bool,
    split: Option<Fragments<T>>,
}

impl<T: Target> std::fmt::Debug for FlowFile<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowFile").field("name", &self.name).field("written", &self.written).finish_non_exhaustive()
    }
}

impl<T: Target> FlowFile<T> {
    /// Creates `path` with `open` (or its first fragment `path<START>` with `split`, the next
    /// ones as they fill) and starts it with the header.
    pub fn create(
        path: &Path,
        split: Option<Split>,
        frame: Frame,
        open: fn(&Path) -> io::Result<T>,
    ) -> Result<Self, OutError> {
        let split = split.map(|s| Fragments {
            base: path.as_os_str().to_owned(),
            index: s.start,
            limit: s.size,
            by_flows: s.by_flows,
            records: 0,
            open,
        });
        let file = split.as_ref().map_or_else(|| path.to_owned(), Fragments::path);
        let target = open(&file).map_err(|e| OutError::Open(file.clone(), e))?;
        Ok(FlowFile::start(target, format!("file '{}'", escaped(&file)), false, frame, split))
    }

    /// Writes to `target` (stdout, a socket) named `name`, each record as it ends; never split.
    pub fn stream(target: T, name: String, frame: Frame) -> FlowFile<T> {
        FlowFile::start(target, name, true, frame, None)
    }

    fn start(target: T, name: String, stream: bool, frame: Frame, split: Option<Fragments<T>>) -> FlowFile<T> {
        let mut pending = Vec::with_capacity(FLUSH_AT + (FLUSH_AT >> 2));
        pending.extend_from_slice(&frame.header);
        let has_header = !frame.header.is_empty();
        FlowFile {
            target,
            name,
            stream,
            pending,
            flush_at: FLUSH_AT,
            written: 0,
            frame,
            has_header,
            has_records: false,
            split,
        }
    }

    /// Writes out in blocks of `size` bytes (at least one record) instead of 1 MiB.
    pub fn with_block_size(mut self, size: usize) -> FlowFile<T> {
        self.flush_at = size;
        // Room for a block and the record that crosses its end; a huge setting still starts small.
        let want = size.saturating_add(size >> 2).min(1 << 30);
        self.pending.reserve(want.saturating_sub(self.pending.len()));
        self
    }

    /// The buffer to render the next record into (append only).
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.pending
    }

    /// Whether no record went into the current file yet.
    pub fn at_file_start(&self) -> bool {
        !self.has_records
    }

    /// Whether the current file started with the header.
    pub fn has_header(&self) -> bool {
        self.has_header
    }

    /// Where the bytes go.
    pub fn target_mut(&mut self) -> &mut T {
        &mut self.target
    }

    /// Call after each record appended to [`FlowFile::buf`]: writes out when due and moves to
    /// the next fragment once this one reached its limit.
    pub fn end_record(&mut self) -> Result<(), OutError> {
        self.has_records = true;
        if self.stream || self.pending.len() >= self.flush_at {
            self.flush()?;
        }
        let size = self.written + self.pending.len() as u64;
        let Some(f) = &mut self.split else {
            return Ok(());
        };
        f.records += 1;
        let measure = if f.by_flows { f.records } else { size };
        if measure < f.limit {
            return Ok(());
        }
        f.index += 1;
        f.records = 0;
        let path = f.path();
        let open = f.open;
        self.close()?;
        self.target = open(&path).map_err(|e| OutError::Open(path.clone(), e))?;
        self.name = format!("file '{}'", escaped(&path));
        self.written = 0;
        self.has_records = false;
        self.has_header = self.frame.header_every_file && !self.frame.header.is_empty();
        if self.has_header {
            self.pending.extend_from_slice(&self.frame.header);
        }
        Ok(())
    }

    /// Writes the pending bytes out.
    pub fn flush(&mut self) -> Result<(), OutError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let res =
            self.target.write_all(&self.pending).and_then(|()| if self.stream { self.target.flush() } else { Ok(()) });
        res.map_err(|e| OutError::Write(self.name.clone(), e))?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Ends the current file: the footer, everything pending, the target's trailer.
    pub fn close(&mut self) -> Result<(), OutError> {
        self.pending.extend_from_slice(&self.frame.footer);
        self.flush()?;
        self.target.close().map_err(|e| OutError::Write(self.name.clone(), e))
    }
}
