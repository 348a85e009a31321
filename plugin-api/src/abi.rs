//! The `#[repr(C)]` contract between the core and every plugin: data layout only.
//!
//! A plugin exports one symbol, [`ENTRY_SYMBOL`], a function returning a pointer to its
//! [`PluginVTable`]. The table starts with the ABI version and its own size, so it can grow
//! append-only: the host treats every field at or past `size` as absent. The host answers with a
//! [`HostApi`] table built the same way. Everything a callback may look at is passed as pointers
//! that are valid for the duration of that call only ([`CallCtx`], [`PacketView`]).
//!
//! Layout rules: no field is ever removed, reordered or retyped; new fields go at the end of a
//! struct that carries a `size`. Bump [`ABI_MAJOR`] for anything else.

use core::cell::Cell;
use core::ffi::c_void;

/// Major ABI version: a plugin built for another major version is refused at load time.
pub const ABI_MAJOR: u16 = 1;
/// Minor ABI version: grows when fields are appended; older plugins keep working.
pub const ABI_MINOR: u16 = 3;
/// The one symbol every plugin exports (`extern "C" fn() -> *const PluginVTable`).
pub const ENTRY_SYMBOL: &str = "rt2_plugin_entry";
/// Tranalyzer core version this ABI stands for (plugins declare support for 0.9, as in T2).
pub const T2_VERSION_MAJOR: u32 = 0;
/// Tranalyzer core minor version (see [`T2_VERSION_MAJOR`]).
pub const T2_VERSION_MINOR: u32 = 9;

/// "No flow" / "no opposite flow" index (T2's `HASHTABLE_ENTRY_NOT_FOUND`).
pub const NO_FLOW: u64 = u64::MAX;
/// "Header not present" offset in a [`PacketView`].
pub const NO_OFFSET: u32 = u32::MAX;
/// Capacity of [`PacketView::hdr_desc`] (T2's `T2_HDRDESC_LEN`).
pub const HDRDESC_LEN: usize = 128;

/// A borrowed UTF-8 (or byte) string: pointer and length, no terminating NUL.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RStr {
    /// First byte (may be dangling when `len` is 0).
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

/// A packet or flow time as libpcap delivers it: seconds and a nanosecond fraction.
///
/// The fraction is kept exactly as read (it may be negative or ≥ 10⁹ for broken captures), as
/// T2 does; renderers print it unnormalised.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since the epoch (sign-extended 32-bit value for classic pcap).
    pub sec: i64,
    /// Fraction in nanoseconds.
    pub frac: i64,
}

impl Timestamp {
    /// Nanoseconds in a second.
    pub const NS_PER_SEC: i64 = 1_000_000_000;

    /// `self - earlier` as T2's `timersub`: wrapping, borrowing one second when the fraction goes
    /// negative (once: a broken fraction stays unnormalised, as in T2).
    #[inline]
    pub fn timersub(self, earlier: Timestamp) -> Timestamp {
        let mut r = Timestamp { sec: self.sec.wrapping_sub(earlier.sec), frac: self.frac.wrapping_sub(earlier.frac) };
        if r.frac < 0 {
            r.sec = r.sec.wrapping_sub(1);
            r.frac = r.frac.wrapping_add(Self::NS_PER_SEC);
        }
        r
    }

    /// `self + other` as T2's `timeradd` (wrapping, one carry when the fraction reaches a second).
    #[inline]
    pub fn timeradd(self, other: Timestamp) -> Timestamp {
        let mut r = Timestamp { sec: self.sec.wrapping_add(other.sec), frac: self.frac.wrapping_add(other.frac) };
        if r.frac >= Self::NS_PER_SEC {
            r.sec = r.sec.wrapping_add(1);
            r.frac -= Self::NS_PER_SEC;
        }
        r
    }
}

/// Result of a plugin callback.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallStatus(pub u32);

impl CallStatus {
    /// The callback returned normally.
    pub const OK: CallStatus = CallStatus(0);
    /// The callback panicked; the message is available from [`PluginVTable::last_panic`].
    pub const PANICKED: CallStatus = CallStatus(1);
}

