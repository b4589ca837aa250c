//! `nearVector` and `nearObject` (common_filters/near_vector.go, near_object.go). Their
//! certainty rules, shared with gRPC, are `model::search_rules`.

use std::collections::BTreeMap;

use model::{Threshold, VectorSearch};
use uuid::Uuid;

use super::{not_supported, object};
use crate::graphql::value::{self, as_float, as_float_list, as_str, as_string_list, Value};

/// Both near arguments of a class field as one vector search. `Err` is a resolver message.
pub(crate) fn vector_search(
    class: &str,
    args: &[(String, Value)],
) -> Result<Option<VectorSearch>, String> {
    let near_vector = value::arg(args, "nearVector")
        .map(near_vector)
        .transpose()
        .map_err(|e| format!("failed to extract nearVector params: {e}"))?;
    let near_object = value::arg(args, "nearObject")
        .map(|v| near_object(class, v))
        .transpose()
        .map_err(|e| format!("failed to extract nearObject params: {e}"))?;
    match (near_vector, near_object) {
        (Some(_), Some(_)) => Err(
            "found both 'nearVector' and 'nearObject' parameters which are conflicting, \
             choose one instead"
                .into(),
        ),
        (v, o) => Ok(v.or(o)),
    }
}

/// `nearVector: {vector, certainty | distance, targetVectors}`.
fn near_vector(v: &Value) -> Result<VectorSearch, String> {
    let map = object(v)?;
    let vector = match (
        value::field(map, "vector"),
        value::field(map, "vectorPerTarget"),
    ) {
        (Some(_), Some(_)) | (None, None) => {
            return Err("vector or vectorPerTarget is required field".into())
        }
        (None, Some(_)) => return Err(not_supported("nearVector", "vectorPerTarget")),
        (Some(v), None) => as_float_list(v).ok_or("vector must be a list of numbers")?,
    };
    Ok(VectorSearch::NearVector {
        vector,
        target_vectors: targets(map, "nearVector")?,
        threshold: threshold(map)?,
        per_target: Default::default(),
        combination: Default::default(),
    })
}

/// `nearObject: {id | beacon, certainty | distance, targetVectors}`.
fn near_object(class: &str, v: &Value) -> Result<VectorSearch, String> {
    let map = object(v)?;
    let threshold = threshold(map)?;
    let target_vectors = targets(map, "nearObject")?;
    let id = match (
        value::field(map, "id").and_then(as_str),
        value::field(map, "beacon").and_then(as_str),
    ) {
        (Some(id), _) => {
            Uuid::parse_str(id).map_err(|_| format!("id '{id}' is not a valid uuid"))?
        }
        (None, Some(beacon)) => beacon_id(class, beacon)?,
        (None, None) => return Err("empty id and beacon".into()),
    };
    Ok(VectorSearch::NearObject {
        id,
        target_vectors,
        threshold,
        combination: Default::default(),
    })
}

/// `certainty` / `distance`. A certainty of 0 is "not set", as in Weaviate.
fn threshold(map: &BTreeMap<String, Value>) -> Result<Option<Threshold>, String> {
    let certainty = value::field(map, "certainty").and_then(as_float);
    let distance = value::field(map, "distance").and_then(as_float);
    match (certainty, distance) {
        (Some(_), Some(_)) => Err("cannot provide distance and certainty".into()),
        (Some(c), None) if c != 0.0 => Ok(Some(Threshold::Certainty(c as f32))),
        (_, Some(d)) => Ok(Some(Threshold::Distance(d as f32))),
        _ => Ok(None),
    }
}

fn targets(map: &BTreeMap<String, Value>, arg: &str) -> Result<Vec<String>, String> {
    if value::field(map, "targets").is_some() {
        return Err(not_supported(arg, "targets"));
    }
    Ok(value::field(map, "targetVectors")
        .and_then(as_string_list)
        .unwrap_or_default())
}

/// The object id of a beacon, `weaviate://localhost/<Class>/<uuid>` or `weaviate://localhost/<uuid>`
/// (crossref.Parse). Searching with an object of another class is not supported.
fn beacon_id(class: &str, beacon: &str) -> Result<Uuid, String> {
    let path = match beacon.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => beacon,
    };
    let segments: Vec<&str> = path.split('/').collect();
    let (beacon_class, id, idx) = match segments.as_slice() {
        ["", c, id] => (Some(*c), *id, 2),
        ["", id] => (None, *id, 1),
        _ => {
            return Err(format!(
                "invalid cref URI: path must be of format '<class>/<uuid>', but got '{path}'"
            ))
        }
    };
    let id = Uuid::parse_str(id).map_err(|_| {
        format!("invalid cref URI: {idx}nd path segment must be uuid, but got '{id}'")
    })?;
    match beacon_class {
        Some(c) if c != class => Err(format!(
            "searching class '{class}' with an object of class '{c}' is not supported by Shoal yet"
        )),
        _ => Ok(id),
    }
}
