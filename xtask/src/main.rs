//! `cargo xtask`: the project's automation, as one std-only binary.
//!
//! Run it through the alias in `.cargo/config.toml`:
//!
//! ```text
//! cargo xtask ci      # every check CI runs, in order; never rewrites files
//! cargo xtask tidy    # source rules (also run by `cargo test --workspace`)
//! cargo xtask deps    # runtime dependency allowlist
//! cargo xtask bench   # run the benches under benches/
//! cargo xtask bench --instructions  # only the workloads' callgrind counts
//! ```
//!
//! Module map:
//! - [`ci`](mod@ci): the ordered list of CI steps;
//! - [`deps`](mod@deps): the allowlist of crates the libraries may pull in;
//! - [`tidy`](mod@tidy): source rules, with a `#[test]` so `cargo test --workspace` enforces them;
//! - [`modgraph`](mod@modgraph): the module graph of a crate and its cycles, for tidy;
//! - [`bench`](mod@bench): runs the benches one target at a time.

mod bench;
mod ci;
mod deps;
mod modgraph;
mod tidy;

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "\
cargo xtask <command>

Commands:
  ci       run every CI check in order, stopping at the first failure:
           fmt --check, clippy -D warnings, tests, doc tests, docs with
           RUSTDOCFLAGS=-D warnings, bench build, package, deps, tidy
  tidy     check the source rules (doc headers, banned APIs, crate layering,
           changelog, top-level docs)
  deps     check that the libraries' dependency trees stay inside the allowlist
  bench    run the benches under benches/ (optionally only the named ones:
           `cargo xtask bench workloads`); the workloads bench also gets
           instruction counts under callgrind, and its figures go to
           target/bench/workloads.json
  bench --instructions
           only the callgrind instruction counts of the workloads
  help     print this text
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    let rest = args.get(1..).unwrap_or_default();
    let result = match command {
        Some("ci") if rest.is_empty() => ci::run(),
        Some("tidy") if rest.is_empty() => tidy::run(),
        Some("deps") if rest.is_empty() => deps::run(),
        Some("bench") => bench::run(rest),
        Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {}: {message}", command.unwrap_or_default());
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this package's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits one level below the workspace root")
        .to_path_buf()
}

/// A `cargo` command (the one that runs us, through `$CARGO`) in the project root.
fn cargo() -> Command {
    let program = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(program);
    cmd.current_dir(project_root());
    cmd
}

/// Runs `cmd` with inherited stdio; `Err` names the command if it fails.
fn exec(cmd: &mut Command) -> Result<(), String> {
    let shown = show(cmd);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `cmd` and returns its stdout; stderr passes through.
fn output(cmd: &mut Command) -> Result<String, String> {
    let shown = show(cmd);
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(format!("`{shown}` failed ({})", out.status));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{shown}` printed non-UTF-8: {e}"))
}

/// `cmd` as a shell line (env overrides first); every command here runs `cargo`.
fn show(cmd: &Command) -> String {
    let quote = |s: &str| {
        if s.is_empty() || s.contains([' ', '{', '}', '\'', '"']) {
            format!("'{s}'")
        } else {
            s.to_owned()
        }
    };
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, quote(v?.to_str()?))))
        .collect();
    parts.push("cargo".to_owned());
    parts.extend(cmd.get_args().map(|a| quote(&a.to_string_lossy())));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_commands_as_shell_lines() {
        let mut cmd = cargo();
        cmd.args(["tree", "--format", "{p}"])
            .env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            show(&cmd),
            "RUSTDOCFLAGS='-D warnings' cargo tree --format '{p}'"
        );
    }
}