/// Opaque plugin instance, created by [`PluginVTable::create`].
pub type Instance = *mut c_void;

/// The flow-identifying part of a flow (core.md §4.1); its bytes form the hash key.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Source address (IPv4 in the first 4 bytes, network order).
    pub src_ip: [u8; 16],
    /// Destination address.
    pub dst_ip: [u8; 16],
    /// Destination MAC (only for layer-2 flows).
    pub dst_mac: [u8; 6],
    /// Source MAC (only for layer-2 flows).
    pub src_mac: [u8; 6],
    /// 0x0800, 0x86dd, or the Ethertype of a layer-2 flow.
    pub eth_type: u16,
    /// Innermost VLAN ID.
    pub vlan_id: u16,
    /// Source port (0 when the protocol has none).
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// IP protocol (0 for layer-2 flows).
    pub l4_proto: u8,
    /// Always 0; keeps the key free of implicit padding.
    pub pad: u8,
}

/// One flow direction as the core keeps it (T2's `flow_t`, minus the LRU links).
///
/// `status` and `timeout` are the fields plugins may change; they are [`Cell`]s because plugins
/// change them through shared references while the core is paused in a callback.
#[repr(C)]
#[derive(Debug)]
pub struct FlowRecord {
    /// The flow key.
    pub key: FlowKey,
    /// Flow index printed as `flowInd` (shared by the A and B flow).
    pub findex: u64,
    /// Flow status bits (`flowStat`).
    pub status: Cell<u64>,
    /// This flow's slot.
    pub flow_index: u64,
    /// The opposite flow's slot or [`NO_FLOW`].
    pub opposite: u64,
    /// Time of the first packet.
    pub first_seen: Timestamp,
    /// Time of the last packet.
    pub last_seen: Timestamp,
    /// `last_seen - first_seen`; valid only while the flow is being terminated.
    pub duration: Timestamp,
    /// Aggregated Ethernet padding bytes.
    pub pad_len: i64,
    /// Idle timeout in seconds; only values registered with the host may be set.
    pub timeout: Cell<f32>,
    /// Last IPv4 ID seen (duplicate detection).
    pub last_ip_id: u32,
    /// IP ID of the pending first fragment.
    pub last_frag_ip_id: u32,
    /// IP version of the flow: 4, 6, or 0 for layer-2 flows.
    pub ip_ver: u8,
    /// Always 0.
    pub pad: [u8; 7],
}

impl FlowRecord {
    /// An unused slot `slot`: every field zero except the slot's own index (tests build their
    /// records from it with struct update syntax).
    pub fn empty(slot: u64) -> FlowRecord {
        FlowRecord {
            key: FlowKey::default(),
            findex: 0,
            status: Cell::new(0),
            flow_index: slot,
            opposite: NO_FLOW,
            first_seen: Timestamp::default(),
            last_seen: Timestamp::default(),
            duration: Timestamp::default(),
            pad_len: 0,
            timeout: Cell::new(0.0),
            last_ip_id: 0,
            last_frag_ip_id: 0,
            ip_ver: 0,
            pad: [0; 7],
        }
    }
}

