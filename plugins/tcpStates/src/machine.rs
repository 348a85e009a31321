//! The connection state machine of one flow direction, driven by the TCP segments it sends
//! (plugins.md §5). Pure logic: no flows, no packets, so it can be tested on its own.
//!
//! tcpStates sits somewhere in the middle of the path: it may miss the start of a connection,
//! miss packets, or see only one side, so it is more lenient than a host's TCP stack and flags
//! what looks wrong instead of rejecting it.

use crate::anomaly::*;

/// TCP flag bits, and the combinations the machine tests.
mod th {
    pub use plugin_api::wire::tcp::flags::{ACK, FIN, PSH, RST, SYN, URG};
    /// The six classic flags (FIN ... URG).
    pub const CLASSIC: u8 = 0x3f;
    /// Christmas-tree scan: FIN, PSH and URG.
    pub const XMAS: u8 = FIN | PSH | URG;
    /// The flags the connection phases are told apart by.
    pub const ARSF: u8 = ACK | RST | SYN | FIN;
    /// FIN-ACK.
    pub const FIN_ACK: u8 = FIN | ACK;
}

/// Connection state of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum State {
    /// Nothing or only a handshake seen yet.
    #[default]
    New,
    /// Handshake done (or skipped).
    Established,
    /// This side sent a FIN.
    Closing,
    /// Both FINs sent and acknowledged.
    Closed,
    /// Reset.
    Reset,
}

impl State {
    /// The idle timeout (s) a flow gets when it enters this state.
    pub const fn timeout(self) -> f32 {
        match self {
            State::New => 120.0,
            State::Established => 610.0,
            State::Closing => 120.0,
            State::Closed => 10.0,
            State::Reset => 0.1,
        }
    }
}

/// The timeout classes registered with the core at init, in T2's order (duplicates are ignored
/// by the core).
pub const TIMEOUTS: [f32; 5] = [
    State::Reset.timeout(),
    State::New.timeout(),
    State::Established.timeout(),
    State::Closing.timeout(),
    State::Closed.timeout(),
];

/// The fields of a TCP segment the machine looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// Flags byte.
    pub flags: u8,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
}

/// What tcpStates knows about one direction of a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Conn {
    /// Anomaly bits so far (see [`crate::anomaly`]).
    pub anomalies: u8,
    /// Current state.
    pub state: State,
    /// Sequence number of this side's SYN.
    pub syn_seq: u32,
    /// Sequence number of this side's FIN.
    pub fin_seq: u32,
    /// This side sent a SYN.
    pub syn_seen: bool,
    /// The other side acknowledged it.
    pub syn_ackd: bool,
    /// This side sent a FIN.
    pub fin_seen: bool,
    /// The other side acknowledged it.
    pub fin_ackd: bool,
    /// The flow began with a FIN-ACK and had no opposite: a FIN scan unless a clean teardown
    /// follows.
    pub fin_scan: bool,
}

/// `ack` acknowledges the segment with sequence number `seq` (T2 compares in 64 bits, so
/// `seq = 0xffffffff` is never acknowledged).
fn acks(ack: u32, seq: u32) -> bool {
    u64::from(ack) == u64::from(seq) + 1
}

/// New idle timeouts for the flow and its opposite, when a segment changed them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timeouts {
    /// For the flow that sent the segment.
    pub own: Option<f32>,
    /// For its opposite.
    pub opp: Option<f32>,
}

/// One segment's effect on both directions.
struct Step<'a> {
    me: &'a mut Conn,
    opp: Option<&'a mut Conn>,
    seg: Segment,
    t: Timeouts,
}

