//! The text of values as T2's sinks write them (its `bin2txt.h`): integers, hex numbers,
//! addresses in the `*_FORMAT` spellings, and the UTF-8 sanitising of strings, each sink with
//! its own escapes. txtSink and jsonSink write through these.

use super::put;

/// Lower-case hex digits.
pub const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
/// Upper-case hex digits (`HEX_CAPITAL`).
pub const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// How hex numbers and addresses are spelled: `bin2txt.h`'s `HEX_CAPITAL`, `MAC_FORMAT`,
/// `MAC_SEP`, `IP4_FORMAT` and `IP6_FORMAT`.
#[derive(Debug, Clone, Copy)]
pub struct Spelling {
    /// Upper-case hex digits (`HEX_CAPITAL`; the `0x` stays lower case).
    pub hex_capital: bool,
    /// 0 bytes joined by `mac_sep`, 1 `0x` + 16 hex digits, 2 decimal.
    pub mac_format: u8,
    /// Separator of `mac_format` 0.
    pub mac_sep: &'static str,
    /// 0 dotted, 1 zero-padded dotted, 2 `0x` + 8 hex digits, 3 decimal.
    pub ip4_format: u8,
    /// 0 `inet_ntop`, 1 full groups, 2 one 128-bit hex, 3 two 64-bit hex.
    pub ip6_format: u8,
}

impl Default for Spelling {
    /// T2's defaults: lower-case hex, `aa:bb:..` MACs, dotted IPv4, compressed IPv6.
    fn default() -> Spelling {
        Spelling { hex_capital: false, mac_format: 0, mac_sep: ":", ip4_format: 0, ip6_format: 0 }
    }
}

impl Spelling {
    /// `digits` hex digits of `v`, zero-padded, no prefix.
    #[inline]
    pub fn hex(&self, out: &mut Vec<u8>, v: u64, digits: usize) {
        let table = if self.hex_capital { HEX_UPPER } else { HEX_LOWER };
        for i in (0..digits).rev() {
            out.push(table[((v >> (4 * i)) & 0xf) as usize]);
        }
    }

    /// `0x` and `digits` hex digits of `v`.
    #[inline]
    pub fn hex0x(&self, out: &mut Vec<u8>, v: u64, digits: usize) {
        out.extend_from_slice(b"0x");
        self.hex(out, v, digits);
    }

    /// A MAC address (`MAC_FORMAT`, `MAC_SEP`).
    pub fn mac(&self, out: &mut Vec<u8>, m: [u8; 6]) {
        let v = m.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        match self.mac_format {
            1 => self.hex0x(out, v, 16),
            2 => int(out, v),
            _ => {
                for (i, &b) in m.iter().enumerate() {
                    if i > 0 {
                        put(out, self.mac_sep.as_bytes());
                    }
                    self.hex(out, u64::from(b), 2);
                }
            }
        }
    }

    /// An IPv4 address (`IP4_FORMAT`).
    pub fn ip4(&self, out: &mut Vec<u8>, a: [u8; 4]) {
        match self.ip4_format {
            1 => {
                for (i, &b) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b'.');
                    }
                    zero_padded(out, u64::from(b), 3);
                }
            }
            2 => self.hex0x(out, u64::from(u32::from_be_bytes(a)), 8),
            3 => int(out, u32::from_be_bytes(a)),
            _ => ip4_dotted(out, a),
        }
    }

    /// An IPv6 address (`IP6_FORMAT`).
    pub fn ip6(&self, out: &mut Vec<u8>, a: [u8; 16]) {
        let v = u128::from_be_bytes(a);
        match self.ip6_format {
            1 => {
                for i in 0..8 {
                    if i > 0 {
                        out.push(b':');
                    }
                    self.hex(out, u64::from(u16::from_be_bytes([a[2 * i], a[2 * i + 1]])), 4);
                }
            }
            2 => {
                self.hex0x(out, (v >> 64) as u64, 16);
                self.hex(out, v as u64, 16);
            }
            3 => {
                self.hex0x(out, (v >> 64) as u64, 16);
                out.push(b'_');
                self.hex0x(out, v as u64, 16);
            }
            _ => inet_ntop6(out, a),
        }
    }
}

/// Decimal text of an integer.
#[inline]
pub fn int<I: itoa::Integer>(out: &mut Vec<u8>, v: I) {
    put(out, itoa::Buffer::new().format(v).as_bytes());
}

/// `%0<width>u`: at least `width` digits (more when the value needs them).
#[inline]
pub fn zero_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let s = buf.format(v);
    for _ in s.len()..width {
        out.push(b'0');
    }
    put(out, s.as_bytes());
}

/// Dotted decimal IPv4 (`IP4_FORMAT` 0).
pub fn ip4_dotted(out: &mut Vec<u8>, a: [u8; 4]) {
    for (i, &b) in a.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        int(out, b);
    }
}

