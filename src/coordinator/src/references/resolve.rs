//! Resolving the references a `Get` asks for (`hasAuthors { ... on Author { name } }`), level
//! by level: the beacons of every hit are gathered first, the referenced objects of each class
//! are fetched from every shard of it in one call per shard, and the next level starts from
//! those objects. A query with references of depth d costs d rounds of one call per target
//! class and shard, however many hits and beacons there are. Dangling beacons (a deleted or
//! never written target, a dropped class) and targets of classes the query did not ask for
//! are left out, as Weaviate leaves them out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;

use model::references::BeaconTarget;
use model::{
    ReferenceQuery, ReferenceTarget, ResolvedReference, ResolvedReferences, SearchQuery,
    SearchResult,
};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::Object;
use uuid::Uuid;

use crate::remote::calls::Matching;
use crate::{Coordinator, Error, Result};

/// Ids fetched per call: bounds the size of one filter on the wire.
pub(super) const IDS_PER_CALL: usize = 10_000;

/// Where a referenced object was found: its class, its tenant (for a multi-tenant class), id.
type Address = (String, Option<String>, Uuid);

/// Objects of one level with the references to follow from each.
type Sources<'q> = [(Object, &'q [ReferenceQuery])];

type Resolving<'a> = Pin<Box<dyn Future<Output = Result<Vec<ResolvedReferences>>> + Send + 'a>>;

impl Coordinator {
    /// Refuses references nested deeper than `QUERY_CROSS_REFERENCE_DEPTH_LIMIT`.
    pub(crate) fn check_reference_depth(&self, references: &[ReferenceQuery]) -> Result<()> {
        let depth = references
            .iter()
            .map(ReferenceQuery::depth)
            .max()
            .unwrap_or(0);
        let limit = self.config.query_cross_reference_depth_limit;
        if depth > limit {
            return Err(Error::invalid(format!(
                "nested references are {depth} levels deep, more than QUERY_CROSS_REFERENCE_DEPTH_LIMIT ({limit})"
            )));
        }
        Ok(())
    }

    /// Fills in the references `q` asks for, on the hits and on the hits of every group.
    pub(crate) async fn resolve_hit_references(
        &self,
        result: &mut SearchResult,
        q: &SearchQuery,
    ) -> Result<()> {
        if q.references.is_empty() {
            return Ok(());
        }
        let queries = q.references.as_slice();
        let sources: Vec<(Object, &[ReferenceQuery])> = result
            .hits
            .iter()
            .chain(result.groups.iter().flat_map(|g| g.hits.iter()))
            .map(|h| (h.object.clone(), queries))
            .collect();
        let mut resolved = self.resolve_level(&sources).await?.into_iter();
        let hits = result
            .hits
            .iter_mut()
            .chain(result.groups.iter_mut().flat_map(|g| g.hits.iter_mut()));
        for (hit, references) in hits.zip(resolved.by_ref()) {
            hit.references = references;
        }
        Ok(())
    }

