//! Building packets and captures for tests, benchmarks and the shipped sample capture:
//! Ethernet, VLAN, ARP, IPv4 (with fragments), IPv6, TCP, UDP and ICMP with correct checksums,
//! and a classic pcap writer.
#![forbid(unsafe_code)]

pub mod sample;

use std::io::{self, Write};
use std::rc::Rc;

use plugin_api::wire::{Checksum, PseudoHeader, ipproto};

use crate::dispatch::{HostShared, PluginSet};
use crate::log::Log;
use crate::output::streams::Streams;
use crate::pipeline::{Pipeline, Settings};

/// A MAC address.
pub type Mac = [u8; 6];

/// The value of a checksum field over `data`, preceded by `pseudo` if given.
fn checksum(pseudo: Option<PseudoHeader>, data: &[u8]) -> u16 {
    Checksum::new().add_bytes(pseudo.as_ref().map_or(&[], PseudoHeader::bytes)).add_bytes(data).value()
}

/// Layer 3 of a packet being built.
#[derive(Debug, Clone, Copy)]
pub enum Ip {
    /// IPv4 source and destination.
    V4([u8; 4], [u8; 4]),
    /// IPv6 source and destination.
    V6([u8; 16], [u8; 16]),
}

/// TCP flag bits.
pub use plugin_api::wire::tcp::flags as tcp;

/// A TCP segment: ports, sequence and acknowledgement numbers, flags, window and payload.
#[derive(Debug, Clone)]
pub struct Tcp<'a> {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags (see [`tcp`]).
    pub flags: u8,
    /// Advertised window.
    pub win: u16,
    /// Options, already padded to a multiple of 4 bytes.
    pub opts: &'a [u8],
    /// Payload.
    pub payload: &'a [u8],
}

