//! Tenants of multi-tenant classes in the metadata: which tenants a class has, their activity
//! status and the nodes that hold each one's data. As in Weaviate, a tenant is a shard of its
//! own with no virtual shards: it lives whole on `replicationConfig.factor` nodes, chosen when
//! it is added and never moved.
//!
//! Placement is decided by the node that proposes the change ([`place_tenants`]), so that
//! `apply` stays a pure function of the state and the command.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::meta::{MetaChange, MetaState};
use crate::{Error, Result};

/// A tenant whose data is loaded and served.
pub const HOT: &str = "HOT";
/// A tenant whose data stays on disk, unloaded, until it is activated.
pub const COLD: &str = "COLD";
/// The activity statuses the metadata stores: Weaviate 1.27's names, which it keeps internally
/// and in answers even where clients send the newer `ACTIVE`/`INACTIVE`.
pub const TENANT_STATUSES: [&str; 2] = [HOT, COLD];

/// The tenants of a class by name: a persistent map, so that a command changing a few tenants
/// of a class with many copies only the few tree nodes on their paths, not every tenant (the
/// state before the command stays shared with readers).
pub type Tenants = imbl::OrdMap<String, TenantMeta>;

/// One tenant of a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantMeta {
    pub name: String,
    /// `activityStatus`, one of [`TENANT_STATUSES`].
    pub status: String,
    /// The nodes holding the tenant's data.
    pub belongs_to_nodes: Vec<String>,
}

/// Placements for the `(name, status)` tenants not yet in `existing`: each on `factor` of
/// `nodes`, those holding the fewest tenants of the class first (the batch's own included),
/// ties in the order of `nodes`. Names already present are left out: adding a tenant twice
/// keeps the first placement.
pub fn place_tenants(
    existing: &Tenants,
    requested: &[(String, String)],
    nodes: &[String],
    factor: usize,
) -> Vec<TenantMeta> {
    if factor >= nodes.len() {
        // Every tenant on every node (a standalone node): no load to count.
        return requested
            .iter()
            .filter(|(name, _)| !existing.contains_key(name))
            .fold(Vec::<TenantMeta>::new(), |mut out, (name, status)| {
                if !out.iter().any(|t| &t.name == name) {
                    out.push(TenantMeta {
                        name: name.clone(),
                        status: status.clone(),
                        belongs_to_nodes: nodes.to_vec(),
                    });
                }
                out
            });
    }
    let mut load: BTreeMap<&str, usize> = nodes.iter().map(|n| (n.as_str(), 0)).collect();
    for tenant in existing.values() {
        for node in &tenant.belongs_to_nodes {
            if let Some(count) = load.get_mut(node.as_str()) {
                *count += 1;
            }
        }
    }
    let mut out: Vec<TenantMeta> = Vec::new();
    for (name, status) in requested {
        if existing.contains_key(name) || out.iter().any(|t| &t.name == name) {
            continue;
        }
        let mut order: Vec<&String> = nodes.iter().collect();
        // Stable: equal loads keep the order of `nodes`.
        order.sort_by_key(|n| load.get(n.as_str()).copied().unwrap_or(0));
        let chosen: Vec<String> = order.into_iter().take(factor).cloned().collect();
        for node in &chosen {
            if let Some(count) = load.get_mut(node.as_str()) {
                *count += 1;
            }
        }
        out.push(TenantMeta {
            name: name.clone(),
            status: status.clone(),
            belongs_to_nodes: chosen,
        });
    }
    out
}

impl MetaState {
    /// Adds tenants to a multi-tenant class; names it already has keep their placement.
    pub(crate) fn add_tenants(
        &mut self,
        class: String,
        tenants: Vec<TenantMeta>,
    ) -> Result<MetaChange> {
        for tenant in &tenants {
            check_status(&tenant.status)?;
        }
        let meta = self.multi_tenant_class(&class)?;
        let mut names = Vec::new();
        for tenant in tenants {
            if !meta.tenants.contains_key(&tenant.name) {
                names.push(tenant.name.clone());
                meta.tenants.insert(tenant.name.clone(), tenant);
            }
        }
        Ok(MetaChange::TenantsChanged { class, names })
    }

