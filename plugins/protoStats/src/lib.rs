//! protoStats (001): packets and bytes per EtherType, IP protocol and TCP/UDP (UDP-Lite, SCTP)
//! server port, written to `PREFIX_protocols.txt` at the end of the run (plugins.md §1). No
//! flow columns, report lines or monitoring columns, as in T2.
//!
//! The EtherType and protocol tables are the core's counters; the port tables are counted
//! here, per packet, by the flow's server port (the destination port of A flows, the source
//! port of B flows). Names come from `ethertypes.txt`, `proto.txt` and `portmap.txt` in the
//! plugin folder (the `prototable` and `portmap` crates).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: protoStats

pub mod flags;
pub mod ports;
pub mod render;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use plugin_api::{Ctx, Flow, Host, Init, Packet, Plugin};
use portmap::PortMap;
use prototable::{EtherTypes, ProtoTable, Table};

pub use flags::Config;
use ports::Ports;
use render::{Counts, Names, Parts, render};

/// The protoStats plugin.
pub struct ProtoStats {
    host: Host,
    cfg: Config,
    ports: Ports,
    parts: Parts,
    /// Name tables, read at init.
    ethertypes: EtherTypes,
    protocols: ProtoTable,
    port_names: PortMap,
    /// `PREFIX_protocols.txt`.
    path: PathBuf,
}

impl ProtoStats {
    /// A protoStats with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> ProtoStats {
        ProtoStats {
            host,
            cfg,
            ports: Ports::default(),
            parts: Parts { ethertypes: cfg.pst_eth_stat, ipv4: true, ipv6: true },
            ethertypes: EtherTypes::default(),
            protocols: ProtoTable::shipped(),
            port_names: PortMap::default(),
            path: PathBuf::new(),
        }
    }

    /// A runtime parameter: its environment override (`ENVCNTRL`), else the compiled value.
    fn param(&self, name: &str, value: &str) -> String {
        self.host.getenv(name).unwrap_or_else(|| value.to_owned())
    }

    /// Loads a name table from the plugin folder; a problem is one warning (the shipped table
    /// stands in for a file that cannot be read).
    fn table<T>(&self, load: impl FnOnce(&Path, &str) -> (T, Option<String>), folder: &Path, file: &str) -> T {
        let (table, problem) = load(folder, file);
        if let Some(msg) = problem {
            self.host.warn(&msg);
        }
        table
    }
}

impl Plugin for ProtoStats {
    fn new(host: Host) -> Self {
        ProtoStats::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        let ipv6 = init.config().ipv6_activate;
        let cfg = self.cfg;
        self.parts = Parts { ethertypes: cfg.pst_eth_stat, ipv4: ipv6 != 1, ipv6: ipv6 > 0 };
        self.ports = Ports::new(cfg.pst_udplite_stat, cfg.pst_sctp_stat);
        self.path = init.side_file(&self.param("PST_SUFFIX", cfg.pst_suffix));
        let folder = Path::new(init.plugin_folder_os());
        if self.parts.ethertypes {
            let file = self.param("PST_L2ETHFILE", cfg.pst_l2ethfile);
            self.ethertypes = self.table(EtherTypes::load_in, folder, &file);
        }
        let file = self.param("PST_PROTOFILE", cfg.pst_protofile);
        self.protocols = self.table(ProtoTable::load_in, folder, &file);
        let file = self.param("PST_PORTFILE", cfg.pst_portfile);
        self.port_names = self.table(|d: &Path, f: &str| PortMap::load_in(d, f), folder, &file);
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let key = flow.key();
        let port = if flow.is_b() { key.src_port } else { key.dst_port };
        self.ports.count(pkt.l4_proto(), port, u64::from(pkt.view().snap_len));
    }

    fn finalize(&mut self, ctx: Ctx<'_>) {
        let g = ctx.globals();
        let counts = Counts {
            packets: g.num_packets,
            bytes: g.bytes_processed,
            v4: g.num_v4_packets,
            v6: g.num_v6_packets,
            l2: ctx.ethertypes(),
            l3_pkts: &g.pkts_l3,
            l3_bytes: &g.bytes_l3,
            ports: &self.ports,
        };
        let names = Names { ethertypes: &self.ethertypes, protocols: &self.protocols, ports: &self.port_names };
        if let Err(e) = std::fs::write(&self.path, render(&counts, &names, self.parts)) {
            self.host.fail(&format!(
                "Failed to open file '{}': {}",
                plugin_api::fmt::escaped(&self.path),
                plugin_api::fmt::strerror(&e)
            ));
        }
    }
}

plugin_api::export_plugin!(ProtoStats);
