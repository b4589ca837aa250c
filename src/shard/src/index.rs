//! Opening a target's vector index: rebuilt from the stored vectors (flat), or restored from its
//! snapshot (hnsw), falling back to a full rebuild when the snapshot is missing or unreadable.
//! The changes logged since the snapshot are handed back, not replayed: the shard queues them
//! for its indexer and opens at once. The object store stays the source of truth either way.
//!
//! A compressed target is built with its compression and the store as its vector loader, so
//! the index keeps codes and reads full vectors back only to rescore; a snapshot written
//! compressed restores its codes without encoding again.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use storage::{keys, Cf, KvStore};
use types::schema::Distance;
use types::DocId;
use vector_index::{Compression, HnswIndex, HnswParams, VectorCache, VectorIndex};

use crate::{snapshot, Error, Result};

/// How a target's vectors are indexed.
#[derive(Debug, Clone)]
pub enum IndexKind {
    /// Exact search over every vector.
    Flat,
    /// A graph index; its changes go through the index log so it can be snapshotted.
    Hnsw(HnswParams),
    /// Exact until the target holds `threshold` vectors, then a graph built in the background
    /// while reads and writes continue. Logged from the start, so the graph catches up with
    /// what was written during its build. The exact phase compresses with `exact` (the
    /// `flat` block's bq or rq), the graph with the target's compression.
    Dynamic {
        threshold: usize,
        hnsw: HnswParams,
        exact: Compression,
    },
    /// `vectorIndexConfig.skip`: vectors are stored but not indexed.
    Skip,
}

impl IndexKind {
    /// True when changes to this target are recorded in the index log.
    pub(crate) fn is_logged(&self) -> bool {
        matches!(self, IndexKind::Hnsw(_) | IndexKind::Dynamic { .. })
    }

    /// The graph parameters, for kinds that are or may become a graph.
    pub(crate) fn hnsw_params(&self) -> Option<&HnswParams> {
        match self {
            IndexKind::Hnsw(p) | IndexKind::Dynamic { hnsw: p, .. } => Some(p),
            IndexKind::Flat | IndexKind::Skip => None,
        }
    }
}

/// A target's index as opened, with the number of log entries not yet in its snapshot and
/// the changes the index does not reflect yet (the caller applies or queues them).
pub(crate) struct Opened {
    pub index: Option<VectorIndex>,
    pub unsnapshotted: u64,
    pub stale: Vec<(DocId, Option<Vec<f32>>)>,
}

/// `vectorCacheMaxObjects` when a class does not set it: Weaviate's default, which binds
/// nothing (every vector stays in memory).
pub const DEFAULT_VECTOR_CACHE_MAX_OBJECTS: u64 = 1_000_000_000_000;

/// A graph target's vector cache: at most `max` vectors in memory, the others read from the
/// target's stored vectors. A store error reads as a missing vector (the index then skips the
/// node for that operation) and is logged.
pub(crate) fn vector_cache(
    store: &Arc<dyn KvStore>,
    prefix: u64,
    target: &str,
    max: u64,
) -> VectorCache {
    let (store, target) = (store.clone(), target.to_string());
    let loader = move |doc| match load_vector(&*store, prefix, &target, doc) {
        Ok(vector) => vector,
        Err(e) => {
            tracing::warn!(target = %target, doc, error = %e, "reading a vector for the index failed");
            None
        }
    };
    VectorCache {
        max_objects: usize::try_from(max).unwrap_or(usize::MAX),
        loader: Arc::new(loader),
    }
}

/// What a target's index is built from: its metric, the compression it asks for (for a
/// dynamic target, that of its graph) and the vectors it may keep in memory.
pub(crate) struct Build<'a> {
    pub target: &'a str,
    pub distance: Distance,
    pub compression: Compression,
    pub cache: VectorCache,
}

