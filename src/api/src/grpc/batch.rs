//! `Weaviate/BatchObjects`: every object read into the [`ObjectWrite`] the REST batch makes
//! and stored by the same coordinator call; the reply lists only the failures, each at its
//! index in the request.

use model::ObjectWrite;
use uuid::Uuid;

use super::pb;
use super::values::batch_properties;
use super::vectors::batch_vectors;

/// One request entry: a write, or why it cannot be one.
pub(crate) fn write_of(object: &pb::BatchObject) -> Result<ObjectWrite, String> {
    if object.collection.is_empty() {
        return Err("collection must be set (empty collection name)".into());
    }
    let id = match object.uuid.as_str() {
        "" => None,
        s => Some(Uuid::parse_str(s).map_err(|_| format!("invalid UUID length: {}", s.len()))?),
    };
    let (vector, vectors) = batch_vectors(object)?;
    let properties = match &object.properties {
        Some(p) => batch_properties(p)?,
        None => Default::default(),
    };
    Ok(ObjectWrite {
        class: object.collection.clone(),
        id,
        tenant: (!object.tenant.is_empty()).then(|| object.tenant.clone()),
        properties,
        vector,
        vectors,
    })
}

/// The reply from each entry's outcome, in request order.
pub(crate) fn reply(outcomes: Vec<Result<(), String>>, took: f32) -> pb::BatchObjectsReply {
    pb::BatchObjectsReply {
        took,
        errors: outcomes
            .into_iter()
            .enumerate()
            .filter_map(|(index, outcome)| {
                outcome
                    .err()
                    .map(|error| pb::batch_objects_reply::BatchError {
                        index: index as i32,
                        error,
                    })
            })
            .collect(),
    }
}

/// The reply of a batch delete.
pub(crate) fn delete_reply(
    result: &model::BatchDeleteResult,
    verbose: bool,
    took: f32,
) -> pb::BatchDeleteReply {
    let objects = if verbose {
        result
            .objects
            .iter()
            .map(|(id, error)| pb::BatchDeleteObject {
                uuid: id.as_bytes().to_vec(),
                successful: error.is_none(),
                error: error.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    // Weaviate's gRPC counts every listed object without an error as successful, so a dry
    // run reports its matches as successful where REST reports 0.
    let successful = result.matches.saturating_sub(result.failed) as i64;
    pb::BatchDeleteReply {
        took,
        failed: result.failed as i64,
        matches: result.matches as i64,
        successful,
        objects,
    }
}
