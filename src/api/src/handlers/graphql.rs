//! `POST /v1/graphql` and `POST /v1/graphql/batch`: the HTTP side of GraphQL. Parsing and
//! executing the query is `crate::graphql`'s job; this file only reads the body and writes the
//! status and JSON it returns.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::middleware::authorize_traversal;
use crate::auth::Principal;
use crate::dto::object::json_type;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::graphql;
use crate::state::AppState;

/// `POST /v1/graphql` with `{"query": "...", "operationName": ..., "variables": ...}`.
pub(crate) async fn query(State(state): State<AppState>, JsonBody(body): JsonBody) -> Response {
    let (status, value) = graphql::execute(
        &state.coordinator,
        &body,
        state.config.graphql_max_query_cost,
    )
    .await;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(value)).into_response()
}

/// `POST /v1/graphql/batch`: an array of queries in, an array of responses out, same order.
/// Weaviate checks no permission for the batch itself; each query's resolvers check `get
/// traversal/*`, so a user the admin list does not allow gets a GraphQL error per query.
pub(crate) async fn batch(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Value>>> {
    let Value::Array(queries) = body else {
        return Err(ApiError::invalid(format!(
            "the batch must be an array of queries, got {}",
            json_type(&body)
        )));
    };
    let principal = principal.as_ref().map(|Extension(p)| p);
    if let Err(message) = authorize_traversal(&state.config.auth, principal) {
        let refused = json!({"data": null, "errors": [{"message": message}]});
        return Ok(Json(vec![refused; queries.len()]));
    }
    let mut out = Vec::with_capacity(queries.len());
    for query in &queries {
        let (_, value) = graphql::execute(
            &state.coordinator,
            query,
            state.config.graphql_max_query_cost,
        )
        .await;
        out.push(value);
    }
    Ok(Json(out))
}
