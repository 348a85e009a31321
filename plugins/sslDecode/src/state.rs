//! What sslDecode keeps per flow, and the constants of its status columns (T2's sslDecode.h).

use crate::cert::Cert;
use crate::flags::Config;

/// `sslStat` bits.
pub mod stat {
    /// Message had mismatched version.
    pub const VERSION_MISMATCH: u32 = 0x0000_0001;
    /// Record was too long (max 16384).
    pub const REC_TOO_LONG: u32 = 0x0000_0002;
    /// Record was malformed.
    pub const MALFORMED: u32 = 0x0000_0004;
    /// Certificate had expired (alert).
    pub const CERT_EXPIRED: u32 = 0x0000_0008;
    /// Connection closed due to a fatal alert.
    pub const AL_FATAL: u32 = 0x0000_0010;
    /// Connection was renegotiated (existed before).
    pub const RENEGOTIATION: u32 = 0x0000_0020;
    /// Peer not allowed to send heartbeat requests.
    pub const NO_HEARTBEAT: u32 = 0x0000_0040;
    /// Cipher list truncated (SSL_MAX_CIPHER).
    pub const CIPHERL_TRUNC: u32 = 0x0000_0080;
    /// Extension list truncated (SSL_MAX_EXT).
    pub const EXTL_TRUNC: u32 = 0x0000_0100;
    /// Protocol list truncated (SSL_MAX_PROTO).
    pub const PROTOL_TRUNC: u32 = 0x0000_0200;
    /// Protocol name truncated (SSL_PROTO_LEN).
    pub const PROTON_TRUNC: u32 = 0x0000_0400;
    /// EC or EC formats list truncated.
    pub const EC_TRUNC: u32 = 0x0000_0800;
    /// Weak protocol (SSL 2.0, SSL 3.0).
    pub const WEAK_PROTO: u32 = 0x0000_4000;
    /// Weak key (fewer than 1024 bits).
    pub const WEAK_KEY: u32 = 0x0000_8000;
    /// Signature algorithms list truncated.
    pub const SIG_ALG_TRUNC: u32 = 0x0001_0000;
    /// Supported versions list truncated.
    pub const SUPP_VER_TRUNC: u32 = 0x0002_0000;
    /// Packet snapped, decoding failed.
    pub const SNAP: u32 = 0x0004_0000;
    /// Failed to compute the JA3 fingerprint.
    pub const JA3_FAIL: u32 = 0x0008_0000;
    /// Failed to compute the JA4/JA4S fingerprint.
    pub const JA4_FAIL: u32 = 0x0010_0000;
    /// JA4/JA4S_a computed.
    pub const JA4_A_OK: u32 = 0x0020_0000;
    /// JA4/JA4S_b computed.
    pub const JA4_B_OK: u32 = 0x0040_0000;
    /// JA4/JA4S_c computed.
    pub const JA4_C_OK: u32 = 0x0080_0000;
    /// Insecure cipher.
    pub const INSECURE_CIPHER: u32 = 0x0100_0000;
    /// Weak cipher.
    pub const WEAK_CIPHER: u32 = 0x0200_0000;
    /// Secure cipher.
    pub const SECURE_CIPHER: u32 = 0x0400_0000;
    /// Perfect forward secrecy cipher.
    pub const RECOMMENDED_CIPHER: u32 = 0x0800_0000;
    /// JA4/JA4S raw fingerprint truncated (SSL_JA4_STR_LEN).
    pub const JA4_TRUNC: u32 = 0x1000_0000;
    /// Record versions list truncated.
    pub const REC_VER_TRUNC: u32 = 0x2000_0000;
    /// Handshake versions list truncated.
    pub const HAND_VER_TRUNC: u32 = 0x4000_0000;
    /// The truncations that make a JA3 fingerprint meaningless.
    pub const JA3_TRUNC: u32 = EC_TRUNC | EXTL_TRUNC | CIPHERL_TRUNC;
}

/// `sslVuln` bits.
pub mod vuln {
    /// BEAST (SSL 3.0).
    pub const BEAST: u8 = 0x01;
    /// BREACH (compression).
    pub const BREACH: u8 = 0x02;
    /// CRIME (compression).
    pub const CRIME: u8 = 0x04;
    /// POODLE (SSL 3.0).
    pub const POODLE: u8 = 0x10;
    /// HEARTBLEED attempted.
    pub const HEART: u8 = 0x20;
}

