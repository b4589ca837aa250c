//! Reads: objects by id, listings in uuid order, vector searches hydrated into objects.

use roaring::RoaringBitmap;
use storage::{keys, Cf};
use types::{DocId, Object, Vectors};
use uuid::Uuid;

use super::Shard;
use crate::record::Record;
use crate::{Error, Result};

/// A vector search result.
#[derive(Debug, Clone)]
pub struct VectorHit {
    pub object: Object,
    pub distance: f32,
}

impl Shard {
    /// The object with `id`, with its vectors if asked.
    pub fn get(&self, id: &Uuid, with_vectors: bool) -> Result<Option<Object>> {
        let key = keys::shard_key(self.prefix, id.as_bytes());
        match self.store.get(Cf::Objects, &key)? {
            None => Ok(None),
            Some(bytes) => self.to_object(*id, &bytes, with_vectors).map(Some),
        }
    }

    /// True if an object with `id` exists.
    pub fn exists(&self, id: &Uuid) -> Result<bool> {
        Ok(self
            .store
            .get(Cf::Objects, &keys::shard_key(self.prefix, id.as_bytes()))?
            .is_some())
    }

    /// Up to `limit` objects with a uuid greater than `after` (all when `None`), ascending.
    pub fn list(
        &self,
        after: Option<&Uuid>,
        limit: usize,
        with_vectors: bool,
    ) -> Result<Vec<Object>> {
        let prefix = keys::shard_prefix(self.prefix);
        let start = after
            .map(|a| keys::shard_key(self.prefix, a.as_bytes()))
            .unwrap_or_default();
        // One more than asked: the cursor itself may be the first key.
        let rows = self
            .store
            .scan_prefix(Cf::Objects, &prefix, &start, limit.saturating_add(1))?;
        let mut out = Vec::with_capacity(limit.min(rows.len()));
        for (key, value) in rows {
            let id = uuid_from_key(&key)?;
            if after == Some(&id) {
                continue;
            }
            if out.len() == limit {
                break;
            }
            out.push(self.to_object(id, &value, with_vectors)?);
        }
        Ok(out)
    }

    /// The vector of `target` of the object `id`, if both exist.
    pub fn vector_of(&self, id: &Uuid, target: &str) -> Result<Option<Vec<f32>>> {
        let Some(bytes) = self
            .store
            .get(Cf::Objects, &keys::shard_key(self.prefix, id.as_bytes()))?
        else {
            return Ok(None);
        };
        let doc = Record::doc_of(&bytes)?;
        self.load_vector(target, doc)
    }

    /// The `k` nearest objects to `query` on `target`, or, with `max_distance`, every object
    /// within it (at most `k`), ascending by distance.
    pub fn vector_search(
        &self,
        target: &str,
        query: &[f32],
        k: usize,
        max_distance: Option<f32>,
        with_vectors: bool,
    ) -> Result<Vec<VectorHit>> {
        self.filtered_vector_search(target, query, k, max_distance, None, with_vectors)
    }

    /// [`Shard::vector_search`] restricted to the docs in `allow`.
    pub fn filtered_vector_search(
        &self,
        target: &str,
        query: &[f32],
        k: usize,
        max_distance: Option<f32>,
        allow: Option<&RoaringBitmap>,
        with_vectors: bool,
    ) -> Result<Vec<VectorHit>> {
        let t = self.target(target)?;
        let index = t.index().ok_or_else(|| Error::IndexSkipped {
            target: target.to_string(),
        })?;
        let Some(queue) = t.active_queue() else {
            let found = search_index(&index, query, k, max_distance, allow)?;
            return self.hydrate(&found, with_vectors);
        };
        // Graph entries of docs with a pending change are stale: ask for enough extra results
        // to drop them, and add the pending vectors' exact matches.
        let wanted = k.saturating_add(queue.masked());
        let mut found: Vec<(DocId, f32)> =
            search_index(&index, query, wanted, max_distance, allow)?
                .into_iter()
                .filter(|(doc, _)| !queue.masks(*doc))
                .collect();
        let pending = queue.search(query, k, max_distance)?;
        found.extend(
            pending
                .into_iter()
                .filter(|(d, _)| allow.is_none_or(|a| a.contains(*d))),
        );
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found.truncate(k);
        self.hydrate(&found, with_vectors)
    }

    /// Turns (doc id, distance) pairs into objects, skipping docs deleted since the search.
    fn hydrate(&self, found: &[(DocId, f32)], with_vectors: bool) -> Result<Vec<VectorHit>> {
        let doc_keys: Vec<Vec<u8>> = found
            .iter()
            .map(|(d, _)| keys::doc_key(self.prefix, *d))
            .collect();
        let ids = self.store.multi_get(Cf::DocIds, &doc_keys)?;
        let mut uuids = Vec::with_capacity(found.len());
        for ((_, dist), id) in found.iter().zip(ids) {
            if let Some(bytes) = id {
                uuids.push((uuid_from_bytes(&bytes)?, *dist));
            }
        }
        let obj_keys: Vec<Vec<u8>> = uuids
            .iter()
            .map(|(u, _)| keys::shard_key(self.prefix, u.as_bytes()))
            .collect();
        let records = self.store.multi_get(Cf::Objects, &obj_keys)?;
        let mut hits = Vec::with_capacity(uuids.len());
        for ((id, distance), record) in uuids.into_iter().zip(records) {
            if let Some(bytes) = record {
                hits.push(VectorHit {
                    object: self.to_object(id, &bytes, with_vectors)?,
                    distance,
                });
            }
        }
        Ok(hits)
    }

    fn to_object(&self, id: Uuid, bytes: &[u8], with_vectors: bool) -> Result<Object> {
        let record = Record::decode(bytes)?;
        let vectors = if with_vectors {
            self.load_vectors(record.doc)?
        } else {
            Vectors::new()
        };
        Ok(Object {
            id,
            class: self.class.clone(),
            tenant: self.tenant.clone(),
            properties: record.properties,
            vectors,
            creation_time_ms: record.creation_ms,
            last_update_time_ms: record.update_ms,
        })
    }

    fn load_vectors(&self, doc: DocId) -> Result<Vectors> {
        let mut out = Vectors::new();
        for name in self.targets.keys() {
            if let Some(v) = self.load_vector(name, doc)? {
                out.insert(name.clone(), v);
            }
        }
        Ok(out)
    }

    fn load_vector(&self, target: &str, doc: DocId) -> Result<Option<Vec<f32>>> {
        crate::index::load_vector(&*self.store, self.prefix, target, doc)
    }
}

fn search_index(
    index: &vector_index::VectorIndex,
    query: &[f32],
    k: usize,
    max_distance: Option<f32>,
    allow: Option<&RoaringBitmap>,
) -> Result<Vec<(DocId, f32)>> {
    Ok(match max_distance {
        Some(max) => index.search_within(query, max, k, allow)?,
        None => index.search(query, k, allow)?,
    })
}

pub(super) fn uuid_from_key(key: &[u8]) -> Result<Uuid> {
    uuid_from_bytes(key.get(keys::SHARD_PREFIX_LEN..).unwrap_or_default())
}

fn uuid_from_bytes(bytes: &[u8]) -> Result<Uuid> {
    Uuid::from_slice(bytes).map_err(|e| Error::Corrupt(format!("bad uuid: {e}")))
}
