//! Where the objects go: `PREFIX_flows.json` (split by `-W`, see plugin-api's
//! [`FlowFile`]), standard output with `-w -`, or a TCP socket (`JSON_SOCKET_ON`), each
//! optionally gzip-compressed (`JSON_GZ_COMPRESS`).

use std::fs::File;
use std::io::{self, Write};
use std::net::TcpStream;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use plugin_api::Split;
use plugin_api::flowfile::{self, Frame, OutError, Stdout, Target};

/// A destination as plugin-api's flow file writes to it.
pub type Dest = Box<dyn Target + Send>;

/// The objects' flow file.
pub type FlowFile = flowfile::FlowFile<Dest>;

/// A gzip stream over `W`; closing it writes the gzip trailer.
pub struct Gz<W: Write>(GzEncoder<W>);

impl<W: Write> Gz<W> {
    /// Compresses into `w` at zlib's default level (as T2's `gzopen(.., "w")`).
    pub fn new(w: W) -> Gz<W> {
        Gz(GzEncoder::new(w, Compression::default()))
    }
}

impl<W: Write> Write for Gz<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> Target for Gz<W> {
    fn close(&mut self) -> io::Result<()> {
        self.0.try_finish()
    }
}

/// `target`, compressed when `gz`.
fn wrap<W: Target + Send + 'static>(target: W, gz: bool) -> Dest {
    if gz { Box::new(Gz::new(target)) } else { Box::new(target) }
}

fn open_plain(path: &Path) -> io::Result<Dest> {
    Ok(wrap(File::create(path)?, false))
}

fn open_gz(path: &Path) -> io::Result<Dest> {
    Ok(wrap(File::create(path)?, true))
}

/// Creates `path` (or its first `-W` fragment with `split`).
pub fn create(path: &Path, split: Option<Split>, gz: bool, frame: Frame) -> Result<FlowFile, OutError> {
    FlowFile::create(path, split, frame, if gz { open_gz } else { open_plain })
}

/// Writes to standard output (`-w -`).
pub fn stdout(gz: bool, frame: Frame) -> FlowFile {
    FlowFile::stream(wrap(Stdout, gz), "stdout".to_owned(), frame)
}

/// Connects to `addr:port` and streams to it; the error is the message to report.
pub fn socket(addr: &str, port: u16, gz: bool, frame: Frame) -> Result<FlowFile, String> {
    let name = format!("TCP socket {addr}:{port}");
    let stream = TcpStream::connect((addr, port))
        .map_err(|e| format!("Could not connect to {name}: {}", plugin_api::fmt::strerror(&e)))?;
    Ok(FlowFile::stream(wrap(stream, gz), name, frame))
}