impl Step<'_> {
    fn enter(&mut self, s: State) {
        self.me.state = s;
        self.t.own = Some(s.timeout());
    }

    /// Moves the opposite side (if any) to `s` and gives it the anomaly bits `bits`.
    fn enter_opp(&mut self, s: State, bits: u8) {
        if let Some(o) = self.opp.as_deref_mut() {
            o.state = s;
            o.anomalies |= bits;
            self.t.opp = Some(s.timeout());
        }
    }

    /// Both sides go to `s` with the anomaly bits `bits`.
    fn enter_both(&mut self, s: State, bits: u8) {
        self.me.anomalies |= bits;
        self.enter(s);
        self.enter_opp(s, bits);
    }

    /// A segment acknowledging the opposite side's FIN marks it acknowledged.
    fn ack_opp_fin(&mut self) {
        let ack = self.seg.ack;
        if let Some(o) = self.opp.as_deref_mut()
            && o.fin_seen
            && acks(ack, o.fin_seq)
        {
            o.fin_ackd = true;
        }
    }

    /// A RST once the connection is up: a malformed teardown on both sides.
    fn reset_teardown(&mut self) {
        self.me.anomalies |= RST_FROM_SENDER | MAL_TEARDOWN;
        self.enter(State::Reset);
        self.enter_opp(State::Reset, MAL_TEARDOWN);
    }

    fn in_new(&mut self) {
        let Segment { flags, seq, ack } = self.seg;
        if flags & (th::SYN | th::FIN | th::RST) == th::SYN {
            self.me.syn_seen = true;
            self.me.syn_seq = seq;
            self.t.own = Some(State::New.timeout());
            if flags & th::ACK != 0 {
                match self.opp.as_deref_mut() {
                    Some(o) if acks(ack, o.syn_seq) => o.syn_ackd = true,
                    // a SYN-ACK for another SYN, or for one we did not see
                    _ => self.enter_both(State::Established, MAL_CON_EST),
                }
            }
            return;
        }
        let arsf = flags & th::ARSF;
        if let Some(o) = self.opp.as_deref_mut() {
            if arsf == th::ACK {
                // last step of a three-way (or simultaneous) handshake
                if acks(ack, o.syn_seq) {
                    o.syn_ackd = true;
                    if self.me.syn_ackd {
                        self.enter_both(State::Established, 0);
                    }
                } else {
                    self.enter_both(State::Established, MAL_CON_EST);
                }
                return;
            }
            if arsf == th::RST | th::ACK {
                // connection refused
                self.me.anomalies |= RST_FROM_SENDER;
                self.enter(State::Reset);
                self.enter_opp(State::Reset, 0);
                return;
            }
        }
        if flags & th::RST != 0 {
            self.me.anomalies |= RST_FROM_SENDER | MAL_CON_EST;
            self.enter(State::Reset);
            if self.opp.is_some() {
                self.enter_opp(State::Reset, MAL_CON_EST);
            } else {
                // a RST out of nowhere: possible RST scan
                self.me.anomalies |= EVIL;
            }
            return;
        }
        match arsf {
            th::FIN_ACK => {
                // starts with a teardown: its beginning was missed, or a FIN scan
                self.me.fin_seen = true;
                self.me.fin_seq = seq;
                self.me.anomalies |= MAL_CON_EST;
                self.enter(State::Closing);
                match self.opp.as_deref_mut() {
                    Some(o) => {
                        o.anomalies |= MAL_CON_EST;
                        self.ack_opp_fin();
                    }
                    None => self.me.fin_scan = true,
                }
            }
            th::FIN => self.me.anomalies |= EVIL,
            // anything else: skip the handshake, the rest of the flow may still be of interest
            _ => self.enter_both(State::Established, MAL_CON_EST),
        }
    }

    fn in_established(&mut self) {
        let flags = self.seg.flags;
        // no SYN and no segment without ACK once established (even RSTs should acknowledge)
        if flags & (th::SYN | th::ACK) != th::ACK {
            self.me.anomalies |= MAL_FLAGS_EST;
            if let Some(o) = self.opp.as_deref_mut() {
                o.anomalies |= MAL_FLAGS_EST;
            }
        }
        if flags & th::FIN != 0 {
            self.me.fin_seen = true;
            self.me.fin_seq = self.seg.seq;
            self.enter(State::Closing);
            if flags & th::ACK != 0 {
                self.ack_opp_fin();
            }
        }
        if flags & th::RST != 0 {
            self.reset_teardown();
        }
    }

    fn in_closing(&mut self) {
        let flags = self.seg.flags;
        if flags & th::RST != 0 {
            self.reset_teardown();
        }
        if flags & th::ACK != 0 {
            self.ack_opp_fin();
        }
        // T2 tests this even right after a RST in the same segment
        let me = &*self.me;
        if me.fin_seen
            && me.fin_ackd
            && let Some(o) = self.opp.as_deref()
            && o.fin_seen
            && o.fin_ackd
        {
            self.enter(State::Closed);
            self.enter_opp(State::Closed, 0);
        }
    }

    fn in_closed(&mut self) {
        self.me.anomalies |= PKTS_AFTER_TEARDOWN;
        if self.seg.flags & th::RST != 0 {
            self.reset_teardown();
        }
    }
}

/// Applies a segment sent by the side `me` to both sides' states; `opp` is the opposite
/// direction, if the core has seen it. Returns the timeouts to set.
pub fn segment(me: &mut Conn, opp: Option<&mut Conn>, seg: Segment) -> Timeouts {
    let classic = seg.flags & th::CLASSIC;
    if classic == 0 || classic == th::XMAS {
        // NULL or Christmas-tree scan
        me.anomalies |= EVIL;
    }
    let mut step = Step { me, opp, seg, t: Timeouts::default() };
    match step.me.state {
        State::New => step.in_new(),
        State::Established => step.in_established(),
        State::Closing => step.in_closing(),
        State::Closed => step.in_closed(),
        State::Reset => step.me.anomalies |= PKTS_AFTER_RESET,
    }
    step.t
}

/// The anomaly bits a TCP flow ends with: an incomplete handshake or teardown on either side
/// is malformed, and a FIN scan mark survives unless the teardown was clean.
pub fn finish(me: &mut Conn, opp: Option<&mut Conn>) -> u8 {
    match opp {
        None => me.anomalies |= MAL_CON_EST | MAL_TEARDOWN,
        Some(o) => {
            if !(me.syn_seen && o.syn_seen && me.syn_ackd && o.syn_ackd) {
                me.anomalies |= MAL_CON_EST;
            }
            if me.fin_seen && o.fin_seen && me.fin_ackd && o.fin_ackd {
                me.fin_scan = false;
                o.fin_scan = false;
            } else {
                me.anomalies |= MAL_TEARDOWN;
            }
        }
    }
    if me.fin_scan {
        me.anomalies |= EVIL;
    }
    me.anomalies
}
