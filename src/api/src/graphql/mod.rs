//! `POST /v1/graphql`: Weaviate 1.27's GraphQL dialect, parsed with `graphql-parser` and executed
//! by hand.
//!
//! A typed GraphQL schema library is not used because the dialect leans on graphql-go's lenient
//! input coercion (list literals in scalar-typed filter fields, Int literals as Floats) and on a
//! schema generated per class. Instead a request goes through two phases, as in graphql-go:
//! 1. planning: the operation is checked against the classes of the schema (unknown fields and
//!    arguments, literal types). Any such error answers `{"errors":[...]}` without `data`.
//!    Arguments and fields that are valid in Weaviate but not implemented by Shoal become
//!    resolver errors of their class.
//! 2. execution: one coordinator call per class field; a failing class is `null` with an error
//!    entry carrying its path, the others still resolve.
//!
//! Both phases answer HTTP 200. Only an empty query and an empty schema answer 422 with
//! Weaviate's REST error body.

mod aggregate;
pub(crate) mod args;
mod error;
mod fields;
#[doc(hidden)]
pub mod fuzz;
mod get;
mod numbers;
mod parse;
mod render;
mod scan;
mod select;
mod value;

#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod references_tests;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use coordinator::Coordinator;
use graphql_parser::query::{Definition, OperationDefinition, Selection, SelectionSet};
use graphql_parser::Pos;
use model::search_rules::Limits;
use model::{AggregateQuery, AggregateResult, SearchQuery, SearchResult};
use serde_json::{json, Map, Value};
use types::schema::Class;

use error::{errors_body, Diag, GqlError};
use fields::{merge, Merged};
pub use parse::{DEFAULT_MAX_QUERY_COST, MAX_DEPTH};

/// The classes of the schema by every name a query may use for them (their own, and their
/// aliases'), as one consistent snapshot for the whole request: an alias switched meanwhile
/// cannot change which class a planned query runs on, since it runs by the class's own name.
pub(crate) type Classes = HashMap<String, Class>;

/// The root type of Weaviate's schema.
const ROOT_TYPE: &str = "WeaviateObj";

const NO_PROVIDER: &str =
    "no graphql provider present, this is most likely because no schema is present. Import a schema first!";

/// What the GraphQL layer needs from the node; implemented by the coordinator, and by a fake in
/// tests so that execution is testable without a live node.
pub(crate) trait Backend: Sync {
    /// `QUERY_DEFAULTS_LIMIT` and `QUERY_MAXIMUM_RESULTS`.
    fn limits(&self) -> Limits;
    /// Every class of the schema under each name a query may use for it: its own, and each
    /// of its aliases' (one snapshot).
    fn classes(&self) -> Vec<(String, Class)>;
    /// One `Get` over a class. `Err` is the message of the resolver error.
    fn search(
        &self,
        query: SearchQuery,
    ) -> impl Future<Output = Result<SearchResult, String>> + Send;
    /// One `Aggregate` over a class. `Err` is the message of the resolver error.
    fn aggregate(
        &self,
        query: AggregateQuery,
    ) -> impl Future<Output = Result<AggregateResult, String>> + Send;
}

impl Backend for Coordinator {
    fn limits(&self) -> Limits {
        let config = self.config();
        Limits {
            defaults_limit: config.query_defaults_limit,
            maximum_results: config.query_maximum_results,
        }
    }

    fn classes(&self) -> Vec<(String, Class)> {
        self.queryable_classes()
    }

    async fn search(&self, query: SearchQuery) -> Result<SearchResult, String> {
        Coordinator::search(self, query)
            .await
            .map_err(|e| e.to_string())
    }

    async fn aggregate(&self, query: AggregateQuery) -> Result<AggregateResult, String> {
        Coordinator::aggregate(self, query)
            .await
            .map_err(|e| e.to_string())
    }
}

/// POST /v1/graphql. `body` is the raw JSON request body (`{"query": "...", "operationName":...,
/// "variables":...}`). Returns (HTTP status, JSON body): 200 with `{"data":...}` and/or
/// `{"errors":[...]}` for GraphQL-level results and errors; 422 with Weaviate's REST error body
/// `{"error":[{"message":"..."}]}` for a body that is not an object, an empty or missing query,
/// and when the schema has no classes. A query that selects more than `max_cost` fields, or
/// nests deeper than [`MAX_DEPTH`], is refused with an error naming the limit before it is
/// parsed.
pub async fn execute(coordinator: &Coordinator, body: &Value, max_cost: usize) -> (u16, Value) {
    run(coordinator, body, max_cost).await
}

