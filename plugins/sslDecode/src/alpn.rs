//! The `sslProto` bit of an ALPN/ALPS/NPN protocol name (T2's prefix matching).

/// `sslProto` bits.
pub mod proto {
    /// HTTP/0.9, 1.0, 1.1.
    pub const HTTP: u32 = 0x0000_0001;
    /// HTTP/2.
    pub const HTTP2: u32 = 0x0000_0002;
    /// HTTP/3 or HTTP over QUIC.
    pub const HTTP3: u32 = 0x0000_0004;
    /// SPDY.
    pub const SPDY: u32 = 0x0000_0008;
    /// IMAP.
    pub const IMAP: u32 = 0x0000_0010;
    /// POP3.
    pub const POP3: u32 = 0x0000_0020;
    /// FTP.
    pub const FTP: u32 = 0x0000_0040;
    /// XMPP.
    pub const XMPP: u32 = 0x0000_0080;
    /// STUN/TURN.
    pub const STUN: u32 = 0x0000_0100;
    /// Apple push notifications.
    pub const APNS: u32 = 0x0000_0200;
    /// WebRTC.
    pub const WEBRTC: u32 = 0x0000_0400;
    /// CoAP.
    pub const COAP: u32 = 0x0000_0800;
    /// ManageSieve.
    pub const MANSIEVE: u32 = 0x0000_1000;
    /// RTP/RTCP (use_srtp extension).
    pub const RTP: u32 = 0x0000_2000;
    /// MQTT.
    pub const MQTT: u32 = 0x0000_8000;
    /// acme-tls/1.
    pub const ACME: u32 = 0x0001_0000;
    /// DICOM.
    pub const DICO: u32 = 0x0002_0000;
    /// NNTP.
    pub const NNTP: u32 = 0x0004_0000;
    /// SIP.
    pub const SIP: u32 = 0x0008_0000;
    /// TDS.
    pub const TDS: u32 = 0x0010_0000;
    /// DNS over QUIC.
    pub const DOQ: u32 = 0x0020_0000;
    /// DNS over TLS.
    pub const DOT: u32 = 0x0040_0000;
    /// IRC.
    pub const IRC: u32 = 0x0080_0000;
    /// SMB.
    pub const SMB: u32 = 0x0100_0000;
    /// SUNRPC.
    pub const SUNRPC: u32 = 0x0200_0000;
    /// NTS key establishment.
    pub const NTSKE: u32 = 0x0400_0000;
    /// GREASE.
    pub const GREASE: u32 = 0x4000_0000;
    /// None of the above.
    pub const UNKNOWN: u32 = 0x8000_0000;
}

/// Prefixes T2 tries in this order: 2, 4, 3, 6 and 8 bytes.
const PREFIXES: [(&[u8], u32); 26] = [
    (b"h2", proto::HTTP2),
    (b"h3", proto::HTTP3),
    (b"hq", proto::HTTP3),
    (b"acme", proto::ACME),
    (b"apns", proto::APNS),
    (b"coap", proto::COAP),
    (b"dico", proto::DICO),
    (b"http", proto::HTTP),
    (b"imap", proto::IMAP),
    (b"mqtt", proto::MQTT),
    (b"nnsp", proto::NNTP),
    (b"nntp", proto::NNTP),
    (b"pop3", proto::POP3),
    (b"sip/", proto::SIP),
    (b"spdy", proto::SPDY),
    (b"stun", proto::STUN),
    (b"tds/", proto::TDS),
    (b"xmpp", proto::XMPP),
    (b"doq", proto::DOQ),
    (b"dot", proto::DOT),
    (b"ftp", proto::FTP),
    (b"irc", proto::IRC),
    (b"smb", proto::SMB),
    (b"ntske/", proto::NTSKE),
    (b"sunrpc", proto::SUNRPC),
    (b"webrtc", proto::WEBRTC),
];

/// The `sslProto` bit of protocol `name` (`None`: a GREASE value, which ends T2's list walk).
pub fn classify(name: &[u8]) -> Option<u32> {
    if name.len() >= 2 && crate::state::is_grease(u16::from_be_bytes([name[0], name[1]])) {
        return None;
    }
    if let Some(&(_, bit)) = PREFIXES.iter().find(|(p, _)| name.starts_with(p)) {
        return Some(bit);
    }
    if name.starts_with(b"c-webrtc") {
        return Some(proto::WEBRTC);
    }
    // T2 looks for "managesieve" anywhere in names of at least 12 bytes (its sizeof).
    if name.len() >= 12 && name.windows(11).any(|w| w == b"managesieve") {
        return Some(proto::MANSIEVE);
    }
    Some(proto::UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::{classify, proto};

    #[test]
    fn names_and_their_bits() {
        assert_eq!(classify(b"h2"), Some(proto::HTTP2));
        assert_eq!(classify(b"h2c"), Some(proto::HTTP2));
        assert_eq!(classify(b"http/1.1"), Some(proto::HTTP));
        assert_eq!(classify(b"c-webrtc"), Some(proto::WEBRTC));
        assert_eq!(classify(b"x-managesieve"), Some(proto::MANSIEVE));
        assert_eq!(classify(b"managesieve"), Some(proto::UNKNOWN)); // 11 bytes: T2 needs 12
        assert_eq!(classify(b"dot"), Some(proto::DOT));
        assert_eq!(classify(b"x"), Some(proto::UNKNOWN));
        assert_eq!(classify(&[0x3a, 0x3a]), None);
    }
}
