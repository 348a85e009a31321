/*
 * rt2 plugin ABI for C plugin authors.
 * Generated from plugin-api/src/abi.rs by cbindgen: DO NOT EDIT.
 * Regenerate with: RT2_BLESS=1 cargo test -p plugin-api --test c_header
 */

#ifndef RT2_PLUGIN_H
#define RT2_PLUGIN_H

#include <stdint.h>
#include <stddef.h>

// Major ABI version: a plugin built for another major version is refused at load time.
#define rt2_ABI_MAJOR 1

// Minor ABI version: grows when fields are appended; older plugins keep working.
#define rt2_ABI_MINOR 3

// Tranalyzer core version this ABI stands for (plugins declare support for 0.9, as in T2).
#define rt2_T2_VERSION_MAJOR 0

// Tranalyzer core minor version (see [`T2_VERSION_MAJOR`]).
#define rt2_T2_VERSION_MINOR 9

// "No flow" / "no opposite flow" index (T2's `HASHTABLE_ENTRY_NOT_FOUND`).
#define rt2_NO_FLOW UINT64_MAX

// "Header not present" offset in a [`PacketView`].
#define rt2_NO_OFFSET UINT32_MAX

// Capacity of [`PacketView::hdr_desc`] (T2's `T2_HDRDESC_LEN`).
#define rt2_HDRDESC_LEN 128

// The log stream (stdout or `PREFIX_log.txt`): end report lines.
#define rt2_LOG 0

// The monitoring stream (stdout or `PREFIX_monitoring.txt`).
#define rt2_MON 1

// The packet file (`-s`).
#define rt2_PACKETS 2

// Standard error.
#define rt2_ERR 3

// `<plugin>: <msg>` (plugin name in bold).
#define rt2_PLUGIN 0

// `[INF] <plugin>: <msg>`.
#define rt2_INFO 1

// `[OK] <plugin>: <msg>`.
#define rt2_OK 2

// `[WRN] <plugin>: <msg>`.
#define rt2_WARN 3

// `[ERR] <plugin>: <msg>` (always to stderr).
#define rt2_ERROR 4

// `<plugin>: <msg>` in the warning colour, without the `[WRN]` tag.
#define rt2_WARN_NP 5

// Print the column names, each followed by a TAB.
#define rt2_HEADER 0

// Print the values, each followed by a TAB.
#define rt2_VALUES 1

// Print report lines (human report).
#define rt2_REPORT 2

// A borrowed UTF-8 (or byte) string: pointer and length, no terminating NUL.
typedef struct rt2_RStr {
  // First byte (may be dangling when `len` is 0).
  const uint8_t *ptr;
  // Number of bytes.
  size_t len;
} rt2_RStr;

// Opaque plugin instance, created by [`PluginVTable::create`].
typedef void *rt2_Instance;

// The output buffer a plugin appends its column values to (plugin-abi.md §9 encoding).
//
// The memory belongs to the host; when `len + n > cap` the plugin asks [`HostApi::grow`].
typedef struct rt2_OutBuf {
  // Start of the buffer.
  uint8_t *data;
  // Bytes used.
  size_t len;
  // Bytes available.
  size_t cap;
} rt2_OutBuf;

// The flow-identifying part of a flow (core.md §4.1); its bytes form the hash key.
typedef struct rt2_FlowKey {
  // Source address (IPv4 in the first 4 bytes, network order).
  uint8_t src_ip[16];
  // Destination address.
  uint8_t dst_ip[16];
  // Destination MAC (only for layer-2 flows).
  uint8_t dst_mac[6];
  // Source MAC (only for layer-2 flows).
  uint8_t src_mac[6];
  // 0x0800, 0x86dd, or the Ethertype of a layer-2 flow.
  uint16_t eth_type;
  // Innermost VLAN ID.
  uint16_t vlan_id;
  // Source port (0 when the protocol has none).
  uint16_t src_port;
  // Destination port.
  uint16_t dst_port;
  // IP protocol (0 for layer-2 flows).
  uint8_t l4_proto;
  // Always 0; keeps the key free of implicit padding.
  uint8_t pad;
} rt2_FlowKey;

