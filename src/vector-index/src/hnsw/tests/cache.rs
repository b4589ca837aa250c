//! `vectorCacheMaxObjects`: capped indexes give the results of uncapped ones, hold no more
//! vectors than the cap once idle, change cap at runtime, survive loader misses, concurrent
//! evictions and snapshots.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use parking_lot::RwLock;
use types::schema::Distance;

use super::*;
use crate::hnsw::{VectorCache, UNCAPPED};

/// The caller's vectors, as a shard's store would hold them.
#[derive(Clone, Default)]
struct Store(Arc<RwLock<HashMap<DocId, Vec<f32>>>>);

impl Store {
    fn of(vectors: &[Vec<f32>]) -> Self {
        let store = Store::default();
        for (i, v) in vectors.iter().enumerate() {
            store.0.write().insert(i as DocId, v.clone());
        }
        store
    }

    fn cache(&self, max_objects: usize) -> VectorCache {
        let map = self.0.clone();
        VectorCache {
            max_objects,
            loader: Arc::new(move |id| map.read().get(&id).cloned()),
        }
    }
}

/// Inserts one by one (a reproducible graph), checking the cap after every insert.
fn build(metric: Distance, cache: Option<VectorCache>, vectors: &[Vec<f32>]) -> HnswIndex {
    let max = cache.as_ref().map(|c| c.max_objects);
    let index = match cache {
        Some(cache) => HnswIndex::with_vector_cache(metric, small_params(), cache),
        None => HnswIndex::new(metric, small_params()),
    };
    for (i, v) in vectors.iter().enumerate() {
        index.insert(i as DocId, v).unwrap();
        if let Some(max) = max {
            assert!(index.vectors_in_memory() <= max);
        }
    }
    index
}

fn results(index: &HnswIndex, queries: &[Vec<f32>]) -> Vec<Vec<(DocId, f32)>> {
    queries
        .iter()
        .map(|q| index.search_with_ef(q, 10, 40, None).unwrap())
        .collect()
}

#[test]
fn capped_and_uncapped_indexes_give_identical_results() {
    for metric in [Distance::L2Squared, Distance::Cosine] {
        let vectors = gaussian_vectors(1500, 12, 91);
        let queries = gaussian_vectors(40, 12, 92);
        let store = Store::of(&vectors);
        let uncapped = build(metric, None, &vectors);
        let capped = build(metric, Some(store.cache(50)), &vectors);
        assert_eq!(capped.vector_cache_max_objects(), Some(50));
        assert_eq!(results(&capped, &queries), results(&uncapped, &queries));
        assert!(capped.vectors_in_memory() <= 50);
        let allow: RoaringBitmap = (0..1500).step_by(7).collect();
        for q in &queries {
            let want = uncapped.search_with_ef(q, 5, 40, Some(&allow)).unwrap();
            assert_eq!(capped.search_with_ef(q, 5, 40, Some(&allow)).unwrap(), want);
        }
        assert!(capped.vectors_in_memory() <= 50);
        assert!(capped.memory_bytes() < uncapped.memory_bytes());
    }
}

#[test]
fn the_cap_changes_at_runtime() {
    let vectors = gaussian_vectors(1200, 8, 93);
    let queries = gaussian_vectors(30, 8, 94);
    let store = Store::of(&vectors);
    let index = build(Distance::L2Squared, None, &vectors);
    let want = results(&index, &queries);
    assert_eq!(index.vector_cache_max_objects(), None);
    for max in [100, 10, 0, 5000] {
        index.set_vector_cache(store.cache(max));
        assert_eq!(index.vector_cache_max_objects(), Some(max));
        assert!(index.vectors_in_memory() <= max);
        assert_eq!(results(&index, &queries), want, "cap {max}");
        assert!(index.vectors_in_memory() <= max);
    }
    // With room for everything, searches fill the cache and nothing is evicted.
    assert!(index.vectors_in_memory() > 100);
    index.set_vector_cache(store.cache(UNCAPPED));
    assert_eq!(index.vector_cache_max_objects(), None);
    assert_eq!(index.vectors_in_memory(), 1200);
    assert_eq!(results(&index, &queries), want);
    // Raising an uncapped index changes nothing; inserts work in every layout.
    index.set_vector_cache(store.cache(usize::MAX));
    store.0.write().insert(5000, vec![0.5; 8]);
    index.insert(5000, &[0.5; 8]).unwrap();
    index.set_vector_cache(store.cache(20));
    store.0.write().insert(5001, vec![0.25; 8]);
    index.insert(5001, &[0.25; 8]).unwrap();
    assert_eq!(index.search(&[0.25; 8], 1, None).unwrap()[0].0, 5001);
    assert!(index.vectors_in_memory() <= 20);
    check_invariants(&index).assert_mostly_reachable();
}