/// Opens the index of one target of the shard at `prefix`; a graph keeps at most `cache_max`
/// vectors in memory.
pub(crate) fn open(
    store: &Arc<dyn KvStore>,
    prefix: u64,
    spec: &crate::TargetSpec,
    index_dir: Option<&Path>,
    cache_max: u64,
) -> Result<Opened> {
    let (target, distance) = (spec.name.as_str(), spec.distance);
    let build = Build {
        target,
        distance,
        compression: spec.compression,
        cache: vector_cache(store, prefix, target, cache_max),
    };
    let store = &**store;
    match &spec.kind {
        IndexKind::Skip => Ok(Opened {
            index: None,
            unsnapshotted: 0,
            stale: Vec::new(),
        }),
        IndexKind::Flat => open_flat(store, prefix, &build),
        IndexKind::Hnsw(params) => open_hnsw(store, prefix, &build, params, index_dir),
        IndexKind::Dynamic {
            threshold,
            hnsw,
            exact,
        } => {
            let has_graph = index_dir.is_some_and(|d| snapshot::path(d, prefix, target).exists());
            if has_graph || count_vectors(store, prefix, target, *threshold)? >= *threshold {
                return open_hnsw(store, prefix, &build, hnsw, index_dir);
            }
            let exact = Build {
                compression: *exact,
                ..build
            };
            let mut opened = open_flat(store, prefix, &exact)?;
            opened.unsnapshotted = count_log(store, prefix, target)?;
            Ok(opened)
        }
    }
}

fn open_flat(store: &dyn KvStore, prefix: u64, build: &Build) -> Result<Opened> {
    let (target, distance) = (build.target, build.distance);
    let index = if build.compression.is_none() {
        VectorIndex::flat(distance)
    } else {
        let loader = Some(build.cache.loader.clone());
        VectorIndex::flat_compressed(distance, build.compression, loader)?
    };
    for_each_vector(store, prefix, target, &mut |doc, v| {
        index.insert(doc, v).map_err(Error::from)
    })?;
    Ok(Opened {
        index: Some(index),
        unsnapshotted: 0,
        stale: Vec::new(),
    })
}

/// Stored vectors of a target, counting no further than `up_to`.
fn count_vectors(store: &dyn KvStore, prefix: u64, target: &str, up_to: usize) -> Result<usize> {
    let mut n = 0;
    store.for_each_prefix(
        Cf::Vectors,
        &keys::vector_prefix(prefix, target),
        &mut |_, _| {
            n += 1;
            n < up_to
        },
    )?;
    Ok(n)
}

fn count_log(store: &dyn KvStore, prefix: u64, target: &str) -> Result<u64> {
    let mut n = 0;
    store.for_each_prefix(
        Cf::IndexLog,
        &keys::log_prefix(prefix, target),
        &mut |_, _| {
            n += 1;
            true
        },
    )?;
    Ok(n)
}

fn open_hnsw(
    store: &dyn KvStore,
    prefix: u64,
    build: &Build,
    params: &HnswParams,
    index_dir: Option<&Path>,
) -> Result<Opened> {
    let target = build.target;
    let started = std::time::Instant::now();
    let restored = match index_dir {
        Some(dir) => restore(store, prefix, build, params, dir)?,
        None => None,
    };
    let restored_ms = started.elapsed().as_millis() as u64;
    let (index, covered, mut stale) = match restored {
        Some(r) => r,
        None => (
            rebuild(store, prefix, build, params)?,
            u64::MAX,
            BTreeSet::new(),
        ),
    };
    let mut unsnapshotted = 0;
    store.for_each_prefix(
        Cf::IndexLog,
        &keys::log_prefix(prefix, target),
        &mut |k, v| {
            unsnapshotted += 1;
            if let (Some(seq), Some(doc)) = (log_seq(k), doc_of(v)) {
                // A rebuild already reflects every logged change.
                if covered != u64::MAX && seq >= covered {
                    stale.insert(doc);
                }
            }
            true
        },
    )?;
    let stale = load_vectors(store, prefix, target, stale)?;
    tracing::info!(
        vector = target,
        nodes = index.len(),
        compressed = index.is_compressed(),
        restored_ms,
        log_entries = unsnapshotted,
        queued = stale.len(),
        total_ms = started.elapsed().as_millis() as u64,
        "graph index opened"
    );
    Ok(Opened {
        index: Some(VectorIndex::Hnsw(index)),
        unsnapshotted,
        stale,
    })
}

