//! Cross-reference writes: the references endpoints (`POST/PUT/DELETE
//! /v1/objects/{class}/{id}/references/{property}`) and batch references, as typed changes to
//! one reference property, with Weaviate's rules for beacons and for the `from` of a batch
//! reference.
//!
//! A reference property's stored value is a list of `{"beacon": "weaviate://localhost/<Class>/<uuid>"}`
//! maps (see [`crate::schema::normalize_properties`]). Whether the referenced objects exist is
//! not checked: Weaviate keeps dangling beacons, and queries skip them.

use serde_json::Value;
use types::schema::{Class, DataType};
use uuid::Uuid;

use crate::schema::parse_beacon;

/// A change to one reference property of one object.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferenceChange {
    /// Appends these (normalised) references.
    Add(Vec<Value>),
    /// Replaces every reference with these.
    Replace(Vec<Value>),
    /// Removes every reference to this target.
    Delete(BeaconTarget),
}

/// Where a beacon points: its class when the beacon names one, and the object id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BeaconTarget {
    pub class: Option<String>,
    pub id: Uuid,
}

impl BeaconTarget {
    /// The target of a stored reference (`{"beacon": ...}`); `None` for anything else.
    pub fn of(reference: &Value) -> Option<BeaconTarget> {
        let beacon = reference.get("beacon")?.as_str()?;
        let (class, id) = parse_beacon(beacon).ok()?;
        Some(BeaconTarget {
            class,
            id: Uuid::parse_str(&id).ok()?,
        })
    }

    /// Whether a reference to `other` is one to this target (a side without a class matches
    /// any class: the legacy beacon form names none).
    fn matches(&self, other: &BeaconTarget) -> bool {
        self.id == other.id
            && match (&self.class, &other.class) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// One entry of `POST /v1/batch/references`, or of gRPC `BatchReferences`.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReference {
    pub from_class: String,
    pub from_id: Uuid,
    pub property: String,
    /// `{"beacon": ...}` as sent, checked against the property when it is applied.
    pub to: Value,
    pub tenant: Option<String>,
}

/// Parses a batch reference's `from`: `weaviate://localhost/<Class>/<uuid>/<property>`.
pub fn parse_source(from: &str) -> Result<(String, Uuid, String), String> {
    let long_form = || {
        "invalid cref URI: must use long-form: path must be of format \
         '/<className>/<uuid>/<propertyName>'"
            .to_string()
    };
    let path = from
        .strip_prefix("weaviate://")
        .ok_or_else(|| format!("invalid cref URI: '{from}' does not start with weaviate://"))?;
    let path = path
        .strip_prefix("localhost/")
        .ok_or_else(|| "invalid cref URI: unrecognized cross-ref ref format".to_string())?;
    let parts: Vec<&str> = path.split('/').collect();
    let [class, id, property] = parts.as_slice() else {
        return Err(long_form());
    };
    if class.is_empty() || property.is_empty() {
        return Err(long_form());
    }
    let id = Uuid::parse_str(id)
        .map_err(|_| format!("invalid cref URI: 2nd path segment must be uuid, but got '{id}'"))?;
    Ok((class.to_string(), id, property.to_string()))
}

/// Checks `references` (a list of `{"beacon": ...}`) for the reference property `property` of
/// `class` and returns them as they are stored. `Err` is a message for a 422.
pub fn check_references(
    class: &Class,
    property: &str,
    references: &Value,
) -> Result<Vec<Value>, String> {
    let targets = reference_targets(class, property)?;
    let normalized =
        crate::schema::normalize_references(&class.class, property, references, targets)?;
    // always a list: anything else was refused above
    Ok(normalized.as_array().cloned().unwrap_or_default())
}

/// The target classes of the reference property `property` of `class`.
pub fn reference_targets<'c>(class: &'c Class, property: &str) -> Result<&'c [String], String> {
    let prop = class.property(property).ok_or_else(|| {
        format!(
            "no such prop with name '{property}' found in class '{}' in the schema. Check your \
             schema files for which properties in this class are available",
            class.class
        )
    })?;
    match prop.kind() {
        Some(DataType::Reference(_)) => Ok(&prop.data_type),
        _ => Err(format!("property '{property}' is not a reference-type")),
    }
}

/// The property's references after `change`, from its current value (absent: none).
pub fn apply(current: Option<&Value>, change: &ReferenceChange) -> Value {
    let existing = current
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let updated = match change {
        ReferenceChange::Add(added) => existing.into_iter().chain(added.iter().cloned()).collect(),
        ReferenceChange::Replace(all) => all.clone(),
        ReferenceChange::Delete(target) => existing
            .into_iter()
            .filter(|r| !BeaconTarget::of(r).is_some_and(|t| t.matches(target)))
            .collect(),
    };
    Value::Array(updated)
}

#[cfg(test)]
#[path = "references_tests.rs"]
mod tests;
