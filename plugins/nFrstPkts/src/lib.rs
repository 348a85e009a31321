//! nFrstPkts (700): the length and time of a flow's first `NFRST_PKTCNT` packets (T2's
//! nFrstPkts), as a signal for traffic mining: per packet its length (as selected by the core's
//! `PACKETLENGTH`) and its inter-arrival, relative or absolute time; optionally its L3 and L4
//! header lengths. In pulse mode (`NFRST_MINIATS`/`NFRST_MINIATU` > 0) packets closer than the
//! minimal IAT merge into one pulse with its length, start and duration.
//!
//! A flow's slot holds its clocks and first samples, a pooled tail the others (see `signal`):
//! nothing is allocated per packet, and a flow costs one comparison per packet once its
//! samples are taken.
#![forbid(unsafe_code)]
#![allow(non_snake_case)] // the crate is named after the plugin

pub mod flags;
mod signal;

use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, Output, Packet, Plugin};

use flags::Config;
use signal::TailOf;
pub use signal::{Sample, Settings, Signal, Tails, Time32};

/// The nFrstPkts plugin.
pub struct NFrstPkts {
    set: Settings,
    hdr_info: bool,
    flows: FlowSlots<Signal>,
    tails: Tails,
}

impl NFrstPkts {
    /// The plugin with flags `cfg` instead of the compiled ones (for tests). `NFRST_PKTCNT`
    /// sizes an array: the compiled value always holds.
    pub fn with_config(_host: Host, cfg: Config) -> NFrstPkts {
        NFrstPkts {
            set: Settings::new(&cfg),
            hdr_info: cfg.nfrst_hdrinfo,
            flows: FlowSlots::default(),
            tails: Tails::default(),
        }
    }
}

/// A time as T2's `OUTBUF_APPEND_TIME` writes a `timeval`: 32-bit seconds, raw fraction.
fn time(out: &mut Output<'_>, t: Time32) {
    out.time(u64::from(t.sec), t.frac);
}

impl Plugin for NFrstPkts {
    fn new(host: Host) -> Self {
        NFrstPkts::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        c.add("nFpCnt", "Number of signal samples", "U32");
        let what = "L2/L3/L4/Payload (s. PACKETLENGTH in packetCapture.h) length";
        match (self.hdr_info, self.set.pulse()) {
            (false, false) => c.add("L2L3L4Pl_Iat", &format!("{what} and IAT for the N first packets"), "U32_DUR:R"),
            (false, true) => {
                c.add("L2L3L4Pl_Iat_nP", &format!("{what}, IAT and pulse for the N first packets"), "U32_DUR_DUR:R")
            }
            (true, false) => c.add(
                "HD3l_HD4l_L2L3L4Pl_Iat",
                &format!("L3 and L4 header length, {what} and IAT for the N first packets"),
                "U8_U8_U32_DUR:R",
            ),
            (true, true) => c.add(
                "HD3l_HD4l_L2L3L4Pl_Iat_nP",
                &format!("L3 and L4 header length, {what}, IAT and pulse for the N first packets"),
                "U8_U8_U32_DUR_DUR:R",
            ),
        };
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = FlowSlots::new(init.capacity());
        self.tails = Tails::new(init.capacity());
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Flow<'_>) {
        // B flows may start their clock at their A flow's start (NFRST_BCORR)
        let a_start = if flow.is_b() { flow.opposite().map(|a| a.first_seen()) } else { None };
        self.flows.reset(&flow).start(&self.set, flow.first_seen(), a_start);
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow {
            self.flows.get_mut(&flow).packet(&self.set, pkt.view(), TailOf::new(&mut self.tails, &flow));
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        self.flows.get_mut(&flow).packet(&self.set, pkt.view(), TailOf::new(&mut self.tails, &flow));
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let signal = self.flows.get(&flow);
        out.u32(signal.len() as u32);
        out.rep(signal.len() as u32);
        for s in signal.samples(self.tails.get(&flow)) {
            if self.hdr_info {
                out.u8(s.l3_hdr);
                out.u8(s.l4_hdr);
            }
            out.u32(s.len);
            time(out, s.time);
            if self.set.pulse() {
                time(out, s.pulse);
            }
        }
        self.tails.release(&flow);
    }
}

plugin_api::export_plugin!(NFrstPkts);

#[cfg(test)]
mod tests;
