//! Named corrections to the vendor's document.
//!
//! The vendor publishes its OpenAPI document with mistakes (a misfiled operation, two
//! spellings of one path, untyped filters, no operation ids, no record schemas, typos).
//! Each mistake is corrected by one small unit in this module, in the order of
//! [`ALL`]. Every unit first checks its target:
//!
//! - the mistake is there: it corrects it and reports [`Outcome::Applied`];
//! - the vendor already fixed it: it changes nothing and reports [`Outcome::NoLongerNeeded`],
//!   so a spec bump tells us which corrections to delete;
//! - the target is neither wrong as expected nor fixed (it moved, was renamed, changed
//!   shape): it fails with [`CorrectionError::TargetMoved`] naming itself, because a
//!   correction that silently does nothing is a bug.
//!
//! `spec/CORRECTIONS.md` documents every id with its evidence.

mod filter_enum_names;
mod filters_as_string_enums;
mod open_response_enums;
mod operation_ids;
mod paging_semantics;
mod pol_by_id_spelling;
mod record_schemas;
mod registration_by_id_path;
mod typos;

pub use open_response_enums::MARK as OPEN_ENUM_MARK;
pub use operation_ids::TABLE as OPERATION_IDS;

use std::fmt;

use serde_json::{Map, Value};

/// What a correction did to the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The mistake was present and has been corrected.
    Applied,
    /// The vendor's document is already right here: the correction changed nothing and
    /// can be deleted.
    NoLongerNeeded,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Applied => "applied",
            Outcome::NoLongerNeeded => "no longer needed",
        })
    }
}

/// Why a correction could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorrectionError {
    /// The part of the document the correction targets is neither the documented
    /// mistake nor its fix: someone has to look at the new vendor document.
    #[error("correction `{id}` failed: its target moved: {detail}")]
    TargetMoved {
        /// The correction's stable id (see `spec/CORRECTIONS.md`).
        id: &'static str,
        /// What was expected and what was found.
        detail: String,
    },
}

impl CorrectionError {
    /// The id of the correction that failed.
    pub fn id(&self) -> &'static str {
        match self {
            CorrectionError::TargetMoved { id, .. } => id,
        }
    }
}

/// One named correction: a stable id, a one-line summary and the function applying it.
#[derive(Clone, Copy)]
pub struct Correction {
    /// Stable id, used in reports, tests and `spec/CORRECTIONS.md`.
    pub id: &'static str,
    /// One line: what is changed.
    pub summary: &'static str,
    /// Checks the target, then corrects the document in place.
    pub apply: fn(&mut Value) -> Result<Outcome, CorrectionError>,
}

impl fmt::Debug for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Correction").field("id", &self.id).finish()
    }
}

/// Every correction, in the order they are applied (later ones rely on earlier ones:
/// operation ids need the corrected paths; record enums need the record schemas).
pub const ALL: &[Correction] = &[
    registration_by_id_path::CORRECTION,
    pol_by_id_spelling::CORRECTION,
    operation_ids::CORRECTION,
    filters_as_string_enums::CORRECTION,
    filter_enum_names::CORRECTION,
    paging_semantics::CORRECTION,
    record_schemas::CORRECTION,
    open_response_enums::CORRECTION,
    typos::CORRECTION,
];

/// Looks a correction up by id.
pub fn by_id(id: &str) -> Option<&'static Correction> {
    ALL.iter().find(|c| c.id == id)
}

/// The result of one correction in a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The correction ran.
    Done(Outcome),
    /// The correction failed; the document is not usable.
    Failed(CorrectionError),
    /// Not run because an earlier correction failed.
    Skipped,
}

/// What every correction did in one run, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// `(id, status)` in application order.
    pub entries: Vec<(&'static str, Status)>,
}

impl Report {
    /// The first failure, if any.
    pub fn failure(&self) -> Option<&CorrectionError> {
        self.entries.iter().find_map(|(_, s)| match s {
            Status::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// The status of the correction `id` in this run.
    pub fn status(&self, id: &str) -> Option<&Status> {
        self.entries.iter().find(|(i, _)| *i == id).map(|(_, s)| s)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "corrections:")?;
        for (id, status) in &self.entries {
            match status {
                Status::Done(o) => writeln!(f, "  {id:<28} {o}")?,
                Status::Failed(e) => writeln!(f, "  {id:<28} FAILED: {e}")?,
                Status::Skipped => {
                    writeln!(f, "  {id:<28} skipped (an earlier correction failed)")?
                }
            }
        }
        Ok(())
    }
}

/// Applies [`ALL`] in order to `doc`, stopping at the first failure (later corrections
/// build on earlier ones, so running them on a half-corrected document would only add
/// confusing failures).
pub fn apply_all(doc: &mut Value) -> Report {
    let mut report = Report::default();
    let mut failed = false;
    for c in ALL {
        if failed {
            report.entries.push((c.id, Status::Skipped));
            continue;
        }
        match (c.apply)(doc) {
            Ok(o) => report.entries.push((c.id, Status::Done(o))),
            Err(e) => {
                failed = true;
                report.entries.push((c.id, Status::Failed(e)));
            }
        }
    }
    report
}

// ---- helpers shared by the corrections -------------------------------------------------

/// Shorthand for the error of correction `id`.
pub(crate) fn moved(id: &'static str, detail: impl Into<String>) -> CorrectionError {
    CorrectionError::TargetMoved {
        id,
        detail: detail.into(),
    }
}

/// The `paths` object, or the correction fails.
pub(crate) fn paths_mut<'a>(
    id: &'static str,
    doc: &'a mut Value,
) -> Result<&'a mut Map<String, Value>, CorrectionError> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| moved(id, "the document has no `paths` object"))
}

