//! Helpers for the GraphQL unit tests: classes from short JSON, parsed selection sets, and a fake
//! backend that records what it was asked.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use model::search_rules::Limits;
use model::{AggregateQuery, AggregateResult, HitGroup, SearchHit, SearchQuery, SearchResult};
use serde_json::{json, Value};
use types::schema::{Class, Distance};
use types::Object;
use uuid::Uuid;

use super::fields::QSelection;
use super::Backend;

/// A class from a short JSON form; every required block is filled with defaults. A
/// `vectorIndexConfig` of `{"distance": ...}` becomes a flat index with that metric.
pub(crate) fn class_from_json(short: Value) -> Class {
    let Value::Object(mut c) = short else {
        panic!("a class is an object")
    };
    if let Some(Value::Array(props)) = c.get_mut("properties") {
        props.iter_mut().for_each(fill_property);
    }
    let distance = c
        .get("vectorIndexConfig")
        .and_then(|v| v.get("distance"))
        .cloned()
        .unwrap_or(json!("cosine"));
    if !c.contains_key("vectorConfig") {
        c.insert("vectorIndexType".into(), json!("flat"));
        c.insert("vectorIndexConfig".into(), flat(distance));
    }
    c.entry("invertedIndexConfig").or_insert(json!({
        "cleanupIntervalSeconds": 60, "bm25": {"k1": 1.2, "b": 0.75},
        "stopwords": {"preset": "en", "additions": null, "removals": null}}));
    c.entry("shardingConfig").or_insert(json!({
        "virtualPerPhysical": 128, "desiredCount": 1, "actualCount": 1, "desiredVirtualCount": 128,
        "actualVirtualCount": 128, "key": "_id", "strategy": "hash", "function": "murmur3"}));
    c.entry("replicationConfig").or_insert(
        json!({"factor": 1, "asyncEnabled": false, "deletionStrategy": "NoAutomatedResolution"}),
    );
    c.entry("multiTenancyConfig").or_insert(
        json!({"enabled": false, "autoTenantCreation": false, "autoTenantActivation": false}),
    );
    serde_json::from_value(Value::Object(c)).expect("a valid class")
}

/// A named-vector block for `vectorConfig`.
pub(crate) fn named_vector(distance: &str) -> Value {
    json!({"vectorizer": {"none": {}}, "vectorIndexType": "flat", "vectorIndexConfig": flat(json!(distance))})
}

fn flat(distance: Value) -> Value {
    let off = json!({"enabled": false, "rescoreLimit": -1, "cache": false});
    json!({"distance": distance, "vectorCacheMaxObjects": 1000000000000i64, "pq": off, "bq": off, "sq": off})
}

fn fill_property(p: &mut Value) {
    let Value::Object(p) = p else { return };
    for key in ["indexFilterable", "indexSearchable"] {
        p.entry(key).or_insert(json!(true));
    }
    p.entry("indexRangeFilters").or_insert(json!(false));
    if let Some(Value::Array(nested)) = p.get_mut("nestedProperties") {
        nested.iter_mut().for_each(fill_property);
    }
}

/// The items of a selection set written as `{...}`.
pub(crate) fn class_items(src: &str) -> Vec<QSelection> {
    use graphql_parser::query::{parse_query, Definition, OperationDefinition};
    let doc = parse_query::<String>(src).expect("parses").into_static();
    match doc.definitions.into_iter().next() {
        Some(Definition::Operation(OperationDefinition::SelectionSet(s))) => s.items,
        other => panic!("unexpected {other:?}"),
    }
}

/// An object with the given id number, properties and legacy vector.
pub(crate) fn object(class: &str, id: u128, props: Value, vector: Option<Vec<f32>>) -> Object {
    let Value::Object(properties) = props else {
        panic!("properties are an object")
    };
    Object {
        id: Uuid::from_u128(id),
        class: class.into(),
        tenant: None,
        properties,
        vectors: vector.into_iter().map(|v| (String::new(), v)).collect(),
        creation_time_ms: 1_700_000_000_000 + id as i64,
        last_update_time_ms: 1_700_000_000_500 + id as i64,
    }
}

