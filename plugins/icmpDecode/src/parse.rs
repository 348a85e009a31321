//! The bytes icmpDecode reads from a packet: the ICMP/ICMPv6 header, the payload markers of
//! WANG2 and covert channels, and the key of an error message's parent flow.
//!
//! T2 reads these fields without checking the captured length; here every read is bounded and a
//! byte that was not captured reads as zero, so no input can make a function of this module
//! panic or read out of bounds.

use plugin_api::abi::FlowKey;
use plugin_api::wire::{Icmp, Ipv4, Ipv6, Udp, array, icmp, ipproto, ipv6};

/// The sequence field LOKI's covert channel uses, as T2 compares it: the raw field read as a
/// host-order integer.
const LOKI_SEQ: u16 = 0xf001;
/// The marker of an SSH session tunnelled through echo payloads.
const OPENSSH: &[u8] = b"OpenSSH";
/// Echo payloads are searched for [`OPENSSH`] beyond this offset.
const OPENSSH_FROM: usize = 40;
/// The marker of Microsoft's bandwidth test, at payload offset 6 of an echo request.
const WANG2: &[u8] = b"WANG2";
const WANG2_AT: usize = 6;

/// The ICMP header fields icmpDecode uses (the first 8 bytes of an ICMP or ICMPv6 message).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Message type.
    pub typ: u8,
    /// Message code.
    pub code: u8,
    /// Echo identifier.
    pub id: u16,
    /// Echo sequence number.
    pub seq: u16,
    /// The sequence field read in host byte order (T2 compares it with `LOKISEQ` unconverted).
    pub seq_raw: u16,
    /// Bytes 4 to 8 (gateway or identifier and sequence) as a host-order integer, the way T2
    /// stores it for the `icmpTmGtw` column.
    pub gateway: u32,
}

impl Header {
    /// Reads the header at the start of `l4`; bytes not captured read as zero.
    pub fn parse(l4: &[u8]) -> Header {
        let m = Icmp::new(l4);
        Header {
            typ: m.kind(),
            code: m.code(),
            id: m.ident(),
            seq: m.seq(),
            seq_raw: u16::from_ne_bytes(m.seq().to_be_bytes()),
            gateway: u32::from_ne_bytes(array(l4, icmp::field::IDENT.start)),
        }
    }

    /// True when the sequence field is LOKI's marker.
    pub fn loki(&self) -> bool {
        self.seq_raw == LOKI_SEQ
    }
}

/// True when the echo payload `l7` carries `WANG2` at offset 6.
pub fn wang2(l7: &[u8]) -> bool {
    l7.get(WANG2_AT..WANG2_AT + WANG2.len()) == Some(WANG2)
}

/// True when `OpenSSH` appears in the echo payload `l7` beyond its first 40 bytes.
pub fn openssh(l7: &[u8]) -> bool {
    l7.get(OPENSSH_FROM..).is_some_and(|rest| rest.windows(OPENSSH.len()).any(|w| w == OPENSSH))
}

