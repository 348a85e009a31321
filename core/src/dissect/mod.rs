//! Packet dissection: link layer → VLAN/LLC/MPLS/PPPoE → IP → tunnels → layer 4, exactly as
//! T2 walks headers (core.md §5.3-§5.5), filling the [`PacketView`] handed to plugins and the
//! header description (`eth:vlan{2}:ipv4:tcp`).
//!
//! Dissection never fails: a bad or cut packet is not an error. It stops where it has to, sets
//! the status bits T2 sets (`STPDSCT`, `L3SNAPLENGTH`, ...), and returns what the flow engine
//! should do with the packet ([`Disposition`]). It does no I/O; the rare one-time warnings are
//! queued in [`DissectStats::warnings`] for the caller to log.
//!
//! Header fields are read through the views of [`plugin_api::wire`], whose missing bytes read
//! as 0: T2 reads fields even past the captured length, and so does the walk here, without
//! ever leaving the packet.
#![forbid(unsafe_code)]

mod ether;
mod ipv4;
mod ipv6;
mod link;
mod names;
mod tunnel;

use core::cell::Cell;

use plugin_api::abi::{Globals, HDRDESC_LEN, NO_OFFSET, PacketView, Timestamp};
use plugin_api::status::*;
use plugin_api::wire;

use crate::capture::{LinkType, PastEnd};

/// What the flow engine does with a dissected packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// No flow: no plugin callback (bad headers, unsupported protocol, ...).
    Drop,
    /// A non-IP frame: layer-2 flow keyed by MAC pair, Ethertype and VLAN.
    L2,
    /// An IP packet (the innermost IP header is in the view).
    Ip(IpInfo),
}

/// Fragmentation facts the flow engine needs for an IP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpInfo {
    /// IPv6 (else IPv4).
    pub v6: bool,
    /// Second or later fragment: the flow is found through the fragment table.
    pub later_fragment: bool,
    /// First fragment of a fragmented datagram (offset 0, more-fragments set).
    pub first_fragment: bool,
    /// The more-fragments bit.
    pub more_fragments: bool,
    /// Fragment identification (IPv4 ID or IPv6 fragment ID, raw bytes as a word).
    pub frag_id: u32,
    /// IPv4 identification field (raw bytes as a word), for duplicate detection.
    pub ip_id: u32,
}

/// Counters and one-time state the dissector keeps beyond [`Globals`].
#[derive(Debug, Default)]
pub struct DissectStats {
    /// Largest number of VLAN tags in one packet.
    pub vlan_max: u8,
    /// Largest number of MPLS labels in one packet.
    pub mpls_max: u8,
    /// Warnings to log, in order (rare: only first occurrences and odd link layers).
    pub warnings: Vec<String>,
    /// Errors to report on stderr (rare: unhandled tunnel payloads).
    pub errors: Vec<String>,
}

/// Whether packets of link type `lt` can be dissected.
pub fn supported(lt: LinkType) -> bool {
    link::supported(lt)
}

/// Dissects one packet into `pv` (which the caller resets with [`reset_view`]); `past` is what
/// the reader's buffer holds after `data`.
pub fn dissect(
    data: &[u8],
    past: PastEnd<'_>,
    linktype: LinkType,
    pv: &mut PacketView,
    g: &mut Globals,
    st: &mut DissectStats,
) -> Disposition {
    let mut d = Dis { b: data, past, pv, g, st };
    d.process(linktype)
}

/// Resets the view for a new packet.
pub fn reset_view(pv: &mut PacketView, data: &[u8], ts: Timestamp, wirelen: u32) {
    *pv = empty_view();
    pv.raw = data.as_ptr();
    pv.ts = ts;
    pv.raw_len = wirelen;
    pv.snap_len = data.len() as u32;
    pv.snap_l2_len = data.len() as u32;
}

/// A view with every header absent.
pub fn empty_view() -> PacketView {
    PacketView::empty()
}

/// Result of a tunnel or link step: continue with the current headers, or done.
enum Step {
    /// Not (fully) handled here; the caller goes on with what it has.
    Continue,
    /// Handled completely (an inner packet was dissected).
    Done(Disposition),
}

/// Dissection state of one packet.
struct Dis<'a, 'g> {
    b: &'a [u8],
    past: PastEnd<'a>,
    pv: &'a mut PacketView,
    g: &'g mut Globals,
    st: &'g mut DissectStats,
}