// Functions and context the host gives every plugin instance.
typedef struct rt2_HostApi {
  // [`ABI_MAJOR`] of the host.
  uint16_t abi_major;
  // [`ABI_MINOR`] of the host.
  uint16_t abi_minor;
  // Size of this struct as the host built it.
  uint32_t size;
  // Host context for this plugin; pass it back to every function.
  const void *ctx;
  // Write one line of kind `level` (see [`level`]) to `stream` (see [`stream`]).
  void (*emit)(const void *ctx, uint32_t stream, uint32_t level, struct rt2_RStr msg);
  // Write raw bytes to `stream` (monitoring fields, packet-file fields).
  void (*write)(const void *ctx, uint32_t stream, struct rt2_RStr data);
  // Register a flow timeout value (T2's `timeout_handler_add`); call during `init`.
  void (*timeout_add)(const void *ctx, float seconds);
  // Make room for `additional` more bytes in `buf`; returns 0 when that is impossible.
  uint8_t (*grow)(const void *ctx, struct rt2_OutBuf *buf, size_t additional);
  // Value of an environment override for a runtime parameter (`ENVCNTRL`), or a null `ptr`.
  struct rt2_RStr (*getenv)(const void *ctx, struct rt2_RStr name);
  // Report a fatal error (`[ERR] <plugin>: msg`): the host stops the run cleanly after the
  // current callback, writes what it has, and exits with status 1.
  void (*fail)(const void *ctx, struct rt2_RStr msg);
  // Since 1.2: the slot of the live flow with exactly this key (T2's `hashTable_lookup` on
  // the main flow table), or [`NO_FLOW`]. Answers only during packet callbacks
  // (`on_new_flow`, `on_layer2`, `on_layer4`); [`NO_FLOW`] at any other time.
  uint64_t (*flow_lookup)(const void *ctx, const struct rt2_FlowKey *key);
} rt2_HostApi;

// Creates a plugin instance; returns null if creation failed (see `last_panic` with null).
typedef rt2_Instance (*rt2_CreateFn)(const struct rt2_HostApi *host);

// Returns the message of the last panic of `inst` (or of `create` when `inst` is null).
typedef struct rt2_RStr (*rt2_LastPanicFn)(rt2_Instance inst);

// Result of a plugin callback.
typedef uint32_t rt2_CallStatus;
// The callback returned normally.
#define rt2_CallStatus_OK 0
// The callback panicked; the message is available from [`PluginVTable::last_panic`].
#define rt2_CallStatus_PANICKED 1

// One flow-file column: name, description and type signature (see `types`).
typedef struct rt2_ColumnDesc {
  // Column name, e.g. `flowStat`.
  struct rt2_RStr name;
  // One-line description for the headers file.
  struct rt2_RStr desc;
  // Type signature in T2's header syntax extended with `TS`, `DUR`, `DIR`, e.g. `SC_U64:R`.
  struct rt2_RStr sig;
} rt2_ColumnDesc;

// Returns the plugin's columns; the array stays valid for the life of the instance
// (`t2PrintHeader`; optional callbacks are nullable function pointers).
typedef rt2_CallStatus (*rt2_ColumnsFn)(rt2_Instance inst,
                                        const struct rt2_ColumnDesc **out,
                                        size_t *n);