/// The stored vectors of `docs` (`None` for a doc without one), read in chunks.
fn load_vectors(
    store: &dyn KvStore,
    prefix: u64,
    target: &str,
    docs: BTreeSet<DocId>,
) -> Result<Vec<(DocId, Option<Vec<f32>>)>> {
    let docs: Vec<DocId> = docs.into_iter().collect();
    let mut out = Vec::with_capacity(docs.len());
    for chunk in docs.chunks(LOAD_CHUNK) {
        let keys: Vec<Vec<u8>> = chunk
            .iter()
            .map(|d| keys::vector_key(prefix, target, *d))
            .collect();
        for (doc, bytes) in chunk.iter().zip(store.multi_get(Cf::Vectors, &keys)?) {
            let vector = bytes
                .map(|b| keys::decode_vector(&b))
                .map(|v| v.ok_or_else(|| Error::Corrupt("vector of odd length".into())))
                .transpose()?;
            out.push((*doc, vector));
        }
    }
    Ok(out)
}

/// Vectors read from the store per multi-get when the log tail is loaded.
const LOAD_CHUNK: usize = 4_096;

/// The snapshot's index, the log position it covers, and the docs it lacks. An uncapped
/// index has the stored vectors read on another thread while the graph is parsed (it holds
/// them all anyway); a capped one streams them, so it never holds more than its cap. A target
/// asking for compression restores the codes of a compressed snapshot and keeps no full
/// vectors; an uncompressed snapshot restores uncompressed, for the shard to compress.
fn restore(
    store: &dyn KvStore,
    prefix: u64,
    build: &Build,
    params: &HnswParams,
    dir: &Path,
) -> Result<Option<(HnswIndex, u64, BTreeSet<DocId>)>> {
    let (target, distance, cache) = (build.target, build.distance, build.cache.clone());
    let prefetch = cache.max_objects as u64 >= DEFAULT_VECTOR_CACHE_MAX_OBJECTS;
    let Some((covered, mut reader)) = snapshot::open(dir, prefix, target)? else {
        return Ok(None);
    };
    let started = std::time::Instant::now();
    let mut failure = None;
    let restored = std::thread::scope(|scope| {
        let mut prefetched =
            prefetch.then(|| scope.spawn(|| StoredVectors::read(store, prefix, target)));
        let mut feed = |sink: &mut dyn FnMut(DocId, &[f32])| {
            let graph_ms = started.elapsed().as_millis() as u64;
            let streamed = match prefetched.take().map(|h| h.join()) {
                Some(Ok(Ok(vectors))) => {
                    vectors.feed(sink);
                    Ok(())
                }
                Some(Ok(Err(e))) => Err(e),
                Some(Err(_)) => Err(Error::Corrupt("reading the stored vectors failed".into())),
                None => for_each_vector(store, prefix, target, &mut |doc, v| {
                    sink(doc, v);
                    Ok(())
                }),
            };
            tracing::debug!(
                vector = target,
                graph_ms,
                vectors_ms = started.elapsed().as_millis() as u64,
                "snapshot read"
            );
            if let Err(e) = streamed {
                failure = Some(e);
            }
        };
        if build.compression.is_none() {
            return HnswIndex::read_graph_with_cache(
                distance,
                *params,
                cache,
                &mut reader,
                &mut feed,
            );
        }
        let loader = cache.loader.clone();
        let read =
            HnswIndex::read_graph_compressed(distance, *params, loader, &mut reader, &mut feed);
        if let Ok((index, _)) = &read {
            if !index.is_compressed() {
                index.set_vector_cache(cache);
            }
        }
        read
    });
    if let Some(e) = failure {
        return Err(e);
    }
    match restored {
        Ok((index, missing)) => Ok(Some((index, covered, missing.into_iter().collect()))),
        Err(e) => {
            tracing::warn!(target, error = %e, "index snapshot unreadable; rebuilding from the object store");
            Ok(None)
        }
    }
}

/// Every stored vector of a target, read in one pass into one buffer.
struct StoredVectors {
    /// (doc, length) per vector, in doc order.
    docs: Vec<(DocId, u32)>,
    values: Vec<f32>,
}

