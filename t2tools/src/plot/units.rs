//! What a column measures, from its name, for the axis labels: `l7BytesSnt [bytes]`.

/// The unit of a column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A time stamp, seconds since 1970 (`timeFirst`, `time`): plotted as seconds since the
    /// first one.
    Timestamp,
    /// Seconds (`duration`, `minIAT`, RTTs).
    Seconds,
    /// Bytes.
    Bytes,
    /// Packets.
    Packets,
    /// Bytes per second.
    BytesPerSecond,
    /// Packets per second.
    PacketsPerSecond,
    /// Bits per second (`rawBandwidth`).
    BitsPerSecond,
    /// Kilobytes (`memUsageKB`).
    Kilobytes,
    /// Flows.
    Flows,
    /// Nothing known.
    Unknown,
}

impl Unit {
    /// The unit of column `name`.
    pub fn of(name: &str) -> Unit {
        let n = name.to_ascii_lowercase();
        match n.as_str() {
            "timefirst" | "timelast" | "time" | "pkttime" | "tcpbtm" => Unit::Timestamp,
            "bytps" => Unit::BytesPerSecond,
            "pktps" => Unit::PacketsPerSecond,
            "rawbandwidth" => Unit::BitsPerSecond,
            "memusagekb" => Unit::Kilobytes,
            _ if n.contains("iat") || n == "duration" || n.contains("rtt") || n.contains("trip") => Unit::Seconds,
            _ if n.contains("byte") => Unit::Bytes,
            _ if n.contains("pkt") => Unit::Packets,
            _ if n.contains("flows") || n == "fillszhashmap" => Unit::Flows,
            _ => Unit::Unknown,
        }
    }

    /// The text after the name in an axis label, e.g. `bytes`; empty if unknown.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Timestamp | Unit::Seconds => "s",
            Unit::Bytes => "bytes",
            Unit::Packets => "packets",
            Unit::BytesPerSecond => "bytes/s",
            Unit::PacketsPerSecond => "packets/s",
            Unit::BitsPerSecond => "bit/s",
            Unit::Kilobytes => "KB",
            Unit::Flows => "flows",
            Unit::Unknown => "",
        }
    }
}

/// An axis label: `name [unit]`, or the name alone.
pub fn axis_label(name: &str, unit: Unit) -> String {
    match unit.label() {
        "" => name.to_string(),
        u => format!("{name} [{u}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_from_names() {
        assert_eq!(Unit::of("timeFirst"), Unit::Timestamp);
        assert_eq!(Unit::of("l7BytesSnt"), Unit::Bytes);
        assert_eq!(Unit::of("pktsSnt"), Unit::Packets);
        assert_eq!(Unit::of("numPkts"), Unit::Packets);
        assert_eq!(Unit::of("avgIAT"), Unit::Seconds);
        assert_eq!(Unit::of("bytps"), Unit::BytesPerSecond);
        assert_eq!(Unit::of("winPktThCnt"), Unit::Packets);
        assert_eq!(Unit::of("srcPort"), Unit::Unknown);
        assert_eq!(axis_label("l7BytesSnt", Unit::Bytes), "l7BytesSnt [bytes]");
        assert_eq!(axis_label("srcPort", Unit::Unknown), "srcPort");
    }
}
