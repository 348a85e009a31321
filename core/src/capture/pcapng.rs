//! pcapng files, read the way libpcap 1.10 reads them with nanosecond precision.
//!
//! libpcap's rules that matter here (and that we follow, including their oddities):
//! * opening reads the SHB (only its length and version are checked) and then skips blocks up
//!   to the first IDB, which fixes the link type and snapshot length of the whole capture;
//! * every later IDB must have the same link type (compared against the *DLT* of the first
//!   one, so two LINKTYPE_RAW interfaces do not match) and the same adjusted snapshot length,
//!   otherwise the read fails;
//! * a later SHB must keep the byte order and major version 1, and forgets all interfaces;
//! * a packet's caplen is checked against the first interface's snapshot length; SPBs take
//!   their caplen from it and have no timestamp (time 0 plus the interface's offset);
//! * timestamps are split by the interface's resolution, offset by `if_tsoffset` (64-bit,
//!   wrapping) and the fraction scaled to nanoseconds, then truncated to a C `int`;
//! * every block is read whole before it is looked at, so an error inside a block leaves the
//!   reader at the next block; a bad block length leaves it right after the 8-byte block header.

use plugin_api::abi::Timestamp;

use super::bytes::ByteSource;
use super::error::{ReadError, io_error};
use super::linktype::{LinkType, adjust_snapshot, exposed_linktype, linktype_to_dlt, max_snaplen_for_dlt};
use super::{Next, RawPacket};

/// Block type of a Section Header Block (also the file's magic).
pub(crate) const BT_SHB: u32 = 0x0A0D_0D0A;
const BT_IDB: u32 = 1;
const BT_PB: u32 = 2;
const BT_SPB: u32 = 3;
const BT_EPB: u32 = 6;

/// The byte-order magic of an SHB.
pub(crate) const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// libpcap refuses SHBs longer than this at open time.
const SHB_INSANE_MAX: u32 = 1024 * 1024;
/// Block type, length, byte-order magic, versions, section length, trailer.
const SHB_MIN_LEN: u32 = 28;
/// libpcap's initial cap on block sizes.
const INITIAL_MAX_BLOCKSIZE: u32 = 16 * 1024 * 1024;

const OPT_ENDOFOPT: u16 = 0;
const IF_TSRESOL: u16 = 9;
const IF_TSOFFSET: u16 = 14;

/// Nanoseconds per second: the resolution T2 asks libpcap for.
const NANO: u64 = 1_000_000_000;

/// How an interface's timestamps become seconds and nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    /// The default 10^-6 resolution, with a constant divisor.
    Micro,
    /// 10^-9: no scaling.
    Nano,
    /// 10^-k with k < 9: multiply the fraction.
    UpDec(u64),
    /// 10^-k with k > 9: divide the fraction.
    DownDec(u64),
    /// 2^-k: multiply by 10^9 (wrapping, as libpcap's 64-bit arithmetic does) and divide.
    Bin,
}

/// Per-interface timestamp parameters.
#[derive(Clone, Copy, Debug)]
struct Iface {
    tsresol: u64,
    scale: Scale,
    tsoffset: u64,
}

impl Default for Iface {
    fn default() -> Self {
        Self { tsresol: 1_000_000, scale: Scale::Micro, tsoffset: 0 }
    }
}

impl Iface {
    fn new(tsresol: u64, binary: bool, tsoffset: u64) -> Self {
        let scale = if binary {
            Scale::Bin
        } else if tsresol == NANO {
            Scale::Nano
        } else if tsresol == 1_000_000 {
            Scale::Micro
        } else if tsresol > NANO {
            Scale::DownDec(tsresol / NANO)
        } else {
            Scale::UpDec(NANO / tsresol.max(1))
        };
        Self { tsresol: tsresol.max(1), scale, tsoffset }
    }

    #[inline]
    fn timestamp(&self, t: u64) -> Timestamp {
        let r = self.tsresol;
        let (sec, frac) = match self.scale {
            Scale::Micro => (t / 1_000_000, t % 1_000_000 * 1000),
            Scale::Nano => (t / NANO, t % NANO),
            Scale::UpDec(f) => (t / r, (t % r).wrapping_mul(f)),
            Scale::DownDec(f) => (t / r, (t % r) / f.max(1)),
            Scale::Bin => (t / r, (t % r).wrapping_mul(NANO) / r),
        };
        Timestamp {
            // time_t from uint64_t, and tv_usec from an int cast: both keep the low bits.
            sec: sec.wrapping_add(self.tsoffset) as i64,
            frac: i64::from(frac as u32 as i32),
        }
    }
}

/// Reads a 32-bit field; out-of-range reads give 0 (callers check lengths first).
#[inline(always)]
fn u32_at(b: &[u8], at: usize, big_endian: bool) -> u32 {
    let w = b.get(at..).and_then(|s| s.first_chunk::<4>()).copied().unwrap_or_default();
    if big_endian { u32::from_be_bytes(w) } else { u32::from_le_bytes(w) }
}

