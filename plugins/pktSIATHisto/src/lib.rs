//! pktSIATHisto (701): per flow, a histogram of packet sizes (the core's `PACKETLENGTH`) by
//! inter-arrival-time bin (T2's pktSIATHisto): for each (size, IAT bin) pair its packets, the
//! packets of that size and the packets of that IAT bin, by size then bin.
//!
//! Per-packet work is inherent here: one bin lookup and one binary search in the flow's sorted
//! entries; entries are inserted without allocating once a slot has held a flow as large (see
//! [`histo`]), and a run-wide budget bounds them as T2's node pool does.
#![forbid(unsafe_code)]
#![allow(non_snake_case)] // the crate is named after the plugin

mod bins;
pub mod flags;
pub mod histo;

use plugin_api::abi::PacketView;
use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, Output, Packet, Plugin, Report};

pub use bins::Bins;
use flags::Config;
use histo::{Budget, Histo, Spills};

/// The pktSIATHisto plugin.
pub struct PktSIATHisto {
    host: Host,
    cfg: Config,
    bins: Bins,
    flows: FlowSlots<Histo>,
    spills: Spills,
    budget: Budget,
    /// Packets left out because the budget was spent.
    lost: u64,
    /// Per-bin packet counts of the flow being written (scratch, sized once).
    per_bin: Vec<u32>,
}

impl PktSIATHisto {
    /// The plugin with flags `cfg` instead of the compiled ones (for tests).
    pub fn with_config(host: Host, cfg: Config) -> PktSIATHisto {
        // a bad layout is reported at init, where the host can stop the run
        let bins = Bins::new(&cfg).unwrap_or_else(|_| Bins::new(&Config::default()).expect("the default layout"));
        PktSIATHisto {
            host,
            cfg,
            bins,
            flows: FlowSlots::default(),
            spills: Spills::default(),
            budget: Budget::default(),
            lost: 0,
            per_bin: vec![0; bins.count()],
        }
    }

    fn claim(&mut self, pv: &PacketView, flow: &Flow<'_>) {
        if self.cfg.psi_xcld && pv.len < self.cfg.psi_xmin {
            return;
        }
        let len = if self.cfg.psi_mod > 1 { pv.len % self.cfg.psi_mod } else { pv.len };
        let h = self.flows.get_mut(flow);
        let bin = self.bins.bin(h.iat(pv.ts));
        let spills = &mut self.spills;
        if !h.count(len as i32, bin, &mut self.budget, || spills.get_or_claim(flow, Vec::new, Vec::clear)) {
            if self.lost == 0 {
                self.host.error("histogram entries exhausted, packets are left out: increase PSIAT_NDPLF");
            }
            self.lost += 1;
        }
    }
}

impl Plugin for PktSIATHisto {
    fn new(host: Host) -> Self {
        PktSIATHisto::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        if !self.cfg.print_histo {
            return;
        }
        c.add("tCnt", "Number of tree entries", "U32");
        if self.cfg.histo_print_bin {
            c.add(
                "Ps_IatBin_Cnt_PsCnt_IatCnt",
                "Packet size (PS) and inter-arrival time (IAT) of bin histogram",
                "U16_U32_U32_U32_U32:R",
            );
        } else {
            c.add(
                "Ps_Iat_Cnt_PsCnt_IatCnt",
                "Packet size (PS) and min inter-arrival time (IAT) of bin histogram",
                "U16_U32_U32_U32_U32:R",
            );
        }
    }

    fn init(&mut self, init: &Init<'_>) {
        if let Err(e) = Bins::new(&self.cfg) {
            self.host.fail(&e);
            return;
        }
        let factor = self.host.getenv("PSIAT_NDPLF").and_then(|v| v.trim().parse::<u64>().ok());
        let factor = factor.unwrap_or(u64::from(self.cfg.psiat_ndplf));
        self.budget = Budget { used: 0, limit: factor.saturating_mul(init.capacity() as u64) };
        self.flows = FlowSlots::new(init.capacity());
        self.spills = Spills::new(init.capacity());
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Flow<'_>) {
        self.flows.get_mut(&flow).clear();
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow {
            self.claim(pkt.view(), &flow);
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        self.claim(pkt.view(), &flow);
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let h = self.flows.get_mut(&flow);
        if self.cfg.print_histo {
            let entries = h.entries(self.spills.get(&flow));
            self.per_bin.iter_mut().for_each(|n| *n = 0);
            for e in entries {
                let n = &mut self.per_bin[e.bin as usize];
                *n = n.wrapping_add(e.cnt);
            }
            out.u32(entries.len() as u32);
            out.rep(entries.len() as u32);
            for run in entries.chunk_by(|a, b| a.size == b.size) {
                let size_cnt = run.iter().fold(0u32, |n, e| n.wrapping_add(e.cnt));
                for e in run {
                    out.u16(e.size as u16);
                    out.u32(if self.cfg.histo_print_bin { e.bin } else { self.bins.lower_bound(e.bin) });
                    out.u32(e.cnt);
                    out.u32(size_cnt);
                    out.u32(self.per_bin[e.bin as usize]);
                }
            }
        }
        h.release(&mut self.budget, self.spills.get_mut(&flow));
        self.spills.release(&flow);
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        r.warn_nump("Packets not in histograms (increase PSIAT_NDPLF)", self.lost, ctx.globals().num_packets);
    }
}

plugin_api::export_plugin!(PktSIATHisto);

#[cfg(test)]
mod tests;
