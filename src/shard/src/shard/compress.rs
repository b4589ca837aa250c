//! Compressing a target's index in the background while the shard serves: when a class update
//! enables a method, and from maintenance when a pending PQ/SQ has its `trainingLimit` of
//! vectors (or an index restored from an uncompressed snapshot has what it needs). One thread
//! per target at a time; searches and writes go on meanwhile (the engine compresses in
//! place). Full vectors stay in the store, from which the index reads them to rescore.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use vector_index::{Compression, CompressionState, VectorIndex};

use super::{IndexKind, Shard, Target};
use crate::index;

/// The background compression of one target.
#[derive(Default)]
pub(super) struct CompressionTask {
    /// Set while a thread compresses the index.
    running: Arc<AtomicBool>,
    /// Why the last compression failed; maintenance does not retry until the class changes.
    failed: Arc<Mutex<Option<String>>>,
}

/// When a compression is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// A class update enabled it: compress what is there now.
    Enabled,
    /// Maintenance: only once the index holds enough vectors to train on.
    Due,
}

impl Shard {
    /// Whether some target's index searches on compressed codes.
    pub fn is_compressed(&self) -> bool {
        self.targets
            .values()
            .filter_map(|t| t.index())
            .any(|i| i.is_compressed())
    }

    /// Where `target`'s index stands with compression; `None` if skipped or unknown.
    pub fn compression_state(&self, target: &str) -> Option<CompressionState> {
        Some(self.targets.get(target)?.index()?.compression_state())
    }

    /// Whether a compression is running in the background.
    pub fn is_compressing(&self) -> bool {
        self.targets
            .values()
            .any(|t| t.compression.running.load(Ordering::Acquire))
    }

    /// Starts the compressions maintenance owes: pending PQ/SQ that have reached their
    /// `trainingLimit`, and indexes that ask for a method but are not compressed (restored
    /// from an uncompressed snapshot) once they have what it needs.
    pub(super) fn compress_due(&self) {
        for (name, target) in &self.targets {
            self.start_compression(name, target, Cause::Due);
        }
    }

    /// After a class update: a target whose compression was just enabled starts now.
    pub(super) fn compression_enabled(&self, name: &str, before: Compression) {
        let Some(target) = self.targets.get(name) else {
            return;
        };
        let wanted = target.spec.read().compression;
        if before == wanted {
            return;
        }
        *target.compression.failed.lock() = None;
        self.start_compression(name, target, Cause::Enabled);
    }

    fn start_compression(&self, name: &str, target: &Target, cause: Cause) {
        let (graph, kind) = {
            let spec = target.spec.read();
            (spec.compression, spec.kind.clone())
        };
        let Some(current) = target.index() else {
            return;
        };
        let wanted = match (&kind, &*current) {
            (IndexKind::Dynamic { exact, .. }, VectorIndex::Flat(_)) => *exact,
            _ => graph,
        };
        if !should_start(&kind, &current, wanted, cause)
            || target.compression.failed.lock().is_some()
            || target.compression.running.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let max = target.cache_max.load(Ordering::Relaxed);
        let loader = index::vector_cache(&self.store, self.prefix, name, max).loader;
        let job = Job {
            shard: self.name.clone(),
            target: name.to_string(),
            index: current,
            wanted,
            loader,
            running: target.compression.running.clone(),
            failed: target.compression.failed.clone(),
            unsnapshotted: target.unsnapshotted.clone(),
        };
        let running = target.compression.running.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("compress-{name}"))
            .spawn(move || job.run());
        if let Err(e) = spawned {
            running.store(false, Ordering::Release);
            tracing::warn!(shard = %self.name, target = name, error = %e, "cannot start compressing");
        }
    }
}

/// Whether `index` of a target of `kind` should be compressed to `wanted` now.
fn should_start(kind: &IndexKind, index: &VectorIndex, wanted: Compression, cause: Cause) -> bool {
    let engine_matches = match (kind, index) {
        (IndexKind::Flat, VectorIndex::Flat(_))
        | (IndexKind::Hnsw(_), VectorIndex::Hnsw(_))
        | (IndexKind::Dynamic { .. }, VectorIndex::Hnsw(_) | VectorIndex::Flat(_)) => true,
        // Skipped targets have no index.
        (IndexKind::Flat, VectorIndex::Hnsw(_))
        | (IndexKind::Hnsw(_), VectorIndex::Flat(_))
        | (IndexKind::Skip, VectorIndex::Flat(_) | VectorIndex::Hnsw(_)) => false,
    };
    if wanted.is_none() || !engine_matches || index.is_compressed() {
        return false;
    }
    if index.compression_due() {
        return true;
    }
    match index.compression_state() {
        // Built compressed: BQ/RQ start with the first vector, PQ/SQ when due (above).
        CompressionState::Pending(_) | CompressionState::Compressed(_) => false,
        CompressionState::Uncompressed => match cause {
            Cause::Enabled => true,
            Cause::Due => !wanted.needs_training() || index.len() >= wanted.training_limit(),
        },
    }
}

/// One compression, run on its own thread.
struct Job {
    shard: String,
    target: String,
    index: Arc<VectorIndex>,
    wanted: Compression,
    loader: vector_index::VectorLoader,
    running: Arc<AtomicBool>,
    failed: Arc<Mutex<Option<String>>>,
    unsnapshotted: Arc<AtomicU64>,
}

impl Job {
    fn run(self) {
        let started = std::time::Instant::now();
        let outcome = if self.index.compression_due() {
            self.index.compress_pending().map(|_| ())
        } else {
            self.index.compress(self.wanted, Some(self.loader.clone()))
        };
        let (shard, target) = (&self.shard, &self.target);
        match outcome {
            Ok(()) => {
                // Counts as a change, so the next snapshot carries the codes.
                self.unsnapshotted.fetch_add(1, Ordering::Relaxed);
                tracing::info!(shard = %shard, target = %target, compressed = self.index.is_compressed(), ms = started.elapsed().as_millis() as u64, "vector index compressed");
            }
            // Too few vectors yet: maintenance tries again once `trainingLimit` are in.
            Err(e) if matches!(e, vector_index::Error::NotEnoughTrainingData { .. }) => {
                tracing::info!(shard = %shard, target = %target, error = %e, "compression waits for more vectors");
            }
            Err(e) => {
                tracing::warn!(shard = %shard, target = %target, error = %e, "compressing the vector index failed");
                *self.failed.lock() = Some(e.to_string());
            }
        }
        self.running.store(false, Ordering::Release);
    }
}
