//! macRecorder (110): the MAC address pairs of each flow, with packet counts and organisation
//! labels (`macStat macPairs srcMac_dstMac_numP srcMacLbl_dstMacLbl`).
//!
//! Every packet of a flow with an Ethernet header counts for its (source, destination) pair;
//! flows without one (Linux cooked, raw IP, LAPD) have no pairs. The labels come from
//! `maclbl.txt` in the plugin folder (see [`labels`]): `AppleInc,US`, `IPv4Multi`, or `-` for
//! addresses the table does not know. The end report gives the table's size, the aggregated
//! macStat and, when a flow had several pairs, the pairs per flow.
#![forbid(unsafe_code, missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: macRecorder

pub mod config;
pub mod flags;
pub mod labels;
pub mod pairs;

use plugin_api::status::{L2_NO_ETH, LAPD_FLOW};
use plugin_api::wire::ethernet::field::{DST, SRC};
use plugin_api::{Columns, Ctx, Flow, Host, Init, Output, Packet, PacketLine, Plugin, Report};

pub use config::{Config, Labels, MacFormat};
use labels::{LabelKind, MacLabels, mac_u48};
use pairs::Pairs;

/// Pairs per flow over the run, as T2 keeps them for its report line (its running average
/// weighs the latest flows most, in single precision).
#[derive(Clone, Copy, Debug, PartialEq)]
struct PairsPerFlow {
    min: u32,
    max: u32,
    avg: f32,
}

impl Default for PairsPerFlow {
    fn default() -> Self {
        PairsPerFlow { min: u32::MAX, max: 0, avg: 0.0 }
    }
}

impl PairsPerFlow {
    fn add(&mut self, n: u32) {
        self.min = self.min.min(n);
        self.max = self.max.max(n);
        self.avg = if self.avg != 0.0 {
            (0.7 * f64::from(self.avg) + 0.3 * f64::from(n as f32)) as f32
        } else {
            (f64::from((self.min.wrapping_add(self.max)) as f32) / 2.0) as f32
        };
    }
}

/// The macRecorder plugin.
pub struct MacRecorder {
    host: Host,
    cfg: Config,
    table: MacLabels,
    pairs: Pairs,
    /// OR of all flows' macStat.
    stat: u8,
    per_flow: PairsPerFlow,
    /// Packet mode (`-s`) with labels: the two label fields of every packet line.
    packets: Option<PacketLine>,
}

impl MacRecorder {
    /// A macRecorder with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> MacRecorder {
        MacRecorder {
            host,
            cfg,
            table: MacLabels::default(),
            pairs: Pairs::default(),
            stat: 0,
            per_flow: PairsPerFlow::default(),
            packets: None,
        }
    }

    /// Loads the label table; a missing or unusable file is one error line and `-` labels.
    fn load_labels(&mut self, path: &std::path::Path) {
        let kind = if self.cfg.labels() == Labels::Long { LabelKind::Long } else { LabelKind::Short };
        let read = std::fs::File::open(path)
            .and_then(|f| MacLabels::read(std::io::BufReader::new(f), kind, self.cfg.label_len()));
        let (table, errors) = match read {
            Ok(t) => t,
            Err(e) => {
                let err = plugin_api::fmt::strerror(&e);
                self.host.error(&format!(
                    "Failed to open file '{}' for reading: {err}; MAC labels are '-'",
                    plugin_api::fmt::escaped(path)
                ));
                return;
            }
        };
        if let Some(first) = errors.first() {
            let n = errors.len();
            let msg = format!("'{}' {first} ({n} malformed lines skipped)", plugin_api::fmt::escaped(path));
            if table.is_empty() { self.host.error(&format!("{msg}; MAC labels are '-'")) } else { self.host.warn(&msg) }
        }
        if !table.is_empty() {
            let what = match self.cfg.labels() {
                Labels::Index => "index",
                Labels::Long => "full org name",
                _ => "short org name",
            };
            let n = table.records() as u64;
            self.host.info(&format!("{n}{} {what} records loaded", plugin_api::fmt::human(n)));
        }
        self.table = table;
    }

    /// Counts the packet's pair and, in packet mode, writes its labels (T2's `claimInfo`).
    fn packet(&mut self, pkt: &Packet<'_>, flow: &Flow<'_>) {
        let slot = flow.index();
        let eth = ethernet_addresses(pkt, flow);
        if let Some(line) = &mut self.packets {
            match eth {
                None => line.empty(2),
                Some(dst_src) => {
                    let et = self.pairs.ethertype(slot);
                    let (src, dst) = pairs::src_dst(dst_src);
                    for mac in [src, dst] {
                        let id = self.table.lookup(mac, et);
                        match self.cfg.labels() {
                            Labels::Index => line.u64(u64::from(id.unwrap_or(0))),
                            _ => line.str(id.map_or("-", |id| self.table.label(id))),
                        };
                    }
                    line
                }
            }
            .write(self.host);
        }
        if let Some(dst_src) = eth {
            self.pairs.add(slot, dst_src);
        }
    }

    fn write_mac(&self, out: &mut Output<'_>, mac: [u8; 6]) {
        match self.cfg.mac_format() {
            MacFormat::Mac => out.mac(&mac),
            MacFormat::Hex | MacFormat::Int => out.u64(mac_u48(mac)),
        }
    }

    fn write_label(&self, out: &mut Output<'_>, mac: [u8; 6], ethertype: u16) {
        let id = self.table.lookup(mac, ethertype);
        match self.cfg.labels() {
            Labels::Index => out.u32(id.unwrap_or(0)),
            _ => out.str(id.map_or(b"-", |id| self.table.label(id).as_bytes())),
        }
    }
}

