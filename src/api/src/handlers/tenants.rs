//! Tenants of multi-tenant collections: `/v1/schema/{class}/tenants` (list, add, change status,
//! delete) and `/v1/schema/{class}/tenants/{tenant}` (get, exists), as Weaviate 1.27 has them.
//! Bodies are parsed by `model::tenants`; every change goes through the metadata log.
//! Refusals the client caused are 422, as Weaviate's tenant handlers answer them.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::tenants;
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::extract::{JsonBody, PathParams};
use crate::handlers::schema::{catch_up, schema_write_error};
use crate::state::AppState;

/// `GET /v1/schema/{class}/tenants`: `[{"name","activityStatus"}]` in name order.
pub(crate) async fn list(
    State(state): State<AppState>,
    PathParams(class): PathParams<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    catch_up(&state, &headers).await?;
    let listed = state
        .coordinator
        .tenants(&class, None)
        .map_err(schema_write_error)?;
    Ok(Json(tenants_json(&listed)))
}

/// `POST /v1/schema/{class}/tenants` with `[{"name", "activityStatus"?}]`: 200 echoing the
/// tenants as sent, as Weaviate does (a status left out stays out; it is stored as `HOT`;
/// `ACTIVE`/`INACTIVE` come back as `HOT`/`COLD`).
pub(crate) async fn add(
    State(state): State<AppState>,
    PathParams(class): PathParams<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let requested = tenants::parse_tenants(&body, false).map_err(schema_write_error)?;
    let stored = requested
        .iter()
        .map(|t| (t.name.clone(), t.stored_status()))
        .collect();
    state
        .coordinator
        .add_tenants(&class, stored)
        .await
        .map_err(schema_write_error)?;
    let echoed = requested
        .iter()
        .map(|t| match &t.status {
            Some(status) => tenant_json(&t.name, status),
            None => json!({ "name": t.name }),
        })
        .collect();
    Ok(Json(Value::Array(echoed)))
}

/// `PUT /v1/schema/{class}/tenants` with `[{"name", "activityStatus"}]`: 200 with the tenants
/// as updated.
pub(crate) async fn update(
    State(state): State<AppState>,
    PathParams(class): PathParams<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let requested = tenants::parse_tenants(&body, true).map_err(schema_write_error)?;
    let statuses: Vec<(String, String)> = requested
        .iter()
        .map(|t| (t.name.clone(), t.stored_status()))
        .collect();
    state
        .coordinator
        .update_tenants(&class, statuses.clone())
        .await
        .map_err(schema_write_error)?;
    Ok(Json(tenants_json(&statuses)))
}

/// `DELETE /v1/schema/{class}/tenants` with `["t1", "t2"]`: 200; unknown names are ignored.
pub(crate) async fn delete(
    State(state): State<AppState>,
    PathParams(class): PathParams<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let names = tenants::parse_tenant_names(&body).map_err(schema_write_error)?;
    state
        .coordinator
        .delete_tenants(&class, names)
        .await
        .map_err(schema_write_error)?;
    Ok(StatusCode::OK)
}

/// `GET` (and `HEAD`) `/v1/schema/{class}/tenants/{tenant}`: 200 with
/// `{"name","activityStatus"}`, or 404 with no body when the class has no such tenant.
pub(crate) async fn get_one(
    State(state): State<AppState>,
    PathParams((class, tenant)): PathParams<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    catch_up(&state, &headers).await?;
    let found = state
        .coordinator
        .tenants(&class, Some(std::slice::from_ref(&tenant)))
        .map_err(schema_write_error)?;
    Ok(match found.first() {
        Some((name, status)) => Json(tenant_json(name, status)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    })
}

fn tenant_json(name: &str, status: &str) -> Value {
    json!({"name": name, "activityStatus": status})
}

fn tenants_json(tenants: &[(String, String)]) -> Value {
    Value::Array(tenants.iter().map(|(n, s)| tenant_json(n, s)).collect())
}
