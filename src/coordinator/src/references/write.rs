//! Changes to reference properties: the references endpoints (add, replace, delete one
//! reference) and batch references. Each change is a read of the source object, the change
//! applied to its property, and a write of the object (its last-update time moves, as
//! Weaviate's reference merges move it). Changes to one object through this node are
//! serialised by a striped lock, so that two concurrent additions both land; a batch reads its
//! source objects with one call per shard and writes them back as one object batch.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use model::references::{self, BatchReference, BeaconTarget, ReferenceChange};
use model::{ConsistencyLevel, ObjectWrite};
use serde_json::Value;
use types::schema::Class;
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

use super::exists::Writer;
use crate::{Coordinator, Error, Result};

/// Locks serialising reference changes per source object (by a hash of its id).
pub(crate) struct ReferenceLocks(Vec<tokio::sync::Mutex<()>>);

const STRIPES: usize = 64;

impl Default for ReferenceLocks {
    fn default() -> Self {
        ReferenceLocks((0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect())
    }
}

impl ReferenceLocks {
    fn stripe(id: &Uuid) -> usize {
        (id.as_u128() % STRIPES as u128) as usize
    }

    /// Locks the stripes of `ids` in stripe order (so that two batches cannot deadlock).
    async fn lock(&self, ids: impl Iterator<Item = Uuid>) -> Vec<tokio::sync::MutexGuard<'_, ()>> {
        let stripes: BTreeSet<usize> = ids.map(|id| Self::stripe(&id)).collect();
        let mut guards = Vec::with_capacity(stripes.len());
        for s in stripes {
            guards.push(self.0[s].lock().await);
        }
        guards
    }
}

/// A reference change as a client sent it, before it is checked against the class.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferenceEdit {
    /// `POST`: one `{"beacon": ...}` to add.
    Add(Value),
    /// `PUT`: the list of `{"beacon": ...}` that replaces every reference.
    Replace(Value),
    /// `DELETE`: one `{"beacon": ...}` whose target loses every reference to it.
    Delete(Value),
}

/// The object and property a reference change is made on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceSource {
    /// `None` for the deprecated class-less endpoints: the class is found by id.
    pub class: Option<String>,
    pub id: Uuid,
    pub property: String,
    pub tenant: Option<String>,
}

/// One checked change waiting for its object.
struct Pending {
    index: usize,
    property: String,
    change: ReferenceChange,
}

impl Pending {
    /// The beacon an addition stores (empty for other changes, which batches do not make).
    fn stored_beacon(&self) -> String {
        let ReferenceChange::Add(added) = &self.change else {
            return String::new();
        };
        added
            .iter()
            .find_map(|r| r.get("beacon").and_then(Value::as_str))
            .unwrap_or_default()
            .to_string()
    }
}

impl Coordinator {
    /// `POST/PUT/DELETE /v1/objects/{class}/{id}/references/{property}`. A missing source
    /// object is `NotFound`; an unknown property, a property that is not a reference or a
    /// beacon the property does not allow is invalid input.
    pub async fn change_references(
        &self,
        source: ReferenceSource,
        edit: ReferenceEdit,
        level: ConsistencyLevel,
    ) -> Result<()> {
        let class = match &source.class {
            Some(name) => self.require_class(name)?.class.clone(),
            None => {
                self.class_of_object(source.id, source.tenant.as_deref(), level)
                    .await?
            }
        };
        let change = checked_change(&class, &source.property, edit).map_err(Error::invalid)?;
        let _locked = self.reference_locks.lock(std::iter::once(source.id)).await;
        let current = self
            .get_object(
                Some(&class.class),
                source.id,
                source.tenant.as_deref(),
                true,
                level,
            )
            .await?
            .ok_or_else(|| not_found(&class.class, source.id))?;
        let pending = [Pending {
            index: 0,
            property: source.property,
            change,
        }];
        let tenant = source.tenant.as_deref();
        self.check_added_targets(&class.class, tenant, &pending[0])
            .await?;
        let write = changed_object(current, &pending, source.tenant);
        let mut done = self.write_batch(vec![write], level, false).await;
        done.pop()
            .unwrap_or_else(|| Err(Error::Internal("empty reference write".into())))
            .map(|_| ())
    }

