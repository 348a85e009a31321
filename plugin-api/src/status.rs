//! Flow and packet status bits (`flowStat`, `globalWarn`; core.md §6).

/// Flow is the responder (B) side.
pub const L3FLOWINVERT: u64 = 0x0000_0000_0000_0001;
/// No Ethernet header (raw IP, BSD loopback, ...).
pub const L2_NO_ETH: u64 = 0x0000_0000_0000_0002;
/// Pure layer-2 flow.
pub const L2_FLOW: u64 = 0x0000_0000_0000_0004;
/// PPPoE discovery.
pub const L2_PPPOE_D: u64 = 0x0000_0000_0000_0008;
/// PPPoE session.
pub const L2_PPPOE_S: u64 = 0x0000_0000_0000_0010;
/// LLDP.
pub const L2_LLDP: u64 = 0x0000_0000_0000_0020;
/// ARP.
pub const L2_ARP: u64 = 0x0000_0000_0000_0040;
/// RARP.
pub const L2_RARP: u64 = 0x0000_0000_0000_0080;
/// VLAN tags.
pub const L2_VLAN: u64 = 0x0000_0000_0000_0100;
/// MPLS unicast.
pub const L2_MPLS_UCAST: u64 = 0x0000_0000_0000_0200;
/// MPLS multicast.
pub const L2_MPLS_MCAST: u64 = 0x0000_0000_0000_0400;
/// Either MPLS bit.
pub const L2_MPLS: u64 = L2_MPLS_UCAST | L2_MPLS_MCAST;
/// L2TP.
pub const L2_L2TP: u64 = 0x0000_0000_0000_0800;
/// GRE.
pub const L2_GRE: u64 = 0x0000_0000_0000_1000;
/// PPP.
pub const L2_PPP: u64 = 0x0000_0000_0000_2000;
/// IPv4 flow.
pub const L2_IPV4: u64 = 0x0000_0000_0000_4000;
/// IPv6 flow.
pub const L2_IPV6: u64 = 0x0000_0000_0000_8000;
/// Bogus IP version.
pub const L3_IPVX: u64 = 0x0000_0000_0001_0000;
/// IP in IP.
pub const L3_IPIP: u64 = 0x0000_0000_0002_0000;
/// Ethernet over IP.
pub const L3_ETHIPF: u64 = 0x0000_0000_0004_0000;
/// Teredo.
pub const L3_TRDO: u64 = 0x0000_0000_0008_0000;
/// AYIYA.
pub const L3_AYIYA: u64 = 0x0000_0000_0010_0000;
/// GTP.
pub const L3_GTP: u64 = 0x0000_0000_0020_0000;
/// VXLAN.
pub const L3_VXLAN: u64 = 0x0000_0000_0040_0000;
/// CAPWAP/LWAPP.
pub const L3_CAPWAP: u64 = 0x0000_0000_0080_0000;
/// SCTP.
pub const L4_SCTP: u64 = 0x0000_0000_0100_0000;
/// SSDP/UPnP.
pub const L4_UPNP: u64 = 0x0000_0000_0200_0000;
/// ERSPAN.
pub const L2_ERSPAN: u64 = 0x0000_0000_0400_0000;
/// Cisco WCCP.
pub const L2_WCCP: u64 = 0x0000_0000_0800_0000;
/// SIP/RTP (set by plugins).
pub const L7_SIPRTP: u64 = 0x0000_0000_1000_0000;
/// GENEVE.
pub const L3_GENEVE: u64 = 0x0000_0000_2000_0000;
/// IPsec AH.
pub const L3_IPSEC_AH: u64 = 0x0000_0000_4000_0000;
/// IPsec ESP.
pub const L3_IPSEC_ESP: u64 = 0x0000_0000_8000_0000;
/// Captured length < minimal L2 header.
pub const L2SNAPLENGTH: u64 = 0x0000_0001_0000_0000;
/// Captured length < IP length.
pub const L3SNAPLENGTH: u64 = 0x0000_0002_0000_0000;
/// Either snap-length bit.
pub const SNAPLENGTH: u64 = L2SNAPLENGTH | L3SNAPLENGTH;
/// L3 header incomplete.
pub const L3HDRSHRTLEN: u64 = 0x0000_0004_0000_0000;
/// L4 header incomplete.
pub const L4HDRSHRTLEN: u64 = 0x0000_0008_0000_0000;
/// IPv4/6 fragmentation.
pub const IPV4_FRAG: u64 = 0x0000_0010_0000_0000;
/// Fragmentation error.
pub const IPV4_FRAG_ERR: u64 = 0x0000_0020_0000_0000;
/// First fragment missing or out of order.
pub const IPV4_FRAG_HDSEQ_ERR: u64 = 0x0000_0040_0000_0000;
/// Fragment sequence unfinished.
pub const IPV4_FRAG_PENDING: u64 = 0x0000_0080_0000_0000;
/// Flow timeout (not set by the core).
pub const FLWTMOUT: u64 = 0x0000_0100_0000_0000;
/// Removed by force mode or FDURLIMIT.
pub const RMFLOW: u64 = 0x0000_0200_0000_0000;
/// Removed by the hash autopilot.
pub const RMFLOW_HFULL: u64 = 0x0000_0400_0000_0000;
/// Dissection stopped.
pub const STPDSCT: u64 = 0x0000_0800_0000_0000;
/// Consecutive duplicate IPv4 ID.
pub const DUPIPID: u64 = 0x0000_1000_0000_0000;
/// Compressed PPP, unreadable.
pub const PPP_NRHD: u64 = 0x0000_2000_0000_0000;
/// IPv4 header length < 20.
pub const IPV4_HL_TOO_SHORT: u64 = 0x0000_4000_0000_0000;
/// IP length vs frame length mismatch.
pub const IP_PL_MSMTCH: u64 = 0x0000_8000_0000_0000;
/// Header description overrun.
pub const HDOVRN: u64 = 0x0001_0000_0000_0000;
/// Alarm flow.
pub const FL_ALARM: u64 = 0x0002_0000_0000_0000;
/// Land attack.
pub const LANDATTACK: u64 = 0x0004_0000_0000_0000;
/// Timestamp jump.
pub const TIMEJUMP: u64 = 0x0008_0000_0000_0000;
/// liveXtr.
pub const LIVEXTR: u64 = 0x0010_0000_0000_0000;
/// Subnet tested.
pub const SUBN_FLW_TST: u64 = 0x0080_0000_0000_0000;
/// Tor address.
pub const TORADD: u64 = 0x0100_0000_0000_0000;
/// VLAN ID 0 (priority tag).
pub const FS_VLAN0: u64 = 0x0200_0000_0000_0000;
/// IPv4 packet seen.
pub const FS_IPV4_PKT: u64 = 0x0400_0000_0000_0000;
/// IPv6 packet seen.
pub const FS_IPV6_PKT: u64 = 0x0800_0000_0000_0000;
/// LAPD flow.
pub const LAPD_FLOW: u64 = 0x1000_0000_0000_0000;
/// DTLS.
pub const L7_DTLS: u64 = 0x2000_0000_0000_0000;
/// FDURLIMIT same findex.
pub const FDLSIDX: u64 = 0x4000_0000_0000_0000;
/// Captured length reduced by the I/O buffer.
pub const PCAPSNPD: u64 = 0x8000_0000_0000_0000;
