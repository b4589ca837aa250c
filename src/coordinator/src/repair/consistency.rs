//! Search results at a consistency level above ONE (GraphQL `consistencyLevel`): a search asks
//! one replica of every shard, so afterwards each hit is read from `level` replicas of its
//! shard, as Weaviate's `CheckConsistency` does. A hit whose replicas disagree is marked
//! `isConsistent: false`, shows the winning version's properties, and its stale replicas are
//! repaired.

use cluster::ClassMeta;
use model::{ConsistencyLevel, SearchHit};

use crate::{Coordinator, Error, Result};

impl Coordinator {
    /// Checks every hit of a search of `meta` at `level`.
    pub(crate) async fn check_consistency(
        &self,
        meta: &ClassMeta,
        hits: &mut [SearchHit],
        level: ConsistencyLevel,
    ) -> Result<()> {
        if level == ConsistencyLevel::One || meta.class.replication_config.factor < 2 {
            return Ok(());
        }
        for hit in hits {
            let id = hit.object.id;
            let shard = meta.sharding.shard_for(&id).ok_or_else(|| {
                Error::Internal(format!("class {} has no shards", meta.class.class))
            })?;
            let targets = self.replicas(meta, shard, false)?;
            let resolved = self
                .read_resolved(&meta.class, shard, &targets, id, false, level)
                .await?;
            hit.is_consistent = Some(resolved.consistent);
            if let Some(newest) = resolved.object {
                if newest.last_update_time_ms > hit.object.last_update_time_ms {
                    // The winner was read without vectors; the hit keeps the ones it has.
                    hit.object.properties = newest.properties;
                    hit.object.last_update_time_ms = newest.last_update_time_ms;
                }
            }
        }
        Ok(())
    }
}
