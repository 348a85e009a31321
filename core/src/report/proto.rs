//! Short names of IP protocols for the monitoring columns (`TCPPkts`, `ICMPv6Bytes`): T2's
//! `proto.txt` (MONPROTFL), read from the plugin folder, else the table the `prototable` crate
//! ships (T2's, which protoStats reads for its descriptions too).

use std::path::Path;

use prototable::{ProtoTable, Table};

/// 256 short names, indexed by protocol number.
#[derive(Debug, Clone)]
pub struct ProtoNames(ProtoTable);

impl ProtoNames {
    /// The table shipped with rt2.
    pub fn builtin() -> ProtoNames {
        ProtoNames(ProtoTable::shipped())
    }

    /// The table in `path` (e.g. `<plugin folder>/proto.txt`) when it is valid (256 lines
    /// `number<TAB>name<TAB>description` in number order), else the built-in table.
    pub fn load(path: &Path) -> ProtoNames {
        match ProtoTable::load(path) {
            Ok((table, errors)) if errors.is_empty() => ProtoNames(table),
            _ => ProtoNames::builtin(),
        }
    }

    /// The short name of protocol `p`.
    pub fn name(&self, p: u8) -> &str {
        self.0.name(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_match_t2_columns() {
        let t = ProtoNames::builtin();
        let names: Vec<&str> = [1, 2, 6, 17, 47, 58, 132].iter().map(|&p| t.name(p)).collect();
        assert_eq!(names, ["ICMP", "IGMP", "TCP", "UDP", "GRE", "ICMPv6", "SCTP"]);
    }

    #[test]
    fn bad_files_fall_back() {
        let dir = std::env::temp_dir().join(format!("rt2-proto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(ProtoTable::FILE);
        std::fs::write(&file, "0\tHOPOPT\tx\n").unwrap();
        assert_eq!(ProtoNames::load(&file).name(6), "TCP");
        std::fs::write(&file, "garbage").unwrap();
        assert_eq!(ProtoNames::load(&file).name(6), "TCP");
        let custom = ProtoTable::SHIPPED.replace("6\tTCP\t", "6\tTcp\t");
        std::fs::write(&file, custom).unwrap();
        assert_eq!(ProtoNames::load(&file).name(6), "Tcp");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
