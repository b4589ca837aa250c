//! `vectorCacheMaxObjects`: a capped graph target answers from vectors it reads back from the
//! store, before and after a restart, and its cap changes at runtime.

use std::path::Path;
use std::sync::Arc;

use serde_json::Map;
use shoal_shard::{
    HnswParams, IndexKind, NodeStore, OpenOptions, PutMode, Shard, ShardSpec, ShardStatus,
    TargetSpec,
};
use types::schema::Distance;
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

const DIM: usize = 8;
const CAP: u64 = 25;

fn spec() -> ShardSpec {
    ShardSpec {
        prefix: 0,
        name: "c1".to_string(),
        class: "Cached".to_string(),
        targets: vec![TargetSpec {
            name: DEFAULT_TARGET.to_string(),
            distance: Distance::Cosine,
            kind: IndexKind::Hnsw(HnswParams::default()),
            cleanup_interval_secs: 1,
            compression: shoal_shard::Compression::None,
        }],
        status: ShardStatus::Ready,
        async_indexing: false,
        inverted: Default::default(),
    }
}

fn vector(n: u32) -> Vec<f32> {
    (0..DIM)
        .map(|d| ((n * 7 + d as u32 * 13) % 101) as f32 + n as f32 * 0.01 + 1.0)
        .collect()
}

fn object(n: u32) -> Object {
    Object {
        id: Uuid::from_u128(n as u128),
        class: "Cached".into(),
        tenant: None,
        properties: Map::new(),
        vectors: [(DEFAULT_TARGET.to_string(), vector(n))].into(),
        creation_time_ms: 1,
        last_update_time_ms: 1,
    }
}

fn open(dir: &Path, cap: u64) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("open store");
    let options = OpenOptions {
        vector_cache_max_objects: [(DEFAULT_TARGET.to_string(), cap)].into(),
        tenant: false,
    };
    let shard = store.open_shard_with(spec(), &options).expect("open shard");
    (store, Arc::new(shard))
}

fn assert_finds_everything(shard: &Shard, live: impl Iterator<Item = u32>) {
    for n in live {
        let hits = shard
            .vector_search(DEFAULT_TARGET, &vector(n), 1, None, false)
            .expect("search");
        assert_eq!(hits[0].object.id, Uuid::from_u128(n as u128), "object {n}");
    }
}

fn in_memory(shard: &Shard) -> usize {
    shard
        .vectors_in_memory(DEFAULT_TARGET)
        .expect("hnsw target")
}

#[test]
fn a_capped_collection_searches_correctly_across_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, shard) = open(dir.path(), CAP);
        let objects = (0..400).map(object).collect();
        let results = shard.put_batch(objects, PutMode::Upsert).expect("write");
        assert!(results.iter().all(Result::is_ok));
        assert!(in_memory(&shard) <= CAP as usize);
        shard.delete(&Uuid::from_u128(7)).expect("delete");
        assert_finds_everything(&shard, (0..400).filter(|n| *n != 7));
        assert!(in_memory(&shard) <= CAP as usize);
        shard.snapshot_indexes().expect("snapshot");
    }
    // Restored from the snapshot: the vectors come back only as far as the cap allows.
    let (_store, shard) = open(dir.path(), CAP);
    assert!(in_memory(&shard) <= CAP as usize, "{}", in_memory(&shard));
    assert_finds_everything(&shard, (0..400).filter(|n| *n != 7));
    assert!(in_memory(&shard) <= CAP as usize);
    // Raised at runtime: everything returns to memory; lowered again: evicted at once.
    shard.set_vector_cache_max_objects(
        DEFAULT_TARGET,
        shoal_shard::DEFAULT_VECTOR_CACHE_MAX_OBJECTS,
    );
    assert_eq!(in_memory(&shard), 399);
    shard.set_vector_cache_max_objects(DEFAULT_TARGET, 5);
    assert!(in_memory(&shard) <= 5);
    assert_finds_everything(&shard, 390..400);
    assert!(in_memory(&shard) <= 5);
}

#[test]
fn a_capped_collection_rebuilt_from_the_store_stays_under_the_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, shard) = open(dir.path(), CAP);
        let objects = (0..300).map(object).collect();
        shard.put_batch(objects, PutMode::Upsert).expect("write");
        // No snapshot: the next open rebuilds from the store.
    }
    let (_store, shard) = open(dir.path(), CAP);
    assert!(in_memory(&shard) <= CAP as usize);
    assert_finds_everything(&shard, 0..300);
    assert!(in_memory(&shard) <= CAP as usize);
}