    fn resolve_level<'a>(&'a self, sources: &'a Sources<'a>) -> Resolving<'a> {
        Box::pin(async move {
            let fetched = self.fetch_targets(sources).await?;
            let mut next: Vec<(Object, &'a [ReferenceQuery])> = Vec::new();
            // keyed by the target's address: the same object reached through two targets may
            // need different nested references
            let mut next_index: HashMap<(String, Uuid, usize), usize> = HashMap::new();
            // per source, per property: indexes into `next`, in beacon order
            let mut plans: Vec<BTreeMap<String, Vec<usize>>> = Vec::with_capacity(sources.len());
            for (object, queries) in sources {
                let mut plan: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                for query in queries.iter() {
                    let slots = plan.entry(query.property.clone()).or_default();
                    for beacon in beacons(object, &query.property) {
                        for target in wanted_targets(query, &beacon) {
                            let scope = self.target_scope(object, &target.class);
                            let key = (target.class.clone(), scope, beacon.id);
                            let Some(found) = fetched.get(&key) else {
                                continue;
                            };
                            let slot = *next_index
                                .entry((key.0, key.2, target as *const ReferenceTarget as usize))
                                .or_insert_with(|| {
                                    next.push((found.clone(), target.references.as_slice()));
                                    next.len() - 1
                                });
                            slots.push(slot);
                        }
                    }
                }
                plans.push(plan);
            }
            let nested = if next.iter().any(|(_, queries)| !queries.is_empty()) {
                self.resolve_level(&next).await?
            } else {
                vec![ResolvedReferences::new(); next.len()]
            };
            Ok(plans
                .into_iter()
                .map(|plan| {
                    plan.into_iter()
                        .map(|(property, slots)| {
                            let refs = slots
                                .into_iter()
                                .map(|i| ResolvedReference {
                                    object: next[i].0.clone(),
                                    references: nested[i].clone(),
                                })
                                .collect();
                            (property, refs)
                        })
                        .collect()
                })
                .collect())
        })
    }

    /// Where a beacon of `source` into `class` resolves: within the source's tenant when
    /// `class` is multi-tenant (a tenant's objects see only their tenant's), else the class.
    fn target_scope(&self, source: &Object, class: &str) -> Option<String> {
        self.class_meta(class)
            .filter(|m| m.class.multi_tenancy_config.enabled)
            .and(source.tenant.clone())
    }

    /// Every object the beacons of `sources` point at, in the classes asked for, by
    /// (class, tenant, id). One call per class (or tenant) and shard (per `IDS_PER_CALL` ids).
    async fn fetch_targets(&self, sources: &Sources<'_>) -> Result<HashMap<Address, Object>> {
        let mut wanted: BTreeMap<(String, Option<String>), (BTreeSet<Uuid>, bool)> =
            BTreeMap::new();
        for (object, queries) in sources {
            for query in queries.iter() {
                for beacon in beacons(object, &query.property) {
                    for target in wanted_targets(query, &beacon) {
                        let scope = self.target_scope(object, &target.class);
                        let entry = wanted.entry((target.class.clone(), scope)).or_default();
                        entry.0.insert(beacon.id);
                        entry.1 |= target.with_vectors;
                    }
                }
            }
        }
        let mut fetched = HashMap::new();
        for ((class, tenant), (ids, with_vectors)) in wanted {
            let Some(meta) = self.class_meta(&class) else {
                continue; // a dropped class: its beacons dangle
            };
            // A tenant the target class lacks: its beacons dangle too.
            let Some(meta) = self.reference_scope(meta, tenant.as_deref()).await? else {
                continue;
            };
            let ids: Vec<Uuid> = ids.into_iter().collect();
            for (id, object) in self.objects_by_id(&meta, &ids, with_vectors).await? {
                fetched.insert((class.clone(), tenant.clone(), id), object);
            }
        }
        Ok(fetched)
    }

    /// The objects of `meta`'s class with these ids, from one replica of every shard: one call
    /// per shard (per `IDS_PER_CALL` ids).
    pub(super) async fn objects_by_id(
        &self,
        meta: &cluster::ClassMeta,
        ids: &[Uuid],
        with_vectors: bool,
    ) -> Result<BTreeMap<Uuid, Object>> {
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_CALL) {
            let call = Matching {
                filter: Some(ids_filter(chunk)),
                limit: chunk.len(),
                with_vectors,
            };
            for object in self.on_every_shard(meta, call).await?.into_iter().flatten() {
                out.insert(object.id, object);
            }
        }
        Ok(out)
    }
}

/// The targets of the beacons of `property` of `object`, in order (malformed ones skipped).
fn beacons(object: &Object, property: &str) -> Vec<BeaconTarget> {
    object
        .properties
        .get(property)
        .and_then(serde_json::Value::as_array)
        .map(|refs| refs.iter().filter_map(BeaconTarget::of).collect())
        .unwrap_or_default()
}

/// The targets of `query` a beacon may resolve to: the one of its class, or, for a legacy
/// beacon without a class, every class asked for (the object is looked up in each).
fn wanted_targets<'q>(
    query: &'q ReferenceQuery,
    beacon: &BeaconTarget,
) -> impl Iterator<Item = &'q ReferenceTarget> {
    let class = beacon.class.clone();
    query
        .targets
        .iter()
        .filter(move |t| class.as_ref().is_none_or(|c| *c == t.class))
}

/// `id ContainsAny [ids]`.
pub(super) fn ids_filter(ids: &[Uuid]) -> Filter {
    Filter::Condition(Condition {
        path: FilterPath::Id,
        operator: Operator::ContainsAny,
        value: FilterValue::TextList(ids.iter().map(|id| id.hyphenated().to_string()).collect()),
    })
}
