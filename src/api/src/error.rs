//! Errors of the HTTP layer and the three body shapes Weaviate uses for them:
//!
//! - the handlers' envelope `{"error":[{"message":"..."}]}` (most errors);
//! - go-swagger's `{"code":601,"message":"..."}` for requests rejected before a handler runs
//!   (malformed JSON, a path parameter of the wrong type, a missing body);
//! - no body at all, for several 404s (object GET/HEAD/DELETE/PATCH, class GET/PUT).
//!
//! Coordinator errors map to a status through [`status_of`], one exhaustive match over
//! [`ErrorKind`]; handlers whose Weaviate counterpart answers differently adjust the status
//! explicitly (see `handlers::schema`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::gofmt;
use serde_json::{json, Value};
use types::ErrorKind;

/// `Result` of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// The status code of each error kind. Weaviate answers 422 both for invalid content and for
/// conflicts such as "id '...' already exists".
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The gRPC code of each error kind, for the same errors [`status_of`] maps to HTTP.
pub fn grpc_code_of(kind: ErrorKind) -> tonic::Code {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::BadRequest => tonic::Code::InvalidArgument,
        ErrorKind::NotFound => tonic::Code::NotFound,
        ErrorKind::Conflict => tonic::Code::AlreadyExists,
        ErrorKind::Unavailable => tonic::Code::Unavailable,
        ErrorKind::Timeout => tonic::Code::DeadlineExceeded,
        ErrorKind::Internal => tonic::Code::Internal,
    }
}

/// Weaviate's standard error body.
pub fn error_body(message: &str) -> Value {
    json!({ "error": [{ "message": message }] })
}

/// How the error is written on the wire.
#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// `{"error":[{"message":...}]}`.
    Envelope(String),
    /// go-swagger's `{"code":...,"message":...}`.
    Swagger { code: u32, message: String },
    /// No body.
    Empty,
}

/// An error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    status: StatusCode,
    body: Body,
}

impl ApiError {
    /// An error with the standard envelope.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: Body::Envelope(message.into()),
        }
    }

    /// 422 with the standard envelope.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 400 with the standard envelope.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// A status without a body (Weaviate's bare 404s).
    pub fn empty(status: StatusCode) -> Self {
        ApiError {
            status,
            body: Body::Empty,
        }
    }

    /// go-swagger's shape; `code` is its error code (400 for parse errors, 6xx for validation
    /// failures, which it serves as 422).
    pub fn swagger(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: Body::Swagger {
                code,
                message: message.into(),
            },
        }
    }

    /// A body over the configured limit (413).
    pub fn body_too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body too large: the limit is {limit} bytes"),
        )
    }

    /// go-swagger's refusal of a body whose `Content-Type` the spec does not consume (415).
    pub fn unsupported_media_type(content_type: &str) -> Self {
        let message = format!(
            "unsupported media type {}, only [application/yaml application/json] are allowed",
            gofmt::quote(content_type)
        );
        ApiError::swagger(StatusCode::UNSUPPORTED_MEDIA_TYPE, 415, message)
    }

    /// go-swagger's "`name` in `place` must be of type `ty`" (code 601, status 422).
    pub fn swagger_type(name: &str, place: &str, ty: &str, value: &str) -> Self {
        let message = format!(
            "{name} in {place} must be of type {ty}: {}",
            gofmt::quote(value)
        );
        ApiError::swagger(StatusCode::UNPROCESSABLE_ENTITY, 601, message)
    }

    /// go-swagger's "body in body is required" (code 602, status 422).
    pub fn body_required() -> Self {
        ApiError::swagger(
            StatusCode::UNPROCESSABLE_ENTITY,
            602,
            "body in body is required",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The human-readable message (empty for bodiless errors).
    pub fn message(&self) -> &str {
        match &self.body {
            Body::Envelope(m) => m,
            Body::Swagger { message, .. } => message,
            Body::Empty => "",
        }
    }

    /// The same error without a body.
    pub fn without_body(self) -> Self {
        ApiError::empty(self.status)
    }

    /// The same error with another status.
    pub fn with_status(self, status: StatusCode) -> Self {
        ApiError { status, ..self }
    }
}

impl From<coordinator::Error> for ApiError {
    fn from(err: coordinator::Error) -> Self {
        ApiError::new(status_of(err.kind()), err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.body {
            Body::Envelope(message) => (self.status, Json(error_body(&message))).into_response(),
            Body::Swagger { code, message } => (
                self.status,
                Json(json!({ "code": code, "message": message })),
            )
                .into_response(),
            Body::Empty => self.status.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_type_message_matches_go_swagger() {
        let err = ApiError::swagger_type("id", "path", "uuid", "x\"y");
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.message(), r#"id in path must be of type uuid: "x\"y""#);
    }

    #[test]
    fn conflict_is_422_like_weaviate() {
        assert_eq!(
            status_of(ErrorKind::Conflict),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(ErrorKind::Timeout), StatusCode::GATEWAY_TIMEOUT);
    }
}
