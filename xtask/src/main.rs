//! `cargo xtask regen [--check] [--spec PATH]`: regenerates `spec/neon-api.json` and
//! `neon-api/src/generated.rs` from the vendor document.
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

mod ci;

use neon_api_gen::{changes, generate, GenError, GENERATED_PATH, SPEC_PATH, UPSTREAM_PATH};

const USAGE: &str = "usage: cargo xtask regen [--check] [--spec PATH]\n       cargo xtask ci [--list]";

struct Args {
    check: bool,
    spec: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("regen") => {}
        Some(other) => return Err(format!("unknown task `{other}`\n{USAGE}")),
        None => return Err(USAGE.to_string()),
    }
    let mut out = Args {
        check: false,
        spec: None,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => out.check = true,
            "--spec" => {
                let p = args
                    .next()
                    .ok_or_else(|| format!("--spec needs a path\n{USAGE}"))?;
                out.spec = Some(PathBuf::from(p));
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(out)
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
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let root = workspace_root();
    let upstream_path = args
        .spec
        .clone()
        .unwrap_or_else(|| root.join(UPSTREAM_PATH));
    let upstream = std::fs::read_to_string(&upstream_path)
        .map_err(|e| format!("reading {}: {e}", upstream_path.display()))?;
    println!("vendor document: {}", upstream_path.display());

    let generation = match generate(&upstream) {
        Ok(g) => g,
        Err(GenError::Correction { error, report }) => {
            print!("{report}");
            return Err(error.to_string());
        }
        Err(e) => return Err(e.to_string()),
    };
    print!("{}", generation.report);

    let spec_path = root.join(SPEC_PATH);
    let committed = std::fs::read_to_string(&spec_path).ok();
    match committed
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        Some(Ok(old)) => print!("{}", changes::diff(&old, &generation.spec)),
        Some(Err(e)) => println!("API changes: committed {SPEC_PATH} is not JSON ({e})"),
        None => println!("API changes: no committed {SPEC_PATH} yet"),
    }

    let outputs = [
        (SPEC_PATH, generation.spec_json.as_str()),
        (GENERATED_PATH, generation.source.as_str()),
    ];
    if args.check {
        let stale: Vec<&str> = outputs
            .iter()
            .filter(|(rel, content)| {
                std::fs::read_to_string(root.join(rel)).ok().as_deref() != Some(*content)
            })
            .map(|(rel, _)| *rel)
            .collect();
        if stale.is_empty() {
            println!("regen --check: generated files are fresh");
            return Ok(ExitCode::SUCCESS);
        }
        for rel in &stale {
            eprintln!("stale: {rel} differs from a fresh generation (run `cargo xtask regen`)");
        }
        return Ok(ExitCode::FAILURE);
    }
    for (rel, content) in outputs {
        let path = root.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(content) {
            println!("unchanged: {rel}");
        } else {
            std::fs::write(&path, content)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            println!("wrote: {rel}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
