//! Throw-away source trees for the `t2build`/`t2conf`/`t2plugin` tests: a workspace skeleton
//! with the real `core/flags.toml`, a few plugin crates, and a fake cargo that records its
//! arguments and writes fake build products, so the tools run end to end without compiling
//! (and without touching cargo's lock on `target/`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::{artifact, repo_root};

/// The fake cargo: appends `<args> |opt=<opt-level>` to `$FAKE_CARGO_LOG`; `build -p X` writes
/// `TARGET/<profile>/libX.so` (or the `tranalyzer` executable) holding the component's
/// `flags.toml`, as if compiled in; `clean -p X` removes it; packages named in
/// `$FAKE_CARGO_FAIL` fail with a compiler-like error.
const FAKE_CARGO: &str = r#"#!/bin/sh
echo "$* |opt=${CARGO_PROFILE_RELEASE_OPT_LEVEL:-}${CARGO_PROFILE_DEV_OPT_LEVEL:-}" >> "$FAKE_CARGO_LOG"
cmd=$1; shift
pkg=""; profile=debug; td=""; manifest=""
while [ $# -gt 0 ]; do
    case "$1" in
        -p) pkg=$2; shift ;;
        --release) profile=release ;;
        --target-dir) td=$2; shift ;;
        --manifest-path) manifest=$2; shift ;;
    esac
    shift
done
root=$(dirname "$manifest")
case " $FAKE_CARGO_FAIL " in
    *" $pkg "*)
        echo "   Compiling $pkg v0.9.3"
        echo "error[E0425]: cannot find value \`oops\` in this scope" >&2
        echo "  --> plugins/$pkg/src/lib.rs:1:1" >&2
        exit 101 ;;
esac
if [ "$pkg" = tranalyzer ]; then out="$td/$profile/tranalyzer"; flags="$root/core/flags.toml"
else out="$td/$profile/lib$pkg.so"; flags="$root/plugins/$pkg/flags.toml"; fi
case "$cmd" in
    build) mkdir -p "$td/$profile"; echo "   Compiling $pkg v0.9.3"; { echo "built $pkg $profile"; cat "$flags" 2>/dev/null || true; } > "$out"
        # a slow build reads its flags a second time at the end
        if [ -n "${FAKE_CARGO_SLEEP:-}" ]; then sleep "$FAKE_CARGO_SLEEP"; cat "$flags" > "$out.end"; fi ;;
    clean) rm -f "$out" ;;
esac
"#;

/// A plugin crate of the fake tree: name, number, extra files.
const PLUGINS: [(&str, &str, &[&str]); 6] = [
    ("basicFlow", "100", &[]),
    ("alpha", "110", &["data/alpha.txt"]),
    ("tcpStates", "132", &[]),
    ("tcpWin", "150", &[]),
    ("txtSink", "901", &[]),
    ("t2PSkel", "999", &[]),
];

