//! Typed access to untyped JSON request bodies, with errors that name the field.
//!
//! Weaviate's own parsers silently ignore values of the wrong type (and some turn them into 0);
//! here a wrong type is a 422 that says which key and what was expected. An explicit `null` is
//! treated like an absent key, as Go's optional fields do.

use serde_json::{Map, Value};

use crate::gofmt::I64_RANGE;
use crate::{Error, Result};

/// A JSON object.
pub(super) type Obj = Map<String, Value>;

/// The value of `key`, or `None` when it is absent or `null`.
pub(super) fn field<'a>(obj: &'a Obj, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// `path.key`, or `key` alone at the top level.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn wrong_type(path: &str, key: &str, expected: &str, got: &Value) -> Error {
    Error::invalid(format!("{} must be {expected}, got {got}", join(path, key)))
}

/// An optional boolean.
pub(super) fn opt_bool(obj: &Obj, key: &str, path: &str) -> Result<Option<bool>> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(path, key, "a boolean", other)),
    }
}

/// An optional string.
pub(super) fn opt_str<'a>(obj: &'a Obj, key: &str, path: &str) -> Result<Option<&'a str>> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(path, key, "a string", other)),
    }
}

/// An optional integer. Integral floats (`64.0`) are accepted because some clients and the
/// gRPC path carry every number as a double; `1.5` is not.
pub(super) fn opt_int(obj: &Obj, key: &str, path: &str) -> Result<Option<i64>> {
    match field(obj, key) {
        None => Ok(None),
        Some(v) => as_i64(v)
            .map(Some)
            .ok_or_else(|| wrong_type(path, key, "an integer", v)),
    }
}

/// An optional number.
pub(super) fn opt_f64(obj: &Obj, key: &str, path: &str) -> Result<Option<f64>> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(wrong_type(path, key, "a number", other)),
    }
}

/// An optional JSON object.
pub(super) fn opt_obj<'a>(obj: &'a Obj, key: &str, path: &str) -> Result<Option<&'a Obj>> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(wrong_type(path, key, "an object", other)),
    }
}

/// An optional list of strings.
pub(super) fn opt_str_list(obj: &Obj, key: &str, path: &str) -> Result<Option<Vec<String>>> {
    let Some(value) = field(obj, key) else {
        return Ok(None);
    };
    let err = || wrong_type(path, key, "a list of strings", value);
    let items = value.as_array().ok_or_else(err)?;
    items
        .iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(err))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// The body as an object, or a 422 naming what it should have been.
pub(super) fn as_obj<'a>(value: &'a Value, what: &str) -> Result<&'a Obj> {
    value
        .as_object()
        .ok_or_else(|| Error::invalid(format!("{what} must be a JSON object, got {value}")))
}

/// An integral JSON number as i64 (including integral floats within range).
pub(super) fn as_i64(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && I64_RANGE.contains(&f)).then_some(f as i64)
}

/// Deep-merges `patch` into `base`: objects merge key by key, anything else (arrays, scalars,
/// `null`) replaces. This is what the v3 client does before a `PUT /v1/schema/{class}`.
pub(super) fn deep_merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (key, value) in p {
                match b.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        deep_merge(existing, value)
                    }
                    _ => {
                        b.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn typed_getters_name_the_key() {
        let o = json!({"a": 1, "b": "x", "c": null, "d": 2.0, "e": 2.5, "f": true});
        let o = o.as_object().unwrap();
        assert_eq!(opt_int(o, "a", "cfg").unwrap(), Some(1));
        assert_eq!(opt_int(o, "c", "cfg").unwrap(), None);
        assert_eq!(opt_int(o, "d", "cfg").unwrap(), Some(2));
        let err = opt_int(o, "e", "cfg").unwrap_err().to_string();
        assert_eq!(err, "cfg.e must be an integer, got 2.5");
        let err = opt_bool(o, "b", "").unwrap_err().to_string();
        assert_eq!(err, "b must be a boolean, got \"x\"");
        assert_eq!(opt_str(o, "b", "").unwrap(), Some("x"));
        assert_eq!(opt_f64(o, "a", "").unwrap(), Some(1.0));
        assert!(opt_obj(o, "a", "").is_err());
        assert!(opt_str_list(o, "b", "").is_err());
    }

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "b": [1, 2], "c": 1});
        deep_merge(&mut base, &json!({"a": {"y": 3}, "b": [9], "c": null}));
        assert_eq!(base, json!({"a": {"x": 1, "y": 3}, "b": [9], "c": null}));
    }
}
