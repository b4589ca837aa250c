//! `PropertiesRequest.ref_properties` of a search (the v4 client's `return_references`) and
//! the `ref_props` of its reply: which references to resolve, of which target collection,
//! with which properties and metadata, to any depth.

use model::{ReferenceQuery, ReferenceTarget, ResolvedReference, SearchHit};
use types::schema::{Class, DataType};

use super::filters::Schema;
use super::pb;
use super::search::{metadata, selection};
use super::values::{self, Selection};

/// Deepest reference request read; deeper ones are refused rather than recursed into.
const MAX_DEPTH: usize = 32;

/// One `RefPropertiesRequest`, checked against the schema.
#[derive(Debug, Clone)]
pub(crate) struct RefPlan {
    pub property: String,
    /// The class of the referenced objects to return.
    pub target: Class,
    pub selection: Selection,
    pub metadata: pb::MetadataRequest,
    pub references: Vec<RefPlan>,
}

/// The reference requests of `request` on `class`.
pub(crate) fn plan(
    class: &Class,
    schema: Schema<'_>,
    request: Option<&pb::PropertiesRequest>,
) -> Result<Vec<RefPlan>, String> {
    plan_at(class, schema, request, 0)
}

fn plan_at(
    class: &Class,
    schema: Schema<'_>,
    request: Option<&pb::PropertiesRequest>,
    depth: usize,
) -> Result<Vec<RefPlan>, String> {
    let Some(request) = request else {
        return Ok(Vec::new());
    };
    if depth > MAX_DEPTH && !request.ref_properties.is_empty() {
        return Err(format!(
            "references are nested deeper than {MAX_DEPTH} levels"
        ));
    }
    request
        .ref_properties
        .iter()
        .map(|r| {
            let target = target_of(class, schema, r)?;
            Ok(RefPlan {
                property: r.reference_property.clone(),
                selection: selection(r.properties.as_ref())?,
                metadata: r.metadata.clone().unwrap_or_default(),
                references: plan_at(&target, schema, r.properties.as_ref(), depth + 1)?,
                target,
            })
        })
        .collect()
}

/// The collection a reference request returns: the one it names, or the property's only one.
fn target_of(
    class: &Class,
    schema: Schema<'_>,
    r: &pb::RefPropertiesRequest,
) -> Result<Class, String> {
    let property = &r.reference_property;
    let prop = class.property(property).ok_or_else(|| {
        format!(
            "no such prop with name '{property}' found in class '{}' in the schema",
            class.class
        )
    })?;
    let Some(DataType::Reference(targets)) = prop.kind() else {
        return Err(format!(
            "property '{property}' of class '{}' is not a cross-reference",
            class.class
        ));
    };
    let name = match (r.target_collection.as_str(), targets.as_slice()) {
        ("", [only]) => only.clone(),
        ("", _) => {
            return Err(format!(
                "reference property '{property}' has several target collections: name the one to return"
            ))
        }
        (given, _) if targets.iter().any(|t| t == given) => given.to_string(),
        (given, _) => {
            return Err(format!(
                "reference property '{property}' does not point at collection '{given}'"
            ))
        }
    };
    schema(&name).ok_or_else(|| format!("class \"{name}\" does not exist in schema"))
}

/// What the coordinator resolves for these requests.
pub(crate) fn queries(plans: &[RefPlan]) -> Vec<ReferenceQuery> {
    let mut out: Vec<ReferenceQuery> = Vec::new();
    for p in plans {
        let target = ReferenceTarget {
            class: p.target.class.clone(),
            with_vectors: p.metadata.vector || !p.metadata.vectors.is_empty(),
            references: queries(&p.references),
        };
        match out.iter_mut().find(|q| q.property == p.property) {
            Some(q) => q.targets.push(target),
            None => out.push(ReferenceQuery {
                property: p.property.clone(),
                targets: vec![target],
            }),
        }
    }
    out
}

/// The `ref_props` of a result: per request, the resolved objects of its collection.
pub(crate) fn results(plans: &[RefPlan], hit: &SearchHit) -> Vec<pb::RefPropertiesResult> {
    // Weaviate returns a reference property only for an object that has it set, if only to
    // an empty list.
    let holds = |property: &str| {
        hit.object
            .properties
            .get(property)
            .is_some_and(serde_json::Value::is_array)
    };
    plans
        .iter()
        .filter(|p| holds(&p.property))
        .map(|p| {
            let resolved = hit
                .references
                .get(&p.property)
                .map(Vec::as_slice)
                .unwrap_or_default();
            pb::RefPropertiesResult {
                prop_name: p.property.clone(),
                properties: resolved
                    .iter()
                    .filter(|r| r.object.class == p.target.class)
                    .map(|r| referenced(p, r))
                    .collect(),
            }
        })
        .collect()
}

fn referenced(plan: &RefPlan, r: &ResolvedReference) -> pb::PropertiesResult {
    let hit = r.as_hit();
    let schema = plan.target.properties.as_deref().unwrap_or_default();
    pb::PropertiesResult {
        non_ref_props: Some(values::properties(
            &hit.object.properties,
            schema,
            &plan.selection,
        )),
        ref_props: results(&plan.references, &hit),
        ref_props_requested: !plan.references.is_empty(),
        target_collection: plan.target.class.clone(),
        metadata: Some(metadata(&plan.target, &hit, &plan.metadata, None)),
    }
}
