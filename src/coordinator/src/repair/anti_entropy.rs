//! Anti-entropy: every node, every [`AntiEntropy::frequency`], compares each replicated shard
//! it holds with the shard's other replicas and pushes what they lack or hold older, so that a
//! replica that missed writes (it was down, or a write reached only a quorum) catches up
//! without anyone reading the objects.
//!
//! One comparison: the hash-tree roots (one call, and the usual answer when in sync); when
//! they differ, the peer's leaves; for the token ranges of differing leaves, both sides'
//! versions; then compare-and-set repairs for the objects where this node holds the winning
//! version ([`super::should_push`]). Pushing only from the winner means each difference is
//! fixed by one side, and the compare-and-set means a push never overwrites a write that
//! reached the peer meanwhile.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cluster::ClassMeta;
use shard::{Digest, HashTree, Repair, RepairChange, Shard, Version};
use uuid::Uuid;

use super::{should_push, DeletionStrategy};
use crate::objects::now_ms;
use crate::remote::repair::{ApplyRepairs, Digests, HashTreeLeaves};
use crate::remote::Target;
use crate::{run_blocking, Coordinator, Result};

/// Versions asked for per call.
const DIGEST_PAGE: usize = 5_000;
/// Versions compared per shard and peer in one round; the rest waits for the next round.
const DIGESTS_PER_ROUND: usize = 200_000;
/// Objects sent per repair call.
const PUSH_BATCH: usize = 100;
/// Versions younger than this are left to the write that is probably still reaching the other
/// replicas: during an import every replica lags the others by the writes in flight, and
/// pushing those would only race the writes themselves.
const SETTLE_MS: i64 = 2_000;

/// What one shard's comparison with one peer did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyncOutcome {
    pub differing_leaves: usize,
    pub compared: usize,
    pub pushed: usize,
}

impl Coordinator {
    /// Runs anti-entropy rounds every `frequency` until the task is aborted. Call it once,
    /// inside the runtime.
    pub fn start_anti_entropy(
        self: &Arc<Self>,
        frequency: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let coordinator = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(frequency);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                coordinator.anti_entropy_round().await;
            }
        })
    }

    /// One round over every replicated shard this node holds; returns the objects pushed.
    pub async fn anti_entropy_round(&self) -> usize {
        let mut pushed = 0;
        let classes: Vec<Arc<ClassMeta>> = self.meta.snapshot().classes.values().cloned().collect();
        for meta in classes {
            if meta.class.replication_config.factor < 2 {
                continue;
            }
            for shard in meta.sharding.physical.keys() {
                pushed += self.sync_shard(&meta, shard).await;
            }
        }
        pushed
    }

    /// Compares this node's copy of `shard` with every other live replica.
    async fn sync_shard(&self, meta: &ClassMeta, shard: &str) -> usize {
        let class = meta.class.class.as_str();
        let Ok(targets) = self.replicas(meta, shard, false) else {
            return 0;
        };
        let Some(Target::Local(local)) = targets.first() else {
            return 0;
        };
        let peers: Vec<&Target> = targets[1..]
            .iter()
            .filter(|p| matches!(p, Target::Remote { .. }) && !p.seems_down())
            .collect();
        if peers.is_empty() {
            return 0;
        }
        // One copy of the tree serves every peer: a write landing meanwhile only shows up as a
        // difference in this round or the next.
        let tree = {
            let local = local.clone();
            match run_blocking(move || Ok(local.hash_tree()?)).await {
                Ok(tree) => tree,
                Err(e) => {
                    tracing::warn!(%class, %shard, error = %e, "anti-entropy: no hash tree");
                    return 0;
                }
            }
        };
        let strategy = DeletionStrategy::of(&meta.class);
        let mut pushed = 0;
        for peer in peers {
            let pair = ShardPair {
                class,
                shard,
                local,
                tree: &tree,
                peer,
                strategy,
            };
            match pair.sync().await {
                Ok(outcome) => {
                    if outcome.pushed > 0 {
                        tracing::info!(%class, %shard, node = peer.node(), pushed = outcome.pushed,
                            differing_leaves = outcome.differing_leaves, "anti-entropy: replica caught up");
                    }
                    pushed += outcome.pushed;
                    self.metrics.count_anti_entropy_pushed(outcome.pushed);
                }
                Err(e) => {
                    tracing::debug!(%class, %shard, node = peer.node(), error = %e, "anti-entropy: comparison failed");
                }
            }
        }
        pushed
    }
}

/// This node's copy of a shard and one other replica of it.
struct ShardPair<'a> {
    class: &'a str,
    shard: &'a str,
    local: &'a Arc<Shard>,
    /// The local copy's hash tree.
    tree: &'a HashTree,
    peer: &'a Target,
    strategy: DeletionStrategy,
}

