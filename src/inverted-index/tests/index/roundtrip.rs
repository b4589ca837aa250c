//! Durable entries: an index rebuilt by loading every stored entry (in any order) equals the
//! one built by `apply`; an update is "delete the old entries, write the new ones"; and after
//! any sequence of inserts, updates and deletes the index equals a fresh one and still agrees
//! with the naive evaluator.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde_json::{json, Map, Value};
use shoal_inverted_index::{InvertedIndex, Posting};
use types::DocId;

use super::naive::{expected, filter, object, objects, schema};
use super::{build, Obj};

fn ids(n: usize) -> Vec<String> {
    (0..n as u32)
        .map(|i| Obj::new(i, json!({})).id.to_string())
        .collect()
}

/// The index loaded from stored entries, entry by entry and in bulk (a shard's open), which
/// must agree.
fn loaded(stored: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) -> InvertedIndex {
    let (index, bulk) = (InvertedIndex::new(schema()), InvertedIndex::new(schema()));
    let mut loader = bulk.loader();
    for (k, v) in stored {
        index.load(&k, &v).expect("stored entries load");
        loader.push(&k, &v).expect("stored entries load");
    }
    loader.finish();
    assert!(
        bulk.same_data(&index),
        "bulk load differs from loading entry by entry"
    );
    bulk
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Put {
        slot: usize,
        props: Map<String, Value>,
    },
    Delete {
        slot: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..12, object()).prop_map(|(slot, props)| Step::Put { slot, props }),
        1 => (0usize..12).prop_map(|slot| Step::Delete { slot }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn loading_stored_entries_rebuilds_the_same_index(
        props in prop::collection::vec(object(), 1..20),
        seed in any::<u64>(),
        filters in prop::collection::vec(filter(ids(20)), 1..6),
    ) {
        let objs = objects(props);
        let (index, mut stored) = build(schema(), &objs);
        stored.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
        let rebuilt = loaded(stored.into_iter().map(|p| (p.key, p.value)));
        prop_assert!(rebuilt.same_data(&index));
        prop_assert_eq!(rebuilt.doc_count(), objs.len() as u64);
        for f in &filters {
            prop_assert_eq!(index.filter(f), rebuilt.filter(f), "filter {:?}", f);
        }
    }

    #[test]
    fn updates_and_deletes_equal_a_fresh_index(
        steps in prop::collection::vec(step(), 1..40),
        filters in prop::collection::vec(filter(ids(12)), 1..6),
    ) {
        let index = InvertedIndex::new(schema());
        // what a shard would hold: the objects by slot (doc = slot) and the stored entries
        let mut current: Vec<Option<Obj>> = vec![None; 12];
        let mut store: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for (t, s) in steps.into_iter().enumerate() {
            let (slot, new_obj) = match s {
                Step::Put { slot, props } => {
                    let mut o = Obj::new(slot as u32, Value::Object(props));
                    o.updated += t as i64;
                    (slot, Some(o))
                }
                Step::Delete { slot } => (slot, None),
            };
            let doc = slot as DocId;
            let old: Vec<Posting> = current[slot].as_ref().map(|o| index.postings(doc, &o.input())).unwrap_or_default();
            let new: Vec<Posting> = new_obj.as_ref().map(|o| index.postings(doc, &o.input())).unwrap_or_default();
            for p in &old {
                store.remove(&p.key);
            }
            for p in &new {
                store.insert(p.key.clone(), p.value.clone());
            }
            index.apply(doc, &old, &new);
            current[slot] = new_obj;
        }
        let fresh = InvertedIndex::new(schema());
        for (slot, o) in current.iter().enumerate() {
            if let Some(o) = o {
                let p = fresh.postings(slot as DocId, &o.input());
                fresh.apply(slot as DocId, &[], &p);
            }
        }
        prop_assert!(index.same_data(&fresh), "incremental index differs from a fresh one");
        prop_assert!(loaded(store).same_data(&fresh), "index loaded from the store differs");
        let cfg = schema();
        for f in &filters {
            let got = index.filter(f).map(|b| b.iter().collect::<Vec<u32>>());
            match expected(&cfg, &current, f) {
                Ok(want) => prop_assert_eq!(got, Ok(want), "filter {:?}", f),
                Err(_) => prop_assert!(got.is_err()),
            }
        }
    }
}

#[test]
fn postings_are_deterministic_and_keyed_by_doc() {
    let o = Obj::new(
        3,
        json!({"name": "b a b", "tags": ["x", "y", "x"], "count": 2, "nums": [2, 2, 1]}),
    );
    let index = InvertedIndex::new(schema());
    let a = index.postings(7, &o.input());
    assert_eq!(a, index.postings(7, &o.input()));
    assert!(a.iter().all(|p| p.key.ends_with(&7u32.to_be_bytes())));
    let keys: std::collections::HashSet<&Vec<u8>> = a.iter().map(|p| &p.key).collect();
    assert_eq!(
        keys.len(),
        a.len(),
        "no duplicate keys (tokens and elements are deduplicated)"
    );
}

#[test]
fn corrupt_entries_are_load_errors() {
    let index = InvertedIndex::new(schema());
    assert!(matches!(
        index.load(&[0x10, 0, 1], &[]),
        Err(shoal_inverted_index::Error::Corrupt(_))
    ));
    assert!(matches!(
        index.loader().push(&[0x10, 0, 1], &[]),
        Err(shoal_inverted_index::Error::Corrupt(_))
    ));
    assert_eq!(
        shoal_inverted_index::Error::Corrupt(String::new()).kind(),
        types::ErrorKind::Internal
    );
}

#[test]
fn new_properties_need_no_reindexing() {
    let mut cfg = schema();
    let extra = cfg.properties.pop().expect("a property");
    let objs = objects(vec![
        Map::new(),
        json!({"loc": {"latitude": 1.0, "longitude": 2.0}})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    ]);
    let (index, _) = build(cfg.clone(), &objs);
    cfg.properties.push(extra);
    index.set_config(cfg);
    let f = types::filter::Filter::Condition(types::filter::Condition {
        path: types::filter::FilterPath::Property("loc".into()),
        operator: types::filter::Operator::IsNull,
        value: types::filter::FilterValue::Boolean(true),
    });
    // written before the property existed: no entries, so null
    assert_eq!(index.filter(&f).map(|b| b.len()), Ok(2));
}
