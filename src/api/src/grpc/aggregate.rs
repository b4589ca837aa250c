//! `Weaviate/Aggregate` (the v4 client uses it for servers of 1.29 and later): an
//! `AggregateRequest` read into the [`AggregateQuery`] GraphQL `Aggregate` builds, checked by
//! the same rules, and its rows written with the fields each aggregation asked for.

use model::search_rules;
use model::{AggregateQuery, AggregateResult, AggregateRow, PropertyAggregate};
use serde_json::Value;
use types::schema::{Class, DataType};

use super::filters::Schema;
use super::pb;
use super::pb::aggregate_reply as reply;
use super::pb::aggregate_request::aggregation::Aggregation as Asked;

/// Reads a request into a query. `Err` is an `InvalidArgument` message.
pub(crate) fn plan(
    class: &Class,
    schema: Schema<'_>,
    request: &pb::AggregateRequest,
) -> Result<AggregateQuery, String> {
    use pb::aggregate_request::Search;
    let (vector_search, hybrid) = match &request.search {
        None => (None, None),
        Some(Search::NearVector(near)) => {
            let search = pb::SearchRequest {
                near_vector: Some(near.clone()),
                ..Default::default()
            };
            (super::search::vector_search_of(&search)?, None)
        }
        Some(Search::NearObject(near)) => {
            let search = pb::SearchRequest {
                near_object: Some(near.clone()),
                ..Default::default()
            };
            (super::search::vector_search_of(&search)?, None)
        }
        Some(Search::Hybrid(h)) => (None, Some(super::search::hybrid_of(h)?)),
        Some(_) => {
            return Err(format!(
                "could not vectorize input for collection {}: Shoal has no vectorizer modules; \
                 aggregate over a vector (nearVector) instead",
                request.collection
            ))
        }
    };
    let group_by = request
        .group_by
        .as_ref()
        .map(|g| group_property(class, &g.property))
        .transpose()?;
    let query = AggregateQuery {
        class: class.class.clone(),
        tenant: (!request.tenant.is_empty()).then(|| request.tenant.clone()),
        filter: request
            .filters
            .as_ref()
            .map(|f| super::filters::translate(class, schema, f))
            .transpose()?,
        group_by,
        vector_search,
        hybrid,
        object_limit: match request.object_limit {
            Some(0) => return Err("objectLimit must be a positive integer".into()),
            n => n.map(|n| n as usize),
        },
        limit: request.limit.map(|n| n as usize),
        properties: request
            .aggregations
            .iter()
            .map(|a| a.property.clone())
            .collect(),
        top_occurrences_limit: request
            .aggregations
            .iter()
            .find_map(|a| match &a.aggregation {
                Some(Asked::Text(t)) => t.top_occurences_limit.map(|n| n as usize),
                _ => None,
            }),
    };
    search_rules::check_aggregate(class, &query)?;
    Ok(query)
}

fn group_property(class: &Class, property: &str) -> Result<String, String> {
    if class
        .properties
        .iter()
        .flatten()
        .any(|p| p.name == property)
    {
        Ok(property.to_string())
    } else {
        Err(format!(
            "could not extract groupBy path: no such prop with name '{property}' found in class '{}' in the schema",
            class.class
        ))
    }
}

/// The reply: one result, or one group per row when grouping.
pub(crate) fn reply(
    class: &Class,
    request: &pb::AggregateRequest,
    result: &AggregateResult,
    took: f32,
) -> pb::AggregateReply {
    let count = |row: &AggregateRow| request.objects_count.then_some(row.count as i64);
    let aggregations = |row: &AggregateRow| reply::Aggregations {
        aggregations: request
            .aggregations
            .iter()
            .filter_map(|asked| aggregation(asked, row.properties.get(&asked.property)))
            .collect(),
    };
    let result = if request.group_by.is_some() {
        reply::Result::GroupedResults(reply::Grouped {
            groups: result
                .rows
                .iter()
                .map(|row| reply::Group {
                    objects_count: count(row),
                    aggregations: Some(aggregations(row)),
                    grouped_by: row
                        .grouped_by
                        .as_ref()
                        .map(|(path, value)| grouped_by(class, path, value)),
                })
                .collect(),
        })
    } else {
        let empty = AggregateRow::default();
        let row = result.rows.first().unwrap_or(&empty);
        reply::Result::SingleResult(reply::Single {
            objects_count: count(row),
            aggregations: Some(aggregations(row)),
        })
    };
    pb::AggregateReply {
        took,
        result: Some(result),
    }
}

