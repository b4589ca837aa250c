//! Weaviate refuses a written reference to an object that does not exist ("no object with id
//! ... found"): object writes and the references endpoints check the references they carry,
//! batch references do not (as in Weaviate, so that references can be added in any order
//! after an import). References that already dangle, because their target was deleted, are
//! kept and not checked again. The targets of a whole batch are looked up together, one
//! call per target class and shard.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use model::references::BeaconTarget;
use serde_json::{Map, Value};
use types::schema::DataType;
use uuid::Uuid;

use crate::remote::calls::MatchingIds;
use crate::{Coordinator, Error, Result};

/// The reference properties of one written object: its class, its tenant and the values to
/// check.
pub(crate) struct Written<'a> {
    pub class: &'a str,
    pub tenant: Option<&'a str>,
    pub properties: &'a Map<String, Value>,
}

/// A class as a reference sees it: a multi-tenant one within the writer's tenant.
type Scope = (String, Option<String>);

/// One beacon to check: the scopes it may point into.
struct Wanted {
    property: String,
    scopes: Vec<Scope>,
    id: Uuid,
}

/// Who wrote the references, which decides how a missing target is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    /// An object write: Weaviate prefixes its validation errors with "invalid object".
    Object,
    /// A references endpoint.
    ReferenceChange,
}

