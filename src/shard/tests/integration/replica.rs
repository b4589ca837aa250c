//! What replicas exchange: versions (live and deleted), the hash tree, digests by token range
//! and compare-and-set repairs, over a real RocksDB.

use std::sync::Arc;

use serde_json::{json, Map};
use shoal_shard::{NodeStore, PutMode, Repair, RepairChange, Shard, Version};
use storage::{keys, Cf, KvStore, RocksConfig, RocksStore, WriteBatch};
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

use super::basics::spec;

fn object(n: u128, updated: i64) -> Object {
    let mut properties = Map::new();
    properties.insert("n".into(), json!(n as u64));
    Object {
        id: Uuid::from_u128(n),
        class: "Doc".into(),
        tenant: None,
        properties,
        vectors: [(DEFAULT_TARGET.to_string(), vec![n as f32, 1.0])].into(),
        creation_time_ms: 1,
        last_update_time_ms: updated,
    }
}

fn open(dir: &std::path::Path) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(dir, false).expect("open store");
    let shard = Arc::new(store.open_shard(spec("s1")).expect("open shard"));
    (store, shard)
}

fn put(shard: &Shard, objects: Vec<Object>) {
    let results = shard.put_batch(objects, PutMode::Upsert).expect("write");
    assert!(results.iter().all(Result::is_ok));
}

const fn live(t: i64) -> Option<Version> {
    Some(Version::Live { updated_ms: t })
}

#[test]
fn versions_record_updates_and_deletions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, (1..=3).map(|n| object(n, 100)).collect());
    put(&shard, vec![object(1, 200)]);
    assert!(shard.delete_at(&Uuid::from_u128(2), 300).expect("delete"));
    assert!(!shard.delete_at(&Uuid::from_u128(9), 300).expect("delete"));
    let ids: Vec<Uuid> = [1, 2, 3, 9].map(Uuid::from_u128).to_vec();
    assert_eq!(
        shard.versions(&ids).expect("versions"),
        vec![
            live(200),
            Some(Version::Deleted { at_ms: 300 }),
            live(100),
            None
        ],
        "a delete of a missing object leaves no marker"
    );
    assert!(!shard.exists(&ids[1]).expect("exists"));
    assert_eq!(shard.object_count(), 2);
}

/// The same final versions reached by different histories, one with the tree built before the
/// writes and one rebuilt from the store, give the same tree.
#[test]
fn hash_trees_depend_only_on_the_final_versions() {
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("a"),
        tempfile::tempdir().expect("b"),
    );
    let (_a_store, a) = open(a_dir.path());
    let (b_store, b) = open(b_dir.path());
    let empty = a.hash_tree().expect("tree").root();
    assert_eq!(empty, 0);
    // A: tree built first, then every write updates it.
    put(&a, (1..=50).map(|n| object(n, 10)).collect());
    put(&a, (1..=10).map(|n| object(n, 20)).collect());
    for n in 20..30 {
        a.delete_at(&Uuid::from_u128(n), 40).expect("delete");
    }
    // B: another order, tree built only at the end.
    put(&b, (1..=10).map(|n| object(n, 20)).collect());
    put(&b, (11..=50).map(|n| object(n, 10)).collect());
    for n in 20..30 {
        b.delete_at(&Uuid::from_u128(n), 40).expect("delete");
    }
    let tree_a = a.hash_tree().expect("tree");
    let tree_b = b.hash_tree().expect("tree");
    assert_ne!(tree_a.root(), empty);
    assert_eq!(tree_a, tree_b);
    // One more version on one side shows up in exactly one leaf.
    put(&b, vec![object(7, 30)]);
    let changed = b.hash_tree().expect("tree");
    assert_eq!(tree_a.differing_leaves(changed.leaves()).len(), 1);
    // Reopened, B rebuilds its tree from the stored versions.
    drop(b);
    drop(b_store);
    let (_b_store, b) = open(b_dir.path());
    assert_eq!(b.hash_tree().expect("tree"), changed);
}

