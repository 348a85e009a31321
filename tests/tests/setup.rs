//! `./setup.sh`, branch by branch, in a fake environment: a `cc` that cannot link libpcap until
//! a fake `apt-get` has "installed" it (then the real compiler and the machine's libpcap
//! decide), a fake `cargo` that hands out the release build instead of compiling (the tests
//! run while cargo holds the target directory), a throw-away HOME and target directory. The
//! real `t2build` installs the plugins; nothing of the machine changes. `.ci/run` runs the
//! script for real on the clean clone.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rt2_tests::{is_root, release_dir, repo_root, tranalyzer};

const FAKE_CC: &str = r#"#!/bin/sh
# links libpcap only once the fake package manager has installed it
case " $* " in
    *" -lpcap "*) [ -e "$FAKE_ENV/pcap-installed" ] || { echo "ld: cannot find -lpcap" >&2; exit 1; } ;;
esac
exec "$REAL_CC" "$@"
"#;

const FAKE_APT_GET: &str = r#"#!/bin/sh
echo "apt-get $*" >> "$FAKE_ENV/calls"
[ "$1" = install ] && touch "$FAKE_ENV/pcap-installed"
exit 0
"#;

/// `cargo build [-p X] [--target-dir D]`: copies the release build of X (all binaries without
/// -p) into D (default `$CARGO_TARGET_DIR`).
const FAKE_CARGO: &str = r#"#!/bin/sh
echo "cargo $*" >> "$FAKE_ENV/calls"
pkg=""; td="$CARGO_TARGET_DIR"
while [ $# -gt 0 ]; do
    case "$1" in
        -p) pkg=$2; shift ;;
        --target-dir) td=$2; shift ;;
    esac
    shift
done
mkdir -p "$td/release"
case "$pkg" in
    "") for b in tranalyzer t2build t2conf t2plugin t2whois; do cp "$RT2_RELEASE/$b" "$td/release/"; done ;;
    tranalyzer) cp "$RT2_RELEASE/tranalyzer" "$td/release/" ;;
    *) cp "$RT2_RELEASE/lib$pkg.so" "$td/release/" ;;
esac
"#;

