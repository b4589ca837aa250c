//! Vectors on the gRPC wire: the several ways a request carries one (the `vectors` list of
//! 1.29+, `vector_bytes`, the deprecated float list, per-target maps), always little-endian
//! f32; and the vectors a reply returns in its metadata.

use std::collections::BTreeMap;

use model::TargetCombination;
use types::object::{Object, DEFAULT_TARGET};
use types::schema::Class;

use super::pb;
use super::values::{pack_f32, unpack_f32};

/// A `NearVector` read: the query vector, the targets, each target's own vector when the
/// request gives one per target, and how several targets combine.
pub(crate) struct NearVectorParts {
    pub vector: Vec<f32>,
    pub targets: Vec<String>,
    pub per_target: BTreeMap<String, Vec<f32>>,
    pub combination: TargetCombination,
}

/// Reads a `NearVector`: the `vectors` list (1.29+), `vector_bytes`, the deprecated float list,
/// or one vector per target (`vector_for_targets`, `vector_per_target`).
pub(crate) fn near_vector(near: &pb::NearVector) -> Result<NearVectorParts, String> {
    #[allow(deprecated)]
    let mut targets = targets(near.targets.as_ref(), &near.target_vectors)?;
    let combination = combination(near.targets.as_ref())?;
    let mut per_target = BTreeMap::new();
    for one in &near.vector_for_targets {
        #[allow(deprecated)]
        let vector = match from_list(&one.vectors)? {
            Some(v) => v,
            None => bytes_to_vector(&one.vector_bytes)?,
        };
        per_target.insert(one.name.clone(), vector);
    }
    for (name, bytes) in &near.vector_per_target {
        per_target.insert(name.clone(), bytes_to_vector(bytes)?);
    }
    for name in per_target.keys() {
        if !targets.contains(name) {
            targets.push(name.clone());
        }
    }
    #[allow(deprecated)]
    let shared = match from_list(&near.vectors)? {
        Some(v) => Some(v),
        None => from_bytes_or_floats(&near.vector_bytes, &near.vector)?,
    };
    let vector = match shared {
        Some(v) => v,
        // Every target has its own: the shared vector is never used.
        None if !per_target.is_empty() && targets.iter().all(|t| per_target.contains_key(t)) => {
            Vec::new()
        }
        None if !per_target.is_empty() => {
            return Err("nearVector: a vector is needed for every target vector".into())
        }
        None => return Err("nearVector: vector is required".into()),
    };
    Ok(NearVectorParts {
        vector,
        targets,
        per_target,
        combination,
    })
}

/// `Targets.combination` and its weights.
pub(crate) fn combination(targets: Option<&pb::Targets>) -> Result<TargetCombination, String> {
    use pb::CombinationMethod as M;
    let Some(targets) = targets else {
        return Ok(TargetCombination::default());
    };
    let weights = || {
        targets
            .weights_for_targets
            .iter()
            .map(|w| (w.target.clone(), w.weight))
            .collect::<BTreeMap<_, _>>()
    };
    Ok(match M::try_from(targets.combination) {
        Ok(M::Unspecified | M::TypeMin) => TargetCombination::Minimum,
        Ok(M::TypeSum) => TargetCombination::Sum,
        Ok(M::TypeAverage) => TargetCombination::Average,
        Ok(M::TypeManual) => TargetCombination::Manual(weights()),
        Ok(M::TypeRelativeScore) => TargetCombination::RelativeScore(weights()),
        Err(_) => {
            return Err(format!(
                "unknown target combination method {}",
                targets.combination
            ))
        }
    })
}

/// The optional vector and the target vectors of the vector part of a hybrid search.
pub(crate) fn hybrid_vector(h: &pb::Hybrid) -> Result<(Option<Vec<f32>>, Vec<String>), String> {
    #[allow(deprecated)]
    let targets = targets(h.targets.as_ref(), &h.target_vectors)?;
    if let Some(near) = &h.near_vector {
        if near.certainty.is_some() || near.distance.is_some() {
            return Err(
                "hybrid: a distance or certainty on its nearVector is not supported by Shoal yet"
                    .into(),
            );
        }
        let near = near_vector(near)?;
        if !near.per_target.is_empty() {
            return Err("hybrid: a vector per target vector is not supported by Shoal yet".into());
        }
        let targets = if near.targets.is_empty() {
            targets
        } else {
            near.targets
        };
        return Ok((Some(near.vector), targets));
    }
    if let Some(vector) = from_list(&h.vectors)? {
        return Ok((Some(vector), targets));
    }
    #[allow(deprecated)]
    let vector = from_bytes_or_floats(&h.vector_bytes, &h.vector)?;
    Ok((vector.filter(|v| !v.is_empty()), targets))
}

