//! `POST /v1/schema` bodies: a whole class, validated, with every default filled in
//! (usecases/schema/class.go AddClass, parser.go ParseClass).

use std::collections::BTreeMap;

use serde_json::Value;
use types::schema::{Class, NamedVectorConfig, Property};

use super::json::{self, Obj};
use super::names::{self, class_name};
use super::{compression, inverted, property, sharding, vector_index, SchemaDefaults};
use crate::{gofmt, Error, Result};

/// Whether a body creates a class or replaces an existing one; a few rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Create,
    Update,
}

/// Parses a `POST /v1/schema` body into a complete class, as Weaviate 1.27 echoes it:
/// - class name first letter upper-cased, `[A-Z][_0-9A-Za-z]{0,254}`, not `raft`;
/// - properties parsed by [`super::parse_property`], names unique case-insensitively;
/// - `vectorizer` only `none`; `vectorIndexType` hnsw (default), flat, or dynamic (needs
///   `defaults.async_indexing`); `vectorIndexConfig` with every default, the distance defaulting
///   to `defaults.default_distance`; or named vectors (`vectorConfig`) instead of all three;
/// - `invertedIndexConfig`, `replicationConfig` (factor at most `defaults.node_count`),
///   `multiTenancyConfig`, and `shardingConfig` (`desiredCount` = node count by default; all
///   zero for multi-tenant classes, where giving one is an error);
/// - `defaults.default_quantization` enabled on each hnsw index that enables no compression and
///   does not set `skipDefaultQuantization`.
///
/// Not checked here, because they need the rest of the schema: an existing class with the same
/// name ignoring case, and reference targets that must exist ([`super::reference_targets`]).
pub fn parse_class(body: &Value, defaults: &SchemaDefaults) -> Result<Class> {
    parse(body, defaults, Mode::Create)
}

/// Parses a class body in either mode.
pub(super) fn parse(body: &Value, defaults: &SchemaDefaults, mode: Mode) -> Result<Class> {
    let obj = json::as_obj(body, "class")?;
    let name = class_name(json::opt_str(obj, "class", "")?.unwrap_or_default());
    names::validate_class_name(&name)?;
    let multi_tenancy = sharding::parse_multi_tenancy(obj.get("multiTenancyConfig"))?;
    let sharding_config = match multi_tenancy.enabled {
        true if mode == Mode::Create && json::field(obj, "shardingConfig").is_some() => {
            return Err(Error::invalid(
                "cannot have both shardingConfig and multiTenancyConfig",
            ));
        }
        true => sharding::multi_tenant_sharding(),
        false => sharding::parse_sharding(obj.get("shardingConfig"), defaults.node_count)?,
    };
    let replication = sharding::parse_replication(obj.get("replicationConfig"))?;
    if mode == Mode::Create {
        sharding::check_factor_on_create(replication.factor, defaults.node_count)?;
    }
    let mut class = Class {
        properties: parse_properties(obj, &name)?,
        class: name,
        description: json::opt_str(obj, "description", "")?
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        vectorizer: None,
        vector_index_type: None,
        vector_index_config: None,
        vector_config: None,
        module_config: property::module_config(obj, "")?,
        inverted_index_config: inverted::parse(obj.get("invertedIndexConfig"))?,
        sharding_config,
        replication_config: replication,
        multi_tenancy_config: multi_tenancy,
    };
    parse_vectors(obj, defaults, &mut class)?;
    // An update keeps what the class was created with: the default is not applied again.
    if mode == Mode::Create {
        compression::apply_default(&mut class, defaults.default_quantization);
    }
    Ok(class)
}

/// `properties`: each parsed, names unique (case-insensitively). `null` when there are none,
/// as Weaviate echoes it.
fn parse_properties(obj: &Obj, class: &str) -> Result<Option<Vec<Property>>> {
    let items = match json::field(obj, "properties") {
        None => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(Error::invalid(format!(
                "properties must be a list, got {other}"
            )))
        }
    };
    let mut out: Vec<Property> = Vec::with_capacity(items.len());
    for item in items {
        let prop = property::parse_property(item)?;
        if out.iter().any(|p| p.name.eq_ignore_ascii_case(&prop.name)) {
            return Err(property::conflict(class, &prop.name));
        }
        out.push(prop);
    }
    // Weaviate keeps an empty list as `[]` only in memory; it echoes `null` either way.
    Ok((!out.is_empty()).then_some(out))
}

