//! Collection (class) schema logic in Weaviate 1.27's dialect: turning request bodies into
//! complete [`Class`] values with every default filled in, validating them, checking which
//! fields an update may change, inferring properties for auto-schema, and validating and
//! normalising an object's property values against its class.
//!
//! Everything here is pure: no IO, no cluster state. Checks that need the rest of the schema
//! (duplicate or similar class names, cross-reference targets that must exist, objects a beacon
//! points at) belong to the caller; [`reference_targets`] lists what to look up.
//!
//! Layout:
//! - `class`: `POST /v1/schema` bodies ([`parse_class`]), with the per-section parsers in
//!   `inverted`, `sharding` (sharding, replication, multi-tenancy), `vector_index` and
//!   `compression` (hnsw's pq/bq/sq/rq rules and `DEFAULT_QUANTIZATION`).
//! - `property`: properties and nested properties ([`parse_property`]).
//! - `init_from`: the `initFrom` extension of `POST /v1/schema` ([`parse_init_from`]).
//! - `update`: `PUT /v1/schema/{class}` ([`apply_update`], [`check_update`]).
//! - `autoschema`: type inference for unknown classes and properties ([`infer_properties`]).
//! - `values`: object property validation ([`normalize_properties`]).
//! - `where_filter`: `where` filters against the class ([`validate_where`]).
//! - `names`, `json`, `stopwords`: small helpers.

mod autoschema;
mod class;
mod compression;
mod init_from;
mod inverted;
mod json;
mod names;
mod property;
mod sharding;
mod stopwords;
mod update;
mod values;
mod vector_index;
mod where_filter;

#[cfg(test)]
mod autoschema_tests;
#[cfg(test)]
mod class_tests;
#[cfg(test)]
mod compression_tests;
#[cfg(test)]
mod init_from_tests;
#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod values_tests;
#[cfg(test)]
mod vector_index_tests;
#[cfg(test)]
mod where_filter_tests;

use types::schema::{Class, DefaultQuantization, Distance, Property};

pub use autoschema::{auto_class, infer_nested_updates, infer_properties};
pub use class::parse_class;
pub use init_from::{check_vectors, inherit_from, parse_init_from, InitFrom, INIT_FROM};
pub use names::{alias_name, class_name, property_name};
pub use property::{check_new_property, parse_property};
pub use update::{apply_update, check_update};
pub use values::{normalize_properties, normalize_references, parse_beacon};
pub use where_filter::{validate_where, ClassLookup};

/// Node-level inputs to default-filling.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDefaults {
    /// `DEFAULT_VECTOR_DISTANCE_METRIC`: the distance of a legacy (unnamed) vector index whose
    /// config does not name one. Like Weaviate, named vectors always default to cosine.
    pub default_distance: Distance,
    /// `ASYNC_INDEXING`: the `dynamic` index type is only accepted when it is on.
    pub async_indexing: bool,
    /// Nodes in the cluster now: the default `shardingConfig.desiredCount` and the upper bound
    /// of `replicationConfig.factor`.
    pub node_count: u32,
    /// `DEFAULT_QUANTIZATION`: the compression of a new hnsw index whose class enables none.
    pub default_quantization: DefaultQuantization,
}

impl Default for SchemaDefaults {
    fn default() -> Self {
        SchemaDefaults {
            default_distance: Distance::Cosine,
            async_indexing: false,
            node_count: 1,
            default_quantization: DefaultQuantization::None,
        }
    }
}

/// The classes the cross-reference properties of `props` point at, as `(property, class)`, each
/// class once (with the first property naming it), in order, `own_class` left out. Weaviate
/// rejects a reference to a class that does not exist; the caller checks these against its
/// schema and reports a missing one with [`reference_target_missing`].
pub fn reference_targets<'a>(props: &'a [Property], own_class: &str) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for prop in props
        .iter()
        .filter(|p| property::is_reference(&p.data_type))
    {
        for target in &prop.data_type {
            if target != own_class && !out.iter().any(|(_, t)| t == target) {
                out.push((&prop.name, target));
            }
        }
    }
    out
}

/// Convenience for callers holding a whole class: the targets of all its reference properties.
pub fn class_reference_targets(class: &Class) -> Vec<(&str, &str)> {
    reference_targets(class.props(), &class.class)
}

/// The error for a cross-reference property whose target class does not exist (Weaviate's
/// wording, plus the class name).
pub fn reference_target_missing(property: &str, target: &str) -> crate::Error {
    crate::Error::invalid(format!(
        "property '{property}': invalid dataType: reference property to nonexistent class '{target}'"
    ))
}
