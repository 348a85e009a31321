//! The MAC label table (`maclbl.txt`): address blocks of the IEEE registries and well-known
//! multicast addresses, each with an organisation label.
//!
//! A line is `PREFIX/BITS<TAB>ETHERTYPE<TAB>SHORT<TAB>LONG`, e.g.
//! `C8:BC:C8:00:00:00/24<TAB>-<TAB>AppleInc,US<TAB>Apple Inc,US`; ETHERTYPE `-` means any, four hex
//! digits restrict the label to frames of that Ethertype (Cisco's 01:00:0C:CC:CC:CC carries CDP,
//! VTP, DTP...). Blocks nest (a 36-bit IAB block inside IEEE's own 24-bit block): an address
//! gets the label of the smallest block holding it. At load the blocks are flattened into
//! disjoint address ranges, so a lookup is one binary search and allocates nothing.
//!
//! Where T2 differs: T2 searches its table of block bounds with a binary search that stops at
//! the nearest bound, so an address between two blocks nested in a larger one reads `-` there,
//! and a single address can lend its label to its neighbours. Both give the same label for every
//! address of the shared captures; here the smallest enclosing block always decides.

use core::fmt;
use std::io::{self, BufRead};

/// Which label a table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelKind {
    /// The short organisation name (`AppleInc,US`).
    Short,
    /// The full organisation name (`Apple Inc,US`).
    Long,
}

/// A line of the file that is not a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// Line number, from 1.
    pub line: usize,
    /// The line, cut to 80 bytes.
    pub text: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: expected PREFIX/BITS<TAB>ETHERTYPE<TAB>SHORT<TAB>LONG, found '{}'", self.line, self.text)
    }
}

/// A parsed line.
struct Block<'a> {
    /// First address (48 bits).
    first: u64,
    bits: u8,
    ethertype: Option<u16>,
    label: &'a str,
}

impl Block<'_> {
    /// Last address of the block.
    fn last(&self) -> u64 {
        self.first | host_bits(self.bits)
    }
}

/// The address bits a block of `bits` (1 to 48) prefix bits leaves free.
fn host_bits(bits: u8) -> u64 {
    (1u64 << (48 - u32::from(bits.clamp(1, 48)))) - 1
}

/// A run of addresses with one label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    first: u64,
    last: u64,
    /// Index into [`MacLabels::labels`].
    label: u32,
}

/// The label of a block: where its text is in [`MacLabels::text`].
#[derive(Clone, Copy, Debug)]
struct Label {
    start: u32,
    len: u32,
}

/// The loaded table.
#[derive(Clone, Debug, Default)]
pub struct MacLabels {
    /// Disjoint address ranges, sorted.
    segments: Vec<Segment>,
    /// `(address << 16 | ethertype, label)` of the Ethertype-specific blocks, sorted.
    by_ethertype: Vec<(u64, u32)>,
    /// One label per block, in file order; [`LabelId`] `n` is `labels[n - 1]`.
    labels: Vec<Label>,
    text: String,
    /// T2's count of the table: two records (first and last address) per block, one per
    /// single address.
    records: usize,
}

/// A block's number in the table, from 1 (T2's numeric label, `MR_MACLBL=1`).
pub type LabelId = u32;

impl MacLabels {
    /// Parses the table text keeping labels of `kind`, cut to `max_len` bytes (T2's
    /// `MAC_SORGLEN`/`MAC_ORGLEN`, a byte count: a multi-byte character may be cut). Malformed
    /// lines are skipped and returned.
    pub fn parse(text: &str, kind: LabelKind, max_len: usize) -> (MacLabels, Vec<LineError>) {
        MacLabels::read(text.as_bytes(), kind, max_len).expect("reading from memory cannot fail")
    }

