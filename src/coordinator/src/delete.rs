//! `DELETE /v1/batch/objects`: delete the objects a filter matches, at most
//! `QUERY_MAXIMUM_RESULTS` per call (clients repeat until nothing matches).

use uuid::Uuid;

use crate::query::{BatchDelete, BatchDeleteResult};
use crate::schema_ops::check_where;
use crate::{run_blocking, Coordinator, Result};

impl Coordinator {
    /// Deletes (or, with `dry_run`, only counts) the objects matching the filter.
    pub async fn batch_delete(&self, d: BatchDelete) -> Result<BatchDeleteResult> {
        let meta = self.require_class(&d.class)?;
        // Weaviate's batch delete wraps its validation errors as "validate: ..."
        check_where(
            &meta.class,
            Some(&d.filter),
            "validate: invalid where filter",
        )?;
        let limit = self.config.query_maximum_results;
        let mut result = BatchDeleteResult {
            limit: limit as u64,
            ..BatchDeleteResult::default()
        };
        for shard in self.shards.shards_of(&meta.class.class) {
            let remaining = limit.saturating_sub(result.matches as usize);
            let (filter, dry_run) = (d.filter.clone(), d.dry_run);
            let outcomes: Vec<(Uuid, Option<String>)> = run_blocking(move || {
                let docs = shard.filter(&filter)?;
                let ids: Vec<Uuid> = shard
                    .objects_of_set(&docs, remaining, false)?
                    .into_iter()
                    .map(|o| o.id)
                    .collect();
                Ok(ids
                    .into_iter()
                    .map(|id| {
                        let error = if dry_run {
                            None
                        } else {
                            shard.delete(&id).err().map(|e| e.to_string())
                        };
                        (id, error)
                    })
                    .collect())
            })
            .await?;
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
