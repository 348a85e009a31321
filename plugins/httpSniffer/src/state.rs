//! What httpSniffer keeps per flow and how one packet changes it, as T2 0.9.3 does with its
//! default `HTTP_SAVE_*=0`: every packet with payload of a TCP flow (or of a UDP flow with a
//! port above 1024) is read line by line as long as lines end in `\r\n`; a packet holding
//! `HTTP/1.` (or `SIP/`) anywhere starts a message, and the lines up to the first empty one are
//! read as header lines, whatever came before. The bytes after that empty line are looked at
//! as body (Refresh URLs, executables, HLS playlists).

use crate::flags::{Config, HTTP_AVID_LEN, HTTP_DATA_C_MAX, HTTP_MXFILE_LEN};
use crate::parse::{self, GET, METHODS, POST, Payload, c_str, mime, strncmp_eq, strnstr};
use crate::store::{Field, Store};

/// `httpStat` bits.
pub mod stat {
    /// More values than `HTTP_DATA_C_MAX` in a field.
    pub const OVRFLW: u16 = 0x0001;
    /// A file name longer than `HTTP_MXFILE_LEN`.
    pub const FNM_LN: u16 = 0x0002;
    /// A request named a file (URL) not yet answered.
    pub const GET: u16 = 0x0004;
    /// HTTP flow.
    pub const HTTP: u16 = 0x0008;
    /// Chunked transfer.
    pub const CHKD: u16 = 0x0010;
    /// HTTP detected.
    pub const DETECT: u16 = 0x0020;
    /// Reading header lines (always on without carving; left out of reports).
    pub const HTTP_HDR: u16 = 0x0040;
    /// The internal states T2 clears at a new message.
    pub const S: u16 = 0xfff0;
}

/// `httpAFlags` bits.
pub mod anomaly {
    /// POST with `?` in the URL.
    pub const PST: u16 = 0x0001;
    /// Host is an IPv4 address.
    pub const HNUM: u16 = 0x0002;
    /// Content-Type without value.
    pub const HDR_WO_VAL: u16 = 0x0040;
    /// X-XSS-Protection header.
    pub const XSSP: u16 = 0x0100;
    /// Content-Security-Policy header.
    pub const CSP: u16 = 0x0200;
    /// `DNT: 1` header.
    pub const DNT: u16 = 0x0400;
    /// EXE download (`MZ`).
    pub const DEXE: u16 = 0x1000;
    /// ELF download (T2 tests for the bytes `GELF`).
    pub const DELF: u16 = 0x2000;
    /// HTTP/1.0.
    pub const V1_0: u16 = 0x4000;
}

/// `httpCFlags` bits.
pub mod content {
    /// Refresh in a text body.
    pub const REFRESH: u16 = 0x0002;
    /// `boundary=` in a Content-Type.
    pub const BOUND: u16 = 0x0008;
    /// The flow may carry HTTP (TCP, or UDP with a port above 1024).
    pub const PCNT: u16 = 0x0010;
    /// HLS playlist (`#EXT-X-STREAM-INF:`).
    pub const STRM: u16 = 0x0020;
    /// Quarantine or upload.
    pub const QUARA: u16 = 0x0040;
    /// Avira host.
    pub const AVIRA: u16 = 0x0100;
    /// Avast host.
    pub const AVAST: u16 = 0x0200;
    /// AVG host.
    pub const AVG: u16 = 0x0400;
    /// Bitdefender host.
    pub const BITDF: u16 = 0x0800;
    /// ESET host.
    pub const ESET: u16 = 0x1000;
    /// Microsoft security URL.
    pub const MSEC: u16 = 0x2000;
    /// Symantec host.
    pub const SYM: u16 = 0x4000;
    /// A video after an HLS playlist.
    pub const STRM1: u16 = 0x8000;
}

