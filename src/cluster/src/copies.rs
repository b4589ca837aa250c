//! Collections built from collections (`initFrom`, a Shoal extension): the progress of a
//! server-side copy of one class's objects into a new class, kept in the new class's metadata.
//!
//! The copy itself is the coordinator's: it pages through the source in uuid order and writes
//! each page into the new class. What lives here is what must survive the node that runs it
//! and be visible from every node: where the copy came from, how far it got (the last uuid
//! written, so a restarted runner resumes after it; the copy's writes are upserts, so a page
//! written twice changes nothing), and how it ended. Progress is recorded through Raft like
//! any metadata change, at a pace the runner chooses, not per object.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::meta::{MetaChange, MetaState};
use crate::{Error, Result};

/// Where a copy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CopyState {
    /// Objects are still being copied.
    Copying,
    /// Every object the source held when the copy passed its uuid was copied.
    Done,
    /// The copy stopped for good; `error` says why.
    Failed,
}

impl CopyState {
    /// The name the shard status reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CopyState::Copying => "COPYING",
            CopyState::Done => "DONE",
            CopyState::Failed => "FAILED",
        }
    }
}

/// The copy that fills a class from another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyProgress {
    /// The class copied from (its own name, never an alias's).
    pub source: String,
    /// The one tenant copied, when the source is multi-tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The node that runs the copy, and resumes it when it restarts.
    pub runner: String,
    pub state: CopyState,
    /// Objects the source held when the copy started.
    pub total: u64,
    /// Objects written so far.
    pub copied: u64,
    /// The last uuid written: the copy goes on after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CopyProgress {
    /// A copy about to start from `source`.
    pub fn start(source: String, tenant: Option<String>, runner: String, total: u64) -> Self {
        CopyProgress {
            source,
            tenant,
            runner,
            state: CopyState::Copying,
            total,
            copied: 0,
            cursor: None,
            error: None,
        }
    }

    /// Whether objects are still being copied.
    pub fn is_copying(&self) -> bool {
        self.state == CopyState::Copying
    }
}

impl MetaState {
    /// Records a copy's progress into `class`. Only a copy that is still running moves: a
    /// finished copy is never reopened, so a late report from a runner that lost track (a
    /// restart racing its own resume) cannot undo the end.
    pub(crate) fn set_copy_progress(
        &mut self,
        class: String,
        progress: CopyProgress,
    ) -> Result<MetaChange> {
        let meta = self
            .classes
            .get_mut(&class)
            .ok_or_else(|| Error::ClassNotFound(class.clone()))?;
        match &meta.copy {
            Some(current) if current.is_copying() => {}
            Some(_) => {
                return Err(Error::Invalid(format!(
                    "the copy into class {class} has ended"
                )))
            }
            None => {
                return Err(Error::Invalid(format!(
                    "class {class} is not being built from another"
                )))
            }
        }
        std::sync::Arc::make_mut(meta).copy = Some(progress);
        Ok(MetaChange::CopyProgressed(class))
    }
}

#[cfg(test)]
#[path = "copies_tests.rs"]
mod tests;
