//! `PUT /v1/schema/{class}`: which fields an update may change
//! (usecases/schema/class.go UpdateClass, parser.go ParseClassUpdate, and the
//! ValidateUserConfigUpdate functions of the hnsw, flat, dynamic and inverted index packages).
//!
//! Weaviate parses the body as a complete class, fills defaults, and compares. Clients send the
//! whole class they read (GET, merge, PUT), so that is what normally arrives. Shoal first
//! deep-merges the body into the current class, so a field the body leaves out keeps its
//! current value instead of silently falling back to its default (which in Weaviate can even
//! reset `replicationConfig.factor` to 1).

use serde_json::Value;
use types::schema::{
    Class, DynamicConfig, FlatConfig, HnswConfig, InvertedIndexConfig, NestedProperty, Property,
    VectorIndexConfig,
};

use super::class::{self, Mode};
use super::json;
use super::names::class_name;
use super::{compression, sharding, SchemaDefaults};
use crate::{Error, Result};

/// Applies a `PUT /v1/schema/{class}` body to `current`. Returns the updated class, or an
/// InvalidInput error naming the first immutable field the body tries to change.
pub fn apply_update(current: &Class, body: &Value, defaults: &SchemaDefaults) -> Result<Class> {
    let patch = json::as_obj(body, "class")?;
    if let Some(name) = json::opt_str(patch, "class", "")? {
        check_text("class name", &current.class, &class_name(name))?;
    }
    if current.vector_config.is_none()
        && json::opt_obj(patch, "vectorConfig", "")?.is_some_and(|m| !m.is_empty())
    {
        return Err(Error::invalid("additional configs for vectors"));
    }
    let mut merged = serde_json::to_value(current)
        .map_err(|e| Error::Internal(format!("cannot serialise class {}: {e}", current.class)))?;
    json::deep_merge(&mut merged, body);
    // Before parsing: a class leaving multi-tenancy carries its all-zero sharding config along,
    // and Weaviate reports the change of `enabled` before any rule of the auto switches.
    let enabled = merged
        .get("multiTenancyConfig")
        .and_then(|m| m.get("enabled"))
        .and_then(Value::as_bool);
    if let Some(enabled) = enabled {
        check_multi_tenancy(current.multi_tenancy_config.enabled, enabled)?;
    }
    let multi_tenancy = sharding::parse_multi_tenancy(merged.get("multiTenancyConfig"))?;
    check_multi_tenancy(current.multi_tenancy_config.enabled, multi_tenancy.enabled)?;
    let updated = class::parse(&merged, defaults, Mode::Update)?;
    check_immutable(current, &updated, defaults)?;
    Ok(updated)
}

/// Checks that `updated`, a class already parsed, may replace `current`: the rules
/// [`apply_update`] applies, for a caller holding a newer `current` than the update was
/// computed from.
pub fn check_update(current: &Class, updated: &Class, defaults: &SchemaDefaults) -> Result<()> {
    check_text("class name", &current.class, &updated.class)?;
    check_multi_tenancy(
        current.multi_tenancy_config.enabled,
        updated.multi_tenancy_config.enabled,
    )?;
    check_immutable(current, updated, defaults)
}

/// Every rule of what may not change.
fn check_immutable(current: &Class, updated: &Class, defaults: &SchemaDefaults) -> Result<()> {
    check_vectors(current, updated)?;
    check_sharding(current, updated)?;
    check_replication(current, updated, defaults)?;
    check_properties(current.props(), updated.props())?;
    check_inverted(
        &current.inverted_index_config,
        &updated.inverted_index_config,
    )
    .map_err(|e| Error::invalid(format!("inverted index config: {e}")))
}

fn immutable(field: &str, from: impl std::fmt::Display, to: impl std::fmt::Display) -> Error {
    Error::invalid(format!(
        "{field} is immutable: attempted change from \"{from}\" to \"{to}\""
    ))
}

fn check_text(field: &str, from: &str, to: &str) -> Result<()> {
    if from != to {
        return Err(immutable(field, from, to));
    }
    Ok(())
}

