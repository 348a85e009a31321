//! httpSniffer (310): HTTP/1.x requests and responses, as T2 0.9.3's httpSniffer reads them.
//!
//! Per flow: status, anomaly and content bits, methods, MIME type bits, GET/POST counts, the
//! response status codes, and the hosts, URLs, MIME types, cookies, body names, Refresh URLs,
//! User-Agents, X-Forwarded-For, Referers, Via, Locations, Servers and X-Powered-By seen (each
//! at most `HTTP_DATA_C_MAX` per flow, each distinct once with T2's aggregation flags). Over
//! the run: the end-report lines, one monitoring column, and in packet mode (`-s`) the flow's
//! bits after each packet. T2's data carving (`HTTP_SAVE_*`) is not implemented.
//!
//! `parse` reads bytes (bounded, zero past the capture), `state` holds a flow and the
//! per-packet logic, `store` the strings a flow keeps; this file connects them to the plugin
//! callbacks. A flow that is neither TCP nor UDP with a port above 1024 costs one test per
//! packet; a packet without payload, two. T2 reads every packet of the other flows for
//! `HTTP/1.` anywhere; until a packet has a header line (a first line ending in `\r\n`) a
//! flow only counts packets in a [`Tag`], and the full state (a [`SparseSlots`] entry, given
//! back when the flow ends) is claimed at the first such packet: a binary flow costs one
//! search for `\r\n` per packet with payload.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin

pub mod flags;
pub mod parse;
pub mod state;
pub mod store;
#[cfg(test)]
mod tests;

use plugin_api::status::L7_SIPRTP;
use plugin_api::wire::ipproto::{SCTP, TCP, UDP};
use plugin_api::{
    Columns, Ctx, Flow, FlowSlots, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report,
    SparseSlots,
};

pub use flags::Config;
use parse::Payload;
use state::{COUNTS, Count, FlowState, Who, content, stat};
use store::Field;

/// Run-wide counts (T2's statics).
#[derive(Debug, Default)]
struct Totals {
    /// HTTP packets (`totalHttpPktCnt`), and at the last monitoring report.
    pkts: u64,
    pkts0: u64,
    get: u64,
    post: u64,
    stat: u16,
    a_flags: u16,
    c_flags: u16,
    mimes: u16,
    /// Bodies named: image, video, audio, message, text, application, unknown.
    files: [u64; 7],
}

/// What every flow has: whether it may carry HTTP, and its packets counted while it has no
/// [`FlowState`] (they become the state's `pktcnt` when it is claimed).
#[derive(Clone, Copy, Debug, Default)]
pub struct Tag {
    /// TCP, SCTP with SCTP dissected, or UDP with a port above 1024 (`httpCFlags` PCNT).
    pcnt: bool,
    /// Packets with payload read.
    pktcnt: u32,
}

/// The httpSniffer plugin.
pub struct HttpSniffer {
    host: Host,
    cfg: Config,
    /// Per flow: its tag.
    tags: FlowSlots<Tag>,
    /// The state of flows that had a header line.
    flows: SparseSlots<FlowState>,
    /// What a flow without state writes (never HTTP: no flags).
    blank: FlowState,
    tot: Totals,
    /// SCTP flows are read too when the core dissects SCTP.
    sctp: bool,
    /// Packet mode (`-s`), and the reused buffer of a packet's fields.
    packet_mode: bool,
    line: PacketLine,
}

/// The string columns: name, description, field, and whether the flags enable it.
fn string_columns(cfg: &Config) -> [(&'static str, &'static str, Field, bool); 19] {
    [
        ("httpHosts", "HTTP Host names", Field::Host, cfg.http_host),
        ("httpURL", "HTTP URLs", Field::Url, cfg.http_url),
        ("httpMimes", "HTTP MIME-types", Field::Mime, cfg.http_mime),
        ("httpCookies", "HTTP cookies", Field::Cookie, cfg.http_cookie),
        ("httpImages", "HTTP images", Field::Image, cfg.http_image),
        ("httpVideos", "HTTP videos", Field::Video, cfg.http_video),
        ("httpAudios", "HTTP audios", Field::Audio, cfg.http_audio),
        ("httpMsgs", "HTTP messages", Field::Msg, cfg.http_msg),
        ("httpAppl", "HTTP applications", Field::Appl, cfg.http_appl),
        ("httpText", "HTTP texts", Field::Text, cfg.http_text),
        ("httpPunk", "HTTP payload unknown", Field::Punk, cfg.http_punk),
        ("httpBdyURL", "HTTP body: Refresh, Set-Cookie URL", Field::BodyUrl, cfg.http_body && cfg.http_bdurl),
        ("httpUsrAg", "HTTP User-Agent", Field::UserAgent, cfg.http_usrag),
        ("httpXFor", "HTTP X-Forwarded-For", Field::XFor, cfg.http_xfrwd),
        ("httpRefrr", "HTTP Referer", Field::Referer, cfg.http_refrr),
        ("httpVia", "HTTP Via (Proxy)", Field::Via, cfg.http_via),
        ("httpLoc", "HTTP Location (Redirection)", Field::Location, cfg.http_loc),
        ("httpServ", "HTTP Server", Field::Server, cfg.http_serv),
        ("httpPwr", "HTTP Powered By", Field::Powered, cfg.http_pwr),
    ]
}

