//! portClassifier (111): names the service of a flow from its destination port
//! (`dstPortClassN dstPortClass`, e.g. `80 http`).
//!
//! Both directions of a connection are classified by the port the A direction was sent to (a B
//! flow's source port). The names come from `portmap.txt` in the plugin folder (the `portmap`
//! crate): TCP and SCTP flows use its `tcp` names, UDP and UDP-Lite flows its `udp` names, and
//! other flows, like ports the table does not list, are `unknown` (`PBC_UNKNOWN`).
#![forbid(unsafe_code, missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: portClassifier

pub mod flags;

use plugin_api::{Columns, Ctx, Flow, Host, Init, Output, Packet, PacketLine, Plugin};
use portmap::{PortMap, Proto};

/// The plugin's settings: the compiled flags, then the environment's overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `PBC_NUM`: write `dstPortClassN`.
    pub num: bool,
    /// `PBC_STR`: write `dstPortClass`.
    pub name: bool,
    /// `PBC_CLASSFILE`: the table's file name in the plugin folder.
    pub class_file: String,
    /// `PBC_UNKNOWN`: the name of ports the table does not know.
    pub unknown: String,
}

impl Default for Config {
    /// The compiled flags.
    fn default() -> Config {
        Config {
            num: flags::PBC_NUM == 1,
            name: flags::PBC_STR == 1,
            class_file: flags::PBC_CLASSFILE.to_owned(),
            unknown: flags::PBC_UNKNOWN.to_owned(),
        }
    }
}

impl Config {
    /// Applies T2's runtime parameters (`ENVCNTRL > 0`): `getenv` answers with the
    /// environment variable's value, if set.
    pub fn apply_env(&mut self, getenv: impl Fn(&str) -> Option<String>) {
        if let Some(v) = getenv("PBC_CLASSFILE") {
            self.class_file = v;
        }
        if let Some(v) = getenv("PBC_UNKNOWN") {
            self.unknown = v;
        }
    }
}

/// The port a flow is classified by: the A direction's destination port, which is a B flow's
/// source port.
pub fn service_port(flow: &Flow<'_>) -> u16 {
    let key = flow.key();
    if flow.is_b() { key.src_port } else { key.dst_port }
}

/// Port numbers to service names.
#[derive(Clone, Debug, Default)]
pub struct Classifier {
    map: PortMap,
    unknown: String,
}

impl Classifier {
    /// Names ports from `map`, and those it does not know `unknown`.
    pub fn new(map: PortMap, unknown: String) -> Classifier {
        Classifier { map, unknown }
    }

    /// The service name of `port` for a flow of IP protocol `l4_proto`.
    pub fn name(&self, l4_proto: u8, port: u16) -> &str {
        Proto::of_ip_proto(l4_proto).and_then(|p| self.map.name(p, port)).unwrap_or(&self.unknown)
    }
}

/// Packet mode (`-s`): the plugin's fields of a packet line, in a reused buffer.
#[derive(Debug, Default)]
struct PacketFields {
    num: bool,
    name: bool,
    line: PacketLine,
}

impl PacketFields {
    /// The flow's port (T2 writes the flow's, not the packet's) and its name.
    fn write(&mut self, host: Host, port: Option<u16>, name: &str) {
        if self.num {
            match port {
                Some(p) => self.line.u64(u64::from(p)),
                None => self.line.empty(1),
            };
        }
        if self.name {
            self.line.str(name);
        }
        self.line.write(host);
    }
}

/// The portClassifier plugin.
pub struct PortClassifier {
    host: Host,
    cfg: Config,
    classifier: Classifier,
    /// Set in packet mode when the plugin has columns.
    packets: Option<PacketFields>,
}

impl PortClassifier {
    /// A portClassifier with non-default settings.
    pub fn with_config(host: Host, cfg: Config) -> PortClassifier {
        PortClassifier { host, cfg, classifier: Classifier::default(), packets: None }
    }
}

impl Plugin for PortClassifier {
    fn new(host: Host) -> Self {
        PortClassifier::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        if self.cfg.num {
            c.add("dstPortClassN", "Port based classification of the destination port number", "U16");
        }
        if self.cfg.name {
            c.add("dstPortClass", "Port based classification of the destination port name", "SC");
        }
    }

    fn init(&mut self, init: &Init<'_>) {
        let host = self.host;
        self.cfg.apply_env(|name| host.getenv(name));
        let (map, problem) = PortMap::load_in(init.plugin_folder(), &self.cfg.class_file);
        if let Some(msg) = problem {
            self.host.warn(&msg);
        }
        self.classifier = Classifier::new(map, self.cfg.unknown.clone());
        if init.packet_mode() && (self.cfg.num || self.cfg.name) {
            let names = [(self.cfg.num, "dstPortClassN"), (self.cfg.name, "dstPortClass")];
            let names: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
            PacketLine::header(self.host, &names);
            self.packets = Some(PacketFields { num: self.cfg.num, name: self.cfg.name, line: PacketLine::default() });
        }
    }

    // A frame of a layer-2 flow: no port, and the unknown name.
    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let (Some(p), Some(_)) = (&mut self.packets, flow) {
            p.write(self.host, None, &self.cfg.unknown);
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Flow<'_>) {
        if let Some(p) = &mut self.packets {
            let port = service_port(&flow);
            p.write(self.host, Some(port), self.classifier.name(flow.key().l4_proto, port));
        }
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let port = service_port(&flow);
        if self.cfg.num {
            out.u16(port);
        }
        if self.cfg.name {
            out.str(self.classifier.name(flow.key().l4_proto, port).as_bytes());
        }
    }
}

plugin_api::export_plugin!(PortClassifier);

#[cfg(test)]
mod tests;
