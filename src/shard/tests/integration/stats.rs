//! The monitoring figures of a shard's vector targets follow its writes, with synchronous and
//! asynchronous indexing.

use std::sync::Arc;

use shoal_shard::{NodeStore, Shard, TargetStats};
use types::DEFAULT_TARGET;
use uuid::Uuid;

use crate::hnsw_persistence::{hnsw_spec, import};

fn open(dir: &std::path::Path, async_indexing: bool) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("open store");
    let spec = hnsw_spec("s1", 3600, async_indexing);
    let shard = Arc::new(store.open_shard(spec).expect("open shard"));
    (store, shard)
}

fn only_target(shard: &Shard) -> TargetStats {
    let mut stats = shard.vector_stats();
    assert_eq!(stats.len(), 1, "{stats:?}");
    stats.remove(0)
}

#[test]
fn inserts_and_deletes_are_counted_and_deleted_nodes_stay_until_cleanup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path(), false);
    import(&shard, 0..50);
    for n in 0..5u128 {
        assert!(shard.delete(&Uuid::from_u128(n)).expect("delete"));
    }
    let stats = only_target(&shard);
    assert_eq!(stats.target, DEFAULT_TARGET);
    assert_eq!((stats.created, stats.deleted), (50, 5));
    assert_eq!(stats.tombstones, 5);
    // A deleted graph node keeps its slot until cleanup frees it.
    assert_eq!(stats.size, 50);
    assert_eq!(stats.queue_len, 0);
}

#[test]
fn asynchronous_indexing_counts_what_the_indexer_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path(), true);
    import(&shard, 0..40);
    let queued = only_target(&shard);
    assert_eq!(queued.created + queued.queue_len, 40, "{queued:?}");
    while shard.index_pending(1000).expect("index") > 0 {}
    let applied = only_target(&shard);
    assert_eq!(
        (applied.created, applied.queue_len, applied.size),
        (40, 0, 40)
    );
}
