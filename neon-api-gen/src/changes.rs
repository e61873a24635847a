//! What changed in the API between two corrected documents: operations and record
//! fields added or removed. regen prints it so a vendor bump is reviewed, not just
//! committed.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::corrections::operations;

/// Differences between the committed and the new corrected document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiChanges {
    /// `(old, new)` `info.version` when it changed.
    pub version: Option<(String, String)>,
    /// `operationId (METHOD path)` now present and not before.
    pub operations_added: Vec<String>,
    /// `operationId (METHOD path)` present before and gone now.
    pub operations_removed: Vec<String>,
    /// `Schema.field` now present and not before.
    pub fields_added: Vec<String>,
    /// `Schema.field` present before and gone now.
    pub fields_removed: Vec<String>,
}

impl ApiChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.version.is_none()
            && self.operations_added.is_empty()
            && self.operations_removed.is_empty()
            && self.fields_added.is_empty()
            && self.fields_removed.is_empty()
    }
}

fn operation_set(doc: &Value) -> BTreeSet<String> {
    operations(doc)
        .into_iter()
        .map(|(path, method, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("<no id>");
            format!("{id} ({} {path})", method.to_uppercase())
        })
        .collect()
}

fn field_set(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                out.extend(props.keys().map(|f| format!("{name}.{f}")));
            }
        }
    }
    out
}

/// Compares `old` (what is committed) with `new` (what regen produced).
pub fn diff(old: &Value, new: &Value) -> ApiChanges {
    let (oo, no) = (operation_set(old), operation_set(new));
    let (of, nf) = (field_set(old), field_set(new));
    let version = |d: &Value| {
        d.pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let (ov, nv) = (version(old), version(new));
    ApiChanges {
        version: (ov != nv).then_some((ov, nv)),
        operations_added: no.difference(&oo).cloned().collect(),
        operations_removed: oo.difference(&no).cloned().collect(),
        fields_added: nf.difference(&of).cloned().collect(),
        fields_removed: of.difference(&nf).cloned().collect(),
    }
}

impl fmt::Display for ApiChanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(
                f,
                "API changes: none (operations and record fields as committed)"
            );
        }
        writeln!(f, "API changes against the committed spec/neon-api.json:")?;
        if let Some((old, new)) = &self.version {
            writeln!(f, "  vendor version {old} -> {new}")?;
        }
        for (label, list) in [
            ("+ operation", &self.operations_added),
            ("- operation", &self.operations_removed),
            ("+ field", &self.fields_added),
            ("- field", &self.fields_removed),
        ] {
            for item in list {
                writeln!(f, "  {label} {item}")?;
            }
        }
        Ok(())
    }
}