/// Packet mode: the flow's bits after a packet (`httpStat` without the header-reading state,
/// as T2 prints it); `tag` for a flow without state.
fn packet_fields(line: &mut PacketLine, host: Host, body: bool, s: Option<&FlowState>, tag: Tag) {
    let pcnt = if tag.pcnt { content::PCNT } else { 0 };
    let (flags, a, m, mimes, c) =
        s.map_or((0, 0, 0, 0, pcnt), |s| (s.flags & !stat::HTTP_HDR, s.a_flags, s.methods, s.mime_types, s.c_flags));
    line.hex(u64::from(flags), 4).hex(u64::from(a), 4).hex(u64::from(m), 2).hex(u64::from(mimes), 4);
    if body {
        line.hex(u64::from(c), 4);
    }
    line.write(host);
}

impl HttpSniffer {
    /// An httpSniffer with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> HttpSniffer {
        HttpSniffer {
            host,
            cfg,
            tags: FlowSlots::default(),
            flows: SparseSlots::default(),
            blank: FlowState::default(),
            tot: Totals::default(),
            sctp: false,
            packet_mode: false,
            line: PacketLine::default(),
        }
    }

    /// The state of `flow`, claimed with the packets its tag counted if it had none.
    fn claim(&mut self, flow: &Flow<'_>) -> &mut FlowState {
        let tag = *self.tags.get(flow);
        self.flows.get_or_claim(flow, FlowState::default, |s| {
            s.start(tag.pcnt);
            s.pktcnt = tag.pktcnt;
        })
    }

    /// The human report lines of the aggregated bits.
    fn aggregated(&self, r: &Report) {
        let t = &self.tot;
        r.aggr("httpStat", u64::from(t.stat & !stat::HTTP_HDR), 2);
        r.aggr("httpAFlags", u64::from(t.a_flags), 2);
        if self.cfg.http_body {
            r.aggr("httpCFlags", u64::from(t.c_flags), 2);
        }
        r.aggr("httpHeadMimes", u64::from(t.mimes), 2);
    }
}

impl Plugin for HttpSniffer {
    fn new(host: Host) -> Self {
        HttpSniffer::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        c.add("httpStat", "HTTP status", "H16");
        c.add("httpAFlags", "HTTP anomaly flags", "H16");
        c.add("httpMethods", "HTTP methods in flow", "H8");
        c.add("httpHeadMimes", "HTTP HEADMIME-TYPES in flow", "H16");
        if self.cfg.http_body {
            c.add("httpCFlags", "HTTP content info in flow", "H16");
        }
        if self.cfg.http_mcnt {
            c.add("httpGet_Post", "HTTP number of GET and POST requests", "U16_U16");
        }
        if self.cfg.http_stat {
            c.add("httpRSCnt", "HTTP response status count", "U16");
            c.add("httpRSCode", "HTTP response status code", "U16:R");
        }
        c.add(
            "httpURL_Via_Loc_Srv_Pwr_UAg_XFr_Ref_Cky_Mim",
            "HTTP number of URLs, Via, Location, Server, Powered By, User-Agent, X-Forwarded-For, Referer, Cookie and Mime-Type",
            "U16_U16_U16_U16_U16_U16_U16_U16_U16_U16",
        );
        c.add(
            "httpImg_Vid_Aud_Msg_Txt_App_Unk",
            "HTTP number of images, videos, audios, messages, texts, applications and unknown",
            "U16_U16_U16_U16_U16_U16_U16",
        );
        for (name, desc, _, on) in string_columns(&self.cfg) {
            if on {
                c.add(name, desc, "S:R");
            }
        }
        if self.cfg.http_avast_cid {
            c.add("httpAvastCid", "HTTP Avast Client ID", "S");
        }
        if self.cfg.http_eset_uid {
            c.add("httpEsetUid", "HTTP ESET Update ID", "S");
        }
    }

