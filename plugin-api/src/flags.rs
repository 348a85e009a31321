//! Compile-time configuration flags (T2's `#define NAME VALUE` in headers), declared once per
//! component in a `flags.toml` next to its `Cargo.toml`:
//!
//! ```toml
//! [IPV6_ACTIVATE]
//! value = 2                  # current value (edited by t2conf)
//! default = 2                # restored by `t2conf --reset`
//! type = "u8"                # u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 bool str, or a list
//!                            # of integers: u8[] u16[] u32[] u64[] (a `&[T]` constant)
//! allowed = [0, 1, 2]        # optional: the only legal values
//! min = 0                    # optional, numbers only: the smallest legal value
//! max = 2                    # optional, numbers only: the largest legal value
//! desc = "0: IPv4 only, 1: IPv6 only, 2: dual stack"
//! ```
//!
//! The build script turns it into constants ([`to_rust`]); `t2conf` validates and edits it.

use std::path::Path;

/// The type of a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagType {
    /// Unsigned integer of the given bit width.
    Unsigned(u8),
    /// Signed integer of the given bit width.
    Signed(u8),
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// Boolean.
    Bool,
    /// String.
    Str,
    /// List of unsigned integers of the given bit width (`u16[]`), e.g. T2's `MONPROTL2`.
    List(u8),
}

impl FlagType {
    fn parse(s: &str) -> Option<FlagType> {
        Some(match s {
            "u8" => FlagType::Unsigned(8),
            "u16" => FlagType::Unsigned(16),
            "u32" => FlagType::Unsigned(32),
            "u64" => FlagType::Unsigned(64),
            "i8" => FlagType::Signed(8),
            "i16" => FlagType::Signed(16),
            "i32" => FlagType::Signed(32),
            "i64" => FlagType::Signed(64),
            "f32" => FlagType::F32,
            "f64" => FlagType::F64,
            "bool" => FlagType::Bool,
            "str" => FlagType::Str,
            "u8[]" => FlagType::List(8),
            "u16[]" => FlagType::List(16),
            "u32[]" => FlagType::List(32),
            "u64[]" => FlagType::List(64),
            _ => return None,
        })
    }

    /// The Rust type name.
    pub fn rust(self) -> &'static str {
        match self {
            FlagType::Unsigned(8) => "u8",
            FlagType::Unsigned(16) => "u16",
            FlagType::Unsigned(32) => "u32",
            FlagType::Unsigned(_) => "u64",
            FlagType::Signed(8) => "i8",
            FlagType::Signed(16) => "i16",
            FlagType::Signed(32) => "i32",
            FlagType::Signed(_) => "i64",
            FlagType::F32 => "f32",
            FlagType::F64 => "f64",
            FlagType::Bool => "bool",
            FlagType::Str => "&str",
            FlagType::List(8) => "&[u8]",
            FlagType::List(16) => "&[u16]",
            FlagType::List(32) => "&[u32]",
            FlagType::List(_) => "&[u64]",
        }
    }

    /// The type as written in `flags.toml` (`u8`, `str`, `u16[]`, ...).
    pub fn name(self) -> String {
        match self {
            FlagType::List(bits) => format!("u{bits}[]"),
            other => other.rust().trim_start_matches('&').to_owned(),
        }
    }
}

fn fits_unsigned(bits: u8, i: i64) -> bool {
    i >= 0 && (bits == 64 || (i as u64) < (1u64 << bits))
}

/// One declared flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Name, e.g. `FLOW_TIMEOUT`.
    pub name: String,
    /// Type.
    pub ty: FlagType,
    /// Current value.
    pub value: toml::Value,
    /// Default value.
    pub default: toml::Value,
    /// Legal values, if restricted.
    pub allowed: Option<Vec<toml::Value>>,
    /// Smallest legal value of a number flag (e.g. a size a run can honour), if bounded.
    pub min: Option<toml::Value>,
    /// Largest legal value of a number flag, if bounded.
    pub max: Option<toml::Value>,
    /// One-line description.
    pub desc: String,
}

