//! What replicas of a shard need from each other to converge: the hash tree, the versions in a
//! token range, and repairs that apply only if the replica still holds the version the
//! repairer saw (compare-and-set, so a repair never overwrites a newer write that arrived
//! meanwhile).

use serde::{Deserialize, Serialize};
use storage::{keys, Cf, WriteBatch};
use types::Object;
use uuid::Uuid;

use super::write::PutMode;
use super::{Shard, WriterState, BACKFILL_BATCH};
use crate::hashtree::HashTree;
use crate::version::{Digest, Version};
use crate::{Error, Result};

/// Set in the shard's metadata once every stored object has its `versions` entry (shards
/// written before versions existed get theirs on first open).
const VERSIONS_READY_KEY: &[u8] = b"versions_ready";

/// One change to bring a replica up to date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repair {
    pub id: Uuid,
    /// The version the repairer saw on this replica (`None`: none): the repair applies only if
    /// it is still the stored one.
    pub expected: Option<Version>,
    pub change: RepairChange,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum RepairChange {
    /// Store this version of the object (with its vectors and times) as it is.
    Put(Object),
    /// Delete the object (if present) and mark it deleted at `at_ms`.
    Delete { at_ms: i64 },
}

impl Shard {
    /// A copy of the shard's hash tree, built from the stored versions on first use.
    pub fn hash_tree(&self) -> Result<HashTree> {
        let mut writer = self.write_lock.lock();
        if writer.tree.is_none() {
            writer.tree = Some(self.build_tree()?);
        }
        Ok(writer.tree.clone().unwrap_or_default())
    }

    fn build_tree(&self) -> Result<HashTree> {
        let mut tree = HashTree::default();
        let mut failure = None;
        let prefix = keys::shard_prefix(self.prefix);
        self.store
            .for_each_prefix(Cf::Versions, &prefix, &mut |k, v| match (
                keys::version_from_key(k),
                Version::decode(v),
            ) {
                (Some((token, id)), Ok(version)) => {
                    tree.toggle(&Uuid::from_bytes(id), token, version);
                    true
                }
                (_, Err(e)) => {
                    failure = Some(e);
                    false
                }
                (None, _) => {
                    failure = Some(Error::Corrupt(format!("version key of {} bytes", k.len())));
                    false
                }
            })?;
        failure.map_or(Ok(tree), Err)
    }

    /// The versions with a token in `first..=last`, in (token, uuid) order, after the position
    /// `after` (exclusive) if given, at most `limit`.
    pub fn digests(
        &self,
        first: u64,
        last: u64,
        after: Option<(u64, Uuid)>,
        limit: usize,
    ) -> Result<Vec<Digest>> {
        let prefix = keys::shard_prefix(self.prefix);
        let start = match after {
            Some((token, id)) => keys::version_key(self.prefix, token, id.as_bytes()),
            None => keys::version_key(self.prefix, first, &[0; 16]),
        };
        // One more than asked: the cursor itself may be the first key.
        let rows =
            self.store
                .scan_prefix(Cf::Versions, &prefix, &start, limit.saturating_add(1))?;
        let mut out = Vec::with_capacity(rows.len());
        for (key, value) in rows {
            let (token, id) = keys::version_from_key(&key)
                .ok_or_else(|| Error::Corrupt(format!("version key of {} bytes", key.len())))?;
            let id = Uuid::from_bytes(id);
            if token > last || out.len() == limit {
                break;
            }
            if after == Some((token, id)) {
                continue;
            }
            out.push(Digest {
                id,
                token,
                version: Version::decode(&value)?,
            });
        }
        Ok(out)
    }

    /// The stored versions of `ids` (live, deleted, or never seen), in order.
    pub fn versions(&self, ids: &[Uuid]) -> Result<Vec<Option<Version>>> {
        self.stored_versions(ids)
    }

    /// Applies each repair whose expected version is still the stored one; per repair, whether
    /// it was applied.
    pub fn apply_repairs(&self, repairs: Vec<Repair>) -> Result<Vec<bool>> {
        self.check_writable()?;
        let mut writer = self.write_lock.lock();
        let ids: Vec<Uuid> = repairs.iter().map(|r| r.id).collect();
        let current = self.stored_versions(&ids)?;
        let mut applied = vec![false; repairs.len()];
        let mut puts = Vec::new();
        for (i, (repair, now)) in repairs.into_iter().zip(current).enumerate() {
            if now != repair.expected {
                continue;
            }
            match repair.change {
                RepairChange::Put(object) => puts.push((i, object)),
                RepairChange::Delete { at_ms } => {
                    applied[i] = self.delete_or_mark(&mut writer, &repair.id, at_ms, now)?;
                }
            }
        }
        let (slots, objects): (Vec<usize>, Vec<Object>) = puts.into_iter().unzip();
        let results = self.put_locked(&mut writer, objects, PutMode::Upsert)?;
        for (i, result) in slots.into_iter().zip(results) {
            applied[i] = result.is_ok();
        }
        Ok(applied)
    }

    /// Deletes a live object, or only records the deletion when there is none here.
    fn delete_or_mark(
        &self,
        writer: &mut WriterState,
        id: &Uuid,
        at_ms: i64,
        now: Option<Version>,
    ) -> Result<bool> {
        if matches!(now, Some(Version::Live { .. })) {
            return self.delete_locked(writer, id, at_ms);
        }
        let token = types::token(id);
        let deleted = Version::Deleted { at_ms };
        let mut batch = WriteBatch::new();
        deleted.stage(&mut batch, self.prefix, id, token);
        self.store.write(batch)?;
        if let Some(tree) = &mut writer.tree {
            tree.replace(id, token, now, deleted);
        }
        Ok(true)
    }

    /// Gives every stored object its `versions` entry if the shard predates them. Runs at open,
    /// before anyone else can write.
    pub(super) fn backfill_versions(&self) -> Result<()> {
        let ready = keys::shard_key(self.prefix, VERSIONS_READY_KEY);
        if self.store.get(Cf::ShardMeta, &ready)?.is_some() {
            return Ok(());
        }
        let prefix = keys::shard_prefix(self.prefix);
        let mut batch = WriteBatch::new();
        let mut failure = None;
        self.store
            .for_each_prefix(Cf::Objects, &prefix, &mut |k, v| {
                if let Err(e) = self.stage_stored_version(&mut batch, k, v) {
                    failure = Some(e);
                    return false;
                }
                if batch.len() >= BACKFILL_BATCH {
                    let full = std::mem::take(&mut batch);
                    if let Err(e) = self.store.write(full) {
                        failure = Some(e.into());
                        return false;
                    }
                }
                true
            })?;
        if let Some(e) = failure {
            return Err(e);
        }
        batch.put(Cf::ShardMeta, ready, vec![1]);
        Ok(self.store.write(batch)?)
    }

    /// Stages the `versions` entry of one stored object record (key and value of `objects`).
    fn stage_stored_version(
        &self,
        batch: &mut WriteBatch,
        key: &[u8],
        record: &[u8],
    ) -> Result<()> {
        let id = super::read::uuid_from_key(key)?;
        let updated_ms = crate::record::Record::update_ms_of(record)?;
        Version::Live { updated_ms }.stage(batch, self.prefix, &id, types::token(&id));
        Ok(())
    }
}