/// The dissected packet handed to plugins (T2's `packet_t`).
///
/// Offsets are relative to `raw` and [`NO_OFFSET`] when the header is absent. An offset may point
/// past `snap_len` when the capture was cut; plugins read through the bounds-checked accessors of
/// the safe wrapper.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PacketView {
    /// Captured bytes, `snap_len` long.
    pub raw: *const u8,
    /// Capture time.
    pub ts: Timestamp,
    /// Packet status bits (same bit set as `flowStat`).
    pub status: u64,
    /// Ethernet padding bytes.
    pub pad_len: i64,
    /// Length on the wire.
    pub raw_len: u32,
    /// Captured length.
    pub snap_len: u32,
    /// Layer 2 header (Ethernet, SLL, ...; the inner one after a tunnel).
    pub l2_off: u32,
    /// Innermost IP header.
    pub l3_off: u32,
    /// Layer 4 header.
    pub l4_off: u32,
    /// Layer 7 payload.
    pub l7_off: u32,
    /// 802.2 LLC header.
    pub llc_off: u32,
    /// PPP header.
    pub ppp_off: u32,
    /// PPPoE header.
    pub pppoe_off: u32,
    /// First MPLS label.
    pub mpls_off: u32,
    /// First VLAN tag (its TCI, followed by the next Ethertype).
    pub vlan_off: u32,
    /// GRE header.
    pub gre_off: u32,
    /// IP header in front of the GRE header.
    pub gre_l3_off: u32,
    /// GTP header.
    pub gtp_off: u32,
    /// L2TP header.
    pub l2tp_off: u32,
    /// IP header in front of the L2TP header.
    pub l2tp_l3_off: u32,
    /// IPv6 hop-by-hop options header.
    pub ip6_hhopt_off: u32,
    /// IPv6 destination options header.
    pub ip6_dopt_off: u32,
    /// IPv6 fragment header.
    pub ip6_frag_off: u32,
    /// IPv6 routing header.
    pub ip6_route_off: u32,
    /// Teredo origin indication header.
    pub trdo_oi_off: u32,
    /// Teredo authentication header.
    pub trdo_auth_off: u32,
    /// L2 header length + IP length (estimate of the frame length).
    pub l2_len: u32,
    /// IP length (TSO corrected).
    pub l3_len: u32,
    /// Packet length as selected by `PACKETLENGTH` (default: layer-7 payload).
    pub len: u32,
    /// Captured bytes from the layer 2 header on.
    pub snap_l2_len: u32,
    /// Captured bytes from the layer 3 header on.
    pub snap_l3_len: u32,
    /// Captured bytes from the layer 4 header on.
    pub snap_l4_len: u16,
    /// Captured layer 7 bytes.
    pub snap_l7_len: u16,
    /// Layer 7 length according to the IP header.
    pub l7_len: u16,
    /// Length of the layer 2 (and VLAN) headers.
    pub l2_hdr_len: u16,
    /// IP header length (with IPv6 extension headers).
    pub l3_hdr_len: u16,
    /// Layer 4 header length.
    pub l4_hdr_len: u16,
    /// Source address of the innermost IP header.
    pub src_ip: [u8; 16],
    /// Destination address.
    pub dst_ip: [u8; 16],
    /// Innermost VLAN ID.
    pub vlan_id: u16,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Innermost Ethertype (0x0800/0x86dd for IP).
    pub eth_type: u16,
    /// Outermost Ethertype.
    pub outer_eth_type: u16,
    /// Layer 3 protocol (IPv4, IPv6, L2TPv2/3, ...).
    pub l3_proto: u16,
    /// Number of headers traversed (`numHdrs`).
    pub num_hdr_desc: u16,
    /// Length of `hdr_desc`.
    pub hdr_desc_len: u16,
    /// Header description, e.g. `eth:ipv4:tcp` (not NUL-terminated).
    pub hdr_desc: [u8; HDRDESC_LEN],
    /// IP protocol of the innermost IP header.
    pub l4_proto: u8,
    /// Number of MPLS labels.
    pub mpls_hdr_cnt: u8,
    /// Number of VLAN tags.
    pub vlan_hdr_cnt: u8,
    /// Always 0.
    pub pad: [u8; 5],
}

