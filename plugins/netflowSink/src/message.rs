//! Export messages of NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): header, template set and
//! data set, with the sequence numbers each protocol defines.
//!
//! No maintained crate encodes either protocol (crates.io has collectors' parsers such as
//! `netflow_parser`, nothing that exports), so the few dozen bytes of framing are written here.
//! Pure code: no I/O and no clock; the caller passes the export time.

use crate::flowrec::{Family, FlowRec};
use crate::template::{Optional, Template};

/// The export protocol (T2's `NF_VER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// NetFlow version 9.
    V9,
    /// IPFIX, "NetFlow version 10".
    Ipfix,
}

impl Protocol {
    /// The protocol of an `NF_VER` value: 10 is IPFIX, anything else v9.
    pub fn from_version(ver: u8) -> Protocol {
        if ver == 10 { Protocol::Ipfix } else { Protocol::V9 }
    }

    /// The version number in the message header.
    pub fn version(self) -> u16 {
        match self {
            Protocol::V9 => 9,
            Protocol::Ipfix => 10,
        }
    }

    /// Bytes of the message header.
    pub fn header_len(self) -> usize {
        match self {
            Protocol::V9 => 20,
            Protocol::Ipfix => 16,
        }
    }

    /// Set ID of a template set.
    fn template_set_id(self) -> u16 {
        match self {
            Protocol::V9 => 0,
            Protocol::Ipfix => 2,
        }
    }

    /// `NetFlow v9` or `IPFIX`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::V9 => "NetFlow v9",
            Protocol::Ipfix => "IPFIX",
        }
    }
}

/// Largest message: what one UDP datagram over IPv4 carries (65535 minus IP and UDP headers),
/// below IPFIX's 16-bit message length.
pub const MAX_MESSAGE: usize = 65_507;

/// When the message is sent: the analyzer's clock (packet time), not the wall clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportTime {
    /// Seconds since the epoch (the v9 header's `unix_secs`, IPFIX's export time).
    pub sec: u32,
    /// Milliseconds since the first packet (the v9 header's `sysUpTime`).
    pub uptime_ms: u32,
}

/// Builds messages and keeps the sequence numbers of one transport session.
#[derive(Clone, Debug)]
pub struct Encoder {
    protocol: Protocol,
    /// v9 source ID, IPFIX observation domain: the sensor ID (`-x`), as T2's.
    domain: u32,
    templates: [Template; 2],
    /// v9: export packets sent; IPFIX: data records sent (RFC 7011 §3.1).
    sequence: u32,
}

