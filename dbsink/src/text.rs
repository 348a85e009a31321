//! Rows in the text forms the servers read: PostgreSQL's `COPY ... FROM STDIN` (text format)
//! and ClickHouse's `TabSeparated`. Both separate fields by tabs and end rows with `\n`; they
//! differ in NULL, arrays and the spelling of times.

use core::fmt::Write as _;

use chrono::DateTime;

use crate::row::Field;
use crate::schema::Dialect;

/// Appends `row` as one line of `dialect`'s text form (PostgreSQL or ClickHouse).
pub fn line(out: &mut String, row: &[Field], dialect: Dialect) {
    for (i, f) in row.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match f {
            Field::Null if dialect == Dialect::Postgres => out.push_str("\\N"),
            Field::Array(a) => array(out, a, dialect),
            f => {
                let mut s = String::new();
                scalar(&mut s, f, dialect);
                escape(out, &s);
            }
        }
    }
    out.push('\n');
}

/// The text of one value, unescaped.
fn scalar(out: &mut String, f: &Field, dialect: Dialect) {
    // `write!` to a String cannot fail.
    let _ = match *f {
        Field::Null | Field::Array(_) => Ok(()),
        Field::Int(n) => write!(out, "{n}"),
        Field::UInt(n) | Field::Hex(n, _) => write!(out, "{n}"),
        Field::Float(x) => write!(out, "{x}"),
        Field::Text(ref t) => {
            out.push_str(t);
            Ok(())
        }
        Field::Time(s, ns) if dialect == Dialect::Postgres => {
            match i64::try_from(s).ok().and_then(|s| DateTime::from_timestamp(s, ns)) {
                Some(t) => write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00")),
                None => write!(out, "infinity"),
            }
        }
        Field::Duration(s, ns) if dialect == Dialect::Postgres => write!(out, "{s}.{:06} seconds", ns / 1000),
        Field::Time(s, ns) | Field::Duration(s, ns) => write!(out, "{s}.{ns:09}"),
    };
}

/// An array: PostgreSQL `{"a","b c"}`, ClickHouse `[1,'b c']`.
fn array(out: &mut String, a: &[Field], dialect: Dialect) {
    let pg = dialect == Dialect::Postgres;
    let mut s = String::from(if pg { "{" } else { "[" });
    for (i, f) in a.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let mut v = String::new();
        scalar(&mut v, f, dialect);
        match f {
            Field::Null if pg => s.push_str("NULL"),
            _ if pg => {
                s.push('"');
                for c in v.chars() {
                    if c == '"' || c == '\\' {
                        s.push('\\');
                    }
                    s.push(c);
                }
                s.push('"');
            }
            Field::Text(_) | Field::Null => {
                s.push('\'');
                let mut e = String::new();
                escape(&mut e, &v);
                s.push_str(&e.replace('\'', "\\'"));
                s.push('\'');
            }
            _ => s.push_str(&v),
        }
    }
    s.push(if pg { '}' } else { ']' });
    // COPY unescapes the field before it parses the array; ClickHouse's strings in arrays
    // carry their own escapes.
    if pg {
        escape(out, &s);
    } else {
        out.push_str(&s);
    }
}

/// Escapes the characters both text forms give a meaning: backslash, tab, newline, return.
fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_copy_and_clickhouse_tsv() {
        let row = [
            Field::UInt(7),
            Field::Text("a\tb\\".into()),
            Field::Null,
            Field::Array(vec![Field::Text("x\"y".into()), Field::Text("z'".into())]),
            Field::Time(1_700_000_000, 123_456_789),
            Field::Duration(2, 5_000_000),
        ];
        let mut pg = String::new();
        line(&mut pg, &row, Dialect::Postgres);
        assert_eq!(pg, "7\ta\\tb\\\\\t\\N\t{\"x\\\\\"y\",\"z'\"}\t2023-11-14 22:13:20.123456+00\t2.005000 seconds\n");
        let mut ch = String::new();
        line(&mut ch, &row, Dialect::ClickHouse);
        assert_eq!(ch, "7\ta\\tb\\\\\t\t['x\"y','z\\'']\t1700000000.123456789\t2.005000000\n");
    }
}