impl PacketView {
    /// A view of no packet: every header absent ([`NO_OFFSET`]), every length and field 0 (the
    /// dissector starts from it).
    pub fn empty() -> PacketView {
        PacketView {
            raw: core::ptr::null(),
            ts: Timestamp { sec: 0, frac: 0 },
            status: 0,
            pad_len: 0,
            raw_len: 0,
            snap_len: 0,
            l2_off: NO_OFFSET,
            l3_off: NO_OFFSET,
            l4_off: NO_OFFSET,
            l7_off: NO_OFFSET,
            llc_off: NO_OFFSET,
            ppp_off: NO_OFFSET,
            pppoe_off: NO_OFFSET,
            mpls_off: NO_OFFSET,
            vlan_off: NO_OFFSET,
            gre_off: NO_OFFSET,
            gre_l3_off: NO_OFFSET,
            gtp_off: NO_OFFSET,
            l2tp_off: NO_OFFSET,
            l2tp_l3_off: NO_OFFSET,
            ip6_hhopt_off: NO_OFFSET,
            ip6_dopt_off: NO_OFFSET,
            ip6_frag_off: NO_OFFSET,
            ip6_route_off: NO_OFFSET,
            trdo_oi_off: NO_OFFSET,
            trdo_auth_off: NO_OFFSET,
            l2_len: 0,
            l3_len: 0,
            len: 0,
            snap_l2_len: 0,
            snap_l3_len: 0,
            snap_l4_len: 0,
            snap_l7_len: 0,
            l7_len: 0,
            l2_hdr_len: 0,
            l3_hdr_len: 0,
            l4_hdr_len: 0,
            src_ip: [0; 16],
            dst_ip: [0; 16],
            vlan_id: 0,
            src_port: 0,
            dst_port: 0,
            eth_type: 0,
            outer_eth_type: 0,
            l3_proto: 0,
            num_hdr_desc: 0,
            hdr_desc_len: 0,
            hdr_desc: [0; HDRDESC_LEN],
            l4_proto: 0,
            mpls_hdr_cnt: 0,
            vlan_hdr_cnt: 0,
            pad: [0; 5],
        }
    }
}

