//! `t2build` end to end: every option's effect on disk, its output and exit code, run on a
//! throw-away tree with a fake cargo (t2tree), and one real build of the core and a plugin
//! created by `t2plugin` in a workspace copy with its own target directory.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rt2_tests::t2tree::T2Tree;

fn installed(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn builds(t: &T2Tree) -> Vec<String> {
    t.cargo_calls()
        .iter()
        .filter(|c| c.starts_with("build"))
        .map(|c| c.split_whitespace().nth(2).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn names_build_the_core_first_and_install_plugins_as_nnn_name() {
    let t = T2Tree::new();
    let o = t.t2build(&["tcpStates/", "tranalyzer2", "alpha"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert_eq!(builds(&t), ["tranalyzer", "tcpStates", "alpha"]);
    assert!(t.cargo_calls()[0].contains("--release"), "{:?}", t.cargo_calls());
    assert_eq!(installed(&t.plugin_dir()), ["110_alpha.so", "132_tcpStates.so", "alpha.txt"]);
    let pd = t.plugin_dir().display().to_string();
    for line in [
        "'Tranalyzer2'",
        "Tranalyzer2 successfully built (",
        "Plugin 'tcpStates'",
        "tcpStates successfully built (",
        &format!("Plugin tcpStates copied into {pd}"),
        &format!("alpha.txt copied into {pd}"),
        "BUILDING SUCCESSFUL",
    ] {
        assert!(o.stdout.contains(line), "missing {line:?}\n{}", o.all());
    }
    // cargo's own output goes to the log, not to the terminal
    assert!(!o.stdout.contains("Compiling"), "{}", o.all());
    let log = t.read("target/t2build/t2build.log");
    assert!(log.contains("==> ") && log.contains("Compiling tcpStates"), "{log}");
    // the lock is gone after the run
    assert!(!t.path("target/t2build/t2build.lock").exists());
}

#[test]
fn one_failed_plugin_does_not_stop_the_others_and_is_listed() {
    let t = T2Tree::new();
    let o =
        t.t2build_env(&["alpha", "tcpStates", "basicFlow", "nope", "notAPlugin"], &[("FAKE_CARGO_FAIL", "tcpStates")]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert_eq!(installed(&t.plugin_dir()), ["100_basicFlow.so", "110_alpha.so", "alpha.txt"]);
    assert!(o.stderr.contains("Failed to build plugin tcpStates ("), "{}", o.all());
    assert!(o.stderr.contains("error[E0425]: cannot find value `oops`"), "{}", o.all());
    assert!(o.stderr.contains("Plugin 'nope' could not be found"), "{}", o.all());
    assert!(o.stderr.contains("notAPlugin is not a valid Tranalyzer plugin: could not find Cargo.toml"), "{}", o.all());
    assert!(
        o.stderr.contains("The following plugins could not be built:\n    nope\n    notAPlugin\n    tcpStates\n"),
        "{}",
        o.all()
    );
    assert!(!o.stdout.contains("SUCCESSFUL"), "{}", o.all());
}

#[test]
fn a_failed_core_stops_at_once() {
    let t = T2Tree::new();
    let o = t.t2build_env(&["alpha", "tranalyzer2"], &[("FAKE_CARGO_FAIL", "tranalyzer")]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert_eq!(builds(&t), ["tranalyzer"]);
    assert!(o.stderr.contains("Failed to build tranalyzer2"), "{}", o.all());
    assert!(!o.stderr.contains("could not be built") && !o.stdout.contains("Plugin 'alpha'"), "{}", o.all());
}

#[test]
fn target_sets_default_all_build_list_and_ignore_list() {
    let t = T2Tree::new();
    // default set: the core and T2's ten plugins; the missing ones fail
    let o = t.t2build(&[]);
    assert_eq!(o.code, Some(1));
    assert_eq!(builds(&t), ["tranalyzer", "basicFlow", "tcpStates", "txtSink"]);
    assert!(o.stderr.contains("    connStat\n    icmpDecode\n    macRecorder\n    portClassifier\n    protoStats\n"));
    assert!(o.stderr.contains("    tcpFlags\n"), "{}", o.all());

    // -a: every plugin crate but t2PSkel, tcpWin and the ignore file's
    t.clear_cargo_calls();
    t.write("plugins.ignore", "# not this one\ntxtSink\n");
    let o = t.t2build(&["-a"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert_eq!(builds(&t), ["tranalyzer", "alpha", "basicFlow", "tcpStates"]);
    t.clear_cargo_calls();
    t.write("my.ignore", "alpha 100_basicFlow.so\n");
    assert_eq!(t.t2build(&["-a", "-I", "my.ignore"]).code, Some(0));
    assert_eq!(builds(&t), ["tranalyzer", "tcpStates", "txtSink"]);
    let o = t.t2build(&["-a", "-I", "missing.ignore"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Invalid argument for option '-I': 'missing.ignore' is not a regular file"));

    // -b FILE, and -b alone for plugins.build
    t.clear_cargo_calls();
    t.write("list.build", "# comment\n#tcpStates\ntxtSink  110_alpha.so\n");
    assert_eq!(t.t2build(&["-b", "list.build"]).code, Some(0));
    assert_eq!(builds(&t), ["tranalyzer", "txtSink", "alpha"]);
    let o = t.t2build(&["-b"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Invalid argument for option '-b':"), "{}", o.all());
    assert!(o.stderr.contains("plugins.build' is not a regular file"), "{}", o.all());
    t.clear_cargo_calls();
    t.write("plugins.build", "tcpWin\n");
    assert_eq!(t.t2build(&["-b", "-y"]).code, Some(0));
    assert_eq!(builds(&t), ["tranalyzer", "tcpWin"]);

    // --no-sink
    t.clear_cargo_calls();
    assert_eq!(t.t2build(&["--no-sink", "txtSink", "alpha"]).code, Some(0));
    assert_eq!(builds(&t), ["alpha"]);
}

#[test]
fn rebuild_takes_the_installed_plugins_and_keeps_disabled_ones_disabled() {
    let t = T2Tree::new();
    let o = t.t2build(&["-R"]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.contains(&format!("Plugin directory '{}' does not exist", t.plugin_dir().display())),
        "{}",
        o.all()
    );
    assert!(t.cargo_calls().is_empty());

    let pd = t.plugin_dir();
    std::fs::create_dir_all(pd.join("disabled")).unwrap();
    std::fs::write(pd.join("132_tcpStates.so"), "old").unwrap();
    std::fs::write(pd.join("disabled/110_alpha.so"), "old").unwrap();
    let o = t.t2build(&["-R"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert_eq!(builds(&t), ["tranalyzer", "alpha", "tcpStates"]);
    assert!(std::fs::read_to_string(pd.join("disabled/110_alpha.so")).unwrap().starts_with("built alpha release"));
    assert!(!pd.join("110_alpha.so").exists());
    assert!(std::fs::read_to_string(pd.join("132_tcpStates.so")).unwrap().starts_with("built tcpStates release"));
}

#[test]
fn clean_unload_list_and_plugin_dir() {
    let t = T2Tree::new();
    let custom = t.path("elsewhere");
    let c = custom.to_str().unwrap();
    assert_eq!(t.t2build(&["-p", c, "alpha", "tcpStates"]).code, Some(0));
    assert_eq!(installed(&custom), ["110_alpha.so", "132_tcpStates.so", "alpha.txt"]);
    assert!(!t.plugin_dir().exists());

    // -l lists names (a -p before it counts), -l on an empty folder says so
    let o = t.t2build(&["-p", c, "-l"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), "alpha\ntcpStates\n"));
    let o = t.t2build(&["-l"]);
    assert_eq!(o.stdout, format!("No plugins in '{}'\n", t.plugin_dir().display()));

    // -u removes NNN_name.so whatever its number, keeps the rest
    std::fs::write(custom.join("007_alpha.so"), "old number").unwrap();
    let o = t.t2build(&["-p", c, "-u", "alpha"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains("Plugin 'alpha'") && o.stdout.contains("UNLOADING SUCCESSFUL"));
    assert_eq!(installed(&custom), ["132_tcpStates.so", "alpha.txt"]);

    // -c: cargo clean -p for both profiles, nothing installed or removed
    t.clear_cargo_calls();
    let o = t.t2build(&["-a", "-c"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains("Tranalyzer2 successfully cleaned") && o.stdout.contains("CLEANING SUCCESSFUL"));
    let cleans: Vec<String> = t.cargo_calls().into_iter().filter(|c| c.starts_with("clean -p")).collect();
    assert_eq!(cleans.len(), 2 * 5, "{cleans:?}");
    assert!(cleans.iter().any(|c| c.starts_with("clean -p tranalyzer --release")));
    assert!(cleans.iter().any(|c| c.starts_with("clean -p alpha --manifest-path")));
    assert!(!t.path("target/release/libalpha.so").exists());
    let o = t.t2build_env(&["-c", "alpha"], &[("FAKE_CARGO_FAIL", "alpha")]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Failed to clean plugin alpha") && o.stderr.contains("could not be cleaned:\n    alpha"));
}

#[test]
fn empty_asks_and_honours_yes() {
    let t = T2Tree::new();
    let pd = t.plugin_dir();
    let o = t.t2build(&["-e"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), "Plugin folder does not exist\n"));
    std::fs::create_dir_all(pd.join("disabled")).unwrap();
    std::fs::write(pd.join("proto.txt"), "x").unwrap();

    // no terminal, no -y: the answer is no, and it says so
    let o = t.t2build(&["-e", "alpha"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    let q = format!("Are you sure you want to empty the plugin folder '{}' (y/N)? ", pd.display());
    assert!(o.stdout.starts_with(&format!("{q}no (no terminal to ask on: use -y to answer yes)\n")), "{}", o.all());
    assert!(o.stdout.contains("Plugin folder not emptied"));
    assert!(pd.join("proto.txt").exists() && t.cargo_calls().is_empty());

    let o = t.t2build(&["-e", "-y"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert_eq!(o.stdout, format!("{q}yes\nPlugin folder emptied\n"));
    assert!(!pd.exists());

    // with -c the run goes on with cleaning
    std::fs::create_dir_all(&pd).unwrap();
    let o = t.t2build(&["-e", "-y", "-c", "alpha"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(!pd.exists() && o.stdout.contains("CLEANING SUCCESSFUL"));
}

#[test]
fn build_options_reach_cargo() {
    let t = T2Tree::new();
    assert_eq!(t.t2build(&["-d", "-1", "-O", "3", "alpha"]).code, Some(0));
    let calls = t.cargo_calls();
    assert!(calls[0].starts_with("build -p alpha -j 1 --manifest-path"), "{calls:?}");
    assert!(calls[0].ends_with("|opt=3"), "{calls:?}");
    assert!(std::fs::read_to_string(t.plugin_dir().join("110_alpha.so")).unwrap().starts_with("built alpha debug"));
    t.clear_cargo_calls();
    assert_eq!(t.t2build(&["-Os", "alpha"]).code, Some(0));
    assert!(
        t.cargo_calls()[0].ends_with("--release --manifest-path ".to_owned().trim())
            || t.cargo_calls()[0].ends_with("|opt=s")
    );

    // -r cleans the profile first, even when nothing changed
    t.clear_cargo_calls();
    assert_eq!(t.t2build(&["-r", "alpha"]).code, Some(0));
    let calls = t.cargo_calls();
    assert!(
        calls[0].starts_with("clean -p alpha --release") && calls[1].starts_with("build -p alpha --release"),
        "{calls:?}"
    );

    // -i installs the core executable into PLUGIN_DIR/bin
    assert_eq!(t.t2build(&["-i", "tranalyzer2"]).code, Some(0));
    assert!(std::fs::read_to_string(t.plugin_dir().join("bin/tranalyzer")).unwrap().starts_with("built tranalyzer"));
}

#[test]
fn extra_files_are_kept_unless_forced() {
    let t = T2Tree::new();
    assert_eq!(t.t2build(&["alpha"]).code, Some(0));
    let o = t.t2build(&["alpha"]);
    assert!(o.stdout.contains(&format!("alpha.txt already exists in {}", t.plugin_dir().display())), "{}", o.all());
    t.write("plugins/alpha/data/alpha.txt", "alpha data v2\n");
    let o = t.t2build(&["alpha"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains("A different version of alpha.txt already exists in"), "{}", o.all());
    assert!(o.stdout.contains("Run 't2build -f alpha' to overwrite it"));
    assert_eq!(std::fs::read_to_string(t.plugin_dir().join("alpha.txt")).unwrap(), "alpha data v1\n");
    assert_eq!(t.t2build(&["-f", "alpha"]).code, Some(0));
    assert_eq!(std::fs::read_to_string(t.plugin_dir().join("alpha.txt")).unwrap(), "alpha data v2\n");
}

#[test]
fn compressed_extra_files_are_installed_decompressed() {
    // `printf 'hello subnets\n' | zstd -19`
    const FRAME: [u8; 27] = [
        0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x68, 0x71, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x73, 0x75, 0x62,
        0x6e, 0x65, 0x74, 0x73, 0x0a, 0x63, 0xb9, 0x9b, 0x62,
    ];
    let t = T2Tree::new();
    let manifest =
        t.read("plugins/alpha/Cargo.toml").replace("[\"data/alpha.txt\"]", "[\"../../shared/table.bin.zst\"]");
    t.write("plugins/alpha/Cargo.toml", &manifest);
    t.write("shared/table.bin.zst", "");
    std::fs::write(t.path("shared/table.bin.zst"), FRAME).unwrap();
    let o = t.t2build(&["alpha"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains(&format!("table.bin copied into {}", t.plugin_dir().display())), "{}", o.all());
    assert_eq!(std::fs::read_to_string(t.plugin_dir().join("table.bin")).unwrap(), "hello subnets\n");
    assert!(!t.plugin_dir().join("table.bin.zst").exists());
    // the installed file is compared decompressed
    let o = t.t2build(&["alpha"]);
    assert!(o.stdout.contains("table.bin already exists in"), "{}", o.all());
    // a damaged archive fails the plugin's step, naming the file, and leaves the table alone
    std::fs::write(t.path("shared/table.bin.zst"), &FRAME[..10]).unwrap();
    let o = t.t2build(&["-f", "alpha"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(
        o.all().contains(&format!("Failed to read '{}", t.path("plugins/alpha/../../shared/table.bin.zst").display())),
        "{}",
        o.all()
    );
    assert_eq!(std::fs::read_to_string(t.plugin_dir().join("table.bin")).unwrap(), "hello subnets\n");
}

#[test]
fn a_changed_flag_file_is_always_rebuilt_even_with_an_old_mtime() {
    let t = T2Tree::new();
    assert_eq!(t.t2build(&["alpha"]).code, Some(0));
    let flags = t.path("plugins/alpha/flags.toml");
    // a restored file (`cp -p`): new content, old mtime that cargo would not notice
    let text = t.read("plugins/alpha/flags.toml").replace("value = 0", "value = 2");
    std::fs::write(&flags, text).unwrap();
    let old = SystemTime::now() - Duration::from_secs(86_400);
    std::fs::File::options().append(true).open(&flags).unwrap().set_modified(old).unwrap();
    assert_eq!(t.t2build(&["alpha"]).code, Some(0));
    let mtime = std::fs::metadata(&flags).unwrap().modified().unwrap();
    assert!(mtime > old + Duration::from_secs(3600), "flags.toml was not touched");
    assert!(std::fs::read_to_string(t.plugin_dir().join("110_alpha.so")).unwrap().contains("value = 2"));
    // unchanged content: left alone
    std::fs::File::options().append(true).open(&flags).unwrap().set_modified(old).unwrap();
    assert_eq!(t.t2build(&["alpha"]).code, Some(0));
    assert_eq!(std::fs::metadata(&flags).unwrap().modified().unwrap(), old);
}

#[test]
fn t2conf_then_rebuild_installs_the_new_configuration() {
    let t = T2Tree::new();
    assert_eq!(t.t2build(&["alpha"]).code, Some(0));
    let o = t.t2conf(&["alpha", "-D", "ALPHA_MODE=1"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    let o = t.t2build(&["-R"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(
        std::fs::read_to_string(t.plugin_dir().join("110_alpha.so"))
            .unwrap()
            .contains("value = 1   # keep this comment")
    );
    assert!(std::fs::read_to_string(t.path("target/release/tranalyzer")).unwrap().contains("[DIFF_REPORT]"));
}

/// A t2conf started while t2build compiles waits for the build: cargo reads the same flags at
/// the start and at the end of its build, and the change lands afterwards.
#[test]
fn t2conf_waits_for_a_running_build() {
    let t = T2Tree::new();
    let build = t.t2build_command(&["tranalyzer2"], &[("FAKE_CARGO_SLEEP", "1")]).spawn().expect("starting t2build");
    // the build has started once the fake cargo wrote its first artefact
    let out = t.target_dir().join("release/tranalyzer");
    let start = std::time::Instant::now();
    while !out.exists() {
        assert!(start.elapsed().as_secs() < 20, "the build did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = t.t2conf(&["tranalyzer2", "-D", "DIFF_REPORT=1"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    let end = std::fs::read_to_string(out.with_extension("end")).expect("t2conf returned before the build ended");
    let begin = std::fs::read_to_string(&out).unwrap();
    assert_eq!(begin.split_once('\n').unwrap().1, end, "the flags changed during the build");
    assert!(end.contains("[DIFF_REPORT]\nvalue = 0"), "{end}");
    assert!(t.read("core/flags.toml").contains("[DIFF_REPORT]\nvalue = 1"));
    assert!(build.wait_with_output().unwrap().status.success());
}

#[test]
fn lock_held_by_a_live_process() {
    let t = T2Tree::new();
    t.write("target/t2build/t2build.lock", &format!("{}\n", std::process::id()));
    let o = t.t2build(&["alpha"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Another t2build process is currently running"), "{}", o.all());
    assert!(o.stderr.contains("To proceed anyway, use 't2build -X' option or remove '"), "{}", o.all());
    assert!(t.cargo_calls().is_empty());
    assert_eq!(t.t2build(&["-X", "alpha"]).code, Some(0));
    // a lock whose process is gone is stale
    t.write("target/t2build/t2build.lock", "4294967\n");
    assert_eq!(t.t2build(&["alpha"]).code, Some(0));
}

#[test]
fn argument_errors_and_help() {
    let t = T2Tree::new();
    let o = t.t2build(&["-h"]);
    assert_eq!(o.code, Some(0));
    assert!(o.stdout.starts_with("Usage:\n    t2build [OPTION...] [NAME...]") && o.stdout.contains("T2BUILD_CARGO"));
    for (args, msg) in [
        (&["-ry"][..], "Unknown option '-ry'"),
        (&["-n"], "Unknown option '-n'"),
        (&["-p"], "Option '-p' requires an argument"),
        (&["-O", "4"], "Invalid argument for option '-O': expected one of [0g123s]; found '4'"),
        (&["-k", "alpha"], "Option '-k' of T2's t2build is not supported by rt2"),
    ] {
        let o = t.t2build(args);
        assert_eq!(o.code, Some(1), "{args:?}");
        assert!(o.stderr.contains(msg), "{args:?}: {}", o.all());
        assert!(o.stdout.contains("Try 't2build --help' for more information."));
    }
    let o = t.t2build(&["--reset", "tranalyzer2"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Unknown option '--reset'\nDid you mean to call 't2conf --reset tranalyzer2' instead?"));
    assert!(t.cargo_calls().is_empty());
}

/// A real build: `t2plugin` makes a plugin from t2PSkel in a copy of the workspace, t2conf
/// changes core flags, t2build compiles (debug profile, own target directory under target/),
/// `tranalyzer -V` shows the flags, the new plugin's columns appear, and rebuilding only the
/// core after `t2conf --reset` leaves the plugins untouched and working.
#[test]
fn real_build_of_a_new_plugin_and_core_flags() {
    use rt2_tests::{artifact, repo_root, sample_pcap};
    let real = repo_root();
    let base = rt2_tests::release_dir().parent().unwrap().join("t2build-e2e");
    let ws = base.join("ws");
    let _ = std::fs::remove_dir_all(&ws);
    // txtSink's golden test needs rt2-golden (a dev-dependency, but cargo reads its manifest)
    for dir in ["core", "plugin-api", "prototable", "plugins/t2PSkel", "plugins/txtSink", "tests/golden"] {
        copy_tree(&real.join(dir), &ws.join(dir));
    }
    std::fs::copy(real.join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
    let manifest = std::fs::read_to_string(real.join("Cargo.toml")).unwrap();
    let rest = &manifest[manifest.find("[workspace.package]").expect("workspace.package")..];
    std::fs::write(
        ws.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [\n    \"core\",\n    \"plugin-api\",\n    \"prototable\",\n    \"plugins/t2PSkel\",\n    \"plugins/txtSink\",\n]\n\n{rest}"
        ),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let pd = home.path().join("plugins");
    let tool = |name: &str, args: &[&str]| -> rt2_tests::t2tree::Out {
        std::process::Command::new(artifact(name))
            .args(args)
            .env("T2HOME", &ws)
            .env("HOME", home.path())
            .env("CARGO_TARGET_DIR", base.join("target"))
            .env("CARGO_NET_OFFLINE", "true")
            .env("DOCKER_BUILD", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
            .into()
    };
    let ok = |o: rt2_tests::t2tree::Out| {
        assert_eq!(o.code, Some(0), "{}", o.all());
        o
    };
    let o = ok(tool("t2plugin", &["-c", "myPlugin", "-n", "555"]));
    assert!(o.stdout.contains("Rust plugin 'myPlugin' created"), "{}", o.all());
    assert!(std::fs::read_to_string(ws.join("Cargo.toml")).unwrap().contains("    \"plugins/myPlugin\",\n"));
    let pds = pd.to_str().unwrap();
    let o = ok(tool("t2build", &["-d", "-p", pds, "tranalyzer2", "myPlugin", "txtSink"]));
    assert!(o.stdout.contains("BUILDING SUCCESSFUL"), "{}", o.all());
    let files = installed(&pd);
    assert!(files.contains(&"555_myPlugin.so".to_owned()) && files.contains(&"901_txtSink.so".to_owned()), "{files:?}");

    let t2 = base.join("target/debug/tranalyzer");
    let version = || String::from_utf8(std::process::Command::new(&t2).arg("-V").output().unwrap().stdout).unwrap();
    let analyse = || {
        let out = tempfile::tempdir().unwrap();
        let prefix = format!("{}/", out.path().display());
        let o = std::process::Command::new(&t2)
            .args(["-p", pds, "-r", sample_pcap().to_str().unwrap(), "-w", &prefix])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out.path().join("sample_flows.txt")).unwrap()
    };
    let flows = analyse();
    let header = flows.lines().next().unwrap();
    assert!(header.contains("\tmyPluginStat\tmyPluginText\tmyPluginVar1\tmyPluginIP"), "{header}");
    assert!(!version().contains(" (default "), "{}", version());

    // only core flags change: t2build -R rebuilds the core, the plugins stay as they are
    let lib = base.join("target/debug/libmyPlugin.so");
    let built = std::fs::metadata(&lib).unwrap().modified().unwrap();
    let installed_before = std::fs::read(pd.join("555_myPlugin.so")).unwrap();
    ok(tool("t2conf", &["tranalyzer2", "-D", "MONINTTMPCP=1", "-D", "DIFF_REPORT=1", "-D", "MACHINE_REPORT=1"]));
    let o = ok(tool("t2build", &["-d", "-p", pds, "-R"]));
    assert!(
        o.stdout.contains("Tranalyzer2 successfully built") && o.stdout.contains("Plugin 'myPlugin'"),
        "{}",
        o.all()
    );
    let v = version();
    for f in ["MONINTTMPCP = 1 (default 0)", "DIFF_REPORT = 1 (default 0)", "MACHINE_REPORT = 1 (default 0)"] {
        assert!(v.contains(f), "{v}");
    }
    ok(tool("t2conf", &["--reset", "tranalyzer2"]));
    ok(tool("t2build", &["-d", "-p", pds, "-R"]));
    assert!(!version().contains(" (default "), "{}", version());
    assert_eq!(std::fs::metadata(&lib).unwrap().modified().unwrap(), built, "the plugin was rebuilt");
    assert_eq!(std::fs::read(pd.join("555_myPlugin.so")).unwrap(), installed_before);
    assert_eq!(analyse(), flows, "the core behaves differently after the reset");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let name = e.file_name();
        if name == "target" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

/// `scripts/t2_aliases`: the T2 commands, the cd shortcuts and bash completion.
#[test]
fn aliases_navigation_and_completion() {
    use rt2_tests::repo_root;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".tranalyzer/plugins")).unwrap();
    let script = format!(
        "shopt -s expand_aliases\nsource '{root}/scripts/t2_aliases'\ntype t2 t2build t2conf t2plugin t2stat >/dev/null || exit 9\n\
         cd /\ntran\npwd\n.tran\npwd\nbasicFlow\npwd\ntranalyzer2\npwd\n\
         COMP_WORDS=(t2build tcpS); COMP_CWORD=1; _rt2_t2build; echo \"${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(t2build ''); COMP_CWORD=1; _rt2_t2build; echo \"${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(t2build -O ''); COMP_CWORD=2; _rt2_t2build; echo \"${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(t2build --res); COMP_CWORD=1; _rt2_t2build; echo \"${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(t2conf tranalyzer2 -D DIFF_R); COMP_CWORD=3; _rt2_t2conf; echo \"${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(t2conf basicFlow -G BFO_ETH); COMP_CWORD=3; _rt2_t2conf; echo \"${{COMPREPLY[*]}}\"\n\
         t2stat -h\n",
        root = repo_root().display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    let root = repo_root();
    let plugins = std::fs::canonicalize(home.path().join(".tranalyzer/plugins")).unwrap();
    assert_eq!(lines[0], root.to_str().unwrap());
    assert_eq!(std::fs::canonicalize(lines[1]).unwrap(), plugins);
    assert_eq!(lines[2], root.join("plugins/basicFlow").to_str().unwrap());
    assert_eq!(lines[3], root.join("core").to_str().unwrap());
    assert_eq!(lines[4], "tcpStates");
    let names: Vec<&str> = lines[5].split(' ').collect();
    assert!(names[0] == "tranalyzer2" && names.contains(&"basicFlow") && !names.contains(&"t2PSkel"), "{}", lines[5]);
    assert_eq!(lines[6], "0 g 1 2 3 s");
    assert_eq!(lines[7], "");
    assert_eq!(lines[8], "DIFF_REPORT=");
    assert_eq!(lines[9], "BFO_ETHERTYPE");
    // (t2stat without -h would signal every analyzer on the machine, other tests' too)
    assert!(lines[10].starts_with("Usage: t2stat [INTERVAL]"), "{stdout}");
}

#[test]
fn t2plugin_creates_a_crate_t2build_can_build() {
    let t = T2Tree::new();
    t.write("plugins/t2PSkel/src/lib.rs", "//! t2PSkel: T2PSkel with T2PSKEL_VAR1\n");
    for (args, msg) in [
        (&["-c", "MyPlugin"][..], "Invalid plugin name 'MyPlugin'"),
        (&["-c", "newOne", "-n", "132"], "Plugin number 132 already used by 'tcpStates' plugin"),
        (&["-c", "newSink", "-s", "-n", "500"], "sink plugins need a number of at least 900"),
        (&["-c", "newOne", "12"], "Invalid plugin number '12'"),
        (&["-n", "160"], "Option '-c NAME' is required"),
    ] {
        let o = t.t2plugin(args);
        assert_eq!(o.code, Some(1), "{args:?}");
        assert!(o.stderr.contains(msg), "{args:?}\n{}", o.all());
    }
    assert!(!t.path("plugins/newOne").exists());

    let o = t.t2plugin(&["-c", "newOne", "160"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains("Rust plugin 'newOne' created (number 160)") && o.stdout.contains("'t2build newOne'"));
    assert_eq!(t.read("plugins/newOne/src/lib.rs"), "//! newOne: NewOne with NEWONE_VAR1\n");
    let manifest = t.read("plugins/newOne/Cargo.toml");
    assert!(manifest.contains("name = \"newOne\"") && manifest.contains("number = \"160\""), "{manifest}");
    assert!(t.read("Cargo.toml").contains("\"plugins/t2PSkel\", \"plugins/newOne\"]"), "{}", t.read("Cargo.toml"));
    assert_eq!(t.t2build(&["newOne"]).code, Some(0));
    assert!(t.plugin_dir().join("160_newOne.so").exists());

    // an existing folder is replaced only when the user says yes
    let o = t.t2plugin(&["-c", "newOne", "-n", "161"]);
    assert_eq!(o.code, Some(1), "{}", o.all());
    assert!(o.stdout.contains("Folder 'newOne' already exists") && o.stdout.contains("(y/N)? no (no terminal"));
    assert!(t.read("plugins/newOne/Cargo.toml").contains("number = \"160\""));
    assert_eq!(t.t2plugin(&["-c", "newOne", "-n", "161", "-y"]).code, Some(0));
    assert!(t.read("plugins/newOne/Cargo.toml").contains("number = \"161\""));
    assert_eq!(t.read("Cargo.toml").matches("plugins/newOne").count(), 1);

    let o = t.t2plugin(&["-c", "anySink", "-s"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains("No plugin number provided... using 9"), "{}", o.all());
}