    /// `POST /v1/batch/references` and gRPC `BatchReferences`: every reference added to its
    /// source object; results in input order, each the beacon as stored (its class completed
    /// from a single-target property, its uuid lower-cased). The references of one object are
    /// applied together, in order, in one write.
    pub async fn batch_references(
        &self,
        refs: Vec<BatchReference>,
        level: ConsistencyLevel,
    ) -> Vec<Result<String>> {
        let mut results: Vec<Option<Result<String>>> = (0..refs.len()).map(|_| None).collect();
        // (class, id, tenant) -> the changes to that object
        let mut by_source: BTreeMap<(String, Uuid, Option<String>), Vec<Pending>> = BTreeMap::new();
        let mut classes: BTreeMap<String, Arc<cluster::ClassMeta>> = BTreeMap::new();
        for (index, r) in refs.into_iter().enumerate() {
            match self.check_batch_reference(&r, &mut classes) {
                Ok((class, change)) => by_source
                    .entry((class, r.from_id, r.tenant.clone()))
                    .or_default()
                    .push(Pending {
                        index,
                        property: r.property,
                        change,
                    }),
                Err(e) => results[index] = Some(Err(e)),
            }
        }
        self.refuse_tenant_references(&mut by_source, &classes, &mut results)
            .await;
        let _locked = self
            .reference_locks
            .lock(by_source.keys().map(|(_, id, _)| *id))
            .await;
        let current = self.source_objects(&by_source, &classes, level).await;
        let mut writes = Vec::new();
        let mut written: Vec<Vec<(usize, String)>> = Vec::new();
        for (key, pending) in by_source {
            match current.get(&key) {
                Some(Ok(Some(object))) => {
                    written.push(
                        pending
                            .iter()
                            .map(|p| (p.index, p.stored_beacon()))
                            .collect(),
                    );
                    writes.push(changed_object(object.clone(), &pending, key.2.clone()));
                }
                Some(Err(e)) => {
                    for p in pending {
                        results[p.index] = Some(Err(e.duplicate()));
                    }
                }
                Some(Ok(None)) | None => {
                    for p in pending {
                        results[p.index] = Some(Err(not_found(&key.0, key.1)));
                    }
                }
            }
        }
        let outcomes = self.write_batch(writes, level, false).await;
        for (stored, outcome) in written.into_iter().zip(outcomes) {
            for (i, beacon) in stored {
                results[i] = Some(outcome.as_ref().map(|_| beacon).map_err(Error::duplicate));
            }
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(Error::Internal("reference was not processed".into())))
            })
            .collect()
    }

    /// Batch references are not checked for their targets, except where a multi-tenant
    /// class is involved: as in Weaviate, a single-tenant class may not point into a
    /// multi-tenant one, and a reference into a multi-tenant class must find its target
    /// within the source's tenant. Refused changes leave the batch with their error.
    async fn refuse_tenant_references(
        &self,
        by_source: &mut BTreeMap<(String, Uuid, Option<String>), Vec<Pending>>,
        classes: &BTreeMap<String, Arc<cluster::ClassMeta>>,
        results: &mut [Option<Result<String>>],
    ) {
        for ((class, _, tenant), pending) in by_source.iter_mut() {
            let Some(meta) = classes.get(class) else {
                continue;
            };
            let mut kept = Vec::with_capacity(pending.len());
            for p in pending.drain(..) {
                if !self.involves_tenants(meta, &p.property) {
                    kept.push(p);
                    continue;
                }
                match self.check_added_targets(class, tenant.as_deref(), &p).await {
                    Ok(()) => kept.push(p),
                    Err(e) => results[p.index] = Some(Err(e)),
                }
            }
            *pending = kept;
        }
        by_source.retain(|_, pending| !pending.is_empty());
    }

    /// Whether `property` of `meta` is in or points into a multi-tenant class.
    fn involves_tenants(&self, meta: &cluster::ClassMeta, property: &str) -> bool {
        if meta.class.multi_tenancy_config.enabled {
            return true;
        }
        let Some(types::schema::DataType::Reference(targets)) =
            meta.class.property(property).and_then(|p| p.kind())
        else {
            return false;
        };
        targets.iter().any(|t| {
            self.class_meta(t)
                .is_some_and(|m| m.class.multi_tenancy_config.enabled)
        })
    }

    /// The references an add or a replace writes must point at existing objects.
    async fn check_added_targets(
        &self,
        class: &str,
        tenant: Option<&str>,
        pending: &Pending,
    ) -> Result<()> {
        let added = match &pending.change {
            ReferenceChange::Add(refs) | ReferenceChange::Replace(refs) => refs,
            ReferenceChange::Delete(_) => return Ok(()),
        };
        let mut properties = serde_json::Map::new();
        properties.insert(pending.property.clone(), Value::Array(added.clone()));
        let written = [crate::references::Written {
            class,
            tenant,
            properties: &properties,
        }];
        self.check_beacon_targets(&written, Writer::ReferenceChange)
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    /// The class of a batch reference's source and its change, or why it is refused.
    fn check_batch_reference(
        &self,
        r: &BatchReference,
        classes: &mut BTreeMap<String, Arc<cluster::ClassMeta>>,
    ) -> Result<(String, ReferenceChange)> {
        let meta = match classes.get(&r.from_class) {
            Some(meta) => meta.clone(),
            None => {
                let meta = self.class_meta(&r.from_class).ok_or_else(|| {
                    Error::invalid(format!(
                        "source class \"{}\" not found in schema",
                        r.from_class
                    ))
                })?;
                classes.insert(r.from_class.clone(), meta.clone());
                meta
            }
        };
        if meta.class.property(&r.property).is_none() {
            // Weaviate's batch words an unknown property its own way.
            return Err(Error::invalid(format!(
                "property {} does not exist for class {}",
                r.property, meta.class.class
            )));
        }
        let change = checked_change(&meta.class, &r.property, ReferenceEdit::Add(r.to.clone()))
            .map_err(Error::invalid)?;
        Ok((meta.class.class.clone(), change))
    }

    /// The current source objects of a batch, with vectors. With one replica per shard they
    /// are read in one call per shard; with several, each at `level` (resolved across
    /// replicas) so that no write builds on a stale copy.
    async fn source_objects(
        &self,
        by_source: &BTreeMap<(String, Uuid, Option<String>), Vec<Pending>>,
        classes: &BTreeMap<String, Arc<cluster::ClassMeta>>,
        level: ConsistencyLevel,
    ) -> BTreeMap<(String, Uuid, Option<String>), Result<Option<Object>>> {
        let mut out = BTreeMap::new();
        for (class, meta) in classes {
            let keys: Vec<&(String, Uuid, Option<String>)> =
                by_source.keys().filter(|k| &k.0 == class).collect();
            if keys.is_empty() {
                continue;
            }
            if meta.class.replication_config.factor <= 1 && keys.iter().all(|k| k.2.is_none()) {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.1).collect();
                let fetched = self.objects_by_id(meta, &ids, true).await;
                for key in keys {
                    let found = match &fetched {
                        Ok(objects) => Ok(objects.get(&key.1).cloned()),
                        Err(e) => Err(e.duplicate()),
                    };
                    out.insert(key.clone(), found);
                }
            } else {
                for key in keys {
                    let found = self
                        .get_object(Some(class), key.1, key.2.as_deref(), true, level)
                        .await;
                    out.insert(key.clone(), found);
                }
            }
        }
        out
    }

    /// The class of the object `id` for the class-less endpoints.
    async fn class_of_object(
        &self,
        id: Uuid,
        tenant: Option<&str>,
        level: ConsistencyLevel,
    ) -> Result<Class> {
        let object = self
            .get_object(None, id, tenant, false, level)
            .await?
            // Weaviate answers the deprecated endpoint's missing object with a 422.
            .ok_or_else(|| {
                Error::invalid(format!("source object deprecated: object {id} not found"))
            })?;
        Ok(self.require_class(&object.class)?.class.clone())
    }
}

