//! The column list compiled into a flat list of operations, and the record walker that runs it
//! (plugin-abi.md §9 decoding, txt-format.md §3 separators).
//!
//! Compiling once at init means a record is rendered by one loop over small `Copy` ops, with
//! no recursion over the nested [`Value`] tree and no allocation.

use plugin_api::{Column, Prim, Value};

use crate::render::{Reader, RenderError, Renderer};

/// Text written before an op: separators are fused into the op that follows them, halving
/// the number of ops (and of indirect jumps) per record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    /// Nothing.
    None,
    /// One byte: `_` between values, or a one-byte `SEP_CHR`.
    Byte(u8),
    /// A multi-byte `SEP_CHR`.
    Sep,
}

/// One step of rendering a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Write the lead, then read and render one primitive.
    Prim(Lead, Prim),
    /// Write the lead and a literal byte (`(` or `)` around a nested compound).
    Byte(Lead, u8),
    /// Write the lead, then read a u32 repetition count; with 0 jump to `end`, else open a
    /// repetition.
    Repeat {
        /// Written first.
        lead: Lead,
        /// Index of the op after the matching [`Op::Next`].
        end: u32,
    },
    /// End of one repetition: with repetitions left write `;` and jump to `body`.
    Next {
        /// Index of the first op of the repetition body.
        body: u32,
    },
}

/// A compiled column list.
#[derive(Debug, Clone)]
pub struct Program {
    ops: Vec<Op>,
    /// Deepest nesting of repetitions (size of the count stack).
    depth: usize,
    /// How `SEP_CHR` is written.
    sep: Lead,
    /// Lead waiting for the next op.
    lead: Lead,
}

impl Program {
    /// Compiles the columns of the flow file, separated by `sep` (`SEP_CHR`).
    pub fn compile(columns: &[Column], sep: &str) -> Program {
        let sep = match sep.as_bytes() {
            [] => Lead::None,
            &[b] => Lead::Byte(b),
            _ => Lead::Sep,
        };
        let mut p = Program { ops: Vec::new(), depth: 0, sep, lead: Lead::None };
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                p.lead = p.sep;
            }
            p.values(&c.values, c.repeating, 1);
        }
        // A trailing lead can only come from a column without values, which signatures forbid.
        debug_assert_eq!(p.lead, Lead::None);
        p
    }

    /// The ops (for tests and debugging).
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Index of the next op.
    fn here(&self) -> u32 {
        u32::try_from(self.ops.len()).expect("fewer than 2^32 ops")
    }

    /// Takes the pending lead.
    fn lead(&mut self) -> Lead {
        std::mem::replace(&mut self.lead, Lead::None)
    }

    fn values(&mut self, values: &[Value], repeating: bool, depth: usize) {
        let repeat_at = self.ops.len();
        let repeat_lead = if repeating { self.lead() } else { Lead::None };
        if repeating {
            self.depth = self.depth.max(depth);
            self.ops.push(Op::Repeat { lead: repeat_lead, end: 0 });
        }
        let body = self.here();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.lead = Lead::Byte(b'_');
            }
            match v {
                Value::Prim(p) => {
                    let lead = self.lead();
                    self.ops.push(Op::Prim(lead, *p));
                }
                Value::Compound { values, repeating } => {
                    let lead = self.lead();
                    self.ops.push(Op::Byte(lead, b'('));
                    self.values(values, *repeating, depth + 1);
                    self.ops.push(Op::Byte(Lead::None, b')'));
                }
            }
        }
        if repeating {
            self.ops.push(Op::Next { body });
            let end = self.here();
            self.ops[repeat_at] = Op::Repeat { lead: repeat_lead, end };
        }
    }
}

/// Renders records with a [`Program`]; owns the reusable count stack.
#[derive(Debug)]
pub struct RecordWriter {
    program: Program,
    renderer: Renderer,
    /// Repetitions left per open repetition level.
    counts: Vec<u32>,
}

impl RecordWriter {
    /// Compiles `columns` for `renderer`.
    pub fn new(columns: &[Column], renderer: Renderer) -> RecordWriter {
        let program = Program::compile(columns, &renderer.config().sep_chr);
        let counts = Vec::with_capacity(program.depth);
        RecordWriter { program, renderer, counts }
    }

