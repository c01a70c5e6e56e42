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

/// The file-name stem of an exploration named `name`: the name itself when it
/// is made of ASCII letters, digits, `-` and `_`; otherwise those kept, every
/// other character as `_`, and a hash of the whole name appended, so two
/// names that differ only in such characters (`a::b`, `a__b`) never share
/// their files.
pub(crate) fn file_stem(name: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !name.is_empty() && name.chars().all(safe) {
        return name.to_string();
    }
    let mut stem: String = name
        .chars()
        .map(|c| if safe(c) { c } else { '_' })
        .collect();
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    stem.push_str(&format!("-{hash:08x}"));
    stem
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
    fn names_that_differ_never_share_a_file_stem() {
        assert_eq!(file_stem("lost_update-2"), "lost_update-2");
        let (a, b) = (file_stem("a::b"), file_stem("a__b"));
        assert_ne!(a, b);
        assert!(a.starts_with("a__b-"), "{a}");
        assert_eq!(b, "a__b");
        assert_ne!(file_stem("x y"), file_stem("x/y"));
        assert!(file_stem("").starts_with('-'));
        assert!(file_stem("../../etc").chars().all(|c| c != '/' && c != '.'));
    }

    #[test]
    fn printed_paths_are_absolute() {
        assert!(absolute(Path::new("target/x.json")).is_absolute());
        assert_eq!(absolute(Path::new("/a/b")), PathBuf::from("/a/b"));
        assert!(default_out_dir().is_absolute());
    }
}