/// [`execute`] over any backend.
pub(crate) async fn run<B: Backend>(backend: &B, body: &Value, max_cost: usize) -> (u16, Value) {
    let request = match Request::from_body(body) {
        Ok(r) => r,
        Err(message) => return unprocessable(&message),
    };
    let classes: Classes = backend.classes().into_iter().collect();
    if classes.is_empty() {
        return unprocessable(NO_PROVIDER);
    }
    match prepare(&request, &classes, &backend.limits(), max_cost) {
        Ok(jobs) => (200, run_jobs(backend, jobs).await),
        Err(errors) => (200, errors_body(&errors)),
    }
}

fn unprocessable(message: &str) -> (u16, Value) {
    (422, json!({"error": [{"message": message}]}))
}

/// The fields of the request body.
struct Request<'b> {
    query: &'b str,
    operation_name: Option<&'b str>,
    variables: Map<String, Value>,
}

impl<'b> Request<'b> {
    fn from_body(body: &'b Value) -> Result<Request<'b>, String> {
        let Value::Object(body) = body else {
            return Err("the request body must be a JSON object with a \"query\" string".into());
        };
        let query = match body.get("query") {
            None | Some(Value::Null) => "",
            Some(Value::String(q)) => q,
            Some(_) => return Err("\"query\" must be a string".into()),
        };
        if query.is_empty() {
            return Err("query cannot be empty".into());
        }
        let operation_name = match body.get("operationName") {
            Some(Value::String(name)) if !name.is_empty() => Some(name.as_str()),
            None | Some(Value::Null) | Some(Value::String(_)) => None,
            Some(_) => return Err("\"operationName\" must be a string".into()),
        };
        let variables = match body.get("variables") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(vars)) => vars.clone(),
            Some(_) => return Err("\"variables\" must be a JSON object".into()),
        };
        Ok(Request {
            query,
            operation_name,
            variables,
        })
    }
}

/// What to do for one root field.
enum RootJob {
    Get(String, Vec<get::ClassJob>),
    Aggregate(String, Vec<aggregate::AggregateJob>),
    Constant(String, Value),
    Fail(String, GqlError),
}

/// Parses, selects the operation and plans every root field. `Err`: the query is invalid.
fn prepare(
    request: &Request<'_>,
    classes: &Classes,
    limits: &Limits,
    max_cost: usize,
) -> Result<Vec<RootJob>, Vec<GqlError>> {
    let doc = parse::parse(request.query, max_cost).map_err(|e| vec![e])?;
    let (mut selection, defaults) = operation(doc.definitions, request.operation_name)?;
    let mut invalid = Vec::new();
    substitute(&mut selection, &request.variables, &defaults, &mut invalid);
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let items: Vec<&Selection<'static, String>> = selection.items.iter().collect();
    let mut diag = Diag::default();
    let roots = merge(&items, &mut diag);
    invalid.extend(diag.invalid.drain(..).chain(diag.unsupported.take()));
    let jobs: Vec<RootJob> = roots
        .iter()
        .filter_map(|root| plan_root(root, classes, limits, &mut invalid))
        .collect();
    if invalid.is_empty() {
        Ok(jobs)
    } else {
        Err(invalid)
    }
}

fn plan_root(
    root: &Merged<'_>,
    classes: &Classes,
    limits: &Limits,
    invalid: &mut Vec<GqlError>,
) -> Option<RootJob> {
    let key = root.key.clone();
    Some(match root.name.as_str() {
        "Get" => RootJob::Get(key, get::plan(root, classes, limits, invalid)),
        "Aggregate" => RootJob::Aggregate(key, aggregate::plan(root, classes, invalid)),
        "__typename" => RootJob::Constant(key, Value::String(ROOT_TYPE.into())),
        "Explore" => RootJob::Fail(key, error::field_not_supported("Explore", root.pos)),
        "__schema" | "__type" => {
            RootJob::Fail(key, error::field_not_supported("introspection", root.pos))
        }
        other => {
            invalid.push(error::unknown_field(other, ROOT_TYPE, root.pos));
            return None;
        }
    })
}

