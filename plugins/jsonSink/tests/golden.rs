//! jsonSink against T2 0.9.3's own `_flows.json` (`shared/golden/<capture>/default-all/`, T2's
//! ten default plugins + jsonSink) on every shared capture. Needs the release build
//! (`cargo build --release --workspace`).
//!
//! The run loads the reference's plugins that exist here. Where the file is not byte-identical,
//! every value the run writes must be the reference's, byte for byte, keys in the same order,
//! and every key the reference has for a column of the run must be written; a value may differ
//! only where txtSink's cell of the same run differs from the reference's too (a plugin that is
//! not here, or basicFlow's subnet labels, whose tables know countries T2's did not): that is
//! no jsonSink matter. Every line must be one valid JSON object.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rt2_golden::{Flows, PluginDir, repo_root, run_t2, shared_dir};
use serde_json::value::RawValue;

/// One object: keys in order, each with its value's text.
type Object<'a> = IndexMap<String, &'a RawValue>;

fn parse_lines<'a>(text: &'a str, what: &str) -> Vec<Object<'a>> {
    text.lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what} line {}: {e}: {l}", i + 1)))
        .collect()
}

/// `(dir, flowInd)` of an object.
fn key_of(o: &Object<'_>) -> (String, String) {
    let get = |k: &str| o.get(k).map(|v| v.get().trim_matches('"').to_owned()).unwrap_or_default();
    (get("dir"), get("flowInd"))
}

/// Rows of a flow file by `(dir, flowInd)`, and the index of each column.
struct Table {
    rows: HashMap<(String, String), Vec<String>>,
    cols: HashMap<String, usize>,
}

impl Table {
    fn new(f: Flows) -> Table {
        let cols = f.columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        let rows = f.rows.into_iter().filter(|r| r.len() > 1).map(|r| ((r[0].clone(), r[1].clone()), r)).collect();
        Table { rows, cols }
    }

    fn cell(&self, key: &(String, String), col: &str) -> Option<&str> {
        Some(self.rows.get(key)?.get(*self.cols.get(col)?)?.as_str())
    }
}

/// The differences for one capture (empty: it matches).
fn compare(name: &str, pcap: &Path, golden: &Path, plugins: &Path, whole: bool, values: &mut usize) -> Vec<String> {
    let run = run_t2(plugins, &["-r", pcap.to_str().expect("a UTF-8 path"), "-l"]);
    if run.code() != Some(0) {
        return vec![format!("{name}: exit status {:?}: {}", run.code(), run.stderr())];
    }
    let ours_text = run.file("_flows.json").expect("no _flows.json written");
    let want_text = std::fs::read_to_string(golden.join(format!("{name}_flows.json"))).expect("reference json");
    let ours = parse_lines(&ours_text, &format!("{name} (ours)"));
    if whole && ours_text == want_text {
        *values += ours.iter().map(IndexMap::len).sum::<usize>();
        return Vec::new();
    }
    let want: HashMap<_, _> = parse_lines(&want_text, name).into_iter().map(|o| (key_of(&o), o)).collect();
    let our_txt = Table::new(run.flows());
    let ref_txt = Table::new(Flows::parse(&std::fs::read_to_string(golden.join(format!("{name}_flows.txt"))).unwrap()));
    // Only where the text of the same run agrees with T2's is a JSON difference jsonSink's.
    let upstream = |k: &(String, String), col: &str| our_txt.cell(k, col) != ref_txt.cell(k, col);
    let mut diffs = Vec::new();
    for o in &ours {
        let k = key_of(o);
        let Some(w) = want.get(&k) else {
            if !our_txt.rows.contains_key(&k) || !ref_txt.rows.contains_key(&k) {
                continue;
            }
            diffs.push(format!("{name} {k:?}: no such object in the reference"));
            continue;
        };
        for (col, v) in o {
            *values += 1;
            match w.get(col) {
                Some(wv) if wv.get() == v.get() => {}
                _ if upstream(&k, col) => {}
                got => diffs.push(format!("{name} {k:?} {col}: want {:?} got {}", got.map(|g| g.get()), v.get())),
            }
        }
        // Keys in the reference's order, none of the run's columns left out.
        let order: Vec<&String> = w.keys().filter(|c| o.contains_key(*c)).collect();
        if !order.iter().copied().eq(o.keys()) {
            diffs.push(format!("{name} {k:?}: keys in another order"));
        }
        for col in w.keys().filter(|c| our_txt.cols.contains_key(*c) && !o.contains_key(*c)) {
            if !upstream(&k, col) {
                diffs.push(format!("{name} {k:?}: {col} left out"));
            }
        }
    }
    diffs
}

#[test]
fn every_capture_matches_the_reference() {
    let Some(shared) = shared_dir() else { return };
    let mut captures: Vec<(String, PathBuf)> = std::fs::read_dir(shared.join("pcaps"))
        .expect("../shared/pcaps")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("pcap" | "pcapng")))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_owned(), p)))
        .filter(|(name, _)| shared.join("golden").join(name).join("default-all").is_dir())
        .collect();
    captures.sort();
    let mut dirs: HashMap<Vec<String>, (PluginDir, bool)> = HashMap::new();
    let (mut compared, mut values, mut diffs) = (0, 0, Vec::new());
    for (name, pcap) in &captures {
        let golden = shared.join("golden").join(name).join("default-all");
        let cmd = std::fs::read_to_string(golden.join("CMD")).expect("CMD");
        if !cmd.lines().any(|l| l.trim() == "rc=0") {
            continue;
        }
        let plugins: Vec<String> = cmd
            .lines()
            .find_map(|l| l.strip_prefix("plugins:"))
            .expect("plugins: line")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let (dir, whole) = dirs.entry(plugins.clone()).or_insert_with(|| {
            let here: Vec<&str> =
                plugins.iter().map(String::as_str).filter(|p| repo_root().join("plugins").join(p).is_dir()).collect();
            (PluginDir::with(&here), here.len() == plugins.len())
        });
        diffs.extend(compare(name, pcap, &golden, dir.path(), *whole, &mut values));
        compared += 1;
    }
    assert!(compared >= 45, "only {compared} captures have a default-all reference");
    assert!(values > 100_000, "only {values} values compared");
    let shown = diffs.len().min(40);
    assert!(diffs.is_empty(), "{} differences, the first {shown}:\n{}", diffs.len(), diffs[..shown].join("\n"));
}