/// Values kept per field (`HTTP_DATA_C_MAX`, compiled in as in T2).
const DATA_MAX: usize = HTTP_DATA_C_MAX as usize;
/// T2's `getFile` buffer: `HTTP_MXIMNM_LEN + 1` (room for a carving path and a file name).
const GETFILE_LEN: usize = 12 + 39 + HTTP_MXFILE_LEN as usize + 2;
/// The antivirus ID buffers.
const AVID_LEN: usize = HTTP_AVID_LEN as usize;

/// The counted fields of `httpURL_Via_Loc_Srv_Pwr_UAg_XFr_Ref_Cky_Mim` and
/// `httpImg_Vid_Aud_Msg_Txt_App_Unk`, in their column order.
#[derive(Clone, Copy, Debug)]
#[repr(usize)]
pub enum Count {
    /// URLs.
    Url,
    /// Via.
    Via,
    /// Location.
    Loc,
    /// Server.
    Serv,
    /// X-Powered-By.
    Pwr,
    /// User-Agent.
    UsrAg,
    /// X-Forwarded-For.
    XFor,
    /// Referer.
    Refrr,
    /// Cookie.
    Cookie,
    /// MIME types.
    Mime,
    /// Image bodies.
    Image,
    /// Video bodies.
    Video,
    /// Audio bodies.
    Audio,
    /// Message bodies.
    Msg,
    /// Text bodies.
    Text,
    /// Application bodies.
    Appl,
    /// Other bodies.
    Unknown,
}

/// Number of [`Count`]s.
pub const COUNTS: usize = 17;

/// One flow direction.
#[derive(Debug)]
pub struct FlowState {
    /// `httpStat`.
    pub flags: u16,
    /// `httpAFlags`.
    pub a_flags: u16,
    /// `httpCFlags`.
    pub c_flags: u16,
    /// `httpHeadMimes`.
    pub mime_types: u16,
    /// `httpMethods`.
    pub methods: u8,
    /// Packets with payload read.
    pub pktcnt: u32,
    /// GET and POST requests.
    pub get_post: [u16; 2],
    /// Status codes seen (`httpRSCnt`); the first `HTTP_DATA_C_MAX` are kept.
    pub stat_c: u16,
    stat: [u16; DATA_MAX],
    /// Host headers seen.
    pub host_c: u16,
    /// Refresh URLs seen.
    pub ref_url_c: u16,
    /// The counted fields.
    pub counts: [u16; COUNTS],
    /// The strings kept.
    pub store: Store,
    /// T2's `getFile`: a C string, the file a request named (or a Content-Disposition gave).
    get_file: [u8; GETFILE_LEN],
    /// X-AVAST-Client-Id-0 and X-ESET-UpdateID (C strings).
    pub avast_cid: [u8; AVID_LEN],
    /// See `avast_cid`.
    pub eset_uid: [u8; AVID_LEN],
}

impl Default for FlowState {
    fn default() -> FlowState {
        FlowState {
            flags: 0,
            a_flags: 0,
            c_flags: 0,
            mime_types: 0,
            methods: 0,
            pktcnt: 0,
            get_post: [0; 2],
            stat_c: 0,
            stat: [0; DATA_MAX],
            host_c: 0,
            ref_url_c: 0,
            counts: [0; COUNTS],
            store: Store::default(),
            get_file: [0; GETFILE_LEN],
            avast_cid: [0; AVID_LEN],
            eset_uid: [0; AVID_LEN],
        }
    }
}

/// Who a flow is, for the names T2 gives bodies (`file_flowInd_dir_pkt_count`).
#[derive(Clone, Copy, Debug)]
pub struct Who {
    /// `flowInd`.
    pub findex: u64,
    /// `A` or `B`.
    pub dir: u8,
}

/// What one packet did beyond the flow's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The payload was counted as an HTTP packet (T2's `totalHttpPktCnt`, before the flow's
    /// end takes back the packets of flows that never turned out HTTP).
    pub counted: bool,
    /// `SIP/` started the message.
    pub sip: bool,
    /// An HLS playlist: the opposite direction gets `STRM` too.
    pub strm: bool,
}

