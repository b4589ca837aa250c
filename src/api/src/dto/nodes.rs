//! `/v1/nodes` and `/v1/schema/{class}/shards` bodies.
//!
//! Node status follows Weaviate's `models.NodeStatus`: `stats` (`objectCount`, `shardCount`) is
//! part of both outputs, `shards` is `null` in the minimal one and a list in the verbose one
//! (`test/acceptance/nodes`, `adapters/repos/db/nodes.go`). `ratePerSecond` lives only under
//! `batchStats`: the v3 client switches to a divide-by-zero-prone batching path when it finds
//! it under `stats`.

use coordinator::nodes::{NodeStatus, ShardReport, ShardStatusReport};
use serde::Serialize;

/// `{"nodes": [...]}`.
#[derive(Debug, Serialize)]
pub(crate) struct NodesOut<'a> {
    nodes: Vec<NodeOut<'a>>,
}

impl<'a> NodesOut<'a> {
    /// The body for `nodes`, with shards only when `verbose`.
    pub fn new(nodes: &'a [NodeStatus], verbose: bool) -> Self {
        NodesOut {
            nodes: nodes.iter().map(|n| NodeOut::new(n, verbose)).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeOut<'a> {
    batch_stats: BatchStatsOut,
    git_hash: &'a str,
    name: &'a str,
    shards: Option<Vec<ShardOut<'a>>>,
    stats: StatsOut,
    status: &'a str,
    version: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchStatsOut {
    queue_length: u64,
    rate_per_second: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsOut {
    object_count: u64,
    shard_count: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ShardOut<'a> {
    class: &'a str,
    compressed: bool,
    loaded: bool,
    name: &'a str,
    object_count: u64,
    vector_indexing_status: &'a str,
    vector_queue_length: u64,
}

impl<'a> NodeOut<'a> {
    fn new(node: &'a NodeStatus, verbose: bool) -> Self {
        NodeOut {
            batch_stats: BatchStatsOut {
                queue_length: node.queue_length,
                rate_per_second: node.rate_per_second,
            },
            git_hash: &node.git_hash,
            name: &node.name,
            // Go marshals a node without shards as `null`, in the verbose output too.
            shards: (verbose && !node.shards.is_empty())
                .then(|| node.shards.iter().map(ShardOut::new).collect()),
            stats: StatsOut {
                object_count: node.object_count,
                shard_count: node.shard_count,
            },
            status: &node.status,
            version: &node.version,
        }
    }
}

impl<'a> ShardOut<'a> {
    fn new(shard: &'a ShardReport) -> Self {
        ShardOut {
            class: &shard.class,
            compressed: shard.compressed,
            loaded: shard.loaded,
            name: &shard.name,
            object_count: shard.object_count,
            vector_indexing_status: &shard.vector_indexing_status,
            vector_queue_length: shard.vector_queue_length,
        }
    }
}

/// One entry of `GET /v1/schema/{class}/shards`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShardStatusOut<'a> {
    name: &'a str,
    status: &'a str,
    vector_queue_size: u64,
}

impl<'a> ShardStatusOut<'a> {
    pub fn new(shard: &'a ShardStatusReport) -> Self {
        ShardStatusOut {
            name: &shard.name,
            status: &shard.status,
            vector_queue_size: shard.vector_queue_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn node() -> NodeStatus {
        NodeStatus {
            name: "node1".into(),
            status: "HEALTHY".into(),
            version: "1.27.0".into(),
            git_hash: "abc".into(),
            queue_length: 0,
            rate_per_second: 7,
            object_count: 3,
            shard_count: 1,
            shards: vec![ShardReport {
                name: "s1".into(),
                class: "Doc".into(),
                object_count: 3,
                vector_indexing_status: "READY".into(),
                compressed: false,
                vector_queue_length: 0,
                loaded: true,
            }],
        }
    }

    #[test]
    fn minimal_has_stats_and_null_shards() {
        let nodes = [node()];
        let v: Value = serde_json::to_value(NodesOut::new(&nodes, false)).unwrap();
        let n = &v["nodes"][0];
        assert_eq!(n["shards"], Value::Null);
        assert_eq!(n["stats"], json!({"objectCount": 3, "shardCount": 1}));
        assert_eq!(
            n["batchStats"],
            json!({"queueLength": 0, "ratePerSecond": 7})
        );
        assert_eq!(n["gitHash"], "abc");
    }

    #[test]
    fn verbose_lists_shards() {
        let nodes = [node()];
        let v: Value = serde_json::to_value(NodesOut::new(&nodes, true)).unwrap();
        let s = &v["nodes"][0]["shards"][0];
        assert_eq!(s["vectorIndexingStatus"], "READY");
        assert_eq!(s["objectCount"], 3);
        assert_eq!(s["class"], "Doc");
    }

    #[test]
    fn verbose_without_shards_is_null() {
        let mut empty = node();
        empty.shards.clear();
        let nodes = [empty];
        let v: Value = serde_json::to_value(NodesOut::new(&nodes, true)).unwrap();
        assert_eq!(v["nodes"][0]["shards"], Value::Null);
    }
}
