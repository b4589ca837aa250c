//! Shard calls over real HTTP (one in-process node serving the data-plane routes) and the
//! replication rules on a mix of live and unreachable replicas.

use std::sync::Arc;
use std::time::Duration;

use cluster::raft::PeerClient;
use model::schema::parse_class;
use model::{ConsistencyLevel, ObjectWrite};
use serde_json::json;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use uuid::Uuid;

use super::calls::{Count, Mode, Put, VectorSearch};
use super::repair::ReadVersioned;
use super::{routes, Target};
use crate::replication::{hedged, read_replicas, replicate};
use crate::{Coordinator, Error};

/// A node with class `Doc` (one shard) holding 20 objects; the shard's name and the node.
async fn node(dir: &std::path::Path) -> (Arc<Coordinator>, String) {
    let c = crate::testing::standalone(dir).await;
    let class = parse_class(
        &json!({"class": "Doc", "vectorizer": "none"}),
        &c.schema_defaults(),
    );
    c.create_class(class.unwrap()).await.unwrap();
    let writes = (0..20)
        .map(|i| ObjectWrite {
            class: "Doc".into(),
            id: Some(Uuid::from_u128(i + 1)),
            tenant: None,
            properties: serde_json::Map::from_iter([("n".to_string(), json!(i))]),
            vector: Some(vec![i as f32, 1.0]),
            vectors: None,
        })
        .collect();
    let results = c.batch_objects(writes, ConsistencyLevel::All).await;
    assert!(results.iter().all(Result::is_ok));
    let shard = c.class_meta("Doc").unwrap().sharding.shard_names()[0].clone();
    (c, shard)
}

