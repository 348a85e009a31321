//! Messages as T2's t2conf prints them: errors red on stderr, the rest on stdout; colours only
//! on terminals.

use std::io::{self, IsTerminal};

const RED: &str = "\x1b[0;31m";
const ORANGE: &str = "\x1b[0;33m";
const BLUE: &str = "\x1b[0;34m";
const RESET: &str = "\x1b[0m";

fn paint(colour: &str, msg: &str, tty: bool) -> String {
    if tty { format!("{colour}{msg}{RESET}") } else { msg.to_owned() }
}

/// An error line on stderr (red).
pub fn error(msg: &str) {
    eprintln!("{}", paint(RED, msg, io::stderr().is_terminal()));
}

/// A warning line on stdout (orange).
pub fn warn(msg: &str) {
    println!("{}", paint(ORANGE, msg, io::stdout().is_terminal()));
}

/// An information line on stdout (blue).
pub fn info(msg: &str) {
    println!("{}", paint(BLUE, msg, io::stdout().is_terminal()));
}
