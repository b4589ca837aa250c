//! Writes: every call is one atomic store batch (object records, doc-id mapping, vectors,
//! index-log entries, counters), then the in-memory indexes follow, still under the writer
//! lock so they apply changes in store order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::Ordering;

use inverted_index::Posting;
use storage::{keys, Cf, WriteBatch};
use types::{DocId, Object};
use uuid::Uuid;

use super::{Shard, ShardStatus, WriterState, COUNT_KEY, NEXT_DOC_KEY, NEXT_SEQ_KEY};
use crate::record::Record;
use crate::version::Version;
use crate::{Error, Result};

/// What a put may do to an existing object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutMode {
    /// Insert or replace (batch import).
    Upsert,
    /// Insert only; an existing id is an error (`POST /v1/objects`).
    CreateOnly,
    /// Replace only; a missing id is an error (`PUT`/`PATCH`).
    ReplaceExisting,
}

/// Why a single put of a batch was refused, before anything was written.
#[derive(Debug)]
pub enum PutRefusal {
    /// The id exists and the mode is [`PutMode::CreateOnly`].
    AlreadyExists(Uuid),
    /// The id does not exist and the mode is [`PutMode::ReplaceExisting`].
    Missing(Uuid),
    /// An engine-level error (wrong dimension, unknown target, ...).
    Invalid(Error),
}

/// The outcome of one object of a batch.
pub type PutResult = std::result::Result<Object, PutRefusal>;

/// A doc id and creation time already decided within the current batch.
#[derive(Clone, Copy)]
struct Slot {
    doc: DocId,
    creation_ms: i64,
    is_new: bool,
}

/// An object already stored: its slot and the inverted-index postings of its stored version.
struct Existing {
    slot: Slot,
    postings: Vec<Posting>,
}

/// One object's entry in the `versions` column family changing within a batch.
struct VersionChange {
    token: u64,
    /// The version before the batch (`None`: never seen, or unknown because no hash tree is
    /// kept yet and none needs it).
    old: Option<Version>,
    new: Version,
}

impl Shard {
    /// Writes `objects` in one atomic batch. Each object is checked on its own; refused ones are
    /// reported and the rest are written. An existing object keeps its doc id and creation time.
    /// A store failure fails the whole call and leaves nothing written.
    pub fn put_batch(&self, objects: Vec<Object>, mode: PutMode) -> Result<Vec<PutResult>> {
        self.check_writable()?;
        let mut writer = self.write_lock.lock();
        self.put_locked(&mut writer, objects, mode)
    }

    /// [`Shard::put_batch`] under the writer lock.
    pub(super) fn put_locked(
        &self,
        writer: &mut WriterState,
        objects: Vec<Object>,
        mode: PutMode,
    ) -> Result<Vec<PutResult>> {
        let existing = self.existing_slots(&objects)?;
        let mut plan = BatchPlan::new(writer);
        if writer.tree.is_some() {
            let ids: Vec<Uuid> = objects.iter().map(|o| o.id).collect();
            plan.prior_versions = self.stored_versions(&ids)?;
        }
        let mut results = Vec::with_capacity(objects.len());
        for (obj, prior) in objects.into_iter().zip(existing) {
            if let Some(p) = &prior {
                plan.postings
                    .entry(obj.id)
                    .or_insert_with(|| p.postings.clone());
            }
            results.push(self.plan_one(obj, prior.map(|p| p.slot), mode, &mut plan));
            plan.objects_seen += 1;
        }
        if results.iter().any(|r| r.is_ok()) {
            self.commit(writer, plan)?;
        }
        Ok(results)
    }

    /// Deletes an object now (by this node's clock); `false` if it did not exist.
    pub fn delete(&self, id: &Uuid) -> Result<bool> {
        self.delete_at(id, now_ms())
    }

    /// Deletes an object and marks it deleted at `at_ms` (the coordinator's time, the same on
    /// every replica); `false` if it did not exist, and then no marker is written.
    pub fn delete_at(&self, id: &Uuid, at_ms: i64) -> Result<bool> {
        self.check_writable()?;
        let mut writer = self.write_lock.lock();
        self.delete_locked(&mut writer, id, at_ms)
    }

