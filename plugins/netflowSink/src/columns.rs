//! Which flow-file columns feed the export, and reading a flow record into a [`FlowRec`]
//! through the shared record decoder.
//!
//! Columns are found by name, as T2's netflowSink takes its values from basicFlow, basicStats
//! and tcpFlags: the required ones must be there, the optional ones add their fields to the
//! templates when they are.

use plugin_api::record::{DecodeError, Decoder, Lead, Val, Visitor};
use plugin_api::{Column, Prim, Value};

use crate::flowrec::FlowRec;
use crate::template::Optional;

/// What a column holds for the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Not exported.
    Skip,
    Dir,
    First,
    Last,
    Packets,
    Octets,
    Src,
    Dst,
    SrcPort,
    DstPort,
    Proto,
    MinLen,
    MaxLen,
    Vlan,
    TcpFlags,
    Tos,
    MinTtl,
    MaxTtl,
    SrcMac,
    DstMac,
}

/// The kind of value a slot reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Time,
    Addr,
    Mac,
}

impl Slot {
    /// The slot of a column named `name`. basicStats names its byte and length columns after
    /// the layer it measures (`l7BytesSnt`, `minL3PktSz`), so any layer digit is taken.
    fn of(name: &str) -> Slot {
        let layered = |prefix: &str, suffix: &str| {
            name.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(suffix))
                .is_some_and(|d| matches!(d, "2" | "3" | "4" | "7"))
        };
        match name {
            "dir" => Slot::Dir,
            "timeFirst" => Slot::First,
            "timeLast" => Slot::Last,
            "pktsSnt" => Slot::Packets,
            "srcIP" => Slot::Src,
            "dstIP" => Slot::Dst,
            "srcPort" => Slot::SrcPort,
            "dstPort" => Slot::DstPort,
            "l4Proto" => Slot::Proto,
            "vlanID" => Slot::Vlan,
            "tcpFlags" => Slot::TcpFlags,
            "ipToS" => Slot::Tos,
            "ipMinTTL" => Slot::MinTtl,
            "ipMaxTTL" => Slot::MaxTtl,
            "srcMac" => Slot::SrcMac,
            "dstMac" => Slot::DstMac,
            _ if layered("l", "BytesSnt") => Slot::Octets,
            _ if layered("minL", "PktSz") => Slot::MinLen,
            _ if layered("maxL", "PktSz") => Slot::MaxLen,
            _ => Slot::Skip,
        }
    }

    fn kind(self) -> Kind {
        match self {
            Slot::First | Slot::Last => Kind::Time,
            Slot::Src | Slot::Dst => Kind::Addr,
            Slot::SrcMac | Slot::DstMac => Kind::Mac,
            _ => Kind::Int,
        }
    }

    /// Whether a value of type `p` can fill the slot.
    fn accepts(self, p: Prim) -> bool {
        match self.kind() {
            Kind::Int => is_int(p),
            Kind::Time => p == Prim::Time,
            Kind::Addr => matches!(p, Prim::IpX | Prim::Ip4 | Prim::Ip6),
            Kind::Mac => p == Prim::Mac,
        }
    }
}

/// The columns every exported record needs, and which plugin writes them.
const REQUIRED: [(&str, Slot, &str); 9] = [
    ("timeFirst", Slot::First, "basicFlow"),
    ("timeLast", Slot::Last, "basicFlow"),
    ("srcIP", Slot::Src, "basicFlow"),
    ("dstIP", Slot::Dst, "basicFlow"),
    ("srcPort", Slot::SrcPort, "basicFlow"),
    ("dstPort", Slot::DstPort, "basicFlow"),
    ("l4Proto", Slot::Proto, "basicFlow"),
    ("pktsSnt", Slot::Packets, "basicStats"),
    ("l7BytesSnt", Slot::Octets, "basicStats"),
];

/// Whether `p` is an unsigned or signed integer type, read as the number it holds.
fn is_int(p: Prim) -> bool {
    use Prim::*;
    matches!(p, I8 | I16 | I32 | I64 | U8 | U16 | U32 | U64 | H8 | H16 | H32 | H64 | Dir | Char)
}

/// The column list compiled for reading records.
#[derive(Debug)]
pub struct Columns {
    slots: Vec<Slot>,
    decoder: Decoder,
    optional: Optional,
    /// Time fractions are nanoseconds (core `TSTAMP_PREC` 1), else microseconds.
    nanos: bool,
}

