//! How replicas that disagree about an object settle it: the resolution rule (newest version
//! wins; a delete against an update follows the class's `deletionStrategy`), used alike by
//! read repair on single-object reads and by anti-entropy in the background.

mod anti_entropy;
mod consistency;
mod read;

use shard::Version;
use types::schema::Class;

/// `replicationConfig.deletionStrategy`: what wins when one replica deleted an object that
/// another still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeletionStrategy {
    /// Nothing is resolved: reads report the conflict, and replicas keep their versions.
    NoAutomatedResolution,
    /// The deletion wins, whenever it happened.
    DeleteOnConflict,
    /// The later of deletion and update wins; a tie goes to the deletion.
    TimeBasedResolution,
}

impl DeletionStrategy {
    pub(crate) fn of(class: &Class) -> DeletionStrategy {
        Self::named(&class.replication_config.deletion_strategy)
    }

    /// The strategy called `name`; the default for any other name (the schema allows none).
    fn named(name: &str) -> DeletionStrategy {
        match name {
            "DeleteOnConflict" => DeletionStrategy::DeleteOnConflict,
            "TimeBasedResolution" => DeletionStrategy::TimeBasedResolution,
            _ => DeletionStrategy::NoAutomatedResolution,
        }
    }
}

/// What a set of replica versions of one object settles to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// No replica has seen the object.
    Unknown,
    /// Every replica should hold this version.
    Winner(Version),
    /// One replica deleted it, another holds it, and the strategy does not choose.
    Conflict,
}

/// The version replicas holding `versions` converge to.
pub(crate) fn resolve(versions: &[Option<Version>], strategy: DeletionStrategy) -> Resolution {
    let newest_live = versions
        .iter()
        .flatten()
        .filter(|v| !v.is_deleted())
        .max_by_key(|v| v.time_ms());
    let newest_deleted = versions
        .iter()
        .flatten()
        .filter(|v| v.is_deleted())
        .max_by_key(|v| v.time_ms());
    match (newest_live, newest_deleted) {
        (None, None) => Resolution::Unknown,
        (Some(v), None) | (None, Some(v)) => Resolution::Winner(*v),
        (Some(live), Some(deleted)) => match strategy {
            DeletionStrategy::NoAutomatedResolution => Resolution::Conflict,
            DeletionStrategy::DeleteOnConflict => Resolution::Winner(*deleted),
            DeletionStrategy::TimeBasedResolution if live.time_ms() > deleted.time_ms() => {
                Resolution::Winner(*live)
            }
            DeletionStrategy::TimeBasedResolution => Resolution::Winner(*deleted),
        },
    }
}

/// Whether a replica holding `local` should push it to one holding `remote`. Pushes go one
/// way, from the winner, so two replicas never push at each other.
pub(crate) fn should_push(
    local: Option<Version>,
    remote: Option<Version>,
    strategy: DeletionStrategy,
) -> bool {
    match local {
        Some(l) if Some(l) != remote => {
            resolve(&[Some(l), remote], strategy) == Resolution::Winner(l)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeletionStrategy::*;

    const fn live(t: i64) -> Option<Version> {
        Some(Version::Live { updated_ms: t })
    }
    const fn deleted(t: i64) -> Option<Version> {
        Some(Version::Deleted { at_ms: t })
    }

    #[test]
    fn the_newest_update_wins_without_deletions() {
        for s in [NoAutomatedResolution, DeleteOnConflict, TimeBasedResolution] {
            assert_eq!(
                resolve(&[live(3), None, live(5)], s),
                Resolution::Winner(Version::Live { updated_ms: 5 })
            );
            assert_eq!(resolve(&[None, None], s), Resolution::Unknown);
            assert_eq!(
                resolve(&[deleted(2), None, deleted(4)], s),
                Resolution::Winner(Version::Deleted { at_ms: 4 })
            );
            assert!(should_push(live(5), live(3), s));
            assert!(should_push(live(5), None, s));
            assert!(
                should_push(deleted(5), None, s),
                "a marker reaches replicas that never saw the object"
            );
            assert!(
                !should_push(live(3), live(5), s),
                "the older side never pushes"
            );
            assert!(!should_push(live(5), live(5), s));
            assert!(!should_push(None, live(5), s));
        }
    }

    #[test]
    fn a_delete_against_an_update_follows_the_strategy() {
        let both = [live(10), deleted(7)];
        assert_eq!(resolve(&both, NoAutomatedResolution), Resolution::Conflict);
        assert_eq!(
            resolve(&both, DeleteOnConflict),
            Resolution::Winner(Version::Deleted { at_ms: 7 })
        );
        assert_eq!(
            resolve(&both, TimeBasedResolution),
            Resolution::Winner(Version::Live { updated_ms: 10 })
        );
        assert_eq!(
            resolve(&[live(7), deleted(7)], TimeBasedResolution),
            Resolution::Winner(Version::Deleted { at_ms: 7 }),
            "a tie goes to the deletion"
        );
        // Exactly one side pushes, or neither when nothing is resolved.
        assert!(!should_push(live(10), deleted(7), NoAutomatedResolution));
        assert!(!should_push(deleted(7), live(10), NoAutomatedResolution));
        assert!(should_push(deleted(7), live(10), DeleteOnConflict));
        assert!(!should_push(live(10), deleted(7), DeleteOnConflict));
        assert!(should_push(live(10), deleted(7), TimeBasedResolution));
        assert!(!should_push(deleted(7), live(10), TimeBasedResolution));
    }

    #[test]
    fn strategies_are_known_by_their_wire_names() {
        for (name, s) in [
            ("NoAutomatedResolution", NoAutomatedResolution),
            ("DeleteOnConflict", DeleteOnConflict),
            ("TimeBasedResolution", TimeBasedResolution),
            ("", NoAutomatedResolution),
        ] {
            assert_eq!(DeletionStrategy::named(name), s);
        }
    }
}