    /// [`MacLabels::parse`] reading the table line by line from `input` (a file needs no
    /// buffer of its size).
    pub fn read(mut input: impl BufRead, kind: LabelKind, max_len: usize) -> io::Result<(MacLabels, Vec<LineError>)> {
        let mut table = MacLabels::default();
        let mut errors = Vec::new();
        let mut blocks = Vec::new();
        let mut buf = Vec::new();
        for n in 1.. {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some(block) = parse_line(line, kind) else {
                let cut = line.char_indices().nth(80).map_or(line.len(), |(i, _)| i);
                errors.push(LineError { line: n, text: line[..cut].to_owned() });
                continue;
            };
            let id = table.push_label(block.label, max_len);
            table.records += if block.bits == 48 { 1 } else { 2 };
            match block.ethertype {
                Some(et) => table.by_ethertype.push((block.first << 16 | u64::from(et), id)),
                None => blocks.push((block.first, block.last(), block.bits, id)),
            }
        }
        table.by_ethertype.sort_by_key(|&(k, _)| k);
        table.segments = flatten(blocks);
        table.segments.shrink_to_fit();
        table.labels.shrink_to_fit();
        table.text.shrink_to_fit();
        Ok((table, errors))
    }

    fn push_label(&mut self, label: &str, max_len: usize) -> LabelId {
        let mut end = label.len().min(max_len);
        // a byte cut, as T2; the table stays valid UTF-8 (T2 writes the partial character)
        while !label.is_char_boundary(end) {
            end -= 1;
        }
        let start = self.text.len() as u32; // the file was read into memory: below 4 GiB
        self.text.push_str(&label[..end]);
        self.labels.push(Label { start, len: end as u32 });
        self.labels.len() as LabelId
    }

    /// The block label of `mac` in frames of Ethertype `ethertype`, if the table has one. The
    /// all-zero address has none (T2 leaves it unlabelled).
    pub fn lookup(&self, mac: [u8; 6], ethertype: u16) -> Option<LabelId> {
        let addr = mac_u48(mac);
        if addr == 0 {
            return None;
        }
        let key = addr << 16 | u64::from(ethertype);
        if let Ok(i) = self.by_ethertype.binary_search_by_key(&key, |&(k, _)| k) {
            return Some(self.by_ethertype[i].1);
        }
        let i = self.segments.partition_point(|s| s.last < addr);
        self.segments.get(i).filter(|s| s.first <= addr).map(|s| s.label)
    }

    /// The text of label `id`.
    pub fn label(&self, id: LabelId) -> &str {
        let Some(l) = self.labels.get((id as usize).wrapping_sub(1)) else { return "" };
        &self.text[l.start as usize..(l.start + l.len) as usize]
    }

    /// T2's record count of the table (its end-report line).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the table has no block.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// A MAC address as a 48-bit number.
pub fn mac_u48(mac: [u8; 6]) -> u64 {
    let [a, b, c, d, e, f] = mac;
    u64::from_be_bytes([0, 0, a, b, c, d, e, f])
}

fn parse_line(line: &str, kind: LabelKind) -> Option<Block<'_>> {
    let mut f = line.split('\t');
    let (prefix, et, short, long) = (f.next()?, f.next()?, f.next()?, f.next()?);
    let (mac, bits) = prefix.split_once('/')?;
    let bits: u8 = bits.parse().ok().filter(|b| (1..=48).contains(b))?;
    let mut addr = 0u64;
    let mut octets = 0;
    for o in mac.split(':') {
        if o.len() != 2 {
            return None;
        }
        addr = addr << 8 | u64::from(u8::from_str_radix(o, 16).ok()?);
        octets += 1;
    }
    let ethertype = match et {
        "-" => None,
        hex if hex.len() == 4 => Some(u16::from_str_radix(hex, 16).ok()?),
        _ => return None,
    };
    let block = Block { first: addr, bits, ethertype, label: if kind == LabelKind::Short { short } else { long } };
    // a block starts at its first address; an Ethertype belongs to a single address
    let aligned = addr & host_bits(bits) == 0;
    (octets == 6 && aligned && (ethertype.is_none() || bits == 48)).then_some(block)
}