/// The destination and source MAC of the packet's Ethernet header; `None` when the flow has
/// no Ethernet header (T2 checks the flow's `L2_NO_ETH` and `LAPD_FLOW` bits) or it was not
/// captured.
fn ethernet_addresses(pkt: &Packet<'_>, flow: &Flow<'_>) -> Option<[u8; 12]> {
    if (flow.status() | pkt.status()) & (L2_NO_ETH | LAPD_FLOW) != 0 {
        return None;
    }
    pkt.l2().get(DST.start..SRC.end)?.try_into().ok()
}

impl Plugin for MacRecorder {
    fn new(host: Host) -> Self {
        MacRecorder::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        c.add("macStat", "macRecorder status", "H8");
        if self.cfg.mr_npairs {
            c.add("macPairs", "Number of distinct source/destination MAC addresses pairs", "U32");
        }
        let sig = match self.cfg.mac_format() {
            MacFormat::Hex => "H64_H64_U64:R",
            MacFormat::Mac => "MAC_MAC_U64:R",
            MacFormat::Int => "U64_U64_U64:R",
        };
        c.add(
            "srcMac_dstMac_numP",
            "Source/destination MAC address, number of packets of MAC address combination",
            sig,
        );
        let sig = match self.cfg.labels() {
            Labels::Off => return,
            Labels::Index => "U32_U32:R",
            Labels::Short => "SC_SC:R",
            Labels::Long => "S_S:R",
        };
        c.add("srcMacLbl_dstMacLbl", "Source/destination MAC label", sig);
    }

    fn init(&mut self, init: &Init<'_>) {
        self.pairs = Pairs::new(init.capacity(), self.cfg.mr_max_mac);
        if self.cfg.labels() == Labels::Off {
            return;
        }
        self.load_labels(&init.data_file(self.cfg.maclblfile));
        if init.packet_mode() {
            PacketLine::header(self.host, &["srcMacLbl", "dstMacLbl"]);
            self.packets = Some(PacketLine::default());
        }
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        self.pairs.reset(flow.index(), pkt.view().eth_type);
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow {
            self.packet(pkt, &flow);
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        self.packet(pkt, &flow);
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let slot = flow.index();
        let (n, stat, et) = (self.pairs.count(slot), self.pairs.stat(slot), self.pairs.ethertype(slot));
        self.per_flow.add(n);
        self.stat |= stat;
        out.u8(stat);
        if self.cfg.mr_npairs {
            out.u32(n);
        }
        out.rep(n);
        for p in self.pairs.iter(slot) {
            self.write_mac(out, p.src());
            self.write_mac(out, p.dst());
            out.u64(p.pkts);
        }
        if self.cfg.labels() != Labels::Off {
            out.rep(n);
            for p in self.pairs.iter(slot) {
                self.write_label(out, p.src(), et);
                self.write_label(out, p.dst(), et);
            }
        }
    }

    fn report(&mut self, _ctx: Ctx<'_>, r: &Report) {
        r.aggr("macStat", u64::from(self.stat), 1);
        let p = self.per_flow;
        if p.max > 1 {
            r.line(&format!("MAC pairs per flow: min: {}, max: {}, average: {:.2}", p.min, p.max, p.avg));
        }
    }
}

plugin_api::export_plugin!(MacRecorder);

#[cfg(test)]
mod tests;