    fn init(&mut self, init: &Init<'_>) {
        self.tags = FlowSlots::new(init.capacity());
        self.flows = SparseSlots::new(init.capacity());
        self.sctp = init.config().sctp_activate > 0;
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            let names = ["httpStat", "httpAFlags", "httpMethods", "httpHeadMimes", "httpCFlags"];
            PacketLine::header(self.host, &names[..4 + usize::from(self.cfg.http_body)]);
        }
    }

    // TCP (and SCTP) flows may carry HTTP; UDP ones when a port is above 1024.
    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let k = flow.key();
        let pcnt = match pkt.l4_proto() {
            TCP => true,
            SCTP => self.sctp,
            UDP => k.src_port > 1024 || k.dst_port > 1024,
            _ => false,
        };
        *self.tags.get_mut(&flow) = Tag { pcnt, pktcnt: 0 };
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow
            && self.packet_mode
        {
            let (s, tag) = (self.flows.get(&flow), *self.tags.get(&flow));
            packet_fields(&mut self.line, self.host, self.cfg.http_body, s, tag);
        }
    }

    fn on_layer4(&mut self, ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let p = Payload::new(pkt.l7(), usize::from(pkt.view().snap_l7_len));
        if self.flows.get(&flow).is_none() {
            let tag = self.tags.get_mut(&flow);
            if tag.pcnt && p.len > 0 {
                if state::has_header_line(p) {
                    self.claim(&flow);
                } else {
                    // all FlowState::packet would do with this packet
                    tag.pktcnt = tag.pktcnt.wrapping_add(1);
                    self.tot.pkts += 1;
                }
            }
        }
        let opposite = flow.opposite();
        if let (Some(s), opp) = self.flows.pair_mut(&flow, opposite.map(|o| o.index())) {
            let who = Who { findex: flow.findex(), dir: if flow.is_b() { b'B' } else { b'A' } };
            let opp_claimed = opp.is_some();
            let seen = s.packet(&self.cfg, p, opp, who);
            if seen.counted {
                self.tot.pkts += 1;
            }
            if seen.sip {
                ctx.add_global_warn(L7_SIPRTP);
            }
            if seen.strm
                && !opp_claimed
                && let Some(o) = opposite
            {
                self.claim(&o).c_flags |= content::STRM;
            }
        }
        if self.packet_mode {
            let (s, tag) = (self.flows.get(&flow), *self.tags.get(&flow));
            packet_fields(&mut self.line, self.host, self.cfg.http_body, s, tag);
        }
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let cfg = self.cfg;
        let never = match self.flows.get_mut(&flow) {
            Some(s) => s.finish(),
            None => self.tags.get(&flow).pktcnt,
        };
        self.tot.pkts -= u64::from(never).min(self.tot.pkts);
        let s = self.flows.get(&flow).unwrap_or(&self.blank);
        let t = &mut self.tot;
        t.stat |= s.flags;
        t.mimes |= s.mime_types;
        t.a_flags |= s.a_flags;
        t.c_flags |= s.c_flags;
        for (i, c) in [Count::Image, Count::Video, Count::Audio, Count::Msg, Count::Text, Count::Appl, Count::Unknown]
            .into_iter()
            .enumerate()
        {
            t.files[i] += u64::from(s.counts[c as usize]);
        }
        t.get += u64::from(s.get_post[0]);
        t.post += u64::from(s.get_post[1]);

        out.u16(s.flags);
        out.u16(s.a_flags);
        out.u8(s.methods);
        out.u16(s.mime_types);
        if cfg.http_body {
            out.u16(s.c_flags);
        }
        if cfg.http_mcnt {
            out.u16(s.get_post[0]);
            out.u16(s.get_post[1]);
        }
        if cfg.http_stat {
            out.u16(s.stat_c);
            let codes = s.status_codes();
            out.rep(codes.len() as u32);
            codes.iter().for_each(|&c| out.u16(c));
        }
        for c in &s.counts[..COUNTS] {
            out.u16(*c);
        }
        let empty = s.store.is_empty(); // most flows: no string at all
        for (_, _, field, on) in string_columns(&cfg) {
            if !on {
                continue;
            }
            if empty {
                out.rep(0);
            } else {
                out.rep(s.store.of(field).count() as u32);
                s.store.of(field).for_each(|v| out.str(v));
            }
        }
        if cfg.http_avast_cid {
            out.str(parse::c_str(&s.avast_cid));
        }
        if cfg.http_eset_uid {
            out.str(parse::c_str(&s.eset_uid));
        }
        self.flows.release(&flow);
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        let t = &self.tot;
        if t.pkts == 0 {
            return;
        }
        self.aggregated(r);
        if t.files.iter().any(|&n| n > 0) {
            let [img, vid, aud, msg, txt, app, unk] = t.files;
            r.line(&format!("Number of files img_vid_aud_msg_txt_app_unk: {img}_{vid}_{aud}_{msg}_{txt}_{app}_{unk}"));
        }
        r.nump("Number of HTTP packets", t.pkts, ctx.globals().num_packets);
        r.nump("Number of HTTP GET  requests", t.get, t.pkts);
        if t.post > 0 {
            r.nump0("Number of HTTP POST requests", t.post, t.pkts);
            r.line(&format!("HTTP GET/POST ratio: {:.2}", t.get as f64 / t.post as f64));
        }
    }

    fn monitoring(&mut self, ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        match state {
            MonState::Header => {
                mon.field("httpPkts");
                return;
            }
            MonState::Values => mon.field(self.tot.pkts - self.tot.pkts0.min(self.tot.pkts)),
            MonState::Report => {
                let r = mon.report();
                self.aggregated(&r);
                let g = ctx.globals();
                let pkts = self.tot.pkts - self.tot.pkts0.min(self.tot.pkts);
                r.nump("Number of HTTP packets", pkts, g.num_packets - g.num_packets0);
            }
        }
        if mon.diff() {
            self.tot.pkts0 = self.tot.pkts;
        }
    }
}

plugin_api::export_plugin!(HttpSniffer);
