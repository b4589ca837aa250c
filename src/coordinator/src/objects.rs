//! Object writes and reads: auto-schema, validation against the class, routing to the shard
//! that owns the id, and batches split by shard.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cluster::{ClassMeta, MetaState};
use shard::{PutMode, PutRefusal, Shard};
use types::schema::Class;
use types::{Object, Vectors, DEFAULT_TARGET};
use uuid::Uuid;

use crate::query::{ListQuery, ObjectWrite};
use crate::{run_blocking, schema, Coordinator, Error, Result};

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The objects of one batch that go to one shard, with their input positions.
struct ShardBatch {
    shard: Arc<Shard>,
    items: Vec<(usize, Object)>,
}

impl ShardBatch {
    fn new(shard: Arc<Shard>) -> Self {
        ShardBatch {
            shard,
            items: Vec::new(),
        }
    }

    /// Writes the objects in one atomic shard batch; a store failure fails every one of them.
    async fn write(self) -> Vec<(usize, Result<Object>)> {
        let (indexes, objects): (Vec<usize>, Vec<Object>) = self.items.into_iter().unzip();
        let shard = self.shard;
        match run_blocking(move || Ok(shard.put_batch(objects, PutMode::Upsert)?)).await {
            Ok(per_object) => indexes
                .into_iter()
                .zip(per_object.into_iter().map(|r| r.map_err(refusal_error)))
                .collect(),
            Err(e) => {
                let msg = e.to_string();
                indexes
                    .into_iter()
                    .map(|i| (i, Err(Error::Internal(msg.clone()))))
                    .collect()
            }
        }
    }
}

/// An object ready for its shard.
struct Prepared {
    shard: Arc<Shard>,
    object: Object,
}

impl Coordinator {
    /// `POST /v1/objects`: creates an object; an existing id is an error.
    pub async fn create_object(&self, write: ObjectWrite) -> Result<Object> {
        let prepared = self.prepare(write, now_ms()).await?;
        let stored = self.put_one(prepared, PutMode::CreateOnly).await?;
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
    ) -> Result<Object> {
        write.class = class.to_string();
        write.id = Some(id);
        let prepared = self.prepare(write, now_ms()).await?;
        self.put_one(prepared, PutMode::ReplaceExisting).await
    }

    /// `PATCH /v1/objects/{class}/{id}`: merges properties; a given vector replaces the old one.
    pub async fn merge_object(&self, class: &str, id: Uuid, patch: ObjectWrite) -> Result<()> {
        let current = self
            .get_object(Some(class), id, patch.tenant.as_deref(), true)
            .await?
            .ok_or_else(|| Error::NotFound(format!("object {id} not found in class {class}")))?;
        let mut properties = current.properties;
        properties.extend(patch.properties);
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
        let prepared = self.prepare(merged, now_ms()).await?;
        self.put_one(prepared, PutMode::ReplaceExisting)
            .await
            .map(|_| ())
    }

    /// `GET /v1/objects/{class}/{id}`; without a class every class is searched.
    pub async fn get_object(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
        with_vectors: bool,
    ) -> Result<Option<Object>> {
        for shard in self.owning_shards(class, &id, tenant)? {
            if let Some(obj) = run_blocking(move || Ok(shard.get(&id, with_vectors)?)).await? {
                return Ok(Some(obj));
            }
        }
        Ok(None)
    }