// Compile-time configuration of the core that plugins need at run time.
typedef struct rt2_CoreConfig {
  // Size of this struct as the core built it.
  uint32_t size;
  // Sensor ID (`-x`, default `T2_SENSORID`).
  uint32_t sensor_id;
  // Flow capacity (slots of the flow table).
  uint64_t capacity;
  // `IPV6_ACTIVATE`: 0 IPv4 only, 1 IPv6 only, 2 dual stack.
  uint8_t ipv6_activate;
  // `ETH_ACTIVATE`: 0 no L2 flows, 1 L2 flows, 2 MACs in every flow key.
  uint8_t eth_activate;
  // `SCTP_ACTIVATE`.
  uint8_t sctp_activate;
  // `LAPD_ACTIVATE`.
  uint8_t lapd_activate;
  // `PACKETLENGTH` (0..=3).
  uint8_t packet_length;
  // `TSTAMP_PREC`: 1 nanoseconds, 0 microseconds.
  uint8_t tstamp_prec;
  // `TSTAMP_UTC`.
  uint8_t tstamp_utc;
  // `RELTIME`.
  uint8_t reltime;
  // `DIFF_REPORT`.
  uint8_t diff_report;
  // `MACHINE_REPORT`.
  uint8_t machine_report;
  // `PLUGIN_REPORT`.
  uint8_t plugin_report;
  // `VERBOSE`.
  uint8_t verbose;
  // `T2_PRI_HDRDESC`.
  uint8_t pri_hdrdesc;
  // `ANONYM_IP`.
  uint8_t anonym_ip;
  // `SUBNET_ON`.
  uint8_t subnet_on;
  // `BLOCK_BUF`.
  uint8_t block_buf;
} rt2_CoreConfig;

// A packet or flow time as libpcap delivers it: seconds and a nanosecond fraction.
//
// The fraction is kept exactly as read (it may be negative or ≥ 10⁹ for broken captures), as
// T2 does; renderers print it unnormalised.
typedef struct rt2_Timestamp {
  // Seconds since the epoch (sign-extended 32-bit value for classic pcap).
  int64_t sec;
  // Fraction in nanoseconds.
  int64_t frac;
} rt2_Timestamp;
// Nanoseconds in a second.
#define rt2_Timestamp_NS_PER_SEC 1000000000

// Name and version of a loaded plugin, in load order.
typedef struct rt2_PluginId {
  // Plugin name.
  struct rt2_RStr name;
  // Plugin version.
  struct rt2_RStr version;
} rt2_PluginId;

// What a plugin learns at `init` (valid during the call only).
typedef struct rt2_InitCtx {
  // Size of this struct as the core built it.
  uint32_t size;
  // 1 when packet mode (`-s`) is on: write packet column names now.
  uint8_t packet_mode;
  // 1 when flows go to stdout (`-w -`).
  uint8_t flows_to_stdout;
  // 1 when the flow file is split (`-W`).
  uint8_t split;
  // 1 when the split limit counts flows instead of bytes.
  uint8_t split_by_flows;
  // Split limit (bytes or flows).
  uint64_t split_size;
  // First split file index.
  uint64_t split_start;
  // Core configuration.
  const struct rt2_CoreConfig *config;
  // Output prefix (`-w`), without suffix.
  struct rt2_RStr prefix;
  // Plugin folder, ending with `/`.
  struct rt2_RStr plugin_folder;
  // The command line as typed.
  struct rt2_RStr cmdline;
  // `L2, IPv4, IPv6` (the "Creating flows for" list).
  struct rt2_RStr core_line;
  // `<nodename>;<sysname>;<release>;<version>;<machine>`.
  struct rt2_RStr hw_info;
  // Capture library version string.
  struct rt2_RStr sw_info;
  // Extra lines for the headers file (live capture block), each ending in `\n`, or empty.
  struct rt2_RStr headers_extra;
  // Wall-clock start time.
  struct rt2_Timestamp start_wall;
  // Start time as T2 prints it: `<sec>.<frac> sec (<local date>)`.
  struct rt2_RStr start_date;
  // Process ID.
  uint32_t pid;
  // Nice value.
  int32_t priority;
  // All flow-file columns (`dir`, `flowInd`, then every plugin's).
  const struct rt2_ColumnDesc *columns;
  // Number of entries in `columns`.
  size_t num_columns;
  // Loaded plugins in load order.
  const struct rt2_PluginId *plugins;
  // Number of entries in `plugins`.
  size_t num_plugins;
  // Since 1.1: the flow-index file of `-e` for the pcapd plugin, or empty.
  struct rt2_RStr pcapd_file;
  // Since 1.3: threads the run may use (`--threads`, default: the cores it may run on). A
  // plugin may start work of its own on another thread only when it is above 1.
  uint32_t threads;
} rt2_InitCtx;

