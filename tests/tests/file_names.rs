//! File names that are not UTF-8 go through byte for byte: the capture (`-r`), a capture list
//! and its entries (`-R`), a series (`-D`), the output prefix (`-w`) and every file written
//! from it (the core's and the plugins' side files), the plugin folder (`-p`) and the BPF
//! file (`-F`). Messages print such a name with its bad bytes as `\xNN`.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rt2_tests::{PluginDir, sample_pcap, tranalyzer};

/// `dir` joined with the bytes `name`.
fn bytes_path(dir: &Path, name: &[u8]) -> PathBuf {
    dir.join(OsStr::from_bytes(name))
}

/// Runs `tranalyzer ARGS` (each argument as bytes).
fn t2(args: &[&OsStr]) -> Output {
    Command::new(tranalyzer()).args(args).output().expect("running tranalyzer")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The names in `dir`, as bytes, sorted.
fn listing(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_vec()).collect();
    names.sort();
    names
}

/// The flow rows of the flow file `path`.
fn flow_rows(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.starts_with('%')).count()
}

/// Flow rows of the sample.
fn sample_rows() -> usize {
    let run =
        rt2_tests::run_t2(PluginDir::with(&["basicFlow", "txtSink"]).path(), &["-r", sample_pcap().to_str().unwrap()]);
    run.flows().rows.len()
}

#[test]
fn capture_and_output_prefix_keep_their_bytes() {
    let plugins = PluginDir::with(&["basicFlow", "tcpWin", "txtSink"]);
    let dir = tempfile::tempdir().unwrap();
    let input = bytes_path(dir.path(), b"in\xff.pcap");
    std::fs::copy(sample_pcap(), &input).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let prefix = bytes_path(&out, b"bad\xff\xfename");
    let run =
        t2(&[OsStr::new("-p"), plugins.path().as_os_str(), OsStr::new("-r"), input.as_os_str(), OsStr::new("-w")]
            .into_iter()
            .chain([prefix.as_os_str(), OsStr::new("-l")])
            .collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let written = listing(&out);
    let expected: Vec<Vec<u8>> = ["_flows.txt", "_headers.txt", "_log.txt", "_tcpwin.txt"]
        .iter()
        .map(|s| [&b"bad\xff\xfename"[..], s.as_bytes()].concat())
        .collect();
    assert_eq!(written, expected, "{:?}", written.iter().map(|n| String::from_utf8_lossy(n)).collect::<Vec<_>>());
    assert_eq!(flow_rows(&bytes_path(&out, b"bad\xff\xfename_flows.txt")), sample_rows());
    // the log names the capture with its bad byte escaped
    let log = std::fs::read(bytes_path(&out, b"bad\xff\xfename_log.txt")).unwrap();
    let log = String::from_utf8(log).expect("the log is text");
    let shown = format!("Processing file: {}/in\\xff.pcap\n", dir.path().display());
    assert!(log.contains(&shown), "{log}");
}

#[test]
fn prefix_taken_from_the_capture_name() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let dir = tempfile::tempdir().unwrap();
    let input = bytes_path(dir.path(), b"cap\xe9.pcap");
    std::fs::copy(sample_pcap(), &input).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut prefix = out.path().as_os_str().to_owned();
    prefix.push("/");
    let run = t2(&[
        OsStr::new("-p"),
        plugins.path().as_os_str(),
        OsStr::new("-r"),
        input.as_os_str(),
        OsStr::new("-w"),
        &prefix,
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(flow_rows(&bytes_path(out.path(), b"cap\xe9_flows.txt")), sample_rows());
}

#[test]
fn missing_capture_is_named_escaped() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let dir = tempfile::tempdir().unwrap();
    let input = bytes_path(dir.path(), b"no\xff.pcap");
    let prefix = dir.path().join("o");
    let run = t2(&[
        OsStr::new("-p"),
        plugins.path().as_os_str(),
        OsStr::new("-r"),
        input.as_os_str(),
        OsStr::new("-w"),
        prefix.as_os_str(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let line = format!(
        "[ERR] Failed to open file '{}/no\\xff.pcap' for reading: No such file or directory\n",
        dir.path().display()
    );
    assert!(stderr(&run).contains(&line), "{}", stderr(&run));
}

/// The flow file of a run with `-p FOLDER OPT ARG` (`-F`: `-r CAPTURE -F FILE`), where every name in the folder
/// `dir` carries `tag`: a plugin folder, a series of two captures, a list of the first one
/// and a BPF file.
fn run_named(dir: &Path, tag: &[u8], opt: &str, plugins: &PluginDir) -> String {
    let name = |stem: &str, rest: &str| bytes_path(dir, &[stem.as_bytes(), tag, rest.as_bytes()].concat());
    let folder = name("plugins", "");
    if !folder.exists() {
        std::fs::create_dir(&folder).unwrap();
        for e in std::fs::read_dir(plugins.path()).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), folder.join(e.file_name())).unwrap();
        }
        std::fs::copy(sample_pcap(), name("s", "_p0.pcap")).unwrap();
        std::fs::copy(shared_or_sample(), name("s", "_p1.pcap")).unwrap();
        let mut entries = name("s", "_p0.pcap").into_os_string().into_vec();
        entries.push(b'\n');
        std::fs::write(name("list", ".txt"), entries).unwrap();
        std::fs::write(name("filter", ".bpf"), "tcp\n").unwrap();
    }
    let mut series = name("s", "_p0.pcap").into_os_string();
    series.push(":_p,1");
    let (arg, extra) = match opt {
        "-R" => (name("list", ".txt").into_os_string(), vec![]),
        "-D" => (series, vec![]),
        _ => (name("s", "_p0.pcap").into_os_string(), vec![OsString::from("-F"), name("filter", ".bpf").into()]),
    };
    let out = tempfile::tempdir().unwrap();
    let prefix = out.path().join("o");
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("-p"),
        folder.as_os_str(),
        OsStr::new(if opt == "-F" { "-r" } else { opt }),
        &arg,
        OsStr::new("-w"),
        prefix.as_os_str(),
    ];
    args.extend(extra.iter().map(OsString::as_os_str));
    let run = t2(&args);
    assert_eq!(run.status.code(), Some(0), "{opt}: {}", stderr(&run));
    std::fs::read_to_string(out.path().join("o_flows.txt")).unwrap()
}

/// A second capture for the series: another shared one when `../shared` is there.
fn shared_or_sample() -> PathBuf {
    rt2_tests::shared_pcap("http-session.pcap").unwrap_or_else(sample_pcap)
}

#[test]
fn list_series_plugin_folder_and_bpf_file_keep_their_bytes() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let dir = tempfile::tempdir().unwrap();
    for opt in ["-R", "-D", "-F"] {
        let plain = run_named(dir.path(), b"", opt, &plugins);
        let bad = run_named(dir.path(), b"\xff", opt, &plugins);
        assert!(plain.lines().filter(|l| !l.starts_with('%')).count() > 0, "{opt}: no flows");
        assert_eq!(bad, plain, "{opt}");
    }
}
