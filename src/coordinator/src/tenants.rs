//! Tenants of multi-tenant collections: the tenants endpoint's operations, all through the
//! metadata log, and the scoping every data request goes through.
//!
//! A request on a multi-tenant class names one tenant; [`Coordinator::scoped`] turns the class
//! into the tenant's view ([`ClassMeta::for_tenant`]): one shard, placed where the tenant is.
//! Everything downstream (routing by id, fan-out, replication, repair) then works on it as on
//! any class. The tenant's local shard is opened on first use, not at start-up, so a node with
//! many tenants is ready at once and an idle tenant costs only its metadata until it is asked
//! for.

use std::collections::HashMap;
use std::sync::Arc;

use cluster::tenants::{place_tenants, HOT};
use cluster::{ClassMeta, MetaCommand};
use shard::Shard;

use crate::{run_blocking, Coordinator, Error, Result};

/// What a request may do to reach its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reads: the tenant must exist; a COLD one is activated if the class allows it.
    Read,
    /// Writes: as reads, and a missing tenant is created if the class allows it.
    Write,
}

/// The tenant views of one batch by the class metadata they were built from (its address,
/// kept from reuse by holding the metadata) and the tenant.
#[derive(Default)]
pub(crate) struct BatchViews(HashMap<(usize, String), (Arc<ClassMeta>, Arc<ClassMeta>)>);

impl Coordinator {
    /// The tenants of a multi-tenant collection as `(name, activity status)`, in name order;
    /// `names` narrows them to those (unknown names are left out, as Weaviate does).
    pub fn tenants(&self, class: &str, names: Option<&[String]>) -> Result<Vec<(String, String)>> {
        let meta = self.multi_tenant_class(class)?;
        Ok(meta
            .tenants
            .values()
            .filter(|t| names.is_none_or(|names| names.contains(&t.name)))
            .map(|t| (t.name.clone(), t.status.clone()))
            .collect())
    }

    /// `POST /v1/schema/{class}/tenants`: adds `(name, status)` tenants, each placed on
    /// `replicationConfig.factor` nodes, those holding the fewest of the class's tenants first.
    /// Tenants that exist already keep their placement and status.
    pub async fn add_tenants(&self, class: &str, tenants: Vec<(String, String)>) -> Result<()> {
        let meta = self.multi_tenant_class(class)?;
        let factor = meta.class.replication_config.factor.max(1) as usize;
        self.check_factor(factor)?;
        let nodes = self.meta.node_names();
        let placed = place_tenants(&meta.tenants, &tenants, &nodes, factor);
        if placed.is_empty() {
            return Ok(());
        }
        self.execute(MetaCommand::AddTenants {
            class: meta.class.class.clone(),
            tenants: placed,
        })
        .await
    }

    /// `PUT /v1/schema/{class}/tenants`: sets the activity status of existing tenants. A COLD
    /// tenant's local shard is closed, its memory released; its data stays on disk.
    pub async fn update_tenants(&self, class: &str, statuses: Vec<(String, String)>) -> Result<()> {
        let meta = self.multi_tenant_class(class)?;
        if let Some((missing, _)) = statuses
            .iter()
            .find(|(name, _)| !meta.tenants.contains_key(name))
        {
            return Err(not_found(missing));
        }
        self.execute(MetaCommand::UpdateTenants {
            class: meta.class.class.clone(),
            statuses,
        })
        .await
    }

    /// `DELETE /v1/schema/{class}/tenants`: removes tenants and their data on every node;
    /// names the class does not have are ignored, as in Weaviate.
    pub async fn delete_tenants(&self, class: &str, names: Vec<String>) -> Result<()> {
        let meta = self.multi_tenant_class(class)?;
        self.execute(MetaCommand::DeleteTenants {
            class: meta.class.class.clone(),
            names,
        })
        .await
    }

    /// The class as a request for `tenant` sees it: the class itself when it is not
    /// multi-tenant (and no tenant is given), else the tenant's one-shard view, its local
    /// shard open. Weaviate's errors for a missing, unknown or inactive tenant, or a tenant on
    /// a class without multi-tenancy; `autoTenantCreation` (writes) and
    /// `autoTenantActivation` act first when the class enables them.
    pub(crate) async fn scoped(
        &self,
        meta: Arc<ClassMeta>,
        tenant: Option<&str>,
        access: Access,
    ) -> Result<Arc<ClassMeta>> {
        let class = &meta.class;
        let tenant = match (class.multi_tenancy_config.enabled, tenant) {
            (false, None) => return Ok(meta),
            (false, Some(_)) => {
                return Err(Error::invalid(format!(
                    "class {} has multi-tenancy disabled, but request was with tenant",
                    class.class
                )))
            }
            (true, None) => {
                return Err(Error::invalid(format!(
                    "class {} has multi-tenancy enabled, but request was without tenant",
                    class.class
                )))
            }
            (true, Some(t)) => t,
        };
        let meta = self.reachable_tenant(meta, tenant, access).await?;
        let view = Arc::new(meta.for_tenant(tenant).ok_or_else(|| not_found(tenant))?);
        self.open_if_local(view.clone()).await?;
        Ok(view)
    }