/// Fills either the legacy vector fields or `vectorConfig`.
fn parse_vectors(obj: &Obj, defaults: &SchemaDefaults, class: &mut Class) -> Result<()> {
    let named = json::opt_obj(obj, "vectorConfig", "")?.filter(|m| !m.is_empty());
    match named {
        None => parse_legacy_vector(obj, defaults, class),
        Some(named) => {
            reject_legacy_fields(obj)?;
            class.vector_config = Some(parse_named_vectors(named, defaults)?);
            Ok(())
        }
    }
}

/// `vectorizer` / `vectorIndexType` / `vectorIndexConfig` of a class without named vectors.
fn parse_legacy_vector(obj: &Obj, defaults: &SchemaDefaults, class: &mut Class) -> Result<()> {
    let vectorizer = json::opt_str(obj, "vectorizer", "")?
        .filter(|v| !v.is_empty())
        .unwrap_or("none");
    check_vectorizer(vectorizer)?;
    let kind = vector_index::parse_type(
        json::opt_str(obj, "vectorIndexType", "")?,
        defaults.async_indexing,
    )?;
    let config = vector_index::parse_config(
        kind,
        obj.get("vectorIndexConfig"),
        defaults.default_distance,
        "vectorIndexConfig",
    )
    .map_err(|e| Error::invalid(format!("parse vector index config: {e}")))?;
    class.vectorizer = Some(vectorizer.to_string());
    class.vector_index_type = Some(kind);
    class.vector_index_config = Some(config);
    Ok(())
}

/// Shoal has no vectorizer modules: vectors come with the objects.
fn check_vectorizer(name: &str) -> Result<()> {
    if name == "none" {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "vectorizer: no module with name {name:?} present (this server has no vectorizer modules; \
         use \"none\" and send vectors with the objects)"
    )))
}

fn reject_legacy_fields(obj: &Obj) -> Result<()> {
    if let Some(v) = json::opt_str(obj, "vectorizer", "")?.filter(|v| !v.is_empty()) {
        return Err(Error::invalid(format!(
            "class.vectorizer {v:?} can not be set if class.vectorConfig is configured"
        )));
    }
    if let Some(v) = json::opt_str(obj, "vectorIndexType", "")?.filter(|v| !v.is_empty()) {
        return Err(Error::invalid(format!(
            "class.vectorIndexType {v:?} can not be set if class.vectorConfig is configured"
        )));
    }
    if json::field(obj, "vectorIndexConfig").is_some() {
        return Err(Error::invalid(
            "parse vector index config: class.vectorIndexConfig can not be set if class.vectorConfig is configured",
        ));
    }
    Ok(())
}

fn parse_named_vectors(
    named: &Obj,
    defaults: &SchemaDefaults,
) -> Result<BTreeMap<String, NamedVectorConfig>> {
    let mut out = BTreeMap::new();
    for (name, value) in named {
        names::validate_target_vector_name(name)?;
        let entry = parse_named_vector(name, value, defaults)
            .map_err(|e| Error::invalid(format!("target vector {name:?}: {e}")))?;
        out.insert(name.clone(), entry);
    }
    Ok(out)
}

/// One `vectorConfig` entry. A missing `vectorIndexType` means hnsw (Weaviate 1.27 rejects it;
/// later versions default it, and the v4 client only omits it for those).
fn parse_named_vector(
    name: &str,
    value: &Value,
    defaults: &SchemaDefaults,
) -> Result<NamedVectorConfig> {
    let obj = json::as_obj(value, &format!("vectorConfig.{name}"))?;
    let vectorizer = match json::field(obj, "vectorizer") {
        Some(Value::Object(m)) if m.len() == 1 => m,
        Some(Value::Object(m)) => {
            return Err(Error::invalid(format!(
                "class.VectorConfig.Vectorizer must consist only 1 configuration, got: {}",
                m.len()
            )))
        }
        other => {
            return Err(Error::invalid(format!(
                "class.VectorConfig.Vectorizer must be an object, got {}",
                gofmt::type_name(other.unwrap_or(&Value::Null))
            )))
        }
    };
    for module in vectorizer.keys() {
        check_vectorizer(module)?;
    }
    let kind = vector_index::parse_type(
        json::opt_str(obj, "vectorIndexType", "")?,
        defaults.async_indexing,
    )?;
    // Like Weaviate, DEFAULT_VECTOR_DISTANCE_METRIC only applies to the legacy vector.
    let path = format!("vectorConfig.{name}.vectorIndexConfig");
    let config = vector_index::parse_config(
        kind,
        obj.get("vectorIndexConfig"),
        types::schema::Distance::Cosine,
        &path,
    )?;
    Ok(NamedVectorConfig {
        vectorizer: Value::Object(vectorizer.clone()),
        vector_index_type: kind,
        vector_index_config: config,
    })
}
