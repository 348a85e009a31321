//! Messages as T2's t2build prints them (colours only on terminals) and its prompts, which
//! honour `-y` and answer no, saying so, when there is no terminal to ask on.

use std::io::{self, BufRead, IsTerminal, Write};

const RED: &str = "\x1b[0;31m";
const ORANGE: &str = "\x1b[0;33m";
const BLUE: &str = "\x1b[0;34m";
const GREEN: &str = "\x1b[0;32m";
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

/// A warning line on stderr (orange), where stdout carries data (`t2conf -I`).
pub fn warn_stderr(msg: &str) {
    eprintln!("{}", paint(ORANGE, msg, io::stderr().is_terminal()));
}

/// An information line on stdout (blue).
pub fn info(msg: &str) {
    println!("{}", paint(BLUE, msg, io::stdout().is_terminal()));
}

/// A success line on stdout (green).
pub fn ok(msg: &str) {
    println!("{}", paint(GREEN, msg, io::stdout().is_terminal()));
}

/// A blue header between blank lines (`Plugin 'name'`).
pub fn header(msg: &str) {
    println!();
    info(msg);
    println!();
}

/// Asks `question (y/N)? `; `-y` answers yes (echoed). Without a terminal and without `-y`
/// the answer is no, and we say so.
pub fn confirm(question: &str, yes: bool) -> bool {
    print!("{question} (y/N)? ");
    if yes {
        println!("yes");
        return true;
    }
    if !io::stdin().is_terminal() {
        println!("no (no terminal to ask on: use -y to answer yes)");
        return false;
    }
    let _ = io::stdout().flush();
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}
