//! `Aggregate { <Class>(args) { meta { count } groupedBy { path value } <prop> { ... } } }`:
//! planning (validation first, so that an invalid query runs nothing), one coordinator
//! aggregation per class field, and rendering of its rows. A class whose aggregation fails is
//! `null` with an error entry; the other classes still resolve.
//!
//! - [`args`]: the arguments -> [`AggregateQuery`] (aggregate/resolver.go, traverser_aggregate.go);
//! - [`fields`]: the selection, by property type (aggregate/properties.go);
//! - [`render`]: result rows -> response rows.

mod args;
mod fields;
mod render;

#[cfg(test)]
mod tests;

use graphql_parser::Pos;
use model::AggregateQuery;
use serde_json::{Map, Value};

use super::args::validate;
use super::error::{self, Diag, GqlError};
use super::fields::{merge, no_arguments, Merged};
use super::{Backend, Classes};
use fields::RowField;

/// The object type under `Aggregate` that has one field per class.
const AGGREGATE_TYPE: &str = "AggregateObjectsObj";

/// What to do for one response key under `Aggregate`.
#[derive(Debug)]
pub(crate) struct AggregateJob {
    key: String,
    pos: Pos,
    work: Work,
}

#[derive(Debug)]
enum Work {
    Aggregate(Box<AggregateQuery>, Vec<RowField>),
    /// `__typename` under `Aggregate`.
    Constant(Value),
    Fail(GqlError),
}

/// Plans the `Aggregate` field. Validation errors go to `invalid`.
pub(crate) fn plan(
    aggregate: &Merged<'_>,
    classes: &Classes,
    invalid: &mut Vec<GqlError>,
) -> Vec<AggregateJob> {
    let mut diag = Diag::default();
    no_arguments(aggregate, "WeaviateObj", &mut diag);
    if !aggregate.has_selection() {
        diag.invalid(error::needs_selection(
            &aggregate.name,
            AGGREGATE_TYPE,
            aggregate.pos,
        ));
    }
    let fields = merge(&aggregate.items, &mut diag);
    invalid.extend(diag.invalid.drain(..).chain(diag.unsupported.take()));
    fields
        .iter()
        .filter_map(|field| plan_class(field, classes, invalid))
        .collect()
}

fn plan_class(
    field: &Merged<'_>,
    classes: &Classes,
    invalid: &mut Vec<GqlError>,
) -> Option<AggregateJob> {
    let job = |work| {
        Some(AggregateJob {
            key: field.key.clone(),
            pos: field.pos,
            work,
        })
    };
    if field.name == "__typename" {
        return job(Work::Constant(Value::String(AGGREGATE_TYPE.into())));
    }
    let Some(class) = classes.get(&field.name) else {
        invalid.push(error::unknown_field(&field.name, AGGREGATE_TYPE, field.pos));
        return None;
    };
    let mut diag = Diag::default();
    let prefix = format!("AggregateObjects{}", class.class);
    validate(
        field,
        "Aggregate",
        AGGREGATE_TYPE,
        &prefix,
        |n| args::aggregate_arg(class, n),
        &mut diag,
    );
    let type_name = format!("Aggregate{}", class.class);
    if !field.has_selection() {
        diag.invalid(error::needs_selection(
            &field.name,
            &format!("[{type_name}]"),
            field.pos,
        ));
    }
    let rows = fields::plan_row(class, &type_name, &field.items, &mut diag);
    invalid.append(&mut diag.invalid);
    if let Some(refused) = diag.unsupported {
        return job(Work::Fail(refused));
    }
    let properties = fields::properties(&rows);
    match args::aggregate_query(class, field.args, properties) {
        Ok(mut query) => {
            query.top_occurrences_limit = fields::top_occurrences_limit(&rows);
            job(Work::Aggregate(Box::new(query), rows))
        }
        Err(message) => job(Work::Fail(GqlError::new(message, field.pos))),
    }
}

/// Runs the planned aggregations; `root` is the response key of the `Aggregate` field.
pub(crate) async fn run<B: Backend>(
    backend: &B,
    root: &str,
    jobs: Vec<AggregateJob>,
    errors: &mut Vec<GqlError>,
) -> Value {
    let mut out = Map::new();
    for AggregateJob { key, pos, work } in jobs {
        let value = match work {
            Work::Constant(v) => v,
            Work::Fail(e) => {
                errors.push(e.at_path(&[root, &key]));
                Value::Null
            }
            Work::Aggregate(query, rows) => match backend.aggregate(*query).await {
                Ok(result) => render::rows(&rows, &result),
                Err(message) => {
                    errors.push(GqlError::new(message, pos).at_path(&[root, &key]));
                    Value::Null
                }
            },
        };
        out.insert(key, value);
    }
    Value::Object(out)
}
