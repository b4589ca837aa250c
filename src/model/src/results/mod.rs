//! Pure, synchronous result computations that Weaviate performs after (or instead of) the
//! engines: hybrid fusion, autocut, sorting, aggregations, grouping, and the combination of
//! several target vectors' distances.
//!
//! Everything here works on values already gathered from the shards, so the coordinator's
//! search and aggregate code can call it on the merged results of every shard. Each algorithm
//! follows Weaviate's Go code (sources named in each file) so that rankings, tie-breaks,
//! numbers and texts come out the same.

pub mod aggregate;
pub mod autocut;
pub mod fusion;
pub mod group;
pub mod sort;
pub mod targets;

#[cfg(test)]
pub(crate) mod testutil;