// `t2Init`.
typedef rt2_CallStatus (*rt2_InitFn)(rt2_Instance inst, const struct rt2_InitCtx *init);

// Core counters (T2's globals, `x` and their `x0` snapshots for differential reports).
typedef struct rt2_Globals {
  // Size of this struct as the core built it.
  uint32_t size;
  // Always 0.
  uint32_t pad;
  // Time of the current packet (`actTime`).
  struct rt2_Timestamp act_time;
  // Time of the first packet (`startTStamp`).
  struct rt2_Timestamp start_time;
  // Time of the last monitoring report (`startTStamp0`).
  struct rt2_Timestamp start_time0;
  // OR of all status bits seen (`globalWarn`); plugins may set bits.
  uint64_t global_warn;
  // Packets read.
  uint64_t num_packets;
  // Snapshot of `num_packets`.
  uint64_t num_packets0;
  // Packets of A flows.
  uint64_t num_a_packets;
  // Snapshot.
  uint64_t num_a_packets0;
  // Packets of B flows.
  uint64_t num_b_packets;
  // Snapshot.
  uint64_t num_b_packets0;
  // Captured bytes (sum of caplen).
  uint64_t bytes_processed;
  // Snapshot.
  uint64_t bytes_processed0;
  // Captured bytes of A flows.
  uint64_t num_a_bytes;
  // Snapshot.
  uint64_t num_a_bytes0;
  // Captured bytes of B flows.
  uint64_t num_b_bytes;
  // Snapshot.
  uint64_t num_b_bytes0;
  // Non-IP layer-2 packets.
  uint64_t num_l2_packets;
  // Snapshot.
  uint64_t num_l2_packets0;
  // IPv4 packets.
  uint64_t num_v4_packets;
  // Snapshot.
  uint64_t num_v4_packets0;
  // IPv6 packets.
  uint64_t num_v6_packets;
  // Snapshot.
  uint64_t num_v6_packets0;
  // Packets with a bogus IP version.
  uint64_t num_vx_packets;
  // Snapshot.
  uint64_t num_vx_packets0;
  // Estimated bytes on the wire (L2 header + IP length).
  uint64_t bytes_on_wire;
  // Snapshot.
  uint64_t bytes_on_wire0;
  // Wire length sum.
  uint64_t raw_bytes_on_wire;
  // Snapshot.
  uint64_t raw_bytes_on_wire0;
  // Ethernet padding bytes.
  uint64_t pad_bytes_on_wire;
  // Snapshot.
  uint64_t pad_bytes_on_wire0;
  // Fragmented IPv4 packets.
  uint64_t num_frag_v4_packets;
  // Snapshot.
  uint64_t num_frag_v4_packets0;
  // Fragmented IPv6 packets.
  uint64_t num_frag_v6_packets;
  // Snapshot.
  uint64_t num_frag_v6_packets0;
  // Alarms reported by plugins.
  uint64_t num_alarms;
  // Snapshot.
  uint64_t num_alarms0;
  // Flows with alarms.
  uint64_t num_alarm_flows;
  // Snapshot.
  uint64_t num_alarm_flows0;
  // LLC packets.
  uint64_t num_llc_packets;
  // Snapshot.
  uint64_t num_llc_packets0;
  // GRE packets.
  uint64_t num_gre_packets;
  // Snapshot.
  uint64_t num_gre_packets0;
  // Teredo packets.
  uint64_t num_teredo_packets;
  // Snapshot.
  uint64_t num_teredo_packets0;
  // AYIYA packets.
  uint64_t num_ayiya_packets;
  // Snapshot.
  uint64_t num_ayiya_packets0;
  // LAPD packets.
  uint64_t num_lapd_packets;
  // Snapshot.
  uint64_t num_lapd_packets0;
  // DTLS records seen.
  uint64_t num_dtls_packets;
  // Snapshot.
  uint64_t num_dtls_packets0;
  // Flows created (A + B), updated when reports are printed.
  uint64_t total_flows;
  // Snapshot.
  uint64_t total_flows0;
  // A flows created.
  uint64_t total_a_flows;
  // Snapshot.
  uint64_t total_a_flows0;
  // B flows created.
  uint64_t total_b_flows;
  // Snapshot.
  uint64_t total_b_flows0;
  // IPv4 flows created.
  uint64_t total_ipv4_flows;
  // Snapshot.
  uint64_t total_ipv4_flows0;
  // IPv6 flows created.
  uint64_t total_ipv6_flows;
  // Snapshot.
  uint64_t total_ipv6_flows0;
  // Layer-2 flows created.
  uint64_t total_l2_flows;
  // Snapshot.
  uint64_t total_l2_flows0;
  // Lone inverted flows written (counted as replies).
  uint64_t corr_repl_flows;
  // Snapshot.
  uint64_t corr_repl_flows0;
  // Flows removed by the hash autopilot.
  uint64_t total_rm_flows;
  // Snapshot.
  uint64_t total_rm_flows0;
  // Highest flow index handed out (`totalfIndex`).
  uint64_t total_findex;
  // Flows in memory now.
  uint64_t max_num_flows;
  // Peak of `max_num_flows`.
  uint64_t max_num_flows_peak;
  // Packets per IP protocol.
  uint64_t pkts_l3[256];
  // Snapshot.
  uint64_t pkts_l3_0[256];
  // Captured bytes per IP protocol.
  uint64_t bytes_l3[256];
  // Snapshot.
  uint64_t bytes_l3_0[256];
  // Packets per Ethertype (65536 entries, or null).
  const uint64_t *pkts_l2;
  // Snapshot (65536 entries).
  const uint64_t *pkts_l2_0;
  // Captured bytes per Ethertype (65536 entries, or null).
  const uint64_t *bytes_l2;
  // Snapshot (65536 entries).
  const uint64_t *bytes_l2_0;
} rt2_Globals;

