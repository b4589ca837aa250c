//! Decoding of JSON that Shoal wrote itself (Raft records, stored objects, node-to-node calls),
//! and the nesting limits that keep what clients send within reach of every decoder.
//!
//! `serde_json` refuses input nested more than 128 levels deep. That limit protects a parser
//! from hostile input, but applied to our own records it turns a value the API accepted into a
//! record that cannot be read back: a class whose nested properties are wrapped in a Raft entry,
//! an entry wrapped in an append-entries call, each wrapper adds levels. [`from_slice`] has no
//! depth limit and grows the stack on the heap as it descends, so whatever `serde_json` wrote,
//! at any depth, decodes again. Client input keeps serde_json's default limit and, above it,
//! the documented limits below.

use serde::de::DeserializeOwned;

/// How deep `object` / `object[]` properties may nest: levels of `nestedProperties` in a class
/// definition, and levels of objects inside a property value. Weaviate documents no limit; 32
/// is far beyond any real data model, and the nesting it adds (about two JSON levels per nested
/// level) stays well inside the client-facing parser's 128 levels, so a class read back can be
/// sent again. Free-form parts of a class (`moduleConfig`) are bounded only by that parser.
pub const MAX_NESTING_DEPTH: usize = 32;

/// Decodes JSON written by `serde_json` at any nesting depth (see the module documentation).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de))?;
    de.end()?;
    Ok(value)
}

/// How deep `value` nests: 0 for a scalar, 1 for an object or array of scalars, and so on.
/// Iterative, so it is safe on any input.
pub fn depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, level)) = stack.pop() {
        use serde_json::Value as V;
        let children: Box<dyn Iterator<Item = &V>> = match v {
            V::Object(map) => Box::new(map.values()),
            V::Array(items) => Box::new(items.iter()),
            V::Null | V::Bool(_) | V::Number(_) | V::String(_) => {
                deepest = deepest.max(level);
                continue;
            }
        };
        deepest = deepest.max(level + 1);
        stack.extend(children.map(|c| (c, level + 1)));
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use serde_json::{json, Value};

    /// `[[[ ... 1 ... ]]]` nested `levels` deep, built without recursion.
    fn nested_arrays(levels: usize) -> Value {
        let mut v = json!(1);
        for _ in 0..levels {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wrapper {
        name: String,
        inner: Value,
    }

    #[test]
    fn values_deeper_than_serde_json_allows_round_trip() {
        for levels in [0, 1, 127, 128, 129, 1_000, 4_000] {
            let value = Wrapper {
                name: format!("depth {levels}"),
                inner: nested_arrays(levels),
            };
            let bytes = serde_json::to_vec(&value).expect("encode");
            let back: Wrapper = from_slice(&bytes).expect("any depth decodes");
            assert_eq!(depth(&back.inner), levels);
            assert_eq!(back.name, value.name);
        }
        let plain = serde_json::to_vec(&nested_arrays(129)).expect("encode");
        assert!(
            serde_json::from_slice::<Value>(&plain).is_err(),
            "the default parser's limit is what made records unreadable"
        );
    }

    #[test]
    fn trailing_bytes_are_refused() {
        assert!(from_slice::<Value>(b"{\"a\":1} x").is_err());
        assert!(from_slice::<Value>(b"").is_err());
        assert_eq!(
            from_slice::<Value>(b" [1] ").expect("whitespace"),
            json!([1])
        );
    }

    #[test]
    fn depth_counts_containers() {
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!({})), 1);
        assert_eq!(depth(&json!({"a": [1, {"b": {}}]})), 4);
        assert_eq!(depth(&nested_arrays(300)), 300);
    }
}
