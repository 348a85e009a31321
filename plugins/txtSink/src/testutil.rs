//! Record builders shared by the unit tests.

use plugin_api::Column;

use crate::config::Config;
use crate::program::RecordWriter;
use crate::render::{RenderError, Renderer};

/// A record built value by value in the §9 encoding.
#[derive(Debug, Default, Clone)]
pub struct Rec(pub Vec<u8>);

impl Rec {
    pub fn new() -> Rec {
        Rec::default()
    }
    pub fn bytes(mut self, b: &[u8]) -> Rec {
        self.0.extend_from_slice(b);
        self
    }
    pub fn u8(self, v: u8) -> Rec {
        self.bytes(&[v])
    }
    pub fn u16(self, v: u16) -> Rec {
        self.bytes(&v.to_ne_bytes())
    }
    pub fn u32(self, v: u32) -> Rec {
        self.bytes(&v.to_ne_bytes())
    }
    pub fn u64(self, v: u64) -> Rec {
        self.bytes(&v.to_ne_bytes())
    }
    pub fn f32(self, v: f32) -> Rec {
        self.bytes(&v.to_ne_bytes())
    }
    pub fn f64(self, v: f64) -> Rec {
        self.bytes(&v.to_ne_bytes())
    }
    /// String bytes and the terminating NUL.
    pub fn str(self, s: &[u8]) -> Rec {
        self.bytes(s).u8(0)
    }
    pub fn time(self, sec: u64, frac: u32) -> Rec {
        self.u64(sec).u32(frac)
    }
    pub fn ipx4(self, a: [u8; 4]) -> Rec {
        self.u8(4).bytes(&a)
    }
}

/// Columns named `c1`, `c2`, ... with the given signatures.
pub fn cols(sigs: &[&str]) -> Vec<Column> {
    sigs.iter().enumerate().map(|(i, s)| Column::parse(&format!("c{}", i + 1), "", s).unwrap()).collect()
}

/// Renders `rec` with columns of signatures `sigs`; the text (without `\n`) or the error with
/// the partial text.
pub fn render_cfg(cfg: Config, sigs: &[&str], rec: &[u8]) -> Result<String, (RenderError, String)> {
    let mut w = RecordWriter::new(&cols(sigs), Renderer::new(cfg));
    let mut out = Vec::new();
    let res = w.render(&mut out, rec);
    let text = String::from_utf8_lossy(&out).into_owned();
    match res {
        Ok(()) => Ok(text.strip_suffix('\n').expect("line ends in a newline").to_owned()),
        Err(e) => Err((e, text)),
    }
}

/// The raw bytes of a line rendered without error.
pub fn render_bytes(cfg: Config, sigs: &[&str], rec: &[u8]) -> Vec<u8> {
    let mut w = RecordWriter::new(&cols(sigs), Renderer::new(cfg));
    let mut out = Vec::new();
    w.render(&mut out, rec).unwrap();
    out
}

/// [`render_cfg`] with the defaults, panicking on errors.
pub fn render(sigs: &[&str], rec: &[u8]) -> String {
    render_cfg(Config::default(), sigs, rec).unwrap()
}

/// One value of signature `sig` with `cfg`.
pub fn one(cfg: &Config, sig: &str, rec: Rec) -> String {
    render_cfg(cfg.clone(), &[sig], &rec.0).unwrap()
}
