//! `t2build`: builds the core (`tranalyzer2`) and plugins with cargo and installs plugins as
//! `NNN_name.so` into the plugin folder, with T2's options, messages and exit codes
//! (t2build.md). `t2build -h` lists the options.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use t2build::args::{self, Args, Parsed};
use t2build::cargo::{Cargo, Outcome};
use t2build::guard::{self, Lock, Stamps};
use t2build::lock::TreeLock;
use t2build::targets;
use t2build::workspace::{CORE, CORE_PACKAGE, Workspace};
use t2build::{default_plugin_dir, folder, ui};

/// What the run does to each target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Build,
    Clean,
    Unload,
}

impl Op {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Op::Build => ("BUILDING", "built"),
            Op::Clean => ("CLEANING", "cleaned"),
            Op::Unload => ("UNLOADING", "unloaded"),
        }
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let ws = Workspace::find();
    let is_target = |n: &str| ws.as_ref().is_ok_and(|w| n == CORE || w.plugins_dir().join(n).is_dir());
    let a = match args::parse(&argv, is_target) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Help) => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::List(dir)) => {
            folder::list(&dir.unwrap_or_else(default_plugin_dir));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            e.lines().for_each(ui::error);
            println!("Try 't2build --help' for more information.");
            return ExitCode::FAILURE;
        }
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => {
            ui::error(&e);
            return ExitCode::FAILURE;
        }
    };
    if run(&ws, &a) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The whole run (t2build.md §5); false means exit status 1.
fn run(ws: &Workspace, a: &Args) -> bool {
    let plugin_dir = a.plugin_dir.clone().unwrap_or_else(default_plugin_dir);
    let _lock = if a.bypass_lock {
        None
    } else {
        match Lock::take(&ws.own_dir().join("t2build.lock")) {
            Ok(l) => Some(l),
            Err(e) => {
                e.lines().for_each(ui::error);
                return false;
            }
        }
    };
    if !a.clean && !guard::check_analyzers(&plugin_dir, a.yes) {
        return false;
    }
    if a.empty {
        match folder::empty(&plugin_dir, a.yes) {
            Ok(true) if a.clean => {}
            Ok(done) => return done,
            Err(e) => {
                ui::error(&e);
                return false;
            }
        }
    }
    guard::warn_root();
    let list = match targets::resolve(ws, a, &plugin_dir) {
        Ok(l) => l,
        Err(e) => {
            ui::error(&e);
            return false;
        }
    };
    let op = if a.clean {
        Op::Clean
    } else if a.unload {
        Op::Unload
    } else {
        Op::Build
    };
    let own = ws.own_dir();
    let _ = std::fs::create_dir_all(&own);
    let log = own.join("t2build.log");
    if op != Op::Unload {
        let _ = std::fs::write(&log, "");
    }
    let cargo = Cargo {
        program: Cargo::program(),
        root: ws.root.clone(),
        target_dir: ws.target_dir(),
        log,
        release: !a.debug,
        opt: a.opt.clone(),
        lto: a.lto,
        one_job: a.sequential,
    };
    let stamps = Stamps { dir: own.join("flags").join(if a.debug { "debug" } else { "release" }) };
    let run = Run { ws, a, op, cargo, stamps, plugin_dir };
    // cargo's build scripts read the flag files: no t2conf may change them in the middle
    let _lock = match op {
        Op::Build => match TreeLock::shared(&ws.root) {
            Ok(l) => Some(l),
            Err(e) => {
                ui::error(&e);
                return false;
            }
        },
        Op::Clean | Op::Unload => None,
    };
    let mut failed = Vec::new();
    for name in &list {
        if name == CORE {
            if !run.core() {
                return false; // T2: a failed core stops everything, without a summary
            }
        } else if !run.plugin(name) {
            failed.push(name.clone());
        }
    }
    if op == Op::Clean && a.names.is_empty() {
        let _ = std::fs::remove_dir_all(own.join("flags"));
    }
    let (operation, past) = op.words();
    if failed.is_empty() {
        println!();
        ui::ok(&format!("{operation} SUCCESSFUL"));
        println!();
        true
    } else {
        failed.sort();
        eprintln!();
        ui::error(&format!("The following plugins could not be {past}:"));
        failed.iter().for_each(|f| ui::error(&format!("    {f}")));
        false
    }
}

/// One run's settings.
struct Run<'a> {
    ws: &'a Workspace,
    a: &'a Args,
    op: Op,
    cargo: Cargo,
    stamps: Stamps,
    plugin_dir: PathBuf,
}