impl Columns {
    /// Maps the run's columns; fails naming a required column that is missing or a column
    /// whose type cannot be exported.
    pub fn new(columns: &[Column], nanos: bool) -> Result<Columns, String> {
        let slots: Vec<Slot> = columns.iter().map(|c| Slot::of(&c.name)).collect();
        for (c, slot) in columns.iter().zip(&slots) {
            let ok = match c.values.first() {
                Some(Value::Prim(p)) => slot.accepts(*p),
                _ => false,
            };
            if *slot != Slot::Skip && !ok {
                return Err(format!("column '{}' has type {}, which cannot be exported", c.name, c.signature()));
            }
        }
        for (name, slot, plugin) in REQUIRED {
            if !slots.contains(&slot) {
                return Err(format!("the flows have no column '{name}': load {plugin} before netflowSink"));
            }
        }
        let has = |s: Slot| slots.contains(&s);
        let optional = Optional {
            lengths: has(Slot::MinLen) && has(Slot::MaxLen),
            vlan: has(Slot::Vlan),
            tcp_flags: has(Slot::TcpFlags),
            tos: has(Slot::Tos),
            ttl: has(Slot::MinTtl) && has(Slot::MaxTtl),
            macs: has(Slot::SrcMac) && has(Slot::DstMac),
        };
        Ok(Columns { slots, decoder: Decoder::new(columns), optional, nanos })
    }

    /// The optional fields the columns provide.
    pub fn optional(&self) -> Optional {
        self.optional
    }

    /// Reads one flow record.
    pub fn read(&mut self, record: &[u8]) -> Result<FlowRec, DecodeError> {
        let mut fill =
            Fill { slots: &self.slots, slot: Slot::Skip, first: false, rec: FlowRec::default(), nanos: self.nanos };
        self.decoder.decode(record, &mut fill)?;
        Ok(fill.rec)
    }
}

/// Fills a [`FlowRec`] from the first value of each mapped column (the outer VLAN, the first
/// MAC address pair).
struct Fill<'a> {
    slots: &'a [Slot],
    slot: Slot,
    /// The next value is the column's first.
    first: bool,
    rec: FlowRec,
    nanos: bool,
}

/// A time as milliseconds since the epoch; `nanos` when the fraction is in nanoseconds.
fn ms(nanos: bool, sec: u64, frac: u32) -> u64 {
    let frac_ms = if nanos { frac / 1_000_000 } else { frac / 1000 };
    // T2's garbage timestamps (negative seconds) wrap as they do in any u64 arithmetic
    sec.wrapping_mul(1000).wrapping_add(u64::from(frac_ms))
}

/// An integer value as u64 (signed values as their two's complement bits), `None` otherwise.
fn number(v: Val<'_>) -> Option<u64> {
    Some(match v {
        Val::U8(n) | Val::H8(n) | Val::Dir(n) | Val::Char(n) => u64::from(n),
        Val::U16(n) | Val::H16(n) => u64::from(n),
        Val::U32(n) | Val::H32(n) => u64::from(n),
        Val::U64(n) | Val::H64(n) => n,
        Val::I8(n) => n as u64,
        Val::I16(n) => n as u64,
        Val::I32(n) => n as u64,
        Val::I64(n) => n as u64,
        _ => return None,
    })
}

