//! sslDecode's columns (T2's order, names and descriptions, following the flags) and a flow's
//! values.

use plugin_api::{Columns, Output};

use crate::cert::Cert;
use crate::flags::Config;
use crate::state::Tls;

/// Certificate name fields: column suffix and description.
const NAME_COLUMNS: [(&str, &str, &str); 6] = [
    ("CommonName", "common name", "S:R"),
    ("OrgName", "organization name", "S:R"),
    ("OrgUnit", "organizational unit name", "S:R"),
    ("Locality", "locality name", "S:R"),
    ("State", "state or province name", "S:R"),
    ("Country", "country name", "SC:R"),
];

/// Which name fields the flags print (`SSL_CERT_COMMON_NAME` .. `SSL_CERT_COUNTRY`).
fn name_fields(cfg: &Config) -> [bool; 6] {
    [
        cfg.ssl_cert_common_name,
        cfg.ssl_cert_organization,
        cfg.ssl_cert_org_unit,
        cfg.ssl_cert_locality,
        cfg.ssl_cert_state,
        cfg.ssl_cert_country,
    ]
}

/// Declares the columns.
pub fn columns(cfg: &Config, c: &mut Columns) {
    c.add("sslStat", "SSL status", "H32");
    c.add("sslProto", "SSL proto", "H32");
    c.add("sslFlags", "SSL flags", "H8");
    c.add("sslVersion", "SSL version", "H16");
    let list = |c: &mut Columns, on: bool, num: (&str, &str, &str), items: (&str, &str, &str)| {
        if on {
            c.add(num.0, num.1, num.2);
            c.add(items.0, items.1, items.2);
        }
    };
    list(
        c,
        cfg.ssl_rec_ver,
        ("sslNumRecVer", "SSL number of record versions", "U16"),
        ("sslRecVer", "SSL record version", "H16:R"),
    );
    list(
        c,
        cfg.ssl_hand_ver,
        ("sslNumHandVer", "SSL number of handshake versions", "U16"),
        ("sslHandVer", "SSL handshake version", "H16:R"),
    );
    c.add("sslVuln", "SSL vulnerabilities", "H8");
    c.add("sslAlert", "SSL alert", "H64");
    c.add("sslCipher", "SSL preferred (Client) / negotiated (Server) cipher", "H16");
    list(
        c,
        cfg.ssl_ext_list,
        ("sslNumExt", "SSL number of extensions", "U16"),
        ("sslExtList", "SSL list of extensions", "H16:R"),
    );
    list(
        c,
        cfg.ssl_supp_ver,
        ("sslNumSuppVer", "SSL number of supported versions", "U16"),
        ("sslSuppVer", "SSL list of supported versions (client), negotiated version (server)", "H16:R"),
    );
    list(
        c,
        cfg.ssl_sig_alg,
        ("sslNumSigAlg", "SSL number of signature algorithms", "U16"),
        ("sslSigAlg", "SSL list of signature algorithms", "H16:R"),
    );
    list(
        c,
        cfg.ssl_ec,
        ("sslNumECPt", "SSL number of EC points", "U16"),
        ("sslECPt", "SSL list of EC points", "H16:R"),
    );
    list(
        c,
        cfg.ssl_ec_formats,
        ("sslNumECFormats", "SSL number of EC point formats", "U8"),
        ("sslECFormats", "SSL list of EC point formats", "H8:R"),
    );
    for (on, what) in [(cfg.ssl_alpn_list, "ALPN"), (cfg.ssl_alps_list, "ALPS"), (cfg.ssl_npn_list, "NPN")] {
        if on {
            c.add(&format!("sslNum{what}"), &format!("SSL number of protocols ({what})"), "U16");
            c.add(&format!("ssl{what}List"), &format!("SSL list of protocols ({what})"), "S:R");
        }
    }
    list(
        c,
        cfg.ssl_cipher_list,
        ("sslNumCipher", "SSL number of supported ciphers", "U16"),
        ("sslCipherList", "SSL list of supported cipher", "H16:R"),
    );
    c.add(
        "sslNumCC_A_H_AD_HB",
        "SSL number of change_cipher, alert, handshake, application data, heartbeat records",
        "U16_U16_U16_U64_U64",
    );
    c.add("sslSessIdLen", "SSL Session ID length", "U8");
    c.add("sslGMTTime", "SSL GMT Unix Time", "TS:R");
    c.add("sslServerName", "SSL server name", "S:R");
    if cfg.ssl_analyze_cert {
        c.add("sslCertVersion", "SSL certificate version", "U8:R");
        if cfg.ssl_cert_serial {
            c.add("sslCertSerial", "SSL certificate serial number", "SC:R");
        }
        match cfg.ssl_cert_fingprint {
            2 => c.add("sslCertMd5FP", "SSL certificate MD5 fingerprint", "SC:R"),
            1 => c.add("sslCertSha1FP", "SSL certificate SHA1 fingerprint", "SC:R"),
            _ => c,
        };
        if cfg.ssl_cert_validity {
            c.add(
                "sslCNotValidBefore_after_lifetime",
                "SSL certificate validity period (not valid before/after, lifetime (seconds))",
                "TS_TS_U64:R",
            );
        }
        if cfg.ssl_cert_sig_alg {
            c.add("sslCSigAlg", "SSL certificate signature algorithm", "S:R");
        }
        if cfg.ssl_cert_pubkey_alg {
            c.add("sslCKeyAlg", "SSL certificate public key algorithm", "S:R");
        }
        if cfg.ssl_cert_pubkey_ts {
            c.add("sslCPKeyType_Size", "SSL certificate public key type, size (bits)", "SC_U16:R");
        }
        for (mode, who, lower) in
            [(cfg.ssl_cert_subject, "Subject", "subject"), (cfg.ssl_cert_issuer, "Issuer", "issuer")]
        {
            match mode {
                1 => {
                    c.add(&format!("sslC{who}"), &format!("SSL certificate {lower}"), "S:R");
                }
                2 => {
                    for ((suffix, desc, sig), on) in NAME_COLUMNS.iter().zip(name_fields(cfg)) {
                        if on {
                            c.add(&format!("sslC{who}{suffix}"), &format!("SSL certificate {lower} {desc}"), sig);
                        }
                    }
                }
                _ => {}
            }
        }
        if cfg.ssl_ja3 {
            c.add("sslJA3Hash", "SSL JA3 fingerprint", "SC:R");
            c.add("sslJA3Desc", "SSL JA3 description", "S:R");
            if cfg.ssl_ja3_str {
                c.add("sslJA3Str", "SSL JA3 string", "S:R");
            }
        }
        if cfg.ssl_ja4 {
            c.add("sslJA4", "SSL JA4/JA4S fingerprint", "SC:R");
            c.add("sslJA4Desc", "SSL JA4/JA4S description", "S:R");
        }
        if cfg.ssl_ja4_o {
            c.add("sslJA4O", "SSL JA4_o fingerprint (original order)", "SC:R");
        }
        if cfg.ssl_ja4_r {
            c.add("sslJA4R", "SSL JA4_r fingerprint (raw)", "SC:R");
        }
        if cfg.ssl_ja4_ro {
            c.add("sslJA4RO", "SSL JA4_o fingerprint (raw, original order)", "SC:R");
        }
    }
}

