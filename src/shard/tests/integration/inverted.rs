//! The inverted index follows every write (in the same atomic batch) and survives a restart.

use std::path::Path;
use std::sync::Arc;

use roaring::RoaringBitmap;
use serde_json::{json, Map, Value};
use shoal_shard::{
    IndexConfig, IndexKind, NodeStore, PropertySpec, PutMode, Shard, ShardSpec, ShardStatus,
    Stopwords, TargetSpec, Tokenization,
};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::{DataType, Distance};
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

fn config() -> IndexConfig {
    let prop =
        |name: &str, data_type| PropertySpec::with_defaults(name, data_type, Tokenization::Word);
    IndexConfig {
        properties: vec![prop("title", DataType::Text), prop("count", DataType::Int)],
        stopwords: Stopwords::new("en", &[], &[]).expect("stopwords"),
        k1: 1.2,
        b: 0.75,
        index_null_state: false,
        index_property_length: false,
        index_timestamps: false,
    }
}

fn spec() -> ShardSpec {
    ShardSpec {
        prefix: 0,
        name: "i1".into(),
        class: "Doc".into(),
        targets: vec![TargetSpec {
            name: DEFAULT_TARGET.into(),
            distance: Distance::L2Squared,
            kind: IndexKind::Flat,
            cleanup_interval_secs: 300,
            compression: shoal_shard::Compression::None,
        }],
        status: ShardStatus::Ready,
        async_indexing: false,
        inverted: config(),
    }
}

fn object(n: u128, title: &str, count: i64) -> Object {
    let mut properties = Map::new();
    properties.insert("title".into(), Value::from(title));
    properties.insert("count".into(), json!(count));
    Object {
        id: Uuid::from_u128(n),
        class: "Doc".into(),
        tenant: None,
        properties,
        vectors: [(DEFAULT_TARGET.to_string(), vec![n as f32])].into(),
        creation_time_ms: 1,
        last_update_time_ms: 1,
    }
}

fn open(dir: &Path) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(&dir.join("db"), false).expect("store");
    let shard = Arc::new(store.open_shard(spec()).expect("shard"));
    (store, shard)
}

fn eq(path: &str, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path: FilterPath::Property(path.into()),
        operator: Operator::Equal,
        value,
    })
}

/// The uuids (as numbers) of the objects matching `filter`.
fn matching(shard: &Shard, filter: &Filter) -> Vec<u128> {
    let docs: RoaringBitmap = shard.filter(filter).expect("filter");
    let mut ids: Vec<u128> = shard
        .objects_of_set(&docs, usize::MAX, false)
        .expect("objects")
        .iter()
        .map(|o| o.id.as_u128())
        .collect();
    ids.sort();
    ids
}

#[test]
fn filters_follow_updates_deletes_and_batch_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let batch = vec![
        object(1, "red fox", 1),
        object(2, "blue fox", 2),
        object(3, "red dog", 3),
    ];
    shard.put_batch(batch, PutMode::Upsert).expect("write");
    assert_eq!(
        matching(&shard, &eq("title", FilterValue::Text("red".into()))),
        vec![1, 3]
    );

    // An update replaces the old terms; a duplicate within one batch: the later write wins.
    let batch = vec![
        object(1, "green fox", 10),
        object(3, "gray dog", 30),
        object(3, "red cat", 31),
    ];
    shard.put_batch(batch, PutMode::Upsert).expect("update");
    assert_eq!(
        matching(&shard, &eq("title", FilterValue::Text("red".into()))),
        vec![3]
    );
    assert!(matching(&shard, &eq("title", FilterValue::Text("gray".into()))).is_empty());
    assert_eq!(
        matching(&shard, &eq("count", FilterValue::Int(31))),
        vec![3]
    );
    assert!(matching(&shard, &eq("count", FilterValue::Int(1))).is_empty());

    shard.delete(&Uuid::from_u128(2)).expect("delete");
    assert!(matching(&shard, &eq("title", FilterValue::Text("blue".into()))).is_empty());
    assert_eq!(
        matching(&shard, &eq("title", FilterValue::Text("fox".into()))),
        vec![1]
    );
}

#[test]
fn postings_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, shard) = open(dir.path());
        let batch = (0..50)
            .map(|n| object(n, if n % 2 == 0 { "even" } else { "odd" }, n as i64))
            .collect();
        shard.put_batch(batch, PutMode::Upsert).expect("write");
        shard.delete(&Uuid::from_u128(4)).expect("delete");
        shard
            .put_batch(vec![object(6, "odd", 6)], PutMode::Upsert)
            .expect("update");
    }
    let (_store, shard) = open(dir.path());
    let evens = matching(&shard, &eq("title", FilterValue::Text("even".into())));
    let expected: Vec<u128> = (0..50)
        .filter(|n| n % 2 == 0 && *n != 4 && *n != 6)
        .collect();
    assert_eq!(evens, expected);
    assert_eq!(matching(&shard, &eq("count", FilterValue::Int(6))), vec![6]);
}

#[test]
fn keyword_search_and_filtered_vector_search_see_the_same_objects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let batch = vec![
        object(1, "quick brown fox", 1),
        object(2, "lazy dog", 2),
        object(3, "quick dog", 3),
    ];
    shard.put_batch(batch, PutMode::Upsert).expect("write");
    let hits = shard
        .keyword_search(
            shoal_shard::KeywordQuery {
                text: "quick",
                properties: &[],
                matching: Default::default(),
            },
            10,
            None,
            false,
            None,
        )
        .expect("bm25");
    let mut ids: Vec<u128> = hits.iter().map(|h| h.object.id.as_u128()).collect();
    ids.sort();
    assert_eq!(ids, vec![1, 3]);
    assert!(hits.iter().all(|h| h.score > 0.0));
    let allow = shard
        .filter(&eq("title", FilterValue::Text("dog".into())))
        .expect("filter");
    let near = shard
        .filtered_vector_search(DEFAULT_TARGET, &[1.0], 10, None, Some(&allow), false)
        .expect("search");
    let ids: Vec<u128> = near.iter().map(|h| h.object.id.as_u128()).collect();
    assert_eq!(ids, vec![2, 3], "only dogs, nearest first");
}
