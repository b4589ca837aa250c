//! Collection operations on typed requests (parsed and defaulted by `model::schema` in the API
//! layer), checked against the current metadata and applied through the metadata store.

use std::sync::Arc;

use cluster::tenants::TenantMeta;
use cluster::{ClassMeta, MetaCommand, PhysicalShard, ShardingState};
use model::schema::{self, SchemaDefaults};
use types::schema::{Class, Property, VectorIndexConfig};

use crate::aliases::{alias_not_a_class, dangling, Named};
use crate::nodes::ShardStatusReport;
use crate::tenants::Access;
use crate::{Coordinator, Error, Result};

impl Coordinator {
    /// The node-level inputs of default-filling (`DEFAULT_VECTOR_DISTANCE_METRIC`,
    /// `ASYNC_INDEXING`, `DEFAULT_QUANTIZATION`, the nodes in the cluster now), for `model::schema::parse_class` and
    /// `apply_update`.
    pub fn schema_defaults(&self) -> SchemaDefaults {
        SchemaDefaults {
            default_distance: self.config.default_distance,
            async_indexing: self.config.async_indexing,
            node_count: self.meta.node_names().len() as u32,
            default_quantization: self.config.default_quantization,
        }
    }

    /// Waits until this node has applied every metadata change the Raft leader had committed
    /// when the call began (Weaviate's `consistency: true` schema read); immediate without Raft.
    pub async fn catch_up_with_leader(&self) -> Result<()> {
        self.meta.leader_snapshot().await.map(|_| ())
    }

    /// Every collection, in name order.
    pub fn schema(&self) -> Vec<Class> {
        self.meta
            .snapshot()
            .classes
            .values()
            .map(|m| m.class.clone())
            .collect()
    }

    /// A collection by name or alias; the first letter may be lower-case, as Weaviate allows.
    pub fn class(&self, name: &str) -> Option<Class> {
        self.class_meta(name).map(|m| m.class.clone())
    }

    /// A collection by its own name only, not through an alias: what `PUT /v1/schema/{class}`
    /// changes.
    pub fn own_class(&self, name: &str) -> Option<Class> {
        self.own_class_meta(name).map(|m| m.class.clone())
    }

    /// [`Coordinator::own_class`], with a missing class as a NotFound error in Weaviate's
    /// words (and an alias's name as one that names the class to use).
    pub fn existing_class(&self, name: &str) -> Result<Class> {
        self.require_own_class(name).map(|m| m.class.clone())
    }

    /// The class `name` stands for, through an alias if it is one, from one metadata
    /// snapshot (see `crate::aliases`).
    pub(crate) fn class_meta(&self, name: &str) -> Option<Arc<ClassMeta>> {
        match self.named(name) {
            Named::Class(meta) => Some(meta),
            Named::Dangling { .. } | Named::Unknown => None,
        }
    }

    pub(crate) fn require_class(&self, name: &str) -> Result<Arc<ClassMeta>> {
        match self.named(name) {
            Named::Class(meta) => Ok(meta),
            Named::Dangling { alias, class } => Err(Error::NotFound(dangling(&alias, &class))),
            Named::Unknown => Err(Error::NotFound(format!(
                "class '{}' not found in schema",
                schema::class_name(name)
            ))),
        }
    }

    /// `POST /v1/schema` (and auto-schema): places a class, parsed with every default filled in
    /// by `model::schema`, on the cluster's nodes and applies it.
    pub async fn create_class(&self, class: Class) -> Result<Class> {
        self.create_class_with(class, |_| {}).await
    }

    /// [`Coordinator::create_class`], with `complete` filling in what the metadata of the new
    /// class holds beyond its definition and placement.
    pub(crate) async fn create_class_with(
        &self,
        class: Class,
        complete: impl FnOnce(&mut ClassMeta),
    ) -> Result<Class> {
        self.check_reference_classes(schema::class_reference_targets(&class))?;
        // A multi-tenant class has no shards of its own: each tenant is one, placed when it
        // is added.
        let sharding = if class.multi_tenancy_config.enabled {
            self.check_factor(class.replication_config.factor as usize)?;
            ShardingState::default()
        } else {
            self.new_sharding(&class)?
        };
        let mut meta = ClassMeta {
            class: class.clone(),
            sharding,
            vector_dims: Default::default(),
            tenants: Default::default(),
            copy: None,
        };
        complete(&mut meta);
        self.execute(MetaCommand::AddClass {
            meta: Box::new(meta),
        })
        .await?;
        Ok(class)
    }