    /// [`Shard::delete_at`] under the writer lock.
    pub(super) fn delete_locked(
        &self,
        writer: &mut WriterState,
        id: &Uuid,
        at_ms: i64,
    ) -> Result<bool> {
        let key = keys::shard_key(self.prefix, id.as_bytes());
        let Some(bytes) = self.store.get(Cf::Objects, &key)? else {
            return Ok(false);
        };
        let record = Record::decode(&bytes)?;
        let doc = record.doc;
        let mut plan = BatchPlan::new(writer);
        let deleted = Version::Deleted { at_ms };
        let token = types::token(id);
        deleted.stage(&mut plan.batch, self.prefix, id, token);
        plan.versions.insert(
            *id,
            VersionChange {
                token,
                old: Some(Version::Live {
                    updated_ms: record.update_ms,
                }),
                new: deleted,
            },
        );
        let old = self.inverted.postings(doc, &record.input(id));
        for p in &old {
            plan.batch
                .delete(Cf::Postings, keys::shard_key(self.prefix, &p.key));
        }
        plan.inverted_ops.push((doc, old, Vec::new()));
        plan.batch.delete(Cf::Objects, key);
        plan.batch
            .delete(Cf::DocIds, keys::doc_key(self.prefix, doc));
        for name in self.targets.keys() {
            plan.batch
                .delete(Cf::Vectors, keys::vector_key(self.prefix, name, doc));
            self.stage_index_op(name, doc, None, &mut plan);
        }
        plan.removed_objects = 1;
        self.commit(writer, plan)?;
        Ok(true)
    }

    /// The stored versions of `ids` (live or deleted), in order.
    pub(super) fn stored_versions(&self, ids: &[Uuid]) -> Result<Vec<Option<Version>>> {
        let keys: Vec<Vec<u8>> = ids
            .iter()
            .map(|id| keys::version_key(self.prefix, types::token(id), id.as_bytes()))
            .collect();
        self.store
            .multi_get(Cf::Versions, &keys)?
            .into_iter()
            .map(|v| v.map(|b| Version::decode(&b)).transpose())
            .collect()
    }

    pub(super) fn check_writable(&self) -> Result<()> {
        if self.status() == ShardStatus::ReadOnly {
            return Err(Error::ReadOnly {
                shard: self.name.clone(),
            });
        }
        Ok(())
    }

    fn existing_slots(&self, objects: &[Object]) -> Result<Vec<Option<Existing>>> {
        let keys: Vec<Vec<u8>> = objects
            .iter()
            .map(|o| keys::shard_key(self.prefix, o.id.as_bytes()))
            .collect();
        let found = self.store.multi_get(Cf::Objects, &keys)?;
        found
            .into_iter()
            .zip(objects)
            .map(|(bytes, obj)| bytes.map(|b| self.existing(&b, &obj.id)).transpose())
            .collect()
    }

    fn existing(&self, bytes: &[u8], id: &Uuid) -> Result<Existing> {
        let r = Record::decode(bytes)?;
        let postings = self.inverted.postings(r.doc, &r.input(id));
        let slot = Slot {
            doc: r.doc,
            creation_ms: r.creation_ms,
            is_new: false,
        };
        Ok(Existing { slot, postings })
    }

    fn plan_one(
        &self,
        obj: Object,
        prior: Option<Slot>,
        mode: PutMode,
        plan: &mut BatchPlan,
    ) -> PutResult {
        // An id written earlier in the same batch counts as existing.
        let prior = plan.slots.get(&obj.id).copied().or(prior);
        match (mode, prior) {
            (PutMode::CreateOnly, Some(_)) => return Err(PutRefusal::AlreadyExists(obj.id)),
            (PutMode::ReplaceExisting, None) => return Err(PutRefusal::Missing(obj.id)),
            _ => {}
        }
        self.check_vectors(&obj, plan)
            .map_err(PutRefusal::Invalid)?;
        let slot = match prior {
            Some(s) => Slot { is_new: false, ..s },
            None => {
                let doc = plan
                    .allocate()
                    .ok_or(PutRefusal::Invalid(Error::DocIdsExhausted))?;
                Slot {
                    doc,
                    creation_ms: obj.creation_time_ms,
                    is_new: true,
                }
            }
        };
        let stored = Object {
            creation_time_ms: slot.creation_ms,
            ..obj
        };
        self.stage(&stored, slot, plan)
            .map_err(PutRefusal::Invalid)?;
        Ok(stored)
    }