/// `sslFlags` bits.
pub mod flag {
    /// Request is SSLv2.
    pub const V2: u8 = 0x01;
    /// Version on the record layer differs from the flow's.
    pub const VER: u8 = 0x02;
    /// gmt_unix_time is less than one year after the epoch.
    pub const STIME: u8 = 0x04;
    /// gmt_unix_time is more than five years in the future.
    pub const RTIME: u8 = 0x08;
    /// Random is all zeros or all ones.
    pub const RAND: u8 = 0x10;
    /// Compression (deflate) enabled.
    pub const COMPR: u8 = 0x20;
}

/// Protocol versions.
pub mod version {
    /// SSL 1.0 (JA4 `s1`).
    pub const SSL1: u16 = 0x0001;
    /// SSL 2.0.
    pub const SSL2: u16 = 0x0002;
    /// SSL 3.0.
    pub const SSL3: u16 = 0x0300;
    /// TLS 1.0.
    pub const TLS10: u16 = 0x0301;
    /// TLS 1.1.
    pub const TLS11: u16 = 0x0302;
    /// TLS 1.2.
    pub const TLS12: u16 = 0x0303;
    /// TLS 1.3.
    pub const TLS13: u16 = 0x0304;
    /// First TLS 1.3 draft T2 knows (draft 14).
    pub const TLS13_D14: u16 = 0x7f0e;
    /// Last TLS 1.3 draft T2 knows (draft 28).
    pub const TLS13_D28: u16 = 0x7f1c;
    /// TLS 1.3 Facebook draft 23.
    pub const TLS13_FBD23: u16 = 0xfb17;
    /// TLS 1.3 Facebook draft 26.
    pub const TLS13_FBD26: u16 = 0xfb1a;
    /// DTLS 1.0 before the standard (OpenSSL pre 0.9.8f).
    pub const DTLS10_OLD: u16 = 0x0100;
    /// DTLS 1.0.
    pub const DTLS10: u16 = 0xfeff;
    /// DTLS 1.2.
    pub const DTLS12: u16 = 0xfefd;
    /// DTLS 1.3.
    pub const DTLS13: u16 = 0xfefc;

    /// A DTLS version.
    pub fn is_dtls(v: u16) -> bool {
        matches!(v, DTLS13 | DTLS12 | DTLS10 | DTLS10_OLD)
    }
    /// A TLS 1.3 draft.
    pub fn is_tls13_draft(v: u16) -> bool {
        (TLS13_D14..=TLS13_D28).contains(&v)
    }
    /// A TLS 1.3 Facebook draft.
    pub fn is_tls13_fb(v: u16) -> bool {
        v == TLS13_FBD23 || v == TLS13_FBD26
    }
    /// TLS 1.3 or one of its drafts.
    pub fn is_tls13(v: u16) -> bool {
        v == TLS13 || is_tls13_draft(v) || is_tls13_fb(v)
    }
    /// SSL 3.0 to TLS 1.3 (T2's `SSL_V_IS_SSL`).
    pub fn is_ssl(v: u16) -> bool {
        (SSL3..=TLS12).contains(&v) || is_tls13(v)
    }
    /// A version T2 decodes.
    pub fn is_valid(v: u16) -> bool {
        is_ssl(v) || is_dtls(v)
    }
}

/// A GREASE value (RFC 8701): 0x?a?a with both nibbles equal.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v & 0xf000) >> 8 == v & 0x00f0
}

/// A list T2 keeps in a fixed array of `max` entries and counts beyond it: `items` always has
/// `max` entries (zero until written), `n` counts every entry seen (wrapping like T2's counter).
#[derive(Debug, Clone, Default)]
pub struct List<T> {
    /// Entries seen (T2's `num_*`).
    pub n: u32,
    /// The stored entries (`max` of them).
    pub items: Vec<T>,
}

impl<T: Copy + Default> List<T> {
    fn with_max(max: usize) -> List<T> {
        List { n: 0, items: vec![T::default(); max] }
    }

    fn clear(&mut self) {
        self.n = 0;
        self.items.fill(T::default());
    }

    /// As [`List::clear`] leaves it.
    fn is_clear(&self) -> bool
    where
        T: PartialEq,
    {
        self.n == 0 && self.items.iter().all(|v| *v == T::default())
    }

    /// Writes entry `n` if it fits (returns false if not) and counts it, wrapping at `wrap`.
    pub fn push(&mut self, v: T, wrap: u32) -> bool {
        let fits = match self.items.get_mut(self.n as usize) {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        };
        self.n = (self.n + 1) % wrap;
        fits
    }

    /// The entries to output: the first `min(n, max)`.
    pub fn shown(&self) -> &[T] {
        &self.items[..self.items.len().min(self.n as usize)]
    }
}

