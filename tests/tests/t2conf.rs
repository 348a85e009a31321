//! `t2conf` end to end on a throw-away tree (t2tree) holding the real `core/flags.toml` and
//! basicFlow's: reading, setting (all or nothing), resetting and patching flags, and every
//! error case, with T2's messages and exit codes.

use std::time::{Duration, SystemTime};

use rt2_tests::t2tree::T2Tree;

const CORE: &str = "core/flags.toml";

#[test]
fn get_prints_name_equals_value() {
    let t = T2Tree::new();
    let o = t.t2conf(&["tranalyzer2", "-G", "MONINTTMPCP", "-G", "DIFF_REPORT"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), "MONINTTMPCP = 0\nDIFF_REPORT = 0\n"), "{}", o.all());
    let o = t.t2conf(&["tranalyzer2", "-G", "MONPROTL2", "-G", "MONPROTFL", "-G", "MONINTV"]);
    assert_eq!(o.stdout, "MONPROTL2 = [0x0806, 0x8035]\nMONPROTFL = \"proto.txt\"\nMONINTV = 1.0\n");
    // a core flag through a plugin (T2's search list)
    let o = t.t2conf(&["basicFlow/", "-G", "BFO_MAC", "-G", "IPV6_ACTIVATE"]);
    assert_eq!(o.stdout, "BFO_MAC = 1\nIPV6_ACTIVATE = 2\n");
}

#[test]
fn set_changes_only_the_values_and_keeps_the_layout() {
    let t = T2Tree::new();
    let before = t.read(CORE);
    let o = t.t2conf(&["tranalyzer2", "-D", "MONINTTMPCP=1", "-D", "DIFF_REPORT=1", "-D", "MACHINE_REPORT=1"]);
    assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (Some(0), "", ""), "{}", o.all());
    let after = t.read(CORE);
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed, [("value = 0", "value = 1"); 3]);
    assert_eq!(before.lines().count(), after.lines().count());
    let o = t.t2conf(&["tranalyzer2", "-G", "MONINTTMPCP", "-G", "DIFF_REPORT", "-G", "MACHINE_REPORT"]);
    assert_eq!(o.stdout, "MONINTTMPCP = 1\nDIFF_REPORT = 1\nMACHINE_REPORT = 1\n");

    // comments after a value survive; strings get their quotes; T2 spellings are understood
    assert_eq!(t.t2conf(&["alpha", "-D", "ALPHA_MODE=2", "-D", "ALPHA_SUFFIX=_a.txt"]).code, Some(0));
    let alpha = t.read("plugins/alpha/flags.toml");
    assert!(alpha.contains("value = 2   # keep this comment\n") && alpha.contains("value = \"_a.txt\"\n"), "{alpha}");
    assert_eq!(t.t2conf(&["tranalyzer2", "-D", "HASH_AUTOPILOT=no", "-D", "MONPROTL3=6,17"]).code, Some(0));
    let o = t.t2conf(&["tranalyzer2", "-G", "HASH_AUTOPILOT", "-G", "MONPROTL3"]);
    assert_eq!(o.stdout, "HASH_AUTOPILOT = 0\nMONPROTL3 = [6, 17]\n");
    // `default` restores the default; a core flag set through a plugin lands in core/flags.toml
    assert_eq!(t.t2conf(&["basicFlow", "-D", "HASH_AUTOPILOT=default", "-D", "VERBOSE=3"]).code, Some(0));
    assert_eq!(
        t.t2conf(&["tranalyzer2", "-G", "HASH_AUTOPILOT", "-G", "VERBOSE"]).stdout,
        "HASH_AUTOPILOT = 1\nVERBOSE = 3\n"
    );
}

