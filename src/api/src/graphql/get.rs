//! `Get { <Class>(args) { fields } ... }`: planning every class field (validation first, so that
//! an invalid query runs nothing), then one search per class. A class whose search fails is
//! `null` with an error entry; the other classes still resolve.

use graphql_parser::Pos;
use serde_json::{Map, Value};

use model::search_rules::{certainty_metric, Limits};
use model::SearchQuery;

use super::args;
use super::error::{self, Diag, GqlError};
use super::fields::{class_type_name, merge, no_arguments, Merged};
use super::select::{self, SelectPlan};
use super::{render, Backend, Classes};

/// The object type under `Get` that has one field per class.
const GET_TYPE: &str = "GetObjectsObj";

/// What to do for one response key under `Get`.
#[derive(Debug)]
pub(crate) struct ClassJob {
    pub key: String,
    pub pos: Pos,
    pub work: Work,
}

/// The work behind one key.
#[derive(Debug)]
pub(crate) enum Work {
    Search(Box<SearchQuery>, SelectPlan),
    /// `__typename` under `Get`.
    Constant(Value),
    /// Refused before running (an unsupported feature or invalid argument values).
    Fail(GqlError),
}

/// Plans the `Get` field. Validation errors go to `invalid`.
pub(crate) fn plan(
    get: &Merged<'_>,
    classes: &Classes,
    limits: &Limits,
    invalid: &mut Vec<GqlError>,
) -> Vec<ClassJob> {
    let mut diag = Diag::default();
    no_arguments(get, "WeaviateObj", &mut diag);
    if !get.has_selection() {
        diag.invalid(error::needs_selection(&get.name, GET_TYPE, get.pos));
    }
    let fields = merge(&get.items, &mut diag);
    // Fragments directly under Get select nothing Shoal can serve: refuse the whole query.
    invalid.extend(diag.invalid.drain(..).chain(diag.unsupported.take()));
    fields
        .iter()
        .filter_map(|field| plan_class(field, classes, limits, invalid))
        .collect()
}

fn plan_class(
    field: &Merged<'_>,
    classes: &Classes,
    limits: &Limits,
    invalid: &mut Vec<GqlError>,
) -> Option<ClassJob> {
    let job = |work| {
        Some(ClassJob {
            key: field.key.clone(),
            pos: field.pos,
            work,
        })
    };
    if field.name == "__typename" {
        return job(Work::Constant(Value::String(GET_TYPE.into())));
    }
    let Some(class) = classes.get(&field.name) else {
        invalid.push(error::unknown_field(&field.name, GET_TYPE, field.pos));
        return None;
    };
    let mut diag = Diag::default();
    let prefix = format!("GetObjects{}", class.class);
    args::validate(
        field,
        "Get",
        GET_TYPE,
        &prefix,
        |name| args::get_arg(class, name),
        &mut diag,
    );
    if !field.has_selection() {
        let ty = format!("[{}]", class_type_name(&class.class));
        diag.invalid(error::needs_selection(&field.name, &ty, field.pos));
    }
    let selection = select::plan(class, classes, &field.items, &mut diag);
    invalid.append(&mut diag.invalid);
    if let Some(refused) = diag.unsupported {
        return job(Work::Fail(refused));
    }
    let selected = args::Selected {
        certainty: selection.wants_certainty,
        explain: selection.explain_score,
    };
    match args::search_query(class, field.args, selected, limits) {
        Ok(mut query) => {
            query.with_vectors = selection.with_vectors;
            query.references = selection.references();
            job(Work::Search(Box::new(query), selection))
        }
        Err(message) => job(Work::Fail(GqlError::new(message, field.pos))),
    }
}

/// Runs the planned searches; `root` is the response key of the `Get` field.
pub(crate) async fn run<B: Backend>(
    backend: &B,
    root: &str,
    jobs: Vec<ClassJob>,
    errors: &mut Vec<GqlError>,
) -> Value {
    let mut out = Map::new();
    for ClassJob { key, pos, work } in jobs {
        let value = match work {
            Work::Constant(v) => v,
            Work::Fail(e) => {
                errors.push(e.at_path(&[root, &key]));
                Value::Null
            }
            Work::Search(query, selection) => match search(backend, *query, &selection).await {
                Ok(rows) => Value::Array(rows),
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

async fn search<B: Backend>(
    backend: &B,
    query: SearchQuery,
    selection: &SelectPlan,
) -> Result<Vec<Value>, String> {
    let grouped = query.group_by.is_some();
    let result = backend.search(query).await?;
    if selection.wants_certainty {
        // Checked against the schema before searching; the metric actually used is final.
        if let Some(metric) = result.metric {
            certainty_metric(metric)?;
        }
    }
    Ok(render::rows(selection, &result, grouped))
}