/// Whether a packet's payload can change the state of a flow that never had a header line
/// (one started by [`FlowState::start`] whose packets so far only counted): only a first line
/// that is not empty and ends in `\r\n` does. Other packets of such a flow just count.
pub fn has_header_line(p: Payload<'_>) -> bool {
    p.line_end(0, p.len).is_some_and(|e| e > 0)
}

impl FlowState {
    /// A new flow: everything cleared (keeping the string memory); `pcnt` when it may carry
    /// HTTP.
    pub fn start(&mut self, pcnt: bool) {
        let mut store = std::mem::take(&mut self.store);
        store.clear();
        *self = FlowState { store, ..FlowState::default() };
        self.flags = stat::HTTP_HDR;
        if pcnt {
            self.c_flags = content::PCNT;
        }
    }

    /// The status codes kept.
    pub fn status_codes(&self) -> &[u16] {
        &self.stat[..usize::from(self.stat_c).min(DATA_MAX)]
    }

    /// One count.
    fn count(&mut self, c: Count) -> &mut u16 {
        &mut self.counts[c as usize]
    }

    /// The end of the flow: a flow that never was HTTP writes no flags. Returns the packets to
    /// take back from the run's HTTP packet count.
    pub fn finish(&mut self) -> u32 {
        if self.flags & stat::HTTP != 0 {
            return 0;
        }
        self.flags = 0;
        self.c_flags = 0;
        self.a_flags = 0;
        self.pktcnt
    }

    /// Reads one packet's payload `p` (`opp`: the opposite direction's state).
    pub fn packet(&mut self, cfg: &Config, p: Payload<'_>, opp: Option<&mut FlowState>, who: Who) -> Seen {
        let mut seen = Seen::default();
        if self.c_flags & content::PCNT == 0 || p.len == 0 {
            return seen;
        }
        let (mut pos, mut len) = (0usize, p.len);
        let mut eol = p.line_end(pos, len);
        let mut line = eol.map_or(0, |e| e - pos);
        self.pktcnt = self.pktcnt.wrapping_add(1);
        // HTTP_HDR is never cleared without carving: every such packet is counted
        seen.counted = true;
        if self.flags & stat::DETECT != 0 && len >= 2 && p.starts_with(pos, b"MZ") {
            self.a_flags |= anomaly::DEXE;
        }
        if eol.is_none() {
            return seen;
        }
        if line > 0 {
            seen.sip = self.first_line(cfg, p);
        }
        while line > 0
            && let Some(e) = eol
        {
            self.header_line(cfg, p, pos, len, e, opp.as_deref(), who);
            pos += line + 2;
            len -= line + 2;
            eol = p.line_end(pos, len);
            line = eol.map_or(0, |e| e - pos);
        }
        if len == 0 || eol.is_none() {
            return seen;
        }
        // the empty line that ends the header (len >= 2: it holds a line end)
        pos += 2;
        len -= 2;
        if cfg.http_body && cfg.http_text && self.mime_types & mime::TEXT != 0 {
            self.refresh(cfg, p, pos, len);
        }
        if self.flags & stat::DETECT != 0 {
            if len >= 2 && p.starts_with(pos, b"MZ") {
                self.a_flags |= anomaly::DEXE;
            }
            if len >= 4 && p.starts_with(pos, b"GELF") {
                self.a_flags |= anomaly::DELF;
            }
            if strnstr(p.slice(pos, len), b"#EXT-X-STREAM-INF:").is_some() {
                self.c_flags |= content::STRM;
                seen.strm = true;
                if let Some(o) = opp {
                    o.c_flags |= content::STRM;
                }
            }
        }
        seen
    }

