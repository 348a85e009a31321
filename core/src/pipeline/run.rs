//! The packet loop of a run (T2's main loop around `pcap_dispatch`): a packet source read one
//! packet at a time, the per-packet step of the engine ([`Pipeline::packet`]), and between
//! packets the periodic work: idle timeouts on a quiet interface, monitoring reports, signals,
//! and the move to the next capture of a list or series. The three parts only meet here, so
//! that each can later run on its own thread.

use std::sync::Arc;

use crate::capture::bpf::Filter;
use crate::capture::feed::Feed;
use crate::capture::{self, IDLE_POLLS, LiveStats, PacketSource, Polled};
use crate::error::Error;
use crate::log::Log;
use crate::progress::Meter;
use crate::{dissect, flags, signals, time};

use super::{Pipeline, Stop};

/// The reports a run writes while it reads, served by the layer above the pipeline (the
/// monitoring engine).
pub trait Reports {
    /// Writes one report now; `live` holds libpcap's counters when reading an interface.
    fn report(&mut self, p: &mut Pipeline, live: Option<LiveStats>);

    /// The run moved on to `source`, the next capture of `feed`.
    fn next_capture<S: PacketSource>(&mut self, source: &S, feed: &dyn Feed<S>);
}

/// The packet input of a run: the capture being read, the ones after it (`-R`, `-D`), and the
/// BPF filter that our own reader applies (an interface filters in the kernel instead).
pub struct Input<'f, S> {
    source: S,
    feed: &'f mut dyn Feed<S>,
    bpf: Option<String>,
    filter: Option<Filter>,
    /// The name the run was started with (`-r FILE`, `-i IFACE`).
    name: String,
    /// What the progress line shows, once asked for ([`Input::meter`]).
    meter: Option<Arc<Meter>>,
}

impl<S> core::fmt::Debug for Input<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Input").field("name", &self.name).field("bpf", &self.bpf).finish_non_exhaustive()
    }
}

/// Compiles `bpf` for a capture with link type `dlt` (`None`: no filter). `-D` adds T2's hint.
fn compile_filter<S>(bpf: Option<&str>, dlt: u32, feed: &dyn Feed<S>) -> Result<Option<Filter>, Error> {
    let Some(expr) = bpf else { return Ok(None) };
    Filter::compile(expr, dlt).map(Some).map_err(|msg| match feed.bpf_hint() {
        Some(hint) => {
            crate::log::error(&msg);
            Error::Input(hint.to_owned())
        }
        None => Error::Input(msg),
    })
}

impl<'f, S: PacketSource> Input<'f, S> {
    /// Reads `source`, then the captures of `feed`, keeping what `bpf` matches. The filter is
    /// set now: T2 sets it when it opens the input, before the plugins are loaded.
    pub fn new(mut source: S, feed: &'f mut dyn Feed<S>, bpf: Option<String>, name: &str) -> Result<Self, Error> {
        let filter = match bpf.as_deref() {
            Some(expr) if source.set_filter(expr).map_err(Error::Input)? => None,
            _ => compile_filter(bpf.as_deref(), source.dlt(), &*feed)?,
        };
        Ok(Input { source, feed, bpf, filter, name: name.to_owned(), meter: None })
    }

    /// What the progress line shows, kept up to date by the packet loop from now on (a run
    /// without the line does not pay for it).
    pub fn meter(&mut self) -> Arc<Meter> {
        let (source, feed) = (&self.source, &*self.feed);
        self.meter
            .get_or_insert_with(|| {
                let m = Meter::default();
                m.capture(source, feed);
                Arc::new(m)
            })
            .clone()
    }

    /// The capture being read.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// Where the captures after it come from.
    pub fn feed(&self) -> &dyn Feed<S> {
        &*self.feed
    }

    /// The name the run was started with (`-` for stdin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// libpcap's counters, when reading an interface.
    pub fn live_stats(&mut self) -> Option<LiveStats> {
        self.source.live_stats()
    }

    /// Bytes of every capture and their number, for the end report.
    pub fn totals(&self) -> (u64, u64) {
        self.feed.totals().unwrap_or_else(|| (self.source.file_size(), 1))
    }

    /// The lines describing the capture being read (log level 2); the `first` time also the
    /// BPF and an interface's receive buffer.
    pub fn announce(&self, log: &mut Log, first: bool) {
        let s = &self.source;
        if s.rx_buffer().is_some() {
            log.line(format_args!("Live capture on interface: {}", self.name));
        } else {
            self.feed.announce(log, &self.name);
        }
        if let Some(b) = self.bpf.as_deref().filter(|_| first) {
            log.info(&format!("BPF: {b}"));
        }
        log.line(format_args!("Link layer type: {}", capture::linktype_text(s.dlt())));
        let snap = u64::from(s.snaplen());
        log.line(format_args!("Snapshot length: {snap}{}", plugin_api::fmt::human(snap)));
        if let Some(rx) = s.rx_buffer().filter(|_| first) {
            log.line(format_args!("Rx buffer length: {rx}{}", plugin_api::fmt::human(u64::from(rx))));
        }
    }
}

