//! Packet mode (`-s`): a plugin's fields of one line of `PREFIX_packets.txt` (plugins.md §0.3).
//!
//! The core writes `pktNo<TAB>flowInd<TAB>` before the plugins' per-packet calls and the payload
//! column after them; every plugin that declares packet columns writes exactly that many fields,
//! each followed by a TAB, for every packet of a flow (layer-2 flows included).
//!
//! ```no_run
//! # use plugin_api::{Host, PacketLine};
//! # fn demo(host: Host, packet_mode: bool) {
//! let mut line = PacketLine::default();
//! if packet_mode {
//!     PacketLine::header(host, &["myStat", "myLen"]); // from `init`
//! }
//! // per packet, from `on_layer4` (or `on_layer2` with a flow):
//! line.hex(0x12, 2).u64(60).write(host); // "0x12\t60\t"
//! # }
//! ```

use std::io::Write as _;

use crate::abi::stream;
use crate::host::Host;

/// A reused buffer for one packet's fields, handed to the host in a single [`Host::write`].
/// Once its capacity has grown to a line's size, building a line allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct PacketLine {
    buf: Vec<u8>,
}

impl PacketLine {
    /// Writes the header names of a plugin's packet columns, each followed by a TAB; call it from
    /// `init` when [`crate::Init::packet_mode`] is set.
    pub fn header(host: Host, names: &[&str]) {
        let mut line = PacketLine::default();
        for n in names {
            line.str(n);
        }
        line.write(host);
    }

    /// An unsigned decimal field.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self.tab()
    }

    /// A signed decimal field.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.buf.push(b'-');
        }
        self.u64(v.unsigned_abs())
    }

    /// A hex field `0x` + at least `digits` lower-case digits (C `0x%0<digits>x`; T2's
    /// `B2T_PRIX*` with the default `HEX_CAPITAL=0`).
    pub fn hex(&mut self, v: u64, digits: usize) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let n = ((64 - v.leading_zeros() as usize).div_ceil(4)).max(digits.min(16)).max(1);
        self.buf.extend_from_slice(b"0x");
        for k in (0..n).rev() {
            self.buf.push(HEX[((v >> (4 * k)) & 0xf) as usize]);
        }
        self.tab()
    }

    /// A text field, verbatim.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self.tab()
    }

    /// A field formatted with `format_args!` (floats, compound values).
    pub fn fmt(&mut self, args: core::fmt::Arguments<'_>) -> &mut Self {
        // writing into a Vec cannot fail
        let _ = self.buf.write_fmt(args);
        self.tab()
    }

    /// `n` empty fields (the filler for packets a plugin does not analyse).
    pub fn empty(&mut self, n: usize) -> &mut Self {
        self.buf.extend(core::iter::repeat_n(b'\t', n));
        self
    }

    /// Ends the current field with a TAB (after raw bytes pushed with [`PacketLine::raw`]).
    pub fn tab(&mut self) -> &mut Self {
        self.buf.push(b'\t');
        self
    }

    /// Appends raw bytes to the current field (no TAB).
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }

    /// What has been built so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Hands the fields to the packet file and empties the buffer for the next packet.
    pub fn write(&mut self, host: Host) {
        host.write(stream::PACKETS, &self.buf);
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_end_in_tabs() {
        let mut l = PacketLine::default();
        l.u64(0).u64(18_446_744_073_709_551_615).i64(-42).i64(7);
        l.hex(0, 2).hex(0x4000, 4).hex(0x1_0000, 4).hex(0xab, 16).str("x").empty(2);
        l.fmt(format_args!("{:.3}", 1.5));
        assert_eq!(
            l.as_bytes(),
            b"0\t18446744073709551615\t-42\t7\t0x00\t0x4000\t0x10000\t0x00000000000000ab\tx\t\t\t1.500\t"
        );
    }
}