// One flow direction as the core keeps it (T2's `flow_t`, minus the LRU links).
//
// `status` and `timeout` are the fields plugins may change; they are [`Cell`]s because plugins
// change them through shared references while the core is paused in a callback.
typedef struct rt2_FlowRecord {
  // The flow key.
  struct rt2_FlowKey key;
  // Flow index printed as `flowInd` (shared by the A and B flow).
  uint64_t findex;
  // Flow status bits (`flowStat`).
  uint64_t status;
  // This flow's slot.
  uint64_t flow_index;
  // The opposite flow's slot or [`NO_FLOW`].
  uint64_t opposite;
  // Time of the first packet.
  struct rt2_Timestamp first_seen;
  // Time of the last packet.
  struct rt2_Timestamp last_seen;
  // `last_seen - first_seen`; valid only while the flow is being terminated.
  struct rt2_Timestamp duration;
  // Aggregated Ethernet padding bytes.
  int64_t pad_len;
  // Idle timeout in seconds; only values registered with the host may be set.
  float timeout;
  // Last IPv4 ID seen (duplicate detection).
  uint32_t last_ip_id;
  // IP ID of the pending first fragment.
  uint32_t last_frag_ip_id;
  // IP version of the flow: 4, 6, or 0 for layer-2 flows.
  uint8_t ip_ver;
  // Always 0.
  uint8_t pad[7];
} rt2_FlowRecord;