fn u16_at(b: &[u8], at: usize, big_endian: bool) -> u16 {
    let w = b.get(at..).and_then(|s| s.first_chunk::<2>()).copied().unwrap_or_default();
    if big_endian { u16::from_be_bytes(w) } else { u16::from_le_bytes(w) }
}

fn u64_at(b: &[u8], at: usize, big_endian: bool) -> u64 {
    let w = b.get(at..).and_then(|s| s.first_chunk::<8>()).copied().unwrap_or_default();
    if big_endian { u64::from_be_bytes(w) } else { u64::from_le_bytes(w) }
}

/// A complete block sitting at the front of the source's buffer.
#[derive(Clone, Copy, Debug)]
struct Block {
    btype: u32,
    len: usize,
}

/// Where a packet block's data is and how to describe it.
#[derive(Clone, Copy, Debug)]
struct Found {
    ts: Timestamp,
    caplen: u32,
    wirelen: u32,
    offset: usize,
}

/// Interface state of an open pcapng capture.
#[derive(Clone, Debug)]
pub(crate) struct PcapNgFile {
    big_endian: bool,
    /// DLT of the first interface, as libpcap reports it.
    pub(crate) dlt: u32,
    /// The link type we expose.
    pub(crate) linktype: LinkType,
    /// Adjusted snapshot length of the first interface.
    pub(crate) snapshot: u32,
    max_blocksize: u32,
    /// Interfaces of the current section (libpcap's `ifcount`).
    ifcount: u32,
    /// Interface parameters; may hold stale entries beyond `ifcount` from earlier sections,
    /// which libpcap reuses the same way.
    ifaces: Vec<Iface>,
}

impl PcapNgFile {
    /// Opens a capture whose first four bytes are the SHB block type: reads the SHB and then
    /// blocks up to and including the first IDB.
    pub(crate) fn open<B: ByteSource>(src: &mut B) -> Result<Self, ReadError> {
        let avail = src.fill(12).map_err(|e| io_error(&e))?;
        let Some(&head) = src.buf().first_chunk::<12>() else {
            // Too short to tell: libpcap says "not pcapng", and nothing else is left to try.
            return Err(ReadError::UnknownFormat);
        };
        let big_endian = match u32_at(&head, 8, false) {
            BYTE_ORDER_MAGIC => false,
            m if m.swap_bytes() == BYTE_ORDER_MAGIC => true,
            _ => return Err(ReadError::UnknownFormat),
        };
        let len = u32_at(&head, 4, big_endian);
        if !(SHB_MIN_LEN..=SHB_INSANE_MAX).contains(&len) {
            return Err(ReadError::ShbLength { len });
        }
        let total = len as usize;
        let avail = if avail < total { src.fill(total).map_err(|e| io_error(&e))? } else { avail };
        if avail < total {
            return Err(ReadError::NgTruncated { want: total - 12, got: avail - 12 });
        }
        let major = u16_at(src.buf(), 12, big_endian);
        let minor = u16_at(src.buf(), 14, big_endian);
        if !(major == 1 && (minor == 0 || minor == 2)) {
            return Err(ReadError::UnsupportedNgVersion { major, minor });
        }
        // libpcap reads the blocks before the first packet into its buffer too
        src.load(0, total);
        src.consume(total);

        let mut file = Self {
            big_endian,
            dlt: 0,
            linktype: LinkType(0),
            snapshot: 0,
            max_blocksize: INITIAL_MAX_BLOCKSIZE,
            ifcount: 0,
            ifaces: Vec::new(),
        };
        loop {
            let Some(blk) = read_block(src, big_endian, file.max_blocksize)? else {
                return Err(ReadError::NoInterface);
            };
            src.load(0, blk.len);
            match blk.btype {
                BT_IDB => {
                    let r = file.first_idb(src.buf(), blk.len);
                    src.consume(blk.len);
                    r?;
                    return Ok(file);
                }
                BT_EPB | BT_SPB | BT_PB => return Err(ReadError::PacketBeforeInterface),
                // Anything else, a second SHB included, is skipped while looking for the IDB.
                _ => src.consume(blk.len),
            }
        }
    }

    /// The first IDB fixes link type and snapshot length.
    fn first_idb(&mut self, block: &[u8], len: usize) -> Result<(), ReadError> {
        let body = block_body(block, len);
        if body.len() < 8 {
            return Err(ReadError::BlockTooShort { btype: BT_IDB });
        }
        let linktype = u16_at(body, 0, self.big_endian);
        let snaplen = u32_at(body, 4, self.big_endian);
        self.add_interface(body.get(8..).unwrap_or_default())?;
        self.dlt = linktype_to_dlt(u32::from(linktype));
        self.linktype = exposed_linktype(self.dlt);
        self.snapshot = adjust_snapshot(self.dlt, snaplen);
        // Room for an EPB with a maximal packet and 128 KiB of options.
        let needed = 8u32 + 20 + max_snaplen_for_dlt(self.dlt) + 131_072 + 4;
        self.max_blocksize = self.max_blocksize.max(needed);
        Ok(())
    }