impl StoredVectors {
    fn read(store: &dyn KvStore, prefix: u64, target: &str) -> Result<StoredVectors> {
        let mut out = StoredVectors {
            docs: Vec::new(),
            values: Vec::new(),
        };
        let mut failure = None;
        store.for_each_prefix(
            Cf::Vectors,
            &keys::vector_prefix(prefix, target),
            &mut |k, v| match (keys::doc_from_key(k), v.len() % 4) {
                (Some(doc), 0) => {
                    out.docs.push((doc, (v.len() / 4) as u32));
                    let values = v
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes(c.try_into().unwrap_or_default()));
                    out.values.extend(values);
                    true
                }
                _ => {
                    failure = Some(Error::Corrupt("undecodable vector entry".into()));
                    false
                }
            },
        )?;
        failure.map_or(Ok(out), Err)
    }

    fn feed(&self, sink: &mut dyn FnMut(DocId, &[f32])) {
        let mut at = 0;
        for &(doc, len) in &self.docs {
            let end = at + len as usize;
            sink(doc, &self.values[at..end]);
            at = end;
        }
    }
}

/// Builds the graph from every stored vector, using all cores, compressed as `build` asks
/// (BQ and RQ from the first vector, PQ and SQ once the shard trains them).
pub(crate) fn rebuild(
    store: &dyn KvStore,
    prefix: u64,
    build: &Build,
    params: &HnswParams,
) -> Result<HnswIndex> {
    let (target, distance, cache) = (build.target, build.distance, build.cache.clone());
    let index = if build.compression.is_none() {
        HnswIndex::with_vector_cache(distance, *params, cache)
    } else {
        let loader = Some(cache.loader.clone());
        let index = HnswIndex::with_compression(distance, *params, build.compression, loader)?;
        index.set_vector_cache(cache);
        index
    };
    let mut chunk: Vec<(DocId, Vec<f32>)> = Vec::with_capacity(REBUILD_CHUNK);
    for_each_vector(store, prefix, target, &mut |doc, v| {
        chunk.push((doc, v.to_vec()));
        if chunk.len() == REBUILD_CHUNK {
            index.insert_batch(&chunk)?;
            chunk.clear();
        }
        Ok(())
    })?;
    index.insert_batch(&chunk)?;
    Ok(index)
}

/// Vectors handed to a parallel insert at once during a rebuild: large enough to keep every
/// core busy, small enough not to copy the whole shard into memory twice.
const REBUILD_CHUNK: usize = 50_000;

/// Calls `f` with every stored vector of a target, in doc-id order.
pub(crate) fn for_each_vector(
    store: &dyn KvStore,
    prefix: u64,
    target: &str,
    f: &mut dyn FnMut(DocId, &[f32]) -> Result<()>,
) -> Result<()> {
    let mut failure = None;
    store.for_each_prefix(
        Cf::Vectors,
        &keys::vector_prefix(prefix, target),
        &mut |k, v| {
            let outcome = match (keys::doc_from_key(k), keys::decode_vector(v)) {
                (Some(doc), Some(vec)) => f(doc, &vec),
                _ => Err(Error::Corrupt("undecodable vector entry".into())),
            };
            match outcome {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        },
    )?;
    failure.map_or(Ok(()), Err)
}

/// The stored vector of one doc of a target.
pub(crate) fn load_vector(
    store: &dyn KvStore,
    prefix: u64,
    target: &str,
    doc: DocId,
) -> Result<Option<Vec<f32>>> {
    match store.get(Cf::Vectors, &keys::vector_key(prefix, target, doc))? {
        None => Ok(None),
        Some(bytes) => keys::decode_vector(&bytes)
            .map(Some)
            .ok_or_else(|| Error::Corrupt("vector of odd length".into())),
    }
}

/// Docs changed at or after log position `from`, in log order, without repeats.
pub(crate) fn logged_since(
    store: &dyn KvStore,
    prefix: u64,
    target: &str,
    from: u64,
) -> Result<Vec<DocId>> {
    let mut seen = BTreeSet::new();
    let mut docs = Vec::new();
    store.for_each_prefix(
        Cf::IndexLog,
        &keys::log_prefix(prefix, target),
        &mut |k, v| {
            if let (Some(seq), Some(doc)) = (log_seq(k), doc_of(v)) {
                if seq >= from && seen.insert(doc) {
                    docs.push(doc);
                }
            }
            true
        },
    )?;
    Ok(docs)
}

fn log_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

fn doc_of(value: &[u8]) -> Option<DocId> {
    Some(u32::from_be_bytes(value.try_into().ok()?))
}
