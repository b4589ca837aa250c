//! Filters on reference targets (`ReferencesAny`), and shards stored before references'
//! targets were indexed: they get the entries when they open, once.

use std::sync::Arc;

use roaring::RoaringBitmap;
use serde_json::{json, Map, Value};
use shoal_shard::{
    IndexConfig, IndexKind, NodeStore, PropertySpec, PutMode, Shard, ShardSpec, ShardStatus,
    Stopwords, TargetSpec, Tokenization,
};
use storage::{keys, Cf, KvStore, RocksConfig, RocksStore, WriteBatch};
use types::filter::Filter;
use types::schema::{DataType, Distance};
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

/// Where the shard records the layout of its entries (an implementation detail the tests
/// reach into to simulate a shard written before layout 2).
const LAYOUT_KEY: &[u8] = b"postings_layout";

fn spec(with_refs: bool) -> ShardSpec {
    let prop = |name: &str, dt| PropertySpec::with_defaults(name, dt, Tokenization::Word);
    let mut properties = vec![prop("title", DataType::Text)];
    if with_refs {
        properties.push(prop("cites", DataType::Reference(vec!["Doc".into()])));
    }
    ShardSpec {
        prefix: 0,
        name: "r1".into(),
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
        inverted: IndexConfig {
            properties,
            stopwords: Stopwords::new("en", &[], &[]).expect("stopwords"),
            k1: 1.2,
            b: 0.75,
            index_null_state: false,
            index_property_length: false,
            index_timestamps: false,
        },
    }
}

fn target(t: u128) -> Uuid {
    Uuid::from_u128(0xdead_0000_0000_4000_8000_0000_0000_0000 + t)
}

/// Object `n` citing `targets`, every other one in the legacy class-less form; `None`: no
/// `cites` property.
fn object(n: u128, targets: Option<&[u128]>) -> Object {
    let mut properties = Map::new();
    properties.insert("title".into(), json!(format!("doc {n}")));
    if let Some(ts) = targets {
        let beacons: Vec<Value> = ts
            .iter()
            .enumerate()
            .map(|(i, t)| match i % 2 {
                0 => json!({ "beacon": format!("weaviate://localhost/Doc/{}", target(*t)) }),
                _ => json!({ "beacon": format!("weaviate://localhost/{}", target(*t)) }),
            })
            .collect();
        properties.insert("cites".into(), Value::Array(beacons));
    }
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

/// The targets object `n` of the fixture cites.
fn cited_by(n: u128) -> Option<Vec<u128>> {
    match n % 6 {
        0 => None,
        1 => Some(Vec::new()),
        _ => Some(vec![n % 5, (n + 2) % 5, n % 5]),
    }
}

fn refs_any(targets: &[u128]) -> Filter {
    Filter::ReferencesAny {
        property: "cites".into(),
        targets: targets.iter().map(|t| target(*t)).collect(),
    }
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
    // the ids-only read (reference filters, batch deletes) finds the same objects
    let mut only_ids: Vec<u128> = shard
        .ids_of_set(&docs, usize::MAX)
        .expect("ids")
        .iter()
        .map(|id| id.as_u128())
        .collect();
    only_ids.sort();
    assert_eq!(only_ids, ids);
    ids
}

/// A node's store over a real RocksDB, which the tests also reach directly. Fields drop in
/// order: the database closes before its directory goes.
struct Fixture {
    nodes: NodeStore,
    store: Arc<RocksStore>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(
            RocksStore::open(&dir.path().join("db"), &RocksConfig::default()).expect("db"),
        );
        let nodes = NodeStore::with_store(store.clone());
        Fixture {
            nodes,
            store,
            _dir: dir,
        }
    }

    fn open(&self, with_refs: bool) -> Shard {
        self.nodes.open_shard(spec(with_refs)).expect("shard")
    }

    fn prefix(&self) -> u64 {
        let locations = self.nodes.locations().expect("locations");
        assert_eq!(locations.len(), 1);
        locations[0].prefix
    }

    /// The stored value entries of `cites`, by the durable layout (kind `0x10`, the
    /// property's name with its `u16` length).
    fn reference_entries(&self) -> Vec<Vec<u8>> {
        let mut start = keys::shard_prefix(self.prefix()).to_vec();
        start.extend_from_slice(&[0x10, 0, 5]);
        start.extend_from_slice(b"cites");
        let rows = self
            .store
            .scan_prefix(Cf::Postings, &start, b"", usize::MAX);
        rows.expect("scan").into_iter().map(|(k, _)| k).collect()
    }

    fn layout(&self) -> Option<u64> {
        let key = keys::shard_key(self.prefix(), LAYOUT_KEY);
        let stored = self.store.get(Cf::ShardMeta, &key).expect("get")?;
        Some(u64::from_be_bytes(stored.try_into().expect("8 bytes")))
    }

    /// Turns the stored shard into one written before layout 2: every `step`th reference
    /// entry deleted (all with 1; others: a backfill cut short), and the layout forgotten.
    fn forget_reference_entries(&self, step: usize) -> usize {
        let mut batch = WriteBatch::new();
        let entries = self.reference_entries();
        for k in entries.iter().step_by(step) {
            batch.delete(Cf::Postings, k.clone());
        }
        batch.delete(Cf::ShardMeta, keys::shard_key(self.prefix(), LAYOUT_KEY));
        self.store.write(batch).expect("write");
        entries.len().div_ceil(step)
    }
}