    /// Every vector must belong to a target of the class and match the dimension of its index,
    /// counting vectors staged earlier in this batch.
    fn check_vectors(&self, obj: &Object, plan: &mut BatchPlan) -> Result<()> {
        for (name, vector) in &obj.vectors {
            let target = self.target(name)?;
            let Some(index) = target.index() else {
                continue;
            };
            match plan.dims.get(name).copied() {
                Some(dim) if dim != vector.len() => {
                    return Err(Error::BatchDimensionMismatch {
                        expected: dim,
                        got: vector.len(),
                    })
                }
                Some(_) => {}
                None => index.check_dimension(vector.len())?,
            }
            if vector.is_empty() || vector.iter().any(|x| !x.is_finite()) {
                return Err(Error::InvalidVector {
                    target: name.clone(),
                });
            }
            plan.dims.insert(name.clone(), vector.len());
        }
        Ok(())
    }

    fn stage(&self, obj: &Object, slot: Slot, plan: &mut BatchPlan) -> Result<()> {
        let record = Record {
            doc: slot.doc,
            creation_ms: slot.creation_ms,
            update_ms: obj.last_update_time_ms,
            properties: obj.properties.clone(),
        };
        let object_key = keys::shard_key(self.prefix, obj.id.as_bytes());
        self.stage_postings(&obj.id, &record, plan);
        self.stage_version(&obj.id, obj.last_update_time_ms, plan);
        plan.batch.put(Cf::Objects, object_key, record.encode()?);
        plan.batch.put(
            Cf::DocIds,
            keys::doc_key(self.prefix, slot.doc),
            obj.id.as_bytes().to_vec(),
        );
        for name in self.targets.keys() {
            let key = keys::vector_key(self.prefix, name, slot.doc);
            let vector = obj.vectors.get(name);
            match vector {
                Some(v) => plan.batch.put(Cf::Vectors, key, keys::encode_vector(v)),
                None => plan.batch.delete(Cf::Vectors, key),
            }
            self.stage_index_op(name, slot.doc, vector.cloned(), plan);
        }
        if slot.is_new && !plan.slots.contains_key(&obj.id) {
            plan.new_objects += 1;
        }
        plan.slots.insert(obj.id, slot);
        Ok(())
    }

    /// Records the object's new live version; the version before the batch stays the old one
    /// however often the batch writes the object.
    fn stage_version(&self, id: &Uuid, updated_ms: i64, plan: &mut BatchPlan) {
        let new = Version::Live { updated_ms };
        let token = types::token(id);
        new.stage(&mut plan.batch, self.prefix, id, token);
        let old = plan
            .prior_versions
            .get(plan.objects_seen)
            .copied()
            .flatten();
        plan.versions
            .entry(*id)
            .and_modify(|c| c.new = new)
            .or_insert(VersionChange { token, old, new });
    }

    /// Replaces the object's postings: the stored version's (or an earlier write's in this
    /// batch) are deleted, the new ones written.
    fn stage_postings(&self, id: &Uuid, record: &Record, plan: &mut BatchPlan) {
        let new = self.inverted.postings(record.doc, &record.input(id));
        let old = plan.postings.insert(*id, new.clone()).unwrap_or_default();
        let kept: HashSet<&[u8]> = new.iter().map(|p| p.key.as_slice()).collect();
        for p in old.iter().filter(|p| !kept.contains(p.key.as_slice())) {
            plan.batch
                .delete(Cf::Postings, keys::shard_key(self.prefix, &p.key));
        }
        for p in &new {
            let key = keys::shard_key(self.prefix, &p.key);
            plan.batch.put(Cf::Postings, key, p.value.clone());
        }
        plan.inverted_ops.push((record.doc, old, new));
    }

    /// Records the index change, and logs it for targets whose index is snapshotted.
    fn stage_index_op(
        &self,
        target: &str,
        doc: DocId,
        vector: Option<Vec<f32>>,
        plan: &mut BatchPlan,
    ) {
        let Some(t) = self.targets.get(target) else {
            return;
        };
        if t.spec.read().kind.is_logged() {
            let seq = plan.next_seq;
            plan.next_seq += 1;
            plan.batch.put(
                Cf::IndexLog,
                keys::log_key(self.prefix, target, seq),
                doc.to_be_bytes().to_vec(),
            );
            *plan.logged.entry(target.to_string()).or_default() += 1;
        }
        // A later change of the same doc in one batch replaces the earlier one.
        plan.index_ops.insert((target.to_string(), doc), vector);
    }