/// A search hit with a distance and nothing else.
pub(crate) fn hit(object: Object, distance: Option<f32>) -> SearchHit {
    SearchHit {
        object,
        distance,
        score: None,
        explain_score: None,
        is_consistent: None,
        references: Default::default(),
    }
}

/// A backend answering from fixed data and recording the queries it ran.
#[derive(Default)]
pub(crate) struct FakeBackend {
    pub classes: Vec<Class>,
    /// Aliases: alias name -> class name.
    pub aliases: HashMap<String, String>,
    /// Hits returned for each class.
    pub hits: HashMap<String, Vec<SearchHit>>,
    /// Groups returned for each class (grouped searches).
    pub groups: HashMap<String, Vec<HitGroup>>,
    pub metric: Option<Distance>,
    /// Aggregation results by class.
    pub aggregates: HashMap<String, AggregateResult>,
    /// Search and aggregation errors by class.
    pub fail: HashMap<String, String>,
    pub searches: Mutex<Vec<SearchQuery>>,
    pub aggregations: Mutex<Vec<AggregateQuery>>,
    pub limits: Option<Limits>,
}

impl FakeBackend {
    /// The searches received so far.
    pub fn queries(&self) -> Vec<SearchQuery> {
        self.searches.lock().map(|q| q.clone()).unwrap_or_default()
    }

    /// The aggregations received so far.
    pub fn aggregate_queries(&self) -> Vec<AggregateQuery> {
        self.aggregations
            .lock()
            .map(|q| q.clone())
            .unwrap_or_default()
    }
}

impl Backend for FakeBackend {
    fn limits(&self) -> Limits {
        self.limits.unwrap_or(Limits {
            defaults_limit: 10,
            maximum_results: 10_000,
        })
    }

    fn classes(&self) -> Vec<(String, Class)> {
        let own = self.classes.iter().map(|c| (c.class.clone(), c.clone()));
        let aliased = self.aliases.iter().filter_map(|(alias, target)| {
            let class = self.classes.iter().find(|c| &c.class == target)?;
            Some((alias.clone(), class.clone()))
        });
        own.chain(aliased).collect()
    }

    fn search(
        &self,
        query: SearchQuery,
    ) -> impl Future<Output = Result<SearchResult, String>> + Send {
        let class = query.class.clone();
        if let Ok(mut log) = self.searches.lock() {
            log.push(query);
        }
        let outcome = match self.fail.get(&class) {
            Some(message) => Err(message.clone()),
            None => Ok(SearchResult {
                hits: self.hits.get(&class).cloned().unwrap_or_default(),
                metric: self.metric,
                groups: self.groups.get(&class).cloned().unwrap_or_default(),
            }),
        };
        async move { outcome }
    }

    fn aggregate(
        &self,
        query: AggregateQuery,
    ) -> impl Future<Output = Result<AggregateResult, String>> + Send {
        let class = query.class.clone();
        if let Ok(mut log) = self.aggregations.lock() {
            log.push(query);
        }
        let outcome = match self.fail.get(&class) {
            Some(message) => Err(message.clone()),
            None => self
                .aggregates
                .get(&class)
                .cloned()
                .ok_or_else(|| format!("no class {class}")),
        };
        async move { outcome }
    }
}

/// Runs a query string against a backend and returns (status, body).
pub(crate) fn run_query(backend: &FakeBackend, query: &str) -> (u16, Value) {
    run_body(backend, &json!({"query": query}))
}

/// Runs a full request body against a backend.
pub(crate) fn run_body(backend: &FakeBackend, body: &Value) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(super::run(backend, body, super::DEFAULT_MAX_QUERY_COST))
}

/// The messages of a response's `errors`.
pub(crate) fn messages(body: &Value) -> Vec<String> {
    body.get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
