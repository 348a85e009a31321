//! One component's `flags.toml`: read with its declarations, edited in place with `toml_edit`
//! so comments and layout survive, written back atomically.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use plugin_api::flags::{self, Flag};
use toml_edit::DocumentMut;

/// A loaded `flags.toml`.
#[derive(Debug, Clone)]
pub struct FlagFile {
    /// Component owning the file (`tranalyzer2`, `basicFlow`, ...).
    pub component: String,
    /// Where it lives.
    pub path: PathBuf,
    /// Declarations, in file order, with their current values.
    pub flags: Vec<Flag>,
    doc: DocumentMut,
    dirty: bool,
}

impl FlagFile {
    /// Loads `path`; `Ok(None)` if the component declares no flags.
    pub fn load(component: &str, path: &Path) -> Result<Option<FlagFile>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let flags = flags::parse(&text).map_err(|e| format!("Invalid flag file '{}': {e}", path.display()))?;
        let doc = text.parse::<DocumentMut>().map_err(|e| format!("Invalid flag file '{}': {e}", path.display()))?;
        Ok(Some(FlagFile { component: component.to_owned(), path: path.to_owned(), flags, doc, dirty: false }))
    }

    /// The declaration of `name`.
    pub fn get(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// The current value of `name` as written in the file (`0x0806`, `"proto.txt"`, ...).
    pub fn raw(&self, name: &str) -> Option<String> {
        let v = self.doc.get(name)?.get("value")?.as_value()?;
        Some(v.to_string().trim().to_owned())
    }

    /// Sets `name` to `v` (already validated) keeping the comment after it; returns whether the
    /// value changed. Unchanged values are not rewritten, so cargo rebuilds nothing.
    pub fn set(&mut self, name: &str, v: &toml::Value) -> Result<bool, String> {
        let Some(flag) = self.flags.iter_mut().find(|f| f.name == name) else {
            return Err(format!("Configuration flag '{name}' does not exist for '{}'", self.component));
        };
        if flags::display(&flag.value) == flags::display(v) {
            return Ok(false);
        }
        let slot = self
            .doc
            .get_mut(name)
            .and_then(|t| t.get_mut("value"))
            .and_then(|i| i.as_value_mut())
            .ok_or_else(|| format!("{}: {name} has no value", self.path.display()))?;
        let mut new = to_edit(v);
        *new.decor_mut() = slot.decor().clone();
        *slot = new;
        flag.value = v.clone();
        self.dirty = true;
        Ok(true)
    }

    /// True when [`FlagFile::save`] has something to write.
    #[cfg(test)]
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Writes the file if it changed: to a uniquely named temporary file beside it, then
    /// renamed over it, so an interrupted t2conf never leaves half a file and readers see the
    /// old or the new one whole.
    pub fn save(&mut self) -> Result<(), String> {
        if !self.dirty {
            return Ok(());
        }
        let err = |e: std::io::Error| format!("Failed to write '{}': {e}", self.path.display());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.", plugin_api::build::FLAGS_FILE))
            .suffix(".t2conf.tmp")
            .tempfile_in(dir)
            .map_err(err)?;
        tmp.write_all(self.doc.to_string().as_bytes()).map_err(err)?;
        if let Ok(meta) = std::fs::metadata(&self.path) {
            tmp.as_file().set_permissions(meta.permissions()).map_err(err)?;
        }
        tmp.persist(&self.path).map_err(|e| err(e.error))?;
        self.dirty = false;
        Ok(())
    }
}

fn to_edit(v: &toml::Value) -> toml_edit::Value {
    match v {
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => (*f).into(),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::String(s) => s.as_str().into(),
        toml::Value::Array(a) => a.iter().map(to_edit).collect::<toml_edit::Array>().into(),
        other => other.to_string().parse().unwrap_or_else(|_| other.to_string().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# head comment\n\n[A]\nvalue = 1   # keep me\ndefault = 1\ntype = \"u8\"\nallowed = [0, 1]\ndesc = \"a\"\n\n[L]\nvalue = [0x0806]\ndefault = [0x0806]\ntype = \"u16[]\"\ndesc = \"l\"\n";

    #[test]
    fn edits_in_place_keeping_comments() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("flags.toml");
        std::fs::write(&p, TEXT).unwrap();
        let mut f = FlagFile::load("x", &p).unwrap().unwrap();
        assert_eq!(f.raw("L").unwrap(), "[0x0806]");
        assert!(!f.set("A", &toml::Value::Integer(1)).unwrap());
        assert!(!f.is_dirty());
        assert!(f.set("A", &toml::Value::Integer(0)).unwrap());
        f.save().unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, TEXT.replace("value = 1   # keep me", "value = 0   # keep me"));
        assert!(f.set("B", &toml::Value::Integer(0)).is_err());
    }
}