impl Pipeline {
    /// Reads `input` to its end, or until the run must stop (a plugin failed, a table
    /// overflowed, a signal), handing every packet to the engine and serving `reports` and the
    /// signal thread `ctl` between packets. An error ends the run; the caller still closes it.
    pub fn run<S: PacketSource, R: Reports>(
        &mut self,
        input: &mut Input<'_, S>,
        ctl: Option<&signals::Control>,
        reports: &mut R,
    ) -> Result<(), Error> {
        let mut supported = dissect::supported(input.source.linktype());
        let mut last_err: Option<String> = None;
        // reads without a packet since the clock last moved (live capture)
        let mut idle_polls = 0u32;
        while self.stop().is_none() {
            match input.source.poll() {
                // filtered out: as with libpcap's filter, counted nowhere
                Polled::Packet(pkt) if input.filter.as_ref().is_some_and(|f| !f.matches(pkt.data, pkt.wirelen)) => {}
                Polled::Packet(pkt) => {
                    if !supported {
                        // as T2: fail at the first packet, after its "Dump start"
                        self.begin(pkt.ts);
                        return Err(Error::LinkType(capture::linktype_text(input.source.dlt())));
                    }
                    self.packet(&pkt);
                    if let Some(m) = &input.meter {
                        m.packet(self.g.num_packets, input.source.position(), self.table.len());
                    }
                    if self.report_due {
                        self.report_due = false;
                        reports.report(self, input.source.live_stats());
                    }
                    idle_polls = 0;
                }
                Polled::Idle => {
                    // as T2 (ZPKTITMUPD): an idle interface still times flows out, every ~1.5 s
                    idle_polls += 1;
                    if idle_polls >= IDLE_POLLS {
                        idle_polls = 0;
                        self.idle(time::now());
                        if let Some(m) = &input.meter {
                            m.packet(self.g.num_packets, input.source.position(), self.table.len());
                        }
                    }
                }
                Polled::Error(msg) => {
                    if last_err.as_deref() != Some(msg.as_str()) {
                        self.streams.log.borrow_mut().warn(&format!("pcap_dispatch failed: {msg}"));
                        last_err = Some(msg);
                    }
                }
                Polled::End => {
                    if !self.next_capture(input, ctl, reports)? {
                        break;
                    }
                    supported = dissect::supported(input.source.linktype());
                }
            }
            if let Some(c) = ctl
                && c.pending() != 0
            {
                let live = input.source.live_stats();
                if self.serve_signals(c, reports, live) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// The capture ended: moves `input` to the next capture of its feed, waiting for a `-D`
    /// file while serving signals. False when the input ends.
    fn next_capture<S: PacketSource, R: Reports>(
        &mut self,
        input: &mut Input<'_, S>,
        ctl: Option<&signals::Control>,
        reports: &mut R,
    ) -> Result<bool, Error> {
        let streams = self.streams.clone();
        let mut serve = || ctl.is_some_and(|c| c.pending() != 0 && self.serve_signals(c, reports, None));
        let Some(next) = input.feed.next(&streams.log, &mut serve) else { return Ok(false) };
        input.source = next;
        reports.next_capture(&input.source, &*input.feed);
        if let Some(m) = &input.meter {
            m.capture(&input.source, &*input.feed);
        }
        input.filter = compile_filter(input.bpf.as_deref(), input.source.dlt(), &*input.feed)?;
        if self.settings.verbose > 1 {
            input.announce(&mut streams.log.borrow_mut(), false);
        }
        Ok(true)
    }

    /// Serves what the signal thread requested; true when the run must stop reading.
    fn serve_signals<R: Reports>(&mut self, c: &signals::Control, reports: &mut R, live: Option<LiveStats>) -> bool {
        let req = c.take();
        if req & signals::REPORT != 0 {
            reports.report(self, live);
        }
        self.log_run_levels(req);
        if req & signals::NO_NEW_FLOWS != 0 {
            self.stop_flow_creation();
        }
        req & (signals::INT | signals::TERM | signals::ABORT) != 0 || self.stop().is_some()
    }

    /// T2's messages for the run levels the signals in `req` reached, in the order they were
    /// reached.
    fn log_run_levels(&self, req: u8) {
        if self.settings.verbose == 0 {
            return;
        }
        let soft =
            format!("SIGINT: Stop flow creation, when all pending flows timeout ({}s): exit", flags::FLOW_TIMEOUT);
        let messages = [
            (signals::NO_NEW_FLOWS, soft.as_str()),
            (signals::INT, "SIGINT: Remove all flows and exit"),
            (signals::TERM, "SIGTERM: Terminate, terminate. Remove all flows and exit"),
            (signals::ABORT, "SIGINT: Terminate, terminate."),
        ];
        let mut log = self.streams.log.borrow_mut();
        for (_, msg) in messages.iter().filter(|(bit, _)| req & bit != 0) {
            log.info(msg);
        }
        // seen at once even through a pipe: the user waits for it to decide on the next Ctrl-C
        log.flush();
    }

    /// T2's `terminate`: writes and removes every flow, until a SIGINT at run level 1 or a
    /// second SIGTERM stops it, then logs the run levels signals reached meanwhile (and the
    /// flows a second SIGTERM left unwritten).
    pub fn end_flows(&mut self, ctl: Option<&signals::Control>) {
        self.flush_until(|| ctl.is_some_and(signals::Control::aborted));
        if let Some(c) = ctl {
            self.log_run_levels(c.take());
            let left = self.table.len();
            if c.terminated_twice() && left > 0 {
                crate::log::error(&format!("SIGTERM again: stopped writing flows, {left} flows not written"));
                self.stop = Some(Stop::Terminated);
            }
        }
    }

    /// Lets the plugins finish their files and flushes the streams, so that what the run
    /// computed is written out however it ends.
    pub fn close(&mut self) {
        self.plugins.finalize(&self.g, self.table.records());
        self.streams.flush();
    }
}
