//! Writes: every call is one atomic store batch, then the in-memory indexes follow.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use storage::{keys, Cf, WriteBatch};
use types::{DocId, Object};
use uuid::Uuid;

use super::{Shard, ShardStatus, WriterState, COUNT_KEY, NEXT_DOC_KEY};
use crate::record::Record;
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

impl Shard {
    /// Writes `objects` in one atomic batch. Each object is checked on its own; refused ones are
    /// reported and the rest are written. An existing object keeps its doc id and creation time.
    /// A store failure fails the whole call and leaves nothing written.
    pub fn put_batch(&self, objects: Vec<Object>, mode: PutMode) -> Result<Vec<PutResult>> {
        if self.status() == ShardStatus::ReadOnly {
            return Err(Error::ReadOnly {
                shard: self.name.clone(),
            });
        }
        let mut writer = self.write_lock.lock();
        let existing = self.existing_slots(&objects)?;
        let mut plan = BatchPlan::new(writer.next_doc);
        let mut results = Vec::with_capacity(objects.len());
        for (obj, prior) in objects.into_iter().zip(existing) {
            results.push(self.plan_one(obj, prior, mode, &mut plan));
        }
        self.commit(&mut writer, plan, &results)?;
        Ok(results)
    }

    /// Deletes an object; `false` if it did not exist.
    pub fn delete(&self, id: &Uuid) -> Result<bool> {
        if self.status() == ShardStatus::ReadOnly {
            return Err(Error::ReadOnly {
                shard: self.name.clone(),
            });
        }
        let writer = self.write_lock.lock();
        let key = keys::shard_key(self.prefix, id.as_bytes());
        let Some(bytes) = self.store.get(Cf::Objects, &key)? else {
            return Ok(false);
        };
        let doc = Record::doc_of(&bytes)?;
        let mut batch = WriteBatch::new();
        batch.delete(Cf::Objects, key);
        batch.delete(Cf::DocIds, keys::doc_key(self.prefix, doc));
        for name in self.targets.keys() {
            batch.delete(Cf::Vectors, keys::vector_key(self.prefix, name, doc));
        }
        let count = self.object_count().saturating_sub(1);
        batch.put(
            Cf::ShardMeta,
            keys::shard_key(self.prefix, COUNT_KEY),
            count.to_be_bytes().to_vec(),
        );
        self.store.write(batch)?;
        for target in self.targets.values() {
            if let Some(index) = &target.index {
                index.remove(doc);
            }
        }
        self.object_count.store(count, Ordering::Release);
        drop(writer);
        Ok(true)
    }

    fn existing_slots(&self, objects: &[Object]) -> Result<Vec<Option<Slot>>> {
        let keys: Vec<Vec<u8>> = objects
            .iter()
            .map(|o| keys::shard_key(self.prefix, o.id.as_bytes()))
            .collect();
        self.store
            .multi_get(Cf::Objects, &keys)?
            .into_iter()
            .map(|found| {
                found
                    .map(|bytes| {
                        let r = Record::decode(&bytes)?;
                        Ok(Slot {
                            doc: r.doc,
                            creation_ms: r.creation_ms,
                            is_new: false,
                        })
                    })
                    .transpose()
            })
            .collect()
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
            let Some(index) = &target.index else { continue };
            let staged = plan.dims.get(name).copied();
            match staged {
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
        plan.batch.put(
            Cf::Objects,
            keys::shard_key(self.prefix, obj.id.as_bytes()),
            record.encode()?,
        );
        plan.batch.put(
            Cf::DocIds,
            keys::doc_key(self.prefix, slot.doc),
            obj.id.as_bytes().to_vec(),
        );
        for name in self.targets.keys() {
            let key = keys::vector_key(self.prefix, name, slot.doc);
            match obj.vectors.get(name) {
                Some(v) => plan.batch.put(Cf::Vectors, key, keys::encode_vector(v)),
                None => plan.batch.delete(Cf::Vectors, key),
            }
            plan.index_ops
                .push((name.clone(), slot.doc, obj.vectors.get(name).cloned()));
        }
        if slot.is_new && !plan.slots.contains_key(&obj.id) {
            plan.new_objects += 1;
        }
        plan.slots.insert(obj.id, slot);
        Ok(())
    }

    fn commit(
        &self,
        writer: &mut WriterState,
        mut plan: BatchPlan,
        results: &[PutResult],
    ) -> Result<()> {
        if results.iter().all(|r| r.is_err()) {
            return Ok(());
        }
        let count = self.object_count() + plan.new_objects;
        let meta = |name: &[u8]| keys::shard_key(self.prefix, name);
        plan.batch.put(
            Cf::ShardMeta,
            meta(NEXT_DOC_KEY),
            u64::from(plan.next_doc).to_be_bytes().to_vec(),
        );
        plan.batch
            .put(Cf::ShardMeta, meta(COUNT_KEY), count.to_be_bytes().to_vec());
        self.store.write(plan.batch)?;
        writer.next_doc = plan.next_doc;
        for (name, doc, vector) in plan.index_ops {
            let Some(index) = self.targets.get(&name).and_then(|t| t.index.as_ref()) else {
                continue;
            };
            match vector {
                // Dimensions were checked under the writer lock, so the insert cannot fail on
                // them; anything else would leave the index behind the store until restart.
                Some(v) => index.insert(doc, &v)?,
                None => {
                    index.remove(doc);
                }
            }
        }
        self.object_count.store(count, Ordering::Release);
        Ok(())
    }
}

/// Everything a batch will write, built before the store write.
struct BatchPlan {
    batch: WriteBatch,
    next_doc: DocId,
    slots: HashMap<Uuid, Slot>,
    dims: HashMap<String, usize>,
    index_ops: Vec<(String, DocId, Option<Vec<f32>>)>,
    new_objects: u64,
}

impl BatchPlan {
    fn new(next_doc: DocId) -> Self {
        BatchPlan {
            batch: WriteBatch::new(),
            next_doc,
            slots: HashMap::new(),
            dims: HashMap::new(),
            index_ops: Vec::new(),
            new_objects: 0,
        }
    }

    fn allocate(&mut self) -> Option<DocId> {
        let doc = self.next_doc;
        self.next_doc = doc.checked_add(1)?;
        Some(doc)
    }
}