/// Offset as stored in the view (saturating: offsets past 4 GiB cannot occur in captures).
fn off32(off: usize) -> u32 {
    u32::try_from(off).unwrap_or(NO_OFFSET - 1)
}

impl Dis<'_, '_> {
    fn set(&mut self, bits: u64) {
        self.pv.status |= bits;
    }

    fn has(&self, bits: u64) -> bool {
        self.pv.status & bits != 0
    }

    fn global_warn(&self) -> &Cell<u64> {
        &self.g.global_warn
    }

    fn end(&self) -> usize {
        self.b.len()
    }

    // Fields of headers without a view in `plugin_api::wire` (LLC, PPP, the tunnels), read at
    // packet offsets with the same lax rule: bytes not captured read as 0.
    fn u8_at(&self, off: usize) -> u8 {
        wire::u8_at(self.b, off)
    }

    /// Big-endian.
    fn u16_at(&self, off: usize) -> u16 {
        wire::be16(self.b, off)
    }

    /// Little-endian, as T2 reads some words (see [`wire::le16`]).
    fn u16_le_at(&self, off: usize) -> u16 {
        wire::le16(self.b, off)
    }

    /// Big-endian.
    fn u32_at(&self, off: usize) -> u32 {
        wire::be32(self.b, off)
    }

    // The same reads where T2 reads libpcap's buffer past the captured bytes and what it finds
    // there shows in the output (see `crate::capture::PastEnd`): only the 802.11 header and
    // the SNAP Ethertype and VLAN tags behind it. Everywhere else missing bytes stay 0.
    fn buf_u8_at(&self, off: usize) -> u8 {
        match self.b.get(off) {
            Some(&x) => x,
            None => self.past.byte(off),
        }
    }

    /// Big-endian.
    fn buf_u16_at(&self, off: usize) -> u16 {
        u16::from_be_bytes([self.buf_u8_at(off), self.buf_u8_at(off.saturating_add(1))])
    }

    /// The version nibble of an IP header at `off` (IPv4 and IPv6 keep it in the same place).
    fn ip_version(&self, off: usize) -> u8 {
        wire::Ipv4::at(self.b, off).version()
    }

    fn l2(&self) -> usize {
        self.pv.l2_off as usize
    }

    /// Appends to the header description (T2's `t2_pktdesc_add_hdr`).
    ///
    /// Inlined: the names are literals, so a name that fits is a fixed-size copy instead of a
    /// `memcpy` call (three or four per packet).
    #[inline(always)]
    fn desc(&mut self, s: &str) {
        let pv = &mut *self.pv;
        let pos = usize::from(pv.hdr_desc_len);
        let end = pos + s.len();
        if end < HDRDESC_LEN && pv.status & HDOVRN == 0 {
            pv.num_hdr_desc = pv.num_hdr_desc.wrapping_add(1);
            pv.hdr_desc[pos..end].copy_from_slice(s.as_bytes());
            pv.hdr_desc_len = end as u16;
        } else {
            self.desc_cut(s);
        }
    }

    /// [`Dis::desc`] when the description is full or `s` does not fit.
    #[cold]
    #[inline(never)]
    fn desc_cut(&mut self, s: &str) {
        let pv = &mut *self.pv;
        pv.num_hdr_desc = pv.num_hdr_desc.wrapping_add(1);
        if pv.status & HDOVRN != 0 {
            return;
        }
        let pos = usize::from(pv.hdr_desc_len);
        let room = HDRDESC_LEN - pos - 1;
        let n = room.min(s.len());
        pv.hdr_desc[pos..pos + n].copy_from_slice(&s.as_bytes()[..n]);
        if n == s.len() {
            pv.hdr_desc_len += n as u16;
        } else {
            // The description ends in "..." and stays 127 characters long.
            pv.hdr_desc[HDRDESC_LEN - 4..HDRDESC_LEN - 1].copy_from_slice(b"...");
            pv.hdr_desc_len = (HDRDESC_LEN - 1) as u16;
            pv.status |= HDOVRN;
        }
    }

