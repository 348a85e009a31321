//! The first certificate of a Certificate handshake message, read with `x509-parser` (T2 reads
//! it with OpenSSL): version, serial number, SHA-1 or MD5 fingerprint, validity, signature and
//! key algorithms with OpenSSL's names, key type and size, subject and issuer fields.
//!
//! Only the bytes of the packet are decoded (T2 does not reassemble): a certificate cut by the
//! end of the segment does not parse, and the next Certificate message of the flow is tried.

use core::fmt::Write as _;

use md5::Md5;
use sha1::{Digest, Sha1};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

use crate::cursor::Cursor;
use crate::flags::Config;
use crate::ja::hex;
use crate::state::{Tls, stat};

/// Subject or issuer fields T2 prints with `SSL_CERT_SUBJECT/ISSUER=2`: common name,
/// organisation, organisational unit, locality, state, country, and the bytes T2 keeps of each.
pub const NAME_FIELDS: [(&str, usize); 6] =
    [("2.5.4.3", 64), ("2.5.4.10", 64), ("2.5.4.11", 64), ("2.5.4.7", 128), ("2.5.4.8", 128), ("2.5.4.6", 2)];

/// What sslDecode keeps of a flow's first certificate.
#[derive(Debug, Clone, Default)]
pub struct Cert {
    /// X.509 version (1 to 3).
    pub version: u8,
    /// Serial number, uppercase hex without leading zeros (OpenSSL's `BN_bn2hex`).
    pub serial: String,
    /// SHA-1 (or MD5) fingerprint of the DER bytes, lowercase hex.
    pub fingerprint: String,
    /// Not before, not after (seconds since the epoch), if both decode.
    pub validity: Option<(i64, i64)>,
    /// Signature algorithm: OpenSSL's short and long names.
    pub sig_alg: (&'static str, &'static str),
    /// Public key algorithm: OpenSSL's short and long names.
    pub key_alg: (&'static str, &'static str),
    /// Key type (`RSA`, `DSA`, `ECDSA`, `UNDEF`; empty: no key) and size in bits.
    pub key: (&'static str, u16),
    /// Subject: the [`NAME_FIELDS`], or the one-line form (`SSL_CERT_SUBJECT=1`) in `[0]`.
    pub subject: [Vec<u8>; 6],
    /// Issuer, as the subject.
    pub issuer: [Vec<u8>; 6],
}

/// A Certificate message (its length already read): the first certificate of its list.
/// `None` ends the packet (cut before the certificate).
pub fn handshake(s: &mut Tls, c: &mut Cursor<'_>, cfg: &Config) -> Option<()> {
    let Some(total) = c.u24() else {
        s.stat |= stat::SNAP;
        return None;
    };
    if total == 0 {
        return Some(());
    }
    let Some(len) = c.u24() else {
        s.stat |= stat::SNAP;
        return None;
    };
    if len == 0 {
        return Some(());
    }
    let der = c.peek_upto(len as usize);
    c.skip(len as usize);
    if let Some(cert) = decode(der, cfg) {
        if cert.key.1 > 0 && cert.key.1 < 1024 {
            s.stat |= stat::WEAK_KEY;
        }
        s.cert = Some(cert);
    }
    Some(())
}

/// Decodes a DER certificate; `None` if it does not parse.
pub fn decode(der: &[u8], cfg: &Config) -> Option<Cert> {
    let (rest, x) = X509Certificate::from_der(der).ok()?;
    let used = &der[..der.len() - rest.len()];
    let mut cert =
        Cert { version: (x.version().0 as u8).wrapping_add(1), serial: serial_hex(x.raw_serial()), ..Cert::default() };
    cert.fingerprint = match cfg.ssl_cert_fingprint {
        2 => hex(&Md5::digest(used)),
        _ => hex(&Sha1::digest(used)),
    };
    let v = x.validity();
    cert.validity = Some((v.not_before.timestamp(), v.not_after.timestamp()));
    cert.sig_alg = oid_names(&x.signature_algorithm.algorithm.to_id_string());
    let spki = x.public_key();
    let key_oid = spki.algorithm.algorithm.to_id_string();
    cert.key_alg = oid_names(&key_oid);
    cert.key = key(&key_oid, spki);
    cert.subject = names(x.subject(), cfg.ssl_cert_subject);
    cert.issuer = names(x.issuer(), cfg.ssl_cert_issuer);
    Some(cert)
}

/// A serial number as OpenSSL's `BN_bn2hex` spells it: two uppercase digits per byte of the
/// shortest encoding, `0` for zero, `-` before a negative one.
fn serial_hex(raw: &[u8]) -> String {
    let negative = raw.first().is_some_and(|&b| b & 0x80 != 0);
    let mut mag: Vec<u8> = raw.to_vec();
    if negative {
        // two's complement magnitude
        mag.iter_mut().for_each(|b| *b = !*b);
        for b in mag.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    let mag = &mag[mag.iter().take_while(|&&b| b == 0).count()..];
    if mag.is_empty() {
        return "0".into();
    }
    let mut s = String::from(if negative { "-" } else { "" });
    for b in mag {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Key type and size as OpenSSL reports them (`EVP_PKEY_base_id`, `EVP_PKEY_bits`).
fn key(oid: &str, spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> (&'static str, u16) {
    match oid {
        "1.2.840.113549.1.1.1" => match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => ("RSA", bits(rsa.modulus)),
            _ => ("", 0), // OpenSSL cannot decode the key: no key
        },
        "1.2.840.10040.4.1" => ("DSA", dsa_bits(spki)),
        "1.2.840.10045.2.1" => {
            let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.clone().oid().ok()).map(|o| o.to_id_string());
            ("ECDSA", curve.as_deref().map_or(0, curve_bits))
        }
        "1.3.101.112" => ("UNDEF", 253), // Ed25519
        "1.3.101.113" => ("UNDEF", 456), // Ed448
        _ => ("UNDEF", 0),
    }
}

/// Bits of an unsigned big-endian integer.
fn bits(n: &[u8]) -> u16 {
    let n = &n[n.iter().take_while(|&&b| b == 0).count()..];
    match n.first() {
        None => 0,
        Some(&b) => ((n.len() - 1) * 8 + (8 - b.leading_zeros() as usize)).min(usize::from(u16::MAX)) as u16,
    }
}

/// Bits of a DSA key: of its prime p, the first integer of the parameters.
fn dsa_bits(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> u16 {
    use x509_parser::der_parser::der::parse_der_sequence;
    let Some(params) = spki.algorithm.parameters.as_ref() else { return 0 };
    let Ok((_, seq)) = parse_der_sequence(params.data) else {
        // the parameters' content, without its SEQUENCE header
        return 0;
    };
    seq.as_sequence().ok().and_then(|items| items.first()).and_then(|p| p.as_slice().ok()).map_or(0, bits)
}

/// Field size of the named curves OpenSSL knows by these OIDs.
fn curve_bits(oid: &str) -> u16 {
    match oid {
        "1.2.840.10045.3.1.7" | "1.3.132.0.10" | "1.3.36.3.3.2.8.1.1.7" => 256,
        "1.3.132.0.34" | "1.3.36.3.3.2.8.1.1.11" => 384,
        "1.3.132.0.35" => 521,
        "1.2.840.10045.3.1.1" => 192,
        "1.3.132.0.33" => 224,
        "1.3.36.3.3.2.8.1.1.13" => 512,
        _ => 0,
    }
}

/// OpenSSL's short and long names of the signature and key algorithms seen on the web; others
/// are `UNDEF`, as OpenSSL names an OID it does not know.
fn oid_names(oid: &str) -> (&'static str, &'static str) {
    match oid {
        "1.2.840.113549.1.1.1" => ("rsaEncryption", "rsaEncryption"),
        "1.2.840.113549.1.1.4" => ("RSA-MD5", "md5WithRSAEncryption"),
        "1.2.840.113549.1.1.5" => ("RSA-SHA1", "sha1WithRSAEncryption"),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", "rsassaPss"),
        "1.2.840.113549.1.1.11" => ("RSA-SHA256", "sha256WithRSAEncryption"),
        "1.2.840.113549.1.1.12" => ("RSA-SHA384", "sha384WithRSAEncryption"),
        "1.2.840.113549.1.1.13" => ("RSA-SHA512", "sha512WithRSAEncryption"),
        "1.2.840.113549.1.1.14" => ("RSA-SHA224", "sha224WithRSAEncryption"),
        "1.2.840.10045.2.1" => ("id-ecPublicKey", "id-ecPublicKey"),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", "ecdsa-with-SHA1"),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", "ecdsa-with-SHA224"),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", "ecdsa-with-SHA256"),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", "ecdsa-with-SHA384"),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", "ecdsa-with-SHA512"),
        "1.2.840.10040.4.1" => ("DSA", "dsaEncryption"),
        "1.2.840.10040.4.3" => ("DSA-SHA1", "dsaWithSHA1"),
        "2.16.840.1.101.3.4.3.2" => ("dsa_with_SHA256", "dsa_with_SHA256"),
        "1.3.101.112" => ("ED25519", "ED25519"),
        "1.3.101.113" => ("ED448", "ED448"),
        _ => ("UNDEF", "undefined"),
    }
}

/// The name fields T2 prints (mode 2: the first value of each [`NAME_FIELDS`] attribute, raw
/// bytes cut as T2 cuts them), or the whole name on one line in `[0]` (mode 1).
fn names(name: &X509Name<'_>, mode: u8) -> [Vec<u8>; 6] {
    let mut out: [Vec<u8>; 6] = Default::default();
    if mode == 1 {
        out[0] = oneline(name);
        return out;
    }
    for attr in name.iter_attributes() {
        let oid = attr.attr_type().to_id_string();
        if let Some(i) = NAME_FIELDS.iter().position(|(o, _)| *o == oid)
            && out[i].is_empty()
        {
            let v = attr.attr_value().data;
            out[i] = v[..v.len().min(NAME_FIELDS[i].1)].to_vec();
        }
    }
    out
}

/// OpenSSL's `X509_NAME_oneline`: `/C=US/O=Let's Encrypt/CN=R3`, bytes outside printable
/// ASCII as `\xHH`.
fn oneline(name: &X509Name<'_>) -> Vec<u8> {
    let mut s = String::new();
    for attr in name.iter_attributes() {
        let oid = attr.attr_type().to_id_string();
        let short = match oid.as_str() {
            "2.5.4.3" => "CN",
            "2.5.4.6" => "C",
            "2.5.4.7" => "L",
            "2.5.4.8" => "ST",
            "2.5.4.10" => "O",
            "2.5.4.11" => "OU",
            "2.5.4.5" => "serialNumber",
            "1.2.840.113549.1.9.1" => "emailAddress",
            "0.9.2342.19200300.100.1.25" => "DC",
            o => o,
        };
        let _ = write!(s, "/{short}=");
        for &b in attr.attr_value().data {
            if (0x20..0x7f).contains(&b) {
                s.push(char::from(b));
            } else {
                let _ = write!(s, "\\x{b:02X}");
            }
        }
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::{bits, serial_hex};

    #[test]
    fn serials_as_openssl_prints_them() {
        assert_eq!(serial_hex(&[0x03, 0x1e, 0xfa]), "031EFA");
        assert_eq!(serial_hex(&[0x00, 0x80]), "80");
        assert_eq!(serial_hex(&[0x00]), "0");
        assert_eq!(serial_hex(&[0xff]), "-01");
    }

    #[test]
    fn key_bits() {
        assert_eq!(bits(&[0x00, 0x80, 0, 0]), 24);
        assert_eq!(bits(&[0x01]), 1);
        assert_eq!(bits(&[0, 0]), 0);
        assert_eq!(bits(&[]), 0);
    }
}
