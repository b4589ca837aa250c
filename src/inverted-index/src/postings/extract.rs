//! The entries of one object.
//!
//! As Weaviate's analyzer (`inverted/objects.go`): text is tokenized with the property's
//! tokenization and every distinct token is indexed with its frequency (stopwords included);
//! arrays index every distinct element; dates are parsed as RFC 3339; a JSON `null` is the same
//! as a missing property. Values of the wrong JSON type (which the coordinator rejects before
//! they reach a shard) are skipped.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use types::schema::DataType;
use types::DocId;

use super::{
    codec, key, DocInput, Posting, KIND_CREATED, KIND_GEO, KIND_ID, KIND_PRESENT, KIND_UPDATED,
    KIND_VALUE, NO_LENGTH,
};
use crate::config::{IndexConfig, PropertySpec};
use crate::tokenize::tokenize;

/// Every entry of `input` as document `doc`, in a deterministic order.
pub(crate) fn postings(config: &IndexConfig, doc: DocId, input: &DocInput) -> Vec<Posting> {
    let mut out = vec![
        entry(key(KIND_ID, None, input.id.as_bytes(), doc), Vec::new()),
        entry(
            key(KIND_CREATED, None, &codec::int(input.creation_ms), doc),
            Vec::new(),
        ),
        entry(
            key(KIND_UPDATED, None, &codec::int(input.update_ms), doc),
            Vec::new(),
        ),
    ];
    for spec in &config.properties {
        match input.properties.get(&spec.name) {
            None | Some(Value::Null) => {}
            Some(value) => property(spec, value, doc, &mut out),
        }
    }
    out
}

fn entry(key: Vec<u8>, value: Vec<u8>) -> Posting {
    Posting { key, value }
}

fn property(spec: &PropertySpec, value: &Value, doc: DocId, out: &mut Vec<Posting>) {
    let name = spec.name.as_str();
    let len = match (&spec.data_type, value) {
        (DataType::Text, Value::String(s)) => {
            if spec.indexes_values() {
                text(spec, std::slice::from_ref(value), doc, out);
            }
            s.chars().count() as u32
        }
        (DataType::TextArray, Value::Array(items)) => {
            if spec.indexes_values() {
                text(spec, items, doc, out);
            }
            items.len() as u32
        }
        (DataType::GeoCoordinates, Value::Object(o)) => {
            let coord = |k: &str| o.get(k).and_then(Value::as_f64);
            let (Some(lat), Some(lon)) = (coord("latitude"), coord("longitude")) else {
                return;
            };
            let mut v = lat.to_be_bytes().to_vec();
            v.extend_from_slice(&lon.to_be_bytes());
            out.push(entry(key(KIND_GEO, Some(name), &[], doc), v));
            NO_LENGTH
        }
        (DataType::Reference(_) | DataType::ObjectArray, Value::Array(items)) => items.len() as u32,
        (DataType::PhoneNumber | DataType::Object, Value::Object(_))
        | (DataType::Blob, Value::String(_)) => NO_LENGTH,
        (dt, value) => {
            let Some((values, len)) = scalar_values(dt, value) else {
                return;
            };
            if spec.indexes_values() {
                for v in values {
                    out.push(entry(key(KIND_VALUE, Some(name), &v, doc), Vec::new()));
                }
            }
            len
        }
    };
    out.push(entry(
        key(KIND_PRESENT, Some(name), &len.to_be_bytes(), doc),
        Vec::new(),
    ));
}

/// Distinct tokens of the strings in `items` with their frequencies.
fn text(spec: &PropertySpec, items: &[Value], doc: DocId, out: &mut Vec<Posting>) {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for s in items.iter().filter_map(Value::as_str) {
        for t in tokenize(spec.tokenization, s) {
            *counts.entry(t).or_default() += 1;
        }
    }
    for (token, tf) in counts {
        out.push(entry(
            key(KIND_VALUE, Some(&spec.name), token.as_bytes(), doc),
            tf.to_be_bytes().to_vec(),
        ));
    }
}

/// The distinct encoded values of a non-text primitive property and its length (elements for
/// arrays, [`NO_LENGTH`] for scalars); `None` if the JSON value does not fit the type.
fn scalar_values(dt: &DataType, value: &Value) -> Option<(BTreeSet<Vec<u8>>, u32)> {
    let (element, items): (&DataType, &[Value]) = match (dt, value) {
        (DataType::Int, _) => (&DataType::Int, std::slice::from_ref(value)),
        (DataType::Number, _) => (&DataType::Number, std::slice::from_ref(value)),
        (DataType::Boolean, _) => (&DataType::Boolean, std::slice::from_ref(value)),
        (DataType::Date, _) => (&DataType::Date, std::slice::from_ref(value)),
        (DataType::Uuid, _) => (&DataType::Uuid, std::slice::from_ref(value)),
        (DataType::IntArray, Value::Array(a)) => (&DataType::Int, a),
        (DataType::NumberArray, Value::Array(a)) => (&DataType::Number, a),
        (DataType::BooleanArray, Value::Array(a)) => (&DataType::Boolean, a),
        (DataType::DateArray, Value::Array(a)) => (&DataType::Date, a),
        (DataType::UuidArray, Value::Array(a)) => (&DataType::Uuid, a),
        _ => return None,
    };
    let values: BTreeSet<Vec<u8>> = items.iter().filter_map(|v| encode(element, v)).collect();
    if dt == element {
        // a scalar: nothing indexable means a value of the wrong type
        return (!values.is_empty()).then_some((values, NO_LENGTH));
    }
    Some((values, items.len() as u32))
}

/// The value-entry bytes of one scalar JSON value of type `dt`.
pub(crate) fn encode(dt: &DataType, v: &Value) -> Option<Vec<u8>> {
    Some(match dt {
        DataType::Int => codec::int(json_int(v)?).to_vec(),
        DataType::Number => codec::number(v.as_f64()?).to_vec(),
        DataType::Boolean => codec::boolean(v.as_bool()?).to_vec(),
        DataType::Date => codec::date(v.as_str()?)?.to_vec(),
        DataType::Uuid => codec::uuid(v.as_str()?)?.to_vec(),
        DataType::Text
        | DataType::TextArray
        | DataType::IntArray
        | DataType::NumberArray
        | DataType::BooleanArray
        | DataType::DateArray
        | DataType::UuidArray
        | DataType::GeoCoordinates
        | DataType::PhoneNumber
        | DataType::Blob
        | DataType::Object
        | DataType::ObjectArray
        | DataType::Reference(_) => return None,
    })
}

/// An int property value: JSON integers, or floats truncated as Weaviate does (`int64(f)`).
pub(crate) fn json_int(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}
