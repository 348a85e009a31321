//! The core's module structure, read from its source: the top-level modules form layers that
//! only import from the layers before them, the files of every module directory import each
//! other without a cycle, and `unsafe` is allowed only in the files that must call C.
//!
//! The scan reads the production code of every file the crate declares (test modules and
//! `#[cfg(test)]` files left out) and follows the paths it names: `crate::a::b`, `super::x`
//! and their `{...}` groups. A name a `mod.rs` re-exports with `pub use child::…` counts as the
//! child's; a `mod.rs` and its own files are one unit (the `mod.rs` is the module's face).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers of the core, lowest first: a module may import only from earlier layers.
const LAYERS: &[&[&str]] = &[
    // the terminal stderr and stdout share
    &["term"],
    // leaves: compile-time flags, the log writer, times, process settings,
    // the signal thread
    &["flags", "log", "time", "process", "signals"],
    &["capture"],
    &["dissect", "cli", "progress"],
    &["flow", "output"],
    &["dispatch"],
    &["error"],
    &["pipeline"],
    &["report"],
    &["app", "testing"],
];

/// The only files that may contain `unsafe` code (each says `#![allow(unsafe_code)]`; the crate
/// root denies it everywhere else).
const UNSAFE_FILES: &[&str] = &["capture/live.rs", "capture/os.rs", "dispatch/ffi.rs", "dispatch/loader.rs"];

/// A module path from the crate root, e.g. `["capture", "reader"]`.
type ModPath = Vec<String>;

