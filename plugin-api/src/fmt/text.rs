//! The text of values as T2's sinks write them (its `bin2txt.h`): integers, hex numbers,
//! addresses in the `*_FORMAT` spellings, and the UTF-8 sanitising of strings, each sink with
//! its own escapes. txtSink and jsonSink write through these.

use super::{put, slot};

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

/// The two hex digits of each byte, in each case.
const HEX_PAIRS: [[[u8; 2]; 256]; 2] = {
    let mut t = [[[0; 2]; 256]; 2];
    let mut b = 0;
    while b < 256 {
        t[0][b] = [HEX_LOWER[b >> 4], HEX_LOWER[b & 0xf]];
        t[1][b] = [HEX_UPPER[b >> 4], HEX_UPPER[b & 0xf]];
        b += 1;
    }
    t
};

impl Spelling {
    fn table(&self) -> &'static [[u8; 2]; 256] {
        &HEX_PAIRS[usize::from(self.hex_capital)]
    }

    /// `digits` (at most 16) hex digits of `v`, zero-padded, no prefix.
    #[inline]
    pub fn hex(&self, out: &mut Vec<u8>, v: u64, digits: usize) {
        let digits = digits.min(16);
        slot::<16>(out, |buf| {
            hex_digits(self.table(), &mut buf[..digits], v);
            digits
        });
    }

    /// `0x` and `digits` (at most 16) hex digits of `v`.
    #[inline]
    pub fn hex0x(&self, out: &mut Vec<u8>, v: u64, digits: usize) {
        let digits = digits.min(16);
        slot::<18>(out, |buf| {
            buf[..2].copy_from_slice(b"0x");
            hex_digits(self.table(), &mut buf[2..2 + digits], v);
            2 + digits
        });
    }

    /// A MAC address (`MAC_FORMAT`, `MAC_SEP`).
    pub fn mac(&self, out: &mut Vec<u8>, m: [u8; 6]) {
        let v = m.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        match (self.mac_format, self.mac_sep.as_bytes()) {
            (1, _) => self.hex0x(out, v, 16),
            (2, _) => int(out, v),
            // The common one-byte separator: the 17 bytes written at once.
            (_, &[sep]) => {
                let t = self.table();
                slot::<17>(out, |buf| {
                    for (cell, &b) in buf.chunks_mut(3).zip(&m) {
                        cell[..2].copy_from_slice(&t[usize::from(b)]);
                        if let Some(s) = cell.get_mut(2) {
                            *s = sep;
                        }
                    }
                    17
                });
            }
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

/// `v`'s hex digits filling `buf` (most significant first), a byte at a time.
#[inline(always)]
fn hex_digits(table: &[[u8; 2]; 256], buf: &mut [u8], mut v: u64) {
    let mut pairs = buf.rchunks_exact_mut(2);
    for pair in &mut pairs {
        pair.copy_from_slice(&table[(v & 0xff) as usize]);
        v >>= 8;
    }
    if let [first] = pairs.into_remainder() {
        *first = table[(v & 0xf) as usize][1];
    }
}

/// An integer as [`int`] writes it: its sign and magnitude.
pub trait Decimal: Copy {
    /// Whether it is negative, and its absolute value.
    fn sign_abs(self) -> (bool, u64);
}

macro_rules! decimal {
    (unsigned: $($u:ty),*; signed: $($i:ty),*) => {
        $(impl Decimal for $u {
            #[inline(always)]
            fn sign_abs(self) -> (bool, u64) {
                (false, self as u64)
            }
        })*
        $(impl Decimal for $i {
            #[inline(always)]
            fn sign_abs(self) -> (bool, u64) {
                (self < 0, self.unsigned_abs() as u64)
            }
        })*
    };
}
decimal!(unsigned: u8, u16, u32, u64, usize; signed: i8, i16, i32, i64, isize);

/// The two digits of each number below 100.
const DIGITS2: [u8; 200] = {
    let mut t = [0; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// The two digits of `d` (below 100).
#[inline(always)]
fn pair(d: u32) -> [u8; 2] {
    let d = d as usize * 2;
    [DIGITS2[d], DIGITS2[d + 1]]
}

/// Number of decimal digits of `v`: ⌊log₁₀ 2ᵇ⌋ from its bit length b (1233/4096 ≈ log₁₀ 2),
/// one more when `v` reaches the next power of ten (cheaper than `ilog10`'s steps).
#[inline(always)]
fn dec_len(v: u64) -> usize {
    const POW10: [u64; 20] = {
        let mut t = [1; 20];
        let mut i = 1;
        while i < 20 {
            t[i] = t[i - 1] * 10;
            i += 1;
        }
        t
    };
    let v = v | 1;
    let guess = (((64 - v.leading_zeros()) * 1233) >> 12) as usize;
    guess + usize::from(v >= POW10[guess.min(19)])
}

/// `v`'s decimal digits filling `buf`, which is [`dec_len`] long (or longer: zero-padded).
///
/// Written here rather than with `itoa`, whose digits end in its own buffer: copying them out
/// is a copy of variable length, where these go straight into [`slot`]'s bytes.
/// Four digits at a time: one 64-bit division by 10⁴, then two pairs in 32 bits.
#[inline(always)]
pub(super) fn dec_digits(buf: &mut [u8], mut v: u64) {
    let mut quads = buf.rchunks_exact_mut(4);
    for quad in &mut quads {
        let r = (v % 10_000) as u32;
        v /= 10_000;
        let [a, b] = pair(r / 100);
        let [c, d] = pair(r % 100);
        quad.copy_from_slice(&[a, b, c, d]);
    }
    let v = v as u32;
    match quads.into_remainder() {
        [x] => *x = b'0' + (v % 10) as u8,
        [x, y] => [*x, *y] = pair(v % 100),
        [x, y, z] => {
            *x = b'0' + (v / 100 % 10) as u8;
            [*y, *z] = pair(v % 100);
        }
        _ => {}
    }
}

/// Decimal text of an integer.
#[inline]
pub fn int<I: Decimal>(out: &mut Vec<u8>, v: I) {
    match v.sign_abs() {
        // Most counts and flags of a flow are one digit, most others two.
        (false, abs @ 0..10) => out.push(b'0' + abs as u8),
        (false, abs @ 10..100) => out.extend_from_slice(&pair(abs as u32)),
        (neg, abs) => signed_decimal(out, neg, abs),
    }
}

/// [`int`] of more than one digit.
fn signed_decimal(out: &mut Vec<u8>, neg: bool, abs: u64) {
    let n = dec_len(abs);
    slot::<20>(out, |buf| {
        if neg {
            buf[0] = b'-';
        }
        let start = usize::from(neg);
        dec_digits(&mut buf[start..start + n], abs);
        start + n
    });
}

/// `%0<width>u`: at least `width` digits (more when the value needs them).
#[inline]
pub fn zero_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let n = dec_len(v).max(width);
    if n > 20 {
        out.resize(out.len() + n - 20, b'0');
    }
    let n = n.min(20);
    slot::<20>(out, |buf| {
        dec_digits(&mut buf[..n], v);
        n
    });
}

/// Each byte's decimal digits and a `.` after them, left-aligned.
const OCTETS: [[u8; 4]; 256] = {
    let mut t = [[0; 4]; 256];
    let mut b = 0;
    while b < 256 {
        let (h, d, u) = (b'0' + (b / 100) as u8, b'0' + (b / 10 % 10) as u8, b'0' + (b % 10) as u8);
        t[b] = if b >= 100 {
            [h, d, u, b'.']
        } else if b >= 10 {
            [d, u, b'.', 0]
        } else {
            [u, b'.', 0, 0]
        };
        b += 1;
    }
    t
};

/// Dotted decimal IPv4 (`IP4_FORMAT` 0).
pub fn ip4_dotted(out: &mut Vec<u8>, a: [u8; 4]) {
    slot::<16>(out, |buf| {
        let mut pos = 0;
        for b in a {
            if let Some(cell) = buf.get_mut(pos..pos + 4) {
                cell.copy_from_slice(&OCTETS[usize::from(b)]);
            }
            pos += 2 + usize::from(b >= 10) + usize::from(b >= 100);
        }
        // Without the last dot.
        pos - 1
    });
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

/// `u64::from_ne_bytes([1; 8])`: one in each byte.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// The high bit of each byte.
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// The zero bytes of `w`: a mask with the high bit of each set, exact up to the first (lowest)
/// one; a borrow may flag bytes above it.
#[inline(always)]
pub(crate) fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGH
}

/// The bytes of `w` (little-endian) that are not plain ([`is_plain`]): a mask with the high bit
/// of each such byte set, from the word-at-a-time tests of "a byte below n", "a byte above n"
/// and "a zero byte". The lowest set bit is exact (a borrow or carry only spreads upward from
/// a byte that is itself not plain), so it marks the first byte that is not plain.
#[inline(always)]
fn not_plain(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let del_or_high = w.wrapping_add(ONES) | w;
    let quote = zero_bytes(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_bytes(w ^ (ONES * u64::from(b'\\')));
    (control | del_or_high | quote | backslash) & HIGH
}

/// Appends the 8 bytes of `chunk`, of which the bytes flagged in `mask` (see [`not_plain`]) and
/// those after them are taken back; returns how many stayed.
#[inline(always)]
fn put_plain_prefix(out: &mut Vec<u8>, chunk: &[u8; 8], mask: u64) -> usize {
    out.extend_from_slice(chunk);
    let kept = (mask.trailing_zeros() / 8) as usize;
    out.truncate(out.len() - (8 - kept.min(8)));
    kept.min(8)
}

/// The length of the run of plain bytes at the start of `s` (the fast path of both escapers),
/// copied to `out`, eight bytes at a time: a whole chunk is tested and copied at once, and its
/// bytes from the first one that is not plain taken back.
#[inline]
pub fn copy_plain(out: &mut Vec<u8>, s: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = s.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let mask = not_plain(u64::from_le_bytes(*chunk));
        let kept = put_plain_prefix(out, chunk, mask);
        i += kept;
        if kept < 8 {
            return i;
        }
    }
    let rest = s.len() - i;
    if rest == 0 {
        return i;
    }
    match s.last_chunk::<8>() {
        // The last 8 bytes, of which the first 8 - rest were copied (and are plain): those are
        // taken back and written again with the rest.
        Some(last) if i >= 8 - rest => {
            out.truncate(out.len() - (8 - rest));
            s.len() - 8 + put_plain_prefix(out, last, not_plain(u64::from_le_bytes(*last)))
        }
        // A string shorter than 8 bytes: padded with NULs, which are not plain. (Gathered by
        // shifts: a copying loop becomes a `memcpy` call.)
        _ => {
            let w = s[i..].iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b));
            i + put_plain_prefix(out, &w.to_le_bytes(), not_plain(w))
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_plain_stops_at_the_first_byte_that_is_not_plain() {
        // Every length up to three chunks, with each kind of byte at each position.
        let specials = [0u8, 0x01, 0x1f, b'"', b'\\', 0x7f, 0x80, 0xc3, 0xff];
        for len in 0..24 {
            let plain: Vec<u8> =
                (0..len).map(|i| b' ' + (i * 7 % 95) as u8).map(|b| if is_plain(b) { b } else { b'a' }).collect();
            let mut cases = vec![plain.clone()];
            for pos in 0..len {
                for &b in &specials {
                    let mut s = plain.clone();
                    s[pos] = b;
                    cases.push(s);
                }
            }
            for s in cases {
                let want = s.iter().position(|&b| !is_plain(b)).unwrap_or(s.len());
                let mut out = b"prefix".to_vec();
                assert_eq!(copy_plain(&mut out, &s), want, "{s:?}");
                assert_eq!(out, [b"prefix", &s[..want]].concat(), "{s:?}");
            }
        }
    }

    #[test]
    fn decimal_like_display() {
        let mut n = 1u64;
        let mut values = vec![0, u64::MAX];
        while let Some(m) = n.checked_mul(10) {
            values.extend([n - 1, n, n + 1]);
            n = m;
        }
        for v in values {
            let mut out = Vec::new();
            int(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
            let mut out = Vec::new();
            zero_padded(&mut out, v, 9);
            assert_eq!(out, format!("{v:09}").as_bytes());
        }
        for v in [i64::MIN, -1, 0, i64::MAX] {
            let mut out = Vec::new();
            int(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
        }
        let mut out = Vec::new();
        zero_padded(&mut out, 42, 24);
        assert_eq!(out, format!("{:024}", 42).as_bytes());
    }

    #[test]
    fn dotted_quads_like_display() {
        for a in [[0, 0, 0, 0], [255, 255, 255, 255], [1, 22, 133, 9], [10, 100, 99, 0]] {
            let mut out = Vec::new();
            ip4_dotted(&mut out, a);
            assert_eq!(out, std::net::Ipv4Addr::from(a).to_string().as_bytes());
        }
    }
}
