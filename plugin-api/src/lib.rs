//! The one crate the rt2 core and every plugin share.
//!
//! * [`abi`]: the `#[repr(C)]` contract (vtable, host table, packet and flow views). Stable,
//!   versioned, append-only; a C header generated from it lives in `include/rt2_plugin.h`.
//! * [`Plugin`] + [`export_plugin!`]: write a plugin in safe Rust. The macro emits the entry
//!   symbol and shims that catch panics at the boundary.
//! * [`Packet`], [`Flow`], [`FlowSlots`], [`SparseSlots`], [`Output`], [`Report`]: what
//!   callbacks work with ([`SparseSlots`]: state only for the flows a decoder claims).
//! * [`record`]: the flow-record encoding, its [`record::Encoder`] (behind [`Output`]) and the
//!   [`record::Decoder`] sinks walk records with.
//! * [`wire`]: header views, protocol numbers, the Internet checksum and a bounded reader for
//!   layer-7 decoders, shared with the core's dissector.
//!
//! A minimal plugin (see `plugins/basicFlow` for a complete one): a type implementing
//! [`Plugin`],
//!
//! ```
//! use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, Output, Packet, Plugin};
//!
//! #[derive(Default)]
//! struct PktCount { n: u64 }
//!
//! pub struct Counter { flows: FlowSlots<PktCount> }
//!
//! impl Plugin for Counter {
//!     fn new(_host: Host) -> Self { Counter { flows: FlowSlots::default() } }
//!     fn columns(&self, c: &mut Columns) { c.add("cntPkts", "Packets counted", "U64"); }
//!     fn init(&mut self, init: &Init<'_>) { self.flows = FlowSlots::new(init.capacity()); }
//!     fn on_new_flow(&mut self, _: Ctx<'_>, _: &Packet<'_>, f: Flow<'_>) { self.flows.reset(&f); }
//!     fn on_layer4(&mut self, _: Ctx<'_>, _: &Packet<'_>, f: Flow<'_>) { self.flows.get_mut(&f).n += 1; }
//!     fn on_flow_terminate(&mut self, _: Ctx<'_>, f: Flow<'_>, out: &mut Output<'_>) {
//!         out.u64(self.flows.get(&f).n);
//!     }
//! }
//! ```
//!
//! exported by `plugin_api::export_plugin!(Counter);` in a `cdylib` crate whose `build.rs`
//! calls `plugin_api::build::plugin()` (it passes the plugin number from `Cargo.toml`).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod abi;
#[cfg(feature = "build")]
pub mod build;
pub mod export;
#[cfg(feature = "build")]
pub mod flags;
pub mod flow;
pub mod flowfile;
pub mod fmt;
pub mod host;
pub mod offload;
pub mod packet;
pub mod pktline;
pub mod plugin;
pub mod record;
pub mod report;
pub mod sparse;
pub mod status;
#[cfg(feature = "testing")]
pub mod testing;
pub mod types;
pub mod wire;

pub use flow::{Ctx, EtherTypeCounts, Flow, FlowSlots};
pub use host::Host;
pub use packet::Packet;
pub use pktline::PacketLine;
pub use plugin::{Columns, Init, Plugin, Split};
pub use record::Output;
pub use report::{MonState, Monitor, Report};
pub use sparse::SparseSlots;
pub use types::{Column, Prim, Value};