/// Serves the node's data-plane routes on a loopback port; a target that reaches them.
async fn serve(c: &Arc<Coordinator>) -> Target {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = routes().with_state(c.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    remote_at("node1", addr)
}

/// A replica named `node` at the internal address `addr`.
fn remote_at(node: &str, addr: String) -> Target {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    Target::Remote {
        node: node.into(),
        addr,
        peers: PeerClient::new(client, None, "test".into()),
        version: 0,
    }
}

fn local(c: &Coordinator, shard: &str) -> Target {
    Target::Local(c.shards.shard("Doc", shard).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_calls_answer_like_local_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (c, shard) = node(dir.path()).await;
    let (remote, local) = (serve(&c).await, local(&c, &shard));

    let get = ReadVersioned {
        id: Uuid::from_u128(3),
        vectors: true,
    };
    let there = remote.run("Doc", &shard, &get).await.unwrap();
    let here = local.run("Doc", &shard, &get).await.unwrap();
    assert_eq!(there.object, here.object);
    assert_eq!(there.version, here.version);
    assert!(matches!(there.version, Some(shard::Version::Live { .. })));
    assert_eq!(there.object.unwrap().vectors[""], vec![2.0, 1.0]);

    let search = VectorSearch {
        target: String::new(),
        vector: vec![5.0, 1.0],
        k: 3,
        max_distance: None,
        filter: None,
        with_vectors: false,
    };
    let ids =
        |hits: Vec<(types::Object, f32)>| hits.into_iter().map(|(o, _)| o.id).collect::<Vec<_>>();
    let remote_hits = ids(remote.run("Doc", &shard, &search).await.unwrap());
    assert_eq!(
        remote_hits,
        ids(local.run("Doc", &shard, &search).await.unwrap())
    );
    assert_eq!(remote.run("Doc", &shard, &Count {}).await.unwrap(), 20);

    // A filter as deep as GraphQL admits (a left-deep And of 250 conditions, about 500 JSON
    // levels) crosses the wire; it once stopped at serde_json's 128 levels.
    let mut deep = Filter::Condition(not_n(0));
    for n in 1..250 {
        deep = Filter::And(vec![deep, Filter::Condition(not_n(n % 20))]);
    }
    let deep_search = VectorSearch {
        filter: Some(deep),
        ..search.clone()
    };
    assert_eq!(
        remote.run("Doc", &shard, &deep_search).await.unwrap().len(),
        0
    );
    let shallow = VectorSearch {
        filter: Some(Filter::Condition(not_n(19))),
        ..search.clone()
    };
    assert_eq!(
        ids(remote.run("Doc", &shard, &shallow).await.unwrap()),
        ids(local.run("Doc", &shard, &shallow).await.unwrap())
    );

    // A refusal keeps its kind across the wire.
    let mut object = c
        .get_object(
            Some("Doc"),
            Uuid::from_u128(1),
            None,
            true,
            ConsistencyLevel::One,
        )
        .await
        .unwrap()
        .unwrap();
    object.last_update_time_ms += 1;
    let put = Put {
        mode: Mode::CreateOnly,
        objects: vec![object],
    };
    let answer = remote.run("Doc", &shard, &put).await.unwrap();
    let refusal = Error::from(answer[0].clone().unwrap_err());
    assert_eq!(
        refusal.to_string(),
        format!("id '{}' already exists", Uuid::from_u128(1))
    );

    // A shard the node does not hold, and a node that is not there, are transport failures.
    let missing = remote.run("Doc", "nope", &Count {}).await.unwrap_err();
    assert!(super::is_transport(&missing), "{missing}");
    let dead = remote_at("node9", "127.0.0.1:1".into());
    let err = dead.run("Doc", &shard, &Count {}).await.unwrap_err();
    assert!(super::is_transport(&err), "{err}");
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// A peer that answers every shard call with the count `answer`, after `delay`.
async fn slow_peer(delay: Duration, answer: u64) -> Target {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let reply = move || async move {
        tokio::time::sleep(delay).await;
        axum::Json(json!({ "Ok": answer }))
    };
    let app = axum::Router::new().route("/shards/{class}/{shard}/{op}", axum::routing::post(reply));
    tokio::spawn(async move { axum::serve(listener, app).await });
    remote_at("slow", addr)
}

/// A replica that holds a call past the hedge delay gets company, and the first answer wins;
/// one that answers within it is the only one asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_replica_is_hedged_and_a_dead_one_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (c, shard) = node(dir.path()).await;
    let slow = slow_peer(Duration::from_millis(1500), 999).await;
    let live = local(&c, &shard);
    let dead = Target::Missing("gone".into());
    let ask = |targets: Vec<Target>, hedge_ms: u64| {
        let shard = shard.clone();
        async move {
            hedged(
                "Doc",
                &shard,
                &targets,
                &Count {},
                Duration::from_millis(hedge_ms),
            )
            .await
            .unwrap()
            .unwrap()
        }
    };
    assert_eq!(ask(vec![slow.clone(), live.clone()], 50).await, (1, 20));
    assert_eq!(
        ask(vec![slow.clone(), live.clone()], 60_000).await,
        (0, 999)
    );
    assert_eq!(ask(vec![dead.clone(), live.clone()], 60_000).await, (1, 20));
    let none = hedged("Doc", &shard, &[dead], &Count {}, Duration::from_secs(1)).await;
    assert!(none.is_err_and(|e| super::is_transport(&e)));
    assert!(
        hedged("Doc", &shard, &[], &Count {}, Duration::from_secs(1))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_count_live_replicas() {
    let dir = tempfile::tempdir().unwrap();
    let (c, shard) = node(dir.path()).await;
    let live = local(&c, &shard);
    let gone = |n: &str| Target::Missing(n.to_string());
    let targets = vec![live.clone(), gone("n2"), gone("n3")];
    let object = c
        .get_object(
            Some("Doc"),
            Uuid::from_u128(2),
            None,
            true,
            ConsistencyLevel::One,
        )
        .await
        .unwrap()
        .unwrap();
    let put = |n: i64| {
        let mut o = object.clone();
        o.properties.insert("n".into(), json!(n));
        Put {
            mode: Mode::Upsert,
            objects: vec![o],
        }
    };
    let split = |answer: Vec<super::WireResult<super::calls::Stamp>>| {
        answer
            .into_iter()
            .map(|r| r.map_err(Error::from))
            .collect::<Vec<_>>()
    };
    let metrics = crate::metrics::Metrics::new(false).expect("metrics");
    let write = |level, call| {
        replicate(
            "Doc".into(),
            shard.clone(),
            targets.clone(),
            level,
            1,
            call,
            split,
            &metrics,
        )
    };

    // One live replica of three: QUORUM fails before writing anything, ONE succeeds.
    let failed = write(ConsistencyLevel::Quorum, put(100)).await;
    assert_eq!(
        failed[0].as_ref().unwrap_err().to_string(),
        "cannot achieve consistency level \"QUORUM\": cannot reach enough replicas"
    );
    let read = ReadVersioned {
        id: object.id,
        vectors: false,
    };
    let stored = live
        .run("Doc", &shard, &read)
        .await
        .unwrap()
        .object
        .unwrap();
    assert_eq!(stored.properties["n"], json!(1));
    let done = write(ConsistencyLevel::One, put(200)).await;
    assert_eq!(done[0].as_ref().unwrap().len(), 1);

    // Reads: ONE fails over to the live replica whatever the order; QUORUM cannot be met.
    let order = vec![gone("n2"), live.clone(), gone("n3")];
    let answers = read_replicas("Doc", &shard, &order, ConsistencyLevel::One, read.clone())
        .await
        .unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].0, 1);
    assert_eq!(
        answers[0].1.object.as_ref().unwrap().properties["n"],
        json!(200)
    );
    let err = read_replicas("Doc", &shard, &order, ConsistencyLevel::Quorum, read)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), types::ErrorKind::Internal);
}

/// `n != value`.
fn not_n(value: i64) -> Condition {
    Condition {
        path: FilterPath::Property("n".into()),
        operator: Operator::NotEqual,
        value: FilterValue::Number(value as f64),
    }
}
