//! The flow file (plugin-api's [`FlowFile`]: buffering, `-W` fragments, stdout) and the
//! extended header's flow count written over its first line at the end.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use plugin_api::Split;
use plugin_api::flowfile::{self, Frame, OutError, Stdout, Target};

/// A flow file or standard output.
#[derive(Debug)]
pub enum Dest {
    /// `PREFIX_flows.txt` or a `-W` fragment.
    File(File),
    /// `-w -`.
    Stdout(Stdout),
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Dest::File(f) => f.write(buf),
            Dest::Stdout(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Dest::File(f) => f.flush(),
            Dest::Stdout(s) => s.flush(),
        }
    }
}

impl Target for Dest {}

/// Where flow lines go.
pub type FlowFile = flowfile::FlowFile<Dest>;

/// Creates `path` (or its first fragment `path<START>` with `split`) starting with `header`.
pub fn create(
    path: &Path,
    split: Option<Split>,
    header_every_file: bool,
    header: Vec<u8>,
) -> Result<FlowFile, OutError> {
    let frame = Frame { header, header_every_file, footer: Vec::new() };
    FlowFile::create(path, split, frame, |p| File::create(p).map(Dest::File))
}

/// Writes to standard output (`-w -`); never split.
pub fn stdout(header: Vec<u8>) -> FlowFile {
    FlowFile::stream(Dest::Stdout(Stdout), "stdout".to_owned(), Frame { header, ..Frame::default() })
}

/// Closes `file` and, when given, writes `<hdr_chr> <flows>` over the extended header's
/// placeholder line. Only a file that starts with the column lines is patched (T2 would
/// overwrite the first record of a later `-W` fragment); stdout is never patched.
pub fn finish(file: &mut FlowFile, flow_count: Option<(&str, u64)>) -> Result<(), OutError> {
    file.close()?;
    let has_header = file.has_header();
    if let (Some((hdr_chr, flows)), Dest::File(f), true) = (flow_count, file.target_mut(), has_header) {
        let text = format!("{hdr_chr} {flows}");
        f.seek(SeekFrom::Start(0))
            .and_then(|_| f.write_all(text.as_bytes()))
            .map_err(|e| OutError::Write("the flow file".to_owned(), e))?;
    }
    Ok(())
}