// What every per-run callback may look at (valid during the call only).
typedef struct rt2_CallCtx {
  // Core counters.
  const struct rt2_Globals *globals;
  // The flow table (`capacity` slots; only slots of live flows are meaningful).
  const struct rt2_FlowRecord *flows;
  // Number of slots.
  size_t num_flows;
} rt2_CallCtx;

// The dissected packet handed to plugins (T2's `packet_t`).
//
// Offsets are relative to `raw` and [`NO_OFFSET`] when the header is absent. An offset may point
// past `snap_len` when the capture was cut; plugins read through the bounds-checked accessors of
// the safe wrapper.
typedef struct rt2_PacketView {
  // Captured bytes, `snap_len` long.
  const uint8_t *raw;
  // Capture time.
  struct rt2_Timestamp ts;
  // Packet status bits (same bit set as `flowStat`).
  uint64_t status;
  // Ethernet padding bytes.
  int64_t pad_len;
  // Length on the wire.
  uint32_t raw_len;
  // Captured length.
  uint32_t snap_len;
  // Layer 2 header (Ethernet, SLL, ...; the inner one after a tunnel).
  uint32_t l2_off;
  // Innermost IP header.
  uint32_t l3_off;
  // Layer 4 header.
  uint32_t l4_off;
  // Layer 7 payload.
  uint32_t l7_off;
  // 802.2 LLC header.
  uint32_t llc_off;
  // PPP header.
  uint32_t ppp_off;
  // PPPoE header.
  uint32_t pppoe_off;
  // First MPLS label.
  uint32_t mpls_off;
  // First VLAN tag (its TCI, followed by the next Ethertype).
  uint32_t vlan_off;
  // GRE header.
  uint32_t gre_off;
  // IP header in front of the GRE header.
  uint32_t gre_l3_off;
  // GTP header.
  uint32_t gtp_off;
  // L2TP header.
  uint32_t l2tp_off;
  // IP header in front of the L2TP header.
  uint32_t l2tp_l3_off;
  // IPv6 hop-by-hop options header.
  uint32_t ip6_hhopt_off;
  // IPv6 destination options header.
  uint32_t ip6_dopt_off;
  // IPv6 fragment header.
  uint32_t ip6_frag_off;
  // IPv6 routing header.
  uint32_t ip6_route_off;
  // Teredo origin indication header.
  uint32_t trdo_oi_off;
  // Teredo authentication header.
  uint32_t trdo_auth_off;
  // L2 header length + IP length (estimate of the frame length).
  uint32_t l2_len;
  // IP length (TSO corrected).
  uint32_t l3_len;
  // Packet length as selected by `PACKETLENGTH` (default: layer-7 payload).
  uint32_t len;
  // Captured bytes from the layer 2 header on.
  uint32_t snap_l2_len;
  // Captured bytes from the layer 3 header on.
  uint32_t snap_l3_len;
  // Captured bytes from the layer 4 header on.
  uint16_t snap_l4_len;
  // Captured layer 7 bytes.
  uint16_t snap_l7_len;
  // Layer 7 length according to the IP header.
  uint16_t l7_len;
  // Length of the layer 2 (and VLAN) headers.
  uint16_t l2_hdr_len;
  // IP header length (with IPv6 extension headers).
  uint16_t l3_hdr_len;
  // Layer 4 header length.
  uint16_t l4_hdr_len;
  // Source address of the innermost IP header.
  uint8_t src_ip[16];
  // Destination address.
  uint8_t dst_ip[16];
  // Innermost VLAN ID.
  uint16_t vlan_id;
  // Source port.
  uint16_t src_port;
  // Destination port.
  uint16_t dst_port;
  // Innermost Ethertype (0x0800/0x86dd for IP).
  uint16_t eth_type;
  // Outermost Ethertype.
  uint16_t outer_eth_type;
  // Layer 3 protocol (IPv4, IPv6, L2TPv2/3, ...).
  uint16_t l3_proto;
  // Number of headers traversed (`numHdrs`).
  uint16_t num_hdr_desc;
  // Length of `hdr_desc`.
  uint16_t hdr_desc_len;
  // Header description, e.g. `eth:ipv4:tcp` (not NUL-terminated).
  uint8_t hdr_desc[rt2_HDRDESC_LEN];
  // IP protocol of the innermost IP header.
  uint8_t l4_proto;
  // Number of MPLS labels.
  uint8_t mpls_hdr_cnt;
  // Number of VLAN tags.
  uint8_t vlan_hdr_cnt;
  // Always 0.
  uint8_t pad[5];
} rt2_PacketView;

