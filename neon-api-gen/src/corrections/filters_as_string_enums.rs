//! `filters-as-string-enums`: the list filters are typed "Array of any".
//!
//! **What the vendor says** (1.0.3): `type` (events, detections) and `status` (clients,
//! deployments) are `type: array` whose `items` carry an `enum` but no `type` — rendered
//! "Array of any". A generator cannot make a typed parameter of that.
//!
//! **What we change**: the items become `type: string` (keeping the vendor's values), and
//! the parameter is declared `style: form, explode: true`: several values are sent as
//! repeated keys, `type=intel&type=phishing`.
//!
//! **Evidence**: every documented value is a string; the descriptions say "Specify array
//! of specific … to include"; repeated keys are OpenAPI's default for query arrays.

use serde_json::{json, Value};

use super::{moved, op_by_id_mut, param_mut, Correction, CorrectionError, Outcome};

pub(super) const ID: &str = "filters-as-string-enums";

/// `(operationId, parameter)` of every enum filter.
pub const FILTERS: &[(&str, &str)] = &[
    ("list_clients", "status"),
    ("list_deployments", "status"),
    ("list_detections", "type"),
    ("list_events", "type"),
];

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "filters typed \"Array of any\" become arrays of string enums sent as repeated keys",
    apply,
};

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let mut changed = false;
    for (op_id, name) in FILTERS {
        let op = op_by_id_mut(ID, doc, op_id)?;
        let param = param_mut(ID, op, op_id, name)?;
        let schema = param
            .get_mut("schema")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| moved(ID, format!("`{op_id}` parameter `{name}` has no schema")))?;
        if schema.get("type").and_then(Value::as_str) != Some("array") {
            return Err(moved(
                ID,
                format!("`{op_id}` parameter `{name}` is no longer an array"),
            ));
        }
        let items = schema
            .get_mut("items")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| moved(ID, format!("`{op_id}` parameter `{name}` has no items")))?;
        if items.contains_key("$ref") || items.get("type").and_then(Value::as_str) == Some("string")
        {
            continue;
        }
        if items.contains_key("type") {
            return Err(moved(
                ID,
                format!(
                    "`{op_id}` parameter `{name}` items have type {:?}",
                    items.get("type")
                ),
            ));
        }
        if !items.get("enum").is_some_and(Value::is_array) {
            return Err(moved(
                ID,
                format!("`{op_id}` parameter `{name}` items have no enum"),
            ));
        }
        items.insert("type".into(), json!("string"));
        param.insert("style".into(), json!("form"));
        param.insert("explode".into(), json!(true));
        changed = true;
    }
    Ok(if changed {
        Outcome::Applied
    } else {
        Outcome::NoLongerNeeded
    })
}