    /// Changes the activity status of existing tenants; if one is missing, nothing changes.
    pub(crate) fn update_tenants(
        &mut self,
        class: String,
        statuses: Vec<(String, String)>,
    ) -> Result<MetaChange> {
        for (_, status) in &statuses {
            check_status(status)?;
        }
        let meta = self.multi_tenant_class(&class)?;
        if let Some((missing, _)) = statuses
            .iter()
            .find(|(name, _)| !meta.tenants.contains_key(name))
        {
            return Err(Error::TenantNotFound {
                class,
                tenant: missing.clone(),
            });
        }
        let mut names = Vec::new();
        for (name, status) in statuses {
            if let Some(tenant) = meta.tenants.get_mut(&name) {
                tenant.status = status;
                names.push(name);
            }
        }
        Ok(MetaChange::TenantsChanged { class, names })
    }

    /// Removes tenants; names the class does not have are ignored, as in Weaviate.
    pub(crate) fn delete_tenants(
        &mut self,
        class: String,
        names: Vec<String>,
    ) -> Result<MetaChange> {
        let meta = self.multi_tenant_class(&class)?;
        let names = names
            .into_iter()
            .filter(|name| meta.tenants.remove(name).is_some())
            .collect();
        Ok(MetaChange::TenantsChanged { class, names })
    }

    /// The class, writable, if it exists and has multi-tenancy enabled.
    fn multi_tenant_class(&mut self, class: &str) -> Result<&mut crate::ClassMeta> {
        let meta = self
            .classes
            .get_mut(class)
            .ok_or_else(|| Error::ClassNotFound(class.to_string()))?;
        if !meta.class.multi_tenancy_config.enabled {
            return Err(Error::Invalid(format!(
                "multi-tenancy is not enabled for class {class:?}"
            )));
        }
        Ok(Arc::make_mut(meta))
    }
}

impl TenantMeta {
    /// The tenant as a physical shard: named after it, owning its one token range, on its
    /// nodes.
    pub fn shard(&self) -> crate::PhysicalShard {
        crate::PhysicalShard {
            name: self.name.clone(),
            owns_virtual: vec![self.name.clone()],
            owns_percentage: 100.0,
            belongs_to_nodes: self.belongs_to_nodes.clone(),
            status: "READY".to_string(),
        }
    }
}

impl crate::ClassMeta {
    /// The class as one request for `tenant` sees it: the same class with a single physical
    /// shard, the tenant's, owning the whole token range and placed where the tenant is. The
    /// data path routes, fans out and replicates over it exactly as over any class. `None` if
    /// the class has no such tenant.
    pub fn for_tenant(&self, tenant: &str) -> Option<crate::ClassMeta> {
        let placed = self.tenants.get(tenant)?;
        let physical = placed.shard();
        let whole_range = crate::VirtualShard {
            name: placed.name.clone(),
            upper: u64::MAX,
            owns_percentage: 100.0,
            assigned_to_physical: placed.name.clone(),
        };
        Some(crate::ClassMeta {
            class: self.class.clone(),
            sharding: crate::ShardingState {
                virtual_shards: vec![whole_range],
                physical: [(placed.name.clone(), physical)].into_iter().collect(),
            },
            vector_dims: self.vector_dims.clone(),
            tenants: Tenants::new(),
            copy: None,
        })
    }
}

fn check_status(status: &str) -> Result<()> {
    if TENANT_STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid activity status {status:?}: expected one of {TENANT_STATUSES:?}"
        )))
    }
}

#[cfg(test)]
#[path = "tenants_tests.rs"]
mod tests;