    /// Weaviate refuses a reference property to a class that does not exist (an alias is not
    /// one: a reference names the class its objects live in).
    fn check_reference_classes(&self, targets: Vec<(&str, &str)>) -> Result<()> {
        match targets
            .iter()
            .find(|(_, target)| self.own_class_meta(target).is_none())
        {
            Some((property, target)) => {
                Err(schema::reference_target_missing(property, target).into())
            }
            None => Ok(()),
        }
    }

    /// Replicas need as many nodes.
    pub(crate) fn check_factor(&self, factor: usize) -> Result<()> {
        let nodes = self.meta.node_names().len();
        if factor > nodes {
            return Err(Error::invalid(format!(
                "could not find enough weaviate nodes for replication: {factor} requested, {nodes} available"
            )));
        }
        Ok(())
    }

    fn new_sharding(&self, class: &Class) -> Result<ShardingState> {
        let nodes = self.meta.node_names();
        let cfg = &class.sharding_config;
        let factor = class.replication_config.factor as usize;
        self.check_factor(factor)?;
        let physical = (cfg.desired_count as usize).max(1);
        let per_physical = (cfg.virtual_per_physical as usize).max(1);
        Ok(ShardingState::new(
            physical,
            per_physical,
            &nodes,
            factor,
            &mut rand::thread_rng(),
        ))
    }

    /// `PUT /v1/schema/{class}`: replaces a collection with `updated` (from
    /// `model::schema::apply_update`). The rules of what may change are checked again against
    /// the collection as it is now, so an update computed from an older copy cannot slip an
    /// immutable change through.
    pub async fn update_class(&self, updated: Class) -> Result<Class> {
        let meta = self.require_own_class(&updated.class)?;
        schema::check_update(&meta.class, &updated, &self.schema_defaults())?;
        for (target, dims) in &meta.vector_dims {
            check_pq_segments(&updated, target, *dims)?;
        }
        self.execute(MetaCommand::UpdateClass {
            class: Box::new(updated.clone()),
        })
        .await?;
        Ok(updated)
    }

    /// `DELETE /v1/schema/{class}`: drops the collection and all its data. Deleting a missing
    /// collection succeeds. Its aliases stay, pointing at nothing, as in Weaviate. An alias's
    /// name is refused rather than taken for a missing class: the caller most likely meant the
    /// class behind it, and should say so by its own name.
    pub async fn delete_class(&self, name: &str) -> Result<()> {
        let name = match (self.own_class_meta(name), self.alias(name)) {
            (Some(meta), _) => meta.class.class.clone(),
            (None, Some(alias)) => return Err(Error::BadRequest(alias_not_a_class(&alias))),
            (None, None) => schema::class_name(name),
        };
        self.execute(MetaCommand::DeleteClass { name }).await?;
        Ok(())
    }

    /// `POST /v1/schema/{class}/properties`: adds `property` (from
    /// `model::schema::parse_property`) if the collection has none of that name.
    pub async fn add_property(&self, class: &str, property: Property) -> Result<Property> {
        let current = self.require_own_class(class)?.class.clone();
        schema::check_new_property(&current, &property)?;
        let added = std::slice::from_ref(&property);
        self.check_reference_classes(schema::reference_targets(added, &current.class))?;
        self.execute(MetaCommand::AddProperty {
            class: current.class,
            property: Box::new(property.clone()),
        })
        .await?;
        Ok(property)
    }

