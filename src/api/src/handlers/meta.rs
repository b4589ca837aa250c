//! Meta, health and discovery: `/`, `/v1`, `/v1/meta`, `/v1/.well-known/*`
//! (weaviate-api.md 1.7). The probes answer before anything else is checked, like Weaviate's.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

/// `GET /v1/meta`. The `version` is Weaviate's (clients compare it), `shoalVersion` our own.
pub(crate) async fn meta(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "hostname": state.config.hostname,
        "version": types::WEAVIATE_COMPAT_VERSION,
        "shoalVersion": types::SHOAL_VERSION,
        "modules": {},
        "grpcMaxMessageSize": state.config.grpc_max_message_bytes,
    }))
}

/// `GET /v1/.well-known/live`: 200 with an empty body as soon as HTTP is served.
pub(crate) async fn live() -> StatusCode {
    StatusCode::OK
}

/// `GET /v1/.well-known/ready`: 200 once the coordinator can serve, 503 before.
pub(crate) async fn ready(State(state): State<AppState>) -> StatusCode {
    if state.coordinator.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

/// `GET /v1/.well-known/openid-configuration`: 404 with no body, which tells clients that
/// OIDC is off (a 200 would make the v3 client demand credentials).
pub(crate) async fn openid_configuration() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// `GET /`: Weaviate redirects to `/v1`.
pub(crate) async fn root() -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/v1")]).into_response()
}

/// `GET /v1`: Weaviate's links document.
pub(crate) async fn links() -> Json<Value> {
    const DOCS: &str = "https://weaviate.io/developers/weaviate/api/rest";
    Json(json!({ "links": [
        {"name": "Meta information about this instance/cluster", "href": "/v1/meta"},
        {"name": "view complete schema", "href": "/v1/schema",
         "documentationHref": format!("{DOCS}/schema")},
        {"name": "CRUD schema", "href": "/v1/schema/{className}",
         "documentationHref": format!("{DOCS}/schema")},
        {"name": "CRUD objects", "href": "/v1/objects/{id}",
         "documentationHref": format!("{DOCS}/objects")},
        {"name": "check if Weaviate is live (returns 200 on GET when live)",
         "href": "/v1/.well-known/live",
         "documentationHref": format!("{DOCS}/well-known#liveness")},
        {"name": "check if Weaviate is ready (returns 200 on GET when ready)",
         "href": "/v1/.well-known/ready",
         "documentationHref": format!("{DOCS}/well-known#readiness")},
        {"name": "view link to openid configuration (returns 404 on GET if no openid is configured)",
         "href": "/v1/.well-known/openid-configuration",
         "documentationHref": format!("{DOCS}/well-known#openid-configuration")},
    ]}))
}