    /// Counts a new interface (even if its options turn out to be bad, as libpcap does) and
    /// records its timestamp parameters.
    fn add_interface(&mut self, options: &[u8]) -> Result<(), ReadError> {
        let idx = self.ifcount;
        self.ifcount = self.ifcount.saturating_add(1);
        if idx >= 0x8000_0000 {
            return Err(ReadError::TooManyInterfaces);
        }
        let idx = idx as usize;
        if idx >= self.ifaces.len() {
            self.ifaces.push(Iface::default());
        }
        let iface = parse_idb_options(options, self.big_endian)?;
        if let Some(slot) = self.ifaces.get_mut(idx) {
            *slot = iface;
        }
        Ok(())
    }

    /// Reads blocks until the next packet, skipping and applying non-packet blocks.
    pub(crate) fn next<'a, B: ByteSource>(&mut self, src: &'a mut B, pending: &mut usize) -> Next<'a> {
        loop {
            let blk = match read_block(src, self.big_endian, self.max_blocksize) {
                Ok(Some(blk)) => blk,
                Ok(None) => return Next::Eof,
                Err(e) => return Next::Error(e),
            };
            src.load(0, blk.len);
            let found = match blk.btype {
                BT_EPB => self.epb(src.buf(), blk.len),
                BT_SPB => self.spb(src.buf(), blk.len),
                BT_PB => self.pb(src.buf(), blk.len),
                other => {
                    let r = match other {
                        BT_IDB => self.later_idb(src.buf(), blk.len),
                        BT_SHB => self.later_shb(src.buf(), blk.len),
                        _ => Ok(()),
                    };
                    src.consume(blk.len);
                    match r {
                        Ok(()) => continue,
                        Err(e) => return Next::Error(e),
                    }
                }
            };
            let f = match found {
                Ok(f) => f,
                Err(e) => {
                    src.consume(blk.len);
                    return Next::Error(e);
                }
            };
            *pending = blk.len;
            let end = f.offset + f.caplen as usize;
            let src: &'a B = src;
            return match src.buf().get(f.offset..end) {
                Some(data) => Next::Packet(RawPacket {
                    ts: f.ts,
                    caplen: f.caplen,
                    wirelen: f.wirelen,
                    linktype: self.linktype,
                    data,
                    past: src.past_end(f.offset),
                }),
                None => Next::Eof, // unreachable: `found` checked the block holds the data
            };
        }
    }

    /// Enhanced Packet Block.
    #[inline]
    fn epb(&self, block: &[u8], len: usize) -> Result<Found, ReadError> {
        let body = block_body(block, len);
        if body.len() < 20 {
            return Err(ReadError::BlockTooShort { btype: BT_EPB });
        }
        let be = self.big_endian;
        let id = u32_at(body, 0, be);
        let t = (u64::from(u32_at(body, 4, be)) << 32) | u64::from(u32_at(body, 8, be));
        let caplen = u32_at(body, 12, be);
        let wirelen = u32_at(body, 16, be);
        self.found(BT_EPB, id, t, caplen, wirelen, body.len() - 20, 28)
    }

    /// Simple Packet Block: first interface, no timestamp, caplen from the snapshot length.
    fn spb(&self, block: &[u8], len: usize) -> Result<Found, ReadError> {
        let body = block_body(block, len);
        if body.len() < 4 {
            return Err(ReadError::BlockTooShort { btype: BT_SPB });
        }
        let wirelen = u32_at(body, 0, self.big_endian);
        let caplen = wirelen.min(self.snapshot);
        self.found(BT_SPB, 0, 0, caplen, wirelen, body.len() - 4, 12)
    }

    /// Obsolete Packet Block.
    fn pb(&self, block: &[u8], len: usize) -> Result<Found, ReadError> {
        let body = block_body(block, len);
        if body.len() < 20 {
            return Err(ReadError::BlockTooShort { btype: BT_PB });
        }
        let be = self.big_endian;
        let id = u32::from(u16_at(body, 0, be));
        let t = (u64::from(u32_at(body, 4, be)) << 32) | u64::from(u32_at(body, 8, be));
        let caplen = u32_at(body, 12, be);
        let wirelen = u32_at(body, 16, be);
        self.found(BT_PB, id, t, caplen, wirelen, body.len() - 20, 28)
    }

    /// The checks and conversions common to all packet blocks, in libpcap's order.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn found(
        &self,
        btype: u32,
        id: u32,
        t: u64,
        caplen: u32,
        wirelen: u32,
        room: usize,
        offset: usize,
    ) -> Result<Found, ReadError> {
        if id >= self.ifcount {
            return Err(ReadError::UnknownInterface { id });
        }
        if caplen > self.snapshot {
            return Err(ReadError::CaplenOverSnaplen { caplen, snaplen: self.snapshot });
        }
        let iface = self.ifaces.get(id as usize).copied().unwrap_or_default();
        let ts = iface.timestamp(t);
        if caplen as usize > room {
            return Err(ReadError::BlockTooShort { btype });
        }
        Ok(Found { ts, caplen, wirelen, offset })
    }

    /// An IDB after the first: must agree with the first interface.
    fn later_idb(&mut self, block: &[u8], len: usize) -> Result<(), ReadError> {
        let body = block_body(block, len);
        if body.len() < 8 {
            return Err(ReadError::BlockTooShort { btype: BT_IDB });
        }
        let linktype = u16_at(body, 0, self.big_endian);
        let snaplen = u32_at(body, 4, self.big_endian);
        // libpcap compares the first interface's DLT with this IDB's raw LINKTYPE value.
        if self.dlt != u32::from(linktype) {
            return Err(ReadError::LinktypeMismatch { linktype });
        }
        if self.snapshot != adjust_snapshot(self.dlt, snaplen) {
            return Err(ReadError::SnaplenMismatch { snaplen });
        }
        self.add_interface(body.get(8..).unwrap_or_default())
    }

    /// A new section: same byte order and major version required; interfaces start over.
    fn later_shb(&mut self, block: &[u8], len: usize) -> Result<(), ReadError> {
        let body = block_body(block, len);
        if body.len() < 16 {
            return Err(ReadError::BlockTooShort { btype: BT_SHB });
        }
        match u32_at(body, 0, self.big_endian) {
            BYTE_ORDER_MAGIC => {}
            m if m.swap_bytes() == BYTE_ORDER_MAGIC => return Err(ReadError::ByteOrderChange),
            _ => return Err(ReadError::BadByteOrderMagic),
        }
        let major = u16_at(body, 4, self.big_endian);
        if major != 1 {
            return Err(ReadError::UnknownNgMajor { major });
        }
        self.ifcount = 0;
        Ok(())
    }
}

