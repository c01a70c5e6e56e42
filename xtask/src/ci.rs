//! `cargo xtask ci`: every check, in order, stopping at the first failure.
//!
//! CI only verifies: no step rewrites a file (formatting is `--check`, and golden
//! files are refreshed only by an explicit `UPDATE_EXPECT=1` run of the tests).
//! `.ci/run` calls exactly this command.

use crate::{cargo, deps, exec, show, tidy};

/// What a step does: a cargo invocation, or a check built into xtask.
enum Action {
    /// `cargo <args>` with extra environment variables.
    Cargo {
        args: &'static [&'static str],
        env: &'static [(&'static str, &'static str)],
    },
    /// An xtask check run in this process.
    Check(fn() -> Result<(), String>),
}

struct Step {
    name: &'static str,
    action: Action,
}

const fn cargo_step(name: &'static str, args: &'static [&'static str]) -> Step {
    Step {
        name,
        action: Action::Cargo { args, env: &[] },
    }
}

/// The CI steps, cheapest first.
const STEPS: &[Step] = &[
    cargo_step("fmt", &["fmt", "--all", "--", "--check"]),
    cargo_step(
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ),
    cargo_step("test", &["test", "--workspace", "--all-targets"]),
    cargo_step("doctest", &["test", "--workspace", "--doc"]),
    Step {
        name: "doc",
        action: Action::Cargo {
            args: &["doc", "--workspace", "--no-deps"],
            env: &[("RUSTDOCFLAGS", "-D warnings")],
        },
    },
    cargo_step("bench-build", &["bench", "--workspace", "--no-run"]),
    // Each crate packages on its own (its manifest, its files, its path
    // dependencies by version); building the packages is what the test step does.
    cargo_step(
        "package",
        &[
            "package",
            "--workspace",
            "--no-verify",
            "--allow-dirty",
            "--quiet",
        ],
    ),
    Step {
        name: "deps",
        action: Action::Check(deps::run),
    },
    Step {
        name: "tidy",
        action: Action::Check(tidy::run),
    },
];

pub(crate) fn run() -> Result<(), String> {
    let total = STEPS.len();
    for (i, step) in STEPS.iter().enumerate() {
        let result = match &step.action {
            Action::Cargo { args, env } => {
                let mut cmd = cargo();
                cmd.args(*args).envs(env.iter().copied());
                println!("==> {} ({}/{total}): {}", step.name, i + 1, show(&cmd));
                exec(&mut cmd)
            }
            Action::Check(check) => {
                println!(
                    "==> {} ({}/{total}): cargo xtask {}",
                    step.name,
                    i + 1,
                    step.name
                );
                check()
            }
        };
        if let Err(message) = result {
            eprintln!("xtask ci: {message}");
            return Err(format!("FAILED at step {}", step.name));
        }
    }
    println!("xtask ci: all {total} steps passed");
    Ok(())
}