/// Disjoint segments of nested blocks `(first, last, bits, label)`: every address gets the
/// label of the smallest block holding it (of the first listed among equal blocks).
fn flatten(mut blocks: Vec<(u64, u64, u8, LabelId)>) -> Vec<Segment> {
    // outer blocks before the blocks they hold; stable, so equal blocks keep file order
    blocks.sort_by_key(|&(first, _, bits, _)| (first, bits));
    blocks.dedup_by_key(|&mut (first, _, bits, _)| (first, bits));
    let mut out = Vec::with_capacity(blocks.len() * 2);
    // the enclosing blocks of the current position (last address, label), innermost on top,
    // and the first address not yet given to a segment
    let mut open: Vec<(u64, LabelId)> = Vec::new();
    let mut next = 0u64;
    let emit = |out: &mut Vec<Segment>, first: u64, last: u64, label| {
        if first <= last {
            out.push(Segment { first, last, label });
        }
    };
    for (first, last, _, label) in blocks {
        // close the blocks that end before this one
        while let Some(&(end, l)) = open.last().filter(|(end, _)| *end < first) {
            emit(&mut out, next, end, l);
            next = end + 1;
            open.pop();
        }
        if let Some(&(_, l)) = open.last() {
            emit(&mut out, next, first - 1, l);
        }
        open.push((last, label));
        next = first;
    }
    while let Some((end, l)) = open.pop() {
        emit(&mut out, next, end, l);
        next = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "# comment\n\
        00:50:C2:00:00:00/24\t-\tIeeeRegis,US\tIeee Registration Authority,US\n\
        00:50:C2:00:10:00/36\t-\tSymmetrico,US\tSymmetricom,US\n\
        00:50:C2:FF:F0:00/36\t-\tMsrSoluti,DE\tMSR-Solutions,DE\n\
        01:00:0C:CC:CC:CC/48\t2000\tCDP\tCisco Discovery Protocol\n\
        01:00:0C:CC:CC:CC/48\t2004\tDTP\tDynamic Trunk\n\
        01:00:5E:00:00:00/24\t-\tIPv4Multi\tIPv4-Multicast\n\
        01:80:C2:00:00:00/48\t-\tNearestCu\tNearest Customer Bridge group\n\
        01:80:C2:00:01:00/40\t-\tISOIECJTC\tISO/IEC JTC1/SC25\n\
        01:80:C2:00:01:00/44\t-\tISOIECJTC\tISO/IEC JTC1/SC25\n\
        01:80:C2:00:01:00/48\t-\tRingManag\tRing Management Directed Beacon Multicast\n\
        33:33:00:00:00:00/16\t-\tIPv6Multi\tIPv6-Multicast\n\
        C8:BC:C8:00:00:00/24\t-\tAppleInc,US\tApple Inc,US\n\
        FF:FF:FF:FF:FF:FF/48\t-\tBroadcast\tBroadcast\n";

    fn mac(s: &str) -> [u8; 6] {
        let v: Vec<u8> = s.split(':').map(|o| u8::from_str_radix(o, 16).unwrap()).collect();
        v.try_into().unwrap()
    }

    fn short<'a>(t: &'a MacLabels, m: &str, et: u16) -> &'a str {
        t.lookup(mac(m), et).map_or("-", |id| t.label(id))
    }

    #[test]
    fn the_smallest_block_holding_an_address_names_it() {
        let (t, errors) = MacLabels::parse(TABLE, LabelKind::Short, 12);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(t.len(), 13);
        // 8 ranges (2 records each) and 5 single addresses (CDP, DTP, NearestCu, RingManag, Broadcast)
        assert_eq!(t.records(), 8 * 2 + 5);
        assert_eq!(short(&t, "c8:bc:c8:96:d2:a0", 0x0800), "AppleInc,US");
        assert_eq!(short(&t, "00:50:c2:00:00:00", 0x0800), "IeeeRegis,US");
        assert_eq!(short(&t, "00:50:c2:00:0f:ff", 0x0800), "IeeeRegis,US");
        assert_eq!(short(&t, "00:50:c2:00:10:00", 0x0800), "Symmetrico,U"); // cut to 12 bytes
        assert_eq!(short(&t, "00:50:c2:00:1f:ff", 0x0800), "Symmetrico,U");
        assert_eq!(short(&t, "00:50:c2:00:20:00", 0x0800), "IeeeRegis,US");
        assert_eq!(short(&t, "00:50:c2:ff:ef:ff", 0x0800), "IeeeRegis,US");
        assert_eq!(short(&t, "00:50:c2:ff:ff:ff", 0x0800), "MsrSoluti,DE");
        assert_eq!(short(&t, "00:50:c3:00:00:00", 0x0800), "-");
        assert_eq!(short(&t, "01:00:5e:7f:ff:fa", 0x0800), "IPv4Multi");
        assert_eq!(short(&t, "33:33:ff:00:10:00", 0x86dd), "IPv6Multi");
        assert_eq!(short(&t, "ff:ff:ff:ff:ff:ff", 0x0806), "Broadcast");
        assert_eq!(short(&t, "ff:ff:ff:ff:ff:fe", 0x0806), "-");
        assert_eq!(short(&t, "01:80:c2:00:00:00", 0x4242), "NearestCu");
        assert_eq!(short(&t, "01:80:c2:00:01:00", 0x4242), "RingManag");
        assert_eq!(short(&t, "01:80:c2:00:01:05", 0x4242), "ISOIECJTC");
        assert_eq!(short(&t, "01:80:c2:00:01:ff", 0x4242), "ISOIECJTC");
        assert_eq!(short(&t, "01:80:c2:00:02:00", 0x4242), "-");
        // the all-zero address is never labelled
        assert_eq!(short(&t, "00:00:00:00:00:00", 0x0800), "-");
    }

    #[test]
    fn ethertype_blocks_apply_to_their_ethertype_only() {
        let (t, _) = MacLabels::parse(TABLE, LabelKind::Short, 12);
        assert_eq!(short(&t, "01:00:0c:cc:cc:cc", 0x2000), "CDP");
        assert_eq!(short(&t, "01:00:0c:cc:cc:cc", 0x2004), "DTP");
        assert_eq!(short(&t, "01:00:0c:cc:cc:cc", 0x0800), "-");
        let id = t.lookup(mac("01:00:0c:cc:cc:cc"), 0x2000).unwrap();
        assert_eq!(id, 4); // the fourth block of the file (MR_MACLBL=1)
    }

    #[test]
    fn long_labels_are_cut_in_bytes() {
        let (t, _) = MacLabels::parse(TABLE, LabelKind::Long, 44);
        assert_eq!(short(&t, "00:50:c2:00:00:01", 0), "Ieee Registration Authority,US");
        assert_eq!(short(&t, "01:80:c2:00:01:00", 0), "Ring Management Directed Beacon Multicast");
        let (t, _) = MacLabels::parse("00:03:5F:00:00:00/24\t-\tPrüftechn,DE\tx\n", LabelKind::Short, 12);
        assert_eq!(short(&t, "00:03:5f:00:00:01", 0), "Prüftechn,D"); // 13 bytes cut to 12
        let (t, _) = MacLabels::parse("00:03:5F:00:00:00/24\t-\tPrüftechn,DE\tx\n", LabelKind::Short, 3);
        // T2 would write the first byte of the ü; the table keeps whole characters
        assert_eq!(short(&t, "00:03:5f:00:00:01", 0), "Pr");
        let (t, _) = MacLabels::parse("00:03:5F:00:00:00/24\t-\tPrüftechn,DE\tx\n", LabelKind::Short, 0);
        assert_eq!(t.lookup(mac("00:03:5f:00:00:01"), 0).map(|id| t.label(id)), Some(""));
    }

    #[test]
    fn malformed_lines_are_skipped_and_reported() {
        let text = "C8:BC:C8:00:00:00/24\t-\tAppleInc,US\tApple Inc,US\n\
            C8:BC:C8:00:00:00/24\t-\tAppleInc,US\n\
            C8:BC:C8:00:00:01/24\t-\ta\tb\n\
            C8:BC:C8:00:00/24\t-\ta\tb\n\
            C8:BC:C8:00:00:00/49\t-\ta\tb\n\
            C8:BC:C8:00:00:00/24\t2000\ta\tb\n\
            C8:BC:C8:00:00:0G/48\t-\ta\tb\n\
            C8:BC:C8:00:00:00/48\t20000\ta\tb\n\
            \u{0}\u{1}garbage\n";
        let (t, errors) = MacLabels::parse(text, LabelKind::Short, 12);
        assert_eq!(t.len(), 1);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(
            errors[0].to_string(),
            "line 2: expected PREFIX/BITS<TAB>ETHERTYPE<TAB>SHORT<TAB>LONG, found 'C8:BC:C8:00:00:00/24\t-\tAppleInc,US'"
        );
    }

    #[test]
    fn flattening_covers_every_address_of_nested_blocks_once() {
        // 0..=255 holds 16..=31 (which holds 20..=20) and 128..=191; 300..=301 apart
        let segs =
            flatten(vec![(0, 255, 40, 1), (16, 31, 44, 2), (20, 20, 48, 3), (128, 191, 42, 4), (300, 301, 47, 5)]);
        let want = [
            (0, 15, 1),
            (16, 19, 2),
            (20, 20, 3),
            (21, 31, 2),
            (32, 127, 1),
            (128, 191, 4),
            (192, 255, 1),
            (300, 301, 5),
        ];
        let got: Vec<_> = segs.iter().map(|s| (s.first, s.last, s.label)).collect();
        assert_eq!(got, want);
        // blocks that end together
        let segs = flatten(vec![(0, 255, 40, 1), (240, 255, 44, 2)]);
        assert_eq!(segs.iter().map(|s| (s.first, s.last, s.label)).collect::<Vec<_>>(), [(0, 239, 1), (240, 255, 2)]);
        // the first of two equal blocks wins; the top address closes cleanly
        let top = 0xFFFF_FFFF_FFFF;
        let segs = flatten(vec![(top, top, 48, 1), (top, top, 48, 2)]);
        assert_eq!(segs.iter().map(|s| (s.first, s.last, s.label)).collect::<Vec<_>>(), [(top, top, 1)]);
    }

    #[test]
    fn the_shipped_table_loads_as_t2s() {
        let text = include_str!("../maclbl.txt");
        let (t, errors) = MacLabels::parse(text, LabelKind::Short, 12);
        assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(3)]);
        assert_eq!(t.records(), 84_111); // T2: "84111 (84.11 K) short org name records loaded"
        assert_eq!(short(&t, "c8:bc:c8:96:d2:a0", 0x0800), "AppleInc,US");
        assert_eq!(short(&t, "00:10:db:88:d2:ef", 0x0800), "JuniperNe,US");
        assert!(t.segments.windows(2).all(|w| w[0].last < w[1].first));
    }

    #[test]
    fn lookups_of_any_address_never_panic() {
        let (t, _) = MacLabels::parse(TABLE, LabelKind::Short, 12);
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = x.to_be_bytes();
            if let Some(id) = t.lookup([b[0], b[1], b[2], b[3], b[4], b[5]], b[6] as u16) {
                assert!(!t.label(id).is_empty());
            }
        }
        assert_eq!(t.label(0), "");
        assert_eq!(t.label(u32::MAX), "");
    }
}
