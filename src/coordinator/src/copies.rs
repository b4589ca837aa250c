//! Collections built from collections (`initFrom`): the new class is created at once, then a
//! background task on the node that took the request pages through the source in uuid order
//! and writes each page into it, through the same batch path as a client's import (placement,
//! replication, the new class's own index settings), keeping each object's times.
//!
//! Progress goes through Raft (`cluster::copies`) at most once per [`REPORT_EVERY`] and at the
//! end, so every node reports it and a runner that restarts resumes after the last uuid it
//! recorded; pages written again are upserts of the same objects. Objects the source gains
//! behind the cursor while the copy runs are not copied: writes to the source during a copy
//! belong to the new class too, or the copy should be taken again.
//!
//! The runner is the node that took the request; if it is gone for good, the copy stays
//! `COPYING` until the class is deleted and built again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cluster::copies::{CopyProgress, CopyState};
use cluster::{ClassMeta, MetaCommand};
use model::schema::{self, InitFrom};
use model::{ConsistencyLevel, ObjectWrite};
use types::schema::Class;
use types::{Object, DEFAULT_TARGET};

use crate::remote::calls::List;
use crate::tenants::Access;
use crate::{Coordinator, Error, Result};

/// Objects read from the source and written per round.
const PAGE: usize = 500;

/// How often progress is recorded through Raft while the copy runs.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// Attempts per page before the copy fails: a replica may be restarting.
const ATTEMPTS: u32 = 4;

/// How long a resumed copy waits for the node to be ready, between looks.
const READY_POLL: Duration = Duration::from_millis(200);

impl Coordinator {
    /// `POST /v1/schema` with `initFrom`: creates `class` (parsed from a body that
    /// `model::schema::inherit_from` completed from the source) and starts copying the
    /// source's objects into it. The source and tenant are checked first, with Weaviate's
    /// tenant errors behind `initFrom: `.
    pub async fn create_class_from(
        self: &Arc<Self>,
        class: Class,
        init: InitFrom,
    ) -> Result<Class> {
        let source = self.copy_source(&init).await?;
        schema::check_vectors(&source.class, &class)?;
        let total = self
            .count_in(&source)
            .await
            .map_err(|e| in_init_from(e, ""))?;
        let progress = CopyProgress::start(
            source.class.class.clone(),
            init.tenant,
            self.config.node_name.clone(),
            total,
        );
        let name = class.class.clone();
        let created = self
            .create_class_with(class, |meta: &mut ClassMeta| {
                meta.vector_dims = source.vector_dims.clone();
                meta.copy = Some(progress);
            })
            .await?;
        self.spawn_copy(name);
        Ok(created)
    }

    /// The definition of the class `initFrom` names (through an alias too), from which a
    /// body takes what it leaves out.
    pub fn init_from_source(&self, init: &InitFrom) -> Result<Class> {
        self.require_class(&init.class)
            .map(|meta| meta.class.clone())
            .map_err(|e| in_init_from(e, "class"))
    }

    /// The source class (through an alias too), scoped to the tenant to copy.
    async fn copy_source(&self, init: &InitFrom) -> Result<Arc<ClassMeta>> {
        let meta = self
            .require_class(&init.class)
            .map_err(|e| in_init_from(e, "class"))?;
        self.scoped(meta, init.tenant.as_deref(), Access::Read)
            .await
            .map_err(|e| in_init_from(e, "tenant"))
    }

    /// Starts the copies this node runs that have not ended: after a restart they go on from
    /// their last recorded uuid. Call once, inside the runtime.
    pub fn resume_copies(self: &Arc<Self>) {
        let coordinator = self.clone();
        tokio::spawn(async move {
            while !coordinator.is_ready() {
                tokio::time::sleep(READY_POLL).await;
            }
            let me = coordinator.config.node_name.clone();
            let state = coordinator.meta.snapshot();
            let mine = state.classes.values().filter(|m| {
                m.copy
                    .as_ref()
                    .is_some_and(|c| c.is_copying() && c.runner == me)
            });
            for meta in mine {
                coordinator.spawn_copy(meta.class.class.clone());
            }
        });
    }

    /// Runs the copy into `class` unless one already runs here.
    fn spawn_copy(self: &Arc<Self>, class: String) {
        if !self.running_copies.lock().insert(class.clone()) {
            return;
        }
        let coordinator = self.clone();
        tokio::spawn(async move {
            let outcome = coordinator.run_copy(&class).await;
            coordinator.running_copies.lock().remove(&class);
            if let Err(e) = outcome {
                tracing::warn!(class = %class, error = %e, "copy stopped");
            }
        });
    }