fn grouped_by(class: &Class, path: &str, value: &Value) -> reply::group::GroupedBy {
    use reply::group::grouped_by::Value as V;
    let kind = class
        .properties
        .iter()
        .flatten()
        .find(|p| p.name == path)
        .and_then(|p| p.kind());
    // Group values may arrive as JSON of their type or as the text GraphQL shows them.
    let text = super::values::text(value);
    let value = match (kind, value) {
        (_, Value::Null) => None,
        (Some(DataType::Int | DataType::IntArray), v) => {
            v.as_i64().or_else(|| text.parse().ok()).map(V::Int)
        }
        (Some(DataType::Number | DataType::NumberArray), v) => {
            v.as_f64().or_else(|| text.parse().ok()).map(V::Number)
        }
        (Some(DataType::Boolean | DataType::BooleanArray), v) => {
            v.as_bool().or_else(|| text.parse().ok()).map(V::Boolean)
        }
        _ => Some(V::Text(text)),
    };
    reply::group::GroupedBy {
        path: vec![path.to_string()],
        value,
    }
}

/// One property's aggregation, with the fields that were asked for.
fn aggregation(
    asked: &pb::aggregate_request::Aggregation,
    computed: Option<&PropertyAggregate>,
) -> Option<reply::aggregations::Aggregation> {
    use reply::aggregations::aggregation as out;
    let computed = computed?;
    let kind = match (asked.aggregation.as_ref()?, computed) {
        (
            Asked::Int(a),
            PropertyAggregate::Numeric {
                count,
                minimum,
                maximum,
                mean,
                median,
                mode,
                sum,
            },
        ) => {
            let int = |x: &Option<f64>| x.map(|v| v as i64);
            out::Aggregation::Int(out::Integer {
                count: a.count.then_some(*count as i64),
                r#type: a.r#type.then(|| "int".to_string()),
                mean: a.mean.then_some(*mean).flatten(),
                median: a.median.then_some(*median).flatten(),
                mode: a.mode.then(|| int(mode)).flatten(),
                maximum: a.maximum.then(|| int(maximum)).flatten(),
                minimum: a.minimum.then(|| int(minimum)).flatten(),
                sum: a.sum.then(|| int(sum)).flatten(),
            })
        }
        (
            Asked::Number(a),
            PropertyAggregate::Numeric {
                count,
                minimum,
                maximum,
                mean,
                median,
                mode,
                sum,
            },
        ) => out::Aggregation::Number(out::Number {
            count: a.count.then_some(*count as i64),
            r#type: a.r#type.then(|| "number".to_string()),
            mean: a.mean.then_some(*mean).flatten(),
            median: a.median.then_some(*median).flatten(),
            mode: a.mode.then_some(*mode).flatten(),
            maximum: a.maximum.then_some(*maximum).flatten(),
            minimum: a.minimum.then_some(*minimum).flatten(),
            sum: a.sum.then_some(*sum).flatten(),
        }),
        (
            Asked::Text(a),
            PropertyAggregate::Text {
                count,
                top_occurrences,
            },
        ) => out::Aggregation::Text(out::Text {
            count: a.count.then_some(*count as i64),
            r#type: a.r#type.then(|| "text".to_string()),
            top_occurences: a.top_occurences.then(|| out::text::TopOccurrences {
                items: top_occurrences
                    .iter()
                    .map(
                        |(value, occurs)| out::text::top_occurrences::TopOccurrence {
                            value: value.clone(),
                            occurs: *occurs as i64,
                        },
                    )
                    .collect(),
            }),
        }),
        (
            Asked::Boolean(a),
            PropertyAggregate::Boolean {
                count,
                total_true,
                total_false,
                percentage_true,
                percentage_false,
            },
        ) => out::Aggregation::Boolean(out::Boolean {
            count: a.count.then_some(*count as i64),
            r#type: a.r#type.then(|| "boolean".to_string()),
            total_true: a.total_true.then_some(*total_true as i64),
            total_false: a.total_false.then_some(*total_false as i64),
            percentage_true: a.percentage_true.then_some(*percentage_true),
            percentage_false: a.percentage_false.then_some(*percentage_false),
        }),
        (
            Asked::Date(a),
            PropertyAggregate::Date {
                count,
                minimum,
                maximum,
                median,
                mode,
            },
        ) => out::Aggregation::Date(out::Date {
            count: a.count.then_some(*count as i64),
            r#type: a.r#type.then(|| "date".to_string()),
            median: a.median.then(|| median.clone()).flatten(),
            mode: a.mode.then(|| mode.clone()).flatten(),
            maximum: a.maximum.then(|| maximum.clone()).flatten(),
            minimum: a.minimum.then(|| minimum.clone()).flatten(),
        }),
        // A metric of another kind than the property's type (or a reference) yields nothing,
        // as Weaviate answers such a field with null.
        _ => return None,
    };
    Some(reply::aggregations::Aggregation {
        property: asked.property.clone(),
        aggregation: Some(kind),
    })
}
