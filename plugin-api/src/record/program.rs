//! Walking a record against its column list: the list compiled once into flat ops, a visitor
//! told the values and the structure.
//!
//! Compiling once means a record is decoded by one loop over small `Copy` ops, with no
//! recursion over the nested [`Value`] tree and no allocation per record or value.

use crate::types::{Column, Prim, Value};

use super::decode::{DecodeError, Reader, Val};

/// What comes before an item (a value, a repetition or a nested compound) of a record; text
/// sinks write it as a separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lead {
    /// The first item of column `n` (0-based; `SEP_CHR` in the flow file from column 1 on).
    Column(u32),
    /// The next member of a compound (`_`).
    Member,
    /// Nothing: the first item of a compound or of a repetition.
    None,
}

/// One step of decoding a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read one value.
    Prim(Lead, Prim),
    /// A nested compound starts (`(`).
    Open(Lead),
    /// The nested compound ends (`)`).
    Close,
    /// An item of several members starts (once per repetition); JSON writes it as an array.
    Tuple(Lead),
    /// The item of several members ends.
    EndTuple,
    /// Read a u32 repetition count; with 0 jump to `end`, else start the first repetition.
    Repeat {
        /// Before the repetition.
        lead: Lead,
        /// Index of the op after the matching [`Op::Next`].
        end: u32,
    },
    /// End of one repetition: with repetitions left, jump back to `body`.
    Next {
        /// Index of the first op of the repetition body.
        body: u32,
    },
}

/// Told what a record holds, in order. Every item (value, repetition, nested compound) is
/// announced by [`Visitor::lead`]; a repeating item then gets [`Visitor::repeat`] with its
/// count, [`Visitor::next`] between two repetitions and [`Visitor::end_repeat`] after the last.
pub trait Visitor {
    /// An item follows, after `lead`.
    fn lead(&mut self, lead: Lead) {
        let _ = lead;
    }
    /// A value.
    fn value(&mut self, v: Val<'_>);
    /// A nested compound starts.
    fn open(&mut self) {}
    /// The nested compound ends.
    fn close(&mut self) {}
    /// An item of several members follows: a column or repetition of more than one value, or
    /// a compound of more than one member or whose first member is a compound (T2's jsonSink
    /// writes these as arrays; text has only the `_` between the members).
    fn tuple(&mut self) {}
    /// The item of several members is over.
    fn end_tuple(&mut self) {}
    /// `count` repetitions follow (0: none, [`Visitor::end_repeat`] comes next).
    fn repeat(&mut self, count: u32) {
        let _ = count;
    }
    /// One repetition is over and another follows.
    fn next(&mut self) {}
    /// The last repetition is over.
    fn end_repeat(&mut self) {}
    /// The record ends inside a string: `v` holds its bytes so far. Decoding fails right after;
    /// sinks that write as they decode can show the cut value as T2 does.
    fn unterminated(&mut self, v: Val<'_>) {
        let _ = v;
    }
}

/// A column list compiled for decoding, with its reusable repetition stack.
#[derive(Clone, Debug)]
pub struct Decoder {
    ops: Vec<Op>,
    /// Column of each op, for error messages.
    op_column: Vec<u32>,
    /// Repetitions left per open repetition level (capacity: the deepest nesting).
    counts: Vec<u32>,
}

impl Decoder {
    /// Compiles `columns`, the run's column list (`dir` and `flowInd` first).
    pub fn new(columns: &[Column]) -> Decoder {
        let mut c = Compiler { ops: Vec::new(), op_column: Vec::new(), column: 0, lead: Lead::None, depth: 0 };
        for (i, col) in columns.iter().enumerate() {
            c.column = u32::try_from(i).expect("fewer than 2^32 columns");
            c.lead = Lead::Column(c.column);
            c.values(&col.values, col.repeating, col.values.len() > 1, 1);
        }
        Decoder { ops: c.ops, op_column: c.op_column, counts: Vec::with_capacity(c.depth) }
    }

