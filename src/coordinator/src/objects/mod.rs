//! Object writes and reads: auto-schema, validation against the class, routing to the shard
//! that owns the id, and batches split by shard.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cluster::{ClassMeta, MetaState};

use model::{schema, ConsistencyLevel, ListQuery, ObjectWrite};
use serde_json::Value;
use types::schema::Class;
use types::{Object, VectorLengthMismatch, Vectors, DEFAULT_TARGET};
use uuid::Uuid;

use crate::aliases::{self, Named};
use crate::metrics::Metrics;
use crate::remote::calls::{Delete, Exists, List, Mode, Put, Stamp};
use crate::remote::{Target, WireResult};
use crate::replication::{read_replicas, replicate};
use crate::tenants::{Access, BatchViews};
use crate::{Coordinator, Error, Result};

mod batch;

/// Milliseconds since `started`, with sub-millisecond precision.
pub(crate) fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Puts `call.objects` on the replicas; per object, the times the first acknowledging replica
/// stored.
async fn write_objects(
    class: String,
    shard: String,
    targets: Vec<Target>,
    level: ConsistencyLevel,
    call: Put,
    metrics: &Metrics,
) -> Vec<Result<Stamp>> {
    let items = call.objects.len();
    let split = |answer: Vec<WireResult<Stamp>>| -> Vec<Result<Stamp>> {
        answer.into_iter().map(|r| r.map_err(Error::from)).collect()
    };
    let outcomes = replicate(class, shard, targets, level, items, call, split, metrics).await;
    metrics.count_replicated(level, &outcomes);
    outcomes
        .into_iter()
        .map(|r| {
            r.and_then(|stamps| {
                stamps
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::Internal("empty put result".into()))
            })
        })
        .collect()
}

/// The object as a replica stored it.
fn stamped(mut object: Object, stamp: Stamp) -> Object {
    object.creation_time_ms = stamp.created;
    object.last_update_time_ms = stamp.updated;
    object
}

/// An object ready for its shard's replicas.
struct Prepared {
    shard: String,
    targets: Vec<Target>,
    object: Object,
}

impl Coordinator {
    /// `POST /v1/objects`: creates an object; an existing id is an error.
    pub async fn create_object(
        &self,
        write: ObjectWrite,
        level: ConsistencyLevel,
    ) -> Result<Object> {
        let names = self.meta.snapshot();
        let prepared = self
            .prepare(write, now_ms(), &names, &mut BatchViews::default())
            .await?;
        self.check_object_targets(&prepared.object, None).await?;
        let stored = self.put_one(prepared, Mode::CreateOnly, level).await?;
        self.rate.record(1);
        Ok(stored)
    }

    /// `POST /v1/objects/validate`: checks an object without writing it.
    pub async fn validate_object(&self, write: ObjectWrite) -> Result<()> {
        let meta = self.class_for_read(&write.class)?;
        self.build_object(&meta.class, write, now_ms()).map(|_| ())
    }

    /// `PUT /v1/objects/{class}/{id}`: replaces every property and vector; keeps creation time.
    pub async fn replace_object(
        &self,
        class: &str,
        id: Uuid,
        mut write: ObjectWrite,
        level: ConsistencyLevel,
    ) -> Result<Object> {
        write.class = class.to_string();
        write.id = Some(id);
        let names = self.meta.snapshot();
        let prepared = self
            .prepare(write, now_ms(), &names, &mut BatchViews::default())
            .await?;
        self.check_object_targets(&prepared.object, None).await?;
        self.put_one(prepared, Mode::ReplaceExisting, level).await
    }