/// A layer-4 payload of an IP packet.
#[derive(Debug, Clone)]
pub enum L4<'a> {
    /// TCP.
    Tcp(Tcp<'a>),
    /// UDP: ports and payload.
    Udp(u16, u16, &'a [u8]),
    /// ICMP (IPv4) or ICMPv6: type, code, identifier, sequence, payload.
    Icmp(u8, u8, u16, u16, &'a [u8]),
}

fn l4_bytes(ip: &Ip, l4: &L4<'_>) -> (u8, Vec<u8>) {
    let pseudo = |proto: u8, len: usize| match ip {
        Ip::V4(s, d) => PseudoHeader::ipv4(*s, *d, proto, len as u16),
        Ip::V6(s, d) => PseudoHeader::ipv6(*s, *d, proto, len as u32),
    };
    match l4 {
        L4::Tcp(t) => {
            assert!(t.opts.len() % 4 == 0 && t.opts.len() <= 40, "TCP options must fill whole words");
            let mut b = Vec::with_capacity(20 + t.opts.len() + t.payload.len());
            b.extend_from_slice(&t.sport.to_be_bytes());
            b.extend_from_slice(&t.dport.to_be_bytes());
            b.extend_from_slice(&t.seq.to_be_bytes());
            b.extend_from_slice(&t.ack.to_be_bytes());
            b.extend_from_slice(&[((5 + t.opts.len() / 4) as u8) << 4, t.flags]);
            b.extend_from_slice(&t.win.to_be_bytes());
            b.extend_from_slice(&[0, 0, 0, 0]);
            b.extend_from_slice(t.opts);
            b.extend_from_slice(t.payload);
            let c = checksum(Some(pseudo(ipproto::TCP, b.len())), &b);
            b[16..18].copy_from_slice(&c.to_be_bytes());
            (ipproto::TCP, b)
        }
        L4::Udp(sport, dport, payload) => {
            let mut b = Vec::with_capacity(8 + payload.len());
            b.extend_from_slice(&sport.to_be_bytes());
            b.extend_from_slice(&dport.to_be_bytes());
            b.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
            b.extend_from_slice(&[0, 0]);
            b.extend_from_slice(payload);
            let c = checksum(Some(pseudo(ipproto::UDP, b.len())), &b);
            b[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
            (ipproto::UDP, b)
        }
        L4::Icmp(kind, code, id, seq, payload) => {
            let mut b = vec![*kind, *code, 0, 0];
            b.extend_from_slice(&id.to_be_bytes());
            b.extend_from_slice(&seq.to_be_bytes());
            b.extend_from_slice(payload);
            let (proto, ph) = match ip {
                Ip::V4(..) => (ipproto::ICMP, None),
                Ip::V6(..) => (ipproto::ICMP6, Some(pseudo(ipproto::ICMP6, b.len()))),
            };
            let c = checksum(ph, &b);
            b[2..4].copy_from_slice(&c.to_be_bytes());
            (proto, b)
        }
    }
}

/// An IPv4 header for `payload_len` bytes of protocol `proto`.
pub fn ipv4_header(src: [u8; 4], dst: [u8; 4], proto: u8, id: u16, flags_frag: u16, payload_len: usize) -> Vec<u8> {
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&((20 + payload_len) as u16).to_be_bytes());
    h.extend_from_slice(&id.to_be_bytes());
    h.extend_from_slice(&flags_frag.to_be_bytes());
    h.extend_from_slice(&[64, proto, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    let c = checksum(None, &h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h
}

/// An IP packet (header + layer 4).
pub fn ip_packet(ip: &Ip, ip_id: u16, l4: &L4<'_>) -> Vec<u8> {
    let (proto, body) = l4_bytes(ip, l4);
    match ip {
        Ip::V4(s, d) => {
            let mut p = ipv4_header(*s, *d, proto, ip_id, 0x4000, body.len());
            p.extend_from_slice(&body);
            p
        }
        Ip::V6(s, d) => {
            let mut p = vec![0x60, 0, 0, 0];
            p.extend_from_slice(&(body.len() as u16).to_be_bytes());
            p.extend_from_slice(&[proto, 64]);
            p.extend_from_slice(s);
            p.extend_from_slice(d);
            p.extend_from_slice(&body);
            p
        }
    }
}

/// The IPv4 fragments of an IP packet, each carrying at most `mtu_payload` bytes (a multiple
/// of 8) of the original payload.
pub fn ipv4_fragments(src: [u8; 4], dst: [u8; 4], id: u16, l4: &L4<'_>, mtu_payload: usize) -> Vec<Vec<u8>> {
    let (proto, body) = l4_bytes(&Ip::V4(src, dst), l4);
    let chunks: Vec<&[u8]> = body.chunks(mtu_payload).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let more = if i + 1 < chunks.len() { 0x2000 } else { 0 };
            let off = (i * mtu_payload / 8) as u16;
            let mut p = ipv4_header(src, dst, proto, id, more | off, c.len());
            p.extend_from_slice(c);
            p
        })
        .collect()
}

/// An Ethernet frame, with optional 802.1Q tags (outermost first).
pub fn ethernet(dst: Mac, src: Mac, vlans: &[u16], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + 4 * vlans.len() + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    for v in vlans {
        f.extend_from_slice(&0x8100u16.to_be_bytes());
        f.extend_from_slice(&v.to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    // frames shorter than 60 bytes are padded on the wire
    if f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

/// An ARP request (`op` 1) or reply (`op` 2) payload.
pub fn arp(op: u16, sha: Mac, spa: [u8; 4], tha: Mac, tpa: [u8; 4]) -> Vec<u8> {
    let mut a = vec![0, 1, 8, 0, 6, 4];
    a.extend_from_slice(&op.to_be_bytes());
    a.extend_from_slice(&sha);
    a.extend_from_slice(&spa);
    a.extend_from_slice(&tha);
    a.extend_from_slice(&tpa);
    a
}

/// A classic pcap (little-endian, microseconds) being written.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    w: W,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header for `linktype` and `snaplen`.
    pub fn new(mut w: W, linktype: u32, snaplen: u32) -> io::Result<PcapWriter<W>> {
        w.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
        w.write_all(&2u16.to_le_bytes())?;
        w.write_all(&4u16.to_le_bytes())?;
        w.write_all(&0i32.to_le_bytes())?;
        w.write_all(&0u32.to_le_bytes())?;
        w.write_all(&snaplen.to_le_bytes())?;
        w.write_all(&linktype.to_le_bytes())?;
        Ok(PcapWriter { w })
    }

    /// Writes one record captured in full.
    pub fn packet(&mut self, sec: u32, usec: u32, data: &[u8]) -> io::Result<()> {
        self.record(sec, usec, data, data.len() as u32)
    }

    /// Writes one record whose wire length is `wirelen` (`data` may be cut).
    pub fn record(&mut self, sec: u32, usec: u32, data: &[u8], wirelen: u32) -> io::Result<()> {
        self.w.write_all(&sec.to_le_bytes())?;
        self.w.write_all(&usec.to_le_bytes())?;
        self.w.write_all(&(data.len() as u32).to_le_bytes())?;
        self.w.write_all(&wirelen.to_le_bytes())?;
        self.w.write_all(data)
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.w
    }
}

/// A flow engine without plugins, with `capacity` flow slots and T2's default settings (flow
/// timeout 182 s, hash autopilot, layer-2 flows, quiet log); `mon` receives monitoring output.
pub fn engine(capacity: usize, mon: Log) -> Pipeline {
    let streams = Rc::new(Streams::new(Log::sink(), mon));
    let shared = Rc::new(HostShared::new(streams, false));
    let plugins = PluginSet::load(&[], shared).expect("no plugin to load");
    let settings = Settings {
        flow_timeout: 182.0,
        autopilot: true,
        autopilot_flows: 1,
        hash_factor: 1,
        l2_flows: true,
        verbose: 0,
    };
    Pipeline::new(capacity, plugins, settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_verify_to_zero() {
        let p = ip_packet(&Ip::V4([10, 0, 0, 1], [10, 0, 0, 2]), 7, &L4::Udp(1000, 53, b"hello"));
        assert_eq!(checksum(None, &p[..20]), 0);
        let ip = plugin_api::wire::Ipv4::new(&p);
        assert_eq!(checksum(Some(ip.pseudo_header(ipproto::UDP, p.len() as u16 - 20)), ip.payload()), 0);
    }

    #[test]
    fn fragments_cover_the_datagram() {
        let payload = [7u8; 100];
        let f = ipv4_fragments([1, 1, 1, 1], [2, 2, 2, 2], 9, &L4::Udp(5, 6, &payload), 48);
        assert_eq!(f.len(), 3);
        assert_eq!(u16::from_be_bytes([f[0][6], f[0][7]]), 0x2000);
        assert_eq!(u16::from_be_bytes([f[2][6], f[2][7]]), 12);
    }
}
