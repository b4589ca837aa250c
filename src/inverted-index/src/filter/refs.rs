//! `ReferencesAny`: the docs whose reference property holds a beacon to one of the given
//! targets, answered from the property's value entries (target uuid -> docs). The
//! coordinator writes this filter in place of a condition on a cross-reference path once it
//! knows which targets satisfy it, so a list can hold thousands of uuids: each is one map
//! lookup, and the doc sets go through one [`Union`].

use roaring::RoaringBitmap;
use types::schema::DataType;
use uuid::Uuid;

use super::text::{invalid, type_name};
use super::Eval;
use crate::index::{value_key, Union};
use crate::{Error, Result};

impl Eval<'_> {
    pub(super) fn references_any(&self, name: &str, targets: &[Uuid]) -> Result<RoaringBitmap> {
        let spec = self.config.property(name).ok_or_else(|| {
            invalid(format!(
                "no such prop with name '{name}' found in the schema. Check your schema files for which properties in this class are available"
            ))
        })?;
        if !matches!(spec.data_type, DataType::Reference(_)) {
            return Err(invalid(format!(
                "property '{name}' of type '{}' is not a cross-reference: only reference properties can be filtered by their targets",
                type_name(&spec.data_type)
            )));
        }
        self.require_index(spec)?;
        let values = &self.index_of(name).values;
        let mut out = Union::default();
        for target in targets {
            if let Some(docs) = values.get(&value_key(target.as_bytes())) {
                out.add(docs);
            }
        }
        Ok(out.finish())
    }
}

/// The error for a condition on a cross-reference path: the coordinator resolves those into
/// [`types::filter::Filter::ReferencesAny`], so one reaching a shard is a bug upstream, not
/// bad input.
pub(super) fn unresolved(property: &str, class: &str) -> Error {
    Error::UnresolvedReferencePath {
        property: property.to_string(),
        class: class.to_string(),
    }
}
