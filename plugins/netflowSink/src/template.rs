//! The fields of a data record and the templates that announce them.
//!
//! Field numbers are IANA's IPFIX Information Elements (RFC 7012 and the registry it set up);
//! NetFlow v9 (RFC 3954 §8) numbers the same elements the same way, so one list serves both.
//! The choice of elements follows T2's netflowSink, except for the times: absolute
//! milliseconds (elements 152 and 153) instead of milliseconds since a system uptime, so a
//! collector places a flow without knowing when the export started.

use crate::flowrec::{Family, FlowRec};

/// One field of a data record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `flowStartMilliseconds` (152).
    FlowStartMs,
    /// `flowEndMilliseconds` (153).
    FlowEndMs,
    /// `packetDeltaCount` (2).
    Packets,
    /// `octetDeltaCount` (1).
    Octets,
    /// `sourceIPv4Address` (8).
    SrcIp4,
    /// `destinationIPv4Address` (12).
    DstIp4,
    /// `sourceIPv6Address` (27).
    SrcIp6,
    /// `destinationIPv6Address` (28).
    DstIp6,
    /// `sourceTransportPort` (7).
    SrcPort,
    /// `destinationTransportPort` (11).
    DstPort,
    /// `protocolIdentifier` (4).
    Proto,
    /// `ipVersion` (60).
    IpVersion,
    /// `flowDirection` (61): T2 sends its A/B direction here.
    Direction,
    /// `minimumIpTotalLength` (25): T2 sends basicStats' smallest packet here.
    MinLen,
    /// `maximumIpTotalLength` (26).
    MaxLen,
    /// `vlanId` (58).
    Vlan,
    /// `tcpControlBits` (6), in one byte (RFC 7011 §6.2 reduced-size encoding).
    TcpFlags,
    /// `ipClassOfService` (5).
    Tos,
    /// `minimumTTL` (52).
    MinTtl,
    /// `maximumTTL` (53).
    MaxTtl,
    /// `sourceMacAddress` (56).
    SrcMac,
    /// `destinationMacAddress` (80).
    DstMac,
}

impl Field {
    /// Information Element number.
    pub fn id(self) -> u16 {
        match self {
            Field::FlowStartMs => 152,
            Field::FlowEndMs => 153,
            Field::Packets => 2,
            Field::Octets => 1,
            Field::SrcIp4 => 8,
            Field::DstIp4 => 12,
            Field::SrcIp6 => 27,
            Field::DstIp6 => 28,
            Field::SrcPort => 7,
            Field::DstPort => 11,
            Field::Proto => 4,
            Field::IpVersion => 60,
            Field::Direction => 61,
            Field::MinLen => 25,
            Field::MaxLen => 26,
            Field::Vlan => 58,
            Field::TcpFlags => 6,
            Field::Tos => 5,
            Field::MinTtl => 52,
            Field::MaxTtl => 53,
            Field::SrcMac => 56,
            Field::DstMac => 80,
        }
    }

    /// Encoded length in bytes.
    pub fn size(self) -> u16 {
        match self {
            Field::FlowStartMs | Field::FlowEndMs | Field::Packets | Field::Octets => 8,
            Field::SrcIp4 | Field::DstIp4 => 4,
            Field::SrcIp6 | Field::DstIp6 => 16,
            Field::SrcPort | Field::DstPort | Field::MinLen | Field::MaxLen | Field::Vlan => 2,
            Field::Proto | Field::IpVersion | Field::Direction | Field::TcpFlags | Field::Tos => 1,
            Field::MinTtl | Field::MaxTtl => 1,
            Field::SrcMac | Field::DstMac => 6,
        }
    }

    /// Appends the field's value of `rec` in network byte order.
    fn put(self, rec: &FlowRec, out: &mut Vec<u8>) {
        match self {
            Field::FlowStartMs => out.extend_from_slice(&rec.first_ms.to_be_bytes()),
            Field::FlowEndMs => out.extend_from_slice(&rec.last_ms.to_be_bytes()),
            Field::Packets => out.extend_from_slice(&rec.packets.to_be_bytes()),
            Field::Octets => out.extend_from_slice(&rec.octets.to_be_bytes()),
            Field::SrcIp4 => out.extend_from_slice(&rec.src[..4]),
            Field::DstIp4 => out.extend_from_slice(&rec.dst[..4]),
            Field::SrcIp6 => out.extend_from_slice(&rec.src),
            Field::DstIp6 => out.extend_from_slice(&rec.dst),
            Field::SrcPort => out.extend_from_slice(&rec.src_port.to_be_bytes()),
            Field::DstPort => out.extend_from_slice(&rec.dst_port.to_be_bytes()),
            Field::Proto => out.push(rec.proto),
            Field::IpVersion => out.push(rec.ip_ver),
            Field::Direction => out.push(rec.dir),
            Field::MinLen => out.extend_from_slice(&rec.min_len.to_be_bytes()),
            Field::MaxLen => out.extend_from_slice(&rec.max_len.to_be_bytes()),
            Field::Vlan => out.extend_from_slice(&rec.vlan.to_be_bytes()),
            Field::TcpFlags => out.push(rec.tcp_flags),
            Field::Tos => out.push(rec.tos),
            Field::MinTtl => out.push(rec.min_ttl),
            Field::MaxTtl => out.push(rec.max_ttl),
            Field::SrcMac => out.extend_from_slice(&rec.src_mac),
            Field::DstMac => out.extend_from_slice(&rec.dst_mac),
        }
    }
}