    /// `PATCH /v1/objects/{class}/{id}`: merges properties; a given vector replaces the old one.
    pub async fn merge_object(
        &self,
        class: &str,
        id: Uuid,
        patch: ObjectWrite,
        level: ConsistencyLevel,
    ) -> Result<()> {
        let current = self
            .get_object(Some(class), id, patch.tenant.as_deref(), true, level)
            .await?
            .ok_or_else(|| Error::NotFound(format!("object {id} not found in class {class}")))?;
        let patched = patch.properties.clone();
        // The class the object was read from, not `class` again: that may be an alias that
        // was switched meanwhile.
        let meta = self.class_for_read(&current.class)?;
        let mut properties = current.properties;
        for (key, value) in patch.properties {
            let name = schema::property_name(&key);
            // Weaviate's merge adds the references it is given to those the object holds.
            let appended = match (
                is_reference(&meta.class, &name),
                properties.get(&name),
                &value,
            ) {
                (true, Some(Value::Array(held)), Value::Array(added)) => {
                    Some(Value::Array(held.iter().chain(added).cloned().collect()))
                }
                _ => None,
            };
            properties.remove(&name);
            properties.insert(key, appended.unwrap_or(value));
        }
        let mut vectors = current.vectors;
        let mut legacy = vectors.remove(DEFAULT_TARGET);
        if patch.vector.is_some() {
            legacy = patch.vector;
        }
        vectors.extend(patch.vectors.unwrap_or_default());
        let merged = ObjectWrite {
            class: current.class,
            id: Some(id),
            tenant: patch.tenant,
            properties,
            vector: legacy,
            vectors: (!vectors.is_empty()).then_some(vectors),
        };
        let names = self.meta.snapshot();
        let prepared = self
            .prepare(merged, now_ms(), &names, &mut BatchViews::default())
            .await?;
        self.check_object_targets(&prepared.object, Some(&patched))
            .await?;
        self.put_one(prepared, Mode::ReplaceExisting, level)
            .await
            .map(|_| ())
    }

