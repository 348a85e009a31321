//! Domain names: T2's decoding of (compressed) names into one reused buffer, and the NetBIOS
//! name decoding of its output.
//!
//! T2 copies labels into a NUL-terminated buffer that lives across calls; where a malformed
//! name stops without terminating it, the rest of the previous name shows through. [`NameBuf`]
//! keeps that behaviour, so the strings match T2's on broken input too.

use crate::msg::Msg;

/// Position returned for a name that ran past the message (T2's 65531): an error.
pub const NAME_ERR: u16 = 65531;
/// Position returned for a bad compression pointer (T2's 65532): an error, `DNS_ERRPTR`.
pub const PTR_ERR: u16 = 65532;
/// Offset of the first record after the 12-byte header; pointers below it are invalid.
pub const RSTART: u16 = 12;
/// Longest name (RFC 1035) before T2 stops copying.
const MXNAME: i32 = 253;
/// T2's name buffer limit (`DNS_HNLMAX`).
const HNLMAX: i32 = 253;
/// Compression pointers followed in one name. T2 follows only pointers to earlier offsets,
/// which bounds it, but up to millions of hops on a crafted message; real names need a
/// handful, so a longer chain ends the name like a bad pointer.
const MAX_HOPS: u32 = 256;

/// T2's reused name buffer: bytes up to the first NUL are the name.
pub struct NameBuf {
    b: [u8; 260],
}

impl Default for NameBuf {
    fn default() -> Self {
        NameBuf { b: [0; 260] }
    }
}

impl NameBuf {
    /// The name: the bytes before the first NUL.
    pub fn as_bytes(&self) -> &[u8] {
        let end = self.b.iter().position(|&c| c == 0).unwrap_or(self.b.len());
        &self.b[..end]
    }

    fn put(&mut self, k: &mut usize, c: u8) {
        if let Some(slot) = self.b.get_mut(*k) {
            *slot = c;
            *k += 1;
        }
    }

    fn end(&mut self, k: usize) {
        if let Some(slot) = self.b.get_mut(k) {
            *slot = 0;
        }
    }
}

/// Decodes the name at `start` of `m` (message length `len`) into `nb` as T2 does: labels joined
/// by dots, pointers to earlier offsets followed. Returns the position after the name, or after
/// the first pointer, a position beyond `len` for a name that stops at the end of the message,
/// or [`NAME_ERR`] / [`PTR_ERR`].
pub fn parse(m: &Msg<'_>, len: u16, start: u16, nb: &mut NameBuf) -> u16 {
    let len32 = i32::from(len);
    let mut l = start;
    let mut k = 0usize;
    let mut nlen = 0i32;
    let mut lb = start;
    // after the first pointer, the position returned whatever the target holds
    let mut after_ptr: Option<u16> = None;
    let mut hops = 0u32;
    'target: loop {
        if i32::from(l) + 1 > len32 {
            // unterminated: the previous name's tail stays
            return after_ptr.unwrap_or(NAME_ERR);
        }
        if m.get(l) == 0 {
            if k > 0 && nb.b[k - 1] == b'.' {
                nb.end(k - 1);
            } else {
                nb.end(k);
            }
            return after_ptr.unwrap_or(l.wrapping_add(1));
        }
        loop {
            if i32::from(l) + 1 >= len32 || l < RSTART {
                l = NAME_ERR - 1;
                break;
            }
            let b0 = m.get(l);
            if b0 & 0xc0 != 0 {
                let target = (u16::from(b0 & 0x3f) << 8) | u16::from(m.get(l + 1));
                hops += 1;
                if b0 & 0xc0 != 0xc0 || target >= l || target > len || hops > MAX_HOPS {
                    l = PTR_ERR - 1;
                    break;
                }
                after_ptr.get_or_insert(l + 2);
                lb = l;
                l = target;
                continue 'target;
            }
            let lab = i32::from(b0);
            let mut mxlen = i32::from(l) + lab;
            nlen += lab;
            let mut whole = !(nlen > MXNAME || mxlen + 1 == i32::from(lb));
            let over = k as i32 + lab - HNLMAX;
            if over > 0 {
                mxlen -= over + 1;
            }
            if mxlen > len32 {
                mxlen = len32;
                whole = false;
            }
            for j in i32::from(l) + 1..=mxlen {
                nb.put(&mut k, m.get(j as u16));
            }
            if !whole {
                l = NAME_ERR - 1;
                break;
            }
            l = l.wrapping_add(b0 as u16 + 1);
            if m.get(l) == 0 || l >= len {
                break;
            }
            if over <= 0 {
                nb.put(&mut k, b'.');
            }
        }
        nb.end(k);
        return after_ptr.unwrap_or(l.wrapping_add(1));
    }
}

/// A NetBIOS name as T2 prints it: the first 32 bytes of `src` (0 past its end) decoded pairwise
/// ('A'-based nibbles), space padding dropped, the suffix byte and unprintable bytes as `<xx>`
/// (T2 formats a signed char: bytes from 0x80 read `<ffffff80>` ...).
pub fn netbios(src: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.clear();
    let at = |i: usize| src.get(i).copied().unwrap_or(0);
    for i in (0..32).step_by(2) {
        let c = (at(i).wrapping_sub(0x41) << 4).wrapping_add(at(i + 1).wrapping_sub(0x41) & 0x0f);
        if i == 30 || !(0x20..0x7f).contains(&c) {
            out.push(b'<');
            if c >= 0x80 {
                out.extend_from_slice(b"ffffff");
            }
            out.extend_from_slice(&[HEX[usize::from(c >> 4)], HEX[usize::from(c & 0xf)], b'>']);
        } else if c != b' ' {
            out.push(c);
        }
    }
}