/// The bytes between a block's 8-byte header and its 4-byte trailer.
#[inline(always)]
fn block_body(block: &[u8], len: usize) -> &[u8] {
    block.get(8..len.saturating_sub(4)).unwrap_or_default()
}

/// Makes the next whole block available at the front of `src`, checking its framing.
/// Returns `None` at a clean end of input.
#[inline]
fn read_block<B: ByteSource>(src: &mut B, big_endian: bool, max_blocksize: u32) -> Result<Option<Block>, ReadError> {
    let mut avail = src.buf().len();
    if avail < 8 {
        avail = src.fill(8).map_err(|e| io_error(&e))?;
        if avail == 0 {
            return Ok(None);
        }
        if avail < 8 {
            src.consume(avail);
            return Err(ReadError::NgTruncated { want: 8, got: avail });
        }
    }
    let Some(&head) = src.buf().first_chunk::<8>() else {
        return Ok(None); // unreachable: 8 bytes are available
    };
    let btype = u32_at(&head, 0, big_endian);
    let len = u32_at(&head, 4, big_endian);
    if len < 12 || !len.is_multiple_of(4) || len > max_blocksize {
        // libpcap has consumed just the block header.
        src.consume(8);
        return Err(if len < 12 {
            ReadError::BlockTooSmall { len }
        } else if !len.is_multiple_of(4) {
            ReadError::BlockNotAligned { len }
        } else {
            ReadError::BlockTooBig { len, max: max_blocksize }
        });
    }
    let total = len as usize;
    if avail < total {
        avail = src.fill(total).map_err(|e| io_error(&e))?;
        if avail < total {
            src.consume(avail);
            return Err(ReadError::NgTruncated { want: total - 8, got: avail - 8 });
        }
    }
    if u32_at(src.buf(), total - 4, big_endian) != len {
        src.consume(total);
        return Err(ReadError::TrailerMismatch);
    }
    Ok(Some(Block { btype, len: total }))
}

