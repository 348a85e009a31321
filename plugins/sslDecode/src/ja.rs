//! JA3/JA3S and JA4/JA4S fingerprints of a flow's first hello, and the description tables
//! they are looked up in (`ja3fingerprint.tsv`, `ja4fingerprints.tsv`, `ja4sfingerprints.tsv`).
//!
//! The fingerprints follow T2 0.9.3's computation, quirks included, because its reference
//! outputs and the public tables it ships are keyed by them: JA4's cipher and extension hashes
//! are over the empty string when a list is empty, its ALPN letter pair takes the last letter
//! at the length of the *first* name, and a list T2 had to truncate gives no fingerprint.

use core::fmt::Write as _;

use md5::Md5;
use sha2::{Digest, Sha256};

use crate::parse::{Decoder, L4, ht};
use crate::state::{Tls, is_grease, stat, version};

/// Length of a JA4 fingerprint T2 keeps (`SSL_JA4_LEN`).
const JA4_LEN: usize = 37;
/// Length of JA4's truncated SHA-256 hashes.
const TRUNC_HASH: usize = 12;

/// A description table: fingerprints in file order, binary-searched as T2 does.
#[derive(Debug, Default)]
pub struct Db {
    key_len: usize,
    /// `key_len` bytes per row, zero-padded.
    keys: Vec<u8>,
    descs: Vec<String>,
}

impl Db {
    /// Reads a table: `% COUNT`, then `FINGERPRINT<TAB>DESCRIPTION` rows (`#` comments and
    /// blank lines skipped). Fingerprints keep their first `key_len` characters of
    /// `[0-9a-zA-Z_,]` and descriptions their first `desc_len - 1` bytes, as T2 stores them.
    /// Returns the table and the warnings T2 would print; `Err` if the count line is missing.
    pub fn parse(text: &[u8], key_len: usize, desc_len: usize) -> Result<(Db, Vec<String>), String> {
        let mut lines = text.split(|&c| c == b'\n');
        let first = lines.next().unwrap_or_default();
        let count = core::str::from_utf8(first)
            .ok()
            .and_then(|l| l.trim_end().strip_prefix('%'))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .ok_or_else(|| format!("expected leading '%' followed by number of rows, found '{}'", show(first)))?;
        let mut db = Db { key_len, keys: Vec::new(), descs: Vec::new() };
        let mut warnings = Vec::new();
        let mut rows = 0usize;
        for line in lines {
            if line.first().is_none_or(|&c| c == b'#' || c.is_ascii_whitespace()) {
                continue;
            }
            let key_end =
                line.iter().take(key_len).take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b',').count();
            let rest = &line[key_end..];
            let rest = &rest[rest.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
            let desc: Vec<u8> =
                rest.iter().take(desc_len).take_while(|&&c| c != b'\t' && c != b'\n').copied().collect();
            if key_end == 0 || desc.is_empty() {
                warnings.push(format!("failed to parse line '{}'", show(line)));
                continue;
            }
            if rows < count {
                let mut key = line[..key_end].to_vec();
                key.resize(key_len, 0);
                db.keys.extend_from_slice(&key);
                let keep = desc.len().min(desc_len.saturating_sub(1));
                db.descs.push(String::from_utf8_lossy(&desc[..keep]).into_owned());
            }
            rows += 1;
        }
        if rows < count {
            warnings.push(format!("Read {rows} fingerprints, expected {count}"));
        } else if rows > count {
            warnings.push(format!("Read {count} fingerprints out of {rows}"));
        }
        Ok((db, warnings))
    }

    /// Rows loaded.
    pub fn len(&self) -> usize {
        self.descs.len()
    }

    /// Whether no row was loaded.
    pub fn is_empty(&self) -> bool {
        self.descs.is_empty()
    }

    /// The description of `key` (T2's binary search, which picks one of equal keys).
    pub fn lookup(&self, key: &str) -> Option<&str> {
        let mut probe = [0u8; 64];
        let n = key.len().min(self.key_len).min(probe.len());
        probe[..n].copy_from_slice(&key.as_bytes()[..n]);
        let probe = &probe[..self.key_len.min(64)];
        let (mut start, mut end) = (0i64, self.len() as i64 - 1);
        while start <= end {
            let mid = (start + end) / 2;
            let row = &self.keys[mid as usize * self.key_len..][..probe.len()];
            match probe.cmp(row) {
                core::cmp::Ordering::Equal => return Some(&self.descs[mid as usize]),
                core::cmp::Ordering::Less => end = mid - 1,
                core::cmp::Ordering::Greater => start = mid + 1,
            }
        }
        None
    }
}