impl ShardPair<'_> {
    async fn sync(&self) -> Result<SyncOutcome> {
        let ask = HashTreeLeaves {
            root: self.tree.root(),
        };
        let Some(leaves) = self.peer.run(self.class, self.shard, &ask).await? else {
            return Ok(SyncOutcome::default());
        };
        let differing = self.tree.differing_leaves(&leaves);
        let mut outcome = SyncOutcome {
            differing_leaves: differing.len(),
            ..SyncOutcome::default()
        };
        for (first, last) in token_ranges(&differing) {
            if outcome.compared >= DIGESTS_PER_ROUND {
                break;
            }
            let (compared, pushed) = self.sync_range(first, last).await?;
            outcome.compared += compared;
            outcome.pushed += pushed;
        }
        Ok(outcome)
    }

    /// Compares the versions of one token range and pushes this side's winners.
    async fn sync_range(&self, first: u64, last: u64) -> Result<(usize, usize)> {
        let (remote, truncated_at) = self.remote_digests(first, last).await?;
        let local = self.local.clone();
        let mine =
            run_blocking(move || Ok(local.digests(first, last, None, DIGESTS_PER_ROUND)?)).await?;
        let theirs: HashMap<Uuid, Version> = remote.iter().map(|d| (d.id, d.version)).collect();
        // Past the end of a truncated remote listing nothing is known about the peer.
        let known = |d: &Digest| truncated_at.is_none_or(|end| (d.token, d.id) <= end);
        let settled_before = now_ms() - SETTLE_MS;
        let pushes: Vec<(Uuid, Version, Option<Version>)> = mine
            .iter()
            .filter(|d| known(d) && d.version.time_ms() <= settled_before)
            .map(|d| (d.id, d.version, theirs.get(&d.id).copied()))
            .filter(|(_, l, r)| should_push(Some(*l), *r, self.strategy))
            .collect();
        let compared = mine.len().max(remote.len());
        let mut pushed = 0;
        for chunk in pushes.chunks(PUSH_BATCH) {
            pushed += self.push(chunk).await?;
        }
        Ok((compared, pushed))
    }

    /// The peer's versions in the range, paged; with the last position read when the listing
    /// stopped at [`DIGESTS_PER_ROUND`] (`None`: complete).
    async fn remote_digests(
        &self,
        first: u64,
        last: u64,
    ) -> Result<(Vec<Digest>, Option<(u64, Uuid)>)> {
        let mut out: Vec<Digest> = Vec::new();
        let mut after = None;
        loop {
            let page = Digests {
                first,
                last,
                after,
                limit: DIGEST_PAGE,
            };
            let got = self.peer.run(self.class, self.shard, &page).await?;
            let full = got.len() == DIGEST_PAGE;
            out.extend(got);
            after = out.last().map(|d| (d.token, d.id));
            if !full {
                return Ok((out, None));
            }
            if out.len() >= DIGESTS_PER_ROUND {
                return Ok((out, after));
            }
        }
    }

    /// Sends this node's current version of each object as a repair expecting the peer's.
    async fn push(&self, items: &[(Uuid, Version, Option<Version>)]) -> Result<usize> {
        let local = self.local.clone();
        let wanted: Vec<(Uuid, Version, Option<Version>)> = items.to_vec();
        let repairs = run_blocking(move || repairs_from(&local, wanted)).await?;
        if repairs.is_empty() {
            return Ok(0);
        }
        let call = ApplyRepairs { repairs };
        let applied = self.peer.run(self.class, self.shard, &call).await?;
        Ok(applied.into_iter().filter(|a| *a).count())
    }
}

/// Repairs carrying this shard's version of each object; objects deleted since their digest
/// was read are sent as deletions only if the digest said so.
fn repairs_from(
    local: &Shard,
    items: Vec<(Uuid, Version, Option<Version>)>,
) -> Result<Vec<Repair>> {
    let mut out = Vec::with_capacity(items.len());
    for (id, version, expected) in items {
        let change = match version {
            Version::Deleted { at_ms } => RepairChange::Delete { at_ms },
            Version::Live { .. } => match local.get(&id, true)? {
                Some(object) => RepairChange::Put(object),
                None => continue,
            },
        };
        out.push(Repair {
            id,
            expected,
            change,
        });
    }
    Ok(out)
}

/// Token ranges (inclusive) covering `leaves`, adjacent leaves merged.
fn token_ranges(leaves: &[usize]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    let mut prev: Option<usize> = None;
    for &leaf in leaves {
        let (first, last) = HashTree::token_range(leaf);
        match (prev, out.last_mut()) {
            (Some(p), Some(range)) if p + 1 == leaf => range.1 = last,
            _ => out.push((first, last)),
        }
        prev = Some(leaf);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_leaves_merge_into_one_range() {
        assert!(token_ranges(&[]).is_empty());
        let r = token_ranges(&[0, 1, 2, 7, 9, 10]);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], (0, HashTree::token_range(2).1));
        assert_eq!(r[1], HashTree::token_range(7));
        assert_eq!(
            r[2],
            (HashTree::token_range(9).0, HashTree::token_range(10).1)
        );
        let all: Vec<usize> = (0..shard::LEAVES).collect();
        assert_eq!(token_ranges(&all), vec![(0, u64::MAX)]);
    }
}