    /// [`Coordinator::scoped`] for the objects of one batch: a tenant's view is built (and its
    /// status checked) once per batch, not per object. A class that changed meanwhile (a
    /// property added by auto-schema, a tenant created) is new metadata and gets a new view.
    pub(crate) async fn scoped_in_batch(
        &self,
        meta: Arc<ClassMeta>,
        tenant: Option<&str>,
        access: Access,
        views: &mut BatchViews,
    ) -> Result<Arc<ClassMeta>> {
        let Some(name) = tenant.filter(|_| meta.class.multi_tenancy_config.enabled) else {
            return self.scoped(meta, tenant, access).await;
        };
        let key = (Arc::as_ptr(&meta) as usize, name.to_string());
        if let Some((_, view)) = views.0.get(&key) {
            return Ok(view.clone());
        }
        let view = self.scoped(meta.clone(), tenant, access).await?;
        views.0.insert(key, (meta, view.clone()));
        Ok(view)
    }

    /// Opens this node's shard of a tenant's view, if the tenant is placed here.
    async fn open_if_local(&self, view: Arc<ClassMeta>) -> Result<()> {
        let local = view.sharding.shards_on(&self.config.node_name);
        let class = &view.class.class;
        if local
            .iter()
            .all(|p| self.shards.shard(class, &p.name).is_some())
        {
            return Ok(());
        }
        let (shards, meta) = (self.shards.clone(), self.meta.clone());
        let tenant = view.sharding.physical.keys().next().cloned();
        let opened = run_blocking(move || shards.open_tenant(&view, || meta.snapshot())).await?;
        match (opened, tenant) {
            (true, _) | (false, None) => Ok(()),
            (false, Some(tenant)) => Err(not_active(&tenant)),
        }
    }

    /// The class once `tenant` exists and is HOT, creating or activating it when the class
    /// allows that.
    async fn reachable_tenant(
        &self,
        meta: Arc<ClassMeta>,
        tenant: &str,
        access: Access,
    ) -> Result<Arc<ClassMeta>> {
        let mt = &meta.class.multi_tenancy_config;
        let name = meta.class.class.clone();
        match meta.tenants.get(tenant).map(|t| t.status.as_str()) {
            Some(HOT) => return Ok(meta),
            None if access == Access::Write && mt.auto_tenant_creation => {
                model::tenants::check_name(0, tenant)?;
                let wanted = vec![(tenant.to_string(), HOT.to_string())];
                self.add_tenants(&name, wanted).await?;
            }
            None => return Err(not_found(tenant)),
            Some(_) if mt.auto_tenant_activation => {
                let wanted = vec![(tenant.to_string(), HOT.to_string())];
                self.update_tenants(&name, wanted).await?;
            }
            Some(_) => return Err(not_active(tenant)),
        }
        let meta = self.require_class(&name)?;
        match meta.tenants.get(tenant).map(|t| t.status.as_str()) {
            Some(HOT) => Ok(meta),
            // Deleted or deactivated again meanwhile.
            Some(_) => Err(not_active(tenant)),
            None => Err(not_found(tenant)),
        }
    }

    /// This node's open shard `shard` of `class`, opening it first if it is a HOT tenant
    /// placed here (a peer routed a tenant's request to this node).
    pub(crate) async fn local_shard(&self, class: &str, shard: &str) -> Result<Option<Arc<Shard>>> {
        if let Some(open) = self.shards.shard(class, shard) {
            return Ok(Some(open));
        }
        let view = self.class_meta(class).and_then(|meta| {
            let hot = meta.tenants.get(shard).is_some_and(|t| t.status == HOT);
            hot.then(|| meta.for_tenant(shard)).flatten()
        });
        if let Some(view) = view {
            self.open_if_local(Arc::new(view)).await?;
        }
        Ok(self.shards.shard(class, shard))
    }

    /// The view a reference into `meta` reads: the class itself when it is single-tenant, the
    /// view of `tenant` when it is multi-tenant (activated or refused as any read is); `None`
    /// when the class has no such tenant or no tenant is given, so that the references dangle.
    pub(crate) async fn reference_scope(
        &self,
        meta: Arc<ClassMeta>,
        tenant: Option<&str>,
    ) -> Result<Option<Arc<ClassMeta>>> {
        if !meta.class.multi_tenancy_config.enabled {
            return Ok(Some(meta));
        }
        match tenant {
            Some(t) if meta.tenants.contains_key(t) => {
                self.scoped(meta, Some(t), Access::Read).await.map(Some)
            }
            Some(_) | None => Ok(None),
        }
    }

    /// A class that exists and has multi-tenancy enabled.
    fn multi_tenant_class(&self, class: &str) -> Result<Arc<ClassMeta>> {
        let meta = self.require_class(class)?;
        if !meta.class.multi_tenancy_config.enabled {
            return Err(Error::invalid(format!(
                "multi-tenancy is not enabled for class \"{}\"",
                meta.class.class
            )));
        }
        Ok(meta)
    }
}

/// Weaviate quotes the tenant of this sentence with single quotes
/// (`adapters/repos/db/index.go`, `determineObjectShard`)...
fn not_active(tenant: &str) -> Error {
    Error::invalid(format!("tenant not active: '{tenant}'"))
}

/// ...and that of this one with Go's `%q`.
fn not_found(tenant: &str) -> Error {
    Error::invalid(format!("tenant not found: {tenant:?}"))
}

#[cfg(test)]
#[path = "tenants_tests.rs"]
mod tests;
