//! Every class definition the API accepts can be stored and read back: parsed by
//! `model::schema::parse_class`, wrapped in a Raft entry (the log and state-machine codec) and
//! in an append-entries body (the internal port), it decodes to the same value. (That nesting
//! beyond `MAX_NESTING_DEPTH` is refused is the model's test.)

use cluster::raft::{decode_record, encode_record, MetaRequest};
use cluster::sharding::ShardingState;
use cluster::{ClassMeta, MetaCommand};
use model::schema::{parse_class, SchemaDefaults};
use proptest::prelude::*;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use types::json::MAX_NESTING_DEPTH;

const LEAF_TYPES: [&str; 8] = [
    "text", "int", "number", "boolean", "date", "uuid", "text[]", "number[]",
];

/// An `object` property whose nested properties go `depth` levels down, `width` properties per
/// level (the last one nests further), with leaf types picked by `types`.
fn nested_property(depth: usize, width: usize, types: &[usize], array: bool) -> Value {
    let mut children: Vec<Value> = vec![json!({"name": "leaf", "dataType": ["text"]})];
    for level in (1..depth).rev() {
        let mut level_props: Vec<Value> = (0..width)
            .map(|i| {
                let kind = LEAF_TYPES[types[(level + i) % types.len()] % LEAF_TYPES.len()];
                json!({"name": format!("p{i}"), "dataType": [kind]})
            })
            .collect();
        level_props.push(json!({
            "name": format!("deeper{level}"),
            "dataType": [if array && level % 2 == 0 { "object[]" } else { "object" }],
            "nestedProperties": children,
        }));
        children = level_props;
    }
    json!({"name": "meta", "dataType": [if array { "object[]" } else { "object" }], "nestedProperties": children})
}

/// `{"k": ... }` nested `levels` deep.
fn nested_config(levels: usize) -> Value {
    let mut v = json!("x");
    for _ in 0..levels {
        v = json!({ "k": v });
    }
    v
}

fn class_body(depth: usize, width: usize, types: &[usize], array: bool, config: usize) -> Value {
    json!({
        "class": "Nested",
        "vectorizer": "none",
        "moduleConfig": {"custom": nested_config(config)},
        "properties": [nested_property(depth, width, types, array)],
    })
}

fn request_of(body: &Value) -> MetaRequest {
    let class = parse_class(body, &SchemaDefaults::default()).expect("accepted");
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let sharding = ShardingState::new(1, 4, &["n1".to_string()], 1, &mut rng);
    MetaRequest {
        request_id: "r".into(),
        command: MetaCommand::AddClass {
            meta: Box::new(ClassMeta {
                class,
                sharding,
                vector_dims: Default::default(),
                tenants: Default::default(),
                copy: None,
            }),
        },
    }
}

/// The nesting of an append-entries body around a request.
#[derive(Serialize, Deserialize)]
struct Wrapped<T> {
    entries: Vec<Entry<T>>,
}

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    normal: T,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn accepted_classes_round_trip_through_the_log_and_the_wire(
        depth in 1..=MAX_NESTING_DEPTH,
        width in 0usize..3,
        types in proptest::collection::vec(0usize..8, 1..6),
        array in any::<bool>(),
        // The body parser admits 128 levels; moduleConfig sits two levels down.
        config in 0usize..=125,
    ) {
        let body = class_body(depth, width, &types, array, config);
        // What a client sends goes through serde_json's default parser first.
        let sent: Value = serde_json::from_slice(&serde_json::to_vec(&body).unwrap())
            .expect("the client-facing parser accepts it");
        let request = request_of(&sent);
        let record = encode_record(&request).expect("encode");
        let back: MetaRequest = decode_record(&record).expect("the log reads back");
        prop_assert_eq!(&back, &request);
        // An append-entries body wraps each entry a few levels deeper still.
        let wire = serde_json::to_vec(&Wrapped { entries: vec![Entry { normal: &request }] }).unwrap();
        let decoded: Wrapped<MetaRequest> = types::json::from_slice(&wire)
            .map_err(|e| TestCaseError::fail(format!("the internal port cannot read it: {e}")))?;
        let inner = decoded.entries.into_iter().next().expect("one entry").normal;
        prop_assert_eq!(inner, request);
    }
}
