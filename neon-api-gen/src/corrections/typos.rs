//! `typos`: spelling mistakes in the vendor's prose.
//!
//! **What the vendor says** (1.0.3): "investiation", "occured", "supressed", "what lead
//! to the detection", "At their post basic", "what we can can see", "a better understand
//! of", "mostly likely", "we think its important", "with you API key".
//!
//! **What we change**: each is replaced, at its exact place, by the intended text — they
//! end up in the generated rustdoc.
//!
//! **Evidence**: ordinary English. Each entry checks its own place: the typo there →
//! fixed; the fix already there → nothing to do; neither → the text was rewritten and
//! this correction fails naming the place.

use serde_json::Value;

use super::{moved, Correction, CorrectionError, Outcome};

pub(super) const ID: &str = "typos";

/// Where a piece of prose lives.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    /// `info.description`.
    Info,
    /// The description of the tag with this name.
    Tag(&'static str),
    /// The description of the operation with this id.
    Operation(&'static str),
    /// The description of this security scheme.
    SecurityScheme(&'static str),
}

/// `(place, typo, fix)`.
pub const TYPOS: &[(Place, &str, &str)] = &[
    (Place::Info, "At their post basic", "At their most basic"),
    (Place::Info, "what we can can see", "what we can see"),
    (
        Place::Info,
        "a better understand of",
        "a better understanding of",
    ),
    (Place::Info, "mostly likely", "most likely"),
    (
        Place::Info,
        "we think its important",
        "we think it's important",
    ),
    (Place::Info, "supressed", "suppressed"),
    (Place::Info, "with you API key", "with your API key"),
    (
        Place::Tag("Detections"),
        "require investiation",
        "require investigation",
    ),
    (
        Place::Tag("DetectionsPol"),
        "what lead to the detection",
        "what led to the detection",
    ),
    (
        Place::Operation("list_detections_pol"),
        "the detection occured",
        "the detection occurred",
    ),
    (
        Place::SecurityScheme("api_key"),
        "with you API key",
        "with your API key",
    ),
];

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "fix spelling in the vendor's prose (investiation, occured, supressed, lead to, …)",
    apply,
};

fn text_mut(doc: &mut Value, place: Place) -> Option<&mut Value> {
    match place {
        Place::Info => doc.pointer_mut("/info/description"),
        Place::Tag(name) => doc
            .get_mut("tags")?
            .as_array_mut()?
            .iter_mut()
            .find(|t| t.get("name").and_then(Value::as_str) == Some(name))?
            .get_mut("description"),
        Place::Operation(op_id) => doc
            .get_mut("paths")?
            .as_object_mut()?
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(op_id))?
            .get_mut("description"),
        Place::SecurityScheme(name) => {
            doc.pointer_mut(&format!("/components/securitySchemes/{name}/description"))
        }
    }
}

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    // Check every place first, so a failure leaves nothing half-done.
    let mut fixes = Vec::new();
    for (place, typo, fix) in TYPOS {
        let text = text_mut(doc, *place)
            .and_then(|v| v.as_str())
            .ok_or_else(|| moved(ID, format!("no description at {place:?}")))?;
        if text.contains(typo) {
            fixes.push((*place, *typo, *fix));
        } else if !text.contains(fix) {
            return Err(moved(
                ID,
                format!("{place:?} contains neither {typo:?} nor {fix:?}: the text was rewritten"),
            ));
        }
    }
    if fixes.is_empty() {
        return Ok(Outcome::NoLongerNeeded);
    }
    for (place, typo, fix) in fixes {
        if let Some(v) = text_mut(doc, place) {
            if let Some(s) = v.as_str() {
                *v = Value::String(s.replace(typo, fix));
            }
        }
    }
    Ok(Outcome::Applied)
}