#[test]
fn bad_values_unknown_flags_and_components_change_nothing() {
    let t = T2Tree::new();
    let before = t.read(CORE);
    let cases: [(&[&str], &str); 6] = [
        (
            &["tranalyzer2", "-D", "DIFF_REPORT=1", "-D", "MACHINE_REPORT=2"],
            "Invalid value '2' for flag 'MACHINE_REPORT' of 'tranalyzer2': expected one of 0, 1\nNothing was changed\n",
        ),
        (
            &["tranalyzer2", "-D", "DIFF_REPORT=1", "-D", "FLOW_TIMEOUT=abc"],
            "Invalid value 'abc' for flag 'FLOW_TIMEOUT' of 'tranalyzer2': expected an integer from 0 to 4294967295\n",
        ),
        (
            &["tranalyzer2", "-D", "DIFF_REPORT=1", "-D", "MONPROTL2=0x10000"],
            "Invalid value '0x10000' for flag 'MONPROTL2' of 'tranalyzer2': expected a comma-separated list of integers from 0 to 65535",
        ),
        (
            &["tranalyzer2", "-D", "DIFF_REPORT=1", "-D", "DIFF_REPROT=1"],
            "Configuration flag 'DIFF_REPROT' does not exist for 'tranalyzer2'\nDid you mean 'DIFF_REPORT'?\nNothing was changed\n",
        ),
        (&["tranalyzer2", "-D", "NO_SUCH_FLAG=1"], "Run 't2conf tranalyzer2 -I' to list its flags"),
        (
            &["tcpStatez", "-D", "DIFF_REPORT=1"],
            "Plugin 'tcpStatez' could not be found\nValid names: tranalyzer2 alpha basicFlow",
        ),
    ];
    for (args, msg) in cases {
        let o = t.t2conf(args);
        assert_eq!(o.code, Some(1), "{args:?}");
        assert!(o.stderr.contains(msg), "{args:?}\n{}", o.all());
        assert_eq!(t.read(CORE), before, "{args:?} changed core/flags.toml");
    }
    // the flag of another plugin is not in this one's search list
    let o = t.t2conf(&["alpha", "-G", "BFO_MAC"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Configuration flag 'BFO_MAC' does not exist for 'alpha'"));
}

#[test]
fn reset_restores_defaults_and_leaves_default_files_alone() {
    let t = T2Tree::new();
    let core = t.read(CORE);
    let alpha = t.read("plugins/alpha/flags.toml");
    assert_eq!(t.t2conf(&["tranalyzer2", "-D", "DIFF_REPORT=1", "-D", "VERBOSE=0"]).code, Some(0));
    assert_eq!(t.t2conf(&["alpha", "-D", "ALPHA_MODE=1"]).code, Some(0));
    assert_eq!(t.t2conf(&["basicFlow", "-D", "BFO_VLAN=2"]).code, Some(0));

    let o = t.t2conf(&["--reset", "tranalyzer2"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), ""), "{}", o.all());
    assert_eq!(t.read(CORE), core);
    assert_ne!(t.read("plugins/alpha/flags.toml"), alpha);

    // without names: the core and T2's default plugins (the missing ones are skipped, said so)
    let o = t.t2conf(&["--reset"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    assert!(o.stdout.contains("Plugin 'connStat' could not be found: skipped"), "{}", o.all());
    assert_eq!(t.t2conf(&["basicFlow", "-G", "BFO_VLAN"]).stdout, "BFO_VLAN = 1\n");
    assert_ne!(t.read("plugins/alpha/flags.toml"), alpha);

    // -a: everything (but t2PSkel)
    let o = t.t2conf(&["-a", "--reset"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), ""), "{}", o.all());
    assert_eq!(t.read("plugins/alpha/flags.toml"), alpha);

    // files already at their defaults are not rewritten (cargo would rebuild them)
    let old = SystemTime::now() - Duration::from_secs(3600);
    let p = t.path(CORE);
    std::fs::File::options().append(true).open(&p).unwrap().set_modified(old).unwrap();
    assert_eq!(t.t2conf(&["-a", "--reset"]).code, Some(0));
    assert_eq!(t.t2conf(&["tranalyzer2", "-D", "DIFF_REPORT=0"]).code, Some(0));
    assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), old);

    // a broken flag file is an error, and nothing else is written either
    assert_eq!(t.t2conf(&["tranalyzer2", "-D", "DIFF_REPORT=1"]).code, Some(0));
    t.write("plugins/alpha/flags.toml", "[ALPHA_MODE]\nvalue = 7\n");
    let o = t.t2conf(&["-a", "--reset"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("Invalid flag file"), "{}", o.all());
    assert_eq!(t.t2conf(&["tranalyzer2", "-G", "DIFF_REPORT"]).stdout, "DIFF_REPORT = 1\n");
}

#[test]
fn patches_apply_and_revert_as_a_whole() {
    let t = T2Tree::new();
    let core = t.read(CORE);
    t.write(
        "mon.patch",
        "# monitoring\nMONINTTMPCP\t1\t0\ttranalyzer2/src/main.h\nDIFF_REPORT\t1\t0\ttranalyzer2/src/tranalyzer.h\n\
         % basicFlow\nBFO_VLAN\t2\t1\tplugins/basicFlow/src/basicFlow.h\nBFO_MPLS\t\t0\tplugins/basicFlow/src/basicFlow.h\n",
    );
    let o = t.t2conf(&["--patch", "mon.patch"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), ""), "{}", o.all());
    assert_eq!(
        t.t2conf(&["tranalyzer2", "-G", "MONINTTMPCP", "-G", "DIFF_REPORT"]).stdout,
        "MONINTTMPCP = 1\nDIFF_REPORT = 1\n"
    );
    assert_eq!(t.t2conf(&["basicFlow", "-G", "BFO_VLAN", "-G", "BFO_MPLS"]).stdout, "BFO_VLAN = 2\nBFO_MPLS = 0\n");
    assert_eq!(t.t2conf(&["--rpatch", "mon.patch"]).code, Some(0));
    assert_eq!(t.read(CORE), core);

    // three columns; rpatch refuses them
    t.write("three.patch", "VERBOSE\t0\tcore/flags.toml\n");
    assert_eq!(t.t2conf(&["--patch", "three.patch"]).code, Some(0));
    assert_eq!(t.t2conf(&["tranalyzer2", "-G", "VERBOSE"]).stdout, "VERBOSE = 0\n");
    let o = t.t2conf(&["--rpatch", "three.patch"]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.contains("Cannot revert patch: four columns required, only three found:\nVERBOSE\t0\tcore/flags.toml")
    );

    // malformed or unknown: nothing is written
    let before = t.read(CORE);
    for (text, msg) in [
        ("VERBOSE\t1\n", "Invalid patch: expected three or four columns, found 2:"),
        (
            "VERBOSE\t1\t0\tcore/flags.toml\nDIFF_REPORT\t1\tcore/flags.toml\n",
            "Invalid patch: 4 columns expected, found 3:",
        ),
        (
            "VERBOSE\t1\tcore/flags.toml\nNO_SUCH\t1\tcore/flags.toml\n",
            "Configuration flag 'NO_SUCH' does not exist for 'tranalyzer2'",
        ),
        ("VERBOSE\t1\tcore/flags.toml\nDIFF_REPORT\t5\tcore/flags.toml\n", "expected one of 0, 1"),
        ("VERBOSE\t1\tplugins/nope/src/nope.h\n", "Plugin 'nope' could not be found"),
    ] {
        t.write("bad.patch", text);
        let o = t.t2conf(&["--patch", "bad.patch"]);
        assert_eq!(o.code, Some(1), "{text}");
        assert!(o.stderr.contains(msg), "{text}\n{}", o.all());
        assert_eq!(t.read(CORE), before, "{text}");
    }
    let o = t.t2conf(&["--patch", "missing.patch"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("'missing.patch' is not a valid file"));
}

#[test]
fn list_shortcuts_usage_and_argument_errors() {
    let t = T2Tree::new();
    assert_eq!(t.t2conf(&["alpha", "-I"]).stdout, "ALPHA_MODE\nALPHA_SUFFIX\n");
    let o = t.t2conf(&["-m"]);
    assert_eq!(o.code, Some(0), "{}", o.all());
    let o = t.t2conf(&[
        "tranalyzer2",
        "-G",
        "MONINTPSYNC",
        "-G",
        "MONINTTMPCP",
        "-G",
        "VERBOSE",
        "-G",
        "DIFF_REPORT",
        "-G",
        "MACHINE_REPORT",
    ]);
    assert_eq!(o.stdout, "MONINTPSYNC = 1\nMONINTTMPCP = 1\nVERBOSE = 0\nDIFF_REPORT = 1\nMACHINE_REPORT = 1\n");

    let o = t.t2conf(&[]);
    assert_eq!(o.code, Some(1));
    assert!(o.stdout.starts_with("Usage:\n    t2conf [OPTION...] [PLUGIN...]"));
    let o = t.t2conf(&["-h"]);
    assert_eq!(o.code, Some(0));
    assert!(o.stdout.contains("--patch FILE"));
    for (args, msg) in [
        (&["-D", "DIFF_REPORT=1"][..], "-D option can only be used with ONE plugin"),
        (&["tranalyzer2", "alpha", "-G", "X"], "-G option can only be used with ONE plugin"),
        (&["tranalyzer2", "-D", "DIFF_REPORT"], "Option '-D': expected name=value, found 'DIFF_REPORT'"),
        (&["tranalyzer2", "-D"], "Option '-D' requires an argument"),
        (&["tranalyzer2", "-x"], "Option '-x' of T2's t2conf is not supported by rt2"),
        (&["tranalyzer2", "-Q"], "Unknown option '-Q'"),
    ] {
        let o = t.t2conf(args);
        assert_eq!(o.code, Some(1), "{args:?}");
        assert!(o.stderr.contains(msg), "{args:?}\n{}", o.all());
    }
}

/// Two `t2conf -D` on the same file at once: both exit 0 and both changes are in the file (each
/// run holds the tree's lock for its read-modify-write and writes a temporary file of its own).
#[test]
fn concurrent_changes_are_never_lost() {
    let t = T2Tree::new();
    for round in 0..40 {
        let (a, b) = if round % 2 == 0 { ("1", "1") } else { ("0", "0") };
        let set_a = format!("DIFF_REPORT={a}");
        let set_b = format!("MACHINE_REPORT={b}");
        let first = t.t2conf_command(&["tranalyzer2", "-D", &set_a]).spawn().expect("starting t2conf");
        let second = t.t2conf_command(&["tranalyzer2", "-D", &set_b]).output().expect("running t2conf");
        let first = first.wait_with_output().expect("waiting for t2conf");
        for o in [&first, &second] {
            assert_eq!(o.status.code(), Some(0), "round {round}: {}", String::from_utf8_lossy(&o.stderr));
        }
        let o = t.t2conf(&["tranalyzer2", "-G", "DIFF_REPORT", "-G", "MACHINE_REPORT"]);
        assert_eq!(o.stdout, format!("DIFF_REPORT = {a}\nMACHINE_REPORT = {b}\n"), "round {round}: a change was lost");
    }
    let leftovers: Vec<_> = std::fs::read_dir(t.path("core"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

/// A component whose flag file is missing or declares nothing says so instead of listing nothing
/// (`-I`) or calling every flag unknown (`-D`, `-G`).
#[test]
fn missing_or_empty_flag_files_are_named() {
    let t = T2Tree::new();
    let missing = t.path("plugins/tcpStates/flags.toml").display().to_string();
    let o = t.t2conf(&["-I", "tcpStates"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(1), ""), "{}", o.all());
    assert!(
        o.stderr.contains(&format!("'tcpStates' has no configuration flags: its flag file '{missing}' is missing")),
        "{}",
        o.all()
    );
    let o = t.t2conf(&["tcpStates", "-D", "TCPSTATES_X=1"]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.contains(&format!(
            "Configuration flag 'TCPSTATES_X' does not exist for 'tcpStates': its flag file '{missing}' is missing"
        )),
        "{}",
        o.all()
    );

    t.write("plugins/tcpWin/flags.toml", "# tcpWin has no flags here\n");
    let empty = t.path("plugins/tcpWin/flags.toml").display().to_string();
    let o = t.t2conf(&["tcpWin", "-I"]);
    assert_eq!((o.code, o.stdout.as_str()), (Some(0), ""), "{}", o.all());
    assert!(
        o.stderr.contains(&format!("'tcpWin' has no configuration flags: its flag file '{empty}' declares no flags")),
        "{}",
        o.all()
    );
    let o = t.t2conf(&["tcpWin", "-G", "TCPWIN_THRES"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("declares no flags"), "{}", o.all());
    // the core's flags stay reachable through a plugin without flags of its own
    assert_eq!(t.t2conf(&["tcpWin", "-G", "VERBOSE"]).stdout, "VERBOSE = 2\n");
}