/// Parses an IDB's options for `if_tsresol` and `if_tsoffset`, with libpcap's checks.
fn parse_idb_options(mut rest: &[u8], be: bool) -> Result<Iface, ReadError> {
    let too_short = ReadError::BlockTooShort { btype: BT_IDB };
    let mut tsresol: Option<(u64, bool)> = None;
    let mut tsoffset: Option<u64> = None;
    while !rest.is_empty() {
        let Some(head) = rest.first_chunk::<4>() else {
            return Err(too_short);
        };
        let code = u16_at(head, 0, be);
        let len = u16_at(head, 2, be);
        let padded = usize::from(len).div_ceil(4) * 4;
        let Some(value) = rest.get(4..4 + padded) else {
            return Err(too_short);
        };
        rest = rest.get(4 + padded..).unwrap_or_default();
        match code {
            OPT_ENDOFOPT => {
                if len != 0 {
                    return Err(ReadError::EndOfOptLength { len });
                }
                break;
            }
            IF_TSRESOL => {
                if len != 1 {
                    return Err(ReadError::TsresolLength { len });
                }
                if tsresol.is_some() {
                    return Err(ReadError::TsresolTwice);
                }
                tsresol = Some(decode_tsresol(value.first().copied().unwrap_or_default())?);
            }
            IF_TSOFFSET => {
                if len != 8 {
                    return Err(ReadError::TsoffsetLength { len });
                }
                if tsoffset.is_some() {
                    return Err(ReadError::TsoffsetTwice);
                }
                tsoffset = Some(u64_at(value, 0, be));
            }
            _ => {}
        }
    }
    let (resol, binary) = tsresol.unwrap_or((1_000_000, false));
    Ok(Iface::new(resol, binary, tsoffset.unwrap_or(0)))
}

