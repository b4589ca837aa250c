//! Leaderless replication (weaviate-api.md section 5): which nodes hold a shard, consistency
//! levels, writes to every replica counted against the level, reads that collect enough
//! answers, and searches that ask one live replica of every shard.

use std::sync::Arc;
use std::time::Duration;

use cluster::ClassMeta;
use model::ConsistencyLevel;
use rand::Rng;
use tokio::sync::mpsc;

use crate::metrics::Metrics;
use crate::remote::{is_transport, ShardCall, Target, WireError};
use crate::{Coordinator, Error, Result};

/// Weaviate's error when too few replicas answered (500 on REST, per object in a batch).
pub(crate) fn level_error(level: ConsistencyLevel) -> Error {
    Error::Internal(format!(
        "cannot achieve consistency level \"{}\": cannot reach enough replicas",
        level.as_str()
    ))
}

/// The same error again, for every object a failed call covered.
pub(crate) fn copy_error(e: &Error) -> Error {
    Error::from(WireError::of(e))
}

/// Replica names in the order to ask them: this node first if it holds one, then the others,
/// starting at `start` (mod their count) so that searches spread over the replicas.
pub(crate) fn replica_order(nodes: &[String], me: &str, start: usize) -> Vec<String> {
    let mut others: Vec<String> = nodes.iter().filter(|n| *n != me).cloned().collect();
    if !others.is_empty() {
        let k = start % others.len();
        others.rotate_left(k);
    }
    let mut out = Vec::with_capacity(nodes.len());
    if nodes.iter().any(|n| n == me) {
        out.push(me.to_string());
    }
    out.extend(others);
    out
}

/// Whether a write item's outcome is settled: the level is met, or can no longer be.
pub(crate) fn settled(oks: usize, answered: usize, n: usize, need: usize) -> bool {
    oks >= need || oks + (n - answered) < need
}

/// Answers of the replicas for one item of a write.
struct Tally<T> {
    oks: Vec<T>,
    /// The first answer of a replica that refused (not a transport failure).
    refusal: Option<Error>,
}

impl Coordinator {
    /// The replicas of shard `shard` of `meta`, this node first; for searches the others start
    /// at a random one.
    pub(crate) fn replicas(
        &self,
        meta: &ClassMeta,
        shard: &str,
        spread: bool,
    ) -> Result<Vec<Target>> {
        let class = &meta.class.class;
        let physical = meta
            .sharding
            .physical
            .get(shard)
            .ok_or_else(|| Error::Internal(format!("class {class} has no shard {shard}")))?;
        let me = self.config.node_name.as_str();
        let nodes = &physical.belongs_to_nodes;
        let start = if spread && nodes.len() > 1 {
            rand::thread_rng().gen_range(0..nodes.len())
        } else {
            0
        };
        let order = replica_order(nodes, me, start);
        let raft = self.meta.raft();
        let members = order
            .iter()
            .any(|n| n != me)
            .then(|| (raft.nodes(), raft.peers().clone(), raft.snapshot().applied));
        Ok(order
            .into_iter()
            .map(|node| {
                if node == me {
                    return match self.shards.shard(class, shard) {
                        Some(s) => Target::Local(s),
                        None => Target::Missing(node),
                    };
                }
                let Some((nodes, peers, version)) = &members else {
                    return Target::Missing(node);
                };
                match nodes.values().find(|i| i.name == node) {
                    Some(info) => Target::Remote {
                        node,
                        addr: info.raft_addr.clone(),
                        peers: peers.clone(),
                        version: *version,
                    },
                    None => Target::Missing(node),
                }
            })
            .collect())
    }

    /// Runs `call` on one replica of every shard of `meta` (this node's own copy first, then
    /// the others until one answers), all shards at once; the answers in shard order.
    pub(crate) async fn on_every_shard<C: ShardCall>(
        &self,
        meta: &ClassMeta,
        call: C,
    ) -> Result<Vec<C::Output>> {
        let class = meta.class.class.clone();
        let mut plans = Vec::new();
        for shard in meta.sharding.physical.keys() {
            plans.push((shard.clone(), self.replicas(meta, shard, true)?));
        }
        if let [(shard, targets)] = plans.as_slice() {
            // One shard (every standalone class): no task to spawn.
            return Ok(vec![first_answer(&class, shard, targets, &call).await?]);
        }
        let call = Arc::new(call);
        let mut tasks = tokio::task::JoinSet::new();
        for (i, (shard, targets)) in plans.into_iter().enumerate() {
            let (class, call) = (class.clone(), call.clone());
            tasks.spawn(async move { (i, first_answer(&class, &shard, &targets, &*call).await) });
        }
        let mut out: Vec<Option<C::Output>> = Vec::new();
        out.resize_with(tasks.len(), || None);
        while let Some(joined) = tasks.join_next().await {
            let (i, answer) =
                joined.map_err(|e| Error::Internal(format!("shard task failed: {e}")))?;
            out[i] = Some(answer?);
        }
        Ok(out.into_iter().flatten().collect())
    }
}

