//! `operation-ids`: the vendor's operations have no `operationId`.
//!
//! **What the vendor says** (1.0.3): no operation carries an `operationId`; progenitor
//! refuses such a document and would otherwise have to invent names.
//!
//! **What we change**: each of the 16 GET operations gets a stable snake_case id —
//! `list_<resource>` for lists and `get_<resource>` for get-by-id — which become the
//! generated client's method names. A vendor id that differs from ours is overwritten
//! and kept in `x-neon-vendor-operation-id`.
//!
//! **Evidence**: the table below is the whole documented API (corrected paths). An
//! operation not in the table fails this correction, so a new vendor endpoint is noticed
//! and named here rather than getting an accidental name.

use serde_json::{json, Value};

use super::{moved, paths_mut, Correction, CorrectionError, Outcome};

pub(super) const ID: &str = "operation-ids";

/// `(path, operationId)` for every documented GET, after the path corrections.
pub const TABLE: &[(&str, &str)] = &[
    ("/v1/apps", "list_apps"),
    ("/v1/apps/{appId}", "get_app"),
    ("/v1/clients", "list_clients"),
    ("/v1/clients/{clientId}", "get_client"),
    ("/v1/deployments", "list_deployments"),
    ("/v1/deployments/{deploymentId}", "get_deployment"),
    ("/v1/detections", "list_detections"),
    ("/v1/detections/{detectionId}", "get_detection"),
    ("/v1/detections_pol", "list_detections_pol"),
    ("/v1/detections_pol/{detectionId}", "get_detection_pol"),
    ("/v1/events", "list_events"),
    ("/v1/events/{eventId}", "get_event"),
    ("/v1/policies", "list_policies"),
    ("/v1/policies/{policyId}", "get_policy"),
    ("/v1/registration", "list_registrations"),
    ("/v1/registration/{registrationId}", "get_registration"),
];

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary:
        "give the 16 GET operations stable snake_case operation ids (list_apps … get_registration)",
    apply,
};

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let paths = paths_mut(ID, doc)?;
    // Every documented operation must be in the table, and vice versa.
    for (path, item) in paths.iter() {
        let Some(item) = item.as_object() else {
            return Err(moved(ID, format!("path item `{path}` is not an object")));
        };
        for method in item.keys().filter(|k| super::is_http_method(k)) {
            if method != "get" || !TABLE.iter().any(|(p, _)| p == path) {
                return Err(moved(
                    ID,
                    format!(
                        "{} {path} is not in the operation id table",
                        method.to_uppercase()
                    ),
                ));
            }
        }
    }
    let mut changed = false;
    for (path, op_id) in TABLE {
        let op = paths
            .get_mut(*path)
            .and_then(|i| i.get_mut("get"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| moved(ID, format!("GET {path} is not documented")))?;
        match op.get("operationId").and_then(Value::as_str) {
            Some(existing) if existing == *op_id => {}
            Some(existing) => {
                let existing = existing.to_string();
                op.insert("x-neon-vendor-operation-id".into(), json!(existing));
                op.insert("operationId".into(), json!(op_id));
                changed = true;
            }
            None => {
                op.insert("operationId".into(), json!(op_id));
                changed = true;
            }
        }
    }
    Ok(if changed {
        Outcome::Applied
    } else {
        Outcome::NoLongerNeeded
    })
}
