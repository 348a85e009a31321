//! `t2build`: builds the core (`tranalyzer2`) and plugins with cargo and installs plugins as
//! `NNN_name.so` into the plugin folder (t2build.md).

mod ui;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use plugin_api::build::PluginMeta;
use workspace::{CORE, CORE_PACKAGE, Workspace};

/// Parsed command line.
#[derive(Debug, Default)]
struct Args {
    names: Vec<String>,
    plugin_dir: Option<PathBuf>,
    empty: bool,
    yes: bool,
    debug: bool,
}

const USAGE: &str = "Usage:
    t2build [OPTION...] [NAME...]

Build the core (tranalyzer2) and the named plugins with cargo, and install every plugin
into the plugin folder as NNN_name.so.

Options:
    -p DIR     plugin folder (default: ~/.tranalyzer/plugins)
    -e         empty the plugin folder
    -y         answer yes to every question
    -d         debug build
    -h         show this help and exit
";

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut a = Args::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "-?" | "--help" => return Ok(None),
            "-p" | "--plugin-dir" => match it.next() {
                Some(d) if !d.starts_with('-') => a.plugin_dir = Some(PathBuf::from(d)),
                _ => return Err(format!("Option '{arg}' requires an argument")),
            },
            "-e" | "--empty" => a.empty = true,
            "-y" | "--yes" => a.yes = true,
            "-d" | "--debug" => a.debug = true,
            "--reset" => {
                return Err(format!(
                    "Unknown option '--reset'\nDid you mean to call 't2conf {}' instead?",
                    args.join(" ")
                ));
            }
            s if s.starts_with('-') => return Err(format!("Unknown option '{s}'")),
            name => a.names.push(name.trim_end_matches('/').to_owned()),
        }
    }
    Ok(Some(a))
}

fn default_plugin_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".tranalyzer").join("plugins")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a = match parse(&args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            ui::error(&e);
            println!("Try 't2build --help' for more information.");
            return ExitCode::FAILURE;
        }
    };
    let plugin_dir = a.plugin_dir.clone().unwrap_or_else(default_plugin_dir);
    if a.empty {
        return empty_folder(&plugin_dir, a.yes);
    }
    let ws = match Workspace::find() {
        Ok(ws) => ws,
        Err(e) => {
            ui::error(&e);
            return ExitCode::FAILURE;
        }
    };
    build(&ws, &a, &plugin_dir)
}

/// `-e`: deletes the plugin folder after confirmation.
fn empty_folder(dir: &Path, yes: bool) -> ExitCode {
    if !dir.exists() {
        println!("Plugin folder does not exist");
        return ExitCode::SUCCESS;
    }
    if !ui::confirm(&format!("Are you sure you want to empty the plugin folder '{}'", dir.display()), yes) {
        ui::warn("Plugin folder not emptied");
        return ExitCode::FAILURE;
    }
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {
            ui::ok("Plugin folder emptied");
            ExitCode::SUCCESS
        }
        Err(e) => {
            ui::error(&format!("Failed to empty the plugin folder '{}': {e}", dir.display()));
            ExitCode::FAILURE
        }
    }
}

/// Builds the core (first, if named) then every plugin; installs the plugins.
fn build(ws: &Workspace, a: &Args, plugin_dir: &Path) -> ExitCode {
    let mut failed: Vec<String> = Vec::new();
    if a.names.iter().any(|n| n == CORE) {
        println!();
        ui::info("'Tranalyzer2'");
        println!();
        if !cargo_build(ws, CORE_PACKAGE, a.debug) {
            ui::error("Failed to build tranalyzer2");
            return ExitCode::FAILURE;
        }
        ui::ok("Tranalyzer2 successfully built");
    }
    for name in a.names.iter().filter(|n| *n != CORE) {
        println!();
        ui::info(&format!("Plugin '{name}'"));
        println!();
        let meta = match ws.plugin(name) {
            Ok(m) => m,
            Err(e) => {
                println!();
                ui::error(&e);
                println!();
                failed.push(name.clone());
                continue;
            }
        };
        if !cargo_build(ws, &meta.name, a.debug) {
            ui::error(&format!("Failed to build plugin {name}"));
            failed.push(name.clone());
            continue;
        }
        ui::ok(&format!("{name} successfully built"));
        if let Err(e) = install(ws, &meta, plugin_dir, a.debug) {
            ui::error(&e);
            failed.push(name.clone());
        }
    }
    if failed.is_empty() {
        println!();
        ui::ok("BUILDING SUCCESSFUL");
        println!();
        ExitCode::SUCCESS
    } else {
        failed.sort();
        eprintln!();
        ui::error("The following plugins could not be built:");
        for f in failed {
            ui::error(&format!("    {f}"));
        }
        ExitCode::FAILURE
    }
}

/// `cargo build -p <package>`; output goes to `target/t2build.log`.
fn cargo_build(ws: &Workspace, package: &str, debug: bool) -> bool {
    let started = Instant::now();
    let log_path = ws.target_dir().join("t2build.log");
    let _ = std::fs::create_dir_all(ws.target_dir());
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path);
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.arg("build").arg("--manifest-path").arg(ws.root.join("Cargo.toml")).arg("-p").arg(package);
    if !debug {
        cmd.arg("--release");
    }
    match log {
        Ok(f) => {
            let err = f.try_clone().map(Stdio::from).unwrap_or(Stdio::null());
            cmd.stdout(Stdio::from(f)).stderr(err);
        }
        Err(_) => {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
    }
    let ok = cmd.status().map(|s| s.success()).unwrap_or(false);
    println!(
        "{package}: {} in {:.1} s (log: {})",
        if ok { "built" } else { "FAILED" },
        started.elapsed().as_secs_f64(),
        log_path.display()
    );
    ok
}

/// Copies `lib<name>.so` to `<plugin_dir>/NNN_name.so`, and the plugin's extra files.
fn install(ws: &Workspace, meta: &PluginMeta, plugin_dir: &Path, debug: bool) -> Result<(), String> {
    let lib = ws.target_dir().join(if debug { "debug" } else { "release" }).join(format!("lib{}.so", meta.name));
    if !lib.is_file() {
        return Err(format!("Failed to find 'lib{}.so'", meta.name));
    }
    std::fs::create_dir_all(plugin_dir).map_err(|e| format!("Failed to create '{}': {e}", plugin_dir.display()))?;
    let dest = plugin_dir.join(meta.file_name());
    // copy to a temporary name first so a running analyzer never sees a half-written file
    let tmp = plugin_dir.join(format!(".{}.tmp", meta.file_name()));
    std::fs::copy(&lib, &tmp)
        .and_then(|_| std::fs::rename(&tmp, &dest))
        .map_err(|e| format!("Failed to copy '{}' to '{}': {e}", lib.display(), dest.display()))?;
    ui::ok(&format!("Plugin {} copied into {}", meta.name, plugin_dir.display()));
    for f in &meta.extra_files {
        let src = ws.plugins_dir().join(&meta.name).join(f);
        let name = Path::new(f).file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from(f));
        std::fs::copy(&src, plugin_dir.join(&name))
            .map_err(|e| format!("Failed to copy '{}' into {}: {e}", src.display(), plugin_dir.display()))?;
        ui::ok(&format!("{} copied into {}", name.display(), plugin_dir.display()));
    }
    Ok(())
}