/// What one run of a tool printed.
#[derive(Debug)]
pub struct Out {
    /// Exit code.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Out {
    fn from(o: Output) -> Out {
        Out {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Out {
    /// Both streams, for assertion messages.
    pub fn all(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// A fake source tree (T2HOME) with its own target directory, HOME and plugin folder.
#[derive(Debug)]
pub struct T2Tree {
    dir: tempfile::TempDir,
}

impl Default for T2Tree {
    fn default() -> Self {
        T2Tree::new()
    }
}

impl T2Tree {
    /// The core (with the real `core/flags.toml`), the plugins of `PLUGINS` (basicFlow with its
    /// real flags, alpha with an extra file and two flags), `plugins/notAPlugin` without a crate.
    pub fn new() -> T2Tree {
        let t = T2Tree { dir: tempfile::tempdir().expect("creating a temporary folder") };
        let members: Vec<String> = PLUGINS.iter().map(|(n, _, _)| format!("\"plugins/{n}\"")).collect();
        t.write("Cargo.toml", &format!("[workspace]\nmembers = [\"core\", {}]\n", members.join(", ")));
        t.write("core/Cargo.toml", "[package]\nname = \"tranalyzer\"\nversion = \"0.9.3\"\n");
        t.copy_real("core/flags.toml");
        for (name, number, extra) in PLUGINS {
            let files: Vec<String> = extra.iter().map(|f| format!("\"{f}\"")).collect();
            t.write(
                &format!("plugins/{name}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{name}\"\nversion = \"0.9.3\"\n\n[package.metadata.t2]\nnumber = \"{number}\"\nextra_files = [{}]\n",
                    files.join(", ")
                ),
            );
            for f in extra {
                t.write(&format!("plugins/{name}/{f}"), &format!("{name} data v1\n"));
            }
        }
        t.copy_real("plugins/basicFlow/flags.toml");
        t.write(
            "plugins/alpha/flags.toml",
            "# alpha's flags\n\n[ALPHA_MODE]\nvalue = 0   # keep this comment\ndefault = 0\ntype = \"u8\"\nallowed = [0, 1, 2]\ndesc = \"mode\"\n\n[ALPHA_SUFFIX]\nvalue = \"_alpha.txt\"\ndefault = \"_alpha.txt\"\ntype = \"str\"\ndesc = \"suffix\"\n",
        );
        t.write("plugins/notAPlugin/README", "no crate here\n");
        t.write("bin/cargo", FAKE_CARGO);
        set_executable(&t.path("bin/cargo"));
        t
    }

    /// The tree's root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the tree.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file of the tree (creating folders).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("a file has a folder")).expect("creating a folder");
        std::fs::write(p, text).expect("writing a file");
    }

    /// Reads a file of the tree.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    fn copy_real(&self, rel: &str) {
        self.write(rel, &std::fs::read_to_string(repo_root().join(rel)).expect("reading the real tree"));
    }

    /// The default plugin folder (`$HOME/.tranalyzer/plugins` with HOME inside the tree).
    pub fn plugin_dir(&self) -> PathBuf {
        self.path("home/.tranalyzer/plugins")
    }

    /// The fake cargo's target directory.
    pub fn target_dir(&self) -> PathBuf {
        self.path("target")
    }

    /// Each cargo invocation so far, one line each.
    pub fn cargo_calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("cargo.log")).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// Forgets the recorded cargo invocations.
    pub fn clear_cargo_calls(&self) {
        let _ = std::fs::remove_file(self.path("cargo.log"));
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(artifact(program));
        c.env("T2HOME", self.root())
            .env("HOME", self.path("home"))
            .env("CARGO_TARGET_DIR", self.target_dir())
            .env("T2BUILD_CARGO", self.path("bin/cargo"))
            .env("FAKE_CARGO_LOG", self.path("cargo.log"))
            .env("DOCKER_BUILD", "1")
            .env_remove("FAKE_CARGO_FAIL")
            .current_dir(self.root())
            .stdin(Stdio::null());
        c
    }

    /// Runs `t2build ARGS` on the tree with extra environment variables.
    pub fn t2build_env(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        self.t2build_command(args, env).output().expect("running t2build").into()
    }

    /// `t2build ARGS` on the tree with extra environment variables, to be started by the caller.
    pub fn t2build_command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = self.command("t2build");
        c.args(args).envs(env.iter().copied());
        c
    }

    /// Runs `t2build ARGS` on the tree.
    pub fn t2build(&self, args: &[&str]) -> Out {
        self.t2build_env(args, &[])
    }

    /// Runs `t2conf ARGS` on the tree.
    pub fn t2conf(&self, args: &[&str]) -> Out {
        self.t2conf_command(args).output().expect("running t2conf").into()
    }

    /// `t2conf ARGS` on the tree, to be started by the caller (e.g. several at once).
    pub fn t2conf_command(&self, args: &[&str]) -> Command {
        let mut c = self.command("t2conf");
        c.args(args);
        c
    }

    /// Runs `t2plugin ARGS` on the tree.
    pub fn t2plugin(&self, args: &[&str]) -> Out {
        self.command("t2plugin").args(args).output().expect("running t2plugin").into()
    }
}

fn set_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
