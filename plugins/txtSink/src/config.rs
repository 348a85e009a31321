//! Configuration flags of txtSink (`txtSink.h`) and of the text renderer (`bin2txt.h`).
//!
//! The constants are T2's compile-time defaults; [`Config::default`] picks them up. Everything
//! that renders reads the flags from a [`Config`] value, so tests can flip one flag at a time.

use plugin_api::abi::CoreConfig;

/// Honour the core's `-W` flow-file splitting.
pub const TFS_SPLIT: bool = true;
/// Start the flow file with the column-name line.
pub const TFS_PRI_HDR: bool = true;
/// Write `PREFIX_headers.txt` with one row per column.
pub const TFS_HDR_FILE: bool = true;
/// Repeat the column-name line in every `-W` fragment, not only the first.
pub const TFS_PRI_HDR_FW: bool = false;
/// Suffix of the flow file (run-time override: environment variable of the same name).
pub const TFS_FLOWS_TXT_SUFFIX: &str = "_flows.txt";
/// Suffix of the headers file (run-time override: environment variable of the same name).
pub const TFS_HEADER_SUFFIX: &str = "_headers.txt";

/// IPv4 text: 0 dotted, 1 zero-padded dotted, 2 `0x` + 8 hex digits, 3 unsigned decimal.
pub const IP4_FORMAT: u8 = 0;
/// IPv6 text: 0 compressed (`inet_ntop`), 1 full groups, 2 one 128-bit hex, 3 two 64-bit hex.
pub const IP6_FORMAT: u8 = 0;
/// MAC text: 0 bytes joined by [`MAC_SEP`], 1 `0x` + 16 hex digits, 2 decimal 48-bit value.
pub const MAC_FORMAT: u8 = 0;
/// Separator between the bytes of a MAC address (`MAC_FORMAT` 0).
pub const MAC_SEP: &str = ":";
/// Text of an `IPX` value that holds no address (IP version 0).
pub const B2T_NON_IP_STR: &str = "-";
/// Upper-case hex digits in H8..H64, MACs and the hex IPv4/IPv6 formats (`0x` stays lower case).
pub const HEX_CAPITAL: bool = false;
/// Three extra lines before the column names: flow count placeholder, column count, type ids.
pub const TFS_EXTENDED_HEADER: bool = false;
/// Headers-file type column: 2 type names, 1 numeric type ids, 0 numeric ids without heading.
pub const TFS_NC_TYPE: u8 = 2;
/// Sanitise strings as UTF-8 and escape control characters (else only the C escapes of `S`).
pub const TFS_SAN_UTF8: bool = true;
/// Print timestamps (not durations) as ISO 8601 dates instead of `sec.frac`.
pub const B2T_TIMESTR: bool = false;
/// Prefix of the column-name line (and of the extended header lines).
pub const HDR_CHR: &str = "%";
/// Column separator in the flow file.
pub const SEP_CHR: &str = "\t";

/// Every flag that changes txtSink's output, plus the core flags the renderer depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// [`TFS_SPLIT`].
    pub split: bool,
    /// [`TFS_PRI_HDR`].
    pub pri_hdr: bool,
    /// [`TFS_HDR_FILE`].
    pub hdr_file: bool,
    /// [`TFS_PRI_HDR_FW`].
    pub pri_hdr_fw: bool,
    /// [`TFS_FLOWS_TXT_SUFFIX`].
    pub flows_suffix: String,
    /// [`TFS_HEADER_SUFFIX`].
    pub header_suffix: String,
    /// [`IP4_FORMAT`].
    pub ip4_format: u8,
    /// [`IP6_FORMAT`].
    pub ip6_format: u8,
    /// [`MAC_FORMAT`].
    pub mac_format: u8,
    /// [`MAC_SEP`].
    pub mac_sep: String,
    /// [`B2T_NON_IP_STR`].
    pub non_ip_str: String,
    /// [`HEX_CAPITAL`].
    pub hex_capital: bool,
    /// [`TFS_EXTENDED_HEADER`].
    pub extended_header: bool,
    /// [`TFS_NC_TYPE`].
    pub nc_type: u8,
    /// [`TFS_SAN_UTF8`].
    pub san_utf8: bool,
    /// [`B2T_TIMESTR`].
    pub timestr: bool,
    /// [`HDR_CHR`].
    pub hdr_chr: String,
    /// [`SEP_CHR`].
    pub sep_chr: String,
    /// Core `TSTAMP_PREC`: fractions have 9 digits (nanoseconds) when true, else 6.
    pub tstamp_ns: bool,
    /// Core `TSTAMP_UTC`: [`B2T_TIMESTR`] dates in UTC when true, else local time.
    pub tstamp_utc: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            split: TFS_SPLIT,
            pri_hdr: TFS_PRI_HDR,
            hdr_file: TFS_HDR_FILE,
            pri_hdr_fw: TFS_PRI_HDR_FW,
            flows_suffix: TFS_FLOWS_TXT_SUFFIX.to_owned(),
            header_suffix: TFS_HEADER_SUFFIX.to_owned(),
            ip4_format: IP4_FORMAT,
            ip6_format: IP6_FORMAT,
            mac_format: MAC_FORMAT,
            mac_sep: MAC_SEP.to_owned(),
            non_ip_str: B2T_NON_IP_STR.to_owned(),
            hex_capital: HEX_CAPITAL,
            extended_header: TFS_EXTENDED_HEADER,
            nc_type: TFS_NC_TYPE,
            san_utf8: TFS_SAN_UTF8,
            timestr: B2T_TIMESTR,
            hdr_chr: HDR_CHR.to_owned(),
            sep_chr: SEP_CHR.to_owned(),
            tstamp_ns: true,
            tstamp_utc: true,
        }
    }
}

impl Config {
    /// These flags with the core's timestamp flags (`TSTAMP_PREC`, `TSTAMP_UTC`) taken from `core`.
    pub fn with_core(self, core: &CoreConfig) -> Config {
        Config { tstamp_ns: core.tstamp_prec != 0, tstamp_utc: core.tstamp_utc != 0, ..self }
    }
}
