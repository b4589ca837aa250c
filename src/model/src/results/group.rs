//! `groupBy { path groups objectsPerGroup }` of Get, over best-first search hits.
//!
//! Follows Weaviate 1.27's shard grouper (`adapters/repos/db/shard_group_by.go`), applied once
//! to the hits merged from every shard:
//!
//! - hits are visited best first; each value of the property (one per array element) names a
//!   group; a full group (`objectsPerGroup` hits) skips the hit for that value;
//! - once `groups` groups exist, a hit with a value of a new group is not grouped any further
//!   (its remaining values are skipped too, as in Weaviate);
//! - a hit without the property (or with null or an empty array) falls into the group `""`
//!   (Weaviate reads the stored value as an empty list and groups it under the empty string);
//! - groups come in order of their best hit; `minDistance` is the first hit's distance and
//!   `maxDistance` the last one's;
//! - the group value is text, as Weaviate's `groupedBy.value` (a GraphQL String): strings as is,
//!   booleans `true`/`false`, numbers as Go's JSON (`120`, `2.5`), references by beacon.
//!
//! A hit whose array puts it in several groups appears in each of them.
//!
//! Weaviate's hybrid groupBy (`usecases/traverser/hybrid_group_by.go`) differs: it groups only
//! text (not array) values and reports the first hit's distance as both bounds. Shoal uses the
//! grouping above for every search.

use std::collections::HashMap;

use serde_json::Value;

use crate::gofmt::json_f64;
use crate::query::{GroupBy, HitGroup, SearchHit};

/// Get's groupBy over best-first hits: up to `groups` groups by the property's value, each with
/// up to `objects_per_group` hits, with min/max distance (0 for hits without a distance, such
/// as keyword-only hybrid hits).
pub fn group_hits(hits: Vec<SearchHit>, group_by: &GroupBy) -> Vec<HitGroup> {
    let mut groups: Vec<HitGroup> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for hit in hits {
        let values = values_of(&hit, &group_by.property);
        // Collect the groups this hit joins first, so the hit is cloned only for extra groups.
        let mut joins: Vec<usize> = Vec::new();
        for value in values {
            match index.get(&value) {
                Some(&at) => {
                    // A full group skips this value; a repeated value joins once.
                    if groups[at].hits.len() < group_by.objects_per_group && !joins.contains(&at) {
                        joins.push(at);
                    }
                }
                None => {
                    if groups.len() >= group_by.groups {
                        break;
                    }
                    if group_by.objects_per_group == 0 {
                        continue;
                    }
                    index.insert(value.clone(), groups.len());
                    joins.push(groups.len());
                    groups.push(HitGroup {
                        id: groups.len(),
                        property: group_by.property.clone(),
                        value: Value::String(value),
                        min_distance: 0.0,
                        max_distance: 0.0,
                        hits: Vec::new(),
                    });
                }
            }
        }
        if let Some((&last, rest)) = joins.split_last() {
            for &at in rest {
                groups[at].hits.push(hit.clone());
            }
            groups[last].hits.push(hit);
        }
    }
    for group in &mut groups {
        group.min_distance = group.hits.first().and_then(|h| h.distance).unwrap_or(0.0);
        group.max_distance = group.hits.last().and_then(|h| h.distance).unwrap_or(0.0);
    }
    groups
}

/// The group names of a hit, in array order (duplicates included; they join once).
fn values_of(hit: &SearchHit, property: &str) -> Vec<String> {
    let texts: Vec<String> = match hit.object.properties.get(property) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(text_of).collect(),
        Some(other) => vec![text_of(other)],
    };
    if texts.is_empty() {
        vec![String::new()]
    } else {
        texts
    }
}