    /// `GET /v1/schema/{class}/shards[?tenant=]`: of a multi-tenant class, the HOT tenants'
    /// shards (or the one tenant's).
    pub async fn shard_statuses(
        &self,
        class: &str,
        tenant: Option<&str>,
    ) -> Result<Vec<ShardStatusReport>> {
        let meta = self.require_class(class)?;
        let physical: Vec<PhysicalShard> = if meta.class.multi_tenancy_config.enabled {
            meta.tenants
                .values()
                .filter(|t| t.status == cluster::tenants::HOT)
                .filter(|t| tenant.is_none_or(|name| name == t.name))
                .map(TenantMeta::shard)
                .collect()
        } else {
            // A tenant on a class without multi-tenancy gets Weaviate's refusal.
            let meta = self.scoped(meta.clone(), tenant, Access::Read).await?;
            meta.sharding.physical.values().cloned().collect()
        };
        let class = &meta.class.class;
        let copying = meta.copy.as_ref().is_some_and(|c| c.is_copying());
        Ok(physical
            .into_iter()
            .map(|p| {
                let open = self.shards.shard(class, &p.name);
                let status = open
                    .as_ref()
                    .map_or(p.status, |s| crate::status::indexing_status(s, copying));
                ShardStatusReport {
                    status,
                    vector_queue_size: open.map_or(0, |s| s.vector_queue_len()),
                    name: p.name,
                    copy: meta.copy.clone(),
                }
            })
            .collect())
    }

    /// `PUT /v1/schema/{class}/shards/{shard}`: READY or READONLY.
    pub async fn set_shard_status(&self, class: &str, shard: &str, status: &str) -> Result<String> {
        let meta = self.require_own_class(class)?;
        if status != "READY" && status != "READONLY" {
            return Err(Error::invalid(format!(
                "invalid shard status '{status}': expected one of READY, READONLY"
            )));
        }
        if !meta.sharding.physical.contains_key(shard) {
            return Err(Error::NotFound(format!(
                "shard '{shard}' of class '{}' not found",
                meta.class.class
            )));
        }
        let cmd = MetaCommand::UpdateShardStatus {
            class: meta.class.class.clone(),
            shard: shard.to_string(),
            status: status.to_string(),
        };
        self.execute(cmd).await?;
        Ok(status.to_string())
    }

    /// Applies a metadata command (it writes to disk and may create shards); in a cluster,
    /// through the Raft leader, answered once this node has applied it.
    pub(crate) async fn execute(&self, cmd: MetaCommand) -> Result<()> {
        let (kind, started) = (cmd.kind(), std::time::Instant::now());
        let done = self.meta.execute(cmd).await;
        self.metrics
            .observe_schema_write(kind, started.elapsed().as_secs_f64());
        done
    }
}

/// Refuses PQ segments that do not divide the length of `target`'s vectors, once that length
/// is known (the class's first vector fixes it): the shard could never train such a codebook.
pub(crate) fn check_pq_segments(class: &Class, target: &str, dims: usize) -> Result<()> {
    let pq = class
        .vector_targets()
        .into_iter()
        .find(|(name, _, _)| name == target)
        .and_then(|(_, _, config)| match config {
            VectorIndexConfig::Hnsw(h) => Some(h.pq),
            VectorIndexConfig::Dynamic(d) => Some(d.hnsw.pq),
            VectorIndexConfig::Flat(_) => None,
        });
    match pq {
        Some(pq) if pq.enabled && pq.segments > 0 && !dims.is_multiple_of(pq.segments as usize) => {
            Err(Error::invalid(model::sentences::pq_segments(
                target,
                pq.segments,
                dims,
            )))
        }
        Some(_) | None => Ok(()),
    }
}

impl Coordinator {
    /// Checks a `where` filter against the class before any shard evaluates it, so that a
    /// filter the schema refuses fails once, with Weaviate's message after `prefix`; then
    /// evaluates its conditions on reference paths on their target classes.
    pub(crate) async fn checked_filter(
        &self,
        class: &Class,
        filter: Option<types::filter::Filter>,
        prefix: &str,
        tenant: Option<&str>,
    ) -> Result<Option<types::filter::Filter>> {
        if let Some(f) = &filter {
            let lookup = |name: &str| self.class_meta(name).map(|m| m.class.clone());
            schema::validate_where(class, f, &lookup)
                .map_err(|e| Error::invalid(format!("{prefix}: {e}")))?;
        }
        self.resolve_reference_paths(filter, tenant).await
    }
}