/// Core counters (T2's globals, `x` and their `x0` snapshots for differential reports).
#[repr(C)]
#[derive(Debug)]
pub struct Globals {
    /// Size of this struct as the core built it.
    pub size: u32,
    /// Always 0.
    pub pad: u32,
    /// Time of the current packet (`actTime`).
    pub act_time: Timestamp,
    /// Time of the first packet (`startTStamp`).
    pub start_time: Timestamp,
    /// Time of the last monitoring report (`startTStamp0`).
    pub start_time0: Timestamp,
    /// OR of all status bits seen (`globalWarn`); plugins may set bits.
    pub global_warn: Cell<u64>,
    /// Packets read.
    pub num_packets: u64,
    /// Snapshot of `num_packets`.
    pub num_packets0: u64,
    /// Packets of A flows.
    pub num_a_packets: u64,
    /// Snapshot.
    pub num_a_packets0: u64,
    /// Packets of B flows.
    pub num_b_packets: u64,
    /// Snapshot.
    pub num_b_packets0: u64,
    /// Captured bytes (sum of caplen).
    pub bytes_processed: u64,
    /// Snapshot.
    pub bytes_processed0: u64,
    /// Captured bytes of A flows.
    pub num_a_bytes: u64,
    /// Snapshot.
    pub num_a_bytes0: u64,
    /// Captured bytes of B flows.
    pub num_b_bytes: u64,
    /// Snapshot.
    pub num_b_bytes0: u64,
    /// Non-IP layer-2 packets.
    pub num_l2_packets: u64,
    /// Snapshot.
    pub num_l2_packets0: u64,
    /// IPv4 packets.
    pub num_v4_packets: u64,
    /// Snapshot.
    pub num_v4_packets0: u64,
    /// IPv6 packets.
    pub num_v6_packets: u64,
    /// Snapshot.
    pub num_v6_packets0: u64,
    /// Packets with a bogus IP version.
    pub num_vx_packets: u64,
    /// Snapshot.
    pub num_vx_packets0: u64,
    /// Estimated bytes on the wire (L2 header + IP length).
    pub bytes_on_wire: u64,
    /// Snapshot.
    pub bytes_on_wire0: u64,
    /// Wire length sum.
    pub raw_bytes_on_wire: u64,
    /// Snapshot.
    pub raw_bytes_on_wire0: u64,
    /// Ethernet padding bytes.
    pub pad_bytes_on_wire: u64,
    /// Snapshot.
    pub pad_bytes_on_wire0: u64,
    /// Fragmented IPv4 packets.
    pub num_frag_v4_packets: u64,
    /// Snapshot.
    pub num_frag_v4_packets0: u64,
    /// Fragmented IPv6 packets.
    pub num_frag_v6_packets: u64,
    /// Snapshot.
    pub num_frag_v6_packets0: u64,
    /// Alarms reported by plugins.
    pub num_alarms: u64,
    /// Snapshot.
    pub num_alarms0: u64,
    /// Flows with alarms.
    pub num_alarm_flows: u64,
    /// Snapshot.
    pub num_alarm_flows0: u64,
    /// LLC packets.
    pub num_llc_packets: u64,
    /// Snapshot.
    pub num_llc_packets0: u64,
    /// GRE packets.
    pub num_gre_packets: u64,
    /// Snapshot.
    pub num_gre_packets0: u64,
    /// Teredo packets.
    pub num_teredo_packets: u64,
    /// Snapshot.
    pub num_teredo_packets0: u64,
    /// AYIYA packets.
    pub num_ayiya_packets: u64,
    /// Snapshot.
    pub num_ayiya_packets0: u64,
    /// LAPD packets.
    pub num_lapd_packets: u64,
    /// Snapshot.
    pub num_lapd_packets0: u64,
    /// DTLS records seen.
    pub num_dtls_packets: u64,
    /// Snapshot.
    pub num_dtls_packets0: u64,
    /// Flows created (A + B), updated when reports are printed.
    pub total_flows: u64,
    /// Snapshot.
    pub total_flows0: u64,
    /// A flows created.
    pub total_a_flows: u64,
    /// Snapshot.
    pub total_a_flows0: u64,
    /// B flows created.
    pub total_b_flows: u64,
    /// Snapshot.
    pub total_b_flows0: u64,
    /// IPv4 flows created.
    pub total_ipv4_flows: u64,
    /// Snapshot.
    pub total_ipv4_flows0: u64,
    /// IPv6 flows created.
    pub total_ipv6_flows: u64,
    /// Snapshot.
    pub total_ipv6_flows0: u64,
    /// Layer-2 flows created.
    pub total_l2_flows: u64,
    /// Snapshot.
    pub total_l2_flows0: u64,
    /// Lone inverted flows written (counted as replies).
    pub corr_repl_flows: u64,
    /// Snapshot.
    pub corr_repl_flows0: u64,
    /// Flows removed by the hash autopilot.
    pub total_rm_flows: u64,
    /// Snapshot.
    pub total_rm_flows0: u64,
    /// Highest flow index handed out (`totalfIndex`).
    pub total_findex: u64,
    /// Flows in memory now.
    pub max_num_flows: u64,
    /// Peak of `max_num_flows`.
    pub max_num_flows_peak: u64,
    /// Packets per IP protocol.
    pub pkts_l3: [u64; 256],
    /// Snapshot.
    pub pkts_l3_0: [u64; 256],
    /// Captured bytes per IP protocol.
    pub bytes_l3: [u64; 256],
    /// Snapshot.
    pub bytes_l3_0: [u64; 256],
    /// Packets per Ethertype (65536 entries, or null).
    pub pkts_l2: *const u64,
    /// Snapshot (65536 entries).
    pub pkts_l2_0: *const u64,
    /// Captured bytes per Ethertype (65536 entries, or null).
    pub bytes_l2: *const u64,
    /// Snapshot (65536 entries).
    pub bytes_l2_0: *const u64,
}