    /// `GET /v1/objects/{class}/{id}`; without a class every class is searched. With several
    /// replicas, `level` of them are asked and their versions resolved (newest wins, deletions
    /// per `deletionStrategy`); replicas holding another version are repaired in the background.
    pub async fn get_object(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
        with_vectors: bool,
        level: ConsistencyLevel,
    ) -> Result<Option<Object>> {
        for meta in self.owning_classes(class, tenant).await? {
            let (shard, targets) = self.placement(&meta, &id)?;
            let found = self
                .read_resolved(&meta.class, &shard, &targets, id, with_vectors, level)
                .await?
                .object;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// `GET /v1/objects/{class}/{id}?node_name=`: the replica on `node` alone, as Weaviate's
    /// `Finder.NodeObject` reads it, with no resolution across replicas and no repair. `None`
    /// when that node holds no replica of the object's shard, or none of the object; a name
    /// that is not a member of the cluster is a bad request.
    pub async fn get_object_on_node(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
        with_vectors: bool,
        node: &str,
    ) -> Result<Option<Object>> {
        if !self.meta.node_names().iter().any(|n| n == node) {
            return Err(Error::BadRequest(format!(
                "cannot resolve node name: {node}"
            )));
        }
        let me = self.config.node_name.as_str();
        for meta in self.owning_classes(class, tenant).await? {
            let (shard, targets) = self.placement(&meta, &id)?;
            let on_node = targets.into_iter().find(|t| match t {
                Target::Local(_) => node == me,
                other @ (Target::Remote { .. } | Target::Missing(_)) => other.node() == node,
            });
            let Some(target) = on_node else {
                continue;
            };
            let found = self
                .read_resolved(
                    &meta.class,
                    &shard,
                    &[target],
                    id,
                    with_vectors,
                    ConsistencyLevel::One,
                )
                .await?
                .object;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// `HEAD /v1/objects/{class}/{id}`: true if any of the `level` replicas asked has it.
    pub async fn object_exists(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
        level: ConsistencyLevel,
    ) -> Result<bool> {
        for meta in self.owning_classes(class, tenant).await? {
            let (shard, targets) = self.placement(&meta, &id)?;
            let answers =
                read_replicas(&meta.class.class, &shard, &targets, level, Exists { id }).await?;
            if answers.iter().any(|(_, found)| *found) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `DELETE /v1/objects/{class}/{id}` on every replica: `NotFound` if no replica that
    /// answered had the object.
    pub async fn delete_object(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
        level: ConsistencyLevel,
    ) -> Result<()> {
        let at_ms = now_ms();
        for meta in self.owning_classes(class, tenant).await? {
            let (shard, targets) = self.placement(&meta, &id)?;
            let class = meta.class.class.clone();
            let split = |found: bool| vec![Ok(found)];
            let (c, s, started) = (class.clone(), shard.clone(), Instant::now());
            let call = Delete { id, at_ms };
            let mut outcome = replicate(c, s, targets, level, 1, call, split, &self.metrics).await;
            self.metrics.count_replicated(level, &outcome);
            self.metrics
                .observe_object("delete", &class, &shard, elapsed_ms(started));
            let found = outcome
                .pop()
                .unwrap_or_else(|| Err(Error::Internal("empty delete result".into())))?;
            if found.into_iter().any(|f| f) {
                return Ok(());
            }
        }
        Err(Error::NotFound(format!("object {id} not found")))
    }

    /// `GET /v1/objects`: a page in uuid order, merged across shards.
    pub async fn list_objects(&self, q: ListQuery) -> Result<Vec<Object>> {
        let limit = q.limit.unwrap_or(self.config.query_defaults_limit);
        let wanted = self.check_window(q.offset, limit)?;
        if !q.sort.is_empty() {
            return self.sorted_list(q, limit).await;
        }
        let metas = self
            .owning_classes(q.class.as_deref(), q.tenant.as_deref())
            .await?;
        let mut out = Vec::new();
        for meta in metas {
            let call = List {
                after: q.after,
                limit: wanted,
                with_vectors: q.with_vectors,
            };
            let mut rows: Vec<Object> = self
                .on_every_shard(&meta, call)
                .await?
                .into_iter()
                .flatten()
                .collect();
            rows.sort_by_key(|o| o.id);
            out.extend(rows);
            if out.len() >= wanted {
                break;
            }
        }
        Ok(out.into_iter().skip(q.offset).take(limit).collect())
    }

    /// A sorted listing of one class: every object sorted, then the page.
    async fn sorted_list(&self, q: ListQuery, limit: usize) -> Result<Vec<Object>> {
        let class = q
            .class
            .as_deref()
            .ok_or_else(|| Error::invalid("sort needs a class"))?;
        let meta = self.require_class(class)?;
        let meta = self.scoped(meta, q.tenant.as_deref(), Access::Read).await?;
        let cap = self.config.query_maximum_results;
        let mut objects = self
            .matching_objects(&meta, None, cap, q.with_vectors)
            .await?;
        model::results::sort::sort_objects(&meta.class, &mut objects, &q.sort)?;
        Ok(objects.into_iter().skip(q.offset).take(limit).collect())
    }

    /// Resolves the class (running auto-schema), validates and places one write; `names` resolves the alias it may name.
    async fn prepare(
        &self,
        write: ObjectWrite,
        now: i64,
        names: &MetaState,
        views: &mut BatchViews,
    ) -> Result<Prepared> {
        let mut write = aliases::write_to_class(names, write)?;
        if self.config.autoschema_enabled {
            self.complete_new_beacons(&mut write).await?;
        }
        let meta = self.class_for_write(&write).await?;
        let meta = self
            .scoped_in_batch(meta, write.tenant.as_deref(), Access::Write, views)
            .await?;
        let object = self.build_object(&meta.class, write, now)?;
        self.fix_vector_dims(&meta, &object).await?;
        let (shard, targets) = self.placement(&meta, &object.id)?;
        Ok(Prepared {
            shard,
            targets,
            object,
        })
    }

    async fn put_one(
        &self,
        prepared: Prepared,
        mode: Mode,
        level: ConsistencyLevel,
    ) -> Result<Object> {
        let Prepared {
            shard,
            targets,
            object,
        } = prepared;
        let call = Put {
            mode,
            objects: vec![object.clone()],
        };
        let (class, started) = (object.class.clone(), Instant::now());
        let (c, s) = (class.clone(), shard.clone());
        let stamp = write_objects(c, s, targets, level, call, &self.metrics)
            .await
            .pop()
            .unwrap_or_else(|| Err(Error::Internal("empty put result".into())));
        self.metrics
            .observe_object("put", &class, &shard, elapsed_ms(started));
        Ok(stamped(object, stamp?))
    }

    /// Checks the object's vectors against the lengths its class has fixed, fixing them
    /// through the metadata on a class's first vector: every shard of the class then holds
    /// vectors of one length, wherever the object lands.
    async fn fix_vector_dims(&self, meta: &ClassMeta, object: &Object) -> Result<()> {
        for (target, vector) in &object.vectors {
            match meta.vector_dims.get(target) {
                Some(&fixed) if fixed != vector.len() => {
                    let mismatch = VectorLengthMismatch::Stored {
                        expected: fixed,
                        got: vector.len(),
                    };
                    return Err(Error::invalid(model::sentences::vector_length(mismatch)));
                }
                Some(_) => {}
                None => {
                    crate::schema_ops::check_pq_segments(&meta.class, target, vector.len())?;
                    let cmd = cluster::MetaCommand::SetVectorDims {
                        class: meta.class.class.clone(),
                        target: target.clone(),
                        dims: vector.len(),
                    };
                    self.execute(cmd).await?;
                }
            }
        }
        Ok(())
    }

    /// The class of a write, created or extended by auto-schema when enabled.
    async fn class_for_write(&self, write: &ObjectWrite) -> Result<Arc<ClassMeta>> {
        if write.class.trim().is_empty() {
            return Err(Error::invalid("object has an empty class"));
        }
        let name = schema::class_name(&write.class);
        if !self.config.autoschema_enabled {
            return self.class_for_read(&name);
        }
        if self.class_meta(&name).is_none() {
            let class = schema::auto_class(&name, &write.properties, &self.schema_defaults())?;
            if let Err(e) = self.create_class(class).await {
                // Another writer may have created it meanwhile; anything else is real.
                if self.class_meta(&name).is_none() {
                    return Err(e);
                }
            }
        }
        let meta = self.require_class(&name)?;
        let missing = schema::infer_properties(Some(&meta.class), &write.properties)?;
        if missing.is_empty() {
            return Ok(meta);
        }
        for property in missing {
            let cmd = cluster::MetaCommand::AddProperty {
                class: name.clone(),
                property: Box::new(property),
            };
            if let Err(e) = self.execute(cmd).await {
                if !matches!(e, Error::Meta(cluster::Error::PropertyExists { .. })) {
                    return Err(e);
                }
            }
        }
        self.require_class(&name)
    }

    fn class_for_read(&self, name: &str) -> Result<Arc<ClassMeta>> {
        if name.trim().is_empty() {
            return Err(Error::invalid("object has an empty class"));
        }
        match self.named(name) {
            Named::Class(meta) => Ok(meta),
            Named::Dangling { alias, class } => {
                Err(Error::invalid(aliases::dangling(&alias, &class)))
            }
            Named::Unknown => Err(Error::invalid(format!(
                "class '{}' not present in schema",
                schema::class_name(name)
            ))),
        }
    }

    /// Validates a write against its class and turns it into the object to store.
    fn build_object(&self, class: &Class, write: ObjectWrite, now: i64) -> Result<Object> {
        let properties = schema::normalize_properties(class, &write.properties)?;
        let vectors = object_vectors(class, write.vector, write.vectors)?;
        Ok(Object {
            id: write.id.unwrap_or_else(Uuid::new_v4),
            class: class.class.clone(),
            tenant: write.tenant,
            properties,
            vectors,
            creation_time_ms: now,
            last_update_time_ms: now,
        })
    }

    /// The shard that owns `id` and its replicas, this node first.
    pub(crate) fn placement(&self, meta: &ClassMeta, id: &Uuid) -> Result<(String, Vec<Target>)> {
        let name = meta
            .sharding
            .shard_for(id)
            .ok_or_else(|| Error::Internal(format!("class {} has no shards", meta.class.class)))?;
        Ok((name.to_string(), self.replicas(meta, name, false)?))
    }

    /// The classes that may hold an object, scoped to `tenant`: `class`, or when none is given
    /// every class that can (those without multi-tenancy, or with it, those holding the
    /// tenant).
    async fn owning_classes(
        &self,
        class: Option<&str>,
        tenant: Option<&str>,
    ) -> Result<Vec<Arc<ClassMeta>>> {
        if let Some(c) = class {
            let meta = self.require_class(c)?;
            return Ok(vec![self.scoped(meta, tenant, Access::Read).await?]);
        }
        let state: Arc<MetaState> = self.meta.snapshot();
        let mut metas = Vec::new();
        for meta in state.classes.values() {
            let fits = match tenant {
                None => !meta.class.multi_tenancy_config.enabled,
                Some(t) => meta.tenants.contains_key(t),
            };
            if fits {
                metas.push(self.scoped(meta.clone(), tenant, Access::Read).await?);
            }
        }
        Ok(metas)
    }

    /// `offset + limit` must stay within `QUERY_MAXIMUM_RESULTS`; returns it.
    pub(crate) fn check_window(&self, offset: usize, limit: usize) -> Result<usize> {
        let wanted = offset.saturating_add(limit);
        if wanted > self.config.query_maximum_results {
            return Err(Error::invalid(format!(
                "query maximum results exceeded: offset ({offset}) + limit ({limit}) > QUERY_MAXIMUM_RESULTS ({})",
                self.config.query_maximum_results
            )));
        }
        Ok(wanted)
    }
}

/// Whether `name` is a cross-reference property of `class`.
fn is_reference(class: &Class, name: &str) -> bool {
    class
        .property(name)
        .is_some_and(|p| matches!(p.kind(), Some(types::schema::DataType::Reference(_))))
}

/// The vectors of a write, checked against the class's targets.
fn object_vectors(
    class: &Class,
    legacy: Option<Vec<f32>>,
    named: Option<BTreeMap<String, Vec<f32>>>,
) -> Result<Vectors> {
    let mut out = Vectors::new();
    let named = named.unwrap_or_default();
    if class.has_named_vectors() {
        let targets: Vec<String> = class
            .vector_targets()
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        let mut named = named;
        if let Some(vector) = legacy.filter(|v| !v.is_empty()) {
            // Weaviate's validator: with one named vector, an unnamed vector is that one.
            let [only] = targets.as_slice() else {
                return Err(Error::invalid(format!(
                    "collection {} is configured with multiple named vectors {targets:?}, but received a single vector",
                    class.class
                )));
            };
            named.insert(only.clone(), vector);
        }
        for (name, v) in named {
            if !targets.contains(&name) {
                return Err(Error::invalid(format!(
                    "target vector '{name}' does not exist in class {}: configured targets are {targets:?}",
                    class.class
                )));
            }
            out.insert(name, v);
        }
        return Ok(out);
    }
    if let Some(name) = named.keys().next() {
        return Err(Error::invalid(format!(
            "class {} has no named vectors (vectorConfig), but the object sets vectors.{name}; send it in 'vector'",
            class.class
        )));
    }
    if let Some(v) = legacy.filter(|v| !v.is_empty()) {
        out.insert(DEFAULT_TARGET.to_string(), v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: u128, updated: i64) -> Object {
        Object {
            id: Uuid::from_u128(id),
            class: "C".into(),
            tenant: None,
            properties: Default::default(),
            vectors: Default::default(),
            creation_time_ms: 1,
            last_update_time_ms: updated,
        }
    }

    #[test]
    fn stored_objects_carry_the_replica_times() {
        let o = stamped(
            version(1, 5),
            Stamp {
                created: 2,
                updated: 7,
            },
        );
        assert_eq!((o.creation_time_ms, o.last_update_time_ms), (2, 7));
    }
}