impl Flag {
    /// Checks that `v` has this flag's type and is allowed; returns why not.
    pub fn check(&self, v: &toml::Value) -> Result<(), String> {
        let ok = match (self.ty, v) {
            (FlagType::Unsigned(bits), toml::Value::Integer(i)) => fits_unsigned(bits, *i),
            (FlagType::Signed(bits), toml::Value::Integer(i)) => {
                bits == 64 || (*i >= -(1i64 << (bits - 1)) && *i < (1i64 << (bits - 1)))
            }
            (FlagType::F32 | FlagType::F64, toml::Value::Float(_) | toml::Value::Integer(_)) => true,
            (FlagType::Bool, toml::Value::Boolean(_)) => true,
            (FlagType::Str, toml::Value::String(_)) => true,
            (FlagType::List(bits), toml::Value::Array(a)) => {
                a.iter().all(|e| matches!(e, toml::Value::Integer(i) if fits_unsigned(bits, *i)))
            }
            _ => false,
        };
        if !ok {
            return Err(format!("value {} of {} is not a valid {}", display(v), self.name, self.ty.name()));
        }
        if let Some(min) = &self.min
            && below(v, min)
        {
            return Err(format!("value {} of {} is below its minimum {}", display(v), self.name, display(min)));
        }
        if let Some(max) = &self.max
            && below(max, v)
        {
            return Err(format!("value {} of {} is above its maximum {}", display(v), self.name, display(max)));
        }
        if let Some(allowed) = &self.allowed
            && !allowed.iter().any(|a| same(a, v))
        {
            let list: Vec<String> = allowed.iter().map(display).collect();
            return Err(format!("value {} of {} is not one of {}", display(v), self.name, list.join(", ")));
        }
        Ok(())
    }

    /// Parses a value written on a command line (`-D NAME=VALUE`) for this flag's type.
    pub fn parse_value(&self, s: &str) -> Result<toml::Value, String> {
        let v = match self.ty {
            FlagType::Unsigned(_) | FlagType::Signed(_) => parse_int(s).map(toml::Value::Integer),
            FlagType::F32 | FlagType::F64 => s.trim_end_matches(['f', 'F']).parse::<f64>().ok().map(toml::Value::Float),
            FlagType::Bool => match s {
                "1" | "true" => Some(toml::Value::Boolean(true)),
                "0" | "false" => Some(toml::Value::Boolean(false)),
                _ => None,
            },
            FlagType::Str => {
                Some(toml::Value::String(s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s).to_owned()))
            }
            // `0x0806,0x8035`, optionally in brackets; an empty text is the empty list
            FlagType::List(_) => {
                let inner = s.trim().trim_start_matches(['[', '{']).trim_end_matches([']', '}']).trim();
                if inner.is_empty() {
                    Some(toml::Value::Array(Vec::new()))
                } else {
                    inner
                        .split(',')
                        .map(|e| parse_int(e).map(toml::Value::Integer))
                        .collect::<Option<Vec<_>>>()
                        .map(toml::Value::Array)
                }
            }
        }
        .ok_or_else(|| format!("value '{s}' of {} is not a valid {}", self.name, self.ty.name()))?;
        self.check(&v)?;
        Ok(v)
    }

    /// True when the current value is not the default.
    pub fn changed(&self) -> bool {
        !same(&self.value, &self.default)
    }
}

/// Integers as T2 users write them: decimal, `0x` hex, with optional `U`/`L` suffixes.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim().trim_end_matches(['u', 'U', 'l', 'L']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok()?,
        None => t.parse::<i64>().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// `a < b` for two numbers (integers compared exactly, else as floats); false otherwise.
fn below(a: &toml::Value, b: &toml::Value) -> bool {
    match (a, b) {
        (toml::Value::Integer(x), toml::Value::Integer(y)) => x < y,
        _ => {
            match (a.as_float().or(a.as_integer().map(|i| i as f64)), b.as_float().or(b.as_integer().map(|i| i as f64)))
            {
                (Some(x), Some(y)) => x < y,
                _ => false,
            }
        }
    }
}

