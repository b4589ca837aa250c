//! `shardingConfig`, `replicationConfig` and `multiTenancyConfig`
//! (usecases/sharding/config/config.go, usecases/replica/config.go, usecases/schema/class.go).

use serde_json::Value;
use types::schema::{MultiTenancyConfig, ReplicationConfig, ShardingConfig};

use super::json::{self, Obj};
use crate::{Error, Result};

const DEFAULT_VIRTUAL_PER_PHYSICAL: i64 = 128;
const DELETION_STRATEGIES: [&str; 3] = [
    "NoAutomatedResolution",
    "DeleteOnConflict",
    "TimeBasedResolution",
];

fn object<'a>(value: Option<&'a Value>, path: &str) -> Result<Option<&'a Obj>> {
    match value.filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(v) => json::as_obj(v, path).map(Some),
    }
}

/// `multiTenancyConfig`; the auto-tenant switches need multi-tenancy on.
pub(super) fn parse_multi_tenancy(value: Option<&Value>) -> Result<MultiTenancyConfig> {
    let path = "multiTenancyConfig";
    let Some(obj) = object(value, path)? else {
        return Ok(MultiTenancyConfig {
            enabled: false,
            auto_tenant_creation: false,
            auto_tenant_activation: false,
        });
    };
    let config = MultiTenancyConfig {
        enabled: json::opt_bool(obj, "enabled", path)?.unwrap_or(false),
        auto_tenant_creation: json::opt_bool(obj, "autoTenantCreation", path)?.unwrap_or(false),
        auto_tenant_activation: json::opt_bool(obj, "autoTenantActivation", path)?.unwrap_or(false),
    };
    if !config.enabled && config.auto_tenant_creation {
        return Err(Error::invalid(
            "can't enable autoTenantCreation on a non-multi-tenant class",
        ));
    }
    if !config.enabled && config.auto_tenant_activation {
        return Err(Error::invalid(
            "can't enable autoTenantActivation on a non-multi-tenant class",
        ));
    }
    Ok(config)
}

/// The sharding config of a multi-tenant class: every tenant is its own shard.
pub(super) fn multi_tenant_sharding() -> ShardingConfig {
    ShardingConfig {
        virtual_per_physical: 0,
        desired_count: 0,
        actual_count: 0,
        desired_virtual_count: 0,
        actual_virtual_count: 0,
        key: String::new(),
        strategy: String::new(),
        function: String::new(),
    }
}

/// `shardingConfig` of a single-tenant class. The `actual*` and `desiredVirtualCount` fields are
/// always derived, whatever the body says (clients echo back what they read).
pub(super) fn parse_sharding(value: Option<&Value>, node_count: u32) -> Result<ShardingConfig> {
    let path = "shardingConfig";
    let empty = Obj::new();
    let obj = object(value, path)?.unwrap_or(&empty);
    let virtual_per_physical = count(obj, "virtualPerPhysical", DEFAULT_VIRTUAL_PER_PHYSICAL)?;
    let desired_count = count(obj, "desiredCount", i64::from(node_count.max(1)))?;
    let desired_virtual_count = desired_count
        .checked_mul(virtual_per_physical)
        .filter(|n| *n <= i64::from(u32::MAX))
        .ok_or_else(|| {
            Error::invalid("shardingConfig: desiredCount × virtualPerPhysical is too large")
        })?;
    let config = ShardingConfig {
        virtual_per_physical: to_u32(virtual_per_physical),
        desired_count: to_u32(desired_count),
        actual_count: to_u32(desired_count),
        desired_virtual_count: to_u32(desired_virtual_count),
        actual_virtual_count: to_u32(desired_virtual_count),
        key: fixed(
            obj,
            "key",
            "_id",
            "sharding only supported on key '_id' for now",
        )?,
        strategy: fixed(
            obj,
            "strategy",
            "hash",
            "sharding only supported with strategy 'hash' for now",
        )?,
        function: fixed(
            obj,
            "function",
            "murmur3",
            "sharding only supported with function 'murmur3' for now",
        )?,
    };
    Ok(config)
}

/// A positive count. Weaviate accepts 0 here and then fails on the first write; Shoal refuses.
fn count(obj: &Obj, key: &str, default: i64) -> Result<i64> {
    let n = json::opt_int(obj, key, "shardingConfig")?.unwrap_or(default);
    if !(1..=i64::from(u32::MAX)).contains(&n) {
        return Err(Error::invalid(format!(
            "shardingConfig.{key} must be a positive integer, got {n}"
        )));
    }
    Ok(n)
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A string that, for now, can only have one value.
fn fixed(obj: &Obj, key: &str, only: &str, msg: &str) -> Result<String> {
    match json::opt_str(obj, key, "shardingConfig")? {
        None => Ok(only.to_string()),
        Some(v) if v == only => Ok(v.to_string()),
        Some(v) => Err(Error::invalid(format!("shardingConfig: {msg}, got: {v}"))),
    }
}

/// `replicationConfig`. A factor below 1 means the minimum (1), as in Weaviate; whether the
/// cluster has enough nodes is checked by the caller of this function.
pub(super) fn parse_replication(value: Option<&Value>) -> Result<ReplicationConfig> {
    let path = "replicationConfig";
    let empty = Obj::new();
    let obj = object(value, path)?.unwrap_or(&empty);
    let factor = json::opt_int(obj, "factor", path)?
        .unwrap_or(1)
        .clamp(1, i64::from(u32::MAX));
    let strategy = match json::opt_str(obj, "deletionStrategy", path)?.filter(|s| !s.is_empty()) {
        None => "NoAutomatedResolution",
        Some(s) if DELETION_STRATEGIES.contains(&s) => s,
        Some(s) => {
            return Err(Error::invalid(format!(
                "replicationConfig.deletionStrategy in body should be one of [{}], got {s:?}",
                DELETION_STRATEGIES.join(" ")
            )))
        }
    };
    Ok(ReplicationConfig {
        factor: to_u32(factor),
        async_enabled: json::opt_bool(obj, "asyncEnabled", path)?.unwrap_or(false),
        deletion_strategy: strategy.to_string(),
    })
}

/// Weaviate's message when a new class wants more replicas than there are nodes.
pub(super) fn check_factor_on_create(factor: u32, node_count: u32) -> Result<()> {
    if factor > node_count {
        return Err(Error::invalid(format!(
            "init sharding state: could not find enough weaviate nodes for replication: \
             {node_count} available, {factor} requested"
        )));
    }
    Ok(())
}
