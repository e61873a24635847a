//! `cargo xtask regen [--check] [--spec PATH]`: regenerates `spec/neon-api.json` and
//! `neon-api/src/generated.rs` from the vendor document (see `neon_api_gen::regen`).
//!
//! - prints the correction report (applied / no longer needed / failed) and the API
//!   changes against what is committed (operations and record fields added or removed);
//! - `--check` writes nothing and exits 1 naming every stale file, so CI catches a
//!   hand edit or a forgotten regen;
//! - `--spec PATH` reads another vendor version instead of the committed one.
//!
//! `cargo xtask ci` runs the whole test suite; see [`ci`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use neon_api_gen::regen::{self, Options, RegenError};

mod ci;

const USAGE: &str =
    "usage: cargo xtask regen [--check] [--spec PATH]\n       cargo xtask ci [--list]";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    match args.next().as_deref() {
        Some("regen") => {}
        Some(other) => return Err(format!("unknown task `{other}`\n{USAGE}")),
        None => return Err(USAGE.to_string()),
    }
    let mut options = Options::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--spec" => {
                let path = args
                    .next()
                    .ok_or_else(|| format!("--spec needs a path\n{USAGE}"))?;
                options.spec = Some(PathBuf::from(path));
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn main() -> ExitCode {
    let mut task = std::env::args().skip(1);
    if task.next().as_deref() == Some("ci") {
        return ci::main(task, &workspace_root());
    }
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    match regen::run(&workspace_root(), &options) {
        Ok(result) => {
            print!("{}", result.log);
            if options.check && result.is_stale() {
                eprintln!("regen --check: stale: {}", result.stale.join(", "));
                ExitCode::FAILURE
            } else {
                if options.check {
                    println!("regen --check: generated files are fresh");
                }
                ExitCode::SUCCESS
            }
        }
        Err(RegenError::Generate { error, log }) => {
            print!("{log}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
