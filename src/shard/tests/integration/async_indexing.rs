//! Asynchronous indexing: writes are searchable as soon as they are acknowledged, the indexer
//! drains the queue into the graph, and a restart refills the queue from the index log.

use std::path::Path;
use std::sync::Arc;

use serde_json::Map;
use shoal_shard::{
    Compression, HnswParams, IndexKind, IndexerPool, NodeStore, PutMode, Shard, ShardSpec,
};
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

use super::hnsw_persistence::hnsw_spec;

fn spec() -> ShardSpec {
    hnsw_spec("a1", 300, true)
}

fn object(n: u32, v: Vec<f32>) -> Object {
    Object {
        id: Uuid::from_u128(n as u128),
        class: "Doc".into(),
        tenant: None,
        properties: Map::new(),
        vectors: [(DEFAULT_TARGET.to_string(), v)].into(),
        creation_time_ms: 1,
        last_update_time_ms: 1,
    }
}

fn v(n: u32) -> Vec<f32> {
    vec![n as f32, (n % 7) as f32, 1.0]
}

/// Opens without starting the indexer, so tests decide when the queue drains.
fn open(dir: &Path) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("store");
    let shard = Arc::new(store.open_shard(spec()).expect("shard"));
    (store, shard)
}

fn put(shard: &Shard, range: std::ops::Range<u32>) {
    let objects = range.map(|n| object(n, v(n))).collect();
    assert!(shard
        .put_batch(objects, PutMode::Upsert)
        .expect("write")
        .iter()
        .all(Result::is_ok));
}

fn nearest(shard: &Shard, q: &[f32]) -> Option<(Uuid, f32)> {
    let hits = shard
        .vector_search(DEFAULT_TARGET, q, 1, None, false)
        .expect("search");
    hits.first().map(|h| (h.object.id, h.distance))
}

#[test]
fn acknowledged_writes_are_searchable_before_they_are_indexed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, 0..100);
    assert_eq!(shard.vector_queue_len(), 100);
    for n in [0, 42, 99] {
        assert_eq!(
            nearest(&shard, &v(n)),
            Some((Uuid::from_u128(n as u128), 0.0))
        );
    }
    while shard.index_pending(30).expect("index") > 0 {}
    assert_eq!(shard.vector_queue_len(), 0);
    for n in [0, 42, 99] {
        assert_eq!(
            nearest(&shard, &v(n)),
            Some((Uuid::from_u128(n as u128), 0.0))
        );
    }
}

#[test]
fn a_pending_update_hides_the_stale_graph_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, 0..50);
    while shard.index_pending(1000).expect("index") > 0 {}
    shard
        .put_batch(vec![object(10, vec![500.0, 500.0, 500.0])], PutMode::Upsert)
        .expect("update");
    shard.delete(&Uuid::from_u128(11)).expect("delete");
    let near_old = shard
        .vector_search(DEFAULT_TARGET, &v(10), 3, None, false)
        .expect("search");
    assert!(near_old
        .iter()
        .all(|h| h.object.id != Uuid::from_u128(10) || h.distance > 1000.0));
    assert!(near_old.iter().all(|h| h.object.id != Uuid::from_u128(11)));
    assert_eq!(
        nearest(&shard, &[500.0, 500.0, 500.0]),
        Some((Uuid::from_u128(10), 0.0))
    );
}

/// Waits until `shard`'s queue is empty (a minute at most).
fn drained(shard: &Shard) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while shard.vector_queue_len() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    shard.vector_queue_len() == 0
}

#[test]
fn the_indexer_pool_drains_the_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let pool = IndexerPool::start(1).expect("pool");
    pool.attach(&shard);
    put(&shard, 0..500);
    assert!(drained(&shard), "the pool indexed every queued change");
    assert_eq!(nearest(&shard, &v(321)), Some((Uuid::from_u128(321), 0.0)));
    // Writes after an idle spell hand the shard to the pool again.
    std::thread::sleep(std::time::Duration::from_millis(50));
    put(&shard, 500..520);
    assert!(drained(&shard), "a later write was indexed too");
}