fn same(a: &toml::Value, b: &toml::Value) -> bool {
    match (a, b) {
        (toml::Value::Integer(x), toml::Value::Float(y)) | (toml::Value::Float(y), toml::Value::Integer(x)) => {
            *x as f64 == *y
        }
        _ => a == b,
    }
}

/// A value as written in `flags.toml` / printed by `t2conf -G` and `tranalyzer -V`.
pub fn display(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Float(f) => format!("{f:?}"),
        other => other.to_string(),
    }
}

/// Parses the text of a `flags.toml`.
pub fn parse(text: &str) -> Result<Vec<Flag>, String> {
    let doc: toml::Table = text.parse().map_err(|e| format!("invalid TOML: {e}"))?;
    let mut flags = Vec::new();
    for (name, item) in &doc {
        let t = item.as_table().ok_or_else(|| format!("{name}: expected a table"))?;
        let field = |k: &str| t.get(k).ok_or_else(|| format!("{name}: missing '{k}'"));
        let ty = field("type")?.as_str().and_then(FlagType::parse).ok_or_else(|| format!("{name}: bad 'type'"))?;
        let allowed = match t.get("allowed") {
            None => None,
            Some(toml::Value::Array(a)) => Some(a.clone()),
            Some(_) => return Err(format!("{name}: 'allowed' must be an array")),
        };
        let number = matches!(ty, FlagType::Unsigned(_) | FlagType::Signed(_) | FlagType::F32 | FlagType::F64);
        let bound = |k: &str| match t.get(k) {
            None => Ok(None),
            Some(b @ (toml::Value::Integer(_) | toml::Value::Float(_))) if number => Ok(Some(b.clone())),
            Some(_) => Err(format!("{name}: '{k}' must be a number, on a number flag")),
        };
        let flag = Flag {
            name: name.clone(),
            ty,
            value: field("value")?.clone(),
            default: field("default")?.clone(),
            allowed,
            min: bound("min")?,
            max: bound("max")?,
            desc: t.get("desc").and_then(|d| d.as_str()).unwrap_or_default().to_owned(),
        };
        flag.check(&flag.value)?;
        flag.check(&flag.default).map_err(|e| format!("default: {e}"))?;
        flags.push(flag);
    }
    Ok(flags)
}

/// Reads and parses a `flags.toml`.
pub fn read(path: &Path) -> Result<Vec<Flag>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn literal(f: &Flag, v: &toml::Value) -> String {
    match (f.ty, v) {
        (FlagType::List(_), toml::Value::Array(a)) => {
            format!("&[{}]", a.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        }
        (FlagType::F32 | FlagType::F64, toml::Value::Integer(i)) => format!("{i}.0"),
        (FlagType::F32 | FlagType::F64, toml::Value::Float(x)) => format!("{x:?}"),
        (_, toml::Value::String(s)) => format!("{s:?}"),
        (_, other) => other.to_string(),
    }
}

/// Whether an integer flag is a switch: its only allowed values are 0 and 1 (T2's
/// `#define X 1` style on/off flags). Its [`Config`](to_rust) field is a `bool`.
fn is_switch(f: &Flag) -> bool {
    let allowed = f.allowed.as_deref().unwrap_or_default();
    matches!(f.ty, FlagType::Unsigned(_) | FlagType::Signed(_))
        && allowed.len() == 2
        && allowed.iter().any(|v| v.as_integer() == Some(0))
        && allowed.iter().any(|v| v.as_integer() == Some(1))
}

/// The field of `Config` that holds flag `name`: the name in lower case (`BS_XMIN` → `bs_xmin`),
/// a raw identifier where that is a Rust keyword.
pub fn field_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
        "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
        "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
        "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    let lower = name.to_ascii_lowercase();
    if KEYWORDS.contains(&lower.as_str()) { format!("r#{lower}") } else { lower }
}

