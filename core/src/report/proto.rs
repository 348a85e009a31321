//! Short names of IP protocols for the monitoring columns (`TCPPkts`, `ICMPv6Bytes`): T2's
//! `proto.txt` (MONPROTFL), read from the plugin folder, else the copy compiled into the core.
//! Our `core/proto.txt` is written from the IANA protocol numbers registry, with T2's spellings
//! where its column names depend on them (`ICMPv6` for 58).

use std::path::Path;

/// The file name in the plugin folder.
pub const FILE: &str = "proto.txt";

/// The table shipped with the core.
const BUILTIN: &str = include_str!("../../proto.txt");

/// 256 short names, indexed by protocol number.
#[derive(Debug, Clone)]
pub struct ProtoNames(Vec<String>);

impl ProtoNames {
    /// The table compiled into the core.
    pub fn builtin() -> ProtoNames {
        ProtoNames(parse(BUILTIN).expect("core/proto.txt has 256 valid lines"))
    }

    /// The table in `path` (e.g. `<plugin folder>/proto.txt`) when it is valid (256 lines
    /// `number<TAB>name<TAB>description`), else the built-in table.
    pub fn load(path: &Path) -> ProtoNames {
        std::fs::read_to_string(path).ok().and_then(|t| parse(&t)).map_or_else(ProtoNames::builtin, ProtoNames)
    }

    /// The short name of protocol `p`.
    pub fn name(&self, p: u8) -> &str {
        &self.0[usize::from(p)]
    }
}

fn parse(text: &str) -> Option<Vec<String>> {
    let mut names = Vec::with_capacity(256);
    for (i, line) in text.lines().take(256).enumerate() {
        let mut f = line.split('\t');
        let num: usize = f.next()?.trim().parse().ok()?;
        let name = f.next()?.trim();
        if num != i || name.is_empty() {
            return None;
        }
        names.push(name.to_owned());
    }
    (names.len() == 256).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_match_t2_columns() {
        let t = ProtoNames::builtin();
        let names: Vec<&str> = [1, 2, 6, 17, 47, 58, 132].iter().map(|&p| t.name(p)).collect();
        assert_eq!(names, ["ICMP", "IGMP", "TCP", "UDP", "GRE", "ICMPv6", "SCTP"]);
        assert!(t.0.iter().all(|n| n.len() <= 15 && !n.contains(' ')));
    }

    #[test]
    fn bad_files_fall_back() {
        assert!(parse("0\tHOPOPT\tx\n").is_none());
        let dir = std::env::temp_dir().join(format!("rt2-proto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(FILE), "garbage").unwrap();
        assert_eq!(ProtoNames::load(&dir.join(FILE)).name(6), "TCP");
        let custom = BUILTIN.replace("6\tTCP\t", "6\tTcp\t");
        std::fs::write(dir.join(FILE), custom).unwrap();
        assert_eq!(ProtoNames::load(&dir.join(FILE)).name(6), "Tcp");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
