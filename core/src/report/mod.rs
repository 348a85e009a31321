//! What the run reports about itself besides flows: the end report and the monitoring reports.
#![forbid(unsafe_code)]

pub mod end;
pub mod monitor;
pub mod proto;
pub mod sys;