impl Visitor for Fill<'_> {
    #[inline]
    fn lead(&mut self, lead: Lead) {
        if let Lead::Column(i) = lead {
            self.slot = self.slots.get(i as usize).copied().unwrap_or(Slot::Skip);
            self.first = true;
        }
    }

    #[inline]
    fn value(&mut self, v: Val<'_>) {
        if !std::mem::replace(&mut self.first, false) || self.slot == Slot::Skip {
            return;
        }
        let n = number(v).unwrap_or(0);
        let nanos = self.nanos;
        let r = &mut self.rec;
        match (self.slot, v) {
            (Slot::First, Val::Time(s, f)) => r.first_ms = ms(nanos, s, f),
            (Slot::Last, Val::Time(s, f)) => r.last_ms = ms(nanos, s, f),
            (Slot::Src, Val::Ip4(a)) => {
                r.ip_ver = 4;
                r.src[..4].copy_from_slice(&a);
            }
            (Slot::Src, Val::Ip6(a)) => {
                r.ip_ver = 6;
                r.src = a;
            }
            (Slot::Dst, Val::Ip4(a)) => r.dst[..4].copy_from_slice(&a),
            (Slot::Dst, Val::Ip6(a)) => r.dst = a,
            (Slot::SrcMac, Val::Mac(m)) => r.src_mac = m,
            (Slot::DstMac, Val::Mac(m)) => r.dst_mac = m,
            (Slot::Dir, _) => r.dir = u8::from(n != 0),
            (Slot::Packets, _) => r.packets = n,
            (Slot::Octets, _) => r.octets = n,
            (Slot::SrcPort, _) => r.src_port = n as u16,
            (Slot::DstPort, _) => r.dst_port = n as u16,
            (Slot::Proto, _) => r.proto = n as u8,
            (Slot::MinLen, _) => r.min_len = n as u16,
            (Slot::MaxLen, _) => r.max_len = n as u16,
            (Slot::Vlan, _) => r.vlan = n as u16,
            // the low byte: tcpFlags' aggregate puts the TCP header's flags there
            (Slot::TcpFlags, _) => r.tcp_flags = n as u8,
            (Slot::Tos, _) => r.tos = n as u8,
            (Slot::MinTtl, _) => r.min_ttl = n as u8,
            (Slot::MaxTtl, _) => r.max_ttl = n as u8,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::record::Encoder;

    fn cols(list: &[(&str, &str)]) -> Vec<Column> {
        list.iter().map(|(n, s)| Column::parse(n, "", s).unwrap()).collect()
    }

    const REQUIRED_COLS: [(&str, &str); 9] = [
        ("timeFirst", "TS"),
        ("timeLast", "TS"),
        ("srcIP", "IPX"),
        ("srcPort", "U16"),
        ("dstIP", "IPX"),
        ("dstPort", "U16"),
        ("l4Proto", "U8"),
        ("pktsSnt", "U64"),
        ("l3BytesSnt", "U64"),
    ];

    #[test]
    fn optional_fields_follow_the_columns() {
        let mut list = REQUIRED_COLS.to_vec();
        let c = Columns::new(&cols(&list), true).unwrap();
        assert_eq!(c.optional(), Optional::default(), "basicStats may count another layer's bytes");
        list.extend([("vlanID", "U16:R"), ("srcMac", "MAC:R"), ("dstMac", "MAC:R"), ("ipMinTTL", "U8")]);
        let c = Columns::new(&cols(&list), true).unwrap();
        let want = Optional { vlan: true, macs: true, ..Optional::default() };
        assert_eq!(c.optional(), want, "one TTL column is not enough for the pair");
    }

    #[test]
    fn columns_that_cannot_be_exported() {
        let mut list = REQUIRED_COLS.to_vec();
        list[7] = ("pktsSnt", "S");
        assert_eq!(
            Columns::new(&cols(&list), true).unwrap_err(),
            "column 'pktsSnt' has type S, which cannot be exported"
        );
        list.remove(7);
        let err = Columns::new(&cols(&list), true).unwrap_err();
        assert_eq!(err, "the flows have no column 'pktsSnt': load basicStats before netflowSink");
    }

    #[test]
    fn a_record_read_whole() {
        let mut list = REQUIRED_COLS.to_vec();
        list.insert(0, ("vlanID", "U16:R"));
        let mut c = Columns::new(&cols(&list), false).unwrap();
        let mut e = Encoder::new(Vec::new());
        e.rep(2);
        e.u16(20);
        e.u16(30);
        e.time(1_000, 999_999);
        e.time(1_001, 1_000);
        e.ipx(6, &[1; 16]);
        e.u16(53);
        e.ipx(6, &[2; 16]);
        e.u16(5353);
        e.u8(17);
        e.u64(3);
        e.u64(300);
        let r = c.read(&e.into_inner()).unwrap();
        let want = FlowRec {
            first_ms: 1_000_999,
            last_ms: 1_001_001,
            ip_ver: 6,
            src: [1; 16],
            dst: [2; 16],
            src_port: 53,
            dst_port: 5353,
            proto: 17,
            packets: 3,
            octets: 300,
            vlan: 20,
            ..FlowRec::default()
        };
        assert_eq!(r, want, "microseconds; the outer VLAN");
        assert!(c.read(&[0; 5]).is_err());
    }
}
