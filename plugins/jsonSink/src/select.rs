//! `JSON_SELECT`: the columns to write, one name per line of `JSON_SELECT_FILE` (lines that
//! start with `#` are comments).

use plugin_api::Column;

/// Which of `columns` the file at `path` (the plugin folder's, see `Init::data_file`) lists,
/// and how many; `Err` carries the fatal message.
pub fn load(path: &std::path::Path, columns: &[Column]) -> Result<(Vec<bool>, usize), String> {
    let text = std::fs::read(path).map_err(|e| {
        format!("Failed to open file '{}': {}", plugin_api::fmt::escaped(path), plugin_api::fmt::strerror(&e))
    })?;
    Ok(selection(&text, columns))
}

/// The columns `text` names, and how many.
pub fn selection(text: &[u8], columns: &[Column]) -> (Vec<bool>, usize) {
    // As T2's getline loop: only the newline is cut; a name must match the whole line.
    let names: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.starts_with(b"#")).collect();
    let sel: Vec<bool> = columns.iter().map(|c| names.contains(&c.name.as_bytes())).collect();
    let n = sel.iter().filter(|&&s| s).count();
    (sel, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_comments() {
        let cols: Vec<Column> =
            ["dir", "srcIP", "dstIP", "#x"].iter().map(|n| Column::parse(n, "", "U8").unwrap()).collect();
        let (sel, n) = selection(b"# addresses\nsrcIP\ndstIP \n#x\n", &cols);
        assert_eq!((sel, n), (vec![false, true, false, false], 1));
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let err = load(std::path::Path::new("/nonexistent/cols.txt"), &[]).unwrap_err();
        assert_eq!(err, "Failed to open file '/nonexistent/cols.txt': No such file or directory");
    }
}
