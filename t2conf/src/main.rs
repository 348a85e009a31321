//! `t2conf`: reads and changes the compile-time configuration flags of the core
//! (`tranalyzer2`) and the plugins, declared in each component's `flags.toml` (t2conf.md).
//!
//! A changed flag takes effect when its component is rebuilt: `t2conf tranalyzer2 -D X=1 &&
//! t2build -R`. Unlike T2 0.9.3, an unknown component or flag, or a value of the wrong type or
//! outside the allowed set, is an error (exit 1) and nothing is written.

#![forbid(unsafe_code)]

mod args;
mod flagfile;
mod patch;
mod session;
mod tree;
mod value;

use std::process::ExitCode;

use args::{Action, Args};
use session::{Change, Session, unknown_component};
use t2build::lock::TreeLock;
use t2build::ui;
use tree::{CORE, DEFAULT_SET, TEMPLATE, Tree};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let a = match args::parse(&argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(&e, true),
    };
    if argv.is_empty() {
        print!("{}", args::USAGE);
        return ExitCode::FAILURE;
    }
    let tree = match Tree::find(a.home.clone()) {
        Ok(t) => t,
        Err(e) => return fail(&format!("{e}\nUse '-t' option to specify the correct path"), false),
    };
    // held until t2conf exits: every file read and written below belongs to one consistent
    // read-modify-write of the tree
    let lock = if a.action().writes() { TreeLock::exclusive(&tree.root) } else { TreeLock::shared(&tree.root) };
    let _lock = match lock {
        Ok(l) => l,
        Err(e) => return fail(&e, false),
    };
    match run(Session::new(tree), &a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, false),
    }
}

fn fail(e: &str, hint: bool) -> ExitCode {
    for line in e.lines() {
        ui::error(line);
    }
    if hint {
        println!("Try 't2conf --help' for more information.");
    }
    ExitCode::FAILURE
}

fn run(mut s: Session, a: &Args) -> Result<(), String> {
    for n in &a.names {
        if s.tree().home(n).is_none() {
            return Err(unknown_component(s.tree(), n));
        }
    }
    let one = |what: &str| -> Result<&str, String> {
        match a.names.as_slice() {
            [n] => Ok(n.as_str()),
            _ => Err(format!("{what} option can only be used with ONE plugin")),
        }
    };
    // T2: the first applicable action runs, then t2conf exits
    match a.action() {
        Action::List => {
            let target = one("-I")?;
            match s.file(target)? {
                None => {
                    return Err(format!(
                        "'{target}' has no configuration flags: {}",
                        s.no_flags(target).unwrap_or_default()
                    ));
                }
                Some(f) => f.flags.iter().for_each(|f| println!("{}", f.name)),
            }
            if let Some(why) = s.no_flags(target) {
                ui::warn_stderr(&format!("'{target}' has no configuration flags: {why}"));
            }
            Ok(())
        }
        Action::Get => {
            let target = one("-G")?;
            let mut lines = Vec::new();
            for name in &a.get {
                let (owner, _) = s.lookup(target, name)?;
                let raw = s.file(&owner)?.and_then(|f| f.raw(name)).unwrap_or_default();
                lines.push(format!("{name} = {raw}"));
            }
            lines.iter().for_each(|l| println!("{l}"));
            Ok(())
        }
        Action::Set => {
            let target = one("-D")?;
            let mut changes = Vec::new();
            for (name, text) in &a.set {
                changes.push(s.check(target, name, text).map_err(|e| format!("{e}\nNothing was changed"))?);
            }
            report(a, &s.apply(&changes)?);
            Ok(())
        }
        Action::Reset => reset(&mut s, a),
        Action::Patch(file, revert) => apply_patch(&mut s, a, file, revert),
        Action::Edit => Err(format!(
            "No configuration method available for '{}'\nTry using 't2conf -D' option (or edit {})",
            a.names.join(" "),
            a.names.first().and_then(|n| s.tree().flags_path(n)).map(|p| p.display().to_string()).unwrap_or_default()
        )),
    }
}

/// `-v`: one line per flag that changed.
fn report(a: &Args, done: &[Change]) {
    if a.verbose {
        for c in done {
            ui::info(&format!("'{}': {} = {}", c.owner, c.name, plugin_api::flags::display(&c.value)));
        }
    }
}

/// `--reset`: every flag of the targets back to its default.
fn reset(s: &mut Session, a: &Args) -> Result<(), String> {
    let targets: Vec<String> = if !a.names.is_empty() {
        a.names.clone()
    } else if a.all {
        s.tree().components().into_iter().filter(|c| c != TEMPLATE).collect()
    } else {
        let mut t = vec![CORE.to_owned()];
        for p in DEFAULT_SET {
            if s.tree().home(p).is_some() {
                t.push(p.to_owned());
            } else {
                ui::warn(&format!("Plugin '{p}' could not be found: skipped"));
            }
        }
        t
    };
    let mut changes = Vec::new();
    for t in &targets {
        match s.file(t)? {
            Some(f) => changes.extend(f.flags.iter().map(|fl| Change {
                owner: t.clone(),
                name: fl.name.clone(),
                value: fl.default.clone(),
            })),
            None if a.verbose => ui::info(&format!("No default configuration file available for '{t}'")),
            None => {}
        }
    }
    report(a, &s.apply(&changes)?);
    Ok(())
}

/// `--patch FILE` / `--rpatch FILE`: checked as a whole, then written.
fn apply_patch(s: &mut Session, a: &Args, file: &str, revert: bool) -> Result<(), String> {
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("Option '--patch': '{file}' is not a valid file: {e}"))?;
    if a.verbose {
        ui::info(&format!("Validating patch '{file}'"));
    }
    let entries = patch::parse(&text, revert)?;
    let mut changes = Vec::new();
    for e in &entries {
        if s.tree().home(&e.component).is_none() {
            return Err(format!("{}\nNothing was changed", unknown_component(s.tree(), &e.component)));
        }
        let c = match s.check(&e.component, &e.name, &e.value) {
            Ok(c) => c,
            // T2 header paths do not always name the component that owns a flag in rt2
            // (`utils/*.h`): accept the one component that declares it.
            Err(first) => owner_anywhere(s, &e.name)
                .and_then(|o| s.check(&o, &e.name, &e.value).ok())
                .ok_or_else(|| format!("{first}\n(patch line for '{}')\nNothing was changed", e.file))?,
        };
        changes.push(c);
    }
    if a.verbose {
        ui::info(&format!("Applying patch '{file}'"));
    }
    report(a, &s.apply(&changes)?);
    if a.verbose {
        ui::info(&format!("Finished applying patch '{file}'"));
    }
    Ok(())
}

/// The only component declaring `name`, if exactly one does.
fn owner_anywhere(s: &mut Session, name: &str) -> Option<String> {
    let mut owners = Vec::new();
    for c in s.tree().components() {
        if s.file(&c).ok().flatten().is_some_and(|f| f.get(name).is_some()) {
            owners.push(c);
        }
    }
    (owners.len() == 1).then(|| owners.remove(0))
}
