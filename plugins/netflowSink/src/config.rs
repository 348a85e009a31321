//! netflowSink's flags as a run uses them: the compiled values (`flags.toml`, T2's
//! `netflowSink.h`) with their run-time overrides from the environment.

use std::time::Duration;

use crate::export::Settings;
use crate::flags;
use crate::message::Protocol;
use crate::transport::{Collector, Transport};

/// Every flag, with the environment's overrides applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// `NF_SERVADD`.
    pub servadd: String,
    /// `NF_DPORT`.
    pub dport: u16,
    /// `NF_SOCKTYPE`: TCP instead of UDP.
    pub tcp: bool,
    /// `NF_VER`: 9 or 10.
    pub ver: u8,
    /// `NF_NUM4FLWS`.
    pub num4flws: u16,
    /// `NF_NUM6FLWS`.
    pub num6flws: u16,
    /// `NF_TMPL_MSGS`.
    pub tmpl_msgs: u32,
    /// `NF_TMPL_SECS`.
    pub tmpl_secs: u32,
    /// `NF_RETRIES`.
    pub retries: u8,
    /// `NF_TIMEOUT`.
    pub timeout: f32,
    /// `NF_REDIAL`.
    pub redial: f32,
    /// `NF_QUEUE`.
    pub queue: u16,
}

impl Options {
    /// The flags of `cfg`, before any override.
    pub fn new(cfg: &flags::Config) -> Options {
        Options {
            servadd: cfg.nf_servadd.to_owned(),
            dport: cfg.nf_dport,
            tcp: cfg.nf_socktype,
            ver: cfg.nf_ver,
            num4flws: cfg.nf_num4flws,
            num6flws: cfg.nf_num6flws,
            tmpl_msgs: cfg.nf_tmpl_msgs,
            tmpl_secs: cfg.nf_tmpl_secs,
            retries: cfg.nf_retries,
            timeout: cfg.nf_timeout,
            redial: cfg.nf_redial,
            queue: cfg.nf_queue,
        }
    }
}

/// Parses an override of a numeric flag.
fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.trim().parse().map_err(|_| format!("{name}='{v}' is not a valid value"))
}

impl Options {
    /// Applies the run-time overrides (T2's `ENVCNTRL`): `getenv` answers with the value of
    /// the environment variable named like the flag, if set. T2 reads `NF_SERVADD`, `NF_DPORT`,
    /// `NF_NUM4FLWS` and `NF_NUM6FLWS` there; rt2 also `NF_SOCKTYPE` and `NF_VER`, so one
    /// build exports over either transport and protocol.
    pub fn apply_env(&mut self, getenv: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        if let Some(v) = getenv("NF_SERVADD") {
            self.servadd = v;
        }
        if let Some(v) = getenv("NF_DPORT") {
            self.dport = number("NF_DPORT", &v)?;
        }
        if let Some(v) = getenv("NF_NUM4FLWS") {
            self.num4flws = number("NF_NUM4FLWS", &v)?;
        }
        if let Some(v) = getenv("NF_NUM6FLWS") {
            self.num6flws = number("NF_NUM6FLWS", &v)?;
        }
        if let Some(v) = getenv("NF_SOCKTYPE") {
            self.tcp = match v.trim() {
                "0" => false,
                "1" => true,
                _ => return Err(format!("NF_SOCKTYPE={v}: the socket type must be 0 (UDP) or 1 (TCP)")),
            };
        }
        if let Some(v) = getenv("NF_VER") {
            self.ver = number("NF_VER", &v)?;
        }
        self.check()
    }

    /// Refuses values the plugin cannot work with.
    pub fn check(&self) -> Result<(), String> {
        if !matches!(self.ver, 9 | 10) {
            return Err(format!("NF_VER={}: the version must be 9 (NetFlow v9) or 10 (IPFIX)", self.ver));
        }
        if self.servadd.is_empty() {
            return Err("NF_SERVADD is empty: no collector to export to".into());
        }
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err(format!("NF_TIMEOUT={}: the timeout must be a positive number of seconds", self.timeout));
        }
        if !(self.redial.is_finite() && self.redial >= 0.0) {
            return Err(format!("NF_REDIAL={}: the wait must be 0 or more seconds", self.redial));
        }
        Ok(())
    }

    /// The export protocol.
    pub fn protocol(&self) -> Protocol {
        Protocol::from_version(self.ver)
    }

    /// The collector.
    pub fn collector(&self) -> Collector {
        let transport = if self.tcp { Transport::Tcp } else { Transport::Udp };
        Collector { host: self.servadd.clone(), port: self.dport, transport }
    }

    /// How the sender thread behaves.
    pub fn settings(&self) -> Settings {
        Settings {
            collector: self.collector(),
            retries: u32::from(self.retries.max(1)),
            timeout: Duration::from_secs_f32(self.timeout),
            redial: (self.redial > 0.0).then(|| Duration::from_secs_f32(self.redial)),
            refresh_msgs: self.tmpl_msgs,
            refresh_secs: self.tmpl_secs,
            queue: usize::from(self.queue.max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn defaults_are_t2s() {
        let c = Options::new(&flags::Config::default());
        assert_eq!((c.servadd.as_str(), c.dport, c.tcp, c.ver), ("127.0.0.1", 9995, false, 9));
        assert_eq!((c.num4flws, c.num6flws), (200, 100));
        assert_eq!(c.collector().to_string(), "127.0.0.1:9995 (UDP)");
        assert_eq!(c.protocol(), Protocol::V9);
    }

    #[test]
    fn environment_overrides() {
        let mut c = Options::new(&flags::Config::default());
        let vars = [("NF_SERVADD", "::1"), ("NF_DPORT", "4739"), ("NF_VER", "10"), ("NF_SOCKTYPE", "1")];
        c.apply_env(env(&vars)).unwrap();
        assert_eq!(c.collector().to_string(), "[::1]:4739 (TCP)");
        assert_eq!(c.protocol(), Protocol::Ipfix);
        c.apply_env(env(&[("NF_NUM4FLWS", " 12 "), ("NF_NUM6FLWS", "7")])).unwrap();
        assert_eq!((c.num4flws, c.num6flws), (12, 7));
    }

    #[test]
    fn bad_values_are_refused() {
        let bad = |vars: &[(&str, &str)]| Options::new(&flags::Config::default()).apply_env(env(vars)).unwrap_err();
        assert_eq!(bad(&[("NF_DPORT", "70000")]), "NF_DPORT='70000' is not a valid value");
        assert_eq!(bad(&[("NF_VER", "5")]), "NF_VER=5: the version must be 9 (NetFlow v9) or 10 (IPFIX)");
        assert_eq!(bad(&[("NF_SOCKTYPE", "2")]), "NF_SOCKTYPE=2: the socket type must be 0 (UDP) or 1 (TCP)");
        assert_eq!(bad(&[("NF_SERVADD", "")]), "NF_SERVADD is empty: no collector to export to");
        let c = Options { timeout: 0.0, ..Options::new(&flags::Config::default()) };
        assert_eq!(c.check().unwrap_err(), "NF_TIMEOUT=0: the timeout must be a positive number of seconds");
    }

    #[test]
    fn settings_bound_every_wait() {
        let c = Options { retries: 0, redial: 0.0, queue: 0, ..Options::new(&flags::Config::default()) };
        let s = c.settings();
        assert_eq!((s.retries, s.redial, s.queue), (1, None, 1));
        assert_eq!(s.timeout, Duration::from_secs(2));
    }
}
