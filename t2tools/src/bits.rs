//! Bit-field definitions (`tawk -V NAME[=VALUE]`): each component declares the meaning of the
//! bits of its columns in its own `bits.toml` (`core/bits.toml`, `plugins/<name>/bits.toml`;
//! format in `core/bits.toml`), embedded into tawk by build.rs.

use std::fmt::Write as _;

use crate::Error;

/// One bit-field column and what its bits mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitField {
    /// The column, e.g. `tcpFStat`.
    pub column: String,
    /// The component whose `bits.toml` declares it (`tranalyzer2` for the core).
    pub component: String,
    /// The meaning of bit 0, 1, ...; empty for an unused bit. 8, 16, 32 or 64 entries.
    pub bits: Vec<String>,
}

/// Every bit field the components declare.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    fields: Vec<BitField>,
}

impl Registry {
    /// The definitions embedded at build time.
    pub fn embedded() -> Result<Registry, Error> {
        Registry::from_files(crate::embedded::BIT_FILES)
    }

    /// The definitions of (component, `bits.toml` text) pairs. A column declared twice, a
    /// `same_as` naming an unknown column, or a `bits` list of the wrong length is an error.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Registry, Error> {
        let mut fields: Vec<BitField> = Vec::new();
        let mut aliases = Vec::new();
        for (component, text) in files {
            let bad = |what: String| Error::Bits(format!("{component}'s bits.toml: {what}"));
            let table: toml::Table = text.parse().map_err(|e| bad(format!("{e}")))?;
            for (column, def) in table {
                if fields.iter().any(|f| f.column == column) || aliases.iter().any(|(c, _, _)| *c == column) {
                    return Err(bad(format!("column '{column}' is declared twice")));
                }
                let def = def.as_table().ok_or_else(|| bad(format!("[{column}] must be a table")))?;
                if let Some(other) = def.get("same_as") {
                    let other = other.as_str().ok_or_else(|| bad(format!("[{column}] same_as must be a string")))?;
                    aliases.push((column, component.to_string(), other.to_string()));
                    continue;
                }
                let list = def.get("bits").and_then(|b| b.as_array()).ok_or_else(|| {
                    bad(format!("[{column}] needs bits = [...] (the meaning of bit 0, 1, ...) or same_as"))
                })?;
                let bits = list
                    .iter()
                    .map(|b| b.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad(format!("[{column}] bits must be strings")))?;
                if ![8, 16, 32, 64].contains(&bits.len()) {
                    return Err(bad(format!("[{column}] has {} bits: 8, 16, 32 or 64 are expected", bits.len())));
                }
                fields.push(BitField { column, component: component.to_string(), bits });
            }
        }
        for (column, component, other) in aliases {
            let bits = fields.iter().find(|f| f.column == other).map(|f| f.bits.clone()).ok_or_else(|| {
                Error::Bits(format!("{component}'s bits.toml: [{column}] same_as names no known column '{other}'"))
            })?;
            fields.push(BitField { column, component, bits });
        }
        fields.sort_by(|a, b| a.column.cmp(&b.column));
        Ok(Registry { fields })
    }

    /// The definition of `column`.
    pub fn get(&self, column: &str) -> Option<&BitField> {
        self.fields.iter().find(|f| f.column == column)
    }

    /// Every definition, by column name.
    pub fn fields(&self) -> &[BitField] {
        &self.fields
    }

    /// `tawk -V` for one argument, `NAME` or `NAME=VALUE`: the bits of the column, or only
    /// those set in VALUE (decimal or 0x hex), as a table.
    pub fn explain(&self, arg: &str) -> Result<String, Error> {
        let (column, value) = match arg.split_once('=') {
            Some((c, v)) => (c, Some(v)),
            None => (arg, None),
        };
        let field = self.get(column).ok_or_else(|| {
            let known: Vec<&str> = self.fields.iter().map(|f| f.column.as_str()).collect();
            Error::Bits(format!("no bit definitions for column '{column}' (known: {})", known.join(" ")))
        })?;
        let value = value.map(|v| parse_value(v).map(|n| (v, n))).transpose()?;
        Ok(field.table(value))
    }
}

/// A bit-field value: 0x hex (at most 64 bits) or decimal.
pub fn parse_value(text: &str) -> Result<u64, Error> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => t.parse(),
    };
    parsed.map_err(|_| Error::Bits(format!("'{text}' is no bit-field value (0x hex or decimal, at most 64 bits)")))
}

