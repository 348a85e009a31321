//! The flag files of one t2conf run: loaded on first use, looked up along T2's search list
//! (the component, then the core), changed together and written only when everything checked.

use std::collections::BTreeMap;

use plugin_api::flags::Flag;

use crate::flagfile::FlagFile;
use crate::tree::{CORE, Tree};
use crate::value;

/// One requested change, checked.
#[derive(Debug, Clone)]
pub struct Change {
    /// Component owning the flag.
    pub owner: String,
    /// Flag name.
    pub name: String,
    /// New value.
    pub value: toml::Value,
}

/// Loaded flag files by component.
#[derive(Debug)]
pub struct Session {
    tree: Tree,
    files: BTreeMap<String, Option<FlagFile>>,
}

impl Session {
    /// A session over `tree`.
    pub fn new(tree: Tree) -> Session {
        Session { tree, files: BTreeMap::new() }
    }

    /// The tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The flag file of `component` (`None` if it declares no flags).
    pub fn file(&mut self, component: &str) -> Result<Option<&FlagFile>, String> {
        self.load(component)?;
        Ok(self.files.get(component).and_then(Option::as_ref))
    }

    fn load(&mut self, component: &str) -> Result<(), String> {
        if !self.files.contains_key(component) {
            let path = self.tree.flags_path(component).ok_or_else(|| unknown_component(&self.tree, component))?;
            let file = FlagFile::load(component, &path)?;
            self.files.insert(component.to_owned(), file);
        }
        Ok(())
    }

    /// T2's search list: a plugin's own flags, then the core's (so `t2conf basicFlow -G
    /// IPV6_ACTIVATE` works as in T2). Returns the owner and the declaration.
    pub fn lookup(&mut self, target: &str, name: &str) -> Result<(String, Flag), String> {
        let mut list = vec![target.to_owned()];
        if target != CORE {
            list.push(CORE.to_owned());
        }
        for c in &list {
            if let Some(f) = self.file(c)?.and_then(|f| f.get(name)) {
                return Ok((c.clone(), f.clone()));
            }
        }
        Err(self.unknown_flag(target, name))
    }

    /// `Configuration flag 'X' does not exist for 'T'` with a hint, or with why there is no flag
    /// at all: the target's flag file is missing, or declares none.
    pub fn unknown_flag(&mut self, target: &str, name: &str) -> String {
        let unknown = format!("Configuration flag '{name}' does not exist for '{target}'");
        if let Some(why) = self.no_flags(target) {
            return format!("{unknown}: {why}");
        }
        let mut known: Vec<String> = Vec::new();
        for c in [target, CORE] {
            if let Ok(Some(f)) = self.file(c) {
                known.extend(f.flags.iter().map(|f| f.name.clone()));
            }
        }
        let close = known.iter().find(|k| k.eq_ignore_ascii_case(name) || edit_distance(k, name) <= 2);
        let hint = match close {
            Some(k) => format!("Did you mean '{k}'?"),
            None => format!("Run 't2conf {target} -I' to list its flags"),
        };
        format!("{unknown}\n{hint}")
    }

    /// Why `component` has no flags, if it has none: its flag file is missing, or declares none.
    pub fn no_flags(&mut self, component: &str) -> Option<String> {
        let path = self.tree.flags_path(component)?;
        match self.file(component) {
            Ok(None) => Some(format!("its flag file '{}' is missing", path.display())),
            Ok(Some(f)) if f.flags.is_empty() => Some(format!("its flag file '{}' declares no flags", path.display())),
            _ => None,
        }
    }

    /// Checks `NAME=VALUE` for `target`.
    pub fn check(&mut self, target: &str, name: &str, text: &str) -> Result<Change, String> {
        let (owner, flag) = self.lookup(target, name)?;
        let value = value::parse(&flag, &owner, text)?;
        Ok(Change { owner, name: name.to_owned(), value })
    }

    /// Applies checked changes and writes every touched file; returns those that changed a value.
    pub fn apply(&mut self, changes: &[Change]) -> Result<Vec<Change>, String> {
        let mut done = Vec::new();
        for c in changes {
            self.load(&c.owner)?;
            let file = self
                .files
                .get_mut(&c.owner)
                .and_then(Option::as_mut)
                .ok_or_else(|| format!("'{}' has no flags", c.owner))?;
            if file.set(&c.name, &c.value)? {
                done.push(c.clone());
            }
        }
        for file in self.files.values_mut().flatten() {
            file.save()?;
        }
        Ok(done)
    }
}

/// `Unknown plugin 'X'` with the valid names.
pub fn unknown_component(tree: &Tree, name: &str) -> String {
    format!("Plugin '{name}' could not be found\nValid names: {}", tree.components().join(" "))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = if ca == b[j] { prev } else { 1 + prev.min(row[j]).min(row[j + 1]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn edit_distance() {
        assert_eq!(super::edit_distance("DIFF_REPORT", "DIFF_REPROT"), 2);
        assert_eq!(super::edit_distance("abc", "abc"), 0);
    }
}
