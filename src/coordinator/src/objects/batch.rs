//! Batches of object writes: each object prepared on its own, then the objects grouped by
//! shard and written to each shard's replicas in one call, all shards at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use model::{ConsistencyLevel, ObjectWrite};
use types::Object;

use super::{elapsed_ms, now_ms, stamped, write_objects, Prepared};
use crate::metrics::Metrics;
use crate::remote::calls::{Mode, Put};
use crate::remote::Target;
use crate::tenants::BatchViews;
use crate::{Coordinator, Error, Result};

/// The objects of one batch that go to one shard, with their input positions.
struct ShardBatch {
    targets: Vec<Target>,
    items: Vec<(usize, Object)>,
}

impl ShardBatch {
    /// Writes the objects to every replica in one atomic shard batch each; per object, the
    /// level decides (a store failure fails every object of the replica it hit).
    async fn write(
        self,
        class: String,
        shard: String,
        level: ConsistencyLevel,
        metrics: Arc<Metrics>,
    ) -> Vec<(usize, Result<Object>)> {
        let started = Instant::now();
        let (indexes, objects): (Vec<usize>, Vec<Object>) = self.items.into_iter().unzip();
        let call = Put {
            mode: Mode::Upsert,
            objects: objects.clone(),
        };
        let (c, s) = (class.clone(), shard.clone());
        let outcomes = write_objects(c, s, self.targets, level, call, &metrics).await;
        metrics.observe_batch("shard_write", &class, &shard, elapsed_ms(started));
        indexes
            .into_iter()
            .zip(objects.into_iter().zip(outcomes))
            .map(|(i, (object, outcome))| (i, outcome.map(|stamp| stamped(object, stamp))))
            .collect()
    }
}

impl Coordinator {
    /// `POST /v1/batch/objects`: an upsert per object; results in input order. The objects of
    /// each shard go to its replicas in one call each, all shards at once.
    pub async fn batch_objects(
        &self,
        writes: Vec<ObjectWrite>,
        level: ConsistencyLevel,
    ) -> Vec<Result<Object>> {
        self.write_batch(writes, level, true).await
    }

    /// [`Coordinator::batch_objects`]; `check_targets`: refuse objects whose references point
    /// at no object (reference changes, which check only what they add, pass false).
    pub(crate) async fn write_batch(
        &self,
        writes: Vec<ObjectWrite>,
        level: ConsistencyLevel,
        check_targets: bool,
    ) -> Vec<Result<Object>> {
        let (now, started) = (now_ms(), Instant::now());
        let mut prepared = Vec::with_capacity(writes.len());
        // One snapshot resolves every alias of the batch: a switch meanwhile cannot split it.
        let names = self.meta.snapshot();
        let mut views = BatchViews::default();
        for write in writes {
            prepared.push(self.prepare(write, now, &names, &mut views).await);
        }
        if check_targets {
            self.refuse_missing_targets(&mut prepared).await;
        }
        self.write_prepared(prepared, level, started).await
    }

    /// Writes objects copied from another class (`initFrom`) as a batch that keeps each
    /// object's creation and update times: `(write, (created, updated))`.
    pub(crate) async fn write_copies(
        &self,
        copies: Vec<(ObjectWrite, (i64, i64))>,
        level: ConsistencyLevel,
    ) -> Vec<Result<Object>> {
        let (now, started) = (now_ms(), Instant::now());
        let names = self.meta.snapshot();
        let mut prepared = Vec::with_capacity(copies.len());
        let mut views = BatchViews::default();
        for (write, (created, updated)) in copies {
            let outcome = self
                .prepare(write, now, &names, &mut views)
                .await
                .map(|mut p| {
                    p.object.creation_time_ms = created;
                    p.object.last_update_time_ms = updated;
                    p
                });
            prepared.push(outcome);
        }
        self.write_prepared(prepared, level, started).await
    }

    /// Groups prepared objects by shard and writes each group to its replicas, all shards at
    /// once; results in input order.
    async fn write_prepared(
        &self,
        prepared: Vec<Result<Prepared>>,
        level: ConsistencyLevel,
        started: Instant,
    ) -> Vec<Result<Object>> {
        let mut results: Vec<Option<Result<Object>>> = Vec::with_capacity(prepared.len());
        let mut groups: BTreeMap<(String, String), ShardBatch> = BTreeMap::new();
        for (i, outcome) in prepared.into_iter().enumerate() {
            match outcome {
                Ok(p) => {
                    let key = (p.object.class.clone(), p.shard);
                    let targets = p.targets;
                    let group = groups.entry(key).or_insert_with(|| ShardBatch {
                        targets,
                        items: Vec::new(),
                    });
                    group.items.push((i, p.object));
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        // Phases over the whole batch, whatever classes it holds, as Weaviate labels them.
        let all = "n/a";
        self.metrics
            .observe_batch("total_preprocessing", all, all, elapsed_ms(started));
        if groups.len() == 1 {
            // One shard (every standalone class): no task to spawn.
            for ((class, shard), group) in groups {
                let metrics = self.metrics.clone();
                for (i, outcome) in group.write(class, shard, level, metrics).await {
                    results[i] = Some(outcome);
                }
            }
        } else {
            let mut tasks = tokio::task::JoinSet::new();
            for ((class, shard), group) in groups {
                tasks.spawn(group.write(class, shard, level, self.metrics.clone()));
            }
            while let Some(joined) = tasks.join_next().await {
                match joined {
                    Ok(done) => {
                        for (i, outcome) in done {
                            results[i] = Some(outcome);
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "a shard batch task failed"),
                }
            }
        }
        let done: Vec<Result<Object>> = results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(Error::Internal("batch object was not processed".into())))
            })
            .collect();
        self.rate
            .record(done.iter().filter(|r| r.is_ok()).count() as u64);
        self.metrics
            .observe_batch("total_uc_level", all, all, elapsed_ms(started));
        done
    }

    /// Turns the prepared objects whose references point at no object into errors.
    async fn refuse_missing_targets(&self, prepared: &mut [Result<Prepared>]) {
        let written: Vec<(usize, crate::references::Written<'_>)> = prepared
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().ok().map(|p| (i, &p.object)))
            .map(|(i, o)| {
                let w = crate::references::Written {
                    class: &o.class,
                    tenant: o.tenant.as_deref(),
                    properties: &o.properties,
                };
                (i, w)
            })
            .collect();
        let (indexes, written): (Vec<usize>, Vec<_>) = written.into_iter().unzip();
        let checked = self
            .check_beacon_targets(&written, crate::references::Writer::Object)
            .await;
        let refused: Vec<(usize, Error)> = indexes
            .into_iter()
            .zip(checked)
            .filter_map(|(i, c)| c.err().map(|e| (i, e)))
            .collect();
        for (i, e) in refused {
            prepared[i] = Err(e);
        }
    }
}