/// One source file of the crate.
struct File {
    /// Relative to `src/`.
    rel: String,
    module: ModPath,
    /// A `mod.rs` (or `lib.rs`): the face of a directory module.
    is_dir: bool,
    /// The production code, comments and test modules removed.
    code: String,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn is_ident(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// The text of `raw` without comments and without the `#[cfg(test)]` items at its top level.
fn production(raw: &str) -> String {
    let mut out = String::new();
    let mut lines = raw.lines().peekable();
    while let Some(line) = lines.next() {
        if line == "#[cfg(test)]" {
            while lines.next_if(|l| l.starts_with("#[")).is_some() {}
            // an item with a body ends at the first closing brace in column 0
            if lines.next().is_some_and(|item| item.ends_with('{')) {
                lines.by_ref().find(|l| *l == "}");
            }
            continue;
        }
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The module declarations (`mod x;`, `pub mod x;`) of production code, with their `#[path]`.
fn declared_modules(code: &str) -> Vec<String> {
    let mut mods = Vec::new();
    let mut path_attr = None;
    for line in code.lines().map(str::trim) {
        if let Some(p) = line.strip_prefix("#[path = \"").and_then(|p| p.strip_suffix("\")]")) {
            path_attr = Some(p.to_owned());
            continue;
        }
        let decl = line.strip_prefix("pub ").or_else(|| line.strip_prefix("pub(crate) ")).unwrap_or(line);
        if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
            mods.push(path_attr.take().unwrap_or_else(|| name.to_owned()));
        }
        if !line.starts_with("#[") {
            path_attr = None;
        }
    }
    mods
}

/// Every file of the crate reachable from `lib.rs` through production module declarations.
fn crate_files() -> Vec<File> {
    let root = src();
    let mut files = Vec::new();
    let mut todo = vec![("lib.rs".to_owned(), Vec::<String>::new(), true)];
    while let Some((rel, module, is_dir)) = todo.pop() {
        let raw = std::fs::read_to_string(root.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let code = production(&raw);
        // where the file's own modules live: beside a `mod.rs`, in `x/` for `x.rs`
        let dir = if is_dir { rel.rsplit_once('/').map_or("", |(d, _)| d) } else { rel.trim_end_matches(".rs") };
        let join = |f: &str| if dir.is_empty() { f.to_owned() } else { format!("{dir}/{f}") };
        for name in declared_modules(&code) {
            let stem = name.trim_end_matches(".rs").to_owned();
            let mut child = module.clone();
            child.push(stem.clone());
            if name.ends_with(".rs") {
                todo.push((join(&name), child, false));
            } else if root.join(join(&format!("{stem}.rs"))).is_file() {
                todo.push((join(&format!("{stem}.rs")), child, false));
            } else {
                todo.push((join(&format!("{stem}/mod.rs")), child, true));
            }
        }
        files.push(File { rel, module, is_dir, code });
    }
    files
}

/// Whether `s` starts with the characters of `p`.
fn starts(s: &[char], p: &str) -> bool {
    s.len() >= p.len() && p.chars().zip(s).all(|(a, b)| a == *b)
}

/// The paths `code` names from the crate root: `crate::…` and `super::…` (resolved against
/// `module`, the file's module), each `{a, b::c}` group expanded.
fn paths(code: &str, module: &[String]) -> Vec<ModPath> {
    let mut found = Vec::new();
    let s: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < s.len() {
        let at_word = i == 0 || !(is_ident(s[i - 1]) || s[i - 1] == ':');
        let mut base = module.to_vec();
        if at_word && starts(&s[i..], "crate::") {
            base.clear();
            i += 7;
        } else if at_word && starts(&s[i..], "super::") {
            while starts(&s[i..], "super::") {
                base.pop();
                i += 7;
            }
        } else {
            i += 1;
            continue;
        }
        for p in parse_tree(&s, &mut i) {
            let mut full = base.clone();
            full.extend(p);
            found.push(full);
        }
    }
    found
}

/// Parses `a::b::{c, d::e}` at `*i`: every path of the tree.
fn parse_tree(s: &[char], i: &mut usize) -> Vec<ModPath> {
    let mut prefix = Vec::new();
    loop {
        let start = *i;
        while *i < s.len() && is_ident(s[*i]) {
            *i += 1;
        }
        if *i > start {
            prefix.push(s[start..*i].iter().collect::<String>());
        }
        let group = if s[*i..].starts_with(&[':', ':', '{']) {
            3
        } else if prefix.is_empty() && s[*i..].starts_with(&['{']) {
            1 // `super::{a, b}`: the group right after the prefix the caller read
        } else {
            0
        };
        if group > 0 {
            *i += group;
            let mut out = Vec::new();
            loop {
                while *i < s.len() && s[*i].is_whitespace() {
                    *i += 1;
                }
                if *i >= s.len() || s[*i] == '}' {
                    *i += 1;
                    return out;
                }
                for p in parse_tree(s, i) {
                    let mut full = prefix.clone();
                    full.extend(p);
                    out.push(full);
                }
                // skip ` as x` and the comma
                while *i < s.len() && s[*i] != ',' && s[*i] != '}' {
                    *i += 1;
                }
                if *i < s.len() && s[*i] == ',' {
                    *i += 1;
                }
            }
        }
        if s[*i..].starts_with(&[':', ':']) {
            *i += 2;
            continue;
        }
        return vec![prefix];
    }
}

/// The module of `files` that `path` names: the longest module prefix, moved to the child a
/// `mod.rs` re-exports the next name from.
fn resolve<'a>(
    files: &'a [File],
    reexports: &BTreeMap<(ModPath, String), String>,
    path: &[String],
) -> Option<&'a File> {
    let mut best: Option<&File> = None;
    for f in files {
        if path.starts_with(&f.module) && best.is_none_or(|b| f.module.len() > b.module.len()) {
            best = Some(f);
        }
    }
    let best = best?;
    if let Some(next) = path.get(best.module.len())
        && let Some(child) = reexports.get(&(best.module.clone(), next.clone()))
    {
        let mut m = best.module.clone();
        m.push(child.clone());
        return files.iter().find(|f| f.module == m).or(Some(best));
    }
    Some(best)
}

/// `pub use child::{a, b as c};` of every `mod.rs`: (module, exported name) → child.
fn reexports(files: &[File]) -> BTreeMap<(ModPath, String), String> {
    let mut map = BTreeMap::new();
    for f in files.iter().filter(|f| f.is_dir) {
        for stmt in f.code.split(';') {
            let s = stmt.trim();
            let Some(tree) = s.strip_prefix("pub use ").or_else(|| s.strip_prefix("pub(crate) use ")) else {
                continue;
            };
            let chars: Vec<char> = tree.chars().collect();
            for p in parse_tree(&chars, &mut 0) {
                if p.len() >= 2 {
                    let name = tree_alias(tree, p.last().unwrap()).unwrap_or_else(|| p.last().unwrap().clone());
                    map.insert((f.module.clone(), name), p[0].clone());
                }
            }
        }
    }
    map
}

/// The `as` name given to `name` in a use tree, if any.
fn tree_alias(tree: &str, name: &str) -> Option<String> {
    let at = tree.find(&format!("{name} as "))?;
    Some(tree[at + name.len() + 4..].chars().take_while(|&c| is_ident(c)).collect())
}

/// Every import edge between two children of the same module (`(parent, from, to)`), and the
/// file that makes it.
fn edges(files: &[File]) -> BTreeSet<(ModPath, String, String, String)> {
    let reexports = reexports(files);
    let mut out = BTreeSet::new();
    for f in files {
        for path in paths(&f.code, &f.module) {
            let Some(target) = resolve(files, &reexports, &path) else { continue };
            let common = f.module.iter().zip(&target.module).take_while(|(a, b)| a == b).count();
            // a module and its own parts (a `mod.rs` and its children) are one unit
            if common == f.module.len() || common == target.module.len() {
                continue;
            }
            let parent = f.module[..common].to_vec();
            out.insert((parent, f.module[common].clone(), target.module[common].clone(), f.rel.clone()));
        }
    }
    out
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn top_level_modules_form_layers() {
    let files = crate_files();
    let mut wrong = Vec::new();
    for f in files.iter().filter(|f| f.module.len() == 1) {
        assert!(rank(&f.module[0]).is_some(), "module `{}` is in no layer of LAYERS", f.module[0]);
    }
    for (parent, from, to, file) in edges(&files) {
        if parent.is_empty() && rank(&to) >= rank(&from) {
            wrong.push(format!("{file}: `{from}` imports `{to}`, which is not in a lower layer"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn files_of_a_module_import_each_other_without_a_cycle() {
    let files = crate_files();
    let mut graph: BTreeMap<(ModPath, String), BTreeSet<String>> = BTreeMap::new();
    for (parent, from, to, _) in edges(&files) {
        graph.entry((parent, from)).or_default().insert(to);
    }
    // depth-first search from every node, reporting the first cycle found
    fn visit(
        graph: &BTreeMap<(ModPath, String), BTreeSet<String>>,
        parent: &ModPath,
        node: &str,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        stack.push(node.to_owned());
        for next in graph.get(&(parent.clone(), node.to_owned())).into_iter().flatten() {
            if let Some(c) = visit(graph, parent, next, stack) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    for (parent, node) in graph.keys() {
        if let Some(cycle) = visit(&graph, parent, node, &mut Vec::new()) {
            let module = if parent.is_empty() { "crate".to_owned() } else { format!("crate::{}", parent.join("::")) };
            panic!("import cycle in `{module}`: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_scan_sees_the_imports() {
    // guards the scanner itself: imports it must find in the code as it is
    let files = crate_files();
    assert!(files.iter().any(|f| f.rel == "capture/reader.rs"), "files found");
    assert!(files.iter().all(|f| f.rel != "capture/testutil.rs"), "test-only files left out");
    let e = edges(&files);
    let has = |parent: &[&str], from: &str, to: &str| {
        e.iter().any(|(p, f, t, _)| p.iter().map(String::as_str).eq(parent.iter().copied()) && f == from && t == to)
    };
    assert!(has(&[], "pipeline", "dispatch"), "crate:: paths");
    assert!(has(&[], "report", "pipeline"), "use groups");
    assert!(has(&["capture"], "pcap", "error"), "super:: paths");
    assert!(has(&["capture"], "list", "reader"), "names re-exported by mod.rs");
    assert!(has(&["capture"], "bpf", "live"), "super:: module paths");
}

#[test]
fn unsafe_code_is_allowed_only_in_the_ffi_files() {
    let files = crate_files();
    let lib = files.iter().find(|f| f.rel == "lib.rs").unwrap();
    assert!(lib.code.contains("#![deny(unsafe_code)]"), "the crate root denies unsafe code");
    let allowed: BTreeSet<&str> =
        files.iter().filter(|f| f.code.contains("allow(unsafe_code)")).map(|f| f.rel.as_str()).collect();
    assert_eq!(allowed, UNSAFE_FILES.iter().copied().collect());
    for f in files.iter().filter(|f| UNSAFE_FILES.contains(&f.rel.as_str())) {
        // every block says why it is sound (clippy checks the comment is there)
        assert!(f.code.contains("clippy::undocumented_unsafe_blocks"), "{}", f.rel);
    }
}
