//! The shell glue in `scripts/`.

use std::process::Command;

use rt2_tests::{repo_root, tranalyzer};

#[test]
fn t2_aliases_define_the_t2_commands() {
    tranalyzer(); // built, so the aliases need not build it
    // aliases are expanded when a line is read, so each command gets its own line
    let script = format!(
        "shopt -s expand_aliases\nsource '{}/scripts/t2_aliases'\necho \"$T2HOME\"\nt2 -V\ntype st2 gt2 t2build t2conf >/dev/null\nt2whois -h | head -1",
        repo_root().display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().expect("running bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(repo_root().to_str().unwrap()));
    assert!(lines.next().is_some_and(|l| l.starts_with("Tranalyzer 0.9.3")), "{stdout}");
    assert_eq!(lines.last(), Some("Usage:"), "{stdout}");
}
