//! `filter-enum-names`: the filter enums are inline, so the generator would name them.
//!
//! **What the vendor says** (1.0.3): each filter's value list is written inline in the
//! parameter, so a generator names it after the operation (`ListEventsTypeItem`).
//!
//! **What we change**: each list moves to `components.schemas` under the name the SDK
//! promises — `EventTypeFilter`, `DetectionTypeFilter`, `ClientStatusFilter`,
//! `DeploymentStatusFilter` — and the parameter's items `$ref` it. These stay *closed*
//! enums: a request may only carry values the API documents.
//!
//! **Evidence**: the names are ours (the SDK contract); the values are the vendor's.

use serde_json::{json, Value};

use super::{
    moved, op_by_id_mut, param_mut, schemas, schemas_mut, Correction, CorrectionError, Outcome,
};

pub(super) const ID: &str = "filter-enum-names";

/// `(operationId, parameter, schema name, what it filters)`.
pub const NAMES: &[(&str, &str, &str, &str)] = &[
    (
        "list_clients",
        "status",
        "ClientStatusFilter",
        "client status",
    ),
    (
        "list_deployments",
        "status",
        "DeploymentStatusFilter",
        "deployment status",
    ),
    (
        "list_detections",
        "type",
        "DetectionTypeFilter",
        "detection type",
    ),
    ("list_events", "type", "EventTypeFilter", "event type"),
];

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "name the filter enums EventTypeFilter, DetectionTypeFilter, ClientStatusFilter, DeploymentStatusFilter",
    apply,
};

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let mut changed = false;
    for (op_id, name, schema_name, what) in NAMES {
        let target = format!("#/components/schemas/{schema_name}");
        let op = op_by_id_mut(ID, doc, op_id)?;
        let param = param_mut(ID, op, op_id, name)?;
        let items = param
            .get_mut("schema")
            .and_then(|s| s.get_mut("items"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| {
                moved(
                    ID,
                    format!("`{op_id}` parameter `{name}` has no array items"),
                )
            })?;
        match items.get("$ref").and_then(Value::as_str) {
            Some(r) if r == target => continue,
            Some(r) => {
                return Err(moved(
                    ID,
                    format!("`{op_id}` parameter `{name}` now refers to `{r}`, not `{target}`"),
                ))
            }
            None => {}
        }
        let values = items
            .get("enum")
            .cloned()
            .filter(Value::is_array)
            .ok_or_else(|| {
                moved(
                    ID,
                    format!("`{op_id}` parameter `{name}` items have no enum"),
                )
            })?;
        if items.get("type").and_then(Value::as_str) != Some("string") {
            return Err(moved(
                ID,
                format!("`{op_id}` parameter `{name}` items are not strings (run filters-as-string-enums first)"),
            ));
        }
        *items = serde_json::Map::from_iter([("$ref".to_string(), json!(target))]);
        if schemas(doc).is_some_and(|s| s.contains_key(*schema_name)) {
            return Err(moved(
                ID,
                format!("the document already defines `{schema_name}`"),
            ));
        }
        schemas_mut(ID, doc)?.insert(
            schema_name.to_string(),
            json!({
                "type": "string",
                "enum": values,
                "description": format!(
                    "A {what} to filter on, as documented. Closed: a request may only carry documented values (the response-side type is open)."
                ),
            }),
        );
        changed = true;
    }
    Ok(if changed {
        Outcome::Applied
    } else {
        Outcome::NoLongerNeeded
    })
}
