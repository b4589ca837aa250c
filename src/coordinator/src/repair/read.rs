//! Single-object reads across replicas: `level` replicas answer with their version, the
//! versions are resolved ([`super::resolve`]), and replicas that hold another version are
//! repaired in the background (read repair), deletions included.

use std::sync::Arc;

use model::ConsistencyLevel;
use shard::{Repair, RepairChange, Version};
use types::schema::Class;
use types::Object;
use uuid::Uuid;

use super::{resolve, DeletionStrategy, Resolution};
use crate::metrics::Metrics;
use crate::remote::repair::{ApplyRepairs, ReadVersioned, Versioned};
use crate::remote::Target;
use crate::replication::read_replicas;
use crate::{Coordinator, Error, Result};

/// Weaviate's answer when one replica deleted an object that another holds and the class's
/// `deletionStrategy` does not resolve it.
const DELETED_CONFLICT: &str = "conflict: object has been deleted on another replica";

impl Versioned {
    /// The replica's version (a replica that predates versions reports only its object).
    fn effective(&self) -> Option<Version> {
        self.version.or_else(|| {
            self.object.as_ref().map(|o| Version::Live {
                updated_ms: o.last_update_time_ms,
            })
        })
    }
}

/// An object as the replicas asked settle it.
pub(crate) struct Resolved {
    /// `None` when no replica has it or its deletion wins.
    pub object: Option<Object>,
    /// Whether every replica asked held the same version.
    pub consistent: bool,
}

impl Coordinator {
    /// The object `id` of `class` as `level` replicas of `shard` settle it. Replicas holding
    /// another version are repaired afterwards.
    pub(crate) async fn read_resolved(
        &self,
        class: &Class,
        shard: &str,
        targets: &[Target],
        id: Uuid,
        with_vectors: bool,
        level: ConsistencyLevel,
    ) -> Result<Resolved> {
        let call = ReadVersioned {
            id,
            vectors: with_vectors,
        };
        let answers = read_replicas(&class.class, shard, targets, level, call).await?;
        let versions: Vec<Option<Version>> = answers.iter().map(|(_, a)| a.effective()).collect();
        let consistent = versions.windows(2).all(|w| w[0] == w[1]);
        let winner = match resolve(&versions, DeletionStrategy::of(class)) {
            Resolution::Unknown => {
                return Ok(Resolved {
                    object: None,
                    consistent,
                })
            }
            Resolution::Conflict => return Err(Error::Internal(DELETED_CONFLICT.into())),
            Resolution::Winner(w) => w,
        };
        let Some((source, answer)) = answers.iter().find(|(_, a)| a.effective() == Some(winner))
        else {
            return Ok(Resolved {
                object: None,
                consistent,
            });
        };
        let stale: Vec<(Target, Option<Version>)> = answers
            .iter()
            .filter(|(_, a)| a.effective() != Some(winner))
            .map(|(i, a)| (targets[*i].clone(), a.effective()))
            .collect();
        if !stale.is_empty() {
            let repair = ReadRepair {
                class: class.class.clone(),
                shard: shard.to_string(),
                id,
                winner,
                source: targets[*source].clone(),
                object: answer.object.clone().filter(|_| with_vectors),
                metrics: self.metrics.clone(),
            };
            tokio::spawn(repair.run(stale));
        }
        Ok(Resolved {
            object: answer.object.clone().filter(|_| !winner.is_deleted()),
            consistent,
        })
    }
}

/// Brings replicas to the version a read settled on.
struct ReadRepair {
    class: String,
    shard: String,
    id: Uuid,
    winner: Version,
    source: Target,
    /// The winning object with its vectors, if the read fetched them.
    object: Option<Object>,
    metrics: Arc<Metrics>,
}

impl ReadRepair {
    async fn run(self, stale: Vec<(Target, Option<Version>)>) {
        let (class, shard, id) = (&self.class, &self.shard, self.id);
        let change = match self.change().await {
            Ok(Some(change)) => change,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(%class, %shard, %id, error = %e, "read repair: cannot read the winning version");
                return;
            }
        };
        for (target, expected) in stale {
            let call = ApplyRepairs {
                repairs: vec![Repair {
                    id,
                    expected,
                    change: change.clone(),
                }],
            };
            match target.run(class, shard, &call).await {
                Ok(applied) if applied.first() == Some(&true) => {
                    self.metrics.count_read_repair();
                    tracing::info!(%class, %shard, %id, node = target.node(), "read repair: replica updated");
                }
                Ok(_) => {
                    tracing::debug!(%class, %shard, %id, node = target.node(), "read repair: replica changed meanwhile");
                }
                Err(e) => {
                    tracing::warn!(%class, %shard, %id, node = target.node(), error = %e, "read repair failed");
                }
            }
        }
    }

    /// The change to send: the deletion, or the winning object with its vectors (read again
    /// from its replica when the client did not ask for vectors).
    async fn change(&self) -> Result<Option<RepairChange>> {
        if let Version::Deleted { at_ms } = self.winner {
            return Ok(Some(RepairChange::Delete { at_ms }));
        }
        if let Some(object) = &self.object {
            return Ok(Some(RepairChange::Put(object.clone())));
        }
        let read = ReadVersioned {
            id: self.id,
            vectors: true,
        };
        let answer = self.source.run(&self.class, &self.shard, &read).await?;
        // Repair only with the version the read settled on; a newer one repairs itself later.
        let unchanged = answer.effective() == Some(self.winner);
        Ok(answer.object.filter(|_| unchanged).map(RepairChange::Put))
    }
}