    /// A packet with a line end: `HTTP/1.` or `SIP/` anywhere in it starts a message (status
    /// code, method and URL are read at their fixed places). Returns whether it was SIP.
    fn first_line(&mut self, cfg: &Config, p: Payload<'_>) -> bool {
        if p.len < 8 {
            return false;
        }
        let (at, code_pos, sip) = match p.find(0, p.len, b"HTTP/1.") {
            Some(h) => {
                if p.at(h + 7) == b'0' {
                    self.a_flags |= anomaly::V1_0;
                }
                (h, 9, false)
            }
            None => match p.find(0, p.len, b"SIP/") {
                Some(h) => (h, 8, true),
                None => return false,
            },
        };
        self.flags &= !stat::S;
        self.flags |= stat::DETECT | stat::HTTP_HDR | stat::HTTP;
        if cfg.http_stat && p.at(at + code_pos - 1) == b' ' {
            let code = parse::status_code([p.at(at + code_pos), p.at(at + code_pos + 1), p.at(at + code_pos + 2)]);
            if !(cfg.http_stataga && self.status_codes().contains(&code)) {
                let k = usize::from(self.stat_c);
                if k >= DATA_MAX {
                    self.flags |= stat::OVRFLW;
                } else {
                    self.stat[k] = code;
                }
                self.stat_c = self.stat_c.wrapping_add(1);
            }
        }
        let Some(&(name, bit)) = METHODS.iter().find(|(name, _)| p.starts_with(0, name)) else {
            return sip;
        };
        self.methods |= bit;
        match bit {
            GET => self.get_post[0] = self.get_post[0].wrapping_add(1),
            POST => self.get_post[1] = self.get_post[1].wrapping_add(1),
            _ => {}
        }
        // the URL: after the method and one byte, up to a blank
        let url = name.len() + 1;
        let room = p.len.saturating_sub(url);
        let n = p.slice(url, room).iter().position(|&c| c == b' ').unwrap_or(room);
        if n == 0 {
            return sip;
        }
        let bytes = p.slice(url, n);
        if !cfg.http_url {
            *self.count(Count::Url) = self.count(Count::Url).wrapping_add(1);
        } else if usize::from(self.counts[Count::Url as usize]) >= DATA_MAX {
            self.flags |= stat::OVRFLW;
        } else if !(cfg.http_urlaga && self.store.of(Field::Url).any(|u| u == bytes)) {
            self.store.push(Field::Url, bytes);
            if bit == POST && memchr::memchr(b'?', bytes).is_some() {
                self.a_flags |= anomaly::PST;
            }
            if cfg.http_antvir
                && (memchr::memmem::find(bytes, b"/MicSecSerCA").is_some()
                    || memchr::memmem::find(bytes, b"/nis_engine_").is_some())
            {
                self.c_flags |= content::MSEC;
            }
            *self.count(Count::Url) += 1;
        }
        let mx = HTTP_MXFILE_LEN as usize;
        let keep = if n >= mx {
            self.flags |= stat::FNM_LN;
            mx
        } else {
            n
        };
        self.get_file[..keep].copy_from_slice(&bytes[..keep]);
        self.get_file[keep] = 0;
        self.flags |= stat::GET;
        sip
    }