fn show(line: &[u8]) -> String {
    String::from_utf8_lossy(line).into_owned()
}

/// The three description tables.
#[derive(Debug, Default)]
pub struct Fingerprints {
    /// JA3 and JA3S hashes (32 characters).
    pub ja3: Db,
    /// JA4 (36 characters).
    pub ja4: Db,
    /// JA4S (25 characters).
    pub ja4s: Db,
}

/// Fingerprints found in the tables over the run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Matched {
    /// JA3/JA3S.
    pub ja3: u64,
    /// JA4.
    pub ja4: u64,
    /// JA4S.
    pub ja4s: u64,
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// `values` (GREASE skipped) as decimal numbers joined by '-'.
fn dec_list<T: Copy + Into<u32>>(out: &mut String, values: &[T], skip_grease: bool) {
    let mut sep = "";
    for &v in values {
        let v: u32 = v.into();
        if skip_grease && is_grease(v as u16) {
            continue;
        }
        let _ = write!(out, "{sep}{v}");
        sep = "-";
    }
}

/// JA3 (client) or JA3S (server) of the flow's first hello (T2's `ssl_compute_ja3`).
pub fn ja3(d: &mut Decoder<'_>, s: &mut Tls, typ: u8) {
    if !s.ja3_hash.is_empty() {
        return;
    }
    if s.stat & stat::JA3_TRUNC != 0 {
        s.stat |= stat::JA3_FAIL;
        return;
    }
    let cfg = d.cfg;
    let mut f = String::with_capacity(256);
    let _ = write!(f, "{},", s.version);
    if typ == ht::SERVER_HELLO {
        let _ = write!(f, "{}", s.cipher);
    } else if cfg.ssl_cipher_list {
        dec_list(&mut f, s.ciphers.shown(), true);
    }
    f.push(',');
    if cfg.ssl_ext_list {
        dec_list(&mut f, s.ext.shown(), true);
    }
    if typ == ht::CLIENT_HELLO {
        f.push(',');
        if cfg.ssl_ec {
            dec_list(&mut f, s.ec.shown(), true);
        }
        f.push(',');
        if cfg.ssl_ec_formats {
            dec_list(&mut f, s.ec_formats.shown(), false);
        }
    }
    if f.len() >= usize::from(cfg.ssl_ja3_str_len) {
        s.stat |= stat::JA3_FAIL;
        return;
    }
    s.ja3_hash = hex(&Md5::digest(f.as_bytes()));
    if cfg.ssl_ja3_str {
        s.ja3_str = f;
    }
    if let Some(desc) = d.db.ja3.lookup(&s.ja3_hash) {
        d.matched.ja3 += 1;
        s.ja3_desc = desc.to_owned();
    }
}

/// The first 12 hex digits of the SHA-256 of `s`.
fn trunc_sha256(s: &str) -> String {
    let mut h = hex(&Sha256::digest(s.as_bytes()));
    h.truncate(TRUNC_HASH);
    h
}

/// `values` as 4-digit hex joined by ','; sets `JA4_TRUNC | JA4_FAIL` when the text reaches
/// `max` characters (T2's buffer).
fn hex_list(out: &mut String, values: impl IntoIterator<Item = u16>, max: usize, st: &mut u32) {
    let mut sep = "";
    for v in values {
        let _ = write!(out, "{sep}{v:04x}");
        sep = ",";
        if out.len() >= max {
            *st |= stat::JA4_TRUNC | stat::JA4_FAIL;
            out.truncate(max.saturating_sub(1));
            break;
        }
    }
}

/// `parts` joined, cut to `max - 1` characters (T2's `t2_strcat` into a fixed buffer).
fn joined(parts: &[&str], max: usize) -> String {
    let mut s = parts.concat();
    s.truncate(max.saturating_sub(1));
    s
}

