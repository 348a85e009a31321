//! `-R FILE`: a text file naming captures, read in order as one stream (core.md §9).

use std::cell::RefCell;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use plugin_api::fmt::{escaped, strerror};

use super::feed::{Feed, FileReader, InputKind};
use super::{OpenError, open_file};
use crate::flags;
use crate::log::{self, Log};

/// The checked entries of a list file and the one being read.
#[derive(Debug)]
pub struct List {
    name: String,
    files: Vec<PathBuf>,
    /// Each entry's size when the list was checked (T2 reports these, not a later size).
    sizes: Vec<u64>,
    size: u64,
    index: usize,
}

impl List {
    /// Reads and checks the list as T2 does: `#` lines skipped, each entry checked like `-r`
    /// (invalid ones reported and skipped). Errors are fatal and carry T2's message.
    pub fn read(path: &Path, log: &RefCell<Log>) -> Result<List, String> {
        let verbose = flags::VERBOSE > 1;
        if verbose {
            log.borrow_mut().line("Checking list file");
        }
        let name = escaped(&path).to_string();
        let text = std::fs::read(path).map_err(|e| {
            let e = strerror(&e);
            format!("Failed to open file '{name}' for reading: {e}")
        })?;
        let mut list = List { name, files: Vec::new(), sizes: Vec::new(), size: 0, index: 0 };
        for line in lines(&text) {
            if line.first() == Some(&b'#') {
                continue;
            }
            let file = Path::new(OsStr::from_bytes(line));
            // what does not exist and does not end in text is taken for a binary list
            let texty = line.len() >= 2 && line[line.len() - 2..].is_ascii();
            if !texty && std::fs::metadata(file).is_err() {
                return Err(format!("'{}' is not a valid list of PCAP files", list.name));
            }
            if verbose {
                log.borrow_mut().line(format_args!("    checking file '{}'", escaped(&file)));
            }
            match open_file(file) {
                // T2 only checks the magic here; libpcap's own refusal comes when it is opened
                Ok(_) | Err(OpenError::Pcap { .. } | OpenError::Map { .. }) => {}
                Err(e) => {
                    if verbose {
                        log::error(&e.to_string());
                    }
                    continue;
                }
            }
            match std::fs::metadata(file) {
                Ok(m) => {
                    list.size += m.len();
                    list.sizes.push(m.len());
                }
                Err(e) => {
                    let e = strerror(&e);
                    log.borrow_mut().warn(&format!("Cannot get complete file stats for '{}': {e}", escaped(&file)));
                    continue;
                }
            }
            list.files.push(file.to_path_buf());
        }
        if list.files.is_empty() {
            return Err(format!("No valid files found in {}", list.name));
        }
        Ok(list)
    }

    /// The checked entries, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Opens the first entry; failing there is fatal.
    pub fn open_first(&self) -> Result<FileReader, OpenError> {
        open_file(&self.files[0])
    }

    /// The name of the entry being read.
    pub fn current(&self) -> String {
        escaped(&self.files[self.index]).to_string()
    }
}

/// The lines of `text` as `getline` gives them, without their `\n` and one `\r` before it.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    text.split(|&b| b == b'\n').filter(move |_| !text.is_empty()).map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

impl Feed<FileReader> for List {
    fn next(&mut self, _: &RefCell<Log>, _: &mut dyn FnMut() -> bool) -> Option<FileReader> {
        if self.index + 1 >= self.files.len() {
            return None;
        }
        self.index += 1;
        // as T2: a file that cannot be opened now ends the run normally
        open_file(&self.files[self.index]).inspect_err(|e| log::error(&e.to_string())).ok()
    }

    fn announce(&self, log: &mut Log, _: &str) {
        if self.index == 0 {
            log.line(format_args!("Processing list file: {}", self.name));
        }
        let n = self.files.len();
        log.line(format_args!("Processing file no. {} of {n}: {}", self.index + 1, self.current()));
    }

    fn totals(&self) -> Option<(u64, u64)> {
        Some((self.size, self.files.len() as u64))
    }

    fn current(&self) -> Option<String> {
        Some(List::current(self))
    }

    fn kind(&self) -> InputKind {
        InputKind::List {
            list: self.name.clone(),
            index: self.index + 1,
            count: self.files.len(),
            total: self.size,
            current_size: self.sizes[self.index],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getline_lines() {
        let l = |t: &str| lines(t.as_bytes()).map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>();
        assert_eq!(l("a\r\n#c\nb"), ["a", "#c", "b"]);
        assert_eq!(l("a\n\nb\n"), ["a", "", "b"]);
        assert!(l("").is_empty());
    }

    fn write(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn checks_entries() {
        let dir = std::env::temp_dir().join(format!("rt2-list-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut pcap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        pcap.extend([0; 8]);
        pcap.extend(65535u32.to_le_bytes());
        pcap.extend(1u32.to_le_bytes());
        let good = write(&dir, "good.pcap", &pcap);
        let text = write(&dir, "text.pcap", b"not a capture");
        let log = RefCell::new(Log::sink());
        let body = format!(
            "# comment\n{}\n{}\n{}/missing.pcap\n{}\n",
            good.display(),
            text.display(),
            dir.display(),
            good.display()
        );
        let list = List::read(&write(&dir, "l.txt", body.as_bytes()), &log).unwrap();
        assert_eq!(list.files(), [good.clone(), good.clone()]);
        assert_eq!(Feed::<FileReader>::totals(&list), Some((48, 2)));
        let kind = |l: &List| Feed::<FileReader>::kind(l);
        let at =
            |index, current_size| InputKind::List { list: list.name.clone(), index, count: 2, total: 48, current_size };
        assert_eq!(kind(&list), at(1, 24));
        let mut moved = List::read(&write(&dir, "l.txt", body.as_bytes()), &log).unwrap();
        assert!(moved.next(&log, &mut || false).is_some());
        assert_eq!(kind(&moved), at(2, 24));
        assert_eq!(Feed::<FileReader>::current(&moved), Some(good.display().to_string()));
        assert!(moved.next(&log, &mut || false).is_none());

        let none = write(&dir, "none.txt", format!("{}\n", text.display()).as_bytes());
        let e = List::read(&none, &log).unwrap_err();
        assert_eq!(e, format!("No valid files found in {}", none.display()));
        let bin = write(&dir, "bin.txt", b"\xff\xfe\x01\x80");
        assert!(List::read(&bin, &log).unwrap_err().ends_with("' is not a valid list of PCAP files"));
        let blank = write(&dir, "blank.txt", format!("{}\n\n", good.display()).as_bytes());
        assert!(List::read(&blank, &log).unwrap_err().ends_with("' is not a valid list of PCAP files"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