/// The Rust source of the flags: one constant each, plus `CHANGED` and `ALL`; with `config`,
/// also the struct `Config` holding every flag as a field (see [`config_rust`]).
pub fn to_rust(flags: &[Flag], config: bool) -> String {
    let mut s = String::from("// Generated from flags.toml by plugin_api::build; do not edit.\n");
    for f in flags {
        s.push_str(&format!(
            "#[doc = {:?}]\npub const {}: {} = {};\n",
            f.desc,
            f.name,
            f.ty.rust(),
            literal(f, &f.value)
        ));
    }
    s.push_str("/// Flags whose value differs from the default: (name, value, default).\n");
    s.push_str("pub const CHANGED: &[(&str, &str, &str)] = &[\n");
    for f in flags.iter().filter(|f| f.changed()) {
        s.push_str(&format!("    ({:?}, {:?}, {:?}),\n", f.name, display(&f.value), display(&f.default)));
    }
    s.push_str("];\n/// Every flag and its value.\npub const ALL: &[(&str, &str)] = &[\n");
    for f in flags {
        s.push_str(&format!("    ({:?}, {:?}),\n", f.name, display(&f.value)));
    }
    s.push_str("];\n");
    if config {
        s.push_str(&config_rust(flags));
    }
    s
}

/// The struct `Config`: one public field per flag ([`field_name`]; a `bool` for a switch, the
/// flag's type otherwise, `&'static` for strings and lists), `Config::COMPILED` (= `Default`)
/// holding the constants. Code reads its flags from a `Config` value, so tests can run it with
/// any combination: `Config { bs_var: true, ..Config::default() }`.
pub fn config_rust(flags: &[Flag]) -> String {
    let mut s = String::from(
        "/// Every flag of `flags.toml` as a field; [`Config::default`] is [`Config::COMPILED`], the values\n\
         /// compiled in (the constants of this module).\n\
         #[derive(Clone, Copy, Debug, PartialEq)]\n#[allow(dead_code)]\npub struct Config {\n",
    );
    for f in flags {
        let ty = if is_switch(f) { "bool".to_owned() } else { f.ty.rust().replace('&', "&'static ") };
        s.push_str(&format!(
            "    #[doc = {:?}]\n    pub {}: {ty},\n",
            format!("`{}`: {}", f.name, f.desc),
            field_name(&f.name)
        ));
    }
    s.push_str("}\n\n#[allow(dead_code)]\nimpl Config {\n    /// The compiled values.\n    pub const COMPILED: Config = Config {\n");
    for f in flags {
        let value = if is_switch(f) { format!("{} != 0", f.name) } else { f.name.clone() };
        s.push_str(&format!("        {}: {value},\n", field_name(&f.name)));
    }
    s.push_str(
        "    };\n}\n\nimpl Default for Config {\n    fn default() -> Config {\n        Config::COMPILED\n    }\n}\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[FLOW_TIMEOUT]
value = 182
default = 182
type = "u32"
desc = "Flow timeout"

[IPV6_ACTIVATE]
value = 1
default = 2
type = "u8"
allowed = [0, 1, 2]
desc = "IP versions"

[MONPROTL2]
value = [0x0806, 0x8035]
default = [0x0806, 0x8035]
type = "u16[]"
desc = "Ethertypes"

[SUFFIX]
value = "_flows.txt"
default = "_flows.txt"
type = "str"
desc = "Suffix"
"#;

    #[test]
    fn parses_validates_and_generates() {
        let f = parse(TEXT).unwrap();
        assert_eq!(f.len(), 4);
        let rs = to_rust(&f, false);
        assert!(rs.contains("pub const MONPROTL2: &[u16] = &[2054, 32821];"), "{rs}");
        assert!(!rs.contains("struct Config"));
        assert!(rs.contains("pub const FLOW_TIMEOUT: u32 = 182;"));
        assert!(rs.contains("pub const SUFFIX: &str = \"_flows.txt\";"));
        let (changed, all) = rs.split_once("pub const ALL").unwrap();
        assert!(changed.contains("(\"IPV6_ACTIVATE\", \"1\", \"2\")"));
        assert!(!changed.contains("(\"FLOW_TIMEOUT\""));
        assert!(all.contains("(\"FLOW_TIMEOUT\", \"182\")"));
    }

    #[test]
    fn min_and_max_bound_number_flags() {
        let text = "[F]\nvalue = 1\ndefault = 1\ntype = \"u32\"\nmin = 1\nmax = 16383\ndesc = \"\"\n\n\
                    [T]\nvalue = 0.5\ndefault = 0.5\ntype = \"f64\"\nmin = 0.001\ndesc = \"\"\n";
        let f = parse(text).unwrap();
        assert_eq!(f[0].parse_value("16383"), Ok(toml::Value::Integer(16383)));
        assert_eq!(f[0].parse_value("16384").unwrap_err(), "value 16384 of F is above its maximum 16383");
        assert_eq!(f[0].parse_value("0").unwrap_err(), "value 0 of F is below its minimum 1");
        assert_eq!(f[0].parse_value("4294967295").unwrap_err(), "value 4294967295 of F is above its maximum 16383");
        assert!(f[1].parse_value("0").unwrap_err().contains("below its minimum 0.001"));
        assert!(f[1].parse_value("2.5").is_ok());
        // the current value is checked too, and bounds only make sense on numbers
        assert!(parse("[F]\nvalue = 0\ndefault = 1\ntype = \"u8\"\nmin = 1\ndesc = \"\"\n").is_err());
        let err = parse("[S]\nvalue = \"a\"\ndefault = \"a\"\ntype = \"str\"\nmax = 3\ndesc = \"\"\n").unwrap_err();
        assert_eq!(err, "S: 'max' must be a number, on a number flag");
    }

    #[test]
    fn config_struct_has_a_field_per_flag() {
        let mut f = parse(TEXT).unwrap();
        let switch =
            parse("[USE_X]\nvalue = 1\ndefault = 0\ntype = \"u8\"\nallowed = [1, 0]\ndesc = \"on\"\n").unwrap();
        f.extend(switch);
        let rs = to_rust(&f, true);
        let (_, config) = rs.split_once("pub struct Config {").unwrap();
        assert!(config.contains("pub flow_timeout: u32,"), "{config}");
        assert!(config.contains("pub ipv6_activate: u8,"), "[0, 1, 2] is no switch");
        assert!(config.contains("pub monprotl2: &'static [u16],"));
        assert!(config.contains("pub suffix: &'static str,"));
        assert!(config.contains("pub use_x: bool,"));
        assert!(config.contains("use_x: USE_X != 0,"));
        assert!(config.contains("flow_timeout: FLOW_TIMEOUT,"));
        assert!(config.contains("#[doc = \"`FLOW_TIMEOUT`: Flow timeout\"]"));
        assert_eq!(field_name("MATCH"), "r#match");
    }

    #[test]
    fn command_line_values() {
        let f = parse(TEXT).unwrap();
        assert_eq!(f[1].parse_value("0").unwrap(), toml::Value::Integer(0));
        assert!(f[1].parse_value("3").unwrap_err().contains("not one of 0, 1, 2"));
        assert!(f[0].parse_value("abc").is_err());
        assert_eq!(f[0].parse_value("0x10").unwrap(), toml::Value::Integer(16));
        assert!(f[0].parse_value("-1").is_err());
        assert_eq!(f[3].parse_value("\"_x.txt\"").unwrap(), toml::Value::String("_x.txt".into()));
        let list = |v: &[i64]| toml::Value::Array(v.iter().map(|&i| toml::Value::Integer(i)).collect());
        assert_eq!(f[2].parse_value("0x0806, 0x8035").unwrap(), list(&[0x806, 0x8035]));
        assert_eq!(f[2].parse_value("[6]").unwrap(), list(&[6]));
        assert_eq!(f[2].parse_value("").unwrap(), list(&[]));
        assert!(f[2].parse_value("0x10000").unwrap_err().contains("u16[]"));
    }
}