/// JA4 (client) or JA4S (server) of the flow's first hello (T2's `ssl_compute_ja4`).
pub fn ja4(d: &mut Decoder<'_>, s: &mut Tls, typ: u8, l4: L4) {
    let cfg = d.cfg;
    if !(cfg.ssl_ja4 || cfg.ssl_ja4_o || cfg.ssl_ja4_r || cfg.ssl_ja4_ro) {
        return;
    }
    let done = if cfg.ssl_ja4 {
        &s.ja4
    } else if cfg.ssl_ja4_o {
        &s.ja4_o
    } else if cfg.ssl_ja4_r {
        &s.ja4_r
    } else {
        &s.ja4_ro
    };
    if !done.is_empty() || s.stat & (stat::CIPHERL_TRUNC | stat::EXTL_TRUNC) != 0 {
        return;
    }
    if typ == ht::CLIENT_HELLO && s.stat & stat::SIG_ALG_TRUNC != 0 {
        return;
    }
    let Some(a) = ja4_a(s, typ, l4) else {
        s.stat |= stat::JA4_FAIL;
        return;
    };
    s.stat |= stat::JA4_A_OK;
    let max = usize::from(cfg.ssl_ja4_str_len);
    let ext: Vec<u16> = s.ext.shown().iter().copied().filter(|&e| !is_grease(e)).collect();
    let (o_b, r_b, o_c, r_c);
    if typ == ht::SERVER_HELLO {
        let b = format!("{:04x}", s.cipher);
        s.stat |= stat::JA4_B_OK;
        let mut c = String::new();
        hex_list(&mut c, ext.iter().copied(), max, &mut s.stat);
        let c_hash = if s.stat & stat::JA4_FAIL == 0 {
            s.stat |= stat::JA4_C_OK;
            trunc_sha256(&c)
        } else {
            c.clear();
            String::new()
        };
        (o_b, r_b) = (b.clone(), b);
        (o_c, r_c) = (c_hash.clone(), c);
        let ja4 = joined(&[&a, "_", &o_b, "_", &o_c], JA4_LEN + 1);
        if cfg.ssl_ja4_o {
            s.ja4_o = ja4.clone();
        }
        if cfg.ssl_ja4_r || cfg.ssl_ja4_ro {
            let raw = joined(&[&a, "_", &r_b, "_", &r_c], max + 1);
            if cfg.ssl_ja4_r {
                s.ja4_r = raw.clone();
            }
            if cfg.ssl_ja4_ro {
                s.ja4_ro = raw;
            }
        }
        if cfg.ssl_ja4 {
            if let Some(desc) = d.db.ja4s.lookup(&ja4) {
                d.matched.ja4s += 1;
                s.ja4_desc = cut(desc, cfg.ssl_ja4_dlen);
            }
            s.ja4 = ja4;
        }
        return;
    }
    // client: ciphers sorted (b), extensions sorted without SNI and ALPN then signature
    // algorithms in their order (c); the _o variants keep the original order
    let ciphers: Vec<u16> = s.ciphers.shown().iter().copied().filter(|&c| !is_grease(c)).collect();
    let mut sorted = ciphers.clone();
    sorted.sort_unstable();
    let (mut rb, mut ob) = (String::new(), String::new());
    hex_list(&mut rb, sorted.iter().copied(), max, &mut s.stat);
    hex_list(&mut ob, ciphers.iter().copied(), max, &mut s.stat);
    let fail = |st: u32| st & stat::JA4_FAIL != 0;
    let (rb_hash, ob_hash) = if fail(s.stat) { Default::default() } else { (trunc_sha256(&rb), trunc_sha256(&ob)) };
    if fail(s.stat) {
        (rb, ob) = Default::default();
    } else {
        s.stat |= stat::JA4_B_OK;
    }
    let mut oc = String::new();
    hex_list(&mut oc, ext.iter().copied(), max, &mut s.stat);
    let mut sorted_ext: Vec<u16> = ext.iter().copied().filter(|&e| e != 0x0000 && e != 0x0010).collect();
    sorted_ext.sort_unstable();
    let mut rc = String::new();
    hex_list(&mut rc, sorted_ext.iter().copied(), max, &mut s.stat);
    let sig: Vec<u16> = s.sig_alg.shown().iter().copied().filter(|&v| !is_grease(v)).collect();
    if s.sig_alg.n > 0 {
        for t in [&mut rc, &mut oc] {
            t.push('_');
            if t.len() >= max {
                s.stat |= stat::JA4_TRUNC | stat::JA4_FAIL;
            }
        }
    }
    hex_list(&mut rc, sig.iter().copied(), max, &mut s.stat);
    hex_list(&mut oc, sig.iter().copied(), max, &mut s.stat);
    let (rc_hash, oc_hash) = if fail(s.stat) { Default::default() } else { (trunc_sha256(&rc), trunc_sha256(&oc)) };
    if fail(s.stat) {
        (rc, oc) = Default::default();
    } else {
        s.stat |= stat::JA4_C_OK;
    }
    if cfg.ssl_ja4 {
        let ja4 = joined(&[&a, "_", &rb_hash, "_", &rc_hash], JA4_LEN + 1);
        if let Some(desc) = d.db.ja4.lookup(&ja4) {
            d.matched.ja4 += 1;
            s.ja4_desc = cut(desc, cfg.ssl_ja4_dlen);
        }
        s.ja4 = ja4;
    }
    if cfg.ssl_ja4_o {
        s.ja4_o = joined(&[&a, "_", &ob_hash, "_", &oc_hash], JA4_LEN + 1);
    }
    if cfg.ssl_ja4_r {
        s.ja4_r = joined(&[&a, "_", &rb, "_", &rc], max + 1);
    }
    if cfg.ssl_ja4_ro {
        s.ja4_ro = joined(&[&a, "_", &ob, "_", &oc], max + 1);
    }
}

