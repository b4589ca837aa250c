//! Request ids and the request log.
//!
//! Every request gets an id: the client's `X-Request-Id` when it is a sane token (1 to 128
//! visible ASCII characters), else a new UUID v4. The id is a field of the request's
//! `tracing` span, so every event logged while the request runs carries it, and it is echoed
//! in the `X-Request-Id` header of every response, errors and panics included (this layer is
//! the outermost).
//!
//! One line per completed request: debug normally, warn for a 5xx (a readiness probe's 503
//! is not one: a node that is starting is not failing). The line names the method, route,
//! path, status, latency and request id; never a header (`Authorization` carries keys) nor
//! the query string (`access_token` may).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header a request id comes in and goes out with.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-chosen request id kept.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the request being served (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The outermost layer: assigns the id, runs the request in its span, logs the outcome and
/// echoes the id.
pub(crate) async fn request_id_and_log(mut request: Request, next: Next) -> Response {
    let id = incoming_id(&request).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    request.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let served = async move {
        let mut response = next.run(request).await;
        log_completion(&id, &method, &path, &response, started);
        // A sane incoming id or a UUID: always a valid header value.
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        response
    };
    served.instrument(span).await
}

/// The request's line, inside its span; the id is also a field of its own, so that the line
/// has it even when the span's level is filtered out.
fn log_completion(id: &str, method: &Method, path: &str, response: &Response, started: Instant) {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status();
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or("", |m| m.as_str());
    let code = status.as_u16();
    if status.is_server_error() && !is_readiness_probe(route, status) {
        tracing::warn!(request_id = id, %method, route, path, status = code, latency_ms, "request failed");
    } else {
        tracing::debug!(request_id = id, %method, route, path, status = code, latency_ms, "request completed");
    }
}

/// A route layer that leaves the matched route on the response for [`request_id_and_log`],
/// which runs outside routing and cannot see it otherwise.
pub(crate) async fn remember_route(matched: MatchedPath, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.extensions_mut().insert(matched);
    response
}

/// The client's id, if it is 1 to 128 visible ASCII characters (no spaces or controls, which
/// could forge log lines or headers).
fn incoming_id(request: &Request) -> Option<String> {
    let value = request.headers().get(REQUEST_ID_HEADER)?.as_bytes();
    let sane = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value.iter().all(u8::is_ascii_graphic);
    sane.then(|| String::from_utf8_lossy(value).into_owned())
}

fn is_readiness_probe(route: &str, status: StatusCode) -> bool {
    route == "/v1/.well-known/ready" && status == StatusCode::SERVICE_UNAVAILABLE
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn with_id(value: &[u8]) -> Request {
        Request::builder()
            .header(REQUEST_ID_HEADER, HeaderValue::from_bytes(value).unwrap())
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn sane_incoming_ids_are_kept() {
        assert_eq!(
            incoming_id(&with_id(b"abc-123")).as_deref(),
            Some("abc-123")
        );
        let longest = "x".repeat(128);
        assert_eq!(incoming_id(&with_id(longest.as_bytes())), Some(longest));
    }

    #[test]
    fn odd_incoming_ids_are_replaced() {
        assert_eq!(incoming_id(&with_id("x".repeat(129).as_bytes())), None);
        assert_eq!(incoming_id(&with_id(b"two words")), None);
        assert_eq!(incoming_id(&with_id(b"tab\there")), None);
        assert_eq!(incoming_id(&with_id(b"caf\xc3\xa9")), None);
        assert_eq!(incoming_id(&with_id(b"")), None);
        let none = Request::builder().body(Body::empty()).unwrap();
        assert_eq!(incoming_id(&none), None);
    }

    #[test]
    fn a_starting_node_is_not_failing() {
        assert!(is_readiness_probe(
            "/v1/.well-known/ready",
            StatusCode::SERVICE_UNAVAILABLE
        ));
        assert!(!is_readiness_probe(
            "/v1/schema",
            StatusCode::SERVICE_UNAVAILABLE
        ));
        assert!(!is_readiness_probe(
            "/v1/.well-known/ready",
            StatusCode::INTERNAL_SERVER_ERROR
        ));
    }
}