#[test]
fn vectors_the_loader_lacks_are_skipped() {
    let vectors = gaussian_vectors(1000, 8, 95);
    let store = Store::of(&vectors);
    let index = build(Distance::L2Squared, Some(store.cache(0)), &vectors);
    assert_eq!(index.vectors_in_memory(), 0);
    // Deleted from the store but not (yet) from the index, the entry point among them.
    let (entry, _) = index.entry().unwrap();
    let entry_doc = index.storage.read().doc(entry);
    let mut gone: Vec<DocId> = (0..1000).step_by(3).chain([entry_doc]).collect();
    gone.sort_unstable();
    gone.dedup();
    for id in &gone {
        store.0.write().remove(id);
    }
    for q in gaussian_vectors(20, 8, 96).iter().chain(&vectors[..20]) {
        let hits = index.search(q, 10, None).unwrap();
        assert_eq!(hits.len(), 10);
        assert!(hits.iter().all(|(id, _)| !gone.contains(id)), "{hits:?}");
        let allow: RoaringBitmap = (0..50).collect();
        let hits = index.search(q, 5, Some(&allow)).unwrap();
        assert!(hits.iter().all(|(id, _)| !gone.contains(id)));
    }
    // Inserts, removals and a cleanup go on around the unusable nodes.
    for i in 1000..1100u32 {
        let v = vectors[(i - 1000) as usize].clone();
        store.0.write().insert(i, v.clone());
        index.insert(i, &v).unwrap();
    }
    for id in &gone {
        index.remove(*id);
    }
    assert_eq!(index.cleanup(), gone.len());
    let report = check_invariants(&index);
    assert_eq!(report.live, 1100 - gone.len());
    assert_eq!(index.vectors_in_memory(), 0);
}

#[test]
fn concurrent_searches_inserts_and_evictions() {
    let vectors = gaussian_vectors(3000, 8, 97);
    let store = Store::of(&vectors);
    let index = HnswIndex::with_vector_cache(Distance::L2Squared, small_params(), store.cache(150));
    index.insert_batch(&items(&vectors[..1500])).unwrap();
    let done = AtomicBool::new(false);
    let (index, store, vectors) = (&index, &store, &vectors);
    thread::scope(|scope| {
        for t in 0..2u64 {
            let done = &done;
            scope.spawn(move || {
                let queries = gaussian_vectors(20, 8, 98 + t);
                while !done.load(Ordering::Relaxed) {
                    for q in &queries {
                        let hits = index.search(q, 10, None).unwrap();
                        assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
                    }
                }
            });
        }
        scope.spawn(move || {
            for max in [40, 400, 0, 150].into_iter().cycle().take(40) {
                index.set_vector_cache(store.cache(max));
                thread::yield_now();
            }
        });
        let done = &done;
        scope.spawn(move || {
            for (i, v) in vectors.iter().enumerate().skip(1500) {
                index.insert(i as DocId, v).unwrap();
                if i % 5 == 0 {
                    index.remove((i - 1500) as DocId);
                }
                if i % 500 == 0 {
                    index.cleanup();
                }
            }
            done.store(true, Ordering::Relaxed);
        });
    });
    assert!(index.vectors_in_memory() <= 150);
    index.cleanup();
    check_invariants(index).assert_mostly_reachable();
    let live: Vec<(DocId, Vec<f32>)> = items(vectors)
        .into_iter()
        .filter(|(id, _)| !(*id < 1500 && id % 5 == 0))
        .collect();
    let flat = reference(Distance::L2Squared, &live);
    let r = mean_recall(index, &flat, &gaussian_vectors(50, 8, 99), 10, None);
    assert!(r >= 0.9, "recall@10 {r}");
    assert!(index.vectors_in_memory() <= 150);
}

#[test]
fn a_capped_restore_loads_at_most_the_cap() {
    let vectors = gaussian_vectors(1200, 8, 100);
    let queries = gaussian_vectors(30, 8, 101);
    let store = Store::of(&vectors);
    let index = build(Distance::Cosine, Some(store.cache(40)), &vectors);
    for id in (0..1200).step_by(9) {
        let v: Vec<f32> = vectors[id as usize].iter().map(|x| -x).collect();
        store.0.write().insert(id, v.clone());
        index.insert(id, &v).unwrap();
    }
    for id in (4..1200).step_by(25) {
        store.0.write().remove(&id);
        index.remove(id);
    }
    let mut bytes = Vec::new();
    index.write_graph(&mut bytes).unwrap();
    let current = store.0.read().clone();
    let feed = &mut |sink: &mut dyn FnMut(DocId, &[f32])| {
        for (id, v) in &current {
            sink(*id, v);
        }
    };
    let (restored, missing) = HnswIndex::read_graph_with_cache(
        Distance::Cosine,
        small_params(),
        store.cache(30),
        &mut &bytes[..],
        feed,
    )
    .unwrap();
    assert!(missing.is_empty());
    assert!(restored.vectors_in_memory() <= 30);
    assert_eq!(restored.tombstones(), index.tombstones());
    // Tombstones whose vector was evicted are not traversed; recall stays.
    let flat = reference(
        Distance::Cosine,
        &current.clone().into_iter().collect::<Vec<_>>(),
    );
    let r = mean_recall(&restored, &flat, &queries, 10, None);
    let before = mean_recall(&index, &flat, &queries, 10, None);
    assert!(
        r >= before - 0.05,
        "recall@10 {r} after the restore, {before} before"
    );
    assert!(restored.vectors_in_memory() <= 30);
    // A resident index reads the same snapshot, freeing the tombstones stored bare.
    let (resident, _) = HnswIndex::read_graph(
        Distance::Cosine,
        small_params(),
        &mut &bytes[..],
        &mut |sink: &mut dyn FnMut(DocId, &[f32])| {
            for (id, v) in &current {
                sink(*id, v);
            }
        },
    )
    .unwrap();
    assert_eq!(resident.len(), index.len());
    check_invariants(&resident).assert_mostly_reachable();
    assert!(mean_recall(&resident, &flat, &queries, 10, None) >= before - 0.05);
}