/// `desc` cut to `dlen - 1` bytes (at a character boundary).
fn cut(desc: &str, dlen: u16) -> String {
    let mut end = desc.len().min(usize::from(dlen).saturating_sub(1));
    while !desc.is_char_boundary(end) {
        end -= 1;
    }
    desc[..end].to_owned()
}

/// JA4's first part: transport, version, SNI (client), cipher and extension counts, ALPN.
/// `None` where T2 sets `SSL_STAT_JA4_FAIL`.
fn ja4_a(s: &Tls, typ: u8, l4: L4) -> Option<String> {
    let mut a = String::with_capacity(16);
    a.push(match l4 {
        L4::Tcp => 't',
        L4::Udp => 'q',
        L4::Other => return None,
    });
    let mut v = s.version;
    let supp = s.supp_ver.shown();
    if !supp.is_empty() {
        v = *supp.iter().find(|&&x| !is_grease(x))?;
    }
    a.push_str(match v {
        _ if version::is_tls13(v) => "13",
        version::TLS12 => "12",
        version::TLS11 => "11",
        version::TLS10 => "10",
        version::SSL3 => "s3",
        version::SSL2 => "s2",
        version::SSL1 => "s1",
        _ => return None,
    });
    let too_long = |a: &String| a.len() > 10;
    if typ == ht::CLIENT_HELLO {
        let sni = !s.server_name().is_empty() || s.ext.shown().contains(&0);
        a.push(if sni { 'd' } else { 'i' });
        let n = s.ciphers.shown().iter().filter(|&&c| !is_grease(c)).count();
        let _ = write!(a, "{n:02}");
        if too_long(&a) {
            return None;
        }
    }
    let n = s.ext.shown().iter().filter(|&&e| !is_grease(e)).count();
    let _ = write!(a, "{n:02}");
    if too_long(&a) {
        return None;
    }
    let names = s.alpn.shown();
    if names.is_empty() {
        a.push_str("00");
    } else {
        let first_len = names[0].len();
        let name = names.iter().find(|n| !n.starts_with(b"ignore/") && n.len() >= 2)?;
        // T2 takes the last letter at the length of the first name.
        let last = name.get(first_len.wrapping_sub(1)).or(name.last()).copied().unwrap_or(b'0');
        a.push(char::from(name[0]));
        a.push(char::from(last));
    }
    if too_long(&a) {
        return None;
    }
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[u8] = b"% 4\n# a comment\n\
        0001aaaa\tfirst\n\
        0002bbbb\tsecond one that is long\n\
        0003cccc\tthird\n\
        0004dddd\tfourth\n";

    #[test]
    fn a_table_is_searched_and_descriptions_cut_like_t2() {
        let (db, warn) = Db::parse(TABLE, 8, 11).unwrap();
        assert!(warn.is_empty(), "{warn:?}");
        assert_eq!(db.len(), 4);
        assert_eq!(db.lookup("0001aaaa"), Some("first"));
        assert_eq!(db.lookup("0002bbbb"), Some("second one"));
        assert_eq!(db.lookup("0004dddd"), Some("fourth"));
        assert_eq!(db.lookup("0005eeee"), None);
        assert_eq!(db.lookup(""), None);
    }

    #[test]
    fn a_table_with_a_bad_count_or_rows_warns() {
        assert!(Db::parse(b"4\n", 8, 64).is_err());
        let (db, warn) = Db::parse(b"% 3\nabc\tx\nnodesc\n\n", 8, 64).unwrap();
        assert_eq!(db.len(), 1);
        assert_eq!(warn, ["failed to parse line 'nodesc'", "Read 1 fingerprints, expected 3"]);
        let (db, warn) = Db::parse(b"% 1\na\tx\nb\ty\n", 8, 64).unwrap();
        assert_eq!((db.len(), warn.len()), (1, 1));
    }

    #[test]
    fn hashes_are_lowercase_hex() {
        assert_eq!(trunc_sha256(""), "e3b0c44298fc");
        assert_eq!(hex(&Md5::digest(b"769,47-53,0-10,23,0")).len(), 32);
    }
}
