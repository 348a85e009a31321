//! Loading plugins: a plugin written in C against `include/rt2_plugin.h`, plugins that must be
//! refused (another ABI, no entry symbol, not a library, missing dependency, old T2 version),
//! and a plugin that panics: each gets one clear `[ERR]` line and nothing computed is lost.

use std::path::Path;
use std::process::Command;

use rt2_tests::{PluginDir, Run, repo_root, run_t2, sample_pcap};

/// Compiles the C fixture into `dir` as `300_cPlugin.so` with the given `-D` defines.
fn build_c_plugin(dir: &Path, defines: &[&str]) {
    let root = repo_root();
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-std=c11"])
        .arg("-I")
        .arg(root.join("plugin-api/include"))
        .args(defines.iter().map(|d| format!("-D{d}")))
        .arg("-o")
        .arg(dir.join("300_cPlugin.so"))
        .arg(root.join("tests/fixtures/c/cplugin.c"))
        .status()
        .expect("running the C compiler");
    assert!(status.success(), "the C fixture does not compile with {defines:?}");
}

fn run_sample(plugins: &PluginDir) -> Run {
    run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap()])
}

/// Runs the sample with basicFlow, txtSink and the C fixture built with `defines`, expecting
/// the run to refuse to start with one error line naming the fixture's file and saying `error`.
fn assert_refused(defines: &[&str], error: &str) {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    build_c_plugin(plugins.path(), defines);
    let run = run_sample(&plugins);
    let err = run.stderr();
    assert_eq!(err.lines().count(), 1, "one error line expected:\n{err}");
    let file = plugins.path().join("300_cPlugin.so");
    assert!(err.starts_with(&format!("[ERR] {}", file.display())), "the error names the file:\n{err}");
    assert!(err.contains(error), "expected '{error}' in:\n{err}");
    assert_eq!(run.code(), Some(1));
    assert!(run.file("_flows.txt").is_none(), "nothing ran");
}

#[test]
fn c_plugin_runs() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    build_c_plugin(plugins.path(), &[]);
    let run = run_sample(&plugins);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().contains("    02: cPlugin, 1.0\n"), "{}", run.stdout());
    assert!(run.stdout().contains("cPlugin: hello from C"), "{}", run.stdout());
    assert!(!run.stdout().contains("pcapd file"), "no -e, no file: {}", run.stdout());
    let flows = run.flows();
    // the HTTP client sent SYN, ACK, request, ACK, FIN, ACK; the server the other five
    assert_eq!(flows.get("A", 5, "cPkts"), "6");
    assert_eq!(flows.get("B", 5, "cPkts"), "5");
    // ARP frames are counted at layer 2
    assert_eq!(flows.get("A", 1, "cPkts"), "1");
    let headers = run.file("_headers.txt").expect("headers file");
    assert!(headers.contains("cPkts\tPackets counted by the C fixture"), "{headers}");
    assert!(run.stdout().contains("cPlugin: bye from C"), "{}", run.stdout());
}

#[test]
fn table_size_ending_inside_a_callback_leaves_it_out() {
    // the declared size ends in the middle of the `finalize` pointer: the loader takes only
    // whole fields, so `finalize` is absent (half a pointer would be called and crash)
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    build_c_plugin(plugins.path(), &["VTABLE_SIZE=offsetof(struct rt2_PluginVTable, finalize)+4"]);
    let run = run_sample(&plugins);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().contains("cPlugin: hello from C"), "{}", run.stdout());
    assert!(!run.stdout().contains("bye from C"), "{}", run.stdout());
    // the callbacks before the cut still run
    assert_eq!(run.flows().get("A", 5, "cPkts"), "6");
}

#[test]
fn plugin_for_another_abi_is_refused() {
    assert_refused(
        &["ABI_MAJOR=99"],
        &format!(
            "300_cPlugin.so: plugin ABI version 99.{} not supported (this tranalyzer supports 1.x)",
            plugin_api::abi::ABI_MINOR
        ),
    );
}

#[test]
fn plugin_without_entry_symbol_is_refused() {
    assert_refused(&["NO_ENTRY"], "300_cPlugin.so is missing required plugin function rt2_plugin_entry");
}

#[test]
fn plugin_with_missing_dependency_is_refused() {
    assert_refused(&["DEPENDENCIES=\"tcpStates\""], "300_cPlugin.so: cPlugin: missing dependencies: tcpStates");
}