/// `Targets` (1.26+) or the deprecated list of names.
pub(crate) fn targets(
    targets: Option<&pb::Targets>,
    deprecated: &[String],
) -> Result<Vec<String>, String> {
    match targets {
        Some(t) if !t.target_vectors.is_empty() => Ok(t.target_vectors.clone()),
        _ => Ok(deprecated.to_vec()),
    }
}

fn several_targets() -> String {
    "searching several target vectors at once is not supported yet: name one in targetVectors"
        .into()
}

/// The first single vector of a `vectors` list.
pub(crate) fn from_list(list: &[pb::Vectors]) -> Result<Option<Vec<f32>>, String> {
    let Some(first) = list.first() else {
        return Ok(None);
    };
    if list.len() > 1 {
        return Err(several_targets());
    }
    match pb::vectors::VectorType::try_from(first.r#type) {
        Ok(pb::vectors::VectorType::MultiFp32) => {
            Err("multi-vectors (ColBERT-style) are not supported by Shoal yet".into())
        }
        _ => bytes_to_vector(&first.vector_bytes).map(Some),
    }
}

fn from_bytes_or_floats(bytes: &[u8], floats: &[f32]) -> Result<Option<Vec<f32>>, String> {
    if !bytes.is_empty() {
        return bytes_to_vector(bytes).map(Some);
    }
    Ok((!floats.is_empty()).then(|| floats.to_vec()))
}

pub(crate) fn bytes_to_vector(bytes: &[u8]) -> Result<Vec<f32>, String> {
    unpack_f32(bytes).ok_or_else(|| {
        format!(
            "vector bytes must hold little-endian float32 values (a multiple of 4 bytes), got {} bytes",
            bytes.len()
        )
    })
}

/// The vectors of a batch object: the unnamed one and the named ones.
pub(crate) type ObjectVectors = (
    Option<Vec<f32>>,
    Option<std::collections::BTreeMap<String, Vec<f32>>>,
);

pub(crate) fn batch_vectors(object: &pb::BatchObject) -> Result<ObjectVectors, String> {
    #[allow(deprecated)]
    let unnamed = from_bytes_or_floats(&object.vector_bytes, &object.vector)?;
    if object.vectors.is_empty() {
        return Ok((unnamed, None));
    }
    let mut named = std::collections::BTreeMap::new();
    for v in &object.vectors {
        if let Ok(pb::vectors::VectorType::MultiFp32) = pb::vectors::VectorType::try_from(v.r#type)
        {
            return Err(format!(
                "vector '{}': multi-vectors (ColBERT-style) are not supported by Shoal yet",
                v.name
            ));
        }
        named.insert(v.name.clone(), bytes_to_vector(&v.vector_bytes)?);
    }
    Ok((unnamed, Some(named)))
}

/// Puts the asked-for vectors of `object` into a reply's metadata: `vector` returns the
/// unnamed vector as `vector_bytes` (or every named vector on a class with named vectors),
/// `vectors` names the named ones.
pub(crate) fn fill_metadata(
    class: &Class,
    object: &Object,
    asked: &pb::MetadataRequest,
    out: &mut pb::MetadataResult,
) {
    let named = class.vector_config.as_ref().is_some_and(|c| !c.is_empty());
    let single = |name: &str, vector: &[f32]| pb::Vectors {
        name: name.to_string(),
        vector_bytes: pack_f32(vector),
        r#type: pb::vectors::VectorType::SingleFp32 as i32,
        ..Default::default()
    };
    if asked.vector {
        if named {
            for (name, vector) in &object.vectors {
                out.vectors.push(single(name, vector));
            }
        } else if let Some(vector) = object.vectors.get(DEFAULT_TARGET) {
            out.vector_bytes = pack_f32(vector);
        }
    }
    for name in &asked.vectors {
        if out.vectors.iter().any(|v| &v.name == name) {
            continue;
        }
        if let Some(vector) = object.vectors.get(name) {
            out.vectors.push(single(name, vector));
        }
    }
}