impl BitField {
    /// The table `tawk -V` prints: every defined bit, or with a value only the bits it sets
    /// (a set bit without a definition is shown as such).
    pub fn table(&self, value: Option<(&str, u64)>) -> String {
        let digits = self.bits.len() / 4;
        let width = self.column.len().max(digits + 2);
        let mut out = String::new();
        let _ = write!(out, "\nThe {} column ({}) ", self.column, self.component);
        if let Some((text, _)) = value {
            let _ = write!(out, "with value {text} ");
        }
        out.push_str("is to be interpreted as follows:\n\n");
        let _ = writeln!(out, "   bit | {:<width$} | Description", self.column);
        let _ = writeln!(out, "   {}", "=".repeat(77));
        let shown: Vec<u32> = match value {
            None => (0..self.bits.len() as u32).filter(|&b| !self.bits[b as usize].is_empty()).collect(),
            Some((_, v)) => (0..64).filter(|b| v >> b & 1 == 1).collect(),
        };
        for bit in &shown {
            let mask = format!("0x{:0digits$x}", 1u64 << bit);
            let meaning = match self.bits.get(*bit as usize) {
                Some(m) if !m.is_empty() => m.clone(),
                Some(_) => format!("(bit not defined by {})", self.component),
                None => format!("(beyond the column's {} bits)", self.bits.len()),
            };
            let _ = writeln!(out, "   {bit:>3} | {mask:<width$} | {meaning}");
        }
        if shown.is_empty() {
            let _ = writeln!(out, "       | {:<width$} | No bit set", format!("0x{:0digits$x}", 0));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_definition_is_valid() {
        let r = Registry::embedded().expect("the bits.toml files of the tree");
        for col in ["flowStat", "globalWarn", "tcpFStat", "ipFlags", "tcpFlags", "tcpAnomaly", "tcpStatesAFlags"] {
            assert!(r.get(col).is_some(), "{col} is declared");
        }
        assert_eq!(r.get("globalWarn").unwrap().bits, r.get("flowStat").unwrap().bits);
        assert_eq!(r.get("flowStat").unwrap().component, "tranalyzer2");
    }

    #[test]
    fn a_value_shows_only_its_bits() {
        let r = Registry::embedded().unwrap();
        let t = r.explain("tcpFStat=0x0211").unwrap();
        let rows: Vec<&str> = t.lines().filter(|l| l.contains(" | 0x")).collect();
        assert_eq!(rows.len(), 3, "{t}");
        assert!(rows[0].starts_with("     0 | 0x0001"), "{t}");
        assert!(rows[2].contains("0x0200") && rows[2].contains("Window scaling used"), "{t}");
        assert!(t.contains("The tcpFStat column (tcpFlags) with value 0x0211 is"), "{t}");
        let all = r.explain("tcpStatesAFlags").unwrap();
        assert_eq!(all.lines().filter(|l| l.contains(" | 0x")).count(), 7, "bit 5 is unused: {all}");
        let hi = r.explain("flowStat=0x8400000000000020").unwrap();
        assert!(hi.contains("    63 | 0x8000000000000000 |"), "{hi}");
        assert!(hi.contains("    58 | 0x0400000000000000 | IPv4 packet seen"), "{hi}");
        assert!(r.explain("tcpWinStat=0x0300").unwrap().contains("(beyond the column's 8 bits)"));
        assert!(r.explain("tcpAnomaly=0").unwrap().contains("No bit set"));
    }

    #[test]
    fn errors_name_the_problem() {
        let r = Registry::embedded().unwrap();
        assert!(r.explain("nope=1").unwrap_err().to_string().contains("no bit definitions for column 'nope'"));
        assert!(r.explain("tcpFStat=0xzz").unwrap_err().to_string().contains("'0xzz' is no bit-field value"));
        let e = Registry::from_files(&[("x", "[a]\nbits = [\"1\", \"2\"]\n")]).unwrap_err();
        assert!(e.to_string().contains("x's bits.toml: [a] has 2 bits"), "{e}");
        let e = Registry::from_files(&[("x", "[a]\nsame_as = \"b\"\n")]).unwrap_err();
        assert!(e.to_string().contains("same_as names no known column 'b'"), "{e}");
        let e = Registry::from_files(&[("x", "[a]\nsame_as = \"a\"\n"), ("y", "[a]\nbits = []\n")]).unwrap_err();
        assert!(e.to_string().contains("declared twice"), "{e}");
    }
}