/// `components.schemas`, created when missing.
pub(crate) fn schemas_mut<'a>(
    id: &'static str,
    doc: &'a mut Value,
) -> Result<&'a mut Map<String, Value>, CorrectionError> {
    let root = doc
        .as_object_mut()
        .ok_or_else(|| moved(id, "the document is not a JSON object"))?;
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| moved(id, "`components` is not an object"))?;
    components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| moved(id, "`components.schemas` is not an object"))
}

/// `components.schemas`, read-only (empty when missing).
pub(crate) fn schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// Every `(path, method, operation)` in document order.
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if let Some(item) = item.as_object() {
                for (method, op) in item {
                    if is_http_method(method) {
                        out.push((path.clone(), method.clone(), op));
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn is_http_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// The operation whose `operationId` is `op_id`, mutable.
pub(crate) fn op_by_id_mut<'a>(
    id: &'static str,
    doc: &'a mut Value,
    op_id: &str,
) -> Result<&'a mut Map<String, Value>, CorrectionError> {
    let paths = paths_mut(id, doc)?;
    for item in paths.values_mut() {
        if let Some(item) = item.as_object_mut() {
            for (method, op) in item.iter_mut() {
                if is_http_method(method)
                    && op.get("operationId").and_then(Value::as_str) == Some(op_id)
                {
                    if let Some(op) = op.as_object_mut() {
                        return Ok(op);
                    }
                }
            }
        }
    }
    Err(moved(id, format!("no operation has operationId `{op_id}`")))
}

/// The query or path parameter `name` of an operation, mutable.
pub(crate) fn param_mut<'a>(
    id: &'static str,
    op: &'a mut Map<String, Value>,
    op_id: &str,
    name: &str,
) -> Result<&'a mut Map<String, Value>, CorrectionError> {
    op.get_mut("parameters")
        .and_then(Value::as_array_mut)
        .and_then(|ps| {
            ps.iter_mut()
                .filter_map(Value::as_object_mut)
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        })
        .ok_or_else(|| moved(id, format!("operation `{op_id}` has no parameter `{name}`")))
}

/// Moves the GET operation at `from` to `to` (removing `from` when it is left empty).
pub(crate) fn move_get(
    id: &'static str,
    doc: &mut Value,
    from: &str,
    to: &str,
) -> Result<Map<String, Value>, CorrectionError> {
    let paths = paths_mut(id, doc)?;
    let item = paths
        .get_mut(from)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| moved(id, format!("no path `{from}`")))?;
    let op = item
        .remove("get")
        .ok_or_else(|| moved(id, format!("no GET at `{from}`")))?;
    if !item.keys().any(|k| is_http_method(k)) {
        paths.remove(from);
    }
    let op = match op {
        Value::Object(m) => m,
        _ => return Err(moved(id, format!("GET `{from}` is not an object"))),
    };
    paths
        .entry(to.to_string())
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| moved(id, format!("path item `{to}` is not an object")))?
        .insert("get".into(), Value::Object(op.clone()));
    Ok(op)
}

/// Records the other spelling of a path on an operation: as data
/// (`x-neon-alternate-paths`, `x-neon-published-path`) for the ext client and the
/// simulator, and in the description, which becomes the generated method's rustdoc.
pub(crate) fn record_alternate(op: &mut Map<String, Value>, alternate: &str, published: &str) {
    op.insert(
        "x-neon-alternate-paths".into(),
        Value::from(vec![alternate]),
    );
    op.insert("x-neon-published-path".into(), Value::from(published));
    let note = if alternate == published {
        format!("\n\nThe vendor's document spells it `{published}`; a server may route that spelling instead (see `x-neon-alternate-paths`).")
    } else {
        format!("\n\nThe vendor's document shows `{published}`; a server may route the other spelling `{alternate}` (see `x-neon-alternate-paths`).")
    };
    let description = op
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    op.insert("description".into(), Value::String(description + &note));
}

/// Replaces the curl sample's URL path (the vendor's `x-codeSamples`) with `path`,
/// written with `<param>` placeholders as the vendor does.
pub(crate) fn set_curl_path(op: &mut Map<String, Value>, path: &str) {
    let shown = path.replace('{', "<").replace('}', ">");
    if let Some(samples) = op.get_mut("x-codeSamples").and_then(Value::as_array_mut) {
        for s in samples.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(src) = s.get("source").and_then(Value::as_str) {
                let fixed = rewrite_curl(src, &shown);
                s.insert("source".into(), Value::String(fixed));
            }
        }
    }
}

fn rewrite_curl(src: &str, shown: &str) -> String {
    const HOST: &str = "https://api.neoncyber.io";
    match src.find(HOST) {
        Some(at) => {
            let start = at + HOST.len();
            let end = src[start..]
                .find(char::is_whitespace)
                .map_or(src.len(), |e| start + e);
            format!("{}{}{}", &src[..start], shown, &src[end..])
        }
        None => src.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_samples_get_the_new_path_with_placeholders() {
        assert_eq!(
            rewrite_curl(
                "curl -X GET https://api.neoncyber.io/v1/policies/<policyId> \\\n      -H 'Authorization: <token>'",
                "/v1/registration/<registrationId>"
            ),
            "curl -X GET https://api.neoncyber.io/v1/registration/<registrationId> \\\n      -H 'Authorization: <token>'"
        );
        assert_eq!(rewrite_curl("no host here", "/x"), "no host here");
    }

    #[test]
    fn every_correction_has_a_unique_kebab_case_id() {
        let mut ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        assert!(ids
            .iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
        assert_eq!(by_id("typos").map(|c| c.id), Some("typos"));
        assert!(by_id("nope").is_none());
    }
}
