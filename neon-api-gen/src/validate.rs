//! Checks the corrected document must pass before code is generated from it.
//!
//! progenitor checks some of this itself, but late and tersely; these checks name the
//! operation or schema at fault, and add the SDK's own rules (no
//! `additionalProperties: false`, open enums well-formed).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::corrections::operations;

/// A rule the corrected document breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid corrected document: {0}")]
pub struct ValidationError(pub String);

/// Runs every check; returns all problems found, or `Ok` when there are none.
pub fn validate(doc: &Value) -> Result<(), Vec<ValidationError>> {
    let mut problems = Vec::new();
    let mut bad = |s: String| problems.push(ValidationError(s));

    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        other => bad(format!(
            "`openapi` is {other:?}; progenitor accepts 3.0.x only"
        )),
    }

    let mut ids = BTreeSet::new();
    for (path, method, op) in operations(doc) {
        let where_ = format!("{} {path}", method.to_uppercase());
        match op.get("operationId").and_then(Value::as_str) {
            None => bad(format!("{where_} has no operationId")),
            Some(id) => {
                if !ids.insert(id.to_string()) {
                    bad(format!(
                        "operationId `{id}` is used twice (again at {where_})"
                    ));
                }
                if !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    bad(format!("operationId `{id}` ({where_}) is not snake_case"));
                }
            }
        }
        // Every `{name}` in the path has a path parameter, and vice versa.
        let templated: BTreeSet<&str> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let declared: BTreeSet<&str> = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
                    .filter_map(|p| p.get("name").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        if templated != declared {
            bad(format!(
                "{where_}: path variables {templated:?} but path parameters {declared:?}"
            ));
        }
        if op
            .pointer("/responses/200/content/application~1json/schema")
            .is_none()
        {
            bad(format!("{where_} has no 200 application/json schema"));
        }
    }

    walk(doc, "#", &mut |pointer, v| {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            let target = r.strip_prefix('#').map(|p| doc.pointer(p));
            if !matches!(target, Some(Some(_))) {
                problem(pointer, format!("$ref `{r}` does not resolve"))
            } else {
                None
            }
        } else if v.get("additionalProperties") == Some(&Value::Bool(false)) {
            problem(
                pointer,
                "says `additionalProperties: false`: unknown fields must be tolerated".into(),
            )
        } else if v.get(crate::corrections::OPEN_ENUM_MARK) == Some(&Value::Bool(true))
            && (v.get("type").and_then(Value::as_str) != Some("string")
                || !v.get("enum").is_some_and(|e| {
                    e.as_array()
                        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string))
                }))
        {
            problem(
                pointer,
                "is marked open but is not a non-empty string enum".into(),
            )
        } else {
            None
        }
    })
    .into_iter()
    .for_each(&mut bad);

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn problem(pointer: &str, what: String) -> Option<String> {
    Some(format!("{pointer} {what}"))
}

/// Visits every JSON object under `v`, collecting what `check` reports.
fn walk(
    v: &Value,
    pointer: &str,
    check: &mut dyn FnMut(&str, &Value) -> Option<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            out.extend(check(pointer, v));
            for (k, child) in m {
                let escaped = k.replace('~', "~0").replace('/', "~1");
                out.extend(walk(child, &format!("{pointer}/{escaped}"), check));
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                out.extend(walk(child, &format!("{pointer}/{i}"), check));
            }
        }
        _ => {}
    }
    out
}
