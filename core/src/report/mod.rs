//! Everything the run prints besides flows: log lines, times, the end report.
#![forbid(unsafe_code)]

pub mod end;
pub mod log;
pub mod monitor;
pub mod proto;
pub mod sys;
pub mod time;

/// `<description> [<NAME>/<number>]` of a DLT, from libpcap's tables.
pub fn linktype_text(dlt: u32) -> String {
    let lt = pcap::Linktype(dlt as i32);
    let name = lt.get_name().unwrap_or_else(|_| format!("DLT {dlt}"));
    let desc = lt.get_description().unwrap_or_else(|_| name.clone());
    format!("{desc} [{name}/{dlt}]")
}

/// The capture library's version string (the headers file's `SW info`).
pub fn pcap_version() -> String {
    crate::capture::live::lib_version()
}
