//! A shard "crashed" (dropped without a snapshot) with a long index log opens without replaying
//! the log first: the tail is queued for the indexer, every acknowledged vector is searchable at
//! once and after the drain, writes during the drain win over queued changes, and a second
//! crash during the drain loses nothing. This holds without asynchronous indexing too.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use shoal_shard::{NodeStore, PutMode, Shard, ShardSpec};
use types::DEFAULT_TARGET;
use uuid::Uuid;

use super::hnsw_persistence::{hnsw_spec, import, nearest, object, vector};

/// Objects in the snapshot.
const SNAPSHOTTED: u32 = 300;
/// Objects written after the snapshot, only in the log when the shard crashes.
const TAIL: u32 = 900;
/// A snapshotted object moved to `vector(MOVED_TO)` after the snapshot; queued after the
/// deleted one (the queue applies changes in doc order).
const UPDATED: u32 = 250;
const MOVED_TO: u32 = 5250;
/// A snapshotted object deleted after the snapshot.
const DELETED: u32 = 6;

fn spec() -> ShardSpec {
    hnsw_spec("c1", 300, false)
}

/// Opens without starting the indexer, so the test decides when the queue drains.
fn open(dir: &Path) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("open store");
    let shard = Arc::new(store.open_shard(spec()).expect("open shard"));
    (store, shard)
}

fn assert_finds(shard: &Shard, live: impl IntoIterator<Item = u32>, when: &str) {
    for n in live {
        assert_eq!(
            nearest(shard, &vector(n)),
            Some(Uuid::from_u128(n as u128)),
            "object {n} {when}"
        );
    }
}

/// A snapshot of `SNAPSHOTTED` objects, then `TAIL` more, an update (doc 5 moves to
/// `vector(MOVED_TO)`) and a delete only in the log; then a crash.
fn crash_with_a_long_log(dir: &Path) {
    let (store, shard) = open(dir);
    import(&shard, 0..SNAPSHOTTED);
    shard.snapshot_indexes().expect("snapshot");
    import(&shard, SNAPSHOTTED..SNAPSHOTTED + TAIL);
    shard
        .put_batch(vec![object(UPDATED, vector(MOVED_TO))], PutMode::Upsert)
        .expect("update");
    assert!(shard
        .delete(&Uuid::from_u128(DELETED.into()))
        .expect("delete"));
    store.flush().expect("flush");
    // Dropped without a snapshot: like `kill -9` after the writes were acknowledged.
}

fn live_after_crash() -> impl Iterator<Item = u32> {
    (0..SNAPSHOTTED + TAIL).filter(|n| *n != UPDATED && *n != DELETED)
}

fn drain(shard: &Shard) {
    while shard.index_pending(97).expect("index") > 0 {}
    assert!(!shard.finish_recovery(), "the queue drained");
}

#[test]
fn a_crashed_shard_opens_with_its_log_queued_and_finds_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    crash_with_a_long_log(dir.path());
    let (_store, shard) = open(dir.path());
    assert!(shard.is_recovering());
    assert_eq!(
        shard.vector_queue_len(),
        u64::from(TAIL) + 2,
        "the log tail is queued, not replayed before the shard opened"
    );
    assert_eq!(shard.object_count(), u64::from(SNAPSHOTTED + TAIL) - 1);
    assert_finds(&shard, live_after_crash(), "right after the open");
    assert_eq!(
        nearest(&shard, &vector(MOVED_TO)),
        Some(Uuid::from_u128(UPDATED.into()))
    );
    let all = shard
        .vector_search(DEFAULT_TARGET, &vector(DELETED), 2000, None, false)
        .expect("search");
    assert!(all
        .iter()
        .all(|h| h.object.id != Uuid::from_u128(DELETED.into())));
    assert_eq!(all.len() as u32, SNAPSHOTTED + TAIL - 1);

    drain(&shard);
    assert!(!shard.is_recovering());
    assert_eq!(shard.vector_queue_len(), 0);
    assert_finds(&shard, live_after_crash(), "after the drain");
    assert_eq!(
        nearest(&shard, &vector(MOVED_TO)),
        Some(Uuid::from_u128(UPDATED.into()))
    );
    // Recovered: writes go straight to the graph again.
    import(&shard, 8000..8010);
    assert_eq!(shard.vector_queue_len(), 0);
    assert_finds(&shard, 8000..8010, "written after the recovery");
}