/// A string column: no value when empty (T2's `OUTBUF_APPEND_OPT_STR`).
fn opt_str(out: &mut Output<'_>, s: &[u8]) {
    if s.first().is_none_or(|&c| c == 0) {
        out.rep(0);
    } else {
        out.rep(1);
        out.str(s);
    }
}

/// A list of 16-bit values with its count.
fn list16(out: &mut Output<'_>, on: bool, n: u32, items: &[u16]) {
    if on {
        out.u16(n as u16);
        out.rep(items.len() as u32);
        items.iter().for_each(|&v| out.u16(v));
    }
}

/// The values of a flow; `sni` is its server name or its opposite's.
pub fn flow(cfg: &Config, s: &Tls, sni: &[u8], out: &mut Output<'_>) {
    out.u32(s.stat);
    out.u32(s.proto);
    out.u8(s.flags);
    out.u16(s.version);
    list16(out, cfg.ssl_rec_ver, s.rec_ver.n, s.rec_ver.shown());
    list16(out, cfg.ssl_hand_ver, s.hand_ver.n, s.hand_ver.shown());
    out.u8(s.vuln);
    out.u64(s.alert);
    out.u16(s.cipher);
    list16(out, cfg.ssl_ext_list, s.ext.n, s.ext.shown());
    list16(out, cfg.ssl_supp_ver, s.supp_ver.n, s.supp_ver.shown());
    list16(out, cfg.ssl_sig_alg, s.sig_alg.n, s.sig_alg.shown());
    list16(out, cfg.ssl_ec, s.ec.n, s.ec.shown());
    if cfg.ssl_ec_formats {
        out.u8(s.ec_formats.n as u8);
        out.rep(s.ec_formats.shown().len() as u32);
        s.ec_formats.shown().iter().for_each(|&v| out.u8(v));
    }
    for (on, p) in [(cfg.ssl_alpn_list, &s.alpn), (cfg.ssl_alps_list, &s.alps), (cfg.ssl_npn_list, &s.npn)] {
        if on {
            out.u16(p.n);
            out.rep(p.shown().len() as u32);
            p.shown().iter().for_each(|n| out.str(n));
        }
    }
    list16(out, cfg.ssl_cipher_list, s.ciphers.n, s.ciphers.shown());
    out.u16(s.num_cc);
    out.u16(s.num_alert);
    out.u16(s.num_hs);
    out.u64(s.num_app);
    out.u64(s.num_hb);
    out.u8(s.session_len);
    let valid = s.version != 0;
    if valid && s.gmt_time != 0 {
        out.rep(1);
        out.time(s.gmt_time, 0);
    } else {
        out.rep(0);
    }
    opt_str(out, if valid { sni } else { &[] });
    if cfg.ssl_analyze_cert {
        cert(cfg, if valid { s.cert.as_ref() } else { None }, out);
        if cfg.ssl_ja3 {
            opt_str(out, s.ja3_hash.as_bytes());
            opt_str(out, s.ja3_desc.as_bytes());
            if cfg.ssl_ja3_str {
                opt_str(out, s.ja3_str.as_bytes());
            }
        }
        for (on, v) in [
            (cfg.ssl_ja4, &s.ja4),
            (cfg.ssl_ja4, &s.ja4_desc),
            (cfg.ssl_ja4_o, &s.ja4_o),
            (cfg.ssl_ja4_r, &s.ja4_r),
            (cfg.ssl_ja4_ro, &s.ja4_ro),
        ] {
            if on {
                opt_str(out, v.as_bytes());
            }
        }
    }
}

