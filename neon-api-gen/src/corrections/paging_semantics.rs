//! `paging-semantics`: `limit`, `start`, `end` and `sort` are documented in four words each.
//!
//! **What the vendor says** (1.0.3): "max records to return", "Start records at position"
//! (example `start=1`), "End records at position" (example `end=10`), "Sort results by
//! updated time ascending (asc) or default descending (desc)" typed as a free string.
//!
//! **What we change**: the descriptions say what a client must know — `start` is the
//! 1-based position of the first record (so page *n+1* starts at `start + received`),
//! `end` is the inclusive position of the last record and may be ignored by a server,
//! `limit` may be clamped by the server (a short page is not the end), `sort` orders by
//! `updated_at` with ties broken by id. `sort` becomes the closed enum `SortOrder`
//! (`asc`, `desc`). Each list operation gets `x-neon-paging` stating the same facts as
//! data, for the ext client and the simulator.
//!
//! **Evidence**: the vendor's examples (`start=1`, `end=10`, `limit=100`) and its sort
//! sentence; the rest is the SDK's documented interpretation, kept in one place.
//! No longer needed when the vendor types `sort` as `asc`/`desc` *and* explains `start`.

use serde_json::{json, Value};

use super::{moved, op_by_id_mut, param_mut, schemas_mut, Correction, CorrectionError, Outcome};

pub(super) const ID: &str = "paging-semantics";

/// Every list operation (they all take the four paging parameters).
pub const LIST_OPERATIONS: &[&str] = &[
    "list_apps",
    "list_clients",
    "list_deployments",
    "list_detections",
    "list_detections_pol",
    "list_events",
    "list_policies",
    "list_registrations",
];

const VENDOR_START: &str = "Start records at position";

const LIMIT: &str = "Maximum number of records to return in this page. A server may clamp it to its own maximum page size, so a page shorter than `limit` does not mean the listing has ended; an empty page does.";
const START: &str = "Position of the first record to return, 1-based as documented (`start=1` is the first record). The next page starts at `start` + the number of records received.";
const END: &str = "Position of the last record to return, inclusive. A server may ignore it; page with `start` and `limit` instead.";
const SORT: &str = "Order of the records by `updated_at`: `asc`, or `desc` (the default). Ties are broken by record id.";

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "write down start (1-based) / end (inclusive) / limit (may be clamped) / sort (asc|desc by updated_at)",
    apply,
};

fn sort_is_typed(
    op: &mut serde_json::Map<String, Value>,
    op_id: &str,
) -> Result<bool, CorrectionError> {
    let sort = param_mut(ID, op, op_id, "sort")?;
    let schema = sort.get("schema").cloned().unwrap_or(Value::Null);
    Ok(schema.get("$ref").is_some()
        || schema.get("enum") == Some(&json!(["asc", "desc"]))
        || schema.get("enum") == Some(&json!(["desc", "asc"])))
}

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    // Check every target first, so nothing is half-done when one moved.
    let mut all_fixed = true;
    for op_id in LIST_OPERATIONS {
        let op = op_by_id_mut(ID, doc, op_id)?;
        for name in ["limit", "start", "end"] {
            let p = param_mut(ID, op, op_id, name)?;
            if schema_type(p) != Some("integer") {
                return Err(moved(
                    ID,
                    format!("`{op_id}` parameter `{name}` is no longer an integer"),
                ));
            }
        }
        let start_desc = param_mut(ID, op, op_id, "start")?
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !sort_is_typed(op, op_id)? || start_desc == VENDOR_START {
            all_fixed = false;
        }
    }
    if all_fixed {
        return Ok(Outcome::NoLongerNeeded);
    }
    for op_id in LIST_OPERATIONS {
        let op = op_by_id_mut(ID, doc, op_id)?;
        for (name, text) in [
            ("limit", LIMIT),
            ("start", START),
            ("end", END),
            ("sort", SORT),
        ] {
            param_mut(ID, op, op_id, name)?.insert("description".into(), json!(text));
        }
        param_mut(ID, op, op_id, "sort")?.insert(
            "schema".into(),
            json!({"$ref": "#/components/schemas/SortOrder"}),
        );
        op.insert(
            "x-neon-paging".into(),
            json!({
                "start_base": 1,
                "end_inclusive": true,
                "end_may_be_ignored": true,
                "limit_may_be_clamped": true,
                "sort_key": "updated_at",
                "sort_default": "desc",
                "tie_break": "id",
            }),
        );
    }
    schemas_mut(ID, doc)?.insert(
        "SortOrder".into(),
        json!({
            "type": "string",
            "enum": ["asc", "desc"],
            "description": "Order of a listing by `updated_at` (ties broken by id); the server's default is `desc`.",
        }),
    );
    Ok(Outcome::Applied)
}

/// The `type` of a parameter's schema.
fn schema_type(param: &serde_json::Map<String, Value>) -> Option<&str> {
    param
        .get("schema")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
}
