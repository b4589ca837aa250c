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
    /// Shoal's: each target vector's index, what it is and holds.
    vector_indexes: Vec<VectorIndexOut<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VectorIndexOut<'a> {
    target: &'a str,
    index_type: &'a str,
    vectors_indexed: u64,
    vectors_queued: u64,
    tombstones: u64,
    memory_bytes: u64,
    compression: &'a str,
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
            vector_indexes: shard
                .vector_indexes
                .iter()
                .map(|v| VectorIndexOut {
                    target: &v.target,
                    index_type: &v.index_type,
                    vectors_indexed: v.indexed,
                    vectors_queued: v.queued,
                    tombstones: v.tombstones,
                    memory_bytes: v.memory_bytes,
                    compression: &v.compression,
                })
                .collect(),
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
    /// Shoal's: the copy of a class created with `initFrom`, absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    init_from: Option<CopyOut<'a>>,
}

/// How the copy that fills a class from another stands.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CopyOut<'a> {
    class: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<&'a str>,
    /// `COPYING`, `DONE` or `FAILED`.
    status: &'static str,
    objects_copied: u64,
    /// The source's objects when the copy started.
    objects_total: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl<'a> ShardStatusOut<'a> {
    pub fn new(shard: &'a ShardStatusReport) -> Self {
        ShardStatusOut {
            name: &shard.name,
            status: &shard.status,
            vector_queue_size: shard.vector_queue_size,
            init_from: shard.copy.as_ref().map(|c| CopyOut {
                class: &c.source,
                tenant: c.tenant.as_deref(),
                status: c.state.as_str(),
                objects_copied: c.copied,
                objects_total: c.total,
                error: c.error.as_deref(),
            }),
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
                vector_indexes: vec![coordinator::nodes::VectorIndexReport {
                    target: "default".into(),
                    index_type: "hnsw".into(),
                    indexed: 3,
                    queued: 0,
                    tombstones: 0,
                    memory_bytes: 4096,
                    compression: "rq-8".into(),
                }],
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
        assert_eq!(
            s["vectorIndexes"],
            json!([{"target": "default", "indexType": "hnsw", "vectorsIndexed": 3,
                    "vectorsQueued": 0, "tombstones": 0, "memoryBytes": 4096,
                    "compression": "rq-8"}])
        );
    }

    #[test]
    fn verbose_without_shards_is_null() {
        let mut empty = node();
        empty.shards.clear();
        let nodes = [empty];
        let v: Value = serde_json::to_value(NodesOut::new(&nodes, true)).unwrap();
        assert_eq!(v["nodes"][0]["shards"], Value::Null);
    }

    #[test]
    fn shard_status_carries_a_copy_only_when_there_is_one() {
        let mut shard = ShardStatusReport {
            name: "s1".into(),
            status: "READY".into(),
            vector_queue_size: 0,
            copy: None,
        };
        let plain = serde_json::to_value(ShardStatusOut::new(&shard)).unwrap();
        assert_eq!(
            plain,
            json!({"name": "s1", "status": "READY", "vectorQueueSize": 0})
        );
        let mut copy = coordinator::CopyProgress::start("Src".into(), None, "n1".into(), 9);
        copy.copied = 4;
        shard.copy = Some(copy.clone());
        shard.status = "INDEXING".into();
        let copying = serde_json::to_value(ShardStatusOut::new(&shard)).unwrap();
        assert_eq!(
            copying["initFrom"],
            json!({"class": "Src", "status": "COPYING", "objectsCopied": 4, "objectsTotal": 9})
        );
        copy.state = coordinator::CopyState::Failed;
        copy.tenant = Some("t1".into());
        copy.error = Some("boom".into());
        shard.copy = Some(copy);
        let failed = serde_json::to_value(ShardStatusOut::new(&shard)).unwrap();
        assert_eq!(
            failed["initFrom"],
            json!({"class": "Src", "tenant": "t1", "status": "FAILED", "objectsCopied": 4,
                   "objectsTotal": 9, "error": "boom"})
        );
    }
}