    /// One header line `[pos, eol)` (`len`: payload bytes from `pos`).
    #[allow(clippy::too_many_arguments)]
    fn header_line(
        &mut self,
        cfg: &Config,
        p: Payload<'_>,
        pos: usize,
        len: usize,
        eol: usize,
        opp: Option<&FlowState>,
        who: Who,
    ) {
        let value = |v: usize| p.slice(v, eol - v);
        if self.c_flags & content::BOUND != 0
            && self.c_flags & content::QUARA == 0
            && p.find(pos, len, b"quarantine").is_some()
        {
            self.c_flags |= content::QUARA;
        }
        if let Some(v) = p.header(pos, len, b"Content-type:") {
            self.content_type(cfg, p, pos, len, v, eol, opp, who);
        }
        if let Some(v) = p.header(pos, len, b"Content-Disposition:") {
            self.disposition(p, v, eol);
        }
        if let Some(v) = p.header(pos, len, b"Transfer-Encoding:")
            && strnstr(value(v), b"chunked").is_some()
        {
            self.flags |= stat::CHKD;
        }
        if usize::from(self.host_c) >= DATA_MAX {
            self.flags |= stat::OVRFLW;
        } else if let Some(v) = p.header(pos, len, b"Host:") {
            self.host(cfg, value(v));
        }
        let limited = [
            (b"Location:".as_slice(), Count::Loc, Field::Location, cfg.http_loc, cfg.http_loca),
            (b"Via:", Count::Via, Field::Via, cfg.http_via, cfg.http_viaa),
            (b"Server:", Count::Serv, Field::Server, cfg.http_serv, cfg.http_serva),
            (b"X-Powered-By:", Count::Pwr, Field::Powered, cfg.http_pwr, cfg.http_pwra),
            (b"Referer:", Count::Refrr, Field::Referer, cfg.http_refrr, cfg.http_refrra),
        ];
        for (name, count, field, on, aggregate) in limited {
            if usize::from(self.counts[count as usize]) >= DATA_MAX {
                self.flags |= stat::OVRFLW;
            } else if let Some(v) = p.header(pos, len, name) {
                self.keep(count, field, on, aggregate, value(v), usize::MAX);
            }
        }
        for (name, bit) in [
            (b"X-XSS-Protection:".as_slice(), anomaly::XSSP),
            (b"Content-Security-Policy:", anomaly::CSP),
            (b"DNT: 1", anomaly::DNT),
        ] {
            if p.header(pos, len, name).is_some() {
                self.a_flags |= bit;
            }
        }
        if let Some(v) = p.header(pos, len, b"Cookie:") {
            // every cookie line, no aggregation
            self.keep(Count::Cookie, Field::Cookie, cfg.http_cookie, false, value(v), usize::MAX);
        }
        if let Some(v) = p.header(pos, len, b"User-Agent:") {
            let cap = usize::from(cfg.http_mxua_len);
            self.keep(Count::UsrAg, Field::UserAgent, cfg.http_usrag, cfg.http_usraga, value(v), cap);
        }
        if let Some(v) = p.header(pos, len, b"X-Forwarded-For:") {
            let cap = usize::from(cfg.http_mxxf_len);
            self.keep(Count::XFor, Field::XFor, cfg.http_xfrwd, cfg.http_xfrwda, value(v), cap);
        }
        if cfg.http_avast_cid {
            id_header(&mut self.avast_cid, p, pos, len, b"X-AVAST-Client-Id-0:", eol);
        }
        if cfg.http_eset_uid {
            id_header(&mut self.eset_uid, p, pos, len, b"X-ESET-UpdateID:", eol);
        }
    }

    /// Keeps a header value of a counted field: only counted when its column is off, else
    /// stored (at most `cap` bytes) unless the flow has it already (`aggregate`: a kept value
    /// that the new one's bytes begin, as T2's `strncmp`) or holds `HTTP_DATA_C_MAX` values.
    #[allow(clippy::too_many_arguments)]
    fn keep(&mut self, count: Count, field: Field, on: bool, aggregate: bool, v: &[u8], cap: usize) {
        let c = usize::from(self.counts[count as usize]);
        if !on {
            *self.count(count) = self.count(count).wrapping_add(1);
        } else if c >= DATA_MAX {
            self.flags |= stat::OVRFLW;
        } else {
            let v = &v[..v.len().min(cap)];
            if !(aggregate && self.store.of(field).any(|s| strncmp_eq(s, v, v.len()))) {
                self.store.push(field, v);
                *self.count(count) += 1;
            }
        }
    }

