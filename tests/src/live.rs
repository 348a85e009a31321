//! Live capture (`-i`) on a real interface: a network namespace and a veth pair owned by one
//! test, the checks that the machine can run such a test, and the run helpers the live tests
//! share (start a capture, Ctrl-C it, read end-report numbers).
//!
//! Needs root and `ip` (iproute2), `ping` (iputils-ping) and `bash`. Without them the tests are
//! skipped with a message, or fail when `RT2_REQUIRE_LIVE` is set (as in CI).

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{LiveRun, PluginDir, is_root};

/// Runs `cmd args...`; panics with its output when it fails.
pub fn sh(cmd: &str, args: &[&str]) -> Output {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd} {args:?}: {e}"));
    assert!(out.status.success(), "{cmd} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// Whether the live tests can run here; if not, skips (false) or fails under `RT2_REQUIRE_LIVE`.
pub fn can_run() -> bool {
    let missing = if !is_root() {
        Some("root")
    } else if !have("ip", "-V") {
        Some("the 'ip' command (iproute2)")
    } else if !have("ping", "-V") {
        Some("the 'ping' command (iputils-ping)")
    } else if !have("bash", "--version") {
        Some("bash")
    } else {
        None
    };
    let Some(what) = missing else { return true };
    assert!(std::env::var_os("RT2_REQUIRE_LIVE").is_none(), "live capture test needs {what} (RT2_REQUIRE_LIVE is set)");
    eprintln!("skipping the live capture test: it needs {what} (set RT2_REQUIRE_LIVE to make this an error)");
    false
}

/// A namespace and a veth pair named after this process, removed on drop however the test ends.
/// IPv6 is off on both ends, so the link carries no neighbour discovery or MLD packets: only
/// what the test sends (and the ARP its IPv4 traffic needs).
#[derive(Debug)]
pub struct Veth {
    /// The namespace (`ip netns` name, `/run/netns/NAME`).
    pub ns: String,
    /// The captured end, in the root namespace, with address `.1`.
    pub iface: String,
    /// The end in the namespace, with address `.2`.
    pub peer: String,
    /// `10.199.x`.
    pub net: String,
}

impl Veth {
    /// Creates the namespace and the pair, both ends up with their addresses.
    pub fn new() -> Veth {
        // tests run in parallel: one pair and one subnet per test
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let v = Veth {
            ns: format!("rt2t{pid}_{n}"),
            iface: format!("v{pid}{n}a"),
            peer: format!("v{pid}{n}b"),
            net: format!("10.199.{}", (pid * 4 + n) % 250 + 1),
        };
        // the guard exists before the first command, so a failure half-way still cleans up
        sh("ip", &["netns", "add", &v.ns]);
        sh("ip", &["link", "add", &v.iface, "type", "veth", "peer", "name", &v.peer]);
        sh("ip", &["link", "set", &v.peer, "netns", &v.ns]);
        let no_ipv6 = |dev: &str| format!("f=/proc/sys/net/ipv6/conf/{dev}/disable_ipv6; [ ! -e $f ] || echo 1 > $f");
        sh("bash", &["-c", &no_ipv6(&v.iface)]);
        v.in_ns("bash", &["-c", &no_ipv6(&v.peer)]);
        sh("ip", &["addr", "add", &format!("{}.1/24", v.net), "dev", &v.iface]);
        sh("ip", &["link", "set", &v.iface, "up"]);
        v.in_ns("ip", &["addr", "add", &format!("{}.2/24", v.net), "dev", &v.peer]);
        v.in_ns("ip", &["link", "set", &v.peer, "up"]);
        v
    }

    /// Runs `cmd args...` inside the namespace.
    pub fn in_ns(&self, cmd: &str, args: &[&str]) -> Output {
        let mut all = vec!["netns", "exec", &self.ns, cmd];
        all.extend_from_slice(args);
        sh("ip", &all)
    }

    /// The address `10.199.x.host`.
    pub fn addr(&self, host: u8) -> String {
        format!("{}.{host}", self.net)
    }

    /// A counter of the captured end (`/sys/class/net/IFACE/statistics/NAME`).
    pub fn counter(&self, name: &str) -> u64 {
        let path = format!("/sys/class/net/{}/statistics/{name}", self.iface);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        text.trim().parse().unwrap_or_else(|_| panic!("{path}: not a number: {text}"))
    }
}

impl Default for Veth {
    fn default() -> Veth {
        Veth::new()
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        // deleting one end removes the pair; deleting the namespace removes what is left in it
        let quiet = |args: &[&str]| {
            let _ = Command::new("ip").args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
        };
        quiet(&["link", "del", &self.iface]);
        quiet(&["netns", "del", &self.ns]);
    }
}

/// Starts `tranalyzer -i IFACE ARGS...` and waits until it captures.
pub fn capture(plugins: &PluginDir, iface: &str, args: &[&str]) -> LiveRun {
    let run = LiveRun::spawn(plugins.path(), &[&["-i", iface], args].concat());
    // the signal handlers come after the capture is active: from then on every packet on the
    // interface is buffered for the run
    run.wait_ready();
    run
}

/// The size of the packet ring process `pid` has mapped (libpcap's receive buffer, `-B`).
pub fn ring_size(pid: u32) -> u64 {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("reading the process maps");
    let ring = maps.lines().find(|l| l.ends_with(']') && l.contains(" socket:[")).expect("a packet ring");
    let (from, to) = ring.split_whitespace().next().unwrap().split_once('-').unwrap();
    u64::from_str_radix(to, 16).unwrap() - u64::from_str_radix(from, 16).unwrap()
}

/// Ctrl-C twice, as T2 users do: the first stops flow creation (the run would end when the
/// last flow timed out), the second ends the run. Waits at most `secs` s for the exit code.
pub fn interrupt(run: &mut LiveRun, secs: f64) -> Option<i32> {
    run.signal("INT");
    let soft = "[INF] SIGINT: Stop flow creation, when all pending flows timeout (182s): exit\n";
    assert!(run.wait_stdout(10.0, |s| s.contains(soft)), "no first SIGINT line:\n{}", run.stdout());
    run.signal("INT");
    run.wait_exit(secs)
}

/// The number in the first report line `label: N ...` of `text`; a NUMP line is left out when
/// N is 0.
pub fn report_number(text: &str, label: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(&format!("{label}: ")))?;
    let rest = &line[label.len() + 2..];
    Some(rest.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("bad line '{line}'")))
}
