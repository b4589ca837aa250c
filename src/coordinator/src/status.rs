//! Node status for `/v1/nodes`, and the import rate the v3 batcher reads from it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::nodes::{NodeStatus, ShardReport};
use crate::{Coordinator, Result};

/// Window over which the import rate is averaged.
const RATE_WINDOW: Duration = Duration::from_secs(10);

/// Objects imported per second over the last [`RATE_WINDOW`].
#[derive(Default)]
pub(crate) struct ImportRate {
    events: Mutex<VecDeque<(Instant, u64)>>,
}

impl ImportRate {
    pub(crate) fn record(&self, objects: u64) {
        if objects == 0 {
            return;
        }
        let now = Instant::now();
        let mut events = self.events.lock();
        events.push_back((now, objects));
        prune(&mut events, now);
    }

    pub(crate) fn per_second(&self) -> u64 {
        let now = Instant::now();
        let mut events = self.events.lock();
        prune(&mut events, now);
        let total: u64 = events.iter().map(|(_, n)| n).sum();
        total / RATE_WINDOW.as_secs()
    }
}

fn prune(events: &mut VecDeque<(Instant, u64)>, now: Instant) {
    while events
        .front()
        .is_some_and(|(t, _)| now.duration_since(*t) > RATE_WINDOW)
    {
        events.pop_front();
    }
}

impl Coordinator {
    /// `GET /v1/nodes[/{class}]`: this node, with its shards (of `class` only, if given).
    pub async fn nodes(&self, class: Option<&str>) -> Result<Vec<NodeStatus>> {
        let shards = match class {
            Some(c) => self.shards.shards_of(&self.require_class(c)?.class.class),
            None => self.shards.all(),
        };
        let reports: Vec<ShardReport> = shards
            .iter()
            .map(|s| ShardReport {
                name: s.name().to_string(),
                class: s.class().to_string(),
                object_count: s.object_count(),
                vector_indexing_status: indexing_status(s),
                compressed: false,
                vector_queue_length: s.vector_queue_len(),
                loaded: true,
            })
            .collect();
        Ok(vec![NodeStatus {
            name: self.config.node_name.clone(),
            status: "HEALTHY".to_string(),
            version: types::WEAVIATE_COMPAT_VERSION.to_string(),
            git_hash: option_env!("SHOAL_GIT_HASH")
                .unwrap_or("unknown")
                .to_string(),
            // The batch queue: imports are applied before they are acknowledged, so it is always
            // empty (the vector-index queue is reported per shard). Clients divide by the rate
            // when this is non-zero.
            queue_length: 0,
            rate_per_second: self.rate.per_second(),
            object_count: reports.iter().map(|r| r.object_count).sum(),
            shard_count: reports.len() as u64,
            shards: reports,
        }])
    }
}

/// `READONLY`; `INDEXING` while vectors wait for the index or a dynamic index builds its
/// graph; else `READY`.
pub(crate) fn indexing_status(shard: &shard::Shard) -> String {
    match shard.status() {
        shard::ShardStatus::ReadOnly => "READONLY".to_string(),
        shard::ShardStatus::Ready if shard.vector_queue_len() > 0 || shard.is_upgrading() => {
            "INDEXING".to_string()
        }
        shard::ShardStatus::Ready => "READY".to_string(),
    }
}