/// How long a replica may keep a read or search without an answer before the next replica is
/// asked too. A dead node refuses at once, but a hung one (stopped, partitioned) would hold
/// the call for the whole call timeout; past this, the first answer of either wins. Slow but
/// healthy replicas only cost a duplicate call.
const HEDGE_AFTER: Duration = Duration::from_secs(2);

/// The answer of the first replica that gives one; a transport failure moves on to the next.
pub(crate) async fn first_answer<C: ShardCall>(
    class: &str,
    shard: &str,
    targets: &[Target],
    call: &C,
) -> Result<C::Output> {
    // Replicas that failed lately go last: a hung node would cost a whole timeout.
    let (live, down): (Vec<&Target>, Vec<&Target>) = targets.iter().partition(|t| !t.seems_down());
    let order: Vec<Target> = live.into_iter().chain(down).cloned().collect();
    let answer = hedged(class, shard, &order, call, HEDGE_AFTER).await?;
    answer
        .map(|(_, output)| output)
        .ok_or_else(|| Error::Unavailable(format!("shard {shard} of class {class} has no replica")))
}

/// Asks `targets` in order, the next one when the previous failed to answer (transport
/// failure) or has not answered within `hedge_after`; returns the first answer that is not a
/// transport failure with its replica's index, and abandons the calls still running.
/// `Ok(None)`: no target at all. `Err`: the last transport failure, when every replica failed.
pub(crate) async fn hedged<C: ShardCall>(
    class: &str,
    shard: &str,
    targets: &[Target],
    call: &C,
    hedge_after: Duration,
) -> Result<Option<(usize, C::Output)>> {
    let mut running = tokio::task::JoinSet::new();
    let (mut next, mut last) = (0, None);
    // Each pass starts one more replica: first, after a failure, or after a slow answer.
    loop {
        match targets.get(next) {
            Some(target) => {
                spawn_call(&mut running, next, target.clone(), class, shard, call);
                next += 1;
            }
            None if running.is_empty() => return last.map_or(Ok(None), Err),
            None => {}
        }
        tokio::select! {
            Some(joined) = running.join_next() => {
                let (i, answer) =
                    joined.map_err(|e| Error::Internal(format!("replica task failed: {e}")))?;
                match answer {
                    Err(e) if is_transport(&e) => {
                        tracing::debug!(node = targets[i].node(), error = %e, "replica did not answer; trying the next");
                        last = Some(e);
                    }
                    answer => return answer.map(|output| Some((i, output))),
                }
            }
            _ = tokio::time::sleep(hedge_after), if next < targets.len() => {
                tracing::debug!(%class, %shard, "replica slow to answer; asking the next one too");
            }
            // Unreachable (a call runs whenever no target is left to start), but a `select!`
            // without a live branch would panic.
            else => return last.map_or(Ok(None), Err),
        }
    }
}

fn spawn_call<C: ShardCall>(
    running: &mut tokio::task::JoinSet<(usize, Result<C::Output>)>,
    i: usize,
    target: Target,
    class: &str,
    shard: &str,
    call: &C,
) {
    let (class, shard, call) = (class.to_string(), shard.to_string(), call.clone());
    running.spawn(async move { (i, target.run_owned(&class, &shard, call).await) });
}

