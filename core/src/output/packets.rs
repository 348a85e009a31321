//! The packet file of packet mode (`-s`, core.md §2.3): the core's columns of
//! `PREFIX_packets.txt`. Plugins write their own columns between [`prefix`] and [`payload`].
//!
//! Write errors are not handled here: the packet file's [`crate::log::Stream`] reports the
//! first one and drops the rest; it is flushed at the end of the run.

use std::io::{self, Write};

use plugin_api::abi::PacketView;

use crate::flags;

/// The start of the header line, written when the file is created (before the plugins' names).
pub fn header_start(w: &mut dyn Write) {
    let s: &[u8] = if flags::SPKTMD_PKTNO == 1 { b"%pktNo\tflowInd\t" } else { b"%flowInd\t" };
    let _ = w.write_all(s);
}

/// The end of the header line, after every plugin's `init`: the payload columns, trailing TAB
/// removed (T2's `t2_discard_trailing_chars`).
pub fn header_end(w: &mut dyn Write) {
    let layer: &str = match flags::SPKTMD_PCNTL {
        0 => "",
        1 => "l2",
        2 => "l3",
        3 => "l4",
        _ => "l7",
    };
    let mut names: Vec<String> = Vec::new();
    if flags::SPKTMD_PCNTH == 1 {
        names.push(if layer.is_empty() { "hexContent".into() } else { format!("{layer}HexContent") });
    }
    if flags::SPKTMD_PCNTC == 1 {
        names.push(if layer.is_empty() { "content".into() } else { format!("{layer}Content") });
    }
    if names.is_empty() {
        // T2 removes the last name's TAB here; on a stream it stays (no payload column either way)
        let _ = w.write_all(b"\n");
        return;
    }
    let _ = w.write_all(names.join("\t").as_bytes());
    let _ = w.write_all(b"\n");
}

/// `pktNo<TAB>flowInd<TAB>` of a packet of a flow.
pub fn prefix(w: &mut dyn Write, pkt_no: u64, findex: u64) {
    let mut digits = itoa::Buffer::new();
    if flags::SPKTMD_PKTNO == 1 {
        let _ = w.write_all(digits.format(pkt_no).as_bytes());
        let _ = w.write_all(b"\t");
    }
    let _ = w.write_all(digits.format(findex).as_bytes());
    let _ = w.write_all(b"\t");
}

/// The payload column(s) selected by `SPKTMD_PCNTL` and the newline ending the line.
pub fn payload(w: &mut dyn Write, data: &[u8], pv: &PacketView) {
    let (off, len) = match flags::SPKTMD_PCNTL {
        0 => (0, pv.snap_len as usize),
        1 => (pv.l2_off, pv.snap_l2_len as usize),
        2 => (pv.l3_off, pv.snap_l3_len as usize),
        3 => (pv.l4_off, usize::from(pv.snap_l4_len)),
        _ => (pv.l7_off, usize::from(pv.snap_l7_len)),
    };
    // absent headers (NO_OFFSET) and lengths past the capture give an empty payload
    let bytes = data.get(off as usize..).map_or(&[][..], |b| &b[..len.min(b.len())]);
    let _ = write_payload(w, bytes);
}

fn write_payload(w: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    if flags::SPKTMD_PCNTH == 1 {
        for (i, b) in bytes.iter().enumerate() {
            let sep: &[u8] = if i == 0 { b"0x" } else { b" 0x" };
            const HEX: &[u8; 16] = b"0123456789abcdef";
            w.write_all(sep)?;
            w.write_all(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]])?;
        }
        if flags::SPKTMD_PCNTC == 1 {
            w.write_all(b"\t")?;
        }
    }
    if flags::SPKTMD_PCNTC == 1 {
        escape(w, bytes)?;
    }
    w.write_all(b"\n")
}

/// Printable ASCII verbatim, C escapes for `\b \f \n \r \t \v \\`, `.` for any other byte
/// (C's `isprint` on a `char`: bytes ≥ 0x80 are not printable).
fn escape(w: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x0b => b"\\v",
            b'\\' => b"\\\\",
            0x20..=0x7e => continue,
            _ => b".",
        };
        // write the printable run before this byte in one call
        w.write_all(&bytes[start..i])?;
        w.write_all(rep)?;
        start = i + 1;
    }
    w.write_all(&bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_t2() {
        let mut v = Vec::new();
        escape(&mut v, b"GET / HTTP/1.1\r\nX: a\\b\t\x00\x7f\xe9\x08\x0b\x0c~").unwrap();
        assert_eq!(v, b"GET / HTTP/1.1\\r\\nX: a\\\\b\\t...\\b\\v\\f~".to_vec());
    }

    #[test]
    fn prefix_and_header() {
        let mut v = Vec::new();
        header_start(&mut v);
        header_end(&mut v);
        prefix(&mut v, 0, 18_446_744_073_709_551_615);
        assert_eq!(v, b"%pktNo\tflowInd\tl7Content\n0\t18446744073709551615\t".to_vec());
    }

    #[test]
    fn payload_of_absent_layer_is_empty() {
        let mut pv = crate::dissect::empty_view();
        pv.l7_off = plugin_api::abi::NO_OFFSET;
        pv.snap_l7_len = 10;
        let mut v = Vec::new();
        payload(&mut v, b"abc", &pv);
        assert_eq!(v, b"\n".to_vec());
        pv.l7_off = 1;
        v.clear();
        payload(&mut v, b"abc", &pv);
        assert_eq!(v, b"bc\n".to_vec());
    }
}
