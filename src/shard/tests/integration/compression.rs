//! Compressed targets: built compressed (BQ, RQ on hnsw; BQ on flat; a dynamic target's two
//! phases) and restored from a snapshot with their codes and the same answers; PQ trained by maintenance once due; and
//! compression enabled on a populated shard in the background while searches go on.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Map;
use shoal_shard::{
    Compression, CompressionState, HnswParams, IndexKind, NodeStore, PutMode, Shard, ShardSpec,
    ShardStatus, TargetSpec,
};
use types::schema::Distance;
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;
use vector_index::{BqParams, PqParams, RqParams};

const DIM: usize = 16;

fn spec(kind: IndexKind, compression: Compression) -> ShardSpec {
    ShardSpec {
        prefix: 0,
        name: "c1".to_string(),
        class: "Compressed".to_string(),
        targets: vec![target(kind, compression)],
        status: ShardStatus::Ready,
        async_indexing: false,
        inverted: Default::default(),
    }
}

fn target(kind: IndexKind, compression: Compression) -> TargetSpec {
    TargetSpec {
        name: DEFAULT_TARGET.to_string(),
        distance: Distance::L2Squared,
        kind,
        cleanup_interval_secs: 300,
        compression,
    }
}

fn hnsw() -> IndexKind {
    IndexKind::Hnsw(HnswParams::default())
}

/// Deterministic, spread out: each vector's nearest neighbour is itself by a wide margin.
fn vector(n: u32) -> Vec<f32> {
    (0..DIM as u32)
        .map(|d| {
            let x = (n.wrapping_mul(2_654_435_761) ^ d.wrapping_mul(40_503)) % 1000;
            x as f32 / 10.0 - 50.0
        })
        .collect()
}

fn object(n: u32) -> Object {
    Object {
        id: Uuid::from_u128(n as u128),
        class: "Compressed".into(),
        tenant: None,
        properties: Map::new(),
        vectors: [(DEFAULT_TARGET.to_string(), vector(n))].into(),
        creation_time_ms: 1,
        last_update_time_ms: 1,
    }
}

fn open(dir: &Path, spec: ShardSpec) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("open store");
    let shard = store.open_shard(spec).expect("open shard");
    (store, Arc::new(shard))
}

fn fill(shard: &Shard, n: u32) {
    let results = shard
        .put_batch((0..n).map(object).collect(), PutMode::Upsert)
        .expect("write");
    assert!(results.iter().all(Result::is_ok));
}

/// The ids and distances of the 5 nearest objects to a few stored vectors.
fn answers(shard: &Shard, n: u32) -> Vec<Vec<(Uuid, f32)>> {
    (0..n)
        .step_by(37)
        .map(|q| {
            let hits = shard
                .vector_search(DEFAULT_TARGET, &vector(q), 5, None, false)
                .expect("search");
            assert_eq!(hits[0].object.id, Uuid::from_u128(q as u128), "query {q}");
            // Rescored with the full vectors from the store: the distance is exact.
            assert_eq!(hits[0].distance, 0.0, "query {q}");
            hits.iter().map(|h| (h.object.id, h.distance)).collect()
        })
        .collect()
}

