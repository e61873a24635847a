//! `registration-by-id-path`: the registration-by-id operation is filed under Policies.
//!
//! **What the vendor says** (1.0.3): "Get registration by id" sits under the *Policies*
//! tag, at a `/v1/policies/…` URL (its curl sample even reads `/v1/policies/<policyId>`),
//! while its only parameter is `registrationId`. Read literally it collides with
//! "Get policy by id".
//!
//! **What we change**: the operation moves to `/v1/registration/{registrationId}` (the
//! same singular stem as the documented list `/v1/registration`) under the
//! *Registrations* tag, its curl sample follows, and `x-neon-alternate-paths` records the
//! plural spelling `/v1/registrations/{registrationId}` that a client may fall back to
//! when the canonical route answers 404 without an envelope. `x-neon-published-path`
//! keeps what the vendor printed.
//!
//! **Evidence**: the parameter name and summary say "registration"; every other
//! resource's get-by-id lives under its own list path; `/v1/policies/{policyId}` is
//! already taken by "Get policy by id".

use serde_json::{json, Value};

use super::{move_get, moved, operations, set_curl_path, Correction, CorrectionError, Outcome};

pub(super) const ID: &str = "registration-by-id-path";
/// The canonical path we serve and call.
pub const CANONICAL: &str = "/v1/registration/{registrationId}";
/// The other spelling, recorded for clients and the simulator.
pub const ALTERNATE: &str = "/v1/registrations/{registrationId}";
/// What the vendor's document shows.
pub const PUBLISHED: &str = "/v1/policies/{policyId}";

pub(super) const CORRECTION: Correction = Correction {
    id: ID,
    summary: "move registration-by-id from Policies /v1/policies/… to Registrations /v1/registration/{registrationId}",
    apply,
};

fn has_path_param(op: &Value, name: &str) -> bool {
    op.get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| {
            ps.iter().any(|p| {
                p.get("in").and_then(Value::as_str) == Some("path")
                    && p.get("name").and_then(Value::as_str) == Some(name)
            })
        })
}

fn apply(doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let ops = operations(doc);
    let misfiled: Vec<String> = ops
        .iter()
        .filter(|(path, method, op)| {
            method == "get"
                && path.starts_with("/v1/policies/")
                && has_path_param(op, "registrationId")
        })
        .map(|(path, _, _)| path.clone())
        .collect();
    let fixed = ops
        .iter()
        .any(|(path, method, _)| method == "get" && path == CANONICAL);

    match (misfiled.as_slice(), fixed) {
        ([], true) => Ok(Outcome::NoLongerNeeded),
        ([from], false) => {
            let from = from.clone();
            let mut op = move_get(ID, doc, &from, CANONICAL)?;
            op.insert("tags".into(), json!(["Registrations"]));
            super::record_alternate(&mut op, ALTERNATE, PUBLISHED);
            set_curl_path(&mut op, CANONICAL);
            let paths = super::paths_mut(ID, doc)?;
            if let Some(item) = paths.get_mut(CANONICAL).and_then(Value::as_object_mut) {
                item.insert("get".into(), Value::Object(op));
            }
            Ok(Outcome::Applied)
        }
        ([], false) => Err(moved(
            ID,
            format!(
                "found neither a GET under /v1/policies/ with a `registrationId` path parameter nor GET {CANONICAL}"
            ),
        )),
        (_, true) => Err(moved(
            ID,
            format!("GET {CANONICAL} exists and a registration-by-id is still filed under /v1/policies/: {misfiled:?}"),
        )),
        (many, false) => Err(moved(
            ID,
            format!("several GETs under /v1/policies/ take `registrationId`: {many:?}"),
        )),
    }
}