impl Run<'_> {
    /// Cleans both profiles of `package`.
    fn clean(&self, package: &str) -> Outcome {
        let dev = self.cargo.clean(package, false);
        let rel = self.cargo.clean(package, true);
        let mut errors = dev.errors;
        errors.extend(rel.errors);
        Outcome { ok: dev.ok && rel.ok, secs: dev.secs + rel.secs, errors }
    }

    /// `-r` first, then the build; keeps the flag stamp in step.
    fn build(&self, name: &str, package: &str) -> Outcome {
        let flags = self.ws.home(name).join(plugin_api::build::FLAGS_FILE);
        if self.a.configure {
            let c = self.cargo.clean(package, self.cargo.release);
            if !c.ok {
                return c;
            }
        }
        self.stamps.before_build(name, &flags);
        let out = self.cargo.build(package);
        if out.ok {
            self.stamps.after_build(name, &flags);
        }
        out
    }

    fn failure(&self, msg: &str, out: &Outcome) {
        ui::error(&format!("{msg} ({:.1} s)", out.secs));
        out.errors.iter().for_each(|l| ui::error(&format!("    {l}")));
        ui::error(&format!("See {}", self.cargo.log.display()));
    }

    /// The core's step; false stops the run.
    fn core(&self) -> bool {
        if self.op == Op::Unload {
            return true; // nothing of the core lives in the plugin folder
        }
        ui::header("'Tranalyzer2'");
        if self.op == Op::Clean {
            let out = self.clean(CORE_PACKAGE);
            self.stamps.forget(CORE);
            if !out.ok {
                self.failure("Failed to clean tranalyzer2", &out);
                return false;
            }
            ui::ok(&format!("Tranalyzer2 successfully cleaned ({:.1} s)", out.secs));
            return true;
        }
        let out = self.build(CORE, CORE_PACKAGE);
        if !out.ok {
            self.failure("Failed to build tranalyzer2", &out);
            return false;
        }
        ui::ok(&format!("Tranalyzer2 successfully built ({:.1} s)", out.secs));
        let extra = self.ws.core_extra_files();
        if let Err(e) = folder::install_extra(&self.ws.home(CORE), &extra, &self.plugin_dir, self.a.force, CORE) {
            ui::error(&e);
            return false;
        }
        if self.a.install {
            let exe = self.cargo.profile_dir().join(CORE_PACKAGE);
            if let Err(e) = folder::install_exe(&exe, &self.plugin_dir, self.a.yes) {
                ui::error(&e);
                return false;
            }
        }
        true
    }

    /// One plugin's step; false records it as failed.
    fn plugin(&self, name: &str) -> bool {
        ui::header(&format!("Plugin '{name}'"));
        let meta = match self.ws.plugin(name) {
            Ok(m) => m,
            Err(e) => {
                println!();
                ui::error(&e);
                println!();
                return false;
            }
        };
        match self.op {
            Op::Unload => {
                if !self.plugin_dir.is_dir() {
                    ui::warn(&format!("Plugin folder '{}' does not exist", self.plugin_dir.display()));
                    return true;
                }
                folder::unload(&self.plugin_dir, name).map_err(|e| ui::error(&e)).is_ok()
            }
            Op::Clean => {
                let out = self.clean(&meta.name);
                self.stamps.forget(name);
                if out.ok {
                    ui::ok(&format!("{name} successfully cleaned ({:.1} s)", out.secs));
                } else {
                    self.failure(&format!("Failed to clean plugin {name}"), &out);
                }
                out.ok
            }
            Op::Build => {
                let out = self.build(name, &meta.name);
                if !out.ok {
                    self.failure(&format!("Failed to build plugin {name}"), &out);
                    return false;
                }
                ui::ok(&format!("{name} successfully built ({:.1} s)", out.secs));
                let lib = self.cargo.profile_dir().join(format!("lib{}.so", meta.name));
                let dir = self.install_dir(name);
                let installed = folder::install_lib(&lib, &dir, &meta.file_name(), name).and_then(|()| {
                    folder::install_extra(&self.ws.home(name), &meta.extra_files, &self.plugin_dir, self.a.force, name)
                });
                installed.map_err(|e| ui::error(&e)).is_ok()
            }
        }
    }

    /// Where a plugin goes: the plugin folder, except that `-R` puts a plugin back where it
    /// was found (a plugin parked in `disabled/` stays disabled).
    fn install_dir(&self, name: &str) -> PathBuf {
        if self.a.rebuild && self.a.names.is_empty() {
            let found = targets::installed(&self.plugin_dir).into_iter().find(|(n, _)| n == name);
            if let Some(dir) = found.and_then(|(_, p)| p.parent().map(Path::to_path_buf)) {
                return dir;
            }
        }
        self.plugin_dir.clone()
    }
}