/// The stored text of one value, as Weaviate reads it from the object's JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => json_f64(n.as_f64().unwrap_or(0.0)),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Object(map) => match map.get("beacon").and_then(Value::as_str) {
            Some(beacon) => beacon.to_string(),
            None => v.to_string(),
        },
        Value::Array(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::results::testutil::obj;

    fn hit(n: u128, distance: f32, props: Value) -> SearchHit {
        SearchHit {
            object: obj(n, props),
            distance: Some(distance),
            score: None,
            explain_score: None,
            is_consistent: None,
            references: Default::default(),
        }
    }

    fn group_by(property: &str, groups: usize, per_group: usize) -> GroupBy {
        GroupBy {
            property: property.into(),
            groups,
            objects_per_group: per_group,
        }
    }

    fn summary(groups: &[HitGroup]) -> Vec<(Value, Vec<u128>, f32, f32)> {
        groups
            .iter()
            .map(|g| {
                (
                    g.value.clone(),
                    g.hits.iter().map(|h| h.object.id.as_u128()).collect(),
                    g.min_distance,
                    g.max_distance,
                )
            })
            .collect()
    }

    #[test]
    fn groups_in_order_of_best_hit_with_caps() {
        // test_filters.py's dialect case: groupBy published, 2 groups, 3 per group.
        let hits = vec![
            hit(1, 0.0, json!({"published": true})),
            hit(2, 0.1, json!({"published": false})),
            hit(3, 0.2, json!({"published": true})),
            hit(4, 0.3, json!({"published": false})),
            hit(5, 0.4, json!({"published": false})),
            hit(6, 0.5, json!({"published": false})),
            hit(7, 0.6, json!({"published": true})),
        ];
        let groups = group_hits(hits, &group_by("published", 2, 3));
        assert_eq!(
            summary(&groups),
            vec![
                (json!("true"), vec![1, 3, 7], 0.0, 0.6),
                (json!("false"), vec![2, 4, 5], 0.1, 0.4),
            ]
        );
        assert_eq!(groups.iter().map(|g| g.id).collect::<Vec<_>>(), vec![0, 1]);
        assert!(groups.iter().all(|g| g.property == "published"));
    }

    #[test]
    fn group_limit_drops_new_values() {
        let hits = vec![
            hit(1, 0.1, json!({"c": "a"})),
            hit(2, 0.2, json!({"c": "b"})),
            hit(3, 0.3, json!({"c": "c"})),
            hit(4, 0.4, json!({"c": "a"})),
        ];
        let groups = group_hits(hits, &group_by("c", 2, 10));
        assert_eq!(
            summary(&groups),
            vec![
                (json!("a"), vec![1, 4], 0.1, 0.4),
                (json!("b"), vec![2], 0.2, 0.2)
            ]
        );
    }

    #[test]
    fn arrays_join_several_groups_and_missing_values_group_under_empty() {
        let hits = vec![
            hit(1, 0.1, json!({"tags": ["x", "y", "x"]})),
            hit(2, 0.2, json!({})),
            hit(3, 0.3, json!({"tags": ["y"]})),
            hit(4, 0.4, json!({"tags": []})),
        ];
        let groups = group_hits(hits, &group_by("tags", 5, 5));
        assert_eq!(
            summary(&groups),
            vec![
                (json!("x"), vec![1], 0.1, 0.1),
                (json!("y"), vec![1, 3], 0.1, 0.3),
                (json!(""), vec![2, 4], 0.2, 0.4),
            ]
        );
    }

    #[test]
    fn new_group_beyond_the_limit_stops_the_hit() {
        // Hit 2's first value opens no group (limit reached), so its "a" is skipped too.
        let hits = vec![
            hit(1, 0.1, json!({"t": ["a"]})),
            hit(2, 0.2, json!({"t": ["b", "a"]})),
            hit(3, 0.3, json!({"t": ["a"]})),
        ];
        let groups = group_hits(hits, &group_by("t", 1, 5));
        assert_eq!(summary(&groups), vec![(json!("a"), vec![1, 3], 0.1, 0.3)]);
    }

    #[test]
    fn numbers_print_like_go_json_and_degenerate_limits() {
        let hits = vec![
            hit(1, 0.1, json!({"n": 120.0})),
            hit(2, 0.2, json!({"n": 2.5})),
            hit(3, 0.3, json!({"n": 120})),
        ];
        let groups = group_hits(hits.clone(), &group_by("n", 5, 5));
        assert_eq!(
            summary(&groups),
            vec![
                (json!("120"), vec![1, 3], 0.1, 0.3),
                (json!("2.5"), vec![2], 0.2, 0.2)
            ]
        );
        assert!(group_hits(hits.clone(), &group_by("n", 0, 5)).is_empty());
        assert!(group_hits(hits, &group_by("n", 5, 0)).is_empty());
        assert!(group_hits(Vec::new(), &group_by("n", 5, 5)).is_empty());
    }

    #[test]
    fn hits_without_distance_report_zero() {
        let mut h = hit(1, 0.0, json!({"c": "a"}));
        h.distance = None;
        h.score = Some(0.8);
        let groups = group_hits(vec![h], &group_by("c", 1, 1));
        assert_eq!(summary(&groups), vec![(json!("a"), vec![1], 0.0, 0.0)]);
    }
}
