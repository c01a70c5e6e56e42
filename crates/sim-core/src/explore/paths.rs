//! Where an exploration writes its files: `erpc-sim/` in the build's target
//! directory, found the way cargo finds it, and always as an absolute path so
//! the printed paths can be pasted from any directory.

use std::path::{Path, PathBuf};

/// The variable cargo reads for its target directory.
const CARGO_TARGET_DIR: &str = "CARGO_TARGET_DIR";

/// The default output directory: `erpc-sim` under the target directory.
pub(crate) fn default_out_dir() -> PathBuf {
    let cwd = current_dir();
    let var = std::env::var(CARGO_TARGET_DIR).ok();
    target_dir(&cwd, var.as_deref()).join("erpc-sim")
}

/// `p`, made absolute against the current directory.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        current_dir().join(p)
    }
}

fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The target directory seen from `cwd`: `CARGO_TARGET_DIR` when set (a
/// relative one taken from the workspace root, where cargo is usually run),
/// else `target/` in the workspace root (the nearest directory up from `cwd`
/// holding `Cargo.lock`: a test runs in its own crate's directory, which in a
/// workspace has none), else `target/` in `cwd`.
pub(crate) fn target_dir(cwd: &Path, cargo_target_dir: Option<&str>) -> PathBuf {
    let root = cwd
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(cwd);
    match cargo_target_dir.filter(|v| !v.trim().is_empty()) {
        Some(t) => root.join(t),
        None => root.join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_dir_is_the_workspace_one_or_cargo_target_dir() {
        let base = std::env::temp_dir().join(format!("erpc-sim-paths-{}", std::process::id()));
        let member = base.join("crates").join("member");
        std::fs::create_dir_all(&member).expect("temp dirs");
        std::fs::write(base.join("Cargo.lock"), "").expect("a lock file");
        assert_eq!(target_dir(&member, None), base.join("target"));
        assert_eq!(target_dir(&member, Some("")), base.join("target"));
        assert_eq!(target_dir(&member, Some("out")), base.join("out"));
        assert_eq!(target_dir(&member, Some("/abs/t")), PathBuf::from("/abs/t"));
        std::fs::remove_file(base.join("Cargo.lock")).expect("remove the lock file");
        // No Cargo.lock anywhere up: the current directory's target/.
        let lone = target_dir(&member, None);
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(lone, member.join("target"));
    }

    #[test]
    fn printed_paths_are_absolute() {
        assert!(absolute(Path::new("target/x.json")).is_absolute());
        assert_eq!(absolute(Path::new("/a/b")), PathBuf::from("/a/b"));
        assert!(default_out_dir().is_absolute());
    }
}
