//! Values as users type them after `-D NAME=`: T2's spellings (`yes`, `UINT16_MAX`, `_f.txt`
//! without quotes, `default`) turned into checked values of the flag's declared type.

use plugin_api::flags::{Flag, FlagType, display};

/// Integer names of C's `<stdint.h>` that T2's configuration files use.
const LIMITS: [(&str, i64); 7] = [
    ("INT8_MAX", i8::MAX as i64),
    ("UINT8_MAX", u8::MAX as i64),
    ("INT16_MAX", i16::MAX as i64),
    ("UINT16_MAX", u16::MAX as i64),
    ("INT32_MAX", i32::MAX as i64),
    ("UINT32_MAX", u32::MAX as i64),
    ("INT64_MAX", i64::MAX),
];

/// The value `text` means for `flag`, or a message naming the flag, its component and what
/// would be accepted.
pub fn parse(flag: &Flag, component: &str, text: &str) -> Result<toml::Value, String> {
    if text == "default" {
        return Ok(flag.default.clone());
    }
    let t = text.trim();
    let spelled = match flag.ty {
        FlagType::Unsigned(_) | FlagType::Signed(_) | FlagType::F32 | FlagType::F64 => {
            match t.to_ascii_lowercase().as_str() {
                "yes" => "1".to_owned(),
                "no" => "0".to_owned(),
                _ => LIMITS.iter().find(|(n, _)| *n == t).map_or_else(|| t.to_owned(), |(_, v)| v.to_string()),
            }
        }
        FlagType::Bool => match t.to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => "1".to_owned(),
            "no" | "false" | "0" => "0".to_owned(),
            _ => t.to_owned(),
        },
        FlagType::Str | FlagType::List(_) => text.to_owned(),
    };
    flag.parse_value(&spelled).map_err(|_| {
        format!("Invalid value '{text}' for flag '{}' of '{component}': expected {}", flag.name, expected(flag))
    })
}

/// What `flag` accepts, in words.
pub fn expected(flag: &Flag) -> String {
    if let Some(allowed) = &flag.allowed {
        let list: Vec<String> = allowed.iter().map(display).collect();
        return format!("one of {}", list.join(", "));
    }
    let bound = |b: &Option<toml::Value>, or: String| b.as_ref().map_or(or, display);
    match flag.ty {
        FlagType::Unsigned(bits) => {
            let max = if bits == 64 { i64::MAX as u64 } else { (1u64 << bits) - 1 };
            format!("an integer from {} to {}", bound(&flag.min, "0".into()), bound(&flag.max, max.to_string()))
        }
        FlagType::Signed(bits) => {
            let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
            let (lo, hi) = (bound(&flag.min, (-max - 1).to_string()), bound(&flag.max, max.to_string()));
            format!("an integer from {lo} to {hi}")
        }
        FlagType::F32 | FlagType::F64 => match (&flag.min, &flag.max) {
            (Some(lo), Some(hi)) => format!("a number from {} to {}", display(lo), display(hi)),
            (Some(lo), None) => format!("a number of at least {}", display(lo)),
            (None, Some(hi)) => format!("a number of at most {}", display(hi)),
            (None, None) => "a number".to_owned(),
        },
        FlagType::Bool => "0 or 1".to_owned(),
        FlagType::Str => "a string".to_owned(),
        FlagType::List(bits) => format!(
            "a comma-separated list of integers from 0 to {}, e.g. 0x0806,0x8035",
            if bits == 64 { i64::MAX as u64 } else { (1u64 << bits) - 1 }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(toml_text: &str) -> Flag {
        plugin_api::flags::parse(toml_text).unwrap().remove(0)
    }

    #[test]
    fn t2_spellings() {
        let f = flag("[X]\nvalue = 0\ndefault = 0\ntype = \"u16\"\ndesc = \"\"\n");
        assert_eq!(parse(&f, "c", "yes").unwrap(), toml::Value::Integer(1));
        assert_eq!(parse(&f, "c", "UINT16_MAX").unwrap(), toml::Value::Integer(65535));
        assert_eq!(parse(&f, "c", "default").unwrap(), toml::Value::Integer(0));
        let e = parse(&f, "c", "UINT32_MAX").unwrap_err();
        assert_eq!(e, "Invalid value 'UINT32_MAX' for flag 'X' of 'c': expected an integer from 0 to 65535");
        let s = flag("[S]\nvalue = \"a\"\ndefault = \"a\"\ntype = \"str\"\ndesc = \"\"\n");
        assert_eq!(parse(&s, "c", "_f.txt").unwrap(), toml::Value::String("_f.txt".into()));
        let a = flag("[A]\nvalue = 0\ndefault = 0\ntype = \"u8\"\nallowed = [0, 1]\ndesc = \"\"\n");
        assert!(parse(&a, "tranalyzer2", "2").unwrap_err().ends_with("expected one of 0, 1"));
        let h = flag("[HASHFACTOR]\nvalue = 1\ndefault = 1\ntype = \"u32\"\nmin = 1\nmax = 16383\ndesc = \"\"\n");
        let e = parse(&h, "tranalyzer2", "4294967295").unwrap_err();
        assert_eq!(
            e,
            "Invalid value '4294967295' for flag 'HASHFACTOR' of 'tranalyzer2': expected an integer from 1 to 16383"
        );
    }
}