type OwnedSelectionSet = SelectionSet<'static, String>;

/// The selection set of the operation to run, and its variables' default values
/// (graphql-go's operation selection rules and messages).
fn operation(
    definitions: Vec<Definition<'static, String>>,
    name: Option<&str>,
) -> Result<(OwnedSelectionSet, BTreeMap<String, value::Value>), Vec<GqlError>> {
    let mut operations = Vec::new();
    for definition in definitions {
        match definition {
            Definition::Operation(op) => operations.push(op),
            Definition::Fragment(f) => {
                return Err(vec![error::field_not_supported(
                    "fragment definitions",
                    f.position,
                )]);
            }
        }
    }
    let chosen = match name {
        Some(wanted) => operations
            .into_iter()
            .find(|op| operation_name(op) == Some(wanted))
            .ok_or_else(|| {
                vec![GqlError::new(
                    format!("Unknown operation named \"{wanted}\"."),
                    Pos { line: 1, column: 1 },
                )]
            })?,
        None if operations.len() > 1 => {
            return Err(vec![GqlError::new(
                "Must provide operation name if query contains multiple operations.",
                Pos { line: 1, column: 1 },
            )])
        }
        None => operations.pop().ok_or_else(|| {
            vec![GqlError::new(
                "Must provide an operation.",
                Pos { line: 1, column: 1 },
            )]
        })?,
    };
    match chosen {
        OperationDefinition::SelectionSet(set) => Ok((set, BTreeMap::new())),
        OperationDefinition::Query(q) => {
            let defaults = q
                .variable_definitions
                .into_iter()
                .filter_map(|d| Some((d.name, d.default_value?)))
                .collect();
            Ok((q.selection_set, defaults))
        }
        OperationDefinition::Mutation(m) => Err(vec![GqlError::new(
            "Schema is not configured for mutations",
            m.position,
        )]),
        OperationDefinition::Subscription(s) => Err(vec![GqlError::new(
            "Schema is not configured for subscriptions",
            s.position,
        )]),
    }
}

fn operation_name<'o>(op: &'o OperationDefinition<'static, String>) -> Option<&'o str> {
    match op {
        OperationDefinition::SelectionSet(_) => None,
        OperationDefinition::Query(q) => q.name.as_deref(),
        OperationDefinition::Mutation(m) => m.name.as_deref(),
        OperationDefinition::Subscription(s) => s.name.as_deref(),
    }
}

/// Replaces variables in every argument of the selection (graphql-go: NoUndefinedVariables).
fn substitute(
    set: &mut OwnedSelectionSet,
    variables: &Map<String, Value>,
    defaults: &BTreeMap<String, value::Value>,
    invalid: &mut Vec<GqlError>,
) {
    for item in &mut set.items {
        match item {
            Selection::Field(field) => {
                for (_, v) in &mut field.arguments {
                    if let Err(name) = value::substitute(v, variables, defaults) {
                        invalid.push(GqlError::new(
                            format!("Variable \"${name}\" is not defined."),
                            field.position,
                        ));
                    }
                }
                substitute(&mut field.selection_set, variables, defaults, invalid);
            }
            Selection::InlineFragment(f) => {
                substitute(&mut f.selection_set, variables, defaults, invalid)
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Executes the planned root fields in request order.
async fn run_jobs<B: Backend>(backend: &B, jobs: Vec<RootJob>) -> Value {
    let mut data = Map::new();
    let mut errors = Vec::new();
    for job in jobs {
        let (key, value) = match job {
            RootJob::Get(key, classes) => {
                let v = get::run(backend, &key, classes, &mut errors).await;
                (key, v)
            }
            RootJob::Aggregate(key, classes) => {
                let v = aggregate::run(backend, &key, classes, &mut errors).await;
                (key, v)
            }
            RootJob::Constant(key, v) => (key, v),
            RootJob::Fail(key, e) => {
                errors.push(e.at_path(&[&key]));
                (key, Value::Null)
            }
        };
        data.insert(key, value);
    }
    let mut body = Map::new();
    body.insert("data".into(), Value::Object(data));
    if !errors.is_empty() {
        body.insert(
            "errors".into(),
            Value::Array(errors.iter().map(GqlError::to_json).collect()),
        );
    }
    Value::Object(body)
}
