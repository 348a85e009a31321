//! rt2 core: the `tranalyzer` flow analyzer as a library (the binary is a thin `main`).
//!
//! The data path reads top to bottom: [`capture`] → [`dissect`] → [`flow`] → [`dispatch`]
//! (plugins) → [`output`], driven by [`pipeline`] and set up by [`app`].
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod app;
pub mod capture;
pub mod cli;
pub mod dispatch;
pub mod dissect;
pub mod error;
pub mod flags;
pub mod flow;
pub mod output;
pub mod pipeline;
pub mod process;
pub mod report;
pub mod signals;
pub mod testing;
