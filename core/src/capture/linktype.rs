//! Link types: the open [`LinkType`] number and libpcap's rules for it (the DLT it reports for
//! a file's LINKTYPE, the largest sane capture length per type, the snapshot adjustment).

/// A link-layer type (DLT/LINKTYPE value); kept open so unknown values survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet.
    pub const EN10MB: LinkType = LinkType(1);
    /// PPP.
    pub const PPP: LinkType = LinkType(9);
    /// Raw IP: files with LINKTYPE_RAW (101) or 12. libpcap on Linux reports both as
    /// `DLT_RAW` = 12, the number T2 prints (see `Reader::dlt`); we expose 101.
    pub const RAW: LinkType = LinkType(101);
    /// Cisco HDLC.
    pub const C_HDLC: LinkType = LinkType(104);
    /// Linux cooked capture v1.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: LinkType = LinkType(276);
}

/// libpcap's `MAXIMUM_SNAPLEN`.
pub(super) const MAXIMUM_SNAPLEN: u32 = 262_144;

/// Maps a file's LINKTYPE_* value to the DLT_* value libpcap 1.10 reports on Linux.
pub(super) fn linktype_to_dlt(linktype: u32) -> u32 {
    match linktype {
        100 => 11, // ATM_RFC1483
        101 => 12, // RAW
        102 => 15, // SLIP_BSDOS
        103 => 16, // PPP_BSDOS
        106 => 19, // ATM_CLIP (the one value in the matching range that differs)
        // PFSYNC (246) and PKTAP (258) are special-cased by libpcap but map to themselves on
        // Linux; every other value is either identical or unknown and passed through.
        other => other,
    }
}

/// The link type we expose for a libpcap DLT: the project numbers raw IP as 101 (see
/// [`LinkType::RAW`]), libpcap on Linux calls it 12.
pub(super) fn exposed_linktype(dlt: u32) -> LinkType {
    if dlt == 12 { LinkType::RAW } else { LinkType(dlt) }
}

/// libpcap's `max_snaplen_for_dlt()`.
pub(super) fn max_snaplen_for_dlt(dlt: u32) -> u32 {
    match dlt {
        231 => 128 * 1024 * 1024, // DBUS
        279 => 8 * 1024 * 1024,   // EBHSCR
        249 => 1024 * 1024,       // USBPCAP
        _ => MAXIMUM_SNAPLEN,
    }
}

/// libpcap's `pcap_adjust_snapshot()`: only 0 and values above `INT_MAX` are replaced; a value
/// between the link type's maximum and `INT_MAX` is kept as is.
pub(super) fn adjust_snapshot(dlt: u32, snaplen: u32) -> u32 {
    if snaplen == 0 || snaplen > i32::MAX as u32 { max_snaplen_for_dlt(dlt) } else { snaplen }
}

/// `<description> [<NAME>/<number>]` of a DLT, from libpcap's tables (T2's `Link layer type`).
pub fn linktype_text(dlt: u32) -> String {
    let lt = pcap::Linktype(dlt as i32);
    let name = lt.get_name().unwrap_or_else(|_| format!("DLT {dlt}"));
    let desc = lt.get_description().unwrap_or_else(|_| name.clone());
    format!("{desc} [{name}/{dlt}]")
}
