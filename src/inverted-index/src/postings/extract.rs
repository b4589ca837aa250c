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
        (DataType::Reference(_), Value::Array(items)) => {
            references(spec, items, doc, out);
            items.len() as u32
        }
        (DataType::ObjectArray, Value::Array(items)) => items.len() as u32,
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

/// The value entries of `input`'s reference properties, exactly as [`postings`] makes them:
/// the entries that layout version 1 lacked.
pub(crate) fn reference_postings(
    config: &IndexConfig,
    doc: DocId,
    input: &DocInput,
) -> Vec<Posting> {
    let mut out = Vec::new();
    for spec in &config.properties {
        if let (DataType::Reference(_), Some(Value::Array(items))) =
            (&spec.data_type, input.properties.get(&spec.name))
        {
            references(spec, items, doc, &mut out);
        }
    }
    out
}

/// One value entry per distinct target of a reference property's beacons, if the property
/// indexes values.
fn references(spec: &PropertySpec, items: &[Value], doc: DocId, out: &mut Vec<Posting>) {
    if !spec.indexes_values() {
        return;
    }
    for target in reference_targets(items) {
        out.push(entry(
            key(KIND_VALUE, Some(&spec.name), &target, doc),
            Vec::new(),
        ));
    }
}

/// The distinct target uuids of a reference property's beacons, in byte order. A beacon that
/// does not parse is skipped: the model checked every beacon on write, so one can only come
/// from data the model would have refused, and no filter could name its target anyway.
fn reference_targets(items: &[Value]) -> BTreeSet<[u8; 16]> {
    items
        .iter()
        .filter_map(|item| beacon_target(item.get("beacon")?.as_str()?))
        .collect()
}

/// The uuid of `weaviate://localhost/<Class>/<uuid>` or of the class-less
/// `weaviate://localhost/<uuid>`.
fn beacon_target(beacon: &str) -> Option<[u8; 16]> {
    let path = beacon.strip_prefix("weaviate://localhost/")?;
    let id = match path.split_once('/') {
        None => path,
        Some((_class, id)) if !id.contains('/') => id,
        Some(_) => return None,
    };
    codec::uuid(id)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Tokenization;

    #[test]
    fn beacons_give_their_targets() {
        let id = "8f4a2d8e-0e1b-4a57-9d62-1b2c3d4e5f60";
        let want = codec::uuid(id);
        assert!(want.is_some());
        for beacon in [
            format!("weaviate://localhost/Author/{id}"),
            format!("weaviate://localhost/{id}"),
            format!("weaviate://localhost/Author/{}", id.to_uppercase()),
        ] {
            assert_eq!(beacon_target(&beacon), want, "{beacon}");
        }
        for beacon in [
            format!("weaviate://remote/Author/{id}"),
            format!("http://localhost/Author/{id}"),
            format!("weaviate://localhost/a/b/{id}"),
            "weaviate://localhost/Author/1".to_string(),
            "weaviate://localhost/".to_string(),
        ] {
            assert_eq!(beacon_target(&beacon), None, "{beacon}");
        }
    }

    #[test]
    fn reference_postings_are_the_reference_value_entries_of_postings() {
        let refs = DataType::Reference(vec!["A".into()]);
        let mut unindexed = PropertySpec::with_defaults("hidden", refs.clone(), Tokenization::Word);
        unindexed.filterable = false;
        let config = IndexConfig {
            properties: vec![
                PropertySpec::with_defaults("title", DataType::Text, Tokenization::Word),
                PropertySpec::with_defaults("cites", refs.clone(), Tokenization::Word),
                PropertySpec::with_defaults("also", refs, Tokenization::Word),
                unindexed,
            ],
            ..IndexConfig::default()
        };
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let props = json!({
            "title": "x",
            "cites": [{"beacon": format!("weaviate://localhost/A/{a}")},
                      {"beacon": format!("weaviate://localhost/{b}")},
                      {"beacon": format!("weaviate://localhost/A/{a}")},
                      {"beacon": "not a beacon"}, {"href": "/v1/objects/x"}],
            "also": [{"beacon": format!("weaviate://localhost/A/{b}")}],
            "hidden": [{"beacon": format!("weaviate://localhost/A/{a}")}],
        });
        let id = uuid::Uuid::from_u128(9);
        let input = DocInput {
            id: &id,
            properties: props.as_object().expect("object"),
            creation_ms: 0,
            update_ms: 0,
        };
        let all = postings(&config, 3, &input);
        let refs = reference_postings(&config, 3, &input);
        let targets = |prop: &str| -> Vec<Posting> {
            all.iter()
                .filter(|p| {
                    p.key
                        .starts_with(&key(KIND_VALUE, Some(prop), &[], 3)[..3 + prop.len()])
                })
                .cloned()
                .collect()
        };
        let mut want = targets("cites");
        want.extend(targets("also"));
        // one entry per distinct target, none for the unindexed property or bad beacons
        assert_eq!(want.len(), 3);
        assert!(targets("hidden").is_empty());
        assert_eq!(refs, want);
        assert_eq!(refs[0].key, key(KIND_VALUE, Some("cites"), a.as_bytes(), 3));
    }
}
