//! The flow file: buffering, `-W` fragments (txt-format.md §7), stdout, and the extended
//! header's flow count written at the end.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use plugin_api::Split;
use plugin_api::fmt::{escaped, strerror};

/// Pending bytes are written out once they reach this size.
const FLUSH_AT: usize = 1 << 20;

/// An I/O failure with the file it concerns.
#[derive(Debug)]
pub enum OutError {
    /// A file could not be created.
    Open(PathBuf, io::Error),
    /// Writing failed.
    Write(PathBuf, io::Error),
}

impl std::fmt::Display for OutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutError::Open(path, e) => {
                write!(f, "Failed to open file '{}' for writing: {}", escaped(path), strerror(e))
            }
            OutError::Write(path, e) => write!(f, "Failed to write to file '{}': {}", escaped(path), strerror(e)),
        }
    }
}

#[derive(Debug)]
enum Dest {
    File(File),
    Stdout,
}

/// `-W` state: where the fragment numbering stands and what fills a fragment.
#[derive(Debug)]
struct Fragments {
    /// `PREFIX_flows.txt`, to which the index is appended.
    base: OsString,
    index: u64,
    limit: u64,
    by_flows: bool,
    /// Records in the current fragment.
    records: u64,
    /// Repeat the column-name lines in every fragment.
    header_every_file: bool,
}

/// Where flow lines go.
#[derive(Debug)]
pub struct FlowFile {
    dest: Dest,
    path: PathBuf,
    /// Rendered text not yet written; records are rendered straight into it.
    pending: Vec<u8>,
    /// Bytes already written to the current file.
    written: u64,
    /// Column-name lines (empty with `TFS_PRI_HDR`=0).
    header: Vec<u8>,
    /// Whether the current file starts with `header`.
    has_header: bool,
    split: Option<Fragments>,
}

fn create(path: &Path) -> Result<File, OutError> {
    File::create(path).map_err(|e| OutError::Open(path.to_owned(), e))
}

impl Fragments {
    /// The file of the current fragment: `base` and the index.
    fn path(&self) -> PathBuf {
        let mut path = self.base.clone();
        path.push(self.index.to_string());
        path.into()
    }
}

impl FlowFile {
    /// Creates `path` (or its first fragment `path<START>` with `split`) and writes `header`.
    pub fn create(
        path: &Path,
        split: Option<Split>,
        header_every_file: bool,
        header: Vec<u8>,
    ) -> Result<Self, OutError> {
        let split = split.map(|s| Fragments {
            base: path.as_os_str().to_owned(),
            index: s.start,
            limit: s.size,
            by_flows: s.by_flows,
            records: 0,
            header_every_file,
        });
        let path = match &split {
            Some(f) => f.path(),
            None => path.to_owned(),
        };
        let dest = Dest::File(create(&path)?);
        Ok(FlowFile::start(dest, path, header, split))
    }

    /// Writes to standard output (`-w -`); never split.
    pub fn stdout(header: Vec<u8>) -> FlowFile {
        FlowFile::start(Dest::Stdout, "stdout".into(), header, None)
    }

    fn start(dest: Dest, path: PathBuf, header: Vec<u8>, split: Option<Fragments>) -> FlowFile {
        let mut pending = Vec::with_capacity(FLUSH_AT + (FLUSH_AT >> 2));
        pending.extend_from_slice(&header);
        let has_header = !header.is_empty();
        FlowFile { dest, path, pending, written: 0, header, has_header, split }
    }

    /// The buffer to render the next record into (append only).
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.pending
    }

    /// Name of the current file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Call after each record appended to [`FlowFile::buf`]: writes out when due and moves to
    /// the next fragment once this one reached its limit.
    pub fn end_record(&mut self) -> Result<(), OutError> {
        match self.dest {
            // Flows share stdout with the host's output: keep the order, write each line now.
            Dest::Stdout => self.flush()?,
            Dest::File(_) if self.pending.len() >= FLUSH_AT => self.flush()?,
            Dest::File(_) => {}
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
        let with_header = f.header_every_file;
        self.flush()?;
        self.dest = Dest::File(create(&path)?);
        self.path = path;
        self.written = 0;
        self.has_header = with_header && !self.header.is_empty();
        if self.has_header {
            self.pending.extend_from_slice(&self.header);
        }
        Ok(())
    }

    /// Writes the pending text out.
    pub fn flush(&mut self) -> Result<(), OutError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let res = match &mut self.dest {
            Dest::File(file) => file.write_all(&self.pending),
            Dest::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(&self.pending).and_then(|()| out.flush())
            }
        };
        res.map_err(|e| OutError::Write(self.path.clone(), e))?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Flushes and, when given, writes `<hdr_chr> <flows>` over the extended header's
    /// placeholder line. Only a file that starts with the column lines is patched (T2 would
    /// overwrite the first record of a later `-W` fragment); stdout is never patched.
    pub fn finish(&mut self, flow_count: Option<(&str, u64)>) -> Result<(), OutError> {
        self.flush()?;
        if let (Some((hdr_chr, flows)), Dest::File(file), true) = (flow_count, &mut self.dest, self.has_header) {
            let text = format!("{hdr_chr} {flows}");
            file.seek(SeekFrom::Start(0))
                .and_then(|_| file.write_all(text.as_bytes()))
                .map_err(|e| OutError::Write(self.path.clone(), e))?;
        }
        Ok(())
    }
}
