//! `record-schemas`: the vendor publishes no record schemas.
//!
//! **What the vendor says** (1.0.3): every response is `{"error": null, "data": [ ]}` —
//! an envelope whose `data` is an untyped array (lists, and PoL by detection id) or an
//! untyped object (other get-by-id). Nothing says what a record holds.
//!
//! **What we change**: `components.schemas` gets the 8 records (`App`, `Client`,
//! `Deployment`, `Detection`, `Event`, `Policy`, `Registration`, `PolEntry`, plus
//! `EventExtension` for the camelCase objects in platform events) and one envelope per
//! response shape (`EventListResponse`, `EventResponse`, …, `PolEntryListResponse` for
//! both PoL operations); each operation's 200 response refers to its envelope.
//! Every field is optional and nullable, ids are `format: uuid`, timestamps
//! `format: date-time`, coordinates `type: number` (an integer `0` occurs), and no schema
//! says `additionalProperties: false`: the server may add, omit or null any field.
//! Records nothing public describes say "inferred" in their description.
//!
//! **Evidence**: `spec/CORRECTIONS.md` § record-schemas — fields observed by a SIEM
//! integration that polls `/v1/events` and `/v1/detections`, and the vendor's prose for
//! the other resources.

use serde_json::{json, Map, Value};

use super::{moved, op_by_id_mut, schemas, schemas_mut, Correction, CorrectionError, Outcome};
use crate::records;

pub(super) const ID: &str = "record-schemas";

/// `(operationId, envelope schema, record schema, data is an array)`.
pub const RESPONSES: &[(&str, &str, &str, bool)] = &[
    ("list_apps", "AppListResponse", "App", true),
    ("get_app", "AppResponse", "App", false),
    ("list_clients", "ClientListResponse", "Client", true),
    ("get_client", "ClientResponse", "Client", false),
    (
        "list_deployments",
        "DeploymentListResponse",
        "Deployment",
        true,
    ),
    ("get_deployment", "DeploymentResponse", "Deployment", false),
    (
        "list_detections",
        "DetectionListResponse",
        "Detection",
        true,
    ),
    ("get_detection", "DetectionResponse", "Detection", false),
    (
        "list_detections_pol",
        "PolEntryListResponse",
        "PolEntry",
        true,
    ),
    (
        "get_detection_pol",
        "PolEntryListResponse",
        "PolEntry",
        true,
    ),
    ("list_events", "EventListResponse", "Event", true),
    ("get_event", "EventResponse", "Event", false),
    ("list_policies", "PolicyListResponse", "Policy", true),
    ("get_policy", "PolicyResponse", "Policy", false),
    (
        "list_registrations",
        "RegistrationListResponse",
        "Registration",
        true,
    ),
    (
        "get_registration",
        "RegistrationResponse",
        "Registration",
        false,
    ),
];

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "add the 8 record schemas and their envelopes (all fields optional, nullable, unknown fields tolerated)",
    apply,
};

/// Whether the vendor's `data` schema already describes its records.
fn data_is_typed(data: &Value) -> bool {
    if data.get("$ref").is_some() {
        return true;
    }
    match data.get("type").and_then(Value::as_str) {
        Some("array") => data
            .get("items")
            .is_some_and(|i| i.get("$ref").is_some() || i.get("properties").is_some()),
        Some("object") => data.get("properties").is_some(),
        _ => false,
    }
}

fn json_schema_of_200<'a>(
    op: &'a mut Map<String, Value>,
    op_id: &str,
) -> Result<&'a mut Value, CorrectionError> {
    op.get_mut("responses")
        .and_then(|r| r.get_mut("200"))
        .and_then(|r| r.get_mut("content"))
        .and_then(|c| c.get_mut("application/json"))
        .and_then(|c| c.get_mut("schema"))
        .ok_or_else(|| moved(ID, format!("`{op_id}` has no 200 application/json schema")))
}

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    // Check all targets before changing anything.
    let mut untyped = Vec::new();
    for (op_id, _, _, is_list) in RESPONSES {
        let op = op_by_id_mut(ID, doc, op_id)?;
        let schema = json_schema_of_200(op, op_id)?;
        if schema.get("$ref").is_some() {
            continue;
        }
        let data = schema.pointer("/properties/data").ok_or_else(|| {
            moved(
                ID,
                format!("`{op_id}`'s 200 body has no `data` envelope field"),
            )
        })?;
        if data_is_typed(data) {
            continue;
        }
        let shape = data.get("type").and_then(Value::as_str);
        if shape != Some(if *is_list { "array" } else { "object" }) {
            return Err(moved(
                ID,
                format!(
                    "`{op_id}`'s `data` is {shape:?}, expected {}",
                    if *is_list { "an array" } else { "an object" }
                ),
            ));
        }
        untyped.push(*op_id);
    }
    if untyped.is_empty() {
        return Ok(Outcome::NoLongerNeeded);
    }
    let defined = records::definitions();
    if let Some(existing) = schemas(doc) {
        if let Some(clash) = defined.keys().find(|k| existing.contains_key(*k)) {
            return Err(moved(
                ID,
                format!("the vendor now defines a schema `{clash}`; compare it with ours"),
            ));
        }
    }
    for (op_id, envelope, record, is_list) in RESPONSES {
        if !untyped.contains(op_id) {
            continue;
        }
        let op = op_by_id_mut(ID, doc, op_id)?;
        *json_schema_of_200(op, op_id)? =
            json!({ "$ref": format!("#/components/schemas/{envelope}") });
        let out = schemas_mut(ID, doc)?;
        if !out.contains_key(*envelope) {
            out.insert(envelope.to_string(), records::envelope(record, *is_list));
        }
    }
    let out = schemas_mut(ID, doc)?;
    for (name, schema) in defined {
        out.insert(name, schema);
    }
    Ok(Outcome::Applied)
}