    /// A Host header (the host limit was checked by the caller).
    fn host(&mut self, cfg: &Config, v: &[u8]) {
        if !cfg.http_host {
            self.host_c = self.host_c.wrapping_add(1);
            return;
        }
        if cfg.http_antvir {
            let has = |s: &[u8]| memchr::memmem::find(v, s).is_some();
            // the first antivirus not flagged yet that the host names
            for (bit, name) in [
                (content::AVIRA, &b"avira"[..]),
                (content::AVAST, b".avast"),
                (content::AVG, b".avcdn"),
                (content::BITDF, b".bitdefender"),
                (content::ESET, b".eset"),
                (content::SYM, b".symantec"),
            ] {
                if self.c_flags & bit == 0 && has(name) {
                    self.c_flags |= bit;
                    break;
                }
            }
        }
        if cfg.http_hostaga && self.store.of(Field::Host).any(|s| strncmp_eq(s, v, v.len())) {
            return;
        }
        self.store.push(Field::Host, v);
        if parse::is_dotted_quad(c_str(v)) {
            self.a_flags |= anomaly::HNUM;
        }
        self.host_c += 1;
    }

    /// A Content-Type header: the MIME type kept, its bit, and a name for the body to come
    /// (the file its request named, `nudel` if none, then `_flowInd_dir_pkt_count`).
    #[allow(clippy::too_many_arguments)]
    fn content_type(
        &mut self,
        cfg: &Config,
        p: Payload<'_>,
        pos: usize,
        len: usize,
        v: usize,
        eol: usize,
        opp: Option<&FlowState>,
        who: Who,
    ) {
        let line = eol - v;
        if cfg.http_mime {
            if usize::from(self.counts[Count::Mime as usize]) >= DATA_MAX {
                self.flags |= stat::OVRFLW;
            } else {
                let mut n = line;
                if let Some(i) = p.slice(v, line).iter().position(|&c| c == b';') {
                    // T2 looks for the boundary in the line's length from after the ';'
                    if p.find(v + i + 1, line, b"boundary=").is_some() {
                        self.c_flags |= content::BOUND;
                    }
                    n = i;
                }
                let m = p.slice(v, n);
                if !(cfg.http_mimeaga && self.store.of(Field::Mime).any(|s| strncmp_eq(s, m, n))) {
                    self.store.push(Field::Mime, m);
                    *self.count(Count::Mime) += 1;
                    if c_str(m).is_empty() {
                        self.a_flags |= anomaly::HDR_WO_VAL;
                    }
                }
            }
        }
        let bit = parse::mime_bit(p.slice(v, line));
        self.mime_types |= bit;
        // the file the opposite direction asked for, else this direction's own
        let file = match opp {
            Some(o) if o.flags & stat::GET != 0 => o.get_file,
            _ => self.get_file,
        };
        let (count, field, on) = match bit {
            mime::IMAGE => (Count::Image, Field::Image, cfg.http_image),
            mime::MSG => (Count::Msg, Field::Msg, cfg.http_msg),
            mime::TEXT => (Count::Text, Field::Text, cfg.http_text),
            mime::VIDEO => (Count::Video, Field::Video, cfg.http_video),
            mime::AUDIO => (Count::Audio, Field::Audio, cfg.http_audio),
            mime::APPL => (Count::Appl, Field::Appl, cfg.http_appl),
            _ => (Count::Unknown, Field::Punk, cfg.http_punk),
        };
        if on {
            if bit == mime::VIDEO && self.c_flags & content::STRM1 != 0 {
                return; // a playlist's segment: not counted again
            }
            if field == Field::Punk && p.find(pos, len, b"upload").is_some() {
                self.c_flags |= content::QUARA;
            }
            let c = self.counts[count as usize];
            if usize::from(c) >= DATA_MAX {
                self.flags |= stat::OVRFLW;
            } else {
                let pkt = self.pktcnt;
                self.store.push_with(field, |out| body_name(out, c_str(&file), who, pkt, c));
            }
            if bit == mime::VIDEO && self.c_flags & content::STRM != 0 {
                self.c_flags |= content::STRM1;
            }
        }
        *self.count(count) = self.count(count).wrapping_add(1);
    }

