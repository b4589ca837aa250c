//! The conformance suite every [`KvStore`] implementation must pass (in the spirit of
//! openraft's storage `Suite`). It panics with a description on the first violation.

use crate::{Cf, KvStore, WriteBatch};

/// Runs every check against an empty store.
pub fn suite(store: &dyn KvStore) {
    get_of_missing_key_is_none(store);
    batch_is_applied_in_order(store);
    column_families_are_separate(store);
    scan_prefix_is_ordered_bounded_and_resumable(store);
    for_each_prefix_stops_when_asked(store);
    delete_range_removes_exactly_the_range(store);
    multi_get_keeps_key_order(store);
    store.flush().expect("flush");
    stats_count_the_data_held(store);
}

fn put(store: &dyn KvStore, cf: Cf, k: &[u8], v: &[u8]) {
    let mut b = WriteBatch::new();
    b.put(cf, k.to_vec(), v.to_vec());
    store.write(b).expect("write");
}

fn get_of_missing_key_is_none(store: &dyn KvStore) {
    assert_eq!(store.get(Cf::Objects, b"suite/missing").expect("get"), None);
}

fn batch_is_applied_in_order(store: &dyn KvStore) {
    let mut b = WriteBatch::new();
    b.put(Cf::Objects, b"suite/a".to_vec(), b"1".to_vec());
    b.put(Cf::Objects, b"suite/a".to_vec(), b"2".to_vec());
    b.put(Cf::Objects, b"suite/b".to_vec(), b"x".to_vec());
    b.delete(Cf::Objects, b"suite/b".to_vec());
    store.write(b).expect("write");
    assert_eq!(
        store.get(Cf::Objects, b"suite/a").expect("get"),
        Some(b"2".to_vec()),
        "last put wins"
    );
    assert_eq!(
        store.get(Cf::Objects, b"suite/b").expect("get"),
        None,
        "delete after put wins"
    );
}

fn column_families_are_separate(store: &dyn KvStore) {
    put(store, Cf::Vectors, b"suite/cf", b"vectors");
    put(store, Cf::DocIds, b"suite/cf", b"docids");
    assert_eq!(
        store.get(Cf::Vectors, b"suite/cf").expect("get"),
        Some(b"vectors".to_vec())
    );
    assert_eq!(
        store.get(Cf::DocIds, b"suite/cf").expect("get"),
        Some(b"docids".to_vec())
    );
    assert_eq!(store.get(Cf::Meta, b"suite/cf").expect("get"), None);
}

fn scan_prefix_is_ordered_bounded_and_resumable(store: &dyn KvStore) {
    for i in [5u8, 1, 3, 2, 4] {
        put(store, Cf::ShardMeta, &[b's', b'c', i], &[i]);
    }
    put(store, Cf::ShardMeta, b"sd", b"other prefix");
    let all = store
        .scan_prefix(Cf::ShardMeta, b"sc", b"", 100)
        .expect("scan");
    let keys: Vec<u8> = all.iter().map(|(k, _)| k[2]).collect();
    assert_eq!(keys, vec![1, 2, 3, 4, 5], "ascending, prefix only");
    let page = store
        .scan_prefix(Cf::ShardMeta, b"sc", &[b's', b'c', 3], 2)
        .expect("scan");
    let keys: Vec<u8> = page.iter().map(|(k, _)| k[2]).collect();
    assert_eq!(keys, vec![3, 4], "starts at `start`, stops at `limit`");
    assert!(store
        .scan_prefix(Cf::ShardMeta, b"sc", b"", 0)
        .expect("scan")
        .is_empty());
}

fn for_each_prefix_stops_when_asked(store: &dyn KvStore) {
    for i in 0u8..10 {
        put(store, Cf::Postings, &[b'f', i], &[i]);
    }
    let mut seen = Vec::new();
    store
        .for_each_prefix(Cf::Postings, b"f", &mut |k, _| {
            seen.push(k[1]);
            seen.len() < 4
        })
        .expect("for_each");
    assert_eq!(seen, vec![0, 1, 2, 3]);
}

fn delete_range_removes_exactly_the_range(store: &dyn KvStore) {
    for i in 0u8..6 {
        put(store, Cf::Objects, &[b'r', i], &[i]);
    }
    let mut b = WriteBatch::new();
    b.delete_range(Cf::Objects, vec![b'r', 1], vec![b'r', 4]);
    store.write(b).expect("write");
    let left: Vec<u8> = store
        .scan_prefix(Cf::Objects, b"r", b"", 100)
        .expect("scan")
        .iter()
        .map(|(k, _)| k[1])
        .collect();
    assert_eq!(left, vec![0, 4, 5], "[from, to) removed");
}

fn multi_get_keeps_key_order(store: &dyn KvStore) {
    put(store, Cf::DocIds, b"m1", b"one");
    put(store, Cf::DocIds, b"m2", b"two");
    let got = store
        .multi_get(
            Cf::DocIds,
            &[b"m2".to_vec(), b"missing".to_vec(), b"m1".to_vec()],
        )
        .expect("multi_get");
    assert_eq!(
        got,
        vec![Some(b"two".to_vec()), None, Some(b"one".to_vec())]
    );
}

/// After the suite's writes (some data is left), the store reports bytes held, on disk or in
/// memory: monitoring must not read an empty store.
fn stats_count_the_data_held(store: &dyn KvStore) {
    let stats = store.stats();
    assert!(
        stats.sst_bytes + stats.memtable_bytes > 0,
        "a store holding data reports no bytes: {stats:?}"
    );
}
