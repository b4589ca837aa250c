//! The route table and the layers around it.
//!
//! Layers, outermost first: the request id, span and log line (`observe`), a panic catcher
//! that turns a panicking handler into a 500 with the error body, and the request body limit
//! (413). Matched routes then pass the request metrics (`metrics::track`, which also counts
//! refused requests) and authentication and authorization (`auth`), which run after routing as
//! go-swagger's do: unknown paths and wrong methods get go-swagger's 404 and 405 bodies
//! whatever the credentials.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post, put};
use axum::Router;
use coordinator::Coordinator;
use tower_http::catch_panic::CatchPanicLayer;

use crate::handlers::{
    aliases, batch, batch_delete, cluster, fallback, graphql, list, meta, nodes, objects,
    references, schema, tenants,
};
use crate::state::AppState;
use crate::{auth, metrics, observe, ApiConfig};

/// The whole REST + GraphQL API of one node. Fails only if its metrics cannot be created.
pub fn router(coordinator: Arc<Coordinator>, config: ApiConfig) -> prometheus::Result<Router> {
    let body_limit = config.max_body_bytes;
    let state = AppState::new(coordinator, config)?;
    let authenticate = from_fn_with_state(state.clone(), auth::middleware::authenticate);
    let track = from_fn_with_state(state.clone(), metrics::track);
    let routes = Router::new()
        .merge(meta_routes())
        .merge(schema_routes())
        .merge(object_routes())
        .route(
            "/v1/batch/objects",
            post(batch::create).delete(batch_delete::delete),
        )
        .route("/v1/batch/references", post(references::batch))
        .route("/v1/graphql", post(graphql::query))
        .route("/v1/graphql/batch", post(graphql::batch))
        .route("/v1/nodes", get(nodes::all))
        .route("/v1/nodes/{class}", get(nodes::for_class))
        .route("/v1/cluster/statistics", get(cluster::statistics))
        // Route layers run for matched routes only (their route pattern is known, and unknown
        // paths must not make a metrics series each), so they must come after all routes.
        .route_layer(authenticate)
        .route_layer(track)
        .route_layer(from_fn(observe::remember_route));
    Ok(routes
        .fallback(fallback::not_found)
        // Applies to the routes above, so it must come after them.
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(fallback::panic_response))
        .layer(from_fn(observe::request_id_and_log))
        .with_state(state))
}

fn meta_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(meta::root))
        .route("/v1", get(meta::links))
        .route("/v1/meta", get(meta::meta))
        .route("/v1/.well-known/live", get(meta::live))
        .route("/v1/.well-known/ready", get(meta::ready))
        .route(
            "/v1/.well-known/openid-configuration",
            get(meta::openid_configuration),
        )
}

fn schema_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/schema", get(schema::dump).post(schema::create_class))
        .route(
            "/v1/schema/{class}",
            get(schema::get_class)
                .put(schema::update_class)
                .delete(schema::delete_class),
        )
        .route("/v1/schema/{class}/properties", post(schema::add_property))
        .route("/v1/schema/{class}/shards", get(schema::shards))
        .route(
            "/v1/schema/{class}/shards/{shard}",
            put(schema::update_shard),
        )
        .route(
            "/v1/schema/{class}/tenants",
            get(tenants::list)
                .post(tenants::add)
                .put(tenants::update)
                .delete(tenants::delete),
        )
        .route("/v1/schema/{class}/tenants/{tenant}", get(tenants::get_one))
        .route("/v1/aliases", get(aliases::list).post(aliases::create))
        .route(
            "/v1/aliases/{alias}",
            get(aliases::get_one)
                .put(aliases::replace)
                .delete(aliases::delete),
        )
}

fn object_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/objects", get(list::list).post(objects::create))
        .route("/v1/objects/validate", post(objects::validate))
        .route(
            "/v1/objects/{id}",
            get(objects::get_any_class)
                .head(objects::head_any_class)
                .put(objects::replace_any_class)
                .patch(objects::merge_any_class)
                .delete(objects::delete_any_class),
        )
        .route(
            "/v1/objects/{class}/{id}",
            get(objects::get)
                .head(objects::head)
                .put(objects::replace)
                .patch(objects::merge)
                .delete(objects::delete),
        )
        .route(
            "/v1/objects/{id}/references/{property}",
            post(references::add_any_class)
                .put(references::replace_any_class)
                .delete(references::delete_any_class),
        )
        .route(
            "/v1/objects/{class}/{id}/references/{property}",
            post(references::add)
                .put(references::replace)
                .delete(references::delete),
        )
}
