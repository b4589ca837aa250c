//! `GET /v1/nodes[/{class}]?output=minimal|verbose` (weaviate-api.md 1.8,
//! `adapters/handlers/rest/handlers_nodes.go`). `output` defaults to `minimal`; any other
//! value is 422. An unknown class is 404 with the error body.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::dto::nodes::NodesOut;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PathParams, QueryParams};
use crate::state::AppState;

/// `GET /v1/nodes`.
pub(crate) async fn all(State(state): State<AppState>, query: QueryParams) -> ApiResult<Response> {
    nodes(&state, None, &query).await
}

/// `GET /v1/nodes/{class}`: shard lists restricted to one class.
pub(crate) async fn for_class(
    State(state): State<AppState>,
    PathParams(class): PathParams<String>,
    query: QueryParams,
) -> ApiResult<Response> {
    nodes(&state, Some(&class), &query).await
}

async fn nodes(state: &AppState, class: Option<&str>, query: &QueryParams) -> ApiResult<Response> {
    let verbose = verbose(query)?;
    let statuses = state.coordinator.nodes(class).await?;
    Ok(Json(NodesOut::new(&statuses, verbose)).into_response())
}

/// `output`: `minimal` (default) or `verbose`.
fn verbose(query: &QueryParams) -> ApiResult<bool> {
    match query.get("output") {
        None | Some("minimal") => Ok(false),
        Some("verbose") => Ok(true),
        Some(other) => Err(ApiError::invalid(format!(
            "output must be one of [minimal verbose], got '{other}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_values() {
        assert!(!verbose(&QueryParams::default()).unwrap());
        assert!(verbose(&QueryParams::from_pairs(&[("output", "verbose")])).unwrap());
        let err = verbose(&QueryParams::from_pairs(&[("output", "loud")])).unwrap_err();
        assert_eq!(err.status(), 422);
    }
}