// `t2OnNewFlow`, `t2OnLayer2`, `t2OnLayer4` (`flow` is [`NO_FLOW`] for an IP packet's L2 call).
typedef rt2_CallStatus (*rt2_PacketFn)(rt2_Instance inst,
                                       const struct rt2_CallCtx *ctx,
                                       const struct rt2_PacketView *pkt,
                                       uint64_t flow);

// `t2OnFlowTerminate`.
typedef rt2_CallStatus (*rt2_TerminateFn)(rt2_Instance inst,
                                          const struct rt2_CallCtx *ctx,
                                          uint64_t flow,
                                          struct rt2_OutBuf *buf);

// `t2PluginReport` and `t2Finalize`.
typedef rt2_CallStatus (*rt2_RunFn)(rt2_Instance inst, const struct rt2_CallCtx *ctx);

// `t2Monitoring` with a [`mon_state`].
typedef rt2_CallStatus (*rt2_MonitorFn)(rt2_Instance inst,
                                        const struct rt2_CallCtx *ctx,
                                        uint32_t state);

// `t2BufferToSink`: one encoded record.
typedef rt2_CallStatus (*rt2_SinkFn)(rt2_Instance inst,
                                     const struct rt2_CallCtx *ctx,
                                     const uint8_t *rec,
                                     size_t len);

// What a plugin exports through [`ENTRY_SYMBOL`].
typedef struct rt2_PluginVTable {
  // [`ABI_MAJOR`] the plugin was built with.
  uint16_t abi_major;
  // [`ABI_MINOR`] the plugin was built with.
  uint16_t abi_minor;
  // `size_of::<PluginVTable>()` as the plugin was built.
  uint32_t size;
  // Plugin name (1-31 characters).
  struct rt2_RStr name;
  // Plugin version (1-15 characters).
  struct rt2_RStr version;
  // Plugin number (the `NNN` of `NNN_name.so`, declared in the plugin's `Cargo.toml`).
  uint32_t number;
  // Supported T2 major version (0).
  uint32_t t2_major;
  // Supported T2 minor version (9).
  uint32_t t2_minor;
  // Comma-separated names of plugins that must be loaded before this one.
  struct rt2_RStr dependencies;
  // Required: create the instance.
  rt2_CreateFn create;
  // Required: last panic message.
  rt2_LastPanicFn last_panic;
  // `t2PrintHeader`.
  rt2_ColumnsFn columns;
  // `t2Init`.
  rt2_InitFn init;
  // `t2OnNewFlow`.
  rt2_PacketFn on_new_flow;
  // `t2OnLayer2`.
  rt2_PacketFn on_layer2;
  // `t2OnLayer4`.
  rt2_PacketFn on_layer4;
  // `t2OnFlowTerminate`.
  rt2_TerminateFn on_flow_terminate;
  // `t2PluginReport`.
  rt2_RunFn report;
  // `t2Monitoring`.
  rt2_MonitorFn monitoring;
  // `t2Finalize`.
  rt2_RunFn finalize;
  // `t2BufferToSink`.
  rt2_SinkFn buffer_to_sink;
} rt2_PluginVTable;

// The signature of [`ENTRY_SYMBOL`].
typedef const struct rt2_PluginVTable *(*rt2_EntryFn)(void);

#endif  /* RT2_PLUGIN_H */