fn check_multi_tenancy(current: bool, updated: bool) -> Result<()> {
    match (current, updated) {
        (true, false) => Err(Error::invalid(
            "disabling multi-tenancy for an existing class is not supported",
        )),
        (false, true) => Err(Error::invalid(
            "enabling multi-tenancy for an existing class is not supported",
        )),
        _ => Ok(()),
    }
}

fn check_vectors(current: &Class, updated: &Class) -> Result<()> {
    match (&current.vector_config, &updated.vector_config) {
        (None, None) => check_legacy_vector(current, updated),
        (Some(_), None) => Err(Error::invalid("missing configs for vectors")),
        (None, Some(_)) => Err(Error::invalid("additional configs for vectors")),
        (Some(before), Some(after)) => {
            if let Some(extra) = after.keys().find(|k| !before.contains_key(*k)) {
                return Err(Error::invalid(format!(
                    "additional config for vector {extra:?}"
                )));
            }
            for (name, old) in before {
                let Some(new) = after.get(name) else {
                    return Err(Error::invalid(format!(
                        "missing config for vector {name:?}"
                    )));
                };
                check_named_vector(name, old, new)?;
            }
            Ok(())
        }
    }
}

fn check_named_vector(
    name: &str,
    old: &types::schema::NamedVectorConfig,
    new: &types::schema::NamedVectorConfig,
) -> Result<()> {
    if old.vector_index_type != new.vector_index_type {
        return Err(Error::invalid(format!(
            "vector index type of vector {name:?} is immutable: attempted change from {:?} to {:?}",
            old.vector_index_type.as_str(),
            new.vector_index_type.as_str()
        )));
    }
    if old.vectorizer != new.vectorizer {
        return Err(Error::invalid(format!(
            "vectorizer config of vector {name:?} is immutable"
        )));
    }
    check_index_config(&old.vector_index_config, &new.vector_index_config)
        .map_err(|e| Error::invalid(format!("vector {name:?}: {e}")))
}

fn check_legacy_vector(current: &Class, updated: &Class) -> Result<()> {
    let text = |c: &Class| c.vectorizer.clone().unwrap_or_default();
    check_text("vectorizer", &text(current), &text(updated))?;
    let kind = |c: &Class| c.vector_index_type.map(|t| t.as_str()).unwrap_or_default();
    check_text("vector index type", kind(current), kind(updated))?;
    match (&current.vector_index_config, &updated.vector_index_config) {
        (Some(old), Some(new)) => check_index_config(old, new)
            .map_err(|e| Error::invalid(format!("validate vector index config: {e}"))),
        _ => Ok(()),
    }
}

/// The index-type specific rules (the types themselves were compared before).
fn check_index_config(old: &VectorIndexConfig, new: &VectorIndexConfig) -> Result<()> {
    match (old, new) {
        (VectorIndexConfig::Hnsw(a), VectorIndexConfig::Hnsw(b)) => check_hnsw(a, b),
        (VectorIndexConfig::Flat(a), VectorIndexConfig::Flat(b)) => check_flat(a, b),
        (VectorIndexConfig::Dynamic(a), VectorIndexConfig::Dynamic(b)) => check_dynamic(a, b),
        (a, b) => Err(Error::invalid(format!(
            "vector index config type is immutable: attempted change from {} to {}",
            kind_name(a),
            kind_name(b)
        ))),
    }
}

fn kind_name(config: &VectorIndexConfig) -> &'static str {
    match config {
        VectorIndexConfig::Hnsw(_) => "hnsw",
        VectorIndexConfig::Flat(_) => "flat",
        VectorIndexConfig::Dynamic(_) => "dynamic",
    }
}

/// Weaviate's immutable hnsw fields, plus `skip`: Shoal does not build or drop a whole index on
/// a config update. Compression may be enabled, not disabled or switched.
fn check_hnsw(a: &HnswConfig, b: &HnswConfig) -> Result<()> {
    compression::check_update(a, b)?;
    check_same("efConstruction", a.ef_construction, b.ef_construction)?;
    check_same("maxConnections", a.max_connections, b.max_connections)?;
    check_same(
        "cleanupIntervalSeconds",
        a.cleanup_interval_seconds,
        b.cleanup_interval_seconds,
    )?;
    check_same("distance", a.distance.as_str(), b.distance.as_str())?;
    check_same("skip", a.skip, b.skip)
}

