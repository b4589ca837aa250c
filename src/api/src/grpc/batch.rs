//! `Weaviate/BatchObjects` and `BatchReferences`: every object read into the [`ObjectWrite`]
//! the REST batch makes, every reference into the [`BatchReference`] of REST's batch
//! references, stored by the same coordinator calls; the replies list only the failures, each
//! at its index in the request.

use model::references::BatchReference;
use model::ObjectWrite;
use uuid::Uuid;

use super::filters::Schema;
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

/// The reference parts of a batch object against its collection, as Weaviate's gRPC parser
/// checks them: the property must exist (unless auto-schema will create the collection) and
/// be single- or multi-target as the part says.
pub(crate) fn check_references(object: &pb::BatchObject, schema: Schema<'_>) -> Result<(), String> {
    let Some(properties) = &object.properties else {
        return Ok(());
    };
    if properties.single_target_ref_props.is_empty() && properties.multi_target_ref_props.is_empty()
    {
        return Ok(());
    }
    let Some(class) = schema(&object.collection) else {
        return Ok(());
    };
    let targets = |name: &str| -> Result<usize, String> {
        class
            .property(name)
            .map(|p| p.data_type.len())
            .ok_or_else(|| {
                format!(
                "no such prop with name '{name}' found in class '{}' in the schema. Check your \
                 schema files for which properties in this class are available",
                class.class
            )
            })
    };
    for single in &properties.single_target_ref_props {
        if targets(&single.prop_name)? > 1 {
            return Err("target is a multi-target reference, need single target".into());
        }
    }
    for multi in &properties.multi_target_ref_props {
        if targets(&multi.prop_name)? == 1 {
            return Err("target is a single-target reference, need multi-target".into());
        }
    }
    Ok(())
}

/// The reply from each entry's outcome, in request order.
pub(crate) fn reply(outcomes: Vec<Result<(), String>>, took: f32) -> pb::BatchObjectsReply {
    pb::BatchObjectsReply {
        took,
        errors: failures(outcomes, |index, error| {
            pb::batch_objects_reply::BatchError { index, error }
        }),
    }
}

/// The failed entries at their request index, the only ones a batch reply lists.
fn failures<E>(outcomes: Vec<Result<(), String>>, error: impl Fn(i32, String) -> E) -> Vec<E> {
    outcomes
        .into_iter()
        .enumerate()
        .filter_map(|(index, outcome)| outcome.err().map(|e| error(index as i32, e)))
        .collect()
}

/// One reference of `BatchReferences`: the beacon names the target collection when the
/// request does, else the property's only target fills it in.
pub(crate) fn reference_of(r: &pb::BatchReference) -> Result<BatchReference, String> {
    if r.from_collection.is_empty() {
        return Err("from_collection must be set".into());
    }
    let from_id = Uuid::parse_str(&r.from_uuid)
        .map_err(|_| format!("invalid from_uuid '{}': not a uuid", r.from_uuid))?;
    let to = match r.to_collection.as_deref().filter(|c| !c.is_empty()) {
        Some(class) => format!("weaviate://localhost/{class}/{}", r.to_uuid),
        None => format!("weaviate://localhost/{}", r.to_uuid),
    };
    Ok(BatchReference {
        from_class: r.from_collection.clone(),
        from_id,
        property: r.name.clone(),
        to: serde_json::json!({ "beacon": to }),
        tenant: (!r.tenant.is_empty()).then(|| r.tenant.clone()),
    })
}

/// The reply of `BatchReferences`: the failures at their request index.
pub(crate) fn references_reply(
    outcomes: Vec<Result<(), String>>,
    took: f32,
) -> pb::BatchReferencesReply {
    pb::BatchReferencesReply {
        took,
        errors: failures(outcomes, |index, error| {
            pb::batch_references_reply::BatchError { index, error }
        }),
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