/// The key T2's icmpDecode looks up as the parent of an error message.
///
/// T2 builds it from the packet's own (innermost) IP header, not from the header quoted in the
/// message: addresses and protocol of `l3` (an IPv6 header's first next-header field when `v6`),
/// ports only for TCP, UDP and UDP-Lite, read from `l7` at the length of that IP header. Hence
/// an ICMP error usually resolves to its own flow. `eth_type` is the packet's, `vlan_id` the
/// flow's.
pub fn parent_key(l3: &[u8], l7: &[u8], v6: bool, eth_type: u16, vlan_id: u16) -> FlowKey {
    let mut key = FlowKey { eth_type, vlan_id, ..FlowKey::default() };
    let l7_off = if v6 {
        let ip = Ipv6::new(l3);
        (key.l4_proto, key.src_ip, key.dst_ip) = (ip.next_header(), ip.src(), ip.dst());
        ipv6::HEADER_LEN
    } else {
        let ip = Ipv4::new(l3);
        key.l4_proto = ip.protocol();
        key.src_ip[..4].copy_from_slice(&ip.src());
        key.dst_ip[..4].copy_from_slice(&ip.dst());
        ip.header_len()
    };
    if matches!(key.l4_proto, ipproto::TCP | ipproto::UDP | ipproto::UDPLITE) {
        let ports = Udp::at(l7, l7_off);
        (key.src_port, key.dst_port) = (ports.src_port(), ports.dst_port());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo request from `ping` (id 0x0b2c, seq 1) with its 8-byte timestamp and pattern.
    const ECHO_REQUEST: [u8; 16] = [8, 0, 0x4d, 0x3a, 0x0b, 0x2c, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64, 0, 0, 0, 0];

    #[test]
    fn echo_request_fields() {
        let h = Header::parse(&ECHO_REQUEST);
        assert_eq!((h.typ, h.code, h.id, h.seq), (8, 0, 0x0b2c, 1));
        assert_eq!(h.gateway.to_ne_bytes(), [0x0b, 0x2c, 0x00, 0x01]);
        assert!(!h.loki());
    }

    #[test]
    fn truncated_headers_read_zeros() {
        for n in 0..8 {
            let h = Header::parse(&ECHO_REQUEST[..n]);
            assert_eq!(h.typ, if n > 0 { 8 } else { 0 });
            if n < 8 {
                assert_eq!(h.seq & 0xff, 0, "low sequence byte not captured with {n} bytes");
            }
        }
        assert_eq!(Header::parse(&[]), Header::default());
    }

    #[test]
    fn loki_marker_is_the_raw_field() {
        let mut b = ECHO_REQUEST;
        b[6..8].copy_from_slice(&LOKI_SEQ.to_ne_bytes());
        assert!(Header::parse(&b).loki());
    }

    #[test]
    fn payload_markers() {
        assert!(wang2(b"\0\0\0\0\0\0WANG2xyz"));
        assert!(!wang2(b"\0\0\0\0\0WANG2"));
        assert!(!wang2(b"\0\0\0\0\0\0WANG"));
        let mut p = vec![0u8; 40];
        assert!(!openssh(&p));
        p.extend_from_slice(b"SSH-2.0-OpenSSH_9.6");
        assert!(openssh(&p));
        assert!(!openssh(&p[..p.len() - 5]));
        assert!(!openssh(b"OpenSSH at the start is not a marker"));
    }

    #[test]
    fn parent_key_from_an_ipv4_header() {
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[9] = 1;
        ip[12..16].copy_from_slice(&[192, 168, 1, 1]);
        ip[16..20].copy_from_slice(&[10, 0, 0, 1]);
        let k = parent_key(&ip, &[], false, 0x0800, 7);
        assert_eq!((k.l4_proto, k.eth_type, k.vlan_id, k.src_port, k.dst_port), (1, 0x0800, 7, 0, 0));
        assert_eq!(k.src_ip[..4], [192, 168, 1, 1]);
        assert_eq!(k.src_ip[4..], [0; 12]);
        assert_eq!(k.dst_ip[..4], [10, 0, 0, 1]);
        // a UDP header claims ports, read from the payload at the header length
        ip[9] = ipproto::UDP;
        let mut l7 = [0u8; 24];
        l7[20..24].copy_from_slice(&[0x30, 0x39, 0x00, 0x35]);
        let k = parent_key(&ip, &l7, false, 0x0800, 0);
        assert_eq!((k.src_port, k.dst_port), (12345, 53));
        // cut short: the missing bytes read as zero
        let k = parent_key(&ip, &l7[..21], false, 0x0800, 0);
        assert_eq!((k.src_port, k.dst_port), (0x3000, 0));
    }

    #[test]
    fn parent_key_from_an_ipv6_header() {
        let mut ip = [0u8; 40];
        ip[0] = 0x60;
        ip[6] = 58;
        ip[8..24].copy_from_slice(&[0xfe; 16]);
        ip[24..40].copy_from_slice(&[0xff; 16]);
        let k = parent_key(&ip, &[], true, 0x86dd, 0);
        assert_eq!((k.l4_proto, k.src_ip, k.dst_ip), (58, [0xfe; 16], [0xff; 16]));
        // a cut header: the missing address bytes are zero
        let k = parent_key(&ip[..30], &[], true, 0x86dd, 0);
        assert_eq!(k.dst_ip[..6], [0xff; 6]);
        assert_eq!(k.dst_ip[6..], [0; 10]);
    }

    #[test]
    fn no_input_panics() {
        // every length of every byte pattern, including header lengths that point past the end
        for len in 0..64 {
            for fill in [0u8, 0x45, 0xff] {
                let b = vec![fill; len];
                let _ = Header::parse(&b);
                let _ = (wang2(&b), openssh(&b));
                let _ = parent_key(&b, &b, false, 0, 0);
                let _ = parent_key(&b, &b, true, 0, 0);
            }
        }
    }
}