    /// The value renderer.
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Appends the text line of `rec` (ending in `\n`) to `out`. On error the text rendered so
    /// far stays in `out`, without a newline, as T2 leaves it in the file.
    pub fn render(&mut self, out: &mut Vec<u8>, rec: &[u8]) -> Result<(), RenderError> {
        let ops = &self.program.ops;
        let sep = self.renderer.config().sep_chr.as_bytes();
        let mut r = Reader::new(rec);
        self.counts.clear();
        let lead = |out: &mut Vec<u8>, l: Lead| match l {
            Lead::None => {}
            Lead::Byte(b) => out.push(b),
            Lead::Sep => crate::render::put(out, sep),
        };
        let mut pc = 0;
        while let Some(&op) = ops.get(pc) {
            pc += 1;
            match op {
                Op::Prim(l, p) => {
                    lead(out, l);
                    self.renderer.prim(out, &mut r, p)?;
                }
                Op::Byte(l, b) => {
                    lead(out, l);
                    out.push(b);
                }
                Op::Repeat { lead: l, end } => {
                    lead(out, l);
                    match r.u32()? {
                        0 => pc = end as usize,
                        n => self.counts.push(n),
                    }
                }
                Op::Next { body } => {
                    if let Some(left) = self.counts.last_mut() {
                        *left -= 1;
                        if *left > 0 {
                            out.push(b';');
                            pc = body as usize;
                        } else {
                            self.counts.pop();
                        }
                    }
                }
            }
        }
        out.push(b'\n');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::testutil::{Rec, cols, render, render_cfg};

    const BASIC: [&str; 10] = ["DIR", "U64", "H64", "TS", "DUR", "IPX", "U16", "IPX", "U16", "U8"];

    #[test]
    fn tcp_connection_a_and_b_lines() {
        // txt-format.md §9.1, the A record byte by byte.
        let a: Vec<u8> = [
            &[0x00][..],
            &[0x07, 0, 0, 0, 0, 0, 0, 0],
            &[0x00, 0x40, 0, 0, 0, 0, 0, 0x04],
            &[0x09, 0x97, 0xfe, 0x4c, 0, 0, 0, 0, 0xe0, 0x96, 0xa0, 0x1a],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0xa1, 0x07, 0x00],
            &[0x04, 0xc0, 0xa8, 0x01, 0x0a],
            &[0x22, 0xc8],
            &[0x04, 0x0a, 0x00, 0x00, 0x01],
            &[0x50, 0x00],
            &[0x06],
        ]
        .concat();
        assert_eq!(
            render(&BASIC, &a),
            "A\t7\t0x0400000000004000\t1291753225.446732000\t0.000500000\t192.168.1.10\t51234\t10.0.0.1\t80\t6"
        );
        let b = Rec::new()
            .u8(1)
            .u64(7)
            .u64(0x0400_0000_0000_4001)
            .time(1_291_753_225, 446_901_000)
            .time(0, 312_000)
            .ipx4([10, 0, 0, 1])
            .u16(80)
            .ipx4([192, 168, 1, 10])
            .u16(51234)
            .u8(6);
        assert_eq!(
            render(&BASIC, &b.0),
            "B\t7\t0x0400000000004001\t1291753225.446901000\t0.000312000\t10.0.0.1\t80\t192.168.1.10\t51234\t6"
        );
    }