/// `if_tsresol`: bit 7 selects a negative power of 2, otherwise of 10.
fn decode_tsresol(v: u8) -> Result<(u64, bool), ReadError> {
    if v & 0x80 != 0 {
        let shift = v & 0x7F;
        if shift > 63 {
            return Err(ReadError::TsresolBinTooHigh { shift });
        }
        Ok((1u64 << shift, true))
    } else {
        if v > 19 {
            return Err(ReadError::TsresolDecTooHigh { exp: v });
        }
        Ok((10u64.pow(u32::from(v)), false))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{Ev, put16, put32, run, via_file};
    use super::super::{CaptureFormat, OpenError};
    use super::*;

    fn block(be: bool, btype: u32, body: &[u8]) -> Vec<u8> {
        let padded = body.len().div_ceil(4) * 4;
        let total = u32::try_from(12 + padded).unwrap();
        let mut v = Vec::new();
        put32(&mut v, btype, be);
        put32(&mut v, total, be);
        v.extend_from_slice(body);
        v.resize(8 + padded, 0);
        put32(&mut v, total, be);
        v
    }

    fn shb(be: bool, major: u16, minor: u16) -> Vec<u8> {
        let mut b = Vec::new();
        put32(&mut b, BYTE_ORDER_MAGIC, be);
        put16(&mut b, major, be);
        put16(&mut b, minor, be);
        b.extend_from_slice(&[0xFF; 8]);
        block(be, BT_SHB, &b)
    }

    fn options(be: bool, opts: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        for (code, value) in opts {
            put16(&mut b, *code, be);
            put16(&mut b, u16::try_from(value.len()).unwrap(), be);
            b.extend_from_slice(value);
            b.resize(b.len().div_ceil(4) * 4, 0);
        }
        if !opts.is_empty() {
            b.extend_from_slice(&[0; 4]);
        }
        b
    }

    fn idb(be: bool, linktype: u16, snaplen: u32, opts: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        put16(&mut b, linktype, be);
        put16(&mut b, 0, be);
        put32(&mut b, snaplen, be);
        b.extend(options(be, opts));
        block(be, BT_IDB, &b)
    }

    fn epb(be: bool, id: u32, t: u64, caplen: u32, wirelen: u32, data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        put32(&mut b, id, be);
        put32(&mut b, (t >> 32) as u32, be);
        put32(&mut b, t as u32, be);
        put32(&mut b, caplen, be);
        put32(&mut b, wirelen, be);
        b.extend_from_slice(data);
        block(be, BT_EPB, &b)
    }

    fn pkt(ts: (i64, i64), caplen: u32, wirelen: u32, lt: u32, data: &[u8]) -> Ev {
        Ev::Pkt(ts, caplen, wirelen, lt, data.to_vec())
    }

    fn err(msg: &str) -> Ev {
        Ev::Err(msg.to_owned())
    }

    fn file(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn both_byte_orders() {
        for be in [false, true] {
            let v = file(&[
                shb(be, 1, 0),
                idb(be, 1, 65535, &[]),
                epb(be, 0, 1_400_000_000_123_456, 4, 60, b"abcd"),
                epb(be, 0, 1_400_000_001_000_007, 3, 3, b"xyz"),
            ]);
            let (meta, ev) = run(&v).unwrap();
            assert_eq!((meta.format, meta.linktype, meta.snaplen), (CaptureFormat::PcapNg, 1, 65535));
            assert_eq!(
                ev,
                [pkt((1_400_000_000, 123_456_000), 4, 60, 1, b"abcd"), pkt((1_400_000_001, 7_000), 3, 3, 1, b"xyz"),]
            );
            // The file path (T2's checks, then mmap) gives the same.
            assert_eq!(via_file(&v).1.unwrap(), ev);
        }
    }

    #[test]
    fn two_interfaces_with_their_own_resolution_and_offset() {
        let offset = 100u64.to_le_bytes();
        let v = file(&[
            shb(false, 1, 0),
            idb(false, 1, 262_144, &[(IF_TSRESOL, &[9])]),
            idb(false, 1, 262_144, &[(IF_TSRESOL, &[6]), (IF_TSOFFSET, &offset)]),
            epb(false, 0, 1_767_663_089_500_330_493, 1, 1, b"a"),
            epb(false, 1, 1_767_663_437_140_942, 1, 1, b"b"),
            epb(false, 2, 0, 1, 1, b"c"),
        ]);
        let (meta, ev) = run(&v).unwrap();
        assert_eq!(meta.snaplen, 262_144);
        assert_eq!(
            ev,
            [
                pkt((1_767_663_089, 500_330_493), 1, 1, 1, b"a"),
                pkt((1_767_663_537, 140_942_000), 1, 1, 1, b"b"),
                err("a packet arrived on interface 2, but there's no Interface Description Block for that interface"),
            ]
        );
    }

    #[test]
    fn tsresol_variants() {
        let t: u64 = 0x0000_0123_4567_89AB; // 1250999896491
        for (resol, want) in [
            (3u8, (1_250_999_896, 491_000_000)),       // ms
            (9, (1250, 999_896_491)),                  // ns
            (10, (125, 99_989_649)),                   // 10^-10: divide
            (0, (1_250_999_896_491, 0)),               // seconds
            (0x80 | 10, (1_221_679_586, 416_992_187)), // 2^-10: 427 * 10^9 / 1024
            (0x80 | 40, (1, 3_560_049)),               // 2^-40: wrapping multiply
            (0x80, (1_250_999_896_491, 0)),            // 2^0
        ] {
            let v = file(&[shb(false, 1, 0), idb(false, 1, 0, &[(IF_TSRESOL, &[resol])]), epb(false, 0, t, 0, 0, b"")]);
            assert_eq!(run(&v).unwrap().1, [pkt(want, 0, 0, 1, b"")], "tsresol {resol:#x}");
        }
        let bad =
            |opts: &[(u16, &[u8])]| run(&file(&[shb(false, 1, 0), idb(false, 1, 0, opts)])).unwrap_err().to_string();
        let idb_msg = "Interface Description Block";
        assert_eq!(bad(&[(IF_TSRESOL, &[20])]), format!("{idb_msg} if_tsresol option resolution 10^-20 is too high"));
        assert_eq!(bad(&[(IF_TSRESOL, &[0xC0])]), format!("{idb_msg} if_tsresol option resolution 2^-64 is too high"));
        assert_eq!(bad(&[(IF_TSRESOL, &[6, 0])]), format!("{idb_msg} has if_tsresol option with length 2 != 1"));
        assert_eq!(
            bad(&[(IF_TSRESOL, &[6]), (IF_TSRESOL, &[6])]),
            format!("{idb_msg} has more than one if_tsresol option")
        );
        assert_eq!(bad(&[(IF_TSOFFSET, &[0; 4])]), format!("{idb_msg} has if_tsoffset option with length 4 != 8"));
        assert_eq!(
            bad(&[(IF_TSOFFSET, &[0; 8]), (IF_TSOFFSET, &[0; 8])]),
            format!("{idb_msg} has more than one if_tsoffset option")
        );
        assert_eq!(bad(&[(OPT_ENDOFOPT, &[0; 4])]), format!("{idb_msg} has opt_endofopt option with length 4 != 0"));
    }

    #[test]
    fn ten_to_the_minus_19_and_negative_offset() {
        // if_tsoffset is added as an unsigned 64-bit value: -1 s wraps to one second earlier.
        let offset = (-1i64 as u64).to_le_bytes();
        let v = file(&[
            shb(false, 1, 0),
            idb(false, 1, 0, &[(IF_TSRESOL, &[19]), (IF_TSOFFSET, &offset)]),
            epb(false, 0, u64::MAX, 0, 0, b""),
        ]);
        // 18446744073709551615 / 10^19 = 1 s, remainder 8446744073709551615 / 10^10 = 844674407.
        assert_eq!(run(&v).unwrap().1, [pkt((0, 844_674_407), 0, 0, 1, b"")]);
    }

    #[test]
    fn simple_and_obsolete_packet_blocks() {
        let mut spb = Vec::new();
        put32(&mut spb, 150, false);
        spb.extend_from_slice(&[9; 100]);
        let mut pb = Vec::new();
        put16(&mut pb, 0, false);
        put16(&mut pb, 0, false);
        put32(&mut pb, 0, false);
        put32(&mut pb, 5_000_001, false);
        put32(&mut pb, 2, false);
        put32(&mut pb, 2, false);
        pb.extend_from_slice(b"pb");
        let offset = 7u64.to_le_bytes();
        let v = file(&[
            shb(false, 1, 0),
            idb(false, 1, 100, &[(IF_TSOFFSET, &offset)]),
            block(false, BT_SPB, &spb),
            block(false, BT_PB, &pb),
        ]);
        let (_, ev) = run(&v).unwrap();
        assert_eq!(ev, [pkt((7, 0), 100, 150, 1, &[9; 100]), pkt((12, 1000), 2, 2, 1, b"pb")]);
        // An SPB whose data is shorter than min(len, snaplen).
        let mut spb = Vec::new();
        put32(&mut spb, 50, false);
        spb.extend_from_slice(&[9; 20]);
        let v = file(&[shb(false, 1, 0), idb(false, 1, 100, &[]), block(false, BT_SPB, &spb)]);
        assert_eq!(run(&v).unwrap().1, [err("block of type 3 in pcapng dump file is too short")]);
    }

    #[test]
    fn other_blocks_are_skipped() {
        let v = file(&[
            shb(false, 1, 2),
            block(false, 4, &[0; 8]),         // NRB before the IDB
            block(false, 0x0BAD, &[1, 2, 3]), // custom
            idb(false, 1, 65535, &[(2, b"eth0")]),
            block(false, 5, &[0; 12]),      // ISB
            block(false, 0xA, &[0; 4]),     // DSB
            block(false, 0x4000_0BAD, &[]), // unknown
            epb(false, 0, 1_000_000, 1, 1, b"p"),
        ]);
        assert_eq!(run(&v).unwrap().1, [pkt((1, 0), 1, 1, 1, b"p")]);
    }

    #[test]
    fn packet_errors() {
        let v = file(&[
            shb(false, 1, 0),
            idb(false, 1, 10, &[]),
            epb(false, 0, 0, 11, 11, &[0; 11]),
            epb(false, 0, 0, 8, 8, &[0; 4]),
            block(false, BT_EPB, &[0; 16]),
            epb(false, 0, 0, 1, 1, b"k"),
        ]);
        assert_eq!(
            run(&v).unwrap().1,
            [
                err("invalid packet capture length 11, bigger than snaplen of 10"),
                err("block of type 6 in pcapng dump file is too short"),
                err("block of type 6 in pcapng dump file is too short"),
                pkt((0, 0), 1, 1, 1, b"k"),
            ]
        );
    }

    #[test]
    fn block_length_errors() {
        let head = file(&[shb(false, 1, 0), idb(false, 1, 0, &[])]);
        let with = |tail: &[u8]| {
            let mut v = head.clone();
            v.extend_from_slice(tail);
            run(&v).unwrap().1
        };
        // Length below 12: only the 8-byte header is consumed, the rest is read as a new block.
        let mut t = Vec::new();
        put32(&mut t, 0x99, false);
        put32(&mut t, 8, false);
        t.extend(epb(false, 0, 0, 1, 1, b"a"));
        assert_eq!(with(&t), [err("block in pcapng dump file has a length of 8 < 12"), pkt((0, 0), 1, 1, 1, b"a")]);
        let mut t = Vec::new();
        put32(&mut t, 0x99, false);
        put32(&mut t, 13, false);
        assert_eq!(with(&t), [err("block in pcapng dump file has a length of 13 that is not a multiple of 4")]);
        let mut t = Vec::new();
        put32(&mut t, 0x99, false);
        put32(&mut t, 0x0200_0000, false);
        assert_eq!(with(&t), [err("pcapng block size 33554432 > maximum 16777216")]);
        let mut t = block(false, 0x99, &[0; 4]);
        let n = t.len();
        t[n - 4] = 0;
        assert_eq!(with(&t), [err("block total length in header and trailer don't match")]);
        assert_eq!(
            with(&epb(false, 0, 0, 1, 1, b"a")[..30]),
            [err("truncated pcapng dump file; tried to read 28 bytes, only got 22")]
        );
        assert_eq!(with(&[1, 2, 3]), [err("truncated pcapng dump file; tried to read 8 bytes, only got 3")]);
    }

    #[test]
    fn open_errors() {
        let e = |v: &[u8]| run(v).unwrap_err().to_string();
        assert_eq!(e(&shb(false, 1, 0)), "the capture file has no Interface Description Blocks");
        assert_eq!(
            e(&file(&[shb(false, 1, 0), epb(false, 0, 0, 0, 0, b"")])),
            "the capture file has a packet block before any Interface Description Blocks"
        );
        assert_eq!(e(&shb(true, 2, 0)), "unsupported pcapng savefile version 2.0");
        assert_eq!(e(&shb(false, 1, 1)), "unsupported pcapng savefile version 1.1");
        let mut short = shb(false, 1, 0);
        short[4] = 20;
        assert_eq!(
            e(&short),
            "Section Header Block in pcapng dump file has invalid length 28 < _20_ < 1048576 (BT_SHB_INSANE_MAX)"
        );
        assert_eq!(e(&shb(false, 1, 0)[..20]), "truncated pcapng dump file; tried to read 16 bytes, only got 8");
        assert_eq!(
            e(&file(&[shb(false, 1, 0), block(false, BT_IDB, &[1, 0])])),
            "block of type 1 in pcapng dump file is too short"
        );
        // Without a byte-order magic this is not pcapng at all.
        let mut bad = shb(false, 1, 0);
        bad[8] = 0;
        assert_eq!(e(&bad), "unknown file format");
        assert_eq!(e(&bad[..10]), "unknown file format");
        let (path, res, _) = via_file(&bad);
        let res = res.unwrap_err();
        assert!(res.warned_pcapng());
        assert_eq!(res.to_string(), format!("File '{}' is not a valid PCAP/PCAP-NG file", path.display()));
        // A valid start but no IDB: libpcap's message, after T2's pcapng warning.
        let (path, res, _) = via_file(&shb(false, 1, 0));
        let res = res.unwrap_err();
        assert!(matches!(res, OpenError::Pcap { pcapng: true, .. }));
        assert_eq!(
            res.to_string(),
            format!(
                "pcap_open_offline failed for '{}': the capture file has no Interface Description Blocks",
                path.display()
            )
        );
    }

    #[test]
    fn later_interfaces_must_match_the_first() {
        let v = file(&[
            shb(false, 1, 0),
            idb(false, 1, 65535, &[]),
            idb(false, 113, 65535, &[]),
            idb(false, 1, 0, &[]),
            idb(false, 1, 65535, &[]),
            epb(false, 1, 0, 1, 1, b"a"),
        ]);
        assert_eq!(
            run(&v).unwrap().1,
            [
                err("an interface has a type 113 different from the type of the first interface"),
                err("an interface has a snapshot length 0 different from the snapshot length of the first interface"),
                pkt((0, 0), 1, 1, 1, b"a"),
            ]
        );
        // libpcap compares the DLT of the first IDB with the LINKTYPE of the next, so two raw-IP
        // interfaces (LINKTYPE 101, DLT 12) do not match.
        let v = file(&[shb(false, 1, 0), idb(false, 101, 0, &[]), idb(false, 101, 0, &[])]);
        let (meta, ev) = run(&v).unwrap();
        assert_eq!((meta.linktype, meta.dlt), (101, 12));
        assert_eq!(ev, [err("an interface has a type 101 different from the type of the first interface")]);
    }

    #[test]
    fn a_new_section_forgets_interfaces() {
        let v = file(&[
            shb(false, 1, 0),
            idb(false, 1, 0, &[(IF_TSRESOL, &[9])]),
            shb(false, 1, 0),
            epb(false, 0, 5, 1, 1, b"a"),
            idb(false, 1, 0, &[]),
            epb(false, 0, 5_000_000, 1, 1, b"b"),
        ]);
        assert_eq!(
            run(&v).unwrap().1,
            [
                err("a packet arrived on interface 0, but there's no Interface Description Block for that interface"),
                pkt((5, 0), 1, 1, 1, b"b"),
            ]
        );
        let mut bad = shb(false, 3, 0);
        bad.extend(epb(false, 0, 0, 1, 1, b"c"));
        let mut v = file(&[shb(false, 1, 0), idb(false, 1, 0, &[])]);
        v.extend(&bad);
        assert_eq!(
            run(&v).unwrap().1,
            [err("unknown pcapng savefile major version number 3"), pkt((0, 0), 1, 1, 1, b"c")]
        );
    }

    #[test]
    fn two_sections_of_opposite_byte_order() {
        let head = file(&[shb(false, 1, 0), idb(false, 1, 0, &[]), epb(false, 0, 0, 1, 1, b"a")]);
        // A normal big-endian SHB: its length is read little-endian and is absurd.
        let mut v = head.clone();
        v.extend(shb(true, 1, 0));
        v.extend(idb(true, 1, 0, &[]));
        v.extend(epb(true, 0, 0, 1, 1, b"b"));
        let ev = run(&v).unwrap().1;
        assert_eq!(ev[..2], [pkt((0, 0), 1, 1, 1, b"a"), err("pcapng block size 469762048 > maximum 16777216")]);
        // An SHB length that reads the same in both orders (0x00040400) reaches libpcap's
        // byte-order check.
        let mut body = Vec::new();
        put32(&mut body, BYTE_ORDER_MAGIC, true);
        put16(&mut body, 1, true);
        put16(&mut body, 0, true);
        body.resize(0x0004_0400 - 12, 0);
        let mut v = head;
        v.extend(block(true, BT_SHB, &body));
        let ev = run(&v).unwrap().1;
        assert_eq!(ev, [pkt((0, 0), 1, 1, 1, b"a"), err("the file has sections with different byte orders")]);
        // Same with a wrong magic.
        let last = v.len() - 0x0004_0400 + 8;
        v[last] = 0x77;
        assert_eq!(run(&v).unwrap().1[1], err("the file has a section with a bad byte order magic field"));
    }
}
