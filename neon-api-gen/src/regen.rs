//! `cargo xtask regen` as a library function, so it is tested like everything else:
//! read the vendor document, generate, report, then write the outputs or (with
//! `check`) name the stale ones.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::{changes, generate, GenError, GENERATED_PATH, SPEC_PATH, UPSTREAM_PATH};

/// What to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Write nothing; report which outputs differ from a fresh generation.
    pub check: bool,
    /// Another vendor document instead of the committed [`UPSTREAM_PATH`].
    pub spec: Option<PathBuf>,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegenResult {
    /// Human-readable log: the vendor document, the correction report, the API changes,
    /// and what was written or is stale.
    pub log: String,
    /// Outputs (relative to the workspace root) that differ from a fresh generation.
    /// With `check` they are left alone; without, they have been rewritten.
    pub stale: Vec<&'static str>,
}

impl RegenResult {
    /// Whether `--check` should fail.
    pub fn is_stale(&self) -> bool {
        !self.stale.is_empty()
    }
}

/// Why regen could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegenError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Generation failed; `log` holds the correction report so far.
    #[error("{error}")]
    Generate {
        /// What failed.
        error: GenError,
        /// The log up to the failure (including the correction report).
        log: String,
    },
}

/// Runs regen in the workspace at `root`.
pub fn run(root: &Path, options: &Options) -> Result<RegenResult, RegenError> {
    let upstream_path = options
        .spec
        .clone()
        .unwrap_or_else(|| root.join(UPSTREAM_PATH));
    let upstream = std::fs::read_to_string(&upstream_path).map_err(|source| RegenError::Io {
        path: upstream_path.clone(),
        source,
    })?;
    let mut log = format!("vendor document: {}\n", upstream_path.display());

    let generation = match generate(&upstream) {
        Ok(g) => g,
        Err(GenError::Correction { error, report }) => {
            let _ = write!(log, "{report}");
            return Err(RegenError::Generate {
                error: GenError::Correction { error, report },
                log,
            });
        }
        Err(error) => return Err(RegenError::Generate { error, log }),
    };
    let _ = write!(log, "{}", generation.report);

    let committed_spec = std::fs::read_to_string(root.join(SPEC_PATH)).ok();
    match committed_spec
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        Some(Ok(old)) => {
            let _ = write!(log, "{}", changes::diff(&old, &generation.spec));
        }
        Some(Err(e)) => {
            let _ = writeln!(log, "API changes: committed {SPEC_PATH} is not JSON ({e})");
        }
        None => {
            let _ = writeln!(log, "API changes: no committed {SPEC_PATH} yet");
        }
    }

    let outputs = [
        (SPEC_PATH, generation.spec_json.as_str()),
        (GENERATED_PATH, generation.source.as_str()),
    ];
    let mut result = RegenResult::default();
    for (rel, content) in outputs {
        let path = root.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(content) {
            let _ = writeln!(log, "fresh: {rel}");
            continue;
        }
        result.stale.push(rel);
        if options.check {
            let _ = writeln!(
                log,
                "stale: {rel} differs from a fresh generation (run `cargo xtask regen`)"
            );
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|source| RegenError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(&path, content).map_err(|source| RegenError::Io {
                path: path.clone(),
                source,
            })?;
            let _ = writeln!(log, "wrote: {rel}");
        }
    }
    result.log = log;
    Ok(result)
}