/// Never run: its presence makes setup.sh name the `sudo` form of the command.
const FAKE_SUDO: &str = "#!/bin/sh\nexit 1\n";

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        tranalyzer(); // the release build must exist
        let f = Fake { dir: tempfile::tempdir().unwrap() };
        for (name, text) in [("cc", FAKE_CC), ("apt-get", FAKE_APT_GET), ("cargo", FAKE_CARGO), ("sudo", FAKE_SUDO)] {
            let p = f.path("bin").join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::create_dir_all(f.path("home")).unwrap();
        // the non-root run must reach the scripts
        std::fs::set_permissions(f.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        f
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.path("calls")).unwrap_or_default()
    }

    /// `setup.sh ARGS` in the fake environment (stdin not a terminal), as user and group ID `user`
    /// if given.
    fn setup(&self, args: &[&str], user: Option<&str>) -> Output {
        let real_cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("a C compiler");
        let script = repo_root().join("setup.sh");
        let mut cmd = match user {
            Some(u) => {
                let mut c = Command::new("setpriv");
                c.args([&format!("--reuid={u}"), &format!("--regid={u}"), "--clear-groups", "--"]).arg(&script);
                c
            }
            None => Command::new(&script),
        };
        cmd.args(args)
            .env_clear()
            .env("PATH", format!("{}:/usr/local/bin:/usr/bin:/bin", self.path("bin").display()))
            .env("HOME", self.path("home"))
            .env("CARGO_TARGET_DIR", self.path("target"))
            .env("FAKE_ENV", self.dir.path())
            .env("REAL_CC", real_cc)
            .env("RT2_RELEASE", release_dir())
            .stdin(Stdio::null())
            .output()
            .expect("running setup.sh")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn as_root_it_installs_libpcap_builds_and_installs_then_again_does_only_what_is_missing() {
    if !is_root() {
        eprintln!("note: not root: setup.sh's install branch is tested by the root run of CI");
        return;
    }
    let f = Fake::new();
    let out = f.setup(&["-y"], None);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "setup.sh: installing libpcap's development files: apt-get update && apt-get install -y libpcap-dev\n"
        ),
        "{stdout}"
    );
    let calls = f.calls();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls[..3], ["apt-get update", "apt-get install -y libpcap-dev", "cargo build --release"]);
    // then t2build's own builds: the core and each default plugin rt2 has
    assert!(calls[3].starts_with("cargo build -p tranalyzer --release"), "{calls:?}");
    let plugins = f.path("home/.tranalyzer/plugins");
    for file in
        ["100_basicFlow.so", "120_basicStats.so", "130_tcpFlags.so", "132_tcpStates.so", "901_txtSink.so", "proto.txt"]
    {
        assert!(plugins.join(file).is_file(), "{file} is not installed:\n{stdout}");
    }
    // the subnet tables, decompressed, as t2whois finds them
    let whois = Command::new(f.path("target/release/t2whois"))
        .env("HOME", f.path("home"))
        .args(["-l", "-H", "-o", "country", "10.1.2.3"])
        .output()
        .unwrap();
    assert_eq!(text(&whois.stdout), "04\n", "{}", text(&whois.stderr));
    let missing: Vec<&str> = ["connStat", "icmpDecode", "macRecorder", "portClassifier", "protoStats"]
        .into_iter()
        .filter(|p| !repo_root().join("plugins").join(p).exists())
        .collect();
    if !missing.is_empty() {
        assert!(
            stdout.contains(&format!("setup.sh: T2 default plugins not in rt2 yet: {}\n", missing.join(" "))),
            "{stdout}"
        );
    }
    let line = format!("source \"{}/scripts/t2_aliases\"", repo_root().display());
    let bashrc = std::fs::read_to_string(f.path("home/.bashrc")).unwrap();
    assert_eq!(bashrc.matches(&line).count(), 1, "{bashrc}");

    // again: libpcap is there now (the real compiler links the machine's libpcap), the
    // aliases too; only the build and the install run again
    let out = f.setup(&["-y"], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(f.calls().matches("apt-get install").count(), 1, "installed twice:\n{}", f.calls());
    assert!(stdout.contains("setup.sh: aliases already in "), "{stdout}");
    assert!(stdout.contains("proto.txt already exists in"), "{stdout}");
    assert_eq!(std::fs::read_to_string(f.path("home/.bashrc")).unwrap(), bashrc);
}

#[test]
fn without_yes_and_without_a_terminal_the_bashrc_is_left_alone() {
    let f = Fake::new();
    std::fs::write(f.path("pcap-installed"), "").unwrap();
    std::fs::write(f.path("home/.bashrc"), "# mine\n").unwrap();
    let out = f.setup(&[], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(!f.calls().contains("apt-get"), "{}", f.calls());
    assert!(stdout.contains("setup.sh: aliases not added: run './setup.sh -y', or add 'source "), "{stdout}");
    assert_eq!(std::fs::read_to_string(f.path("home/.bashrc")).unwrap(), "# mine\n");
}

#[test]
fn as_a_user_it_names_the_command_to_run_and_stops() {
    let f = Fake::new();
    // nobody when the tests run as root (CI), else the tester: a real non-root identity
    let out = f.setup(&["-y"], is_root().then_some("65534"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "setup.sh: libpcap's development files missing: run 'sudo apt-get update && sudo apt-get install -y libpcap-dev', then ./setup.sh again\n"
    );
    assert_eq!(text(&out.stdout), "");
    assert_eq!(f.calls(), "", "nothing installed or built");
}

#[test]
fn unknown_options_are_refused() {
    let f = Fake::new();
    let out = f.setup(&["--frobnicate"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("setup.sh: unknown option '--frobnicate'\nUsage: ./setup.sh [-y] [-h]\n"));
    assert_eq!(f.calls(), "");
}
