//! `DELETE /v1/batch/objects`: delete the objects a filter matches, at most
//! `QUERY_MAXIMUM_RESULTS` per call (clients repeat until nothing matches).

use model::{BatchDelete, BatchDeleteResult, ConsistencyLevel};
use uuid::Uuid;

use crate::objects::now_ms;
use crate::remote::calls::{DeleteMany, MatchingIds};
use crate::replication::{first_answer, replicate};
use crate::tenants::Access;
use crate::{Coordinator, Error, Result};

impl Coordinator {
    /// Deletes (or, with `dry_run`, only counts) the objects matching the filter.
    /// Each shard's matches are found on one replica and deleted on all of them, `level`
    /// deciding per object.
    pub async fn batch_delete(
        &self,
        d: BatchDelete,
        level: ConsistencyLevel,
    ) -> Result<BatchDeleteResult> {
        let meta = self.require_class(&d.class)?;
        let meta = self.scoped(meta, d.tenant.as_deref(), Access::Read).await?;
        // Weaviate's batch delete wraps its validation errors as "validate: ..."
        let filter = self
            .checked_filter(
                &meta.class,
                Some(d.filter),
                "validate: invalid where filter",
                d.tenant.as_deref(),
            )
            .await?;
        let filter = filter.ok_or_else(|| Error::Internal("a resolved filter vanished".into()))?;
        let limit = self.config.query_maximum_results;
        let mut result = BatchDeleteResult {
            class: meta.class.class.clone(),
            limit: limit as u64,
            ..BatchDeleteResult::default()
        };
        let class = meta.class.class.clone();
        for shard in meta.sharding.physical.keys() {
            let remaining = limit.saturating_sub(result.matches as usize);
            let targets = self.replicas(&meta, shard, false)?;
            let find = MatchingIds {
                filter: Some(filter.clone()),
                limit: remaining,
            };
            let ids = first_answer(&class, shard, &targets, &find).await?;
            let outcomes: Vec<(Uuid, Option<String>)> = if d.dry_run || ids.is_empty() {
                ids.into_iter().map(|id| (id, None)).collect()
            } else {
                let items = ids.len();
                let call = DeleteMany {
                    ids: ids.clone(),
                    at_ms: d.deletion_time_ms.unwrap_or_else(now_ms),
                };
                let split = |errors: Vec<Option<String>>| -> Vec<Result<()>> {
                    errors
                        .into_iter()
                        .map(|e| e.map_or(Ok(()), |m| Err(Error::Internal(m))))
                        .collect()
                };
                let done = replicate(
                    class.clone(),
                    shard.clone(),
                    targets,
                    level,
                    items,
                    call,
                    split,
                    &self.metrics,
                )
                .await;
                self.metrics.count_replicated(level, &done);
                ids.into_iter()
                    .zip(done)
                    .map(|(id, r)| (id, r.err().map(|e| e.to_string())))
                    .collect()
            };
            for (id, error) in outcomes {
                result.matches += 1;
                match &error {
                    Some(_) => result.failed += 1,
                    None if !d.dry_run => result.successful += 1,
                    None => {}
                }
                if d.verbose || error.is_some() {
                    result.objects.push((id, error));
                }
            }
        }
        Ok(result)
    }
}
