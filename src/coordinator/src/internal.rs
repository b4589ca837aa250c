//! The node's own routes on the internal port, beside Raft's: what peers ask of this node (its
//! status, and the data plane of `remote`). They are not part of Weaviate's API and never
//! reachable on the public port.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::nodes::NodeStatus;
use crate::status::NODE_STATUS_PATH;
use crate::Coordinator;

pub(crate) fn routes(coordinator: Arc<Coordinator>) -> Router {
    Router::new()
        .route(NODE_STATUS_PATH, get(node_status))
        .merge(crate::remote::routes())
        .with_state(coordinator)
}

/// This node's entry of `/v1/nodes`, for the node a client asked.
async fn node_status(
    State(coordinator): State<Arc<Coordinator>>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<NodeStatus> {
    let class = query.get("class").map(String::as_str);
    Json(coordinator.local_node_status(class))
}