/// The certificate columns.
fn cert(cfg: &Config, c: Option<&Cert>, out: &mut Output<'_>) {
    match c {
        Some(c) => {
            out.rep(1);
            out.u8(c.version);
        }
        None => out.rep(0),
    }
    if cfg.ssl_cert_serial {
        opt_str(out, c.map_or(&[][..], |c| c.serial.as_bytes()));
    }
    if cfg.ssl_cert_fingprint > 0 {
        opt_str(out, c.map_or(&[][..], |c| c.fingerprint.as_bytes()));
    }
    if cfg.ssl_cert_validity {
        match c.and_then(|c| c.validity) {
            Some((from, to)) => {
                out.rep(1);
                out.time(from as u64, 0);
                out.time(to as u64, 0);
                out.u64((to as u64).wrapping_sub(from as u64));
            }
            None => out.rep(0),
        }
    }
    let long = cfg.ssl_cert_alg_name_long;
    let name = |n: (&'static str, &'static str)| if long { n.1 } else { n.0 };
    if cfg.ssl_cert_sig_alg {
        opt_str(out, c.map_or(&[][..], |c| name(c.sig_alg).as_bytes()));
    }
    if cfg.ssl_cert_pubkey_alg {
        opt_str(out, c.map_or(&[][..], |c| name(c.key_alg).as_bytes()));
    }
    if cfg.ssl_cert_pubkey_ts {
        match c.filter(|c| !c.key.0.is_empty() || c.key.1 != 0) {
            Some(c) => {
                out.rep(1);
                out.str(c.key.0.as_bytes());
                out.u16(c.key.1);
            }
            None => out.rep(0),
        }
    }
    for (mode, fields) in [(cfg.ssl_cert_subject, c.map(|c| &c.subject)), (cfg.ssl_cert_issuer, c.map(|c| &c.issuer))] {
        match mode {
            1 => opt_str(out, fields.map_or(&[][..], |f| &f[0])),
            2 => {
                for (i, on) in name_fields(cfg).into_iter().enumerate() {
                    if on {
                        opt_str(out, fields.map_or(&[][..], |f| &f[i]));
                    }
                }
            }
            _ => {}
        }
    }
}