impl Coordinator {
    /// Per written object, `Err` naming the first reference whose target does not exist.
    pub(crate) async fn check_beacon_targets(
        &self,
        written: &[Written<'_>],
        writer: Writer,
    ) -> Vec<Result<()>> {
        let wanted: Vec<Result<Vec<Wanted>>> = written.iter().map(|w| self.wanted(w)).collect();
        let mut by_scope: BTreeMap<Scope, BTreeSet<Uuid>> = BTreeMap::new();
        for w in wanted.iter().flatten().flatten() {
            for scope in &w.scopes {
                by_scope.entry(scope.clone()).or_default().insert(w.id);
            }
        }
        let found = match by_scope.is_empty() {
            true => HashSet::new(),
            false => match self.existing(by_scope).await {
                Ok(found) => found,
                Err(e) => return written.iter().map(|_| Err(e.duplicate())).collect(),
            },
        };
        wanted
            .into_iter()
            .map(|list| {
                let list = list?;
                match list.iter().find(|w| {
                    !w.scopes
                        .iter()
                        .any(|(c, t)| found.contains(&(c.clone(), t.clone(), w.id)))
                }) {
                    Some(missing) => {
                        let sentence = format!(
                            "property '{}': no object with id {} found",
                            missing.property, missing.id
                        );
                        Err(Error::invalid(match writer {
                            Writer::Object => format!("invalid object: invalid cref: {sentence}"),
                            Writer::ReferenceChange => sentence,
                        }))
                    }
                    None => Ok(()),
                }
            })
            .collect()
    }

    /// The check for one object; with `only`, for the properties it names (a merge checks
    /// what it writes, not what the object already held).
    pub(crate) async fn check_object_targets(
        &self,
        object: &types::Object,
        only: Option<&Map<String, Value>>,
    ) -> Result<()> {
        let narrowed: Map<String, Value>;
        let properties = match only {
            Some(patch) => {
                let names: HashSet<String> = patch
                    .keys()
                    .map(|k| model::schema::property_name(k))
                    .collect();
                narrowed = object
                    .properties
                    .iter()
                    .filter(|(k, _)| names.contains(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                &narrowed
            }
            None => &object.properties,
        };
        let written = [Written {
            class: &object.class,
            tenant: object.tenant.as_deref(),
            properties,
        }];
        self.check_beacon_targets(&written, Writer::Object)
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    /// The beacons of `w`'s reference properties, each with the scopes it may point into
    /// (its own class, or every target class of the property for a class-less beacon). A
    /// single-tenant class may not point into a multi-tenant one, as in Weaviate.
    fn wanted(&self, w: &Written<'_>) -> Result<Vec<Wanted>> {
        let Some(meta) = self.class_meta(w.class) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for prop in meta.class.properties.iter().flatten() {
            let Some(DataType::Reference(targets)) = prop.kind() else {
                continue;
            };
            let Some(Value::Array(refs)) = w.properties.get(&prop.name) else {
                continue;
            };
            for target in refs.iter().filter_map(BeaconTarget::of) {
                let classes = target.class.map_or_else(|| targets.clone(), |c| vec![c]);
                let scopes = classes
                    .into_iter()
                    .map(|class| self.reference_scope_of(&meta, class, w.tenant))
                    .collect::<Result<Vec<Scope>>>()?;
                out.push(Wanted {
                    property: prop.name.clone(),
                    scopes,
                    id: target.id,
                });
            }
        }
        Ok(out)
    }

    /// Where a reference from `source` (written in `tenant`) into `class` looks: within the
    /// tenant when `class` is multi-tenant.
    fn reference_scope_of(
        &self,
        source: &cluster::ClassMeta,
        class: String,
        tenant: Option<&str>,
    ) -> Result<Scope> {
        let target_mt = self
            .class_meta(&class)
            .is_some_and(|m| m.class.multi_tenancy_config.enabled);
        match (target_mt, source.class.multi_tenancy_config.enabled) {
            (false, _) => Ok((class, None)),
            (true, true) => Ok((class, tenant.map(str::to_string))),
            (true, false) => Err(Error::invalid(
                model::sentences::REFERENCE_INTO_MULTI_TENANT_CLASS,
            )),
        }
    }

    /// Which of these objects exist, as (class, tenant, id).
    async fn existing(
        &self,
        by_scope: BTreeMap<Scope, BTreeSet<Uuid>>,
    ) -> Result<HashSet<(String, Option<String>, Uuid)>> {
        let mut found = HashSet::new();
        for ((class, tenant), ids) in by_scope {
            let Some(meta) = self.class_meta(&class) else {
                continue;
            };
            let Some(meta) = self.reference_scope(meta, tenant.as_deref()).await? else {
                continue;
            };
            let ids: Vec<Uuid> = ids.into_iter().collect();
            for chunk in ids.chunks(super::resolve::IDS_PER_CALL) {
                let call = MatchingIds {
                    filter: Some(super::resolve::ids_filter(chunk)),
                    limit: chunk.len(),
                };
                for id in self
                    .on_every_shard(&meta, call)
                    .await?
                    .into_iter()
                    .flatten()
                {
                    found.insert((class.clone(), tenant.clone(), id));
                }
            }
        }
        Ok(found)
    }
}

impl Coordinator {
    /// Auto-schema types a new reference property from its beacons' classes; a class-less
    /// beacon (`weaviate://localhost/<uuid>`) gets the class of the object it points at, as
    /// Weaviate looks it up. Properties the class already has are left alone (their type
    /// decides), and a beacon whose object exists nowhere stays as sent, for auto-schema to
    /// refuse with its reason.
    pub(crate) async fn complete_new_beacons(&self, write: &mut model::ObjectWrite) -> Result<()> {
        let known = self.class_meta(&model::schema::class_name(&write.class));
        let tenant = write.tenant.clone();
        for (name, value) in write.properties.iter_mut() {
            let is_known = known.as_ref().is_some_and(|m| {
                m.class
                    .property(&model::schema::property_name(name))
                    .is_some()
            });
            let Value::Array(items) = value else {
                continue;
            };
            if is_known {
                continue;
            }
            for item in items.iter_mut() {
                let Some(target) = BeaconTarget::of(item).filter(|t| t.class.is_none()) else {
                    continue;
                };
                let found = self
                    .get_object(
                        None,
                        target.id,
                        tenant.as_deref(),
                        false,
                        model::ConsistencyLevel::One,
                    )
                    .await?;
                if let (Some(object), Value::Object(map)) = (found, item) {
                    let beacon = format!("weaviate://localhost/{}/{}", object.class, target.id);
                    map.insert("beacon".to_string(), Value::String(beacon));
                }
            }
        }
        Ok(())
    }
}