#[test]
fn digests_page_through_a_token_range_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, (1..=100).map(|n| object(n, 5)).collect());
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = shard.digests(0, u64::MAX, after, 30).expect("digests");
        if page.is_empty() {
            break;
        }
        after = page.last().map(|d| (d.token, d.id));
        all.extend(page);
    }
    assert_eq!(all.len(), 100);
    assert!(all
        .windows(2)
        .all(|w| (w[0].token, w[0].id) < (w[1].token, w[1].id)));
    assert!(all
        .iter()
        .all(|d| d.token == types::token(&d.id) && d.version == Version::Live { updated_ms: 5 }));
    // A range returns exactly the tokens inside it.
    let (first, last) = (all[20].token, all[59].token);
    let part = shard.digests(first, last, None, 1000).expect("digests");
    assert_eq!(part, all[20..60].to_vec());
}

#[test]
fn repairs_apply_only_over_the_version_they_expect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, vec![object(1, 100), object(2, 100)]);
    let put_repair = |n: u128, updated: i64, expected| Repair {
        id: Uuid::from_u128(n),
        expected,
        change: RepairChange::Put(object(n, updated)),
    };
    let delete_repair = |n: u128, at_ms: i64, expected| Repair {
        id: Uuid::from_u128(n),
        expected,
        change: RepairChange::Delete { at_ms },
    };
    let applied = shard
        .apply_repairs(vec![
            // Stale expectation: the replica changed since the repairer looked.
            put_repair(1, 300, live(50)),
            put_repair(2, 300, live(100)),
            put_repair(3, 300, None),
            delete_repair(4, 400, None),
        ])
        .expect("repairs");
    assert_eq!(applied, vec![false, true, true, true]);
    let ids: Vec<Uuid> = (1..=4).map(Uuid::from_u128).collect();
    assert_eq!(
        shard.versions(&ids).expect("versions"),
        vec![
            live(100),
            live(300),
            live(300),
            Some(Version::Deleted { at_ms: 400 })
        ]
    );
    let got = shard
        .get(&ids[2], true)
        .expect("get")
        .expect("repaired object");
    assert_eq!(
        got.vectors[DEFAULT_TARGET],
        vec![3.0, 1.0],
        "vectors travel with a repair"
    );
    assert_eq!(shard.object_count(), 3);

    let applied = shard
        .apply_repairs(vec![delete_repair(1, 500, live(100))])
        .expect("repairs");
    assert_eq!(applied, vec![true]);
    assert!(shard.get(&ids[0], false).expect("get").is_none());
    assert_eq!(shard.object_count(), 2);
    let found = shard.filtered_vector_search(DEFAULT_TARGET, &[1.0, 1.0], 10, None, None, false);
    let found: Vec<Uuid> = found
        .expect("search")
        .into_iter()
        .map(|h| h.object.id)
        .collect();
    assert!(
        !found.contains(&ids[0]),
        "a repaired deletion leaves the vector index too"
    );
}

/// A shard written before versions existed (no `versions` entries, no flag) gets an entry for
/// every stored object when it opens.
#[test]
fn shards_from_before_versions_get_them_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let open_raw = || {
        let store = RocksStore::open(dir.path(), &RocksConfig::default()).expect("rocks");
        Arc::new(store) as Arc<dyn KvStore>
    };
    let raw = open_raw();
    {
        let nodes = NodeStore::with_store(raw.clone());
        let shard = nodes.open_shard(spec("s1")).expect("open shard");
        put(&shard, (1..=30).map(|n| object(n, 7)).collect());
        let prefix = nodes.locations().expect("locations")[0].prefix;
        // Back to the old layout: no entries, no flag.
        let mut batch = WriteBatch::new();
        batch.delete_range(
            Cf::Versions,
            keys::shard_prefix(prefix).to_vec(),
            keys::shard_end(prefix),
        );
        batch.delete(Cf::ShardMeta, keys::shard_key(prefix, b"versions_ready"));
        raw.write(batch).expect("strip versions");
        assert!(shard
            .digests(0, u64::MAX, None, 100)
            .expect("digests")
            .is_empty());
    }
    let shard = NodeStore::with_store(raw)
        .open_shard(spec("s1"))
        .expect("reopen");
    let all = shard.digests(0, u64::MAX, None, 100).expect("digests");
    assert_eq!(all.len(), 30);
    assert!(all
        .iter()
        .all(|d| d.version == Version::Live { updated_ms: 7 }));
}