/// Compile-time configuration of the core that plugins need at run time.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CoreConfig {
    /// Size of this struct as the core built it.
    pub size: u32,
    /// Sensor ID (`-x`, default `T2_SENSORID`).
    pub sensor_id: u32,
    /// Flow capacity (slots of the flow table).
    pub capacity: u64,
    /// `IPV6_ACTIVATE`: 0 IPv4 only, 1 IPv6 only, 2 dual stack.
    pub ipv6_activate: u8,
    /// `ETH_ACTIVATE`: 0 no L2 flows, 1 L2 flows, 2 MACs in every flow key.
    pub eth_activate: u8,
    /// `SCTP_ACTIVATE`.
    pub sctp_activate: u8,
    /// `LAPD_ACTIVATE`.
    pub lapd_activate: u8,
    /// `PACKETLENGTH` (0..=3).
    pub packet_length: u8,
    /// `TSTAMP_PREC`: 1 nanoseconds, 0 microseconds.
    pub tstamp_prec: u8,
    /// `TSTAMP_UTC`.
    pub tstamp_utc: u8,
    /// `RELTIME`.
    pub reltime: u8,
    /// `DIFF_REPORT`.
    pub diff_report: u8,
    /// `MACHINE_REPORT`.
    pub machine_report: u8,
    /// `PLUGIN_REPORT`.
    pub plugin_report: u8,
    /// `VERBOSE`.
    pub verbose: u8,
    /// `T2_PRI_HDRDESC`.
    pub pri_hdrdesc: u8,
    /// `ANONYM_IP`.
    pub anonym_ip: u8,
    /// `SUBNET_ON`.
    pub subnet_on: u8,
    /// `BLOCK_BUF`.
    pub block_buf: u8,
}

/// One flow-file column: name, description and type signature (see `types`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ColumnDesc {
    /// Column name, e.g. `flowStat`.
    pub name: RStr,
    /// One-line description for the headers file.
    pub desc: RStr,
    /// Type signature in T2's header syntax extended with `TS`, `DUR`, `DIR`, e.g. `SC_U64:R`.
    pub sig: RStr,
}

/// Name and version of a loaded plugin, in load order.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PluginId {
    /// Plugin name.
    pub name: RStr,
    /// Plugin version.
    pub version: RStr,
}

/// What a plugin learns at `init` (valid during the call only).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct InitCtx {
    /// Size of this struct as the core built it.
    pub size: u32,
    /// 1 when packet mode (`-s`) is on: write packet column names now.
    pub packet_mode: u8,
    /// 1 when flows go to stdout (`-w -`).
    pub flows_to_stdout: u8,
    /// 1 when the flow file is split (`-W`).
    pub split: u8,
    /// 1 when the split limit counts flows instead of bytes.
    pub split_by_flows: u8,
    /// Split limit (bytes or flows).
    pub split_size: u64,
    /// First split file index.
    pub split_start: u64,
    /// Core configuration.
    pub config: *const CoreConfig,
    /// Output prefix (`-w`), without suffix.
    pub prefix: RStr,
    /// Plugin folder, ending with `/`.
    pub plugin_folder: RStr,
    /// The command line as typed.
    pub cmdline: RStr,
    /// `L2, IPv4, IPv6` (the "Creating flows for" list).
    pub core_line: RStr,
    /// `<nodename>;<sysname>;<release>;<version>;<machine>`.
    pub hw_info: RStr,
    /// Capture library version string.
    pub sw_info: RStr,
    /// Extra lines for the headers file (live capture block), each ending in `\n`, or empty.
    pub headers_extra: RStr,
    /// Wall-clock start time.
    pub start_wall: Timestamp,
    /// Start time as T2 prints it: `<sec>.<frac> sec (<local date>)`.
    pub start_date: RStr,
    /// Process ID.
    pub pid: u32,
    /// Nice value.
    pub priority: i32,
    /// All flow-file columns (`dir`, `flowInd`, then every plugin's).
    pub columns: *const ColumnDesc,
    /// Number of entries in `columns`.
    pub num_columns: usize,
    /// Loaded plugins in load order.
    pub plugins: *const PluginId,
    /// Number of entries in `plugins`.
    pub num_plugins: usize,
    /// Since 1.1: the flow-index file of `-e` for the pcapd plugin, or empty.
    pub pcapd_file: RStr,
    /// Since 1.3: threads the run may use (`--threads`, default: the cores it may run on). A
    /// plugin may start work of its own on another thread only when it is above 1.
    pub threads: u32,
}

/// What every per-run callback may look at (valid during the call only).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CallCtx {
    /// Core counters.
    pub globals: *const Globals,
    /// The flow table (`capacity` slots; only slots of live flows are meaningful).
    pub flows: *const FlowRecord,
    /// Number of slots.
    pub num_flows: usize,
}