/// Checks a few filters against `cites`: the targets each of objects 0.. cites (`None`:
/// deleted, or no `cites` property).
fn check_answers(shard: &Shard, cites: &[Option<Vec<u128>>]) {
    for targets in [
        vec![0],
        vec![3],
        vec![1, 4],
        vec![0, 1, 2, 3, 4],
        vec![7],
        vec![],
    ] {
        let want: Vec<u128> = (0..cites.len() as u128)
            .filter(|n| {
                let c = &cites[*n as usize];
                c.as_ref()
                    .is_some_and(|c| c.iter().any(|t| targets.contains(t)))
            })
            .collect();
        assert_eq!(matching(shard, &refs_any(&targets)), want, "{targets:?}");
    }
}

#[test]
fn old_shards_get_reference_entries_on_open_once() {
    let fx = Fixture::new();
    let shard = fx.open(true);
    assert_eq!(
        fx.layout(),
        Some(2),
        "a new shard starts at the current layout"
    );
    let mut cites: Vec<Option<Vec<u128>>> = (0..40).map(cited_by).collect();
    let batch = (0..40).map(|n| object(n, cited_by(n).as_deref())).collect();
    shard.put_batch(batch, PutMode::Upsert).expect("write");
    check_answers(&shard, &cites);
    let written = fx.reference_entries();
    assert!(written.len() > 40, "{}", written.len());
    drop(shard);

    assert_eq!(fx.forget_reference_entries(1), written.len());
    assert!(fx.reference_entries().is_empty());
    let shard = fx.open(true);
    assert_eq!(fx.reference_entries(), written);
    assert_eq!(fx.layout(), Some(2));
    check_answers(&shard, &cites);
    drop(shard);

    // a backfill cut short before it recorded the layout: run again, whole
    assert!(fx.forget_reference_entries(3) > 0);
    let shard = fx.open(true);
    assert_eq!(fx.reference_entries(), written);
    check_answers(&shard, &cites);
    drop(shard);

    // reopening at the current layout changes nothing
    let shard = fx.open(true);
    assert_eq!(fx.reference_entries(), written);
    check_answers(&shard, &cites);

    // backfilled entries are the write path's: an update or a delete removes them
    let update = vec![object(2, Some(&[4])), object(5, None)];
    shard.put_batch(update, PutMode::Upsert).expect("update");
    shard.delete(&Uuid::from_u128(10)).expect("delete");
    cites[2] = Some(vec![4]);
    cites[5] = None;
    cites[10] = None;
    check_answers(&shard, &cites);
    assert!(!matching(&shard, &refs_any(&[2])).contains(&2));
}

#[test]
fn large_shards_are_backfilled_page_by_page_in_bounded_batches() {
    // more objects than one scan page (1000) and more entries than one batch (10 000)
    let fx = Fixture::new();
    let shard = fx.open(true);
    let cites: Vec<Option<Vec<u128>>> = (0..2100u128)
        .map(|n| Some((0..5).map(|k| (n + k * 7) % 50).collect()))
        .collect();
    let batch = (0..2100)
        .map(|n| object(n, cites[n as usize].as_deref()))
        .collect();
    shard.put_batch(batch, PutMode::Upsert).expect("write");
    let written = fx.reference_entries();
    assert_eq!(written.len(), 2100 * 5);
    drop(shard);
    fx.forget_reference_entries(1);
    let shard = fx.open(true);
    assert_eq!(fx.reference_entries(), written);
    check_answers(&shard, &cites);
}

#[test]
fn shards_without_reference_properties_only_record_the_layout() {
    let fx = Fixture::new();
    let shard = fx.open(false);
    let batch = (0..20).map(|n| object(n, cited_by(n).as_deref())).collect();
    shard.put_batch(batch, PutMode::Upsert).expect("write");
    drop(shard);
    let prefix = keys::shard_prefix(fx.prefix());
    let count = || {
        let rows = fx.store.scan_prefix(Cf::Postings, &prefix, b"", usize::MAX);
        rows.expect("scan").len()
    };
    let before = count();
    fx.forget_reference_entries(1);
    assert_eq!(fx.layout(), None);
    let shard = fx.open(false);
    assert_eq!(fx.layout(), Some(2));
    assert_eq!(count(), before);
    let err = shard.filter(&refs_any(&[2])).expect_err("no such property");
    assert!(err.to_string().contains("no such prop"), "{err}");
}