#[test]
fn plugin_for_another_t2_version_is_refused() {
    assert_refused(&["T2_MINOR=8"], "300_cPlugin.so: cPlugin: version 0.8 not supported (minimum required is 0.9)");
}

#[test]
fn file_that_is_not_a_library_is_refused() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    plugins.add_file("300_junk.so", b"this is not an ELF file\n");
    let run = run_sample(&plugins);
    assert_eq!(run.code(), Some(1));
    let err = run.stderr();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("[ERR] ") && err.contains("300_junk.so"), "{err}");
}

#[test]
fn panic_while_creating_the_plugin_is_one_error_line() {
    let run = run_panicky("new");
    assert_eq!(run.code(), Some(1));
    let err = run.stderr();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("[ERR] panicky: panicked: asked to panic in new ("), "{err}");
}

/// The sample with basicFlow, the panicky fixture and txtSink, panicking where `at` says.
fn run_panicky(at: &str) -> Run {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    plugins.install_crate(&repo_root().join("tests/fixtures/panicky"));
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(rt2_tests::tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .args(["-r", sample_pcap().to_str().unwrap(), "-w", &format!("{}/", out.path().display())])
        .env("RT2_PANICKY", at)
        .output()
        .unwrap();
    Run { output, out }
}

#[test]
fn panicking_plugin_stops_the_run_and_keeps_the_flows() {
    let run = run_panicky("packet:7");
    assert_eq!(run.code(), Some(1));
    // one line naming the plugin, the panic message and where it happened
    let err = run.stderr();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("[ERR] panicky: panicked: asked to panic at packet 7 (tests/fixtures/panicky/src/lib.rs:"),
        "{err}"
    );
    // panicky's 7th layer-4 packet is the HTTP client's ACK, the 9th of the capture: the run
    // stops after it, and the flows seen so far (both ARP frames, both DNS exchanges, the
    // HTTP connection) are written, the dead plugin's column left empty
    let flows = run.flows();
    assert_eq!(flows.rows.len(), 8);
    assert_eq!(flows.get("B", 5, "srcPort"), "80");
    assert!(flows.rows.iter().all(|r| r[flows.columns.iter().position(|c| c == "panickyPkts").unwrap()] == "0"));
    let log = run.stdout();
    assert!(log.contains("Number of processed packets: 9\n"), "{log}");
}

#[test]
fn panic_while_writing_flows_keeps_the_other_columns() {
    let run = run_panicky("terminate:5");
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr().starts_with("[ERR] panicky: panicked: asked to panic at flow 5 ("), "{}", run.stderr());
    let flows = run.flows();
    assert_eq!(flows.rows.len(), 17, "every flow is still written");
    let col = flows.columns.iter().position(|c| c == "panickyPkts").unwrap();
    let counts: Vec<&str> = flows.rows.iter().map(|r| r[col].as_str()).collect();
    // two ARP frames (no layer 4), the DNS query and answer, then nothing from the dead plugin
    assert_eq!(counts[..4], ["0", "0", "1", "1"]);
    assert!(counts[4..].iter().all(|c| *c == "0"), "{counts:?}");
    assert_eq!(flows.get("A", 5, "duration"), "5.267650000");
}

#[test]
fn panic_in_init_is_one_error_line() {
    let run = run_panicky("init");
    assert_eq!(run.code(), Some(1));
    let err = run.stderr();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("[ERR] panicky: panicked: asked to panic in init ("), "{err}");
}

#[test]
fn pcapd_file_reaches_plugins() {
    // `-e` is only stored by the core; the pcapd plugin reads it at init (ABI 1.1 field)
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    build_c_plugin(plugins.path(), &[]);
    let run = run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap(), "-e", "alarms.txt"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().contains("cPlugin: pcapd file: alarms.txt\n"), "{}", run.stdout());
}

#[test]
fn the_thread_count_reaches_plugins() {
    // `--threads` (ABI 1.3 field), also for a plugin written in C
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    build_c_plugin(plugins.path(), &[]);
    let run = run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap(), "--threads", "7"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().contains("cPlugin: threads: 7\n"), "{}", run.stdout());
    assert!(run.stdout().contains(" sec, threads: 7\n"), "{}", run.stdout());
}