impl Encoder {
    /// An encoder of `protocol` messages for observation domain `domain`, with the templates
    /// of both families for the `optional` values.
    pub fn new(protocol: Protocol, domain: u32, optional: Optional) -> Encoder {
        let templates = [Template::new(Family::V4, optional), Template::new(Family::V6, optional)];
        Encoder { protocol, domain, templates, sequence: 0 }
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The template of `family`.
    pub fn template(&self, family: Family) -> &Template {
        &self.templates[family.index()]
    }

    /// Bytes of the template set (both templates).
    fn template_set_len(&self) -> usize {
        4 + self.templates.iter().map(Template::encoded_len).sum::<usize>()
    }

    /// The most records of `family` one message holds, templates included.
    pub fn max_records(&self, family: Family) -> usize {
        let fixed = self.protocol.header_len() + self.template_set_len() + 4;
        // a data set is padded to 4 bytes: reserve the 3 bytes it may need
        (MAX_MESSAGE - fixed - 3) / self.template(family).record_len()
    }

    /// Writes into `out` (cleared first) one message: the header, the template set when
    /// `with_templates`, and `records` as one data set of `family`'s template. `records` must
    /// not exceed [`Encoder::max_records`]. The sequence number counts what [`Encoder::sent`]
    /// was told, so a message that is built again after a failed send keeps its number.
    pub fn message(
        &self,
        out: &mut Vec<u8>,
        at: ExportTime,
        with_templates: bool,
        family: Family,
        records: &[FlowRec],
    ) {
        debug_assert!(records.len() <= self.max_records(family));
        out.clear();
        out.resize(self.protocol.header_len(), 0);
        let mut count = 0;
        if with_templates {
            let start = self.begin_set(out, self.protocol.template_set_id());
            for t in &self.templates {
                t.encode(out);
            }
            end_set(out, start);
            count += self.templates.len();
        }
        if !records.is_empty() {
            let t = self.template(family);
            let start = self.begin_set(out, t.id());
            for r in records {
                t.encode_record(r, out);
            }
            end_set(out, start);
            count += records.len();
        }
        self.header(out, at, count);
    }

    /// Appends a set header with a length to be filled in by [`end_set`]; returns its offset.
    fn begin_set(&self, out: &mut Vec<u8>, id: u16) -> usize {
        let start = out.len();
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        start
    }

    /// Fills in the message header; `count` is the number of template and data records.
    fn header(&self, out: &mut [u8], at: ExportTime, count: usize) {
        let mut h = Vec::with_capacity(self.protocol.header_len());
        h.extend_from_slice(&self.protocol.version().to_be_bytes());
        match self.protocol {
            Protocol::V9 => {
                h.extend_from_slice(&(count as u16).to_be_bytes());
                h.extend_from_slice(&at.uptime_ms.to_be_bytes());
                h.extend_from_slice(&at.sec.to_be_bytes());
            }
            Protocol::Ipfix => {
                h.extend_from_slice(&(out.len() as u16).to_be_bytes());
                h.extend_from_slice(&at.sec.to_be_bytes());
            }
        }
        h.extend_from_slice(&self.sequence.to_be_bytes());
        h.extend_from_slice(&self.domain.to_be_bytes());
        out[..h.len()].copy_from_slice(&h);
    }

    /// Advances the sequence number after a message with `records` data records was sent:
    /// v9 counts messages (RFC 3954 §5.1), IPFIX data records (RFC 7011 §3.1).
    pub fn sent(&mut self, records: usize) {
        self.sequence = match self.protocol {
            Protocol::V9 => self.sequence.wrapping_add(1),
            Protocol::Ipfix => self.sequence.wrapping_add(records as u32),
        };
    }
}

/// Pads the set that starts at `start` to a multiple of 4 bytes (RFC 3954 §5.3, RFC 7011 §3.3.1)
/// and writes its length.
fn end_set(out: &mut Vec<u8>, start: usize) {
    while !(out.len() - start).is_multiple_of(4) {
        out.push(0);
    }
    let len = (out.len() - start) as u16;
    out[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
}

/// When the templates go out again over UDP, where a collector that starts (or restarts) after
/// the exporter has no other way to learn them (RFC 3954 §9, RFC 7011 §8.4). Over TCP they go
/// once per connection (RFC 7011 §8.1) and this is never consulted.
#[derive(Clone, Copy, Debug)]
pub struct Refresh {
    /// Every n-th message (0: never).
    every_msgs: u32,
    /// After this many seconds of export time (0: never).
    every_secs: u32,
    /// Messages since the templates were last sent.
    msgs: u32,
    /// Export time the templates were last sent, `None` before the first time.
    last_sec: Option<u32>,
}

impl Refresh {
    /// A refresh every `every_msgs` messages or `every_secs` seconds, whichever comes first.
    pub fn new(every_msgs: u32, every_secs: u32) -> Refresh {
        Refresh { every_msgs, every_secs, msgs: 0, last_sec: None }
    }

    /// Forgets the templates were sent: a new transport session starts.
    pub fn reset(&mut self) {
        self.msgs = 0;
        self.last_sec = None;
    }

    /// Whether the message sent at `sec` carries the templates.
    pub fn due(&self, sec: u32) -> bool {
        let Some(last) = self.last_sec else { return true };
        (self.every_msgs > 0 && self.msgs >= self.every_msgs)
            || (self.every_secs > 0 && sec.wrapping_sub(last) >= self.every_secs)
    }

    /// A message was sent at `sec`, with the templates or without.
    pub fn sent(&mut self, sec: u32, with_templates: bool) {
        if with_templates {
            self.msgs = 1;
            self.last_sec = Some(sec);
        } else {
            self.msgs = self.msgs.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Field;

    fn be16(b: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    fn be32(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
    }

    fn rec(i: u8) -> FlowRec {
        let mut r = FlowRec { ip_ver: 4, packets: u64::from(i), proto: 6, ..FlowRec::default() };
        r.src[..4].copy_from_slice(&[10, 0, 0, i]);
        r
    }

    /// The sets of a message after its header: (set ID, bytes after the set header).
    fn sets(msg: &[u8], header: usize) -> Vec<(u16, Vec<u8>)> {
        let mut at = header;
        let mut out = Vec::new();
        while at < msg.len() {
            let (id, len) = (be16(msg, at), usize::from(be16(msg, at + 2)));
            assert!(len >= 4 && at + len <= msg.len(), "set at {at} of length {len}");
            assert_eq!(len % 4, 0, "sets are padded to 4 bytes");
            out.push((id, msg[at + 4..at + len].to_vec()));
            at += len;
        }
        out
    }

    const AT: ExportTime = ExportTime { sec: 1_291_753_225, uptime_ms: 5000 };

    #[test]
    fn ipfix_message_layout() {
        let mut e = Encoder::new(Protocol::Ipfix, 666, Optional::default());
        let mut msg = Vec::new();
        e.message(&mut msg, AT, true, Family::V4, &[rec(1), rec(2), rec(3)]);
        assert_eq!(be16(&msg, 0), 10);
        assert_eq!(usize::from(be16(&msg, 2)), msg.len());
        assert_eq!(be32(&msg, 4), AT.sec);
        assert_eq!(be32(&msg, 8), 0, "no data record sent before");
        assert_eq!(be32(&msg, 12), 666);
        let sets = sets(&msg, 16);
        assert_eq!(sets.iter().map(|s| s.0).collect::<Vec<_>>(), [2, 256]);
        let t4 = e.template(Family::V4);
        let t6 = e.template(Family::V6);
        let mut want = Vec::new();
        t4.encode(&mut want);
        t6.encode(&mut want);
        assert_eq!(sets[0].1, want);
        // three 47-byte records and one byte of padding
        assert_eq!(t4.record_len(), 47);
        assert_eq!(sets[1].1.len(), 3 * 47 + 3);
        assert_eq!(sets[1].1[3 * 47..], [0, 0, 0]);
        e.sent(3);
        e.message(&mut msg, AT, false, Family::V4, &[rec(4)]);
        assert_eq!(be32(&msg, 8), 3, "IPFIX counts data records");
        assert_eq!(self::sets(&msg, 16).len(), 1);
    }

    #[test]
    fn v9_message_layout() {
        let mut e = Encoder::new(Protocol::V9, 7, Optional::default());
        let mut msg = Vec::new();
        e.message(&mut msg, AT, true, Family::V6, &[rec(1), rec(2)]);
        assert_eq!(be16(&msg, 0), 9);
        assert_eq!(be16(&msg, 2), 4, "two templates and two data records");
        assert_eq!(be32(&msg, 4), 5000);
        assert_eq!(be32(&msg, 8), AT.sec);
        assert_eq!(be32(&msg, 12), 0);
        assert_eq!(be32(&msg, 16), 7);
        let sets = sets(&msg, 20);
        assert_eq!(sets.iter().map(|s| s.0).collect::<Vec<_>>(), [0, 257]);
        assert_eq!(sets[1].1.len(), 2 * 71 + 2);
        e.sent(2);
        e.message(&mut msg, AT, false, Family::V6, &[rec(3)]);
        assert_eq!(be16(&msg, 2), 1);
        assert_eq!(be32(&msg, 12), 1, "v9 counts messages");
    }

    #[test]
    fn sequence_wraps() {
        let mut e = Encoder::new(Protocol::Ipfix, 0, Optional::default());
        e.sequence = u32::MAX - 1;
        e.sent(3);
        assert_eq!(e.sequence, 1);
    }

    #[test]
    fn templates_only_message() {
        let e = Encoder::new(Protocol::V9, 0, Optional::default());
        let mut msg = Vec::new();
        e.message(&mut msg, AT, true, Family::V4, &[]);
        assert_eq!(be16(&msg, 2), 2);
        assert_eq!(sets(&msg, 20).len(), 1);
    }

    #[test]
    fn the_largest_message_fits_a_datagram() {
        let all = Optional { lengths: true, vlan: true, tcp_flags: true, tos: true, ttl: true, macs: true };
        for p in [Protocol::V9, Protocol::Ipfix] {
            let e = Encoder::new(p, 0, all);
            for fam in Family::ALL {
                let n = e.max_records(fam);
                let recs = vec![rec(1); n];
                let mut msg = Vec::new();
                e.message(&mut msg, AT, true, fam, &recs);
                assert!(msg.len() <= MAX_MESSAGE, "{p:?} {fam:?}: {}", msg.len());
                let one_more = msg.len() + e.template(fam).record_len();
                assert!(one_more + 3 > MAX_MESSAGE, "{p:?} {fam:?}: room for one more");
            }
        }
    }

    #[test]
    fn records_carry_every_field() {
        let t = Template::with_fields(256, vec![Field::FlowStartMs, Field::DstPort]);
        let e = Encoder { protocol: Protocol::Ipfix, domain: 0, templates: [t.clone(), t], sequence: 0 };
        let r = FlowRec { first_ms: 0x0102_0304_0506_0708, dst_port: 443, ..FlowRec::default() };
        let mut msg = Vec::new();
        e.message(&mut msg, AT, false, Family::V4, &[r]);
        assert_eq!(sets(&msg, 16), [(256, vec![1, 2, 3, 4, 5, 6, 7, 8, 1, 187, 0, 0])]);
    }

    #[test]
    fn refresh_by_messages_and_time() {
        let mut r = Refresh::new(3, 60);
        assert!(r.due(100), "the first message carries the templates");
        r.sent(100, true);
        assert!(!r.due(100));
        r.sent(100, false);
        r.sent(101, false);
        assert!(r.due(101), "every third message");
        r.sent(101, true);
        assert!(!r.due(160));
        assert!(r.due(161), "60 seconds later");
        r.reset();
        assert!(r.due(161), "a new session starts with the templates");
        let mut never = Refresh::new(0, 0);
        never.sent(0, true);
        for _ in 0..1000 {
            never.sent(0, false);
        }
        assert!(!never.due(u32::MAX));
    }
}