/// `edit` checked against the reference property `property` of `class`.
fn checked_change(
    class: &Class,
    property: &str,
    edit: ReferenceEdit,
) -> std::result::Result<ReferenceChange, String> {
    let one = |v: Value| Value::Array(vec![v]);
    Ok(match edit {
        ReferenceEdit::Add(v) => {
            ReferenceChange::Add(references::check_references(class, property, &one(v))?)
        }
        ReferenceEdit::Replace(Value::Null) => {
            references::reference_targets(class, property)?;
            ReferenceChange::Replace(Vec::new())
        }
        ReferenceEdit::Replace(v) => {
            ReferenceChange::Replace(references::check_references(class, property, &v)?)
        }
        ReferenceEdit::Delete(v) => {
            let checked = references::check_references(class, property, &one(v))?;
            let target = checked
                .first()
                .and_then(BeaconTarget::of)
                .ok_or_else(|| "invalid reference: a beacon is required".to_string())?;
            ReferenceChange::Delete(target)
        }
    })
}

/// `object` with `pending` applied in order, as a write of the whole object.
fn changed_object(object: Object, pending: &[Pending], tenant: Option<String>) -> ObjectWrite {
    let mut properties = object.properties;
    for p in pending {
        let updated = references::apply(properties.get(&p.property), &p.change);
        properties.insert(p.property.clone(), updated);
    }
    let mut vectors = object.vectors;
    let legacy = vectors.remove(DEFAULT_TARGET);
    ObjectWrite {
        class: object.class,
        id: Some(object.id),
        tenant: tenant.or(object.tenant),
        properties,
        vector: legacy,
        vectors: (!vectors.is_empty()).then_some(vectors),
    }
}

fn not_found(class: &str, id: Uuid) -> Error {
    Error::NotFound(format!("source object {class}/{id} not found"))
}
