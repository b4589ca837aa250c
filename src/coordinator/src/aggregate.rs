//! `Aggregate`: the set of objects (a filter's matches, or a search's results up to
//! `objectLimit`), split into groups if asked, each aggregated per property.

use cluster::ClassMeta;
use model::{results, AggregateQuery, AggregateResult, AggregateRow};
use types::Object;

use crate::remote::calls;
use crate::tenants::Access;
use crate::{Coordinator, Error, Result};

/// Weaviate's default `topOccurrences` limit.
const DEFAULT_TOP_OCCURRENCES: usize = 5;
/// Groups an Aggregate with groupBy returns without a `limit` (Weaviate's grouped.go).
const DEFAULT_GROUP_LIMIT: usize = 100;

impl Coordinator {
    /// `Aggregate { meta { count } }` without arguments: the stored count, no object reads.
    pub async fn count(&self, class: &str, tenant: Option<&str>) -> Result<u64> {
        let meta = self.require_class(class)?;
        let meta = self.scoped(meta, tenant, Access::Read).await?;
        self.count_in(&meta).await
    }

    pub(crate) async fn count_in(&self, meta: &ClassMeta) -> Result<u64> {
        let counts = self.on_every_shard(meta, calls::Count {}).await?;
        Ok(counts.into_iter().sum())
    }

    /// `Aggregate { Class(...) { ... } }`.
    pub async fn aggregate(&self, q: AggregateQuery) -> Result<AggregateResult> {
        let (class, started) = (q.class.clone(), std::time::Instant::now());
        let result = self.run_aggregate(q).await;
        self.metrics
            .observe_query(&class, "aggregate", crate::objects::elapsed_ms(started));
        result
    }

    /// Resolves the class once; the objects are gathered from that snapshot of its metadata.
    async fn run_aggregate(&self, mut q: AggregateQuery) -> Result<AggregateResult> {
        let meta = self.require_class(&q.class)?;
        let meta = self.scoped(meta, q.tenant.as_deref(), Access::Read).await?;
        let class = &meta.class;
        q.filter = self
            .checked_filter(
                class,
                q.filter.take(),
                "invalid 'where' filter",
                q.tenant.as_deref(),
            )
            .await?;
        let plain = q.filter.is_none() && q.vector_search.is_none() && q.hybrid.is_none();
        if plain && q.group_by.is_none() && q.properties.is_empty() {
            let count = self.count_in(&meta).await?;
            return Ok(AggregateResult {
                rows: vec![AggregateRow {
                    count,
                    ..AggregateRow::default()
                }],
            });
        }
        let objects = self.aggregated_objects(&meta, &q).await?;
        let top = q.top_occurrences_limit.unwrap_or(DEFAULT_TOP_OCCURRENCES);
        let rows = match &q.group_by {
            None => vec![row(
                class,
                None,
                &objects.iter().collect::<Vec<_>>(),
                &q.properties,
                top,
            )?],
            Some(prop) => {
                if class.property(prop).is_none() {
                    return Err(Error::invalid(format!(
                        "groupBy: no property '{prop}' in class {}",
                        class.class
                    )));
                }
                let groups = results::aggregate::group_objects(&objects, prop);
                let limit = q.limit.unwrap_or(DEFAULT_GROUP_LIMIT);
                groups
                    .into_iter()
                    .take(limit)
                    .map(|(value, members)| {
                        row(
                            class,
                            Some((prop.clone(), value)),
                            &members,
                            &q.properties,
                            top,
                        )
                    })
                    .collect::<Result<Vec<_>>>()?
            }
        };
        Ok(AggregateResult { rows })
    }

    /// The objects of `meta`'s class an Aggregate covers.
    async fn aggregated_objects(
        &self,
        meta: &ClassMeta,
        q: &AggregateQuery,
    ) -> Result<Vec<Object>> {
        let cap = self.config.query_maximum_results;
        if let Some(search) = &q.vector_search {
            let plan = self.plan(meta, search.clone()).await?;
            let limit = match (q.object_limit, plan.max_distance) {
                (Some(l), _) => l,
                (None, Some(_)) => cap,
                (None, None) => {
                    return Err(Error::invalid(
                        "must provide certainty or objectLimit with vector search in Aggregate",
                    ))
                }
            };
            let hits = self
                .vector_hits(meta, &plan, q.filter.as_ref(), limit, false)
                .await?;
            return Ok(hits.into_iter().map(|h| h.object).collect());
        }
        if let Some(hybrid) = &q.hybrid {
            let limit = q.object_limit.unwrap_or(cap);
            let (hits, _) = self
                .hybrid_hits(meta, hybrid, q.filter.as_ref(), limit, false, false)
                .await?;
            return Ok(hits.into_iter().map(|h| h.object).collect());
        }
        self.matching_objects(meta, q.filter.as_ref(), usize::MAX, false)
            .await
    }
}

fn row(
    class: &types::schema::Class,
    grouped_by: Option<(String, serde_json::Value)>,
    objects: &[&Object],
    properties: &[String],
    top: usize,
) -> Result<AggregateRow> {
    let owned: Vec<Object> = objects.iter().map(|o| (*o).clone()).collect();
    Ok(AggregateRow {
        grouped_by,
        count: objects.len() as u64,
        properties: results::aggregate::aggregate(class, &owned, properties, top)?,
    })
}
