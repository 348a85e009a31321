//! The plugin folder: installing a plugin as `NNN_name.so` and its extra files, unloading,
//! listing and emptying it (t2build.md §7, §8).

use std::path::{Path, PathBuf};

use plugin_api::build::{extra_file_bytes, extra_file_name};

use crate::targets::installed;
use crate::ui;

/// Copies `src` to `dest` through a temporary file and a rename, so a running analyzer keeps
/// the file it mapped and never sees half a file.
pub fn copy_atomic(src: &Path, dest: &Path) -> std::io::Result<()> {
    replace_atomic(dest, |tmp| std::fs::copy(src, tmp).map(drop))
}

/// Writes `bytes` to `dest` as [`copy_atomic`] copies.
fn write_atomic(bytes: &[u8], dest: &Path) -> std::io::Result<()> {
    replace_atomic(dest, |tmp| std::fs::write(tmp, bytes))
}

/// Makes `dest` by `make`-ing a temporary file beside it, then renaming it over `dest`.
fn replace_atomic(dest: &Path, make: impl FnOnce(&Path) -> std::io::Result<()>) -> std::io::Result<()> {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dest.with_file_name(format!(".{name}.t2build.tmp"));
    make(&tmp).and_then(|()| std::fs::rename(&tmp, dest)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Installs a built library as `<dir>/<file_name>`.
pub fn install_lib(lib: &Path, dir: &Path, file_name: &str, name: &str) -> Result<(), String> {
    if !lib.is_file() {
        return Err(format!("Failed to find '{}'", lib.file_name().unwrap_or_default().to_string_lossy()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("Failed to create '{}': {e}", dir.display()))?;
    copy_atomic(lib, &dir.join(file_name))
        .map_err(|e| format!("Failed to copy '{}' into {}: {e}", lib.display(), dir.display()))?;
    ui::ok(&format!("Plugin {name} copied into {}", dir.display()));
    Ok(())
}

/// Installs a target's extra files (relative to `home`) into `dir`, those shipped compressed
/// decompressed (`plugin_api::build::extra_file_name`). An existing file is kept unless
/// `force`: identical is fine, different gets T2's warning; neither is a failure.
pub fn install_extra(home: &Path, files: &[String], dir: &Path, force: bool, target: &str) -> Result<(), String> {
    for f in files {
        let src = home.join(f);
        let name = PathBuf::from(extra_file_name(f));
        let dest = dir.join(&name);
        let shown = name.display();
        let bytes = extra_file_bytes(&src).map_err(|e| format!("Failed to read '{}': {e}", src.display()))?;
        if dest.exists() && !force {
            if std::fs::read(&dest).is_ok_and(|b| b == bytes) {
                ui::ok(&format!("{shown} already exists in {}", dir.display()));
            } else {
                ui::warn(&format!("A different version of {shown} already exists in {}", dir.display()));
                ui::info(&format!("Run 't2build -f {target}' to overwrite it"));
            }
            continue;
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("Failed to create '{}': {e}", dir.display()))?;
        write_atomic(&bytes, &dest)
            .map_err(|e| format!("Failed to copy '{}' into {}: {e}", src.display(), dir.display()))?;
        ui::ok(&format!("{shown} copied into {}", dir.display()));
    }
    Ok(())
}

/// `-u`: removes every `NNN_<name>.so` directly in `dir`.
pub fn unload(dir: &Path, name: &str) -> Result<(), String> {
    for e in std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        let file = e.file_name();
        if file.to_str().and_then(crate::targets::installed_name) == Some(name) {
            std::fs::remove_file(e.path())
                .map_err(|err| format!("Failed to remove '{}': {err}", e.path().display()))?;
        }
    }
    Ok(())
}

/// `-l`: the installed plugin names, unique and sorted, or `No plugins in '<dir>'`.
pub fn list(dir: &Path) {
    let mut names: Vec<String> = installed(dir).into_iter().map(|(n, _)| n).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        println!("No plugins in '{}'", dir.display());
    }
    names.iter().for_each(|n| println!("{n}"));
}

/// `-e`: deletes the whole folder after confirmation; `Ok(true)` when it is gone or was absent.
pub fn empty(dir: &Path, yes: bool) -> Result<bool, String> {
    if !dir.exists() {
        println!("Plugin folder does not exist");
        return Ok(true);
    }
    if !ui::confirm(&format!("Are you sure you want to empty the plugin folder '{}'", dir.display()), yes) {
        ui::warn("Plugin folder not emptied");
        return Ok(false);
    }
    std::fs::remove_dir_all(dir).map_err(|e| format!("Failed to empty the plugin folder '{}': {e}", dir.display()))?;
    ui::ok("Plugin folder emptied");
    Ok(true)
}

/// `-i`: installs the core executable into `<dir>/bin/`, asking before replacing another one.
pub fn install_exe(exe: &Path, dir: &Path, yes: bool) -> Result<(), String> {
    let bin = dir.join("bin");
    let dest = bin.join("tranalyzer");
    if dest.exists() {
        let same = std::fs::read(exe).ok().is_some_and(|a| std::fs::read(&dest).ok().is_some_and(|b| a == b));
        if same {
            ui::ok(&format!("tranalyzer already exists in {}", bin.display()));
            return Ok(());
        }
        ui::warn(&format!("A different version of tranalyzer already exists in {}", bin.display()));
        if !ui::confirm("Overwrite it", yes) {
            return Ok(());
        }
    }
    std::fs::create_dir_all(&bin).map_err(|e| format!("Failed to create '{}': {e}", bin.display()))?;
    copy_atomic(exe, &dest).map_err(|e| format!("Failed to copy '{}' into {}: {e}", exe.display(), bin.display()))?;
    ui::ok(&format!("tranalyzer copied into {}", bin.display()));
    Ok(())
}
