//! The tree's advisory lock: `flock(2)` on the root folder of the source tree (T2HOME).
//!
//! t2conf holds it exclusively for each read-modify-write of the flag files, so two runs at
//! once cannot lose each other's changes; t2build holds it shared while cargo's build scripts
//! read those files, so a build never mixes flags from before and after a t2conf. A folder is
//! locked rather than a `flags.toml`: t2conf replaces that file by renaming a new one over it,
//! which would leave a lock on the replaced file. The lock goes with the process, so a killed
//! run never leaves a stale one behind.

use std::fs::File;
use std::path::Path;

/// A held lock on a tree; released when dropped.
#[derive(Debug)]
pub struct TreeLock {
    _folder: File,
}

impl TreeLock {
    /// Waits for the tree at `root` to be free of other locks, then holds it alone (t2conf's
    /// changes).
    pub fn exclusive(root: &Path) -> Result<TreeLock, String> {
        TreeLock::take(root, File::lock)
    }

    /// Waits until no exclusive lock is held on the tree at `root`, then holds it beside other
    /// readers (t2conf's queries, t2build's builds).
    pub fn shared(root: &Path) -> Result<TreeLock, String> {
        TreeLock::take(root, File::lock_shared)
    }

    fn take(root: &Path, lock: fn(&File) -> std::io::Result<()>) -> Result<TreeLock, String> {
        let fail = |e: std::io::Error| format!("Failed to lock the source tree '{}': {e}", root.display());
        let folder = File::open(root).map_err(fail)?;
        lock(&folder).map_err(fail)?;
        Ok(TreeLock { _folder: folder })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_and_shared_shares() {
        let dir = tempfile::tempdir().unwrap();
        let held = TreeLock::exclusive(dir.path()).unwrap();
        let other = File::open(dir.path()).unwrap();
        assert!(matches!(other.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock)));
        drop(held);
        let _a = TreeLock::shared(dir.path()).unwrap();
        let _b = TreeLock::shared(dir.path()).unwrap();
        assert!(matches!(other.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
    }

    #[test]
    fn a_missing_tree_is_an_error_naming_it() {
        let e = TreeLock::shared(Path::new("/nonexistent/rt2-tree")).unwrap_err();
        assert!(e.contains("'/nonexistent/rt2-tree'"), "{e}");
    }
}