/// Sends `call` to every replica at once and answers once each of its `items` has `level`
/// acknowledgements or cannot get them any more; replicas still working finish in the
/// background. `split` turns one replica's answer into per-item results. Per item: every
/// acknowledging replica's value, or the first refusal, or the consistency error.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn replicate<C, T, F>(
    class: String,
    shard: String,
    targets: Vec<Target>,
    level: ConsistencyLevel,
    items: usize,
    call: C,
    split: F,
    metrics: &Metrics,
) -> Vec<Result<Vec<T>>>
where
    C: ShardCall,
    T: Send + 'static,
    F: Fn(C::Output) -> Vec<Result<T>>,
{
    let n = targets.len();
    let need = level.required(n).max(1);
    if targets.iter().filter(|t| !t.seems_down()).count() < need {
        return (0..items).map(|_| Err(level_error(level))).collect();
    }
    let mut tallies: Vec<Tally<T>> = (0..items)
        .map(|_| Tally {
            oks: Vec::new(),
            refusal: None,
        })
        .collect();
    let (tx, mut rx) = mpsc::channel(n.max(1));
    if let [target] = targets.as_slice() {
        // One replica: no task to spawn.
        let answer = target.run_owned(&class, &shard, call).await;
        let _ = tx.send((target.node().to_string(), answer)).await;
    } else {
        let call = Arc::new(call);
        for target in targets {
            let (tx, class, shard, call) = (tx.clone(), class.clone(), shard.clone(), call.clone());
            tokio::spawn(async move {
                let answer = target.run(&class, &shard, &*call).await;
                let _ = tx.send((target.node().to_string(), answer)).await;
            });
        }
    }
    drop(tx);
    let mut answered = 0;
    while let Some((node, answer)) = rx.recv().await {
        answered += 1;
        match answer.map(&split) {
            Ok(results) => {
                for (tally, r) in tallies.iter_mut().zip(results) {
                    match r {
                        Ok(v) => tally.oks.push(v),
                        Err(e) => {
                            tally.refusal.get_or_insert(e);
                        }
                    }
                }
            }
            Err(e) if is_transport(&e) => {
                metrics.count_replica_failure(C::OP);
                tracing::warn!(%node, %class, %shard, error = %e, "replica did not take a write");
            }
            Err(e) => {
                for tally in &mut tallies {
                    if tally.refusal.is_none() {
                        tally.refusal = Some(copy_error(&e));
                    }
                }
            }
        }
        if tallies
            .iter()
            .all(|t| settled(t.oks.len(), answered, n, need))
        {
            break;
        }
    }
    tallies
        .into_iter()
        .map(|t| {
            if t.oks.len() >= need {
                Ok(t.oks)
            } else {
                Err(t.refusal.unwrap_or_else(|| level_error(level)))
            }
        })
        .collect()
}

/// Asks replicas for a read until `level` of them answered; each answer with the index of its
/// replica in `targets`. With level ONE the replicas are asked one after the other (this node
/// first); otherwise all at once.
pub(crate) async fn read_replicas<C: ShardCall>(
    class: &str,
    shard: &str,
    targets: &[Target],
    level: ConsistencyLevel,
    call: C,
) -> Result<Vec<(usize, C::Output)>> {
    let n = targets.len();
    let need = level.required(n).max(1);
    if need == 1 {
        return match hedged(class, shard, targets, &call, HEDGE_AFTER).await {
            Ok(Some(answer)) => Ok(vec![answer]),
            Ok(None) => Err(level_error(level)),
            Err(e) if is_transport(&e) => Err(level_error(level)),
            Err(e) => Err(e),
        };
    }
    let call = Arc::new(call);
    let (tx, mut rx) = mpsc::channel(n);
    for (i, target) in targets.iter().cloned().enumerate() {
        let (tx, class, shard, call) = (
            tx.clone(),
            class.to_string(),
            shard.to_string(),
            call.clone(),
        );
        tokio::spawn(async move {
            let _ = tx.send((i, target.run(&class, &shard, &*call).await)).await;
        });
    }
    drop(tx);
    let (mut answers, mut failed) = (Vec::with_capacity(need), 0);
    while let Some((i, answer)) = rx.recv().await {
        match answer {
            Ok(a) => answers.push((i, a)),
            Err(e) if is_transport(&e) => {
                tracing::debug!(node = targets[i].node(), error = %e, "replica did not answer a read");
                failed += 1;
            }
            Err(e) => return Err(e),
        }
        if answers.len() >= need {
            return Ok(answers);
        }
        if n - failed < need {
            break;
        }
    }
    Err(level_error(level))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_error_names_the_level() {
        assert_eq!(
            level_error(ConsistencyLevel::Quorum).to_string(),
            "cannot achieve consistency level \"QUORUM\": cannot reach enough replicas"
        );
    }

    #[test]
    fn local_replica_first_then_rotated() {
        let nodes: Vec<String> = ["n1", "n2", "n3"].map(String::from).to_vec();
        assert_eq!(replica_order(&nodes, "n2", 0), ["n2", "n1", "n3"]);
        assert_eq!(replica_order(&nodes, "n2", 1), ["n2", "n3", "n1"]);
        assert_eq!(replica_order(&nodes, "n9", 2), ["n3", "n1", "n2"]);
        assert_eq!(replica_order(&nodes[..1], "n1", 5), ["n1"]);
    }

    #[test]
    fn writes_settle_when_the_level_is_met_or_lost() {
        // Quorum of 3: two acks settle it, as do two failures.
        assert!(!settled(1, 1, 3, 2));
        assert!(settled(2, 2, 3, 2));
        assert!(settled(0, 2, 3, 2));
        assert!(!settled(1, 2, 3, 2));
        // ALL waits for everyone.
        assert!(!settled(2, 2, 3, 3));
        assert!(settled(3, 3, 3, 3));
    }

    #[test]
    fn copied_errors_keep_kind_and_message() {
        let e = Error::Conflict("id 'x' already exists".into());
        let c = copy_error(&e);
        assert_eq!(c.kind(), e.kind());
        assert_eq!(c.to_string(), e.to_string());
    }
}