fn check_flat(a: &FlatConfig, b: &FlatConfig) -> Result<()> {
    check_same("distance", a.distance.as_str(), b.distance.as_str())?;
    check_same("pq.cache", a.pq.cache, b.pq.cache)?;
    check_same("pq", a.pq.enabled, b.pq.enabled)?;
    check_same("bq", a.bq.enabled, b.bq.enabled)?;
    check_same("rq", a.rq.enabled, b.rq.enabled)?;
    check_same("rq.bits", a.rq.bits, b.rq.bits)
}

fn check_dynamic(a: &DynamicConfig, b: &DynamicConfig) -> Result<()> {
    check_same("distance", a.distance.as_str(), b.distance.as_str())?;
    check_flat(&a.flat, &b.flat)?;
    check_hnsw(&a.hnsw, &b.hnsw)
}

fn check_same<T: PartialEq + std::fmt::Display>(field: &str, from: T, to: T) -> Result<()> {
    if from != to {
        return Err(immutable(field, from, to));
    }
    Ok(())
}

fn check_sharding(current: &Class, updated: &Class) -> Result<()> {
    if current.multi_tenancy_config.enabled {
        return Ok(());
    }
    let (a, b) = (&current.sharding_config, &updated.sharding_config);
    let wrap = |e: Error| Error::invalid(format!("validate sharding config: {e}"));
    if a.desired_count != b.desired_count {
        return Err(wrap(Error::invalid(format!(
            "re-sharding not supported yet: shard count is immutable: attempted change from \"{}\" to \"{}\"",
            a.desired_count, b.desired_count
        ))));
    }
    check_same(
        "virtual shards per physical",
        a.virtual_per_physical,
        b.virtual_per_physical,
    )
    .map_err(wrap)
}

/// The factor may change (the caller then adds or removes replicas), within the cluster size.
fn check_replication(current: &Class, updated: &Class, defaults: &SchemaDefaults) -> Result<()> {
    let (from, to) = (
        current.replication_config.factor,
        updated.replication_config.factor,
    );
    if from != to && to > defaults.node_count {
        return Err(Error::invalid(format!(
            "scale {:?} from {from} replicas to {to}: cannot scale to {to} replicas, cluster has only {} nodes",
            current.class, defaults.node_count
        )));
    }
    Ok(())
}

/// Only descriptions may change, and the list must stay the same (new properties go through
/// `POST /v1/schema/{class}/properties`).
fn check_properties(current: &[Property], updated: &[Property]) -> Result<()> {
    let same = current.len() == updated.len()
        && current
            .iter()
            .zip(updated)
            .all(|(a, b)| without_descriptions(a) == without_descriptions(b));
    if same {
        return Ok(());
    }
    Err(Error::invalid(
        "property fields other than description cannot be updated through updating the class. Use the add \
         property feature (e.g. \"POST /v1/schema/{className}/properties\") to add additional properties",
    ))
}

fn without_descriptions(p: &Property) -> Property {
    let mut p = p.clone();
    p.description = None;
    p.nested_properties = p
        .nested_properties
        .map(|n| n.iter().map(nested_without_descriptions).collect());
    p
}

fn nested_without_descriptions(n: &NestedProperty) -> NestedProperty {
    let mut n = n.clone();
    n.description = None;
    n.nested_properties = n
        .nested_properties
        .map(|list| list.iter().map(nested_without_descriptions).collect());
    n
}

/// bm25, stopwords and the cleanup interval may change; what was indexed may not.
/// `indexTimestamps` is immutable in Shoal too (Weaviate forgets to check it, but existing
/// objects would be missing from the timestamp index).
fn check_inverted(a: &InvertedIndexConfig, b: &InvertedIndexConfig) -> Result<()> {
    if a.index_property_length != b.index_property_length {
        return Err(Error::invalid(
            "IndexPropertyLength cannot be changed when updating a schema",
        ));
    }
    if a.index_null_state != b.index_null_state {
        return Err(Error::invalid(
            "IndexNullState cannot be changed when updating a schema",
        ));
    }
    if a.index_timestamps != b.index_timestamps {
        return Err(Error::invalid(
            "IndexTimestamps cannot be changed when updating a schema",
        ));
    }
    Ok(())
}