/// Counter widths of T2's lists (its `num_*` fields).
pub mod wrap {
    /// `uint8_t`.
    pub const U8: u32 = 1 << 8;
    /// `uint16_t`.
    pub const U16: u32 = 1 << 16;
}

/// ALPN/ALPS/NPN protocol names: up to `max` names of up to `len` bytes each.
#[derive(Debug, Clone, Default)]
pub struct Protos {
    /// Names seen.
    pub n: u16,
    /// The stored names.
    pub names: Vec<Vec<u8>>,
}

impl Protos {
    fn clear(&mut self) {
        self.n = 0;
        self.names.iter_mut().for_each(Vec::clear);
    }

    /// As [`Protos::clear`] leaves it.
    fn is_clear(&self) -> bool {
        self.n == 0 && self.names.iter().all(Vec::is_empty)
    }

    /// The names to output.
    pub fn shown(&self) -> &[Vec<u8>] {
        &self.names[..self.names.len().min(usize::from(self.n))]
    }
}

/// The TLS state of one flow direction (T2's `sslFlow_t`), created when the flow's first
/// packet that may be TLS arrives.
#[derive(Debug, Clone)]
pub struct Tls {
    /// sslStat.
    pub stat: u32,
    /// sslProto.
    pub proto: u32,
    /// sslFlags.
    pub flags: u8,
    /// sslVuln.
    pub vuln: u8,
    /// sslAlert.
    pub alert: u64,
    /// The flow's version: last record or hello version (0: not TLS).
    pub version: u16,
    /// Record versions.
    pub rec_ver: List<u16>,
    /// Handshake versions.
    pub hand_ver: List<u16>,
    /// Hello extensions.
    pub ext: List<u16>,
    /// Supported versions.
    pub supp_ver: List<u16>,
    /// Signature algorithms.
    pub sig_alg: List<u16>,
    /// Supported groups (EC points).
    pub ec: List<u16>,
    /// EC point formats.
    pub ec_formats: List<u8>,
    /// ALPN names.
    pub alpn: Protos,
    /// ALPS names.
    pub alps: Protos,
    /// NPN names.
    pub npn: Protos,
    /// Preferred (client) or selected (server) cipher.
    pub cipher: u16,
    /// The last hello's cipher suites (`n` is their number).
    pub ciphers: List<u16>,
    /// Change cipher spec, alert, handshake, application data and heartbeat records.
    pub num_cc: u16,
    /// Alert records.
    pub num_alert: u16,
    /// Handshake records.
    pub num_hs: u16,
    /// Application data records.
    pub num_app: u64,
    /// Heartbeat records.
    pub num_hb: u64,
    /// Session ID length of the last hello.
    pub session_len: u8,
    /// gmt_unix_time of the last hello.
    pub gmt_time: u64,
    /// Server name (SNI), NUL-padded as T2 copies it.
    pub server_name: [u8; 256],
    /// The first certificate that could be decoded.
    pub cert: Option<Cert>,
    /// JA3 hash (empty: not computed).
    pub ja3_hash: String,
    /// JA3 description.
    pub ja3_desc: String,
    /// JA3 string before hashing.
    pub ja3_str: String,
    /// JA4/JA4S (empty: not computed).
    pub ja4: String,
    /// JA4/JA4S description.
    pub ja4_desc: String,
    /// JA4_o.
    pub ja4_o: String,
    /// JA4_r.
    pub ja4_r: String,
    /// JA4_ro.
    pub ja4_ro: String,
}

impl Tls {
    /// An empty state with lists sized by `cfg`.
    pub fn new(cfg: &Config) -> Tls {
        let protos = || Protos { n: 0, names: vec![Vec::new(); usize::from(cfg.ssl_max_proto)] };
        Tls {
            stat: 0,
            proto: 0,
            flags: 0,
            vuln: 0,
            alert: 0,
            version: 0,
            rec_ver: List::with_max(usize::from(cfg.ssl_max_rec_ver)),
            hand_ver: List::with_max(usize::from(cfg.ssl_max_hand_ver)),
            ext: List::with_max(usize::from(cfg.ssl_max_ext)),
            supp_ver: List::with_max(usize::from(cfg.ssl_max_supp_ver)),
            sig_alg: List::with_max(usize::from(cfg.ssl_max_sig_alg)),
            ec: List::with_max(usize::from(cfg.ssl_max_ec)),
            ec_formats: List::with_max(usize::from(cfg.ssl_max_ec_formats)),
            alpn: protos(),
            alps: protos(),
            npn: protos(),
            cipher: 0,
            ciphers: List::with_max(usize::from(cfg.ssl_max_cipher)),
            num_cc: 0,
            num_alert: 0,
            num_hs: 0,
            num_app: 0,
            num_hb: 0,
            session_len: 0,
            gmt_time: 0,
            server_name: [0; 256],
            cert: None,
            ja3_hash: String::new(),
            ja3_desc: String::new(),
            ja3_str: String::new(),
            ja4: String::new(),
            ja4_desc: String::new(),
            ja4_o: String::new(),
            ja4_r: String::new(),
            ja4_ro: String::new(),
        }
    }

