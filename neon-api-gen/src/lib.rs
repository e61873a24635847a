//! Turns the Neon Cyber Developer API document, as the vendor publishes it, into the
//! `neon-api` crate.
//!
//! The pipeline, run by `cargo xtask regen` and by the tests:
//!
//! 1. [`corrections`]: named fixes of the vendor's mistakes, each reporting whether it
//!    applied, is no longer needed, or lost its target;
//! 2. [`validate`]: the corrected document is checked (3.0.x, unique operation ids,
//!    every `$ref` resolves, unknown fields tolerated);
//! 3. [`codegen`]: progenitor (builder interface) generates the client, [`open_enum`]
//!    adds forward-compatible response enums, prettyplease formats it.
//!
//! The output is deterministic: the same input gives the same bytes.

pub mod canonical;
pub mod changes;
pub mod codegen;
pub mod corrections;
pub mod open_enum;
mod records;
pub mod regen;
pub mod validate;

use serde_json::Value;

/// The vendor document regen reads by default (relative to the workspace root).
pub const UPSTREAM_PATH: &str = "spec/upstream/neon-cyber-developer-api-1.0.3.json";
/// The corrected document regen writes.
pub const SPEC_PATH: &str = "spec/neon-api.json";
/// The generated source regen writes.
pub const GENERATED_PATH: &str = "neon-api/src/generated.rs";

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenError {
    /// The vendor document is not JSON.
    #[error("the vendor document is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// A correction lost its target; the report says which and what ran.
    #[error("{error}")]
    Correction {
        /// The failure.
        error: corrections::CorrectionError,
        /// Every correction's status in this run.
        report: corrections::Report,
    },
    /// The corrected document breaks a rule.
    #[error("the corrected document is invalid:\n{}", .0.iter().map(|e| format!("  - {}", e.0)).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<validate::ValidationError>),
    /// The corrected document does not parse as OpenAPI 3.0.
    #[error("the corrected document is not OpenAPI 3.0: {0}")]
    NotOpenApi(#[source] serde_json::Error),
    /// progenitor refused the document.
    #[error("progenitor: {0}")]
    Progenitor(String),
    /// An open-enum replacement would not apply.
    #[error("open enum replacement: {0}")]
    Replacement(String),
    /// The generated tokens did not parse (a generator bug).
    #[error("generated code does not parse: {0}")]
    Syntax(String),
}

/// Everything one run produces.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The corrected document.
    pub spec: Value,
    /// Its committed byte form ([`canonical::to_canonical_string`]).
    pub spec_json: String,
    /// The formatted Rust source of `neon-api/src/generated.rs`.
    pub source: String,
    /// What each correction did.
    pub report: corrections::Report,
}

/// Applies the corrections to the vendor document and validates the result.
pub fn correct(upstream: &Value) -> Result<(Value, corrections::Report), GenError> {
    let mut doc = upstream.clone();
    let report = corrections::apply_all(&mut doc);
    if let Some(error) = report.failure() {
        return Err(GenError::Correction {
            error: error.clone(),
            report,
        });
    }
    canonical::sort_keys(&mut doc);
    validate::validate(&doc).map_err(GenError::Invalid)?;
    Ok((doc, report))
}

/// The whole pipeline, from the vendor document's text.
pub fn generate(upstream_text: &str) -> Result<Generation, GenError> {
    let upstream: Value = serde_json::from_str(upstream_text).map_err(GenError::NotJson)?;
    let (spec, report) = correct(&upstream)?;
    let source = codegen::render(&spec)?;
    Ok(Generation {
        spec_json: canonical::to_canonical_string(&spec),
        spec,
        source,
        report,
    })
}
