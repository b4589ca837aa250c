//! How the state machine lays the metadata out in `Cf::RaftMeta`: one row per class, without
//! its tenants, and one row per tenant. A command that adds or changes a hundred of a class's
//! hundred thousand tenants then writes (and checks) a hundred small rows, not the class.

use std::collections::BTreeSet;
use std::sync::Arc;

use storage::keys::raft as rk;
use storage::{Cf, KvStore, RocksStore, WriteBatch};

use crate::meta::{ClassMeta, MetaState};
use crate::raft::codec::{check_round_trip, decode, encode};
use crate::tenants::{TenantMeta, Tenants};
use crate::{Error, Result};

/// A class as its row holds it: everything but its tenants.
fn class_row(meta: &ClassMeta) -> ClassMeta {
    ClassMeta {
        tenants: Tenants::new(),
        ..meta.clone()
    }
}

/// Whether the class can be written and read back (its tenants are checked row by row).
pub(crate) fn check_class(meta: &ClassMeta) -> Result<()> {
    check_round_trip(&class_row(meta))
}

/// Whether the named tenants of `meta` can be written and read back.
pub(crate) fn check_tenants(meta: &ClassMeta, names: &[String]) -> Result<()> {
    names
        .iter()
        .filter_map(|name| meta.tenants.get(name))
        .try_for_each(check_round_trip)
}

/// Writes `meta`'s row and every one of its tenants' rows (a new class, or a snapshot).
pub(crate) fn put_class_and_tenants(batch: &mut WriteBatch, meta: &ClassMeta) -> Result<()> {
    let name = &meta.class.class;
    batch.put(Cf::RaftMeta, rk::class_key(name), encode(&class_row(meta))?);
    for tenant in meta.tenants.values() {
        batch.put(
            Cf::RaftMeta,
            rk::tenant_key(name, &tenant.name),
            encode(tenant)?,
        );
    }
    Ok(())
}

/// Writes `meta`'s own row only.
pub(crate) fn put_class(batch: &mut WriteBatch, meta: &ClassMeta) -> Result<()> {
    let row = encode(&class_row(meta))?;
    batch.put(Cf::RaftMeta, rk::class_key(&meta.class.class), row);
    Ok(())
}

/// Deletes a class's row and all its tenants' rows.
pub(crate) fn delete_class(batch: &mut WriteBatch, name: &str) {
    batch.delete(Cf::RaftMeta, rk::class_key(name));
    let (start, end) = rk::tenant_range(name);
    batch.delete_range(Cf::RaftMeta, start, end);
}

/// Writes the current row of each `(class, tenant)`, or deletes it if the tenant is gone.
pub(crate) fn put_tenants(
    batch: &mut WriteBatch,
    state: &MetaState,
    dirty: &BTreeSet<(String, String)>,
) -> Result<()> {
    for (class, name) in dirty {
        let key = rk::tenant_key(class, name);
        match state.class(class).and_then(|m| m.tenants.get(name)) {
            Some(tenant) => batch.put(Cf::RaftMeta, key, encode(tenant)?),
            None => batch.delete(Cf::RaftMeta, key),
        }
    }
    Ok(())
}

/// Reads every class row and every tenant row into `state`. A tenant row whose class has no
/// row is left out: its class was deleted.
pub(crate) fn load_classes(db: &RocksStore, state: &mut MetaState) -> Result<()> {
    let mut failed: Option<Error> = None;
    db.for_each_prefix(
        Cf::RaftMeta,
        rk::CLASS_PREFIX,
        &mut |_, v| match decode::<ClassMeta>(v) {
            Ok(class) => {
                state
                    .classes
                    .insert(class.class.class.clone(), Arc::new(class));
                true
            }
            Err(e) => {
                failed = Some(e);
                false
            }
        },
    )?;
    if let Some(e) = failed {
        return Err(e);
    }
    db.for_each_prefix(Cf::RaftMeta, rk::TENANT_PREFIX, &mut |k, v| {
        let Some((class, _)) = rk::tenant_of_key(k) else {
            failed = Some(Error::Corrupt("a tenant row with a malformed key".into()));
            return false;
        };
        let Some(meta) = state.classes.get_mut(class) else {
            return true;
        };
        match decode::<TenantMeta>(v) {
            Ok(tenant) => {
                Arc::make_mut(meta)
                    .tenants
                    .insert(tenant.name.clone(), tenant);
                true
            }
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}
