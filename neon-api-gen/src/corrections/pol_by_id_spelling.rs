//! `pol-by-id-spelling`: the pattern-of-life paths are spelled two ways.
//!
//! **What the vendor says** (1.0.3): the list is `GET /v1/detections_pol` but the get by
//! detection id is `GET /v1/detectionspol/{detectionId}` (no underscore).
//!
//! **What we change**: the get-by-id moves to the canonical
//! `/v1/detections_pol/{detectionId}` (the list's spelling, like every other resource)
//! and `x-neon-alternate-paths` records `/v1/detectionspol/{detectionId}` — the published
//! spelling, which a client may fall back to when the canonical route answers 404
//! without an envelope.
//!
//! **Evidence**: every other get-by-id is `<list path>/{id}`; the tag is one resource
//! (`DetectionsPol`); which spelling the live server routes is not published, hence the
//! recorded alternate.

use serde_json::Value;

use super::{
    move_get, moved, operations, paths_mut, set_curl_path, Correction, CorrectionError, Outcome,
};

pub(super) const ID: &str = "pol-by-id-spelling";
/// The canonical path we serve and call.
pub const CANONICAL: &str = "/v1/detections_pol/{detectionId}";
/// The vendor's published spelling, kept as the alternate.
pub const ALTERNATE: &str = "/v1/detectionspol/{detectionId}";

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "PoL by detection id: /v1/detectionspol/{detectionId} -> /v1/detections_pol/{detectionId}, other spelling recorded",
    apply,
};

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let ops = operations(doc);
    let has = |p: &str| ops.iter().any(|(path, m, _)| m == "get" && path == p);
    match (has(ALTERNATE), has(CANONICAL)) {
        (false, true) => Ok(Outcome::NoLongerNeeded),
        (true, false) => {
            let mut op = move_get(ID, doc, ALTERNATE, CANONICAL)?;
            super::record_alternate(&mut op, ALTERNATE, ALTERNATE);
            set_curl_path(&mut op, CANONICAL);
            if let Some(item) = paths_mut(ID, doc)?
                .get_mut(CANONICAL)
                .and_then(Value::as_object_mut)
            {
                item.insert("get".into(), Value::Object(op));
            }
            Ok(Outcome::Applied)
        }
        (true, true) => Err(moved(
            ID,
            format!("both GET {ALTERNATE} and GET {CANONICAL} are documented"),
        )),
        (false, false) => Err(moved(
            ID,
            format!("neither GET {ALTERNATE} nor GET {CANONICAL} is documented"),
        )),
    }
}