    /// The ops (for tests and debugging).
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Walks `rec`, telling `v` what it holds; returns the number of bytes read (a record may
    /// be longer than its columns need). On error `v` has been told everything before it.
    pub fn decode<V: Visitor>(&mut self, rec: &[u8], v: &mut V) -> Result<usize, DecodeError> {
        let mut r = Reader::new(rec);
        self.counts.clear();
        let mut pc = 0;
        while let Some(&op) = self.ops.get(pc) {
            pc += 1;
            let res = match op {
                Op::Prim(lead, p) => {
                    v.lead(lead);
                    r.value(p, v)
                }
                Op::Open(lead) => {
                    v.lead(lead);
                    v.open();
                    Ok(())
                }
                Op::Close => {
                    v.close();
                    Ok(())
                }
                Op::Tuple(lead) => {
                    v.lead(lead);
                    v.tuple();
                    Ok(())
                }
                Op::EndTuple => {
                    v.end_tuple();
                    Ok(())
                }
                Op::Repeat { lead, end } => {
                    v.lead(lead);
                    r.u32().map(|n| {
                        v.repeat(n);
                        if n == 0 {
                            v.end_repeat();
                            pc = end as usize;
                        } else {
                            self.counts.push(n);
                        }
                    })
                }
                Op::Next { body } => {
                    if let Some(left) = self.counts.last_mut() {
                        *left -= 1;
                        if *left > 0 {
                            v.next();
                            pc = body as usize;
                        } else {
                            self.counts.pop();
                            v.end_repeat();
                        }
                    }
                    Ok(())
                }
            };
            if let Err(kind) = res {
                let column = self.op_column.get(pc - 1).map_or(0, |&c| c as usize);
                return Err(DecodeError { column, kind });
            }
        }
        Ok(r.pos())
    }
}

/// State of [`Decoder::new`].
struct Compiler {
    ops: Vec<Op>,
    op_column: Vec<u32>,
    /// Column being compiled.
    column: u32,
    /// Lead of the next item.
    lead: Lead,
    /// Deepest nesting of repetitions.
    depth: usize,
}

impl Compiler {
    fn push(&mut self, op: Op) {
        self.ops.push(op);
        self.op_column.push(self.column);
    }

    /// Index of the next op.
    fn here(&self) -> u32 {
        u32::try_from(self.ops.len()).expect("fewer than 2^32 ops")
    }

    /// Takes the pending lead.
    fn lead(&mut self) -> Lead {
        core::mem::replace(&mut self.lead, Lead::None)
    }

