//! Entry points of the fuzz targets in `fuzz/` (run with `scripts/fuzz.sh`), and of the test
//! that replays their committed corpora on every `cargo test`. Each takes arbitrary bytes, runs
//! one pure parser of the API on them (no IO, no node) and must return without panicking,
//! whatever the bytes are. Not an API: hidden from the docs, and kept here only so that the
//! targets can reach crate-private parsers.

use std::sync::OnceLock;

use model::schema::{parse_class, SchemaDefaults};
use model::search_rules::Limits;
use serde_json::{json, Value};
use types::filter::Filter;

use super::{prepare, Classes, Request, DEFAULT_MAX_QUERY_COST};
use crate::dto::object::parse_object;
use crate::extract::parse_json_body;
use crate::filter;

/// `POST /v1/graphql`: the query text (with variables when the bytes are a JSON request body)
/// parsed, validated and planned against a fixed schema, as the handler does before it calls
/// the coordinator.
pub fn graphql_query(data: &[u8]) {
    let body = match parse_json_body(data) {
        Ok(body @ Value::Object(_)) => body,
        _ => match std::str::from_utf8(data) {
            Ok(query) => json!({ "query": query }),
            Err(_) => return,
        },
    };
    plan(&body);
}

/// A GraphQL `where` literal: the bytes are put in `Get { Article(where: ...) }`.
pub fn graphql_where(data: &[u8]) {
    let Ok(literal) = std::str::from_utf8(data) else {
        return;
    };
    let query = format!("{{Get{{Article(where: {literal}){{title}}}}}}");
    plan(&json!({ "query": query }));
}

/// A REST `where` filter (batch delete's `match.where`) into the filter model, which must
/// survive its node-to-node wire form.
pub fn rest_where(data: &[u8]) {
    let Ok(body) = parse_json_body(data) else {
        return;
    };
    let Ok(input) = filter::json::where_input(&body, "where") else {
        return;
    };
    if let Ok(parsed) = filter::parse(&input) {
        wire_round_trip(&parsed);
    }
}

/// REST object bodies (`POST /v1/objects`, one object of a batch).
pub fn rest_object(data: &[u8]) {
    if let Ok(body) = parse_json_body(data) {
        if let Ok(object) = parse_object(&body) {
            let _ = object.into_write();
        }
    }
}

/// REST class bodies (`POST /v1/schema`).
pub fn rest_class(data: &[u8]) {
    if let Ok(body) = parse_json_body(data) {
        let _ = parse_class(&body, &SchemaDefaults::default());
    }
}

fn plan(body: &Value) {
    let Ok(request) = Request::from_body(body) else {
        return;
    };
    let limits = Limits {
        defaults_limit: 10,
        maximum_results: 10_000,
    };
    let _ = prepare(&request, classes(), &limits, DEFAULT_MAX_QUERY_COST);
}

/// The filter's wire form (serde JSON, as the coordinator sends it to other nodes, read back
/// by the internal port's decoder at any depth) is the same filter.
fn wire_round_trip(parsed: &Filter) {
    let Ok(wire) = serde_json::to_vec(parsed) else {
        panic!("a filter always has a wire form")
    };
    match types::json::from_slice::<Filter>(&wire) {
        Ok(back) => assert!(back == *parsed, "the filter changed on the wire"),
        Err(e) => panic!("the wire form of a filter does not read back: {e}"),
    }
}

/// The schema the GraphQL targets plan against: every kind of property, a reference, named
/// vectors and a multi-tenant class.
fn classes() -> &'static Classes {
    static CLASSES: OnceLock<Classes> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let props = json!([
            {"name": "title", "dataType": ["text"]},
            {"name": "tags", "dataType": ["text[]"]},
            {"name": "wordCount", "dataType": ["int"]},
            {"name": "score", "dataType": ["number"]},
            {"name": "published", "dataType": ["boolean"]},
            {"name": "date", "dataType": ["date"]},
            {"name": "location", "dataType": ["geoCoordinates"]},
            {"name": "meta", "dataType": ["object"],
             "nestedProperties": [{"name": "a", "dataType": ["int"]}]},
            {"name": "author", "dataType": ["Author"]}
        ]);
        let bodies = [
            json!({"class": "Article", "properties": props}),
            json!({"class": "Author", "properties": [{"name": "name", "dataType": ["text"]}]}),
            json!({"class": "Named", "vectorConfig": {"v1": {"vectorizer": {"none": {}},
                "vectorIndexType": "hnsw"}}}),
            json!({"class": "Tenants", "multiTenancyConfig": {"enabled": true}}),
        ];
        bodies
            .iter()
            .filter_map(|body| parse_class(body, &SchemaDefaults::default()).ok())
            .map(|c| (c.class.clone(), c))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::Path;

    use super::*;

    /// A target's corpus folder and function.
    type Target = (&'static str, fn(&[u8]));

    /// Every file of the committed corpora goes through its target's function: CI has no
    /// libFuzzer (it needs nightly flags), so this is where it checks that none of them fails.
    #[test]
    fn committed_corpora_replay_without_a_panic() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
        let targets: [Target; 5] = [
            ("graphql_query", graphql_query),
            ("graphql_where", graphql_where),
            ("rest_where", rest_where),
            ("rest_object", rest_object),
            ("rest_class", rest_class),
        ];
        let mut failed = Vec::new();
        for (name, run) in targets {
            let dir = root.join(name);
            let files = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let mut count = 0;
            for file in files {
                let path = file.expect("a directory entry").path();
                let data = fs::read(&path).expect("a corpus file");
                if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                    failed.push(path.display().to_string());
                }
                count += 1;
            }
            assert!(count > 0, "{name}: the corpus is empty");
        }
        assert!(failed.is_empty(), "these corpus files panic: {failed:?}");
    }

    #[test]
    fn the_schema_has_every_class() {
        let mut names: Vec<&String> = classes().keys().collect();
        names.sort();
        assert_eq!(names, ["Article", "Author", "Named", "Tenants"]);
    }
}
