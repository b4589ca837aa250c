//! Request metrics of the HTTP API and the `/metrics` endpoint that exports every metric of the
//! node (served on its own port, `PROMETHEUS_MONITORING_PORT`, like Weaviate's).
//!
//! Each routed request counts once in Weaviate's `requests_total` (a gauge that only grows, as
//! in Weaviate) with its outcome (`ok`, `user_error` for 4xx, `server_error` for 5xx), its API
//! (`rest` or `graphql`), the class its path names and the kind of resource; and in
//! `weaviate_http_request_duration_seconds` / `weaviate_http_requests_inflight` by method and
//! route pattern (never the raw path, whose ids would make a series per object).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coordinator::metrics::SECONDS_BUCKETS;
use coordinator::Coordinator;
use prometheus::{GaugeVec, HistogramOpts, HistogramVec, Opts, Registry};

use crate::state::AppState;

/// The API's metrics, registered in the node's registry.
pub(crate) struct RequestMetrics {
    requests_total: GaugeVec,
    duration: HistogramVec,
    inflight: GaugeVec,
}

impl RequestMetrics {
    /// Registers the API's metrics in `registry` (one router per coordinator: a second one
    /// fails here, as its names are taken).
    pub(crate) fn new(registry: &Registry) -> prometheus::Result<RequestMetrics> {
        let metrics = RequestMetrics {
            requests_total: GaugeVec::new(
                Opts::new("requests_total", "Number of all requests made"),
                &["status", "class_name", "api", "query_type"],
            )?,
            duration: HistogramVec::new(
                HistogramOpts::new(
                    "weaviate_http_request_duration_seconds",
                    "Time (in seconds) spent serving requests",
                )
                .buckets(request_buckets()),
                &["method", "route", "status_code"],
            )?,
            inflight: GaugeVec::new(
                Opts::new(
                    "weaviate_http_requests_inflight",
                    "Current number of inflight requests",
                ),
                &["method", "route"],
            )?,
        };
        registry.register(Box::new(metrics.requests_total.clone()))?;
        registry.register(Box::new(metrics.duration.clone()))?;
        registry.register(Box::new(metrics.inflight.clone()))?;
        Ok(metrics)
    }
}

/// Weaviate's request buckets: sub-millisecond bounds, then its latency buckets.
fn request_buckets() -> Vec<f64> {
    let mut buckets = vec![0.0001, 0.00025, 0.0005, 0.001, 0.0025];
    buckets.extend_from_slice(SECONDS_BUCKETS);
    buckets
}

/// Middleware on every routed request: times it and counts its outcome.
pub(crate) async fn track(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let metrics = state.request_metrics.clone();
    let method = request.method().clone();
    let route = matched
        .as_ref()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let class = class_in_path(&route, request.uri().path()).map(str::to_string);
    let inflight = metrics
        .inflight
        .with_label_values(&[method.as_str(), &route]);
    inflight.inc();
    let started = Instant::now();
    let response = next.run(request).await;
    inflight.dec();
    let status = response.status();
    metrics
        .duration
        .with_label_values(&[method.as_str(), &route, status.as_str()])
        .observe(started.elapsed().as_secs_f64());
    let (api, query_type) = kind_of(&method, &route);
    let class = class.as_deref().unwrap_or("");
    let class = state.coordinator.metrics().class_label(class);
    metrics
        .requests_total
        .with_label_values(&[outcome(status), class, api, query_type])
        .inc();
    response
}

/// `ok`, `user_error` or `server_error`, as Weaviate labels request outcomes.
fn outcome(status: StatusCode) -> &'static str {
    if status.is_server_error() {
        "server_error"
    } else if status.is_client_error() {
        "user_error"
    } else {
        "ok"
    }
}

/// The API and the kind of resource a route serves.
fn kind_of(method: &Method, route: &str) -> (&'static str, &'static str) {
    let resource = route.trim_start_matches("/v1").trim_start_matches('/');
    let first = resource.split('/').next().unwrap_or("");
    match first {
        "graphql" => ("graphql", "graphql"),
        "objects" if *method == Method::GET && resource == "objects" => ("rest", "objects_list"),
        "objects" => ("rest", "objects"),
        "batch" => ("rest", "batch"),
        "schema" => ("rest", "schema"),
        "nodes" => ("rest", "nodes"),
        "cluster" => ("rest", "cluster"),
        _ => ("rest", "misc"),
    }
}

/// The class a path names, where its route has a `{class}` segment.
fn class_in_path<'p>(route: &str, path: &'p str) -> Option<&'p str> {
    route
        .split('/')
        .zip(path.split('/'))
        .find(|(pattern, _)| *pattern == "{class}")
        .map(|(_, value)| value)
}

/// The metrics port's routes: `GET /metrics` in Prometheus' text format.
pub fn metrics_router(coordinator: Arc<Coordinator>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let coordinator = coordinator.clone();
            async move { export(&coordinator) }
        }),
    )
}

fn export(coordinator: &Coordinator) -> Response {
    let body = coordinator.render_metrics();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_to_weaviate_resource_kinds() {
        assert_eq!(
            kind_of(&Method::POST, "/v1/graphql"),
            ("graphql", "graphql")
        );
        assert_eq!(
            kind_of(&Method::GET, "/v1/objects"),
            ("rest", "objects_list")
        );
        assert_eq!(kind_of(&Method::POST, "/v1/objects"), ("rest", "objects"));
        assert_eq!(
            kind_of(&Method::GET, "/v1/objects/{class}/{id}"),
            ("rest", "objects")
        );
        assert_eq!(
            kind_of(&Method::POST, "/v1/batch/objects"),
            ("rest", "batch")
        );
        assert_eq!(
            kind_of(&Method::GET, "/v1/schema/{class}"),
            ("rest", "schema")
        );
        assert_eq!(kind_of(&Method::GET, "/v1/nodes"), ("rest", "nodes"));
        assert_eq!(kind_of(&Method::GET, "/v1/meta"), ("rest", "misc"));
        assert_eq!(kind_of(&Method::GET, "/"), ("rest", "misc"));
    }

    #[test]
    fn the_class_comes_from_the_class_segment_only() {
        assert_eq!(
            class_in_path("/v1/objects/{class}/{id}", "/v1/objects/Doc/123"),
            Some("Doc")
        );
        assert_eq!(
            class_in_path("/v1/schema/{class}/shards", "/v1/schema/Doc/shards"),
            Some("Doc")
        );
        assert_eq!(class_in_path("/v1/objects/{id}", "/v1/objects/123"), None);
        assert_eq!(class_in_path("/v1/graphql", "/v1/graphql"), None);
    }

    #[test]
    fn outcomes_follow_the_status_class() {
        assert_eq!(outcome(StatusCode::OK), "ok");
        assert_eq!(outcome(StatusCode::NOT_FOUND), "user_error");
        assert_eq!(outcome(StatusCode::UNPROCESSABLE_ENTITY), "user_error");
        assert_eq!(outcome(StatusCode::SERVICE_UNAVAILABLE), "server_error");
    }
}