    /// Compiles the members `values`, repeated when `repeating`, each occurrence a tuple when
    /// `tuple`.
    fn values(&mut self, values: &[Value], repeating: bool, tuple: bool, depth: usize) {
        let repeat_at = self.ops.len();
        let repeat_lead = if repeating { self.lead() } else { Lead::None };
        if repeating {
            self.depth = self.depth.max(depth);
            self.push(Op::Repeat { lead: repeat_lead, end: 0 });
        }
        let body = self.here();
        if tuple {
            let lead = self.lead();
            self.push(Op::Tuple(lead));
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.lead = Lead::Member;
            }
            let lead = self.lead();
            match v {
                Value::Prim(p) => self.push(Op::Prim(lead, *p)),
                Value::Compound { values, repeating } => {
                    self.push(Op::Open(lead));
                    let tuple = values.len() > 1 || matches!(values.first(), Some(Value::Compound { .. }));
                    self.values(values, *repeating, tuple, depth + 1);
                    self.push(Op::Close);
                }
            }
        }
        if tuple {
            self.push(Op::EndTuple);
        }
        if repeating {
            self.push(Op::Next { body });
            let end = self.here();
            self.ops[repeat_at] = Op::Repeat { lead: repeat_lead, end };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{DecodeErrorKind, Encoder};

    fn cols(sigs: &[&str]) -> Vec<Column> {
        sigs.iter().map(|s| Column::parse("c", "", s).unwrap()).collect()
    }

    /// Every visitor call as text.
    #[derive(Default)]
    struct Trace(Vec<String>);

    impl Visitor for Trace {
        fn lead(&mut self, lead: Lead) {
            match lead {
                Lead::Column(n) => self.0.push(format!("col{n}")),
                Lead::Member => self.0.push("_".into()),
                Lead::None => {}
            }
        }
        fn value(&mut self, v: Val<'_>) {
            self.0.push(format!("{v:?}"));
        }
        fn open(&mut self) {
            self.0.push("(".into());
        }
        fn close(&mut self) {
            self.0.push(")".into());
        }
        fn tuple(&mut self) {
            self.0.push("[".into());
        }
        fn end_tuple(&mut self) {
            self.0.push("]".into());
        }
        fn repeat(&mut self, count: u32) {
            self.0.push(format!("rep{count}"));
        }
        fn next(&mut self) {
            self.0.push(";".into());
        }
        fn end_repeat(&mut self) {
            self.0.push("end".into());
        }
        fn unterminated(&mut self, v: Val<'_>) {
            self.0.push(format!("cut {v:?}"));
        }
    }

    fn trace(sigs: &[&str], rec: &[u8]) -> (Result<usize, DecodeError>, String) {
        let mut t = Trace::default();
        let res = Decoder::new(&cols(sigs)).decode(rec, &mut t);
        (res, t.0.join(" "))
    }

    #[test]
    fn ops_are_flat() {
        use crate::Prim::{U8, U16};
        let d = Decoder::new(&cols(&["U8", "U8_(U16:R):R", "U8"]));
        assert_eq!(
            d.ops(),
            [
                Op::Prim(Lead::Column(0), U8),
                Op::Repeat { lead: Lead::Column(1), end: 11 },
                Op::Tuple(Lead::None),
                Op::Prim(Lead::None, U8),
                Op::Open(Lead::Member),
                Op::Repeat { lead: Lead::None, end: 8 },
                Op::Prim(Lead::None, U16),
                Op::Next { body: 6 },
                Op::Close,
                Op::EndTuple,
                Op::Next { body: 2 },
                Op::Prim(Lead::Column(2), U8),
            ]
        );
        assert_eq!(d.counts.capacity(), 2);
    }

    #[test]
    fn structure_and_values() {
        let mut e = Encoder::new(Vec::new());
        e.u8(1);
        e.rep(2);
        e.u8(2);
        e.rep(0);
        e.u8(3);
        e.rep(1);
        e.u16(4);
        e.str(b"x");
        let rec = e.into_inner();
        let (res, t) = trace(&["U8", "U8_(U16:R):R", "SC"], &rec);
        assert_eq!(res, Ok(rec.len()));
        assert_eq!(
            t,
            "col0 U8(1) col1 rep2 [ U8(2) _ ( rep0 end ) ] ; [ U8(3) _ ( rep1 U16(4) end ) ] end col2 StrClass([120])"
        );
    }

    #[test]
    fn nested_repetitions_keep_their_own_counts() {
        let mut e = Encoder::new(Vec::new());
        for v in [1u32, 2, 1] {
            e.rep(v);
        }
        e.u8(1);
        e.rep(2);
        e.u8(2);
        e.u8(3);
        let (res, t) = trace(&["((U8:R):R):R"], &e.into_inner());
        assert!(res.is_ok());
        // The outer compound's only member is a compound: each repetition is a tuple.
        assert_eq!(t, "col0 rep1 ( rep2 [ ( rep1 U8(1) end ) ] ; [ ( rep2 U8(2) ; U8(3) end ) ] end ) end");
    }

    #[test]
    fn errors_name_column_and_bytes_and_keep_what_came_before() {
        let rec = [&[7][..], &3u32.to_ne_bytes(), &[1]].concat();
        let (res, t) = trace(&["U8", "U8:R", "U8"], &rec);
        assert_eq!(res, Err(DecodeError { column: 1, kind: DecodeErrorKind::Truncated { required: 7 } }));
        assert_eq!(t, "col0 U8(7) col1 rep3 U8(1) ;");
        let (res, t) = trace(&["U8", "IPX", "U8"], &[7, 5, 1, 2, 3, 4, 9]);
        assert_eq!(res, Err(DecodeError { column: 1, kind: DecodeErrorKind::IpVersion(5) }));
        assert_eq!(t, "col0 U8(7) col1");
        let (res, t) = trace(&["S"], b"cut");
        assert_eq!(res.unwrap_err().kind, DecodeErrorKind::Truncated { required: 4 });
        assert_eq!(t, "col0 cut Str([99, 117, 116])");
        assert_eq!(
            trace(&["U8", "U16"], &[1, 2]).0.unwrap_err().to_string(),
            "column 2: the record ends before byte 3"
        );
    }

    #[test]
    fn trailing_bytes_are_left_to_the_caller() {
        assert_eq!(trace(&["U8"], &[1, 2, 3]).0, Ok(1));
    }

    #[test]
    fn decoder_is_reusable_after_an_error() {
        let mut d = Decoder::new(&cols(&["U8:R", "U8"]));
        let rec = |n: u32, rest: &[u8]| [&n.to_ne_bytes()[..], rest].concat();
        assert!(d.decode(&rec(3, &[1]), &mut Trace::default()).is_err());
        let mut t = Trace::default();
        assert_eq!(d.decode(&rec(1, &[1, 2]), &mut t), Ok(6));
        assert_eq!(t.0.join(" "), "col0 rep1 U8(1) end col1 U8(2)");
    }
}