    /// `HEAD /v1/objects/{class}/{id}`.
    pub async fn object_exists(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
    ) -> Result<bool> {
        for shard in self.owning_shards(class, &id, tenant)? {
            if run_blocking(move || Ok(shard.exists(&id)?)).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `DELETE /v1/objects/{class}/{id}`: `NotFound` if there is no such object.
    pub async fn delete_object(
        &self,
        class: Option<&str>,
        id: Uuid,
        tenant: Option<&str>,
    ) -> Result<()> {
        for shard in self.owning_shards(class, &id, tenant)? {
            if run_blocking(move || Ok(shard.delete(&id)?)).await? {
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
        let classes: Vec<String> = match &q.class {
            Some(c) => vec![self.require_class(c)?.class.class.clone()],
            None => self.schema().into_iter().map(|c| c.class).collect(),
        };
        let mut out = Vec::new();
        for class in classes {
            let mut rows = Vec::new();
            for shard in self.shards.shards_of(&class) {
                let after = q.after;
                let with_vectors = q.with_vectors;
                rows.extend(
                    run_blocking(move || Ok(shard.list(after.as_ref(), wanted, with_vectors)?))
                        .await?,
                );
            }
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
        let cap = self.config.query_maximum_results;
        let mut objects = self
            .matching_objects(&meta.class, None, cap, q.with_vectors)
            .await?;
        crate::compute::sort::sort_objects(&meta.class, &mut objects, &q.sort)?;
        Ok(objects.into_iter().skip(q.offset).take(limit).collect())
    }

    /// `POST /v1/batch/objects`: an upsert per object; results in input order.
    pub async fn batch_objects(&self, writes: Vec<ObjectWrite>) -> Vec<Result<Object>> {
        let now = now_ms();
        let mut results: Vec<Option<Result<Object>>> = Vec::with_capacity(writes.len());
        let mut groups: BTreeMap<(String, String), ShardBatch> = BTreeMap::new();
        for (i, write) in writes.into_iter().enumerate() {
            match self.prepare(write, now).await {
                Ok(p) => {
                    let key = (p.shard.class().to_string(), p.shard.name().to_string());
                    let group = groups
                        .entry(key)
                        .or_insert_with(|| ShardBatch::new(p.shard.clone()));
                    group.items.push((i, p.object));
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        for group in groups.into_values() {
            for (i, outcome) in group.write().await {
                results[i] = Some(outcome);
            }
        }
        let done: Vec<Result<Object>> = results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(Error::Internal("batch object was not processed".into())))
            })
            .collect();
        self.rate
            .record(done.iter().filter(|r| r.is_ok()).count() as u64);
        done
    }

    /// Resolves the class (running auto-schema), validates and routes one write.
    async fn prepare(&self, write: ObjectWrite, now: i64) -> Result<Prepared> {
        let meta = self.class_for_write(&write).await?;
        let object = self.build_object(&meta.class, write, now)?;
        let shard = self.route(&meta, &object.id)?;
        Ok(Prepared { shard, object })
    }

    async fn put_one(&self, prepared: Prepared, mode: PutMode) -> Result<Object> {
        let Prepared { shard, object } = prepared;
        let mut results = run_blocking(move || Ok(shard.put_batch(vec![object], mode)?)).await?;
        results
            .pop()
            .ok_or_else(|| Error::Internal("empty put result".into()))?
            .map_err(refusal_error)
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
            if let Err(e) = self.add_class(class).await {
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
        self.class_meta(name).ok_or_else(|| {
            Error::invalid(format!(
                "class '{}' not present in schema",
                schema::class_name(name)
            ))
        })
    }

    /// Validates a write against its class and turns it into the object to store.
    fn build_object(&self, class: &Class, write: ObjectWrite, now: i64) -> Result<Object> {
        check_tenant(class, write.tenant.as_deref())?;
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

    /// The local shard that owns `id`.
    fn route(&self, meta: &ClassMeta, id: &Uuid) -> Result<Arc<Shard>> {
        let name = meta
            .sharding
            .shard_for(id)
            .ok_or_else(|| Error::Internal(format!("class {} has no shards", meta.class.class)))?;
        self.shards.shard(&meta.class.class, name).ok_or_else(|| {
            Error::Unavailable(format!(
                "shard {name} of class {} is not available on this node",
                meta.class.class
            ))
        })
    }

    /// The shards that may hold `id`: its owner in `class`, or one per class when none is given.
    fn owning_shards(
        &self,
        class: Option<&str>,
        id: &Uuid,
        tenant: Option<&str>,
    ) -> Result<Vec<Arc<Shard>>> {
        let state: Arc<MetaState> = self.meta.snapshot();
        let metas: Vec<Arc<ClassMeta>> = match class {
            Some(c) => vec![self.require_class(c)?],
            None => state.classes.values().cloned().collect(),
        };
        let mut out = Vec::with_capacity(metas.len());
        for meta in metas {
            check_tenant(&meta.class, tenant)?;
            out.push(self.route(&meta, id)?);
        }
        Ok(out)
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

/// Multi-tenancy arrives with its own issue; until then tenants are refused clearly.
fn check_tenant(class: &Class, tenant: Option<&str>) -> Result<()> {
    match (class.multi_tenancy_config.enabled, tenant) {
        (false, None) => Ok(()),
        (false, Some(_)) => Err(Error::invalid(format!(
            "class {} has multi-tenancy disabled, but request was with tenant",
            class.class
        ))),
        (true, _) => Err(Error::invalid(format!(
            "class {} has multi-tenancy enabled, which this version of Shoal does not serve yet",
            class.class
        ))),
    }
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
        if legacy.as_ref().is_some_and(|v| !v.is_empty()) {
            return Err(Error::invalid(format!(
                "class {} uses named vectors (vectorConfig): send vectors by name in 'vectors', not in 'vector'",
                class.class
            )));
        }
        let targets: Vec<String> = class
            .vector_targets()
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
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

/// The error a refused put reports.
fn refusal_error(refusal: PutRefusal) -> Error {
    match refusal {
        PutRefusal::AlreadyExists(id) => Error::Conflict(format!("id '{id}' already exists")),
        PutRefusal::Missing(id) => Error::NotFound(format!("object {id} not found")),
        PutRefusal::Invalid(e) => Error::Shard(e),
    }
}
