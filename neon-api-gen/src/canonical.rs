//! The byte form of `spec/neon-api.json`: pretty JSON, keys sorted at every level, a
//! trailing newline — the same bytes on every machine and for every serde_json feature
//! set (with `preserve_order` a map keeps insertion order, so we sort explicitly).

use serde_json::Value;

/// Sorts every object's keys, recursively.
pub fn sort_keys(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.sort_keys();
            m.values_mut().for_each(sort_keys);
        }
        Value::Array(a) => a.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Pretty, key-sorted JSON with a trailing newline.
pub fn to_canonical_string(v: &Value) -> String {
    let mut v = v.clone();
    sort_keys(&mut v);
    // Serializing a `Value` cannot fail: its keys are strings and it holds no
    // non-finite floats.
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_a_newline_ends_the_file() {
        let v = json!({"b": 1, "a": {"d": [{"z": 0, "y": 1}], "c": null}});
        assert_eq!(
            to_canonical_string(&v),
            "{\n  \"a\": {\n    \"c\": null,\n    \"d\": [\n      {\n        \"y\": 1,\n        \"z\": 0\n      }\n    ]\n  },\n  \"b\": 1\n}\n"
        );
    }
}
