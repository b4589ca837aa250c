//! `initFrom`, a Shoal extension of `POST /v1/schema`: the new class is filled, server-side and
//! in the background, with every object and vector of an existing class (of one of its tenants,
//! when it is multi-tenant). With an alias switched afterwards this is a reindex without
//! downtime: build, copy, switch.
//!
//! ```json
//! {"class": "ArticleV2", "vectorIndexConfig": {"ef": 256}, "initFrom": {"class": "Article"}}
//! ```
//!
//! What the body leaves out is taken from the source, so that a body naming only new index
//! settings describes the same data: `properties`, `invertedIndexConfig`, `replicationConfig`
//! and `moduleConfig` each when absent, and the vector settings (`vectorizer`,
//! `vectorIndexType`, `vectorIndexConfig`, `vectorConfig`) as one group when the body names
//! none of them. Sharding is the new class's own, and the new class is single-tenant.
//!
//! Weaviate has no such field; its parser ignores it, so a body meant for Shoal sent to
//! Weaviate creates an empty class rather than failing.

use serde_json::Value;
use types::schema::Class;

use super::json::{self, Obj};
use super::names::{class_name, validate_class_name};
use crate::{Error, Result};

/// The body's key.
pub const INIT_FROM: &str = "initFrom";

/// The fields taken from the source one by one when the body leaves them out.
const INHERITED_ONE_BY_ONE: [&str; 4] = [
    "properties",
    "invertedIndexConfig",
    "replicationConfig",
    "moduleConfig",
];

/// The vector settings, taken from the source together or not at all.
const VECTOR_FIELDS: [&str; 4] = [
    "vectorizer",
    "vectorIndexType",
    "vectorIndexConfig",
    "vectorConfig",
];

/// Where a new class's objects come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitFrom {
    /// The source class, or an alias of it, in its stored form (first letter upper-cased).
    pub class: String,
    /// The one tenant to copy; required when the source is multi-tenant, refused otherwise.
    pub tenant: Option<String>,
}

/// The `initFrom` of a class body, if it has one.
pub fn parse_init_from(body: &Value) -> Result<Option<InitFrom>> {
    let Some(obj) = body.as_object() else {
        return Ok(None);
    };
    let Some(init) = json::opt_obj(obj, INIT_FROM, "")? else {
        return Ok(None);
    };
    if let Some(unknown) = init.keys().find(|k| *k != "class" && *k != "tenant") {
        return Err(Error::invalid(format!(
            "initFrom: unknown field '{unknown}', expected class and optionally tenant"
        )));
    }
    let raw = json::opt_str(init, "class", INIT_FROM)?
        .ok_or_else(|| Error::invalid("initFrom.class: expected the name of a class"))?;
    let class = class_name(raw);
    validate_class_name(&class).map_err(|e| Error::invalid(format!("initFrom.class: {e}")))?;
    let tenant = json::opt_str(init, "tenant", INIT_FROM)?.map(str::to_string);
    if let Some(t) = &tenant {
        if !crate::tenants::is_valid_name(t) {
            return Err(Error::invalid(format!(
                "initFrom.tenant: '{t}' is not a valid tenant name"
            )));
        }
    }
    if multi_tenant(obj) {
        return Err(Error::invalid(
            "initFrom: a multi-tenant class cannot be built from another; create it without multiTenancyConfig",
        ));
    }
    Ok(Some(InitFrom { class, tenant }))
}

fn multi_tenant(obj: &Obj) -> bool {
    json::field(obj, "multiTenancyConfig")
        .and_then(|mt| mt.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The body without `initFrom`, with what it leaves out taken from `source` (see the module
/// docs), ready for [`super::parse_class`].
pub fn inherit_from(body: &Value, source: &Class) -> Result<Value> {
    let mut obj = json::as_obj(body, "class")?.clone();
    obj.remove(INIT_FROM);
    let source = serde_json::to_value(source)
        .map_err(|e| Error::invalid(format!("initFrom: the source class cannot be read: {e}")))?;
    let inherit = |obj: &mut Obj, key: &str| {
        if let Some(value) = source.get(key).filter(|v| !v.is_null()) {
            obj.insert(key.to_string(), value.clone());
        }
    };
    for key in INHERITED_ONE_BY_ONE {
        if json::field(&obj, key).is_none() {
            inherit(&mut obj, key);
        }
    }
    if VECTOR_FIELDS.iter().all(|k| json::field(&obj, k).is_none()) {
        for key in VECTOR_FIELDS {
            inherit(&mut obj, key);
        }
    }
    Ok(Value::Object(obj))
}

/// Refuses a new class that could not hold the source's vectors: a named vector of the source
/// must be declared in the new class's `vectorConfig`, and an unnamed one needs an unnamed
/// index.
pub fn check_vectors(source: &Class, target: &Class) -> Result<()> {
    match (&source.vector_config, &target.vector_config) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(Error::invalid(format!(
            "initFrom: class {} has an unnamed vector, which a class with vectorConfig cannot hold",
            source.class
        ))),
        (Some(named), None) => Err(Error::invalid(format!(
            "initFrom: class {} has named vectors ({}), which the new class must declare in vectorConfig",
            source.class,
            named.keys().cloned().collect::<Vec<_>>().join(", ")
        ))),
        (Some(named), Some(declared)) => match named.keys().find(|k| !declared.contains_key(*k)) {
            Some(missing) => Err(Error::invalid(format!(
                "initFrom: class {} has the named vector '{missing}', which the new class's vectorConfig does not declare",
                source.class
            ))),
            None => Ok(()),
        },
    }
}
