//! The table a run's header makes: one table column per header column, typed per engine.
//!
//! | header type | SQLite (T2's sqliteSink) | PostgreSQL (T2's psqlSink) | ClickHouse 18.16 |
//! |---|---|---|---|
//! | `I8` `I16` `I32` `I64` | `INT` | `smallint` `smallint` `integer` `bigint` | `Int8` ... `Int64` |
//! | `U8` `U16` `U32` `U64` | `INT` | `smallint` `integer` `bigint` `numeric` | `UInt8` ... `UInt64` |
//! | `H8` ... `H64` | `TEXT` `0x..` (`INT` with `SQLITE_HEX_AS_INT`) | as `U8` ... `U64` | `UInt8` ... `UInt64` |
//! | `F` `D` | `REAL` | `real`, `double precision` | `Float32`, `Float64` |
//! | `C` `DIR` | `TEXT` | `char` | `String` |
//! | `S` `SC` | `TEXT` | `text` | `String` |
//! | `TS` | `TEXT` (ISO 8601, UTC) | `timestamp with time zone` (µs) | `Decimal128(9)` (seconds since the epoch, ns: `Decimal64` holds 18 digits) |
//! | `DUR` | `REAL` (seconds) | `interval` (µs) | `Decimal64(9)` (seconds) |
//! | `MAC` | `TEXT` | `macaddr` | `String` |
//! | `IP4` `IP6` `IPX` | `TEXT` | `inet` (`IPX` without address: NULL) | `String` (none: empty) |
//!
//! A column of several values (`SC_U64`, `(D:R)`) is text in T2's flow-file form (`a_b`,
//! repetitions joined by `;`). A repeating column is an array where the engine has them
//! (PostgreSQL `T[]`, ClickHouse `Array(T)`, elements typed as above or text for several
//! values); SQLite, without arrays, keeps T2's text form. ClickHouse 18.16 has neither
//! `DateTime64` nor the `IPv4`/`IPv6` types (both came in 19.x and 20.x).

use plugin_api::types::{Column, Prim, Value};

/// A database engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// ClickHouse.
    ClickHouse,
}

/// How a header column is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One typed value.
    Scalar(Prim),
    /// Repetitions of one typed value.
    Array(Prim),
    /// T2's text form of the whole column.
    Text,
    /// Repetitions, each in T2's text form.
    TextArray,
}

impl Shape {
    /// How `col` is stored in `dialect`.
    pub fn of(col: &Column, dialect: Dialect) -> Shape {
        let single = match col.values.as_slice() {
            [Value::Prim(p)] => Some(*p),
            _ => None,
        };
        match (single, col.repeating, dialect) {
            (Some(p), false, _) => Shape::Scalar(p),
            (_, true, Dialect::Sqlite) | (None, false, _) => Shape::Text,
            (Some(p), true, _) => Shape::Array(p),
            (None, true, _) => Shape::TextArray,
        }
    }
}

/// A column of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableColumn {
    /// The header's column name.
    pub name: String,
    /// How its values are stored.
    pub shape: Shape,
    /// The engine's type name.
    pub sql_type: String,
}

/// The table for `columns` in `dialect`; `hex_as_int` stores SQLite's hex columns as numbers.
pub fn table(columns: &[Column], dialect: Dialect, hex_as_int: bool) -> Vec<TableColumn> {
    columns
        .iter()
        .map(|c| {
            let shape = Shape::of(c, dialect);
            TableColumn { name: c.name.clone(), shape, sql_type: sql_type(shape, dialect, hex_as_int) }
        })
        .collect()
}

/// The engine's type of a column stored as `shape`.
pub fn sql_type(shape: Shape, dialect: Dialect, hex_as_int: bool) -> String {
    let text = match dialect {
        Dialect::Sqlite => "TEXT",
        Dialect::Postgres => "text",
        Dialect::ClickHouse => "String",
    };
    match (shape, dialect) {
        (Shape::Scalar(p), _) => prim_type(p, dialect, hex_as_int).to_owned(),
        (Shape::Text, _) | (Shape::Array(_) | Shape::TextArray, Dialect::Sqlite) => text.to_owned(),
        (Shape::Array(p), Dialect::Postgres) => format!("{}[]", prim_type(p, dialect, hex_as_int)),
        (Shape::TextArray, Dialect::Postgres) => "text[]".to_owned(),
        (Shape::Array(p), Dialect::ClickHouse) => format!("Array({})", prim_type(p, dialect, hex_as_int)),
        (Shape::TextArray, Dialect::ClickHouse) => "Array(String)".to_owned(),
    }
}

/// The engine's type of one value (the table in the module documentation).
fn prim_type(p: Prim, dialect: Dialect, hex_as_int: bool) -> &'static str {
    use Prim::*;
    match dialect {
        Dialect::Sqlite => match p {
            I8 | I16 | I32 | I64 | U8 | U16 | U32 | U64 => "INT",
            H8 | H16 | H32 | H64 if hex_as_int => "INT",
            F32 | F64 | Duration => "REAL",
            _ => "TEXT",
        },
        Dialect::Postgres => match p {
            I8 | I16 | U8 | H8 => "smallint",
            I32 | U16 | H16 => "integer",
            I64 | U32 | H32 => "bigint",
            U64 | H64 => "numeric",
            F32 => "real",
            F64 => "double precision",
            Char | Dir => "char",
            Str | StrClass => "text",
            Time => "timestamp with time zone",
            Duration => "interval",
            Mac => "macaddr",
            Ip4 | Ip6 | IpX => "inet",
        },
        Dialect::ClickHouse => match p {
            I8 => "Int8",
            I16 => "Int16",
            I32 => "Int32",
            I64 => "Int64",
            U8 | H8 => "UInt8",
            U16 | H16 => "UInt16",
            U32 | H32 => "UInt32",
            U64 | H64 => "UInt64",
            F32 => "Float32",
            F64 => "Float64",
            Time => "Decimal128(9)",
            Duration => "Decimal64(9)",
            Char | Dir | Str | StrClass | Mac | Ip4 | Ip6 | IpX => "String",
        },
    }
}

/// `name` as a quoted SQL identifier (`"name"`; ClickHouse reads the same quotes).
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(sig: &str) -> Column {
        Column::parse("c", "", sig).unwrap()
    }

    #[test]
    fn shapes_and_types_per_engine() {
        let cases = [
            ("U64", "INT", "numeric", "UInt64"),
            ("H16", "TEXT", "integer", "UInt16"),
            ("U16:R", "TEXT", "integer[]", "Array(UInt16)"),
            ("SC_U64:R", "TEXT", "text[]", "Array(String)"),
            ("H32_H16", "TEXT", "text", "String"),
            ("TS", "TEXT", "timestamp with time zone", "Decimal128(9)"),
            ("IPX", "TEXT", "inet", "String"),
        ];
        for (sig, lite, pg, ch) in cases {
            let c = [col(sig)];
            let types: Vec<String> = [Dialect::Sqlite, Dialect::Postgres, Dialect::ClickHouse]
                .iter()
                .map(|&d| table(&c, d, false)[0].sql_type.clone())
                .collect();
            assert_eq!(types, [lite, pg, ch], "{sig}");
        }
        assert_eq!(table(&[col("H8")], Dialect::Sqlite, true)[0].sql_type, "INT");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