    /// A repeated header: `name{n}` (T2's `T2_HDRDESC_AGGR`), counted n times.
    fn desc_rep(&mut self, s: &str, reps: u8) {
        self.desc(s);
        if reps < 2 {
            return;
        }
        let mut buf = [0u8; 5];
        let n = fmt_rep(&mut buf, reps);
        // `buf` holds ASCII only.
        self.desc(core::str::from_utf8(&buf[..n]).unwrap_or("{?}"));
        self.pv.num_hdr_desc = self.pv.num_hdr_desc.wrapping_add(u16::from(reps) - 2);
    }

    /// `:name` of an IP protocol, or `:UNK(n)` and stop.
    fn desc_proto(&mut self, p: u8) {
        match names::ip_proto(p) {
            Some("") => {}
            Some(n) => self.desc(n),
            None => {
                let mut buf = [0u8; 16];
                let n = fmt_unk(&mut buf, ":UNK(", u64::from(p), 10, 0);
                self.desc_bytes(&buf[..n]);
                self.set(STPDSCT);
            }
        }
    }

    /// `:name` of an Ethertype (host order), or `:UNK(0x....)` and stop.
    fn desc_ethproto(&mut self, t: u16) {
        match names::eth_proto(t) {
            Some(n) => self.desc(n),
            None => {
                let mut buf = [0u8; 16];
                let n = fmt_unk(&mut buf, ":UNK(0x", u64::from(t), 16, 4);
                self.desc_bytes(&buf[..n]);
                self.set(STPDSCT);
            }
        }
    }

    /// `:name` of an LLC SAP, or `:UNK(0x..)` and stop.
    fn desc_llcproto(&mut self, sap: u8) {
        match names::llc_proto(sap) {
            Some("") => {}
            Some(n) => self.desc(n),
            None => {
                let mut buf = [0u8; 16];
                let n = fmt_unk(&mut buf, ":UNK(0x", u64::from(sap), 16, 2);
                self.desc_bytes(&buf[..n]);
                self.set(STPDSCT);
            }
        }
    }

    /// `:name` of a PPP protocol given as the big-endian value; T2 prints unknown ones from
    /// the raw little-endian word (`:UNK(0x5780)` for 0x8057).
    fn desc_pppproto(&mut self, p: u16) {
        match names::ppp_proto(p) {
            Some(n) => self.desc(n),
            None => {
                let mut buf = [0u8; 16];
                let n = fmt_unk(&mut buf, ":UNK(0x", u64::from(p.swap_bytes()), 16, 4);
                self.desc_bytes(&buf[..n]);
                self.set(STPDSCT);
            }
        }
    }

    fn desc_bytes(&mut self, b: &[u8]) {
        // The buffers above hold ASCII only.
        self.desc(core::str::from_utf8(b).unwrap_or(":UNK(?)"));
    }

    /// Entry: link layer, then whatever follows.
    fn process(&mut self, linktype: LinkType) -> Disposition {
        match self.linktype(linktype) {
            link::LinkStep::Done(d) => d,
            link::LinkStep::EtherType(off) => self.after_link(off),
            link::LinkStep::TypedAt(off, t) => self.after_link_typed(off, t),
        }
    }
}

/// Writes `{n}` into `buf`, returns its length.
fn fmt_rep(buf: &mut [u8; 5], n: u8) -> usize {
    let mut tmp = [0u8; 16];
    let len = fmt_unk(&mut tmp, "{", u64::from(n), 10, 0);
    let len = len.min(4);
    buf[..len].copy_from_slice(&tmp[..len]);
    buf[len] = b'}';
    len + 1
}

/// Writes `prefix` + number (in `radix`, zero-padded to `width`) + `)` into `buf`.
fn fmt_unk(buf: &mut [u8; 16], prefix: &str, mut n: u64, radix: u64, width: usize) -> usize {
    let mut digits = [0u8; 20];
    let mut nd = 0;
    loop {
        digits[nd] = b"0123456789abcdef"[(n % radix) as usize];
        nd += 1;
        n /= radix;
        if n == 0 {
            break;
        }
    }
    while nd < width {
        digits[nd] = b'0';
        nd += 1;
    }
    let mut len = 0;
    for &c in prefix.as_bytes() {
        buf[len] = c;
        len += 1;
    }
    for i in (0..nd).rev() {
        buf[len] = digits[i];
        len += 1;
    }
    if prefix.starts_with(':') {
        buf[len] = b')';
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests;
