//! `tawk`: awk over T2's files with the columns by name.
//!
//! Built on gawk rather than written in Rust: the program is awk, the language T2's users
//! write and T2's tutorials show, and gawk runs it exactly; tawk only finds the column names,
//! gives gawk one variable per column (`srcIP = 14`, so `$srcIP` is `$14`) and its function
//! library (`t2tools/awk/`), and runs it. gawk runs without `-M`: the library keeps 64-bit bit
//! fields and IPv6 addresses exact by working on their hex digits instead.

pub mod args;
pub mod library;
pub mod program;

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;
use crate::bits::Registry;
use crate::header::{Header, Splitter};
use args::Args;
use program::Columns;

/// Runs tawk; returns the exit status (gawk's, when it ran).
pub fn run(a: &Args) -> Result<i32, Error> {
    let mut out = std::io::stdout().lock();
    let emit = |out: &mut std::io::StdoutLock<'_>, text: &str| {
        out.write_all(text.as_bytes()).map_err(|e| Error::Write { path: "-".into(), source: e })
    };
    if a.help {
        emit(&mut out, args::USAGE)?;
        return Ok(0);
    }
    if !a.docs.is_empty() || a.funcs.is_some() || !a.bits.is_empty() {
        for name in &a.docs {
            emit(&mut out, &library::doc(name)?)?;
        }
        if let Some(n) = a.funcs {
            emit(&mut out, &library::columns(&library::functions(false).into_iter().collect::<Vec<_>>(), n))?;
        }
        if !a.bits.is_empty() {
            let registry = Registry::embedded()?;
            for arg in &a.bits {
                emit(&mut out, &registry.explain(arg)?)?;
            }
            emit(&mut out, "\n")?;
        }
        return Ok(0);
    }

    let splitter = Splitter::from_fs(&a.fs);
    let (first, mut stdin_head) = match a.inputs.first() {
        Some(path) => {
            let file = File::open(path).map_err(|e| Error::Read { path: path.clone(), source: e })?;
            let (_, header) = a
                .rule
                .scan(&mut BufReader::new(file), &splitter)
                .map_err(|e| Error::Read { path: path.clone(), source: e })?;
            (header, None)
        }
        None => {
            let mut stdin = std::io::stdin().lock();
            let (consumed, header) =
                a.rule.scan(&mut stdin, &splitter).map_err(|e| Error::Read { path: "-".into(), source: e })?;
            (header, Some(consumed))
        }
    };
    let input_name = a.inputs.first().map_or_else(|| PathBuf::from("-"), Clone::clone);
    let header = first.unwrap_or(Header { row: 0, names: Vec::new() });
    let cols = Columns::new(&header.names, &library::functions(true));

    if let Some(per_line) = a.list {
        if header.row == 0 {
            return Err(no_names(&input_name, a));
        }
        let items: Vec<String> = cols.names.iter().enumerate().map(|(i, n)| format!("{:>3}  {n}", i + 1)).collect();
        emit(&mut out, &library::columns(&items, per_line))?;
        return Ok(0);
    }

    let mut program_text = a.program.clone().unwrap_or_default();
    for f in &a.program_files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::Read { path: f.clone(), source: e })?;
        program_text.push('\n');
        program_text.push_str(&text);
    }
    if let Err(e) = program::check_columns(&program_text, &cols, &a.vars) {
        return Err(if header.row == 0 { no_names(&input_name, a) } else { e });
    }
    for (raw, var) in &cols.renamed {
        eprintln!("tawk: column '{raw}' is named like an awk word or a tawk function: read it as ${var}");
    }
    if let Some(utc) = a.comment {
        emit(&mut out, &comment(&input_name, a, utc))?;
    }
    out.flush().map_err(|e| Error::Write { path: "-".into(), source: e })?;
    drop(out);

    let mut cmd = Command::new("gawk");
    cmd.arg("-F").arg(&a.fs).arg("-v").arg(format!("OFS={}", a.ofs));
    for v in &a.vars {
        cmd.arg("-v").arg(v);
    }
    let prelude =
        program::prelude(&cols, header.row, !a.no_header, <prototable::ProtoTable as prototable::Table>::SHIPPED);
    cmd.arg("-e").arg(prelude).arg("-e").arg(library::text());
    match &a.program {
        Some(p) => {
            cmd.arg("-e").arg(p);
        }
        None => {
            for f in &a.program_files {
                cmd.arg("-f").arg(f);
            }
        }
    }
    cmd.arg("--");
    if a.inputs.is_empty() {
        cmd.arg("-").stdin(Stdio::piped());
    } else {
        cmd.args(a.inputs.iter().map(|p| awk_file_arg(p)));
    }
    let mut child = cmd.spawn().map_err(Error::Gawk)?;
    if let Some(mut pipe) = child.stdin.take() {
        let head = stdin_head.take().unwrap_or_default();
        // gawk may stop reading early (exit, broken pipe): the copy then fails and ends; the
        // thread is not joined, so a stalled standard input cannot hold tawk.
        std::thread::spawn(move || {
            if pipe.write_all(&head).is_ok() {
                let mut rest = std::io::stdin().lock();
                let _ = std::io::copy(&mut rest, &mut pipe);
            }
        });
    }
    let status = child.wait().map_err(Error::Gawk)?;
    Ok(exit_code(status))
}

/// The error for a program that needs column names when the input has none.
fn no_names(input: &Path, a: &Args) -> Error {
    let where_ = match (a.rule.row, a.rule.prefix.as_str()) {
        (Some(n), _) => format!("on row {n}"),
        (None, "") => "on the first row".into(),
        (None, p) => format!("on a row starting with '{p}'"),
    };
    Error::Input {
        path: input.to_path_buf(),
        line: 0,
        what: format!("no column names {where_} (see tawk -s and -N, or give the file with the names first)"),
    }
}

/// `-c`: the input, the date and the program, as comment rows.
fn comment(input: &Path, a: &Args, utc: bool) -> String {
    let tz = if utc { jiff::tz::TimeZone::UTC } else { jiff::tz::TimeZone::system() };
    let now = jiff::Timestamp::now().to_zoned_datetime(tz);
    let mut s =
        format!("# Generated with tawk from '{}'\n# Date: {}\n", input.display(), now.strftime("%Y-%m-%dT%H:%M:%S%z"));
    if !a.vars.is_empty() {
        s.push_str(&format!("# Variables: {}\n", a.vars.join(" ")));
    }
    let program = a
        .program
        .clone()
        .unwrap_or_else(|| a.program_files.iter().map(|f| format!("-f {}", f.display())).collect::<Vec<_>>().join(" "));
    for (i, line) in program.lines().enumerate() {
        s.push_str(if i == 0 { "# Filter used: " } else { "#   " });
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// A file name as an awk argument: awk reads `x=y` as an assignment, `./x=y` as a file.
fn awk_file_arg(p: &Path) -> PathBuf {
    if p.is_relative() && p.to_string_lossy().contains('=') { Path::new(".").join(p) } else { p.to_path_buf() }
}

/// gawk's exit status; killed by a signal: 128 + signal, except a broken pipe (`tawk | head`),
/// which is a normal end (0).
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => c,
        (None, Some(13)) => 0,
        (None, Some(s)) => 128 + s,
        (None, None) => 1,
    }
}
