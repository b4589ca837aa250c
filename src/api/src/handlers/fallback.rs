//! Answers for requests no route takes, in go-swagger's shape (Weaviate's router is
//! go-swagger's): unknown paths 404, known paths with another method 405, a handler panic 500.

use std::any::Any;

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Unknown route: 404 `{"code":404,"message":"path /v1/x was not found"}`.
pub(crate) async fn not_found(uri: Uri) -> ApiError {
    ApiError::swagger(
        StatusCode::NOT_FOUND,
        404,
        format!("path {} was not found", uri.path()),
    )
}

/// Known route, other method: 405 (axum adds the `Allow` header).
pub(crate) async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::swagger(
        StatusCode::METHOD_NOT_ALLOWED,
        405,
        format!("method {method} is not allowed"),
    )
}

/// A panicking handler becomes a 500 with the standard error body; the panic is logged.
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "unknown panic".to_string()
    };
    tracing::error!(panic = %detail, "request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("internal error: {detail}"),
    )
    .into_response()
}