    /// A Content-Disposition header with `filename=`: T2 copies the name over `getFile`
    /// with its own length arithmetic (the line's length less 10, whatever precedes
    /// `filename=`), so the copy may stop short or run past the line into what follows; the
    /// line end and a closing quote read as NUL.
    fn disposition(&mut self, p: Payload<'_>, v: usize, eol: usize) {
        let line = eol - v;
        let Some(f) = p.find(v, line, b"filename=") else { return };
        let mut k = (line as u32).wrapping_sub(10);
        let byte = |i: usize, requote: bool| if i == eol || (requote && i + 1 == eol) { 0 } else { p.at(i) };
        let mut start = f + 9;
        if byte(start, false) == b'"' {
            start += 1;
            k = k.wrapping_sub(1);
        }
        let requote = eol > 0 && p.at(eol - 1) == b'"';
        if requote {
            k = k.wrapping_sub(1);
        }
        let mx = HTTP_MXFILE_LEN as usize;
        let k = (k as usize).min(mx);
        for i in 0..k {
            self.get_file[i] = byte(start + i, requote);
        }
        self.get_file[mx] = 0;
        for c in &mut self.get_file[..=k] {
            if matches!(*c, b'/' | b'\\') {
                *c = b'_';
            }
        }
    }

    /// A text body: the URL of an HTML `"Refresh"` (up to its closing quote) before the next `>`.
    fn refresh(&mut self, cfg: &Config, p: Payload<'_>, pos: usize, len: usize) {
        if cfg.http_bdurl && usize::from(self.ref_url_c) >= DATA_MAX {
            return;
        }
        let Some(d) = strnstr(p.slice(pos, len), b"\"Refresh\"").map(|i| pos + i) else { return };
        let end = len - (d - pos);
        let Some(gt) = (9..end).find(|&i| p.at(d + i) == b'>') else { return };
        let Some(u) = strnstr(p.slice(d + 9, gt - 9), b"URL").map(|i| d + 9 + i) else { return };
        self.c_flags |= content::REFRESH;
        if !cfg.http_bdurl {
            return;
        }
        // T2's search length is negative when the '>' follows "URL" closely: it then runs on
        let from = u + 4;
        let n = if d + gt >= from { d + gt - from } else { usize::MAX };
        if let Some(q) = memchr::memchr(b'"', p.slice(from, n))
            && q > 0
        {
            self.store.push(Field::BodyUrl, p.slice(from, q));
            self.ref_url_c += 1;
        }
    }
}

/// An antivirus ID header: the first one kept, at most `AVID_LEN - 1` bytes.
fn id_header(id: &mut [u8; AVID_LEN], p: Payload<'_>, pos: usize, len: usize, name: &[u8], eol: usize) {
    if id[0] != 0 {
        return;
    }
    if let Some(v) = p.header(pos, len, name) {
        let b = p.slice(v, eol - v);
        let n = b.len().min(AVID_LEN - 1);
        id[..n].copy_from_slice(&b[..n]);
        id[n] = 0;
    }
}

/// T2's name of a body: `FILE_flowInd_dir_pkt_count` (`nudel` for no file), with `/` and `?`
/// of the file name and the `_` after it made `_`.
fn body_name(out: &mut Vec<u8>, file: &[u8], who: Who, pkt: u32, count: u16) {
    use std::io::Write;
    let start = out.len();
    out.extend_from_slice(if file.is_empty() { b"nudel" } else { file });
    let _ = write!(out, "_{}_{}_{}_{}", who.findex, char::from(who.dir), pkt, count);
    if !file.is_empty() {
        for c in &mut out[start..=start + file.len()] {
            if matches!(*c, b'/' | b'?') {
                *c = b'_';
            }
        }
    }
}
