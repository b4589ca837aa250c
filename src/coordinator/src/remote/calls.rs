//! The shard-level operations of the data plane. Each is a small serde struct whose `run` is
//! exactly what the coordinator did on a local shard before clustering.

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};
use shard::{Bm25Stats, PutMode, PutRefusal, Shard};
use types::filter::Filter;
use types::keyword::TermsMatch;
use types::Object;
use uuid::Uuid;

use super::{ShardCall, WireError, WireResult};
use crate::{Error, Result};

/// [`PutMode`] on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Mode {
    Upsert,
    CreateOnly,
    ReplaceExisting,
}

impl From<Mode> for PutMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Upsert => PutMode::Upsert,
            Mode::CreateOnly => PutMode::CreateOnly,
            Mode::ReplaceExisting => PutMode::ReplaceExisting,
        }
    }
}

/// What a replica stored for one object: the times it kept. The rest the coordinator sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    pub created: i64,
    pub updated: i64,
}

/// Writes objects in one atomic shard batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Put {
    pub mode: Mode,
    pub objects: Vec<Object>,
}

impl ShardCall for Put {
    const OP: &'static str = "put";
    type Output = Vec<WireResult<Stamp>>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        let results = shard.put_batch(self.objects, self.mode.into())?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(o) => Ok(Stamp {
                    created: o.creation_time_ms,
                    updated: o.last_update_time_ms,
                }),
                Err(refusal) => Err(WireError::from(refusal_error(refusal))),
            })
            .collect())
    }
}

/// The error a refused put reports.
pub(crate) fn refusal_error(refusal: PutRefusal) -> Error {
    match refusal {
        PutRefusal::AlreadyExists(id) => Error::Conflict(format!("id '{id}' already exists")),
        PutRefusal::Missing(id) => Error::NotFound(format!("object {id} not found")),
        PutRefusal::Invalid(e) => Error::Shard(e),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Exists {
    pub id: Uuid,
}

impl ShardCall for Exists {
    const OP: &'static str = "exists";
    type Output = bool;
    fn run(self, shard: &Shard) -> Result<bool> {
        Ok(shard.exists(&self.id)?)
    }
}

/// Deletes one object as of `at_ms` (the coordinator's clock, so that every replica records
/// the same deletion); `false` if it was not there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Delete {
    pub id: Uuid,
    pub at_ms: i64,
}

impl ShardCall for Delete {
    const OP: &'static str = "delete";
    type Output = bool;
    fn run(self, shard: &Shard) -> Result<bool> {
        Ok(shard.delete_at(&self.id, self.at_ms)?)
    }
}

/// Deletes objects one by one (batch delete) as of `at_ms`; per id, the error if it failed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeleteMany {
    pub ids: Vec<Uuid>,
    pub at_ms: i64,
}

impl ShardCall for DeleteMany {
    const OP: &'static str = "delete-many";
    type Output = Vec<Option<String>>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        Ok(self
            .ids
            .iter()
            .map(|id| shard.delete_at(id, self.at_ms).err().map(|e| e.to_string()))
            .collect())
    }
}

/// The docs `filter` allows on `shard` (`None`: no filter).
fn allow_list(shard: &Shard, filter: Option<&Filter>) -> Result<Option<RoaringBitmap>> {
    Ok(filter.map(|f| shard.filter(f)).transpose()?)
}

/// The shard's `k` nearest objects, with their distances.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct VectorSearch {
    pub target: String,
    pub vector: Vec<f32>,
    pub k: usize,
    pub max_distance: Option<f32>,
    pub filter: Option<Filter>,
    pub with_vectors: bool,
}

impl ShardCall for VectorSearch {
    const OP: &'static str = "vector-search";
    type Output = Vec<(Object, f32)>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        let allow = allow_list(shard, self.filter.as_ref())?;
        let found = shard.filtered_vector_search(
            &self.target,
            &self.vector,
            self.k,
            self.max_distance,
            allow.as_ref(),
            self.with_vectors,
        )?;
        Ok(found.into_iter().map(|h| (h.object, h.distance)).collect())
    }
}

/// The shard's BM25 top `k`, with scores and explanations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeywordSearch {
    pub query: String,
    pub properties: Vec<(String, f32)>,
    pub k: usize,
    pub filter: Option<Filter>,
    pub with_vectors: bool,
    /// The class's statistics ([`super::keyword_stats`]) when it has several shards, so that
    /// their scores compare; `None` (and from a node that predates them): the shard's own.
    #[serde(default)]
    pub stats: Option<Bm25Stats>,
    /// How many query terms a match must hold (default, and from older nodes: any one).
    #[serde(default)]
    pub matching: TermsMatch,
}

impl ShardCall for KeywordSearch {
    const OP: &'static str = "keyword-search";
    type Output = Vec<(Object, f32, String)>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        let allow = allow_list(shard, self.filter.as_ref())?;
        let query = shard::KeywordQuery {
            text: &self.query,
            properties: &self.properties,
            matching: self.matching,
        };
        let found = shard.keyword_search(
            query,
            self.k,
            allow.as_ref(),
            self.with_vectors,
            self.stats.as_ref(),
        )?;
        Ok(found
            .into_iter()
            .map(|h| (h.object, h.score, h.explain))
            .collect())
    }
}

/// A page in uuid order after the cursor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct List {
    pub after: Option<Uuid>,
    pub limit: usize,
    pub with_vectors: bool,
}

impl ShardCall for List {
    const OP: &'static str = "list";
    type Output = Vec<Object>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        Ok(shard.list(self.after.as_ref(), self.limit, self.with_vectors)?)
    }
}

/// At most `limit` objects matching `filter` (all objects without one), in doc order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Matching {
    pub filter: Option<Filter>,
    pub limit: usize,
    pub with_vectors: bool,
}

impl ShardCall for Matching {
    const OP: &'static str = "matching";
    type Output = Vec<Object>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        let docs = match &self.filter {
            Some(f) => shard.filter(f)?,
            None => shard.all_docs()?,
        };
        Ok(shard.objects_of_set(&docs, self.limit, self.with_vectors)?)
    }
}

/// The ids of at most `limit` objects matching `filter` (batch delete, reference filters).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MatchingIds {
    pub filter: Option<Filter>,
    pub limit: usize,
}

impl ShardCall for MatchingIds {
    const OP: &'static str = "matching-ids";
    type Output = Vec<Uuid>;
    fn run(self, shard: &Shard) -> Result<Self::Output> {
        let docs = match &self.filter {
            Some(f) => shard.filter(f)?,
            None => shard.all_docs()?,
        };
        Ok(shard.ids_of_set(&docs, self.limit)?)
    }
}

/// The shard's object count.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Count {}

impl ShardCall for Count {
    const OP: &'static str = "count";
    type Output = u64;
    fn run(self, shard: &Shard) -> Result<u64> {
        Ok(shard.object_count())
    }
}