    fn commit(&self, writer: &mut WriterState, mut plan: BatchPlan) -> Result<()> {
        let count = (self.object_count() + plan.new_objects).saturating_sub(plan.removed_objects);
        let meta = |name: &[u8]| keys::shard_key(self.prefix, name);
        plan.batch.put(
            Cf::ShardMeta,
            meta(NEXT_DOC_KEY),
            u64::from(plan.next_doc).to_be_bytes().to_vec(),
        );
        plan.batch.put(
            Cf::ShardMeta,
            meta(NEXT_SEQ_KEY),
            plan.next_seq.to_be_bytes().to_vec(),
        );
        plan.batch
            .put(Cf::ShardMeta, meta(COUNT_KEY), count.to_be_bytes().to_vec());
        self.store.write(plan.batch)?;
        writer.next_doc = plan.next_doc;
        writer.next_seq = plan.next_seq;
        if let Some(tree) = &mut writer.tree {
            for (id, change) in &plan.versions {
                tree.replace(id, change.token, change.old, change.new);
            }
        }
        self.object_count.store(count, Ordering::Release);
        for (target, n) in plan.logged {
            if let Some(t) = self.targets.get(&target) {
                t.unsnapshotted.fetch_add(n, Ordering::Relaxed);
            }
        }
        for (doc, old, new) in &plan.inverted_ops {
            self.inverted.apply(*doc, old, new);
        }
        self.apply_index_ops(plan.index_ops)
    }

    /// Brings the indexes in line with what was just stored, or queues the changes for the
    /// indexer with asynchronous indexing or while the target recovers. Dimensions were checked under the writer lock, so
    /// inserts cannot fail on them; were one to fail anyway, the index would lag the store only
    /// until the next open, which queues the logged changes again.
    fn apply_index_ops(&self, ops: BTreeMap<(String, DocId), Option<Vec<f32>>>) -> Result<()> {
        let mut inserts: BTreeMap<String, Vec<(DocId, Vec<f32>)>> = BTreeMap::new();
        let mut queued = false;
        for ((name, doc), vector) in ops {
            let Some(target) = self.targets.get(&name) else {
                continue;
            };
            if let Some(queue) = target.active_queue() {
                let in_graph = target.index().is_some_and(|i| i.contains(doc));
                queue.push(doc, vector, in_graph)?;
                queued = true;
                continue;
            }
            let Some(index) = target.index() else {
                continue;
            };
            match vector {
                Some(v) => inserts.entry(name).or_default().push((doc, v)),
                None => {
                    if index.remove(doc) {
                        target.ops.deleted(1);
                    }
                }
            }
        }
        for (name, items) in inserts {
            let Some(target) = self.targets.get(&name) else {
                continue;
            };
            if let Some(index) = target.index() {
                index.insert_batch(&items)?;
                target.ops.created(items.len());
            }
        }
        if queued {
            self.wake_indexer();
        }
        Ok(())
    }
}

/// Everything a batch will write, built before the store write.
struct BatchPlan {
    batch: WriteBatch,
    next_doc: DocId,
    next_seq: u64,
    slots: HashMap<Uuid, Slot>,
    dims: HashMap<String, usize>,
    index_ops: BTreeMap<(String, DocId), Option<Vec<f32>>>,
    /// The latest postings of every object this batch writes, to diff a later write of the same
    /// object against.
    postings: HashMap<Uuid, Vec<Posting>>,
    /// Inverted-index changes in write order: (doc, old postings, new postings).
    inverted_ops: Vec<(DocId, Vec<Posting>, Vec<Posting>)>,
    /// Index-log entries per target.
    logged: BTreeMap<String, u64>,
    /// Versions before the batch of the objects of a put, in input order (empty when no hash
    /// tree needs them), and how many inputs were planned so far.
    prior_versions: Vec<Option<Version>>,
    objects_seen: usize,
    versions: HashMap<Uuid, VersionChange>,
    new_objects: u64,
    removed_objects: u64,
}

impl BatchPlan {
    fn new(writer: &WriterState) -> Self {
        BatchPlan {
            batch: WriteBatch::new(),
            next_doc: writer.next_doc,
            next_seq: writer.next_seq,
            slots: HashMap::new(),
            dims: HashMap::new(),
            index_ops: BTreeMap::new(),
            postings: HashMap::new(),
            inverted_ops: Vec::new(),
            logged: BTreeMap::new(),
            prior_versions: Vec::new(),
            objects_seen: 0,
            versions: HashMap::new(),
            new_objects: 0,
            removed_objects: 0,
        }
    }

    fn allocate(&mut self) -> Option<DocId> {
        let doc = self.next_doc;
        self.next_doc = doc.checked_add(1)?;
        Some(doc)
    }
}

/// Milliseconds since the Unix epoch by this node's clock.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