#[test]
fn one_worker_serves_many_shards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = NodeStore::open(&dir.path().join("db"), false).expect("store");
    let pool = IndexerPool::start(1).expect("pool");
    assert_eq!(pool.workers(), 1);
    let shards: Vec<Arc<Shard>> = (0..40)
        .map(|i| {
            let shard = store
                .open_shard(hnsw_spec(&format!("tenant{i}"), 300, true))
                .expect("shard");
            let shard = Arc::new(shard);
            pool.attach(&shard);
            shard
        })
        .collect();
    for (i, shard) in shards.iter().enumerate() {
        let first = i as u32 * 10;
        put(shard, first..first + 10);
    }
    for (i, shard) in shards.iter().enumerate() {
        assert!(drained(shard), "shard {i} was indexed");
        let probe = i as u32 * 10 + 3;
        assert_eq!(
            nearest(shard, &v(probe)),
            Some((Uuid::from_u128(probe as u128), 0.0))
        );
    }
}

#[test]
fn a_dropped_pool_stops_its_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let pool = IndexerPool::start(2).expect("pool");
    pool.attach(&shard);
    drop(pool);
    // Queued changes stay queued (and searched exactly) until a pool takes the shard.
    put(&shard, 0..5);
    assert_eq!(shard.vector_queue_len(), 5);
    assert_eq!(nearest(&shard, &v(4)), Some((Uuid::from_u128(4), 0.0)));
}

#[test]
fn a_restart_refills_the_queue_from_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (store, shard) = open(dir.path());
        put(&shard, 0..100);
        shard
            .snapshot_indexes()
            .expect("snapshot drains the queue first");
        assert_eq!(shard.vector_queue_len(), 0);
        put(&shard, 100..130);
        store.flush().expect("flush");
    }
    let (_store, shard) = open(dir.path());
    assert_eq!(
        shard.vector_queue_len(),
        30,
        "changes after the snapshot are queued again"
    );
    for n in [5, 115, 129] {
        assert_eq!(
            nearest(&shard, &v(n)),
            Some((Uuid::from_u128(n as u128), 0.0))
        );
    }
}

fn dynamic_spec(threshold: usize) -> ShardSpec {
    let mut spec = spec();
    spec.targets[0].kind = IndexKind::Dynamic {
        threshold,
        hnsw: HnswParams::default(),
        exact: Compression::None,
    };
    spec
}

#[test]
fn a_dynamic_index_becomes_a_graph_past_its_threshold_and_keeps_every_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = NodeStore::open(&dir.path().join("db"), false).expect("store");
    {
        let shard = Arc::new(store.open_shard(dynamic_spec(60)).expect("shard"));
        put(&shard, 0..40);
        while shard.index_pending(1000).expect("index") > 0 {}
        assert_eq!(
            shard.upgrade_dynamic_indexes().expect("upgrade"),
            0,
            "below the threshold"
        );
        assert_eq!(shard.engine_of(DEFAULT_TARGET), Some("flat"));
        put(&shard, 40..80);
        while shard.index_pending(1000).expect("index") > 0 {}
        assert_eq!(shard.upgrade_dynamic_indexes().expect("upgrade"), 1);
        assert_eq!(shard.engine_of(DEFAULT_TARGET), Some("hnsw"));
        put(&shard, 80..90);
        shard.delete(&Uuid::from_u128(3)).expect("delete");
        for n in [0, 50, 79, 85] {
            assert_eq!(
                nearest(&shard, &v(n)),
                Some((Uuid::from_u128(n as u128), 0.0)),
                "object {n}"
            );
        }
        shard.snapshot_indexes().expect("snapshot");
    }
    // Reopened past the threshold, the target is a graph again, from its snapshot.
    let shard = Arc::new(store.open_shard(dynamic_spec(60)).expect("reopen"));
    assert_eq!(shard.engine_of(DEFAULT_TARGET), Some("hnsw"));
    assert_eq!(nearest(&shard, &v(85)), Some((Uuid::from_u128(85), 0.0)));
    let hits = shard
        .vector_search(DEFAULT_TARGET, &v(3), 100, None, false)
        .expect("search");
    assert!(hits.iter().all(|h| h.object.id != Uuid::from_u128(3)));
    assert_eq!(hits.len(), 89);
}
