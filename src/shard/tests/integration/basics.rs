//! Shard basics: writes, reads, modes, listing, rebuild on reopen, drop.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use shoal_shard::{
    IndexKind, NodeStore, PutMode, PutRefusal, Shard, ShardSpec, ShardStatus, TargetSpec,
};
use types::schema::Distance;
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

/// A flat, L2 shard `name` of class `Doc` with the unnamed target vector.
pub(crate) fn spec(name: &str) -> ShardSpec {
    ShardSpec {
        prefix: 0,
        name: name.to_string(),
        class: "Doc".to_string(),
        targets: vec![TargetSpec {
            name: DEFAULT_TARGET.to_string(),
            distance: Distance::L2Squared,
            kind: IndexKind::Flat,
            cleanup_interval_secs: 300,
            compression: shoal_shard::Compression::None,
        }],
        status: ShardStatus::Ready,
        async_indexing: false,
        inverted: Default::default(),
    }
}

fn object(n: u128, vector: Option<Vec<f32>>) -> Object {
    let mut properties = Map::new();
    properties.insert("n".into(), json!(n as u64));
    Object {
        id: Uuid::from_u128(n),
        class: "Doc".into(),
        tenant: None,
        properties,
        vectors: vector
            .map(|v| [(DEFAULT_TARGET.to_string(), v)].into())
            .unwrap_or_default(),
        creation_time_ms: 1000 + n as i64,
        last_update_time_ms: 1000 + n as i64,
    }
}

fn open(dir: &std::path::Path) -> (NodeStore, Arc<Shard>) {
    let store = NodeStore::open(dir, false).expect("open store");
    let shard = Arc::new(store.open_shard(spec("s1")).expect("open shard"));
    (store, shard)
}

fn put(shard: &Shard, objects: Vec<Object>, mode: PutMode) -> Vec<Result<Object, PutRefusal>> {
    shard.put_batch(objects, mode).expect("store write")
}

#[test]
fn put_get_delete_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let results = put(
        &shard,
        vec![object(1, Some(vec![1.0, 0.0])), object(2, None)],
        PutMode::Upsert,
    );
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(shard.object_count(), 2);

    let got = shard
        .get(&Uuid::from_u128(1), true)
        .expect("get")
        .expect("present");
    assert_eq!(got.properties["n"], json!(1));
    assert_eq!(got.vectors[DEFAULT_TARGET], vec![1.0, 0.0]);
    let plain = shard
        .get(&Uuid::from_u128(1), false)
        .expect("get")
        .expect("present");
    assert!(plain.vectors.is_empty(), "vectors only on request");

    assert!(shard.delete(&Uuid::from_u128(1)).expect("delete"));
    assert!(!shard.delete(&Uuid::from_u128(1)).expect("delete twice"));
    assert_eq!(shard.get(&Uuid::from_u128(1), false).expect("get"), None);
    assert_eq!(shard.object_count(), 1);
    let hits = shard
        .vector_search(DEFAULT_TARGET, &[1.0, 0.0], 10, None, false)
        .expect("search");
    assert!(hits.is_empty(), "a deleted object leaves the index");
}

#[test]
fn modes_refuse_without_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, vec![object(1, None)], PutMode::CreateOnly);
    let again = put(&shard, vec![object(1, None)], PutMode::CreateOnly);
    assert!(matches!(again[0], Err(PutRefusal::AlreadyExists(_))));
    let missing = put(&shard, vec![object(9, None)], PutMode::ReplaceExisting);
    assert!(matches!(missing[0], Err(PutRefusal::Missing(_))));
    assert_eq!(shard.object_count(), 1);
    assert!(!shard.exists(&Uuid::from_u128(9)).expect("exists"));
}

#[test]
fn upsert_keeps_doc_and_creation_time_and_replaces_vector() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(
        &shard,
        vec![object(1, Some(vec![0.0, 0.0]))],
        PutMode::Upsert,
    );
    let mut newer = object(1, Some(vec![5.0, 5.0]));
    newer.creation_time_ms = 99_999;
    newer.last_update_time_ms = 99_999;
    let stored = put(&shard, vec![newer], PutMode::Upsert)
        .remove(0)
        .map_err(|_| ())
        .expect("ok");
    assert_eq!(
        stored.creation_time_ms, 1001,
        "creation time of the first write is kept"
    );
    assert_eq!(shard.object_count(), 1);
    let hits = shard
        .vector_search(DEFAULT_TARGET, &[5.0, 5.0], 1, None, false)
        .expect("search");
    assert_eq!(hits[0].distance, 0.0, "the index holds the new vector");
    // An update without a vector removes the old one from the index.
    put(&shard, vec![object(1, None)], PutMode::Upsert);
    assert!(shard
        .vector_search(DEFAULT_TARGET, &[5.0, 5.0], 1, None, false)
        .expect("search")
        .is_empty());
}

#[test]
fn dimension_mismatch_refuses_only_that_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let results = put(
        &shard,
        vec![
            object(1, Some(vec![1.0, 2.0])),
            object(2, Some(vec![1.0, 2.0, 3.0])),
            object(3, Some(vec![0.0, 1.0])),
        ],
        PutMode::Upsert,
    );
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(results[1], Err(PutRefusal::Invalid(_))));
    assert_eq!(shard.object_count(), 2);
    assert!(
        !shard.exists(&Uuid::from_u128(2)).expect("exists"),
        "a refused object leaves nothing behind"
    );
    let later = put(&shard, vec![object(4, Some(vec![1.0]))], PutMode::Upsert);
    assert!(
        later[0].is_err(),
        "the dimension is fixed by the first vector"
    );
}

