//! Request extractors whose rejections have Weaviate's shapes instead of axum's plain-text ones:
//! a JSON body ([`JsonBody`]), path parameters ([`PathParams`]) and the query string
//! ([`QueryParams`]).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A JSON request body. An empty body is go-swagger's "body in body is required" (422),
/// malformed JSON its parse error (400), and a body over the limit 413.
pub(crate) struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = read_body(req, state).await?;
        if !bytes.is_empty() {
            check_content_type(content_type.as_ref())?;
        }
        parse_json_body(&bytes).map(JsonBody)
    }
}

/// The whole body, within the configured limit (413 beyond it).
pub(crate) async fn read_body(req: Request, state: &AppState) -> ApiResult<Bytes> {
    Bytes::from_request(req, state)
        .await
        .map_err(|r| body_rejection(r, state.config.max_body_bytes))
}

fn body_rejection(rejection: BytesRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::body_too_large(limit);
    }
    ApiError::bad_request(format!(
        "could not read the request body: {}",
        rejection.body_text()
    ))
}

/// go-swagger checks the media type of every request with a body against the spec's
/// `consumes` (JSON and YAML); a missing header counts as `application/octet-stream`. JSON is
/// YAML, so a YAML-typed body is parsed as JSON.
pub(crate) fn check_content_type(content_type: Option<&HeaderValue>) -> ApiResult<()> {
    let raw = content_type
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let essence = raw.split(';').next().unwrap_or_default().trim();
    let accepted = ["application/json", "application/yaml"]
        .iter()
        .any(|m| essence.eq_ignore_ascii_case(m));
    match accepted {
        true => Ok(()),
        false => Err(ApiError::unsupported_media_type(essence)),
    }
}

/// Parses a body the way go-swagger does before a Weaviate handler runs.
pub(crate) fn parse_json_body(bytes: &[u8]) -> ApiResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::body_required());
    }
    serde_json::from_slice(bytes).map_err(body_parse_error)
}

/// go-swagger's answer to a body that is not JSON (400).
pub(crate) fn body_parse_error(e: serde_json::Error) -> ApiError {
    let message = format!("parsing body body from \"\" failed, because {e}");
    ApiError::swagger(StatusCode::BAD_REQUEST, 400, message)
}

/// Path parameters (raw strings; typed checks such as uuids happen in the handler so that the
/// error names the parameter like go-swagger does).
pub(crate) struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParams(value)),
            Err(rejection) => Err(ApiError::bad_request(rejection.body_text())),
        }
    }
}

/// The query string as ordered pairs; a repeated name keeps its first value, like Go's
/// `url.Values.Get`.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) => Ok(QueryParams(pairs)),
            Err(rejection) => Err(ApiError::bad_request(rejection.body_text())),
        }
    }
}

impl QueryParams {
    /// The first value of `name`, if present (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, treating an empty value as absent.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// An optional go-swagger `int64` parameter: a value that is not an integer is 422
    /// "`name` in query must be of type int64".
    pub fn int64(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(raw) => raw
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::swagger_type(name, "query", "int64", raw)),
        }
    }

    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        QueryParams(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

/// A uuid path parameter, with go-swagger's rejection (`format: uuid` in Weaviate's spec):
/// 422 "`name` in path must be of type uuid". Accepts the hyphenated and the 32-digit form.
pub(crate) fn path_uuid(name: &str, raw: &str) -> ApiResult<Uuid> {
    parse_uuid(raw).ok_or_else(|| ApiError::swagger_type(name, "path", "uuid", raw))
}

/// Parses the two textual uuid forms strfmt accepts; `None` for anything else.
pub(crate) fn parse_uuid(raw: &str) -> Option<Uuid> {
    if raw.len() != 36 && raw.len() != 32 {
        return None;
    }
    Uuid::parse_str(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_is_required_error() {
        let err = parse_json_body(b"  ").unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.message(), "body in body is required");
    }

    #[test]
    fn malformed_body_is_400_with_swagger_wording() {
        let err = parse_json_body(b"{nope").unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(err
            .message()
            .starts_with("parsing body body from \"\" failed, because "));
    }

    #[test]
    fn bodies_must_be_json_or_yaml() {
        let check = |v: &'static str| check_content_type(Some(&HeaderValue::from_static(v)));
        assert!(check("application/json").is_ok());
        assert!(check("Application/JSON; charset=utf-8").is_ok());
        assert!(check("application/yaml").is_ok());
        let err = check("text/plain; charset=utf-8").unwrap_err();
        assert_eq!(err.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            err.message(),
            "unsupported media type \"text/plain\", only [application/yaml application/json] are allowed"
        );
        let err = check_content_type(None).unwrap_err();
        assert!(err.message().contains("\"application/octet-stream\""));
    }

    #[test]
    fn uuid_forms() {
        assert!(parse_uuid("00000000-0000-0000-0000-000000000001").is_some());
        assert!(parse_uuid("0000000000000000000000000000000A").is_some());
        assert!(parse_uuid("{00000000-0000-0000-0000-000000000001}").is_none());
        assert!(parse_uuid("nope").is_none());
        let err = path_uuid("id", "nope").unwrap_err();
        assert_eq!(err.message(), "id in path must be of type uuid: \"nope\"");
    }

    #[test]
    fn int64_params() {
        let q = QueryParams::from_pairs(&[("limit", "5"), ("offset", "x"), ("limit", "7")]);
        assert_eq!(q.int64("limit").unwrap(), Some(5));
        assert_eq!(q.int64("after").unwrap(), None);
        let err = q.int64("offset").unwrap_err();
        assert_eq!(
            err.message(),
            "offset in query must be of type int64: \"x\""
        );
    }
}