    /// Back to the empty state, keeping the allocations (states are pooled).
    pub fn clear(&mut self) {
        (self.stat, self.proto, self.flags, self.vuln, self.alert, self.version) = (0, 0, 0, 0, 0, 0);
        for l in [&mut self.rec_ver, &mut self.hand_ver, &mut self.ext, &mut self.supp_ver, &mut self.sig_alg] {
            l.clear();
        }
        self.ec.clear();
        self.ciphers.clear();
        self.ec_formats.clear();
        for p in [&mut self.alpn, &mut self.alps, &mut self.npn] {
            p.clear();
        }
        self.cipher = 0;
        (self.num_cc, self.num_alert, self.num_hs, self.num_app, self.num_hb) = (0, 0, 0, 0, 0);
        (self.session_len, self.gmt_time) = (0, 0);
        self.server_name = [0; 256];
        self.cert = None;
        for s in [
            &mut self.ja3_hash,
            &mut self.ja3_desc,
            &mut self.ja3_str,
            &mut self.ja4,
            &mut self.ja4_desc,
            &mut self.ja4_o,
            &mut self.ja4_r,
            &mut self.ja4_ro,
        ] {
            s.clear();
        }
    }

    /// Whether the state is as [`Tls::clear`] leaves it, field by field (keep the two
    /// together): a flow whose first packet that might be TLS changed nothing gives its state
    /// back.
    pub fn is_clear(&self) -> bool {
        (self.stat, self.proto, self.flags, self.vuln, self.alert, self.version) == (0, 0, 0, 0, 0, 0)
            && [&self.rec_ver, &self.hand_ver, &self.ext, &self.supp_ver, &self.sig_alg, &self.ec, &self.ciphers]
                .iter()
                .all(|l| l.is_clear())
            && self.ec_formats.is_clear()
            && [&self.alpn, &self.alps, &self.npn].iter().all(|p| p.is_clear())
            && self.cipher == 0
            && (self.num_cc, self.num_alert, self.num_hs, self.num_app, self.num_hb) == (0, 0, 0, 0, 0)
            && (self.session_len, self.gmt_time) == (0, 0)
            && self.server_name.iter().all(|&c| c == 0)
            && self.cert.is_none()
            && [
                &self.ja3_hash,
                &self.ja3_desc,
                &self.ja3_str,
                &self.ja4,
                &self.ja4_desc,
                &self.ja4_o,
                &self.ja4_r,
                &self.ja4_ro,
            ]
            .iter()
            .all(|s| s.is_empty())
    }

    /// The server name up to its first NUL.
    pub fn server_name(&self) -> &[u8] {
        let end = self.server_name.iter().position(|&c| c == 0).unwrap_or(self.server_name.len());
        &self.server_name[..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grease_values() {
        for g in [0x0a0a, 0x1a1a, 0xfafa, 0x7a7a] {
            assert!(is_grease(g), "{g:#x}");
        }
        for v in [0x0a1a, 0x0303, 0x0000, 0x1a0a] {
            assert!(!is_grease(v), "{v:#x}");
        }
    }

    #[test]
    fn a_list_counts_past_its_capacity_and_wraps_like_t2() {
        let mut l = List::<u16>::with_max(2);
        assert!(l.push(1, wrap::U8));
        assert!(l.push(2, wrap::U8));
        assert!(!l.push(3, wrap::U8));
        assert_eq!((l.n, l.shown()), (3, &[1, 2][..]));
        l.n = 255;
        l.push(9, wrap::U8);
        assert_eq!(l.n, 0);
        l.clear();
        assert_eq!((l.n, l.items.as_slice()), (0, &[0, 0][..]));
    }

    #[test]
    fn versions() {
        use version::*;
        assert!(is_ssl(TLS12) && is_ssl(SSL3) && is_ssl(0x7f10) && !is_ssl(DTLS12));
        assert!(is_valid(DTLS12) && !is_valid(SSL2) && !is_valid(0x0200));
    }
}