/// The output buffer a plugin appends its column values to (plugin-abi.md §9 encoding).
///
/// The memory belongs to the host; when `len + n > cap` the plugin asks [`HostApi::grow`].
#[repr(C)]
#[derive(Debug)]
pub struct OutBuf {
    /// Start of the buffer.
    pub data: *mut u8,
    /// Bytes used.
    pub len: usize,
    /// Bytes available.
    pub cap: usize,
}

/// Streams a plugin can write to.
pub mod stream {
    /// The log stream (stdout or `PREFIX_log.txt`): end report lines.
    pub const LOG: u32 = 0;
    /// The monitoring stream (stdout or `PREFIX_monitoring.txt`).
    pub const MON: u32 = 1;
    /// The packet file (`-s`).
    pub const PACKETS: u32 = 2;
    /// Standard error.
    pub const ERR: u32 = 3;
}

/// Line kinds for [`HostApi::emit`] (plugin-abi.md §12); the host adds prefixes and colours.
pub mod level {
    /// `<plugin>: <msg>` (plugin name in bold).
    pub const PLUGIN: u32 = 0;
    /// `[INF] <plugin>: <msg>`.
    pub const INFO: u32 = 1;
    /// `[OK] <plugin>: <msg>`.
    pub const OK: u32 = 2;
    /// `[WRN] <plugin>: <msg>`.
    pub const WARN: u32 = 3;
    /// `[ERR] <plugin>: <msg>` (always to stderr).
    pub const ERROR: u32 = 4;
    /// `<plugin>: <msg>` in the warning colour, without the `[WRN]` tag.
    pub const WARN_NP: u32 = 5;
}

/// Monitoring callback states (monitoring.md §8).
pub mod mon_state {
    /// Print the column names, each followed by a TAB.
    pub const HEADER: u32 = 0;
    /// Print the values, each followed by a TAB.
    pub const VALUES: u32 = 1;
    /// Print report lines (human report).
    pub const REPORT: u32 = 2;
}

/// Functions and context the host gives every plugin instance.
#[repr(C)]
#[derive(Debug)]
pub struct HostApi {
    /// [`ABI_MAJOR`] of the host.
    pub abi_major: u16,
    /// [`ABI_MINOR`] of the host.
    pub abi_minor: u16,
    /// Size of this struct as the host built it.
    pub size: u32,
    /// Host context for this plugin; pass it back to every function.
    pub ctx: *const c_void,
    /// Write one line of kind `level` (see [`level`]) to `stream` (see [`stream`]).
    pub emit: unsafe extern "C" fn(ctx: *const c_void, stream: u32, level: u32, msg: RStr),
    /// Write raw bytes to `stream` (monitoring fields, packet-file fields).
    pub write: unsafe extern "C" fn(ctx: *const c_void, stream: u32, data: RStr),
    /// Register a flow timeout value (T2's `timeout_handler_add`); call during `init`.
    pub timeout_add: unsafe extern "C" fn(ctx: *const c_void, seconds: f32),
    /// Make room for `additional` more bytes in `buf`; returns 0 when that is impossible.
    pub grow: unsafe extern "C" fn(ctx: *const c_void, buf: *mut OutBuf, additional: usize) -> u8,
    /// Value of an environment override for a runtime parameter (`ENVCNTRL`), or a null `ptr`.
    pub getenv: unsafe extern "C" fn(ctx: *const c_void, name: RStr) -> RStr,
    /// Report a fatal error (`[ERR] <plugin>: msg`): the host stops the run cleanly after the
    /// current callback, writes what it has, and exits with status 1.
    pub fail: unsafe extern "C" fn(ctx: *const c_void, msg: RStr),
    /// Since 1.2: the slot of the live flow with exactly this key (T2's `hashTable_lookup` on
    /// the main flow table), or [`NO_FLOW`]. Answers only during packet callbacks
    /// (`on_new_flow`, `on_layer2`, `on_layer4`); [`NO_FLOW`] at any other time.
    pub flow_lookup: unsafe extern "C" fn(ctx: *const c_void, key: *const FlowKey) -> u64,
}

