//! Flow records: the binary encoding of one flow's column values (plugin-abi.md §9), written
//! by plugins through an [`Encoder`] ([`Output`] in `on_flow_terminate`) and read back by the
//! sinks through a [`Decoder`].
//!
//! A record holds the values of the run's columns in order, each encoded by its type
//! ([`Prim`](crate::Prim)): numbers in host byte order, addresses in network order, strings
//! NUL-terminated, times as u64 seconds + u32 fraction, `IPX` as a version byte (0, 4 or 6)
//! followed by 0, 4 or 16 address bytes. A repeating column or compound (`:R`) starts with a u32
//! count of repetitions. Nothing marks where a value ends: a record only makes sense with its
//! column list, and the encoder and the decoder here are the only code that knows the layout.
//!
//! ```
//! use plugin_api::record::{Decoder, Encoder, Lead, Val, Visitor};
//! use plugin_api::Column;
//!
//! let columns = [Column::parse("n", "", "U16").unwrap(), Column::parse("names", "", "SC:R").unwrap()];
//! let mut enc = Encoder::new(Vec::new());
//! enc.u16(7);
//! enc.rep(2);
//! enc.str(b"a");
//! enc.str(b"b");
//! let record = enc.into_inner();
//!
//! /// Collects the text of the values, one string per column.
//! #[derive(Default)]
//! struct Texts(Vec<String>);
//! impl Visitor for Texts {
//!     fn lead(&mut self, lead: Lead) {
//!         if let Lead::Column(_) = lead {
//!             self.0.push(String::new());
//!         }
//!     }
//!     fn value(&mut self, v: Val<'_>) {
//!         let s = self.0.last_mut().unwrap();
//!         match v {
//!             Val::U16(n) => s.push_str(&n.to_string()),
//!             Val::StrClass(b) => s.push_str(std::str::from_utf8(b).unwrap()),
//!             _ => unreachable!(),
//!         }
//!     }
//!     fn next(&mut self) {
//!         self.0.last_mut().unwrap().push(';');
//!     }
//! }
//! let mut texts = Texts::default();
//! let used = Decoder::new(&columns).decode(&record, &mut texts).unwrap();
//! assert_eq!((texts.0, used), (vec!["7".to_owned(), "a;b".to_owned()], record.len()));
//! ```

mod decode;
mod encode;
mod program;

pub use decode::{DecodeError, DecodeErrorKind, Val};
pub use encode::{Encoder, HostBuf, Output, RecordBuf};
pub use program::{Decoder, Lead, Op, Visitor};
