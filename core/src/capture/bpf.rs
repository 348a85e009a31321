//! BPF filters (core.md §1.5): the expression from the trailing words or `-F FILE`, compiled
//! by libpcap for each capture's link type and run on the packets of our own reader, where T2
//! let libpcap drop them before its callback (so filtered packets are counted nowhere). A live
//! capture hands the filter to the kernel instead ([`crate::capture::PacketSource::set_filter`]).

use std::path::Path;

use plugin_api::fmt::{escaped, strerror};

use super::live;

/// The filter expression of a run: `-F FILE` wins over the trailing words; `None` = no filter.
pub fn expression(file: Option<&Path>, words: &[String]) -> Result<Option<String>, String> {
    let expr = match file {
        Some(f) => read_file(f)?,
        None => words.join(" "),
    };
    Ok(if expr.is_empty() { None } else { Some(expr) })
}

/// Reads `-F FILE` as T2 does: fatal if it cannot be read or is empty, every `#` up to the end
/// of its line blanked, trailing spaces and newlines removed.
fn read_file(path: &Path) -> Result<String, String> {
    let name = escaped(&path);
    let bytes = std::fs::read(path).map_err(|e| {
        let e = strerror(&e);
        format!("Failed to open file '{name}' for reading: {e}")
    })?;
    if bytes.is_empty() {
        return Err(format!("BPF file '{name}' is empty"));
    }
    Ok(strip_comments(&String::from_utf8_lossy(&bytes)))
}

/// Blanks comments (same length, so positions in libpcap's messages stay) and trims the end.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut comment = false;
    for c in text.chars() {
        comment = match c {
            '#' => true,
            '\n' => false,
            _ => comment,
        };
        out.push(if comment { ' ' } else { c });
    }
    out.truncate(out.trim_end_matches([' ', '\n']).len());
    out
}

/// A compiled filter for one link type.
pub struct Filter(pcap::BpfProgram);

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filter")
    }
}

impl Filter {
    /// Compiles `expr` for link type `dlt` (libpcap's number) without optimisation and with
    /// netmask 0, as T2 does; the error is T2's whole message.
    pub fn compile(expr: &str, dlt: u32) -> Result<Filter, String> {
        let fail = |e| live::invalid(expr, e);
        let linktype = pcap::Linktype(i32::try_from(dlt).unwrap_or(i32::MAX));
        let dead = pcap::Capture::dead(linktype).map_err(fail)?;
        dead.compile(expr, false).map(Filter).map_err(fail)
    }

    /// Whether a packet of `wirelen` bytes on the wire, `data` of them captured, passes
    /// (`len`, `greater` and `less` test the wire length, as with libpcap's own capture).
    #[inline]
    pub fn matches(&self, data: &[u8], wirelen: u32) -> bool {
        live::run_filter(&self.0, data, wirelen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_joined_and_empty_means_none() {
        let w = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(expression(None, &w(&["tcp", "port", "80"])).unwrap().as_deref(), Some("tcp port 80"));
        assert_eq!(expression(None, &[]).unwrap(), None);
    }

    #[test]
    fn comments_are_blanked_and_end_trimmed() {
        assert_eq!(strip_comments("tcp # web\nor udp\n\n  \n"), "tcp      \nor udp");
        assert_eq!(strip_comments("# only a comment\n"), "");
        assert_eq!(strip_comments("icmp"), "icmp");
    }

    #[test]
    fn file_errors() {
        let dir = std::env::temp_dir().join(format!("rt2-bpf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty");
        std::fs::write(&empty, "").unwrap();
        let e = expression(Some(&empty), &[]).unwrap_err();
        assert_eq!(e, format!("BPF file '{}' is empty", empty.display()));
        let missing = dir.join("missing");
        let e = expression(Some(&missing), &[]).unwrap_err();
        assert!(e.ends_with("for reading: No such file or directory"), "{e}");
        let f = dir.join("f");
        std::fs::write(&f, "udp # dns\n").unwrap();
        assert_eq!(expression(Some(&f), &["tcp".to_owned()]).unwrap().as_deref(), Some("udp"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compile_and_match() {
        let f = Filter::compile("udp", 1).unwrap();
        // Ethernet + IPv4 + UDP header (protocol 17)
        let mut pkt = vec![0u8; 42];
        pkt[12..14].copy_from_slice(&[0x08, 0x00]);
        pkt[14] = 0x45;
        pkt[23] = 17;
        assert!(f.matches(&pkt, 42));
        pkt[23] = 6;
        assert!(!f.matches(&pkt, 42));
        // the wire length decides `greater`/`less`, not the captured bytes
        let big = Filter::compile("greater 1000", 1).unwrap();
        assert!(big.matches(&pkt, 1500));
        assert!(!big.matches(&pkt, 42));
        let e = Filter::compile("nonsense here", 1).unwrap_err();
        assert!(e.starts_with("pcap_compile failed: 'nonsense here' is not a valid BPF: "), "{e}");
    }
}