/// Creates a plugin instance; returns null if creation failed (see `last_panic` with null).
pub type CreateFn = unsafe extern "C" fn(host: *const HostApi) -> Instance;
/// Returns the message of the last panic of `inst` (or of `create` when `inst` is null).
pub type LastPanicFn = unsafe extern "C" fn(inst: Instance) -> RStr;
/// Returns the plugin's columns; the array stays valid for the life of the instance
/// (`t2PrintHeader`; optional callbacks are nullable function pointers).
pub type ColumnsFn =
    Option<unsafe extern "C" fn(inst: Instance, out: *mut *const ColumnDesc, n: *mut usize) -> CallStatus>;
/// `t2Init`.
pub type InitFn = Option<unsafe extern "C" fn(inst: Instance, init: *const InitCtx) -> CallStatus>;
/// `t2OnNewFlow`, `t2OnLayer2`, `t2OnLayer4` (`flow` is [`NO_FLOW`] for an IP packet's L2 call).
pub type PacketFn =
    Option<unsafe extern "C" fn(inst: Instance, ctx: *const CallCtx, pkt: *const PacketView, flow: u64) -> CallStatus>;
/// `t2OnFlowTerminate`.
pub type TerminateFn =
    Option<unsafe extern "C" fn(inst: Instance, ctx: *const CallCtx, flow: u64, buf: *mut OutBuf) -> CallStatus>;
/// `t2PluginReport` and `t2Finalize`.
pub type RunFn = Option<unsafe extern "C" fn(inst: Instance, ctx: *const CallCtx) -> CallStatus>;
/// `t2Monitoring` with a [`mon_state`].
pub type MonitorFn = Option<unsafe extern "C" fn(inst: Instance, ctx: *const CallCtx, state: u32) -> CallStatus>;
/// `t2BufferToSink`: one encoded record.
pub type SinkFn =
    Option<unsafe extern "C" fn(inst: Instance, ctx: *const CallCtx, rec: *const u8, len: usize) -> CallStatus>;

/// What a plugin exports through [`ENTRY_SYMBOL`].
#[repr(C)]
#[derive(Debug)]
pub struct PluginVTable {
    /// [`ABI_MAJOR`] the plugin was built with.
    pub abi_major: u16,
    /// [`ABI_MINOR`] the plugin was built with.
    pub abi_minor: u16,
    /// `size_of::<PluginVTable>()` as the plugin was built.
    pub size: u32,
    /// Plugin name (1-31 characters).
    pub name: RStr,
    /// Plugin version (1-15 characters).
    pub version: RStr,
    /// Plugin number (the `NNN` of `NNN_name.so`, declared in the plugin's `Cargo.toml`).
    pub number: u32,
    /// Supported T2 major version (0).
    pub t2_major: u32,
    /// Supported T2 minor version (9).
    pub t2_minor: u32,
    /// Comma-separated names of plugins that must be loaded before this one.
    pub dependencies: RStr,
    /// Required: create the instance.
    pub create: CreateFn,
    /// Required: last panic message.
    pub last_panic: LastPanicFn,
    /// `t2PrintHeader`.
    pub columns: ColumnsFn,
    /// `t2Init`.
    pub init: InitFn,
    /// `t2OnNewFlow`.
    pub on_new_flow: PacketFn,
    /// `t2OnLayer2`.
    pub on_layer2: PacketFn,
    /// `t2OnLayer4`.
    pub on_layer4: PacketFn,
    /// `t2OnFlowTerminate`.
    pub on_flow_terminate: TerminateFn,
    /// `t2PluginReport`.
    pub report: RunFn,
    /// `t2Monitoring`.
    pub monitoring: MonitorFn,
    /// `t2Finalize`.
    pub finalize: RunFn,
    /// `t2BufferToSink`.
    pub buffer_to_sink: SinkFn,
}

/// The signature of [`ENTRY_SYMBOL`].
pub type EntryFn = unsafe extern "C" fn() -> *const PluginVTable;
