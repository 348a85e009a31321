//! One flow direction as it is exported: the values a data record carries, taken from the
//! flow file's columns.

/// The exported values of one flow direction (one T2 flow record, A or B).
///
/// Plain data of fixed size, so batches of records go to the sender thread without any
/// allocation per record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowRec {
    /// Time of the first packet, milliseconds since the epoch (`timeFirst`).
    pub first_ms: u64,
    /// Time of the last packet, milliseconds since the epoch (`timeLast`).
    pub last_ms: u64,
    /// Packets sent in this direction (`pktsSnt`).
    pub packets: u64,
    /// Bytes sent in this direction (`l7BytesSnt`, or the layer basicStats counts).
    pub octets: u64,
    /// 4 or 6.
    pub ip_ver: u8,
    /// Source address; an IPv4 address in the first 4 bytes.
    pub src: [u8; 16],
    /// Destination address; an IPv4 address in the first 4 bytes.
    pub dst: [u8; 16],
    /// `srcPort`.
    pub src_port: u16,
    /// `dstPort`.
    pub dst_port: u16,
    /// `l4Proto`.
    pub proto: u8,
    /// T2's direction: 0 for A, 1 for B (`dir`).
    pub dir: u8,
    /// Smallest packet (`minL7PktSz` or the layer basicStats measures).
    pub min_len: u16,
    /// Largest packet.
    pub max_len: u16,
    /// First (outer) VLAN ID, 0 without one (`vlanID`).
    pub vlan: u16,
    /// The TCP flags seen, the low byte of tcpFlags' aggregate (`tcpFlags`).
    pub tcp_flags: u8,
    /// `ipToS`.
    pub tos: u8,
    /// `ipMinTTL`.
    pub min_ttl: u8,
    /// `ipMaxTTL`.
    pub max_ttl: u8,
    /// First source MAC address (`srcMac`).
    pub src_mac: [u8; 6],
    /// First destination MAC address (`dstMac`).
    pub dst_mac: [u8; 6],
}

/// IP version of a flow, which picks the template its record is sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 addresses.
    V4,
    /// IPv6 addresses.
    V6,
}

impl Family {
    /// Both families, in template order.
    pub const ALL: [Family; 2] = [Family::V4, Family::V6];

    /// Index into per-family arrays.
    pub fn index(self) -> usize {
        match self {
            Family::V4 => 0,
            Family::V6 => 1,
        }
    }

    /// `IPv4` or `IPv6`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

impl FlowRec {
    /// The family of the record's addresses, `None` for anything but 4 or 6.
    pub fn family(&self) -> Option<Family> {
        match self.ip_ver {
            4 => Some(Family::V4),
            6 => Some(Family::V6),
            _ => None,
        }
    }
}