#[test]
fn duplicate_ids_in_one_batch_count_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let results = put(
        &shard,
        vec![object(1, Some(vec![1.0])), object(1, Some(vec![2.0]))],
        PutMode::Upsert,
    );
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(shard.object_count(), 1);
    let got = shard
        .get(&Uuid::from_u128(1), true)
        .expect("get")
        .expect("present");
    assert_eq!(
        got.vectors[DEFAULT_TARGET],
        vec![2.0],
        "the later write wins"
    );
    let hits = shard
        .vector_search(DEFAULT_TARGET, &[0.0], 10, None, false)
        .expect("search");
    assert_eq!(hits.len(), 1);
}

#[test]
fn list_pages_in_uuid_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(
        &shard,
        (1..=25).rev().map(|n| object(n, None)).collect(),
        PutMode::Upsert,
    );
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = shard.list(after.as_ref(), 10, false).expect("list");
        if page.is_empty() {
            break;
        }
        after = page.last().map(|o| o.id);
        seen.extend(page.into_iter().map(|o| o.id));
    }
    assert_eq!(seen, (1..=25).map(Uuid::from_u128).collect::<Vec<_>>());
}

#[test]
fn indexes_are_rebuilt_from_the_store_on_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (store, shard) = open(dir.path());
        put(
            &shard,
            (0..50)
                .map(|n| object(n, Some(vec![n as f32, 0.0])))
                .collect(),
            PutMode::Upsert,
        );
        shard.delete(&Uuid::from_u128(7)).expect("delete");
        store.flush().expect("flush");
    }
    let (_store, shard) = open(dir.path());
    assert_eq!(shard.object_count(), 49);
    let hits = shard
        .vector_search(DEFAULT_TARGET, &[7.0, 0.0], 3, None, false)
        .expect("search");
    let ids: Vec<Uuid> = hits.iter().map(|h| h.object.id).collect();
    assert!(!ids.contains(&Uuid::from_u128(7)));
    assert_eq!(hits[0].distance, 1.0);
    // New doc ids continue after the old ones instead of reusing a live one.
    put(
        &shard,
        vec![object(100, Some(vec![100.0, 0.0]))],
        PutMode::Upsert,
    );
    let top = shard
        .vector_search(DEFAULT_TARGET, &[100.0, 0.0], 1, None, false)
        .expect("search");
    assert_eq!(top[0].object.id, Uuid::from_u128(100));
    assert_eq!(
        shard
            .vector_search(DEFAULT_TARGET, &[0.0, 0.0], 100, None, false)
            .expect("search")
            .len(),
        50
    );
}

#[test]
fn search_within_returns_everything_inside_the_threshold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(
        &shard,
        (0..20).map(|n| object(n, Some(vec![n as f32]))).collect(),
        PutMode::Upsert,
    );
    let hits = shard
        .vector_search(DEFAULT_TARGET, &[0.0], 1000, Some(9.5), false)
        .expect("search");
    let d: Vec<f32> = hits.iter().map(|h| h.distance).collect();
    assert_eq!(d, vec![0.0, 1.0, 4.0, 9.0]);
}

#[test]
fn read_only_shard_refuses_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    put(&shard, vec![object(1, None)], PutMode::Upsert);
    shard.set_status(ShardStatus::ReadOnly);
    assert!(shard
        .put_batch(vec![object(2, None)], PutMode::Upsert)
        .is_err());
    assert!(shard.delete(&Uuid::from_u128(1)).is_err());
    shard.set_status(ShardStatus::Ready);
    assert!(shard.delete(&Uuid::from_u128(1)).expect("delete"));
}

#[test]
fn dropping_a_shard_removes_its_data_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = NodeStore::open(dir.path(), false).expect("open");
    let a = store.open_shard(spec("a")).expect("a");
    let b = store.open_shard(spec("b")).expect("b");
    put(&a, vec![object(1, Some(vec![1.0]))], PutMode::Upsert);
    put(&b, vec![object(1, Some(vec![1.0]))], PutMode::Upsert);
    store.drop_shard("Doc", "a").expect("drop");
    let names: Vec<String> = store
        .locations()
        .expect("locations")
        .into_iter()
        .map(|l| l.shard)
        .collect();
    assert_eq!(names, vec!["b".to_string()]);
    let a_again = store.open_shard(spec("a")).expect("reopen a");
    assert_eq!(a_again.object_count(), 0);
    assert!(a_again
        .get(&Uuid::from_u128(1), false)
        .expect("get")
        .is_none());
    assert!(b.get(&Uuid::from_u128(1), false).expect("get").is_some());
}

#[test]
fn properties_survive_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, shard) = open(dir.path());
    let mut obj = object(1, None);
    obj.properties
        .insert("nested".into(), json!({"a": [1, 2.5, "x"], "b": null}));
    put(&shard, vec![obj.clone()], PutMode::Upsert);
    let got = shard.get(&obj.id, false).expect("get").expect("present");
    assert_eq!(Value::Object(got.properties), Value::Object(obj.properties));
}