/// The values a run can export beyond the ones every record has, each present when the
/// plugin that computes it wrote its column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Optional {
    /// Smallest and largest packet (basicStats' statistics).
    pub lengths: bool,
    /// VLAN ID (basicFlow's `vlanID`).
    pub vlan: bool,
    /// TCP flags (tcpFlags' `tcpFlags`).
    pub tcp_flags: bool,
    /// Type of service (tcpFlags' `ipToS`).
    pub tos: bool,
    /// Smallest and largest TTL (tcpFlags' `ipMinTTL`, `ipMaxTTL`).
    pub ttl: bool,
    /// MAC addresses (basicFlow's `srcMac`, `dstMac`).
    pub macs: bool,
}

/// Template of one family: its ID, its fields and the length of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    id: u16,
    fields: Vec<Field>,
    record_len: usize,
}

impl Template {
    /// The template of `family`'s records (ID 256 for IPv4, 257 for IPv6, as T2's), in T2's
    /// field order.
    pub fn new(family: Family, opt: Optional) -> Template {
        let (src, dst) = match family {
            Family::V4 => (Field::SrcIp4, Field::DstIp4),
            Family::V6 => (Field::SrcIp6, Field::DstIp6),
        };
        let mut fields = vec![Field::FlowStartMs, Field::FlowEndMs, Field::Packets, Field::Octets, src, dst];
        fields.extend([Field::SrcPort, Field::DstPort]);
        let mut add = |on: bool, f: &[Field]| {
            if on {
                fields.extend_from_slice(f);
            }
        };
        add(opt.lengths, &[Field::MinLen, Field::MaxLen]);
        add(opt.vlan, &[Field::Vlan]);
        add(opt.tcp_flags, &[Field::TcpFlags]);
        add(true, &[Field::IpVersion, Field::Direction, Field::Proto]);
        add(opt.tos, &[Field::Tos]);
        add(opt.ttl, &[Field::MinTtl, Field::MaxTtl]);
        add(opt.macs, &[Field::DstMac, Field::SrcMac]);
        let id = match family {
            Family::V4 => 256,
            Family::V6 => 257,
        };
        Template::with_fields(id, fields)
    }

    /// A template of the given fields.
    pub fn with_fields(id: u16, fields: Vec<Field>) -> Template {
        let record_len = fields.iter().map(|f| usize::from(f.size())).sum();
        Template { id, fields, record_len }
    }

    /// Template ID (the Set ID of its data sets).
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The fields in record order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Bytes of one data record.
    pub fn record_len(&self) -> usize {
        self.record_len
    }

    /// Bytes of the template record: ID, field count, then ID and length of each field.
    pub fn encoded_len(&self) -> usize {
        4 + 4 * self.fields.len()
    }

    /// Appends the template record.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&(self.fields.len() as u16).to_be_bytes());
        for f in &self.fields {
            out.extend_from_slice(&f.id().to_be_bytes());
            out.extend_from_slice(&f.size().to_be_bytes());
        }
    }

    /// Appends `rec` as a data record of this template.
    pub fn encode_record(&self, rec: &FlowRec, out: &mut Vec<u8>) {
        for f in &self.fields {
            f.put(rec, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lengths_add_up() {
        let all = Optional { lengths: true, vlan: true, tcp_flags: true, tos: true, ttl: true, macs: true };
        let v4 = Template::new(Family::V4, all);
        let v6 = Template::new(Family::V6, all);
        // times and counters 4 × 8, addresses 2 × 4, ports and lengths 4 × 2, VLAN 2, seven
        // one-byte values, MACs 2 × 6
        assert_eq!(v4.record_len(), 32 + 8 + 8 + 2 + 7 + 12);
        assert_eq!(v6.record_len(), v4.record_len() + 2 * 12);
        assert_eq!(v4.fields().len(), 20);
        assert_eq!(v4.encoded_len(), 4 + 4 * 20);
        let bare = Template::new(Family::V4, Optional::default());
        assert_eq!(bare.fields().len(), 11);
        assert_eq!(bare.record_len(), 8 * 4 + 4 + 4 + 2 + 2 + 3);
    }

    #[test]
    fn template_and_record_bytes() {
        let t = Template::with_fields(256, vec![Field::SrcIp4, Field::SrcPort, Field::Proto, Field::Packets]);
        let mut out = Vec::new();
        t.encode(&mut out);
        assert_eq!(out, [1, 0, 0, 4, 0, 8, 0, 4, 0, 7, 0, 2, 0, 4, 0, 1, 0, 2, 0, 8]);
        let mut rec = FlowRec { ip_ver: 4, src_port: 0x1234, proto: 17, packets: 0x0102, ..FlowRec::default() };
        rec.src[..4].copy_from_slice(&[10, 0, 0, 1]);
        out.clear();
        t.encode_record(&rec, &mut out);
        assert_eq!(out, [10, 0, 0, 1, 0x12, 0x34, 17, 0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(out.len(), t.record_len());
    }

    #[test]
    fn ipv6_addresses_whole() {
        let t = Template::with_fields(257, vec![Field::SrcIp6, Field::DstIp6]);
        let rec = FlowRec { ip_ver: 6, src: [1; 16], dst: [2; 16], ..FlowRec::default() };
        let mut out = Vec::new();
        t.encode_record(&rec, &mut out);
        assert_eq!(out, [[1u8; 16], [2u8; 16]].concat());
    }
}