    #[test]
    fn repeating_and_compound_columns() {
        // txt-format.md §9.2, after dir and flowInd.
        let sigs = [
            "DIR",
            "U64",
            "SC_U64:R",
            "MAC:R",
            "U16:R",
            "H32_H16",
            "U8_U8:R",
            "(D:R):R",
            "(U8_U8_U8)_(U8_U8_U8)_(U8_U8_U8)_(U8_U8_U8)",
        ];
        let rec = Rec::new()
            .u8(0)
            .u64(1)
            .u32(2)
            .str(b"eth:ipv4:tcp")
            .u64(10)
            .str(b"eth:vlan:ipv4:tcp")
            .u64(2)
            .u32(1)
            .bytes(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
            .u32(0)
            .u32(0x1248_8421)
            .u16(0x0014)
            .u32(3)
            .bytes(&[1, 2, 3, 4, 5, 6])
            .u32(2)
            .u32(2)
            .f64(1.0)
            .f64(2.5)
            .u32(1)
            .f64(3.0)
            .bytes(&[1, 2, 9, 1, 3, 1, 7, 5, 3, 2, 3, 7]);
        assert_eq!(
            render(&sigs, &rec.0),
            "A\t1\teth:ipv4:tcp_10;eth:vlan:ipv4:tcp_2\t00:11:22:33:44:55\t\t0x12488421_0x0014\t1_2;3_4;5_6\t\
             (1.000000;2.500000);(3.000000)\t(1_2_9)_(1_3_1)_(7_5_3)_(2_3_7)"
        );
    }

    #[test]
    fn empty_repetitions() {
        // A repeating column with count 0 is an empty field; an empty nested one is `()`.
        assert_eq!(render(&["U8:R", "U8:R", "U8"], &Rec::new().u32(0).u32(0).u8(9).0), "\t\t9");
        assert_eq!(render(&["(D:R):R"], &Rec::new().u32(2).u32(0).u32(1).f64(0.5).0), "();(0.500000)");
        assert_eq!(render(&["U8_(U16:R)"], &Rec::new().u8(1).u32(0).0), "1_()");
        // Nested repetitions inside repetitions keep their own counts.
        let rec = Rec::new().u32(2).u8(1).u32(2).u8(2).u8(3).u8(4).u32(1).u8(5);
        assert_eq!(render(&["U8_(U8:R):R"], &rec.0), "1_(2;3);4_(5)");
        let rec = Rec::new().u32(1).u32(2).u32(1).u8(1).u32(2).u8(2).u8(3);
        assert_eq!(render(&["((U8:R):R):R"], &rec.0), "((1);(2;3))");
    }

    #[test]
    fn program_is_flat() {
        use plugin_api::Prim::{U8, U16};
        let p = Program::compile(&cols(&["U8", "U8_(U16:R):R", "U8"]), "\t");
        let tab = Lead::Byte(b'\t');
        assert_eq!(
            p.ops(),
            [
                Op::Prim(Lead::None, U8),
                Op::Repeat { lead: tab, end: 9 },
                Op::Prim(Lead::None, U8),
                Op::Byte(Lead::Byte(b'_'), b'('),
                Op::Repeat { lead: Lead::None, end: 7 },
                Op::Prim(Lead::None, U16),
                Op::Next { body: 5 },
                Op::Byte(Lead::None, b')'),
                Op::Next { body: 2 },
                Op::Prim(tab, U8),
            ]
        );
        assert_eq!(p.depth, 2);
        assert_eq!(Program::compile(&cols(&["U8", "U8"]), "::").ops()[1], Op::Prim(Lead::Sep, U8));
    }

    #[test]
    fn sep_chr_flag() {
        let sigs = ["U8", "U8:R", "U8_U8", "U8:R", "U8"];
        let rec = Rec::new().u8(1).u32(2).u8(2).u8(3).u8(4).u8(5).u32(0).u8(6);
        let comma = Config { sep_chr: ",".into(), ..Config::default() };
        assert_eq!(render_cfg(comma, &sigs, &rec.0).unwrap(), "1,2;3,4_5,,6");
        let multi = Config { sep_chr: "<>".into(), ..Config::default() };
        assert_eq!(render_cfg(multi, &sigs, &rec.0).unwrap(), "1<>2;3<>4_5<><>6");
    }

    #[test]
    fn writer_is_reusable_after_an_error() {
        let mut w = RecordWriter::new(&cols(&["U8:R", "U8"]), Renderer::new(Config::default()));
        let mut out = Vec::new();
        assert!(w.render(&mut out, &Rec::new().u32(3).u8(1).0).is_err());
        assert_eq!(out, b"1;");
        out.clear();
        w.render(&mut out, &Rec::new().u32(1).u8(1).u8(2).0).unwrap();
        assert_eq!(out, b"1\t2\n");
    }
}