/// Waits (bounded, not timed) for the background compression to finish.
fn wait_for_compression(shard: &Shard) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !shard.is_compressed() || shard.is_compressing() {
        assert!(Instant::now() < deadline, "compression did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn compressed_state(shard: &Shard) -> bool {
    matches!(
        shard.compression_state(DEFAULT_TARGET),
        Some(CompressionState::Compressed(_))
    )
}

#[test]
fn compressed_graphs_survive_a_restart_with_the_same_answers() {
    for compression in [
        Compression::Bq(BqParams::default()),
        Compression::Rq(RqParams::default()),
        Compression::Rq(RqParams::one_bit()),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let before = {
            let (_store, shard) = open(dir.path(), spec(hnsw(), compression));
            fill(&shard, 300);
            assert!(
                shard.is_compressed() && compressed_state(&shard),
                "{compression:?}"
            );
            shard.snapshot_indexes().expect("snapshot");
            answers(&shard, 300)
        };
        let (_store, shard) = open(dir.path(), spec(hnsw(), compression));
        assert!(shard.is_compressed(), "{compression:?} restored compressed");
        assert_eq!(answers(&shard, 300), before, "{compression:?}");
        // Writes after the restore are encoded too.
        fill(&shard, 320);
        let hits = shard
            .vector_search(DEFAULT_TARGET, &vector(310), 1, None, false)
            .expect("search");
        assert_eq!(hits[0].object.id, Uuid::from_u128(310));
    }
}

#[test]
fn a_flat_target_compresses_with_bq_across_restarts() {
    let bq = Compression::Bq(BqParams::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let before = {
        let (_store, shard) = open(dir.path(), spec(IndexKind::Flat, bq));
        fill(&shard, 200);
        assert!(shard.is_compressed());
        answers(&shard, 200)
    };
    let (_store, shard) = open(dir.path(), spec(IndexKind::Flat, bq));
    assert!(shard.is_compressed());
    assert_eq!(answers(&shard, 200), before);
}

/// A dynamic target compresses its exact phase with the `flat` block's method, across a
/// restart, and its graph with the target's own once the threshold is passed.
#[test]
fn a_dynamic_target_compresses_both_phases_with_their_own_methods() {
    let bq = Compression::Bq(BqParams::default());
    let rq = Compression::Rq(RqParams::default());
    let dynamic = IndexKind::Dynamic {
        threshold: 300,
        hnsw: HnswParams::default(),
        exact: bq,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let before = {
        let (_store, shard) = open(dir.path(), spec(dynamic.clone(), rq));
        fill(&shard, 200);
        assert_eq!(shard.engine_of(DEFAULT_TARGET), Some("flat"));
        assert!(matches!(
            shard.compression_state(DEFAULT_TARGET),
            Some(CompressionState::Compressed(Compression::Bq(_)))
        ));
        answers(&shard, 200)
    };
    let (_store, shard) = open(dir.path(), spec(dynamic, rq));
    assert!(matches!(
        shard.compression_state(DEFAULT_TARGET),
        Some(CompressionState::Compressed(Compression::Bq(_)))
    ));
    assert_eq!(answers(&shard, 200), before);
    let results = shard
        .put_batch((200..400).map(object).collect(), PutMode::Upsert)
        .expect("write");
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(shard.upgrade_dynamic_indexes().expect("upgrade"), 1);
    assert_eq!(shard.engine_of(DEFAULT_TARGET), Some("hnsw"));
    assert!(matches!(
        shard.compression_state(DEFAULT_TARGET),
        Some(CompressionState::Compressed(Compression::Rq(_)))
    ));
    answers(&shard, 400);
}

#[test]
fn pq_waits_for_its_training_limit_then_maintenance_trains_it() {
    let pq = Compression::Pq(PqParams {
        segments: 4,
        centroids: 16,
        training_limit: 200,
        ..PqParams::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path(), spec(hnsw(), pq));
    fill(&shard, 150);
    shard.maintain(u64::MAX).expect("maintain");
    assert!(!shard.is_compressing() && !shard.is_compressed());
    assert!(matches!(
        shard.compression_state(DEFAULT_TARGET),
        Some(CompressionState::Pending(_))
    ));
    fill(&shard, 250);
    shard.maintain(u64::MAX).expect("maintain");
    wait_for_compression(&shard);
    let before = answers(&shard, 250);
    shard.snapshot_indexes().expect("snapshot");
    drop(shard);
    drop(_store);
    let (_store, shard) = open(dir.path(), spec(hnsw(), pq));
    assert!(
        shard.is_compressed(),
        "the codebook came back with the snapshot"
    );
    assert_eq!(answers(&shard, 250), before);
}

#[test]
fn enabling_compression_on_a_populated_shard_keeps_it_serving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path(), spec(hnsw(), Compression::None));
    fill(&shard, 1_000);
    answers(&shard, 1_000);
    let stop = Arc::new(AtomicBool::new(false));
    let (searched, right) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let reader = {
        let (shard, stop) = (shard.clone(), stop.clone());
        let (searched, right) = (searched.clone(), right.clone());
        std::thread::spawn(move || {
            let mut q = 0u32;
            while !stop.load(Ordering::Acquire) {
                let hits = shard
                    .vector_search(DEFAULT_TARGET, &vector(q), 3, None, false)
                    .expect("search during compression");
                // Approximate while codes replace vectors: counted, not required.
                if hits.first().map(|h| h.object.id) == Some(Uuid::from_u128(q as u128)) {
                    right.fetch_add(1, Ordering::Relaxed);
                }
                searched.fetch_add(1, Ordering::Relaxed);
                q = (q + 13) % 1_000;
            }
        })
    };
    let pq = Compression::Pq(PqParams {
        segments: 8,
        centroids: 64,
        ..PqParams::default()
    });
    shard.update_targets(&[target(hnsw(), pq)]);
    // Writes go on while it trains and encodes.
    fill(&shard, 1_100);
    wait_for_compression(&shard);
    stop.store(true, Ordering::Release);
    reader.join().expect("reader");
    let searched = searched.load(Ordering::Relaxed);
    assert!(searched > 0);
    assert!(
        right.load(Ordering::Relaxed) * 10 >= searched * 9,
        "recall during compression"
    );
    assert!(compressed_state(&shard));
    // Each stored vector still finds itself first, at distance 0 (rescored).
    let after = answers(&shard, 1_100);
    let hits = shard
        .vector_search(DEFAULT_TARGET, &vector(1_050), 1, None, false)
        .expect("search");
    assert_eq!(hits[0].object.id, Uuid::from_u128(1_050));
    // Restarted from a snapshot taken after the compression: still compressed.
    shard.snapshot_indexes().expect("snapshot");
    drop(shard);
    drop(_store);
    let (_store, shard) = open(dir.path(), spec(hnsw(), pq));
    assert!(shard.is_compressed());
    assert_eq!(answers(&shard, 1_100), after);
}

#[test]
fn an_uncompressed_snapshot_is_compressed_after_the_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, shard) = open(dir.path(), spec(hnsw(), Compression::None));
        fill(&shard, 300);
        shard.snapshot_indexes().expect("snapshot");
    }
    let bq = Compression::Bq(BqParams::default());
    let (_store, shard) = open(dir.path(), spec(hnsw(), bq));
    assert!(!shard.is_compressed());
    shard.maintain(u64::MAX).expect("maintain");
    wait_for_compression(&shard);
    answers(&shard, 300);
}
