//! `open-response-enums`: response enums must survive values the vendor adds later.
//!
//! **What the vendor says** (1.0.3): event types, detection types, client and
//! deployment statuses are listed as the *filter* values ("Items Enum: …"); the server
//! is free to send others ("expect others" — and a closed enum would fail the whole page
//! on the first new value).
//!
//! **What we change**: the record fields `Event.event_type`, `Detection.detection_type`,
//! `Client.status`, `Deployment.status` refer to the named string enums `EventType`,
//! `DetectionType`, `ClientStatus`, `DeploymentStatus`, whose known values are the
//! vendor's filter values, marked `x-neon-open-enum: true`. The generator turns every
//! schema so marked into an enum with an `Unknown(String)` variant (see
//! `neon_api_gen::open_enum`). Request-side filters stay closed.
//!
//! **Evidence**: the documented value lists; the observed-fields note "expect others".

use serde_json::{json, Value};

use super::{moved, schemas, schemas_mut, Correction, CorrectionError, Outcome};

pub(super) const ID: &str = "open-response-enums";

/// `(record, field, open enum, filter enum whose values are the known ones, what)`.
pub const OPEN_ENUMS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Event",
        "event_type",
        "EventType",
        "EventTypeFilter",
        "event type",
    ),
    (
        "Detection",
        "detection_type",
        "DetectionType",
        "DetectionTypeFilter",
        "detection type",
    ),
    (
        "Client",
        "status",
        "ClientStatus",
        "ClientStatusFilter",
        "client status",
    ),
    (
        "Deployment",
        "status",
        "DeploymentStatus",
        "DeploymentStatusFilter",
        "deployment status",
    ),
];

/// The extension marking a string enum as open.
pub const MARK: &str = "x-neon-open-enum";

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "make EventType, DetectionType, ClientStatus, DeploymentStatus open enums (unknown values kept)",
    apply,
};

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let all = schemas(doc).cloned().unwrap_or_default();
    let mut todo = Vec::new();
    for (record, field, name, filter, _) in OPEN_ENUMS {
        let prop = all
            .get(*record)
            .and_then(|r| r.pointer(&format!("/properties/{field}")))
            .ok_or_else(|| moved(ID, format!("no schema property `{record}.{field}`")))?;
        let target = format!("#/components/schemas/{name}");
        let already_open = prop.get("$ref").and_then(Value::as_str) == Some(target.as_str())
            && all.get(*name).and_then(|s| s.get(MARK)) == Some(&json!(true));
        if already_open {
            continue;
        }
        if prop
            .get("$ref")
            .is_some_and(|r| r.as_str() != Some(target.as_str()))
        {
            return Err(moved(
                ID,
                format!(
                    "`{record}.{field}` refers to {:?}, not `{target}`",
                    prop.get("$ref")
                ),
            ));
        }
        let values = all
            .get(*filter)
            .and_then(|f| f.get("enum"))
            .filter(|v| v.is_array())
            .ok_or_else(|| {
                moved(
                    ID,
                    format!("no filter enum `{filter}` to take the known values from"),
                )
            })?;
        todo.push((*record, *field, *name, values.clone()));
    }
    if todo.is_empty() {
        return Ok(Outcome::NoLongerNeeded);
    }
    let out = schemas_mut(ID, doc)?;
    for (record, field, name, values) in todo {
        let what = OPEN_ENUMS
            .iter()
            .find(|e| e.2 == name)
            .map_or("value", |e| e.4);
        out.insert(
            name.to_string(),
            json!({
                "type": "string",
                "enum": values,
                MARK: true,
                "description": format!(
                    "The {what} of a record. Open: the known values are the documented ones, and a value the server adds later decodes as `Unknown` keeping the string."
                ),
            }),
        );
        if let Some(props) = out
            .get_mut(record)
            .and_then(|r| r.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            props.insert(
                field.to_string(),
                json!({"$ref": format!("#/components/schemas/{name}")}),
            );
        }
    }
    Ok(Outcome::Applied)
}