    /// Copies page after page until the source has no object after the cursor, recording
    /// progress; a page that keeps failing ends the copy as `FAILED` with its error.
    async fn run_copy(&self, class: &str) -> Result<()> {
        let Some(mut progress) = self.running_copy(class) else {
            return Ok(());
        };
        let mut reported = Instant::now();
        loop {
            let page = match self.copy_page_with_retries(class, &progress).await {
                Ok(page) => page,
                Err(e) => {
                    progress.state = CopyState::Failed;
                    progress.error = Some(e.to_string());
                    return self.record_copy(class, &progress).await;
                }
            };
            let Some((last, written)) = page else {
                progress.state = CopyState::Done;
                return self.record_copy(class, &progress).await;
            };
            progress.cursor = Some(last);
            progress.copied += written;
            if reported.elapsed() >= REPORT_EVERY {
                self.record_copy(class, &progress).await?;
                reported = Instant::now();
            }
        }
    }

    /// The copy into `class` if it is still running and this node runs it.
    fn running_copy(&self, class: &str) -> Option<CopyProgress> {
        let meta = self.own_class_meta(class)?;
        let copy = meta.copy.clone()?;
        (copy.is_copying() && copy.runner == self.config.node_name).then_some(copy)
    }

    async fn record_copy(&self, class: &str, progress: &CopyProgress) -> Result<()> {
        self.execute(MetaCommand::SetCopyProgress {
            class: class.to_string(),
            progress: Box::new(progress.clone()),
        })
        .await
    }

    /// [`Coordinator::copy_page`], tried again after a pause when it fails.
    async fn copy_page_with_retries(
        &self,
        class: &str,
        progress: &CopyProgress,
    ) -> Result<Option<(uuid::Uuid, u64)>> {
        let mut pause = Duration::from_millis(500);
        let mut attempt = 1;
        loop {
            match self.copy_page(class, progress).await {
                Ok(page) => return Ok(page),
                Err(e) if attempt >= ATTEMPTS => return Err(e),
                Err(e) => {
                    tracing::debug!(class = %class, error = %e, attempt, "copy page failed");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
            }
        }
    }

    /// Reads the source's next page after the cursor and writes it into `class`: the last
    /// uuid and how many objects were written, or `None` when the source has no more.
    async fn copy_page(
        &self,
        class: &str,
        progress: &CopyProgress,
    ) -> Result<Option<(uuid::Uuid, u64)>> {
        let target = self
            .own_class_meta(class)
            .ok_or_else(|| Error::NotFound(format!("class '{class}' was deleted")))?;
        let source = self.own_class_meta(&progress.source).ok_or_else(|| {
            Error::NotFound(format!("source class '{}' was deleted", progress.source))
        })?;
        let source = self
            .scoped(source, progress.tenant.as_deref(), Access::Read)
            .await?;
        let call = List {
            after: progress.cursor,
            limit: PAGE,
            with_vectors: true,
        };
        let mut objects: Vec<Object> = self
            .on_every_shard(&source, call)
            .await?
            .into_iter()
            .flatten()
            .collect();
        objects.sort_by_key(|o| o.id);
        objects.truncate(PAGE);
        let Some(last) = objects.last().map(|o| o.id) else {
            return Ok(None);
        };
        let named = target.class.vector_config.is_some();
        let copies: Vec<_> = objects
            .into_iter()
            .map(|o| copy_of(class, o, named))
            .collect();
        let written = copies.len() as u64;
        let outcomes = self.write_copies(copies, ConsistencyLevel::Quorum).await;
        if let Some(e) = outcomes.into_iter().find_map(|r| r.err()) {
            return Err(e);
        }
        Ok(Some((last, written)))
    }
}

/// The write that puts `object` into `class`, with its times.
fn copy_of(class: &str, object: Object, named: bool) -> (ObjectWrite, (i64, i64)) {
    let times = (object.creation_time_ms, object.last_update_time_ms);
    let mut vectors = object.vectors;
    let (vector, vectors) = match named {
        true => (None, (!vectors.is_empty()).then_some(vectors)),
        false => (vectors.remove(DEFAULT_TARGET), None),
    };
    let write = ObjectWrite {
        class: class.to_string(),
        id: Some(object.id),
        tenant: None,
        properties: object.properties,
        vector,
        vectors,
    };
    (write, times)
}

/// An error about the source of a copy, named as the body's field.
fn in_init_from(e: Error, field: &str) -> Error {
    let at = match field {
        "" => "initFrom".to_string(),
        f => format!("initFrom.{f}"),
    };
    match e {
        Error::NotFound(msg) | Error::InvalidInput(msg) => Error::invalid(format!("{at}: {msg}")),
        Error::Model(model::Error::InvalidInput(msg)) => Error::invalid(format!("{at}: {msg}")),
        Error::Model(model::Error::Internal(_))
        | Error::BadRequest(_)
        | Error::Conflict(_)
        | Error::Unavailable(_)
        | Error::Timeout(_)
        | Error::Shard(_)
        | Error::Meta(_)
        | Error::Internal(_) => e,
    }
}

#[cfg(test)]
#[path = "copies_tests.rs"]
mod tests;