/// glibc's `inet_ntop(AF_INET6)`: longest run (first if tied) of ≥ 2 zero groups becomes `::`,
/// `::ffff:a.b.c.d` and `::a.b.c.d` for mapped and compatible IPv4 addresses.
pub fn inet_ntop6(out: &mut Vec<u8>, a: [u8; 16]) {
    let words: [u16; 8] = core::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut i = 0;
    while i < 8 {
        if i == best {
            // One ':' here and one for the group after the run (or a closing one at the end).
            out.push(b':');
            i += best_len;
            if i == 8 {
                out.push(b':');
            }
            continue;
        }
        if i > 0 {
            out.push(b':');
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            ip4_dotted(out, [a[12], a[13], a[14], a[15]]);
            return;
        }
        let w = words[i];
        let digits = if w >= 0x1000 {
            4
        } else if w >= 0x100 {
            3
        } else if w >= 0x10 {
            2
        } else {
            1
        };
        for d in (0..digits).rev() {
            out.push(HEX_LOWER[usize::from((w >> (4 * d)) & 0xf)]);
        }
        i += 1;
    }
}

/// Bytes that stand for themselves in `S`/`SC` text (printable ASCII except `"` and `\`).
#[inline]
pub fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\'
}

/// The length of the run of plain bytes at the start of `s` (the fast path of both escapers),
/// copied to `out`.
#[inline]
pub fn copy_plain(out: &mut Vec<u8>, s: &[u8]) -> usize {
    let n = s.iter().position(|&b| !is_plain(b)).unwrap_or(s.len());
    if n > 16 {
        out.extend_from_slice(&s[..n]);
    } else {
        put(out, &s[..n]);
    }
    n
}

/// How reading a multi-byte sequence ended.
enum Seq {
    /// All continuation bytes read.
    Complete,
    /// Invalid by its second byte.
    Rejected,
    /// A byte that is no continuation byte: it starts the next character.
    Restart(u8),
}

/// T2's UTF-8 sanitising (txt-format.md §5, the same in jsonSink): escapes ASCII controls
/// (`escape`'s short form, else `\u00XX`), copies valid UTF-8, and writes `.` for every rejected
/// unit. T2 reads the string byte by byte up to its NUL: the end of a `complete` string acts as
/// that NUL; an incomplete one stops where the record ends.
#[inline]
pub fn sanitize_utf8<E>(out: &mut Vec<u8>, s: &[u8], complete: bool, escape: E)
where
    E: Fn(u8) -> Option<&'static [u8]>,
{
    let mut i = 0;
    // The next byte, the NUL at the end of a complete string, or None past a cut one.
    let next = |i: &mut usize| {
        let b = s.get(*i).copied().or(complete.then_some(0));
        *i += 1;
        b
    };
    loop {
        i += copy_plain(out, &s[i.min(s.len())..]);
        let Some(mut c) = next(&mut i) else { return };
        // A rejected continuation byte is decoded afresh: loop with it as the new lead byte.
        loop {
            if c == 0 {
                return;
            }
            if c < 0x80 {
                match escape(c) {
                    Some(e) => put(out, e),
                    None if c <= 0x1f || c == 0x7f => {
                        out.extend_from_slice(b"\\u00");
                        out.push(HEX_UPPER[usize::from(c >> 4)]);
                        out.push(HEX_UPPER[usize::from(c & 0xf)]);
                    }
                    None => out.push(c),
                }
                break;
            }
            // 0x80-0xc1: continuation or overlong 2-byte lead; ≥ 0xf5: beyond U+10FFFF.
            if !(0xc2..0xf5).contains(&c) {
                out.push(b'.');
                break;
            }
            let len = if c < 0xe0 {
                2
            } else if c < 0xf0 {
                3
            } else {
                4
            };
            let mut seq = [c, 0, 0, 0];
            let mut k = 1;
            let outcome = loop {
                if k == len {
                    break Seq::Complete;
                }
                let Some(b) = next(&mut i) else { return };
                if b == 0 {
                    // The string ends inside the sequence.
                    out.push(b'.');
                    return;
                }
                if b & 0xc0 != 0x80 {
                    break Seq::Restart(b);
                }
                // The second byte already tells overlong 3/4-byte forms and code points past
                // U+10FFFF; the bytes read so far are dropped.
                if k == 1 && ((c == 0xe0 && b < 0xa0) || (c == 0xf0 && b < 0x90) || (c == 0xf4 && b >= 0x90)) {
                    break Seq::Rejected;
                }
                seq[k] = b;
                k += 1;
            };
            match outcome {
                Seq::Restart(b) => {
                    out.push(b'.');
                    c = b;
                    continue;
                }
                Seq::Rejected => {
                    out.push(b'.');
                    break;
                }
                Seq::Complete => {}
            }
            if len == 3 {
                let cp = (u32::from(c & 0x0f) << 12) | (u32::from(seq[1] & 0x3f) << 6) | u32::from(seq[2] & 0x3f);
                if (0xd800..=0xdfff).contains(&cp) {
                    out.push(b'.');
                    break;
                }
            }
            put(out, &seq[..len]);
            break;
        }
    }
}