#[test]
fn writes_during_the_drain_supersede_queued_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    crash_with_a_long_log(dir.path());
    let (_store, shard) = open(dir.path());
    // Part of the queue is applied, then queued docs change again.
    shard.index_pending(200).expect("index");
    assert!(shard.is_recovering(), "still draining");
    let moved: Vec<u32> = (SNAPSHOTTED..SNAPSHOTTED + TAIL).step_by(50).collect();
    let updates = moved
        .iter()
        .map(|n| object(*n, vector(n + 10_000)))
        .collect();
    shard.put_batch(updates, PutMode::Upsert).expect("update");
    let gone = SNAPSHOTTED + TAIL - 1;
    assert!(shard
        .delete(&Uuid::from_u128(gone as u128))
        .expect("delete"));
    import(&shard, 6000..6100);
    let check = |when: &str| {
        for n in &moved {
            assert_eq!(
                nearest(&shard, &vector(n + 10_000)),
                Some(Uuid::from_u128(*n as u128)),
                "moved object {n} {when}"
            );
        }
        let unmoved = live_after_crash().filter(|n| !moved.contains(n) && *n != gone);
        assert_finds(&shard, unmoved.chain(6000..6100), when);
        let all = shard
            .vector_search(DEFAULT_TARGET, &vector(gone), 5000, None, false)
            .expect("search");
        assert!(all
            .iter()
            .all(|h| h.object.id != Uuid::from_u128(gone as u128)));
    };
    check("during the drain");
    drain(&shard);
    check("after the drain");
}

#[test]
fn a_crash_during_the_drain_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    crash_with_a_long_log(dir.path());
    {
        let (store, shard) = open(dir.path());
        // Applies the delete only: the update stays queued.
        shard.index_pending(1).expect("index");
        import(&shard, 7000..7200);
        // A snapshot now must not truncate the log the recovering graph still needs.
        shard.snapshot_indexes().expect("snapshot");
        store.flush().expect("flush");
        // Crashes again, mid-drain.
    }
    let (store, shard) = open(dir.path());
    assert!(shard.is_recovering());
    let live: Vec<u32> = live_after_crash().chain(7000..7200).collect();
    assert_finds(&shard, live.iter().copied(), "after the second crash");
    assert_eq!(
        nearest(&shard, &vector(MOVED_TO)),
        Some(Uuid::from_u128(UPDATED.into())),
        "the update queued when the shard crashed again"
    );
    drain(&shard);
    assert_finds(&shard, live.iter().copied(), "after the drain");
    // Recovered: the next snapshot covers everything, and a clean reopen queues nothing.
    shard.snapshot_indexes().expect("snapshot");
    drop((store, shard));
    let (_store, shard) = open(dir.path());
    assert!(!shard.is_recovering());
    assert_eq!(shard.vector_queue_len(), 0);
    assert_finds(&shard, live.iter().copied(), "after a clean reopen");
}

#[test]
fn the_indexer_drains_a_recovering_shard_and_stops() {
    let dir = tempfile::tempdir().expect("tempdir");
    crash_with_a_long_log(dir.path());
    let (_store, shard) = open(dir.path());
    let pool = shoal_shard::IndexerPool::start(1).expect("pool");
    // Attaching hands a recovering shard to the pool at once, without any write.
    pool.attach(&shard);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while shard.is_recovering() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Once the queue is empty the shard indexes synchronously again.
    assert!(!shard.is_recovering());
    assert_eq!(shard.vector_queue_len(), 0);
    assert_finds(&shard, live_after_crash(), "after the indexer stopped");
}

#[test]
fn snapshots_are_taken_by_time_when_anything_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (store, shard) = open(dir.path());
        import(&shard, 0..100);
        shard.snapshot_indexes().expect("snapshot");
        import(&shard, 100..200);
        // Far below any entry threshold, but the interval has passed.
        shard
            .maintain_every(u64::MAX, Duration::ZERO)
            .expect("maintain");
        store.flush().expect("flush");
    }
    let (_store, shard) = open(dir.path());
    assert_eq!(shard.vector_queue_len(), 0, "the snapshot covered the log");
    assert!(!shard.is_recovering());
    assert_finds(&shard, 0..200, "after the reopen");
}
