//! `cargo xtask ci`: the whole test suite, the same on a laptop and in `.ci/run`.
//!
//! Runs, in order, stopping at the first failure and naming it:
//! 1. `cargo xtask regen --check` — the committed spec and generated client are fresh;
//! 2. `cargo fmt --all --check`;
//! 3. `cargo clippy --workspace --all-targets -- -D warnings`;
//! 4. `cargo test --workspace` — unit, integration, example and doc tests (README
//!    included); bench binaries are built by clippy but never run;
//! 5. `RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps`.
//!
//! The cheap checks come first so a formatting slip fails in seconds, not after the build.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask ci [--list]";

/// One command of the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Short name used in the progress and failure lines.
    pub name: &'static str,
    /// Arguments to `cargo`.
    pub args: &'static [&'static str],
    /// Extra environment variables.
    pub env: &'static [(&'static str, &'static str)],
}

impl Step {
    /// The command as a user would type it.
    pub fn command_line(&self) -> String {
        let env: Vec<String> = self.env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        format!("{}cargo {}", env.concat(), self.args.join(" "))
    }
}

/// The suite, in the order it runs.
pub const STEPS: [Step; 5] = [
    Step {
        name: "regen",
        args: &["xtask", "regen", "--check"],
        env: &[],
    },
    Step {
        name: "fmt",
        args: &["fmt", "--all", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "test",
        args: &["test", "--workspace"],
        env: &[],
    },
    Step {
        name: "doc",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-Dwarnings")],
    },
];

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exit status 0.
    Passed,
    /// Ran and failed, with its exit status (or how it died).
    Failed(String),
    /// Could not be started.
    NotStarted(String),
}

/// `cargo xtask ci [--list]`, given the arguments after `ci`.
pub fn main(args: impl Iterator<Item = String>, root: &Path) -> ExitCode {
    let mut list = false;
    for a in args {
        match a.as_str() {
            "--list" => list = true,
            "-h" | "--help" => {
                println!("{USAGE}\n\nRuns, in order, stopping at the first failure:");
                for (i, step) in STEPS.iter().enumerate() {
                    println!("  {}. {}", i + 1, step.command_line());
                }
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("ci: unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if list {
        for step in &STEPS {
            println!("{}", step.command_line());
        }
        return ExitCode::SUCCESS;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let report = run_steps(&STEPS, |step| {
        let mut cmd = Command::new(&cargo);
        cmd.args(step.args).current_dir(root);
        for (k, v) in step.env {
            cmd.env(k, v);
        }
        match cmd.status() {
            Ok(status) if status.success() => Outcome::Passed,
            Ok(status) => Outcome::Failed(status.to_string()),
            Err(e) => Outcome::NotStarted(e.to_string()),
        }
    });
    println!("{}", report.summary);
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What [`run_steps`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every step passed.
    pub passed: bool,
    /// Names of the steps that ran, in order.
    pub ran: Vec<&'static str>,
    /// The closing lines: each step's time, then `ci: ok` or the failure named.
    pub summary: String,
}

/// Runs `steps` through `run` in order, stopping at the first that does not pass.
pub fn run_steps(steps: &[Step], mut run: impl FnMut(&Step) -> Outcome) -> Report {
    let started = Instant::now();
    let mut ran = Vec::new();
    let mut times = Vec::new();
    let total = steps.len();
    for (i, step) in steps.iter().enumerate() {
        println!("ci: [{}/{total}] {}", i + 1, step.command_line());
        let t = Instant::now();
        let outcome = run(step);
        ran.push(step.name);
        times.push((step.name, t.elapsed()));
        let failure = match outcome {
            Outcome::Passed => continue,
            Outcome::Failed(status) => format!("exited with {status}"),
            Outcome::NotStarted(e) => format!("could not be started: {e}"),
        };
        return Report {
            passed: false,
            ran,
            summary: format!(
                "{}ci: FAILED at step {}/{total} ({}): `{}` {failure}",
                timings(&times),
                i + 1,
                step.name,
                step.command_line()
            ),
        };
    }
    Report {
        passed: true,
        ran,
        summary: format!(
            "{}ci: ok — {total} steps passed in {}",
            timings(&times),
            human(started.elapsed())
        ),
    }
}

fn timings(times: &[(&str, Duration)]) -> String {
    times
        .iter()
        .map(|(name, d)| format!("ci: {name:<7}{}\n", human(*d)))
        .collect()
}

/// `1m 05s`, `42s`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suite_is_the_five_commands_in_order() {
        let lines: Vec<String> = STEPS.iter().map(Step::command_line).collect();
        assert_eq!(
            lines,
            [
                "cargo xtask regen --check",
                "cargo fmt --all --check",
                "cargo clippy --workspace --all-targets -- -D warnings",
                "cargo test --workspace",
                "RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps",
            ]
        );
    }

    #[test]
    fn the_first_failure_stops_the_run_and_is_named() {
        let report = run_steps(&STEPS, |step| {
            if step.name == "clippy" {
                Outcome::Failed("exit status: 101".into())
            } else {
                Outcome::Passed
            }
        });
        assert!(!report.passed);
        assert_eq!(report.ran, ["regen", "fmt", "clippy"]);
        let last = report.summary.lines().last().unwrap_or_default();
        assert_eq!(
            last,
            "ci: FAILED at step 3/5 (clippy): `cargo clippy --workspace --all-targets -- -D warnings` exited with exit status: 101"
        );
    }

    #[test]
    fn a_step_that_cannot_start_is_a_failure_too() {
        let report = run_steps(&STEPS, |_| Outcome::NotStarted("No such file".into()));
        assert!(!report.passed);
        assert_eq!(report.ran, ["regen"]);
        assert!(report.summary.ends_with(
            "ci: FAILED at step 1/5 (regen): `cargo xtask regen --check` could not be started: No such file"
        ));
    }

    #[test]
    fn all_passing_runs_every_step() {
        let report = run_steps(&STEPS, |_| Outcome::Passed);
        assert!(report.passed);
        assert_eq!(report.ran, ["regen", "fmt", "clippy", "test", "doc"]);
        assert!(report.summary.contains("ci: ok — 5 steps passed in "));
    }

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(human(Duration::from_secs(42)), "42s");
        assert_eq!(human(Duration::from_secs(65)), "1m 05s");
    }
}
