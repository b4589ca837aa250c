//! Graph indexes survive restarts through snapshots plus the index log, and are rebuilt from
//! the object store when the snapshot is missing or damaged.

use std::path::Path;
use std::sync::Arc;

use serde_json::Map;
use shoal_shard::{
    HnswParams, IndexKind, NodeStore, PutMode, Shard, ShardSpec, ShardStatus, TargetSpec,
};
use types::schema::Distance;
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

const DIM: usize = 8;

/// A shard of class `Doc` with one L2 hnsw target.
pub(crate) fn hnsw_spec(name: &str, cleanup_interval_secs: u64, async_indexing: bool) -> ShardSpec {
    ShardSpec {
        prefix: 0,
        name: name.to_string(),
        class: "Doc".to_string(),
        targets: vec![TargetSpec {
            name: DEFAULT_TARGET.to_string(),
            distance: Distance::L2Squared,
            kind: IndexKind::Hnsw(HnswParams::default()),
            cleanup_interval_secs,
            compression: shoal_shard::Compression::None,
        }],
        status: ShardStatus::Ready,
        async_indexing,
        inverted: Default::default(),
    }
}

fn spec() -> ShardSpec {
    hnsw_spec("g1", 1, false)
}

/// A deterministic vector per number, far apart so nearest neighbours are unambiguous.
pub(crate) fn vector(n: u32) -> Vec<f32> {
    (0..DIM)
        .map(|d| ((n * 7 + d as u32 * 13) % 101) as f32 + n as f32 * 0.01)
        .collect()
}

pub(crate) fn object(n: u32, v: Vec<f32>) -> Object {
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

fn open(dir: &Path) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("open store");
    let shard = Arc::new(store.open_shard(spec()).expect("open shard"));
    (store, shard)
}

pub(crate) fn import(shard: &Shard, range: std::ops::Range<u32>) {
    let objects = range.map(|n| object(n, vector(n))).collect();
    let results = shard.put_batch(objects, PutMode::Upsert).expect("write");
    assert!(results.iter().all(Result::is_ok));
}

/// The nearest object to `q`, through the index.
pub(crate) fn nearest(shard: &Shard, q: &[f32]) -> Option<Uuid> {
    let hits = shard
        .vector_search(DEFAULT_TARGET, q, 1, None, false)
        .expect("search");
    hits.first().map(|h| h.object.id)
}

fn assert_finds_everything(shard: &Shard, live: &[u32]) {
    for &n in live {
        assert_eq!(
            nearest(shard, &vector(n)),
            Some(Uuid::from_u128(n as u128)),
            "object {n}"
        );
    }
}

#[test]
fn snapshot_then_changes_are_replayed_on_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (store, shard) = open(dir.path());
        import(&shard, 0..300);
        shard.snapshot_indexes().expect("snapshot");
        // After the snapshot: an update, a delete and new objects, only in the log.
        shard
            .put_batch(vec![object(5, vector(1005))], PutMode::Upsert)
            .expect("update");
        shard.delete(&Uuid::from_u128(6)).expect("delete");
        import(&shard, 300..350);
        store.flush().expect("flush");
        // Dropped without a snapshot: like a crash after the writes were acknowledged.
    }
    let (_store, shard) = open(dir.path());
    let live: Vec<u32> = (0..350).filter(|n| *n != 5 && *n != 6).collect();
    assert_finds_everything(&shard, &live);
    assert_eq!(
        nearest(&shard, &vector(1005)),
        Some(Uuid::from_u128(5)),
        "the update is in the index"
    );
    let hits = shard
        .vector_search(DEFAULT_TARGET, &vector(6), 400, None, false)
        .expect("search");
    assert!(
        hits.iter().all(|h| h.object.id != Uuid::from_u128(6)),
        "the delete is in the index"
    );
    assert_eq!(hits.len(), 349);
}

#[test]
fn a_crash_before_any_snapshot_rebuilds_from_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, shard) = open(dir.path());
        import(&shard, 0..200);
        shard.delete(&Uuid::from_u128(3)).expect("delete");
    }
    let (_store, shard) = open(dir.path());
    let live: Vec<u32> = (0..200).filter(|n| *n != 3).collect();
    assert_finds_everything(&shard, &live);
}

#[test]
fn a_damaged_snapshot_falls_back_to_a_rebuild() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, shard) = open(dir.path());
        import(&shard, 0..150);
        shard.snapshot_indexes().expect("snapshot");
    }
    let snapshots: Vec<_> = std::fs::read_dir(dir.path().join("indexes"))
        .expect("index dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    let mut bytes = std::fs::read(&snapshots[0]).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&snapshots[0], bytes).expect("write");
    let (_store, shard) = open(dir.path());
    assert_finds_everything(&shard, &(0..150).collect::<Vec<_>>());
}

#[test]
fn snapshots_truncate_the_log_and_survive_clean_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..3u32 {
        let (store, shard) = open(dir.path());
        import(&shard, round * 100..round * 100 + 100);
        shard.snapshot_indexes().expect("snapshot");
        store.flush().expect("flush");
    }
    let (_store, shard) = open(dir.path());
    assert_finds_everything(&shard, &(0..300).collect::<Vec<_>>());
}

#[test]
fn cleanup_frees_deleted_nodes_and_search_stays_correct() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    import(&shard, 0..400);
    for n in (0..400).step_by(3) {
        shard.delete(&Uuid::from_u128(n as u128)).expect("delete");
    }
    assert!(shard.tombstones() > 0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    shard.maintain(u64::MAX).expect("maintain");
    assert_eq!(
        shard.tombstones(),
        0,
        "cleanup ran after cleanupIntervalSeconds"
    );
    let live: Vec<u32> = (0..400).filter(|n| n % 3 != 0).collect();
    assert_finds_everything(&shard, &live);
    import(&shard, 400..450);
    assert_finds_everything(&shard, &(400..450).collect::<Vec<_>>());
}

#[test]
fn dropping_the_shard_removes_its_snapshots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, shard) = open(dir.path());
    import(&shard, 0..20);
    shard.snapshot_indexes().expect("snapshot");
    store.drop_shard("Doc", "g1").expect("drop");
    let left = std::fs::read_dir(dir.path().join("indexes"))
        .expect("dir")
        .count();
    assert_eq!(left, 0);
}
