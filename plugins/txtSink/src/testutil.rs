//! Record builders shared by the unit tests.

use plugin_api::Column;
use plugin_api::record::Encoder;

use crate::config::{Config, Stamps};
use crate::render::{RecordWriter, RenderError, Renderer};

/// A record built value by value with plugin-api's [`Encoder`] (plus raw bytes for tests of
/// malformed records).
#[derive(Debug, Default, Clone)]
pub struct Rec(pub Vec<u8>);

impl Rec {
    pub fn new() -> Rec {
        Rec::default()
    }
    fn enc(mut self, f: impl FnOnce(&mut Encoder<&mut Vec<u8>>)) -> Rec {
        f(&mut Encoder::new(&mut self.0));
        self
    }
    pub fn bytes(mut self, b: &[u8]) -> Rec {
        self.0.extend_from_slice(b);
        self
    }
    pub fn u8(self, v: u8) -> Rec {
        self.enc(|e| e.u8(v))
    }
    pub fn u16(self, v: u16) -> Rec {
        self.enc(|e| e.u16(v))
    }
    pub fn u32(self, v: u32) -> Rec {
        self.enc(|e| e.u32(v))
    }
    pub fn u64(self, v: u64) -> Rec {
        self.enc(|e| e.u64(v))
    }
    pub fn f32(self, v: f32) -> Rec {
        self.enc(|e| e.f32(v))
    }
    pub fn f64(self, v: f64) -> Rec {
        self.enc(|e| e.f64(v))
    }
    /// String bytes and the terminating NUL.
    pub fn str(self, s: &[u8]) -> Rec {
        self.enc(|e| e.str(s))
    }
    pub fn time(self, sec: u64, frac: u32) -> Rec {
        self.enc(|e| e.time(sec, frac))
    }
    pub fn ipx4(self, a: [u8; 4]) -> Rec {
        self.enc(|e| e.ipx(4, &[a[0], a[1], a[2], a[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
    }
}

/// Columns named `c1`, `c2`, ... with the given signatures.
pub fn cols(sigs: &[&str]) -> Vec<Column> {
    sigs.iter().enumerate().map(|(i, s)| Column::parse(&format!("c{}", i + 1), "", s).unwrap()).collect()
}

/// Renders `rec` with columns of signatures `sigs` in a core with timestamp flags `stamps`;
/// the text (without `\n`) or the error with the partial text.
pub fn render_stamps(cfg: Config, stamps: Stamps, sigs: &[&str], rec: &[u8]) -> Result<String, (RenderError, String)> {
    let mut w = RecordWriter::new(&cols(sigs), Renderer::new(cfg, stamps));
    let mut out = Vec::new();
    let res = w.render(&mut out, rec);
    let text = String::from_utf8_lossy(&out).into_owned();
    match res {
        Ok(()) => Ok(text.strip_suffix('\n').expect("line ends in a newline").to_owned()),
        Err(e) => Err((e, text)),
    }
}

/// [`render_stamps`] in a default core.
pub fn render_cfg(cfg: Config, sigs: &[&str], rec: &[u8]) -> Result<String, (RenderError, String)> {
    render_stamps(cfg, Stamps::DEFAULT, sigs, rec)
}

/// The raw bytes of a line rendered without error.
pub fn render_bytes(cfg: Config, sigs: &[&str], rec: &[u8]) -> Vec<u8> {
    let mut w = RecordWriter::new(&cols(sigs), Renderer::new(cfg, Stamps::DEFAULT));
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
    render_cfg(*cfg, &[sig], &rec.0).unwrap()
}
