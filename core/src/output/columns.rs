//! The flow-file column list (T2's `main_header_bv`) and empty records.

use plugin_api::abi::ColumnDesc;
use plugin_api::record::Encoder;
use plugin_api::types::{Column, Prim, Value};

/// All columns of a run: `dir`, `flowInd`, then every plugin's in load order; owns the strings
/// its C descriptors point to.
#[derive(Debug)]
pub struct ColumnList {
    columns: Vec<Column>,
    text: Vec<(String, String, String)>,
    descs: Vec<ColumnDesc>,
}

impl ColumnList {
    /// The core's two columns followed by `plugin_columns`.
    pub fn new<'a>(plugin_columns: impl IntoIterator<Item = &'a Column>) -> ColumnList {
        let mut columns = vec![
            Column {
                name: "dir".into(),
                desc: "Flow direction".into(),
                values: vec![Value::Prim(Prim::Dir)],
                repeating: false,
            },
            Column {
                name: "flowInd".into(),
                desc: "Flow index".into(),
                values: vec![Value::Prim(Prim::U64)],
                repeating: false,
            },
        ];
        columns.extend(plugin_columns.into_iter().cloned());
        let text: Vec<(String, String, String)> =
            columns.iter().map(|c| (c.name.clone(), c.desc.clone(), c.signature())).collect();
        let descs = text.iter().map(|(n, d, s)| ColumnDesc { name: rstr(n), desc: rstr(d), sig: rstr(s) }).collect();
        ColumnList { columns, text, descs }
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// C descriptors (valid as long as `self`).
    pub fn descs(&self) -> &[ColumnDesc] {
        debug_assert_eq!(self.descs.len(), self.text.len());
        &self.descs
    }
}

fn rstr(s: &str) -> plugin_api::abi::RStr {
    plugin_api::abi::RStr { ptr: s.as_ptr(), len: s.len() }
}

/// Appends the encoding of an "empty" value of `col` (zero numbers, empty strings, no
/// repetitions): what a plugin switched off after a panic contributes to each record.
pub fn encode_empty(col: &Column, out: &mut Vec<u8>) {
    Encoder::new(out).empty(col);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_columns_come_first() {
        let extra = Column::parse("x", "y", "U8").unwrap();
        let l = ColumnList::new([&extra]);
        let names: Vec<_> = l.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["dir", "flowInd", "x"]);
        assert_eq!(l.descs().len(), 3);
    }

    #[test]
    fn empty_encodings() {
        let mut out = vec![9];
        encode_empty(&Column::parse("a", "", "(U8_U8_U8)_S_IPX").unwrap(), &mut out);
        assert_eq!(out, [9, 0, 0, 0, 0, 0]);
    }
}
