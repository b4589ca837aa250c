//! `POST /v1/graphql` and `POST /v1/graphql/batch`: the HTTP side of GraphQL. Parsing and
//! executing the query is `crate::graphql`'s job; this file only reads the body and writes the
//! status and JSON it returns.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

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
pub(crate) async fn batch(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Value>>> {
    let Value::Array(queries) = body else {
        return Err(ApiError::invalid(format!(
            "the batch must be an array of queries, got {}",
            json_type(&body)
        )));
    };
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
